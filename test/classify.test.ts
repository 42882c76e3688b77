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
      message: "mycli: credentials have expired at 2025-11-22T10:15:00Z",
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
      retryable: false,
    });
  });

  it("only an expiry (or an ambiguous refusal) carries the command that renews the credential", () => {
    expect(
      run(0, "partial: repo:write denied")?.refreshCommand,
    ).toBeUndefined();
    expect(run(41, "")?.refreshCommand).toBe("mycli login");
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

describe("replay safety", () => {
  const TF = compileRuleFile(
    validateRuleFile(
      parse(`
version: 1
tool: tf
commands: [tf]
refresh_command: tf login
mid_work: 'Still creating'
rules:
  - id: expired
    code: CREDENTIALS_EXPIRED
    when: { output: token has expired }
  - id: loose-expired
    code: CREDENTIALS_EXPIRED
    evidence: loose
    when: { output: session is over }
`),
      "tf.yaml",
    ),
    "tf.yaml",
  );
  const tf = (stdout: string, stderr: string) =>
    classifyAttempt(
      { exitCode: 1, stdout: textOutput(stdout), stderr: textOutput(stderr) },
      [TF],
      { command: "tf", tool: "tf", args: [], env: {} },
    );

  it("an expiry found after the command started its work (mid_work, on either stream) is not replayed", () => {
    expect(tf("", "Error: token has expired")).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      replayEvidence: true,
      refreshCommand: "tf login",
    });
    expect(tf("", "Error: token has expired")?.replayUnsafe).toBeUndefined();
    expect(
      tf(
        "aws_instance.web: Still creating... [10s elapsed]",
        "Error: token has expired",
      )?.replayUnsafe,
    ).toBe(true);
    expect(
      tf("", "aws_instance.web: Still creating...\nError: token has expired")
        ?.replayUnsafe,
    ).toBe(true);
  });

  it("loose words may name an expiry but never replay the command", () => {
    expect(tf("", "your session is over")).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      evidenceKind: "loose",
      replayEvidence: false,
    });
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
