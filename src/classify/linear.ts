// Rule patterns run over output that anyone may control. With these V8 flags a pattern that
// starts to backtrack excessively is re-run on V8's linear-time engine instead of hanging;
// rules/pattern.ts rejects the features that engine lacks (and spells `i` out as classes), so
// every rule pattern qualifies. At V8's default threshold a `[^\n]*` between two literals on
// 128 KiB of repeated prefixes ran 19 s before falling back; at 1000 backtracks, 0.35 s.
//
// Set late, just before the first classification, not at start-up: changing a V8 flag makes V8
// reject Node's code cache for every built-in compiled after it (~3 ms of start-up when set
// first). V8 reads the flags when a pattern runs, so RegExps compiled earlier are covered too.
import { createRequire } from "node:module";

let enabled = false;

export function enableLinearFallback(): void {
  if (enabled) return;
  enabled = true;
  const { setFlagsFromString } = createRequire(import.meta.url)(
    "node:v8",
  ) as typeof import("node:v8");
  setFlagsFromString(
    "--enable-experimental-regexp-engine-on-excessive-backtracks",
  );
  setFlagsFromString("--regexp-backtracks-before-fallback=1000");
}
