// Faults and load around the re-auth: concurrent callers, a holder that died, a failed re-auth
// repeated by a looping agent, an unsafe state folder.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import {
  ROOT,
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
} from "./helpers/run.js";

async function expiredSandbox(env: Record<string, string> = {}) {
  const sandbox = createSandbox(env);
  await runDemo(["auth", "login"], sandbox);
  await runDemo(["auth", "expire"], sandbox);
  return sandbox;
}

describe("one re-auth at a time, across processes", () => {
  it("32 concurrent calls against an expired credential: the re-auth runs once and all 32 exit 0", async () => {
    const sandbox = await expiredSandbox();
    const results = await Promise.all(
      Array.from({ length: 32 }, () =>
        runAuthwrap(["--json", "--", "democli", "status"], sandbox),
      ),
    );
    expect(results.map((r) => r.exitCode)).toEqual(Array(32).fill(0));
    expect(sandbox.refreshCount()).toBe(1);
    const renewedElsewhere = results.filter(
      (r) =>
        parseEnvelope(r.stdout).meta.reauth?.skipped ===
        "renewed by another authwrap process meanwhile",
    );
    expect(renewedElsewhere.length).toBeGreaterThan(0);
  }, 60_000);

  it("a lock left by a holder that died is taken over", async () => {
    const sandbox = await expiredSandbox();
    const stateDir = join(sandbox.env.XDG_STATE_HOME!, "authwrap");
    // Learn the lock's name from one run, then plant a lock held by a process that no longer exists.
    await runAuthwrap(["--json", "--", "democli", "status"], sandbox);
    const record = readdirSync(stateDir).find((name) =>
      name.endsWith(".json"),
    )!;
    await runDemo(["auth", "expire"], sandbox);
    writeFileSync(
      join(stateDir, record.replace(/\.json$/, ".lock")),
      JSON.stringify({ pid: 2 ** 22 + 12345, at: Date.now() }),
    );
    writeFileSync(join(stateDir, record), "{}");
    const started = Date.now();
    const result = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    expect(result.exitCode).toBe(0);
    expect(sandbox.refreshCount()).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a failed re-auth is not repeated within the cool-down: the next call gets exit 10 at once", async () => {
    const sandbox = await expiredSandbox({ DEMOCLI_REFRESH_FAIL: "1" });
    const first = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    const second = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    expect([first.exitCode, second.exitCode]).toEqual([10, 10]);
    expect(sandbox.refreshCount()).toBe(1);
    const envelope = parseEnvelope(second.stdout);
    expect(envelope.meta.reauth!.skipped).toMatch(
      /^failed \d+ s ago; not run again within 60 s$/,
    );
    expect(envelope.error!.refresh_command).toBe("democli auth refresh");
  });

  it("state files are 0600 in a 0700 folder", async () => {
    const sandbox = await expiredSandbox();
    await runAuthwrap(["--json", "--", "democli", "status"], sandbox);
    const stateDir = join(sandbox.env.XDG_STATE_HOME!, "authwrap");
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(stateDir))
      expect(statSync(join(stateDir, name)).mode & 0o777).toBe(0o600);
  });

  it("a state folder writable by others is refused before any re-auth runs; the command's outcome stands, with the reason", async () => {
    const sandbox = await expiredSandbox();
    const stateDir = join(sandbox.env.XDG_STATE_HOME!, "authwrap");
    mkdirSync(stateDir, { recursive: true });
    chmodSync(stateDir, 0o777);
    const result = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(envelope.error).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      refresh_command: "democli auth refresh",
    });
    expect(envelope.meta).toMatchObject({ attempts: 1, exit_code: 4 });
    const reason = `the state folder cannot be used: ${stateDir}: state folder must be a directory owned by you and not writable by others (chmod 700 ${stateDir})`;
    expect(envelope.meta.reauth!.skipped).toBe(reason);
    expect(envelope.warnings).toEqual([
      `re-auth "democli auth refresh" not run: ${reason}; run it yourself, then retry`,
    ]);
    expect(sandbox.refreshCount()).toBe(0);
  });
});

