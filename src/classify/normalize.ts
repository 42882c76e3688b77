// Output as rules read it: the words a person would see, whatever the terminal dressing.
// Colour codes, box-drawn frames (terraform's │), JSON-escaped quotes and line breaks inside a
// logged JSON string would otherwise defeat every exact pattern. Linear in the text's length.

// CSI (colour, cursor), OSC (titles, hyperlinks; ended by BEL or ST) and lone two-byte escapes.
const ANSI =
  // eslint-disable-next-line no-control-regex -- matching terminal control characters is the point
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;
// A frame character at the start of a line (after indentation), and box-drawing runs anywhere.
const FRAME = /^[ \t]*[│┃║╎╏┆┇┊┋╷╵|][ \t]?/gm;
const BOX = /[─━═╭╮╯╰┌┐└┘├┤┬┴┼╷╵]+/g;
// Escapes inside JSON strings that were printed as text (a log line holding a JSON body).
const JSON_ESCAPE = /\\(["\\/nrt]|u([0-9a-fA-F]{4}))/g;
const ESCAPED: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  n: "\n",
  r: "\n",
  t: "\t",
};

export function normalizeOutput(text: string): string {
  if (text === "") return text;
  let out = text.includes("\x1b") ? text.replace(ANSI, "") : text;
  if (/[│┃║╎╏┆┇┊┋╷╵─━═╭╮╯╰┌┐└┘├┤┬┴┼|]/.test(out))
    out = out.replace(FRAME, "").replace(BOX, " ");
  // Only where an escaped JSON string is present: a Windows path (`C:\\Users\\me\\repos`) is not one.
  if (out.includes('\\"'))
    out = out.replace(JSON_ESCAPE, (_m, ch: string, hex: string | undefined) =>
      hex ? String.fromCharCode(parseInt(hex, 16)) : ESCAPED[ch]!,
    );
  return out.includes("\r") ? out.replace(/\r\n?/g, "\n") : out;
}
