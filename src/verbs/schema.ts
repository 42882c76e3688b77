import type { Writable } from "node:stream";
import { z } from "zod";
import { envelopeSchema } from "../output/envelope-schema.js";
import { AuthwrapError } from "../errors.js";
import { ruleFileSchema } from "../rules/schema.js";
import { configSchema } from "../config/schema.js";
import {
  CODE_TABLE,
  ERROR_CODES,
  EXIT_CODE_PROFILES,
  exitRuleOf,
  type ExitRule,
} from "../codes.js";

export interface ExitCodeRow {
  code: string;
  /** Per profile: a number, "child" (the command's own code; 1 when it is 0 or an auth exit), or "128+N" (signal N). */
  exit: Record<string, number | "child" | "128+N">;
  meaning: string;
}

/** codes.ts CODE_TABLE as data, for `authwrap schema exit-codes` and the README's table. */
export function buildExitCodeTable(): ExitCodeRow[] {
  const shown = (rule: ExitRule) => (rule === "signal" ? "128+N" : rule);
  return ERROR_CODES.map((code) => ({
    code,
    exit: Object.fromEntries(
      EXIT_CODE_PROFILES.map((profile) => [
        profile,
        shown(exitRuleOf(code, profile)),
      ]),
    ),
    meaning: CODE_TABLE[code].meaning,
  }));
}

export const SCHEMA_IDS = {
  envelope: "https://github.com/authwrap/authwrap/schema/envelope.schema.json",
  classifier:
    "https://github.com/authwrap/authwrap/schema/classifier.schema.json",
  config: "https://github.com/authwrap/authwrap/schema/config.schema.json",
} as const;
const SCHEMAS = {
  envelope: envelopeSchema,
  classifier: ruleFileSchema,
  config: configSchema,
};
const TITLES = {
  envelope: "authwrap envelope",
  classifier: "authwrap classifier rule file",
  config: "authwrap config file",
};

export function buildJsonSchema(name: string): Record<string, unknown> {
  if (!Object.hasOwn(SCHEMAS, name)) {
    throw new AuthwrapError(
      "USAGE_ERROR",
      `unknown schema "${name}"; expected envelope, classifier, config or exit-codes`,
    );
  }
  const key = name as keyof typeof SCHEMAS;
  const schema = z.toJSONSchema(SCHEMAS[key], {
    io: "input",
    unrepresentable: "any",
  });
  return { ...schema, $id: SCHEMA_IDS[key], title: TITLES[key] };
}

export function printSchema(name: string, stdout: Writable): number {
  if (name === "exit-codes") {
    stdout.write(`${JSON.stringify(buildExitCodeTable(), null, 2)}\n`);
    return 0;
  }
  stdout.write(`${JSON.stringify(buildJsonSchema(name), null, 2)}\n`);
  return 0;
}
