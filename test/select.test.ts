// Unit tests for src/rules/select.ts: how rule files layer (a later file's rule replaces an
// earlier one with the same id; a project's file may not change what a built-in rule concludes)
// and the order in which one command's rule sets are tried.
import { describe, expect, it } from "vitest";
import {
  compileRuleFile,
  type RuleOrigin,
  type ToolRules,
} from "../src/rules/compile.js";
import type { RuleFile } from "../src/rules/schema.js";
import {
  chooseTool,
  commandName,
  mergeRuleFiles,
  selectRules,
} from "../src/rules/select.js";

type Rule = RuleFile["rules"][number];

const rule = (id: string, code: Rule["code"], stderr = id): Rule => ({
  id,
  code,
  when: { stderr },
});

function file(
  fields: Partial<RuleFile> & { tool: string },
  origin: RuleOrigin = "user",
): ToolRules {
  return compileRuleFile(
    { version: 1, commands: [], rules: [], ...fields },
    `${origin}/${fields.tool}.yaml`,
    { origin },
  );
}

const ids = (set: ToolRules | undefined) => set?.rules.map((r) => r.id);
const codes = (set: ToolRules | undefined) =>
  Object.fromEntries(set?.rules.map((r) => [r.id, r.code]) ?? []);

describe("mergeRuleFiles: layering", () => {
  it("a later file's rule replaces the earlier one with the same id, in place; its new rules go first", () => {
    const [merged, ...rest] = mergeRuleFiles([
      file(
        {
          tool: "mycli",
          commands: ["mycli"],
          rules: [
            rule("expired", "CREDENTIALS_EXPIRED"),
            rule("denied", "PERMISSION_DENIED"),
          ],
        },
        "builtin",
      ),
      file({
        tool: "mycli",
        commands: ["mycli2"],
        rules: [
          rule("denied", "UNAUTHENTICATED"),
          rule("quota", "RATE_LIMITED"),
        ],
      }),
    ]);
    expect(rest).toEqual([]);
    expect(ids(merged)).toEqual(["quota", "expired", "denied"]);
    expect(codes(merged).denied).toBe("UNAUTHENTICATED");
    expect(merged!.commands).toEqual(["mycli", "mycli2"]);
    expect(merged!.origin).toBe("user");
  });

  it("a project's file may refine a built-in rule's words but not change its code", () => {
    const [merged] = mergeRuleFiles([
      file(
        {
          tool: "mycli",
          rules: [
            rule("expired", "CREDENTIALS_EXPIRED", "token expired"),
            rule("denied", "PERMISSION_DENIED", "forbidden"),
          ],
        },
        "builtin",
      ),
      file(
        {
          tool: "mycli",
          rules: [
            rule("expired", "COMMAND_FAILED", "anything"),
            rule("denied", "PERMISSION_DENIED", "not allowed"),
          ],
        },
        "project",
      ),
    ]);
    expect(codes(merged)).toEqual({
      expired: "CREDENTIALS_EXPIRED",
      denied: "PERMISSION_DENIED",
    });
    const denied = merged!.rules.find((r) => r.id === "denied")!;
    expect(denied.origin).toBe("project");
    const expired = merged!.rules.find((r) => r.id === "expired")!;
    expect(expired.origin).toBe("builtin");
  });

  it("a user's file may change a built-in rule's code", () => {
    const [merged] = mergeRuleFiles([
      file(
        { tool: "mycli", rules: [rule("expired", "CREDENTIALS_EXPIRED")] },
        "builtin",
      ),
      file({ tool: "mycli", rules: [rule("expired", "COMMAND_FAILED")] }),
    ]);
    expect(codes(merged).expired).toBe("COMMAND_FAILED");
  });

  it("the re-auth command and where it came from travel together: a later file without one keeps the earlier's", () => {
    const [kept] = mergeRuleFiles([
      file({ tool: "mycli", refresh_command: "mycli login" }, "builtin"),
      file({ tool: "mycli", hint: "mycli setup" }, "project"),
    ]);
    expect(kept!.refreshCommand).toBe("mycli login");
    expect(kept!.refreshOrigin).toBe("builtin");
    expect(kept!.refreshSource).toBe("builtin/mycli.yaml");
    expect(kept!.hint).toBe("mycli setup");

    const [replaced] = mergeRuleFiles([
      file({ tool: "mycli", refresh_command: "mycli login" }, "builtin"),
      file(
        {
          tool: "mycli",
          refresh_command: "mycli sso",
          refresh_interactive: true,
        },
        "project",
      ),
    ]);
    expect(replaced!.refreshCommand).toBe("mycli sso");
    expect(replaced!.refreshOrigin).toBe("project");
    expect(replaced!.refreshSource).toBe("project/mycli.yaml");
    expect(replaced!.refreshInteractive).toBe(true);
  });

  it("a project's context cannot redirect a built-in placeholder; a user's can", () => {
    const builtin = file(
      { tool: "mycli", context: { profile: { arg: "--profile" } } },
      "builtin",
    );
    const redirect = { profile: { env: "EVIL" }, region: { env: "REGION" } };
    const [project] = mergeRuleFiles([
      builtin,
      file({ tool: "mycli", context: redirect }, "project"),
    ]);
    expect(project!.context).toEqual({
      profile: { arg: "--profile" },
      region: { env: "REGION" },
    });
    const [user] = mergeRuleFiles([
      builtin,
      file({ tool: "mycli", context: redirect }, "user"),
    ]);
    expect(user!.context).toEqual(redirect);
  });

  it("a vocabulary and a tool of the same name stay apart", () => {
    const merged = mergeRuleFiles([
      file({
        tool: "aws",
        commands: ["aws"],
        rules: [rule("a", "UNAUTHENTICATED")],
      }),
      file({
        tool: "aws",
        kind: "vocabulary",
        rules: [rule("v", "UNAUTHENTICATED")],
      }),
    ]);
    expect(merged.map((s) => `${s.kind}:${s.tool}:${ids(s)}`)).toEqual([
      "tool:aws:a",
      "vocabulary:aws:v",
    ]);
  });

  it("a project's file may change the code of a rule another project file added", () => {
    const [merged] = mergeRuleFiles([
      file({ tool: "mycli", rules: [rule("r", "UNAUTHENTICATED")] }, "project"),
      file(
        { tool: "mycli", rules: [rule("r", "PERMISSION_DENIED")] },
        "project",
      ),
    ]);
    expect(codes(merged).r).toBe("PERMISSION_DENIED");
  });

  it("the rest of a file layers too: uses (later first), detect words (union), credentials, mid_work, env_vars", () => {
    const base = file(
      {
        tool: "words",
        kind: "vocabulary",
        uses: ["a", "b"],
        detect: ["token"],
        credentials: { sso: { refresh_command: "login sso" } },
        mid_work: "Still creating",
        env_vars: ["WORDS_TOKEN"],
      },
      "builtin",
    );
    const [merged] = mergeRuleFiles([
      base,
      file({
        tool: "words",
        kind: "vocabulary",
        uses: ["c", "a"],
        detect: ["bearer"],
        credentials: { key: { hint: "words key create" } },
      }),
    ]);
    expect(merged!.uses).toEqual(["c", "a", "b"]);
    expect(merged!.detect).toEqual(["token", "bearer"]);
    expect(Object.keys(merged!.credentials).sort()).toEqual(["key", "sso"]);
    expect(merged!.midWork?.source).toBe(base.midWork?.source);
    expect(merged!.envVars).toEqual(["WORDS_TOKEN"]);

    const [replaced] = mergeRuleFiles([
      base,
      file({ tool: "words", kind: "vocabulary", env_vars: ["OTHER"] }),
    ]);
    expect(replaced!.envVars).toEqual(["OTHER"]);
    // A file without detect words is tried on every output: the layered file is too.
    expect(replaced!.detect).toBeUndefined();
  });

  it("does not change the files it was given", () => {
    const first = file({
      tool: "mycli",
      rules: [rule("a", "UNAUTHENTICATED")],
    });
    const second = file({
      tool: "mycli",
      rules: [rule("b", "UNAUTHENTICATED")],
    });
    mergeRuleFiles([first, second]);
    expect(ids(first)).toEqual(["a"]);
    expect(ids(second)).toEqual(["b"]);
  });
});

