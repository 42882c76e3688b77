// Users' rule files decide what authwrap runs, so they are read like the state folder: a
// regular file of bounded size, owned by you (or root), in folders nobody else can write. The
// bytes are read once, through one descriptor, and hashed: trust is pinned to what was loaded,
// not to whatever the path holds by the time a re-auth runs.
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  statSync,
} from "node:fs";
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { AuthwrapError } from "../errors.js";

export const MAX_RULE_FILE_BYTES = 1024 * 1024;

export interface LoadedSource {
  text: string;
  sha256: string;
}

interface Owner {
  uid?: number;
  gid?: number;
}

const currentOwner = (): Owner => ({
  uid: process.getuid?.(),
  gid: process.getgid?.(),
});

/** Why a file or folder may not be trusted with rules, or undefined when it may. */
export function unsafeReason(
  stats: { uid: number; gid: number; mode: number },
  owner: Owner = currentOwner(),
): string | undefined {
  if (owner.uid === undefined) return undefined; // Windows: no POSIX owners to check.
  if (stats.uid !== owner.uid && stats.uid !== 0)
    return `it is owned by another user (uid ${stats.uid})`;
  if ((stats.mode & 0o002) !== 0) return "anyone can write to it";
  // Group-writable is fine only for the user's own group (user-private groups, umask 002).
  if ((stats.mode & 0o020) !== 0 && stats.gid !== owner.gid)
    return `its group (gid ${stats.gid}) can write to it`;
  return undefined;
}

/** Checks the folders a rule file lives in, up to `stopAt` (exclusive of sticky shared folders like /tmp). */
export function checkRuleFolders(folder: string, levels: number): void {
  let dir = folder;
  for (let i = 0; i < levels; i++) {
    const stats = statSync(dir, { throwIfNoEntry: false });
    if (!stats) return;
    const reason = unsafeReason(stats);
    if (reason)
      throw unsafe(
        dir,
        `rule folder ${dir} is not safe to load rules from: ${reason}`,
      );
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** Reads one user rule file (or config file: `what`) after checking what it is; never blocks on a FIFO or reads a device. */
export function readRuleSource(path: string, what = "rule file"): LoadedSource {
  const loading = what === "rule file" ? "rules" : `a ${what}`;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new AuthwrapError(
      "UNREADABLE_FILE",
      `${path}: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { file: path },
    );
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      throw unsafe(
        path,
        `${path}: not a regular file; ${what}s must be plain files`,
      );
    if (stats.size > MAX_RULE_FILE_BYTES)
      throw unsafe(
        path,
        `${path}: ${stats.size} bytes; ${what}s may hold at most ${MAX_RULE_FILE_BYTES} bytes`,
      );
    const reason = unsafeReason(stats);
    if (reason)
      throw unsafe(
        path,
        `${path}: not safe to load ${loading} from: ${reason} (chmod go-w, or chown it to yourself)`,
      );
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    const bytes = buffer.subarray(0, read);
    return {
      text: bytes.toString("utf8"),
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
  } finally {
    closeSync(fd);
  }
}

function unsafe(path: string, message: string): AuthwrapError {
  return new AuthwrapError("UNSAFE_RULE_FILE", message, { file: path });
}
