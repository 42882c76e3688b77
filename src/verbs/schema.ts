import type { Writable } from "node:stream";
import { z } from "zod";
import { envelopeSchema } from "../output/envelope-schema.js";
import { AuthwrapError } from "../errors.js";
import { ruleFileSchema } from "../rules/schema.js";
import { configSchema } from "../config/schema.js";

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
      `unknown schema "${name}"; expected envelope, classifier or config`,
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
  stdout.write(`${JSON.stringify(buildJsonSchema(name), null, 2)}\n`);
  return 0;
}
