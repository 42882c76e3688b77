// Decides whether the re-auth may run now and runs it at most once across processes: a person
// must be there for interactive logins, only one authwrap re-authenticates a credential at a
// time (the others wait, then find it renewed), and a failed re-auth has a cool-down.
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { runReauth, type ReauthContext } from './reauth.js';
import type { Redactor } from './redact.js';
import { openStateDir, readRecord, withLock, writeRecord } from './state.js';
import { isTrusted } from './trust.js';
import type { ReauthResult } from './types.js';

export const FAILURE_COOLDOWN_MS = 60_000;
/** Waiters give the holder its whole time limit plus this, before giving up. */
const LOCK_GRACE_MS = 5_000;

export interface RefreshRequest {
  command: string;
  tool: string;
  interactive: boolean;
  /** Set when the command comes from a project rule file: it runs only if that file is trusted. */
  projectSource?: string;
  timeoutMs: number;
  context: ReauthContext;
  env: Record<string, string | undefined>;
  stderr: Writable;
  redact: Redactor;
  stateDir: string;
  /** When the failed attempt started: a renewal after this may already have fixed it. */
  since: number;
}

export async function refreshOnce(request: RefreshRequest): Promise<ReauthResult> {
  const { command } = request;
  if (request.projectSource && !isTrusted(request.stateDir, request.projectSource)) {
    return skipped(command, null, `it comes from ${request.projectSource}, a project rule file you have not trusted (authwrap trust ${request.projectSource})`);
  }
  if (request.interactive && request.context !== 'interactive') {
    return skipped(command, null, `needs a person at a terminal; not run in ${request.context} context`);
  }
  const dir = openStateDir(request.stateDir);
  const key = createHash('sha256').update(`${request.tool}\0${command}`).digest('hex').slice(0, 20);
  const locked = await withLock(dir, key, request.timeoutMs + LOCK_GRACE_MS, request.timeoutMs + 2 * LOCK_GRACE_MS, async () => {
    const record = readRecord(dir, key);
    if (record.lastSuccessAt !== undefined && record.lastSuccessAt >= request.since) {
      return skipped(command, 0, 'renewed by another authwrap process meanwhile');
    }
    const sinceFailure = record.lastFailureAt === undefined ? Infinity : Date.now() - record.lastFailureAt;
    if (sinceFailure < FAILURE_COOLDOWN_MS) {
      return skipped(command, null, `failed ${Math.round(sinceFailure / 1000)} s ago; not run again within ${FAILURE_COOLDOWN_MS / 1000} s`);
    }
    const result = await runReauth(request);
    const ok = !result.timedOut && result.exitCode === 0;
    writeRecord(dir, key, ok ? { lastSuccessAt: Date.now() } : { ...record, lastFailureAt: Date.now() });
    return result;
  });
  return locked?.value ?? skipped(command, null, 'another authwrap process held the re-auth lock past its time limit');
}

export function isReauthSuccess(result: ReauthResult): boolean {
  return !result.timedOut && result.exitCode === 0;
}

/** The warning a caller sees when the re-auth did not renew the credential. */
export function describeReauthFailure(result: ReauthResult, timeoutMs: number): string {
  if (result.skipped) return `re-auth "${result.command}" not run: ${result.skipped}; run it yourself, then retry`;
  if (result.timedOut) return `re-auth timed out after ${timeoutMs} ms and was stopped`;
  if (result.exitCode === null) return 're-auth was killed by a signal';
  return `re-auth exited with code ${result.exitCode}`;
}

function skipped(command: string, exitCode: number | null, reason: string): ReauthResult {
  return { command, exitCode, durationMs: 0, timedOut: false, skipped: reason };
}
