// Error code + the child's exit (or signal) → authwrap's exit code, under an exit-code profile.
// The numbers come from codes.ts CODE_TABLE; this file only applies them. Pure.
import { constants } from "node:os";
import {
  AUTH_CODES,
  CODE_TABLE,
  ERROR_CODES,
  exitRuleOf,
  isErrorCode,
  type ErrorCode,
  type ExitCodeProfile,
} from "../codes.js";

const { signals } = constants;

/** Fixed exit codes of the default profile; codes not listed keep the child's own exit code. */
export const EXIT_CODE_BY_ERROR: Partial<Record<ErrorCode, number>> =
  Object.fromEntries(
    ERROR_CODES.flatMap((code) => {
      const exit = CODE_TABLE[code].exit;
      return typeof exit === "number" ? [[code, exit]] : [];
    }),
  );

/** Exit codes that mean auth failures in a profile; a child's own use of them is reported as 1. */
export function reservedExitCodes(profile: ExitCodeProfile): Set<number> {
  return new Set(
    AUTH_CODES.map((code) => exitRuleOf(code, profile)).filter(
      (exit): exit is number => typeof exit === "number",
    ),
  );
}

/** Maps an error code and the child's exit code (or signal number) to authwrap's exit code. */
export function exitCodeFor(
  code: ErrorCode | null,
  childExit: number | null,
  signalNumber: number | null,
  profile: ExitCodeProfile = "default",
): number {
  if (code === null) return 0;
  if (signalNumber !== null) return 128 + signalNumber;
  const rule = isErrorCode(code) ? exitRuleOf(code, profile) : "child";
  if (typeof rule === "number") return rule;
  if (
    childExit === null ||
    childExit === 0 ||
    reservedExitCodes(profile).has(childExit)
  )
    return 1;
  return childExit;
}

export function signalToNumber(signal: string): number | null {
  return (signals as Record<string, number | undefined>)[signal] ?? null;
}
