// The `-- <cmd>` flow: attempt → classify → (expired) re-auth once → retry once → Outcome.
import { now } from "./run/clock.js";
import type { Readable, Writable } from "node:stream";
import { classifyAttempt, type CommandFacts } from "./classify/classify.js";
import { isErrorDocument } from "./classify/document.js";
import { processVerdict } from "./classify/process.js";
import { isSeenStale } from "./credential/stamp.js";
import { proactiveCommandOf, toolIdentityCommand } from "./reauth/proactive.js";
import type { IdentityChange, IdentityGuard } from "./reauth/identity.js";
import type { ReauthRequest } from "./reauth/once.js";
import { STDOUT_HOLD_LIMIT } from "./run/holdback.js";
import type { CallerKind } from "./reauth/command.js";
import type { Redactor } from "./output/redact.js";
import type { ReauthNotices } from "./output/progress.js";
import type { ToolRules } from "./rules/compile.js";
import type { PreparedRules } from "./rules/load.js";
import { commandName, selectRules } from "./rules/select.js";
import { innerEnv, unwrapCommand } from "./rules/unwrap.js";
import { runAttempt } from "./run/attempt.js";
import { createStdinTape, STDIN_REPLAY_LIMIT } from "./run/stdin-tape.js";
import { wantsPty } from "./run/terminal.js";
import type {
  Attempt,
  CredentialInfo,
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
  callerKind: CallerKind;
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
  /** stdout and stderr are one file (`2>&1`): the child gets one socket for both. */
  shareOutput?: boolean;
  /** stdin is /dev/null: the child inherits it; nothing to record for a retry. */
  nullStdin?: boolean;
  /** A person reads stderr: tell them when the re-auth starts and while it runs. */
  notices?: ReauthNotices;
}

/** How long a command runs before its rules are compiled alongside it (see compileSoon). */
const COMPILE_AFTER_MS = 5;

/** Control flow only: thrown after a successful re-auth so the command runs again (never leaves wrap.ts). */
class RetryAfterReauth extends Error {}

