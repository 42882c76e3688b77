// argv + env → what to do (plain object). No I/O, no exits: main.ts does those.
import { AuthwrapError } from "./errors.js";
import { nearest } from "./suggest.js";
import type { CallerKind } from "./reauth/command.js";
import type { Invocation, RetryPolicy } from "./types.js";
import { EXIT_CODE_PROFILES, type ExitCodeProfile } from "./codes.js";
import type { ConfigDefault } from "./config/resolve.js";

export const VERBS = [
  "classify",
  "rules",
  "schema",
  "trust",
  "config",
  "completion",
  "alias",
  "mcp",
  "status",
  "demo",
] as const;
export type VerbName = (typeof VERBS)[number];
/** The re-auth's default time limit: a person at a terminal may need a while for a browser login; an agent or CI should not hang on it. */
export const DEFAULT_REAUTH_TIMEOUT_SECONDS: Record<CallerKind, number> = {
  interactive: 300,
  agent: 120,
  ci: 120,
};
/** --reauth-timeout bounds: below 0.1 s nothing can log in; above a day is a mistake (and Node's timers overflow at 24.8 days). */
export const MIN_REAUTH_TIMEOUT_SECONDS = 0.1;
export const MAX_REAUTH_TIMEOUT_SECONDS = 86_400;
export const DEFAULT_DATA_LIMIT = 4 * 1024 * 1024;
const RETRY_POLICIES: readonly RetryPolicy[] = [
  "never",
  "auth-rejected",
  "always",
];
const TRUE_WORDS = ["1", "true", "yes", "on"];
const FALSE_WORDS = ["0", "false", "no", "off"];

export type ParsedCommand =
  | { kind: "wrap"; invocation: Invocation }
  | {
      kind: "verb";
      verb: VerbName;
      argv: string[];
      classifierPaths: string[];
      json: boolean;
    }
  | { kind: "help" }
  | { kind: "version" };

export const FLAGS_WITH_VALUE = new Set([
  "--reauth",
  "--tool",
  "--classifiers",
  "--reauth-timeout",
  "--retry",
  "--max-data-bytes",
  "--exit-codes",
  "--min-ttl",
]);
/** Every option the wrapper accepts; the help text must describe each (test/cli.test.ts checks). */
export const FLAGS = new Set([
  "--json",
  "--no-reauth",
  "--reauth-ambiguous",
  "--reauth-interactive",
  "--force-reauth",
  "--no-proactive",
  "--explain",
  "--redact-data",
  "--no-pty",
  "--verbose",
  "-v",
  "--help",
  "-h",
  "--version",
  "-V",
  ...FLAGS_WITH_VALUE,
]);

/**
 * Splits argv at the first `--` (or the first word that is not an option); the command's own argv
 * is never parsed. `context` (who is running authwrap: main.ts knows) chooses the defaults;
 * `defaults` (a config file's, config/resolve.ts) stand in for flags neither argv nor env gives.
 */
