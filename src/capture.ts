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
    // No copy: stream chunks are buffers of their own, and only the last few are kept.
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    while (this.#tail.length > 1 && this.#tailBytes - this.#tail[0]!.length >= this.limit) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  read(): OutputText {
    const head = Buffer.concat(this.#head);
    const tailAll = Buffer.concat(this.#tail);
    const tail = tailAll.subarray(Math.max(0, tailAll.length - this.limit));
    const elided = this.#total - head.length - tail.length;
    const text =
      elided > 0
        ? `${head.toString('utf8')}\n[authwrap: ${elided} bytes not kept]\n${tail.toString('utf8')}`
        : head.toString('utf8') + tail.toString('utf8');
    return { text, totalBytes: this.#total, truncated: elided > 0 };
  }
}

/** Builds an OutputText from a whole string (for `classify` and rule examples). */
export function textOutput(text: string): OutputText {
  const window = new OutputWindow();
  window.push(Buffer.from(text, 'utf8'));
  return window.read();
}
