import { describe, expect, it } from "vitest";
import { textOutput } from "../src/run/windows.js";
import { buildEnvelope, exitCodeFor } from "../src/output/envelope.js";
import { envelopeSchema } from "../src/output/envelope-schema.js";
import { createRedactor } from "../src/output/redact.js";
import type { Attempt, Outcome, Verdict } from "../src/types.js";
import type { ErrorCode } from "../src/codes.js";

// [error code, child exit, signal number, authwrap exit]: the contract's exit-code table, row by row.
const EXIT_TABLE: Array<
  [ErrorCode | null, number | null, number | null, number]
> = [
  [null, 0, null, 0],
  ["CREDENTIALS_EXPIRED", 255, null, 10],
  ["UNAUTHENTICATED", 1, null, 8],
  ["PERMISSION_DENIED", 3, null, 8],
  ["COMMAND_FAILED", 3, null, 3],
  ["RATE_LIMITED", 22, null, 22],
  ["COMMAND_FAILED", 8, null, 1],
  ["COMMAND_FAILED", 10, null, 1],
  ["RATE_LIMITED", 0, null, 1],
  ["COMMAND_NOT_FOUND", null, null, 127],
  ["COMMAND_NOT_EXECUTABLE", null, null, 126],
  ["COMMAND_SIGNALED", null, 15, 143],
  ["COMMAND_SIGNALED", null, 2, 130],
  ["USAGE_ERROR", null, null, 2],
  ["INVALID_RULES", null, null, 2],
  ["INTERNAL_ERROR", null, null, 70],
];

describe("exitCodeFor", () => {
  it.each(EXIT_TABLE)(
    "%s with child exit %s, signal %s → %i",
    (code, childExit, signal, expected) => {
      expect(exitCodeFor(code, childExit, signal)).toBe(expected);
    },
  );
});

const attempt = (overrides: Partial<Attempt> = {}): Attempt => ({
  exitCode: 1,
  signal: null,
  spawnError: null,
  stdout: textOutput(""),
  stderr: textOutput("boom"),
  data: null,
  dataTruncated: false,
  dataFile: null,
  dataFileError: null,
  durationMs: 12.4,
  startedAt: 0,
  outputClosed: false,
  ...overrides,
});
const outcome = (
  verdict: Verdict | null,
  overrides: Partial<Outcome> = {},
): Outcome => ({
  tool: "democli",
  attempts: [attempt()],
  verdict,
  reauth: null,
  warnings: [],
  durationMs: 20.6,
  ...overrides,
});
const redact = createRedactor({});

describe("buildEnvelope", () => {
  it("expiry carries both naming generations with equal values", () => {
    const verdict: Verdict = {
      code: "CREDENTIALS_EXPIRED",
      ambiguous: false,
      retryable: true,
      warnings: [],
      envVar: "GH_TOKEN",
      expiresAt: "2026-11-22T10:15:00Z",
      refreshCommand: "gh auth refresh",
      rule: "classifiers/gh.yaml#x",
      message: "expired",
    };
    const { envelope, exitCode } = buildEnvelope(
      outcome(verdict),
      null,
      redact,
    );
    expect(exitCode).toBe(10);
    expect(envelope.error).toEqual({
      code: "CREDENTIALS_EXPIRED",
      message: "expired",
      retryable: true,
      expires_at: "2026-11-22T10:15:00Z",
      refresh_command: "gh auth refresh",
      hint: null,
      required_permission: null,
      expired: true,
      expired_at: "2026-11-22T10:15:00Z",
      reauth_command: "gh auth refresh",
      reauth_env_var: "GH_TOKEN",
      rule: "classifiers/gh.yaml#x",
      detail: "boom",
      fix_command: "gh auth refresh",
      fix_required: true,
    });
    expect(envelope.meta).toEqual({
      schema_version: "1",
      duration_ms: 21,
      tool: "democli",
      exit_code: 1,
      signal: null,
      attempts: 1,
      reauth: null,
      ambiguous: false,
      stdout_file: null,
      exit_codes: "default",
    });
  });

  it("success has data, a null error, and validates against the schema", () => {
    const { envelope, exitCode } = buildEnvelope(
      outcome(null, { attempts: [attempt({ exitCode: 0 })] }),
      { a: 1 },
      redact,
    );
    expect(exitCode).toBe(0);
    expect(envelope).toMatchObject({
      ok: true,
      data: { a: 1 },
      error: null,
      warnings: [],
    });
    expect(envelopeSchema.safeParse(envelope).success).toBe(true);
  });

  it("failure never carries data, and secrets in detail are masked", () => {
    const failed = attempt({
      stderr: textOutput(
        "auth failed for token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      ),
    });
    const verdict: Verdict = {
      code: "COMMAND_FAILED",
      ambiguous: false,
      retryable: false,
      warnings: [],
    };
    const { envelope } = buildEnvelope(
      outcome(verdict, { attempts: [failed] }),
      "some data",
      redact,
    );
    expect(envelope.data).toBeNull();
    expect(envelope.error!.detail).toBe("auth failed for token [REDACTED]");
    expect(envelopeSchema.safeParse(envelope).success).toBe(true);
  });

  it("detail is masked before it is cut: a token straddling the cut does not leave its tail", () => {
    const token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";
    // The 2000-character cut falls 20 characters into the token.
    const stderr = `${"x".repeat(100)} ${token} ${"y".repeat(2000 - 21)}`;
    const failed = attempt({ stderr: textOutput(stderr) });
    const verdict: Verdict = {
      code: "COMMAND_FAILED",
      ambiguous: false,
      retryable: false,
      warnings: [],
    };
    const detail = buildEnvelope(
      outcome(verdict, { attempts: [failed] }),
      null,
      redact,
    ).envelope.error!.detail!;
    expect(detail.startsWith("…")).toBe(true);
    expect(detail).not.toContain(token.slice(20));
    expect(detail.length).toBeLessThanOrEqual(2001);
  });
});
