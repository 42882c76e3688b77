import { resolve } from "node:path";
import { isAuthwrapError } from "../errors.js";
import { compileRuleFile } from "../rules/compile.js";
import { checkExamples } from "../rules/examples.js";
import { listRuleFiles, loadRules, readRuleFile } from "../rules/load.js";
import { mergeRuleFiles } from "../rules/select.js";
import type { VerbIO } from "./index.js";

export async function runRulesVerb(
  action: string,
  paths: string[],
  json: boolean,
  context: VerbIO,
): Promise<number> {
  if (action === "validate") return validateFiles(paths, context);
  const files = paths.flatMap((path) => listRuleFiles(path, true));
  const merged = mergeRuleFiles(
    await loadRules({
      ...context.sources,
      extraPaths: [...context.sources.extraPaths, ...files],
    }),
  );
  if (action === "list") return listRules(merged, json, context);
  const only = files.length > 0 ? new Set(files) : undefined;
  const results = checkExamples(merged, only);
  const failed = results.filter((result) => result.failures.length > 0);
  if (json) context.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    for (const result of results) {
      const mark = result.failures.length === 0 ? "ok  " : "FAIL";
      context.stdout.write(
        `${mark} ${result.rule} › ${result.example}${result.failures.map((f) => `\n       ${f}`).join("")}\n`,
      );
    }
    context.stdout.write(
      `${results.length - failed.length} passed, ${failed.length} failed\n`,
    );
  }
  return failed.length === 0 ? 0 : 1;
}

function listRules(
  merged: Awaited<ReturnType<typeof mergeRuleFiles>>,
  json: boolean,
  context: VerbIO,
): number {
  const rows = merged.flatMap((set) =>
    set.rules.map((rule) => ({
      tool: set.tool,
      id: rule.id,
      code: rule.code,
      source: rule.source,
    })),
  );
  if (json) context.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else
    for (const row of rows)
      context.stdout.write(
        `${row.tool.padEnd(10)} ${row.id.padEnd(34)} ${row.code.padEnd(20)} ${row.source}\n`,
      );
  return 0;
}

/** Validates each file on its own, so one bad file does not hide the errors of the next. */
async function validateFiles(
  paths: string[],
  context: VerbIO,
): Promise<number> {
  const targets =
    paths.length > 0
      ? paths
      : [
          context.sources.userDir ?? "",
          context.sources.projectDir ?? "",
          ...context.sources.extraPaths,
        ].filter(Boolean);
  const files = targets.flatMap((path) =>
    listRuleFiles(path, paths.length > 0),
  );
  let failures = 0;
  for (const file of files) {
    try {
      const parsed = await readRuleFile(file);
      compileRuleFile(parsed, file);
      context.stdout.write(`ok   ${file} (${parsed.rules.length} rules)\n`);
    } catch (error) {
      if (!isAuthwrapError(error)) throw error;
      failures++;
      context.stderr.write(`FAIL ${error.message}\n`);
    }
  }
  if (files.length === 0)
    context.stdout.write(
      `no rule files found in ${targets.map((t) => resolve(t)).join(", ") || "the user folder"}\n`,
    );
  return failures === 0 ? 0 : 1;
}
