// Unit tests for src/classify/context.ts: where a rule file's context placeholders ({profile},
// {region}) take their values from — a flag in the command's argv first, else an environment
// variable — and which credential variable a hint names.
import { describe, expect, it } from "vitest";
import { compileRuleFile } from "../src/rules/compile.js";
import { pickEnvVar, readContext } from "../src/classify/context.js";

const set = compileRuleFile(
  {
    version: 1,
    tool: "mycli",
    commands: ["mycli"],
    context: {
      profile: { arg: "--profile", env: "MYCLI_PROFILE" },
      region: { arg: "--region" },
      account: { env: "MYCLI_ACCOUNT" },
    },
    rules: [],
  },
  "mycli.yaml",
);

describe("readContext", () => {
  it("a flag's value as `--flag value` and as `--flag=value`", () => {
    expect(
      readContext(set, {
        args: ["s3", "ls", "--profile", "prod", "--region=eu-west-1"],
        env: {},
      }),
    ).toEqual({ profile: "prod", region: "eu-west-1", account: undefined });
  });

  it("the flag wins over the environment variable; the variable fills in when the flag is absent", () => {
    const env = { MYCLI_PROFILE: "from-env", MYCLI_ACCOUNT: "123" };
    expect(
      readContext(set, { args: ["--profile", "from-flag"], env }),
    ).toMatchObject({ profile: "from-flag", account: "123" });
    expect(readContext(set, { args: ["ls"], env })).toMatchObject({
      profile: "from-env",
      account: "123",
    });
  });

  it("the first occurrence of a flag counts", () => {
    expect(
      readContext(set, {
        args: ["--profile=one", "--profile", "two"],
        env: {},
      }).profile,
    ).toBe("one");
  });

  it("only the exact flag: a longer flag with the same start, or a bare value, is not it", () => {
    expect(
      readContext(set, {
        args: ["--profiles", "x", "--profile-name=y", "profile", "z"],
        env: { MYCLI_PROFILE: "env" },
      }).profile,
    ).toBe("env");
  });

  it("a flag at the end of argv has no value: the variable fills in, else undefined", () => {
    expect(
      readContext(set, {
        args: ["ls", "--profile"],
        env: { MYCLI_PROFILE: "env" },
      }).profile,
    ).toBe("env");
    expect(
      readContext(set, { args: ["ls", "--region"], env: {} }).region,
    ).toBeUndefined();
  });

  it("an empty `--flag=` is an empty value, kept as given", () => {
    expect(
      readContext(set, {
        args: ["--profile="],
        env: { MYCLI_PROFILE: "env" },
      }).profile,
    ).toBe("");
  });

  it("a variable that is not set leaves the placeholder undefined; a file without context gives none", () => {
    expect(readContext(set, { args: [], env: {} })).toEqual({
      profile: undefined,
      region: undefined,
      account: undefined,
    });
    const bare = compileRuleFile(
      { version: 1, tool: "bare", commands: [], rules: [] },
      "bare.yaml",
    );
    expect(readContext(bare, { args: ["--profile", "x"], env: {} })).toEqual(
      {},
    );
  });
});

describe("pickEnvVar", () => {
  it("the first of the tool's variables that is set, else the first it names", () => {
    const names = ["GH_TOKEN", "GITHUB_TOKEN"];
    expect(pickEnvVar(names, { GITHUB_TOKEN: "x" })).toBe("GITHUB_TOKEN");
    expect(pickEnvVar(names, { GH_TOKEN: "", GITHUB_TOKEN: "x" })).toBe(
      "GH_TOKEN",
    );
    expect(pickEnvVar(names, {})).toBe("GH_TOKEN");
    expect(pickEnvVar([], {})).toBeUndefined();
  });
});
