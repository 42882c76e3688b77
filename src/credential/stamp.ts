// Whether a successful call should record its credential as working: one stat of a stamp in the
// state folder, so exit 0 loads no probe while the record is fresh (src/credential/seen.ts).
import { statSync } from "node:fs";
import { join } from "node:path";

/** A successful call records its credential at most this often per tool. */
export const SEEN_INTERVAL_MS = 10 * 60_000;

export function stampPath(stateDir: string, tool: string): string {
  return join(stateDir, `seen-${tool}-at.json`);
}

export function isSeenStale(stateDir: string, tool: string): boolean {
  try {
    return (
      Date.now() - statSync(stampPath(stateDir, tool)).mtimeMs >
      SEEN_INTERVAL_MS
    );
  } catch {
    return true;
  }
}
