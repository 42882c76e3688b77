// authwrap as a process among processes: failures to start, pipes held by grandchildren, signals
// at a terminal and without one, output redirected while a retry may follow, the re-auth's
// process group. Everything goes through the built bin/authwrap.
import {
  existsSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import {
  BIN,
  ROOT,
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
  type Sandbox,
} from "./helpers/run.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForFile(path: string, timeoutMs = 10_000): Promise<void> {
  for (let waited = 0; !existsSync(path); waited += 20) {
    if (waited > timeoutMs) throw new Error(`${path} never appeared`);
    await sleep(20);
  }
}

const AT_TERMINAL = join(ROOT, "test/helpers/at-terminal.py");

/** Runs a shell command line in a new pseudo-terminal; `send` types bytes at it once a file exists. */
function atTerminal(
  commandLine: string,
  sandbox: Sandbox,
  send: Array<[file: string, bytes: string]> = [],
) {
  const sends = send.flatMap(([file, bytes]) => ["--send-when", file, bytes]);
  return execa(
    "python3",
    [AT_TERMINAL, ...sends, "--", "sh", "-c", commandLine],
    {
      env: { ...sandbox.env, TERM: "dumb" },
      extendEnv: false,
      reject: false,
      timeout: 30_000,
    },
  );
}
// `exec`: authwrap leads the terminal's session, as it does under a login shell; a shell left in
// between would die of the key too and hang the terminal up on us.
const authwrapLine = (args: string) =>
  `exec "${process.execPath}" "${BIN}" ${args}`;
const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, "utf8").split("\n").filter(Boolean)
    : [];

/** Gone, or a zombie nobody has reaped yet (a container's init may never reap it). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return (
      readFileSync(`/proc/${pid}/stat`, "utf8")
        .split(") ")[1]
        ?.startsWith("Z") ?? false
    );
  } catch {
    return true;
  }
}

/** Processes a test's fixtures leave behind on purpose (a grandchild holding a pipe), ended after each test. */
const strays: number[] = [];
const stray = (pidFile: string) => {
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  strays.push(pid);
  return pid;
};
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

describe("a command that cannot be started", () => {
  it("a path through a regular file (ENOTDIR) → 126 COMMAND_NOT_EXECUTABLE naming the errno", async () => {
    const sandbox = createSandbox();
    writeFileSync(join(sandbox.dir, "plain.txt"), "not a folder");
    const result = await runAuthwrap(
      ["--json", "--", join(sandbox.dir, "plain.txt", "tool")],
      sandbox,
    );
    expect(result.exitCode).toBe(126);
    expect(parseEnvelope(result.stdout).error).toMatchObject({
      code: "COMMAND_NOT_EXECUTABLE",
      message: expect.stringContaining("ENOTDIR"),
    });
    const passthrough = await runAuthwrap(
      ["--", join(sandbox.dir, "plain.txt", "tool")],
      sandbox,
    );
    expect(passthrough.exitCode).toBe(126);
    expect(passthrough.stderr).toBe(
      "authwrap: command could not be executed: ENOTDIR (a component of the path is not a directory)\n",
    );
  });

  it("a symbolic link loop (ELOOP) → 126 naming the errno, not an internal error", async () => {
    const sandbox = createSandbox();
    symlinkSync(join(sandbox.dir, "b"), join(sandbox.dir, "a"));
    symlinkSync(join(sandbox.dir, "a"), join(sandbox.dir, "b"));
    const result = await runAuthwrap(
      ["--json", "--", join(sandbox.dir, "a")],
      sandbox,
    );
    expect(result.exitCode).toBe(126);
    expect(parseEnvelope(result.stdout).error).toMatchObject({
      code: "COMMAND_NOT_EXECUTABLE",
      message: expect.stringContaining("ELOOP"),
    });
  });
});

