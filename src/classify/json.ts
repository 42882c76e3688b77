// Reading JSON that a child printed: a whole document, or JSON lines, on either stream.

export type JsonDoc = unknown;

/** Longer single lines are not tried as JSON: parsing each would cost more than it tells. */
const MAX_LINE = 256 * 1024;

/** Parses text as one JSON document, else each line that looks like a JSON object. */
export function parseJsonDocs(text: string): JsonDoc[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    const whole = tryParse(trimmed);
    if (whole !== undefined) return [whole];
  }
  const docs: JsonDoc[] = [];
  const lines = trimmed.split("\n");
  for (const line of lines) {
    // A JSON object logged after a prefix: `Error: {"error": …}`, `body={…}`.
    const start = line.indexOf("{");
    if (start === -1 || line.length > MAX_LINE) continue;
    const doc = tryParse(line.slice(start).trim());
    if (doc !== undefined) docs.push(doc);
  }
  if (docs.length === 0) {
    // A pretty-printed body after other lines (curl -i headers, a client's prose).
    const first = lines.findIndex((line) => line.trimStart().startsWith("{"));
    if (first > 0) {
      const body = tryParse(lines.slice(first).join("\n"));
      if (body !== undefined) docs.push(body);
    }
  }
  return docs;
}

/** Values at a dotted path (`error.details.0.reason`); `*` walks every array item or key. */
export function readJsonPath(doc: JsonDoc, path: string): unknown[] {
  let current: unknown[] = [doc];
  for (const key of path.split(".")) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== "object") continue;
      if (key === "*") next.push(...Object.values(value));
      else if (Object.hasOwn(value, key))
        next.push((value as Record<string, unknown>)[key]);
    }
    current = next;
  }
  return current.filter((value) => value !== undefined);
}

function tryParse(text: string): JsonDoc | undefined {
  try {
    return JSON.parse(text) as JsonDoc;
  } catch {
    return undefined;
  }
}
