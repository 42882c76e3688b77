// Same identity after a re-auth, through the real aws CLI against the fake STS
// (fixtures/services/aws.mjs): aws.yaml's who-am-I is `aws sts get-caller-identity --query Arn`,
// the session name of an assumed role is not part of the identity, and a re-auth that lands in
// another account refuses the retry (IDENTITY_CHANGED, exit 8) — or, after a proactive
// re-auth, the first attempt.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService } from "../fixtures/clients/services.mjs";
import { FIXTURE_BIN, parseEnvelope, runAuthwrap } from "./helpers/run.js";
import { identityOf, maskIdentity } from "../src/reauth/identity.js";

const REQUIRED = process.env.AUTHWRAP_REQUIRE_CLIENTS === "1";
const installed = spawnSync("sh", ["-c", "command -v aws"]).status === 0;

const EXPIRED = "ASIAEXPIRED000000001";
const VALID = "ASIAVALID00000000001";
const OTHER = "ASIAVALIDOTHER000001";

describe("the identity read from a who-am-I's output", () => {
  const AWS_MATCH = /^(arn:[a-z-]+:sts::\d+:assumed-role\/[^/\s]+)\/|^arn:\S+/;

  it("an assumed role's session name is not part of it; an IAM user's ARN is whole", () => {
    expect(
      identityOf(
        "arn:aws:sts::123456789012:assumed-role/dev/botocore-session-1764600000\n",
        AWS_MATCH,
      ),
    ).toBe("arn:aws:sts::123456789012:assumed-role/dev");
    expect(
      identityOf("arn:aws:iam::123456789012:user/alice\n", AWS_MATCH),
    ).toBe("arn:aws:iam::123456789012:user/alice");
  });

  it("the first non-empty line, without control characters; nothing when the pattern does not match", () => {
    expect(
      identityOf("\n\n  \u001b[1malice@example.com\u001b[0m \nbob\n"),
    ).toBe("[1malice@example.com[0m");
    expect(identityOf("(unset)\n", AWS_MATCH)).toBeUndefined();
    expect(identityOf("\n \n")).toBeUndefined();
  });

  it("the masked form tells accounts apart without spelling them out", () => {
    expect(maskIdentity("arn:aws:sts::123456789012:assumed-role/dev")).toBe(
      "arn:aws:sts::123…012:assumed-role/dev",
    );
    expect(maskIdentity("arn:aws:sts::210987654321:assumed-role/prod")).toBe(
      "arn:aws:sts::210…321:assumed-role/prod",
    );
  });
});

