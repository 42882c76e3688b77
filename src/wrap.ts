// The `-- <cmd>` flow: attempt → classify → (expired) re-auth once → retry once → Outcome.
import type { Readable, Writable } from 'node:stream';
import pRetry from 'p-retry';
import { classifyAttempt } from './classify.js';
import type { ReauthContext } from './reauth.js';
import type { Redactor } from './redact.js';
import type { ToolRules } from './rules/compile.js';
import { commandName, selectRules } from './rules/select.js';
import { runAttempt } from './run.js';
import { createStdinTape, STDIN_REPLAY_LIMIT } from './stdin.js';
import type { Attempt, Invocation, Outcome, ReauthResult, Verdict } from './types.js';

export interface WrapIO {
  env: Record<string, string | undefined>;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  reauthContext: ReauthContext;
  stateDir: string;
  /** The project's rule folder: re-auth commands from files in it run only once trusted. */
  projectRulesDir?: string;
  log: (line: string) => void;
  /** Masks the re-auth's relayed output. */
  redact: Redactor;
}

/** Control flow only: thrown after a successful re-auth so p-retry runs the command again. */
class RetryAfterReauth extends Error {}

export async function wrapCommand(invocation: Invocation, rules: ToolRules[], io: WrapIO): Promise<Outcome> {
  const started = performance.now();
  const { tool, sets } = selectRules(rules, invocation.command, invocation.tool);
  io.log(`tool ${tool}: ${sets.map((set) => `${set.tool} (${set.rules.length} rules)`).join(', ')}`);
  const context = { command: commandName(invocation.command), tool, args: invocation.args, env: io.env };
  const tape = io.stdin.isTTY ? null : createStdinTape(io.stdin);
  const attempts: Attempt[] = [];
  const warnings: string[] = [];
  let reauth: ReauthResult | null = null;

  const judge = (attempt: Attempt): Verdict | null => {
    if (attempt.spawnError || attempt.signal || attempt.exitCode === null) return null;
    const verdict = classifyAttempt({ exitCode: attempt.exitCode, stdout: attempt.stdout, stderr: attempt.stderr }, sets, context);
    io.log(
      verdict?.rule
        ? `attempt ${attempts.length}: exit ${attempt.exitCode} → ${verdict.code} by ${verdict.rule}${verdict.evidence ? ` on "${verdict.evidence}"` : ''}`
        : `attempt ${attempts.length}: exit ${attempt.exitCode} → ${verdict ? verdict.code : 'ok'} (no rule matched)`,
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
    });
    attempts.push(attempt);
    const verdict = judge(attempt);
    if (attempts.length > 1 || !verdict || !isRenewable(verdict, invocation) || attempt.outputClosed) return verdict;
    const command = invocation.reauthCommand ?? verdict.refreshCommand;
    if (!invocation.reauthAllowed || !command) {
      if (!command && invocation.reauthAllowed) warnings.push('no re-auth command is known for this tool; pass --reauth "<command>"');
      return verdict;
    }
    io.log(`re-auth: running ${command} (time limit ${invocation.reauthTimeoutMs} ms, context ${io.reauthContext})`);
    const { refreshOnce, isReauthSuccess, describeReauthFailure } = await import('./refresh.js');
    reauth = await refreshOnce({
      command,
      tool,
      // A re-auth the caller chose with --reauth is theirs to judge; the rule file's may need a person,
      // and one from a project's rule file runs only once the user trusts that file.
      interactive: !invocation.reauthCommand && verdict.refreshInteractive === true,
      projectSource: !invocation.reauthCommand && io.projectRulesDir && verdict.refreshSource?.startsWith(io.projectRulesDir) ? verdict.refreshSource : undefined,
      timeoutMs: invocation.reauthTimeoutMs,
      context: io.reauthContext,
      env: io.env,
      stderr: io.stderr,
      redact: io.redact,
      stateDir: io.stateDir,
      since: attempt.startedAt,
    });
    io.log(`re-auth: ${reauth.skipped ?? (reauth.timedOut ? 'timed out' : `exit ${reauth.exitCode}`)} after ${Math.round(reauth.durationMs)} ms`);
    if (!isReauthSuccess(reauth)) {
      warnings.push(describeReauthFailure(reauth, invocation.reauthTimeoutMs));
      return verdict;
    }
    if (invocation.retry === 'never' || (verdict.replayUnsafe && invocation.retry !== 'always')) {
      warnings.push(
        invocation.retry === 'never'
          ? 're-auth succeeded; the command was not retried (--retry never): run it again'
          : `re-auth succeeded but the command was not retried: it had already started its work when the credential expired (${verdict.rule}); check its state, then run it again (or pass --retry always)`,
      );
      return verdict;
    }
    if (tape && !tape.canReplay()) {
      warnings.push(`re-auth succeeded but the command was not retried: its stdin exceeded ${STDIN_REPLAY_LIMIT} bytes and cannot be replayed; run it again`);
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
  if (verdict && attempts.length > 1) {
    // The one re-auth ran and succeeded, and the retry still failed: say what that tells.
    if (verdict.code === 'CREDENTIALS_EXPIRED') warnings.push('the re-auth succeeded but the credential still reads as expired; it may renew a different credential than the command uses');
    else if (verdict.code === 'UNAUTHENTICATED' || verdict.code === 'PERMISSION_DENIED') {
      warnings.push('the re-auth succeeded but the command was still refused: the credential is not merely expired');
      verdict = { ...verdict, ambiguous: false };
    }
  }
  return { tool, attempts, verdict, reauth, warnings, durationMs: performance.now() - started };
}

/** An expiry; or, when the caller opted in, an ambiguous refusal that a re-auth may settle. */
function isRenewable(verdict: Verdict, invocation: Invocation): boolean {
  if (verdict.code === 'CREDENTIALS_EXPIRED') return !verdict.ambiguous;
  return invocation.reauthAmbiguous && verdict.ambiguous && verdict.code === 'UNAUTHENTICATED';
}
