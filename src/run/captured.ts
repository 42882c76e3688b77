// An Attempt that authwrap did not run itself — output captured elsewhere (`authwrap classify`) —
// with the same fixed fields as one it ran, so the one envelope builder reads both alike.
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
