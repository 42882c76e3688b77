// Build-time step: validates and compiles the built-in rule files once, so start-up only
// reads a JSON file and never runs zod or a YAML parser over them.
import { dirname, join, relative, sep } from "node:path";
import { compileRuleFile } from "./compile.js";
import {
  listRuleFiles,
  readRuleFile,
  type PrebuiltExamples,
  type RuleFileEntry,
} from "./load.js";
import type { Rule } from "./schema.js";

/** The built-in files without their examples, and the examples apart (only `rules test` reads them). */
export async function prebuildRules(
  folder: string,
): Promise<{ rules: RuleFileEntry[]; examples: PrebuiltExamples }> {
  const rules: RuleFileEntry[] = [];
  const examples: PrebuiltExamples = {};
  // Tools' files at the top, the vocabularies of services and protocols in their own folder.
  const paths = [
    ...listRuleFiles(folder, true),
    ...listRuleFiles(join(folder, "vocabularies"), false),
  ];
  for (const path of paths) {
    const file = await readRuleFile(path);
    const source = relative(dirname(folder), path).split(sep).join("/");
    compileRuleFile(file, source);
    examples[source] = Object.fromEntries(
      file.rules.map((rule) => [rule.id, rule.examples ?? []]),
    );
    rules.push({
      source,
      file: { ...file, rules: file.rules.map(withoutExamples) },
    });
  }
  return { rules, examples };
}

function withoutExamples(rule: Rule): Rule {
  const copy = { ...rule };
  delete copy.examples;
  return copy;
}
