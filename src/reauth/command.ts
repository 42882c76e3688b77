// Runs the re-auth command once, through the shell (execa), with a time limit → ReauthResult.
// Its stdout goes to our stderr so it can never pollute the envelope or the child's data, and
// both of its streams pass through the redactor line by line: a login prints tokens.
//
// Where it runs:
// - At a terminal (a person is there) it gets the terminal: stdin and stderr inherited, stdout
//   onto our stderr, so `gh auth refresh` or `aws sso login` see a TTY to prompt on. It then stays
//   in our process group, the terminal's foreground group: in a group of its own, reading the
//   terminal would stop it (SIGTTIN). A time-out or a signal stops that one process.
// - Elsewhere it gets a process group of its own (setsid), stdin closed, output through pipes;
//   a time-out or a signal stops the whole group, whatever it started.
// Stopping is SIGTERM, then SIGKILL after KILL_GRACE_MS. It is done when its main process exits:
// a helper it left running (`sleep 300 &`) holding the pipes is not waited for beyond drain.ts's
// bound. A helper that calls setsid itself leaves the group and escapes the kill (README).
import type { Readable, Writable } from "node:stream";
import { execa } from "execa";
import { drainPipes } from "../run/drain.js";
import type { Redactor } from "../output/redact.js";
import { onAbort, onStopSignals } from "../run/signals.js";
import type { ReauthResult } from "../types.js";

/** A partial line (a prompt) is written after this long without more output, at a terminal only. */
const PROMPT_IDLE_MS = 100;
/** A line longer than this is masked and written in pieces rather than held whole. */
const MAX_LINE_CHARS = 64 * 1024;

/** Who called authwrap: a person at a terminal, an agent, or CI (AUTHWRAP_CONTEXT for the re-auth). */
export type CallerKind = "interactive" | "agent" | "ci";

/** After SIGTERM, how long the re-auth's processes get to clean up before SIGKILL. */
export const KILL_GRACE_MS = 1000;
const POLL_MS = 25;

export interface ReauthTarget {
  command: string;
  timeoutMs: number;
  context: CallerKind;
  env: Record<string, string | undefined>;
  stderr: Writable;
  redact: Redactor;
  /** The library's stop (src/index.ts): replaces the process signal handlers. */
  abort?: AbortSignal;
}

export async function runReauth(target: ReauthTarget): Promise<ReauthResult> {
  const started = performance.now();
  const atTerminal = target.context === "interactive";
  const child = execa(target.command, {
    shell: true,
    reject: false,
    buffer: false,
    stdin: atTerminal ? "inherit" : "ignore",
    stdout: atTerminal ? 2 : "pipe",
    stderr: atTerminal ? "inherit" : "pipe",
    env: { ...target.env, AUTHWRAP_CONTEXT: target.context },
    extendEnv: false,
    detached: !atTerminal,
  });
  // The result comes from the process's own events below; execa's promise would also wait for pipes a helper holds.
  child.then(
    () => {},
    () => {},
  );
  for (const stream of [child.stdout, child.stderr])
    if (stream) void relayRedacted(stream, target.stderr, target.redact, false);

  let exited = false;
  const exit = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  }).finally(() => {
    exited = true;
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= terminate(child.pid, !atTerminal, () => exited));
  let timedOut = false;
  let interrupted: NodeJS.Signals | null = null;
  const stopDrain = new AbortController();
  const timer = setTimeout(() => {
    timedOut = true;
    void stop();
  }, target.timeoutMs);
  const onStop = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    if (exited) stopDrain.abort();
    else void stop();
  };
  const removeSignals = target.abort
    ? onAbort(target.abort, () => onStop("SIGTERM"))
    : onStopSignals(onStop);

  const exitCode = await exit;
  clearTimeout(timer);
  await stopping;
  await drainPipes([child.stdout, child.stderr], stopDrain.signal);
  // After an interruption authwrap is on its way out: a second signal must not cut short the
  // release of the lock and the envelope, so the handler stays; otherwise it goes.
  if (!interrupted) removeSignals();
  return {
    command: target.command,
    exitCode: timedOut ? null : exitCode,
    durationMs: performance.now() - started,
    timedOut,
    ...(interrupted ? { interrupted } : {}),
  };
}

/**
 * Copies a stream to `destination` a line at a time through `redact`, so a token is masked whole
 * even when it arrives split across chunks. At a terminal a partial line (a prompt waiting for an
 * answer) is written once the output pauses; elsewhere nobody can answer one, so it waits for its
 * newline or the end.
 */
function relayRedacted(
  source: Readable,
  destination: Writable,
  redact: Redactor,
  flushPrompts: boolean,
): Promise<void> {
  return new Promise((resolve) => {
    let pending = "";
    let idle: NodeJS.Timeout | undefined;
    const flush = (text: string) => {
      if (text) destination.write(redact(text));
    };
    source.setEncoding("utf8");
    source.on("data", (chunk: string) => {
      clearTimeout(idle);
      pending += chunk;
      const end = pending.lastIndexOf("\n") + 1;
      if (end > 0) {
        flush(pending.slice(0, end));
        pending = pending.slice(end);
      }
      if (pending.length > MAX_LINE_CHARS) {
        flush(pending);
        pending = "";
      }
      if (pending && flushPrompts) {
        idle = setTimeout(() => {
          flush(pending);
          pending = "";
        }, PROMPT_IDLE_MS);
      }
    });
    const done = () => {
      clearTimeout(idle);
      flush(pending);
      pending = "";
      resolve();
    };
    source.once("end", done);
    source.once("error", done);
    source.once("close", done);
  });
}

/** SIGTERM to the process (or its whole group), SIGKILL after the grace if anything is left. */
async function terminate(
  pid: number | undefined,
  group: boolean,
  exited: () => boolean,
): Promise<void> {
  if (pid === undefined) return;
  const target = group ? -pid : pid;
  // kill(-pgid, 0) fails once no process of the group is left.
  const alive = () => (group ? send(target, 0) : !exited());
  send(target, "SIGTERM");
  for (let waited = 0; waited < KILL_GRACE_MS && alive(); waited += POLL_MS)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  if (alive()) send(target, "SIGKILL");
}

function send(target: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    return false;
  }
}
