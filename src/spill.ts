// Keeps the child's stdout for `data` in --json mode up to a limit; past it, the whole stream
// goes to a private file (0600 in a 0700 folder) whose path the envelope gives, so nothing is lost.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openStateDir } from './state.js';

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
        const dir = join(openStateDir(stateDir), 'outputs');
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        path = join(dir, `stdout-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.out`);
        fd = openSync(path, 'wx', 0o600);
        for (const earlier of kept) writeFully(fd, earlier);
      }
      writeFully(fd, chunk);
    } catch (error) {
      failure = (error as Error).message;
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

/** write(2) may write less than asked, on a busy machine too: loop until all of it is out. */
function writeFully(fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset);
}
