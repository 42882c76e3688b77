// The config file ($XDG_CONFIG_HOME/authwrap/config.yaml, a project's .authwrap/config.yaml)
// as defaults for the CLI's flags — flag › env › per-profile › per-tool › top level › built-in —
// through bin/authwrap: the demo CLI, and the real aws client against the fake STS endpoint for
// the per-profile re-auth command.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService } from "../fixtures/clients/services.mjs";
import { buildJsonSchema } from "../src/verbs/schema.js";
import {
  ROOT,
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
  type Sandbox,
} from "./helpers/run.js";

function writeConfig(sandbox: Sandbox, text: string, mode = 0o600): string {
  const dir = join(sandbox.env.XDG_CONFIG_HOME!, "authwrap");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "config.yaml");
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

async function expiredDemo(env: Record<string, string> = {}) {
  const sandbox = createSandbox(env);
  await runDemo(["auth", "login"], sandbox);
  await runDemo(["auth", "expire"], sandbox);
  return sandbox;
}

describe("config file defaults through bin/authwrap (demo CLI)", () => {
  it("a tool's `retry: never` applies; the flag and the env variable each beat it", async () => {
    const sandbox = await expiredDemo();
    writeConfig(
      sandbox,
      "retry: always\ntools:\n  democli:\n    retry: never\n",
    );
    const run = async (options: string[], env: Record<string, string> = {}) => {
      await runDemo(["auth", "expire"], sandbox);
      const result = await runAuthwrap(
        ["--json", ...options, "--", "democli", "deploy"],
        {
          ...sandbox,
          env: { ...sandbox.env, ...env },
        },
      );
      return parseEnvelope(result.stdout).meta.attempts;
    };
    expect(await run([])).toBe(1);
    expect(await run(["--retry", "auth-rejected"])).toBe(2);
    expect(await run([], { AUTHWRAP_RETRY: "auth-rejected" })).toBe(2);
  });

  it("`reauth: false` is --no-reauth: exit 10 with the refresh command, nothing run", async () => {
    const sandbox = await expiredDemo();
    writeConfig(sandbox, "tools:\n  democli:\n    reauth: false\n");
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    expect(result.exitCode).toBe(10);
    expect(parseEnvelope(result.stdout).error?.refresh_command).toBe(
      "democli auth refresh",
    );
    expect(sandbox.refreshCount()).toBe(0);
  });

  it("a configured re-auth command runs and is reported with its file and key", async () => {
    const sandbox = await expiredDemo();
    const path = writeConfig(
      sandbox,
      "tools:\n  democli:\n    reauth_command: democli auth refresh --from-config\n",
    );
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(envelope.meta.reauth).toMatchObject({
      command: "democli auth refresh --from-config",
      source: `${path} › tools.democli.reauth_command`,
    });
  });

  it("`reauth_interactive: true` keeps a configured command from running in an agent run", async () => {
    const sandbox = await expiredDemo();
    writeConfig(
      sandbox,
      "reauth_command: democli auth refresh\nreauth_interactive: true\n",
    );
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    expect(result.exitCode).toBe(10);
    expect(sandbox.refreshCount()).toBe(0);
    expect(parseEnvelope(result.stdout).meta.reauth?.skipped).toMatch(
      /person|terminal|interactive/,
    );
  });

  it.each([
    [
      "tools:\n  democli:\n    reauth_timout: 5\n",
      /config\.yaml › tools\.democli: unknown key "reauth_timout"; did you mean "reauth_timeout"\?/,
    ],
    [
      "retry: sometimes\n",
      /config\.yaml › retry: expected one of never, auth-rejected, always/,
    ],
    ["reauth_timeout: 0\n", /config\.yaml › reauth_timeout: /],
    ["tools: [\n", /config\.yaml: not valid YAML or JSON/],
  ])(
    "an invalid file is refused before anything runs: %j",
    async (text, message) => {
      const sandbox = await expiredDemo();
      writeConfig(sandbox, text);
      const result = await runAuthwrap(
        ["--json", "--", "democli", "deploy"],
        sandbox,
      );
      const envelope = parseEnvelope(result.stdout);
      expect(result.exitCode).toBe(2);
      expect(envelope.error).toMatchObject({
        code: "INVALID_CONFIG",
        message: expect.stringMatching(message),
      });
      expect(sandbox.refreshCount()).toBe(0);
    },
  );

  it("a file others can write is refused", async () => {
    const sandbox = await expiredDemo();
    writeConfig(sandbox, "retry: never\n", 0o666);
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      sandbox,
    );
    expect(result.exitCode).toBe(2);
    expect(parseEnvelope(result.stdout).error?.message).toMatch(
      /config\.yaml: not safe to load a config file from: anyone can write to it/,
    );
  });

  it("a project's config may tune, but not choose a re-auth command or a re-run", async () => {
    const sandbox = await expiredDemo();
    const project = join(sandbox.dir, "repo");
    mkdirSync(join(project, ".authwrap"), { recursive: true });
    const run = async (text: string) => {
      writeFileSync(join(project, ".authwrap", "config.yaml"), text);
      await runDemo(["auth", "expire"], sandbox);
      return runAuthwrap(["--json", "--", "democli", "deploy"], sandbox, {
        cwd: join(project),
      });
    };
    const tuned = await run("retry: never\n");
    expect(parseEnvelope(tuned.stdout).meta.attempts).toBe(1);
    for (const text of [
      "tools:\n  democli:\n    reauth_command: touch pwned\n",
      "retry: always\n",
    ]) {
      const refused = await run(text);
      expect(refused.exitCode).toBe(2);
      expect(parseEnvelope(refused.stdout).error?.message).toMatch(
        /a project's config may not set (reauth_command|retry)/,
      );
    }
  });
});

