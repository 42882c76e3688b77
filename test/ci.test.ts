// CI displays through bin/authwrap: GitHub Actions' `::error` annotation and step summary, a
// GitLab collapsible section, each safe against text captured from a hostile command's output;
// the composite action.yml run as its steps would run; README recipes pinned to a version.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BIN,
  ROOT,
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
  type Sandbox,
} from "./helpers/run.js";

// A tool whose rule puts up to 200 captured characters, newlines included, into the message.
const HOSTILE_RULES = `version: 2
tool: hostile
commands: [hostile-cli]
rules:
  - id: expired
    code: CREDENTIALS_EXPIRED
    when:
      stderr: 'session expired: (?<reason>[\\s\\S]{1,200})'
    message: 'hostile: {reason}'
`;
const HOSTILE_OUTPUT =
  'printf "session expired: 100%%\\r\\n::add-mask::x\\n::set-env name=A::B <img src=x onerror=alert(1)> | [link](http://x)\\n" >&2; exit 1';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = createSandbox();
  const dir = join(sandbox.env.XDG_CONFIG_HOME!, "authwrap", "classifiers");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "hostile.yaml"), HOSTILE_RULES);
  await runDemo(["auth", "login"], sandbox);
});

const hostile = (env: Record<string, string>, options: string[] = []) =>
  runAuthwrap(
    [...options, "--tool", "hostile", "--", "sh", "-c", HOSTILE_OUTPUT],
    { ...sandbox, env: { ...sandbox.env, ...env } },
  );
const authwrapLines = (stderr: unknown) => String(stderr).split("\n");

describe("GitHub Actions", () => {
  it("one ::error annotation whose captured text cannot start another command", async () => {
    const result = await hostile({ GITHUB_ACTIONS: "true" }, ["--json"]);
    expect(result.exitCode).toBe(10);
    const annotations = authwrapLines(result.stderr).filter((line) =>
      line.startsWith("::error"),
    );
    expect(annotations).toHaveLength(1);
    const [annotation] = annotations;
    // The command's own `::add-mask::` lines are its own (relayed as they are); in ours, line
    // breaks are shown as \n and % is encoded, so it is one line and nothing in it starts a command.
    expect(annotation).toBe(
      "::error title=authwrap%3A credentials expired (hostile)::hostile: 100%25\\n::add-mask::x\\n::set-env name=A::B <img src=x onerror=alert(1)> | [link](http://x)\\n",
    );
    expect(parseEnvelope(result.stdout).error?.code).toBe(
      "CREDENTIALS_EXPIRED",
    );
  });

  it("appends a Markdown summary, keeping the file's content and mode; captured HTML and links inert", async () => {
    const summary = join(sandbox.dir, "step-summary.md");
    writeFileSync(summary, "## earlier step\n");
    chmodSync(summary, 0o600);
    await hostile({ GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary });
    const text = readFileSync(summary, "utf8");
    expect(
      text.startsWith(
        "## earlier step\n### authwrap: credentials expired \\(hostile\\)",
      ),
    ).toBe(true);
    expect(text).toContain("| verdict | CREDENTIALS\\_EXPIRED \\(exit 10\\) |");
    expect(text).not.toMatch(/<img|\]\(http/);
    expect(text).toContain("&lt;img");
    expect(statSync(summary).mode & 0o777).toBe(0o600);
  });

  it("the demo CLI's expiry: refresh command in the annotation; nothing for a success or off CI", async () => {
    await runDemo(["auth", "expire"], sandbox);
    const expired = await runAuthwrap(
      ["--no-reauth", "--", "democli", "deploy"],
      { ...sandbox, env: { ...sandbox.env, GITHUB_ACTIONS: "true" } },
    );
    expect(String(expired.stderr)).toMatch(
      /^::error title=authwrap%3A credentials expired \(democli\)::democli: access token expired at \S+%0Arenew: democli auth refresh$/m,
    );
    await runDemo(["auth", "login"], sandbox);
    const ok = await runAuthwrap(["--", "democli", "deploy"], {
      ...sandbox,
      env: { ...sandbox.env, GITHUB_ACTIONS: "true" },
    });
    expect(String(ok.stderr)).not.toContain("::error");
    const local = await hostile({});
    expect(String(local.stderr)).not.toContain("::error");
  });
});

