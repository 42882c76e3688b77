// `authwrap completion` and `authwrap alias` in the real shells' completion machinery: bash with
// bash-completion (COMP_WORDS/COMP_CWORD and the completion function, as readline calls it),
// zsh's compsys in a pseudo-terminal (test/helpers/zsh-complete.zsh), fish's `complete -C`.
// git's own completion (shipped by bash-completion/git, zsh and fish) stands for the wrapped tool.
// A shell that is not installed is skipped with a message.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FLAGS } from "../src/cli.js";
import {
  BIN,
  ROOT,
  createSandbox,
  runAuthwrap,
  type Sandbox,
} from "./helpers/run.js";

// With AUTHWRAP_REQUIRE_CLIENTS=1 (.ci/run, which installs them) a missing shell is a failure.
const REQUIRED = process.env.AUTHWRAP_REQUIRE_CLIENTS === "1";
const has = (binary: string) =>
  spawnSync("sh", ["-c", `command -v ${binary}`]).status === 0;
const BASH_COMPLETION = "/usr/share/bash-completion/bash_completion";
const hasBashCompletion =
  spawnSync("test", ["-f", BASH_COMPLETION]).status === 0;
for (const [name, ok] of [
  ["bash-completion", hasBashCompletion],
  ["zsh", has("zsh")],
  ["fish", has("fish")],
] as const)
  if (!ok)
    console.warn(
      `skipping the ${name} completion tests: ${name} is not installed`,
    );

let sandbox: Sandbox;
let scripts: Record<string, string>;
beforeAll(async () => {
  sandbox = createSandbox();
  // `authwrap` on PATH, as an installed one would be, for the alias functions to call.
  const bin = join(sandbox.dir, "bin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "authwrap"),
    `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`,
  );
  chmodSync(join(bin, "authwrap"), 0o755);
  sandbox.env.PATH = `${bin}:${sandbox.env.PATH}`;
  scripts = {};
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await runAuthwrap(["completion", shell], sandbox);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    scripts[shell] = join(sandbox.dir, `completion.${shell}`);
    writeFileSync(scripts[shell]!, String(result.stdout));
  }
});

const run = (shell: string, args: string[]) => {
  const result = spawnSync(shell, args, {
    env: sandbox.env,
    cwd: sandbox.dir,
    encoding: "utf8",
    timeout: 30_000,
  });
  return { ...result, lines: result.stdout.split("\n").filter(Boolean) };
};

/** bash: what the completion function for the first word puts in COMPREPLY for `line` (cursor at its end). */
function bashComplete(
  line: string,
  setup = `source ${scripts.bash}`,
): string[] {
  const script = `source ${BASH_COMPLETION}
${setup}
read -ra COMP_WORDS <<< "$LINE"; [[ $LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); COMP_LINE=$LINE; COMP_POINT=\${#LINE}
_command_offset 0
printf '%s\\n' "\${COMPREPLY[@]}"`;
  return run("bash", ["-c", script, "bash"]).lines.map((l) => l.trim());
}
const withLine = (line: string) => {
  sandbox.env.LINE = line;
  return line;
};

const zshComplete = (line: string, script = scripts.zsh!) =>
  run("zsh", [
    join(ROOT, "test/helpers/zsh-complete.zsh"),
    script,
    line,
  ]).lines.map((l) => l.trim());
const fishComplete = (line: string, setup = `source ${scripts.fish}`) =>
  run("fish", [
    "-c",
    `${setup}; complete -C ${JSON.stringify(line)}`,
  ]).lines.map((l) => l.split("\t")[0]!);

const CASES: Array<[string, string[]]> = [
  ["authwrap --js", ["--json"]],
  ["authwrap --retry ", ["never", "auth-rejected", "always"]],
  ["authwrap --tool aw", ["aws"]],
  ["authwrap sch", ["schema"]],
  ["authwrap rules ", ["list", "validate", "test"]],
  // The hand-over: from the command's name on, git's own completion answers.
  ["authwrap --json -- git chec", ["checkout"]],
  ["authwrap --retry never git chec", ["checkout"]],
  ["authwrap -- gi", ["git"]],
];

