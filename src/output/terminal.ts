// What authwrap's own lines may put on a terminal. Captured text (a message, a hint, a refresh
// command, a matched line) comes from output anyone may control; raw, its control characters
// could move the cursor, erase what came before (CR + erase-line), retitle the window or write the
// clipboard (OSC 52). They are shown as escapes instead. The JSON envelope is JSON-escaped already.

// C0 controls, DEL, C1 controls, and the bidirectional overrides and isolates that reorder a line.
const CONTROL =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** The text with every control character replaced by a visible escape (`\x1b`, `\n`, `\u202e`). */
export function visible(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    return (
      SHORT[char] ??
      (code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`)
    );
  });
}

/**
 * Colour level (0 none, 1 basic, 2 256, 3 truecolor) for text written to a stream — stderr, where
 * the human line goes, not stdout, which chalk looks at by itself. NO_COLOR (any non-empty value)
 * turns colour off; FORCE_COLOR (non-empty) turns it on (0/false: off) even off a terminal; TERM=dumb is off.
 */
export function colorLevel(
  env: Record<string, string | undefined>,
  isTTY: boolean,
): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") {
    const word = force.trim().toLowerCase();
    if (word === "0" || word === "false") return 0;
    if (word === "2" || word === "3") return Number(word) as 2 | 3;
    return 1;
  }
  if (!isTTY || env.TERM === "dumb") return 0;
  return 1;
}
