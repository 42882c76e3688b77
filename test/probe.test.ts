// The credential probes (src/credential/) over real files built at test time: what each source
// yields, and that one it cannot read yields nothing and says why.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { probeCredential } from "../src/credential/probe.js";
import { judgeLifetime } from "../src/credential/lifetime.js";
import { readJwtTimes } from "../src/credential/jwt.js";
import type { ProbeSpec } from "../src/rules/schema.js";
import { jwt } from "./helpers/jwt.js";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const seconds = (ms: number) => Math.floor(ms / 1000);

function home(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "authwrap-probe-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function probe(
  probes: ProbeSpec[],
  env: Record<string, string>,
  args: string[] = [],
) {
  const log: string[] = [];
  const found = await probeCredential(probes, {
    env,
    args,
    log: (line) => log.push(line),
  });
  return { found, log };
}

describe("aws", () => {
  const config = [
    "[profile dev]",
    "sso_session = corp",
    "sso_account_id = 123456789012",
    "sso_role_name = Dev",
    "[sso-session corp]",
    "sso_start_url = https://corp.awsapps.com/start",
    "[profile legacy]",
    "sso_start_url = https://corp.awsapps.com/start",
    "[profile role]",
    "role_arn = arn:aws:iam::123456789012:role/dev",
    "duration_seconds = 3600",
    "",
  ].join("\n");

  it.each([
    ["past", -HOUR],
    ["future", HOUR],
  ])(
    "SSO token cache (%s expiresAt), matched by the sso_session's key as botocore computes it",
    async (_, offset) => {
      const at = Date.now() + offset;
      // sha1("corp"), computed by Python's hashlib (botocore SSOTokenLoader._generate_cache_key)
      const dir = home({
        ".aws/config": config,
        ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json":
          JSON.stringify({ accessToken: "aoa-sso-1", expiresAt: iso(at) }),
      });
      const { found } = await probe([{ kind: "aws_sso_cache" }], {
        HOME: dir,
        AWS_PROFILE: "dev",
      });
      expect(found).toMatchObject({
        kind: "aws_sso_cache",
        source: join(
          dir,
          ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json",
        ),
        expiresAt: at,
      });
    },
  );

  it("legacy sso_start_url profile: key is sha1 of the start URL; --profile beats AWS_PROFILE", async () => {
    const dir = home({
      ".aws/config": config,
      ".aws/sso/cache/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json":
        JSON.stringify({
          accessToken: "aoa-sso-2",
          expiresAt: "2030-01-01T00:00:00UTC",
        }),
    });
    const { found } = await probe(
      [{ kind: "aws_sso_cache" }],
      { HOME: dir, AWS_PROFILE: "dev" },
      ["s3", "ls", "--profile", "legacy"],
    );
    expect(found?.expiresAt).toBe(Date.parse("2030-01-01T00:00:00Z"));
  });

  it("CLI cache: assumed-role and SSO role credentials under botocore's cache keys", async () => {
    const expiration = "2030-01-01T00:00:00Z";
    const entry = JSON.stringify({
      Credentials: {
        AccessKeyId: "ASIAEXAMPLE",
        SecretAccessKey: "x",
        SessionToken: "session-1",
        Expiration: expiration,
      },
    });
    // Both keys computed by Python's json.dumps + hashlib, as botocore's _create_cache_key does.
    const dir = home({
      ".aws/config": config,
      ".aws/cli/cache/db154127c14a6bd055e303163a217ad549d57dcd.json": entry,
      ".aws/cli/cache/ecc1e3c8d4fe9b118d11b9cfe1c4a2a4f4a548ae.json": entry,
    });
    for (const profile of ["role", "dev"]) {
      const { found } = await probe([{ kind: "aws_cli_cache" }], {
        HOME: dir,
        AWS_PROFILE: profile,
      });
      expect(found?.kind, profile).toBe("aws_cli_cache");
      expect(found?.expiresAt).toBe(Date.parse(expiration));
    }
  });

  it("AWS_CREDENTIAL_EXPIRATION beside env credentials; the source is the variable's name", async () => {
    const { found } = await probe([{ kind: "aws_env_expiration" }], {
      AWS_ACCESS_KEY_ID: "ASIAEXAMPLE",
      AWS_SESSION_TOKEN: "session-2",
      AWS_CREDENTIAL_EXPIRATION: "2030-01-01T00:00:00Z",
    });
    expect(found).toMatchObject({
      source: "AWS_SESSION_TOKEN",
      expiresAt: Date.parse("2030-01-01T00:00:00Z"),
    });
  });

  it("no cache for the profile: nothing, and --verbose says where it looked", async () => {
    const dir = home({ ".aws/config": config });
    const { found, log } = await probe(
      [{ kind: "aws_sso_cache" }, { kind: "aws_cli_cache" }],
      { HOME: dir, AWS_PROFILE: "dev" },
    );
    expect(found).toBeUndefined();
    expect(log.join("\n")).toMatch(/aws sso cache: .*not found/);
    expect(log.join("\n")).toMatch(/aws cli cache: .*not found/);
  });
});

