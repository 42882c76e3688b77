// `authwrap demo`: the built-in demo (fixtures/demo/run.sh on fixtures/bin/democli), shipped in
// the package so it runs after `npm install -g` as well as from a clone.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { VerbIO } from "./index.js";

export function runDemo(context: VerbIO): Promise<number> {
  // dist/verbs/demo.js and src/verbs/demo.ts both sit two folders below the package root.
  const script = fileURLToPath(
    new URL("../../fixtures/demo/run.sh", import.meta.url),
  );
  const child = spawn("bash", [script], {
    stdio: ["ignore", "pipe", "pipe"],
    env: context.env as NodeJS.ProcessEnv,
  });
  child.stdout.pipe(context.stdout, { end: false });
  child.stderr.pipe(context.stderr, { end: false });
  return new Promise((resolve) => {
    child.once("error", () => resolve(127));
    child.once("close", (code) => resolve(code ?? 1));
  });
}
