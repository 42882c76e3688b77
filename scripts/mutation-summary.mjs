// Summarises a StrykerJS JSON report (default reports/mutation/mutation.json, written by
// `npm run mutation`) as Markdown: the score per module and overall, then every surviving and
// uncovered mutant as file:line, mutator, original → replacement. Used for docs/MUTATION.md.
//   node scripts/mutation-summary.mjs [report.json ...]   (several reports are merged)
import { readFileSync } from "node:fs";

const paths = process.argv.slice(2);
const files = {};
for (const path of paths.length > 0
  ? paths
  : ["reports/mutation/mutation.json"]) {
  Object.assign(files, JSON.parse(readFileSync(path, "utf8")).files);
}

const UNDETECTED = new Set(["Survived", "NoCoverage"]);
const pct = (n, d) => (d === 0 ? "n/a" : `${((100 * n) / d).toFixed(1)}%`);
const short = (text) => {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > 70 ? `${one.slice(0, 67)}…` : one;
};
const cell = (text) =>
  `\`${short(text).replaceAll("`", "'").replaceAll("|", "\\|")}\``;

/** The source text a mutant replaced (locations are 1-based lines, 0-based columns). */
function original(source, { start, end }) {
  const lines = source.split("\n");
  if (start.line === end.line)
    return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [
    lines[start.line - 1].slice(start.column - 1),
    ...lines.slice(start.line, end.line - 1),
    lines[end.line - 1].slice(0, end.column - 1),
  ].join("\n");
}

const rows = [];
const total = {
  killed: 0,
  timeout: 0,
  survived: 0,
  noCoverage: 0,
  ignored: 0,
  other: 0,
};
const undetected = [];
for (const [name, file] of Object.entries(files).sort(([a], [b]) =>
  a.localeCompare(b),
)) {
  const count = (status) =>
    file.mutants.filter((m) => m.status === status).length;
  const c = {
    killed: count("Killed"),
    timeout: count("Timeout"),
    survived: count("Survived"),
    noCoverage: count("NoCoverage"),
    ignored: count("Ignored"),
  };
  c.other =
    file.mutants.length -
    c.killed -
    c.timeout -
    c.survived -
    c.noCoverage -
    c.ignored;
  for (const key of Object.keys(total)) total[key] += c[key];
  const detected = c.killed + c.timeout;
  rows.push(
    `| ${name} | ${file.mutants.length} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.ignored} | ${pct(detected, detected + c.survived + c.noCoverage)} | ${pct(detected, detected + c.survived)} |`,
  );
  for (const m of file.mutants
    .filter((x) => UNDETECTED.has(x.status))
    .sort(
      (a, b) =>
        a.location.start.line - b.location.start.line ||
        a.location.start.column - b.location.start.column,
    )) {
    undetected.push({
      name,
      line: m.location.start.line,
      status: m.status,
      mutator: m.mutatorName,
      from: original(file.source, m.location),
      to: m.replacement ?? "",
    });
  }
}
const detected = total.killed + total.timeout;
console.log(
  "| module | mutants | killed | timed out | survived | no coverage | ignored (static) | score | score of covered |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
console.log(
  `| **all** | ${detected + total.survived + total.noCoverage + total.ignored + total.other} | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} | ${total.ignored} | **${pct(detected, detected + total.survived + total.noCoverage)}** | ${pct(detected, detected + total.survived)} |`,
);
for (const name of [...new Set(undetected.map((u) => u.name))]) {
  console.log(`\n#### ${name}\n`);
  console.log("| line | status | mutator | original → replacement |");
  console.log("|---:|---|---|---|");
  for (const u of undetected.filter((x) => x.name === name))
    console.log(
      `| ${u.line} | ${u.status === "NoCoverage" ? "no coverage" : "survived"} | ${u.mutator} | ${cell(u.from)} → ${cell(u.to)} |`,
    );
}
