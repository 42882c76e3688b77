// One execution of the command inside a pseudo-terminal, for a person at a terminal: the command
// sees a TTY on stdin, stdout and stderr (colours, isatty, window size, raw-mode prompts, line
// buffering), while authwrap still reads every byte for classification. @lydell/node-pty is an
// optional dependency with prebuilt binaries and no install script; it loads here, only on this
// path, and where it cannot load runInPty answers null and attempt.ts falls back to pipes.
//
// In a pty stdout and stderr are one stream: what the command printed goes into both output
// windows, so a rule written for either stream still sees it (normalize.ts strips the colour
// codes and turns the tty's \r\n back into \n before matching).
import { accessSync, constants as fs, statSync } from "node:fs";
import { constants as os } from "node:os";
import { delimiter, join } from "node:path";
import type { IPty } from "@lydell/node-pty";
import { createOutputWindow } from "./windows.js";
import { onStopSignals } from "./signals.js";
import type { RunTarget } from "./attempt.js";
import { notStartedAttempt } from "./captured.js";
import type { Attempt } from "../types.js";

type Spawn = typeof import("@lydell/node-pty").spawn;
type TerminalIn = NodeJS.ReadStream;
type TerminalOut = NodeJS.WriteStream;

let loaded: Spawn | null | undefined;

/** node-pty's spawn, or null where the package or its binary for this platform is missing. */
export async function loadPty(): Promise<Spawn | null> {
  if (loaded !== undefined) return loaded;
  try {
    loaded = (await import("@lydell/node-pty")).spawn;
  } catch {
    loaded = null;
  }
  return loaded;
}

/** Runs the attempt in a pty on the caller's terminal; null when no pty can be had. */
export async function runInPty(
  target: RunTarget,
  input: TerminalIn,
): Promise<Attempt | null> {
  const spawn = await loadPty();
  if (!spawn) return null;
  const started = performance.now();
  const startedAt = Date.now();
  const output = target.stdout as TerminalOut;
  // node-pty reports a command it cannot run as a child exiting 1; find it first, as a shell does.
  const missing = findCommand(target.command, target.env.PATH);
  if (missing)
    return notStartedAttempt(missing, performance.now() - started, startedAt);

  let child: IPty;
  try {
    child = spawn(target.command, target.args, {
      name: target.env.TERM || "xterm-256color",
      cols: output.columns || 80,
      rows: output.rows || 24,
      env: withoutUnset(target.env),
      // Buffers, not strings: the bytes go on unchanged and a character split across reads stays whole.
      encoding: null,
    });
  } catch (error) {
    return notStartedAttempt(
      (error as NodeJS.ErrnoException).code ?? "EUNKNOWN",
      performance.now() - started,
      startedAt,
    );
  }
  const window = createOutputWindow();
  let interrupted: NodeJS.Signals | null = null;
  let outputClosed = false;

  child.onData((data) => {
    const chunk = data as unknown as Buffer;
    window.push(chunk);
    if (!outputClosed) output.write(chunk);
  });
  const onOutputError = () => {
    outputClosed = true;
    child.kill("SIGHUP");
  };
  output.on("error", onOutputError);
  // The window size follows the terminal's: Node turns SIGWINCH into 'resize' on a TTY stream.
  const onResize = () => child.resize(output.columns || 80, output.rows || 24);
  output.on("resize", onResize);
  // Keys go to the pty as typed; the pty's own line discipline echoes them and turns Ctrl-C into
  // one SIGINT for the command. So any stop signal authwrap itself gets was sent with kill(1):
  // it is passed on (a terminal in raw mode types none).
  // The bytes go on as they are: node-pty's write hands its argument to the socket, which takes a Buffer.
  const restoreInput = rawInput(input, (key) =>
    child.write(key as unknown as string),
  );
  const removeSignals = onStopSignals((signal) => {
    interrupted ??= signal;
    child.kill(signal);
  });
  const exit = await new Promise<{ exitCode: number; signal?: number }>(
    (resolve) => child.onExit(resolve),
  );
  removeSignals();
  restoreInput();
  output.off("resize", onResize);
  output.off("error", onOutputError);
  // The tty's line ends, as the command wrote them, for the envelope's detail.
  const read = window.read();
  const text = { ...read, text: read.text.replace(/\r\n/g, "\n") };
  const signal = exit.signal ? signalName(exit.signal) : null;
  return {
    exitCode: signal ? null : exit.exitCode,
    signal,
    spawnError: null,
    stdout: text,
    stderr: text,
    data: null,
    dataTruncated: false,
    dataFile: null,
    dataFileError: null,
    durationMs: performance.now() - started,
    startedAt,
    outputClosed,
    interrupted,
  };
}

/** Puts the terminal in raw mode and forwards its keys until the returned function restores it. */
function rawInput(input: TerminalIn, forward: (key: Buffer) => void) {
  const onKey = (key: Buffer) => forward(key);
  // Restored however authwrap ends, even by an exception: a terminal left raw shows no typing.
  const restore = () => {
    if (input.isRaw) input.setRawMode(false);
  };
  input.setRawMode(true);
  input.on("data", onKey);
  input.resume();
  process.once("exit", restore);
  return () => {
    input.off("data", onKey);
    input.pause();
    restore();
    process.off("exit", restore);
  };
}

/** The errno a shell would meet running `command`: ENOENT, EACCES; null when it can run. */
function findCommand(command: string, path: string | undefined): string | null {
  const candidates = command.includes("/")
    ? [command]
    : (path ?? "").split(delimiter).map((dir) => join(dir || ".", command));
  let found: string | null = "ENOENT";
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(file, fs.X_OK);
      return null;
    } catch {
      found = "EACCES";
    }
  }
  return found;
}

function withoutUnset(
  env: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env))
    if (value !== undefined) out[key] = value;
  return out;
}

function signalName(number: number): string {
  const entry = Object.entries(os.signals).find(([, n]) => n === number);
  return entry ? entry[0] : `SIG${number}`;
}
