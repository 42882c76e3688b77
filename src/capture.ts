import type { OutputText } from './types.js';

/** Bytes kept from the start and from the end of each stream for classification. */
export const WINDOW_BYTES = 64 * 1024;

/**
 * Keeps the first and last WINDOW_BYTES of a stream, so memory stays fixed whatever the
 * child prints, while error text (usually at the end) and headers (at the start) survive.
 */
export class OutputWindow {
  #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  constructor(private readonly limit = WINDOW_BYTES) {}

  /** Counts bytes that were never read (the middle of a file). */
  skip(bytes: number): void {
    this.#total += bytes;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headBytes < this.limit) {
      const take = Math.min(this.limit - this.#headBytes, rest.length);
      this.#head.push(rest.subarray(0, take));
      this.#headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    // Stream chunks are buffers of their own and only the last few are kept, so no copy; but a
    // single huge chunk is cut to its end, so it is not held whole.
    this.#tail.push(rest.length > this.limit ? Buffer.from(rest.subarray(rest.length - this.limit)) : rest);
    this.#tailBytes += rest.length;
    while (this.#tail.length > 1 && this.#tailBytes - this.#tail[0]!.length >= this.limit) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  read(): OutputText {
    const head = Buffer.concat(this.#head);
    const tail = lastBytes(this.#tail, this.limit);
    const elided = this.#total - head.length - tail.length;
    const text =
      elided > 0
        ? `${head.toString('utf8')}\n[authwrap: ${elided} bytes not kept]\n${tail.toString('utf8')}`
        : head.toString('utf8') + tail.toString('utf8');
    return { text, totalBytes: this.#total, truncated: elided > 0 };
  }
}

/** The last `count` bytes of a list of chunks, copying only those. */
function lastBytes(chunks: Buffer[], count: number): Buffer {
  const picked: Buffer[] = [];
  let needed = count;
  for (let i = chunks.length - 1; i >= 0 && needed > 0; i--) {
    const chunk = chunks[i]!;
    picked.unshift(chunk.length > needed ? chunk.subarray(chunk.length - needed) : chunk);
    needed -= chunk.length;
  }
  return Buffer.concat(picked);
}

/** The window of a file: reads only its first and last WINDOW_BYTES, whatever its size. */
export function readFileWindow(fd: number, readAt: (fd: number, buffer: Buffer, position: number) => number, size: number): OutputText {
  const window = new OutputWindow();
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

function readExactly(fd: number, readAt: (fd: number, buffer: Buffer, position: number) => number, length: number, position: number): Buffer {
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
  const window = new OutputWindow();
  window.push(Buffer.from(text, 'utf8'));
  return window.read();
}
