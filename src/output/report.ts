// Writes the final result where the mode says: the envelope on stdout (--json), or, in
// passthrough, one envelope line on stderr for auth failures plus a human line on a terminal.
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
  if (!code) return;
  if (isAuthCode(code)) {
    await write(target.stderr, `${JSON.stringify(envelope)}\n`);
    if (target.stderr.isTTY)
      await write(
        target.stderr,
        `${await formatHumanLine(envelope, colorLevel(target.env ?? {}, target.stderr.isTTY === true))}\n`,
      );
  } else if (SPAWN_FAILURES.has(code) || OWN_FAULTS.has(code)) {
    await write(
      target.stderr,
      `authwrap: ${visible(envelope.error!.message)}\n`,
    );
  }
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
  const next =
    error.code === "CREDENTIALS_EXPIRED"
      ? error.refresh_command
        ? `run: ${error.refresh_command}`
        : "renew the credential, then retry"
      : error.code === "UNAUTHENTICATED"
        ? error.hint
          ? `log in: ${error.hint}`
          : "log in, then retry"
        : error.required_permission
          ? `ask for: ${error.required_permission}`
          : "ask for access";
  const label =
    error.code === "CREDENTIALS_EXPIRED"
      ? chalk.yellow("credentials expired")
      : chalk.red(error.code.toLowerCase().replace("_", " "));
  return `${chalk.bold("authwrap:")} ${label} — ${error.message}; ${next}`;
}

function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}
