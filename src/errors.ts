import type { FaultCode } from "./codes.js";

/** authwrap's own faults (codes.ts FAULT_CODES). Expected outcomes of the child are data, never this. */
export type AuthwrapErrorCode = FaultCode;

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
