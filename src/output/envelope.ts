// Outcome → Envelope (field order, snake_case) and authwrap's exit code. Pure.
import { constants } from "node:os";
import type { Envelope, EnvelopeError } from "./envelope-schema.js";
import type { AuthwrapError } from "../errors.js";
import { redactThenCut, type Redactor } from "./redact.js";
import { describeSpawnError } from "../run/spawn-error.js";
import type { Attempt, Outcome, Verdict } from "../types.js";

/** Exit codes fixed by the error code; codes not listed keep the child's own exit code. */
export const EXIT_CODE_BY_ERROR: Record<string, number> = {
  CREDENTIALS_EXPIRED: 10,
  UNAUTHENTICATED: 8,
  PERMISSION_DENIED: 8,
  COMMAND_NOT_EXECUTABLE: 126,
  COMMAND_NOT_FOUND: 127,
  USAGE_ERROR: 2,
  INVALID_RULES: 2,
  INVALID_CONFIG: 2,
  UNREADABLE_FILE: 2,
  UNSAFE_STATE_DIR: 2,
  UNSAFE_RULE_FILE: 2,
  INTERNAL_ERROR: 70,
};
/** Exit codes that mean auth failures; a child's own use of them is reported as 1. */
const RESERVED_EXIT_CODES = new Set([8, 10]);
const DETAIL_CHARS = 2000;
const { signals } = constants;

export interface EnvelopeResult {
  envelope: Envelope;
  exitCode: number;
}

/** Maps an error code and the child's exit code (or signal number) to authwrap's exit code. */
export function exitCodeFor(
  code: string | null,
  childExit: number | null,
  signalNumber: number | null,
): number {
  if (code === null) return 0;
  if (signalNumber !== null) return 128 + signalNumber;
  const fixed = EXIT_CODE_BY_ERROR[code];
  if (fixed !== undefined) return fixed;
  if (
    childExit === null ||
    childExit === 0 ||
    RESERVED_EXIT_CODES.has(childExit)
  )
    return 1;
  return childExit;
}

export function buildEnvelope(
  outcome: Outcome,
  data: unknown,
  redact: Redactor,
): EnvelopeResult {
  const last = outcome.attempts.at(-1);
  const error = last ? describeFailure(last, outcome.verdict, redact) : null;
  const signalNumber = last?.signal ? signalToNumber(last.signal) : null;
  // authwrap itself was stopped by a signal during the re-auth: it exits the way a killed process would.
  const stoppedBy = outcome.reauth?.interrupted
    ? signalToNumber(outcome.reauth.interrupted)
    : null;
  const exitCode =
    stoppedBy !== null
      ? 128 + stoppedBy
      : exitCodeFor(error?.code ?? null, last?.exitCode ?? null, signalNumber);
  const envelope: Envelope = {
    ok: exitCode === 0,
    data: exitCode === 0 ? data : null,
    error,
    warnings: outcome.warnings
      .concat(outcome.verdict?.warnings ?? [])
      .map(redact),
    meta: {
      duration_ms: Math.round(outcome.durationMs),
      tool: outcome.tool,
      exit_code: last?.exitCode ?? null,
      signal: last?.signal ?? null,
      attempts: outcome.attempts.length,
      reauth: outcome.reauth
        ? {
            command: redact(outcome.reauth.command),
            source: outcome.reauth.source ?? null,
            exit_code: outcome.reauth.exitCode,
            duration_ms: Math.round(outcome.reauth.durationMs),
            timed_out: outcome.reauth.timedOut,
            ...(outcome.reauth.skipped
              ? { skipped: outcome.reauth.skipped }
              : {}),
          }
        : null,
      ambiguous: outcome.verdict?.ambiguous ?? false,
      stdout_file: last?.dataFile ?? null,
    },
  };
  return { envelope, exitCode };
}

/** An envelope for authwrap's own fault (bad flag, invalid rule file, bug). */
export function buildFaultEnvelope(
  fault: AuthwrapError,
  durationMs: number,
  redact: Redactor,
): EnvelopeResult {
  const error: EnvelopeError = {
    ...baseError(fault.code, redact(fault.message), false),
    ...(fault.details.rule || fault.details.file
      ? {
          rule: [fault.details.file, fault.details.rule]
            .filter(Boolean)
            .join("#"),
        }
      : {}),
  };
  return {
    envelope: {
      ok: false,
      data: null,
      error,
      warnings: [],
      meta: {
        duration_ms: Math.round(durationMs),
        tool: null,
        exit_code: null,
        signal: null,
        attempts: 0,
        reauth: null,
        ambiguous: false,
        stdout_file: null,
      },
    },
    exitCode: EXIT_CODE_BY_ERROR[fault.code] ?? 70,
  };
}

