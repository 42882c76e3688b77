// The yardsticks in ../shared/seeds: the §53 rubric, REQ-F-063's acceptance criteria, and the
// §53 agent workaround run unchanged against `authwrap --json`.
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  BIN,
  ROOT,
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
} from "./helpers/run.js";

async function demoSandbox(
  state: "expired" | "missing" | "read-only",
  env: Record<string, string> = {},
) {
  const sandbox = createSandbox(env);
  if (state !== "missing")
    await runDemo(
      ["auth", "login", ...(state === "read-only" ? ["--scope", "read"] : [])],
      sandbox,
    );
  if (state === "expired") await runDemo(["auth", "expire"], sandbox);
  return sandbox;
}

describe("§53 rubric: score 3", () => {
  it("expiry: CREDENTIALS_EXPIRED (not FORBIDDEN), expired_at, reauth_command, retryable, reauth_env_var, exit 10 vs 8", async () => {
    const expired = await runAuthwrap(
      ["--json", "--no-reauth", "--", "democli", "deploy"],
      await demoSandbox("expired"),
    );
    const denied = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      await demoSandbox("read-only"),
    );
    const error = parseEnvelope(expired.stdout).error!;
    // Score 2: a distinct code, expired_at and reauth_command.
    expect(error.code).toBe("CREDENTIALS_EXPIRED");
    expect(parseEnvelope(denied.stdout).error!.code).toBe("PERMISSION_DENIED");
    expect(error.expired_at).toMatch(/Z$/);
    expect(error.reauth_command).toBe("democli auth refresh");
    // Score 3: exit 10 distinct from exit 8, retryable, reauth_env_var.
    expect(expired.exitCode).toBe(10);
    expect(denied.exitCode).toBe(8);
    expect(error.retryable).toBe(true);
    expect(error.expired).toBe(true);
    expect(error.reauth_env_var).toBe("DEMOCLI_TOKEN");
  });
});

describe("REQ-F-063 acceptance criteria", () => {
  it.each([
    [
      "an expired token",
      "expired",
      10,
      { code: "CREDENTIALS_EXPIRED", refresh_command: "democli auth refresh" },
    ],
    [
      "a missing token",
      "missing",
      8,
      { code: "UNAUTHENTICATED", hint: "democli auth login" },
    ],
    [
      "a token with insufficient scope",
      "read-only",
      8,
      { code: "PERMISSION_DENIED", required_permission: "deploy:write" },
    ],
  ] as const)(
    "%s (%s) → exit %i and the required fields",
    async (_name, state, exit, fields) => {
      const result = await runAuthwrap(
        ["--json", "--no-reauth", "--", "democli", "deploy"],
        await demoSandbox(state),
      );
      expect(result.exitCode).toBe(exit);
      expect(parseEnvelope(result.stdout).error).toMatchObject(fields);
    },
  );
});

describe("§53 agent workaround, run as-is against authwrap --json", () => {
  const python = async (args: string[], env: Record<string, string>) => {
    const result = await execa(
      "python3",
      [join(ROOT, "fixtures/agent/run_workaround.py"), ...args],
      { env, extendEnv: false },
    );
    return JSON.parse(result.stdout) as {
      returned?: Record<string, unknown>;
      raised?: string;
      message?: string;
    };
  };

  it("recognises the expiry, runs reauth_command, retries and gets ok", async () => {
    const sandbox = await demoSandbox("expired");
    const outcome = await python(
      [
        process.execPath,
        BIN,
        "--json",
        "--no-reauth",
        "--",
        "democli",
        "deploy",
      ],
      sandbox.env,
    );
    expect(outcome.returned).toMatchObject({
      ok: true,
      data: { job_id: "dep_123" },
    });
    expect(sandbox.refreshCount()).toBe(1);
  });

  it("treats a denial as permanent", async () => {
    const outcome = await python(
      [process.execPath, BIN, "--json", "--", "democli", "deploy"],
      (await demoSandbox("read-only")).env,
    );
    expect(outcome.raised).toBe("PermissionError");
    expect(outcome.message).toContain("PERMISSION_DENIED");
  });
});
