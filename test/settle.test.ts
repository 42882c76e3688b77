// A bare 401 settled by the credential itself, through the real kubectl against the fake API
// server (fixtures/services/kube.mjs, which checks a bearer JWT's exp and a revocation list):
// (a) the token's own exp has passed → CREDENTIALS_EXPIRED → the one re-auth and retry;
// (b) the token was seen working before and is refused now → expiry, inferred → re-auth, retry;
// (c) nothing known → UNAUTHENTICATED, ambiguous, nothing run. And the proactive refresh at 80%.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeCertificate,
  startService,
} from "../fixtures/clients/services.mjs";
import { FIXTURE_BIN, parseEnvelope, runAuthwrap } from "./helpers/run.js";
import { jwt } from "./helpers/jwt.js";

const REQUIRED = process.env.AUTHWRAP_REQUIRE_CLIENTS === "1";
const installed = spawnSync("sh", ["-c", "command -v kubectl"]).status === 0;
const HOUR_S = 3600;
const now = () => Math.floor(Date.now() / 1000);
/** A token the fake API server accepts until exp, `used` of the way through an hour's lifetime. */
const tokenAt = (used: number, sub = "valid-dev") =>
  jwt({ sub, iat: now() - used * HOUR_S, exp: now() + (1 - used) * HOUR_S });

