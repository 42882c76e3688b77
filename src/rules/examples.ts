// Checks the examples embedded in rule files against the merged rules, exactly as the
// wrapper would classify them. Pure.
import { textOutput } from "../run/windows.js";
import { classifyAttempt } from "../classify/classify.js";
import type { CompiledRule, ToolRules } from "./compile.js";
import { GENERIC_TOOL, selectRules } from "./select.js";
import type { RuleExample } from "./schema.js";

export interface ExampleResult {
  rule: string;
  example: string;
  failures: string[];
}

export function checkExamples(
  merged: ToolRules[],
  onlySources?: Set<string>,
): ExampleResult[] {
  const results: ExampleResult[] = [];
  for (const set of merged) {
    for (const rule of set.rules) {
      if (onlySources && !onlySources.has(rule.source)) continue;
      rule.examples.forEach((example, index) => {
        results.push({
          rule: `${rule.source}#${rule.id}`,
          example: example.name ?? `example ${index + 1}`,
          failures: checkExample(merged, set, rule, example),
        });
      });
    }
  }
  return results;
}

function matched(
  verdict: ReturnType<typeof classifyAttempt>,
  id: string,
): boolean {
  return (
    verdict?.rule === id ||
    (verdict?.outranked ?? []).some((entry) => entry.startsWith(`${id} (`))
  );
}

function checkExample(
  merged: ToolRules[],
  set: ToolRules,
  rule: CompiledRule,
  example: RuleExample,
): string[] {
  const command =
    set.tool === GENERIC_TOOL ? "command" : (set.commands[0] ?? set.tool);
  const { sets } = selectRules(merged, command, set.tool);
  const verdict = classifyAttempt(
    {
      exitCode: example.exit_code,
      stdout: textOutput(example.stdout ?? ""),
      stderr: textOutput(example.stderr ?? ""),
    },
    sets,
    {
      command,
      tool: set.tool,
      args: example.args ?? [],
      env: example.env ?? {},
    },
  );
  const expect = example.expect;
  const failures: string[] = [];
  const got = verdict?.code ?? "OK";
  if (got !== expect.code)
    failures.push(
      `expected ${expect.code}, got ${got}${verdict?.rule ? ` by ${verdict.rule}` : ""}`,
    );
  else if (
    expect.code === rule.code &&
    !matched(verdict, `${rule.source}#${rule.id}`)
  ) {
    // Several rules may match one output and the strongest decides; this rule must be one of them.
    failures.push(
      `expected rule ${rule.id} to match, but only ${verdict?.rule ?? "no rule"} did`,
    );
  }
  const compare: Array<[string, unknown, unknown]> = [
    ["ambiguous", expect.ambiguous, verdict?.ambiguous ?? false],
    ["expires_at", expect.expires_at, verdict?.expiresAt],
    [
      "required_permission",
      expect.required_permission,
      verdict?.requiredPermission,
    ],
    ["refresh_command", expect.refresh_command, verdict?.refreshCommand],
    ["hint", expect.hint, verdict?.hint],
  ];
  for (const [name, wanted, actual] of compare) {
    if (wanted !== undefined && wanted !== actual)
      failures.push(
        `${name}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual ?? null)}`,
      );
  }
  return failures;
}
