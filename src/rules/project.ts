// Finds the project's own rule folder: the nearest `.authwrap/classifiers` from cwd upwards.
import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PROJECT_RULES_DIR = join(".authwrap", "classifiers");

export function findProjectRulesDir(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, PROJECT_RULES_DIR);
    if (statSync(candidate, { throwIfNoEntry: false })?.isDirectory())
      return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
