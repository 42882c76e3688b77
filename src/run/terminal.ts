// Whether the command runs in a pseudo-terminal (pty.ts), decided per stream: one redirected to a
// file or a pipe stays a byte-exact pipe, so only a command whose stdin, stdout and stderr are all
// the person's terminal gets one. With stdin piped in, stdout and stderr stay pipes too: a rule
// may read either, and a pty cannot keep stdin apart from them. Pure: no I/O.

export interface TerminalStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export function wantsPty(
  isTTY: TerminalStreams,
  options: { pty: boolean; json: boolean },
): boolean {
  // --json: stdout is data for the envelope, read whole, never a terminal's.
  if (options.json || !options.pty) return false;
  return isTTY.stdin && isTTY.stdout && isTTY.stderr;
}
