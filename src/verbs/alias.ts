// `authwrap alias [--shell bash|zsh|fish] TOOL...`: shell functions that run each tool through
// authwrap under the tool's own name. A completion is looked up by the command word, so a
// function named `aws` keeps whatever completion `aws` has (bash's `complete`, zsh's `compdef`,
// fish's completions/aws.fish); authwrap itself finds the real aws on PATH, not the function.
import type { Writable } from "node:stream";
import { AuthwrapError } from "../errors.js";
import { SHELLS, type Shell } from "./completion.js";

/** A name that is safe to paste into shell code as it is. */
const TOOL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

export function printAliases(
  argv: string[],
  env: Record<string, string | undefined>,
  stdout: Writable,
): number {
  let shell: string | undefined;
  const tools: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--shell") shell = argv[++i];
    else if (arg.startsWith("--shell=")) shell = arg.slice(8);
    else if (arg.startsWith("-")) throw usage(`unknown option ${arg}`);
    else tools.push(arg);
  }
  shell ??= defaultShell(env.SHELL);
  if (!(SHELLS as readonly string[]).includes(shell))
    throw usage(`--shell: "${shell}" is not one of ${SHELLS.join(", ")}`);
  if (tools.length === 0)
    throw usage("name the tools: authwrap alias aws gh kubectl");
  const bad = tools.find(
    (tool) => !TOOL_NAME.test(tool) || tool === "authwrap",
  );
  if (bad !== undefined)
    throw usage(
      `"${bad}" is not a command name authwrap can wrap in a function`,
    );
  stdout.write(script(shell as Shell, tools));
  return 0;
}

function script(shell: Shell, tools: string[]): string {
  if (shell === "fish")
    return `# authwrap alias for fish:  authwrap alias --shell fish ${tools.join(" ")} | source\n${tools
      .map(
        (tool) =>
          `function ${tool} --description '${tool} through authwrap'\n    command authwrap -- ${tool} $argv\nend`,
      )
      .join("\n")}\n`;
  // An alias of the same name would be expanded inside the definition: remove it first.
  const load =
    shell === "zsh"
      ? 'eval "$(authwrap alias --shell zsh …)"'
      : 'eval "$(authwrap alias --shell bash …)"';
  return `# authwrap alias for ${shell}:  ${load}\n${tools
    .map(
      (tool) =>
        `unalias ${tool} 2>/dev/null\n${tool}() { command authwrap -- ${tool} "$@"; }`,
    )
    .join("\n")}\n`;
}

function defaultShell(shellPath: string | undefined): string {
  const name = shellPath?.split("/").pop() ?? "";
  return (SHELLS as readonly string[]).includes(name) ? name : "bash";
}

function usage(message: string): AuthwrapError {
  return new AuthwrapError(
    "USAGE_ERROR",
    `authwrap alias: ${message}; usage: authwrap alias [--shell bash|zsh|fish] TOOL...`,
  );
}
