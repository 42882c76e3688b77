// Attempts with no live output: output captured elsewhere (`authwrap classify`), or a command
// that could not be started (pipes or pty alike). Same fixed fields as one that ran, so the one
// envelope builder reads them all alike.
import { createOutputWindow } from "./windows.js";
import type { Attempt, OutputText } from "../types.js";

export function capturedAttempt(
  exitCode: number,
  stdout: OutputText,
  stderr: OutputText,
  data: Buffer,
  dataTruncated: boolean,
): Attempt {
  return {
    exitCode,
    signal: null,
    spawnError: null,
    stdout,
    stderr,
    data,
    dataTruncated,
    dataFile: null,
    dataFileError: null,
    durationMs: 0,
    startedAt: Date.now(),
    outputClosed: false,
  };
}

/** A command that could not be started (spawn-error.ts names the cause). */
export function notStartedAttempt(
  spawnError: string,
  durationMs: number,
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
    durationMs,
    startedAt,
    outputClosed: false,
    interrupted: null,
  };
}

/** The command was not run (a proactive re-auth refused it): no output, no exit code. */
export function notRunAttempt(): Attempt {
  return { ...notStartedAttempt("", 0, Date.now()), spawnError: null };
}
