// "This credential worked before": a salted fingerprint per tool and credential source, kept in
// the 0700 state folder (0600 files). Never the credential: an HMAC under a random salt that
// never leaves the folder, so the record cannot be matched against a token seen elsewhere.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { join } from "node:path";
import { openStateDir, readJsonFile, writeJsonFile } from "../reauth/state.js";
import type { FoundCredential } from "./found.js";
import { stampPath } from "./stamp.js";

/** The last few credentials seen working per source (a rotation may flip between two). */
const KEPT_FINGERPRINTS = 4;

interface SeenRecord {
  fingerprints: string[];
}

export function hasWorkedBefore(
  stateDir: string,
  tool: string,
  found: FoundCredential,
): boolean {
  const dir = openStateDir(stateDir);
  const salt = readSalt(dir);
  if (!salt) return false;
  const record = readJsonFile<SeenRecord>(
    join(dir, `${seenName(tool, found)}.json`),
  );
  return (
    Array.isArray(record?.fingerprints) &&
    record.fingerprints.includes(fingerprintOf(salt, tool, found))
  );
}

export function recordWorking(
  stateDir: string,
  tool: string,
  found: FoundCredential,
): void {
  const dir = openStateDir(stateDir);
  const salt = readSalt(dir) ?? createSalt(dir);
  const path = join(dir, `${seenName(tool, found)}.json`);
  const fingerprint = fingerprintOf(salt, tool, found);
  const old = readJsonFile<SeenRecord>(path)?.fingerprints;
  const kept = (Array.isArray(old) ? old : []).filter((f) => f !== fingerprint);
  writeJsonFile(path, {
    fingerprints: [fingerprint, ...kept].slice(0, KEPT_FINGERPRINTS),
  });
  writeJsonFile(stampPath(dir, tool), { at: Date.now() });
}

/** Nothing to record (no credential found): the stamp alone, so the next successes do not probe again. */
export function touchStamp(stateDir: string, tool: string): void {
  writeJsonFile(stampPath(openStateDir(stateDir), tool), { at: Date.now() });
}

function fingerprintOf(
  salt: string,
  tool: string,
  found: FoundCredential,
): string {
  return createHmac("sha256", salt)
    .update(`${tool}\0${found.source}\0${found.secret}`)
    .digest("hex")
    .slice(0, 32);
}

/** The state folder's salt for fingerprints (also of identities, reauth/identity.ts); created on first need. */
export function stateSalt(dir: string): string {
  return readSalt(dir) ?? createSalt(dir);
}

function readSalt(dir: string): string | undefined {
  const salt = readJsonFile<{ salt?: unknown }>(
    join(dir, "credential-salt.json"),
  )?.salt;
  return typeof salt === "string" && salt.length >= 32 ? salt : undefined;
}

function createSalt(dir: string): string {
  const salt = randomBytes(32).toString("hex");
  writeJsonFile(join(dir, "credential-salt.json"), { salt });
  return salt;
}

function seenName(tool: string, found: FoundCredential): string {
  return `seen-${hash(`${tool}\0${found.source}`)}`;
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 20);
}