describe("a re-auth that exits 0 but fixes nothing", () => {
  it("cools down like a failure in an unattended run", async () => {
    const sandbox = await expiredSandbox({ DEMOCLI_REFRESH_NOOP: "1" });
    const first = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    expect(first.exitCode).toBe(10);
    expect(parseEnvelope(first.stdout).meta.attempts).toBe(2);
    const second = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    const envelope = parseEnvelope(second.stdout);
    expect(second.exitCode).toBe(10);
    expect(sandbox.refreshCount()).toBe(1);
    expect(envelope.meta.attempts).toBe(1);
    expect(envelope.meta.reauth!.skipped).toMatch(
      /^exited 0 \d+ s ago but the credential still read as expired; not run again within 60 s$/,
    );
  });

  it("--force-reauth and AUTHWRAP_FORCE_REAUTH run it anyway", async () => {
    const sandbox = await expiredSandbox({ DEMOCLI_REFRESH_FAIL: "1" });
    await runAuthwrap(["--json", "--", "democli", "status"], sandbox);
    expect(sandbox.refreshCount()).toBe(1);
    const forced = await runAuthwrap(
      ["--json", "--force-reauth", "--", "democli", "status"],
      sandbox,
    );
    expect(parseEnvelope(forced.stdout).meta.reauth).toMatchObject({
      exit_code: 1,
    });
    expect(sandbox.refreshCount()).toBe(2);
    await runAuthwrap(["--json", "--", "democli", "status"], {
      ...sandbox,
      env: { ...sandbox.env, AUTHWRAP_FORCE_REAUTH: "yes" },
    });
    expect(sandbox.refreshCount()).toBe(3);
  });

  it("at a terminal the cool-down does not apply: a person may try again at once (run in a real pty)", async () => {
    const sandbox = await expiredSandbox({
      DEMOCLI_REFRESH_FAIL: "1",
      TERM: "dumb",
    });
    for (let run = 0; run < 2; run++) {
      await execa(
        "script",
        [
          "-qec",
          `"${process.execPath}" "${ROOT}/bin/authwrap" -- democli status`,
          "/dev/null",
        ],
        { env: sandbox.env, extendEnv: false, reject: false, stdin: "ignore" },
      );
    }
    expect(sandbox.refreshCount()).toBe(2);
  });
});

