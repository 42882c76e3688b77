// Writes the final result where the mode says: the envelope on stdout (--json), or, in
// passthrough, for auth failures one envelope line on stderr — or, when stderr is a terminal,
// the lines for a person instead (with --verbose, both): what the retry after a re-auth did,
// the verdict with what to do next, and the warnings.
import type { Writable } from "node:stream";
import { isAuthCode } from "../codes.js";
import type { Envelope } from "./envelope-schema.js";
import { colorLevel, visible } from "./terminal.js";
import type { Mode } from "../types.js";

/** Failures the caller would otherwise never see, because the child printed nothing. */
const SPAWN_FAILURES = new Set(["COMMAND_NOT_FOUND", "COMMAND_NOT_EXECUTABLE"]);
const OWN_FAULTS = new Set([
  "USAGE_ERROR",
  "INVALID_RULES",
  "INVALID_CONFIG",
  "UNREADABLE_FILE",
  "UNSAFE_STATE_DIR",
  "UNSAFE_RULE_FILE",
  "INTERNAL_ERROR",
  "INTERRUPTED",
]);

export interface ReportTarget {
  mode: Mode;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** For NO_COLOR, FORCE_COLOR and TERM. */
  env?: Record<string, string | undefined>;
  /** --verbose: the envelope line at a terminal too. */
  verbose?: boolean;
}

export async function writeReport(
  envelope: Envelope,
  target: ReportTarget,
): Promise<void> {
  if (target.mode === "json") {
    await write(
      target.stdout,
      `${JSON.stringify(envelope, null, target.stdout.isTTY ? 2 : undefined)}\n`,
    );
    return;
  }
  const code = envelope.error?.code;
  const person = target.stderr.isTTY === true;
  const auth = code !== undefined && isAuthCode(code);
  if (auth && (!person || target.verbose))
    await write(target.stderr, `${JSON.stringify(envelope)}\n`);
  if (person && (auth || envelope.meta.reauth)) {
    const level = colorLevel(target.env ?? {}, true);
    const lines = await formatPersonLines(envelope, level);
    if (lines.length > 0) await write(target.stderr, `${lines.join("\n")}\n`);
  } else if (code && (SPAWN_FAILURES.has(code) || OWN_FAULTS.has(code))) {
    await write(
      target.stderr,
      `authwrap: ${visible(envelope.error!.message)}\n`,
    );
  }
}

/**
 * The lines for a person after authwrap stepped in: the retry's outcome, the verdict, the warnings.
 * Every captured text goes through visible(), so none can put a terminal escape on the screen.
 */
export async function formatPersonLines(
  envelope: Envelope,
  level: 0 | 1 | 2 | 3,
): Promise<string[]> {
  const { Chalk } = await import("./color.js");
  const chalk = new Chalk({ level });
  const label = chalk.bold("authwrap:");
  const lines: string[] = [];
  const reauth = envelope.meta.reauth;
  if (reauth && envelope.meta.attempts > 1) {
    const took = `re-authenticated in ${(reauth.duration_ms / 1000).toFixed(1)} s`;
    lines.push(
      envelope.ok
        ? `${label} ${took}; the retry ${chalk.green("succeeded")}`
        : `${label} ${took}; the retry ${chalk.red("failed too")} (${envelope.meta.signal ? visible(envelope.meta.signal) : `exit ${envelope.meta.exit_code}`})`,
    );
  }
  for (const warning of envelope.warnings)
    lines.push(`${label} ${chalk.yellow("note:")} ${visible(warning)}`);
  // Last, so what to do next is the line the prompt comes back under.
  if (envelope.error && isAuthCode(envelope.error.code))
    lines.push(await formatHumanLine(envelope, level));
  return lines;
}

/** The short line for a person; every captured field shown with its control characters escaped. */
export async function formatHumanLine(
  envelope: Envelope,
  level: 0 | 1 | 2 | 3,
): Promise<string> {
  const { Chalk } = await import("./color.js");
  const chalk = new Chalk({ level });
  const raw = envelope.error!;
  const show = (text: string | null) => (text === null ? null : visible(text));
  const error = {
    code: raw.code,
    message: visible(raw.message),
    refresh_command: show(raw.refresh_command),
    hint: show(raw.hint),
    required_permission: show(raw.required_permission),
  };
  const next = nextStep(error, envelope.meta.reauth !== null);
  const label =
    error.code === "CREDENTIALS_EXPIRED"
      ? chalk.yellow("credentials expired")
      : chalk.red(error.code.toLowerCase().replace("_", " "));
  return `${chalk.bold("authwrap:")} ${label} — ${error.message}; ${next}`;
}

/** What the person does next. After a re-auth (failed, skipped, or to no effect) the refresh command did not work: the login is next. */
function nextStep(
  error: {
    code: string;
    refresh_command: string | null;
    hint: string | null;
    required_permission: string | null;
  },
  reauthTried: boolean,
): string {
  if (error.code === "CREDENTIALS_EXPIRED" && !reauthTried)
    return error.refresh_command
      ? `run: ${error.refresh_command}`
      : "renew the credential, then retry";
  if (error.code === "CREDENTIALS_EXPIRED" || error.code === "UNAUTHENTICATED")
    return error.hint ? `log in: ${error.hint}` : "log in, then retry";
  return error.required_permission
    ? `ask for: ${error.required_permission}`
    : "ask for access";
}

function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}
