// What a CI system shows for an auth verdict, besides the envelope: under GitHub Actions one
// `::error` annotation and a short Markdown summary appended to $GITHUB_STEP_SUMMARY; under
// GitLab a collapsible log section. Every field may hold text captured from the command's output,
// so each is escaped for where it goes: the workflow-command rules (a message cannot end the line
// or start another `::` command), Markdown and HTML in the summary, control characters in the log.
import { closeSync, openSync, writeSync, constants } from "node:fs";
import type { Writable } from "node:stream";
import type { Envelope } from "./envelope-schema.js";
import { visible } from "./terminal.js";
import { isAuthCode } from "../codes.js";

const TITLES: Record<string, string> = {
  CREDENTIALS_EXPIRED: "credentials expired",
  UNAUTHENTICATED: "not authenticated",
  PERMISSION_DENIED: "permission denied",
};

/** Whether this run is under a CI system that has its own way to show a verdict. */
export function ciProvider(
  env: Record<string, string | undefined>,
): "github" | "gitlab" | undefined {
  if (env.GITHUB_ACTIONS === "true") return "github";
  if (env.GITLAB_CI === "true") return "gitlab";
  return undefined;
}

export function isCiVerdict(envelope: Envelope): boolean {
  return envelope.error !== null && isAuthCode(envelope.error.code);
}

/** Writes the annotation / summary / section for an auth verdict; a summary file that cannot be written is skipped. */
export function writeCiReport(
  envelope: Envelope,
  env: Record<string, string | undefined>,
  stderr: Writable,
  now = Date.now(),
): void {
  const provider = ciProvider(env);
  if (!provider || !isCiVerdict(envelope)) return;
  const facts = factsOf(envelope);
  if (provider === "github") {
    stderr.write(
      `::error title=${escapeProperty(facts.title)}::${escapeData(facts.lines.map(visible).join("\n"))}\n`,
    );
    if (env.GITHUB_STEP_SUMMARY)
      appendSummary(env.GITHUB_STEP_SUMMARY, summaryMarkdown(facts));
    return;
  }
  const id = "authwrap_verdict";
  const stamp = Math.floor(now / 1000);
  const body = facts.lines.map((line) => `  ${visible(line)}`).join("\n");
  stderr.write(
    `\x1b[0Ksection_start:${stamp}:${id}[collapsed=true]\r\x1b[0K${visible(facts.title)}\n${body}\n\x1b[0Ksection_end:${stamp}:${id}\r\x1b[0K\n`,
  );
}

interface Facts {
  title: string;
  lines: string[];
  rows: Array<[string, string]>;
}

function factsOf(envelope: Envelope): Facts {
  const error = envelope.error!;
  const tool = envelope.meta.tool ?? "the command";
  const next =
    error.code === "CREDENTIALS_EXPIRED"
      ? error.refresh_command && `renew: ${error.refresh_command}`
      : error.code === "UNAUTHENTICATED"
        ? error.hint && `log in: ${error.hint}`
        : error.required_permission && `needs: ${error.required_permission}`;
  const rows: Array<[string, string]> = [
    ["verdict", `${error.code} (exit ${exitOf(error.code)})`],
    ["tool", tool],
    ["message", error.message],
  ];
  if (error.refresh_command)
    rows.push(["refresh command", error.refresh_command]);
  if (error.hint) rows.push(["hint", error.hint]);
  if (error.required_permission)
    rows.push(["required permission", error.required_permission]);
  return {
    title: `authwrap: ${TITLES[error.code]} (${tool})`,
    lines: [error.message, ...(next ? [next] : [])],
    rows,
  };
}

function exitOf(code: string): number {
  return code === "CREDENTIALS_EXPIRED" ? 10 : 8;
}

/** Workflow-command data: %, CR and LF percent-encoded, so the message stays on its line. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Workflow-command property values: also `:` and `,`, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function summaryMarkdown(facts: Facts): string {
  const rows = facts.rows.map(
    ([name, value]) => `| ${name} | ${markdownText(value)} |`,
  );
  return `### ${markdownText(facts.title)}\n\n| | |\n|---|---|\n${rows.join("\n")}\n\n`;
}

/** Captured text as inert Markdown: HTML and Markdown punctuation escaped, one line. */
export function markdownText(text: string): string {
  return visible(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (char) => `\\${char}`);
}

/** Appends, creating the file if need be; never truncates it, follows no symlink, leaves its mode as it is. */
function appendSummary(path: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_WRONLY |
        constants.O_APPEND |
        constants.O_CREAT |
        constants.O_NOFOLLOW,
      0o644,
    );
  } catch {
    return;
  }
  try {
    writeSync(fd, text);
  } catch {
    // A full disk or a closed summary: the annotation and the envelope still say it.
  } finally {
    closeSync(fd);
  }
}
