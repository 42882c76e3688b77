// No secret byte in anything authwrap itself writes, end to end through bin/authwrap: the envelope
// (message, detail, warnings, meta.reauth.command), --verbose lines, the relayed re-auth output and,
// with --redact-data, `data`. The wrapped command's own stderr is the caller's and is relayed
// verbatim; it is taken out of stderr before the check.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  type Sandbox,
} from "./helpers/run.js";
import {
  contextOf,
  fake,
  SECRET_SHAPES,
  survivingPiece,
  type SecretShape,
} from "./secrets-corpus.js";

const CONTEXT = contextOf(SECRET_SHAPES);
const RULES = `version: 1
tool: fakecli
commands: [fakecli]
refresh_command: fakecli auth refresh
rules:
  - id: expired
    code: CREDENTIALS_EXPIRED
    when: { exit_code: 4, stderr: 'token expired' }
  - id: denied
    code: UNAUTHENTICATED
    when: { exit_code: 1, stderr: 'denied: (?<why>.*)' }
    message: 'fakecli: denied: {why}'
`;
/** A command that prints a file on its stderr and exits with the given code. */
const printsOnStderr = (file: string, code: number) => [
  "sh",
  "-c",
  `cat "$1" >&2; exit ${code}`,
  "sh",
  file,
];

function leaks(text: string, shapes: readonly SecretShape[]): string[] {
  return shapes.flatMap((shape) => {
    const piece = survivingPiece(text, shape.secret, CONTEXT);
    return piece ? [`${shape.name}: "${piece}"`] : [];
  });
}

/** Every string inside a parsed JSON value, unescaped, one per line. */
function stringsOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object")
    return Object.values(value).map(stringsOf).join("\n");
  return "";
}

/** Groups of shapes whose lines together fit in error.detail (2000 characters), so each is checked there. */
function groups(): SecretShape[][] {
  const out: SecretShape[][] = [[]];
  let size = 0;
  for (const shape of SECRET_SHAPES) {
    if (size + shape.line.length > 1400 && out.at(-1)!.length > 0) {
      out.push([]);
      size = 0;
    }
    out.at(-1)!.push(shape);
    size += shape.line.length + 1;
  }
  return out;
}

function setUp(): { sandbox: Sandbox; rules: string } {
  const sandbox = createSandbox();
  const rules = join(sandbox.dir, "fakecli.yaml");
  writeFileSync(rules, RULES);
  return { sandbox, rules };
}

