// What the pseudo-terminal path (src/run/pty.ts) adds to a run: loading @lydell/node-pty in a
// fresh process, and running `true` in a pty against node:child_process with pipes. Medians of
// many runs, since the machine may be busy. Run: node scripts/bench-pty.mjs
import { execFileSync, spawn as spawnPipes } from "node:child_process";

const RUNS = Number(process.env.RUNS ?? 40);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// Loading: a fresh node each time, so nothing is cached in the process.
const load = [];
for (let i = 0; i < RUNS / 2; i++) {
  const out = execFileSync(process.execPath, [
    "--input-type=module",
    "-e",
    'const t = performance.now(); await import("@lydell/node-pty"); console.log(performance.now() - t);',
  ]);
  load.push(Number(String(out)));
}

const { spawn: spawnPty } = await import("@lydell/node-pty");
const timeRun = (start) =>
  new Promise((resolve) => {
    const t = performance.now();
    start(() => resolve(performance.now() - t));
  });
const pty = [];
const pipes = [];
for (let i = 0; i < RUNS; i++) {
  pty.push(
    await timeRun((done) => {
      const child = spawnPty("true", [], {
        encoding: null,
        cols: 80,
        rows: 24,
      });
      child.onExit(done);
    }),
  );
  pipes.push(
    await timeRun((done) => {
      const child = spawnPipes("true", [], {
        stdio: ["inherit", "pipe", "pipe"],
      });
      child.stdout.resume();
      child.stderr.resume();
      child.on("close", done);
    }),
  );
}
const ms = (value) => `${value.toFixed(1)} ms`;
console.log(
  `load @lydell/node-pty (fresh process): median ${ms(median(load))}`,
);
console.log(
  `run \`true\` in a pty, spawn to exit:     median ${ms(median(pty))}`,
);
console.log(
  `run \`true\` with pipes, spawn to close:  median ${ms(median(pipes))}`,
);
console.log(
  `pty path start-up cost ≈ ${ms(median(load) + median(pty) - median(pipes))}`,
);
