import type { OutputText } from "../types.js";

/** Bytes kept from the start and from the end of each stream for classification. */
export const WINDOW_BYTES = 64 * 1024;

export interface OutputWindow {
  push(chunk: Buffer): void;
  /** Counts bytes that were never read (the middle of a file). */
  skip(bytes: number): void;
  read(): OutputText;
}

/**
 * Keeps the first and last `limit` bytes of a stream, so memory stays fixed whatever the
 * child prints, while error text (usually at the end) and headers (at the start) survive.
 */
export function createOutputWindow(limit = WINDOW_BYTES): OutputWindow {
  const head: Buffer[] = [];
  const tail: Buffer[] = [];
  let headBytes = 0;
  let tailBytes = 0;
  let total = 0;
  return {
    skip(bytes) {
      total += bytes;
    },
    push(chunk) {
      total += chunk.length;
      let rest = chunk;
      if (headBytes < limit) {
        const take = Math.min(limit - headBytes, rest.length);
        head.push(rest.subarray(0, take));
        headBytes += take;
        rest = rest.subarray(take);
      }
      if (rest.length === 0) return;
      // Stream chunks are buffers of their own and only the last few are kept, so no copy; but a
      // single huge chunk is cut to its end, so it is not held whole.
      const kept =
        rest.length > limit
          ? Buffer.from(rest.subarray(rest.length - limit))
          : rest;
      tail.push(kept);
      tailBytes += kept.length;
      while (tail.length > 1 && tailBytes - tail[0]!.length >= limit)
        tailBytes -= tail.shift()!.length;
    },
    read() {
      const first = Buffer.concat(head);
      const last = lastBytes(tail, limit);
      const elided = total - first.length - last.length;
      const text =
        elided > 0
          ? `${first.toString("utf8")}\n[authwrap: ${elided} bytes not kept]\n${last.toString("utf8")}`
          : first.toString("utf8") + last.toString("utf8");
      return { text, totalBytes: total, truncated: elided > 0 };
    },
  };
}

/** The last `count` bytes of a list of chunks, copying only those. */
function lastBytes(chunks: Buffer[], count: number): Buffer {
  const picked: Buffer[] = [];
  let needed = count;
  for (let i = chunks.length - 1; i >= 0 && needed > 0; i--) {
    const chunk = chunks[i]!;
    picked.unshift(
      chunk.length > needed ? chunk.subarray(chunk.length - needed) : chunk,
    );
    needed -= chunk.length;
  }
  return Buffer.concat(picked);
}

/** The window of a file: reads only its first and last WINDOW_BYTES, whatever its size. */
export function readFileWindow(
  fd: number,
  readAt: (fd: number, buffer: Buffer, position: number) => number,
  size: number,
): OutputText {
  const window = createOutputWindow();
  const headLength = Math.min(size, WINDOW_BYTES);
  window.push(readExactly(fd, readAt, headLength, 0));
  if (size > headLength) {
    // Skipped bytes count as seen, so the elision note says how much was not read.
    const tailStart = Math.max(headLength, size - WINDOW_BYTES);
    window.skip(tailStart - headLength);
    window.push(readExactly(fd, readAt, size - tailStart, tailStart));
  }
  return window.read();
}

function readExactly(
  fd: number,
  readAt: (fd: number, buffer: Buffer, position: number) => number,
  length: number,
  position: number,
): Buffer {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const got = readAt(fd, buffer.subarray(filled), position + filled);
    if (got === 0) break;
    filled += got;
  }
  return buffer.subarray(0, filled);
}

/** Builds an OutputText from a whole string (for `classify` and rule examples). */
export function textOutput(text: string): OutputText {
  const window = createOutputWindow();
  window.push(Buffer.from(text, "utf8"));
  return window.read();
}