describe("kubectl", () => {
  const kubeconfig = (user: string) =>
    [
      "apiVersion: v1",
      "kind: Config",
      "current-context: dev",
      "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]",
      "contexts: [{name: dev, context: {cluster: c, user: u}}, {name: other, context: {cluster: c, user: o}}]",
      `users: [{name: u, user: ${user}}, {name: o, user: {token: opaque-other}}]`,
      "",
    ].join("\n");

  it.each([
    ["expired", -HOUR],
    ["fresh", HOUR],
  ])(
    "current context's user: a %s JWT token gives exp and iat",
    async (_, offset) => {
      const exp = seconds(Date.now() + offset);
      const token = jwt({ sub: "dev", iat: exp - 3600, exp });
      const dir = home({ kubeconfig: kubeconfig(`{token: "${token}"}`) });
      const { found } = await probe([{ kind: "kubeconfig" }], {
        KUBECONFIG: join(dir, "kubeconfig"),
      });
      expect(found).toMatchObject({
        kind: "kubeconfig",
        source: `${join(dir, "kubeconfig")} › user u › token`,
        expiresAt: exp * 1000,
        issuedAt: (exp - 3600) * 1000,
      });
      expect(judgeLifetime(found!, 5 * 60_000, Date.now()).due).toBe(
        offset < 0,
      );
    },
  );

  it("OIDC id-token; --context picks another user", async () => {
    const exp = seconds(Date.now() + HOUR);
    const dir = home({
      kubeconfig: kubeconfig(
        `{auth-provider: {name: oidc, config: {id-token: "${jwt({ exp })}"}}}`,
      ),
    });
    const env = { KUBECONFIG: join(dir, "kubeconfig") };
    expect((await probe([{ kind: "kubeconfig" }], env)).found).toMatchObject({
      kind: "kubeconfig_oidc",
      expiresAt: exp * 1000,
    });
    const other = await probe([{ kind: "kubeconfig" }], env, [
      "--context",
      "other",
      "get",
      "pods",
    ]);
    expect(other.found).toMatchObject({ expiresAt: undefined });
    expect(other.found?.source).toMatch(/user o › token$/);
  });

  it("an exec plugin: nothing from the kubeconfig, then its cached ExecCredential", async () => {
    const dir = home({
      kubeconfig: kubeconfig("{exec: {command: plugin, apiVersion: v1}}"),
      ".kube/cache/plugin.json": JSON.stringify({
        apiVersion: "client.authentication.k8s.io/v1",
        kind: "ExecCredential",
        status: {
          token: "k8s-aws-v1.opaque",
          expirationTimestamp: "2030-01-01T00:15:00Z",
        },
      }),
    });
    const { found, log } = await probe(
      [
        { kind: "kubeconfig" },
        { kind: "exec_credential_file", path: "~/.kube/cache/plugin.json" },
      ],
      { KUBECONFIG: join(dir, "kubeconfig"), HOME: dir },
    );
    expect(log[0]).toMatch(/uses an exec plugin/);
    expect(found).toMatchObject({
      kind: "exec_credential_file",
      expiresAt: Date.parse("2030-01-01T00:15:00Z"),
    });
  });
});

