// Large stdout, copied by a worker thread (relay-worker.cjs) instead of the event loop: Node
// reads a pipe 64 KiB per turn into a new Buffer and sends it through two streams, which cost
// about as much CPU as the copying itself. A worker costs ~30 ms of CPU to start (a second V8
// isolate) and saves ~0.5 ms per MiB, so the hand-over happens only once a stream has shown it
// is large (HANDOFF_BYTES); small and middling outputs never pay for it.
import { createRequire } from "node:module";
import { WINDOW_BYTES } from "./windows.js";

/** Bytes of stdout relayed on the main thread before the worker takes over. */
export const HANDOFF_BYTES = 16 * 1024 * 1024;

export interface RelayResult {
  /** "end" (EOF), "cut" (quiet after the child exited), "stopped", "epipe", or "error …". */
  outcome: string;
  /** Bytes the worker relayed. */
  total: number;
  /** The last WINDOW_BYTES of them, for the classification window. */
  tail: Buffer;
}

export interface RelayWorker {
  done: Promise<RelayResult>;
  /** The child exited: stop after `quietMs` without data (a grandchild may hold the pipe). */
  childExited(): void;
  /** Stop now (a signal, or the time limit after the child's exit). */
  stop(): void;
}

export function startRelayWorker(
  fd: number,
  out: number,
  quietMs: number,
): RelayWorker {
  const { Worker } = createRequire(import.meta.url)(
    "node:worker_threads",
  ) as typeof import("node:worker_threads");
  const control = new SharedArrayBuffer(4);
  const flags = new Int32Array(control);
  const worker = new Worker(new URL("./relay-worker.cjs", import.meta.url), {
    workerData: { fd, out, control, quietMs, windowBytes: WINDOW_BYTES },
  });
  const set = (value: number) => {
    if (Atomics.load(flags, 0) < value) Atomics.store(flags, 0, value);
    Atomics.notify(flags, 0);
  };
  const done = new Promise<RelayResult>((resolve) => {
    let result: RelayResult | undefined;
    worker.once("message", (message: RelayResult) => {
      result = { ...message, tail: Buffer.from(message.tail) };
    });
    worker.once("error", (error) =>
      resolve({
        outcome: `error ${error.message}`,
        total: 0,
        tail: Buffer.alloc(0),
      }),
    );
    worker.once("exit", () =>
      resolve(
        result ?? { outcome: "error exit", total: 0, tail: Buffer.alloc(0) },
      ),
    );
  });
  return { done, childExited: () => set(1), stop: () => set(2) };
}