describe("secrets never reach what authwrap writes", () => {
  const all = groups();
  // The last line matches the rule's `denied: (.*)`, is its message, and is --verbose's evidence:
  // a token starts 12 characters before the 200-character evidence cut.
  const straddler = `ghp_${fake("e2e-straddle", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 36)}`;
  const lastLine = `denied: ${"x".repeat(179)} ${straddler}`;
  const straddlerShape: SecretShape = {
    name: "token straddling the evidence cut",
    line: lastLine,
    secret: straddler,
  };

  it.each(all.map((group, i) => [i + 1, all.length, group] as const))(
    "group %i of %i: in the --json envelope and --verbose lines, and in passthrough",
    async (_i, _n, group) => {
      const { sandbox, rules } = setUp();
      const file = join(sandbox.dir, "stderr.txt");
      const childStderr = `${group.map((shape) => shape.line).join("\n")}\n${lastLine}\n`;
      writeFileSync(file, childStderr);
      const checked = [...group, straddlerShape];
      for (const mode of [["--json"], []]) {
        const result = await runAuthwrap(
          [
            ...mode,
            "-v",
            "--classifiers",
            rules,
            "--tool",
            "fakecli",
            "--",
            ...printsOnStderr(file, 1),
          ],
          sandbox,
        );
        // Some lines of the corpus read as an expiry to the built-in rules; either verdict is an auth failure.
        expect([8, 10]).toContain(result.exitCode);
        const stdout = String(result.stdout);
        const ownStderr = String(result.stderr).split(childStderr).join("");
        expect(String(result.stderr)).toContain(childStderr); // relayed verbatim: the caller's own output
        expect(ownStderr).toContain("authwrap: attempt 1: exit 1 → ");
        const envelope = parseEnvelope(
          mode.length
            ? stdout
            : ownStderr.split("\n").find((line) => line.startsWith("{"))!,
        );
        // The whole group reached error.detail, so each shape was checked there.
        expect(String(envelope.error!.detail).startsWith("…")).toBe(false);
        expect(envelope.error!.detail).toContain("[REDACTED]");
        expect(leaks(stdout, checked)).toEqual([]);
        expect(leaks(ownStderr, checked)).toEqual([]);
        expect(leaks(stringsOf(envelope), checked)).toEqual([]);
      }
    },
    30_000,
  );

  it("a token straddling the 200-character cut of --verbose evidence, and in a rule message", async () => {
    const { sandbox, rules } = setUp();
    const file = join(sandbox.dir, "stderr.txt");
    writeFileSync(file, `${lastLine}\n`);
    for (const mode of [["--json"], []]) {
      const result = await runAuthwrap(
        [
          ...mode,
          "-v",
          "--classifiers",
          rules,
          "--tool",
          "fakecli",
          "--",
          ...printsOnStderr(file, 1),
        ],
        sandbox,
      );
      expect(result.exitCode).toBe(8);
      const ownStderr = String(result.stderr).split(`${lastLine}\n`).join("");
      expect(ownStderr).toMatch(
        /authwrap: attempt 1: exit 1 → UNAUTHENTICATED by .*#denied on "denied: x+ \[REDACTED\]"/,
      );
      const envelope = parseEnvelope(
        mode.length
          ? String(result.stdout)
          : ownStderr.split("\n").find((line) => line.startsWith("{"))!,
      );
      expect(envelope.error!.message).toBe(
        `fakecli: denied: ${"x".repeat(179)} [REDACTED]`,
      );
      expect(leaks(String(result.stdout), [straddlerShape])).toEqual([]);
      expect(leaks(ownStderr, [straddlerShape])).toEqual([]);
    }
  });

  it("a long stderr: detail is masked before it is cut", async () => {
    const { sandbox, rules } = setUp();
    const file = join(sandbox.dir, "stderr.txt");
    // A PEM key whose BEGIN line ends up before the 2000-character cut and its body after it.
    const pem = SECRET_SHAPES.find(
      (shape) => shape.name === "PEM RSA private key",
    )!;
    writeFileSync(
      file,
      `${"noise line\n".repeat(300)}${pem.line}\n${"y".repeat(1900)}\n${lastLine}\n`,
    );
    const result = await runAuthwrap(
      [
        "--json",
        "--classifiers",
        rules,
        "--tool",
        "fakecli",
        "--",
        ...printsOnStderr(file, 1),
      ],
      sandbox,
    );
    const detail = String(parseEnvelope(result.stdout).error!.detail);
    expect(detail.startsWith("…")).toBe(true);
    expect(leaks(detail, [pem, straddlerShape])).toEqual([]);
  });

  it("the values of secret-looking environment variables", async () => {
    const { sandbox, rules } = setUp();
    const value = fake("e2e-env", "abcdefghijklmnopqrstuvwxyz0123456789", 24);
    sandbox.env.MYAPP_DEPLOY_TOKEN = value;
    const result = await runAuthwrap(
      [
        "--json",
        "-v",
        "--classifiers",
        rules,
        "--tool",
        "fakecli",
        "--",
        "sh",
        "-c",
        'echo "denied: with $MYAPP_DEPLOY_TOKEN" >&2; exit 1',
      ],
      sandbox,
    );
    expect(parseEnvelope(result.stdout).error).toMatchObject({
      message: "fakecli: denied: with [REDACTED]",
      detail: "denied: with [REDACTED]",
    });
    expect(String(result.stdout)).not.toContain(value);
    expect(
      String(result.stderr).split(`denied: with ${value}\n`).join(""),
    ).not.toContain(value);
  });
});

