// Decides whether the re-auth may run now and runs it at most once across processes: a person
// must be there for interactive logins, only one authwrap re-authenticates a credential at a
// time (the others wait, then find it renewed), and a re-auth that failed — or that exited 0 but
// left the credential expired — has a cool-down in unattended runs.
//
// The state folder is a helper, never the weakest link: when it cannot be used (unsafe, read-only,
// a full disk) the re-auth is reported as not run, or as run but unrecorded, and the command's
// outcome stands.
import { createHash } from "node:crypto";
import type { Writable } from "node:stream";
import { isAuthwrapError } from "../errors.js";
import { runReauth, type CallerKind } from "./command.js";
import type { Redactor } from "../output/redact.js";
import {
  openStateDir,
  readRecord,
  sweepTemporaries,
  withLock,
  writeRecord,
  type ReauthRecord,
} from "./state.js";
import { isTrusted } from "./trust.js";
import { gateStep, planUnderLock, type SkipCode } from "./plan.js";
import type { ReauthResult } from "../types.js";

export { FAILURE_COOLDOWN_MS } from "./plan.js";
/** Waiters give the holder its whole time limit plus this, before giving up. */
const LOCK_GRACE_MS = 5_000;

export interface ReauthRequest {
  command: string;
  /** Who chose the command (flag, env, or a rule file); reported in meta.reauth.source. */
  source: string;
  tool: string;
  interactive: boolean;
  /** Set when the command comes from a project rule file: it runs only if that file is trusted. */
  projectSource?: string;
  /** The hash of that file's bytes as loaded. */
  projectSourceHash?: string;
  timeoutMs: number;
  context: CallerKind;
  env: Record<string, string | undefined>;
  stderr: Writable;
  redact: Redactor;
  stateDir: string;
  /** When the failed attempt started: a renewal after this may already have fixed it. */
  since: number;
  /** --force-reauth: run even within the cool-down, and even if another process renewed meanwhile. */
  force?: boolean;
  /** Fires when authwrap is interrupted: stop waiting, start nothing, record nothing. */
  signal?: AbortSignal;
  /** The library's stop: ends a running re-auth (the CLI uses process signal handlers). */
  abort?: AbortSignal;
  /** Runs under the lock just before the command, only when this process runs it (the identity check). */
  beforeRun?: () => Promise<void>;
}

export async function reauthOnce(
  request: ReauthRequest,
): Promise<ReauthResult> {
  return { ...(await reauthWithGates(request)), source: request.source };
}

async function reauthWithGates(request: ReauthRequest): Promise<ReauthResult> {
  const { command } = request;
  // The same gates as the plan (plan.ts): a direct caller of reauthOnce gets them too.
  const gate = gateStep(request, {
    context: request.context,
    commandTrusted:
      !request.projectSource ||
      isTrusted(
        request.stateDir,
        request.projectSource,
        request.projectSourceHash,
      ),
  });
  if (gate) return skipped(command, null, gate.message, gate.skip);
  if (request.signal?.aborted)
    return interruptedBefore(command, request.signal, "before it could start");
  let dir: string;
  try {
    dir = openStateDir(request.stateDir);
  } catch (error) {
    return skipped(
      command,
      null,
      `the state folder cannot be used: ${describeFault(error)}`,
      "STATE_UNUSABLE",
    );
  }
  sweepTemporaries(dir);
  const key = reauthKey(request.tool, command);
  let ownFault: { error: unknown } | undefined;
  let locked;
  try {
    locked = await withLock(
      dir,
      key,
      {
        waitMs: request.timeoutMs + LOCK_GRACE_MS,
        staleMs: request.timeoutMs + 2 * LOCK_GRACE_MS,
        signal: request.signal,
      },
      async () => {
        try {
          return await underLock(request, dir, key);
        } catch (error) {
          ownFault = { error };
          throw error;
        }
      },
    );
  } catch (error) {
    if (ownFault) throw ownFault.error;
    return skipped(
      command,
      null,
      `the re-auth lock could not be written in ${dir}: ${describeFault(error)}`,
      "STATE_UNUSABLE",
    );
  }
  if (locked.held) return locked.value;
  if (locked.reason === "interrupted")
    return interruptedBefore(
      command,
      request.signal!,
      "while another authwrap process held the re-auth lock",
    );
  return skipped(
    command,
    null,
    "another authwrap process held the re-auth lock past its time limit",
    "LOCK_BUSY",
  );
}

