// Bounded reads of the files a credential lives in: a regular file of at most 1 MiB, read once.
// A probe that cannot read its source says why (for --verbose) and yields nothing.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Credential caches are small; anything larger is not one, and is not read into memory. */
export const MAX_CREDENTIAL_FILE_BYTES = 1024 * 1024;

export type ReadResult = { text: string } | { error: string };

export function readBounded(path: string): ReadResult {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO (`-H @/dev/stdin`, a named pipe) must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { error: `${path}: ${describeErrno(error)}` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { error: `${path}: not a regular file` };
    if (stats.size > MAX_CREDENTIAL_FILE_BYTES)
      return {
        error: `${path}: larger than ${MAX_CREDENTIAL_FILE_BYTES} bytes; not read`,
      };
    const buffer = Buffer.alloc(stats.size);
    let filled = 0;
    while (filled < buffer.length) {
      const n = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    return { text: buffer.subarray(0, filled).toString("utf8") };
  } catch (error) {
    return { error: `${path}: ${describeErrno(error)}` };
  } finally {
    closeSync(fd);
  }
}

/** A JSON object from a bounded file, or why not. */
export function readJsonObject(
  path: string,
): { value: Record<string, unknown> } | { error: string } {
  const read = readBounded(path);
  if ("error" in read) return read;
  try {
    const value: unknown = JSON.parse(read.text);
    if (value && typeof value === "object" && !Array.isArray(value))
      return { value: value as Record<string, unknown> };
    return { error: `${path}: not a JSON object` };
  } catch {
    return { error: `${path}: not JSON` };
  }
}

/** The user's home folder as the wrapped command sees it (HOME from its environment). */
export function homeOf(env: Record<string, string | undefined>): string {
  return env.HOME || homedir();
}

/** `~/x` → the home folder's x; other paths unchanged. */
export function expandHome(
  path: string,
  env: Record<string, string | undefined>,
): string {
  return path === "~" || path.startsWith("~/")
    ? join(homeOf(env), path.slice(1))
    : path;
}

function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === "ENOENT"
    ? "not found"
    : code === "EACCES"
      ? "not readable"
      : (code ?? String(error));
}
