// Project rule files come with a repository someone else wrote, so a re-auth command in one runs
// only after the user trusts that file, pinned by a hash of its content (as direnv's allow does).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { openStateDir, readJsonFile, writeJsonFile } from "./state.js";

const TRUST_FILE = "trusted-rule-files.json";

/**
 * Whether the user trusted this file with exactly these bytes. `loadedHash` is the hash of the
 * bytes authwrap loaded its rules from: a file swapped after loading is not trusted by accident.
 */
export function isTrusted(
  stateDir: string,
  file: string,
  loadedHash: string | undefined,
): boolean {
  const trusted =
    readJsonFile<Record<string, string>>(join(stateDir, TRUST_FILE)) ?? {};
  const path = resolve(file);
  return loadedHash !== undefined && trusted[path] === loadedHash;
}

/** Records the file's current content as trusted; returns its hash. */
export function trustFile(stateDir: string, file: string): string {
  const dir = openStateDir(stateDir);
  const path = resolve(file);
  const trusted =
    readJsonFile<Record<string, string>>(join(dir, TRUST_FILE)) ?? {};
  const hash = hashFile(path) ?? "";
  trusted[path] = hash;
  writeJsonFile(join(dir, TRUST_FILE), trusted);
  return hash;
}

function hashFile(path: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}