export function parseInvocation(
  argv: string[],
  env: Record<string, string | undefined>,
  context: CallerKind = "agent",
  defaults: ConfigDefault[] = [],
): ParsedCommand {
  const options: Record<string, string[]> = {};
  let index = 0;
  let dashDash = false;
  for (; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "--") {
      dashDash = true;
      index++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const [name, inline] = splitFlag(arg);
    if (!FLAGS.has(name)) throw usage(`unknown option ${name}${suggest(name)}`);
    let value = inline;
    if (FLAGS_WITH_VALUE.has(name) && value === undefined) {
      value = argv[++index];
      if (value === undefined) throw usage(`${name} needs a value`);
    }
    (options[name] ??= []).push(value ?? "true");
  }
  const rest = argv.slice(index);
  /** Flags a config file supplied, and where: below argv and env, so each is used only when both are silent. */
  const configured: Record<string, string> = {};
  for (const item of defaults) {
    if (item.value === false || !FLAGS.has(item.flag) || options[item.flag])
      continue;
    if (item.env && envValue(env, item.env) !== undefined) continue;
    options[item.flag] = [item.value === true ? "true" : item.value];
    configured[item.flag] = item.origin;
  }
  const has = (...names: string[]) => names.some((name) => options[name]);
  const last = (name: string) => options[name]?.at(-1);
  const fromEnv = (name: string) => envValue(env, name);
  /** A flag's value, else its env var's; `source` names whichever was used, for the error message. */
  const setting = (flag: string, variable: string) => {
    const flagValue = last(flag);
    if (flagValue !== undefined)
      return { value: flagValue, source: configured[flag] ?? flag };
    const envText = fromEnv(variable);
    return { value: envText, source: variable };
  };
  const classifierPaths = [
    ...splitPathList(fromEnv("AUTHWRAP_CLASSIFIERS")),
    ...(options["--classifiers"] ?? []),
  ];
  const json = has("--json") || envSwitch(env, "AUTHWRAP_JSON");

  if (has("--version", "-V")) return { kind: "version" };
  if (has("--help", "-h") || (argv.length === 0 && !json))
    return { kind: "help" };
  if (rest.length === 0)
    throw usage(
      dashDash
        ? "no command after --"
        : "no command given: authwrap [options] -- <command> [args...]",
    );
  const first = rest[0]!;
  if (!dashDash && (VERBS as readonly string[]).includes(first)) {
    return {
      kind: "verb",
      verb: first as VerbName,
      argv: rest.slice(1),
      classifierPaths,
      json,
    };
  }
  if (first === "") throw usage("the command is an empty string");
  const timeout = setting("--reauth-timeout", "AUTHWRAP_REAUTH_TIMEOUT");
  const timeoutSeconds =
    timeout.value === undefined
      ? DEFAULT_REAUTH_TIMEOUT_SECONDS[context]
      : Number(timeout.value);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw usage(
      `${timeout.source}: "${timeout.value}" is not a positive number of seconds`,
    );
  if (
    timeoutSeconds < MIN_REAUTH_TIMEOUT_SECONDS ||
    timeoutSeconds > MAX_REAUTH_TIMEOUT_SECONDS
  ) {
    throw usage(
      `${timeout.source}: ${timeout.value} s is out of range; give ${MIN_REAUTH_TIMEOUT_SECONDS} to ${MAX_REAUTH_TIMEOUT_SECONDS} seconds (a day)`,
    );
  }
  const retrySetting = setting("--retry", "AUTHWRAP_RETRY");
  const retry = (retrySetting.value ?? "auth-rejected") as RetryPolicy;
  if (!RETRY_POLICIES.includes(retry))
    throw usage(
      `${retrySetting.source}: "${retry}" is not one of ${RETRY_POLICIES.join(", ")}`,
    );
  const limit = setting("--max-data-bytes", "AUTHWRAP_MAX_DATA_BYTES");
  const dataLimit =
    limit.value === undefined ? DEFAULT_DATA_LIMIT : Number(limit.value);
  if (
    !Number.isSafeInteger(dataLimit) ||
    dataLimit < 0 ||
    limit.value?.trim() === ""
  )
    throw usage(
      `${limit.source}: "${limit.value}" is not a whole number of bytes`,
    );
  const profile = setting("--exit-codes", "AUTHWRAP_EXIT_CODES");
  const exitCodes = (profile.value ?? "default") as ExitCodeProfile;
  if (!EXIT_CODE_PROFILES.includes(exitCodes))
    throw usage(
      `${profile.source}: "${profile.value}" is not one of ${EXIT_CODE_PROFILES.join(", ")}`,
    );
  const minTtl = setting("--min-ttl", "AUTHWRAP_MIN_TTL");
  const minTtlMs =
    minTtl.value === undefined
      ? DEFAULT_MIN_TTL_MS
      : parseDuration(minTtl.value);
  if (minTtlMs === undefined)
    throw usage(
      `${minTtl.source}: "${minTtl.value}" is not a duration; give e.g. 90s, 15m, 1h`,
    );
  return {
    kind: "wrap",
    invocation: {
      mode: json ? "json" : "passthrough",
      command: first,
      args: rest.slice(1),
      tool: last("--tool") ?? fromEnv("AUTHWRAP_TOOL"),
      reauthCommand: last("--reauth") ?? fromEnv("AUTHWRAP_REAUTH"),
      reauthSource:
        last("--reauth") !== undefined
          ? (configured["--reauth"] ?? "flag")
          : fromEnv("AUTHWRAP_REAUTH")
            ? "env"
            : undefined,
      reauthInteractive:
        has("--reauth-interactive") ||
        envSwitch(env, "AUTHWRAP_REAUTH_INTERACTIVE"),
      reauthAllowed: !has("--no-reauth"),
      reauthAmbiguous:
        has("--reauth-ambiguous") ||
        envSwitch(env, "AUTHWRAP_REAUTH_AMBIGUOUS"),
      reauthTimeoutMs: Math.round(timeoutSeconds * 1000),
      forceReauth:
        has("--force-reauth") || envSwitch(env, "AUTHWRAP_FORCE_REAUTH"),
      retry,
      redactData:
        has("--redact-data") || envSwitch(env, "AUTHWRAP_REDACT_DATA"),
      dataLimit,
      classifierPaths,
      verbose: has("--verbose", "-v") || envSwitch(env, "AUTHWRAP_VERBOSE"),
      exitCodes,
      proactive:
        !has("--no-proactive") &&
        (fromEnv("AUTHWRAP_PROACTIVE") === undefined ||
          envSwitch(env, "AUTHWRAP_PROACTIVE")),
      minTtlMs,
      explain: has("--explain"),
      pty: !has("--no-pty") && !envSwitch(env, "AUTHWRAP_NO_PTY"),
    },
  };
}

