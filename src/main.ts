// The process boundary: argv, env and streams in; exit code out. The only module that
// touches process.argv, process.env and the exit.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { parseInvocation, type ParsedCommand } from './cli.js';
import { buildEnvelope, buildFaultEnvelope } from './envelope.js';
import { AuthwrapError, isAuthwrapError } from './errors.js';
import { createRedactor, redactData, type Redactor } from './redact.js';
import { writeReport } from './report.js';
import { decodeData } from './data.js';
import { loadRulesFor, type RuleSources } from './rules/load.js';
import type { ReauthContext } from './reauth.js';
import { wrapCommand } from './wrap.js';
import { stateDirOf } from './state.js';
import { findProjectRulesDir } from './rules/project.js';
import type { Mode } from './types.js';

export interface MainIO {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export async function main(io: MainIO): Promise<number> {
  const started = performance.now();
  const redact = createRedactor(io.env);
  let mode: Mode = 'passthrough';
  let verbose = false;
  try {
    const parsed = parseInvocation(io.argv, io.env);
    if (parsed.kind === 'wrap') {
      mode = parsed.invocation.mode;
      verbose = parsed.invocation.verbose;
    } else mode = 'json';
    return await dispatch(parsed, io, redact);
  } catch (error) {
    const fault = isAuthwrapError(error) ? error : new AuthwrapError('INTERNAL_ERROR', `internal error: ${(error as Error)?.message ?? String(error)}`);
    if (verbose && !isAuthwrapError(error)) io.stderr.write(redact(`${(error as Error)?.stack ?? error}\n`));
    const { envelope, exitCode } = buildFaultEnvelope(fault, performance.now() - started, redact);
    await writeReport(envelope, { mode, stdout: io.stdout, stderr: io.stderr });
    return exitCode;
  }
}

async function dispatch(parsed: ParsedCommand, io: MainIO, redact: Redactor): Promise<number> {
  if (parsed.kind === 'help' || parsed.kind === 'version') {
    const { printHelp, printVersion } = await import('./verbs/help.js');
    return parsed.kind === 'help' ? printHelp(io.stdout) : printVersion(io.stdout);
  }
  const sources = ruleSources(io.env, io.cwd, parsed.kind === 'wrap' ? parsed.invocation.classifierPaths : parsed.classifierPaths);
  if (parsed.kind === 'verb') {
    const { runVerb } = await import('./verbs/index.js');
    return runVerb(parsed.verb, parsed.argv, { sources, stateDir: stateDirOf(io.env), stdout: io.stdout, stderr: io.stderr, env: io.env, redact });
  }
  const { invocation } = parsed;
  const log = invocation.verbose ? (line: string) => void io.stderr.write(redact(`authwrap: ${line}\n`)) : () => {};
  const rules = await loadRulesFor(sources, invocation.command, invocation.tool);
  const outcome = await wrapCommand(invocation, rules, {
    env: io.env,
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    reauthContext: reauthContextOf(io),
    stateDir: stateDirOf(io.env),
    projectRulesDir: sources.projectDir,
    log,
    redact,
  });
  const last = outcome.attempts.at(-1);
  const decoded =
    invocation.mode === 'json' && last?.data
      ? decodeData(last.data, { truncated: last.dataTruncated, limit: invocation.dataLimit, file: last.dataFile, fileError: last.dataFileError })
      : { data: null, warnings: [] };
  if (invocation.redactData) decoded.data = redactData(decoded.data, redact);
  outcome.warnings.push(...decoded.warnings);
  const { envelope, exitCode } = buildEnvelope(outcome, decoded.data, redact);
  if (last?.outputClosed && invocation.mode === 'passthrough') return exitCode;
  await writeReport(envelope, { mode: invocation.mode, stdout: io.stdout, stderr: io.stderr });
  return exitCode;
}

function ruleSources(env: Record<string, string | undefined>, cwd: string, extraPaths: string[]): RuleSources {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return {
    builtinPath: fileURLToPath(new URL('./builtin-rules.json', import.meta.url)),
    userDir: join(configHome, 'authwrap', 'classifiers'),
    projectDir: findProjectRulesDir(cwd),
    extraPaths,
  };
}

function reauthContextOf(io: MainIO): ReauthContext {
  if (io.env.CI && io.env.CI !== 'false') return 'ci';
  return io.stdin.isTTY && io.stderr.isTTY ? 'interactive' : 'agent';
}

/** Entry point for bin/authwrap. */
export async function run(): Promise<void> {
  // Rule patterns run over output that anyone may control. With this V8 flag a pattern that
  // starts to backtrack excessively is re-run on V8's linear-time engine instead of hanging;
  // compile.ts rejects the few features that engine lacks, so every rule pattern qualifies.
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  // EPIPE on our own stdout/stderr (`| head -1`) is a normal end, never a stack trace.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  const code = await main({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
  // Pipe writes are asynchronous on some platforms (macOS): exit only once relayed output is out.
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('drain', resolve);
    stream.once('error', resolve);
    stream.once('close', resolve);
  });
}
