// codes.ts is the one list of codes: the exit-code table, the schema's enum, `schema exit-codes`,
// the README and "did you mean" for rule keys all derive from it, and the profiles apply it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CODE_TABLE,
  ERROR_CODES,
  EXIT_CODE_PROFILES,
  exitRuleOf,
} from "../src/codes.js";
import { exitCodeFor } from "../src/output/exit.js";
import { errorSchema } from "../src/output/envelope-schema.js";
import { validateRuleFile } from "../src/rules/validate.js";
import {
  ROOT,
  createSandbox,
  parseEnvelope,
  runAuthwrap,
  runDemo,
} from "./helpers/run.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

describe("the one list of codes", () => {
  it("README documents every code with its exit code in each profile", () => {
    for (const code of ERROR_CODES) {
      const row = README.split("\n").find((line) =>
        line.startsWith(`| \`${code}\` |`),
      );
      expect(row, `README row for ${code}`).toBeDefined();
      const cells = row!.split("|").map((cell) => cell.trim());
      const shown = (profile: (typeof EXIT_CODE_PROFILES)[number]) => {
        const rule = exitRuleOf(code, profile);
        return rule === "child"
          ? "the command's own"
          : rule === "signal"
            ? "128+N"
            : String(rule);
      };
      expect(cells.slice(2, 4)).toEqual([
        shown("default"),
        shown("cli-agent-2026"),
      ]);
    }
  });

  it("`authwrap schema exit-codes` prints the table as data", async () => {
    const result = await runAuthwrap(["schema", "exit-codes"], createSandbox());
    expect(result.exitCode).toBe(0);
    const rows = JSON.parse(String(result.stdout)) as Array<{
      code: string;
      exit: Record<string, unknown>;
      meaning: string;
    }>;
    expect(rows.map((row) => row.code)).toEqual([...ERROR_CODES]);
    expect(rows.find((row) => row.code === "INTERNAL_ERROR")).toEqual({
      code: "INTERNAL_ERROR",
      exit: { default: 70, "cli-agent-2026": 70 },
      meaning: CODE_TABLE.INTERNAL_ERROR.meaning,
    });
    expect(rows.find((row) => row.code === "PERMISSION_DENIED")?.exit).toEqual({
      default: 8,
      "cli-agent-2026": 7,
    });
  });

  it("the envelope schema's error.code is the enum of every code", () => {
    const error = {
      code: "CREDENTIALS_EXPIRED",
      message: "m",
      retryable: true,
      expires_at: null,
      refresh_command: null,
      hint: null,
      required_permission: null,
      fix_command: null,
      fix_required: true,
    };
    expect(errorSchema.safeParse(error).success).toBe(true);
    expect(
      errorSchema.safeParse({ ...error, code: "CREDENTIAL_EXPIRED" }).success,
    ).toBe(false);
  });

  it("a misspelt rule key gets the nearest key of the zod schema", () => {
    const file = {
      tool: "mycli",
      commands: ["mycli"],
      rules: [
        {
          id: "x",
          code: "CREDENTIALS_EXPIRED",
          when: { stderr: "expired" },
          replay_unsafee: true,
        },
      ],
    };
    expect(() => validateRuleFile(file, "my.yaml")).toThrow(
      'unknown key "replay_unsafee"; did you mean "replay_unsafe"?',
    );
  });
});

