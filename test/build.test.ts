// A size and shape budget for the hot path, checked on the built bundle (deterministic, unlike
// timings, which `npm run bench` measures): `authwrap -- <cmd>` must load one small file.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, createSandbox, runAuthwrap } from "./helpers/run.js";

const MAIN = join(ROOT, "dist/main.js");
// Grew with the vocabularies' engine, signals, hold-back and state handling; start-up is issue 12's.
const HOT_PATH_BUDGET_BYTES = 96 * 1024;

describe("dist/main.js, the hot path", () => {
  const code = readFileSync(MAIN, "utf8");

  it(`stays under ${HOT_PATH_BUDGET_BYTES / 1024} KiB`, () => {
    expect(statSync(MAIN).size).toBeLessThan(HOT_PATH_BUDGET_BYTES);
  });

  it("imports nothing but Node built-ins statically", () => {
    const staticImports = [
      ...code.matchAll(/\bimport\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g),
    ].map((m) => m[1]);
    expect(
      staticImports.filter((specifier) => !specifier!.startsWith("node:")),
    ).toEqual([]);
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
      "./output/ci.js",
      "./output/color.js",
      "./reauth/once.js",
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
