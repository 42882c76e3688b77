// Signals the way a shell treats them. A key typed at the terminal (Ctrl-C → SIGINT, Ctrl-\ →
// SIGQUIT) goes to the whole foreground process group, the child included: passing it on as
// well would make one press two (terraform reads a second Ctrl-C as "exit immediately, skip the
// cleanup"). A signal sent with kill(1) to authwrap's pid reaches only authwrap, and nothing in
// a signal tells the two apart. So:
// - SIGTERM and SIGHUP are always passed on: a terminal never types them;
// - SIGINT and SIGQUIT are passed on only when no terminal can have delivered them: none of
//   stdin, stdout, stderr is a terminal, or (Linux, from /proc) authwrap is not in its
//   terminal's foreground process group (a background job).
// The price: `kill -INT <authwrap pid>` from elsewhere while authwrap runs in the foreground of
// a terminal does not reach the child, as with a shell; SIGTERM does.
import { readFileSync } from "node:fs";

export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

/** Handles the stop signals (they no longer end authwrap at once) until the returned function is called. */
export function onStopSignals(
  handler: (signal: NodeJS.Signals) => void,
): () => void {
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}

/** Calls `handler` once `signal` aborts (at once if it has), until the returned function is called. */
export function onAbort(signal: AbortSignal, handler: () => void): () => void {
  if (signal.aborted) {
    queueMicrotask(handler);
    return () => {};
  }
  signal.addEventListener("abort", handler, { once: true });
  return () => signal.removeEventListener("abort", handler);
}

/** Whether a child in our process group already got this signal from the terminal. */
export function deliveredByTerminal(
  signal: NodeJS.Signals,
  atTerminal: boolean,
): boolean {
  if (signal !== "SIGINT" && signal !== "SIGQUIT") return false;
  return atTerminal && inForegroundGroup() !== false;
}

/** Linux: whether we are in the foreground process group of our controlling terminal; null where that cannot be read. */
function inForegroundGroup(): boolean | null {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // After the command name, which may hold spaces and parentheses: state ppid pgrp session tty_nr tpgid.
    const [, , pgrp, , ttyNr, tpgid] = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ");
    return ttyNr !== "0" && tpgid === pgrp;
  } catch {
    return null;
  }
}