describe("exit-code profiles", () => {
  it.each([
    ["CREDENTIALS_EXPIRED", 4, "default", 10],
    ["CREDENTIALS_EXPIRED", 4, "cli-agent-2026", 8],
    ["UNAUTHENTICATED", 4, "cli-agent-2026", 8],
    ["PERMISSION_DENIED", 3, "default", 8],
    ["PERMISSION_DENIED", 3, "cli-agent-2026", 7],
    // The command's own 7 would read as a denial under cli-agent-2026, so it becomes 1 there.
    ["COMMAND_FAILED", 7, "cli-agent-2026", 1],
    ["COMMAND_FAILED", 7, "default", 7],
    ["COMMAND_FAILED", 10, "cli-agent-2026", 10],
  ] as const)("%s, child %i, %s → %i", (code, child, profile, expected) => {
    expect(exitCodeFor(code, child, null, profile)).toBe(expected);
  });

  it("--exit-codes cli-agent-2026: expired and missing exit 8 told apart by error.code, denial 7", async () => {
    const expired = createSandbox();
    await runDemo(["auth", "login"], expired);
    await runDemo(["auth", "expire"], expired);
    const run = (sandbox: typeof expired, extra: string[] = []) =>
      runAuthwrap(
        ["--json", "--no-reauth", ...extra, "--", "democli", "deploy"],
        sandbox,
      );
    const agent = ["--exit-codes", "cli-agent-2026"];
    const expiredResult = await run(expired, agent);
    expect(expiredResult.exitCode).toBe(8);
    expect(parseEnvelope(expiredResult.stdout).error).toMatchObject({
      code: "CREDENTIALS_EXPIRED",
      fix_command: "democli auth refresh",
      fix_required: true,
    });
    expect(parseEnvelope(expiredResult.stdout).meta.exit_codes).toBe(
      "cli-agent-2026",
    );
    const missing = createSandbox({ AUTHWRAP_EXIT_CODES: "cli-agent-2026" });
    const missingResult = await run(missing);
    expect(missingResult.exitCode).toBe(8);
    expect(parseEnvelope(missingResult.stdout).error).toMatchObject({
      code: "UNAUTHENTICATED",
      fix_command: "democli auth login",
      fix_required: true,
    });
    const denied = createSandbox();
    await runDemo(["auth", "login", "--scope", "read"], denied);
    expect((await run(denied, agent)).exitCode).toBe(7);
    // The default profile is unchanged, and fix_* are there too.
    const defaultResult = await run(expired);
    expect(defaultResult.exitCode).toBe(10);
    expect(parseEnvelope(defaultResult.stdout).error).toMatchObject({
      fix_command: "democli auth refresh",
      fix_required: true,
    });
  });

  it("a fault's envelope names the profile asked for too (UNREADABLE_FILE, exit 2 in both)", async () => {
    const result = await runAuthwrap(
      [
        "--json",
        "--exit-codes",
        "cli-agent-2026",
        "--classifiers",
        "/nonexistent/rules.yaml",
        "--",
        "true",
      ],
      createSandbox(),
    );
    expect(result.exitCode).toBe(2);
    expect(parseEnvelope(result.stdout)).toMatchObject({
      error: { code: "UNREADABLE_FILE", fix_required: false },
      meta: { exit_codes: "cli-agent-2026" },
    });
  });

  it("the config file's exit_codes chooses the profile; --exit-codes still wins", async () => {
    const denied = createSandbox();
    await runDemo(["auth", "login", "--scope", "read"], denied);
    const dir = join(denied.env.XDG_CONFIG_HOME!, "authwrap");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "config.yaml"), "exit_codes: cli-agent-2026\n", {
      mode: 0o600,
    });
    const configured = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      denied,
    );
    expect(configured.exitCode).toBe(7);
    const flagged = await runAuthwrap(
      ["--json", "--exit-codes", "default", "--", "democli", "deploy"],
      denied,
    );
    expect(flagged.exitCode).toBe(8);
  });

  it("an unknown profile is a usage error naming the accepted ones", async () => {
    const result = await runAuthwrap(
      ["--json", "--exit-codes", "agent", "--", "true"],
      createSandbox(),
    );
    expect(result.exitCode).toBe(2);
    expect(parseEnvelope(result.stdout).error?.message).toContain(
      "default, cli-agent-2026",
    );
  });
});

describe("the machine-readable contract", () => {
  it("meta.schema_version is in every envelope, a fault's too", async () => {
    const sandbox = createSandbox();
    const ok = await runAuthwrap(["--json", "--", "true"], sandbox);
    const fault = await runAuthwrap(
      ["--json", "--bogus", "--", "true"],
      sandbox,
    );
    expect(parseEnvelope(ok.stdout).meta.schema_version).toBe("1");
    expect(parseEnvelope(fault.stdout).meta.schema_version).toBe("1");
  });

  it("--json: a failed command's stdout is kept, redacted, in error.stdout", async () => {
    const denied = createSandbox();
    await runDemo(["auth", "login", "--scope", "read"], denied);
    const result = await runAuthwrap(
      ["--json", "--", "democli", "deploy"],
      denied,
    );
    const envelope = parseEnvelope(result.stdout);
    expect(envelope.data).toBeNull();
    expect(JSON.parse(String(envelope.error?.stdout))).toMatchObject({
      error: { needed_scope: "deploy:write" },
    });
    const secret = await runAuthwrap(
      [
        "--json",
        "--",
        "exit-with",
        "3",
        `${"x".repeat(9000)} token ghp_abcdefghijklmnopqrstuvwxyz0123456789`,
      ],
      createSandbox(),
    );
    const kept = String(parseEnvelope(secret.stdout).error?.stdout);
    expect(kept.length).toBeLessThanOrEqual(4001);
    expect(kept).toMatch(/^….*token /);
    expect(kept).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
  });

  it("passthrough: stdout reached the caller, so error.stdout is absent", async () => {
    const denied = createSandbox();
    await runDemo(["auth", "login", "--scope", "read"], denied);
    const result = await runAuthwrap(["--", "democli", "deploy"], denied);
    const line = String(result.stderr).trimEnd().split("\n").at(-1)!;
    expect(parseEnvelope(line).error).not.toHaveProperty("stdout");
  });
});
