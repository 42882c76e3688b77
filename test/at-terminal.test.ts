// At a terminal the command runs in a pseudo-terminal (src/run/pty.ts). Driven for real: `script`
// gives authwrap a terminal on stdin, stdout and stderr, and its stdin (a pipe from the test) is
// what a person types.
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createSandbox, ROOT, runDemo, type Sandbox } from "./helpers/run.js";
import { parseInvocation } from "../src/cli.js";
import { wantsPty } from "../src/run/terminal.js";

const AUTHWRAP = `"${process.execPath}" "${ROOT}/bin/authwrap"`;

/** Runs a shell command line in a fresh terminal; @AW in it stands for the built authwrap. */
function inTerminal(line: string, sandbox: Sandbox, bin = AUTHWRAP) {
  return execa("script", ["-qfec", line.replaceAll("@AW", bin), "/dev/null"], {
    env: { TERM: "xterm", ...sandbox.env },
    extendEnv: false,
    reject: false,
    // A pipe kept open: `script` forwards it to the terminal as typing, and sends nothing at its end.
    stdin: "pipe",
  });
}

/** Waits until the terminal has shown `text`, then returns everything shown so far. */
function shown(run: ReturnType<typeof inTerminal>, text: string) {
  return new Promise<void>((resolve, reject) => {
    let seen = "";
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) {
        run.stdout!.off("data", onData);
        resolve();
      }
    };
    run.stdout!.on("data", onData);
    run.catch(reject);
  });
}

async function finish(run: ReturnType<typeof inTerminal>) {
  // The pipe is closed only after: at its end `script` types an end-of-file character.
  const result = await run;
  run.stdin!.end();
  // The pty ends lines with \r\n, and the terminal of `script` adds a \r of its own.
  return String(result.stdout).replace(/\r/g, "");
}

// eslint-disable-next-line no-control-regex -- strips colour codes, which start with ESC
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*[mK]/g, "");

const ISATTY =
  "python3 -c 'import sys; print(sys.stdin.isatty(), sys.stdout.isatty(), sys.stderr.isatty())'";