describe.skipIf(!hasBashCompletion && !REQUIRED)("bash", () => {
  it.each(CASES)("%j offers %j", (line, expected) => {
    withLine(line);
    expect(bashComplete(line)).toEqual(expect.arrayContaining(expected));
  });

  it("completes every option the CLI accepts (taken from cli.ts)", () => {
    withLine("authwrap --");
    const offered = bashComplete("authwrap --");
    for (const flag of [...FLAGS].filter((f) => f.startsWith("--")))
      expect(offered).toContain(flag);
  });

  it("authwrap alias: the function runs the tool through authwrap and keeps git's completion, even over an alias", async () => {
    const alias = String(
      (await runAuthwrap(["alias", "--shell", "bash", "git"], sandbox)).stdout,
    );
    const file = join(sandbox.dir, "alias.bash");
    writeFileSync(file, alias);
    // An alias of the same name, expanded as in an interactive shell, must not break the definition.
    const setup = `shopt -s expand_aliases\nalias git='echo not-this'\nsource ${file}`;
    withLine("git chec");
    expect(bashComplete("git chec", setup)).toContain("checkout");
    const called = run("bash", [
      "-c",
      `${setup}\ntype -t git; AUTHWRAP_VERBOSE=1 git --version`,
    ]);
    expect(called.lines[0]).toBe("function");
    expect(called.stdout).toMatch(/git version/);
    expect(called.stderr).toMatch(/^authwrap: tool git/m);
  });
});

describe.skipIf(!has("zsh") && !REQUIRED)(
  "zsh (compsys, in a pseudo-terminal)",
  () => {
    it.each(CASES)("%j offers %j", (line, expected) => {
      expect(zshComplete(line)).toEqual(expect.arrayContaining(expected));
    });

    it("authwrap alias: a function, and git's completion still applies", async () => {
      const alias = String(
        (await runAuthwrap(["alias", "--shell", "zsh", "git"], sandbox)).stdout,
      );
      const file = join(sandbox.dir, "alias.zsh");
      writeFileSync(file, alias);
      expect(zshComplete("git chec", file)).toContain("checkout");
      const called = run("zsh", [
        "-fc",
        `source ${file}; whence -w git; AUTHWRAP_VERBOSE=1 git --version`,
      ]);
      expect(called.lines[0]).toBe("git: function");
      expect(called.stderr).toMatch(/^authwrap: tool git/m);
    });
  },
);

describe.skipIf(!has("fish") && !REQUIRED)("fish", () => {
  it.each(CASES)("%j offers %j", (line, expected) => {
    expect(fishComplete(line)).toEqual(expect.arrayContaining(expected));
  });

  it("authwrap alias: a function, and git's completion still applies", async () => {
    const alias = String(
      (await runAuthwrap(["alias", "--shell", "fish", "git"], sandbox)).stdout,
    );
    const file = join(sandbox.dir, "alias.fish");
    writeFileSync(file, alias);
    expect(fishComplete("git chec", `source ${file}`)).toContain("checkout");
    const called = run("fish", [
      "-c",
      `source ${file}; functions -q git; and echo function; set -x AUTHWRAP_VERBOSE 1; git --version`,
    ]);
    expect(called.lines[0]).toBe("function");
    expect(called.stderr).toMatch(/^authwrap: tool git/m);
  });
});

describe("authwrap alias refuses what is not a plain command name", () => {
  it.each([["x;touch pwned"], ["$(id)"], ["authwrap"], ["--shell=tcsh"]])(
    "%j → exit 2",
    async (name) => {
      const result = await runAuthwrap(
        ["alias", ...(name.startsWith("--") ? [name, "git"] : [name])],
        sandbox,
      );
      expect(result.exitCode).toBe(2);
      expect(String(result.stdout)).not.toContain("()");
    },
  );
});
