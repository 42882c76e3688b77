// Passthrough with stdout redirected (`> out.json`, a pipe) while a retry may follow: the first
// attempt's stdout is held back, so that a retry replaces it instead of being appended to it.
// Past the bound the held bytes go out after all and the rest streams; then no retry may run.

export const STDOUT_HOLD_LIMIT = 8 * 1024 * 1024;

export interface Holdback {
  /** Takes a chunk; returns what must be written now: nothing while within the bound, then all. */
  push(chunk: Buffer): Buffer[];
  /** True once the bound was passed and output went out: a retry would append to it. */
  released(): boolean;
  /** The bytes still held (to write out, or to drop when a retry follows). */
  take(): Buffer;
}

export function createHoldback(limit = STDOUT_HOLD_LIMIT): Holdback {
  let held: Buffer[] = [];
  let bytes = 0;
  let released = false;
  return {
    push(chunk) {
      if (released) return [chunk];
      held.push(chunk);
      bytes += chunk.length;
      if (bytes <= limit) return [];
      released = true;
      const out = held;
      held = [];
      return out;
    },
    released: () => released,
    take() {
      const out = Buffer.concat(held);
      held = [];
      return out;
    },
  };
}
