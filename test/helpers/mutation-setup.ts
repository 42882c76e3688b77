// Setup for vitest.mutation.config.ts only (`npm run mutation`; see docs/MUTATION.md). Skips:
// - the tests that run bin/authwrap: they exercise dist/, built from the unmutated sources, so no
//   mutant can fail them;
// - the timing tests that run patterns on megabytes of text: minutes on a loaded machine for
//   every surviving mutant, and a mutant can only make them flaky, not fail them reliably.
// StrykerJS needs a green initial run: a test that fails on the base commit goes here too, with
// a note in docs/MUTATION.md, until it is fixed.
import { beforeEach } from "vitest";

const SKIPPED = [
  /bin\/authwrap/, // hostile.test.ts "hostile output through bin/authwrap > …", linear.test.ts "through bin/authwrap: …"
  /`authwrap rules test`/, // rules.test.ts: both run the binary
  /no built-in pattern takes long on hostile text/, // linear.test.ts: timing
  /a user pattern with nested quantifiers and flags .* stays fast/, // linear.test.ts: timing
];

beforeEach((context) => {
  if (SKIPPED.some((pattern) => pattern.test(context.task.fullName)))
    context.skip();
});
