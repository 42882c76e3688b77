// The state folder is never the weakest link: full disks, leftover and garbage locks, clocks
// stepped back, leftover temporary and spill files — all through the real bin/authwrap.
//
// A full disk is simulated without root: RLIMIT_FSIZE at 0 (`ulimit -S -f 0`, with SIGXFSZ
// ignored so a write fails with EFBIG instead of killing the process). Opening a file still
// succeeds and writing to it fails, as on a full disk; pipes are not files, so the envelope still
// reaches the test. A re-auth that must write raises its own soft limit back (`ulimit -S -f unlimited`).
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  BIN,
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
  type Sandbox,
} from "./helpers/run.js";

async function expiredSandbox(env: Record<string, string> = {}) {
  const sandbox = createSandbox(env);
  await runDemo(["auth", "login"], sandbox);
  await runDemo(["auth", "expire"], sandbox);
  return sandbox;
}

const stateDirOf = (sandbox: Sandbox) =>
  join(sandbox.env.XDG_STATE_HOME!, "authwrap");
/** The name reauth/once.ts gives the lock and record of (tool, re-auth command). */
const keyOf = (tool: string, command: string) =>
  createHash("sha256").update(`${tool}\0${command}`).digest("hex").slice(0, 20);
const DEMO_KEY = keyOf("democli", "democli auth refresh");

function privateStateDir(sandbox: Sandbox): string {
  const dir = stateDirOf(sandbox);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function plant(path: string, content: string, ageMs = 0): void {
  writeFileSync(path, content, { mode: 0o600 });
  if (ageMs) {
    const at = new Date(Date.now() - ageMs);
    utimesSync(path, at, at);
  }
}

/** bin/authwrap on a "full disk": every write to a file fails with EFBIG. */
function runOnFullDisk(args: string[], sandbox: Sandbox) {
  return execa(
    "sh",
    [
      "-c",
      'trap "" XFSZ; ulimit -S -f 0; exec "$@"',
      "sh",
      process.execPath,
      BIN,
      ...args,
    ],
    {
      env: sandbox.env,
      extendEnv: false,
      reject: false,
      stdin: "ignore",
    },
  );
}

describe("locks that survive faults", () => {
  it("an empty lock file (a full disk between open and write) is stale: the re-auth runs at once, not after the time limit", async () => {
    const sandbox = await expiredSandbox();
    plant(join(privateStateDir(sandbox), `${DEMO_KEY}.lock`), "");
    const started = Date.now();
    const result = await runAuthwrap(
      ["--json", "--reauth-timeout", "10", "--", "democli", "status"],
      sandbox,
    );
    expect(result.exitCode).toBe(0);
    expect(sandbox.refreshCount()).toBe(1);
    expect(Date.now() - started).toBeLessThan(8000);
  }, 30_000);

  it("a garbage lock, or one that is not a regular file, is stale too; a symlinked lock is replaced, never written through", async () => {
    const sandbox = await expiredSandbox();
    const dir = privateStateDir(sandbox);
    plant(join(dir, `${DEMO_KEY}.lock`), "\u0000\u0000garbage{", 60_000);
    const garbage = await runAuthwrap(
      ["--json", "--reauth-timeout", "10", "--", "democli", "status"],
      sandbox,
    );
    expect(garbage.exitCode).toBe(0);
    expect(sandbox.refreshCount()).toBe(1);

    await runDemo(["auth", "expire"], sandbox);
    const target = join(sandbox.dir, "not-the-lock");
    writeFileSync(target, "precious");
    symlinkSync(target, join(dir, `${DEMO_KEY}.lock`));
    const symlinked = await runAuthwrap(
      ["--json", "--reauth-timeout", "10", "--", "democli", "status"],
      sandbox,
    );
    expect(symlinked.exitCode).toBe(0);
    expect(sandbox.refreshCount()).toBe(2);
    expect(readFileSync(target, "utf8")).toBe("precious");
    expect(readdirSync(dir).sort()).toEqual([`${DEMO_KEY}.json`]);
  }, 30_000);

  it("a full disk while taking the lock: no re-auth, the outcome stands with the reason, and no empty lock is left behind", async () => {
    const sandbox = await expiredSandbox();
    const dir = privateStateDir(sandbox);
    const full = await runOnFullDisk(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    const envelope = parseEnvelope(full.stdout);
    expect(full.exitCode).toBe(10);
    expect(envelope.error).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      refresh_command: "democli auth refresh",
    });
    expect(envelope.meta).toMatchObject({ attempts: 1, exit_code: 4 });
    expect(envelope.meta.reauth!.skipped).toBe(
      `the re-auth lock could not be written in ${dir}: EFBIG: file too large, write`,
    );
    expect(envelope.warnings).toEqual([
      `re-auth "democli auth refresh" not run: ${envelope.meta.reauth!.skipped}; run it yourself, then retry`,
    ]);
    expect(readdirSync(dir)).toEqual([]);
    expect(sandbox.refreshCount()).toBe(0);

    // Once there is room again, the next call re-authenticates at once.
    const started = Date.now();
    const next = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    expect(next.exitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 30_000);

  it("16 callers find a dead holder's lock at once: exactly one takes it over and re-authenticates", async () => {
    const sandbox = await expiredSandbox();
    const dir = privateStateDir(sandbox);
    const reauth = "sleep 1; democli auth refresh";
    // Large, so that judging it takes a while: every caller that judged it stale must not remove
    // the fresh lock of the one that took it over meanwhile.
    plant(
      join(dir, `${keyOf("democli", reauth)}.lock`),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        at: Date.now(),
        pad: "x".repeat(16 * 1024 * 1024),
      }),
      60_000,
    );
    const results = await Promise.all(
      Array.from({ length: 16 }, () =>
        runAuthwrap(
          ["--json", "--reauth", reauth, "--", "democli", "status"],
          sandbox,
        ),
      ),
    );
    expect(results.map((r) => r.exitCode)).toEqual(Array(16).fill(0));
    expect(sandbox.refreshCount()).toBe(1);
  }, 60_000);

  it("temporary files left by a process that died are removed; a fresh one is left alone", async () => {
    const sandbox = await expiredSandbox();
    const dir = privateStateDir(sandbox);
    plant(
      join(dir, `${DEMO_KEY}.json.4242.deadbeef.tmp`),
      '{"lastSuccessAt":',
      11 * 60_000,
    );
    plant(join(dir, `${DEMO_KEY}.json.4243.cafebabe.tmp`), '{"lastSuccessAt":');
    const result = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    expect(result.exitCode).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([
      `${DEMO_KEY}.json`,
      `${DEMO_KEY}.json.4243.cafebabe.tmp`,
    ]);
  });
});

