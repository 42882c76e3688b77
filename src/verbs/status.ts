// `authwrap status [TOOL...] [--min-ttl 15m] [--json]`: for each tool with declared credential
// sources, which credential it would use (source, never the value), when that expires, what would
// refresh it and whether that needs a person. With --min-ttl: exit 10 when one will not last that
// long, 8 when there is none, so a job can check before a long task instead of failing half-way.
import { contextOf } from "../cli.js";
import { describeSpan } from "../credential/lifetime.js";
import { probeCredential } from "../credential/probe.js";
import { toolRefreshCommand } from "../reauth/proactive.js";
import { visible } from "../output/terminal.js";
import { loadRules } from "../rules/load.js";
import { selectRules } from "../rules/select.js";
import type { VerbIO } from "./index.js";

export interface StatusOptions {
  tools: string[];
  minTtlMs?: number;
  json: boolean;
  verbose: boolean;
}

interface ToolStatus {
  tool: string;
  credential: { kind: string; source: string } | null;
  expires_at: string | null;
  expires_in: string;
  refresh_command: string | null;
  needs_person: boolean;
  lasts: boolean | null;
}

export async function showStatus(
  options: StatusOptions,
  context: VerbIO,
): Promise<number> {
  const started = performance.now();
  const rules = await loadRules(context.sources);
  const known = [
    ...new Set(
      rules
        .filter((set) => set.kind === "tool" && set.probes.length > 0)
        .map((set) => set.tool),
    ),
  ].sort();
  const names = options.tools.length > 0 ? options.tools : known;
  const log = options.verbose
    ? (line: string) => void context.stderr.write(`authwrap: ${line}\n`)
    : () => {};
  const now = Date.now();
  const rows: ToolStatus[] = [];
  for (const name of names) {
    const { tool, sets } = selectRules(rules, name, name);
    const set = sets.find((s) => s.kind === "tool" && s.tool === tool);
    const found = set
      ? await probeCredential(set.probes, { env: context.env, args: [], log })
      : undefined;
    const left =
      found?.expiresAt === undefined ? undefined : found.expiresAt - now;
    rows.push({
      tool: name,
      credential: found ? { kind: found.kind, source: found.source } : null,
      expires_at:
        found?.expiresAt === undefined
          ? null
          : new Date(found.expiresAt).toISOString().replace(".000Z", "Z"),
      expires_in: !found
        ? "no credential found"
        : left === undefined
          ? "states no expiry"
          : left <= 0
            ? `expired ${describeSpan(left)} ago`
            : `in ${describeSpan(left)}`,
      refresh_command:
        (set &&
          toolRefreshCommand(set, {
            command: name,
            tool,
            args: [],
            env: context.env,
          })) ??
        null,
      needs_person: set?.refreshInteractive ?? false,
      lasts:
        options.minTtlMs === undefined || !found
          ? null
          : left === undefined || left >= options.minTtlMs,
    });
  }
  const exitCode = exitCodeOf(rows, options.minTtlMs);
  if (options.json) {
    const failing = exitCode === 10 ? "CREDENTIALS_EXPIRED" : "UNAUTHENTICATED";
    context.stdout.write(
      `${context.redact(
        JSON.stringify({
          ok: exitCode === 0,
          data: rows,
          error:
            exitCode === 0
              ? null
              : {
                  code: failing,
                  message:
                    exitCode === 10
                      ? `a credential will not last ${describeSpan(options.minTtlMs!)}: ${rows
                          .filter((r) => r.lasts === false)
                          .map((r) => r.tool)
                          .join(", ")}`
                      : `no credential found: ${rows
                          .filter((r) => !r.credential)
                          .map((r) => r.tool)
                          .join(", ")}`,
                  retryable: exitCode === 10,
                  expires_at: null,
                  refresh_command: null,
                  hint: null,
                  required_permission: null,
                },
          warnings: [],
          meta: {
            duration_ms: Math.round(performance.now() - started),
            context: contextOf(context.env, { stdin: false, stderr: false }),
          },
        }),
      )}\n`,
    );
    return exitCode;
  }
  for (const row of rows) {
    const refresh = row.refresh_command
      ? `refresh: ${row.refresh_command}${row.needs_person ? " (needs a person)" : ""}`
      : "no refresh command known";
    // Paths and kubeconfig user names are the user's files' words: no escape reaches the terminal.
    const lines = [
      `${row.tool.padEnd(8)} ${row.credential ? `${row.credential.kind} ${row.credential.source}` : "-"}`,
      `         ${row.credential ? "expires " : ""}${row.expires_in}${row.expires_at ? ` (${row.expires_at})` : ""}${row.lasts === false ? " — will not last" : ""}; ${refresh}`,
    ];
    for (const line of lines)
      context.stdout.write(`${visible(context.redact(line))}\n`);
  }
  return exitCode;
}

/** 10: one will not last --min-ttl; 8: a tool has none; 0 otherwise (and always without --min-ttl). */
function exitCodeOf(rows: ToolStatus[], minTtlMs: number | undefined): number {
  if (minTtlMs === undefined) return 0;
  if (rows.some((row) => row.lasts === false)) return 10;
  if (rows.length === 0 || rows.some((row) => !row.credential)) return 8;
  return 0;
}
