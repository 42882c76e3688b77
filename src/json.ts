// Reading JSON that a child printed: a whole document, or JSON lines, on either stream.

export type JsonDoc = unknown;

/** Parses text as one JSON document, else each line that looks like a JSON object. */
export function parseJsonDocs(text: string): JsonDoc[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const whole = tryParse(trimmed);
    if (whole !== undefined) return [whole];
  }
  const docs: JsonDoc[] = [];
  for (const line of trimmed.split('\n')) {
    const candidate = line.trim();
    if (!candidate.startsWith('{')) continue;
    const doc = tryParse(candidate);
    if (doc !== undefined) docs.push(doc);
  }
  return docs;
}

/** Values at a dotted path (`error.details.0.reason`); `*` walks every array item or key. */
export function readJsonPath(doc: JsonDoc, path: string): unknown[] {
  let current: unknown[] = [doc];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      if (key === '*') next.push(...Object.values(value));
      else if (Object.hasOwn(value, key)) next.push((value as Record<string, unknown>)[key]);
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
