// The re-auth plan: the one place where "may the re-auth run, and may the command be replayed
// after it?" is decided. Pure — every fact that needs I/O (is a project file trusted, what the
// state folder recorded) is read by the caller and passed in — so `--explain` prints exactly the
// plan a run would follow, without running anything (ni's dry run).
//
// Two stages, because two facts can only be known under the cross-process lock: planReauth
// decides before the lock (what, whether at all), planUnderLock decides with the record read
// under it (renewed meanwhile, cool-down).
import type { CallerKind } from "./command.js";
import type { ReauthRecord } from "./state.js";
import type { Invocation, Verdict } from "../types.js";

export const FAILURE_COOLDOWN_MS = 60_000;

export type SkipCode =
  | "NOT_AN_EXPIRY"
  | "AMBIGUOUS"
  | "INTERRUPTED"
  | "OUTPUT_CLOSED"
  | "UNTRUSTED_RULE"
  | "REAUTH_DISABLED"
  | "NO_COMMAND"
  | "NEEDS_PERSON"
  | "UNTRUSTED_COMMAND"
  | "RENEWED_MEANWHILE"
  | "COOLING_DOWN"
  | "STATE_UNUSABLE"
  | "LOCK_BUSY"
  | "WEAK_EVIDENCE"
  | "RETRY_DISABLED"
  | "REPLAY_UNSAFE";

export interface Skip {
  skip: SkipCode;
  message: string;
}

export interface ReauthStep {
  command: string;
  /** Who chose the command: flag, env, or the rule file it came from. */
  source: string;
  interactive: boolean;
  /** Set when the command comes from a project rule file: it runs only if that file is trusted. */
  projectSource?: string;
  projectSourceHash?: string;
}

export type ReauthPlan =
  | {
      run: ReauthStep;
      /** After a successful re-auth: replay the command, or why not. */
      retry: { replay: true } | Skip;
    }
  | Skip;

export interface PlanFacts {
  context: CallerKind;
  /** authwrap received a stop signal during the attempt. */
  interrupted?: string | null;
  /** The caller closed authwrap's stdout. */
  outputClosed?: boolean;
  /** The deciding rule's project file is trusted (only asked for project files). */
  ruleTrusted: boolean;
  /** The refresh command's project file is trusted (only asked for project files). */
  commandTrusted: boolean;
}

export function planReauth(
  verdict: Verdict,
  invocation: Pick<
    Invocation,
    | "reauthCommand"
    | "reauthSource"
    | "reauthInteractive"
    | "reauthAllowed"
    | "reauthAmbiguous"
    | "retry"
  >,
  facts: PlanFacts,
): ReauthPlan {
  if (verdict.code === "CREDENTIALS_EXPIRED" && verdict.ambiguous)
    return skip(
      "AMBIGUOUS",
      "the output cannot settle whether the credential expired",
    );
  if (verdict.code !== "CREDENTIALS_EXPIRED") {
    if (!(verdict.ambiguous && verdict.code === "UNAUTHENTICATED"))
      return skip(
        "NOT_AN_EXPIRY",
        `${verdict.code} is not renewed by a re-auth`,
      );
    if (!invocation.reauthAmbiguous)
      return skip(
        "AMBIGUOUS",
        "a bare refusal that nothing settled as an expiry; pass --reauth-ambiguous to try a re-auth anyway",
      );
  }
  if (facts.outputClosed)
    return skip("OUTPUT_CLOSED", "the caller closed authwrap's output");
  if (facts.interrupted)
    return skip(
      "INTERRUPTED",
      `authwrap received ${facts.interrupted}; no re-auth or retry after it`,
    );
  if (verdict.ruleOrigin === "project" && !facts.ruleTrusted)
    // An untrusted project file may classify; it may not make authwrap re-run the command.
    return skip(
      "UNTRUSTED_RULE",
      `${verdict.rule} decided this verdict; a project rule file you have not trusted cannot trigger a re-auth or a retry (authwrap trust)`,
    );
  const command = invocation.reauthCommand ?? verdict.refreshCommand;
  if (!invocation.reauthAllowed)
    return skip("REAUTH_DISABLED", "--no-reauth: classify and report only");
  if (!command)
    return skip(
      "NO_COMMAND",
      'no re-auth command is known for this tool; pass --reauth "<command>"',
    );
  const byCaller = invocation.reauthCommand !== undefined;
  // A re-auth the caller chose with --reauth is theirs to judge; the rule file's may need a person,
  // and one from a project's rule file runs only once the user trusts that file.
  const step: ReauthStep = {
    command,
    source: byCaller
      ? (invocation.reauthSource ?? "flag")
      : (verdict.refreshSource ?? "rules"),
    interactive: byCaller
      ? invocation.reauthInteractive === true
      : verdict.refreshInteractive === true,
    projectSource:
      !byCaller && verdict.refreshOrigin === "project"
        ? verdict.refreshSource
        : undefined,
    projectSourceHash: verdict.refreshHash,
  };
  const gate = gateStep(step, facts);
  if (gate) return gate;
  return { run: step, retry: planRetry(verdict, invocation) };
}

