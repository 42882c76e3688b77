// Same identity after a re-auth: a re-login can silently switch account, role or user, and the
// retry would then act as someone else. Where the tool's file declares a who-am-I (`identity:`),
// it runs before and after the re-auth; a change refuses the retry (IDENTITY_CHANGED).
//
// Before the re-auth the credential has usually just been refused, so a who-am-I that asks the
// service (aws sts get-caller-identity, gh api user) fails; the identity recorded after the
// last re-auth of the same tool and command stands in for it. The record is a salted
// fingerprint (for comparing) and a masked form (for the message), never the identity itself.
import { createHash, createHmac } from "node:crypto";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { stateSalt } from "../credential/seen.js";
import type { Redactor } from "../output/redact.js";
import type { IdentityProbe } from "../rules/compile.js";
import { openStateDir, readJsonFile, writeJsonFile } from "./state.js";

/** A who-am-I is a cheap call; one that takes longer than this is given up (a warning). */
export const IDENTITY_TIMEOUT_MS = 10_000;
/** Only the first line counts, and an identity is short: output past this is not read. */
const OUTPUT_LIMIT = 16 * 1024;
const IDENTITY_CHARS = 256;

export interface Identity {
  /** HMAC under the state folder's salt: compared, never shown. */
  fingerprint: string;
  /** Masked and redacted: for the message only. */
  shown: string;
}

export type IdentityRead = { identity: Identity } | { error: string };

export interface IdentityTarget {
  tool: string;
  probe: IdentityProbe;
  /** The probe's command with its placeholders filled (shell-quoted). */
  command: string;
  env: Record<string, string | undefined>;
  stateDir: string;
  redact: Redactor;
}

/** Runs the who-am-I once: its first line (through `match`) is the identity. */
export async function readIdentity(
  target: IdentityTarget,
): Promise<IdentityRead> {
  const shown = `\`${target.redact(target.command)}\``;
  const ran = await runBounded(target.command, {
    ...target.env,
    AUTHWRAP_CONTEXT: "identity",
    // A who-am-I must never ask anything: the CLIs' own switches, beside no stdin and no terminal.
    GH_PROMPT_DISABLED: "1",
    GIT_TERMINAL_PROMPT: "0",
    CLOUDSDK_CORE_DISABLE_PROMPTS: "1",
    AWS_PAGER: "",
  });
  if ("error" in ran) return { error: `${shown} ${ran.error}` };
  const identity = identityOf(ran.stdout, target.probe.match);
  if (!identity) return { error: `${shown} printed no identity` };
  return {
    identity: {
      fingerprint: fingerprintOf(target, identity),
      shown: maskIdentity(target.redact(identity)),
    },
  };
}

/**
 * Through the shell, no stdin, stdout kept up to OUTPUT_LIMIT, stderr dropped (a who-am-I's
 * complaints are not ours to print). In a session of its own (no controlling terminal to prompt
 * on), so a time-out stops whatever the shell started. node:child_process, not execa: this stays a small lazy module.
 */
function runBounded(
  command: string,
  env: Record<string, string | undefined>,
): Promise<{ stdout: string } | { error: string }> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      stdio: ["ignore", "pipe", "ignore"],
      env,
      detached: true,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    const stop = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, IDENTITY_TIMEOUT_MS);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (size < OUTPUT_LIMIT) chunks.push(chunk);
      size += chunk.length;
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ error: `could not be started (${error.message})` });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        resolve({ error: `was stopped after ${IDENTITY_TIMEOUT_MS / 1000} s` });
      else if (code !== 0)
        resolve({
          error: signal ? `was killed by ${signal}` : `exited ${code}`,
        });
      else
        resolve({
          stdout: Buffer.concat(chunks).subarray(0, OUTPUT_LIMIT).toString(),
        });
    });
  });
}

