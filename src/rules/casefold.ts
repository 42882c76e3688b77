// Rewrites a case-insensitive pattern as a case-sensitive one (`token` → `[tT][oO][kK][eE][nN]`),
// because V8's linear-time engine refuses the `i` flag: with it, a pattern that backtracks
// badly on hostile output would hang instead of falling back (measured: `(a+)+b` on 28 `a`s
// takes 19 s with `i`, 2 ms rewritten). Only the syntax that buildRegExp admits is handled;
// anything else is reported so the pattern is refused rather than silently changed.

export function foldCase(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const end = escapeEnd(pattern, i);
      out += pattern.slice(i, end);
      i = end;
    } else if (ch === "[") {
      const end = classEnd(pattern, i);
      out += foldClass(pattern.slice(i + 1, end));
      i = end + 1;
    } else if (
      ch === "(" &&
      pattern.startsWith("(?<", i) &&
      !/^\(\?<[=!]/.test(pattern.slice(i, i + 4))
    ) {
      // A named group's name is an identifier, not text to match.
      const close = pattern.indexOf(">", i);
      out += pattern.slice(i, close + 1);
      i = close + 1;
    } else if (ch === "{" && /^\{\d+(?:,\d*)?\}/.test(pattern.slice(i))) {
      const close = pattern.indexOf("}", i);
      out += pattern.slice(i, close + 1);
      i = close + 1;
    } else {
      out += foldChar(ch);
      i++;
    }
  }
  return out;
}

/** Index just past an escape sequence starting at `start` (a backslash). */
export function escapeEnd(pattern: string, start: number): number {
  const next = pattern[start + 1];
  if (next === undefined) return start + 1;
  const rest = pattern.slice(start + 1);
  const long =
    /^(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]+\}|c[A-Za-z]|[pP]\{[^}]*\}|k<[^>]*>)/.exec(
      rest,
    );
  return start + 1 + (long ? long[0].length : 1);
}

/** Index of the `]` that closes the class opened at `start`. */
export function classEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  while (i < pattern.length && pattern[i] !== "]")
    i = pattern[i] === "\\" ? escapeEnd(pattern, i) : i + 1;
  return i;
}

function foldChar(ch: string): string {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  if (lower === upper || lower.length !== 1 || upper.length !== 1) return ch;
  return `[${lower}${upper}]`;
}

/** A class body with the other case of every letter and letter range added. */
function foldClass(body: string): string {
  const negated = body.startsWith("^");
  const items = negated ? body.slice(1) : body;
  let extra = "";
  for (let i = 0; i < items.length;) {
    if (items[i] === "\\") {
      i = escapeEnd(items, i);
      continue;
    }
    const from = items[i]!;
    if (
      items[i + 1] === "-" &&
      items[i + 2] !== undefined &&
      items[i + 2] !== "]" &&
      items[i + 2] !== "\\"
    ) {
      extra += otherCaseOfRange(from, items[i + 2]!);
      i += 3;
      continue;
    }
    const other = foldChar(from);
    if (other !== from)
      extra +=
        from === from.toLowerCase() ? from.toUpperCase() : from.toLowerCase();
    i++;
  }
  return `[${negated ? "^" : ""}${items}${extra}]`;
}

/** The ASCII letters of a range in the other case, as ranges (`a-f` → `A-F`). */
function otherCaseOfRange(from: string, to: string): string {
  const lo = from.charCodeAt(0);
  const hi = to.charCodeAt(0);
  let out = "";
  for (const [base, shift] of [
    [97, -32],
    [65, 32],
  ] as const) {
    const start = Math.max(lo, base);
    const end = Math.min(hi, base + 25);
    if (start <= end)
      out += `${String.fromCharCode(start + shift)}-${String.fromCharCode(end + shift)}`;
  }
  return out;
}
