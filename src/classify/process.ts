// The attempt's own failure — the command could not start, or a signal killed it — as a verdict,
// so the envelope reads every failure from one Verdict. No rule is consulted: the process says it.
import { describeSpawnError } from "../run/spawn-error.js";
import type { Attempt, Verdict } from "../types.js";

export function processVerdict(attempt: Attempt): Verdict | null {
  if (attempt.spawnError) {
    const failure = describeSpawnError(attempt.spawnError);
    return {
      code: failure.code,
      message: failure.message,
      retryable: failure.retryable,
      ambiguous: false,
      warnings: [],
    };
  }
  if (attempt.signal)
    return {
      code: "COMMAND_SIGNALED",
      message: `command was killed by ${attempt.signal}`,
      retryable: false,
      ambiguous: false,
      warnings: [],
    };
  return null;
}
