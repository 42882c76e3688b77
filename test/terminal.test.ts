// What authwrap's own lines may put on a terminal: unit checks.
import { describe, expect, it } from "vitest";
import { formatHumanLine } from "../src/output/report.js";
import { colorLevel, visible } from "../src/output/terminal.js";
import type { Envelope } from "../src/output/envelope-schema.js";

describe("visible", () => {
  it.each([
    ["\u001b]52;c;cm0gLXJmIH4=\u0007", "\\x1b]52;c;cm0gLXJmIH4=\\x07"],
    ["ok\r\u001b[2Kfaked", "ok\\r\\x1b[2Kfaked"],
    ["\u009b2J and \u0090 DCS", "\\x9b2J and \\x90 DCS"],
    ["line\nnext\ttab\u0000nul\u007fdel", "line\\nnext\\ttab\\x00nul\\x7fdel"],
    ["evil\u202ecod.exe", "evil\\u202ecod.exe"],
    [
      "plain text, ünïcödé, 日本語 and emoji 🙂",
      "plain text, ünïcödé, 日本語 and emoji 🙂",
    ],
  ])("%j → %j", (text, shown) => {
    expect(visible(text)).toBe(shown);
  });
});

describe("formatHumanLine", () => {
  const envelope = (
    error: Partial<NonNullable<Envelope["error"]>>,
  ): Envelope => ({
    ok: false,
    data: null,
    error: {
      code: "PERMISSION_DENIED",
      message: "m",
      retryable: false,
      expires_at: null,
      refresh_command: null,
      hint: null,
      required_permission: null,
      fix_command: null,
      fix_required: true,
      ...error,
    },
    warnings: [],
    meta: {
      schema_version: "1",
      duration_ms: 1,
      tool: "t",
      exit_code: 1,
      signal: null,
      attempts: 1,
      reauth: null,
      ambiguous: false,
      stdout_file: null,
      exit_codes: "default",
    },
  });

  it("escapes every captured field", async () => {
    // eslint-disable-next-line no-control-regex -- looking for raw control characters is the point
    const raw = /[\u0000-\u001f\u007f-\u009f]/;
    const lines = await Promise.all([
      formatHumanLine(
        envelope({
          message: "denied\r\u001b[2K",
          required_permission: "s3:Get\u001b]0;owned\u0007",
        }),
        0,
      ),
      formatHumanLine(
        envelope({
          code: "CREDENTIALS_EXPIRED",
          refresh_command: "login\u001b[8m --secret",
        }),
        0,
      ),
      formatHumanLine(
        envelope({ code: "UNAUTHENTICATED", hint: "gh auth login\u009b1A" }),
        0,
      ),
    ]);
    for (const line of lines) expect(line).not.toMatch(raw);
    expect(lines[0]).toBe(
      "authwrap: permission denied — denied\\r\\x1b[2K; ask for: s3:Get\\x1b]0;owned\\x07",
    );
    expect(lines[1]).toBe(
      "authwrap: credentials expired — m; run: login\\x1b[8m --secret",
    );
    expect(lines[2]).toBe(
      "authwrap: unauthenticated — m; log in: gh auth login\\x9b1A",
    );
  });

  it("colours at the level it is given, and only then", async () => {
    expect(await formatHumanLine(envelope({}), 1)).toContain("\u001b[");
  });
});

describe("colorLevel (for stderr)", () => {
  it.each([
    [{}, true, 1],
    [{}, false, 0],
    [{ NO_COLOR: "1" }, true, 0],
    [{ NO_COLOR: "anything" }, true, 0],
    [{ NO_COLOR: "" }, true, 1],
    [{ TERM: "dumb" }, true, 0],
    [{ FORCE_COLOR: "1" }, false, 1],
    [{ FORCE_COLOR: "3" }, false, 3],
    [{ FORCE_COLOR: "0" }, true, 0],
    [{ FORCE_COLOR: "false" }, true, 0],
    [{ FORCE_COLOR: "" }, false, 0],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, true, 0],
  ])("%j, a terminal: %s → level %i", (env, isTTY, level) => {
    expect(colorLevel(env, isTTY)).toBe(level);
  });
});
