// One execution of the wrapped command → Attempt. Never throws for the child's failures.
import type { Writable } from 'node:stream';
import { execa } from 'execa';
import { OutputWindow } from './capture.js';
import type { StdinTape } from './stdin.js';
import type { Attempt, Mode } from './types.js';

export const DATA_LIMIT = 16 * 1024 * 1024;
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunTarget {
  command: string;
  args: string[];
  mode: Mode;
  env: Record<string, string | undefined>;
  /** null: the child inherits our stdin (a terminal) directly. */
  stdin: StdinTape | null;
  stdout: Writable;
  stderr: Writable;
  dataLimit?: number;
}

export async function runAttempt(target: RunTarget): Promise<Attempt> {
  const started = performance.now();
  const child = execa(target.command, target.args, {
    reject: false,
    buffer: false,
    stdin: target.stdin ? 'pipe' : 'inherit',
    stdout: 'pipe',
    stderr: 'pipe',
    encoding: 'buffer',
    env: target.env,
    extendEnv: false,
    stripFinalNewline: false,
  });
  const stdoutWindow = new OutputWindow();
  const stderrWindow = new OutputWindow();
  const data = target.mode === 'json' ? collectData(target.dataLimit ?? DATA_LIMIT) : undefined;
  let outputClosed = false;

  if (child.stdin && target.stdin) target.stdin.attach(child.stdin);
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  const onCallerGone = () => {
    // The reader went away (`| head -1`): stop the child the way a shell pipe would.
    outputClosed = true;
    child.kill('SIGPIPE');
  };

  const stdoutSink = data ? undefined : target.stdout;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutWindow.push(chunk);
    if (data) data.push(chunk);
    else if (!outputClosed) relay(chunk, child.stdout!, stdoutSink!);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrWindow.push(chunk);
    if (!outputClosed) relay(chunk, child.stderr!, target.stderr);
  });
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') onCallerGone();
  };
  target.stdout.on('error', onStdoutError);

  const result = await child;
  for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  target.stdout.off('error', onStdoutError);
  target.stdin?.detach();

  const spawnError = result.code === 'ENOENT' || result.code === 'EACCES' ? result.code : null;
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    spawnError,
    stdout: stdoutWindow.read(),
    stderr: stderrWindow.read(),
    data: data ? data.read() : null,
    dataTruncated: data?.truncated() ?? false,
    durationMs: performance.now() - started,
    outputClosed,
  };
}

/** Writes a chunk on, pausing the source while the destination is full. */
function relay(chunk: Buffer, source: NodeJS.ReadableStream, destination: Writable): void {
  if (!destination.write(chunk)) {
    source.pause();
    destination.once('drain', () => source.resume());
  }
}

function collectData(limit: number) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let over = false;
  return {
    push(chunk: Buffer) {
      if (over) return;
      const room = limit - bytes;
      if (chunk.length > room) {
        over = true;
        chunks.push(chunk.subarray(0, room));
        bytes = limit;
        return;
      }
      chunks.push(chunk);
      bytes += chunk.length;
    },
    read: () => Buffer.concat(chunks),
    truncated: () => over,
  };
}
