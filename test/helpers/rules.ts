// The built-in rule files (tools' at the top of classifiers/, vocabularies below it), compiled
// from their YAML as the build does, for tests that classify without a build.
import { join, relative } from "node:path";
import { compileRuleFile, type ToolRules } from "../../src/rules/compile.js";
import { listRuleFiles, readRuleFile } from "../../src/rules/load.js";
import { mergeRuleFiles } from "../../src/rules/select.js";
import { ROOT } from "./run.js";

export function builtinRulePaths(): string[] {
  const folder = join(ROOT, "classifiers");
  return [
    ...listRuleFiles(folder, true),
    ...listRuleFiles(join(folder, "vocabularies"), true),
  ];
}

export async function loadBuiltinRules(): Promise<ToolRules[]> {
  const compiled = [];
  for (const path of builtinRulePaths())
    compiled.push(
      compileRuleFile(await readRuleFile(path), relative(ROOT, path)),
    );
  return mergeRuleFiles(compiled);
}
