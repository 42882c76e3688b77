// The command's stdout → data: unit checks of the cut at --max-data-bytes.
import { describe, expect, it } from "vitest";
import { completeUtf8Length, decodeData } from "../src/output/data.js";

describe("data cut at the limit", () => {
  const overflow = (limit: number) => ({
    truncated: true,
    limit,
    file: null,
    fileError: null,
  });

  it.each([
    ["é (2 bytes)", "é"],
    ["€ (3 bytes)", "€"],
    ["🙂 (4 bytes)", "🙂"],
  ])(
    "a cut inside %s ends at the last complete character instead of turning data into base64",
    (_, char) => {
      const whole = Buffer.from(`abc${char}`);
      for (let cut = 4; cut < whole.length; cut++) {
        const decoded = decodeData(whole.subarray(0, cut), overflow(cut));
        expect(decoded.data).toBe("abc");
        expect(decoded.warnings).toEqual([
          `stdout exceeded ${cut} bytes; data holds only the first 3`,
        ]);
      }
      expect(decodeData(whole, overflow(whole.length)).data).toBe(`abc${char}`);
    },
  );

  it("completeUtf8Length keeps complete text whole and invalid bytes for base64", () => {
    expect(completeUtf8Length(Buffer.from("abc"))).toBe(3);
    expect(completeUtf8Length(Buffer.from("abcé"))).toBe(5);
    expect(completeUtf8Length(Buffer.from([0x61, 0xf0, 0x9f, 0x99]))).toBe(1);
    expect(completeUtf8Length(Buffer.from([]))).toBe(0);
    expect(decodeData(Buffer.from([0xff, 0xfe, 0x41]), overflow(3)).data).toBe(
      Buffer.from([0xff, 0xfe, 0x41]).toString("base64"),
    );
  });

  it("an untruncated output that ends inside a character is the command's own: base64, as before", () => {
    expect(
      decodeData(Buffer.from([0x61, 0xc3]), {
        truncated: false,
        limit: 10,
        file: null,
        fileError: null,
      }).warnings,
    ).toEqual(["stdout is not valid UTF-8; data holds it base64-encoded"]);
  });
});
