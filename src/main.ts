// The process boundary: argv, env and streams in; exit code out. The only module that
// touches process.argv, process.env and the exit.
import { now } from "./run/clock.js";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { homedir } from "node:os";
import {
  contextOf,
  parseInvocation,
  wantsJson,
  type ParsedCommand,
} from "./cli.js";
import {
  buildFaultEnvelope,
  envelopeOf,
  interruptedEnvelope,
} from "./output/envelope.js";
import type { Envelope } from "./output/envelope-schema.js";
import { AuthwrapError, isAuthwrapError } from "./errors.js";
import { createRedactor, type Redactor } from "./output/redact.js";
import { writeReport } from "./output/report.js";
import { prepareRulesFor, type RuleSources } from "./rules/load.js";
import { wrapCommand } from "./wrap.js";
import { stdinIsDevNull, stdoutIsStderr } from "./run/shared-output.js";
import { unwrapCommand } from "./rules/unwrap.js";
import { stateDirOf } from "./reauth/state.js";
import { findProjectRulesDir } from "./rules/project.js";
import { colorLevel, visible } from "./output/terminal.js";
import { createReauthNotices } from "./output/progress.js";
import { findConfigFiles } from "./config/find.js";
import { isAuthCode } from "./codes.js";
import type { Mode, Outcome } from "./types.js";
import type { ExitCodeProfile } from "./codes.js";

export interface MainIO {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** The process's stdout and stderr are one file or pipe (`2>&1`): see run/shared-output.ts. */
  shareOutput?: boolean;
  /** stdin is /dev/null: the child inherits it, and `stdin` is never read. */
  nullStdin?: boolean;
  /** The library (src/index.ts): receives the envelope instead of it being written to a stream. */
  report?: (envelope: Envelope, exitCode: number) => void;
  /** The library's own stop (timeout, abort): used instead of process signal handlers; ends the child with SIGTERM. */
  signal?: AbortSignal;
}

/** Signals that stop authwrap; each is answered with one envelope and exit 128+N. */
const INTERRUPTING_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** What has been written so far: exactly one envelope per run, whatever happens. */
interface Session {
  mode: Mode;
  /** The exit-code profile, once the arguments are understood. */
  profile?: ExitCodeProfile;
  /** The exit code of the envelope written, once it is. */
  reported?: number;
  started: number;
  redact: Redactor;
  io: MainIO;
  /** --verbose: the envelope line goes to a terminal's stderr too. */
  verbose?: boolean;
}

let session: Session | undefined;

export async function main(io: MainIO): Promise<number> {
  const started = now();
  const redact = createRedactor(io.env);
  // Until the arguments are understood, read --json leniently: a bad option still gets its envelope.
  const current: Session = {
    mode: wantsJson(io.argv, io.env) ? "json" : "passthrough",
    started,
    redact,
    io,
  };
  session = current;
  let verbose = false;
  try {
    const parsed = parseInvocation(
      io.argv,
      io.env,
      contextOf(io.env, {
        stdin: !io.nullStdin && io.stdin.isTTY === true,
        stderr: io.stderr.isTTY === true,
      }),
    );
    if (parsed.kind === "wrap") {
      current.mode = parsed.invocation.mode;
      current.profile = parsed.invocation.exitCodes;
      verbose = parsed.invocation.verbose;
      current.verbose = verbose;
    } else current.mode = "json";
    return await dispatch(parsed, io, redact, current);
  } catch (error) {
    if (verbose && !isAuthwrapError(error))
      io.stderr.write(redact(`${(error as Error)?.stack ?? error}\n`));
    return reportFault(current, error);
  }
}

/** The one envelope for authwrap's own fault; INTERNAL_ERROR (exit 70) unless it is a known one. */
async function reportFault(current: Session, error: unknown): Promise<number> {
  const fault = isAuthwrapError(error)
    ? error
    : new AuthwrapError(
        "INTERNAL_ERROR",
        `internal error: ${(error as Error)?.message ?? String(error)}`,
      );
  const { envelope, exitCode } = buildFaultEnvelope(
    fault,
    now() - current.started,
    current.redact,
    current.profile,
  );
  return emit(current, envelope, exitCode);
}

