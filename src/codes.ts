// The verdict codes and the envelope fields a rule may fill: one list, read by the rule schema
// (zod), the compiler and the classifier. No zod here, so the hot path can import it.

export const AUTH_CODES = ['CREDENTIALS_EXPIRED', 'UNAUTHENTICATED', 'PERMISSION_DENIED'] as const;

/** Finer non-auth codes a rule may yield; they keep the child's own exit code. */
export const OTHER_CODES = [
  'COMMAND_FAILED',
  'RATE_LIMITED',
  'CLOCK_SKEW',
  'MFA_REQUIRED',
  'NETWORK_ERROR',
  'TLS_ERROR',
  'NOT_FOUND',
  'QUOTA_EXCEEDED',
  'LOCAL_PERMISSION_DENIED',
] as const;

/** Envelope fields a rule may fill, from a named group or a `fields` entry. */
export const FIELD_NAMES = ['expires_at', 'required_permission', 'refresh_command', 'hint', 'detail'] as const;

export type AuthCode = (typeof AUTH_CODES)[number];
export type OtherCode = (typeof OTHER_CODES)[number];
export type VerdictCode = AuthCode | OtherCode;

export function isAuthCode(code: string): code is AuthCode {
  return (AUTH_CODES as readonly string[]).includes(code);
}
