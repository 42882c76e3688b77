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
import { recordPreparedSources } from "./pattern.js";

/** The built-in files without their examples, and the examples apart (only `rules test` reads them). */
export async function prebuildRules(folder: string): Promise<{
  rules: RuleFileEntry[];
  examples: PrebuiltExamples;
  /** Every pattern as it runs, for pattern.ts's usePreparedSources. */
  regexps: Record<string, string>;
}> {
  const rules: RuleFileEntry[] = [];
  const examples: PrebuiltExamples = {};
  const regexps: Record<string, string> = {};
  // Tools' files at the top, the vocabularies of services and protocols in their own folder.
  const paths = [
    ...listRuleFiles(folder, true),
    ...listRuleFiles(join(folder, "vocabularies"), false),
  ];
  for (const path of paths) {
    const file = await readRuleFile(path);
    const source = relative(dirname(folder), path).split(sep).join("/");
    Object.assign(
      regexps,
      recordPreparedSources(() => compileRuleFile(file, source)).sources,
    );
    examples[source] = Object.fromEntries(
      file.rules.map((rule) => [rule.id, rule.examples ?? []]),
    );
    rules.push({
      source,
      file: { ...file, rules: file.rules.map(withoutExamples) },
    });
  }
  return { rules, examples, regexps };
}

function withoutExamples(rule: Rule): Rule {
  const copy = { ...rule };
  delete copy.examples;
  return copy;
}
