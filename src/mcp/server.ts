// `authwrap mcp`: an MCP server on stdio with one tool, run_cli, whose result is the envelope.
//
// Each call spawns `bin/authwrap --json -- <argv>` instead of running the wrapper in-process:
// the wrapper owns process-wide things (signal handlers that end a run with one envelope, the
// child's stdio relay, the exit) that would fight the JSON-RPC stream on this process's stdout,
// and a second process makes "the same trust, redaction and one-re-auth rules" true by
// construction — the call is the CLI. Start-up costs tens of milliseconds against a cloud CLI's
// hundreds. Loaded only for `authwrap mcp`, so the SDK never touches the hot path.
//
// The SDK's low-level Server rather than McpServer: McpServer wants zod shapes and derives its
// own JSON Schema, while the tool's outputSchema is to be the published envelope schema itself
// (`authwrap schema envelope`, with its $id), and argument faults get messages of our own.
import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import { buildJsonSchema } from "../verbs/schema.js";
import {
  TOOL_DESCRIPTION,
  TOOL_INPUT_SCHEMA,
  TOOL_NAME,
  type RunCliArguments,
} from "./tool.js";

/** src/mcp/server.ts and dist/mcp/server.js both sit two folders below the package root. */
const BIN = fileURLToPath(new URL("../../bin/authwrap", import.meta.url));
/** After a timeout's SIGTERM, authwrap writes its INTERRUPTED envelope; past this it is killed. */
const KILL_GRACE_MS = 5000;

export interface McpOptions {
  env: Record<string, string | undefined>;
  version: string;
  stdin: Readable;
  stdout: Writable;
}

function callTool(
  name: string,
  raw: unknown,
  env: Record<string, string | undefined>,
): Promise<CallToolResult> {
  if (name !== TOOL_NAME)
    return Promise.resolve(
      failure(`unknown tool ${name}; the tool is ${TOOL_NAME}`),
    );
  const args = parseArguments(raw);
  if (typeof args === "string") return Promise.resolve(failure(args));
  return runCli(args, env);
}

/** Serves until the client closes stdin. */
export async function serveMcp(options: McpOptions): Promise<number> {
  const server = new Server(
    { name: "authwrap", version: options.version },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      {
        name: TOOL_NAME,
        description: TOOL_DESCRIPTION,
        inputSchema: TOOL_INPUT_SCHEMA as unknown as {
          type: "object";
          [key: string]: unknown;
        },
        outputSchema: outputSchema(),
      },
    ],
  }));
  const running = new Set<Promise<CallToolResult>>();
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    const call = callTool(
      request.params.name,
      request.params.arguments,
      options.env,
    );
    running.add(call);
    void call.finally(() => running.delete(call));
    return call;
  });
  await server.connect(new StdioServerTransport(options.stdin, options.stdout));
  // The client closing our stdin ends the session: calls already running still get their answer.
  await new Promise<void>((resolve) => {
    server.onclose = resolve;
    options.stdin.once("end", resolve);
    options.stdin.once("close", resolve);
  });
  await Promise.allSettled([...running]);
  // The SDK sends each answer a few microtasks after its handler settles.
  await new Promise((resolve) => setImmediate(resolve));
  await server.close();
  return 0;
}

/** The envelope's JSON Schema, without the `$schema` line: MCP clients validate with draft-07 validators. */
function outputSchema(): { type: "object"; [key: string]: unknown } {
  const schema = buildJsonSchema("envelope");
  delete schema.$schema;
  return schema as { type: "object"; [key: string]: unknown };
}

function parseArguments(raw: unknown): RunCliArguments | string {
  const args = (raw ?? {}) as Record<string, unknown>;
  const { argv, cwd, stdin, timeout } = args;
  if (
    !Array.isArray(argv) ||
    argv.length === 0 ||
    !argv.every((word) => typeof word === "string")
  )
    return 'argv must be a non-empty array of strings, e.g. ["gh", "api", "user"]';
  if (cwd !== undefined && typeof cwd !== "string")
    return "cwd must be a string";
  if (stdin !== undefined && typeof stdin !== "string")
    return "stdin must be a string";
  if (timeout !== undefined && (typeof timeout !== "number" || !(timeout > 0)))
    return "timeout must be a positive number of seconds";
  return { argv: argv as string[], cwd, stdin, timeout } as RunCliArguments;
}

/** One CLI run; the envelope it printed is the result, also as text for clients without structured content. */
function runCli(
  args: RunCliArguments,
  env: Record<string, string | undefined>,
): Promise<CallToolResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--json", "--", ...args.argv], {
      cwd: args.cwd,
      env,
      stdio: [args.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => out.push(chunk));
    // The command's own stderr is not redacted; the envelope's error.detail is. Dropped.
    child.stderr!.resume();
    child.stdin?.on("error", () => {});
    child.stdin?.end(args.stdin);
    let timer: NodeJS.Timeout | undefined;
    let killer: NodeJS.Timeout | undefined;
    if (args.timeout !== undefined)
      timer = setTimeout(() => {
        child.kill("SIGTERM");
        killer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      }, args.timeout * 1000);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve(failure(`authwrap could not start: ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      clearTimeout(killer);
      const text = Buffer.concat(out).toString("utf8").trim();
      try {
        const envelope = JSON.parse(text) as { ok: boolean };
        resolve({
          content: [{ type: "text", text }],
          structuredContent: envelope as unknown as Record<string, unknown>,
          isError: !envelope.ok,
        });
      } catch {
        resolve(failure(`authwrap exited ${code} without an envelope`));
      }
    });
  });
}

function failure(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}
