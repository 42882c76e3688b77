// One execution of the wrapped command → Attempt. Never throws for the child's failures.
// This is the hot path, so it spawns with node:child_process directly: loading execa costs
// more start-up time than the whole rest of authwrap (see docs/BENCHMARKS.md). The re-auth,
// which runs only on an expiry, uses execa.
import { now } from "./clock.js";
import { spawn, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import { createOutputWindow } from "./windows.js";
import { DRAIN_LIMITS, drainPipes } from "./drain.js";
import { HANDOFF_BYTES, startRelayWorker, type RelayWorker } from "./relay.js";
import { createHoldback } from "./holdback.js";
import { deliveredByTerminal, onAbort, onStopSignals } from "./signals.js";
import { createDataSink } from "./data-sink.js";
import { socketPair } from "./shared-output.js";
import type { StdinTape } from "./stdin-tape.js";
import { notStartedAttempt } from "./captured.js";
import type { Attempt, Mode } from "../types.js";

export interface RunTarget {
  command: string;
  args: string[];
  mode: Mode;
  env: Record<string, string | undefined>;
  /** null: the child inherits our stdin (a terminal, or /dev/null: see nullStdin) directly. */
  stdin: StdinTape | null;
  /** The inherited stdin is /dev/null, not a terminal (signals are passed on as for pipes). */
  nullStdin?: boolean;
  stdout: Writable;
  stderr: Writable;
  /** Passthrough: hold back up to this many bytes of stdout (a retry may replace them); see holdback.ts. */
  holdStdout?: number;
  /** --json: bytes of stdout kept for `data`; the rest spills to a file in stateDir. */
  dataLimit: number;
  stateDir: string;
  /** Work to do once the child has started (compiling the rules): its start-up hides it. */
  whileRunning?: () => void;
  /** stdout and stderr are one file (`2>&1`): give the child one socket for both (shared-output.ts). */
  shareOutput?: boolean;
  /** --verbose lines. */
  log?: (line: string) => void;
  /** The library's stop (src/index.ts): replaces the process signal handlers. */
  abort?: AbortSignal;
  /**
   * The person's terminal, when the command should run in a pseudo-terminal on it (pty.ts). With
   * no pty to be had, its stdout inherits the terminal and only stderr is read.
   */
  terminal?: NodeJS.ReadStream;
}

export async function runAttempt(target: RunTarget): Promise<Attempt> {
  if (target.terminal) {
    const { runInPty } = await import("./pty.js");
    const attempt = await runInPty(target, target.terminal);
    if (attempt) return attempt;
  }
  const started = now();
  const startedAt = Date.now();
  let child: ChildProcess;
  // One socket for both streams keeps their order; without one (EMFILE) two pipes still work.
  const pair =
    target.shareOutput && target.mode === "passthrough"
      ? await socketPair().catch(() => undefined)
      : undefined;
  try {
    child = spawn(target.command, target.args, {
      stdio: [
        target.stdin ? "pipe" : "inherit",
        target.terminal ? "inherit" : (pair?.child ?? "pipe"),
        pair?.child ?? "pipe",
      ],
      env: target.env as NodeJS.ProcessEnv,
    });
  } catch (error) {
    pair?.child.destroy();
    pair?.ours.destroy();
    // Node throws, instead of emitting 'error', for every errno but a few (ENOTDIR, E2BIG, ELOOP, ETXTBSY...).
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== "string" || !/^E[A-Z0-9]+$/.test(code)) throw error;
    return notStartedAttempt(code, now() - started, startedAt);
  }
  // The child has its own copies of the socket now; ours would keep the stream open.
  pair?.child.destroy();
  const childStdout = pair ? pair.ours : child.stdout;
  const exited = waitForExit(child);
  const stdoutWindow = createOutputWindow();
  const stderrWindow = createOutputWindow();
  const data =
    target.mode === "json"
      ? createDataSink(target.dataLimit, target.stateDir)
      : undefined;
  let outputClosed = false;

  if (child.stdin && target.stdin) target.stdin.attach(child.stdin);
  let childExited = false;
  let interrupted: NodeJS.Signals | null = null;
  const stopDrain = new AbortController();
  // A person may be typing at the terminal; see signals.ts for when a signal is passed on.
  const atTerminal =
    (target.stdin === null && !target.nullStdin) ||
    isTTY(target.stdout) ||
    isTTY(target.stderr);
  const onStop = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    // Once the child is gone a signal can only mean "stop waiting": for pipes a grandchild still holds.
    if (childExited) stopDrain.abort();
    else if (!deliveredByTerminal(signal, atTerminal)) child.kill(signal);
  };
  // The library passes its own stop and leaves the host process's signal handling alone.
  const removeSignals = target.abort
    ? onAbort(target.abort, () => onStop("SIGTERM"))
    : onStopSignals(onStop);
  const onCallerGone = () => {
    // The reader went away (`| head -1`): stop the child the way a shell pipe would.
    outputClosed = true;
    child.kill("SIGPIPE");
  };

  const stdoutSink = data ? undefined : target.stdout;
  const holdback =
    !data && target.holdStdout ? createHoldback(target.holdStdout) : undefined;
  // A large stdout is handed to a worker thread (relay.ts) once nothing is held back or queued.
  let stdoutSeen = 0;
  let waitingDrain = false;
  let worker: RelayWorker | undefined;
  // The worker failed (could not start, ran out of memory): the main thread relays the rest.
  let workerFailed = false;
  const workerAllowed =
    !data && !pair && stdoutSink !== undefined && fdOf(stdoutSink) === 1;
  const maybeHandOff = (): boolean => {
    if (
      !workerAllowed ||
      worker ||
      workerFailed ||
      outputClosed ||
      waitingDrain ||
      stdoutSeen < HANDOFF_BYTES ||
      (holdback && !holdback.released()) ||
      stdoutSink.writableLength > 0 ||
      !childStdout ||
      childStdout.readableLength > 0
    )
      return false;
    const handle = (
      childStdout as unknown as {
        _handle?: {
          fd?: number;
          readStop?: () => number;
          readStart?: () => number;
        };
      }
    )._handle;
    if (typeof handle?.fd !== "number" || handle.fd < 0 || !handle.readStop)
      return false;
    childStdout.pause();
    handle.readStop();
    // A pipe on stdout is non-blocking (libuv made it so): the worker would spin on EAGAIN. Blocking,
    // a full pipe simply holds the worker back, which is the back-pressure wanted.
    (
      stdoutSink as unknown as {
        _handle?: { setBlocking?: (on: boolean) => number };
      }
    )._handle?.setBlocking?.(true);
    worker = startRelayWorker(handle.fd, 1, DRAIN_LIMITS.quietMs);
    target.log?.(
      `stdout: ${stdoutSeen} bytes relayed; a worker thread relays the rest`,
    );
    void worker.done.then((result) => {
      target.log?.(
        `stdout relay: ${result.outcome} after ${result.total} more bytes`,
      );
      stdoutWindow.skip(result.total - result.tail.length);
      stdoutWindow.push(result.tail);
      if (result.outcome === "epipe") onCallerGone();
      else if (result.outcome.startsWith("error")) {
        // Nobody would read the child's stdout again, and a child blocked writing never exits.
        workerFailed = true;
        worker = undefined;
        target.log?.("stdout relay: the main thread relays the rest");
        handle.readStart?.();
        childStdout.resume();
      }
    });
    return true;
  };
  childStdout?.on("data", (chunk: Buffer) => {
    stdoutWindow.push(chunk);
    stdoutSeen += chunk.length;
    // One stream for both: the rules for either may find their words in it.
    if (pair) stderrWindow.push(chunk);
    if (data) data.push(chunk);
    else if (!outputClosed) {
      let full = false;
      for (const out of holdback ? holdback.push(chunk) : [chunk])
        full = !stdoutSink!.write(out) || full;
      if (!full) maybeHandOff();
      else {
        waitingDrain = true;
        childStdout.pause();
        stdoutSink!.once("drain", () => {
          waitingDrain = false;
          if (!maybeHandOff()) childStdout.resume();
        });
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderrWindow.push(chunk);
    if (!outputClosed) relay([chunk], child.stderr!, target.stderr);
  });
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED")
      onCallerGone();
  };
  target.stdout.on("error", onStdoutError);

  target.whileRunning?.();
  const result = await exited;
  childExited = true;
  if (!result.spawnError) {
    const relayed = worker;
    if (relayed) {
      relayed.childExited();
      const limit = setTimeout(relayed.stop, DRAIN_LIMITS.maxMs);
      stopDrain.signal.addEventListener("abort", relayed.stop);
      await Promise.all([
        relayed.done,
        drainPipes([child.stderr], stopDrain.signal),
      ]);
      clearTimeout(limit);
      if (workerFailed) await drainPipes([childStdout], stopDrain.signal);
      else childStdout?.destroy();
    } else await drainPipes([childStdout, child.stderr], stopDrain.signal);
  } else pair?.ours.destroy();
  removeSignals();
  target.stdout.off("error", onStdoutError);
  target.stdin?.detach();
  data?.close();

  return {
    exitCode: result.exitCode,
    signal: result.signal,
    spawnError: result.spawnError,
    stdout: stdoutWindow.read(),
    stderr: stderrWindow.read(),
    data: data ? data.read() : null,
    dataTruncated: data?.truncated() ?? false,
    dataFile: data?.file() ?? null,
    dataFileError: data?.failure() ?? null,
    durationMs: now() - started,
    startedAt,
    outputClosed,
    interrupted,
    heldStdout: holdback?.take(),
    stdoutReleased: holdback?.released(),
  };
}

