// authwrap's state folder (0700, owned by the user) and the files in it (0600): per-credential
// re-auth records and the lock that lets only one process re-authenticate at a time.
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AuthwrapError } from './errors.js';

export interface ReauthRecord {
  lastSuccessAt?: number;
  lastFailureAt?: number;
}

const POLL_MS = 50;

export function stateDirOf(env: Record<string, string | undefined>): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'authwrap');
}

/** Creates the folder 0700, and refuses one that another user owns or others can write. */
export function openStateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const stats = lstatSync(path);
  const uid = process.getuid?.();
  if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid) || (stats.mode & 0o022) !== 0) {
    throw new AuthwrapError(
      'UNSAFE_STATE_DIR',
      `${path}: state folder must be a directory owned by you and not writable by others (chmod 700 ${path})`,
      { file: path },
    );
  }
  return path;
}

export function readRecord(dir: string, key: string): ReauthRecord {
  return readJsonFile<ReauthRecord>(join(dir, `${key}.json`)) ?? {};
}

export function writeRecord(dir: string, key: string, record: ReauthRecord): void {
  writeJsonFile(join(dir, `${key}.json`), record);
}

export function readJsonFile<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes 0600 through a temporary file and a rename, so readers never see half a file. */
export function writeJsonFile(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(value), { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Runs fn while holding `<key>.lock`. A lock whose holder has died, or that is older than
 * staleMs, is taken over. Returns undefined if the lock could not be had within waitMs.
 */
export async function withLock<T>(dir: string, key: string, waitMs: number, staleMs: number, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const path = join(dir, `${key}.lock`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (tryCreate(path)) break;
    if (isStale(path, staleMs)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return { value: await fn() };
  } finally {
    rmSync(path, { force: true });
  }
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, 'wx', 0o600);
    writeSync(fd, JSON.stringify({ pid: process.pid, at: Date.now() }));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function isStale(path: string, staleMs: number): boolean {
  let holder: { pid?: number; at?: number };
  try {
    holder = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number; at?: number };
  } catch {
    // Half-written by a holder that is starting right now, or already gone: check again soon.
    return false;
  }
  if (typeof holder.at === 'number' && Date.now() - holder.at > staleMs) return true;
  if (typeof holder.pid !== 'number') return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
