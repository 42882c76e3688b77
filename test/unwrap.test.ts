// Looking through wrappers: `env X=1 aws …`, `sh -c 'aws …'`, `timeout 30 aws …` are classified
// as aws (its rules, its refresh command, its --profile), through bin/authwrap with the real aws
// client against the fake STS endpoint; the argv parsing itself is checked case by case.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService } from "../fixtures/clients/services.mjs";
import { innerEnv, unwrapCommand } from "../src/rules/unwrap.js";
import {
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  type Sandbox,
} from "./helpers/run.js";

describe("unwrapCommand", () => {
  const inner = (...argv: string[]) => unwrapCommand(argv[0]!, argv.slice(1));
  it.each([
    [["env", "AWS_PROFILE=dev", "aws", "s3", "ls"], "aws", ["s3", "ls"]],
    [["/usr/bin/env", "-i", "-u", "X", "--", "A=1", "gh", "x"], "gh", ["x"]],
    [["sudo", "-u", "deploy", "-E", "aws", "sts"], "aws", ["sts"]],
    [["sudo", "-Eu", "root", "kubectl", "get"], "kubectl", ["get"]],
    [["nice", "-n", "10", "aws", "x"], "aws", ["x"]],
    [["nice", "-5", "aws"], "aws", []],
    [
      ["timeout", "-k", "5", "--preserve-status", "30s", "gcloud", "x"],
      "gcloud",
      ["x"],
    ],
    [
      ["aws-vault", "exec", "--duration", "1h", "dev", "--", "aws", "s3"],
      "aws",
      ["s3"],
    ],
    [["op", "run", "--env-file", ".env", "--", "gh", "api"], "gh", ["api"]],
    [["doppler", "run", "--", "aws", "x"], "aws", ["x"]],
    [["assume", "dev", "--", "aws", "x"], "aws", ["x"]],
    [
      ["sh", "-c", "aws s3 ls --profile 'a b'"],
      "aws",
      ["s3", "ls", "--profile", "a b"],
    ],
    [
      ["bash", "-lc", "exec aws sts get-caller-identity"],
      "aws",
      ["sts", "get-caller-identity"],
    ],
    [
      ["sudo", "env", "A=1", "timeout", "9", "sh", "-c", "gh auth status"],
      "gh",
      ["auth", "status"],
    ],
  ])("%j → %s", (argv, command, args) => {
    const result = inner(...argv);
    expect(result.command).toBe(command);
    expect(result.args).toEqual(args);
  });

  it.each([
    ["sh", "-c", "aws s3 ls | head"],
    ["sh", "-c", "aws s3 ls; gh x"],
    ["sh", "-c", "aws $(cat profile)"],
    ["sh", "-c", "aws `id`"],
    ["sh", "-c", "aws $PROFILE"],
    ["sh", "-c", "aws > out"],
    ["sh", "-c", "if true; then aws; fi"],
    ["sh", "script.sh"],
    ["env", "-S", "aws x"],
    ["env", "A=1"],
    ["timeout", "30"],
    ["aws-vault", "login", "dev"],
    ["op", "read", "op://x"],
    ["doppler", "run", "--command", "aws x"],
  ])("%j is classified as the outer command", (...argv) => {
    const result = inner(...argv);
    expect(result.command).toBe(argv[0]);
    expect(result.through).toEqual([]);
  });

  it("collects the environment the wrappers set and clear", () => {
    const env = { AWS_PROFILE: "outer", HOME: "/h" };
    expect(innerEnv(inner("env", "AWS_PROFILE=dev", "aws"), env)).toMatchObject(
      { AWS_PROFILE: "dev", HOME: "/h" },
    );
    expect(
      innerEnv(inner("env", "-u", "AWS_PROFILE", "aws"), env).AWS_PROFILE,
    ).toBeUndefined();
    expect(innerEnv(inner("env", "-i", "aws"), env)).toEqual({});
    // sudo resets the environment unless -E: the outer profile does not reach the inner aws.
    expect(innerEnv(inner("sudo", "aws"), env).AWS_PROFILE).toBeUndefined();
    expect(innerEnv(inner("sudo", "-E", "aws"), env).AWS_PROFILE).toBe("outer");
    expect(
      innerEnv(inner("aws-vault", "exec", "prod", "--", "aws"), env)
        .AWS_PROFILE,
    ).toBe("prod");
    expect(
      innerEnv(inner("sh", "-c", "AWS_PROFILE=x exec aws s3 ls"), env)
        .AWS_PROFILE,
    ).toBe("x");
  });

  it("stops after a bounded depth of wrappers", () => {
    const argv = [...Array(50).fill("nice"), "aws"];
    expect(inner(...argv).through.length).toBeLessThanOrEqual(8);
  });
});

const hasAws = spawnSync("sh", ["-c", "command -v aws"]).status === 0;

