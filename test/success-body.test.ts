// An HTTP client that is not told to fail exits 0 with the service's refusal as its whole
// output. authwrap reads such a document (src/classify/document.ts) for an auth verdict only;
// any other exit-0 output stays a success. Real curl without --fail against the fake bearer API
// (fixtures/services/api.mjs) and the fake Kubernetes API server (fixtures/services/kube.mjs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeCertificate,
  startService,
} from "../fixtures/clients/services.mjs";
import { isErrorDocument } from "../src/classify/document.js";
import { FIXTURE_BIN, parseEnvelope, runAuthwrap } from "./helpers/run.js";

const REQUIRED = process.env.AUTHWRAP_REQUIRE_CLIENTS === "1";
const installed = spawnSync("sh", ["-c", "command -v curl"]).status === 0;
const whole = (text: string) => ({ text, truncated: false });

describe("what counts as a service's error document", () => {
  it("a Kubernetes Status of Failure, an error body, GitHub's message + documentation_url, a 4xx code, an S3/GCS/AWS XML error", () => {
    for (const text of [
      '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n',
      '{"error":"invalid_token","error_description":"The access token expired"}',
      '{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}',
      '{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}',
      '{"statusCode":403,"message":"Forbidden"}',
      // GitHub GraphQL: HTTP 200, data beside a FORBIDDEN error.
      '{"data":{"repository":null},"errors":[{"type":"FORBIDDEN","message":"Resource not accessible by integration"}]}',
      "<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code><Message>Access denied.</Message></Error>",
      '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code></Error></ErrorResponse>',
      // A browser's rendering of a Status: not strict JSON.
      '{\nkind: "Status",\napiVersion: "v1beta3",\nstatus: "Failure",\nmessage: "forbidden",\ncode: 403\n}',
    ])
      expect(isErrorDocument(whole(text)), text).toBe(true);
  });

  it("not: data, a Status of Success, log lines that mention a 401, an array, a cut or large output", () => {
    for (const text of [
      '{"user":"dev"}',
      '{"kind":"Status","status":"Success","code":200}',
      '{"error":null,"data":[1,2]}',
      '{"data":{"viewer":{"login":"dev"}},"errors":[]}',
      '{"result":"ok","error":{}}',
      "GET /v1/me 401 Unauthorized\nGET /v1/me 200 OK\n",
      '[{"error":"x"}]',
      "",
    ])
      expect(isErrorDocument(whole(text)), text).toBe(false);
    expect(
      isErrorDocument({ text: '{"error":"invalid_token"}', truncated: true }),
    ).toBe(false);
    expect(
      isErrorDocument(whole(`{"error":"x","pad":"${"a".repeat(70_000)}"}`)),
    ).toBe(false);
  });
});

describe.skipIf(!installed && !REQUIRED)(
  "curl without --fail: exit 0 with the service's refusal",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "authwrap-body-"));
    const headers = join(dir, "headers");
    let api = "";
    let kube = "";
    let cert = "";
    const stops: Array<() => void> = [];
    let env: Record<string, string> = {};

    beforeAll(async () => {
      expect(installed, "curl must be installed").toBe(true);
      const plain = await startService("api");
      stops.push(plain.stop);
      api = `http://127.0.0.1:${plain.port}`;
      const made = makeCertificate(dir);
      cert = made.cert;
      const server = await startService("kube", [made.cert, made.key]);
      stops.push(server.stop);
      kube = `https://127.0.0.1:${server.port}`;
      env = {
        PATH: `${FIXTURE_BIN}:${process.env.PATH}`,
        HOME: dir,
        XDG_STATE_HOME: join(dir, "state"),
        XDG_CONFIG_HOME: join(dir, "config"),
        LANG: "C.UTF-8",
      };
    }, 60_000);
    afterAll(() => {
      for (const stop of stops) stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const curl = (token: string, url: string, options: string[] = []) => {
      writeFileSync(headers, `Authorization: Bearer ${token}\n`);
      return runAuthwrap(
        [
          "--json",
          ...options,
          "--",
          "curl",
          "-sS",
          "--cacert",
          cert,
          "-H",
          `@${headers}`,
          url,
        ],
        { dir, env, demoHome: dir, refreshCount: () => 0 },
      );
    };

    it("the token-expired body → CREDENTIALS_EXPIRED; the re-auth renews the header file and the retry succeeds", async () => {
      const refused = await curl("expired-b1", `${api}/v1/me`, ["--no-reauth"]);
      const envelope = parseEnvelope(refused.stdout);
      expect(refused.exitCode, String(refused.stderr)).toBe(10);
      expect(envelope.meta.exit_code).toBe(0);
      expect(envelope.error).toMatchObject({ code: "CREDENTIALS_EXPIRED" });
      const renewed = await curl("expired-b1", `${api}/v1/me`, [
        "--reauth",
        `fake-login ${headers} expired- valid-`,
      ]);
      expect(renewed.exitCode, String(renewed.stderr)).toBe(0);
      expect(parseEnvelope(renewed.stdout)).toMatchObject({
        data: { user: "dev" },
        meta: { attempts: 2 },
      });
    }, 60_000);

    it("the API server's bare 401 Status → UNAUTHENTICATED, ambiguous, exit 8", async () => {
      const result = await curl(
        "bogus-b1",
        `${kube}/api/v1/namespaces/default/pods`,
      );
      expect(result.exitCode, String(result.stderr)).toBe(8);
      expect(parseEnvelope(result.stdout)).toMatchObject({
        error: { code: "UNAUTHENTICATED" },
        meta: { ambiguous: true, exit_code: 0 },
      });
    }, 60_000);

    it("a success, a rate-limit body and a 404 body stay exit 0: only an auth verdict overturns a success", async () => {
      for (const [token, path] of [
        ["valid-b1", "/v1/me"],
        ["ratelimited-b1", "/v1/me"],
        ["valid-b1", "/v1/nothing"],
      ] as const) {
        const result = await curl(token, `${api}${path}`);
        expect(result.exitCode, `${token} ${path}: ${result.stderr}`).toBe(0);
        expect(parseEnvelope(result.stdout).ok).toBe(true);
      }
    }, 60_000);

    it("a command whose output mentions a 401 among other lines stays a success", async () => {
      const result = await runAuthwrap(
        [
          "--json",
          "--",
          "sh",
          "-c",
          'printf "GET /v1/me 401 Unauthorized\\nGET /v1/me 200 OK\\n"',
        ],
        { dir, env, demoHome: dir, refreshCount: () => 0 },
      );
      expect(result.exitCode).toBe(0);
    }, 60_000);
  },
);
