// The wrapper end to end: the compiled bin/authwrap around the demo CLI and small fakes.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  ROOT,
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
} from "./helpers/run.js";

async function loggedInSandbox(
  scope?: string,
  env: Record<string, string> = {},
) {
  const sandbox = createSandbox(env);
  await runDemo(
    ["auth", "login", ...(scope ? ["--scope", scope] : [])],
    sandbox,
  );
  return sandbox;
}

async function expiredSandbox(env: Record<string, string> = {}) {
  const sandbox = await loggedInSandbox(undefined, env);
  await runDemo(["auth", "expire"], sandbox);
  return sandbox;
}

describe("authwrap -- <cmd>", () => {
  it("ok: passes the command through and exits 0", async () => {
    const sandbox = await loggedInSandbox();
    const result = await runAuthwrap(["--", "democli", "status"], sandbox);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout))).toEqual({
      ok: true,
      user: "demo",
      scopes: ["read", "deploy:write"],
    });
    expect(result.stderr).toBe("");
  });

  it("expired, re-auth succeeds, retry succeeds → exit 0, one re-auth", async () => {
    const sandbox = await expiredSandbox();
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(0);
    expect(envelope.ok).toBe(true);
    expect(envelope.data).toEqual({ ok: true, job_id: "dep_123", env: "dev" });
    expect(envelope.meta.attempts).toBe(2);
    expect(envelope.meta.reauth).toMatchObject({
      command: "democli auth refresh",
      exit_code: 0,
      timed_out: false,
    });
    expect(sandbox.refreshCount()).toBe(1);
    // The re-auth's own stdout went to stderr, never into the envelope.
    expect(result.stderr).toContain("democli: token refreshed");
  });

  it("expired, re-auth fails → exit 10 with refresh_command and the alias fields", async () => {
    const sandbox = await expiredSandbox({ DEMOCLI_REFRESH_FAIL: "1" });
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(envelope.ok).toBe(false);
    expect(envelope.data).toBeNull();
    expect(envelope.error).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      retryable: true,
      refresh_command: "democli auth refresh",
      expired: true,
      reauth_command: "democli auth refresh",
      reauth_env_var: "DEMOCLI_TOKEN",
      rule: "classifiers/democli.yaml#expired-token",
    });
    expect(envelope.error!.expires_at).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    expect(envelope.error!.expired_at).toBe(envelope.error!.expires_at);
    expect(envelope.meta).toMatchObject({
      attempts: 1,
      exit_code: 4,
      reauth: { exit_code: 1 },
    });
    expect(envelope.warnings).toEqual(["re-auth exited with code 1"]);
    expect(sandbox.refreshCount()).toBe(1);
  });

  it("expired, re-auth succeeds, still expired → exit 10, one re-auth, no loop", async () => {
    const sandbox = await expiredSandbox({ DEMOCLI_REFRESH_NOOP: "1" });
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(envelope.error!.code).toBe("CREDENTIALS_EXPIRED");
    expect(envelope.meta.attempts).toBe(2);
    expect(sandbox.refreshCount()).toBe(1);
  });

  it("--no-reauth reports the expiry without running anything", async () => {
    const sandbox = await expiredSandbox();
    const result = await runAuthwrap(
      ["--json", "--no-reauth", "--", "democli", "deploy"],
      sandbox,
    );
    expect(result.exitCode).toBe(10);
    expect(parseEnvelope(result.stdout).meta.reauth).toBeNull();
    expect(sandbox.refreshCount()).toBe(0);
  });

  it("--reauth overrides the rule file and runs through the shell", async () => {
    const sandbox = await expiredSandbox();
    const marker = join(sandbox.dir, "custom-reauth");
    const result = await runAuthwrap(
      [
        "--json",
        "--reauth",
        `touch ${marker} && democli auth refresh`,
        "--",
        "democli",
        "deploy",
      ],
      sandbox,
    );
    expect(result.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it("unauthenticated → exit 8 with the login hint", async () => {
    const sandbox = createSandbox();
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(8);
    expect(envelope.error).toMatchObject({
      code: "UNAUTHENTICATED",
      retryable: false,
      hint: "democli auth login",
      expired: false,
    });
    expect(sandbox.refreshCount()).toBe(0);
  });

  it("denied → exit 8 with required_permission from the JSON output", async () => {
    const sandbox = await loggedInSandbox("read");
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(8);
    expect(envelope.error).toMatchObject({
      code: "PERMISSION_DENIED",
      required_permission: "deploy:write",
      retryable: false,
    });
    expect(sandbox.refreshCount()).toBe(0);
  });

  it("a non-auth failure keeps the child exit code", async () => {
    const result = await runAuthwrap(
      ["--json", "--", "exit-with", "3", "", "disk full"],
      createSandbox(),
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(3);
    expect(envelope.error).toMatchObject({
      code: "COMMAND_FAILED",
      retryable: false,
      detail: "disk full",
    });
    expect(envelope.meta.exit_code).toBe(3);
  });

  it.each([8, 10])(
    "a child exiting %i for its own reason makes authwrap exit 1",
    async (code) => {
      const result = await runAuthwrap(
        ["--json", "--", "exit-with", String(code)],
        createSandbox(),
      );
      expect(result.exitCode).toBe(1);
      expect(parseEnvelope(result.stdout).meta.exit_code).toBe(code);
    },
  );

  it("command not found → 127 with COMMAND_NOT_FOUND; not executable → 126", async () => {
    const sandbox = createSandbox();
    const missing = await runAuthwrap(
      ["--json", "--", "no-such-command-xyz"],
      sandbox,
    );
    expect(missing.exitCode).toBe(127);
    expect(parseEnvelope(missing.stdout).error!.code).toBe("COMMAND_NOT_FOUND");
    const passthrough = await runAuthwrap(
      ["--", "no-such-command-xyz"],
      sandbox,
    );
    expect(passthrough.exitCode).toBe(127);
    expect(passthrough.stderr).toBe("authwrap: command not found\n");
    writeFileSync(join(sandbox.dir, "plain.txt"), "not a program");
    const notExecutable = await runAuthwrap(
      ["--json", "--", join(sandbox.dir, "plain.txt")],
      sandbox,
    );
    expect(notExecutable.exitCode).toBe(126);
    expect(parseEnvelope(notExecutable.stdout).error!.code).toBe(
      "COMMAND_NOT_EXECUTABLE",
    );
  });

  it("a child killed by SIGTERM → exit 143", async () => {
    const result = await runAuthwrap(
      ["--json", "--", "kill-self", "TERM"],
      createSandbox(),
    );
    expect(result.exitCode).toBe(143);
    expect(parseEnvelope(result.stdout)).toMatchObject({
      error: { code: "COMMAND_SIGNALED" },
      meta: { signal: "SIGTERM", exit_code: null },
    });
  });

  it("SIGTERM sent to authwrap reaches the child → exit 143", async () => {
    const sandbox = createSandbox();
    const started = join(sandbox.dir, "child-started");
    const child = runAuthwrap(
      ["--", "sh", "-c", `touch ${started}; exec sleep 30`],
      sandbox,
    );
    for (let waited = 0; !existsSync(started); waited += 20) {
      if (waited > 10_000) throw new Error("the child never started");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(143);
  });

  it("stdin is replayed on the retry after re-auth", async () => {
    const sandbox = await expiredSandbox();
    const result = await runAuthwrap(
      ["--json", "--", "democli", "upload"],
      sandbox,
      { input: "hello from stdin" },
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(0);
    expect(envelope.data).toEqual({
      ok: true,
      bytes: 16,
      text: "hello from stdin",
    });
    expect(sandbox.refreshCount()).toBe(1);
  });

  it("binary stdout passes through byte for byte", async () => {
    const bytes = Buffer.from(
      Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256),
    );
    const sandbox = createSandbox();
    const file = join(sandbox.dir, "blob.bin");
    writeFileSync(file, bytes);
    const result = await runAuthwrap(["--", "cat", file], sandbox, {
      encoding: "buffer",
    });
    expect(result.exitCode).toBe(0);
    expect(Buffer.compare(result.stdout as unknown as Buffer, bytes)).toBe(0);
  });

  it("binary stdout in --json mode becomes base64 data with a warning", async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]);
    const sandbox = createSandbox();
    const file = join(sandbox.dir, "blob.bin");
    writeFileSync(file, bytes);
    const envelope = parseEnvelope(
      (await runAuthwrap(["--json", "--", "cat", file], sandbox)).stdout,
    );
    expect(envelope.data).toBe(bytes.toString("base64"));
    expect(envelope.warnings).toEqual([
      "stdout is not valid UTF-8; data holds it base64-encoded",
    ]);
  });

  it("JSON stdout is parsed into data; text stays text", async () => {
    const sandbox = createSandbox();
    const json = parseEnvelope(
      (
        await runAuthwrap(
          ["--json", "--", "exit-with", "0", '{"items":[1,2]}'],
          sandbox,
        )
      ).stdout,
    );
    expect(json.data).toEqual({ items: [1, 2] });
    const text = parseEnvelope(
      (
        await runAuthwrap(
          ["--json", "--", "exit-with", "0", "plain words"],
          sandbox,
        )
      ).stdout,
    );
    expect(text.data).toBe("plain words");
  });

  it("the envelope always has its five fields, in order, and meta in snake_case", async () => {
    const sandbox = await expiredSandbox({ DEMOCLI_REFRESH_FAIL: "1" });
    const envelope = parseEnvelope(
      (await runAuthwrap(["--json", "--", "democli", "deploy"], sandbox))
        .stdout,
    );
    expect(Object.keys(envelope)).toEqual([
      "ok",
      "data",
      "error",
      "warnings",
      "meta",
    ]);
    expect(Object.keys(envelope.error!).slice(0, 7)).toEqual([
      "code",
      "message",
      "retryable",
      "expires_at",
      "refresh_command",
      "hint",
      "required_permission",
    ]);
    expect(Object.keys(envelope.meta)).toEqual([
      "schema_version",
      "duration_ms",
      "tool",
      "exit_code",
      "signal",
      "attempts",
      "reauth",
      "ambiguous",
      "stdout_file",
      "exit_codes",
    ]);
  });

  it("passthrough: an auth failure adds exactly one envelope line on stderr", async () => {
    const sandbox = createSandbox();
    const result = await runAuthwrap(["--", "democli", "deploy"], sandbox);
    expect(result.exitCode).toBe(8);
    expect(result.stdout).toBe("");
    const lines = String(result.stderr).trimEnd().split("\n");
    expect(lines[0]).toBe(
      "democli: error: not logged in. Run 'democli auth login'.",
    );
    expect(lines).toHaveLength(2);
    expect(parseEnvelope(lines[1]).error!.code).toBe("UNAUTHENTICATED");
  });

  it("a re-auth that needs a person is not run without a terminal", async () => {
    const sandbox = createSandbox();
    const marker = join(sandbox.dir, "ran");
    const rules = join(sandbox.dir, "interactive.yaml");
    writeFileSync(
      rules,
      [
        "version: 1",
        "tool: democli",
        "commands: [democli]",
        `refresh_command: touch ${marker}`,
        "refresh_interactive: true",
        "rules: []",
      ].join("\n"),
    );
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    const result = await runAuthwrap(
      ["--json", "--classifiers", rules, "--", "democli", "deploy"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(existsSync(marker)).toBe(false);
    expect(envelope.meta.reauth).toMatchObject({
      command: `touch ${marker}`,
      exit_code: null,
      skipped: "needs a person at a terminal; not run in agent context",
    });
  });

  it("a re-auth that hangs is stopped at --reauth-timeout → exit 10", async () => {
    const sandbox = await expiredSandbox();
    const started = Date.now();
    const result = await runAuthwrap(
      [
        "--json",
        "--reauth",
        "hang",
        "--reauth-timeout",
        "1",
        "--",
        "democli",
        "deploy",
      ],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(envelope.meta.reauth).toMatchObject({
      command: "hang",
      exit_code: null,
      timed_out: true,
    });
    expect(envelope.warnings).toEqual([
      "re-auth timed out after 1000 ms and was stopped",
    ]);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it("`authwrap -- yes | head -1` ends at once without a stack trace", async () => {
    const sandbox = createSandbox();

    const result = await execa(
      "sh",
      ["-c", `"${process.execPath}" "${ROOT}/bin/authwrap" -- yes | head -1`],
      { env: sandbox.env, extendEnv: false, reject: false, timeout: 10000 },
    );
    expect(result.stdout).toBe("y");
    expect(result.stderr).toBe("");
    expect(result.timedOut).toBe(false);
  });

  it("--verbose names the rule, the matched text and the re-auth, with secrets masked", async () => {
    const sandbox = await expiredSandbox({
      DEMOCLI_SECRET_TOKEN: "sekrit-value-123456",
    });
    const result = await runAuthwrap(
      [
        "--json",
        "--verbose",
        "--reauth",
        "democli auth refresh --password sekrit-value-123456",
        "--",
        "democli",
        "deploy",
      ],
      sandbox,
    );
    expect(result.stderr).toContain(
      'CREDENTIALS_EXPIRED by classifiers/democli.yaml#expired-token on "token expired at',
    );
    expect(result.stderr).toContain(
      "re-auth: running democli auth refresh --password [REDACTED]",
    );
    expect(result.stderr).not.toContain("sekrit-value-123456");
    expect(parseEnvelope(result.stdout).meta.reauth!.command).toBe(
      "democli auth refresh --password [REDACTED]",
    );
  });

  it("a malformed rule file is named with its rule and field, and nothing runs", async () => {
    const sandbox = createSandbox();
    const marker = join(sandbox.dir, "ran");
    const result = await runAuthwrap(
      [
        "--json",
        "--classifiers",
        join(ROOT, "fixtures/rules/invalid/bad-pattern.yaml"),
        "--",
        "touch-and-exit",
        marker,
      ],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(2);
    expect(envelope.error!.code).toBe("INVALID_RULES");
    expect(envelope.error!.message).toBe(
      readFileSync(
        join(ROOT, "fixtures/rules/invalid/bad-pattern.expected"),
        "utf8",
      )
        .trim()
        .replace("<dir>", join(ROOT, "fixtures/rules/invalid")),
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("user rules in $XDG_CONFIG_HOME/authwrap/classifiers override a built-in rule by id", async () => {
    const sandbox = createSandbox();
    mkdirSync(join(sandbox.env.XDG_CONFIG_HOME!, "authwrap/classifiers"), {
      recursive: true,
    });
    writeFileSync(
      join(sandbox.env.XDG_CONFIG_HOME!, "authwrap/classifiers/democli.yaml"),
      [
        "version: 1",
        "tool: democli",
        "commands: [democli]",
        "rules:",
        "  - id: not-logged-in",
        "    code: PERMISSION_DENIED",
        '    when: { stderr: "not logged in" }',
      ].join("\n"),
    );
    const envelope = parseEnvelope(
      (await runAuthwrap(["--json", "--", "democli", "deploy"], sandbox))
        .stdout,
    );
    expect(envelope.error!.code).toBe("PERMISSION_DENIED");
    expect(envelope.error!.rule).toMatch(
      /authwrap\/classifiers\/democli\.yaml#not-logged-in$/,
    );
  });
});

describe("limits and switches", () => {
  it.each([["2592000"], ["1e-9"], ["0"], ["86400.5"]])(
    "--reauth-timeout %s is refused with a USAGE_ERROR envelope before anything runs",
    async (value) => {
      const sandbox = await expiredSandbox();
      const result = await runAuthwrap(
        ["--json", "--reauth-timeout", value, "--", "democli", "status"],
        sandbox,
      );
      expect(result.exitCode).toBe(2);
      const envelope = parseEnvelope(result.stdout);
      expect(envelope.error!.code).toBe("USAGE_ERROR");
      expect(envelope.error!.message).toMatch(/^--reauth-timeout: /);
      expect(envelope.meta.attempts).toBe(0);
      expect(sandbox.refreshCount()).toBe(0);
    },
  );

  it("AUTHWRAP_JSON=no is off, not on", async () => {
    const result = await runAuthwrap(
      ["--", "exit-with", "0", "plain"],
      createSandbox({ AUTHWRAP_JSON: "no" }),
    );
    expect(result.stdout).toBe("plain\n");
  });
});

describe("authwrap --version and --help", () => {
  it("--version prints the package version", async () => {
    const result = await runAuthwrap(["--version"], createSandbox());
    expect(result.stdout).toBe(
      `${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}\n`,
    );
  });

  it("--help starts with the usage and exits 0", async () => {
    const result = await runAuthwrap(["--help"], createSandbox());
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).split("\n").slice(2, 4)).toEqual([
      "Usage:",
      "  authwrap [options] -- <command> [args...]",
    ]);
  });
});

describe("at a terminal", () => {
  const inTerminal = async (args: string) => {
    const sandbox = createSandbox({ TERM: "xterm" });
    // stdin a pipe left open until the end: at its end `script` types an end-of-file character.
    const run = execa(
      "script",
      [
        "-qec",
        `"${process.execPath}" "${ROOT}/bin/authwrap" ${args}`,
        "/dev/null",
      ],
      { env: sandbox.env, extendEnv: false, reject: false, stdin: "pipe" },
    );
    const result = await run;
    run.stdin.end();
    return (
      String(result.stdout)
        // eslint-disable-next-line no-control-regex -- strips the terminal's ANSI colour codes, which start with ESC
        .replace(/\u001b\[[0-9;]*m/g, "")
        // The command's pty ends lines with \r\n, and the terminal of `script` adds a \r of its own.
        .replace(/\r/g, "")
        .split("\n")
        .filter(Boolean)
    );
  };

  it("an auth failure is told in one short line, without the envelope line (run in a real pty)", async () => {
    expect(await inTerminal("-- democli deploy")).toEqual([
      "democli: error: not logged in. Run 'democli auth login'.",
      "authwrap: unauthenticated — democli: not authenticated; log in: democli auth login",
    ]);
  });

  it("--verbose adds the envelope line before the short one", async () => {
    const lines = await inTerminal("--verbose -- democli deploy");
    const human = lines.indexOf(
      "authwrap: unauthenticated — democli: not authenticated; log in: democli auth login",
    );
    expect(parseEnvelope(lines[human - 1]).error!.code).toBe("UNAUTHENTICATED");
  });
});

describe("the human line at a terminal", () => {
  const inPty = async (command: string, env: Record<string, string>) => {
    const sandbox = createSandbox(env);
    const run = execa(
      "script",
      [
        "-qec",
        command.replaceAll(
          "AUTHWRAP",
          `"${process.execPath}" "${ROOT}/bin/authwrap"`,
        ),
        "/dev/null",
      ],
      { env: sandbox.env, extendEnv: false, reject: false, stdin: "pipe" },
    );
    const result = await run;
    run.stdin.end();
    return String(result.stdout)
      .split(/\r?\n/)
      .find((line) => line.includes("authwrap:"))!;
  };

  it("is coloured by what stderr is, not stdout: stdout sent to a file still gets colour on a terminal's stderr", async () => {
    const line = await inPty("AUTHWRAP -- democli deploy > /dev/null", {
      TERM: "xterm",
    });
    expect(line).toContain("\u001b[");
  });

  it("honours NO_COLOR (any non-empty value) and TERM=dumb", async () => {
    expect(
      await inPty("AUTHWRAP -- democli deploy", {
        TERM: "xterm",
        NO_COLOR: "yes",
      }),
    ).toBe(
      "authwrap: unauthenticated — democli: not authenticated; log in: democli auth login",
    );
    expect(await inPty("AUTHWRAP -- democli deploy", { TERM: "dumb" })).toBe(
      "authwrap: unauthenticated — democli: not authenticated; log in: democli auth login",
    );
  });

  it("never carries a captured terminal escape raw: ESC, OSC 52, CR + erase-line and C1 show as escapes", async () => {
    const rules = join(createSandbox().dir, "hostile.yaml");
    writeFileSync(
      rules,
      [
        "version: 1",
        "tool: hostile",
        "commands: [sh]",
        "rules:",
        "  - id: login",
        "    code: UNAUTHENTICATED",
        "    when: { stderr: 'please log in: (?<hint>[^\\n]+)' }",
      ].join("\n"),
    );
    // The hint is captured from the output: an OSC 52 clipboard write, then CR + erase-line to hide it, then a C1 CSI.
    const line = await inPty(
      `AUTHWRAP --classifiers ${rules} -- sh -c 'printf "please log in: \\033]52;c;cm0gLXJmIH4=\\007\\r\\033[2Kfine\\302\\233 2J\\n" >&2; exit 1'`,
      { TERM: "xterm", NO_COLOR: "1" },
    );
    // Rules read normalised text (escapes stripped); whatever is captured, the line carries none raw.
    expect(line).toMatch(/^authwrap: unauthenticated — /);
    // eslint-disable-next-line no-control-regex -- the test is about control characters
    expect(line).not.toMatch(/[\u001b\u0007\r\u009b]/);
  });
});

describe("a command that exits 0", () => {
  it("with only the built-in rules (none matches exit 0): no rule is asked, and none needs compiling", async () => {
    const sandbox = createSandbox();
    const result = await runAuthwrap(
      ["-v", "--", "sh", "-c", "echo 'Error: token expired' >&2; exit 0"],
      sandbox,
    );
    expect(result.exitCode).toBe(0);
    expect(String(result.stderr)).toMatch(
      /^authwrap: tool sh: its rules were not needed \(none matches exit 0\)$/m,
    );
  });

  it("a user's rule that matches exit 0 still decides", async () => {
    const sandbox = createSandbox();
    const rules = join(sandbox.dir, "rules");
    mkdirSync(rules, { recursive: true });
    writeFileSync(
      join(rules, "partial.yaml"),
      "version: 2\ntool: partial\ncommands: [sh]\nrules:\n  - id: denied-on-success\n    code: PERMISSION_DENIED\n    when:\n      exit_code: 0\n      stderr: 'partial: denied'\n",
    );
    const result = await runAuthwrap(
      [
        "--json",
        "--classifiers",
        rules,
        "--",
        "sh",
        "-c",
        "echo 'partial: denied' >&2; exit 0",
      ],
      sandbox,
    );
    expect(result.exitCode).toBe(8);
    expect(parseEnvelope(result.stdout).error).toMatchObject({
      code: "PERMISSION_DENIED",
      rule: `${join(rules, "partial.yaml")}#denied-on-success`,
    });
  });

  it("a broken install (the built-in rules' file gone, their index left): a success still succeeds, a failure is an UNREADABLE_FILE envelope, never a crash of the library's host", async () => {
    const sandbox = createSandbox();
    const copy = join(sandbox.dir, "pkg");
    mkdirSync(copy);
    for (const part of ["bin", "dist", "package.json"])
      cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    rmSync(join(copy, "dist", "builtin-rules.json"));
    const bin = join(copy, "bin", "authwrap");
    const ok = await execa(process.execPath, [bin, "--json", "--", "true"], {
      env: sandbox.env,
      extendEnv: false,
      reject: false,
    });
    expect(ok.exitCode).toBe(0);
    // Through the library, which installs no process handlers: the command runs past the 5 ms
    // after which its rules are compiled alongside it, then fails. The fault must come back as
    // the envelope, not as an exception thrown from a timer into the host process.
    const library = await execa(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { run } from ${JSON.stringify(join(copy, "dist", "index.js"))};
const envelope = await run(["sh", "-c", "sleep 0.1; exit 3"]);
console.log(JSON.stringify(envelope.error));`,
      ],
      { env: sandbox.env, extendEnv: false, reject: false },
    );
    expect(library.exitCode, library.stderr).toBe(0);
    expect(JSON.parse(library.stdout)).toMatchObject({
      code: "UNREADABLE_FILE",
    });
  });
});
