// The `-- <cmd>` flow: attempt → classify → (expired) re-auth once → retry once → Outcome.
import type { Readable, Writable } from "node:stream";
import pRetry from "p-retry";
import { classifyAttempt } from "./classify/classify.js";
import { STDOUT_HOLD_LIMIT } from "./run/holdback.js";
import type { ReauthContext } from "./reauth/command.js";
import type { Redactor } from "./output/redact.js";
import type { ReauthNotices } from "./output/progress.js";
import type { ToolRules } from "./rules/compile.js";
import { commandName, selectRules } from "./rules/select.js";
import { innerEnv, unwrapCommand } from "./rules/unwrap.js";
import { runAttempt } from "./run/attempt.js";
import { createStdinTape, STDIN_REPLAY_LIMIT } from "./run/stdin-tape.js";
import { wantsPty } from "./run/terminal.js";
import type {
  Attempt,
  Invocation,
  Outcome,
  ReauthResult,
  Verdict,
} from "./types.js";

export interface WrapIO {
  env: Record<string, string | undefined>;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  reauthContext: ReauthContext;
  stateDir: string;
  /** The project's rule folder: re-auth commands from files in it run only once trusted. */
  projectRulesDir?: string;
  log: (line: string) => void;
  /** Fires when authwrap itself is interrupted: no re-auth or retry starts after it. */
  signal?: AbortSignal;
  /** The library's stop: ends a running command with SIGTERM (the CLI passes process signals on instead). */
  abort?: AbortSignal;
  /** Masks the re-auth's relayed output. */
  redact: Redactor;
  /** A person reads stderr: tell them when the re-auth starts and while it runs. */
  notices?: ReauthNotices;
}

/** Control flow only: thrown after a successful re-auth so p-retry runs the command again. */
class RetryAfterReauth extends Error {}

