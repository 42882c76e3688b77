// `authwrap mcp` driven by the official SDK's Client over stdio, as an MCP host would, against the
// demo CLI. The Client itself checks each structured result against the tool's outputSchema.
import { afterEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { buildJsonSchema } from "../src/verbs/schema.js";
import { BIN, createSandbox, runDemo, type Sandbox } from "./helpers/run.js";

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(sandbox: Sandbox): Promise<Client> {
  const client = new Client({ name: "authwrap-test", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN, "mcp"],
      env: sandbox.env,
      stderr: "ignore",
    }),
  );
  clients.push(client);
  return client;
}

type Envelope = {
  ok: boolean;
  data: unknown;
  error: Record<string, unknown> | null;
  meta: Record<string, unknown> & { reauth: Record<string, unknown> | null };
};

describe("authwrap mcp", () => {
  it("lists run_cli with argv as an array and the envelope's JSON Schema as outputSchema", async () => {
    const client = await connect(createSandbox());
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["run_cli"]);
    const tool = tools[0]!;
    expect(tool.inputSchema).toMatchObject({
      type: "object",
      required: ["argv"],
      properties: { argv: { type: "array", items: { type: "string" } } },
    });
    const envelope = buildJsonSchema("envelope");
    delete envelope.$schema;
    expect(tool.outputSchema).toEqual(envelope);
  });

  it("run_cli on an expired token: the result is the envelope after the one re-auth", async () => {
    const sandbox = createSandbox();
    await runDemo(["auth", "login"], sandbox);
    await runDemo(["auth", "expire"], sandbox);
    const client = await connect(sandbox);
    const result = await client.callTool({
      name: "run_cli",
      arguments: { argv: ["democli", "status"] },
    });
    const envelope = result.structuredContent as Envelope;
    expect(result.isError).toBe(false);
    expect(envelope).toMatchObject({
      ok: true,
      error: null,
      meta: {
        schema_version: "1",
        attempts: 2,
        reauth: { command: "democli auth refresh", exit_code: 0 },
      },
    });
    expect(sandbox.refreshCount()).toBe(1);
    // The text content is the same envelope, for clients that read only text.
    const [text] = result.content as Array<{ type: string; text: string }>;
    expect(JSON.parse(text!.text)).toEqual(envelope);
  });

  it("a denial is an error result carrying the envelope; stdin reaches the command", async () => {
    const sandbox = createSandbox();
    await runDemo(["auth", "login", "--scope", "read"], sandbox);
    const client = await connect(sandbox);
    const denied = await client.callTool({
      name: "run_cli",
      arguments: { argv: ["democli", "deploy"] },
    });
    expect(denied.isError).toBe(true);
    expect((denied.structuredContent as Envelope).error).toMatchObject({
      code: "PERMISSION_DENIED",
      required_permission: "deploy:write",
      fix_required: true,
    });
    expect(sandbox.refreshCount()).toBe(0);
    const upload = await client.callTool({
      name: "run_cli",
      arguments: { argv: ["democli", "upload"], stdin: "12345" },
    });
    expect((upload.structuredContent as Envelope).ok).toBe(true);
    expect((upload.structuredContent as Envelope).data).toMatchObject({
      bytes: 5,
      text: "12345",
    });
  });

  it("argv given as one shell line is refused with a message, nothing runs", async () => {
    const client = await connect(createSandbox());
    const result = await client.callTool({
      name: "run_cli",
      arguments: { argv: "democli status" },
    });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain("array of strings");
  });

  it("timeout stops the command with SIGTERM, passed on to it: the envelope says so", async () => {
    const client = await connect(createSandbox());
    const result = await client.callTool({
      name: "run_cli",
      arguments: { argv: ["sleep", "30"], timeout: 0.5 },
    });
    const envelope = result.structuredContent as Envelope;
    expect(result.isError).toBe(true);
    expect(envelope.error?.code).toBe("COMMAND_SIGNALED");
    expect(envelope.meta.signal).toBe("SIGTERM");
  });
});
