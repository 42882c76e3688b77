// Values a rule file's templates may use beyond its named groups: a flag's value in the
// command's argv, or an environment variable.
import type { ToolRules } from "../rules/compile.js";

export interface ContextInput {
  args: string[];
  env: Record<string, string | undefined>;
}

/** Context placeholders: a flag's value from argv (`--profile x`, `--profile=x`), else an env var. */
export function readContext(
  set: ToolRules,
  context: ContextInput,
): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(set.context)) {
    values[name] =
      (spec.arg ? readFlag(context.args, spec.arg) : undefined) ??
      (spec.env ? context.env[spec.env] : undefined);
  }
  return values;
}

function readFlag(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === flag) return args[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

export function pickEnvVar(
  names: string[],
  env: Record<string, string | undefined>,
): string | undefined {
  return names.find((name) => env[name] !== undefined) ?? names[0];
}
