import { describe, expect, it } from "vitest";
import { contextOf, FLAGS, parseInvocation, wantsJson } from "../src/cli.js";
import { HELP } from "../src/verbs/help.js";

describe("parseInvocation", () => {
  it("splits at the first -- and never parses the command's own arguments", () => {
    const parsed = parseInvocation(
      ["--json", "--", "aws", "--json", "--", "s3", "ls"],
      {},
    );
    expect(parsed).toMatchObject({
      kind: "wrap",
      invocation: {
        mode: "json",
        command: "aws",
        args: ["--json", "--", "s3", "ls"],
      },
    });
  });

  it("takes the command from the first word that is not an option when -- is left out", () => {
    expect(parseInvocation(["gh", "api", "--verbose"], {})).toMatchObject({
      kind: "wrap",
      invocation: { command: "gh", args: ["api", "--verbose"], verbose: false },
    });
  });

  it("reads options from the environment; flags win", () => {
    const env = {
      AUTHWRAP_JSON: "1",
      AUTHWRAP_REAUTH: "env-login",
      AUTHWRAP_TOOL: "aws",
      AUTHWRAP_CLASSIFIERS: "/a:/b",
      AUTHWRAP_VERBOSE: "true",
    };
    const parsed = parseInvocation(
      ["--reauth=flag-login", "--classifiers", "/c", "--", "x"],
      env,
    );
    expect(parsed).toMatchObject({
      kind: "wrap",
      invocation: {
        mode: "json",
        reauthCommand: "flag-login",
        tool: "aws",
        classifierPaths: ["/a", "/b", "/c"],
        verbose: true,
        reauthAllowed: true,
      },
    });
    expect(parseInvocation(["--", "x"], { AUTHWRAP_JSON: "0" })).toMatchObject({
      invocation: { mode: "passthrough" },
    });
  });

  it("recognises verbs only before --", () => {
    expect(parseInvocation(["rules", "list"], {})).toMatchObject({
      kind: "verb",
      verb: "rules",
      argv: ["list"],
    });
    expect(parseInvocation(["--", "rules", "list"], {})).toMatchObject({
      kind: "wrap",
      invocation: { command: "rules" },
    });
  });

  it("--no-reauth and --reauth-timeout", () => {
    expect(
      parseInvocation(
        ["--no-reauth", "--reauth-timeout", "2.5", "--", "x"],
        {},
      ),
    ).toMatchObject({
      invocation: { reauthAllowed: false, reauthTimeoutMs: 2500 },
    });
  });

  it.each([
    [
      ["--jsn", "--", "x"],
      "unknown option --jsn (did you mean --json?); see authwrap --help",
    ],
    [["--tool"], "--tool needs a value; see authwrap --help"],
    [
      ["--reauth-timeout", "soon", "--", "x"],
      '--reauth-timeout: "soon" is not a positive number of seconds; see authwrap --help',
    ],
  ])("rejects %j with a clear message", (argv, message) => {
    expect(() => parseInvocation(argv, {})).toThrow(message);
  });

  it("no arguments at all means help; no command after options, or after --, is a usage error", () => {
    expect(parseInvocation([], {})).toEqual({ kind: "help" });
    expect(parseInvocation(["--version"], {})).toEqual({ kind: "version" });
    expect(() => parseInvocation(["--"], {})).toThrow(
      "no command after --; see authwrap --help",
    );
    expect(() => parseInvocation(["--json"], {})).toThrow(/^no command given/);
    expect(() => parseInvocation([], { AUTHWRAP_JSON: "1" })).toThrow(
      /^no command given/,
    );
    expect(() => parseInvocation(["--", ""], {})).toThrow(
      /^the command is an empty string/,
    );
  });
});

describe("the re-auth time limit", () => {
  const timeoutOf = (
    argv: string[],
    env: Record<string, string> = {},
    context?: "interactive" | "agent" | "ci",
  ) => {
    const parsed = parseInvocation([...argv, "--", "x"], env, context);
    return parsed.kind === "wrap"
      ? parsed.invocation.reauthTimeoutMs
      : undefined;
  };

  it("defaults to 120 s in an agent or CI run and 300 s at a terminal", () => {
    expect(timeoutOf([], {}, "agent")).toBe(120_000);
    expect(timeoutOf([], {}, "ci")).toBe(120_000);
    expect(timeoutOf([], {}, "interactive")).toBe(300_000);
  });

  it("accepts 0.1 s to a day", () => {
    expect(timeoutOf(["--reauth-timeout", "0.1"])).toBe(100);
    expect(timeoutOf(["--reauth-timeout=86400"])).toBe(86_400_000);
    expect(timeoutOf([], { AUTHWRAP_REAUTH_TIMEOUT: "45" })).toBe(45_000);
  });

  it.each([
    [
      ["--reauth-timeout", "2592000"],
      {},
      "--reauth-timeout: 2592000 s is out of range; give 0.1 to 86400 seconds (a day); see authwrap --help",
    ],
    [
      ["--reauth-timeout", "1e-9"],
      {},
      "--reauth-timeout: 1e-9 s is out of range; give 0.1 to 86400 seconds (a day); see authwrap --help",
    ],
    [
      ["--reauth-timeout", "0.05"],
      {},
      "--reauth-timeout: 0.05 s is out of range",
    ],
    [
      ["--reauth-timeout", "-5"],
      {},
      '--reauth-timeout: "-5" is not a positive number of seconds',
    ],
    [
      ["--reauth-timeout", "Infinity"],
      {},
      '--reauth-timeout: "Infinity" is not a positive number of seconds',
    ],
    [
      [],
      { AUTHWRAP_REAUTH_TIMEOUT: "99999999" },
      "AUTHWRAP_REAUTH_TIMEOUT: 99999999 s is out of range",
    ],
  ])("refuses %j %j", (argv, env, message) => {
    expect(() => timeoutOf(argv, env)).toThrow(message);
  });
});

