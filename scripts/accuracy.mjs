// `npm run accuracy`: every stored client output in fixtures/cases/ through `authwrap classify`
// (the wrapper's own code), as a confusion matrix per tool, plus the embedded rule examples.
// Exits 1 if any case is wrong or any non-auth output would exit 8 or 10.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/authwrap');
const env = { PATH: process.env.PATH, HOME: mkdtempSync(join(tmpdir(), 'authwrap-accuracy-')), LANG: 'C.UTF-8' };
const CLASSES = ['expired', 'unauthenticated', 'denied', 'other'];
const classOf = (code) => ({ CREDENTIALS_EXPIRED: 'expired', UNAUTHENTICATED: 'unauthenticated', PERMISSION_DENIED: 'denied' })[code] ?? 'other';

const cases = readdirSync(join(root, 'fixtures/cases')).flatMap((tool) =>
  readdirSync(join(root, 'fixtures/cases', tool)).map((name) => ({ file: `${tool}/${name}`, ...JSON.parse(readFileSync(join(root, 'fixtures/cases', tool, name), 'utf8')) })));

async function classify(fixture) {
  const dir = mkdtempSync(join(tmpdir(), 'authwrap-case-'));
  writeFileSync(join(dir, 'out'), fixture.stdout ?? '');
  writeFileSync(join(dir, 'err'), fixture.stderr ?? '');
  const args = [bin, 'classify', '--tool', fixture.tool, '--exit-code', String(fixture.exit_code), '--stdout', join(dir, 'out'), '--stderr', join(dir, 'err')];
  const result = await run(process.execPath, args, { env }).catch((error) => error);
  rmSync(dir, { recursive: true, force: true });
  const envelope = JSON.parse(result.stdout);
  return { code: envelope.error?.code ?? 'OK', exit: result.code ?? 0 };
}

const results = [];
for (let i = 0; i < cases.length; i += 4) {
  results.push(...(await Promise.all(cases.slice(i, i + 4).map(async (fixture) => ({ fixture, got: await classify(fixture) })))));
}

const byTool = new Map();
const wrong = [];
const falseAuth = [];
for (const { fixture, got } of results) {
  const expected = classOf(fixture.expect.code);
  const actual = classOf(got.code);
  const matrix = byTool.get(fixture.tool) ?? Object.fromEntries(CLASSES.map((c) => [c, Object.fromEntries(CLASSES.map((d) => [d, 0]))]));
  matrix[expected][actual]++;
  byTool.set(fixture.tool, matrix);
  if (got.code !== fixture.expect.code) wrong.push(`${fixture.file}: expected ${fixture.expect.code}, got ${got.code}`);
  if (expected === 'other' && (got.exit === 8 || got.exit === 10)) falseAuth.push(`${fixture.file}: non-auth output would exit ${got.exit}`);
}

console.log(`authwrap accuracy: ${results.length} stored client outputs (fixtures/cases), rows = expected, columns = verdict\n`);
for (const [tool, matrix] of [...byTool].sort()) {
  const count = CLASSES.reduce((n, c) => n + CLASSES.reduce((m, d) => m + matrix[c][d], 0), 0);
  console.log(`${tool} (${count} cases)`);
  console.log(`  ${''.padEnd(16)}${CLASSES.map((c) => c.padStart(16)).join('')}`);
  for (const row of CLASSES) console.log(`  ${row.padEnd(16)}${CLASSES.map((c) => String(matrix[row][c]).padStart(16)).join('')}`);
}
const examples = await run(process.execPath, [bin, 'rules', 'test', '--json'], { env }).catch((error) => error);
const exampleResults = JSON.parse(examples.stdout);
const examplesFailed = exampleResults.filter((r) => r.failures.length > 0);
console.log(`\nembedded rule examples: ${exampleResults.length - examplesFailed.length} passed, ${examplesFailed.length} failed`);
console.log(`non-auth outputs turned into exit 8 or 10: ${falseAuth.length}`);
for (const line of falseAuth) console.log(`  ${line}`);
console.log(`cases classified wrongly: ${wrong.length}`);
for (const line of wrong) console.log(`  ${line}`);
console.log(`\n${results.length - wrong.length} passed, ${wrong.length} failed`);
rmSync(env.HOME, { recursive: true, force: true });
process.exitCode = wrong.length > 0 || falseAuth.length > 0 || examplesFailed.length > 0 ? 1 : 0;