/** The first non-empty line, printable characters only, through the file's `match`. */
export function identityOf(text: string, match?: RegExp): string | undefined {
  const line = text
    .slice(0, OUTPUT_LIMIT)
    .split(/\r?\n/)
    .map((each) => each.replace(/[\p{Cc}\p{Cf}]/gu, "").trim())
    .find((each) => each.length > 0)
    ?.slice(0, IDENTITY_CHARS);
  if (!line || !match) return line;
  const found = match.exec(line);
  return found ? (found[1] ?? found[0]) || undefined : undefined;
}

/**
 * Enough to tell two identities apart, not enough to read them out of a log: every run of 8 or
 * more letters and digits keeps its first and last 3 (`arn:aws:sts::123…012:assumed-role/dev`).
 */
export function maskIdentity(identity: string): string {
  return identity.replace(
    /[A-Za-z0-9]{8,}/g,
    (run) => `${run.slice(0, 3)}…${run.slice(-3)}`,
  );
}

/** The identity recorded after the last re-auth of this tool and command, if any. */
export function recordedIdentity(target: IdentityTarget): Identity | undefined {
  const record = readJsonFile<Partial<Identity>>(recordPath(target));
  return typeof record?.fingerprint === "string" &&
    typeof record.shown === "string"
    ? { fingerprint: record.fingerprint, shown: record.shown }
    : undefined;
}

export function recordIdentity(
  target: IdentityTarget,
  identity: Identity,
): void {
  writeJsonFile(recordPath(target), { ...identity, at: Date.now() });
}

function fingerprintOf(target: IdentityTarget, identity: string): string {
  const salt = stateSalt(openStateDir(target.stateDir));
  return createHmac("sha256", salt)
    .update(`${target.tool}\0${identity}`)
    .digest("hex")
    .slice(0, 32);
}

function recordPath(target: IdentityTarget): string {
  const key = createHash("sha256")
    .update(`${target.tool}\0${target.command}`)
    .digest("hex")
    .slice(0, 20);
  return join(openStateDir(target.stateDir), `identity-${key}.json`);
}

export interface IdentityChange {
  before: Identity;
  after: Identity;
}

export interface IdentityGuard {
  /** Just before this process runs the re-auth (under its lock): who the credential is now. */
  before(): Promise<void>;
  /** After a successful re-auth: the change, if the identity is not the one from before. */
  after(warnings: string[]): Promise<IdentityChange | undefined>;
}

/**
 * Reads the identity before the re-auth (live, else the recorded one) and checks it after. Only
 * the process that runs the re-auth checks: one that found it renewed by another ran nothing.
 */
export function guardIdentity(
  target: IdentityTarget,
  log: (line: string) => void,
): IdentityGuard {
  let ran = false;
  let before: Identity | undefined;
  return {
    async before() {
      ran = true;
      const live = await readIdentity(target);
      if ("identity" in live) {
        before = live.identity;
        log(`identity before the re-auth: ${before.shown}`);
        return;
      }
      before = quietly(() => recordedIdentity(target), log);
      log(
        `identity before the re-auth: ${live.error}; ${before ? `the one recorded after the last re-auth: ${before.shown}` : "none recorded yet, this re-auth records it"}`,
      );
    },
    async after(warnings) {
      if (!ran) return undefined;
      const read = await readIdentity(target);
      if ("error" in read) {
        // A failing who-am-I is a warning, never a block: the re-auth itself succeeded.
        warnings.push(
          `the identity after the re-auth could not be checked: ${read.error}`,
        );
        return undefined;
      }
      log(`identity after the re-auth: ${read.identity.shown}`);
      // Recorded even when it changed: the refusal is said once, and a caller who meant it runs again.
      quietly(() => recordIdentity(target, read.identity), log);
      return before && before.fingerprint !== read.identity.fingerprint
        ? { before, after: read.identity }
        : undefined;
    },
  };
}

function quietly<T>(work: () => T, log: (line: string) => void): T | undefined {
  try {
    return work();
  } catch (error) {
    log(`identity: state folder: ${(error as Error).message}`);
    return undefined;
  }
}