export async function wrapCommand(
  invocation: Invocation,
  /** The rules, or a function that compiles them (called once the command runs). */
  rules: ToolRules[] | (() => ToolRules[]),
  io: WrapIO,
): Promise<Outcome> {
  const started = now();
  // `env X=1 aws …`, `sh -c 'aws …'`: the rules and context are the inner command's (rules/unwrap.ts).
  const inner = unwrapCommand(invocation.command, invocation.args);
  if (inner.through.length > 0)
    io.log(
      `looked through ${inner.through.join(", ")}: the command is ${commandName(inner.command)}`,
    );
  // The rules are compiled once the command has started (see runAttempt's whileRunning): its own
  // start-up, on the other core, hides that work. Nothing reads them before the first verdict.
  let picked: ReturnType<typeof selectRules> | undefined;
  let context: CommandFacts | undefined;
  const pick = () => {
    if (picked) return picked;
    picked = selectRules(
      typeof rules === "function" ? rules() : rules,
      inner.command,
      invocation.tool,
    );
    io.log(
      `tool ${picked.tool}: ${picked.sets.map((set) => `${set.tool} (${set.rules.length} rules)`).join(", ")}`,
    );
    context = {
      command: commandName(inner.command),
      tool: picked.tool,
      args: inner.args,
      env: innerEnv(inner, io.env),
    };
    return picked;
  };
  const prepared = rules as Partial<PreparedRules>;
  // A command still running after COMPILE_AFTER_MS gets its rules compiled meanwhile, on the other
  // core; one that succeeds sooner (`true`, a cached answer) never needs them (judge below).
  const compileSoon = () => {
    if (picked) return;
    setTimeout(() => {
      try {
        pick();
      } catch {
        // Reported where the rules are needed (judge), through the run's own error path: a
        // timer's exception would bypass it (and, for the library, reach the host process).
      }
    }, COMPILE_AFTER_MS).unref();
  };
  /** The tool's name without compiling the rules when they were not needed. */
  const toolName = () =>
    picked?.tool ??
    (typeof rules === "function" && "tool" in rules
      ? (prepared.tool ?? commandName(inner.command))
      : pick().tool);
  // The credential stage (src/credential/) is loaded only when a verdict or a proactive check needs it.
  const toolSetOf = () => {
    const { tool, sets } = pick();
    return sets.find((set) => set.kind === "tool" && set.tool === tool);
  };
  const probesOf = () => toolSetOf()?.probes ?? [];
  // A tool whose file declares no probes, or names no re-auth that could run unattended, has
  // nothing to check before the first attempt, so its rules can still be compiled while the
  // command starts (rules/load.ts prepareRulesFor).
  const mayCheckBefore =
    typeof rules !== "function" ||
    (prepared.hasProbes !== false &&
      (invocation.reauthCommand
        ? !invocation.reauthInteractive
        : prepared.hasUnattendedRefresh !== false));
  const credentialInput = () => ({
    tool: pick().tool,
    probes: probesOf(),
    stateDir: io.stateDir,
    // The inner command's (rules/unwrap.ts): `env KUBECONFIG=… kubectl` reads that kubeconfig.
    args: context!.args,
    env: context!.env,
    log: io.log,
  });
  let probed: CredentialInfo | undefined;
  // Same identity after the re-auth (item 4 of the credential stage): only where the tool's file declares a who-am-I.
  const guardIdentity = async (): Promise<IdentityGuard | undefined> => {
    const toolSet = toolSetOf();
    const probe = toolSet?.identity;
    if (!toolSet || !probe) return undefined;
    if (
      probe.origin === "project" &&
      !(await isTrustedFile(io.stateDir, probe.source, probe.sourceHash))
    ) {
      io.log(
        `identity: not checked; ${probe.source} is a project file not yet trusted`,
      );
      return undefined;
    }
    const command = toolIdentityCommand(toolSet, context!);
    if (!command) return undefined;
    const identity = await import("./reauth/identity.js");
    return identity.guardIdentity(
      {
        tool: toolSet.tool,
        probe,
        command,
        env: context!.env,
        stateDir: io.stateDir,
        redact: io.redact,
      },
      io.log,
    );
  };
  let identityChange: IdentityChange | undefined;
  const reauthenticate = async (
    request: ReauthCall,
    why: string | undefined,
    identity?: IdentityGuard,
  ): Promise<ReauthResult> => {
    // At a terminal, a person sees why authwrap is logging in, and when it is done (output/notices).
    const reauthEnded = io.notices?.reauthStarting(why, request.command);
    io.log(
      `re-auth: running ${request.command} (time limit ${invocation.reauthTimeoutMs} ms, context ${io.callerKind})`,
    );
    const { reauthOnce } = await import("./reauth/once.js");
    const result = await reauthOnce({
      ...request,
      tool: pick().tool,
      timeoutMs: invocation.reauthTimeoutMs,
      context: io.callerKind,
      env: io.env,
      stderr: io.stderr,
      redact: io.redact,
      stateDir: io.stateDir,
      force: invocation.forceReauth,
      signal: io.signal,
      abort: io.abort,
      beforeRun: identity && (() => identity.before()),
    });
    reauthEnded?.();
    io.log(
      `re-auth: ${result.skipped ?? (result.timedOut ? "timed out" : `exit ${result.exitCode}`)} after ${Math.round(result.durationMs)} ms`,
    );
    return result;
  };
  const tape =
    io.nullStdin || io.stdin.isTTY ? null : createStdinTape(io.stdin);
  const pty = wantsPty(
    {
      stdin: !io.nullStdin && io.stdin.isTTY === true,
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
    // Not started, or killed: the process says what happened, no rule is asked.
    if (attempt.spawnError || attempt.signal || attempt.exitCode === null)
      return processVerdict(attempt);
    // A success no rule can turn into a failure: the rules need not even be compiled. (Unless
    // its whole stdout is a service's error document: an HTTP client's 401 body, document.ts.)
    if (
      attempt.exitCode === 0 &&
      prepared.mayMatchExitZero === false &&
      !isErrorDocument(attempt.stdout)
    ) {
      io.log(
        `tool ${toolName()}: its rules were not needed (none matches exit 0)`,
      );
      io.log(`attempt ${attempts.length}: exit 0 → ok`);
      return null;
    }
    const verdict = classifyAttempt(
      {
        exitCode: attempt.exitCode,
        stdout: attempt.stdout,
        stderr: attempt.stderr,
      },
      pick().sets,
      context!,
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
      whileRunning: compileSoon,
      shareOutput: io.shareOutput,
      log: io.log,
      nullStdin: io.nullStdin,
      terminal: pty ? (io.stdin as NodeJS.ReadStream) : undefined,
    });
    attempts.push(attempt);
    let verdict = withCallerCommand(judge(attempt), invocation);
    if (verdict && probesOf().length > 0 && isCredentialVerdict(verdict)) {
      const { inspectVerdict } = await import("./credential/inspect.js");
      verdict = await inspectVerdict(verdict, credentialInput());
      for (const line of verdict.evidenceTrail ?? [])
        io.log(`evidence: ${line}`);
    }
    // A proactive re-auth was this invocation's one re-auth.
    if (attempts.length > 1 || reauth !== null || !verdict) return verdict;
    // Only a verdict about the credential has a re-auth to plan; the plan loads for those alone.
    if (!isCredentialVerdict(verdict)) return verdict;
    const { planReauth } = await import("./reauth/plan.js");
    const plan = planReauth(verdict, invocation, {
      context: io.callerKind,
      interrupted: attempt.interrupted,
      outputClosed: attempt.outputClosed,
      ruleTrusted:
        verdict.ruleOrigin !== "project" ||
        (await isTrustedRuleFile(io.stateDir, verdict.rule!, verdict.ruleHash)),
      commandTrusted:
        invocation.reauthCommand !== undefined ||
        verdict.refreshOrigin !== "project" ||
        (await isTrustedFile(
          io.stateDir,
          verdict.refreshSource,
          verdict.refreshHash,
        )),
    });
    io.log(
      "run" in plan
        ? `plan: re-auth with ${plan.run.command} (${plan.run.source})`
        : `plan: no re-auth (${plan.skip})`,
    );
    if ("skip" in plan) {
      if (plan.skip === "NEEDS_PERSON" || plan.skip === "UNTRUSTED_COMMAND") {
        const { describeReauthFailure } = await import("./reauth/once.js");
        // Reported as a re-auth that did not run, with the command the caller may run themselves.
        reauth = {
          command: invocation.reauthCommand ?? verdict.refreshCommand!,
          source: invocation.reauthCommand
            ? (invocation.reauthSource ?? "flag")
            : (verdict.refreshSource ?? "rules"),
          exitCode: null,
          durationMs: 0,
          timedOut: false,
          skipped: plan.message,
          skipCode: plan.skip,
        };
        warnings.push(
          describeReauthFailure(reauth, invocation.reauthTimeoutMs),
        );
      } else if (!SILENT_SKIPS.has(plan.skip)) warnings.push(plan.message);
      return verdict;
    }
    const identity = await guardIdentity();
    reauth = await reauthenticate(
      { ...plan.run, since: attempt.startedAt },
      verdict.message,
      identity,
    );
    const { isReauthSuccess, describeReauthFailure } =
      await import("./reauth/once.js");
    if (!isReauthSuccess(reauth)) {
      warnings.push(describeReauthFailure(reauth, invocation.reauthTimeoutMs));
      return verdict;
    }
    identityChange = await identity?.after(warnings);
    if (identityChange)
      return identityChangedVerdict(identityChange, verdict, pick().tool);
    if ("skip" in plan.retry) {
      warnings.push(plan.retry.message);
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

  const proactive =
    invocation.proactive &&
    invocation.reauthAllowed &&
    mayCheckBefore &&
    probesOf().length > 0
      ? proactiveCommandOf(invocation, toolSetOf()!, context!)
      : undefined;
  if (proactive) {
    const since = Date.now();
    const { checkLifetime, describeCredential } =
      await import("./credential/inspect.js");
    const { found, lifetime } = await checkLifetime(
      credentialInput(),
      invocation.minTtlMs,
    );
    if (found) probed = describeCredential(found);
    if (lifetime?.due) {
      const identity = await guardIdentity();
      // Under the same lock as any re-auth: of many callers at once one renews, the others find it renewed.
      reauth = {
        ...(await reauthenticate(
          { ...proactive, interactive: false, since },
          `${pick().tool}: the credential is about to expire (${lifetime.reason})`,
          identity,
        )),
        reason: "proactive",
      };
      const { isReauthSuccess, describeReauthFailure } =
        await import("./reauth/once.js");
      if (!isReauthSuccess(reauth))
        warnings.push(
          describeReauthFailure(reauth, invocation.reauthTimeoutMs),
        );
      else identityChange = await identity?.after(warnings);
      if (identityChange) {
        // Renewed as someone else before the command ran: it does not run at all.
        tape?.close();
        return {
          tool: pick().tool,
          attempts,
          verdict: identityChangedVerdict(identityChange, null, pick().tool),
          reauth,
          warnings,
          durationMs: now() - started,
          credential: probed,
        };
      }
    }
  }

  // Straight-line (STYLE.md): the attempt, and after a successful re-auth the one retry, which
  // cannot ask for another (attemptOnce returns its verdict once attempts.length > 1). Not p-retry:
  // its clock is performance.now(), which loads perf_hooks (~1.3 ms) on every call for this one step.
  let verdict = await attemptOnce().catch((error: unknown) => {
    if (error instanceof RetryAfterReauth) return attemptOnce();
    throw error;
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
    ).recordIneffectiveReauth(io.stateDir, pick().tool, ran.command);
    if (unrecorded) warnings.push(unrecorded);
  }
  if (
    !verdict &&
    attempts.at(-1)?.exitCode === 0 &&
    prepared.hasProbes !== false
  ) {
    // It worked: remember this credential (its salted fingerprint) so a later bare 401 can be
    // settled. At most every 10 minutes: one stat in between, and no rule compiled for it.
    const reauthRan = ran !== null && !ran.skipped && ran.exitCode === 0;
    if (
      (reauthRan || isSeenStale(io.stateDir, toolName())) &&
      probesOf().length > 0
    ) {
      const { recordSuccess } = await import("./credential/inspect.js");
      await recordSuccess(credentialInput());
    }
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
    tool: toolName(),
    attempts,
    verdict,
    reauth,
    warnings,
    durationMs: now() - started,
    credential: probed,
  };
}

type ReauthCall = Pick<
  ReauthRequest,
  | "command"
  | "source"
  | "interactive"
  | "projectSource"
  | "projectSourceHash"
  | "since"
>;

function isCredentialVerdict(verdict: Verdict): boolean {
  return (
    verdict.code === "CREDENTIALS_EXPIRED" || verdict.code === "UNAUTHENTICATED"
  );
}

/** The re-auth logged in as someone else: no retry (or, after a proactive one, no first attempt). */
function identityChangedVerdict(
  change: IdentityChange,
  refused: Verdict | null,
  tool: string,
): Verdict {
  return {
    code: "IDENTITY_CHANGED",
    message: `${tool}: the re-auth logged in as ${change.after.shown}, not ${change.before.shown} as before; the command was not run as the new identity. Log in as ${change.before.shown}, or run the command again to go on as ${change.after.shown}`,
    hint: refused?.hint,
    credential: refused?.credential,
    evidenceTrail: refused?.evidenceTrail,
    retryable: false,
    ambiguous: false,
    warnings: [],
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

/** Plan outcomes that are not worth a warning: nothing to renew, or the caller said so. */
const SILENT_SKIPS = new Set([
  "NOT_AN_EXPIRY",
  "AMBIGUOUS",
  "OUTPUT_CLOSED",
  "REAUTH_DISABLED",
]);

async function isTrustedFile(
  stateDir: string,
  file: string | undefined,
  loadedHash: string | undefined,
): Promise<boolean> {
  if (!file) return false;
  const { isTrusted } = await import("./reauth/trust.js");
  return isTrusted(stateDir, file, loadedHash);
}

async function isTrustedRuleFile(
  stateDir: string,
  rule: string,
  loadedHash: string | undefined,
): Promise<boolean> {
  const { isTrusted } = await import("./reauth/trust.js");
  return isTrusted(stateDir, rule.slice(0, rule.lastIndexOf("#")), loadedHash);
}