describe.skipIf(!installed && !REQUIRED)(
  "aws: the identity is checked around the re-auth",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "authwrap-identity-"));
    const credentials = join(dir, "aws-credentials");
    const logFile = join(dir, "login.log");
    const state = join(dir, "state");
    let env: Record<string, string> = {};
    let stop = () => {};

    beforeAll(async () => {
      expect(installed, "aws must be installed").toBe(true);
      const service = await startService("aws");
      stop = service.stop;
      env = {
        PATH: `${FIXTURE_BIN}:${process.env.PATH}`,
        HOME: dir,
        XDG_STATE_HOME: state,
        XDG_CONFIG_HOME: join(dir, "config"),
        AWS_SHARED_CREDENTIALS_FILE: credentials,
        AWS_CONFIG_FILE: join(dir, "aws-config"),
        // The who-am-I reaches the fake STS the same way as the command: no --endpoint-url of its own.
        AWS_ENDPOINT_URL: `http://127.0.0.1:${service.port}`,
        AWS_MAX_ATTEMPTS: "1",
        AWS_EC2_METADATA_DISABLED: "true",
        FAKE_LOGIN_LOG: logFile,
        LANG: "C.UTF-8",
      };
      writeFileSync(env.AWS_CONFIG_FILE!, "[default]\nregion = us-east-1\n");
    }, 60_000);
    afterAll(() => {
      stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const useKey = (keyId: string) =>
      writeFileSync(
        credentials,
        `[default]\naws_access_key_id = ${keyId}\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\naws_session_token = FwoGZXIvYXdzEXAMPLESESSIONTOKEN\n`,
      );
    const logins = () =>
      existsSync(logFile)
        ? readFileSync(logFile, "utf8").trim().split("\n").length
        : 0;
    const callAws = async (
      renewTo: string,
      options: string[] = [],
      extraEnv: Record<string, string> = {},
      renewFrom = EXPIRED,
    ) => {
      rmSync(logFile, { force: true });
      const result = await runAuthwrap(
        [
          "--json",
          "--reauth",
          `fake-login ${credentials} ${renewFrom} ${renewTo}`,
          ...options,
          "--",
          "aws",
          "sts",
          "get-caller-identity",
        ],
        {
          dir,
          env: { ...env, ...extraEnv },
          demoHome: dir,
          refreshCount: () => 0,
        },
      );
      return { result, envelope: parseEnvelope(result.stdout) };
    };
    const identityRecords = () =>
      readdirSync(join(state, "authwrap"))
        .filter((name) => name.startsWith("identity-"))
        .map((name) => readFileSync(join(state, "authwrap", name), "utf8"));

    it("the first re-auth records who it logged in as; the state holds a fingerprint and a masked form, not the ARN", async () => {
      rmSync(state, { recursive: true, force: true });
      useKey(EXPIRED);
      const { result, envelope } = await callAws(VALID);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(envelope.meta).toMatchObject({ attempts: 2 });
      expect(logins()).toBe(1);
      const records = identityRecords();
      expect(records).toHaveLength(1);
      expect(records[0]).toContain("123…012:assumed-role/dev");
      expect(records[0]).not.toContain("123456789012");
    }, 60_000);

    it("a new login as the same role (a new session name) is the same identity: the retry runs", async () => {
      useKey(EXPIRED);
      const { result, envelope } = await callAws("ASIAVALID00000000777");
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(envelope.meta).toMatchObject({ attempts: 2 });
      expect(envelope.warnings).toEqual([]);
    }, 60_000);

    it("a re-auth that lands in another account refuses the retry: IDENTITY_CHANGED, exit 8, both identities masked", async () => {
      useKey(EXPIRED);
      const { result, envelope } = await callAws(OTHER);
      expect(result.exitCode, String(result.stderr)).toBe(8);
      expect(logins()).toBe(1);
      expect(envelope.meta).toMatchObject({
        attempts: 1,
        reauth: { exit_code: 0 },
      });
      expect(envelope.error).toMatchObject({
        code: "IDENTITY_CHANGED",
        retryable: false,
        fix_required: true,
      });
      const message = String(envelope.error!.message);
      expect(message).toContain("210…321:assumed-role/prod");
      expect(message).toContain("123…012:assumed-role/dev");
      expect(JSON.stringify(envelope)).not.toMatch(/123456789012|210987654321/);
    }, 60_000);

    it("run again, the caller goes on as the new identity: it is now the one recorded", async () => {
      useKey(EXPIRED);
      const { result, envelope } = await callAws(OTHER);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(envelope.meta).toMatchObject({ attempts: 2 });
    }, 60_000);

    it("a who-am-I that fails after the re-auth is a warning, not a block", async () => {
      const rules = join(dir, "rules");
      mkdirSync(rules, { recursive: true });
      writeFileSync(
        join(rules, "aws.yaml"),
        "version: 2\ntool: aws\ncommands: [aws]\nidentity:\n  command: exit 3\nrules: []\n",
      );
      useKey(EXPIRED);
      const { result, envelope } = await callAws(VALID, [
        "--classifiers",
        rules,
      ]);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(envelope.meta).toMatchObject({ attempts: 2 });
      expect(envelope.warnings).toEqual([
        "the identity after the re-auth could not be checked: `exit 3` exited 3",
      ]);
    }, 60_000);

    it("a proactive re-auth that lands in another account: the command does not run at all", async () => {
      rmSync(state, { recursive: true, force: true });
      useKey(VALID);
      // Expiring in 2 minutes (less than --min-ttl's 5): renewed before the first attempt.
      const { result, envelope } = await callAws(
        OTHER,
        [],
        {
          AWS_SESSION_TOKEN: "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
          AWS_CREDENTIAL_EXPIRATION: new Date(
            Date.now() + 120_000,
          ).toISOString(),
        },
        VALID,
      );
      expect(logins()).toBe(1);
      expect(result.exitCode, String(result.stderr)).toBe(8);
      expect(envelope.meta).toMatchObject({
        attempts: 0,
        reauth: { reason: "proactive", exit_code: 0 },
      });
      expect(envelope.error).toMatchObject({ code: "IDENTITY_CHANGED" });
    }, 60_000);
  },
);
