// Builds dist/: one bundled entry (lazy chunks for verbs, zod, yargs, chalk, yaml) and the
// built-in rules, validated and stored as JSON.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', legalComments: 'none' };
// esbuild's ESM output still needs `require` for the CommonJS parts of some dependencies.
const banner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };

await build({ ...common, entryPoints: [join(root, 'src/main.ts')], outdir: dist, splitting: true, chunkNames: '[name]-[hash]', banner, minifyWhitespace: true, minifySyntax: true });

const tmp = join(tmpdir(), `authwrap-prebuild-${process.pid}.mjs`);
await build({ ...common, entryPoints: [join(root, 'src/rules/prebuild.ts')], outfile: tmp, banner });
try {
  const { prebuildRules } = await import(pathToFileURL(tmp).href);
  const rules = await prebuildRules(join(root, 'classifiers'));
  writeFileSync(join(dist, 'builtin-rules.json'), JSON.stringify(rules));
  console.log(`built dist/main.js and ${rules.length} built-in rule files (${rules.reduce((n, r) => n + r.file.rules.length, 0)} rules)`);
} catch (error) {
  console.error(`build: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { force: true });
}
