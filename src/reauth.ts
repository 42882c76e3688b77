// Runs the re-auth command once, through the shell, with a time limit → ReauthResult.
// Its stdout goes to our stderr so it can never pollute the envelope or the child's data, and
// both of its streams pass through the redactor line by line: a login prints tokens.
import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';
import type { Redactor } from './redact.js';
import type { ReauthResult } from './types.js';

/** A partial line (a prompt) is written after this long without more output, at a terminal only. */
const PROMPT_IDLE_MS = 100;
/** A line longer than this is masked and written in pieces rather than held whole. */
const MAX_LINE_CHARS = 64 * 1024;

export type ReauthContext = 'interactive' | 'agent' | 'ci';

export interface ReauthTarget {
  command: string;
  timeoutMs: number;
  context: ReauthContext;
  env: Record<string, string | undefined>;
  stderr: Writable;
  redact: Redactor;
}

export async function runReauth(target: ReauthTarget): Promise<ReauthResult> {
  const started = performance.now();
  const interactive = target.context === 'interactive';
  const child = execa(target.command, {
    shell: true,
    reject: false,
    buffer: false,
    // A person may have to answer a login prompt; nobody can in an agent or CI run.
    stdin: interactive ? 'inherit' : 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...target.env, AUTHWRAP_CONTEXT: target.context },
    extendEnv: false,
    // Its own process group, so a timeout kills the whole pipeline it may have started.
    detached: !interactive,
  });
  const relayed = [child.stdout, child.stderr].map((stream) => (stream ? relayRedacted(stream, target.stderr, target.redact, interactive) : Promise.resolve()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree(child.pid, !interactive);
  }, target.timeoutMs);
  const result = await child;
  clearTimeout(timer);
  await Promise.all(relayed);
  return {
    command: target.command,
    exitCode: timedOut ? null : (result.exitCode ?? null),
    durationMs: performance.now() - started,
    timedOut,
  };
}

/**
 * Copies a stream to `destination` a line at a time through `redact`, so a token is masked whole
 * even when it arrives split across chunks. At a terminal a partial line (a prompt waiting for an
 * answer) is written once the output pauses; elsewhere nobody can answer one, so it waits for its
 * newline or the end.
 */
function relayRedacted(source: Readable, destination: Writable, redact: Redactor, flushPrompts: boolean): Promise<void> {
  return new Promise((resolve) => {
    let pending = '';
    let idle: NodeJS.Timeout | undefined;
    const flush = (text: string) => {
      if (text) destination.write(redact(text));
    };
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      clearTimeout(idle);
      pending += chunk;
      const end = pending.lastIndexOf('\n') + 1;
      if (end > 0) {
        flush(pending.slice(0, end));
        pending = pending.slice(end);
      }
      if (pending.length > MAX_LINE_CHARS) {
        flush(pending);
        pending = '';
      }
      if (pending && flushPrompts) {
        idle = setTimeout(() => {
          flush(pending);
          pending = '';
        }, PROMPT_IDLE_MS);
      }
    });
    const done = () => {
      clearTimeout(idle);
      flush(pending);
      pending = '';
      resolve();
    };
    source.once('end', done);
    source.once('error', done);
    source.once('close', done);
  });
}

function killTree(pid: number | undefined, ownGroup: boolean): void {
  if (pid === undefined) return;
  try {
    process.kill(ownGroup ? -pid : pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
