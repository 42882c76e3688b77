import { resolve } from "node:path";
import { AuthwrapError } from "../errors.js";
import { listRuleFiles, readRuleFile } from "../rules/load.js";
import { trustFile } from "../reauth/trust.js";
import type { VerbIO } from "./index.js";

/** `authwrap trust [PATH...]`: validate each file, then record its content as trusted. */
export async function trustRuleFiles(
  paths: string[],
  context: VerbIO,
): Promise<number> {
  const targets =
    paths.length > 0
      ? paths.flatMap((path) => listRuleFiles(path, true))
      : context.sources.projectDir
        ? listRuleFiles(context.sources.projectDir, false)
        : [];
  if (targets.length === 0)
    throw new AuthwrapError(
      "USAGE_ERROR",
      "no project rule files found (.authwrap/classifiers); name the files to trust",
    );
  for (const file of targets) {
    await readRuleFile(file);
    const hash = trustFile(context.stateDir, file);
    context.stdout.write(
      `trusted ${resolve(file)} (sha256 ${hash.slice(0, 16)}…); its re-auth commands may now run\n`,
    );
  }
  return 0;
}
