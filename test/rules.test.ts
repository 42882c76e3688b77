import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileRuleFile } from "../src/rules/compile.js";
import { checkExamples } from "../src/rules/examples.js";
import { readRuleFile } from "../src/rules/load.js";
import {
  mergeRuleFiles,
  selectRules,
  commandName,
} from "../src/rules/select.js";
import { buildJsonSchema } from "../src/verbs/schema.js";
import { ROOT, createSandbox, runAuthwrap } from "./helpers/run.js";
import { loadBuiltinRules } from "./helpers/rules.js";

const INVALID = join(ROOT, "fixtures/rules/invalid");

describe("invalid rule files: one fault each, with the message it must produce", () => {
  const cases = readdirSync(INVALID).filter((name) => name.endsWith(".yaml"));
  it("covers every fixture", () =>
    expect(cases.length).toBeGreaterThanOrEqual(10));
  it.each(cases)("%s", async (name) => {
    const path = join(INVALID, name);
    const expected = readFileSync(path.replace(/\.yaml$/, ".expected"), "utf8")
      .trim()
      .replace("<dir>", INVALID);
    const attempt = async () => compileRuleFile(await readRuleFile(path), path);
    await expect(attempt()).rejects.toMatchObject({
      code: "INVALID_RULES",
      message: expected,
    });
  });
});

describe("built-in classifiers", () => {
  it("every embedded example passes against the merged rules", async () => {
    const results = checkExamples(await loadBuiltinRules());
    expect(results.length).toBeGreaterThanOrEqual(25);
    expect(results.filter((r) => r.failures.length > 0)).toEqual([]);
  });

  it("every example names where its output came from", async () => {
    const merged = await loadBuiltinRules();
    const unsourced = merged.flatMap((set) =>
      set.rules.flatMap((rule) =>
        rule.examples
          .filter((e) => !e.source)
          .map(() => `${set.tool}#${rule.id}`),
      ),
    );
    expect(unsourced).toEqual([]);
  });

  it("`authwrap rules test` exits 0 on the built-ins and reports its count", async () => {
    const result = await runAuthwrap(["rules", "test"], createSandbox());
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/\n\d+ passed, 0 failed\n$/);
  });

  it("`authwrap rules test` exits 1 when an example does not hold", async () => {
    const sandbox = createSandbox();
    const file = join(sandbox.dir, "wrong.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      file,
      [
        "version: 1",
        "tool: democli",
        "commands: [democli]",
        "rules:",
        "  - id: quota",
        "    code: QUOTA_EXCEEDED",
        "    when: { stderr: quota }",
        "    examples:",
        '      - { source: test, exit_code: 1, stderr: "token expired at 2026-01-01T00:00:00Z", expect: { code: QUOTA_EXCEEDED } }',
      ].join("\n"),
    );
    const result = await runAuthwrap(["rules", "test", file], sandbox);
    expect(result.exitCode).toBe(1);
    expect(String(result.stdout)).toContain(
      "expected QUOTA_EXCEEDED, got CREDENTIALS_EXPIRED by classifiers/generic.yaml#text-expired",
    );
  });
});

describe("layering and tool choice", () => {
  it.each([
    ["aws", "aws"],
    ["/usr/local/bin/gcloud", "gcloud"],
    ["gh.exe", "gh"],
    ["C:\\tools\\az.cmd", "az"],
    ["KUBECTL", "kubectl"],
  ])("%s → %s", (command, name) => expect(commandName(command)).toBe(name));

  it("picks the tool by command name: its own file, then the vocabularies it uses, the others, generic last; --tool overrides", async () => {
    const merged = await loadBuiltinRules();
    const kinds = (command: string, tool?: string) =>
      selectRules(merged, command, tool).sets.map((s) => `${s.kind}:${s.tool}`);
    const gsutil = kinds("/usr/bin/gsutil");
    expect(gsutil[0]).toBe("tool:gcloud");
    expect(gsutil.at(-1)).toBe("tool:generic");
    expect(
      gsutil.filter((k) => k.startsWith("vocabulary:")).length,
    ).toBeGreaterThanOrEqual(1);
    const aws = kinds("wrapper.sh", "aws");
    expect(aws.slice(0, 2)).toEqual(["tool:aws", "vocabulary:aws"]);
    const mycli = kinds("mycli");
    expect(mycli.filter((k) => k.startsWith("tool:"))).toEqual([
      "tool:generic",
    ]);
    expect(selectRules(merged, "mycli").tool).toBe("mycli");
  });

  it('a user file for every command (commands: ["*"]) applies to any tool, after its own file', async () => {
    const merged = mergeRuleFiles([
      ...(await loadBuiltinRules()),
      compileRuleFile(
        { version: 1, tool: "house", commands: ["*"], rules: [] },
        "house.yaml",
      ),
    ]);
    expect(
      selectRules(merged, "aws")
        .sets.map((s) => s.tool)
        .slice(0, 2),
    ).toEqual(["aws", "house"]);
    expect(selectRules(merged, "mycli").sets[0]!.tool).toBe("house");
  });
});

describe("published JSON Schemas", () => {
  it.each(["classifier", "envelope"])(
    "schema/%s.schema.json matches `authwrap schema %s`",
    (name) => {
      const committed = JSON.parse(
        readFileSync(join(ROOT, `schema/${name}.schema.json`), "utf8"),
      );
      expect(committed).toEqual(buildJsonSchema(name));
    },
  );
});