describe("the re-auth: its command and its relayed output", () => {
  it("are masked in meta.reauth.command, warnings, --verbose and on stderr", async () => {
    const { sandbox, rules } = setUp();
    const reauthOutput = join(sandbox.dir, "reauth.txt");
    writeFileSync(
      reauthOutput,
      `${SECRET_SHAPES.map((shape) => shape.line).join("\n")}\n`,
    );
    const inline: SecretShape = {
      name: "token in the re-auth command",
      line: "",
      secret: `ghp_${fake("e2e-reauth", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 36)}`,
    };
    // Its output on both streams, a token split across two writes, the token from its command line, a failure.
    const script = join(sandbox.dir, "reauth.sh");
    writeFileSync(
      script,
      `cat ${reauthOutput}; cat ${reauthOutput} >&2; printf 'split %s' "$(printf %s "$2" | cut -c1-12)"; sleep 0.05; printf %s "$2" | cut -c13-; echo "$1 $2" >&2; exit 1\n`,
    );
    const reauth = `sh ${script} --token ${inline.secret}`;
    const expiry = join(sandbox.dir, "expired.txt");
    writeFileSync(expiry, "fakecli: token expired at 2026-01-01T00:00:00Z\n");
    const args = [
      "--json",
      "-v",
      "--classifiers",
      rules,
      "--tool",
      "fakecli",
      "--reauth",
      reauth,
      "--",
      ...printsOnStderr(expiry, 4),
    ];
    const checked = [...SECRET_SHAPES, inline];

    const first = await runAuthwrap(args, sandbox);
    expect(first.exitCode).toBe(10);
    const envelope = parseEnvelope(first.stdout);
    expect(envelope.meta.reauth).toMatchObject({ exit_code: 1 });
    expect(envelope.meta.reauth!.command).toContain("--token [REDACTED]");
    expect(String(first.stderr)).toContain(
      "stripe: Invalid API Key provided: [REDACTED]",
    ); // the relayed output arrived, masked
    expect(String(first.stderr)).toContain("split [REDACTED]");
    expect(String(first.stderr)).toContain("authwrap: re-auth: running sh");
    expect(leaks(String(first.stdout), checked)).toEqual([]);
    expect(leaks(stringsOf(envelope), checked)).toEqual([]);
    expect(leaks(String(first.stderr), checked)).toEqual([]);

    // Within the cool-down the re-auth is not run again, and the warning names its command.
    const second = await runAuthwrap(args, sandbox);
    const warnings = parseEnvelope(second.stdout).warnings;
    expect(warnings.join("\n")).toMatch(
      /re-auth ".*--token \[REDACTED\].*" not run: failed/,
    );
    expect(leaks(String(second.stdout), checked)).toEqual([]);
    expect(leaks(String(second.stderr), checked)).toEqual([]);
  }, 30_000);
});

describe("--redact-data", () => {
  const secretAccessKey = fake(
    "e2e-sts-secret",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+",
    40,
  );
  const sessionToken = `IQoJb3JpZ2luX2Vj${fake("e2e-sts-session", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 356)}`;
  const accessKeyId = `ASIA${fake("e2e-sts-id", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;
  const assumeRole = {
    Credentials: {
      AccessKeyId: accessKeyId,
      SecretAccessKey: secretAccessKey,
      SessionToken: sessionToken,
      Expiration: "2026-01-01T12:00:00+00:00",
    },
    AssumedRoleUser: {
      AssumedRoleId: "AROA3XFRBF535PLBIFPI4:ci-run",
      Arn: "arn:aws:sts::123456789012:assumed-role/Deploy/ci-run",
    },
  };
  const secrets: SecretShape[] = [
    { name: "SecretAccessKey", line: "", secret: secretAccessKey },
    { name: "SessionToken", line: "", secret: sessionToken },
    { name: "AccessKeyId", line: "", secret: accessKeyId },
  ];

  it("masks the aws sts assume-role shape and keeps the rest of data as it was", async () => {
    const { sandbox } = setUp();
    const file = join(sandbox.dir, "assume-role.json");
    writeFileSync(file, `${JSON.stringify(assumeRole, null, 4)}\n`);
    const result = await runAuthwrap(
      ["--json", "--redact-data", "-v", "--", "cat", file],
      sandbox,
    );
    expect(result.exitCode).toBe(0);
    expect(parseEnvelope(result.stdout).data).toEqual({
      Credentials: {
        AccessKeyId: "[REDACTED]",
        SecretAccessKey: "[REDACTED]",
        SessionToken: "[REDACTED]",
        Expiration: "2026-01-01T12:00:00+00:00",
      },
      AssumedRoleUser: assumeRole.AssumedRoleUser,
    });
    expect(leaks(String(result.stdout), secrets)).toEqual([]);
    expect(leaks(String(result.stderr), secrets)).toEqual([]);
  });

  it("masks every corpus shape inside JSON string values", async () => {
    const { sandbox } = setUp();
    const file = join(sandbox.dir, "lines.json");
    writeFileSync(
      file,
      JSON.stringify({ lines: SECRET_SHAPES.map((shape) => shape.line) }),
    );
    const result = await runAuthwrap(
      ["--json", "--redact-data", "--", "cat", file],
      sandbox,
    );
    expect(result.exitCode).toBe(0);
    expect(
      (parseEnvelope(result.stdout).data as { lines: string[] }).lines,
    ).toHaveLength(SECRET_SHAPES.length);
    // JSON escapes the corpus' quotes and backslashes: check the parsed strings as well.
    expect(leaks(String(result.stdout), SECRET_SHAPES)).toEqual([]);
    expect(
      leaks(stringsOf(parseEnvelope(result.stdout)), SECRET_SHAPES),
    ).toEqual([]);
  });
});