/** The gates of a re-auth command itself: a person needed, a project file not trusted. */
export function gateStep(
  step: ReauthStep,
  facts: Pick<PlanFacts, "context" | "commandTrusted">,
): Skip | undefined {
  if (step.projectSource && !facts.commandTrusted)
    return skip(
      "UNTRUSTED_COMMAND",
      `it comes from ${step.projectSource}, a project rule file you have not trusted (authwrap trust ${step.projectSource})`,
    );
  if (step.interactive && facts.context !== "interactive")
    return skip(
      "NEEDS_PERSON",
      `needs a person at a terminal; not run in ${facts.context} context`,
    );
  return undefined;
}

/** Under the lock, with the state folder's record: renewed meanwhile, or cooling down after a failure. */
export function planUnderLock(
  record: ReauthRecord,
  request: { since: number; context: CallerKind; force?: boolean },
  now: number,
): Skip | undefined {
  if (request.force) return undefined;
  if (
    record.lastSuccessAt !== undefined &&
    record.lastSuccessAt >= request.since
  )
    return skip(
      "RENEWED_MEANWHILE",
      "renewed by another authwrap process meanwhile",
    );
  // Unattended runs (an agent, CI) loop; a person at a terminal may want to try again at once.
  const sinceFailure =
    record.lastFailureAt === undefined
      ? Infinity
      : Math.max(0, now - record.lastFailureAt);
  if (request.context === "interactive" || sinceFailure >= FAILURE_COOLDOWN_MS)
    return undefined;
  const ago = `${Math.round(sinceFailure / 1000)} s ago`;
  const within = `not run again within ${FAILURE_COOLDOWN_MS / 1000} s`;
  return skip(
    "COOLING_DOWN",
    record.ineffective
      ? `exited 0 ${ago} but the credential still read as expired; ${within}`
      : `failed ${ago}; ${within}`,
  );
}

/** Replay safety, decided before anything runs: the dynamic limits (stdin, held stdout) stay in wrap.ts. */
function planRetry(
  verdict: Verdict,
  invocation: Pick<Invocation, "retry">,
): { replay: true } | Skip {
  if (verdict.replayEvidence === false && invocation.retry !== "always")
    return skip(
      "WEAK_EVIDENCE",
      `re-auth succeeded; the command was not retried: only loose words (${verdict.rule}) said the credential expired, which is not enough to run it again (pass --retry always to allow)`,
    );
  if (invocation.retry === "never")
    return skip(
      "RETRY_DISABLED",
      "re-auth succeeded; the command was not retried (--retry never): run it again",
    );
  if (verdict.replayUnsafe && invocation.retry !== "always")
    return skip(
      "REPLAY_UNSAFE",
      `re-auth succeeded but the command was not retried: it had already started its work when the credential expired (${verdict.rule}); check its state, then run it again (or pass --retry always)`,
    );
  return { replay: true };
}

function skip(code: SkipCode, message: string): Skip {
  return { skip: code, message };
}
