// Scores verdicts against the corpus labels (../shared/LABELS.md): one module for `npm run
// accuracy` and for the test that holds the figures to their targets.
import { LABELS } from "./corpus.mjs";

export const VERDICTS = ["expired", "unauthenticated", "denied", "other"];
export const TARGETS = {
  overall: 0.97,
  check: 0.93,
  falseAuth: 0,
  expiredAsDenied: 0,
};

export const verdictOf = (code) =>
  ({
    CREDENTIALS_EXPIRED: "expired",
    UNAUTHENTICATED: "unauthenticated",
    PERMISSION_DENIED: "denied",
  })[code] ?? "other";

/** Whether a verdict is right for a label; an ambiguous refusal may be read as either auth verdict. */
export function isRight(label, verdict) {
  if (label === "ambiguous")
    return verdict === "unauthenticated" || verdict === "expired";
  return label === verdict;
}

/** results: [{ id, tool, label, split, code, exit }] → figures. */
export function score(results) {
  const rate = (rows) =>
    rows.length === 0 ? 1 : rows.filter((r) => r.right).length / rows.length;
  const rows = results.map((r) => ({
    ...r,
    verdict: verdictOf(r.code),
    right: isRight(r.label, verdictOf(r.code)),
  }));
  const confusion = (subset) =>
    Object.fromEntries(
      LABELS.map((l) => [
        l,
        Object.fromEntries(
          VERDICTS.map((v) => [
            v,
            subset.filter((r) => r.label === l && r.verdict === v).length,
          ]),
        ),
      ]),
    );
  const split = (name) => rows.filter((r) => r.split === name);
  const byTool = new Map();
  for (const r of rows) byTool.set(r.tool, [...(byTool.get(r.tool) ?? []), r]);
  return {
    count: rows.length,
    tools: byTool.size,
    overall: rate(rows),
    train: rate(split("train")),
    check: rate(split("check")),
    counts: { train: split("train").length, check: split("check").length },
    byLabel: Object.fromEntries(
      LABELS.map((l) => [
        l,
        {
          train: rate(split("train").filter((r) => r.label === l)),
          check: rate(split("check").filter((r) => r.label === l)),
          n: rows.filter((r) => r.label === l).length,
        },
      ]),
    ),
    confusion: {
      train: confusion(split("train")),
      check: confusion(split("check")),
    },
    falseAuth: rows.filter(
      (r) => r.label === "other" && (r.exit === 8 || r.exit === 10),
    ),
    expiredAsDenied: rows.filter(
      (r) => r.label === "expired" && r.verdict === "denied",
    ),
    byTool: [...byTool]
      .map(([tool, list]) => ({ tool, n: list.length, rate: rate(list) }))
      .sort((a, b) => b.n - a.n),
    misses: rows.filter((r) => !r.right),
  };
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;

/** The report `npm run accuracy` prints; misses are listed only from the splits asked for. */
export function formatReport(s, { showMisses = ["train"] } = {}) {
  const lines = [
    `authwrap accuracy: ${s.count} real outputs from ${s.tools} tools (fixtures/cases), labelled by LABELS.md`,
    "",
  ];
  lines.push(
    `overall ${pct(s.overall)}   train ${pct(s.train)} (${s.counts.train})   check ${pct(s.check)} (${s.counts.check})   targets: overall ≥ ${pct(TARGETS.overall)}, check ≥ ${pct(TARGETS.check)}`,
  );
  lines.push(
    "",
    `per label        ${"train".padStart(8)}${"check".padStart(8)}${"cases".padStart(8)}`,
  );
  for (const [label, v] of Object.entries(s.byLabel))
    lines.push(
      `  ${label.padEnd(15)}${pct(v.train).padStart(8)}${pct(v.check).padStart(8)}${String(v.n).padStart(8)}`,
    );
  for (const name of ["train", "check"]) {
    lines.push(
      "",
      `confusion (${name}), rows = label, columns = verdict`,
      `  ${"".padEnd(16)}${VERDICTS.map((v) => v.padStart(16)).join("")}`,
    );
    for (const [label, row] of Object.entries(s.confusion[name]))
      lines.push(
        `  ${label.padEnd(16)}${VERDICTS.map((v) => String(row[v]).padStart(16)).join("")}`,
      );
  }
  lines.push("", "per tool (tools with 4 or more cases)");
  for (const t of s.byTool.filter((t) => t.n >= 4))
    lines.push(
      `  ${t.tool.padEnd(28)}${String(t.n).padStart(5)}  ${pct(t.rate)}`,
    );
  const rest = s.byTool.filter((t) => t.n < 4);
  const restRight = rest.reduce((n, t) => n + t.rate * t.n, 0);
  const restCount = rest.reduce((n, t) => n + t.n, 0);
  lines.push(
    `  ${`${rest.length} other tools`.padEnd(28)}${String(restCount).padStart(5)}  ${pct(restCount ? restRight / restCount : 1)}`,
  );
  const listed = (list) => list.filter((r) => showMisses.includes(r.split));
  lines.push(
    "",
    `non-auth outputs turned into exit 8 or 10: ${s.falseAuth.length}`,
  );
  for (const r of listed(s.falseAuth))
    lines.push(`  ${r.id} (${r.split}) → ${r.code}`);
  lines.push(`expired read as denied: ${s.expiredAsDenied.length}`);
  for (const r of listed(s.expiredAsDenied))
    lines.push(`  ${r.id} (${r.split})`);
  const shown = s.misses.filter((r) => showMisses.includes(r.split));
  lines.push(
    "",
    `misses: ${s.misses.length} (${s.misses.filter((r) => r.split === "check").length} in the check split, not listed unless --show-check)`,
  );
  for (const r of shown)
    lines.push(
      `  ${r.id} [${r.split}]: ${r.label} → ${r.code}${r.rule ? ` by ${r.rule}` : ""}`,
    );
  return lines.join("\n");
}