describe("az, gcloud, tokens", () => {
  it("MSAL cache: the ARM access token's expires_on; two accounts: nothing", async () => {
    const token = (account: string, target: string, expires: number) => ({
      home_account_id: account,
      credential_type: "AccessToken",
      secret: `eyJ0-${target}`,
      target,
      cached_at: String(expires - 3600),
      expires_on: String(expires),
    });
    const exp = seconds(Date.now() + HOUR);
    const one = home({
      ".azure/msal_token_cache.json": JSON.stringify({
        AccessToken: {
          a: token(
            "u1.t",
            "https://management.core.windows.net//.default",
            exp,
          ),
          b: token("u1.t", "https://graph.microsoft.com/.default", exp + 999),
        },
      }),
    });
    expect(
      (await probe([{ kind: "azure_msal_cache" }], { HOME: one })).found,
    ).toMatchObject({ expiresAt: exp * 1000, issuedAt: (exp - 3600) * 1000 });
    const two = home({
      ".azure/msal_token_cache.json": JSON.stringify({
        AccessToken: { a: token("u1.t", "x", exp), b: token("u2.t", "x", exp) },
      }),
    });
    const { found, log } = await probe([{ kind: "azure_msal_cache" }], {
      HOME: two,
    });
    expect(found).toBeUndefined();
    expect(log[0]).toMatch(/2 accounts/);
  });

  it("gcloud access-token file from the active configuration: fingerprinted, no lifetime", async () => {
    const dir = home({
      "gcloud/active_config": "ci",
      "gcloud/configurations/config_ci": "[auth]\naccess_token_file = TOKEN\n",
      token: "ya29.opaque\n",
    });
    writeFileSync(
      join(dir, "gcloud/configurations/config_ci"),
      `[auth]\naccess_token_file = ${join(dir, "token")}\n`,
    );
    const { found } = await probe([{ kind: "gcloud_access_token_file" }], {
      CLOUDSDK_CONFIG: join(dir, "gcloud"),
    });
    expect(found).toMatchObject({
      source: join(dir, "token"),
      expiresAt: undefined,
      secret: "ya29.opaque",
    });
  });

  it("env_token: a JWT's times; unset: says so", async () => {
    const exp = seconds(Date.now() + HOUR);
    const { found } = await probe([{ kind: "env_token", env: "KUBE_TOKEN" }], {
      KUBE_TOKEN: jwt({ exp, iat: exp - 100 }),
    });
    expect(found).toMatchObject({
      source: "KUBE_TOKEN",
      expiresAt: exp * 1000,
    });
    const unset = await probe([{ kind: "env_token", env: "KUBE_TOKEN" }], {});
    expect(unset.log).toEqual(["credential: KUBE_TOKEN is not set"]);
  });

  it("a JWT's times are read without verifying; an opaque token has none", () => {
    expect(readJwtTimes(jwt({ exp: 10, iat: 5, nbf: 6 }))).toEqual({
      expiresAt: 10_000,
      issuedAt: 5_000,
      notBefore: 6_000,
    });
    expect(readJwtTimes("ghp_opaque")).toBeUndefined();
  });
});

describe("curl", () => {
  const curl = [{ kind: "curl_auth" }] as ProbeSpec[];
  const exp = seconds(Date.now() + HOUR);
  const token = jwt({ exp, iat: exp - 3600 });

  it("an Authorization header on the command line, attached or not; its JWT's times; the source is the flag", async () => {
    for (const args of [
      ["-sS", "-H", `Authorization: Bearer ${token}`, "https://api.test/x"],
      [`-HAuthorization: Bearer ${token}`, "https://api.test/x"],
      ["--header", `authorization:Bearer ${token}`, "https://api.test/x"],
    ]) {
      const { found } = await probe(curl, {}, args);
      expect(found, args.join(" ")).toMatchObject({
        kind: "curl_auth",
        expiresAt: exp * 1000,
        secret: token,
      });
      expect(found!.source).toMatch(/^curl (-H|--header) argument$/);
    }
  });

  it("--oauth2-bearer and -u; the last credential wins, as curl's last header does", async () => {
    const bearer = await probe(curl, {}, ["--oauth2-bearer", token, "u"]);
    expect(bearer.found).toMatchObject({
      source: "curl --oauth2-bearer argument",
      expiresAt: exp * 1000,
    });
    const basic = await probe(curl, {}, [
      "-H",
      `Authorization: Bearer ${token}`,
      "-u",
      "dev:pw",
      "u",
    ]);
    expect(basic.found).toMatchObject({
      source: "curl -u argument",
      secret: "dev:pw",
    });
    expect(basic.found!.expiresAt).toBeUndefined();
  });

  it("-H @file: the Authorization line among others; the source is the path", async () => {
    const dir = home({
      "h.txt": `Accept: */*\r\nAuthorization: Bearer ${token}\r\nX-A: 1\r\n`,
    });
    const { found } = await probe(curl, {}, [
      "-H",
      `@${join(dir, "h.txt")}`,
      "u",
    ]);
    expect(found).toMatchObject({
      source: join(dir, "h.txt"),
      expiresAt: exp * 1000,
    });
  });

  it("-H @- (curl's stdin), a named pipe, a missing file, no credential: nothing, says why, never waits", async () => {
    const dir = home({});
    const fifo = join(dir, "fifo");
    spawnSync("mkfifo", [fifo]);
    const stdin = await probe(curl, {}, ["-H", "@-", "u"]);
    expect(stdin.found).toBeUndefined();
    expect(stdin.log[0]).toMatch(/stdin \(-H @-\); not read/);
    const pipe = await probe(curl, {}, ["-H", `@${fifo}`, "u"]);
    expect(pipe.found).toBeUndefined();
    expect(pipe.log[0]).toMatch(/not a regular file/);
    const missing = await probe(curl, {}, ["-H", `@${join(dir, "nope")}`, "u"]);
    expect(missing.log[0]).toMatch(/nope/);
    const none = await probe(curl, {}, ["-sS", "https://api.test/x"]);
    expect(none.found).toBeUndefined();
    expect(none.log).toEqual([
      "credential: no Authorization header, --oauth2-bearer or -u on curl's command line",
    ]);
  });
});

