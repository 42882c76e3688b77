// `2>&1` into a file or a pipe: authwrap's stdout and stderr are one file. Relayed through two
// pipes the child's lines would reach it in the order the event loop reads them, not the order
// they were written; given one socket for both (as a shell would), they keep their order.
import { fstatSync, statSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { lazyCrypto } from "./crypto.js";

/** True when fds 1 and 2 are the same file or pipe, and not a terminal (a terminal keeps order). */
export function stdoutIsStderr(): boolean {
  try {
    const out = fstatSync(1);
    const err = fstatSync(2);
    return (
      !out.isCharacterDevice() && out.dev === err.dev && out.ino === err.ino
    );
  } catch {
    return false;
  }
}

/** Two connected sockets: `child` goes to the child as both stdout and stderr, `ours` is read. */
export async function socketPair(): Promise<{ child: Socket; ours: Socket }> {
  const name = `authwrap-${process.pid}-${lazyCrypto().randomBytes(6).toString("hex")}`;
  // Linux's abstract namespace leaves nothing on disk; elsewhere a socket file in the temp folder.
  const path =
    process.platform === "linux" ? `\0${name}` : join(tmpdir(), `${name}.sock`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, resolve);
  });
  try {
    const accepted = new Promise<Socket>((resolve) =>
      server.once("connection", resolve),
    );
    const child = createConnection(path);
    await new Promise<void>((resolve, reject) => {
      child.once("connect", resolve);
      child.once("error", reject);
    });
    const ours = await accepted;
    return { child, ours };
  } finally {
    server.close();
  }
}

/**
 * True when fd 0 is /dev/null: there is nothing to forward or replay, so the child inherits it
 * and process.stdin (a stream, a read through the thread pool) is never created.
 */
export function stdinIsDevNull(): boolean {
  try {
    const stdin = fstatSync(0);
    const devNull = statSync("/dev/null");
    return stdin.isCharacterDevice() && stdin.rdev === devNull.rdev;
  } catch {
    return false;
  }
}
