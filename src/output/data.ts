// The child's stdout → the envelope's `data`: parsed JSON where it is JSON, else text.
const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface DecodedData {
  data: unknown;
  warnings: string[];
}

export interface DataOverflow {
  truncated: boolean;
  limit: number;
  file: string | null;
  fileError: string | null;
}

export function decodeData(bytes: Buffer, overflow: DataOverflow): DecodedData {
  const { truncated, limit } = overflow;
  const whereAll = overflow.file
    ? `; the whole output is in ${overflow.file}`
    : overflow.fileError
      ? `; the rest could not be kept (${overflow.fileError})`
      : "";
  // The cut at the limit may fall inside a character: end at the last complete one.
  const kept = truncated ? bytes.subarray(0, completeUtf8Length(bytes)) : bytes;
  const warnings = truncated
    ? [
        `stdout exceeded ${limit} bytes; data holds only the first ${kept.length}${whereAll}`,
      ]
    : [];
  let text: string;
  try {
    text = utf8.decode(kept);
  } catch {
    warnings.push("stdout is not valid UTF-8; data holds it base64-encoded");
    return { data: bytes.toString("base64"), warnings };
  }
  const trimmed = text.trim();
  if (
    !truncated &&
    (trimmed.startsWith("{") ||
      trimmed.startsWith("[") ||
      trimmed.startsWith('"'))
  ) {
    try {
      return { data: JSON.parse(trimmed) as unknown, warnings };
    } catch {
      // Not JSON after all: fall through to text.
    }
  }
  return { data: text.endsWith("\n") ? text.slice(0, -1) : text, warnings };
}

/** The length of bytes without a trailing UTF-8 sequence that the cut left incomplete. */
export function completeUtf8Length(bytes: Uint8Array): number {
  // A sequence is at most 4 bytes: look back at most 3 for the lead byte of the last one.
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}
