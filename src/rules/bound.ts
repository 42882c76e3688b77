// Bounds single-character repetitions (`[^\n]*`, `.+`, `\S+`) to at most GAP characters. On
// output that repeats a rule's opening words thousands of times (a hostile server's headers), an
// unbounded gap lets every occurrence scan to the end of the line: quadratic time even on V8's
// linear engine, whose promise covers one start position, not all of them (measured: 3–5 s per
// rule on 1 MB). A gap longer than GAP characters no longer matches, which no error message needs.
// Only repetitions outside groups are bounded: inside a repeated group (`(a+)+`) a counted
// repetition would make the pattern too large for the linear engine to take over, and then the
// backtracking one runs it catastrophically.
import { classEnd, escapeEnd } from "./casefold.js";

export const GAP = 1024;

export function boundRepetitions(pattern: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < pattern.length;) {
    const atomEnd = singleAtomEnd(pattern, i);
    if (atomEnd === undefined) {
      // A group opener or anything else: copied as it is.
      if (pattern[i] === "(") depth++;
      else if (pattern[i] === ")") depth--;
      out += pattern[i];
      i++;
      continue;
    }
    out += pattern.slice(i, atomEnd);
    i = atomEnd;
    const q = pattern[i];
    if (depth === 0 && (q === "*" || q === "+")) {
      out += `{${q === "*" ? 0 : 1},${GAP}}`;
      i++;
    }
  }
  return out;
}

/** End of a one-character atom (class, escape, `.`, literal) at i; undefined for syntax characters. */
function singleAtomEnd(pattern: string, i: number): number | undefined {
  const ch = pattern[i]!;
  if (ch === "\\") return escapeEnd(pattern, i);
  if (ch === "[") return classEnd(pattern, i) + 1;
  if (
    ch === "(" ||
    ch === ")" ||
    ch === "|" ||
    ch === "*" ||
    ch === "+" ||
    ch === "?" ||
    ch === "{" ||
    ch === "^" ||
    ch === "$"
  )
    return undefined;
  return i + 1;
}