/**
 * authwrap itself got signal N (SIGINT, SIGTERM, SIGHUP): exit 128+N with an INTERRUPTED error
 * saying what was cut short; what ran is kept (meta, warnings), and the recovery fields of the
 * verdict so far (refresh_command, hint…) stay for the caller. A command that the signal killed
 * is already reported as COMMAND_SIGNALED with that exit code.
 */
export function interruptedEnvelope(
  result: EnvelopeResult | null,
  signal: string,
  what: string,
  durationMs: number,
  redact: Redactor,
): EnvelopeResult {
  const signalNumber = signalToNumber(signal) ?? 15;
  const before = result?.envelope.error ?? null;
  if (
    result &&
    before?.code === "COMMAND_SIGNALED" &&
    result.envelope.meta.signal === signal
  )
    return result;
  const outcomeSoFar = before
    ? `; before that: ${before.code}`
    : result && result.envelope.meta.attempts > 0
      ? "; the command had succeeded"
      : "";
  const error: EnvelopeError = {
    ...baseError(
      "INTERRUPTED",
      redact(`interrupted by ${signal} ${what}${outcomeSoFar}`),
      false,
    ),
    ...(before
      ? {
          expires_at: before.expires_at,
          refresh_command: before.refresh_command,
          hint: before.hint,
          required_permission: before.required_permission,
        }
      : {}),
  };
  const meta = result?.envelope.meta ?? {
    duration_ms: Math.round(durationMs),
    tool: null,
    exit_code: null,
    signal: null,
    attempts: 0,
    reauth: null,
    ambiguous: false,
    stdout_file: null,
  };
  return {
    envelope: {
      ok: false,
      data: null,
      error,
      warnings: result?.envelope.warnings ?? [],
      meta,
    },
    exitCode: 128 + signalNumber,
  };
}

function describeFailure(
  attempt: Attempt,
  verdict: Verdict | null,
  redact: Redactor,
): EnvelopeError | null {
  if (attempt.spawnError) {
    const failure = describeSpawnError(attempt.spawnError);
    return baseError(failure.code, failure.message, failure.retryable);
  }
  if (attempt.signal)
    return {
      ...baseError(
        "COMMAND_SIGNALED",
        `command was killed by ${attempt.signal}`,
        false,
      ),
      ...detailOf(attempt, undefined, redact),
    };
  if (!verdict) return null;
  const message =
    verdict.message ?? `command exited with code ${attempt.exitCode}`;
  const error: EnvelopeError = {
    code: verdict.code,
    message: redact(message),
    retryable: verdict.retryable,
    expires_at: verdict.expiresAt ?? null,
    refresh_command: verdict.refreshCommand
      ? redact(verdict.refreshCommand)
      : null,
    hint: verdict.hint ? redact(verdict.hint) : null,
    required_permission: verdict.requiredPermission
      ? redact(verdict.requiredPermission)
      : null,
  };
  if (verdict.code === "CREDENTIALS_EXPIRED") {
    Object.assign(error, {
      expired: true,
      expired_at: error.expires_at,
      reauth_command: error.refresh_command,
    });
    if (verdict.envVar) error.reauth_env_var = verdict.envVar;
  } else if (
    verdict.code === "UNAUTHENTICATED" ||
    verdict.code === "PERMISSION_DENIED"
  ) {
    Object.assign(error, {
      expired: false,
      expired_at: null,
      reauth_command: verdict.code === "UNAUTHENTICATED" ? error.hint : null,
    });
  }
  if (verdict.rule) error.rule = verdict.rule;
  if (verdict.evidenceKind) {
    // What decided, and what it outranked (README "Deciding by evidence").
    error.evidence = {
      kind: verdict.evidenceKind,
      text: redact(verdict.evidence ?? ""),
      outranked: verdict.outranked ?? [],
    };
  }
  return { ...error, ...detailOf(attempt, verdict.detail, redact) };
}

/** The end of the failed command's stderr (or stdout), so the caller sees why. */
function detailOf(
  attempt: Attempt,
  ruleDetail: string | undefined,
  redact: Redactor,
): { detail?: string } {
  const text =
    ruleDetail ?? (attempt.stderr.text.trim() || attempt.stdout.text.trim());
  if (!text) return {};
  return { detail: redactThenCut(text, DETAIL_CHARS, redact) };
}

function baseError(
  code: string,
  message: string,
  retryable: boolean,
): EnvelopeError {
  return {
    code,
    message,
    retryable,
    expires_at: null,
    refresh_command: null,
    hint: null,
    required_permission: null,
  };
}

function signalToNumber(signal: string): number | null {
  return (signals as Record<string, number | undefined>)[signal] ?? null;
}
