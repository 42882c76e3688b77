import { describe, expect, it } from "vitest";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createOutputWindow,
  readFileWindow,
  WINDOW_BYTES,
} from "../src/run/windows.js";
import { fillCommand, fillTemplate } from "../src/classify/template.js";

describe("createOutputWindow", () => {
  it("keeps everything while the stream is small", () => {
    const window = createOutputWindow(16);
    window.push(Buffer.from("hello "));
    window.push(Buffer.from("world"));
    expect(window.read()).toEqual({
      text: "hello world",
      totalBytes: 11,
      truncated: false,
    });
  });

  it("keeps the head and the tail of a large stream, and says how much it dropped", () => {
    const window = createOutputWindow(8);
    for (let i = 0; i < 1000; i++) window.push(Buffer.from(`line ${i}\n`));
    const { text, totalBytes, truncated } = window.read();
    expect(truncated).toBe(true);
    expect(text.startsWith("line 0\nl")).toBe(true);
    expect(text.endsWith("ine 999\n")).toBe(true);
    expect(text).toContain(`[authwrap: ${totalBytes - 16} bytes not kept]`);
  });

  it("a huge chunk followed by a small one still leaves a full tail", () => {
    const window = createOutputWindow(8);
    window.push(Buffer.from("HEADHEAD" + "x".repeat(100) + "ABCDEFGH"));
    window.push(Buffer.from("12"));
    expect(window.read().text.endsWith("CDEFGH12")).toBe(true);
  });

  it("holds a bounded number of bytes whatever is pushed", () => {
    const window = createOutputWindow(1024);
    const chunk = Buffer.alloc(64 * 1024, "a");
    for (let i = 0; i < 200; i++) window.push(chunk);
    expect(window.read().text.length).toBeLessThan(4 * 1024 + 100 + 64 * 1024);
  });
});

describe("readFileWindow", () => {
  it("reads only the two ends of a large file, and says how much it did not read", () => {
    const path = join(
      mkdtempSync(join(tmpdir(), "authwrap-window-")),
      "big.txt",
    );
    const middle = "m".repeat(3 * WINDOW_BYTES);
    writeFileSync(
      path,
      `START${"h".repeat(WINDOW_BYTES)}${middle}${"t".repeat(WINDOW_BYTES)}END`,
    );
    const fd = openSync(path, "r");
    let bytesRead = 0;
    const readAt = (handle: number, buffer: Buffer, position: number) => {
      const got = readSync(handle, buffer, 0, buffer.length, position);
      bytesRead += got;
      return got;
    };
    const window = readFileWindow(fd, readAt, 5 * WINDOW_BYTES + 8);
    closeSync(fd);
    expect(bytesRead).toBe(2 * WINDOW_BYTES);
    expect(window.totalBytes).toBe(5 * WINDOW_BYTES + 8);
    expect(window.text.startsWith("START")).toBe(true);
    expect(window.text.endsWith("tttEND")).toBe(true);
    expect(window.text).toContain(
      `[authwrap: ${3 * WINDOW_BYTES + 8} bytes not kept]`,
    );
  });
});

describe("fillTemplate", () => {
  it.each([
    [
      "aws sso login[ --profile {profile}]",
      { profile: "dev" },
      "aws sso login --profile dev",
    ],
    ["aws sso login[ --profile {profile}]", {}, "aws sso login"],
    ["{verb} {resource}", { verb: "list", resource: "pods" }, "list pods"],
    ["{verb} {resource}", { verb: "list" }, undefined],
  ])("%s with %j → %s", (template, values, expected) =>
    expect(fillTemplate(template, values)).toBe(expected),
  );
});

describe("fillCommand", () => {
  it.each<[string | undefined, string]>([
    ["dev", "aws sso login --profile dev"],
    [
      "arn:aws:iam::123456789012:role/dev",
      "aws sso login --profile arn:aws:iam::123456789012:role/dev",
    ],
    ["dev;touch pwned", "aws sso login --profile 'dev;touch pwned'"],
    ["$(id)dev", "aws sso login --profile \\$\\(id\\)dev"],
    ["dev prod", "aws sso login --profile 'dev prod'"],
    ["", "aws sso login"],
    [undefined, "aws sso login"],
  ])("a value %j becomes one inert shell word: %s", (profile, expected) => {
    expect(
      fillCommand("aws sso login[ --profile {profile}]", { profile }),
    ).toBe(expected);
  });
});
