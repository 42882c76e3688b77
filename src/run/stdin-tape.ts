// Forwards the caller's stdin to the child while keeping a bounded copy, so a retry after
// re-auth sees the same input: the kept bytes first, then whatever is still unread.
import type { Readable, Writable } from "node:stream";

export const STDIN_REPLAY_LIMIT = 16 * 1024 * 1024;

export interface StdinTape {
  /** Feeds the kept bytes, then live input, to one child's stdin. */
  attach(target: Writable): void;
  /** Stops feeding the current child (it exited); input keeps being recorded. */
  detach(): void;
  /** False once more than the limit was read: the input can no longer be replayed. */
  canReplay(): boolean;
  close(): void;
}

export function createStdinTape(
  source: Readable,
  limit = STDIN_REPLAY_LIMIT,
): StdinTape {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let overflowed = false;
  let ended = false;
  let target: Writable | undefined;

  const onData = (chunk: Buffer) => {
    if (!overflowed) {
      keptBytes += chunk.length;
      if (keptBytes > limit) {
        overflowed = true;
        kept.length = 0;
      } else kept.push(chunk);
    }
    if (target && !target.write(chunk)) {
      source.pause();
      target.once("drain", () => source.resume());
    }
  };
  const onEnd = () => {
    ended = true;
    target?.end();
  };
  source.on("data", onData);
  source.on("end", onEnd);
  source.on("error", onEnd);
  source.pause();

  return {
    attach(next) {
      target = next;
      // A child that exits without reading its input is normal: EPIPE here is not an error.
      next.on("error", () => {});
      for (const chunk of kept) next.write(chunk);
      if (ended) next.end();
      else source.resume();
    },
    detach() {
      target = undefined;
      source.pause();
    },
    canReplay: () => !overflowed,
    close() {
      source.off("data", onData);
      source.destroy();
    },
  };
}
