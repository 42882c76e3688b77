// `npm run bench`: authwrap's own cost as ratios against baselines measured in the same run,
// alternating the sides and taking medians. Wall time and CPU time (user+sys of every process in
// the measured command, from bash's `times`): the machine is shared, so wall is noisy and CPU is
// the figure to compare. Prints a table and writes bench/results.json.
//   --quick   fewer runs and smaller inputs (CI proves the benchmark runs; figures are rough)
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const quick = process.argv.includes("--quick");
const RUNS = quick ? 3 : 15;
const STREAM_MIB = quick ? 64 : 512;
const STREAM_RUNS = quick ? 2 : 9;
const CONCURRENCY = 32;
const bin = join(root, "bin/authwrap");
const node = process.execPath;
const work = mkdtempSync(join(tmpdir(), "authwrap-bench-"));
const env = {
  ...process.env,
  PATH: `${join(root, "fixtures/bin")}:${process.env.PATH}`,
  DEMOCLI_HOME: join(work, "demo"),
  HOME: work,
  XDG_CONFIG_HOME: join(work, "config"),
};
for (const key of Object.keys(env))
  if (key.startsWith("AUTHWRAP_") || key === "CI") delete env[key];

const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;
const AW = `${q(node)} ${q(bin)}`;
const NODE = q(node);
const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Runs a bash script; returns its wall ms and the CPU ms (user+sys) of everything it ran. */
function measure(script, { allowFailure = false } = {}) {
  const started = performance.now();
  const result = spawnSync("bash", ["-c", `${script}\ntimes`], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  const wall = performance.now() - started;
  if (result.status !== 0 && !allowFailure)
    throw new Error(`${script} exited ${result.status}: ${result.stderr}`);
  // `times`: the shell's user and sys, then its children's.
  const lines = result.stdout.trim().split("\n");
  const secs = [...lines.at(-1).matchAll(/(\d+)m([\d.]+)s/g)].map(
    (m) => Number(m[1]) * 60 + Number(m[2]),
  );
  return { wall, cpu: (secs[0] + secs[1]) * 1000 };
}

/**
 * Runs every script `runs` times, alternating them, after one warm-up round; returns the
 * median wall and CPU of each.
 */
function alternate(scripts, runs = RUNS, options) {
  const samples = scripts.map(() => ({ wall: [], cpu: [] }));
  // One warm-up round (file cache, JIT of the shell) unless --quick, which must stay short.
  for (let i = quick ? 0 : -1; i < runs; i++)
    scripts.forEach((script, j) => {
      const m = measure(script, options);
      if (i < 0) return;
      samples[j].wall.push(m.wall);
      samples[j].cpu.push(m.cpu);
    });
  return samples.map((s) => ({ wall: median(s.wall), cpu: median(s.cpu) }));
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  memory_gib: round(totalmem() / 2 ** 30),
  quick,
  runs: RUNS,
  rows: [],
};
/** One row: a subject against a baseline, wall and CPU, with an optional target on a ratio. */
function row(name, subject, baseline, extra = {}) {
  const r = {
    name,
    wall_ms: round(subject.wall),
    baseline_wall_ms: round(baseline.wall),
    wall_ratio: round(subject.wall / baseline.wall, 3),
    cpu_ms: round(subject.cpu),
    baseline_cpu_ms: round(baseline.cpu),
    cpu_ratio: round(subject.cpu / baseline.cpu, 3),
    ...extra,
  };
  results.rows.push(r);
  console.error(
    `  ${name}: wall ${r.wall_ms} vs ${r.baseline_wall_ms} ms (${r.wall_ratio}×), CPU ${r.cpu_ms} vs ${r.baseline_cpu_ms} ms (${r.cpu_ratio}×)`,
  );
  return r;
}
console.error(
  `authwrap benchmark (${quick ? "quick" : "full"}, ${RUNS} runs per side, alternated, medians)`,
);

// 1. Start-up: a command that succeeds, against `node -e 0` and against the floor of any Node
// wrapper: Node spawning `true` with three pipes and waiting for it, as authwrap does.
{
  const floorScript = `${NODE} -e 'require("child_process").spawn("true",{stdio:["ignore","pipe","pipe"]})'`;
  const [aw, bare, floor] = alternate([
    `${AW} -- true </dev/null`,
    `${NODE} -e 0`,
    floorScript,
  ]);
  row("start-up: authwrap -- true vs node -e 0", aw, bare, {
    target: "≤ 1.20× wall",
    met: aw.wall / bare.wall <= 1.2,
  });
  row("floor: node spawning true vs node -e 0", floor, bare);
  row("start-up: authwrap -- true vs that floor", aw, floor, {
    above_floor_wall_ms: round(aw.wall - floor.wall),
    above_floor_cpu_ms: round(aw.cpu - floor.cpu),
    target: "≤ 8 ms above the floor (wall)",
    met: aw.wall - floor.wall <= 8,
  });
  console.error(
    `    ${round(aw.wall - floor.wall)} ms wall, ${round(aw.cpu - floor.cpu)} ms CPU above the floor`,
  );
}

// 2. Streaming throughput and memory; the middle-man floor is a third `cat` in the pipe.
const big = join(work, "big.txt");
{
  const fd = openSync(big, "w");
  const mib = Buffer.alloc(
    1024 * 1024,
    "authwrap streams this line unchanged\n",
  );
  for (let i = 0; i < STREAM_MIB; i++) writeSync(fd, mib);
  closeSync(fd);
}
{
  const [aw, bare, middle] = alternate(
    [
      `${AW} -- cat ${q(big)} | cat >/dev/null`,
      `cat ${q(big)} | cat >/dev/null`,
      `cat ${q(big)} | cat | cat >/dev/null`,
    ],
    STREAM_RUNS,
  );
  row(
    `throughput: authwrap -- cat ${STREAM_MIB} MiB | cat vs cat | cat`,
    aw,
    bare,
    {
      target: "CPU ≤ 1.25×, wall ≤ 1.30×",
      met: aw.cpu / bare.cpu <= 1.25 && aw.wall / bare.wall <= 1.3,
    },
  );
  row(`floor: cat | cat | cat (a middle-man) vs cat | cat`, middle, bare);
  row(`throughput: authwrap vs the middle-man floor`, aw, middle);
}
const rss = await peakRss(`${AW} -- cat ${q(big)} | cat >/dev/null`);
const nodeRss = await peakRss(
  `${NODE} -e 'setTimeout(()=>{},300)' authwrap-bench-idle`,
  "authwrap-bench-idle",
);
results.rows.push({
  name: `peak RSS while streaming ${STREAM_MIB} MiB (MiB)`,
  value: rss,
  node_idle: nodeRss,
  target: "≤ 60 MiB",
  met: rss <= 60,
});
console.error(
  `  peak RSS streaming ${STREAM_MIB} MiB: ${rss} MiB (an idle node: ${nodeRss} MiB)`,
);
rmSync(big);

/** Peak RSS (VmHWM) of a process whose command line contains `marker`, sampled from /proc. */
async function peakRss(script, marker = "bin/authwrap") {
  const shell = spawn("sh", ["-c", script], { env, stdio: "ignore" });
  let peak = 0;
  const sample = () => {
    try {
      const children = readFileSync(
        `/proc/${shell.pid}/task/${shell.pid}/children`,
        "utf8",
      );
      for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
        if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker))
          continue;
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      }
    } catch {
      /* the process is gone between reads */
    }
  };
  const timer = setInterval(sample, 5);
  await new Promise((resolve) => shell.on("exit", resolve));
  clearInterval(timer);
  return round(peak / 1024);
}