describe("authwrap config", () => {
  it("prints each setting and where it came from: flag, env, file, default", async () => {
    const sandbox = createSandbox({ AUTHWRAP_REAUTH_TIMEOUT: "7" });
    const path = writeConfig(
      sandbox,
      "retry: never\nredact_data: true\ntools:\n  democli:\n    max_data_bytes: 1000\n",
    );
    const result = await runAuthwrap(
      ["config", "--json", "--redact-data", "--", "democli", "deploy"],
      sandbox,
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const report = JSON.parse(String(result.stdout));
    expect(report).toMatchObject({
      tool: "democli",
      files: [{ path, origin: "user" }],
    });
    expect(report.settings).toMatchObject({
      redact_data: { source: "flag", value: true },
      reauth_timeout: {
        source: "env",
        from: "AUTHWRAP_REAUTH_TIMEOUT",
        value: "7",
      },
      retry: { source: "file", from: `${path} › retry`, value: "never" },
      max_data_bytes: {
        source: "file",
        from: `${path} › tools.democli.max_data_bytes`,
        value: 1000,
      },
      reauth_ambiguous: { source: "default", applied: true },
    });
    const text = await runAuthwrap(
      ["config", "--", "democli", "deploy"],
      sandbox,
    );
    expect(String(text.stdout)).toContain(
      `retry               never  ← file ${path} › retry`,
    );
  });

  it("per-profile values win over the tool's, with the profile read through a wrapper", async () => {
    const sandbox = createSandbox();
    writeConfig(
      sandbox,
      "tools:\n  aws:\n    retry: never\n    profiles:\n      prod:\n        retry: always\n",
    );
    const show = async (...command: string[]) =>
      JSON.parse(
        String(
          (await runAuthwrap(["config", "--json", "--", ...command], sandbox))
            .stdout,
        ),
      );
    expect((await show("aws", "s3", "ls")).settings.retry.value).toBe("never");
    expect(
      await show("env", "AWS_PROFILE=prod", "aws", "s3", "ls"),
    ).toMatchObject({
      profile: "prod",
      settings: { retry: { value: "always" } },
    });
    expect(
      (await show("aws", "--profile", "prod", "s3", "ls")).settings.retry.value,
    ).toBe("always");
  });

  it("schema/config.schema.json matches `authwrap schema config`", () => {
    expect(
      JSON.parse(readFileSync(join(ROOT, "schema/config.schema.json"), "utf8")),
    ).toEqual(buildJsonSchema("config"));
  });
});

const hasAws = spawnSync("sh", ["-c", "command -v aws"]).status === 0;

describe.skipIf(!hasAws && process.env.AUTHWRAP_REQUIRE_CLIENTS !== "1")(
  "a per-profile re-auth command with the real aws client",
  () => {
    let sandbox: Sandbox;
    let endpoint = "";
    let stop = () => {};
    beforeAll(async () => {
      const service = await startService("aws");
      stop = service.stop;
      endpoint = `http://127.0.0.1:${service.port}`;
      sandbox = createSandbox();
      const credentials = join(sandbox.dir, "aws-credentials");
      writeFileSync(
        join(sandbox.dir, "aws-config"),
        "[profile dev]\nregion = us-east-1\n[profile prod]\nregion = us-east-1\n",
      );
      Object.assign(sandbox.env, {
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_CONFIG_FILE: join(sandbox.dir, "aws-config"),
        AWS_MAX_ATTEMPTS: "1",
        AWS_EC2_METADATA_DISABLED: "true",
      });
      writeConfig(
        sandbox,
        `tools:\n  aws:\n    profiles:\n      dev:\n        reauth_command: fake-login ${credentials} ASIAEXPIRED00 ASIAVALID0000\n`,
      );
    }, 30_000);
    afterAll(() => {
      stop();
      rmSync(sandbox.dir, { recursive: true, force: true });
    });
    const expire = () =>
      writeFileSync(
        join(sandbox.dir, "aws-credentials"),
        ["dev", "prod"]
          .map(
            (p) =>
              `[${p}]\naws_access_key_id = ASIAEXPIRED000000001\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\naws_session_token = FwoGZXIvYXdzEXAMPLESESSIONTOKEN\n`,
          )
          .join(""),
      );

    it("profile dev: the configured command renews it and the retry succeeds; profile prod: aws's own (interactive) command, not run", async () => {
      expire();
      const dev = await runAuthwrap(
        [
          "--json",
          "--",
          "aws",
          "--profile",
          "dev",
          "sts",
          "get-caller-identity",
          "--endpoint-url",
          endpoint,
        ],
        sandbox,
      );
      expect(dev.exitCode, String(dev.stderr)).toBe(0);
      expect(parseEnvelope(dev.stdout).meta).toMatchObject({
        attempts: 2,
        reauth: {
          source: expect.stringContaining(
            "tools.aws.profiles.dev.reauth_command",
          ),
        },
      });
      expire();
      const prod = await runAuthwrap(
        [
          "--json",
          "--",
          "env",
          "AWS_PROFILE=prod",
          "aws",
          "sts",
          "get-caller-identity",
          "--endpoint-url",
          endpoint,
        ],
        sandbox,
      );
      expect(prod.exitCode).toBe(10);
      expect(parseEnvelope(prod.stdout).error?.refresh_command).toBe(
        "aws sso login --profile prod",
      );
    }, 60_000);
  },
);
