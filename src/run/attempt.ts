// One execution of the wrapped command → Attempt. Never throws for the child's failures.
// This is the hot path, so it spawns with node:child_process directly: loading execa costs
// more start-up time than the whole rest of authwrap (see docs/BENCHMARKS.md). The re-auth,
// which runs only on an expiry, uses execa.
import { spawn, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import { createOutputWindow } from "./windows.js";
import { drainPipes } from "./drain.js";
import { createHoldback } from "./holdback.js";
import { deliveredByTerminal, onAbort, onStopSignals } from "./signals.js";
import { createDataSink } from "./data-sink.js";
import type { StdinTape } from "./stdin-tape.js";
import type { Attempt, Mode } from "../types.js";

export interface RunTarget {
  command: string;
  args: string[];
  mode: Mode;
  env: Record<string, string | undefined>;
  /** null: the child inherits our stdin (a terminal) directly. */
  stdin: StdinTape | null;
  stdout: Writable;
  stderr: Writable;
  /** Passthrough: hold back up to this many bytes of stdout (a retry may replace them); see holdback.ts. */
  holdStdout?: number;
  /** --json: bytes of stdout kept for `data`; the rest spills to a file in stateDir. */
  dataLimit: number;
  stateDir: string;
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
  const started = performance.now();
  const startedAt = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(target.command, target.args, {
      stdio: [
        target.stdin ? "pipe" : "inherit",
        target.terminal ? "inherit" : "pipe",
        "pipe",
      ],
      env: target.env as NodeJS.ProcessEnv,
    });
  } catch (error) {
    // Node throws, instead of emitting 'error', for every errno but a few (ENOTDIR, E2BIG, ELOOP, ETXTBSY...).
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== "string" || !/^E[A-Z0-9]+$/.test(code)) throw error;
    return notStarted(code, started, startedAt);
  }
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
    target.stdin === null || isTTY(target.stdout) || isTTY(target.stderr);
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
  child.stdout?.on("data", (chunk: Buffer) => {
    stdoutWindow.push(chunk);
    if (data) data.push(chunk);
    else if (!outputClosed)
      relay(
        holdback ? holdback.push(chunk) : [chunk],
        child.stdout!,
        stdoutSink!,
      );
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

  const result = await exited;
  childExited = true;
  if (!result.spawnError)
    await drainPipes([child.stdout, child.stderr], stopDrain.signal);
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
    durationMs: performance.now() - started,
    startedAt,
    outputClosed,
    interrupted,
    heldStdout: holdback?.take(),
    stdoutReleased: holdback?.released(),
  };
}

function notStarted(
  spawnError: string,
  started: number,
  startedAt: number,
): Attempt {
  const empty = createOutputWindow().read();
  return {
    exitCode: null,
    signal: null,
    spawnError,
    stdout: empty,
    stderr: empty,
    data: null,
    dataTruncated: false,
    dataFile: null,
    dataFileError: null,
    durationMs: performance.now() - started,
    startedAt,
    outputClosed: false,
    interrupted: null,
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
