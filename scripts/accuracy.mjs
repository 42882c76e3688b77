// `npm run accuracy`: every stored real output in fixtures/cases/ through `authwrap classify`
// (the wrapper's own code), scored against its LABELS.md label, for the train and the check
// split apart (scripts/corpus.mjs). Misses are listed for the train split only, so that rules
// are not written from the check split; --show-check lists those too (for the closing report).
// Also runs the rule files' embedded examples. Exits 1 when a target is missed.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadCorpus } from "./corpus.mjs";
import { formatReport, score, TARGETS } from "./score.mjs";

const run = promisify(execFile);
const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "bin/authwrap");
const env = {
  PATH: process.env.PATH,
  HOME: mkdtempSync(join(tmpdir(), "authwrap-accuracy-")),
  LANG: "C.UTF-8",
};
const args = process.argv.slice(2);
const only = args.includes("--split")
  ? args[args.indexOf("--split") + 1]
  : undefined;

async function classifyBySpawn(fixture) {
  const dir = mkdtempSync(join(tmpdir(), "authwrap-case-"));
  writeFileSync(join(dir, "out"), fixture.stdout ?? "");
  writeFileSync(join(dir, "err"), fixture.stderr ?? "");
  const argv = [
    bin,
    "classify",
    "--tool",
    fixture.tool,
    "--exit-code",
    String(fixture.exit_code),
    "--stdout",
    join(dir, "out"),
    "--stderr",
    join(dir, "err"),
  ];
  const result = await run(process.execPath, argv, { env }).catch(
    (error) => error,
  );
  rmSync(dir, { recursive: true, force: true });
  const envelope = JSON.parse(result.stdout);
  return {
    code: envelope.error?.code ?? "OK",
    exit: result.code ?? 0,
    rule: envelope.error?.rule,
  };
}

/**
 * The same functions `authwrap classify` calls, bundled from src/ and run in this process: a
 * thousand cases in about a second instead of a thousand Node start-ups. --spawn runs the CLI.
 */
async function inProcessClassifier() {
  const { build } = await import("esbuild");
  const entry = `
    import { textOutput } from './src/run/windows.ts';
    import { classifyAttempt } from './src/classify/classify.ts';
    import { exitCodeFor } from './src/output/envelope.ts';
    import { loadRules } from './src/rules/load.ts';
    import { mergeRuleFiles, selectRules, commandName } from './src/rules/select.ts';
    export async function makeClassifier(builtinPath) {
      const merged = mergeRuleFiles(await loadRules({ builtinPath, extraPaths: [] }));
      return (c) => {
        const { tool, sets } = selectRules(merged, c.tool, c.tool);
        const v = classifyAttempt({ exitCode: c.exit_code, stdout: textOutput(c.stdout ?? ''), stderr: textOutput(c.stderr ?? '') }, sets, { command: commandName(c.tool), tool, args: c.argv ?? [], env: {} });
        const code = v ? v.code : (c.exit_code === 0 ? 'OK' : 'COMMAND_FAILED');
        return { code, exit: exitCodeFor(v ? v.code : null, c.exit_code, null), rule: v?.rule };
      };
    }`;
  const out = join(
    mkdtempSync(join(tmpdir(), "authwrap-acc-")),
    "classifier.mjs",
  );
  await build({
    stdin: { contents: entry, resolveDir: root, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
    logLevel: "warning",
  });
  const { makeClassifier } = await import(out);
  const classify = await makeClassifier(join(root, "dist/builtin-rules.json"));
  return async (c) => classify(c);
}

const cases = loadCorpus(root).filter((c) => !only || c.split === only);
const classify = args.includes("--spawn")
  ? classifyBySpawn
  : await inProcessClassifier();
const results = [];
for (let i = 0; i < cases.length; i += 8) {
  results.push(
    ...(await Promise.all(
      cases.slice(i, i + 8).map(async (c) => ({
        id: c.id,
        tool: c.tool,
        label: c.label,
        split: c.split,
        ...(await classify(c)),
      })),
    )),
  );
}
const s = score(results);
console.log(
  formatReport(s, {
    showMisses: args.includes("--show-check") ? ["train", "check"] : ["train"],
  }),
);

const examples = await run(process.execPath, [bin, "rules", "test", "--json"], {
  env,
}).catch((error) => error);
const exampleResults = JSON.parse(examples.stdout);
const examplesFailed = exampleResults.filter((r) => r.failures.length > 0);
console.log(
  `\nembedded rule examples: ${exampleResults.length - examplesFailed.length} passed, ${examplesFailed.length} failed`,
);
for (const r of examplesFailed)
  console.log(`  ${r.rule} › ${r.example}: ${r.failures.join("; ")}`);
rmSync(env.HOME, { recursive: true, force: true });
const missed =
  s.overall < TARGETS.overall ||
  s.check < TARGETS.check ||
  s.falseAuth.length > 0 ||
  s.expiredAsDenied.length > 0 ||
  examplesFailed.length > 0;
process.exitCode = only || !missed ? 0 : 1;