describe("pipes held by a grandchild", () => {
  it("a child that exits leaving `sleep 20 &` on its stdout does not keep authwrap waiting", async () => {
    const sandbox = createSandbox();
    const pidFile = join(sandbox.dir, "grandchild.pid");
    const script = `sleep 20 & echo $! > ${pidFile}; echo x; exit 1`;
    for (const mode of [[], ["--json"]]) {
      const started = Date.now();
      const result = await runAuthwrap(
        [...mode, "--", "sh", "-c", script],
        sandbox,
        { timeout: 15_000 },
      );
      const elapsed = Date.now() - started;
      stray(pidFile);
      expect(result.timedOut).toBe(false);
      expect(result.exitCode).toBe(1);
      if (mode.length)
        expect(parseEnvelope(result.stdout).error).toMatchObject({
          code: "COMMAND_FAILED",
          detail: "x",
        });
      else expect(result.stdout).toBe("x\n");
      expect(elapsed).toBeLessThan(3000);
    }
  }, 30_000);

  it("a grandchild that keeps writing is cut off after the bound", async () => {
    const sandbox = createSandbox();
    const pidFile = join(sandbox.dir, "grandchild.pid");
    const started = Date.now();
    const result = await runAuthwrap(
      [
        "--",
        "sh",
        "-c",
        `(while :; do echo y; sleep 0.05; done) & echo $! > ${pidFile}; exit 3`,
      ],
      sandbox,
      { timeout: 15_000 },
    );
    stray(pidFile);
    expect(result.exitCode).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 20_000);

  it("SIGTERM to authwrap while it drains such pipes ends it at once", async () => {
    const sandbox = createSandbox();
    const pidFile = join(sandbox.dir, "grandchild.pid");
    const exited = join(sandbox.dir, "exited");
    const subprocess = runAuthwrap(
      [
        "--",
        "sh",
        "-c",
        `(while :; do echo y; sleep 0.05; done) & echo $! > ${pidFile}; touch ${exited}; exit 3`,
      ],
      sandbox,
      { timeout: 15_000 },
    );
    await waitForFile(exited);
    await sleep(150);
    const signalled = Date.now();
    subprocess.kill("SIGTERM");
    const result = await subprocess;
    stray(pidFile);
    expect(Date.now() - signalled).toBeLessThan(1000);
    expect(result.exitCode).toBe(143);
  }, 20_000);
});

describe("signals, the way a shell treats them", () => {
  it("at a terminal, one Ctrl-C gives the child exactly one SIGINT (the terminal delivered it; authwrap does not send a second)", async () => {
    const sandbox = createSandbox();
    const count = join(sandbox.dir, "signals");
    const result = await atTerminal(
      authwrapLine(`-- count-signals ${count}`),
      sandbox,
      [[`${count}.ready`, "\\x03"]],
    );
    expect(lines(count)).toEqual(["SIGINT"]);
    expect(result.exitCode).toBe(130);
  }, 40_000);

  it("also with stdin redirected from a file while stdout and stderr are the terminal", async () => {
    const sandbox = createSandbox();
    const count = join(sandbox.dir, "signals");
    const result = await atTerminal(
      `${authwrapLine(`-- count-signals ${count}`)} < /dev/null`,
      sandbox,
      [[`${count}.ready`, "\\x03"]],
    );
    expect(lines(count)).toEqual(["SIGINT"]);
    expect(result.exitCode).toBe(130);
  }, 40_000);

  it("at a terminal, Ctrl-\\ reaches the child once and authwrap lives to report it", async () => {
    const sandbox = createSandbox();
    const count = join(sandbox.dir, "signals");
    const result = await atTerminal(
      authwrapLine(`--json -- count-signals ${count}`),
      sandbox,
      [[`${count}.ready`, "\\x1c"]],
    );
    expect(lines(count)).toEqual(["SIGQUIT"]);
    expect(result.exitCode).toBe(131);
    expect(result.stdout).toContain(
      '"message": "command was killed by SIGQUIT"',
    );
  }, 40_000);

  it("without a terminal, SIGINT sent to authwrap reaches the child, once", async () => {
    const sandbox = createSandbox();
    const count = join(sandbox.dir, "signals");
    const subprocess = runAuthwrap(["--", "count-signals", count], sandbox, {
      timeout: 30_000,
    });
    await waitForFile(`${count}.ready`);
    subprocess.kill("SIGINT");
    const result = await subprocess;
    expect(lines(count)).toEqual(["SIGINT"]);
    expect(result.exitCode).toBe(130);
  }, 40_000);

  it("a signal that ends the attempt is not followed by a re-auth or a retry, even when the output reads as an expiry", async () => {
    const sandbox = createSandbox();
    const ready = join(sandbox.dir, "ready");
    const marker = join(sandbox.dir, "reauth-ran");
    const script = `trap 'echo "democli: error: 401 Unauthorized: token expired at 2026-01-01T00:00:00Z" >&2; exit 4' TERM; touch ${ready}; while :; do sleep 0.05; done`;
    const subprocess = runAuthwrap(
      [
        "--json",
        "--tool",
        "democli",
        "--reauth",
        `touch ${marker}`,
        "--",
        "sh",
        "-c",
        script,
      ],
      sandbox,
      { timeout: 30_000 },
    );
    await waitForFile(ready);
    subprocess.kill("SIGTERM");
    const result = await subprocess;
    const envelope = parseEnvelope(result.stdout);
    expect(existsSync(marker)).toBe(false);
    // The envelope says what was interrupted (INTERRUPTED, 128+N) and keeps what ran.
    expect(result.exitCode).toBe(143);
    expect(envelope.meta.attempts).toBe(1);
    expect(envelope.warnings.join("\n")).toContain("SIGTERM");
  }, 40_000);
});

describe("passthrough with stdout redirected, while a retry may follow", () => {
  const reauthOnce = (
    sandbox: Sandbox,
    reauth: string,
    ...fixtureArgs: string[]
  ) => {
    const out = join(sandbox.dir, "out.json");
    const run = runAuthwrap(
      [
        "--tool",
        "democli",
        "--reauth",
        reauth,
        "--",
        "expire-once",
        join(sandbox.dir, "expired-once"),
        ...fixtureArgs,
      ],
      sandbox,
      { stdout: { file: out }, maxBuffer: 64 * 1024 * 1024 },
    );
    return { out, run };
  };

  it("`authwrap --reauth true -- <expires once> > out.json` leaves only the retry's JSON in out.json", async () => {
    const sandbox = createSandbox();
    const { out, run } = reauthOnce(sandbox, "true");
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(readFileSync(out, "utf8")).toBe('{"attempt":2,"items":["a","b"]}\n');
  });

  it("when no retry follows (the re-auth failed), the held output is written after all", async () => {
    const sandbox = createSandbox();
    const { out, run } = reauthOnce(sandbox, "false");
    const result = await run;
    expect(result.exitCode).toBe(10);
    expect(readFileSync(out, "utf8")).toBe(
      '{"attempt":1,"items":["partial"]}\n',
    );
  });

  it("past 8 MiB the output streams on and is not retried, and the envelope line says why", async () => {
    const sandbox = createSandbox();
    const pad = 9 * 1024 * 1024;
    const { out, run } = reauthOnce(sandbox, "true", String(pad));
    const result = await run;
    expect(result.exitCode).toBe(10);
    const written = readFileSync(out, "utf8");
    expect(written.length).toBe(
      pad + '{"attempt":1,"items":["partial"]}\n'.length,
    );
    expect(written.endsWith('{"attempt":1,"items":["partial"]}\n')).toBe(true);
    const envelope = parseEnvelope(
      String(result.stderr).trimEnd().split("\n").at(-1),
    );
    expect(envelope.meta).toMatchObject({
      attempts: 1,
      reauth: { exit_code: 0 },
    });
    expect(envelope.warnings).toEqual([
      `stdout already passed ${8 * 1024 * 1024} bytes; not retried, to keep redirected output whole`,
    ]);
  }, 30_000);

  it("at a terminal both attempts stream live, as a person watching expects", async () => {
    const sandbox = createSandbox();
    const result = await atTerminal(
      authwrapLine(
        `--tool democli --reauth true -- expire-once ${join(sandbox.dir, "expired-once")}`,
      ),
      sandbox,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('{"attempt":1,"items":["partial"]}');
    expect(result.stdout).toContain('{"attempt":2,"items":["a","b"]}');
  }, 40_000);
});

describe("the re-auth as a process group", () => {
  const expiredSandbox = async () => {
    const sandbox = createSandbox();
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    return sandbox;
  };
  const lockFiles = (sandbox: Sandbox) => {
    const dir = join(sandbox.env.XDG_STATE_HOME!, "authwrap");
    return existsSync(dir)
      ? readdirSync(dir).filter((name) => name.endsWith(".lock"))
      : [];
  };

  it.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "%s to authwrap during the re-auth: its group is stopped, nothing is left running, the lock is released, the envelope says so, exit 128+N",
    async (signal) => {
      const sandbox = await expiredSandbox();
      const pidFile = join(sandbox.dir, "helper.pid");
      const subprocess = runAuthwrap(
        [
          "--json",
          "--reauth",
          `sleep 300 & echo $! > ${pidFile}; wait`,
          "--",
          "democli",
          "status",
        ],
        sandbox,
        { timeout: 30_000 },
      );
      await waitForFile(pidFile);
      await sleep(50);
      const helper = stray(pidFile);
      subprocess.kill(signal);
      const result = await subprocess;
      expect(result.exitCode).toBe(
        { SIGTERM: 143, SIGINT: 130, SIGHUP: 129 }[signal],
      );
      const envelope = parseEnvelope(result.stdout);
      // --reauth's command is what renews the credential, so it is the refresh_command (issue 9).
      expect(envelope.error).toMatchObject({
        code: "INTERRUPTED",
        refresh_command: `sleep 300 & echo $! > ${pidFile}; wait`,
      });
      expect(envelope.warnings.join("\n")).toContain(
        `interrupted by ${signal}`,
      );
      expect(envelope.meta).toMatchObject({
        attempts: 1,
        reauth: { exit_code: null, timed_out: false },
      });
      expect(isGone(helper)).toBe(true);
      expect(lockFiles(sandbox)).toEqual([]);
      // An interrupted re-auth is not a failed one: the next call runs it at once, no cool-down.
      const next = await runAuthwrap(
        ["--json", "--", "democli", "status"],
        sandbox,
      );
      expect(next.exitCode).toBe(0);
      expect(parseEnvelope(next.stdout).meta.reauth).toMatchObject({
        exit_code: 0,
      });
      expect(parseEnvelope(next.stdout).meta.reauth).not.toHaveProperty(
        "skipped",
      );
    },
    40_000,
  );

  it("a re-auth that exits 0 leaving a helper on its stdout and stderr is done when it exits: success, and the retry runs", async () => {
    const sandbox = await expiredSandbox();
    const pidFile = join(sandbox.dir, "helper.pid");
    const started = Date.now();
    const result = await runAuthwrap(
      [
        "--json",
        "--reauth-timeout",
        "10",
        "--reauth",
        `sleep 300 & echo $! > ${pidFile}; democli auth refresh`,
        "--",
        "democli",
        "status",
      ],
      sandbox,
      { timeout: 30_000 },
    );
    stray(pidFile);
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(0);
    expect(envelope.meta).toMatchObject({
      attempts: 2,
      reauth: { exit_code: 0, timed_out: false },
    });
    expect(Date.now() - started).toBeLessThan(8000);
  }, 40_000);

  it("a re-auth that times out gets SIGTERM first, then the whole group is gone", async () => {
    const sandbox = await expiredSandbox();
    const pidFile = join(sandbox.dir, "helper.pid");
    const termed = join(sandbox.dir, "got-term");
    const result = await runAuthwrap(
      [
        "--json",
        "--reauth-timeout",
        "1",
        "--reauth",
        `trap 'touch ${termed}; exit 1' TERM; sleep 300 & echo $! > ${pidFile}; wait`,
        "--",
        "democli",
        "status",
      ],
      sandbox,
      { timeout: 30_000 },
    );
    const helper = stray(pidFile);
    expect(result.exitCode).toBe(10);
    expect(parseEnvelope(result.stdout).meta.reauth).toMatchObject({
      exit_code: null,
      timed_out: true,
    });
    expect(existsSync(termed)).toBe(true);
    expect(isGone(helper)).toBe(true);
  }, 40_000);

  it("a re-auth that ignores SIGTERM is killed after the grace", async () => {
    const sandbox = await expiredSandbox();
    const pidFile = join(sandbox.dir, "helper.pid");
    const started = Date.now();
    const result = await runAuthwrap(
      [
        "--json",
        "--reauth-timeout",
        "1",
        "--reauth",
        `trap '' TERM; sleep 300 & echo $! > ${pidFile}; wait`,
        "--",
        "democli",
        "status",
      ],
      sandbox,
      { timeout: 30_000 },
    );
    const helper = stray(pidFile);
    expect(result.exitCode).toBe(10);
    expect(isGone(helper)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 40_000);
});

describe("an interactive re-auth at a terminal", () => {
  it("gets the terminal: its stdin, stdout and stderr are TTYs (run in a real pty)", async () => {
    const sandbox = createSandbox();
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    const seen = join(sandbox.dir, "tty-seen");
    const rules = join(sandbox.dir, "interactive.yaml");
    writeFileSync(
      rules,
      [
        "version: 1",
        "tool: democli",
        "commands: [democli]",
        `refresh_command: tty-check ${seen} && democli auth refresh`,
        "refresh_interactive: true",
        "rules: []",
      ].join("\n"),
    );
    const result = await atTerminal(
      authwrapLine(`--classifiers ${rules} -- democli status`),
      sandbox,
    );
    expect(readFileSync(seen, "utf8").trim()).toBe(
      "stdin=tty stdout=tty stderr=tty",
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("democli: token refreshed");
  }, 40_000);
});
