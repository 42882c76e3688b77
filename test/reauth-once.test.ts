// reauth/once.ts in-process: the checks before a re-auth, and what --force-reauth overrides.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  recordIneffectiveReauth,
  reauthOnce,
  type ReauthRequest,
} from "../src/reauth/once.js";

function request(
  overrides: Partial<ReauthRequest> = {},
): ReauthRequest & { ranFile: string } {
  const dir = mkdtempSync(join(tmpdir(), "authwrap-refresh-"));
  const ranFile = join(dir, "ran");
  return {
    command: `echo ran >> ${ranFile}`,
    source: "flag",
    redact: (text: string) => text,
    tool: "demo",
    interactive: false,
    timeoutMs: 5000,
    context: "agent",
    env: { PATH: process.env.PATH },
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stateDir: join(dir, "state"),
    since: Date.now(),
    ranFile,
    ...overrides,
  };
}

const runs = (file: string) => {
  try {
    return readFileSync(file, "utf8").trim().split("\n").length;
  } catch {
    return 0;
  }
};

describe("reauthOnce", () => {
  it("a renewal by another process after the attempt started skips the re-auth; --force-reauth runs it anyway", async () => {
    const first = request();
    expect((await reauthOnce(first)).exitCode).toBe(0);
    const since = Date.now() - 60_000;
    const again = await reauthOnce({ ...first, since });
    expect(again.skipped).toBe("renewed by another authwrap process meanwhile");
    expect(runs(first.ranFile)).toBe(1);
    const forced = await reauthOnce({ ...first, since, force: true });
    expect(forced).toMatchObject({ exitCode: 0, timedOut: false });
    expect(forced.skipped).toBeUndefined();
    expect(runs(first.ranFile)).toBe(2);
  });

  it("the failure cool-down holds in agent and CI runs, not at a terminal", async () => {
    const failing = request();
    const command = `${failing.command}; exit 1`;
    expect((await reauthOnce({ ...failing, command })).exitCode).toBe(1);
    expect(
      (await reauthOnce({ ...failing, command, context: "ci" })).skipped,
    ).toMatch(/^failed \d+ s ago; not run again within 60 s$/);
    expect(
      (await reauthOnce({ ...failing, command, context: "interactive" }))
        .exitCode,
    ).toBe(1);
    expect(runs(failing.ranFile)).toBe(2);
  });

  it("a re-auth that exited 0 but fixed nothing cools down too; record times in the future (a clock stepped back) are not believed", async () => {
    const ineffective = request();
    expect(
      recordIneffectiveReauth(
        ineffective.stateDir,
        ineffective.tool,
        ineffective.command,
      ),
    ).toBeUndefined();
    expect((await reauthOnce(ineffective)).skipped).toMatch(
      /^exited 0 \d+ s ago but the credential still read as expired; not run again within 60 s$/,
    );
    expect(runs(ineffective.ranFile)).toBe(0);

    const future = request();
    mkdirSync(future.stateDir, { recursive: true, mode: 0o700 });
    const key = createHash("sha256")
      .update(`${future.tool}\0${future.command}`)
      .digest("hex")
      .slice(0, 20);
    const inAnHour = Date.now() + 3_600_000;
    writeFileSync(
      join(future.stateDir, `${key}.json`),
      JSON.stringify({
        lastSuccessAt: inAnHour,
        lastFailureAt: inAnHour,
        ineffective: true,
      }),
    );
    expect(await reauthOnce(future)).toMatchObject({
      exitCode: 0,
      timedOut: false,
    });
    expect(runs(future.ranFile)).toBe(1);
  });

  it("an aborted signal stops the wait for another holder at once, and nothing runs", async () => {
    const waiting = request();
    const controller = new AbortController();
    mkdirSync(waiting.stateDir, { recursive: true, mode: 0o700 });
    // A live holder: this very process.
    const key = createHash("sha256")
      .update(`${waiting.tool}\0${waiting.command}`)
      .digest("hex")
      .slice(0, 20);
    writeFileSync(
      join(waiting.stateDir, `${key}.lock`),
      JSON.stringify({ pid: process.pid, at: Date.now() }),
    );
    setTimeout(() => controller.abort("SIGTERM"), 200);
    const started = Date.now();
    const result = await reauthOnce({ ...waiting, signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({
      interrupted: "SIGTERM",
      skipped:
        "authwrap was interrupted by SIGTERM while another authwrap process held the re-auth lock",
    });
    expect(runs(waiting.ranFile)).toBe(0);
  });
});
