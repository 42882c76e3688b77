// authwrap's state folder (0700, owned by the user) and the files in it (0600): per-credential
// re-auth records and the lock that lets only one process re-authenticate at a time.
//
// Every write may fail half-way (a full disk: the open succeeds, the write does not), and every
// file may have been left by a process that died, by an older authwrap, or by a clock that has
// since been stepped back. So: files are written to a temporary name and renamed into place,
// and a failed write removes what it created; a lock that cannot be read as a live holder's is
// stale; and times in the future are not believed.
import { lazyCrypto } from "../run/crypto.js";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { AuthwrapError } from "../errors.js";

export interface ReauthRecord {
  lastSuccessAt?: number;
  lastFailureAt?: number;
  /** The failure was a re-auth that exited 0 but after which the credential still read as expired. */
  ineffective?: boolean;
}

const POLL_MS = 50;
/** A taker waits this long after renaming its lock over a stale one, then checks that it is still its own. */
const TAKEOVER_SETTLE_MS = 2 * POLL_MS;
/** An empty or unreadable lock younger than this may be one an older authwrap is writing right now. */
const UNREADABLE_LOCK_GRACE_MS = 2_000;
/** Temporary files older than this are left by a process that died between writing and renaming. */
const TEMPORARY_MAX_AGE_MS = 10 * 60_000;
/** Small JSON files only: anything larger is not ours. */
const MAX_STATE_FILE_BYTES = 64 * 1024;
/** A time this far ahead of the clock was written before the clock was stepped back. */
export const CLOCK_TOLERANCE_MS = 1_000;

export function stateDirOf(env: Record<string, string | undefined>): string {
  const base =
    env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(base, "authwrap");
}

/** Creates the folder 0700, and refuses one that another user owns or others can write, or a symlink. */
export function openStateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const stats = lstatSync(path);
  const uid = process.getuid?.();
  if (
    !stats.isDirectory() ||
    (uid !== undefined && stats.uid !== uid) ||
    (stats.mode & 0o022) !== 0
  ) {
    throw new AuthwrapError(
      "UNSAFE_STATE_DIR",
      `${path}: state folder must be a directory owned by you and not writable by others (chmod 700 ${path})`,
      { file: path },
    );
  }
  return path;
}

export function readRecord(dir: string, key: string): ReauthRecord {
  const record = readJsonFile<ReauthRecord>(join(dir, `${key}.json`)) ?? {};
  // A time in the future was written before the clock was stepped back: believing it would
  // skip every re-auth as "renewed meanwhile", or cool down for as long as the step.
  const believable = (at: unknown) =>
    typeof at === "number" &&
    Number.isFinite(at) &&
    at <= Date.now() + CLOCK_TOLERANCE_MS;
  return {
    ...(believable(record.lastSuccessAt)
      ? { lastSuccessAt: record.lastSuccessAt }
      : {}),
    ...(believable(record.lastFailureAt)
      ? {
          lastFailureAt: record.lastFailureAt,
          ...(record.ineffective === true ? { ineffective: true } : {}),
        }
      : {}),
  };
}

export function writeRecord(
  dir: string,
  key: string,
  record: ReauthRecord,
): void {
  writeJsonFile(join(dir, `${key}.json`), record);
}

