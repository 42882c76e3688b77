// The package as users get it: `npm pack`, then a global install on a clean prefix (the CLI, the
// demo) and a project install (the library from a .mjs file, its types from a .ts file), with a
// size budget. Runs on the dist/ that `npm test` builds first.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, createSandbox } from "./helpers/run.js";

// Before the packaging work: 553.6 kB packed, 15.3 MB and 45 packages installed (zod alone 8 MB).
// Then the MCP server joined (`authwrap mcp`: the official SDK bundled, ~430 kB, loaded only for it).
const PACKED_BUDGET_BYTES = 800 * 1024;
/** The installed package itself, its own files only. */
const INSTALLED_BUDGET_BYTES = 3 * 1024 * 1024;
/** The whole prefix, whatever the package declares as dependencies (optional ones included). */
const PREFIX_BUDGET_BYTES = 6 * 1024 * 1024;
/** Bundled into dist/, so never installed again (the design card's packages among them). */
const BUNDLED = ["chalk", "execa", "shell-quote", "yaml", "yargs", "zod"];
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies?: Record<string, string>;
};

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let work: string;
let tarball: string;
let packed: Packed;
let npmEnv: Record<string, string>;

beforeAll(async () => {
  expect(existsSync(join(ROOT, "dist/index.js"))).toBe(true);
  work = mkdtempSync(join(tmpdir(), "authwrap-pack-"));
  // npm's cache in the temp folder. The rest of the environment stays: the registry may be
  // reached only through what it sets (extra CA certificates, the user's .npmrc).
  npmEnv = {
    ...(process.env as Record<string, string>),
    npm_config_cache: join(work, "npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  const result = await execa(
    "npm",
    ["pack", "--json", "--pack-destination", work],
    { cwd: ROOT, env: npmEnv, extendEnv: false },
  );
  packed = (JSON.parse(result.stdout) as Packed[])[0]!;
  tarball = join(work, packed.filename);
}, 120_000);

describe("npm pack", () => {
  it("ships the bundle, the library's types, the rules, the demo and the licence; no sources or tests", () => {
    const paths = packed.files.map((file) => file.path);
    for (const path of [
      "LICENSE",
      "README.md",
      "package.json",
      "bin/authwrap",
      "bin/package.json",
      "dist/main.cjs",
      "dist/relay-worker.cjs",
      "dist/builtin-rules-regexps.json",
      "dist/mcp/server.js",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/envelope.d.ts",
      "dist/builtin-rules.json",
      "dist/vendor/zod.js",
      "fixtures/bin/democli",
      "fixtures/demo/run.sh",
      "schema/envelope.schema.json",
    ])
      expect(paths).toContain(path);
    expect(
      paths.filter((path) => /^(src|test|scripts|\.ci)\//.test(path)),
    ).toEqual([]);
  });

  it(`stays under ${PACKED_BUDGET_BYTES / 1024} KiB packed`, () => {
    expect(packed.size).toBeLessThan(PACKED_BUDGET_BYTES);
  });

  it("declares none of the bundled packages as a dependency, and no install-time script", () => {
    const declared = Object.keys(pkg.dependencies ?? {});
    expect(declared.filter((name) => BUNDLED.includes(name))).toEqual([]);
    const scripts = Object.keys(
      (
        JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
          scripts: Record<string, string>;
        }
      ).scripts,
    );
    expect(
      scripts.filter((name) =>
        ["preinstall", "install", "postinstall", "prepare"].includes(name),
      ),
    ).toEqual([]);
  });

  it("carries zod once: only in dist/vendor/, which every bundle that needs it imports", () => {
    // A string from zod's own source: it marks every bundle that holds a copy of its code.
    const holders = bundlesIn(join(ROOT, "dist"))
      .filter((file) => readFileSync(file, "utf8").includes("$ZodObject"))
      .map((file) => file.slice(ROOT.length + 1));
    expect(holders.length).toBeGreaterThan(0);
    expect(holders.filter((file) => !file.startsWith("dist/vendor/"))).toEqual(
      [],
    );
    // Built together with shared chunks, the vendor bundles hold zod's code once (~590 kB).
    const vendor = bundlesIn(join(ROOT, "dist/vendor"));
    expect(
      vendor.reduce((total, file) => total + statSync(file).size, 0),
    ).toBeLessThan(900 * 1024);
  });
});

describe("npm install -g on a clean prefix", () => {
  let prefix: string;
  let installLog: string;
  const authwrap = (args: string[]) => {
    const sandbox = createSandbox();
    return execa(join(prefix, "bin/authwrap"), args, {
      // Only the installed package and Node on PATH: not the repository's fixtures/bin.
      env: {
        ...sandbox.env,
        PATH: `${join(prefix, "bin")}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      },
      extendEnv: false,
      reject: false,
      cwd: sandbox.dir,
      stdin: "ignore",
    });
  };

  beforeAll(async () => {
    prefix = join(work, "prefix");
    const result = await execa(
      "npm",
      ["install", "-g", "--prefix", prefix, tarball],
      { cwd: work, env: npmEnv, extendEnv: false, all: true },
    );
    installLog = result.all;
  }, 120_000);

  it("installs without an install-script warning and without the bundled packages", () => {
    expect(installLog).not.toMatch(/install-scripts|prepare/);
    const installed = join(prefix, "lib/node_modules/authwrap");
    const nested = existsSync(join(installed, "node_modules"))
      ? readdirSync(join(installed, "node_modules"))
      : [];
    expect(nested.filter((name) => BUNDLED.includes(name))).toEqual([]);
  });

  it(`stays under ${INSTALLED_BUDGET_BYTES / 1024 / 1024} MiB installed (${PREFIX_BUDGET_BYTES / 1024 / 1024} MiB with what it pulls in)`, () => {
    const installed = join(prefix, "lib/node_modules/authwrap");
    expect(sizeOf(installed, ["node_modules"])).toBeLessThan(
      INSTALLED_BUDGET_BYTES,
    );
    expect(sizeOf(prefix, [])).toBeLessThan(PREFIX_BUDGET_BYTES);
  });

  it("authwrap --version prints the package's version", async () => {
    const result = await authwrap(["--version"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.version);
  });

  it("authwrap -- true exits 0", async () => {
    const result = await authwrap(["--", "true"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
  });

  it("authwrap demo runs the built-in demo: expiry re-authenticated, then a denial", async () => {
    const result = await authwrap(["demo"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('"code":"CREDENTIALS_EXPIRED"');
    expect(result.stdout).toContain('"code":"PERMISSION_DENIED"');
    expect(result.stdout).toContain('"attempts":2');
    expect(result.stdout).not.toContain("(exit 127)");
  });
});

describe("the library from an installed package", () => {
  let project: string;

  beforeAll(async () => {
    project = join(work, "project");
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "harness", private: true, type: "module" }),
    );
    await execa("npm", ["install", tarball], {
      cwd: project,
      env: npmEnv,
      extendEnv: false,
    });
  }, 120_000);

  it("imports run, classify and loadRules from 'authwrap' in a .mjs file", async () => {
    writeFileSync(
      join(project, "use.mjs"),
      `import { run, classify, loadRules } from "authwrap";
const envelope = await run(["node", "-e", "console.log(JSON.stringify({ hello: 'world' }))"]);
const rules = await loadRules();
const verdict = await classify({ command: "gh", exitCode: 1, stderr: "HTTP 401: Bad credentials (https://api.github.com/user)" }, { rules });
console.log(JSON.stringify({ data: envelope.data, ok: envelope.ok, code: verdict.error?.code, tools: rules.tools.length > 0 }));
`,
    );
    const sandbox = createSandbox();
    const result = await execa(process.execPath, ["use.mjs"], {
      cwd: project,
      env: sandbox.env,
      extendEnv: false,
      reject: false,
    });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      data: { hello: "world" },
      ok: true,
      code: "UNAUTHENTICATED",
      tools: true,
    });
  });

  it("type-checks a .ts file against its types (envelope fields typed, not any)", async () => {
    writeFileSync(
      join(project, "check.ts"),
      `import { run, classify, loadRules, type Envelope, type RunOptions } from "authwrap";
const options: RunOptions = { reauth: false, tool: "aws", cwd: ".", env: {}, stdin: "x", json: true, timeout: 1000 };
const envelope: Envelope = await run(["aws", "sts", "get-caller-identity"], options);
const code: string | undefined = envelope.error?.code;
const attempts: number = envelope.meta.attempts;
const reauthExit: number | null | undefined = envelope.meta.reauth?.exit_code;
const rules = await loadRules({ classifiers: [] });
const again: Envelope = await classify({ exitCode: 1, stderr: "denied" }, { rules });
// @ts-expect-error the envelope has no such field: its type is not any
envelope.meta.no_such_field;
// @ts-expect-error reauth takes a command or false, not true
await run(["x"], { reauth: true });
export { code, attempts, reauthExit, again };
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          typeRoots: [join(ROOT, "node_modules/@types")],
          types: ["node"],
        },
        files: ["check.ts"],
      }),
    );
    const result = await execa(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"],
      { cwd: project, reject: false, all: true },
    );
    expect(result.all).toBe("");
    expect(result.exitCode).toBe(0);
  }, 60_000);
});

function bundlesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return bundlesIn(path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}

/** Bytes of the files under `dir`, skipping the named folders. */
function sizeOf(dir: string, skip: string[]): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((total, entry) => {
    if (skip.includes(entry.name)) return total;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return total + sizeOf(path, []);
    return total + (entry.isFile() ? statSync(path).size : 0);
  }, 0);
}
