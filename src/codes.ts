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

/** The command could not be started, or was killed by a signal: decided by the attempt, not a rule. */
export const COMMAND_CODES = [
  "COMMAND_NOT_FOUND",
  "COMMAND_NOT_EXECUTABLE",
  "COMMAND_SIGNALED",
] as const;

/** Decided around the re-auth, not by a rule: the re-auth logged in as someone else (reauth/identity.ts). */
export const REAUTH_CODES = ["IDENTITY_CHANGED"] as const;

/** authwrap's own faults (errors.ts), and authwrap itself being stopped by a signal. */
export const FAULT_CODES = [
  "USAGE_ERROR",
  "INVALID_RULES",
  "INVALID_CONFIG",
  "UNREADABLE_FILE",
  "UNSAFE_STATE_DIR",
  "UNSAFE_RULE_FILE",
  "INTERNAL_ERROR",
] as const;
export const INTERRUPTED_CODE = "INTERRUPTED";

/** Every `error.code` an envelope can carry: the schema's enum. */
export const ERROR_CODES = [
  ...AUTH_CODES,
  ...OTHER_CODES,
  ...COMMAND_CODES,
  ...REAUTH_CODES,
  ...FAULT_CODES,
  INTERRUPTED_CODE,
] as const;

export type AuthCode = (typeof AUTH_CODES)[number];
export type OtherCode = (typeof OTHER_CODES)[number];
export type VerdictCode = AuthCode | OtherCode;
export type CommandCode = (typeof COMMAND_CODES)[number];
export type ReauthCode = (typeof REAUTH_CODES)[number];
export type FaultCode = (typeof FAULT_CODES)[number];
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Exit-code profiles. `default` is the contract's 10 (expired) / 8 (missing or denied);
 * `cli-agent-2026` follows the newer agent-CLI guidance: 8 for any credential the caller must
 * supply (AUTH_REQUIRED; `error.code` still tells expired from missing) and 7 for a denial.
 */
export const EXIT_CODE_PROFILES = ["default", "cli-agent-2026"] as const;
export type ExitCodeProfile = (typeof EXIT_CODE_PROFILES)[number];

/** How a code sets authwrap's exit: a fixed number, the child's own code, or 128 + the signal. */
export type ExitRule = number | "child" | "signal";

export interface CodeInfo {
  exit: ExitRule;
  /** Where the cli-agent-2026 profile differs from the default. */
  agentExit?: number;
  meaning: string;
}

/**
 * One row per code, the source of the exit-code table (output/envelope.ts), `authwrap schema
 * exit-codes` and the README's table (a test compares them). Keyed by ErrorCode, so a code
 * missing here or misspelt fails to compile.
 */
export const CODE_TABLE: { readonly [C in ErrorCode]: CodeInfo } = {
  CREDENTIALS_EXPIRED: {
    exit: 10,
    agentExit: 8,
    meaning:
      "the credential was valid but has expired, and the one re-auth + retry did not fix it; run error.refresh_command",
  },
  UNAUTHENTICATED: {
    exit: 8,
    meaning: "no credential, or one that was never valid; run error.hint",
  },
  PERMISSION_DENIED: {
    exit: 8,
    agentExit: 7,
    meaning:
      "valid credential, not allowed; escalate for error.required_permission",
  },
  COMMAND_FAILED: {
    exit: "child",
    meaning: "the command failed for a reason that is not an auth problem",
  },
  RATE_LIMITED: { exit: "child", meaning: "the service throttled the call" },
  CLOCK_SKEW: {
    exit: "child",
    meaning: "the local clock is off; the credential is fine",
  },
  MFA_REQUIRED: {
    exit: "child",
    meaning: "a one-time password or second factor is needed",
  },
  NETWORK_ERROR: {
    exit: "child",
    meaning: "the service could not be reached",
  },
  TLS_ERROR: {
    exit: "child",
    meaning: "a certificate or TLS handshake failed (not the credential)",
  },
  NOT_FOUND: { exit: "child", meaning: "the resource does not exist" },
  QUOTA_EXCEEDED: { exit: "child", meaning: "a quota or limit was reached" },
  LOCAL_PERMISSION_DENIED: {
    exit: "child",
    meaning: "a local file or socket was not accessible (not the service)",
  },
  COMMAND_NOT_FOUND: { exit: 127, meaning: "the command was not found" },
  COMMAND_NOT_EXECUTABLE: {
    exit: 126,
    meaning: "the command could not be executed (errno in error.message)",
  },
  COMMAND_SIGNALED: {
    exit: "signal",
    meaning: "the command was killed by a signal (meta.signal)",
  },
  IDENTITY_CHANGED: {
    exit: 8,
    meaning:
      "the re-auth logged in as a different identity (account, role, user) than before it; the command was not run again. error.message names both",
  },
  USAGE_ERROR: { exit: 2, meaning: "a bad option or argument to authwrap" },
  INVALID_RULES: {
    exit: 2,
    meaning: "a rule file is invalid (file › rule › field in the message)",
  },
  INVALID_CONFIG: {
    exit: 2,
    meaning:
      "a config file is invalid, or a project's config sets what only yours may (file › key in the message)",
  },
  UNREADABLE_FILE: {
    exit: 2,
    meaning:
      "a rule file, or a file given to `authwrap classify`, cannot be read",
  },
  UNSAFE_STATE_DIR: {
    exit: 2,
    meaning: "the state folder is not private to the user (0700)",
  },
  UNSAFE_RULE_FILE: {
    exit: 2,
    meaning:
      "a rule file is not a regular file, too large, not owned by you or root, or writable by others; nothing was run",
  },
  INTERNAL_ERROR: { exit: 70, meaning: "a bug in authwrap; please report it" },
  INTERRUPTED: {
    exit: "signal",
    meaning:
      "authwrap itself was stopped by SIGINT, SIGTERM or SIGHUP; the message says what was cut short",
  },
};

/** A code's exit rule under a profile. */
export function exitRuleOf(
  code: ErrorCode,
  profile: ExitCodeProfile,
): ExitRule {
  const info = CODE_TABLE[code];
  return profile === "cli-agent-2026" && info.agentExit !== undefined
    ? info.agentExit
    : info.exit;
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(CODE_TABLE, code);
}

export function isAuthCode(code: string): code is AuthCode {
  return (AUTH_CODES as readonly string[]).includes(code);
}
