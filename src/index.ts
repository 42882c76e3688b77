// The library for JS/TS harnesses: the CLI's behaviour in-process, resolving to the envelope.
// It runs main() with its own argv, env and in-memory streams, so it never reads process.argv,
// never sets the exit code and installs no process signal handlers (a timeout or an AbortSignal
// stops the command instead).
import { PassThrough, Readable, type Writable } from "node:stream";
import { main, ruleSources } from "./main.js";
import type { Envelope } from "./output/envelope-schema.js";
import { createRedactor } from "./output/redact.js";
import type { ToolRules } from "./rules/compile.js";
import { loadRules as loadRuleSources } from "./rules/load.js";
import { mergeRuleFiles } from "./rules/select.js";
import { captureBuffer, envelopeForCaptured } from "./verbs/classify.js";

export type { Envelope, EnvelopeError } from "./output/envelope-schema.js";

/** Where rules come from: built-in, the user's and the project's folders (found from `cwd`), and `classifiers`. */
export interface RuleOptions {
  /** Extra rule files or folders, like --classifiers. */
  classifiers?: string[];
  /** Finds the project's `.authwrap/classifiers`; default: process.cwd(). */
  cwd?: string;
  /** HOME and XDG_CONFIG_HOME locate the user's rules; default: process.env (read, never changed). */
  env?: Record<string, string | undefined>;
}

export interface RunOptions extends RuleOptions {
  /** A string is --reauth (the command that renews the credential); false is --no-reauth. */
  reauth?: string | false;
  /** --tool: which rule set to use; default: chosen from the command's name. */
  tool?: string;
  /** The command's stdin; default: empty. A stream is read once and replayed for the retry. */
  stdin?: string | Uint8Array | Readable;
  /** true (default): the command's stdout becomes `data`. false: passthrough, it goes to `stdout`. */
  json?: boolean;
  /** Where the command's stdout goes when `json` is false; default: discarded. */
  stdout?: Writable;
  /** Where the command's (and the re-auth's) stderr and --verbose lines go; default: discarded. */
  stderr?: Writable;
  /** Milliseconds for the whole run; then the command (or re-auth) gets SIGTERM and the envelope says so. */
  timeout?: number;
  /** Stops the run like `timeout`. */
  signal?: AbortSignal;
  /** --reauth-timeout, in seconds. */
  reauthTimeout?: number;
  /** --retry. */
  retry?: "never" | "auth-rejected" | "always";
  verbose?: boolean;
}

/** The rules one source set yields, for inspection and for classify(). */
export interface Rules {
  readonly tools: readonly {
    tool: string;
    commands: string[];
    rules: { id: string; code: string; source: string }[];
  }[];
}

export interface CapturedInput {
  exitCode: number;
  stdout?: string | Uint8Array;
  stderr?: string | Uint8Array;
  /** The rule set to use, like --tool. */
  tool?: string;
  /** The command name the output came from; chooses the rule set when `tool` is not given. */
  command?: string;
}

export interface ClassifyOptions extends RuleOptions {
  /** Rules from loadRules(), so repeated calls do not load them again. */
  rules?: Rules;
}

/** The compiled rules behind each Rules object handed out. */
const COMPILED = new WeakMap<Rules, ToolRules[]>();

/**
 * Runs `argv` the way `authwrap [options] -- <argv...>` does: classify, re-auth once when expired,
 * retry once. Resolves to the envelope (also for authwrap's own faults); never rejects for a
 * failing command.
 */
export async function run(
  argv: string[],
  options: RunOptions = {},
): Promise<Envelope> {
  const timer =
    options.timeout === undefined
      ? undefined
      : AbortSignal.timeout(options.timeout);
  const present = [options.signal, timer].filter((stop) => stop !== undefined);
  let result: Envelope | undefined;
  await main({
    argv: [...flagsFor(options), "--", ...argv],
    env: { ...(options.env ?? process.env) },
    cwd: options.cwd ?? process.cwd(),
    stdin: stdinFrom(options.stdin) as NodeJS.ReadStream,
    stdout: (options.stdout ?? discard()) as NodeJS.WriteStream,
    stderr: (options.stderr ?? discard()) as NodeJS.WriteStream,
    report: (envelope) => (result = envelope),
    // An own signal even with no stop asked for: it keeps main() off process signal handlers.
    signal:
      present.length > 0
        ? AbortSignal.any(present)
        : new AbortController().signal,
  });
  // main() reports exactly one envelope on every path; this guards a broken promise of that.
  if (!result) throw new Error("authwrap: the run ended without an envelope");
  // The CLI reads a stop as SIGTERM; say which stop it was.
  if (timer?.aborted && !options.signal?.aborted)
    result.warnings.push(
      `timed out after ${options.timeout} ms (the timeout option); stopped with SIGTERM`,
    );
  return result;
}

/** The envelope `authwrap classify` would give for this captured output; runs nothing. */
export async function classify(
  input: CapturedInput,
  options: ClassifyOptions = {},
): Promise<Envelope> {
  const rules = options.rules ?? (await loadRules(options));
  const env = options.env ?? process.env;
  return envelopeForCaptured(
    COMPILED.get(rules) ?? [],
    {
      tool: input.tool,
      command: input.command,
      exitCode: input.exitCode,
      stdout: captureBuffer(toBuffer(input.stdout)),
      stderr: captureBuffer(toBuffer(input.stderr)),
    },
    { env, redact: createRedactor(env) },
  ).envelope;
}

/** Loads and validates the rules (built-in, user, project, `classifiers`); rejects with the CLI's message on a bad file. */
export async function loadRules(options: RuleOptions = {}): Promise<Rules> {
  const sources = ruleSources(
    options.env ?? process.env,
    options.cwd ?? process.cwd(),
    options.classifiers ?? [],
  );
  const compiled = mergeRuleFiles(await loadRuleSources(sources));
  const rules: Rules = {
    tools: compiled.map((set) => ({
      tool: set.tool,
      commands: [...set.commands],
      rules: set.rules.map(({ id, code, source }) => ({ id, code, source })),
    })),
  };
  COMPILED.set(rules, compiled);
  return rules;
}

function flagsFor(options: RunOptions): string[] {
  const flags = options.json === false ? [] : ["--json"];
  if (options.reauth === false) flags.push("--no-reauth");
  else if (options.reauth !== undefined) flags.push("--reauth", options.reauth);
  if (options.tool !== undefined) flags.push("--tool", options.tool);
  for (const path of options.classifiers ?? [])
    flags.push("--classifiers", path);
  if (options.reauthTimeout !== undefined)
    flags.push("--reauth-timeout", String(options.reauthTimeout));
  if (options.retry !== undefined) flags.push("--retry", options.retry);
  if (options.verbose) flags.push("--verbose");
  return flags;
}

function stdinFrom(stdin: RunOptions["stdin"]): Readable {
  if (stdin instanceof Readable) return stdin;
  return Readable.from(stdin === undefined ? [] : [toBuffer(stdin)]);
}

function toBuffer(text: string | Uint8Array | undefined): Buffer {
  if (text === undefined) return Buffer.alloc(0);
  return typeof text === "string" ? Buffer.from(text) : Buffer.from(text);
}

function discard(): Writable {
  const sink = new PassThrough();
  sink.resume();
  return sink;
}
