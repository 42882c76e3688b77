// Runs the re-auth command once, through the shell, with a time limit → ReauthResult.
// Its stdout goes to our stderr so it can never pollute the envelope or the child's data.
import type { Writable } from 'node:stream';
import { execa } from 'execa';
import type { ReauthResult } from './types.js';

export type ReauthContext = 'interactive' | 'agent' | 'ci';

export interface ReauthTarget {
  command: string;
  timeoutMs: number;
  context: ReauthContext;
  env: Record<string, string | undefined>;
  stderr: Writable;
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
  child.stdout?.pipe(target.stderr, { end: false });
  child.stderr?.pipe(target.stderr, { end: false });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree(child.pid, !interactive);
  }, target.timeoutMs);
  const result = await child;
  clearTimeout(timer);
  return {
    command: target.command,
    exitCode: timedOut ? null : (result.exitCode ?? null),
    durationMs: performance.now() - started,
    timedOut,
  };
}

function killTree(pid: number | undefined, ownGroup: boolean): void {
  if (pid === undefined) return;
  try {
    process.kill(ownGroup ? -pid : pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
