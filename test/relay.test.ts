// Large stdout is handed to a worker thread (src/run/relay.ts): the bytes, the classification
// window, back-pressure, a reader that goes away and a grandchild holding the pipe all behave
// as on the main thread's relay.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { BIN, ROOT, createSandbox } from "./helpers/run.js";

const HANDED = /a worker thread relays the rest/;
const MIB = 1024 * 1024;

async function viaShell(
  script: string,
  sandbox: ReturnType<typeof createSandbox>,
) {
  const run = await execa("sh", ["-c", script], {
    env: { ...sandbox.env, AUTHWRAP: `${process.execPath} ${BIN}` },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    encoding: "buffer",
    stripFinalNewline: false,
  });
  const stdout = Buffer.from(run.stdout);
  return {
    stdout,
    text: stdout.toString(),
    stderr: Buffer.from(run.stderr).toString(),
  };
}

/** A file of `mib` MiB of numbered lines (numbers spelled in letters: no rule reads them), so a lost or repeated chunk shows. */
function bigFile(dir: string, mib: number): string {
  const path = join(dir, "big.txt");
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < mib * MIB; i++) {
    const line = `line ${i.toString(26).replace(/\d/g, (d) => "qrstuvwxyz"[Number(d)]!)} of the relay test\n`;
    lines.push(line);
    size += line.length;
  }
  writeFileSync(path, lines.join(""));
  return path;
}

describe("the stdout relay's worker thread", () => {
  it("relays every byte in order, and the window still sees the end", async () => {
    const sandbox = createSandbox();
    const big = bigFile(sandbox.dir, 24);
    const run = await viaShell(
      `$AUTHWRAP -v -- sh -c 'cat "${big}"; echo "HTTP 401 Unauthorized"; exit 1' | cat`,
      sandbox,
    );
    expect(run.stderr).toMatch(HANDED);
    const expected = Buffer.concat([
      readFileSync(big),
      Buffer.from("HTTP 401 Unauthorized\n"),
    ]);
    expect(Buffer.compare(run.stdout, expected)).toBe(0);
    // The verdict comes from the last line, which only the worker relayed.
    expect(run.stderr).toMatch(/"code":"UNAUTHENTICATED"/);
  });

  it("a worker that fails (here: a broken install of it) hands the stream back: every byte arrives, nothing hangs", async () => {
    const sandbox = createSandbox();
    const big = bigFile(sandbox.dir, 20);
    // A copy of the package whose worker throws as it loads.
    const copy = join(sandbox.dir, "pkg");
    mkdirSync(copy);
    for (const part of ["bin", "dist", "package.json"])
      cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    writeFileSync(
      join(copy, "dist", "relay-worker.cjs"),
      'throw new Error("a broken relay worker");\n',
    );
    const run = await execa(
      "sh",
      [
        "-c",
        `"${process.execPath}" "${join(copy, "bin", "authwrap")}" -v -- cat "${big}" | cat`,
      ],
      {
        env: sandbox.env,
        extendEnv: false,
        reject: false,
        stdin: "ignore",
        encoding: "buffer",
        stripFinalNewline: false,
        timeout: 30_000,
      },
    );
    const stderr = Buffer.from(run.stderr).toString();
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(0);
    expect(stderr).toMatch(/stdout relay: error .*broken relay worker/);
    expect(stderr).toMatch(/the main thread relays the rest/);
    expect(Buffer.compare(Buffer.from(run.stdout), readFileSync(big))).toBe(0);
  }, 60_000);

  it("still shows a line as it comes", async () => {
    const sandbox = createSandbox();
    const big = bigFile(sandbox.dir, 20);
    const go = join(sandbox.dir, "go");
    // The child prints the file and a marker, then waits until the test has seen the marker.
    const child = execa(
      "sh",
      [
        "-c",
        `$AUTHWRAP -v --no-reauth -- sh -c 'cat "${big}"; echo MARK; n=0; while [ ! -e "${go}" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done; echo END' | cat`,
      ],
      {
        env: { ...sandbox.env, AUTHWRAP: `${process.execPath} ${BIN}` },
        extendEnv: false,
        reject: false,
        stdin: "ignore",
      },
    );
    let tail = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-64);
      if (tail.endsWith("MARK\n") && !existsSync(go)) writeFileSync(go, "");
    });
    const run = await child;
    expect(run.stderr).toMatch(HANDED);
    expect(existsSync(go)).toBe(true);
    expect(run.stdout.endsWith("MARK\nEND")).toBe(true);
  });

  it("stops the command when the reader goes away", async () => {
    const sandbox = createSandbox();
    // `yes` never ends on its own: only the reader's going away (EPIPE) stops it.
    const run = await viaShell(
      `$AUTHWRAP -v --no-reauth -- yes | head -c ${24 * MIB} | wc -c`,
      sandbox,
    );
    expect(run.text.trim()).toBe(String(24 * MIB));
    expect(run.stderr).toMatch(HANDED);
  });

  it("lets go of a pipe a grandchild holds", async () => {
    const sandbox = createSandbox();
    const big = bigFile(sandbox.dir, 20);
    const run = await viaShell(
      `$AUTHWRAP -v --no-reauth -- sh -c 'cat "${big}"; sleep 60 & exit 0' | wc -c`,
      sandbox,
    );
    expect(run.stderr).toMatch(HANDED);
    expect(run.stderr).toMatch(/stdout relay: cut/);
    expect(Number(run.text.trim())).toBeGreaterThanOrEqual(20 * MIB);
  }, 20_000);
});
