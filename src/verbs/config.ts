// `authwrap config [--json] [OPTIONS] [-- COMMAND...]`: the effective settings for a command (or
// the top level without one) and where each came from: flag, env, a config file's key, default.
import type { Writable } from "node:stream";
import { FLAGS, FLAGS_WITH_VALUE, parseInvocation } from "../cli.js";
import { AuthwrapError } from "../errors.js";
import { findConfigFiles } from "../config/find.js";
import { CONFIG_KEYS, type ConfigKey } from "../config/keys.js";
import { configFor } from "../config/apply.js";
import { loadConfigFiles } from "../config/load.js";
import { resolveConfig, type ConfigDefault } from "../config/resolve.js";
import { loadRulesFor } from "../rules/load.js";
import { unwrapCommand } from "../rules/unwrap.js";
import { visible } from "../output/terminal.js";
import type { VerbIO } from "./index.js";

export const CONFIG_HELP = `authwrap config [--json] [OPTIONS] [-- COMMAND [ARGS...]]

Prints the settings authwrap would use for COMMAND (per tool and profile; without a command,
the top level), each with where it came from: flag, env, a config file's key, or the default.
Config files: $XDG_CONFIG_HOME/authwrap/config.yaml and a project's .authwrap/config.yaml
(JSON Schema: authwrap schema config).
`;

interface Row {
  value: unknown;
  source: "flag" | "env" | "file" | "default";
  from?: string;
  flag: string;
  /** False when this authwrap has no such flag yet: the key is accepted but has no effect. */
  applied: boolean;
}

export async function runConfigVerb(
  argv: string[],
  context: VerbIO,
): Promise<number> {
  const dash = argv.indexOf("--");
  const before = dash === -1 ? argv : argv.slice(0, dash);
  const command = dash === -1 ? [] : argv.slice(dash + 1);
  if (before.includes("--help") || before.includes("-h")) {
    context.stdout.write(CONFIG_HELP);
    return 0;
  }
  const json = before.includes("--json");
  const options = before.filter((arg) => arg !== "--json");
  const stray = options.find(
    (arg, i) =>
      !arg.startsWith("-") && !FLAGS_WITH_VALUE.has(options[i - 1] ?? ""),
  );
  if (stray)
    throw new AuthwrapError(
      "USAGE_ERROR",
      `authwrap config: put the command after --: authwrap config [OPTIONS] -- ${stray} …`,
    );
  const files = findConfigFiles(context.env, context.cwd ?? process.cwd());
  let tool: string | undefined;
  let profile: string | undefined;
  let defaults: ConfigDefault[] = [];
  if (command.length > 0) {
    const parsed = parseInvocation(
      [...options, "--", ...command],
      context.env,
      context.callerKind,
      [],
    );
    if (parsed.kind !== "wrap")
      throw new AuthwrapError(
        "USAGE_ERROR",
        "authwrap config: give a command after --",
      );
    const { invocation } = parsed;
    const rules = await loadRulesFor(
      context.sources,
      unwrapCommand(invocation.command, invocation.args).command,
      invocation.tool,
    );
    ({ tool, profile, defaults } = await configFor(
      files,
      rules,
      invocation,
      context.env,
    ));
    // Checks the values as a run would (ranges, policies), with the config's defaults in place.
    parseInvocation(
      [...options, "--", ...command],
      context.env,
      context.callerKind,
      defaults,
    );
  } else {
    defaults = resolveConfig(
      await loadConfigFiles(files),
      undefined,
      undefined,
    );
    parseInvocation(
      [...options, "--", "true"],
      context.env,
      context.callerKind,
      defaults,
    );
  }
  const settings: Record<string, Row> = {};
  for (const [key, spec] of Object.entries(CONFIG_KEYS))
    settings[key] = rowFor(
      spec,
      options,
      context.env,
      defaults.find((item) => item.key === key),
    );
  if (json) {
    context.stdout.write(
      `${JSON.stringify({ tool: tool ?? null, profile: profile ?? null, files, settings }, null, 2)}\n`,
    );
    return 0;
  }
  writeText(context.stdout, { tool, profile, files, settings });
  return 0;
}

function rowFor(
  spec: ConfigKey,
  options: string[],
  env: Record<string, string | undefined>,
  configured: ConfigDefault | undefined,
): Row {
  const applied = FLAGS.has(spec.flag);
  const names = spec.flag === "--verbose" ? ["--verbose", "-v"] : [spec.flag];
  const given = options.findLast(
    (arg) => names.includes(arg) || arg.startsWith(`${spec.flag}=`),
  );
  if (given !== undefined) {
    const index = options.lastIndexOf(given);
    const value =
      spec.kind === "value"
        ? given.includes("=")
          ? given.slice(given.indexOf("=") + 1)
          : options[index + 1]
        : spec.kind === "switch";
    return { value, source: "flag", from: spec.flag, flag: spec.flag, applied };
  }
  const envText = spec.env ? env[spec.env] : undefined;
  if (spec.env && envText !== undefined && envText !== "")
    return {
      value: envText,
      source: "env",
      from: spec.env,
      flag: spec.flag,
      applied,
    };
  if (configured)
    return {
      value: configured.raw,
      source: "file",
      from: configured.origin,
      flag: spec.flag,
      applied,
    };
  return { value: spec.builtin, source: "default", flag: spec.flag, applied };
}

function writeText(
  out: Writable,
  report: {
    tool?: string;
    profile?: string;
    files: Array<{ path: string; origin: string }>;
    settings: Record<string, Row>;
  },
): void {
  const lines = [
    report.tool
      ? `settings for ${report.tool}${report.profile ? ` (profile ${report.profile})` : ""}`
      : "settings (top level; give a command after -- for a tool's)",
    `config files: ${report.files.length > 0 ? report.files.map((file) => `${file.path} (${file.origin})`).join(", ") : "none"}`,
  ];
  const width = Math.max(
    ...Object.keys(report.settings).map((key) => key.length),
  );
  for (const [key, row] of Object.entries(report.settings)) {
    const where =
      row.source === "default" ? "default" : `${row.source} ${row.from}`;
    const note = row.applied
      ? ""
      : ` (not applied: this authwrap has no ${row.flag})`;
    lines.push(
      `${key.padEnd(width)}  ${typeof row.value === "string" ? row.value : JSON.stringify(row.value)}  ← ${where}${note}`,
    );
  }
  out.write(`${lines.map(visible).join("\n")}\n`);
}