interface ExitResult {
  exitCode: number | null;
  signal: string | null;
  spawnError: Attempt["spawnError"];
}

/** Resolves once the child has exited (its pipes may still be open: see drain.ts), or failed to start. */
function waitForExit(child: ChildProcess): Promise<ExitResult> {
  return new Promise((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      // A failure to start (ENOENT, EACCES; EAGAIN, EMFILE when the system is short of processes or files).
      resolve({
        exitCode: null,
        signal: null,
        spawnError: error.code ?? "EUNKNOWN",
      });
    });
    child.once("exit", (code, signal) =>
      resolve({ exitCode: code, signal, spawnError: null }),
    );
  });
}

function fdOf(stream: Writable): number | undefined {
  if (isTTY(stream)) return undefined;
  return (stream as Writable & { fd?: number }).fd;
}

function isTTY(stream: Writable): boolean {
  return (stream as Writable & { isTTY?: boolean }).isTTY === true;
}

/** Writes chunks on, pausing the source while the destination is full. */
function relay(
  chunks: Buffer[],
  source: NodeJS.ReadableStream,
  destination: Writable,
): void {
  let full = false;
  for (const chunk of chunks) full = !destination.write(chunk) || full;
  if (full) {
    source.pause();
    destination.once("drain", () => source.resume());
  }
}
