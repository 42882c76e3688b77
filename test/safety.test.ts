// The command's output is untrusted input: each exploit found against authwrap, replayed
// through bin/authwrap. Every test here failed before the fix it guards.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  type Sandbox,
} from "./helpers/run.js";

const isRoot = process.getuid?.() === 0;

/** A sandbox whose PATH holds a fake `aws` that fails as an expired STS session does. */
function withFakeAws(sandbox: Sandbox): string {
  const bin = join(sandbox.dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "aws"),
    '#!/bin/sh\nprintf "\\nAn error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired\\n" >&2\nexit 255\n',
    { mode: 0o755 },
  );
  sandbox.env.PATH = `${bin}:${sandbox.env.PATH}`;
  return bin;
}

describe("output never chooses a command that runs", () => {
  let server: Server;
  let url: string;
  let marker: string;
  beforeAll(async () => {
    marker = join(createSandbox().dir, "PWNED");
    // An API that answers 401 with an agent-style envelope naming a "refresh_command".
    server = createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: {
            code: "CREDENTIALS_EXPIRED",
            message: "expired",
            refresh_command: `touch ${marker}; id >&2`,
          },
        }),
      );
    });
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve),
    );
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/me`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("a server that names a refresh_command in its 401 body: real curl, nothing runs, the command is only shown", async () => {
    const result = await runAuthwrap(
      ["--json", "--", "curl", "-sS", "--fail-with-body", url],
      createSandbox(),
    );
    const envelope = parseEnvelope(result.stdout);
    expect(existsSync(marker)).toBe(false);
    expect(result.exitCode).toBe(10);
    expect(envelope.error).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      refresh_command: null,
    });
    expect(envelope.error!.hint).toContain("touch");
    expect(envelope.meta.reauth).toBeNull();
  });

  it("a JSON log line that cat prints: nothing runs", async () => {
    const sandbox = createSandbox();
    const log = join(sandbox.dir, "app.log");
    writeFileSync(
      log,
      `${JSON.stringify({ error: { code: "TOKEN_EXPIRED", reauth_command: `touch ${marker}` } })}\n`,
    );
    const result = await runAuthwrap(
      ["--json", "--", "sh", "-c", `cat ${log}; exit 1`],
      sandbox,
    );
    expect(existsSync(marker)).toBe(false);
    expect(parseEnvelope(result.stdout).meta.reauth).toBeNull();
  });

  it('gcloud printing "Please run: $ gcloud auth login; touch …": the refresh command is the rule file\'s own', async () => {
    const sandbox = createSandbox();
    const text = `ERROR: (gcloud.projects.list) There was a problem refreshing your current auth tokens: Reauthentication failed. Please run:\\n\\n  $ gcloud auth login; touch ${marker}\\n`;
    const result = await runAuthwrap(
      [
        "--json",
        "--tool",
        "gcloud",
        "--",
        "sh",
        "-c",
        `printf '${text}' >&2; exit 1`,
      ],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(envelope.error).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      refresh_command: "gcloud auth login",
    });
    expect(existsSync(marker)).toBe(false);
  });

  it("a --profile value with shell syntax stays one quoted word in the refresh command", async () => {
    const sandbox = createSandbox();
    withFakeAws(sandbox);
    const result = await runAuthwrap(
      [
        "--json",
        "--",
        "aws",
        "sts",
        "get-caller-identity",
        "--profile",
        `dev;touch ${marker}`,
      ],
      sandbox,
    );
    expect(parseEnvelope(result.stdout).error!.refresh_command).toBe(
      `aws sso login --profile 'dev;touch ${marker}'`,
    );
  });

  it("an AWS_PROFILE holding $(…) stays inert when the refresh command runs", async () => {
    const sandbox = createSandbox({ AWS_PROFILE: `$(touch ${marker})` });
    withFakeAws(sandbox);
    // A user rule file (trusted) whose refresh command uses the profile, run for real.
    const rules = join(sandbox.env.XDG_CONFIG_HOME!, "authwrap", "classifiers");
    mkdirSync(rules, { recursive: true });
    writeFileSync(
      join(rules, "aws.yaml"),
      [
        "version: 2",
        "tool: aws",
        "commands: [aws]",
        "uses: [aws]",
        "refresh_command: 'echo renewing {profile}'",
        "context:",
        "  profile: { env: AWS_PROFILE }",
        "rules: []",
      ].join("\n"),
    );
    const result = await runAuthwrap(
      ["--json", "--", "aws", "sts", "get-caller-identity"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(envelope.meta.reauth).toMatchObject({
      command: `echo renewing '$(touch ${marker})'`,
      exit_code: 0,
    });
    expect(existsSync(marker)).toBe(false);
  });

  it("an untrusted project file cannot redirect a built-in command's placeholders (context: { profile: { env: PWD } })", async () => {
    const sandbox = createSandbox({ AWS_PROFILE: "dev" });
    withFakeAws(sandbox);
    const project = join(sandbox.dir, `repo;touch ${"x"}`);
    mkdirSync(join(project, ".authwrap", "classifiers"), { recursive: true });
    writeFileSync(
      join(project, ".authwrap", "classifiers", "aws.yaml"),
      [
        "version: 1",
        "tool: aws",
        "commands: [aws]",
        "context:",
        "  profile: { env: PWD }",
        "rules: []",
      ].join("\n"),
    );
    const result = await runAuthwrap(
      ["--json", "--", "aws", "sts", "get-caller-identity"],
      sandbox,
      { cwd: project },
    );
    expect(parseEnvelope(result.stdout).error!.refresh_command).toBe(
      "aws sso login --profile dev",
    );
  });

  it("an untrusted project file that turns every failure into an expiry cannot make authwrap re-auth or re-run", async () => {
    const sandbox = createSandbox();
    const project = join(sandbox.dir, "repo");
    const runs = join(sandbox.dir, "runs");
    mkdirSync(join(project, ".authwrap", "classifiers"), { recursive: true });
    writeFileSync(
      join(project, ".authwrap", "classifiers", "generic.yaml"),
      [
        "version: 1",
        "tool: generic",
        "commands: ['*']",
        "rules:",
        "  - id: everything-expired",
        "    code: CREDENTIALS_EXPIRED",
        '    when: { output: "." }',
      ].join("\n"),
    );
    const result = await runAuthwrap(
      [
        "--json",
        "--reauth",
        `touch ${marker}`,
        "--",
        "sh",
        "-c",
        `echo ran >> ${runs}; echo failed >&2; exit 3`,
      ],
      sandbox,
      { cwd: project },
    );
    const envelope = parseEnvelope(result.stdout);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(runs, "utf8")).toBe("ran\n");
    expect(envelope.meta.reauth).toBeNull();
    expect(envelope.warnings.join("\n")).toContain(
      "project rule file you have not trusted",
    );
  });

  it('loose words ("your session has expired") from a deploy script may name the verdict, never replay the script', async () => {
    const sandbox = createSandbox();
    const runs = join(sandbox.dir, "deploys");
    const result = await runAuthwrap(
      [
        "--json",
        "--reauth",
        "true",
        "--",
        "sh",
        "-c",
        `echo deploy >> ${runs}; echo "error: your session has expired" >&2; exit 1`,
      ],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(envelope.error!.code).toBe("CREDENTIALS_EXPIRED");
    expect(readFileSync(runs, "utf8")).toBe("deploy\n");
    expect(envelope.meta.attempts).toBe(1);
    expect(envelope.warnings.join("\n")).toContain("not retried");
  });
});

describe("rule sources are checked like the state folder", () => {
  const ruleText = [
    "version: 1",
    "tool: mycli",
    "commands: [mycli]",
    "rules: []",
  ].join("\n");

  it("a rule folder anyone can write to is refused with a clear error", async () => {
    const sandbox = createSandbox();
    const folder = join(sandbox.dir, "shared-rules");
    mkdirSync(folder);
    writeFileSync(join(folder, "mycli.yaml"), ruleText);
    chmodSync(folder, 0o777);
    const result = await runAuthwrap(
      ["--json", "--classifiers", folder, "--", "true"],
      sandbox,
    );
    expect(result.exitCode).toBe(2);
    expect(parseEnvelope(result.stdout).error).toMatchObject({
      code: "UNSAFE_RULE_FILE",
    });
    expect(String(parseEnvelope(result.stdout).error!.message)).toContain(
      "anyone can write to it",
    );
  });

  it("a rule file anyone can write to is refused", async () => {
    const sandbox = createSandbox();
    const file = join(sandbox.dir, "mycli.yaml");
    writeFileSync(file, ruleText);
    chmodSync(file, 0o666);
    const result = await runAuthwrap(
      ["--json", "--classifiers", file, "--", "true"],
      sandbox,
    );
    expect(parseEnvelope(result.stdout).error).toMatchObject({
      code: "UNSAFE_RULE_FILE",
    });
  });

  it.skipIf(!isRoot)(
    "a user rule file owned by someone else is refused",
    async () => {
      const sandbox = createSandbox();
      const rules = join(
        sandbox.env.XDG_CONFIG_HOME!,
        "authwrap",
        "classifiers",
      );
      mkdirSync(rules, { recursive: true });
      writeFileSync(join(rules, "mycli.yaml"), ruleText);
      chownSync(join(rules, "mycli.yaml"), 65534, 65534);
      const result = await runAuthwrap(["--json", "--", "true"], sandbox);
      expect(String(parseEnvelope(result.stdout).error!.message)).toContain(
        "owned by another user",
      );
    },
  );

  it("a rule file that is a link to /dev/zero is refused at once, and /dev/stdin does not swallow our stdin", async () => {
    const sandbox = createSandbox();
    const zero = join(sandbox.dir, "zero.yaml");
    symlinkSync("/dev/zero", zero);
    const started = Date.now();
    const first = await runAuthwrap(
      ["--json", "--classifiers", zero, "--", "true"],
      sandbox,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(String(parseEnvelope(first.stdout).error!.message)).toContain(
      "not a regular file",
    );
    const stdin = join(sandbox.dir, "stdin.yaml");
    symlinkSync("/dev/stdin", stdin);
    const second = await runAuthwrap(
      ["--json", "--classifiers", stdin, "--", "cat"],
      sandbox,
      { input: "payload" },
    );
    expect(["UNSAFE_RULE_FILE", "UNREADABLE_FILE"]).toContain(
      parseEnvelope(second.stdout).error!.code,
    );
  });

  it("a rule file over 1 MiB is refused", async () => {
    const sandbox = createSandbox();
    const file = join(sandbox.dir, "big.yaml");
    writeFileSync(file, `${ruleText}\n${"#".repeat(1024 * 1024)}\n`);
    const result = await runAuthwrap(
      ["--json", "--classifiers", file, "--", "true"],
      sandbox,
    );
    expect(String(parseEnvelope(result.stdout).error!.message)).toContain(
      "at most 1048576 bytes",
    );
  });

  it("trust is pinned to the bytes loaded: a project file swapped while the command runs does not get its command run", async () => {
    const sandbox = createSandbox();
    const project = join(sandbox.dir, "repo");
    mkdirSync(join(project, ".authwrap", "classifiers"), { recursive: true });
    const file = join(project, ".authwrap", "classifiers", "mycli.yaml");
    const swapped = join(sandbox.dir, "swapped-ran");
    const original = [
      "version: 1",
      "tool: mycli",
      "commands: [sh]",
      'refresh_command: "true"',
      "rules:",
      "  - id: expired",
      "    code: CREDENTIALS_EXPIRED",
      '    when: { stderr: "token expired" }',
    ].join("\n");
    writeFileSync(file, original);
    expect(
      (await runAuthwrap(["trust", file], sandbox, { cwd: project })).exitCode,
    ).toBe(0);
    // The command rewrites the file (after authwrap loaded it) and then fails as expired.
    const evil = original.replace(
      'refresh_command: "true"',
      `refresh_command: "touch ${swapped}"`,
    );
    const script = `printf '%s' '${evil.replace(/'/g, "'\\''")}' > ${file}; echo "token expired" >&2; exit 1`;
    const result = await runAuthwrap(
      ["--json", "--", "sh", "-c", script],
      sandbox,
      { cwd: project },
    );
    expect(existsSync(swapped)).toBe(false);
    expect(parseEnvelope(result.stdout).meta.reauth).toMatchObject({
      command: "true",
    });
  });
});
