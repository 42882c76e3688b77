// After a process exits, its pipes may stay open: a background grandchild (`sleep 20 &`, a daemon
// it started) inherited them. Waiting for their end would be waiting for that grandchild, so what
// still comes is read for a bounded time, then the pipes are let go.
import type { Readable } from "node:stream";

export interface DrainLimits {
  /** Stop after this long without data. */
  quietMs: number;
  /** Stop after this long in all. */
  maxMs: number;
}

export const DRAIN_LIMITS: DrainLimits = { quietMs: 200, maxMs: 2000 };
const TICK_MS = 25;

/**
 * Resolves once every stream has ended, or the limits are reached, or `stop` aborts; streams still
 * open then are destroyed. Time while a stream is paused does not count: that is our own reader
 * being slow, and the data it waits for is already there. Resolves true when it cut a stream.
 */
export function drainPipes(
  streams: Array<Readable | null | undefined>,
  stop?: AbortSignal,
  limits = DRAIN_LIMITS,
): Promise<boolean> {
  const open = new Set(
    streams.filter(
      (stream): stream is Readable =>
        !!stream && !stream.readableEnded && !stream.destroyed,
    ),
  );
  if (open.size === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    let quietMs = 0;
    let elapsedMs = 0;
    const onData = () => {
      quietMs = 0;
    };
    const ended = new Map<Readable, () => void>();
    let done = false;
    const finish = (cut: boolean) => {
      if (done) return;
      done = true;
      clearInterval(ticker);
      stop?.removeEventListener("abort", onStop);
      for (const [stream, onEnd] of ended) {
        stream.off("data", onData);
        stream.off("end", onEnd);
        stream.off("close", onEnd);
        if (open.has(stream)) stream.destroy();
      }
      resolve(cut);
    };
    const onStop = () => finish(open.size > 0);
    for (const stream of open) {
      const onEnd = () => {
        open.delete(stream);
        if (open.size === 0) finish(false);
      };
      ended.set(stream, onEnd);
      stream.on("data", onData);
      stream.once("end", onEnd);
      stream.once("close", onEnd);
    }
    const ticker = setInterval(() => {
      if ([...open].some((stream) => stream.isPaused())) return;
      quietMs += TICK_MS;
      elapsedMs += TICK_MS;
      if (quietMs >= limits.quietMs || elapsedMs >= limits.maxMs) finish(true);
    }, TICK_MS);
    if (stop?.aborted) onStop();
    else stop?.addEventListener("abort", onStop, { once: true });
  });
}