/* eslint-disable no-control-regex -- GitLab's section markers are escape sequences */
describe("GitLab CI", () => {
  it("a collapsed section around the verdict; captured control characters shown as escapes", async () => {
    const result = await hostile({ GITLAB_CI: "true" });
    const stderr = String(result.stderr);
    const section =
      /\x1b\[0Ksection_start:\d+:authwrap_verdict\[collapsed=true\]\r\x1b\[0K(.*)\n([\s\S]*?)\x1b\[0Ksection_end:\d+:authwrap_verdict\r\x1b\[0K\n/.exec(
        stderr,
      );
    expect(section, stderr).not.toBeNull();
    expect(section![1]).toBe("authwrap: credentials expired (hostile)");
    expect(section![2]).toContain("hostile: 100%\\n::add-mask::x");
    expect(section![2]).not.toMatch(/[\x1b\r]/);
  });
});

/* eslint-enable no-control-regex */
describe("action.yml", () => {
  const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8"));
  const steps = action.runs.steps as Array<{
    run: string;
    env: Record<string, string>;
  }>;

  it("is a composite action pinned to this package's version, with no input expanded inside a script", () => {
    const version = JSON.parse(
      readFileSync(join(ROOT, "package.json"), "utf8"),
    ).version;
    expect(action.runs.using).toBe("composite");
    expect(action.inputs.version.default).toBe(version);
    for (const step of steps) expect(step.run).not.toContain("${{");
  });

  const runStep = (step: number, env: Record<string, string>) => {
    const bin = join(sandbox.dir, "action-bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "authwrap"),
      `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`,
    );
    chmodSync(join(bin, "authwrap"), 0o755);
    return spawnSync("bash", ["-e", "-c", steps[step]!.run], {
      env: {
        ...sandbox.env,
        PATH: `${bin}:${sandbox.env.PATH}`,
        GITHUB_ACTIONS: "true",
        ...env,
      },
      cwd: sandbox.dir,
      encoding: "utf8",
    });
  };

  it("the install step refuses a version range", () => {
    const result = runStep(0, { AUTHWRAP_VERSION: "^0.1.0" });
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(
      /^::error title=authwrap::version must be an exact version/,
    );
  });

  it("the run step: the command through bash -c, classified as the tool it runs, with the annotation", async () => {
    await runDemo(["auth", "expire"], sandbox);
    const result = runStep(1, {
      AUTHWRAP_COMMAND: "democli deploy",
      AUTHWRAP_OPTIONS: "--no-reauth --json",
    });
    expect(result.status).toBe(10);
    expect(parseEnvelope(result.stdout).meta.tool).toBe("democli");
    expect(result.stderr).toMatch(
      /^::error title=authwrap%3A credentials expired \(democli\)::/m,
    );
  });

  it("options are words, not shell code", () => {
    const marker = join(sandbox.dir, "pwned");
    const result = runStep(1, {
      AUTHWRAP_COMMAND: "true",
      AUTHWRAP_OPTIONS: `--json;touch ${marker}`,
    });
    expect(result.status).toBe(2);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("README recipes", () => {
  it("never run an unpinned authwrap from the registry", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).not.toMatch(/npx (--yes |-y )?authwrap(?!@\d+\.\d+\.\d+)/);
    expect(readme).not.toMatch(/uses: authwrap\/authwrap(?!@v\d+\.\d+\.\d+)/);
  });
});

describe("workflow-command escaping", () => {
  it("percent-encodes what would end the line or a property", async () => {
    const { escapeData, escapeProperty } = await import("../src/output/ci.js");
    expect(escapeData("100%\r\n::add-mask::x")).toBe(
      "100%25%0D%0A::add-mask::x",
    );
    expect(escapeProperty("a: b, c\n")).toBe("a%3A b%2C c%0A");
  });
});
