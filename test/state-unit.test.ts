// Unit tests for src/reauth/state.ts, in-process: the state folder (0700, refused when unsafe),
// its files (0600, written whole or not at all, never read through a symlink) and the lock that
// lets one process re-authenticate at a time. test/state.test.ts covers the same faults through
// bin/authwrap.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLOCK_TOLERANCE_MS,
  openStateDir,
  readJsonFile,
  readRecord,
  stateDirOf,
  sweepTemporaries,
  withLock,
  writeJsonFile,
  writeRecord,
} from "../src/reauth/state.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "authwrap-state-unit-"));
}

/** A private state folder, as openStateDir leaves it. */
function stateDir(): string {
  return openStateDir(join(scratch(), "state", "authwrap"));
}

function plant(path: string, content: string, ageMs = 0): void {
  writeFileSync(path, content, { mode: 0o600 });
  if (ageMs) {
    const at = new Date(Date.now() - ageMs);
    utimesSync(path, at, at);
  }
}

/** The pid of a process that has exited (and been reaped), so nobody holds it. */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

const LOCK = { waitMs: 0, staleMs: 60_000 };

describe("the state folder", () => {
  it("is under XDG_STATE_HOME, else ~/.local/state", () => {
    expect(stateDirOf({ XDG_STATE_HOME: "/x/state", HOME: "<home>" })).toBe(
      "/x/state/authwrap",
    );
    expect(stateDirOf({ XDG_STATE_HOME: "", HOME: "<home>" })).toBe(
      "<home>/.local/state/authwrap",
    );
  });

  it("is created 0700, with its missing parents", () => {
    const base = scratch();
    const dir = openStateDir(join(base, "a", "b"));
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(join(base, "a"))).toBe(0o700);
  });

  it("an existing private folder is accepted as it is", () => {
    const dir = stateDir();
    expect(openStateDir(dir)).toBe(dir);
  });

  it.each([0o777, 0o770, 0o702])(
    "a folder others can write (%o) is refused with UNSAFE_STATE_DIR and the chmod to fix it",
    (mode) => {
      const dir = stateDir();
      chmodSync(dir, mode);
      expect(() => openStateDir(dir)).toThrow(
        expect.objectContaining({
          code: "UNSAFE_STATE_DIR",
          message: expect.stringContaining(`chmod 700 ${dir}`),
        }),
      );
    },
  );

  it("a symlink to a private folder is refused (it could be swapped)", () => {
    const target = stateDir();
    const link = join(scratch(), "link");
    symlinkSync(target, link);
    expect(() => openStateDir(link)).toThrow(
      expect.objectContaining({ code: "UNSAFE_STATE_DIR" }),
    );
  });

  it("a regular file where the folder should be is refused", () => {
    const path = join(scratch(), "file");
    writeFileSync(path, "");
    expect(() => openStateDir(path)).toThrow();
  });

  it.skipIf(process.getuid?.() !== 0)(
    "a folder another user owns is refused (needs root to chown)",
    () => {
      const dir = stateDir();
      chownSync(dir, 4321, 4321);
      expect(() => openStateDir(dir)).toThrow(
        expect.objectContaining({ code: "UNSAFE_STATE_DIR" }),
      );
    },
  );
});

describe("state files", () => {
  it("are written 0600 whatever the umask, through a temporary that does not stay", () => {
    const dir = stateDir();
    const previous = process.umask(0);
    try {
      writeJsonFile(join(dir, "x.json"), { a: 1 });
    } finally {
      process.umask(previous);
    }
    expect(modeOf(join(dir, "x.json"))).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["x.json"]);
    expect(readJsonFile(join(dir, "x.json"))).toEqual({ a: 1 });
  });

  it("a file that is missing, not JSON, a symlink, a folder or too large reads as nothing", () => {
    const dir = stateDir();
    plant(join(dir, "garbage.json"), "{not json");
    writeJsonFile(join(dir, "real.json"), { secret: true });
    symlinkSync(join(dir, "real.json"), join(dir, "link.json"));
    mkdirSync(join(dir, "folder.json"));
    plant(join(dir, "big.json"), JSON.stringify("x".repeat(70 * 1024)));
    for (const name of [
      "missing",
      "garbage",
      "link",
      "folder",
      "big",
    ] as const) {
      expect(readJsonFile(join(dir, `${name}.json`)), name).toBeUndefined();
    }
  });

  it("a record round-trips; times in the future (a clock stepped back) are dropped", () => {
    const dir = stateDir();
    const now = Date.now();
    writeRecord(dir, "k", {
      lastSuccessAt: now - 5,
      lastFailureAt: now - 1,
      ineffective: true,
    });
    expect(readRecord(dir, "k")).toEqual({
      lastSuccessAt: now - 5,
      lastFailureAt: now - 1,
      ineffective: true,
    });
    writeRecord(dir, "k", {
      lastSuccessAt: now + 60 * 60_000,
      lastFailureAt: now + CLOCK_TOLERANCE_MS * 10,
      ineffective: true,
    });
    expect(readRecord(dir, "k")).toEqual({});
    expect(readRecord(dir, "absent")).toEqual({});
  });

  it("a record with fields of the wrong type keeps only what is believable", () => {
    const dir = stateDir();
    plant(
      join(dir, "k.json"),
      JSON.stringify({
        lastSuccessAt: "yesterday",
        lastFailureAt: Date.now() - 10,
        ineffective: "yes",
      }),
    );
    expect(readRecord(dir, "k")).toEqual({ lastFailureAt: expect.any(Number) });
  });

  it("temporaries older than ten minutes are swept; a fresh one and other files stay", () => {
    const dir = stateDir();
    plant(join(dir, "old.json.1.ab.tmp"), "{}", 11 * 60_000);
    plant(join(dir, "new.json.1.cd.tmp"), "{}");
    plant(join(dir, "old.json"), "{}", 11 * 60_000);
    sweepTemporaries(dir);
    expect(readdirSync(dir).sort()).toEqual(["new.json.1.cd.tmp", "old.json"]);
  });
});