describe("records that survive faults", () => {
  it("a record that cannot be written after the re-auth: the retry still runs and the warning names the fault", async () => {
    const sandbox = await expiredSandbox();
    const dir = privateStateDir(sandbox);
    // A folder where the record belongs: the rename into place fails, like a write on a full disk.
    mkdirSync(join(dir, `${DEMO_KEY}.json`, "in-the-way"), { recursive: true });
    const result = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(0);
    expect(envelope.data).toMatchObject({ ok: true });
    expect(envelope.meta).toMatchObject({
      attempts: 2,
      reauth: { exit_code: 0 },
    });
    expect(envelope.warnings).toHaveLength(1);
    expect(envelope.warnings[0]).toMatch(
      new RegExp(
        `^the re-auth could not be recorded in ${dir} \\((EISDIR|ENOTEMPTY|EEXIST)\\b.*\\); its cool-down and the renewal it made are unknown to other authwrap processes$`,
      ),
    );
    expect(readdirSync(dir).sort()).toEqual([`${DEMO_KEY}.json`]);
  });

  it("a state folder that cannot be created: the outcome stands, the warning names the fault", async () => {
    const sandbox = await expiredSandbox();
    const notAFolder = join(sandbox.dir, "state-is-a-file");
    writeFileSync(notAFolder, "");
    sandbox.env.XDG_STATE_HOME = notAFolder;
    const result = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(10);
    expect(envelope.meta).toMatchObject({ attempts: 1, exit_code: 4 });
    expect(envelope.meta.reauth!.skipped).toMatch(
      /^the state folder cannot be used: ENOTDIR/,
    );
    expect(sandbox.refreshCount()).toBe(0);
  });

  it('record times in the future (a clock stepped back) are not believed: neither "renewed meanwhile" nor an hour of cool-down', async () => {
    const sandbox = await expiredSandbox();
    const record = join(privateStateDir(sandbox), `${DEMO_KEY}.json`);
    plant(record, JSON.stringify({ lastSuccessAt: Date.now() + 3600_000 }));
    const renewed = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    expect(renewed.exitCode).toBe(0);
    expect(sandbox.refreshCount()).toBe(1);

    await runDemo(["auth", "expire"], sandbox);
    plant(record, JSON.stringify({ lastFailureAt: Date.now() + 3600_000 }));
    const cooling = await runAuthwrap(
      ["--json", "--", "democli", "status"],
      sandbox,
    );
    expect(cooling.exitCode).toBe(0);
    expect(sandbox.refreshCount()).toBe(2);
  });
});

describe("spill files", () => {
  it("a full disk while spilling: data keeps what fits, the warning names the fault, no partial file is left", async () => {
    const sandbox = createSandbox();
    const result = await runOnFullDisk(
      [
        "--json",
        "--max-data-bytes",
        "5",
        "--",
        "exit-with",
        "0",
        "hello world",
      ],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode).toBe(0);
    expect(envelope).toMatchObject({
      ok: true,
      data: "hello",
      meta: { attempts: 1, exit_code: 0, stdout_file: null },
    });
    expect(envelope.warnings).toEqual([
      "stdout exceeded 5 bytes; data holds only the first 5; the rest could not be kept (EFBIG: file too large, write)",
    ]);
    expect(readdirSync(join(stateDirOf(sandbox), "outputs"))).toEqual([]);
  });

  it("spill files expire: a new one removes those older than a day", async () => {
    const sandbox = createSandbox();
    const outputs = join(stateDirOf(sandbox), "outputs");
    mkdirSync(outputs, { recursive: true, mode: 0o700 });
    plant(join(outputs, "stdout-old.out"), "old", 25 * 3600_000);
    plant(join(outputs, "stdout-recent.out"), "recent", 23 * 3600_000);
    plant(join(outputs, "not-a-spill.txt"), "mine", 25 * 3600_000);
    const envelope = parseEnvelope(
      (
        await runAuthwrap(
          [
            "--json",
            "--max-data-bytes",
            "5",
            "--",
            "exit-with",
            "0",
            "hello world",
          ],
          sandbox,
        )
      ).stdout,
    );
    const files = readdirSync(outputs).sort();
    expect(files).toHaveLength(3);
    expect(files).toEqual(
      expect.arrayContaining(["not-a-spill.txt", "stdout-recent.out"]),
    );
    expect(existsSync(envelope.meta.stdout_file as string)).toBe(true);
  });
});
