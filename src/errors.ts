/** authwrap's own faults. Expected outcomes of the child are data, never this. */
export type AuthwrapErrorCode =
  | "USAGE_ERROR"
  | "INVALID_RULES"
  | "INVALID_CONFIG"
  | "UNREADABLE_FILE"
  | "UNSAFE_STATE_DIR"
  | "UNSAFE_RULE_FILE"
  | "INTERNAL_ERROR";

export interface AuthwrapErrorDetails {
  file?: string;
  rule?: string;
  field?: string;
  value?: unknown;
}

export class AuthwrapError extends Error {
  readonly code: AuthwrapErrorCode;
  readonly details: AuthwrapErrorDetails;

  constructor(
    code: AuthwrapErrorCode,
    message: string,
    details: AuthwrapErrorDetails = {},
  ) {
    super(message);
    this.name = "AuthwrapError";
    this.code = code;
    this.details = details;
  }
}

/** By name, not instanceof: lazily loaded bundles carry their own copy of the class. */
export function isAuthwrapError(error: unknown): error is AuthwrapError {
  return (
    error instanceof Error &&
    error.name === "AuthwrapError" &&
    "code" in error &&
    "details" in error
  );
}