/** Reads a small JSON file without following a symlink; undefined if it is missing, not a regular file or not JSON. */
export function readJsonFile<T>(path: string): T | undefined {
  const text = readSmallFile(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Writes 0600 through a temporary file and a rename, so readers never see half a file; a failed write leaves nothing behind. */
export function writeJsonFile(path: string, value: unknown): void {
  const temporary = writeTemporary(path, JSON.stringify(value));
  try {
    renameSync(temporary, path);
  } catch (error) {
    removeQuietly(temporary);
    throw error;
  }
}

/** Removes temporary files that a process which died between writing and renaming left in dir. */
export function sweepTemporaries(dir: string): void {
  sweep(dir, (name) => name.endsWith(".tmp"), TEMPORARY_MAX_AGE_MS);
}

/** Removes the regular files in dir whose names pass `matches` and that are older than maxAgeMs. Never throws. */
export function sweep(
  dir: string,
  matches: (name: string) => boolean,
  maxAgeMs: number,
): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!matches(name)) continue;
    const path = join(dir, name);
    try {
      const stats = lstatSync(path);
      if (stats.isFile() && now - stats.mtimeMs > maxAgeMs) unlinkSync(path);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

export type LockResult<T> =
  { held: true; value: T } | { held: false; reason: "busy" | "interrupted" };

export interface LockOptions {
  /** Give up waiting for another holder after this long. */
  waitMs: number;
  /** A lock older than this (either way: a clock stepped back counts) is taken over even if its holder seems alive. */
  staleMs: number;
  /** Stop waiting when this fires. */
  signal?: AbortSignal;
}

interface LockHolder {
  pid: number;
  at: number;
  id?: string;
}

/**
 * Runs fn while holding `<key>.lock`. A lock is stale, and taken over, when its holder has died,
 * when it is older than staleMs, or when it cannot be read as a holder's (empty — a full disk —,
 * garbage, not a regular file) and is not brand new. Taking over renames a fresh lock over the
 * stale one (atomic: nobody ever sees no lock or half a lock) and then checks that it is still
 * ours, so of several processes taking over at once exactly one wins. Throws when the lock cannot
 * be written at all (a full disk, a read-only folder): the caller decides what that means.
 */
export async function withLock<T>(
  dir: string,
  key: string,
  options: LockOptions,
  fn: () => Promise<T>,
): Promise<LockResult<T>> {
  const path = join(dir, `${key}.lock`);
  const id = lazyCrypto().randomBytes(8).toString("hex");
  // Written afresh each time: the time is when the lock was taken, not when the wait began.
  const content = () =>
    JSON.stringify({ pid: process.pid, at: Date.now(), id });
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    if (options.signal?.aborted) return { held: false, reason: "interrupted" };
    if (tryCreate(path, content())) break;
    const seen = readSmallFile(path);
    if (seen === undefined && !existsQuietly(path)) continue;
    if (isStale(path, seen, options.staleMs)) {
      if (await takeOver(path, seen, content(), id, options.signal)) break;
      continue;
    }
    if (Date.now() > deadline) return { held: false, reason: "busy" };
    await sleep(POLL_MS, options.signal);
  }
  try {
    return { held: true, value: await fn() };
  } finally {
    // Only our own lock: one taken over from us (we were too slow) is someone else's now.
    if (holderOf(readSmallFile(path))?.id === id) removeQuietly(path);
  }
}

/** Creates the lock exclusively (`wx`: never through a symlink); false if one exists. A failed write removes the file. */
function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeFully(fd, Buffer.from(content));
    closeSync(fd);
  } catch (error) {
    // The disk filled between the open and the write: an empty lock left here would make
    // every later caller wait for a holder that never was.
    closeQuietly(fd);
    removeQuietly(path);
    throw error;
  }
  return true;
}

/** Replaces the stale lock `seen` with ours, atomically; true if ours is the one that stayed. */
async function takeOver(
  path: string,
  seen: string | undefined,
  content: string,
  id: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const temporary = writeTemporary(path, content);
  try {
    // Someone else took it over (or released it) since we judged it: judge again.
    if (readSmallFile(path) !== seen) return false;
    renameSync(temporary, path);
  } finally {
    removeQuietly(temporary);
  }
  // Others who judged the same stale lock may rename theirs over ours right after; the last
  // rename wins, and everyone who lost sees so here.
  await sleep(TAKEOVER_SETTLE_MS, signal);
  return holderOf(readSmallFile(path))?.id === id;
}

function isStale(
  path: string,
  text: string | undefined,
  staleMs: number,
): boolean {
  const holder = holderOf(text);
  if (!holder) {
    // Empty (a full disk), garbage, unreadable or not a regular file: no live holder can be
    // named, so it is stale — unless an older authwrap created it a moment ago and is writing it.
    return Math.abs(Date.now() - modifiedAt(path)) > UNREADABLE_LOCK_GRACE_MS;
  }
  if (Math.abs(Date.now() - holder.at) > staleMs) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** The holder a lock's text names, if it names one. */
function holderOf(text: string | undefined): LockHolder | undefined {
  if (!text) return undefined;
  try {
    const holder = JSON.parse(text) as Partial<LockHolder> | null;
    if (
      holder &&
      typeof holder === "object" &&
      Number.isInteger(holder.pid) &&
      (holder.pid as number) > 0 &&
      typeof holder.at === "number"
    )
      return holder as LockHolder;
  } catch {
    // Not JSON: nobody's.
  }
  return undefined;
}

/** The text of a small regular file, read without following a symlink; undefined otherwise. */
function readSmallFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_STATE_FILE_BYTES) return undefined;
    const buffer = Buffer.alloc(stats.size);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length).toString("utf8");
  } catch {
    return undefined;
  } finally {
    closeQuietly(fd);
  }
}

/** Writes content to a fresh 0600 file beside path (`wx`, a random name) and returns its name; removes it if the write fails. */
function writeTemporary(path: string, content: string): string {
  const temporary = `${path}.${process.pid}.${lazyCrypto().randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temporary, "wx", 0o600);
  try {
    writeFully(fd, Buffer.from(content));
    closeSync(fd);
  } catch (error) {
    closeQuietly(fd);
    removeQuietly(temporary);
    throw error;
  }
  return temporary;
}

/** write(2) may write less than asked: loop until all of it is out. */
export function writeFully(fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.length;)
    offset += writeSync(fd, buffer, offset);
}

function modifiedAt(path: string): number {
  try {
    return lstatSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

function existsQuietly(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing more to do.
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
