// Unit tests for src/run/data-sink.ts: --json keeps the child's stdout for `data` up to a cap;
// past it the whole stream goes to a private file (0600 in 0700) the envelope names, so nothing
// is lost; and kept bytes that are not UTF-8 reach `data` base64-encoded (src/output/data.ts).
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeData } from "../src/output/data.js";
import { createDataSink, SPILL_MAX_AGE_MS } from "../src/run/data-sink.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;

function stateDir(): string {
  return join(mkdtempSync(join(tmpdir(), "authwrap-sink-")), "authwrap");
}

function feed(limit: number, dir: string, chunks: string[]) {
  const sink = createDataSink(limit, dir);
  for (const chunk of chunks) sink.push(Buffer.from(chunk));
  sink.close();
  return sink;
}

describe("the data cap", () => {
  it("under the cap: everything is kept, nothing is written to disk", () => {
    const dir = stateDir();
    const sink = feed(10, dir, ["abc", "def"]);
    expect(sink.read().toString()).toBe("abcdef");
    expect(sink.truncated()).toBe(false);
    expect(sink.file()).toBeNull();
    expect(sink.failure()).toBeNull();
    expect(existsSync(dir)).toBe(false);
  });

  it("exactly at the cap is not over it", () => {
    const sink = feed(6, stateDir(), ["abc", "def"]);
    expect(sink.read().toString()).toBe("abcdef");
    expect(sink.truncated()).toBe(false);
    expect(sink.file()).toBeNull();
  });

  it("past the cap: data keeps exactly the first `limit` bytes, across chunk boundaries", () => {
    const sink = feed(5, stateDir(), ["abc", "defg", "hij"]);
    expect(sink.read().toString()).toBe("abcde");
    expect(sink.truncated()).toBe(true);
  });

  it("a first chunk already past the cap is cut too", () => {
    const sink = feed(4, stateDir(), ["0123456789"]);
    expect(sink.read().toString()).toBe("0123");
    expect(sink.truncated()).toBe(true);
  });
});

describe("spill past the cap", () => {
  it("the whole stream, earlier chunks included, goes to a 0600 file in a 0700 folder", () => {
    const dir = stateDir();
    const sink = feed(5, dir, ["abc", "defg", "hij", "klm"]);
    const file = sink.file()!;
    expect(file).toMatch(/\/outputs\/stdout-[^/]+\.out$/);
    expect(dirname(file)).toBe(join(dir, "outputs"));
    expect(readFileSync(file, "utf8")).toBe("abcdefghijklm");
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(dirname(file))).toBe(0o700);
    expect(modeOf(dir)).toBe(0o700);
    expect(sink.failure()).toBeNull();
  });

  it("bytes are kept as they came: the file holds invalid UTF-8 verbatim", () => {
    const bytes = Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x63, 0x80, 0x64]);
    const sink = createDataSink(3, stateDir());
    sink.push(bytes);
    sink.close();
    expect(readFileSync(sink.file()!).equals(bytes)).toBe(true);
  });

  it("two spills never share a file", () => {
    const dir = stateDir();
    const a = feed(1, dir, ["xx"]);
    const b = feed(1, dir, ["yy"]);
    expect(a.file()).not.toBe(b.file());
    expect(readdirSync(join(dir, "outputs"))).toHaveLength(2);
  });

  it("creating a spill removes spill files older than a day, and nothing else", () => {
    const dir = stateDir();
    const outputs = join(dir, "outputs");
    mkdirSync(outputs, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const old = new Date(Date.now() - SPILL_MAX_AGE_MS - 60_000);
    for (const name of [
      "stdout-old.out",
      "notes-old.txt",
      "stdout-old.log",
      "other-old.out",
    ]) {
      writeFileSync(join(outputs, name), "old");
      utimesSync(join(outputs, name), old, old);
    }
    writeFileSync(join(outputs, "stdout-young.out"), "young");
    const sink = feed(1, dir, ["new"]);
    expect(readdirSync(outputs).sort()).toEqual(
      [
        "notes-old.txt",
        "other-old.out",
        "stdout-old.log",
        "stdout-young.out",
        sink.file()!.slice(outputs.length + 1),
      ].sort(),
    );
  });

  it("an unsafe state folder: no file, the reason is given, data still keeps the first bytes", () => {
    const dir = stateDir();
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    const sink = feed(3, dir, ["abcdef", "ghi"]);
    expect(sink.file()).toBeNull();
    expect(sink.failure()).toMatch(/state folder must be a directory/);
    expect(sink.read().toString()).toBe("abc");
    expect(sink.truncated()).toBe(true);
    expect(existsSync(join(dir, "outputs"))).toBe(false);
  });

  it("a folder that cannot be created: no file, the reason is given", () => {
    const dir = stateDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, "outputs"), "a file in the way");
    const sink = feed(1, dir, ["ab"]);
    expect(sink.file()).toBeNull();
    expect(sink.failure()).toMatch(/EEXIST|ENOTDIR/);
  });
});

describe("kept bytes → data", () => {
  const overflowOf = (
    sink: ReturnType<typeof createDataSink>,
    limit: number,
  ) => ({
    truncated: sink.truncated(),
    limit,
    file: sink.file(),
    fileError: sink.failure(),
  });

  it("invalid UTF-8 in what was kept becomes base64, with a warning", () => {
    const bytes = Buffer.from([0x7b, 0xff, 0x00, 0xc3, 0x28]);
    const raw = createDataSink(100, stateDir());
    raw.push(bytes);
    raw.close();
    expect(raw.read().equals(bytes)).toBe(true);
    const decoded = decodeData(raw.read(), overflowOf(raw, 100));
    expect(decoded.data).toBe(bytes.toString("base64"));
    expect(decoded.warnings).toEqual([
      "stdout is not valid UTF-8; data holds it base64-encoded",
    ]);
  });

  it("past the cap, data is the kept text and the warning names the file with the whole output", () => {
    const sink = feed(5, stateDir(), ["hello world\n"]);
    const decoded = decodeData(sink.read(), overflowOf(sink, 5));
    expect(decoded.data).toBe("hello");
    expect(decoded.warnings).toEqual([
      `stdout exceeded 5 bytes; data holds only the first 5; the whole output is in ${sink.file()}`,
    ]);
  });
});
