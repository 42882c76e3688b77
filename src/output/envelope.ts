// Outcome → Envelope (field order, snake_case) and authwrap's exit code: the one builder the
// wrapper, the verbs and the MCP server use. Pure.
import type { Envelope, EnvelopeError } from "./envelope-schema.js";
import type { AuthwrapError } from "../errors.js";
import { redactData, type Redactor } from "./redact.js";
import { baseError, describeFailure } from "./failure.js";
import { decodeData } from "./data.js";
import { exitCodeFor, signalToNumber } from "./exit.js";
import { processVerdict } from "../classify/process.js";
import { notRunAttempt } from "../run/captured.js";
import { INTERRUPTED_CODE, type ExitCodeProfile } from "../codes.js";
import type { CredentialInfo, Outcome, Verdict } from "../types.js";

export { EXIT_CODE_BY_ERROR, exitCodeFor } from "./exit.js";

/** Bumped when a field changes meaning or goes; new optional fields keep it. */
export const SCHEMA_VERSION = "1";

export interface EnvelopeResult {
  envelope: Envelope;
  exitCode: number;
}

export interface EnvelopeOptions {
  redact: Redactor;
  profile?: ExitCodeProfile;
  /** Mask secret values inside `data`, value by value (--redact-data). */
  redactData?: boolean;
  /** The --max-data-bytes the data was cut at, for the warning. */
  dataLimit?: number;
}

/** The envelope of a run: `data` decoded from the last attempt's stdout (--json), warnings from every stage. */
export function envelopeOf(
  outcome: Outcome,
  options: EnvelopeOptions,
): EnvelopeResult {
  const last = outcome.attempts.at(-1);
  const decoded = last?.data
    ? decodeData(last.data, {
        truncated: last.dataTruncated,
        limit: options.dataLimit ?? last.data.length,
        file: last.dataFile,
        fileError: last.dataFileError,
      })
    : { data: null, warnings: [] };
  const data = options.redactData
    ? redactData(decoded.data, options.redact)
    : decoded.data;
  return buildEnvelope(outcome, data, options.redact, {
    profile: options.profile,
    dataWarnings: decoded.warnings,
  });
}

/** The envelope for `data` already decoded; `dataWarnings` are the decoding's. */
export function buildEnvelope(
  outcome: Outcome,
  data: unknown,
  redact: Redactor,
  {
    profile = "default",
    dataWarnings = [],
  }: { profile?: ExitCodeProfile; dataWarnings?: string[] } = {},
): EnvelopeResult {
  const last = outcome.attempts.at(-1);
  // The wrapper's verdict already covers these; an Outcome built elsewhere may not.
  // No attempt at all: a proactive re-auth logged in as someone else, and the command never ran.
  const verdict = last
    ? (processVerdict(last) ?? outcome.verdict)
    : outcome.verdict;
  const error = verdict
    ? describeFailure(last ?? notRunAttempt(), verdict, redact)
    : null;
  const signalNumber = last?.signal ? signalToNumber(last.signal) : null;
  // authwrap itself was stopped by a signal during the re-auth: it exits the way a killed process would.
  const stoppedBy = outcome.reauth?.interrupted
    ? signalToNumber(outcome.reauth.interrupted)
    : null;
  const exitCode =
    stoppedBy !== null
      ? 128 + stoppedBy
      : exitCodeFor(
          error?.code ?? null,
          last?.exitCode ?? null,
          signalNumber,
          profile,
        );
  const envelope: Envelope = {
    ok: exitCode === 0,
    data: exitCode === 0 ? data : null,
    error,
    // Every stage's warnings end up here, once: the run's, the re-auth's, the verdict's.
    warnings: [
      ...outcome.warnings,
      ...(outcome.reauth?.warnings ?? []),
      ...dataWarnings,
      ...(outcome.verdict?.warnings ?? []),
    ].map(redact),
    meta: {
      schema_version: SCHEMA_VERSION,
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
              ? {
                  skipped: outcome.reauth.skipped,
                  skip_code: outcome.reauth.skipCode ?? null,
                }
              : {}),
            ...(outcome.reauth.reason ? { reason: outcome.reauth.reason } : {}),
          }
        : null,
      ambiguous: outcome.verdict?.ambiguous ?? false,
      stdout_file: last?.dataFile ?? null,
      exit_codes: profile,
      ...credentialMeta(outcome.verdict, outcome.credential, redact),
    },
  };
  return { envelope, exitCode };
}

/** meta.credential (source and expiry, never the value), meta.evidence and meta.inferred, when known. */
function credentialMeta(
  verdict: Verdict | null,
  probed: CredentialInfo | undefined,
  redact: Redactor,
): Pick<Envelope["meta"], "credential" | "evidence" | "inferred"> {
  const credential = verdict?.credential ?? probed;
  return {
    ...(credential
      ? {
          credential: {
            kind: credential.kind,
            source: redact(credential.source),
            expires_at: credential.expiresAt ?? null,
          },
        }
      : {}),
    ...(verdict?.evidenceTrail?.length
      ? { evidence: verdict.evidenceTrail.map(redact) }
      : {}),
    ...(verdict?.inferred ? { inferred: true } : {}),
  };
}

/** An envelope for authwrap's own fault (bad flag, invalid rule file, bug). */
export function buildFaultEnvelope(
  fault: AuthwrapError,
  durationMs: number,
  redact: Redactor,
  profile: ExitCodeProfile = "default",
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
      meta: metaBeforeAnyRun(durationMs, profile),
    },
    exitCode: exitCodeFor(fault.code, null, null),
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
  profile: ExitCodeProfile = "default",
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
      INTERRUPTED_CODE,
      redact(`interrupted by ${signal} ${what}${outcomeSoFar}`),
      false,
    ),
    ...(before
      ? {
          expires_at: before.expires_at,
          refresh_command: before.refresh_command,
          hint: before.hint,
          required_permission: before.required_permission,
          fix_command: before.fix_command,
          fix_required: before.fix_required,
        }
      : {}),
  };
  const meta = result?.envelope.meta ?? metaBeforeAnyRun(durationMs, profile);
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

/** meta when nothing ran: a fault, or a signal before the command started. */
function metaBeforeAnyRun(
  durationMs: number,
  profile: ExitCodeProfile,
): Envelope["meta"] {
  return {
    schema_version: SCHEMA_VERSION,
    duration_ms: Math.round(durationMs),
    tool: null,
    exit_code: null,
    signal: null,
    attempts: 0,
    reauth: null,
    ambiguous: false,
    stdout_file: null,
    exit_codes: profile,
  };
}
