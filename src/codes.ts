// The verdict codes and the envelope fields a rule may fill: one list, read by the rule schema
// (zod), the compiler and the classifier. No zod here, so the hot path can import it.

export const AUTH_CODES = [
  "CREDENTIALS_EXPIRED",
  "UNAUTHENTICATED",
  "PERMISSION_DENIED",
] as const;

/** Finer non-auth codes a rule may yield; they keep the child's own exit code. */
export const OTHER_CODES = [
  "COMMAND_FAILED",
  "RATE_LIMITED",
  "CLOCK_SKEW",
  "MFA_REQUIRED",
  "NETWORK_ERROR",
  "TLS_ERROR",
  "NOT_FOUND",
  "QUOTA_EXCEEDED",
  "LOCAL_PERMISSION_DENIED",
] as const;

/** Envelope fields a rule may fill, from a named group or a `fields` entry. */
export const FIELD_NAMES = [
  "expires_at",
  "required_permission",
  "refresh_command",
  "hint",
  "detail",
] as const;

/**
 * Kinds of evidence, strongest first: when several rules match one output, the strongest kind
 * decides (LABELS.md "When evidence conflicts"). A look-alike is a precise statement of a non-auth
 * cause (rate limit, expired TLS certificate, clock skew, one-time password), so it outranks the
 * auth words around it, but not an explicit credential expiry.
 */
export const EVIDENCE_KINDS = [
  "expiry",
  "lookalike",
  "invalid",
  "permission",
  "status",
  "loose",
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export type AuthCode = (typeof AUTH_CODES)[number];
export type OtherCode = (typeof OTHER_CODES)[number];
export type VerdictCode = AuthCode | OtherCode;

export function isAuthCode(code: string): code is AuthCode {
  return (AUTH_CODES as readonly string[]).includes(code);
}