/** Like aws-vault's minimum TTL: when only the expiry is known, refresh with less than this left. */
export const DEFAULT_MIN_TTL_MS = 5 * 60_000;
const DURATION_UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** "90s", "15m", "1h" or bare seconds → ms; undefined when it does not read as one. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$/.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] || "s"]!);
}

/**
 * Whether the caller asked for --json, read leniently: used when parseInvocation itself failed,
 * so that even a bad option is answered with one envelope on stdout.
 */
export function wantsJson(
  argv: string[],
  env: Record<string, string | undefined>,
): boolean {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "--" || !arg.startsWith("-") || arg === "-") break;
    if (arg === "--json") return true;
    if (FLAGS_WITH_VALUE.has(arg)) index++;
  }
  const value = envValue(env, "AUTHWRAP_JSON");
  return value !== undefined && TRUE_WORDS.includes(value.toLowerCase());
}

/** Who runs authwrap: CI (a CI variable that is not 0/false/no/off), a person (stdin and stderr are a terminal), else an agent. */
export function contextOf(
  env: Record<string, string | undefined>,
  terminal: { stdin: boolean; stderr: boolean },
): CallerKind {
  const ci = envValue(env, "CI");
  if (ci !== undefined && !FALSE_WORDS.includes(ci.toLowerCase())) return "ci";
  return terminal.stdin && terminal.stderr ? "interactive" : "agent";
}

/** An environment variable; an empty one counts as unset, for every variable alike. */
function envValue(
  env: Record<string, string | undefined>,
  name: string,
): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/** An on/off variable: 1/true/yes/on or 0/false/no/off (any case); empty is unset; anything else is refused. */
function envSwitch(
  env: Record<string, string | undefined>,
  name: string,
): boolean {
  const value = envValue(env, name);
  if (value === undefined) return false;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw usage(
    `${name}: "${value}" is neither on (${TRUE_WORDS.join(", ")}) nor off (${FALSE_WORDS.join(", ")}, empty)`,
  );
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return eq > 2 && arg.startsWith("--")
    ? [arg.slice(0, eq), arg.slice(eq + 1)]
    : [arg, undefined];
}

function splitPathList(value: string | undefined): string[] {
  return value ? value.split(":").filter(Boolean) : [];
}

function usage(message: string): AuthwrapError {
  return new AuthwrapError("USAGE_ERROR", `${message}; see authwrap --help`);
}

function suggest(name: string): string {
  const close = nearest(
    name,
    [...FLAGS].filter((flag) => flag.startsWith("--")),
  );
  return close ? ` (did you mean ${close}?)` : "";
}