async function underLock(
  request: ReauthRequest,
  dir: string,
  key: string,
): Promise<ReauthResult> {
  const { command } = request;
  const record = readRecord(dir, key);
  const gate = planUnderLock(record, request, Date.now());
  if (gate)
    return skipped(
      command,
      gate.skip === "RENEWED_MEANWHILE" ? 0 : null,
      gate.message,
      gate.skip,
    );
  if (request.signal?.aborted)
    return interruptedBefore(command, request.signal, "before it could start");
  await request.beforeRun?.();
  if (request.signal?.aborted)
    return interruptedBefore(command, request.signal, "before it could start");
  // On a stop signal runReauth stops the re-auth's whole process group itself, then returns.
  const result = await runReauth(request);
  // Cut short: neither a success nor a failure to remember (no cool-down for the next call).
  if (result.interrupted) return result;
  const next: ReauthRecord = isReauthSuccess(result)
    ? { lastSuccessAt: Date.now() }
    : { ...keepSuccess(record), lastFailureAt: Date.now() };
  const recorded: ReauthResult = { ...result };
  try {
    writeRecord(dir, key, next);
  } catch (error) {
    recorded.warnings = [unrecorded(dir, error)];
  }
  // It finished, but authwrap was asked to stop meanwhile: nothing more is started.
  if (request.signal?.aborted)
    recorded.interrupted = String(request.signal.reason);
  return recorded;
}

/**
 * A re-auth that exited 0 after which the retry still read as expired fixed nothing: it cools
 * down like a failure. Returns a warning when that cannot be recorded.
 */
export function recordIneffectiveReauth(
  stateDir: string,
  tool: string,
  command: string,
): string | undefined {
  let dir = stateDir;
  try {
    dir = openStateDir(stateDir);
    const key = reauthKey(tool, command);
    writeRecord(dir, key, {
      ...keepSuccess(readRecord(dir, key)),
      lastFailureAt: Date.now(),
      ineffective: true,
    });
    return undefined;
  } catch (error) {
    return unrecorded(dir, error);
  }
}

export function isReauthSuccess(result: ReauthResult): boolean {
  return !result.timedOut && !result.interrupted && result.exitCode === 0;
}

/** The warning a caller sees when the re-auth did not renew the credential. */
export function describeReauthFailure(
  result: ReauthResult,
  timeoutMs: number,
): string {
  if (result.interrupted)
    return `re-auth was interrupted by ${result.interrupted} and stopped`;
  if (result.skipped)
    return `re-auth "${result.command}" not run: ${result.skipped}; run it yourself, then retry`;
  if (result.interrupted)
    return `re-auth interrupted by ${result.interrupted}; not retried`;
  if (result.timedOut)
    return `re-auth timed out after ${timeoutMs} ms and was stopped`;
  if (result.exitCode === null) return "re-auth was killed by a signal";
  return `re-auth exited with code ${result.exitCode}`;
}

function reauthKey(tool: string, command: string): string {
  return createHash("sha256")
    .update(`${tool}\0${command}`)
    .digest("hex")
    .slice(0, 20);
}

function keepSuccess(record: ReauthRecord): ReauthRecord {
  return record.lastSuccessAt === undefined
    ? {}
    : { lastSuccessAt: record.lastSuccessAt };
}

function unrecorded(dir: string, error: unknown): string {
  return `the re-auth could not be recorded in ${dir} (${describeFault(error)}); its cool-down and the renewal it made are unknown to other authwrap processes`;
}

function describeFault(error: unknown): string {
  if (isAuthwrapError(error)) return error.message;
  return (error as Error)?.message ?? String(error);
}

function interruptedBefore(
  command: string,
  signal: AbortSignal,
  when: string,
): ReauthResult {
  const name = String(signal.reason);
  return {
    ...skipped(
      command,
      null,
      `authwrap was interrupted by ${name} ${when}`,
      "INTERRUPTED",
    ),
    interrupted: name,
  };
}

function skipped(
  command: string,
  exitCode: number | null,
  reason: string,
  code: SkipCode,
): ReauthResult {
  return {
    command,
    exitCode,
    durationMs: 0,
    timedOut: false,
    skipped: reason,
    skipCode: code,
  };
}