describe("environment variables", () => {
  const invocationOf = (env: Record<string, string>, argv: string[] = []) => {
    const parsed = parseInvocation([...argv, "--", "x"], env);
    if (parsed.kind !== "wrap") throw new Error("not a wrap");
    return parsed.invocation;
  };

  it.each(["1", "true", "YES", "on"])("AUTHWRAP_JSON=%s is on", (value) => {
    expect(invocationOf({ AUTHWRAP_JSON: value }).mode).toBe("json");
  });

  it.each(["0", "false", "no", "OFF", ""])(
    "AUTHWRAP_JSON=%j is off",
    (value) => {
      expect(invocationOf({ AUTHWRAP_JSON: value }).mode).toBe("passthrough");
    },
  );

  it.each([
    "AUTHWRAP_JSON",
    "AUTHWRAP_VERBOSE",
    "AUTHWRAP_REDACT_DATA",
    "AUTHWRAP_REAUTH_AMBIGUOUS",
    "AUTHWRAP_FORCE_REAUTH",
  ])("%s=maybe is refused, naming the variable", (name) => {
    expect(() => invocationOf({ [name]: "maybe" })).toThrow(
      `${name}: "maybe" is neither on (1, true, yes, on) nor off (0, false, no, off, empty); see authwrap --help`,
    );
  });

  it("an empty variable is unset, for every AUTHWRAP_* variable", () => {
    const empty = Object.fromEntries(
      [
        "AUTHWRAP_JSON",
        "AUTHWRAP_REAUTH",
        "AUTHWRAP_REAUTH_TIMEOUT",
        "AUTHWRAP_REAUTH_AMBIGUOUS",
        "AUTHWRAP_FORCE_REAUTH",
        "AUTHWRAP_RETRY",
        "AUTHWRAP_MAX_DATA_BYTES",
        "AUTHWRAP_REDACT_DATA",
        "AUTHWRAP_TOOL",
        "AUTHWRAP_CLASSIFIERS",
        "AUTHWRAP_VERBOSE",
      ].map((name) => [name, ""]),
    );
    expect(invocationOf(empty)).toEqual(invocationOf({}));
    expect(invocationOf({}).dataLimit).toBe(4 * 1024 * 1024);
  });

  it("--force-reauth and AUTHWRAP_FORCE_REAUTH", () => {
    expect(invocationOf({}).forceReauth).toBe(false);
    expect(invocationOf({}, ["--force-reauth"]).forceReauth).toBe(true);
    expect(invocationOf({ AUTHWRAP_FORCE_REAUTH: "1" }).forceReauth).toBe(true);
  });

  it("wantsJson reads --json before the command (skipping option values) or a true AUTHWRAP_JSON, even when the rest would not parse", () => {
    expect(wantsJson(["--bogus", "--json"], {})).toBe(true);
    expect(
      wantsJson(["--reauth-timeout", "x", "--json", "--", "cmd"], {}),
    ).toBe(true);
    expect(wantsJson(["--", "cmd", "--json"], {})).toBe(false);
    expect(wantsJson(["--bogus"], { AUTHWRAP_JSON: "on" })).toBe(true);
    expect(wantsJson(["--bogus"], { AUTHWRAP_JSON: "maybe" })).toBe(false);
  });

  it.each([
    [{ CI: "true" }, "ci"],
    [{ CI: "1" }, "ci"],
    [{ CI: "woodpecker" }, "ci"],
    [{ CI: "0" }, "agent"],
    [{ CI: "false" }, "agent"],
    [{ CI: "no" }, "agent"],
    [{ CI: "" }, "agent"],
    [{}, "agent"],
  ])("%j is an %s run off a terminal", (env, context) => {
    expect(contextOf(env, { stdin: false, stderr: false })).toBe(context);
  });

  it("a terminal on stdin and stderr is a person, unless CI says otherwise", () => {
    expect(contextOf({}, { stdin: true, stderr: true })).toBe("interactive");
    expect(contextOf({ CI: "false" }, { stdin: true, stderr: true })).toBe(
      "interactive",
    );
    expect(contextOf({ CI: "true" }, { stdin: true, stderr: true })).toBe("ci");
    expect(contextOf({}, { stdin: true, stderr: false })).toBe("agent");
  });
});

describe("--help", () => {
  it.each([...FLAGS])("describes %s", (flag) => {
    expect(HELP).toMatch(
      new RegExp(`(^|[ ,])${flag.replace(/[-]/g, "\\-")}([ ,=]|$)`, "m"),
    );
  });
});
