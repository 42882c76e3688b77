// The corpus of real outputs in fixtures/cases/: its shape (how many, from how many tools, per
// label), the exact verdicts of the outputs captured from real clients here, and the accuracy
// targets on the whole corpus and on its check split (scripts/corpus.mjs, scripts/score.mjs).
import { describe, expect, it } from "vitest";
import { textOutput } from "../src/run/windows.js";
import { classifyAttempt } from "../src/classify/classify.js";
import { exitCodeFor } from "../src/output/envelope.js";
import { commandName, selectRules } from "../src/rules/select.js";
// @ts-expect-error: plain ES module shared with scripts/accuracy.mjs
import { loadCorpus, LABELS } from "../scripts/corpus.mjs";
// @ts-expect-error: plain ES module shared with scripts/accuracy.mjs
import { score, TARGETS } from "../scripts/score.mjs";
import { ROOT } from "./helpers/run.js";
import { loadBuiltinRules } from "./helpers/rules.js";

interface Case {
  id: string;
  source: string;
  tool: string;
  label: string;
  split: "train" | "check";
  argv?: string[];
  exit_code: number;
  stdout?: string;
  stderr?: string;
  expect: {
    code: string;
    ambiguous?: boolean;
    replay_unsafe?: boolean;
    required_permission?: string;
    expires_at?: string;
    refresh_command?: string;
    hint?: string;
  };
}

const AUTH_WORDS =
  /token|auth|unauthori|forbidden|denied|expired|credential|log ?in|permission|\b40[13]\b/i;

describe("fixtures/cases", async () => {
  const merged = await loadBuiltinRules();
  const corpus = loadCorpus(ROOT) as Case[];
  const classify = (c: Case) => {
    const { tool, sets } = selectRules(merged, c.tool, c.tool);
    return classifyAttempt(
      {
        exitCode: c.exit_code,
        stdout: textOutput(c.stdout ?? ""),
        stderr: textOutput(c.stderr ?? ""),
      },
      sets,
      {
        command: commandName(c.tool),
        tool,
        args: c.argv ?? [],
        env: {},
      },
    );
  };

  it("is large and varied enough to show generalisation", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(600);
    expect(new Set(corpus.map((c) => c.tool)).size).toBeGreaterThanOrEqual(150);
    for (const label of LABELS)
      expect(
        corpus.filter((c) => c.label === label).length,
        label,
      ).toBeGreaterThanOrEqual(60);
    const negatives = corpus.filter(
      (c) =>
        c.label === "other" &&
        AUTH_WORDS.test(`${c.stdout ?? ""}${c.stderr ?? ""}`),
    );
    expect(negatives.length).toBeGreaterThanOrEqual(80);
    expect(
      corpus.filter((c) => c.split === "check").length,
    ).toBeGreaterThanOrEqual(corpus.length / 4);
  });

  it("every case names where it came from: a capture here or a public report", () => {
    expect(
      corpus
        .filter((c) => !/^(captured\b|https:\/\/)/.test(c.source))
        .map((c) => c.id),
    ).toEqual([]);
  });

  const captured = corpus.filter((c) => c.source.startsWith("captured"));
  it.each(captured.map((c) => [c.id, c] as const))(
    "captured from a real client: %s",
    (_id, fixture) => {
      const verdict = classify(fixture);
      const { code, ...fields } = fixture.expect;
      expect(verdict?.code ?? "OK").toBe(code);
      const got = {
        ambiguous: verdict?.ambiguous,
        replay_unsafe: verdict?.replayUnsafe ?? false,
        required_permission: verdict?.requiredPermission,
        expires_at: verdict?.expiresAt,
        refresh_command: verdict?.refreshCommand,
        hint: verdict?.hint,
      };
      for (const [name, value] of Object.entries(fields))
        expect(got[name as keyof typeof got], name).toBe(value);
    },
  );

  // Zero non-auth outputs turned into exit 8 or 10 is the target; the check split's one is left
  // unread (docs/ACCURACY.md) so the split keeps measuring what the rules were not written from.
  it("meets the accuracy targets on the whole corpus and on the check split, with no false auth verdict on the train split", () => {
    const results = corpus.map((c) => {
      const verdict = classify(c);
      const code =
        verdict?.code ?? (c.exit_code === 0 ? "OK" : "COMMAND_FAILED");
      return {
        id: c.id,
        tool: c.tool,
        label: c.label,
        split: c.split,
        code,
        exit: exitCodeFor(verdict ? verdict.code : null, c.exit_code, null),
      };
    });
    const s = score(results);
    const falseAuth = (split: string) =>
      s.falseAuth.filter((r: { split: string }) => r.split === split).length;
    expect({
      overall: s.overall >= TARGETS.overall,
      check: s.check >= TARGETS.check,
      falseAuthTrain: falseAuth("train"),
      falseAuthCheck: falseAuth("check") <= 1,
      expiredAsDenied: s.expiredAsDenied.length,
    }).toEqual({
      overall: true,
      check: true,
      falseAuthTrain: 0,
      falseAuthCheck: true,
      expiredAsDenied: 0,
    });
  });
});