// 3. Classification of 10 MiB of adversarial stderr: long lines and many near-matches.
const adversarial = join(work, "adversarial.txt");
{
  const near = [
    "token expire",
    "401 Unauthorize",
    "An error occurred (ExpiredToke",
    "is not authorized to perfor",
    'WWW-Authenticate: Bearer error="invalid_toke',
    "You must be logged in to the serve",
    '{"error":{"code":"CREDENTIALS_EXPIRE',
  ];
  const lines = [];
  let size = 0;
  for (let i = 0; size < 10 * 1024 * 1024; i++) {
    const line =
      i % 50 === 0
        ? "a".repeat(200_000)
        : `${near[i % near.length]} ${"x".repeat(i % 300)}`;
    lines.push(line);
    size += line.length + 1;
  }
  writeFileSync(adversarial, lines.join("\n"));
}
{
  const [aw, bare] = alternate(
    [
      `${AW} classify --tool aws --stderr ${q(adversarial)} >/dev/null; true`,
      `${NODE} -e 0`,
    ],
    RUNS,
  );
  row("classify: 10 MiB adversarial stderr vs node -e 0", aw, bare);
}

// 4. The re-auth path: one expired call (re-auth + retry) vs one successful call.
const demo = (...args) =>
  spawnSync(join(root, "fixtures/bin/democli"), args, { env });
