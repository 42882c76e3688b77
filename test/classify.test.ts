import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { textOutput } from "../src/run/windows.js";
import { classifyAttempt } from "../src/classify/classify.js";
import { normalizeTimestamp } from "../src/classify/time.js";
import { compileRuleFile } from "../src/rules/compile.js";
import { validateRuleFile } from "../src/rules/validate.js";

const RULES = compileRuleFile(
  validateRuleFile(
    parse(`
version: 1
tool: mycli
commands: [mycli]
refresh_command: mycli login[ --profile {profile}]
hint: mycli setup
env_vars: [MYCLI_TOKEN]
context:
  profile: { arg: --profile, env: MYCLI_PROFILE }
rules:
  - id: jsonl-expired
    code: CREDENTIALS_EXPIRED
    when:
      json: { path: error.reason, equals: token_expired, stream: stderr }
    fields:
      expires_at: { json: error.exp }
  - id: on-success
    code: PERMISSION_DENIED
    when:
      exit_code: [0]
      stdout: 'partial: (?<required_permission>\\S+) denied'
  - id: needs-exit-zero
    code: PERMISSION_DENIED
    when:
      stdout: 'denied'
  - id: bare
    code: UNAUTHENTICATED
    ambiguous: true
    when: { exit_code: 41 }
`),
    "mycli.yaml",
  ),
  "mycli.yaml",
);

const run = (
  exitCode: number,
  stdout: string,
  stderr = "",
  args: string[] = [],
  env: Record<string, string> = {},
) =>
  classifyAttempt(
    { exitCode, stdout: textOutput(stdout), stderr: textOutput(stderr) },
    [RULES],
    { command: "mycli", tool: "mycli", args, env },
  );

describe("classifyAttempt", () => {
  it("reads JSON lines on stderr and fills fields from them", () => {
    const stderr =
      'starting\n{"level":"info"}\n{"error":{"reason":"token_expired","exp":1763806500}}\n';
    expect(run(1, "", stderr)).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      expiresAt: "2025-11-22T10:15:00Z",
      rule: "mycli.yaml#jsonl-expired",
      retryable: true,
    });
  });

  it("fills the default refresh command from --profile, else the env var, else drops the optional part", () => {
    const stderr = '{"error":{"reason":"token_expired"}}';
    expect(
      run(1, "", stderr, ["get", "--profile", "dev"])?.refreshCommand,
    ).toBe("mycli login --profile dev");
    expect(run(1, "", stderr, ["--profile=ci"])?.refreshCommand).toBe(
      "mycli login --profile ci",
    );
    expect(
      run(1, "", stderr, [], { MYCLI_PROFILE: "env" })?.refreshCommand,
    ).toBe("mycli login --profile env");
    expect(run(1, "", stderr)?.refreshCommand).toBe("mycli login");
  });

  it("reports the env var the tool reads, preferring one that is set", () => {
    expect(run(1, "", '{"error":{"reason":"token_expired"}}')?.envVar).toBe(
      "MYCLI_TOKEN",
    );
  });

  it("never turns exit 0 into a failure unless the rule lists exit code 0", () => {
    expect(run(0, "access denied")).toBeNull();
    expect(run(0, "partial: repo:write denied")).toMatchObject({
      code: "PERMISSION_DENIED",
      requiredPermission: "repo:write",
    });
  });

  it("an ambiguous verdict is not retryable", () => {
    expect(run(41, "")).toMatchObject({
      code: "UNAUTHENTICATED",
      ambiguous: true,
      retryable: false,
      hint: "mycli setup",
    });
  });

  it("no rule matched: COMMAND_FAILED for a failure, null for success", () => {
    expect(run(3, "something else")).toEqual({
      code: "COMMAND_FAILED",
      ambiguous: false,
      retryable: false,
      warnings: [],
    });
    expect(run(0, "fine")).toBeNull();
  });

  it("does not throw on binary or invalid UTF-8 output", () => {
    const garbage = Buffer.from([0xff, 0x00, 0xfe, 0x7b, 0x22]).toString(
      "utf8",
    );
    expect(run(3, garbage, garbage)?.code).toBe("COMMAND_FAILED");
  });
});

describe("normalizeTimestamp", () => {
  it.each([
    ["2026-11-22T10:15:00Z", "2026-11-22T10:15:00Z"],
    ["2026-11-22T10:15:00.123Z", "2026-11-22T10:15:00.123Z"],
    ["2026-11-22 10:15:00 UTC", "2026-11-22T10:15:00Z"],
    ["Sun, 22 Nov 2026 10:15:00 GMT", "2026-11-22T10:15:00Z"],
    ["1763806500", "2025-11-22T10:15:00Z"],
    ["soon", undefined],
  ])("%s → %s", (input, output) =>
    expect(normalizeTimestamp(input)).toBe(output),
  );
});
