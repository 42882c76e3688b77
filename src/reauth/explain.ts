// `authwrap --explain -- <cmd>`: the re-auth plan for this command, printed without running
// anything (ni's dry run): the tool and rule set, the credential a probe finds and whether a
// proactive refresh would run, and what an expiry would lead to (planReauth, the same function
// a run follows).
import { commandName, selectRules } from "../rules/select.js";
import { innerEnv, unwrapCommand } from "../rules/unwrap.js";
import type { ToolRules } from "../rules/compile.js";
import type { Invocation, Verdict } from "../types.js";
import type { CallerKind } from "./command.js";
import { planReauth } from "./plan.js";
import { proactiveCommandOf, toolRefreshCommand } from "./proactive.js";
import { isTrusted } from "./trust.js";

export interface ExplainIO {
  env: Record<string, string | undefined>;
  stateDir: string;
  callerKind: CallerKind;
  log: (line: string) => void;
}

export async function explainRun(
  invocation: Invocation,
  rules: ToolRules[],
  io: ExplainIO,
): Promise<Record<string, unknown>> {
  // The inner command of `env X=1 kubectl …`, `sh -c '…'`, as a run reads it (rules/unwrap.ts).
  const inner = unwrapCommand(invocation.command, invocation.args);
  const { tool, sets } = selectRules(rules, inner.command, invocation.tool);
  const toolSet = sets.find((set) => set.kind === "tool" && set.tool === tool);
  const context = {
    command: commandName(inner.command),
    tool,
    args: inner.args,
    env: innerEnv(inner, io.env),
  };
  const refreshCommand = toolSet
    ? toolRefreshCommand(toolSet, context)
    : undefined;
  // What an expiry the tool's own rules found would be: the plan's input, not a guess about output.
  const expiry: Verdict = {
    code: "CREDENTIALS_EXPIRED",
    ambiguous: false,
    retryable: true,
    warnings: [],
    refreshCommand,
    refreshSource: toolSet?.refreshSource,
    refreshOrigin: toolSet?.refreshOrigin,
    refreshHash: toolSet?.refreshSourceHash,
    refreshInteractive: toolSet?.refreshInteractive,
    ruleOrigin: toolSet?.origin,
    replayEvidence: true,
  };
  const plan = planReauth(expiry, invocation, {
    context: io.callerKind,
    ruleTrusted: true,
    commandTrusted:
      toolSet?.refreshOrigin !== "project" ||
      isTrusted(io.stateDir, toolSet.refreshSource!, toolSet.refreshSourceHash),
  });
  const probes = toolSet?.probes ?? [];
  let credential: Record<string, unknown> | null = null;
  let proactive: Record<string, unknown> = {
    would_run: false,
    why: "no credential source is declared for this tool",
  };
  if (probes.length > 0) {
    const { checkLifetime, describeCredential } =
      await import("../credential/inspect.js");
    const { found, lifetime } = await checkLifetime(
      {
        tool,
        probes,
        stateDir: io.stateDir,
        env: context.env,
        args: context.args,
        log: io.log,
      },
      invocation.minTtlMs,
    );
    const command = proactiveCommandOf(invocation, toolSet!, context);
    if (found) {
      const info = describeCredential(found);
      credential = {
        kind: info.kind,
        source: info.source,
        expires_at: info.expiresAt ?? null,
      };
    }
    proactive = {
      would_run:
        Boolean(lifetime?.due && command) &&
        invocation.proactive &&
        invocation.reauthAllowed,
      command: command?.command ?? null,
      why: !found
        ? "no credential found (--verbose says where it looked)"
        : !invocation.proactive
          ? "--no-proactive"
          : !command
            ? "no re-auth command known that runs without a person"
            : lifetime!.reason,
    };
  }
  return {
    tool,
    command: [invocation.command, ...invocation.args],
    credential,
    proactive,
    on_expiry:
      "run" in plan
        ? {
            reauth_command: plan.run.command,
            source: plan.run.source,
            retry:
              "replay" in plan.retry
                ? true
                : { skip: plan.retry.skip, message: plan.retry.message },
          }
        : { skip: plan.skip, message: plan.message },
  };
}