describe("safe to replay", () => {
  const midApplyRules = (dir: string) => {
    const path = join(dir, "mid-apply.yaml");
    writeFileSync(
      path,
      [
        "version: 1",
        "tool: democli",
        "commands: [democli]",
        "rules:",
        "  - id: expired-mid-deploy",
        "    code: CREDENTIALS_EXPIRED",
        "    replay_unsafe: true",
        '    when: { exit_code: 4, stderr: "token expired at" }',
      ].join("\n"),
    );
    return path;
  };

  it("a rule that marks the failure mid-work: re-auth runs, the command is not retried, exit 10 with the reason", async () => {
    const sandbox = await expiredSandbox();
    const result = await runAuthwrap(
      [
        "--json",
        "--classifiers",
        midApplyRules(sandbox.dir),
        "--",
        "democli",
        "deploy",
      ],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(sandbox.refreshCount()).toBe(1);
    expect(envelope.meta.attempts).toBe(1);
    expect(envelope.warnings[0]).toMatch(
      /^re-auth succeeded but the command was not retried: it had already started its work when the credential expired \(.*mid-apply\.yaml#expired-mid-deploy\)/,
    );
  });

  it("--retry always retries even then; --retry never never does", async () => {
    const sandbox = await expiredSandbox();
    const always = await runAuthwrap(
      [
        "--json",
        "--retry",
        "always",
        "--classifiers",
        midApplyRules(sandbox.dir),
        "--",
        "democli",
        "deploy",
      ],
      sandbox,
    );
    expect(always.exitCode).toBe(0);
    await runDemo(["auth", "expire"], sandbox);
    const never = await runAuthwrap(
      ["--json", "--retry", "never", "--", "democli", "deploy"],
      sandbox,
    );
    expect(never.exitCode).toBe(10);
    expect(parseEnvelope(never.stdout).warnings).toEqual([
      "re-auth succeeded; the command was not retried (--retry never): run it again",
    ]);
    expect(sandbox.refreshCount()).toBe(2);
  });
});

describe("secrets in data", () => {
  it("--redact-data masks secret values inside JSON data and keeps it valid JSON", async () => {
    const output = JSON.stringify({
      user: "dev",
      password: "hunter2",
      nested: { session_token: "abc", note: "key ASIAY34FZKBOKMUTVV7A here" },
      tokens: ["ghp_16C7e42F292c6912E7710c838347Ae178B4a"],
    });
    const sandbox = createSandbox();
    const plain = parseEnvelope(
      (await runAuthwrap(["--json", "--", "exit-with", "0", output], sandbox))
        .stdout,
    );
    expect(plain.data).toEqual(JSON.parse(output));
    const masked = parseEnvelope(
      (
        await runAuthwrap(
          ["--json", "--redact-data", "--", "exit-with", "0", output],
          sandbox,
        )
      ).stdout,
    );
    expect(masked.data).toEqual({
      user: "dev",
      password: "[REDACTED]",
      nested: { session_token: "[REDACTED]", note: "key [REDACTED] here" },
      tokens: ["[REDACTED]"],
    });
  });
});

describe("no code runs without consent", () => {
  const projectWithRules = async () => {
    const sandbox = await expiredSandbox();
    const project = join(sandbox.dir, "cloned-repo");
    const marker = join(sandbox.dir, "project-reauth-ran");
    mkdirSync(join(project, ".authwrap", "classifiers"), { recursive: true });
    mkdirSync(join(project, "src"));
    const file = join(project, ".authwrap", "classifiers", "democli.yaml");
    writeFileSync(
      file,
      [
        "version: 1",
        "tool: democli",
        "commands: [democli]",
        `refresh_command: touch ${marker} && democli auth refresh`,
        "rules: []",
      ].join("\n"),
    );
    return { sandbox, project, marker, file };
  };

  it("a re-auth command from a project rule file does not run until the file is trusted", async () => {
    const { sandbox, project, marker, file } = await projectWithRules();
    const first = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
      { cwd: join(project, "src") },
    );
    const envelope = parseEnvelope(first.stdout);
    expect(first.exitCode).toBe(10);
    expect(existsSync(marker)).toBe(false);
    expect(envelope.error!.refresh_command).toBe(
      `touch ${marker} && democli auth refresh`,
    );
    expect(envelope.meta.reauth!.skipped).toBe(
      `it comes from ${file}, a project rule file you have not trusted (authwrap trust ${file})`,
    );

    const trust = await runAuthwrap(["trust"], sandbox, { cwd: project });
    expect(trust.exitCode).toBe(0);
    expect(String(trust.stdout)).toContain(`trusted ${file}`);
    const second = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
      { cwd: join(project, "src") },
    );
    expect(second.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it("trust is pinned to the content: an edited file must be trusted again", async () => {
    const { sandbox, project, marker, file } = await projectWithRules();
    await runAuthwrap(["trust", file], sandbox, { cwd: project });
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(
        "democli auth refresh",
        "democli auth refresh # edited",
      ),
    );
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
      { cwd: project },
    );
    expect(result.exitCode).toBe(10);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("faults around the re-auth", () => {
  it("a lock holder killed mid-refresh: the next caller takes the lock over and refreshes", async () => {
    const sandbox = await expiredSandbox();
    const holder = runAuthwrap(
      ["--json", "--reauth", "sleep 30", "--", "democli", "status"],
      sandbox,
    );
    const stateDir = join(sandbox.env.XDG_STATE_HOME!, "authwrap");
    for (
      let waited = 0;
      !(
        existsSync(stateDir) &&
        readdirSync(stateDir).some((name) => name.endsWith(".lock"))
      );
      waited += 50
    ) {
      if (waited > 10_000)
        throw new Error("the first caller never took the lock");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    holder.kill("SIGKILL");
    await holder;
    const started = Date.now();
    const next = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    expect(next.exitCode).toBe(0);
    expect(sandbox.refreshCount()).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 30_000);

  it("a re-auth that crashes (killed by a signal) → exit 10, and the warning says so", async () => {
    const sandbox = await expiredSandbox();
    const result = await runAuthwrap(
      ["--json", "--reauth", "kill -9 $$", "--", "democli", "status"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(envelope.meta.reauth).toMatchObject({
      exit_code: null,
      timed_out: false,
    });
    expect(envelope.warnings).toEqual(["re-auth was killed by a signal"]);
  });

  it("a command that failed before reading its large stdin is retried with all of it", async () => {
    const sandbox = await expiredSandbox();
    const result = await runAuthwrap(
      ["--json", "--", "democli", "upload"],
      sandbox,
      { input: "x".repeat(17 * 1024 * 1024) },
    );
    expect(result.exitCode).toBe(0);
    expect(parseEnvelope(result.stdout).data).toMatchObject({
      ok: true,
      bytes: 17 * 1024 * 1024,
    });
  }, 30_000);

  it("a command that consumed more stdin than can be replayed: the re-auth runs, no retry, and the warning says why", async () => {
    const sandbox = await expiredSandbox();
    const input = "x".repeat(17 * 1024 * 1024);
    const result = await runAuthwrap(
      [
        "--json",
        "--tool",
        "democli",
        "--",
        "sh",
        "-c",
        "cat >/dev/null; exec democli status",
      ],
      sandbox,
      { input },
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(sandbox.refreshCount()).toBe(1);
    expect(envelope.meta.attempts).toBe(1);
    expect(envelope.warnings).toEqual([
      `re-auth succeeded but the command was not retried: its stdin exceeded ${16 * 1024 * 1024} bytes and cannot be replayed; run it again`,
    ]);
  }, 30_000);
});