describe("gh", () => {
  const gh = [{ kind: "gh_token" }] as ProbeSpec[];
  const hosts = (text: string) => home({ "gh/hosts.yml": text });

  it("github.com: GH_TOKEN, then GITHUB_TOKEN, then hosts.yml; another host: GH_ENTERPRISE_TOKEN, never GH_TOKEN", async () => {
    const dir = hosts(
      "github.com:\n    oauth_token: gho_stored\n    user: dev\nghe.corp.test:\n    oauth_token: gho_corp\n",
    );
    const env = { GH_CONFIG_DIR: join(dir, "gh") };
    expect(
      (await probe(gh, { ...env, GH_TOKEN: "ghp_a", GITHUB_TOKEN: "ghp_b" }))
        .found,
    ).toMatchObject({ source: "GH_TOKEN", secret: "ghp_a" });
    expect(
      (await probe(gh, { ...env, GITHUB_TOKEN: "ghp_b" })).found,
    ).toMatchObject({ source: "GITHUB_TOKEN" });
    expect((await probe(gh, env)).found).toMatchObject({
      kind: "gh_hosts",
      source: `${join(dir, "gh", "hosts.yml")} (github.com)`,
      secret: "gho_stored",
    });
    const corp = await probe(gh, { ...env, GH_TOKEN: "ghp_a" }, [
      "api",
      "--hostname",
      "ghe.corp.test",
      "user",
    ]);
    expect(corp.found).toMatchObject({ secret: "gho_corp" });
    expect(
      (
        await probe(gh, {
          ...env,
          GH_HOST: "ghe.corp.test",
          GH_ENTERPRISE_TOKEN: "ghp_e",
        })
      ).found,
    ).toMatchObject({ source: "GH_ENTERPRISE_TOKEN" });
  });

  it("a token in the system keyring (hosts.yml names only the user): nothing, and says so", async () => {
    const dir = hosts(
      "github.com:\n    git_protocol: https\n    users:\n        dev:\n    user: dev\n",
    );
    const { found, log } = await probe(gh, { GH_CONFIG_DIR: join(dir, "gh") });
    expect(found).toBeUndefined();
    expect(log[0]).toMatch(
      /no oauth_token for github.com \(gh keeps it in the system keyring\)/,
    );
  });
});

describe("lifetime", () => {
  const at = (fraction: number) => {
    const now = Date.now();
    return {
      kind: "t",
      source: "s",
      secret: "x",
      issuedAt: now - fraction * HOUR,
      expiresAt: now + (1 - fraction) * HOUR,
    };
  };
  it("due past 80% of the lifetime, not at 50%; without an issue time, under the minimum TTL", () => {
    expect(judgeLifetime(at(0.85), 0, Date.now()).due).toBe(true);
    expect(judgeLifetime(at(0.5), 0, Date.now()).due).toBe(false);
    const noIssue = { ...at(0.5), issuedAt: undefined };
    expect(judgeLifetime(noIssue, 15 * 60_000, Date.now()).due).toBe(false);
    expect(judgeLifetime(noIssue, 31 * 60_000, Date.now()).due).toBe(true);
  });
});
