// `npm run bench`: authwrap's own cost as ratios against a baseline measured in the same run,
// alternating the two sides and taking medians. Prints a table and writes bench/results.json.
//   --quick   fewer runs and smaller inputs (CI proves the benchmark runs; figures are rough)
import { spawn, spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const quick = process.argv.includes("--quick");
const RUNS = quick ? 5 : 15;
const STREAM_MIB = quick ? 64 : 1024;
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

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const sh = (script) => () => timeSync("sh", ["-c", script]);
function timeSync(command, args, options = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, {
    env,
    stdio: ["ignore", "ignore", "pipe"],
    ...options,
  });
  if (result.status !== 0 && !options.allowFailure)
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`,
    );
  return performance.now() - started;
}
/** Runs both sides RUNS times, alternating, and returns their medians and ratio. */
function compare(name, subject, baseline, runs = RUNS) {
  subject();
  baseline(); // warm the file cache
  const a = [],
    b = [];
  for (let i = 0; i < runs; i++) {
    a.push(subject());
    b.push(baseline());
  }
  const row = {
    name,
    authwrap_ms: round(median(a)),
    baseline_ms: round(median(b)),
    ratio: round(median(a) / median(b), 3),
  };
  console.error(
    `  ${name}: ${row.authwrap_ms} ms vs ${row.baseline_ms} ms → ${row.ratio}×`,
  );
  return row;
}
const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const demo = (...args) =>
  spawnSync(join(root, "fixtures/bin/democli"), args, { env });

/** Peak RSS (VmHWM) of the authwrap process inside a shell pipeline, sampled from /proc. */
async function peakRss(script) {
  const shell = spawn("sh", ["-c", script], { env, stdio: "ignore" });
  let peak = 0;
  const sample = () => {
    try {
      for (const pid of readFileSync(
        `/proc/${shell.pid}/task/${shell.pid}/children`,
        "utf8",
      )
        .trim()
        .split(/\s+/)
        .filter(Boolean)) {
        if (
          !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("bin/authwrap")
        )
          continue;
        const kb = Number(
          /VmHWM:\s+(\d+)/.exec(
            readFileSync(`/proc/${pid}/status`, "utf8"),
          )?.[1] ?? 0,
        );
        peak = Math.max(peak, kb);
      }
    } catch {
      /* the process is gone between reads */
    }
  };
  const timer = setInterval(sample, 10);
  await new Promise((resolve) => shell.on("exit", resolve));
  clearInterval(timer);
  return round(peak / 1024);
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
console.error(
  `authwrap benchmark (${quick ? "quick" : "full"}, ${RUNS} runs per side, medians)`,
);

// 1. Start-up: a command that succeeds.
results.rows.push(
  compare(
    "start-up: authwrap -- true vs node -e 0",
    () => timeSync(node, [bin, "--", "true"]),
    () => timeSync(node, ["-e", "0"]),
  ),
);
results.rows.push(
  compare(
    "floor: node spawning true vs node -e 0",
    () => timeSync(node, ["-e", 'require("child_process").spawnSync("true")']),
    () => timeSync(node, ["-e", "0"]),
  ),
);

// 2. Streaming throughput and memory.
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
const streamRuns = quick ? 3 : 10;
results.rows.push(
  compare(
    `throughput: authwrap -- cat ${STREAM_MIB} MiB | cat vs cat | cat`,
    sh(`"${node}" "${bin}" -- cat "${big}" | cat >/dev/null`),
    sh(`cat "${big}" | cat >/dev/null`),
    streamRuns,
  ),
);
const rss = await peakRss(
  `"${node}" "${bin}" -- cat "${big}" | cat >/dev/null`,
);
results.rows.push({
  name: `peak RSS while streaming ${STREAM_MIB} MiB (MiB)`,
  authwrap_ms: null,
  baseline_ms: null,
  ratio: null,
  value: rss,
});
console.error(`  peak RSS streaming ${STREAM_MIB} MiB: ${rss} MiB`);
rmSync(big);

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
results.rows.push(
  compare(
    "classify: 10 MiB adversarial stderr vs node -e 0",
    () =>
      timeSync(
        node,
        [bin, "classify", "--tool", "aws", "--stderr", adversarial],
        { allowFailure: true },
      ),
    () => timeSync(node, ["-e", "0"]),
  ),
);

// 4. The re-auth path: one expired call (re-auth + retry) vs one successful call.
demo("auth", "login");
const expiredCall = () => {
  demo("auth", "expire");
  return timeSync(node, [bin, "--", "democli", "status"]);
};
const okCall = () => timeSync(node, [bin, "--", "democli", "status"]);
results.rows.push(
  compare(
    "re-auth path: expired call vs successful call",
    expiredCall,
    okCall,
    quick ? 3 : 7,
  ),
);

// 5. Concurrency: 32 concurrent expired calls vs one expired call.
const parallel = async (count, expired = true) => {
  if (expired) demo("auth", "expire");
  rmSync(join(work, "demo", "refresh.log"), { force: true });
  const started = performance.now();
  const codes = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve) =>
          spawn(node, [bin, "--", "democli", "status"], {
            env,
            stdio: "ignore",
          }).on("exit", resolve),
        ),
    ),
  );
  const ms = performance.now() - started;
  let refreshes = 0;
  try {
    refreshes = readFileSync(join(work, "demo", "refresh.log"), "utf8")
      .trim()
      .split("\n").length;
  } catch {
    /* no log: no re-auth ran */
  }
  return { ms, refreshes, ok: codes.filter((c) => c === 0).length };
};
{
  const many = [],
    one = [],
    manyOk = [],
    oneOk = [];
  let last;
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    last = await parallel(CONCURRENCY);
    many.push(last.ms);
    one.push((await parallel(1)).ms);
    manyOk.push((await parallel(CONCURRENCY, false)).ms);
    oneOk.push((await parallel(1, false)).ms);
  }
  const row = {
    name: `concurrency: ${CONCURRENCY} concurrent expired calls vs one`,
    authwrap_ms: round(median(many)),
    baseline_ms: round(median(one)),
    ratio: round(median(many) / median(one), 3),
    refreshes: last.refreshes,
    exit_0: last.ok,
  };
  console.error(
    `  ${row.name}: ${row.ratio}× (re-auth ran ${last.refreshes} times, ${last.ok}/${CONCURRENCY} exited 0)`,
  );
  results.rows.push(row);
  // The same 32 calls with a valid credential: what ${CONCURRENCY} Node processes cost on these cores.
  const floor = {
    name: `floor: ${CONCURRENCY} concurrent successful calls vs one`,
    authwrap_ms: round(median(manyOk)),
    baseline_ms: round(median(oneOk)),
    ratio: round(median(manyOk) / median(oneOk), 3),
  };
  console.error(`  ${floor.name}: ${floor.ratio}×`);
  results.rows.push(floor);
}

const TARGETS = [
  [/^start-up/, 1.15],
  [/^throughput/, 1.1],
  [/^classify/, 3],
  [/^concurrency/, 3],
];
console.log(
  "\n| measure | authwrap | baseline | ratio | target |\n|---|---|---|---|---|",
);
for (const row of results.rows) {
  const target = TARGETS.find(([re]) => re.test(row.name))?.[1];
  if (row.name.startsWith("peak RSS")) {
    console.log(
      `| ${row.name} | ${row.value} MiB | | | ≤ 100 MiB ${row.value <= 100 ? "met" : "missed"} |`,
    );
    continue;
  }
  const verdict =
    target === undefined
      ? ""
      : `≤ ${target}× ${row.ratio <= target ? "met" : "missed"}`;
  console.log(
    `| ${row.name} | ${row.authwrap_ms} ms | ${row.baseline_ms} ms | ${row.ratio}× | ${verdict} |`,
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