describe.skipIf(!installed && !REQUIRED)(
  "kubectl: the credential settles a bare 401",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "authwrap-settle-"));
    const kubeconfig = join(dir, "kubeconfig");
    const revoked = join(dir, "revoked");
    const logFile = join(dir, "login.log");
    let env: Record<string, string> = {};
    let endpoint = "";
    let cert = "";
    let stop = () => {};

    beforeAll(async () => {
      const made = makeCertificate(dir);
      cert = made.cert;
      const service = await startService("kube", [
        made.cert,
        made.key,
        revoked,
      ]);
      stop = service.stop;
      endpoint = `https://127.0.0.1:${service.port}`;
      env = {
        PATH: `${FIXTURE_BIN}:${process.env.PATH}`,
        HOME: dir,
        XDG_STATE_HOME: join(dir, "state"),
        XDG_CONFIG_HOME: join(dir, "config"),
        KUBECONFIG: kubeconfig,
        FAKE_LOGIN_LOG: logFile,
        LANG: "C.UTF-8",
      };
    }, 60_000);
    afterAll(() => {
      stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const writeKubeconfig = (token: string) =>
      writeFileSync(
        kubeconfig,
        [
          "apiVersion: v1",
          "kind: Config",
          "current-context: fake",
          `clusters: [{name: fake, cluster: {server: "${endpoint}", certificate-authority: "${cert}"}}]`,
          `users: [{name: dev, user: {token: "${token}"}}]`,
          "contexts: [{name: fake, context: {cluster: fake, user: dev, namespace: default}}]",
          "",
        ].join("\n"),
      );
    const fresh = (token: string) => {
      rmSync(join(dir, "state"), { recursive: true, force: true });
      rmSync(logFile, { force: true });
      writeFileSync(revoked, "");
      writeKubeconfig(token);
    };
    const logins = () =>
      existsSync(logFile)
        ? readFileSync(logFile, "utf8").trim().split("\n").length
        : 0;
    const kubectl = (options: string[]) =>
      runAuthwrap(["--json", ...options, "--", "kubectl", "get", "pods"], {
        dir,
        env,
        demoHome: dir,
        refreshCount: () => 0,
      });
    const renewTo = (from: string, to: string) =>
      `fake-login ${kubeconfig} ${from} ${to}`;

    it("(a) the token's own exp has passed → CREDENTIALS_EXPIRED, one re-auth, retry → exit 0", async () => {
      const expired = jwt({
        sub: "valid-dev",
        iat: now() - 2 * HOUR_S,
        exp: now() - HOUR_S,
      });
      fresh(expired);
      // --no-proactive: otherwise the lapsed token is renewed before the first attempt (below).
      const result = await kubectl([
        "--no-proactive",
        "--reauth",
        renewTo(expired, tokenAt(0)),
      ]);
      const envelope = parseEnvelope(result.stdout);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(envelope.meta).toMatchObject({
        attempts: 2,
        ambiguous: false,
        reauth: { exit_code: 0 },
      });
      expect(logins()).toBe(1);
    }, 60_000);

    it("(a) the re-auth does not fix it → exit 10 with the token's expires_at, meta.credential and meta.evidence", async () => {
      const exp = now() - HOUR_S;
      const expired = jwt({ sub: "valid-dev", iat: exp - HOUR_S, exp });
      fresh(expired);
      const result = await kubectl([
        "--no-proactive",
        "--reauth",
        "fake-login /dev/null a b",
      ]);
      const envelope = parseEnvelope(result.stdout);
      const at = new Date(exp * 1000).toISOString().replace(".000Z", "Z");
      expect(result.exitCode, String(result.stderr)).toBe(10);
      expect(envelope.error).toMatchObject({
        code: "CREDENTIALS_EXPIRED",
        expires_at: at,
        refresh_command: "fake-login /dev/null a b",
      });
      expect(envelope.meta.credential).toEqual({
        kind: "kubeconfig",
        source: `${kubeconfig} › user dev › token`,
        expires_at: at,
      });
      expect(envelope.meta.evidence).toEqual([
        `the credential in ${kubeconfig} › user dev › token expired at ${at}: the refusal is its expiry`,
      ]);
      expect(envelope.meta.attempts).toBe(2);
      expect(logins()).toBe(1);
    }, 60_000);

    it("(b) seen working, now refused → CREDENTIALS_EXPIRED (inferred) → re-auth + retry; state holds no byte of the token", async () => {
      fresh("valid-k8s-b1");
      const first = await kubectl(["--no-reauth"]);
      expect(first.exitCode, String(first.stderr)).toBe(0);
      writeFileSync(revoked, "valid-k8s-b1\n");
      const refused = await kubectl(["--no-reauth"]);
      const envelope = parseEnvelope(refused.stdout);
      expect(refused.exitCode).toBe(10);
      expect(envelope.error?.code).toBe("CREDENTIALS_EXPIRED");
      expect(envelope.meta).toMatchObject({ ambiguous: false, inferred: true });
      expect((envelope.meta.evidence as string[])[0]).toMatch(
        /worked before and is now rejected: expired or revoked/,
      );

      const renewed = await kubectl([
        "--reauth",
        renewTo("valid-k8s-b1", "valid-k8s-b2"),
      ]);
      expect(renewed.exitCode, String(renewed.stderr)).toBe(0);
      expect(parseEnvelope(renewed.stdout).meta.attempts).toBe(2);
      expect(logins()).toBe(1);

      const state = join(dir, "state", "authwrap");
      expect(statSync(state).mode & 0o777).toBe(0o700);
      for (const name of readdirSync(state)) {
        const path = join(state, name);
        expect(statSync(path).mode & 0o777, name).toBe(0o600);
        const bytes = readFileSync(path, "utf8");
        for (const token of ["valid-k8s-b1", "valid-k8s-b2", "k8s-b"])
          expect(bytes, name).not.toContain(token);
      }
    }, 60_000);

    it("(c) a token never seen working, with no stated expiry → exit 8, ambiguous, no re-auth", async () => {
      fresh("bogus-k8s1");
      const result = await kubectl(["--reauth", renewTo("bogus", "valid")]);
      const envelope = parseEnvelope(result.stdout);
      expect(result.exitCode).toBe(8);
      expect(envelope.error?.code).toBe("UNAUTHENTICATED");
      expect(envelope.meta).toMatchObject({
        ambiguous: true,
        attempts: 1,
        reauth: null,
      });
      expect(envelope.meta.evidence).toEqual([
        `the credential in ${kubeconfig} › user dev › token states no expiry and was never seen to work`,
      ]);
      expect(logins()).toBe(0);
    }, 60_000);

    it("proactive: at 85% of its lifetime the re-auth runs before the first attempt; at 50% it does not; --no-proactive turns it off", async () => {
      const old = tokenAt(0.85);
      fresh(old);
      const off = await kubectl([
        "--no-proactive",
        "--reauth",
        renewTo(old, tokenAt(0)),
      ]);
      expect(off.exitCode).toBe(0);
      expect(parseEnvelope(off.stdout).meta.reauth).toBeNull();
      expect(logins()).toBe(0);

      const on = await kubectl(["--reauth", renewTo(old, tokenAt(0))]);
      const envelope = parseEnvelope(on.stdout);
      expect(on.exitCode, String(on.stderr)).toBe(0);
      expect(envelope.meta).toMatchObject({
        attempts: 1,
        reauth: { exit_code: 0, reason: "proactive" },
      });
      expect(logins()).toBe(1);

      const half = tokenAt(0.5);
      fresh(half);
      const calm = await kubectl(["--reauth", renewTo(half, tokenAt(0))]);
      expect(calm.exitCode).toBe(0);
      expect(parseEnvelope(calm.stdout).meta.reauth).toBeNull();
      expect(logins()).toBe(0);
    }, 60_000);

    it("proactive: 32 concurrent callers at 85% → one refresh", async () => {
      const old = tokenAt(0.85);
      fresh(old);
      // One command for all, as callers sharing a configuration have: the lock is per command.
      const command = renewTo(old, tokenAt(0));
      const results = await Promise.all(
        Array.from({ length: 32 }, () => kubectl(["--reauth", command])),
      );
      for (const result of results)
        expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(logins()).toBe(1);
    }, 180_000);

    // The same three paths with real curl against the same API server: the token sits in a
    // header file (`-H @file`), read by the curl file's curl_auth probe; the re-auth rewrites it.
    const headers = join(dir, "curl-headers");
    const curl = (options: string[]) =>
      runAuthwrap(
        [
          "--json",
          ...options,
          "--",
          "curl",
          "-sS",
          "--fail-with-body",
          "--cacert",
          cert,
          "-H",
          `@${headers}`,
          `${endpoint}/api/v1/namespaces/default/pods`,
        ],
        { dir, env, demoHome: dir, refreshCount: () => 0 },
      );
    const freshHeader = (token: string) => {
      fresh("unused");
      writeFileSync(
        headers,
        `Accept: application/json\nAuthorization: Bearer ${token}\n`,
      );
    };
    const renewHeader = (from: string, to: string) =>
      `fake-login ${headers} ${from} ${to}`;

    it("curl (a): the bearer JWT in its -H @file has expired → CREDENTIALS_EXPIRED with its expires_at; the re-auth renews the file, the retry succeeds", async () => {
      const exp = now() - HOUR_S;
      const expired = jwt({ sub: "valid-curl", iat: exp - HOUR_S, exp });
      freshHeader(expired);
      const refused = await curl(["--no-reauth"]);
      const envelope = parseEnvelope(refused.stdout);
      expect(refused.exitCode, String(refused.stderr)).toBe(10);
      expect(envelope.error).toMatchObject({
        code: "CREDENTIALS_EXPIRED",
        expires_at: new Date(exp * 1000).toISOString().replace(".000Z", "Z"),
      });
      expect(envelope.meta.credential).toMatchObject({
        kind: "curl_auth",
        source: headers,
      });
      const renewed = await curl([
        "--no-proactive",
        "--reauth",
        renewHeader(expired, tokenAt(0, "valid-curl")),
      ]);
      expect(renewed.exitCode, String(renewed.stderr)).toBe(0);
      expect(parseEnvelope(renewed.stdout).meta).toMatchObject({
        attempts: 2,
        reauth: { exit_code: 0 },
      });
      expect(logins()).toBe(1);
    }, 60_000);

    it("curl (b): an opaque token seen working, now refused → expiry (inferred) → re-auth + retry", async () => {
      freshHeader("valid-curl-b1");
      expect((await curl(["--no-reauth"])).exitCode).toBe(0);
      writeFileSync(revoked, "valid-curl-b1\n");
      const refused = await curl(["--no-reauth"]);
      expect(refused.exitCode).toBe(10);
      expect(parseEnvelope(refused.stdout).meta).toMatchObject({
        inferred: true,
        ambiguous: false,
      });
      const renewed = await curl([
        "--reauth",
        renewHeader("valid-curl-b1", "valid-curl-b2"),
      ]);
      expect(renewed.exitCode, String(renewed.stderr)).toBe(0);
      expect(logins()).toBe(1);
      for (const name of readdirSync(join(dir, "state", "authwrap")))
        expect(
          readFileSync(join(dir, "state", "authwrap", name), "utf8"),
        ).not.toContain("curl-b");
    }, 60_000);

    it("curl (c): a token never seen working → exit 8, ambiguous, no re-auth", async () => {
      freshHeader("bogus-curl1");
      const result = await curl(["--reauth", renewHeader("bogus", "valid")]);
      const envelope = parseEnvelope(result.stdout);
      expect(result.exitCode).toBe(8);
      expect(envelope.meta).toMatchObject({ ambiguous: true, reauth: null });
      expect(envelope.meta.evidence).toEqual([
        `the credential in ${headers} states no expiry and was never seen to work`,
      ]);
      expect(logins()).toBe(0);
    }, 60_000);

    it("curl: a bearer JWT at 85% of its lifetime is renewed before the first attempt", async () => {
      const old = tokenAt(0.85, "valid-curl");
      freshHeader(old);
      const result = await curl([
        "--reauth",
        renewHeader(old, tokenAt(0, "valid-curl")),
      ]);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(parseEnvelope(result.stdout).meta).toMatchObject({
        attempts: 1,
        reauth: { reason: "proactive" },
      });
    }, 60_000);

    const authwrap = (args: string[]) =>
      runAuthwrap(args, { dir, env, demoHome: dir, refreshCount: () => 0 });

    it("status --min-ttl: 0 when the token lasts, 10 when it will not, 8 when there is none", async () => {
      const token = tokenAt(0.5); // 30 min left
      fresh(token);
      const lasts = await authwrap([
        "status",
        "kubectl",
        "--min-ttl",
        "15m",
        "--json",
      ]);
      expect(lasts.exitCode, String(lasts.stderr)).toBe(0);
      const row = JSON.parse(String(lasts.stdout)).data[0];
      expect(row).toMatchObject({
        tool: "kubectl",
        credential: {
          kind: "kubeconfig",
          source: `${kubeconfig} › user dev › token`,
        },
        needs_person: true,
        lasts: true,
      });
      expect(row.expires_in).toMatch(/^in (29|30) min$/);
      expect(String(lasts.stdout)).not.toContain(token.split(".")[1]);
      const short = await authwrap(["status", "kubectl", "--min-ttl", "1h"]);
      expect(short.exitCode).toBe(10);
      expect(String(short.stdout)).toMatch(/will not last/);
      rmSync(kubeconfig);
      const none = await authwrap(["status", "kubectl", "--min-ttl", "1h"]);
      expect(none.exitCode).toBe(8);
      expect((await authwrap(["status", "kubectl"])).exitCode).toBe(0);
    }, 60_000);

    it("--explain prints the plan and runs nothing", async () => {
      const old = tokenAt(0.85);
      fresh(old);
      const command = renewTo(old, tokenAt(0));
      const result = await authwrap([
        "--explain",
        "--reauth",
        command,
        "--",
        "kubectl",
        "get",
        "pods",
      ]);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const plan = JSON.parse(String(result.stdout));
      expect(plan).toMatchObject({
        tool: "kubectl",
        credential: { kind: "kubeconfig" },
        proactive: { would_run: true, why: "85% of its lifetime has passed" },
        on_expiry: { source: "flag", retry: true },
      });
      expect(logins()).toBe(0);
      const bare = await authwrap([
        "--explain",
        "--",
        "kubectl",
        "get",
        "pods",
      ]);
      expect(JSON.parse(String(bare.stdout)).on_expiry).toEqual({
        skip: "NO_COMMAND",
        message:
          'no re-auth command is known for this tool; pass --reauth "<command>"',
      });
    }, 60_000);
  },
);

