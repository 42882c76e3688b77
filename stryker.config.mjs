// `npm run mutation`: StrykerJS over the classification, rules, re-auth, state and redaction
// modules, with the fast in-process tests of vitest.mutation.config.ts. Slow (tens of minutes on
// two cores) and not part of `npm test` or CI. Results and how to read them: docs/MUTATION.md.
// StrykerJS 9.x: 10.x requires Node 22, and authwrap supports Node 20.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Every module by default; `npm run mutation -- --mutate src/output/redact.ts` narrows a run.
const MODULES = [
  "src/classify/classify.ts",
  "src/classify/normalize.ts",
  "src/classify/template.ts",
  "src/classify/context.ts",
  "src/rules/compile.ts",
  "src/rules/select.ts",
  "src/rules/pattern.ts",
  "src/rules/casefold.ts",
  "src/rules/bound.ts",
  "src/reauth/once.ts",
  "src/reauth/state.ts",
  "src/reauth/trust.ts",
  "src/run/data-sink.ts",
  "src/run/stdin-tape.ts",
  "src/output/redact.ts",
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts" },
  mutate: MODULES,
  coverageAnalysis: "perTest",
  concurrency: 2,
  incremental: false,
  // Static mutants (module-level code: the token regexes, constant tables) are only run at load
  // time, so each needs every test file reloaded: half the run's time for a quarter of the
  // mutants. They are reported as Ignored; MUTATION_STATIC=1 runs them too.
  ignoreStatic: process.env.MUTATION_STATIC !== "1",
  // A shared, busy two-core machine: runs take longer than the initial test run measured.
  timeoutFactor: 3,
  timeoutMS: 10_000,
  dryRunTimeoutMinutes: 10,
  // The sandboxes live outside the work tree, one folder per run, so a run that is stopped
  // leaves no copy of the tests where `npm test` or ESLint would find it.
  tempDirName: mkdtempSync(join(tmpdir(), "authwrap-stryker-")),
  cleanTempDir: true,
  ignorePatterns: ["dist", "bench", "reports"],
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 80, low: 60, break: null },
};
