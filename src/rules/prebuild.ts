// Build-time step: validates and compiles the built-in rule files once, so start-up only
// reads a JSON file and never runs zod or a YAML parser over them.
import { basename } from 'node:path';
import { compileRuleFile } from './compile.js';
import { listRuleFiles, readRuleFile, type PrebuiltRuleFile } from './load.js';

export async function prebuildRules(folder: string): Promise<PrebuiltRuleFile[]> {
  const prebuilt: PrebuiltRuleFile[] = [];
  for (const path of listRuleFiles(folder, true)) {
    const file = await readRuleFile(path);
    const source = `classifiers/${basename(path)}`;
    compileRuleFile(file, source);
    prebuilt.push({ source, file });
  }
  return prebuilt;
}
