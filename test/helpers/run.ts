// Runs the real bin/authwrap as a process, in an isolated environment.
import { mkdtempSync, mkdirSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa, type Options } from "execa";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/authwrap");
export const FIXTURE_BIN = join(ROOT, "fixtures/bin");

export interface Sandbox {
  dir: string;
  env: Record<string, string>;
  demoHome: string;
  refreshCount(): number;
}

/** A temp HOME, XDG folders and demo state, fixtures/bin first on PATH, no AUTHWRAP_* or CI variables. */
export function createSandbox(extraEnv: Record<string, string> = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "authwrap-test-"));
  const demoHome = join(dir, "democli");
  for (const sub of ["home", "config", "state", "democli"])
    mkdirSync(join(dir, sub), { recursive: true });
  const env: Record<string, string> = {
    PATH: `${FIXTURE_BIN}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: join(dir, "home"),
    XDG_CONFIG_HOME: join(dir, "config"),
    XDG_STATE_HOME: join(dir, "state"),
    DEMOCLI_HOME: demoHome,
    LANG: "C.UTF-8",
    ...extraEnv,
  };
  return {
    dir,
    env,
    demoHome,
    refreshCount: () => {
      const log = join(demoHome, "refresh.log");
      return existsSync(log)
        ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean).length
        : 0;
    },
  };
}

/** Starts bin/authwrap; the returned subprocess can be awaited or sent signals. */
export function runAuthwrap(
  args: string[],
  sandbox: Sandbox,
  options: Options = {},
) {
  return execa(process.execPath, [BIN, ...args], {
    env: sandbox.env,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    ...(options.input === undefined ? { stdin: "ignore" as const } : {}),
    ...options,
  });
}

export async function runDemo(args: string[], sandbox: Sandbox) {
  return execa(join(FIXTURE_BIN, "democli"), args, {
    env: sandbox.env,
    extendEnv: false,
  });
}

export function parseEnvelope(text: string | unknown) {
  return JSON.parse(String(text)) as {
    ok: boolean;
    data: unknown;
    error: Record<string, unknown> | null;
    warnings: string[];
    meta: Record<string, unknown> & { reauth: Record<string, unknown> | null };
  };
}
