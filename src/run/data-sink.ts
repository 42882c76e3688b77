// Keeps the child's stdout for `data` in --json mode up to a limit; past it, the whole stream
// goes to a private file (0600 in a 0700 folder) whose path the envelope gives, so nothing is lost.
// Such files expire: creating one removes those older than a day.
import { lazyCrypto } from "./crypto.js";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import {
  openStateDir,
  removeQuietly,
  sweep,
  writeFully,
} from "../reauth/state.js";

/** Spill files older than this are removed when a new one is created. */
export const SPILL_MAX_AGE_MS = 24 * 60 * 60_000;

export interface DataSink {
  push(chunk: Buffer): void;
  /** The first `limit` bytes. */
  read(): Buffer;
  truncated(): boolean;
  /** The file that holds the whole stream, once the limit was passed. */
  file(): string | null;
  /** Why the whole stream could not be kept, if it could not. */
  failure(): string | null;
  close(): void;
}

export function createDataSink(limit: number, stateDir: string): DataSink {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let over = false;
  let fd: number | undefined;
  let path: string | null = null;
  let failure: string | null = null;

  const spill = (chunk: Buffer) => {
    if (failure) return;
    try {
      if (fd === undefined) {
        const dir = join(openStateDir(stateDir), "outputs");
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        sweep(
          dir,
          (name) => name.startsWith("stdout-") && name.endsWith(".out"),
          SPILL_MAX_AGE_MS,
        );
        path = join(
          dir,
          `stdout-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}-${lazyCrypto().randomBytes(3).toString("hex")}.out`,
        );
        fd = openSync(path, "wx", 0o600);
        for (const earlier of kept) writeFully(fd, earlier);
      }
      writeFully(fd, chunk);
    } catch (error) {
      // A full disk: a partial file is not "the whole output" and only takes up what little room is left.
      failure = (error as Error).message;
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // Closed already.
        }
        fd = undefined;
        if (path) removeQuietly(path);
      }
      path = null;
    }
  };

  return {
    push(chunk) {
      if (over || keptBytes + chunk.length > limit) {
        over = true;
        spill(chunk);
        const room = limit - keptBytes;
        if (room > 0) kept.push(chunk.subarray(0, room));
        keptBytes = Math.max(keptBytes, limit);
        return;
      }
      kept.push(chunk);
      keptBytes += chunk.length;
    },
    read: () => Buffer.concat(kept),
    truncated: () => over,
    file: () => path,
    failure: () => failure,
    close() {
      if (fd !== undefined) closeSync(fd);
    },
  };
}