// gh's tokens are opaque (no expiry to read), so of the three paths (b) and (c) apply: a token in
// hosts.yml seen working and now answered "Bad credentials" (revoked or expired) is renewed and
// retried; one never seen working stays ambiguous. Real gh against the fake GitHub API.
const ghInstalled = spawnSync("sh", ["-c", "command -v gh"]).status === 0;
describe.skipIf(!ghInstalled && !REQUIRED)(
  "gh: the credential settles a bare Bad credentials",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "authwrap-settle-gh-"));
    const hosts = join(dir, "gh", "hosts.yml");
    const revoked = join(dir, "revoked");
    const logFile = join(dir, "login.log");
    let env: Record<string, string> = {};
    let stop = () => {};

    beforeAll(async () => {
      expect(ghInstalled, "gh must be installed").toBe(true);
      const made = makeCertificate(dir);
      const service = await startService("github", [
        made.cert,
        made.key,
        revoked,
      ]);
      stop = service.stop;
      env = {
        PATH: `${FIXTURE_BIN}:${process.env.PATH}`,
        HOME: dir,
        XDG_STATE_HOME: join(dir, "state"),
        XDG_CONFIG_HOME: join(dir, "config"),
        GH_CONFIG_DIR: join(dir, "gh"),
        SSL_CERT_FILE: made.cert,
        HTTPS_PROXY: `http://127.0.0.1:${service.port}`,
        GH_NO_UPDATE_NOTIFIER: "1",
        GH_PROMPT_DISABLED: "1",
        FAKE_LOGIN_LOG: logFile,
        LANG: "C.UTF-8",
      };
    }, 60_000);
    afterAll(() => {
      stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const fresh = (token: string) => {
      rmSync(join(dir, "state"), { recursive: true, force: true });
      rmSync(logFile, { force: true });
      writeFileSync(revoked, "");
      mkdirSync(join(dir, "gh"), { recursive: true });
      writeFileSync(
        hosts,
        `github.test:\n    oauth_token: ${token}\n    user: dev\n    git_protocol: https\n`,
      );
    };
    const logins = () =>
      existsSync(logFile)
        ? readFileSync(logFile, "utf8").trim().split("\n").length
        : 0;
    const gh = (options: string[], extraEnv: Record<string, string> = {}) =>
      runAuthwrap(
        [
          "--json",
          ...options,
          "--",
          "gh",
          "api",
          "--hostname",
          "github.test",
          "user",
        ],
        {
          dir,
          env: { ...env, ...extraEnv },
          demoHome: dir,
          refreshCount: () => 0,
        },
      );

    it("(b) seen working, now refused → CREDENTIALS_EXPIRED (inferred) → re-auth + retry", async () => {
      const first = "ghu_validB1aaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
      const next = "ghu_validB2aaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
      fresh(first);
      const works = await gh(["--no-reauth"]);
      expect(works.exitCode, String(works.stderr)).toBe(0);
      writeFileSync(revoked, `${first}\n`);
      const refused = await gh(["--no-reauth"]);
      const envelope = parseEnvelope(refused.stdout);
      expect(refused.exitCode, String(refused.stderr)).toBe(10);
      expect(envelope.meta).toMatchObject({ inferred: true, ambiguous: false });
      expect(envelope.meta.credential).toMatchObject({
        kind: "gh_hosts",
        source: `${hosts} (github.test)`,
      });
      const renewed = await gh([
        "--reauth",
        `fake-login ${hosts} ${first} ${next}`,
      ]);
      expect(renewed.exitCode, String(renewed.stderr)).toBe(0);
      expect(parseEnvelope(renewed.stdout).meta).toMatchObject({
        attempts: 2,
      });
      expect(logins()).toBe(1);
      for (const name of readdirSync(join(dir, "state", "authwrap")))
        expect(
          readFileSync(join(dir, "state", "authwrap", name), "utf8"),
        ).not.toMatch(/ghu_valid/);
    }, 60_000);

    it("(c) a token never seen working → exit 8, ambiguous, nothing run", async () => {
      fresh("ghu_bogus000000000000000000000000000000");
      const result = await gh(["--reauth", "fake-login /dev/null a b"]);
      const envelope = parseEnvelope(result.stdout);
      expect(result.exitCode).toBe(8);
      expect(envelope.error?.code).toBe("UNAUTHENTICATED");
      expect(envelope.meta).toMatchObject({ ambiguous: true, reauth: null });
      // Ambiguous because the probed token was never seen working, not because nothing was probed.
      expect(envelope.meta.evidence).toEqual([
        `the credential in ${hosts} (github.test) states no expiry and was never seen to work`,
      ]);
      expect(logins()).toBe(0);
    }, 60_000);

    it("the token gh sends is the one probed: for a host other than github.com, GH_ENTERPRISE_TOKEN before hosts.yml, and GH_TOKEN not at all", async () => {
      fresh("ghu_bogus000000000000000000000000000000");
      const token = "ghu_validE1aaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
      const withToken = {
        GH_TOKEN: "ghu_bogus111111111111111111111111111111",
        GH_ENTERPRISE_TOKEN: token,
      };
      const call = (options: string[]) => gh(options, withToken);
      const works = await call([]);
      expect(works.exitCode, String(works.stderr)).toBe(0);
      writeFileSync(revoked, `${token}\n`);
      const envelope = parseEnvelope((await call(["--no-reauth"])).stdout);
      expect(envelope.meta.credential).toMatchObject({
        kind: "env_token",
        source: "GH_ENTERPRISE_TOKEN",
      });
      expect(envelope.meta.inferred).toBe(true);
    }, 60_000);
  },
);