describe("at a terminal the command sees a terminal", () => {
  it("on stdin, stdout and stderr; --no-pty and AUTHWRAP_NO_PTY=1 give it pipes", async () => {
    const sandbox = createSandbox();
    const out = await finish(
      inTerminal(
        `${ISATTY}; @AW -- ${ISATTY}; @AW --no-pty -- ${ISATTY}; AUTHWRAP_NO_PTY=1 @AW -- ${ISATTY}`,
        sandbox,
      ),
    );
    expect(out.split("\n").filter(Boolean)).toEqual([
      "True True True",
      "True True True",
      "True False False",
      "True False False",
    ]);
  });

  it("colour codes a command prints only to a terminal arrive", async () => {
    const sandbox = createSandbox();
    const out = await finish(
      inTerminal(
        "@AW -- grep --color=auto root /etc/passwd; @AW --no-pty -- grep --color=auto root /etc/passwd",
        sandbox,
      ),
    );
    const [inPty, inPipe] = out.split("\n").filter(Boolean);
    expect(inPty).toContain("\u001b[");
    expect(plain(inPty!)).toBe(inPipe);
    expect(inPipe).not.toContain("\u001b");
  });

  it("input() reads what the person types, with the prompt shown first", async () => {
    const sandbox = createSandbox();
    const run = inTerminal(
      `@AW -- python3 -c 'name = input("name? "); print("hello", name)'`,
      sandbox,
    );
    await shown(run, "name? ");
    run.stdin!.write("bob\r");
    await shown(run, "hello bob");
    const out = await finish(run);
    // The pty echoes the typing, as a terminal does.
    expect(out).toContain("name? bob\nhello bob");
    expect((await run).exitCode).toBe(0);
  });

  it("a window resize reaches the command (SIGWINCH, then the new size)", async () => {
    const sandbox = createSandbox();
    const ready = join(sandbox.dir, "ready");
    // stty may set the columns and the rows one at a time (two SIGWINCHs): the command waits for the final size.
    const child = `python3 -c 'import os, signal, sys; signal.signal(signal.SIGWINCH, lambda *a: tuple(os.get_terminal_size()) == (123, 45) and (print("resized 123 45"), sys.exit(0))); print("size", os.get_terminal_size().columns, os.get_terminal_size().lines, flush=True); open("${ready}", "w").close(); [signal.pause() for _ in iter(int, 1)]'`;
    const out = await finish(
      inTerminal(
        // The resize comes from a background job, as from the terminal's window: authwrap stays in the foreground.
        `stty cols 90 rows 20; (while [ ! -f ${ready} ]; do sleep 0.05; done; stty cols 123 rows 45 </dev/tty) & @AW -- ${child}; echo "exit $?"`,
        sandbox,
      ),
    );
    expect(out).toContain("size 90 20\n");
    expect(out).toContain("resized 123 45\nexit 0");
  });

  it("exit codes and deaths by signal are the command's", async () => {
    const sandbox = createSandbox();
    const out = await finish(
      inTerminal(
        `@AW -- sh -c 'exit 3'; echo "exit $?"; @AW -- sh -c 'kill -TERM $$'; echo "exit $?"; @AW -- no-such-command-here; echo "exit $?"`,
        sandbox,
      ),
    );
    expect(out.split("\n").filter(Boolean)).toEqual([
      "exit 3",
      "exit 143",
      "authwrap: command not found",
      "exit 127",
    ]);
  });

  it("one Ctrl-C is one SIGINT for the command", async () => {
    const sandbox = createSandbox();
    const file = join(sandbox.dir, "signals");
    const run = inTerminal(
      `@AW -- count-signals ${file}; echo "exit $?"`,
      sandbox,
    );
    await waitForFile(`${file}.ready`);
    run.stdin!.write("\u0003");
    await shown(run, "exit ");
    const out = await finish(run);
    expect(readFileSync(file, "utf8")).toBe("SIGINT\n");
    // The pty echoes the key as ^C.
    expect(out).toMatch(/\^?C?exit 130$/);
  });

  it("an expired token printed to the pty still reads as expired: one re-auth, the retry runs in a pty too", async () => {
    const sandbox = createSandbox();
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    const script = join(sandbox.dir, "deploy.sh");
    writeFileSync(script, `democli deploy; rc=$?; ${ISATTY}; exit $rc\n`);
    const out = await finish(
      inTerminal(`@AW --tool democli -- sh ${script}; echo "exit $?"`, sandbox),
    );
    const lines = plain(out).split("\n").filter(Boolean);
    expect(lines[0]).toMatch(
      /^democli: error: 401 Unauthorized: token expired at /,
    );
    expect(lines).toContain('{"ok":true,"job_id":"dep_123","env":"dev"}');
    expect(lines.filter((line) => line === "True True True")).toHaveLength(2);
    expect(lines.at(-1)).toBe("exit 0");
    expect(sandbox.refreshCount()).toBe(1);
  });

  it("--no-reauth: the verdict from the pty's output is CREDENTIALS_EXPIRED, exit 10", async () => {
    const sandbox = createSandbox();
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    const out = await finish(
      inTerminal(`@AW --no-reauth -- democli deploy; echo "exit $?"`, sandbox),
    );
    expect(plain(out)).toMatch(/authwrap: credentials expired/);
    expect(out).toMatch(/\nexit 10$/);
  });

  it("where node-pty cannot load, stdout keeps its terminal and stderr is read", async () => {
    // The bundle without node_modules beside it: the optional package is not installed.
    const copy = mkdtempSync(join(tmpdir(), "authwrap-nopty-"));
    cpSync(join(ROOT, "bin"), join(copy, "bin"), { recursive: true });
    cpSync(join(ROOT, "dist"), join(copy, "dist"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(copy, "package.json"));
    const sandbox = createSandbox();
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    const out = await finish(
      inTerminal(
        `@AW -- ${ISATTY}; @AW --no-reauth -- democli deploy; echo "exit $?"`,
        sandbox,
        `"${process.execPath}" "${copy}/bin/authwrap"`,
      ),
    );
    const lines = plain(out).split("\n").filter(Boolean);
    expect(lines[0]).toBe("True True False");
    expect(lines.at(-1)).toBe("exit 10");
  });
});

describe("lines for a person at a terminal", () => {
  const expired = async (env: Record<string, string> = {}) => {
    const sandbox = createSandbox(env);
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    return sandbox;
  };
  const lines = (out: string) =>
    plain(out)
      .split("\n")
      .filter((line) => line.startsWith("authwrap:"));

  it("say when authwrap steps in and how the retry went, with no envelope line", async () => {
    const sandbox = await expired({ NO_COLOR: "1" });
    const out = await finish(inTerminal("@AW -- democli deploy", sandbox));
    const said = lines(out);
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(
      /^authwrap: democli: access token expired at \S+ — running `democli auth refresh`$/,
    );
    expect(said[1]).toMatch(
      /^authwrap: re-authenticated in \d+\.\d s; the retry succeeded$/,
    );
    expect(out).toContain('{"ok":true,"job_id":"dep_123","env":"dev"}');
    expect(out).not.toContain('"meta"');
  });

  it("after a failed re-auth, point at the login, not at the command that just failed", async () => {
    const sandbox = await expired({
      NO_COLOR: "1",
      DEMOCLI_REFRESH_FAIL: "1",
    });
    const out = await finish(inTerminal("@AW -- democli deploy", sandbox));
    expect(lines(out).at(-1)).toMatch(
      /^authwrap: credentials expired — democli: access token expired at \S+; log in: democli auth login$/,
    );
    expect(out).not.toContain("run: democli auth refresh");
  });

  it("while the re-auth runs past a second, say how long it has been", async () => {
    const sandbox = await expired({ NO_COLOR: "1" });
    const go = join(sandbox.dir, "go");
    const run = inTerminal(
      `@AW --reauth-timeout 20 --reauth 'while [ ! -f ${go} ]; do sleep 0.05; done; democli auth refresh' -- democli deploy`,
      sandbox,
    );
    await shown(run, "still re-authenticating (1 s; Ctrl-C stops it)");
    writeFileSync(go, "");
    const out = await finish(run);
    expect(lines(out)[1]).toBe(
      "authwrap: still re-authenticating (1 s; Ctrl-C stops it)",
    );
    expect(lines(out).at(-1)).toMatch(/the retry succeeded$/);
  });

  it("show captured text in the step-in line with its control characters escaped", async () => {
    const sandbox = createSandbox({ NO_COLOR: "1" });
    const rules = join(sandbox.dir, "hostile.yaml");
    writeFileSync(
      rules,
      [
        "version: 1",
        "tool: hostile",
        "commands: [sh]",
        "rules:",
        "  - id: expired",
        "    code: CREDENTIALS_EXPIRED",
        "    message: 'expired: {who}'",
        "    when: { exit_code: 4, stderr: 'expired for (?<who>[^\\n]+)' }",
      ].join("\n"),
    );
    const script = join(sandbox.dir, "hostile.sh");
    // The capture holds an OSC 52 clipboard write, then CR + erase-line to hide it.
    writeFileSync(
      script,
      `printf 'expired for x\\033]52;c;cm0gLXJmIH4=\\007\\r\\033[2Kfine\\n' >&2; exit 4\n`,
    );
    const out = await finish(
      inTerminal(
        `@AW --classifiers ${rules} --reauth true -- sh ${script}`,
        sandbox,
      ),
    );
    const stepIn = out
      .split("\n")
      .find((line) => line.includes("— running `true`"))!;
    expect(stepIn).toMatch(/^authwrap: expired: /);
    // eslint-disable-next-line no-control-regex -- the test is about control characters
    expect(stepIn).not.toMatch(/[\u001b\u0007\r]/);
  });
});

async function waitForFile(path: string): Promise<void> {
  while (!existsSync(path)) await new Promise((r) => setTimeout(r, 25));
}

describe("who gets a pseudo-terminal (run/terminal.ts) and --no-pty", () => {
  const all = { stdin: true, stdout: true, stderr: true };
  it.each([
    ["all three streams a terminal", all, {}, true],
    ["stdin piped in", { ...all, stdin: false }, {}, false],
    ["stdout redirected", { ...all, stdout: false }, {}, false],
    ["stderr redirected", { ...all, stderr: false }, {}, false],
    ["--json (stdout is data)", all, { json: true }, false],
    ["--no-pty", all, { pty: false }, false],
  ])("%s → %s", (_name, isTTY, options, expected) => {
    expect(wantsPty(isTTY, { pty: true, json: false, ...options })).toBe(
      expected,
    );
  });

  it.each([
    [["--", "x"], {}, true],
    [["--no-pty", "--", "x"], {}, false],
    [["--", "x"], { AUTHWRAP_NO_PTY: "1" }, false],
    [["--", "x"], { AUTHWRAP_NO_PTY: "0" }, true],
  ])("%j with %j → pty %s", (argv, env, pty) => {
    expect(parseInvocation(argv, env)).toMatchObject({
      kind: "wrap",
      invocation: { pty },
    });
  });
});
