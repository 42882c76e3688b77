// Matching stays linear in the output's size for every pattern, whatever its flags: 1 MB of
// hostile text against every built-in rule, and nested quantifiers in a user rule with each flag.
// (Before `i` was rewritten as case classes, `(a+)+b` took 19 s on 28 a's and the bearer rule
// 41 s on 1 MB of repeated WWW-Authenticate headers.)
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { buildRegExp } from "../src/rules/pattern.js";
import { boundRepetitions, GAP } from "../src/rules/bound.js";
import { foldCase } from "../src/rules/casefold.js";
import { loadBuiltinRules } from "./helpers/rules.js";
import { createSandbox, parseEnvelope, runAuthwrap } from "./helpers/run.js";

// The flag bin/authwrap sets at start-up (src/main.ts).
setFlagsFromString(
  "--enable-experimental-regexp-engine-on-excessive-backtracks",
);
setFlagsFromString("--regexp-backtracks-before-fallback=1000");

const MB = 1024 * 1024;
// Rules only ever see a window of each stream (its first and last 64 KiB, src/run/windows.ts); every
// rule is fed twice that, and the whole CLI 1 MB below.
const WINDOW_TWICE = 256 * 1024;
const HOSTILE = [
  "a".repeat(WINDOW_TWICE),
  'WWW-Authenticate: Bearer error="invalid_token" '.repeat(WINDOW_TWICE / 47),
  "token token session credential expired or ".repeat(WINDOW_TWICE / 43),
  `${'{"error":{"code":"'.repeat(WINDOW_TWICE / 18)}`,
  "Error: ".repeat(WINDOW_TWICE / 7) + "\n",
  ("│ " + "x".repeat(60) + "\n").repeat(WINDOW_TWICE / 63),
];

/** Milliseconds one exec takes. */
function timeExec(regexp: RegExp, text: string): number {
  const started = performance.now();
  regexp.exec(text);
  return performance.now() - started;
}

describe("linear-time matching", async () => {
  const merged = await loadBuiltinRules();
  const patterns = merged.flatMap((set) =>
    set.rules.flatMap((rule) =>
      [
        rule.stdout,
        rule.stderr,
        rule.output,
        ...rule.json.map((t) => t.pattern),
      ]
        .filter((r): r is RegExp => r !== undefined)
        .map((r) => [`${rule.source}#${rule.id}`, r] as const),
    ),
  );

  it("covers the built-in rules", () =>
    expect(patterns.length).toBeGreaterThan(80));

  it(
    "no built-in pattern takes long on hostile text twice the size of the window rules see",
    { timeout: 300_000 },
    () => {
      const slow: string[] = [];
      for (const [name, regexp] of patterns) {
        for (const text of HOSTILE) {
          const ms = timeExec(regexp, text);
          if (ms > 1000) slow.push(`${name}: ${Math.round(ms)} ms`);
        }
      }
      expect(slow).toEqual([]);
    },
  );

  it.each(["", "i", "m", "s", "ims"])(
    'a user pattern with nested quantifiers and flags "%s" stays fast',
    (flags) => {
      const regexp = buildRegExp("(a+)+b|(x*)*y|(?:token|t)+z", flags, {
        file: "user.yaml",
        rule: "r",
        field: "when.output",
      });
      expect(
        timeExec(
          regexp,
          `${"a".repeat(30)}${"x".repeat(MB / 4)}${"token".repeat(MB / 20)}`,
        ),
      ).toBeLessThan(5000);
    },
  );

  it("rewrites i as case classes without changing what matches", () => {
    expect(foldCase("Token [a-c]x\\w{2}(?<hint>\\S+)")).toBe(
      "[tT][oO][kK][eE][nN] [a-cA-C][xX]\\w{2}(?<hint>\\S+)",
    );
    const pairs: Array<[string, string]> = [
      ["expired", "EXPIRED token"],
      ["[^a]b", "Ab"],
      ["[^a]b", "cB"],
      ["a{2}", "AA"],
      ["\\bbad\\b", "BAD!"],
    ];
    for (const [pattern, text] of pairs)
      expect(new RegExp(foldCase(pattern)).test(text), pattern).toBe(
        new RegExp(pattern, "i").test(text),
      );
  });

  it("bounds every single-character repetition to GAP characters, and nothing else", () => {
    const g = (min: number) => `{${min},${GAP}}`;
    expect(boundRepetitions("token[^\\n]*expired.+at \\S+")).toBe(
      `token[^\\n]${g(0)}expired.${g(1)}at \\S${g(1)}`,
    );
    // Repetitions inside groups (a counted one there would keep V8's linear engine from taking
    // over), alternation and counted or optional repetitions are left as written.
    expect(boundRepetitions("(a+)+b|(?:ab)*c?d{2,3}^$")).toBe(
      "(a+)+b|(?:ab)*c?d{2,3}^$",
    );
    expect(boundRepetitions("(?:x+)y+")).toBe(`(?:x+)y${g(1)}`);
    // A class is one atom whatever it holds (an escaped bracket, a leading ^); so is a long escape.
    expect(
      boundRepetitions("[\\]x]*[^a-z]+\\x41+\\u0041*\\p{L}+\\k<name>+"),
    ).toBe(
      `[\\]x]${g(0)}[^a-z]${g(1)}\\x41${g(1)}\\u0041${g(0)}\\p{L}${g(1)}\\k<name>${g(1)}`,
    );
    expect(boundRepetitions("\\++\\**")).toBe(`\\+${g(1)}\\*${g(0)}`);
    expect(boundRepetitions("[*+]+[^+]*")).toBe(`[*+]${g(1)}[^+]${g(0)}`);
  });

  it(
    "through bin/authwrap: 1 MB of repeated bearer challenges on stderr is classified in seconds, not minutes",
    { timeout: 30_000 },
    async () => {
      const started = Date.now();
      const result = await runAuthwrap(
        [
          "--json",
          "--",
          "node",
          "-e",
          `process.stderr.write('WWW-Authenticate: Bearer error="invalid_token" '.repeat(${MB / 47})); process.exit(1)`,
        ],
        createSandbox(),
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(parseEnvelope(result.stdout).error!.code).toBe("UNAUTHENTICATED");
    },
  );
});