export async function wrapCommand(
  invocation: Invocation,
  rules: ToolRules[],
  io: WrapIO,
): Promise<Outcome> {
  const started = performance.now();
  // `env X=1 aws …`, `sh -c 'aws …'`: the rules and context are the inner command's (rules/unwrap.ts).
  const inner = unwrapCommand(invocation.command, invocation.args);
  const { tool, sets } = selectRules(rules, inner.command, invocation.tool);
  if (inner.through.length > 0)
    io.log(
      `looked through ${inner.through.join(", ")}: the command is ${commandName(inner.command)}`,
    );
  io.log(
    `tool ${tool}: ${sets.map((set) => `${set.tool} (${set.rules.length} rules)`).join(", ")}`,
  );
  const context = {
    command: commandName(inner.command),
    tool,
    args: inner.args,
    env: innerEnv(inner, io.env),
  };
  const tape = io.stdin.isTTY ? null : createStdinTape(io.stdin);
  const pty = wantsPty(
    {
      stdin: io.stdin.isTTY === true,
      stdout: io.stdout.isTTY === true,
      stderr: io.stderr.isTTY === true,
    },
    { pty: invocation.pty, json: invocation.mode === "json" },
  );
  if (pty) io.log("the command runs in a pseudo-terminal (--no-pty: pipes)");
  const attempts: Attempt[] = [];
  const warnings: string[] = [];
  let reauth: ReauthResult | null = null;
  // Output redirected and a retry possible: hold the first attempt's stdout so a retry replaces it (holdback.ts).
  const holdFirst =
    invocation.mode === "passthrough" &&
    !io.stdout.isTTY &&
    invocation.reauthAllowed &&
    invocation.retry !== "never";

  const judge = (attempt: Attempt): Verdict | null => {
    if (attempt.spawnError || attempt.signal || attempt.exitCode === null)
      return null;
    const verdict = classifyAttempt(
      {
        exitCode: attempt.exitCode,
        stdout: attempt.stdout,
        stderr: attempt.stderr,
      },
      sets,
      context,
    );
    io.log(
      verdict?.rule
        ? `attempt ${attempts.length}: exit ${attempt.exitCode} → ${verdict.code} by ${verdict.rule}${verdict.evidence ? ` on "${verdict.evidence}"` : ""}`
        : `attempt ${attempts.length}: exit ${attempt.exitCode} → ${verdict ? verdict.code : "ok"} (no rule matched)`,
    );
    return verdict;
  };

  const attemptOnce = async (): Promise<Verdict | null> => {
    const attempt = await runAttempt({
      command: invocation.command,
      args: invocation.args,
      mode: invocation.mode,
      env: io.env,
      stdin: tape,
      stdout: io.stdout,
      stderr: io.stderr,
      dataLimit: invocation.dataLimit,
      stateDir: io.stateDir,
      abort: io.abort,
      holdStdout:
        holdFirst && attempts.length === 0 ? STDOUT_HOLD_LIMIT : undefined,
      terminal: pty ? (io.stdin as NodeJS.ReadStream) : undefined,
    });
    attempts.push(attempt);
    const verdict = withCallerCommand(judge(attempt), invocation);
    if (
      attempts.length > 1 ||
      !verdict ||
      !isRenewable(verdict, invocation) ||
      attempt.outputClosed
    )
      return verdict;
    if (attempt.interrupted) {
      warnings.push(
        `authwrap received ${attempt.interrupted}; no re-auth or retry after it`,
      );
      return verdict;
    }
    if (
      verdict.ruleOrigin === "project" &&
      !(await isTrustedRuleFile(io.stateDir, verdict.rule!, verdict.ruleHash))
    ) {
      // An untrusted project file may classify; it may not make authwrap re-run the command.
      warnings.push(
        `${verdict.rule} decided this verdict; a project rule file you have not trusted cannot trigger a re-auth or a retry (authwrap trust)`,
      );
      return verdict;
    }
    const command = invocation.reauthCommand ?? verdict.refreshCommand;
    if (!invocation.reauthAllowed || !command) {
      if (!command && invocation.reauthAllowed)
        warnings.push(
          'no re-auth command is known for this tool; pass --reauth "<command>"',
        );
      return verdict;
    }
    io.log(
      `re-auth: running ${command} (time limit ${invocation.reauthTimeoutMs} ms, context ${io.reauthContext})`,
    );
    const { refreshOnce, isReauthSuccess, describeReauthFailure } =
      await import("./reauth/once.js");
    const reauthEnded = io.notices?.reauthStarting(verdict.message, command);
    reauth = await refreshOnce({
      command,
      source: invocation.reauthCommand
        ? (invocation.reauthSource ?? "flag")
        : (verdict.refreshSource ?? "rules"),
      tool,
      // A re-auth the caller chose with --reauth is theirs to judge; the rule file's may need a person,
      // and one from a project's rule file runs only once the user trusts that file.
      interactive: invocation.reauthCommand
        ? invocation.reauthInteractive === true
        : verdict.refreshInteractive === true,
      projectSource:
        !invocation.reauthCommand && verdict.refreshOrigin === "project"
          ? verdict.refreshSource
          : undefined,
      projectSourceHash: verdict.refreshHash,
      timeoutMs: invocation.reauthTimeoutMs,
      context: io.reauthContext,
      env: io.env,
      stderr: io.stderr,
      redact: io.redact,
      stateDir: io.stateDir,
      since: attempt.startedAt,
      force: invocation.forceReauth,
      signal: io.signal,
      abort: io.abort,
    });
    reauthEnded?.();
    io.log(
      `re-auth: ${reauth.skipped ?? (reauth.timedOut ? "timed out" : `exit ${reauth.exitCode}`)} after ${Math.round(reauth.durationMs)} ms`,
    );
    if (!isReauthSuccess(reauth)) {
      warnings.push(describeReauthFailure(reauth, invocation.reauthTimeoutMs));
      return verdict;
    }
    if (verdict.replayEvidence === false && invocation.retry !== "always") {
      warnings.push(
        `re-auth succeeded; the command was not retried: only loose words (${verdict.rule}) said the credential expired, which is not enough to run it again (pass --retry always to allow)`,
      );
      return verdict;
    }
    if (
      invocation.retry === "never" ||
      (verdict.replayUnsafe && invocation.retry !== "always")
    ) {
      warnings.push(
        invocation.retry === "never"
          ? "re-auth succeeded; the command was not retried (--retry never): run it again"
          : `re-auth succeeded but the command was not retried: it had already started its work when the credential expired (${verdict.rule}); check its state, then run it again (or pass --retry always)`,
      );
      return verdict;
    }
    if (attempt.stdoutReleased) {
      warnings.push(
        `stdout already passed ${STDOUT_HOLD_LIMIT} bytes; not retried, to keep redirected output whole`,
      );
      return verdict;
    }
    if (tape && !tape.canReplay()) {
      warnings.push(
        `re-auth succeeded but the command was not retried: its stdin exceeded ${STDIN_REPLAY_LIMIT} bytes and cannot be replayed; run it again`,
      );
      return verdict;
    }
    throw new RetryAfterReauth();
  };

  let verdict = await pRetry(attemptOnce, {
    retries: 1,
    minTimeout: 0,
    maxTimeout: 0,
    randomize: false,
    shouldRetry: ({ error }) => error instanceof RetryAfterReauth,
  });
  tape?.close();
  const ran = reauth as ReauthResult | null;
  if (
    verdict?.code === "CREDENTIALS_EXPIRED" &&
    attempts.length > 1 &&
    ran &&
    !ran.skipped
  ) {
    // It exited 0 and fixed nothing: a looping caller must not get a new re-auth every time.
    const unrecorded = (
      await import("./reauth/once.js")
    ).recordIneffectiveReauth(io.stateDir, tool, ran.command);
    if (unrecorded) warnings.push(unrecorded);
  }
  // No retry replaced the first attempt's output: it goes out after all.
  const held = attempts.length === 1 ? attempts[0]!.heldStdout : undefined;
  if (held?.length)
    await new Promise((resolve) => io.stdout.write(held, resolve));
  if (verdict && attempts.length > 1) {
    // The one re-auth ran and succeeded, and the retry still failed: say what that tells.
    if (verdict.code === "CREDENTIALS_EXPIRED")
      warnings.push(
        "the re-auth succeeded but the credential still reads as expired; it may renew a different credential than the command uses",
      );
    else if (
      verdict.code === "UNAUTHENTICATED" ||
      verdict.code === "PERMISSION_DENIED"
    ) {
      warnings.push(
        "the re-auth succeeded but the command was still refused: the credential is not merely expired",
      );
      verdict = { ...verdict, ambiguous: false };
    }
  }
  return {
    tool,
    attempts,
    verdict,
    reauth,
    warnings,
    durationMs: performance.now() - started,
  };
}

/** A command the caller named with --reauth (or AUTHWRAP_REAUTH) is what renews the credential: say so. */
function withCallerCommand(
  verdict: Verdict | null,
  invocation: Invocation,
): Verdict | null {
  if (!verdict || !invocation.reauthCommand) return verdict;
  if (verdict.code !== "CREDENTIALS_EXPIRED" && !verdict.ambiguous)
    return verdict;
  return {
    ...verdict,
    refreshCommand: invocation.reauthCommand,
    refreshSource: invocation.reauthSource,
  };
}

async function isTrustedRuleFile(
  stateDir: string,
  rule: string,
  loadedHash: string | undefined,
): Promise<boolean> {
  const { isTrusted } = await import("./reauth/trust.js");
  return isTrusted(stateDir, rule.slice(0, rule.lastIndexOf("#")), loadedHash);
}

/** An expiry; or, when the caller opted in, an ambiguous refusal that a re-auth may settle. */
function isRenewable(verdict: Verdict, invocation: Invocation): boolean {
  if (verdict.code === "CREDENTIALS_EXPIRED") return !verdict.ambiguous;
  return (
    invocation.reauthAmbiguous &&
    verdict.ambiguous &&
    verdict.code === "UNAUTHENTICATED"
  );
}
