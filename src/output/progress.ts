// What a person at the terminal is told while authwrap steps in: one line when the re-auth starts,
// and, while it runs past a second, a line saying how long it has been. Lines, never a spinner
// redrawn in place: at a terminal the re-auth writes its own stderr straight to it (a device code,
// a prompt) and a redraw would erase that text.
import type { Writable } from "node:stream";
import { visible } from "./terminal.js";

/** The first elapsed-time line after this long; then one every REPEAT_MS. */
export const FIRST_WAIT_MS = 1000;
const REPEAT_MS = 10_000;

export interface ReauthNotices {
  /** Says the re-auth starts; the returned function is called once it ended. */
  reauthStarting(message: string | undefined, command: string): () => void;
}

/** `colour`: whether "authwrap:" may be bold (colorLevel in terminal.ts decides). */
export function createReauthNotices(
  stderr: Writable,
  colour: boolean,
): ReauthNotices {
  const label = colour ? "\u001b[1mauthwrap:\u001b[22m" : "authwrap:";
  const say = (text: string) => void stderr.write(`${label} ${text}\n`);
  return {
    reauthStarting(message, command) {
      // Captured text (the message names what the command printed) is shown with its controls escaped.
      const what = message ? `${visible(message)} — ` : "";
      say(`${what}running \`${visible(command)}\``);
      const started = performance.now();
      const tick = () => {
        const seconds = Math.round((performance.now() - started) / 1000);
        say(`still re-authenticating (${seconds} s; Ctrl-C stops it)`);
        timer = setTimeout(tick, REPEAT_MS);
        timer.unref();
      };
      let timer = setTimeout(tick, FIRST_WAIT_MS);
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}