describe.skipIf(!hasAws && process.env.AUTHWRAP_REQUIRE_CLIENTS !== "1")(
  "through bin/authwrap with the real aws client",
  () => {
    let sandbox: Sandbox;
    let endpoint = "";
    let stop = () => {};
    let credentials = "";
    const login = () => join(sandbox.dir, "login.log");
    const expire = () =>
      writeFileSync(
        credentials,
        "[dev]\naws_access_key_id = ASIAEXPIRED000000001\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\naws_session_token = FwoGZXIvYXdzEXAMPLESESSIONTOKEN\n",
      );

    beforeAll(async () => {
      const service = await startService("aws");
      stop = service.stop;
      endpoint = `http://127.0.0.1:${service.port}`;
      sandbox = createSandbox();
      credentials = join(sandbox.dir, "aws-credentials");
      const config = join(sandbox.dir, "aws-config");
      writeFileSync(config, "[profile dev]\nregion = us-east-1\n");
      // A stand-in for aws-vault (not installed here) that does what `aws-vault exec P --` does
      // to the inner command's environment: it runs it with that profile's credentials.
      const bin = join(sandbox.dir, "bin");
      mkdirSync(bin);
      writeFileSync(
        join(bin, "aws-vault"),
        '#!/bin/sh\nshift; p=$1; shift; [ "$1" = -- ] && shift\nAWS_PROFILE=$p exec "$@"\n',
      );
      chmodSync(join(bin, "aws-vault"), 0o755);
      Object.assign(sandbox.env, {
        PATH: `${bin}:${sandbox.env.PATH}`,
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_CONFIG_FILE: config,
        AWS_MAX_ATTEMPTS: "1",
        AWS_EC2_METADATA_DISABLED: "true",
        FAKE_LOGIN_LOG: join(sandbox.dir, "login.log"),
      });
    }, 30_000);
    afterAll(() => {
      stop();
      rmSync(sandbox.dir, { recursive: true, force: true });
    });

    const sts = () => [
      "sts",
      "get-caller-identity",
      "--endpoint-url",
      endpoint,
    ];
    const wrap = (argv: string[], options: string[] = []) => {
      expire();
      rmSync(login(), { force: true });
      return runAuthwrap(["--json", ...options, "--", ...argv], sandbox);
    };

    it.each([
      [
        "env AWS_PROFILE=dev aws",
        () => ["env", "AWS_PROFILE=dev", "aws", ...sts()],
      ],
      [
        "sh -c 'AWS_PROFILE=dev aws …'",
        () => ["sh", "-c", `AWS_PROFILE=dev aws ${sts().join(" ")}`],
      ],
      [
        "timeout 30 aws --profile dev",
        () => ["timeout", "30", "aws", "--profile", "dev", ...sts()],
      ],
      [
        "aws-vault exec dev -- aws",
        () => ["aws-vault", "exec", "dev", "--", "aws", ...sts()],
      ],
      [
        "env -i … sh -c 'exec aws --profile dev …'",
        () => [
          "env",
          "-i",
          `PATH=${sandbox.env.PATH}`,
          `AWS_SHARED_CREDENTIALS_FILE=${credentials}`,
          `AWS_CONFIG_FILE=${sandbox.env.AWS_CONFIG_FILE}`,
          "sh",
          "-c",
          `exec aws --profile dev ${sts().join(" ")}`,
        ],
      ],
    ])(
      "%s: aws's rules and refresh command, with the inner profile",
      async (_, argv) => {
        const result = await wrap(argv());
        const envelope = parseEnvelope(result.stdout);
        expect(result.exitCode, String(result.stderr)).toBe(10);
        expect(envelope.meta.tool).toBe("aws");
        expect(envelope.error).toMatchObject({
          code: "CREDENTIALS_EXPIRED",
          refresh_command: "aws sso login --profile dev",
          rule: expect.stringContaining("aws"),
        });
      },
      60_000,
    );

    it("the re-auth renews, and the retry runs the whole wrapped command again", async () => {
      const result = await wrap(
        ["env", "AWS_PROFILE=dev", "aws", ...sts()],
        ["--reauth", `fake-login ${credentials} ASIAEXPIRED00 ASIAVALID0000`],
      );
      const envelope = parseEnvelope(result.stdout);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(envelope.meta).toMatchObject({ tool: "aws", attempts: 2 });
      expect(existsSync(login())).toBe(true);
    }, 60_000);

    it("a script with a pipe is the shell's: generic rules, no aws refresh command", async () => {
      const result = await wrap([
        "sh",
        "-c",
        `AWS_PROFILE=dev aws ${sts().join(" ")} | cat`,
      ]);
      const envelope = parseEnvelope(result.stdout);
      expect(envelope.meta.tool).toBe("sh");
      expect(envelope.error?.refresh_command ?? null).not.toBe(
        "aws sso login --profile dev",
      );
    }, 60_000);

    it("--tool still wins over the inner command", async () => {
      const result = await wrap(
        ["env", "AWS_PROFILE=dev", "aws", ...sts()],
        ["--tool", "gh"],
      );
      expect(parseEnvelope(result.stdout).meta.tool).toBe("gh");
    }, 60_000);

    it("-v says what it looked through", async () => {
      const result = await wrap(
        ["env", "AWS_PROFILE=dev", "aws", ...sts()],
        ["-v", "--no-reauth"],
      );
      expect(String(result.stderr)).toContain(
        "looked through env: the command is aws",
      );
    }, 60_000);
  },
);