demo("auth", "login");
const democli = q(join(root, "fixtures/bin/democli"));
{
  const [expired, ok] = alternate(
    [
      `${democli} auth expire; ${AW} -- democli status >/dev/null`,
      `${AW} -- democli status >/dev/null`,
    ],
    quick ? 2 : 7,
  );
  row("re-auth path: expired call vs successful call", expired, ok);
}

// 5. Concurrency: 32 Node processes on two cores are CPU-bound, so the figure is CPU per call.
{
  const many = (expire) =>
    `${expire ? `rm -f ${q(join(work, "demo", "refresh.log"))}; ${democli} auth expire; ` : ""}for i in $(seq ${CONCURRENCY}); do ${AW} -- democli status >/dev/null & done; wait`;
  const [manyExpired, oneExpired, manyOk, oneOk] = alternate(
    [
      many(true),
      `${democli} auth expire; ${AW} -- democli status >/dev/null`,
      many(false),
      `${AW} -- democli status >/dev/null`,
    ],
    quick ? 1 : 3,
  );
  const perCall = (m) => ({
    wall: m.wall / CONCURRENCY,
    cpu: m.cpu / CONCURRENCY,
  });
  // The log of the last round: the 32 calls, then the one expired call's own re-auth.
  let refreshes = 0;
  try {
    refreshes =
      readFileSync(join(work, "demo", "refresh.log"), "utf8")
        .trim()
        .split("\n").length - 1;
  } catch {
    /* no log: no re-auth ran */
  }
  row(
    `concurrency: CPU per call of ${CONCURRENCY} concurrent expired calls vs one expired call`,
    perCall(manyExpired),
    oneExpired,
    { refreshes },
  );
  row(
    `concurrency: CPU per call of ${CONCURRENCY} concurrent successful calls vs one`,
    perCall(manyOk),
    oneOk,
  );
  console.error(
    `    re-auth ran ${refreshes} time(s) for ${CONCURRENCY} expired calls`,
  );
}

console.log(
  "\n| measure | wall | baseline wall | wall × | CPU | baseline CPU | CPU × | target |\n|---|---|---|---|---|---|---|---|",
);
for (const r of results.rows) {
  const verdict = r.target ? `${r.target} ${r.met ? "met" : "missed"}` : "";
  if (r.value !== undefined) {
    console.log(
      `| ${r.name} | ${r.value} MiB | idle node ${r.node_idle} MiB | | | | | ${verdict} |`,
    );
    continue;
  }
  const above =
    r.above_floor_wall_ms !== undefined
      ? ` (+${r.above_floor_wall_ms} ms wall, +${r.above_floor_cpu_ms} ms CPU)`
      : "";
  console.log(
    `| ${r.name}${above} | ${r.wall_ms} ms | ${r.baseline_wall_ms} ms | ${r.wall_ratio}× | ${r.cpu_ms} ms | ${r.baseline_cpu_ms} ms | ${r.cpu_ratio}× | ${verdict} |`,
  );
}
mkdirSync(join(root, "bench"), { recursive: true });
writeFileSync(
  join(root, "bench/results.json"),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(
  `\nfigures written to bench/results.json (${results.date}, node ${results.node}, ${results.cpus} × ${results.cpu})`,
);
rmSync(work, { recursive: true, force: true });