/** Writes the run's envelope, unless one was written already; returns the exit code that goes with the one written. */
async function emit(
  current: Session,
  envelope: Envelope,
  exitCode: number,
): Promise<number> {
  if (current.reported !== undefined) return current.reported;
  current.reported = exitCode;
  if (current.io.report) {
    current.io.report(envelope, exitCode);
    return exitCode;
  }
  await writeReport(envelope, {
    mode: current.mode,
    stdout: current.io.stdout,
    stderr: current.io.stderr,
    env: current.io.env,
    verbose: current.verbose,
  });
  // Under GitHub Actions or GitLab CI an auth verdict also gets the CI's own display (output/ci.ts).
  const { env } = current.io;
  if (
    envelope.error &&
    isAuthCode(envelope.error.code) &&
    (env.GITHUB_ACTIONS === "true" || env.GITLAB_CI === "true")
  ) {
    const { writeCiReport } = await import("./output/ci.js");
    writeCiReport(envelope, env, current.io.stderr);
  }
  return exitCode;
}

async function dispatch(
  parsed: ParsedCommand,
  io: MainIO,
  redact: Redactor,
  current: Session,
): Promise<number> {
  if (parsed.kind === "help" || parsed.kind === "version") {
    const { printHelp, printVersion } = await import("./verbs/help.js");
    return parsed.kind === "help"
      ? printHelp(io.stdout)
      : printVersion(io.stdout);
  }
  const sources = ruleSources(
    io.env,
    io.cwd,
    parsed.kind === "wrap"
      ? parsed.invocation.classifierPaths
      : parsed.classifierPaths,
  );
  if (parsed.kind === "verb") {
    const { runVerb } = await import("./verbs/index.js");
    return runVerb(parsed.verb, parsed.argv, {
      sources,
      stateDir: stateDirOf(io.env),
      // Getters pass io's own on: process.stdin is a stream made on first read (2 ms for a file).
      get stdin() {
        return io.stdin;
      },
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
      redact,
      json: parsed.json,
      cwd: io.cwd,
      callerKind: contextOf(io.env, {
        stdin: !io.nullStdin && io.stdin.isTTY === true,
        stderr: io.stderr.isTTY === true,
      }),
    });
  }
  let { invocation } = parsed;
  const callerKind = contextOf(io.env, {
    stdin: !io.nullStdin && io.stdin.isTTY === true,
    stderr: io.stderr.isTTY === true,
  });
  // Read at each call: a config file may turn --verbose on.
  const log = (line: string) => {
    if (invocation.verbose)
      io.stderr.write(redact(`authwrap: ${visible(line)}\n`));
  };
  const interrupt = io.signal ? followSignal(io.signal) : watchSignals();
  try {
    const rules = await untilInterrupted(
      prepareRulesFor(
        sources,
        unwrapCommand(invocation.command, invocation.args).command,
        invocation.tool,
      ),
      interrupt.signal,
    );
    if (rules === INTERRUPTED) {
      const { envelope, exitCode } = interruptedEnvelope(
        null,
        interrupt.name(),
        "while loading the rule files; the command did not run",
        now() - current.started,
        redact,
        invocation.exitCodes,
      );
      return emit(current, envelope, exitCode);
    }
    const configFiles = findConfigFiles(io.env, io.cwd);
    if (configFiles.length > 0) {
      // The config supplies defaults for flags, per tool and profile: parse once more with them.
      const { configFor } = await import("./config/apply.js");
      const { defaults } = await configFor(
        configFiles,
        // With a config file the rules are compiled now: the config is read before the command runs.
        rules(),
        invocation,
        io.env,
      );
      const again = parseInvocation(io.argv, io.env, callerKind, defaults);
      if (again.kind === "wrap") invocation = again.invocation;
      for (const item of defaults)
        log(
          `config: ${item.key} = ${JSON.stringify(item.raw)} from ${item.origin}`,
        );
    }
    if (invocation.explain) {
      // The plan only: nothing runs (src/reauth/explain.ts).
      const { explainRun } = await import("./reauth/explain.js");
      const plan = await explainRun(invocation, rules(), {
        env: io.env,
        stateDir: stateDirOf(io.env),
        callerKind,
        log,
      });
      io.stdout.write(redact(`${JSON.stringify(plan, null, 2)}\n`));
      return 0;
    }
    const outcome = await wrapCommand(invocation, rules, {
      env: io.env,
      get stdin() {
        return io.stdin;
      },
      stdout: io.stdout,
      stderr: io.stderr,
      callerKind,
      stateDir: stateDirOf(io.env),
      projectRulesDir: sources.projectDir,
      log,
      signal: interrupt.signal,
      abort: io.signal,
      redact,
      shareOutput: io.shareOutput,
      nullStdin: io.nullStdin,
      notices: io.stderr.isTTY
        ? createReauthNotices(io.stderr, colorLevel(io.env, true) > 0)
        : undefined,
    });
    const last = outcome.attempts.at(-1);
    let result = envelopeOf(outcome, {
      redact,
      profile: invocation.exitCodes,
      redactData: invocation.redactData,
      dataLimit: invocation.dataLimit,
    });
    if (interrupt.signal.aborted)
      result = interruptedEnvelope(
        result,
        interrupt.name(),
        whatWasInterrupted(outcome, interrupt.at()),
        outcome.durationMs,
        redact,
      );
    if (last?.outputClosed && invocation.mode === "passthrough")
      return result.exitCode;
    return emit(current, result.envelope, result.exitCode);
  } finally {
    interrupt.stop();
  }
}

