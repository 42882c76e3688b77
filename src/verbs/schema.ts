import type { Writable } from "node:stream";
import { z } from "zod";
import { envelopeSchema } from "../output/envelope-schema.js";
import { AuthwrapError } from "../errors.js";
import { ruleFileSchema } from "../rules/schema.js";

export const SCHEMA_IDS = {
  envelope: "https://github.com/authwrap/authwrap/schema/envelope.schema.json",
  classifier:
    "https://github.com/authwrap/authwrap/schema/classifier.schema.json",
} as const;

export function buildJsonSchema(name: string): Record<string, unknown> {
  if (name !== "envelope" && name !== "classifier") {
    throw new AuthwrapError(
      "USAGE_ERROR",
      `unknown schema "${name}"; expected envelope or classifier`,
    );
  }
  const schema = z.toJSONSchema(
    name === "envelope" ? envelopeSchema : ruleFileSchema,
    { io: "input", unrepresentable: "any" },
  );
  return {
    ...schema,
    $id: SCHEMA_IDS[name],
    title:
      name === "envelope"
        ? "authwrap envelope"
        : "authwrap classifier rule file",
  };
}

export function printSchema(name: string, stdout: Writable): number {
  stdout.write(`${JSON.stringify(buildJsonSchema(name), null, 2)}\n`);
  return 0;
}
