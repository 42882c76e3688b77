// The run_cli tool definitions in docs/agents/ (OpenAI and Anthropic formats) are what src/mcp/tool.ts
// says, name only envelope fields and codes that exist, and — run the way the README tells a
// harness to run them — give the real envelope.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODE_TABLE, ERROR_CODES, isErrorCode } from "../src/codes.js";
import { envelopeSchema } from "../src/output/envelope-schema.js";
import {
  anthropicTool,
  openaiTool,
  TOOL_DESCRIPTION,
} from "../src/mcp/tool.js";
import { buildJsonSchema } from "../src/verbs/schema.js";
import { ROOT, createSandbox, runAuthwrap, runDemo } from "./helpers/run.js";

const read = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, "docs/agents", name), "utf8")) as Record<
    string,
    unknown
  >;
const openai = read("openai-run_cli.json");
const anthropic = read("anthropic-run_cli.json");

describe("tool definitions for agents", () => {
  it("the files are the definitions src/mcp/tool.ts gives (regenerate them from it)", () => {
    expect(openai).toEqual(openaiTool());
    expect(anthropic).toEqual(anthropicTool());
  });

  it("each is in its framework's shape, with argv an array of strings", () => {
    const fn = openai.function as Record<string, unknown>;
    expect(openai.type).toBe("function");
    for (const [name, schema] of [
      [fn.name, fn.parameters],
      [anthropic.name, anthropic.input_schema],
    ] as const) {
      expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
      expect(schema).toMatchObject({
        type: "object",
        required: ["argv"],
        properties: { argv: { type: "array", items: { type: "string" } } },
      });
    }
  });

  it("the description names only fields of the envelope, and codes with their real exit codes", () => {
    const schema = buildJsonSchema("envelope") as {
      properties: Record<string, { anyOf?: unknown[]; properties?: unknown }>;
    };
    const errorFields = Object.keys(
      (
        schema.properties.error!.anyOf!.find(
          (branch) => (branch as { type?: string }).type === "object",
        ) as { properties: Record<string, unknown> }
      ).properties,
    );
    const metaFields = Object.keys(
      schema.properties.meta!.properties as Record<string, unknown>,
    );
    for (const [, group, field] of TOOL_DESCRIPTION.matchAll(
      /\b(error|meta)\.([a-z_]+)/g,
    ))
      expect(group === "error" ? errorFields : metaFields).toContain(field);
    const named = [
      ...TOOL_DESCRIPTION.matchAll(/\b([A-Z][A-Z_]{3,}) \(exit (\d+)\)/g),
    ];
    expect(named.length).toBeGreaterThanOrEqual(3);
    for (const [, code, exit] of named) {
      expect(isErrorCode(code!)).toBe(true);
      expect(CODE_TABLE[code as (typeof ERROR_CODES)[number]].exit).toBe(
        Number(exit),
      );
    }
  });

  it("a call run as the README says — authwrap --json -- ...argv — answers with the envelope", async () => {
    const sandbox = createSandbox();
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    // What a model sends for "check the demo status", in either format.
    const call = { argv: ["democli", "status"] };
    const result = await runAuthwrap(["--json", "--", ...call.argv], sandbox);
    const envelope = envelopeSchema.parse(JSON.parse(String(result.stdout)));
    expect(envelope.ok).toBe(true);
    expect(envelope.meta.reauth?.command).toBe("democli auth refresh");
  });

  it("README's tool definition passes argv as an array, never one templated word", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).not.toMatch(/"--",\s*"\{\{argv\}\}"/);
    expect(readme).toContain("docs/agents/openai-run_cli.json");
    expect(readme).toContain("docs/agents/anthropic-run_cli.json");
  });
});