describe("the lock", () => {
  it("is a 0600 file while held, naming this process, and is removed after", async () => {
    const dir = stateDir();
    const path = join(dir, "k.lock");
    const result = await withLock(dir, "k", LOCK, async () => {
      expect(modeOf(path)).toBe(0o600);
      expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({
        pid: process.pid,
      });
      return "done";
    });
    expect(result).toEqual({ held: true, value: "done" });
    expect(existsSync(path)).toBe(false);
  });

  it("is removed when fn throws, and the error reaches the caller", async () => {
    const dir = stateDir();
    await expect(
      withLock(dir, "k", LOCK, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(existsSync(join(dir, "k.lock"))).toBe(false);
  });

  it("contention: while one holds it, another gives up as busy without running fn", async () => {
    const dir = stateDir();
    let ran = false;
    const outer = await withLock(dir, "k", LOCK, async () =>
      withLock(dir, "k", LOCK, async () => {
        ran = true;
      }),
    );
    expect(outer).toEqual({
      held: true,
      value: { held: false, reason: "busy" },
    });
    expect(ran).toBe(false);
  });

  it("contention: a waiter runs once the holder releases, never both at once", async () => {
    const dir = stateDir();
    const events: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const first = withLock(dir, "k", LOCK, async () => {
      events.push("first in");
      await released;
      events.push("first out");
    });
    const second = withLock(
      dir,
      "k",
      { waitMs: 60_000, staleMs: 60_000 },
      async () => {
        events.push("second in");
      },
    );
    // The second is polling the lock the first holds.
    await new Promise((resolve) => setTimeout(resolve, 120));
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(["first in", "first out", "second in"]);
  });

  it("different keys do not contend", async () => {
    const dir = stateDir();
    const result = await withLock(dir, "a", LOCK, () =>
      withLock(dir, "b", LOCK, async () => "inner"),
    );
    expect(result).toEqual({
      held: true,
      value: { held: true, value: "inner" },
    });
  });

  it("a live holder's fresh lock is respected", async () => {
    const dir = stateDir();
    plant(
      join(dir, "k.lock"),
      JSON.stringify({ pid: process.pid, at: Date.now() }),
    );
    expect(await withLock(dir, "k", LOCK, async () => 1)).toEqual({
      held: false,
      reason: "busy",
    });
    expect(existsSync(join(dir, "k.lock"))).toBe(true);
  });

  const STALE: Array<[string, () => string, number]> = [
    [
      "a dead holder's lock",
      () => JSON.stringify({ pid: deadPid(), at: Date.now() }),
      0,
    ],
    [
      "a live holder's lock older than staleMs",
      () => JSON.stringify({ pid: process.pid, at: Date.now() - 120_000 }),
      0,
    ],
    [
      "a lock dated in the future past staleMs (a clock stepped back)",
      () => JSON.stringify({ pid: process.pid, at: Date.now() + 120_000 }),
      0,
    ],
    ["an empty lock a few seconds old (a full disk)", () => "", 5_000],
    ["a garbage lock a few seconds old", () => "not a lock", 5_000],
  ];
  it.each(STALE)(
    "stale-lock takeover: %s is taken over",
    async (_, content, ageMs) => {
      const dir = stateDir();
      const path = join(dir, "k.lock");
      plant(path, content(), ageMs);
      const result = await withLock(dir, "k", LOCK, async () => {
        expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({
          pid: process.pid,
        });
        return "ran";
      });
      expect(result).toEqual({ held: true, value: "ran" });
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it("an empty lock created a moment ago may be an older authwrap writing it: not taken over", async () => {
    const dir = stateDir();
    plant(join(dir, "k.lock"), "");
    expect(await withLock(dir, "k", LOCK, async () => 1)).toEqual({
      held: false,
      reason: "busy",
    });
  });

  it("a lock taken over from us is someone else's: we do not remove it", async () => {
    const dir = stateDir();
    const path = join(dir, "k.lock");
    const theirs = JSON.stringify({
      pid: process.pid,
      at: Date.now(),
      id: "x",
    });
    await withLock(dir, "k", LOCK, async () => plant(path, theirs));
    expect(readFileSync(path, "utf8")).toBe(theirs);
  });

  it("an aborted signal stops the wait: interrupted, fn not run", async () => {
    const dir = stateDir();
    let ran = false;
    const result = await withLock(
      dir,
      "k",
      { ...LOCK, signal: AbortSignal.abort() },
      async () => {
        ran = true;
      },
    );
    expect(result).toEqual({ held: false, reason: "interrupted" });
    expect(ran).toBe(false);
  });

  it("16 callers racing for one dead holder's lock: exactly one runs at a time", async () => {
    const dir = stateDir();
    plant(
      join(dir, "k.lock"),
      JSON.stringify({ pid: deadPid(), at: Date.now() }),
    );
    let inside = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 16 }, () =>
        withLock(dir, "k", { waitMs: 60_000, staleMs: 60_000 }, async () => {
          most = Math.max(most, ++inside);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(results.every((r) => r.held)).toBe(true);
  });
});