/** Which step the signal cut short, from what the run recorded. */
function whatWasInterrupted(outcome: Outcome, at: number): string {
  const reauth = outcome.reauth;
  if (reauth?.interrupted)
    return reauth.skipped
      ? reauth.skipped.replace(/^authwrap was interrupted by \S+ /, "")
      : "during the re-auth; it was not retried";
  const last = outcome.attempts.at(-1);
  const attempt = `attempt ${outcome.attempts.length}`;
  if (last && at >= last.startedAt + last.durationMs)
    return `after the command's ${attempt} finished; nothing more was started`;
  return `while the command ran (${attempt}); the signal was passed on to it`;
}

const INTERRUPTED = Symbol("interrupted");

function untilInterrupted<T>(
  work: Promise<T>,
  signal: AbortSignal,
): Promise<T | typeof INTERRUPTED> {
  if (signal.aborted) return Promise.resolve(INTERRUPTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(INTERRUPTED);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * From here on SIGINT, SIGTERM and SIGHUP no longer kill authwrap outright: they fire `signal`,
 * and the run ends with one envelope. While the command runs, run.ts passes them on to it; a
 * lock wait and a re-auth (reauth/once.ts) stop at once; no re-auth or retry starts after them.
 */
function watchSignals() {
  const controller = new AbortController();
  let at = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    at = Date.now();
    controller.abort(name);
  };
  for (const name of INTERRUPTING_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    name: () => String(controller.signal.reason),
    at: () => at,
    stop: () => {
      for (const name of INTERRUPTING_SIGNALS) process.off(name, onSignal);
    },
  };
}

/** The library's stop, shaped like watchSignals(): a caller's abort reads as SIGTERM. */
function followSignal(signal: AbortSignal) {
  let at = signal.aborted ? Date.now() : 0;
  const onAbort = () => (at = Date.now());
  signal.addEventListener("abort", onAbort, { once: true });
  return {
    signal,
    name: () => "SIGTERM",
    at: () => at,
    stop: () => signal.removeEventListener("abort", onAbort),
  };
}

export function ruleSources(
  env: Record<string, string | undefined>,
  cwd: string,
  extraPaths: string[],
): RuleSources {
  const configHome =
    env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return {
    builtinPath: fileURLToPath(
      new URL("./builtin-rules.json", import.meta.url),
    ),
    userDir: join(configHome, "authwrap", "classifiers"),
    projectDir: findProjectRulesDir(cwd),
    extraPaths,
  };
}

/** Entry point for bin/authwrap. */
export async function run(): Promise<void> {
  // The V8 flags that keep rule patterns linear are set just before classifying: classify/linear.ts.
  // EPIPE on our own stdout/stderr (`| head -1`) is a normal end, never a stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", () => {});
  // A fault outside main's own flow (a throw in a stream handler): still one envelope, exit 70.
  const onFatal = (error: unknown) => {
    const current = session;
    if (!current) throw error;
    void reportFault(current, error).then(async (exitCode) => {
      await Promise.all([drained(process.stdout), drained(process.stderr)]);
      process.exit(exitCode);
    });
  };
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
  const code = await main({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    // Created on first use: a stream for stdin costs start-up time, and /dev/null needs none.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    shareOutput: stdoutIsStderr(),
    nullStdin: stdinIsDevNull(),
  });
  // Pipe writes are asynchronous on some platforms (macOS): exit only once relayed output is out.
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    // 'drain' comes only after a write() that returned false. On Node 24 a socket stdout (a
    // parent's 'pipe') can hold bytes after writes that returned true: then only an empty
    // write's callback says they are out (waiting for 'drain' left the loop empty: exit 13).
    stream.write("", () => resolve());
    stream.once("error", resolve);
    stream.once("close", resolve);
  });
}
