// The child's stdout → the envelope's `data`: parsed JSON where it is JSON, else text.
const utf8 = new TextDecoder('utf-8', { fatal: true });

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
  const whereAll = overflow.file ? `; the whole output is in ${overflow.file}` : overflow.fileError ? `; the rest could not be kept (${overflow.fileError})` : '';
  const warnings = truncated ? [`stdout exceeded ${limit} bytes; data holds only the first ${limit}${whereAll}`] : [];
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    warnings.push('stdout is not valid UTF-8; data holds it base64-encoded');
    return { data: bytes.toString('base64'), warnings };
  }
  const trimmed = text.trim();
  if (!truncated && (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"'))) {
    try {
      return { data: JSON.parse(trimmed) as unknown, warnings };
    } catch {
      // Not JSON after all: fall through to text.
    }
  }
  return { data: text.endsWith('\n') ? text.slice(0, -1) : text, warnings };
}
