// reauth/plan.ts: every gate of the one re-auth plan, one row each (pure: no process, no files).
import { describe, expect, it } from "vitest";
import {
  planReauth,
  planUnderLock,
  type PlanFacts,
} from "../src/reauth/plan.js";
import type { Invocation, Verdict } from "../src/types.js";

const expiry: Verdict = {
  code: "CREDENTIALS_EXPIRED",
  ambiguous: false,
  retryable: true,
  warnings: [],
  rule: "classifiers/x.yaml#expired",
  refreshCommand: "x auth refresh",
  refreshSource: "classifiers/x.yaml",
  refreshOrigin: "builtin",
  ruleOrigin: "builtin",
  replayEvidence: true,
};
const invocation: Pick<
  Invocation,
  | "reauthCommand"
  | "reauthSource"
  | "reauthAllowed"
  | "reauthAmbiguous"
  | "retry"
> = { reauthAllowed: true, reauthAmbiguous: false, retry: "auth-rejected" };
const facts: PlanFacts = {
  context: "agent",
  ruleTrusted: true,
  commandTrusted: true,
};
const bare: Verdict = { ...expiry, code: "UNAUTHENTICATED", ambiguous: true };

describe("planReauth", () => {
  it.each<
    [
      string,
      Partial<Verdict>,
      Partial<typeof invocation>,
      Partial<PlanFacts>,
      string,
    ]
  >([
    ["a denial", { code: "PERMISSION_DENIED" }, {}, {}, "NOT_AN_EXPIRY"],
    ["a bare refusal", bare, {}, {}, "AMBIGUOUS"],
    ["interrupted", {}, {}, { interrupted: "SIGINT" }, "INTERRUPTED"],
    ["output closed", {}, {}, { outputClosed: true }, "OUTPUT_CLOSED"],
    [
      "untrusted project rule",
      { ruleOrigin: "project" },
      {},
      { ruleTrusted: false },
      "UNTRUSTED_RULE",
    ],
    ["--no-reauth", {}, { reauthAllowed: false }, {}, "REAUTH_DISABLED"],
    ["no command", { refreshCommand: undefined }, {}, {}, "NO_COMMAND"],
    [
      "interactive in an agent",
      { refreshInteractive: true },
      {},
      {},
      "NEEDS_PERSON",
    ],
    [
      "untrusted project command",
      { refreshOrigin: "project" },
      {},
      { commandTrusted: false },
      "UNTRUSTED_COMMAND",
    ],
  ])("%s → skip %s", (_, verdict, inv, fact, code) => {
    const plan = planReauth(
      { ...expiry, ...verdict },
      { ...invocation, ...inv },
      { ...facts, ...fact },
    );
    expect("skip" in plan && plan.skip).toBe(code);
  });

  it("runs the caller's command (even if the rule file's needs a person); a bare refusal with --reauth-ambiguous", () => {
    expect(
      planReauth(
        { ...expiry, refreshInteractive: true },
        { ...invocation, reauthCommand: "mine", reauthSource: "env" },
        facts,
      ),
    ).toEqual({
      run: {
        command: "mine",
        source: "env",
        interactive: false,
        projectSource: undefined,
        projectSourceHash: undefined,
      },
      retry: { replay: true },
    });
    expect(
      "run" in
        planReauth(bare, { ...invocation, reauthAmbiguous: true }, facts),
    ).toBe(true);
  });

  it.each<[string, Partial<Verdict>, Invocation["retry"], string | true]>([
    [
      "loose words",
      { replayEvidence: false },
      "auth-rejected",
      "WEAK_EVIDENCE",
    ],
    ["--retry never", {}, "never", "RETRY_DISABLED"],
    ["mid-work", { replayUnsafe: true }, "auth-rejected", "REPLAY_UNSAFE"],
    ["mid-work, --retry always", { replayUnsafe: true }, "always", true],
  ])("retry after the re-auth: %s → %s", (_, verdict, retry, want) => {
    const plan = planReauth(
      { ...expiry, ...verdict },
      { ...invocation, retry },
      facts,
    );
    if (!("run" in plan)) throw new Error("expected a run");
    expect("replay" in plan.retry ? true : plan.retry.skip).toBe(want);
  });
});

describe("planUnderLock", () => {
  const now = 1_000_000;
  it.each<[string, object, object, string | undefined]>([
    [
      "renewed meanwhile",
      { lastSuccessAt: now - 10 },
      { since: now - 20 },
      "RENEWED_MEANWHILE",
    ],
    [
      "renewed before the attempt",
      { lastSuccessAt: now - 30 },
      { since: now - 20 },
      undefined,
    ],
    [
      "failed 10 s ago, agent",
      { lastFailureAt: now - 10_000 },
      { since: now },
      "COOLING_DOWN",
    ],
    [
      "failed 10 s ago, at a terminal",
      { lastFailureAt: now - 10_000 },
      { since: now, context: "interactive" },
      undefined,
    ],
    [
      "failed 61 s ago",
      { lastFailureAt: now - 61_000 },
      { since: now },
      undefined,
    ],
    [
      "--force-reauth",
      { lastSuccessAt: now },
      { since: now - 20, force: true },
      undefined,
    ],
  ])("%s", (_, record, request, want) => {
    expect(
      planUnderLock(record, { context: "agent", ...request } as never, now)
        ?.skip,
    ).toBe(want);
  });
});
