// A size and shape budget for the hot path, checked on the built bundle (deterministic, unlike
// timings, which `npm run bench` measures): `authwrap -- <cmd>` must load one small CommonJS
// file (Node's ES-module loader never starts) and only the built-ins a successful call uses.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, createSandbox, runAuthwrap } from "./helpers/run.js";

const MAIN = join(ROOT, "dist/main.cjs");
// Grew with the vocabularies' engine, signals, hold-back and state handling; start-up is issue 12's.
// 104 KiB: the relay worker's hand-over, the 2>&1 socket and the pty switch (issue 12, 11) joined it.
// 112 KiB: looking through wrappers (shell-quote's parser for `sh -c`), the code table, the
// credential stamp and the proactive check (issues 10, 11, 13). Start-up itself is measured by
// `npm run bench`, not here; this bound catches a dependency pulled into the hot path by mistake.
const HOT_PATH_BUDGET_BYTES = 112 * 1024;

describe("dist/main.cjs, the hot path", () => {
  const code = readFileSync(MAIN, "utf8");

  it(`stays under ${HOT_PATH_BUDGET_BYTES / 1024} KiB`, () => {
    expect(statSync(MAIN).size).toBeLessThan(HOT_PATH_BUDGET_BYTES);
  });

  it("is CommonJS, and so is its launcher", () => {
    expect(code).not.toMatch(/^\s*import\s*[\w*{"']/m);
    expect(code).not.toMatch(/^\s*export\s/m);
    expect(readFileSync(join(ROOT, "bin/authwrap"), "utf8")).toContain(
      'require("../dist/main.cjs")',
    );
    expect(
      JSON.parse(readFileSync(join(ROOT, "bin/package.json"), "utf8")).type,
    ).toBe("commonjs");
  });

  it("requires at load only the built-ins a successful call uses", () => {
    const required = [
      ...new Set(
        [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map(
          (m) => m[1],
        ),
      ),
    ].sort();
    // node:crypto and node:v8 are required inside functions, on first use (run/crypto.ts,
    // classify/linear.ts), through createRequire: they never appear as require("…") here. Nor
    // does node:module: in this bundle createRequire is its own require (scripts/build.mjs).
    expect(required).toEqual([
      "node:child_process",
      "node:fs",
      "node:net",
      "node:os",
      "node:path",
      "node:url",
    ]);
  });

  it("loads the verbs, the re-auth, zod, yargs, chalk and the YAML parser only on demand", () => {
    const lazy = [
      ...new Set(
        [...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map(
          (m) => m[1],
        ),
      ),
    ].sort();
    expect(lazy).toEqual([
      "./config/apply.js",
      "./credential/inspect.js",
      "./output/ci.js",
      "./output/color.js",
      "./reauth/explain.js",
      "./reauth/identity.js",
      "./reauth/once.js",
      "./reauth/plan.js",
      "./reauth/trust.js",
      "./rules/validate.js",
      "./rules/yaml.js",
      "./run/pty.js",
      "./verbs/help.js",
      "./verbs/index.js",
    ]);
  });

  it("leaves node-pty, a native addon and an optional dependency, to load from node_modules on the pty path only", () => {
    expect(code).not.toContain("@lydell/node-pty");
    expect(readFileSync(join(ROOT, "dist/run/pty.js"), "utf8")).toMatch(
      /\bimport\(\s*["']@lydell\/node-pty["']\s*\)/,
    );
  });
});

describe("the secret patterns", () => {
  it("sit beside the bundle, not in it", () => {
    expect(existsSync(join(ROOT, "dist/secret-patterns.cjs"))).toBe(true);
    const code = readFileSync(MAIN, "utf8");
    expect(code).toContain("./secret-patterns.cjs");
    expect(code).not.toContain("sk-ant-");
  });

  it("are loaded by a failing call only", async () => {
    const sandbox = createSandbox({ NODE_DEBUG: "module" });
    const loads = (stderr: unknown) =>
      String(stderr)
        .split("\n")
        .some((line) =>
          line.includes("Module._load REQUEST ./secret-patterns.cjs"),
        );
    const ok = await runAuthwrap(["--json", "--", "true"], sandbox);
    expect(ok.exitCode).toBe(0);
    expect(loads(ok.stderr)).toBe(false);
    const failed = await runAuthwrap(
      ["--json", "--", "sh", "-c", 'echo "HTTP 401 Unauthorized" >&2; exit 1'],
      sandbox,
    );
    expect(failed.exitCode).toBe(8);
    expect(loads(failed.stderr)).toBe(true);
  });
});
