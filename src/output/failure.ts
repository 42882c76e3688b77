// Attempt + Verdict → the envelope's `error`: the contract's fields, both naming generations,
// the evidence, fix_command/fix_required, and the redacted ends of the command's output. Pure.
import type { EnvelopeError } from "./envelope-schema.js";
import { redactThenCut, type Redactor } from "./redact.js";
import { isAuthCode, type ErrorCode } from "../codes.js";
import type { Attempt, Verdict } from "../types.js";

const DETAIL_CHARS = 2000;
/** --json, failed: the end of stdout kept in error.stdout (data is null on failure). */
const STDOUT_CHARS = 4000;

export function describeFailure(
  attempt: Attempt,
  verdict: Verdict,
  redact: Redactor,
): EnvelopeError {
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
    fix_command: null,
    fix_required: false,
  };
  Object.assign(error, fixOf(error));
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
  return {
    ...error,
    ...detailOf(attempt, verdict.detail, redact),
    ...stdoutOf(attempt, redact),
  };
}

/**
 * The newer agent-CLI naming, in every exit-code profile: `fix_required` when the caller (or a
 * person) must act before a retry can work — renew, log in, get a permission — and the command
 * that does it where one is known.
 */
function fixOf(error: EnvelopeError): {
  fix_command: string | null;
  fix_required: boolean;
} {
  // Logged in as someone else: a person must say which identity is meant.
  if (error.code === "IDENTITY_CHANGED")
    return { fix_command: error.hint, fix_required: true };
  if (!isAuthCode(error.code))
    return { fix_command: null, fix_required: false };
  const command =
    error.code === "CREDENTIALS_EXPIRED"
      ? error.refresh_command
      : error.code === "UNAUTHENTICATED"
        ? error.hint
        : null;
  return { fix_command: command, fix_required: true };
}

/** --json: data is null on failure, so the end of the command's stdout is kept here (and whole in meta.stdout_file when it spilled). */
function stdoutOf(attempt: Attempt, redact: Redactor): { stdout?: string } {
  if (!attempt.data || attempt.data.length === 0) return {};
  const text = attempt.stdout.text.trimEnd();
  if (!text) return {};
  return { stdout: redactThenCut(text, STDOUT_CHARS, redact) };
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

export function baseError(
  code: ErrorCode,
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
    fix_command: null,
    fix_required: false,
  };
}
