// The test set StrykerJS runs for `npm run mutation` (stryker.config.mjs): the fast tests that call
// the mutated modules in-process. Tests that run bin/authwrap exercise dist/, built from the
// unmutated sources, so they can kill no mutant; test/helpers/mutation-setup.ts skips those in the
// files kept here, and the files made only of them are left out. Not used by `npm test`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/rules.test.ts",
      "test/select.test.ts",
      "test/cases.test.ts",
      "test/classify.test.ts",
      "test/context.test.ts",
      "test/linear.test.ts",
      "test/reauth-once.test.ts",
      "test/state-unit.test.ts",
      "test/trust.test.ts",
      "test/data-sink.test.ts",
      "test/stdin-tape.test.ts",
      "test/data.test.ts",
      "test/redact.test.ts",
      "test/cli.test.ts",
      "test/hostile.test.ts",
      "test/envelope.test.ts",
      "test/windows.test.ts",
    ],
    setupFiles: ["test/helpers/mutation-setup.ts"],
  },
});
