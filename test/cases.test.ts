// One test per stored client output in fixtures/cases/<tool>/: each is classified by the same
// code the wrapper runs, and must reach the verdict recorded with it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { textOutput } from '../src/capture.js';
import { classifyAttempt } from '../src/classify.js';
import { compileRuleFile } from '../src/rules/compile.js';
import { listRuleFiles, readRuleFile } from '../src/rules/load.js';
import { mergeRuleFiles, selectRules } from '../src/rules/select.js';
import { ROOT } from './helpers/run.js';

interface Case {
  source: string;
  tool: string;
  argv?: string[];
  exit_code: number;
  stdout?: string;
  stderr?: string;
  expect: { code: string; ambiguous?: boolean; replay_unsafe?: boolean; required_permission?: string; expires_at?: string; refresh_command?: string; hint?: string };
}

const CASES = join(ROOT, 'fixtures/cases');
const files = readdirSync(CASES).flatMap((tool) => readdirSync(join(CASES, tool)).map((name) => `${tool}/${name}`));

describe('fixtures/cases', async () => {
  const compiled = [];
  for (const path of listRuleFiles(join(ROOT, 'classifiers'), true)) compiled.push(compileRuleFile(await readRuleFile(path), path));
  const merged = mergeRuleFiles(compiled);

  it('has cases for every client family', () => {
    expect(new Set(files.map((f) => f.split('/')[0]))).toEqual(new Set(['aws', 'curl', 'git', 'npm', 'kubectl', 'gh', 'gcloud', 'az', 'docker', 'terraform', 'generic']));
  });

  it.each(files)('%s', (file) => {
    const fixture = JSON.parse(readFileSync(join(CASES, file), 'utf8')) as Case;
    expect(fixture.source).toMatch(/^(captured by scripts\/capture\.mjs|https:\/\/)/);
    const { sets } = selectRules(merged, fixture.tool);
    const verdict = classifyAttempt(
      { exitCode: fixture.exit_code, stdout: textOutput(fixture.stdout ?? ''), stderr: textOutput(fixture.stderr ?? '') },
      sets,
      { command: fixture.tool, tool: fixture.tool, args: fixture.argv ?? [], env: {} },
    );
    const { code, ...fields } = fixture.expect;
    expect(verdict?.code ?? 'OK').toBe(code);
    const got = { ambiguous: verdict?.ambiguous, replay_unsafe: verdict?.replayUnsafe ?? false, required_permission: verdict?.requiredPermission, expires_at: verdict?.expiresAt, refresh_command: verdict?.refreshCommand, hint: verdict?.hint };
    for (const [name, value] of Object.entries(fields)) expect(got[name as keyof typeof got]).toBe(value);
  });
});