describe("selectRules: the order rule sets are tried in", () => {
  const merged = mergeRuleFiles([
    file({ tool: "generic", commands: ["*"] }, "builtin"),
    file({ tool: "oauth2", kind: "vocabulary" }, "builtin"),
    file({ tool: "google", kind: "vocabulary" }, "builtin"),
    file({ tool: "kubernetes", kind: "vocabulary" }, "builtin"),
    file(
      {
        tool: "gcloud",
        commands: ["gcloud", "gsutil"],
        uses: ["kubernetes", "google"],
      },
      "builtin",
    ),
    file({ tool: "house", commands: ["*"] }, "user"),
  ]);
  const order = (command: string, tool?: string) =>
    selectRules(merged, command, tool).sets.map((s) => `${s.kind}:${s.tool}`);

  it("own file, every-command files, vocabularies in the order of `uses` then the rest, generic last", () => {
    expect(order("/usr/bin/gsutil")).toEqual([
      "tool:gcloud",
      "tool:house",
      "vocabulary:kubernetes",
      "vocabulary:google",
      "vocabulary:oauth2",
      "tool:generic",
    ]);
  });

  it("a command no file names: no own file, the vocabularies in file order, generic last, the tool named after the command", () => {
    const selected = selectRules(merged, "/opt/bin/MyCli.exe");
    expect(selected.tool).toBe("mycli");
    expect(selected.sets.map((s) => `${s.kind}:${s.tool}`)).toEqual([
      "tool:house",
      "vocabulary:oauth2",
      "vocabulary:google",
      "vocabulary:kubernetes",
      "tool:generic",
    ]);
  });

  it("--tool overrides the command's name", () => {
    expect(selectRules(merged, "wrapper.sh", "gcloud").tool).toBe("gcloud");
    expect(order("wrapper.sh", "gcloud")[0]).toBe("tool:gcloud");
  });

  it("a vocabulary named like the tool is not its own file; an own file for every command comes once", () => {
    const withAws = mergeRuleFiles([
      file({ tool: "aws", kind: "vocabulary" }, "builtin"),
      file({ tool: "aws", commands: ["aws"] }, "builtin"),
      file({ tool: "generic", commands: ["*"] }, "builtin"),
    ]);
    expect(
      selectRules(withAws, "aws").sets.map((s) => `${s.kind}:${s.tool}`),
    ).toEqual(["tool:aws", "vocabulary:aws", "tool:generic"]);
    expect(order("x", "house")).toEqual([
      "tool:house",
      "vocabulary:oauth2",
      "vocabulary:google",
      "vocabulary:kubernetes",
      "tool:generic",
    ]);
  });

  it("--tool generic is not an own file: generic still comes once, last", () => {
    const sets = order("x", "generic");
    expect(sets.filter((s) => s === "tool:generic")).toEqual(["tool:generic"]);
    expect(sets.at(-1)).toBe("tool:generic");
  });
});

describe("chooseTool and commandName", () => {
  it("the last file whose commands name the command wins; generic and vocabularies never do", () => {
    const files = [
      { tool: "first", commands: ["x"] },
      { tool: "second", commands: ["x"] },
      { tool: "generic", commands: ["x"] },
      { tool: "words", kind: "vocabulary", commands: ["x"] },
    ];
    expect(chooseTool(files, "/bin/x")).toBe("second");
    expect(chooseTool(files, "y")).toBeUndefined();
    expect(chooseTool(files, "y", "forced")).toBe("forced");
  });

  it.each([
    ["aws", "aws"],
    ["/usr/local/bin/gcloud", "gcloud"],
    ["gh.exe", "gh"],
    ["C:\\tools\\az.cmd", "az"],
    ["run.PS1", "run"],
    ["KUBECTL", "kubectl"],
    ["my.tool", "my.tool"],
    ["backup.exe.old", "backup.exe.old"],
  ])("%s → %s", (command, name) => expect(commandName(command)).toBe(name));
});
