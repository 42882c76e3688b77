// Hostile and odd input: catastrophic patterns, huge lines, binary, streams closed early, and
// property-based checks that classification never throws and envelopes always validate.
import { statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { textOutput } from "../src/run/windows.js";
import { classifyAttempt } from "../src/classify/classify.js";
import { isErrorDocument } from "../src/classify/document.js";
import { buildEnvelope, EXIT_CODE_BY_ERROR } from "../src/output/envelope.js";
import { envelopeSchema } from "../src/output/envelope-schema.js";
import { createRedactor } from "../src/output/redact.js";
import { loadBuiltinRules } from "./helpers/rules.js";
import { selectRules } from "../src/rules/select.js";
import { createSandbox, parseEnvelope, runAuthwrap } from "./helpers/run.js";

describe("hostile output through bin/authwrap", () => {
  it('a catastrophic rule pattern against a megabyte of "a" finishes in bounded time', async () => {
    const sandbox = createSandbox();
    const rules = join(sandbox.dir, "evil.yaml");
    writeFileSync(
      rules,
      "version: 1\ntool: evil\ncommands: [evil]\nrules:\n  - id: evil\n    code: UNAUTHENTICATED\n    when: { stderr: '(a+)+b$' }\n",
    );
    const stderr = join(sandbox.dir, "a.txt");
    writeFileSync(stderr, "a".repeat(1 << 20));
    const started = Date.now();
    const result = await runAuthwrap(
      [
        "classify",
        "--classifiers",
        rules,
        "--tool",
        "evil",
        "--exit-code",
        "1",
        "--stderr",
        stderr,
      ],
      sandbox,
      { timeout: 30_000 },
    );
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(parseEnvelope(result.stdout).error!.code).toBe("COMMAND_FAILED");
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 40_000);

  it("a 20 MiB single line: passthrough is byte-exact; --json keeps 4 MiB in data and the whole output in a 0600 file", async () => {
    const sandbox = createSandbox();
    const file = join(sandbox.dir, "line.txt");
    writeFileSync(file, "x".repeat(20 * 1024 * 1024));
    const passthrough = await runAuthwrap(["--", "cat", file], sandbox, {
      encoding: "buffer",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(passthrough.exitCode).toBe(0);
    expect((passthrough.stdout as unknown as Buffer).length).toBe(
      20 * 1024 * 1024,
    );
    const json = await runAuthwrap(["--json", "--", "cat", file], sandbox, {
      maxBuffer: 64 * 1024 * 1024,
    });
    const envelope = parseEnvelope(json.stdout);
    const spilled = envelope.meta.stdout_file as string;
    expect(envelope.ok).toBe(true);
    expect((envelope.data as string).length).toBe(4 * 1024 * 1024);
    expect(envelope.warnings).toEqual([
      `stdout exceeded ${4 * 1024 * 1024} bytes; data holds only the first ${4 * 1024 * 1024}; the whole output is in ${spilled}`,
    ]);
    expect(
      spilled.startsWith(
        join(sandbox.env.XDG_STATE_HOME!, "authwrap", "outputs"),
      ),
    ).toBe(true);
    expect(statSync(spilled).size).toBe(20 * 1024 * 1024);
    expect(statSync(spilled).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(spilled)).mode & 0o777).toBe(0o700);
  }, 60_000);

  it("the 4 MiB cut inside a UTF-8 character keeps data as text up to the last whole character", async () => {
    const sandbox = createSandbox();
    const file = join(sandbox.dir, "utf8.txt");
    const limit = 4 * 1024 * 1024;
    writeFileSync(file, `${"x".repeat(limit - 1)}é and more`);
    const envelope = parseEnvelope(
      (
        await runAuthwrap(["--json", "--", "cat", file], sandbox, {
          maxBuffer: 64 * 1024 * 1024,
        })
      ).stdout,
    );
    expect(envelope.ok).toBe(true);
    expect(envelope.data).toBe("x".repeat(limit - 1));
    expect(envelope.warnings).toEqual([
      `stdout exceeded ${limit} bytes; data holds only the first ${limit - 1}; the whole output is in ${envelope.meta.stdout_file}`,
    ]);
  }, 30_000);

  it("--max-data-bytes sets the cap", async () => {
    const envelope = parseEnvelope(
      (
        await runAuthwrap(
          [
            "--json",
            "--max-data-bytes",
            "5",
            "--",
            "exit-with",
            "0",
            "hello world",
          ],
          createSandbox(),
        )
      ).stdout,
    );
    expect(envelope.data).toBe("hello");
    expect(statSync(envelope.meta.stdout_file as string).size).toBe(12);
  });

  it("a child that closes its stdout early still gets its exit code and stderr through", async () => {
    const result = await runAuthwrap(
      ["--json", "--", "sh", "-c", "exec 1>&-; echo late >&2; exit 3"],
      createSandbox(),
    );
    expect(result.exitCode).toBe(3);
    expect(parseEnvelope(result.stdout).error).toMatchObject({
      code: "COMMAND_FAILED",
      detail: "late",
    });
  });

  it("NUL bytes and invalid UTF-8 on stderr do not break classification", async () => {
    const result = await runAuthwrap(
      [
        "--json",
        "--",
        "sh",
        "-c",
        "printf 'bad \\377\\000 bytes; HTTP 401 Unauthorized\\n' >&2; exit 1",
      ],
      createSandbox(),
    );
    expect(result.exitCode).toBe(8);
    expect(parseEnvelope(result.stdout)).toMatchObject({
      error: { code: "UNAUTHENTICATED" },
      meta: { ambiguous: true },
    });
  });
});

describe("properties", async () => {
  const merged = await loadBuiltinRules();
  const tools = ["aws", "gcloud", "gh", "kubectl", "democli", "mycli"];
  const DOCUMENTED_EXITS = new Set([
    0,
    1,
    8,
    10,
    ...Object.values(EXIT_CODE_BY_ERROR),
  ]);
  const redact = createRedactor({});
  const interesting = fc.constantFrom(
    "401",
    "Unauthorized",
    "expired",
    "ExpiredToken",
    '{"error":{"code":"CREDENTIALS_EXPIRED"}}',
    "rate limit",
    "\u0000",
    "\uFFFD",
    "token expired at ",
    "(",
    "Forbidden",
  );
  const output = fc
    .array(fc.oneof(fc.string(), interesting, fc.string({ unit: "binary" })), {
      maxLength: 8,
    })
    .map((parts) => parts.join(" "));

  it("classification never throws, every envelope validates, exit codes stay in the documented set", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...tools),
        fc.integer({ min: 0, max: 255 }),
        output,
        output,
        (tool, exitCode, stdout, stderr) => {
          const { sets } = selectRules(merged, tool);
          const verdict = classifyAttempt(
            {
              exitCode,
              stdout: textOutput(stdout),
              stderr: textOutput(stderr),
            },
            sets,
            { command: tool, tool, args: [], env: {} },
          );
          const attempt = {
            exitCode,
            signal: null,
            spawnError: null,
            stdout: textOutput(stdout),
            stderr: textOutput(stderr),
            data: null,
            dataTruncated: false,
            dataFile: null,
            dataFileError: null,
            durationMs: 1,
            startedAt: 0,
            outputClosed: false,
          };
          const { envelope, exitCode: code } = buildEnvelope(
            {
              tool,
              attempts: [attempt],
              verdict,
              reauth: null,
              warnings: [],
              durationMs: 1,
            },
            null,
            redact,
          );
          expect(envelopeSchema.safeParse(envelope).success).toBe(true);
          expect(envelope.ok).toBe(code === 0);
          if (!DOCUMENTED_EXITS.has(code)) expect(code).toBe(exitCode);
          if (code === 8 || code === 10)
            expect([
              "CREDENTIALS_EXPIRED",
              "UNAUTHENTICATED",
              "PERMISSION_DENIED",
            ]).toContain(envelope.error!.code);
          // Exit 0 stays 0, unless stdout is a whole error document (an HTTP client's refusal
          // body: classify/document.ts) and its verdict is an auth one.
          if (exitCode === 0 && !isErrorDocument(textOutput(stdout)))
            expect(code).toBe(0);
          if (exitCode === 0) expect([0, 8, 10]).toContain(code);
        },
      ),
      { numRuns: 500 },
    );
  });
});
