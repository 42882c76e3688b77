// Builds dist/: the hot path (`authwrap -- <cmd>`) as one CommonJS bundle, dist/main.cjs (Node's
// ES-module loader costs ~5 ms of start-up that CommonJS does not), and every module
// it imports lazily (verbs, re-auth, zod validation, the YAML parser, colours) as a bundle of
// its own at the same relative path, so a successful call loads one file. Then the built-in
// rules, validated once here and stored as JSON, and the secret patterns (src/output/secret-patterns.cjs),
// which the redactor loads with a synchronous require on its first use.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const src = join(root, "src");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  // A native addon, loaded at run time from node_modules when installed (an optional dependency: src/run/pty.ts).
  external: ["@lydell/node-pty"],
};
// esbuild's ESM output still needs `require` for the CommonJS parts of some dependencies (yaml).
const banner = {
  js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
};
// The hot path: CommonJS, loaded by bin/authwrap with require. Everything it imports lazily
// stays ES modules (`import()` works from CommonJS), and so can any library entry.
const HOT_PATH = join(src, "main.ts");
const hotPath = {
  format: "cjs",
  // import.meta.url, which the sources use to find files beside the bundle, in CommonJS.
  banner: {
    js: 'const __authwrap_url = require("node:url").pathToFileURL(__filename).href;',
  },
  define: { "import.meta.url": "__authwrap_url" },
};
const outFor = (source) =>
  join(
    dist,
    relative(src, source).replace(
      /\.ts$/,
      source === HOT_PATH ? ".cjs" : ".js",
    ),
  );

/** Relative import path from `entry`'s bundle to the file `out` in dist/. */
const pathFrom = (entry, out) => {
  const path = relative(dirname(outFor(entry)), out);
  return path.startsWith(".") ? path : `./${path}`;
};
// zod is ~590 kB bundled, and several lazy bundles use it (rule validation, `authwrap schema`,
// libraries built on it). Each would carry its own copy, so every import of `zod` or a subpath
// (`zod/v4`, `zod/v4/core`) points at dist/vendor/<specifier>.js instead; those are built
// together with shared chunks below, so zod's code ships once and loads with its first user.
const zodImports = new Set();
const vendorFile = (specifier) => join(dist, "vendor", `${specifier}.js`);

/** Leaves each `import()` of a local module external, pointing at that module's own bundle. */
function lazyModules(entry, found) {
  return {
    name: "lazy-modules",
    setup(b) {
      b.onResolve({ filter: /^zod(\/|$)/ }, (args) => {
        zodImports.add(args.path);
        return { path: pathFrom(entry, vendorFile(args.path)), external: true };
      });
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== "dynamic-import") return undefined;
        const target = join(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
        found.add(target);
        let path = relative(dirname(outFor(entry)), outFor(target));
        if (!path.startsWith(".")) path = `./${path}`;
        return { path, external: true };
      });
    },
  };
}

/**
 * In the CommonJS hot path, `createRequire(import.meta.url)` is the bundle's own `require`:
 * loading node:module for it would start parts of the ES-module loader (~0.5 ms) on every call.
 */
const moduleShim = {
  name: "module-shim",
  setup(b) {
    b.onResolve({ filter: /^node:module$/ }, () => ({
      path: "node:module",
      namespace: "module-shim",
    }));
    b.onLoad({ filter: /.*/, namespace: "module-shim" }, () => ({
      contents: "export const createRequire = () => require;",
      loader: "js",
    }));
  },
};

const done = new Set();
// src/index.ts is the library (`import { run } from "authwrap"`); its lazy imports share the CLI's bundles.
const queue = [HOT_PATH, join(src, "index.ts")];
while (queue.length > 0) {
  const entry = queue.shift();
  if (done.has(entry)) continue;
  done.add(entry);
  const found = new Set();
  await build({
    ...common,
    entryPoints: [entry],
    outfile: outFor(entry),
    banner,
    plugins: [
      lazyModules(entry, found),
      ...(entry === HOT_PATH ? [moduleShim] : []),
    ],
    ...(entry === HOT_PATH ? hotPath : {}),
  });
  queue.push(...found);
}
await build({
  ...common,
  entryPoints: [...zodImports].map((specifier) => ({
    in: `vendor:${specifier}`,
    out: specifier,
  })),
  outdir: join(dist, "vendor"),
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  plugins: [
    {
      name: "vendor-entries",
      setup(b) {
        b.onResolve({ filter: /^vendor:/ }, (args) => ({
          path: args.path.slice("vendor:".length),
          namespace: "vendor",
        }));
        b.onLoad({ filter: /.*/, namespace: "vendor" }, (args) => ({
          contents: `export * from ${JSON.stringify(args.path)};`,
          resolveDir: root,
        }));
      },
    },
  ],
});
// The secret patterns: plain CommonJS data that redact.ts requires synchronously on first use.
copyFileSync(
  join(src, "output/secret-patterns.cjs"),
  join(dist, "secret-patterns.cjs"),
);

// The stdout relay's worker (src/run/relay.ts starts it beside the bundle): plain CommonJS.
copyFileSync(join(src, "run/relay-worker.cjs"), join(dist, "relay-worker.cjs"));

const tmp = join(tmpdir(), `authwrap-prebuild-${process.pid}.mjs`);
await build({
  ...common,
  entryPoints: [join(src, "rules/prebuild.ts")],
  outfile: tmp,
  banner,
});
try {
  const { prebuildRules } = await import(pathToFileURL(tmp).href);
  const { rules, examples, regexps } = await prebuildRules(
    join(root, "classifiers"),
  );
  writeFileSync(join(dist, "builtin-rules.json"), JSON.stringify(rules));
  // Each file's head without its rules, and whether any rule may match an exit code of 0: the
  // hot path reads only this (a few KB) unless the command fails (rules/load.ts prepareRulesFor).
  writeFileSync(
    join(dist, "builtin-rules-index.json"),
    JSON.stringify(
      rules.map(({ source, file }) => ({
        source,
        // Only what prepareRulesFor reads before the command runs (rules/load.ts).
        file: {
          version: file.version,
          tool: file.tool,
          kind: file.kind,
          commands: file.commands,
          probes: file.probes,
          refresh_command: file.refresh_command,
          refresh_interactive: file.refresh_interactive,
          rules: [],
        },
        exitZero: file.rules.some((rule) =>
          [rule.when.exit_code].flat().includes(0),
        ),
      })),
    ),
  );
  writeFileSync(
    join(dist, "builtin-rules-examples.json"),
    JSON.stringify(examples),
  );
  // The patterns as they run (pattern.ts): rewriting them at start-up cost more than loading the rest.
  writeFileSync(
    join(dist, "builtin-rules-regexps.json"),
    JSON.stringify(regexps),
  );
  console.log(
    `built ${done.size} bundles in dist/ and ${rules.length} built-in rule files (${rules.reduce((n, r) => n + r.file.rules.length, 0)} rules)`,
  );
} catch (error) {
  console.error(`build: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { force: true });
}
