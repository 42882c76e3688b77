// `2>&1`: when authwrap's stdout and stderr are one file or pipe, the child gets one socket for
// both (src/run/shared-output.ts), so its lines arrive in the order it wrote them.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { BIN, createSandbox } from "./helpers/run.js";

const LINES = 2000;
// Even lines on stdout, odd ones on stderr, one write each.
const ALTERNATE = `i=0; while [ $i -lt ${LINES} ]; do if [ $((i%2)) = 0 ]; then echo "line $i"; else echo "line $i" >&2; fi; i=$((i+1)); done`;
const expected = Array.from({ length: LINES }, (_, i) => `line ${i}\n`).join(
  "",
);

function shell(script: string, sandbox: ReturnType<typeof createSandbox>) {
  return execa("sh", ["-c", script], {
    env: { ...sandbox.env, AUTHWRAP: `${process.execPath} ${BIN}` },
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
}

describe("stdout and stderr that are one file", () => {
  it("keep the child's order in a file (> log 2>&1)", async () => {
    const sandbox = createSandbox();
    const log = join(sandbox.dir, "log");
    const run = await shell(
      `$AUTHWRAP -- sh -c '${ALTERNATE}' > "${log}" 2>&1`,
      sandbox,
    );
    expect(run.exitCode).toBe(0);
    expect(readFileSync(log, "utf8")).toBe(expected);
  });

  it("keep the child's order in a pipe (2>&1 | cat)", async () => {
    const sandbox = createSandbox();
    const run = await shell(
      `$AUTHWRAP -- sh -c '${ALTERNATE}' 2>&1 | cat`,
      sandbox,
    );
    expect(run.stdout + "\n").toBe(expected);
  });

  it("are classified together: stderr's words still decide", async () => {
    const sandbox = createSandbox();
    const code = await shell(
      `$AUTHWRAP -- sh -c 'echo "HTTP 401 Unauthorized" >&2; exit 1' >/dev/null 2>&1; echo $?`,
      sandbox,
    );
    expect(code.stdout.trim()).toBe("8");
  });

  it("still stream each line as it comes", async () => {
    const sandbox = createSandbox();
    const go = join(sandbox.dir, "go");
    // The child prints a line, then waits until the test has seen it; held back, it never would be.
    const child = execa(
      "sh",
      [
        "-c",
        `$AUTHWRAP --no-reauth -- sh -c 'echo first; echo err >&2; n=0; while [ ! -e "${go}" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done; echo second' 2>&1 | cat`,
      ],
      {
        env: { ...sandbox.env, AUTHWRAP: `${process.execPath} ${BIN}` },
        extendEnv: false,
        reject: false,
        stdin: "ignore",
      },
    );
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes("err\n") && !existsSync(go)) writeFileSync(go, "");
    });
    const run = await child;
    expect(existsSync(go)).toBe(true);
    expect(run.stdout).toMatch(/^first\nerr\nsecond/);
  });
});
