// authwrap around the real clients (aws, curl, git, npm, kubectl, gh, gcloud, az), each pointed
// at a small fake service on 127.0.0.1 that answers with the real service's codes and bodies.
// A missing client is skipped with a message on a user's machine; with
// AUTHWRAP_REQUIRE_CLIENTS=1 (set by .ci/run) it is a failure, so CI never passes by skipping.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENTS } from "../fixtures/clients/clients.mjs";
import {
  makeCertificate,
  startService,
} from "../fixtures/clients/services.mjs";
import { execa } from "execa";
import {
  BIN,
  FIXTURE_BIN,
  ROOT,
  parseEnvelope,
  runAuthwrap,
  type Sandbox,
} from "./helpers/run.js";

const REQUIRED = process.env.AUTHWRAP_REQUIRE_CLIENTS === "1";
const isInstalled = (binary: string) =>
  spawnSync("sh", ["-c", `command -v ${binary}`]).status === 0;

for (const [tool, client] of Object.entries(CLIENTS)) {
  const installed = isInstalled(client.binary);
  if (!installed && !REQUIRED)
    console.warn(
      `skipping ${tool}: ${client.binary} is not installed (set AUTHWRAP_REQUIRE_CLIENTS=1 to make this a failure)`,
    );

  describe.skipIf(!installed && !REQUIRED)(`${tool} (the real client)`, () => {
    const dir = mkdtempSync(join(tmpdir(), `authwrap-${tool}-`));
    let env: Record<string, string> = {};
    let stop = () => {};
    const logFile = join(dir, "login.log");

    beforeAll(async () => {
      expect(installed, `${client.binary} must be installed`).toBe(true);
      const cert = client.https ? makeCertificate(dir) : undefined;
      const service = client.service
        ? await startService(client.service, [
            ...(client.serviceArgs?.(dir) ?? []),
            ...(cert ? [cert.cert, cert.key] : []),
          ])
        : { port: 0, extraPort: 0, stop: () => {} };
      stop = service.stop;
      env = {
        PATH: `${FIXTURE_BIN}:${process.env.PATH}`,
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, "xdg-config"),
        XDG_STATE_HOME: join(dir, "xdg-state"),
        LANG: "C.UTF-8",
        FAKE_LOGIN_LOG: logFile,
        ...client.setup(dir, service.port, cert, service.extraPort),
      };
    }, 60_000);
    afterAll(() => {
      stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const sandbox = (): Sandbox => ({
      dir,
      env,
      demoHome: dir,
      refreshCount: () => 0,
    });
    const logins = () =>
      existsSync(logFile)
        ? readFileSync(logFile, "utf8").trim().split("\n").length
        : 0;
    const reset = (state: string) => {
      rmSync(logFile, { force: true });
      rmSync(join(dir, "xdg-state"), { recursive: true, force: true });
      client.credential(dir, state, env);
    };
    const wrap = (state: string, kind: string, options: string[]) => {
      reset(state);
      return runAuthwrap(
        ["--json", ...options, "--", ...client.argv(kind, env, dir)],
        sandbox(),
      );
    };

    for (const { name, state, kind, expect: wanted } of client.scenarios) {
      it(`${name}: exit ${wanted.exit}${wanted.code ? `, ${wanted.code}` : ""}`, async () => {
        const result = await wrap(state, kind, ["--no-reauth"]);
        const envelope = parseEnvelope(result.stdout);
        expect(result.exitCode, String(result.stderr)).toBe(wanted.exit);
        expect(envelope.error?.code ?? "OK").toBe(wanted.code ?? "OK");
        if (wanted.ambiguous !== undefined)
          expect(envelope.meta.ambiguous).toBe(wanted.ambiguous);
        if (wanted.required_permission)
          expect(envelope.error!.required_permission).toBe(
            wanted.required_permission,
          );
        if (wanted.hint) expect(envelope.error!.hint).toContain(wanted.hint);
        if (wanted.exit === 0) expect(envelope.data).not.toBeNull();
      }, 60_000);
    }

    const expiry = client.scenarios.find((s) => s.state === "expired");
    const renew = client.renew;
    if (expiry && renew) {
      // Where the client's output settles it (exit 10) the re-auth runs on its own; where the
      // service answers an expiry with a bare 401, the caller opts in with --reauth-ambiguous.
      const optIn = expiry.expect.ambiguous ? ["--reauth-ambiguous"] : [];

      it(`expired → re-auth rewrites the credential → retry succeeds${optIn.length ? " (--reauth-ambiguous)" : ""}`, async () => {
        const result = await wrap("expired", expiry.kind, [
          "--reauth",
          renew(dir, env),
          ...optIn,
        ]);
        const envelope = parseEnvelope(result.stdout);
        expect(result.exitCode, String(result.stderr)).toBe(0);
        expect(envelope.meta).toMatchObject({
          attempts: 2,
          reauth: { exit_code: 0, timed_out: false },
        });
        expect(logins()).toBe(1);
      }, 60_000);

      it("an expiry the re-auth cannot fix: one re-auth, one retry, then the honest verdict", async () => {
        const result = await wrap("expired", expiry.kind, [
          "--reauth",
          "fake-login /dev/null x y",
          ...optIn,
        ]);
        const envelope = parseEnvelope(result.stdout);
        expect(result.exitCode).toBe(expiry.expect.ambiguous ? 8 : 10);
        expect(envelope.meta).toMatchObject({
          attempts: 2,
          reauth: { exit_code: 0 },
        });
        expect(logins()).toBe(1);
        if (expiry.expect.ambiguous)
          expect(envelope.warnings).toContain(
            "the re-auth succeeded but the command was still refused: the credential is not merely expired",
          );
      }, 60_000);
    }

    if (expiry && renew && !expiry.expect.ambiguous) {
      // `--reauth CMD` names the command that renews the credential: the envelope must hand CMD
      // back (refresh_command and reauth_command, byte for byte) whether authwrap ran it or not.
      it("--reauth CMD is the refresh_command and reauth_command: with --no-reauth, after CMD failed, and in the cool-down after", async () => {
        const command = renew(dir, env);
        const told = parseEnvelope(
          (
            await wrap("expired", expiry.kind, [
              "--no-reauth",
              "--reauth",
              command,
            ])
          ).stdout,
        ).error!;
        expect(told).toMatchObject({
          code: "CREDENTIALS_EXPIRED",
          refresh_command: command,
          reauth_command: command,
        });
        expect(logins()).toBe(0);

        const failing = "exit-with 3";
        const failed = parseEnvelope(
          (await wrap("expired", expiry.kind, ["--reauth", failing])).stdout,
        );
        expect(failed.meta.reauth).toMatchObject({
          command: failing,
          exit_code: 3,
        });
        expect(failed.error).toMatchObject({
          code: "CREDENTIALS_EXPIRED",
          refresh_command: failing,
          reauth_command: failing,
        });
        // Within the cool-down the failed CMD is not run again, and is still the one named.
        const cooling = parseEnvelope(
          (
            await runAuthwrap(
              [
                "--json",
                "--reauth",
                failing,
                "--",
                ...client.argv(expiry.kind, env, dir),
              ],
              sandbox(),
            )
          ).stdout,
        );
        expect(cooling.meta.reauth?.skipped).toBeTruthy();
        expect(cooling.error).toMatchObject({
          code: "CREDENTIALS_EXPIRED",
          refresh_command: failing,
          reauth_command: failing,
        });
      }, 60_000);

      it("§53 agent workaround (fixtures/agent/workaround.py, as-is) against authwrap --json --no-reauth --reauth CMD: runs CMD, retries, gets ok", async () => {
        reset("expired");
        const command = renew(dir, env);
        const argv = [
          process.execPath,
          BIN,
          "--json",
          "--no-reauth",
          "--reauth",
          command,
          "--",
          ...client.argv(expiry.kind, env, dir),
        ];
        const result = await execa(
          "python3",
          [join(ROOT, "fixtures/agent/run_workaround.py"), ...argv],
          { env, extendEnv: false },
        );
        const outcome = JSON.parse(result.stdout) as {
          returned?: { ok: boolean };
          raised?: string;
          message?: string;
        };
        expect(outcome.raised, outcome.message).toBeUndefined();
        expect(outcome.returned?.ok).toBe(true);
        // CMD ran once, as given (fake-login logs its own command line).
        expect(readFileSync(logFile, "utf8")).toBe(`${command}\n`);
      }, 60_000);
    }
  });
}
