// The `run_cli` tool as data: its name, the policy an agent follows, and its input schema. The
// MCP server serves it, and docs/agents/ holds it in OpenAI's and Anthropic's formats (a test
// compares the files with this module). No SDK here.

export const TOOL_NAME = "run_cli";

/** What an agent does with each answer; the same words as README "For agents". */
export const TOOL_DESCRIPTION = [
  "Run a command-line client (aws, gcloud, gh, az, kubectl, ...) through authwrap and get one JSON envelope.",
  "argv is the command and its arguments as separate strings, never a shell line.",
  "An expired credential is renewed once and the command retried once before you see the result.",
  "ok true: use data (the command's stdout, parsed JSON where it is JSON).",
  "error.code CREDENTIALS_EXPIRED (exit 10): the renewal did not fix it; run error.refresh_command (or ask the user to), then retry once.",
  "error.code UNAUTHENTICATED (exit 8): not logged in; do not retry; ask the user to run error.hint.",
  "error.code PERMISSION_DENIED (exit 8): stop; report error.required_permission; do not retry.",
  "Any other code is not an auth problem: read error.message, error.detail and error.stdout.",
  "meta.exit_code is the command's own exit code.",
].join(" ");

export const TOOL_INPUT_SCHEMA = {
  type: "object",
  properties: {
    argv: {
      type: "array",
      items: { type: "string" },
      minItems: 1,
      description:
        'The command and its arguments, one string each: ["aws", "s3", "ls", "--profile", "dev"]',
    },
    cwd: {
      type: "string",
      description: "Working folder for the command (default: the server's)",
    },
    stdin: {
      type: "string",
      description:
        "Text given to the command on its standard input (replayed on the retry)",
    },
    timeout: {
      type: "number",
      exclusiveMinimum: 0,
      description:
        "Seconds before the command is stopped with SIGTERM (the envelope then says COMMAND_SIGNALED, or INTERRUPTED during a re-auth)",
    },
  },
  required: ["argv"],
  additionalProperties: false,
} as const;

export interface RunCliArguments {
  argv: string[];
  cwd?: string;
  stdin?: string;
  timeout?: number;
}

/** OpenAI's function-calling format (Chat Completions `tools[]`, strict off: cwd, stdin, timeout are optional). */
export function openaiTool(): Record<string, unknown> {
  return {
    type: "function",
    function: {
      name: TOOL_NAME,
      description: TOOL_DESCRIPTION,
      parameters: TOOL_INPUT_SCHEMA,
    },
  };
}

/** Anthropic's Messages API format (`tools[]`). */
export function anthropicTool(): Record<string, unknown> {
  return {
    name: TOOL_NAME,
    description: TOOL_DESCRIPTION,
    input_schema: TOOL_INPUT_SCHEMA,
  };
}
