// zod validation of a parsed rule file, with messages that name file › rule › field and
// suggest the nearest valid key. Loaded only when a user's rule file is read.
import { z } from "zod";
import { AuthwrapError } from "../errors.js";
import { PROBE_KINDS, ruleFileSchema, type RuleFile } from "./schema.js";
import { nearest } from "../suggest.js";

/** Every key the format knows, read from the zod schema itself, so "did you mean" never lags behind it. */
let knownKeys: string[] | undefined;
function allKeys(): string[] {
  knownKeys ??= [
    ...collectKeys(
      z.toJSONSchema(ruleFileSchema, { io: "input", unrepresentable: "any" }),
      new Set(),
    ),
  ];
  return knownKeys;
}

function collectKeys(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) collectKeys(item, into);
  else if (node !== null && typeof node === "object")
    for (const [key, value] of Object.entries(node)) {
      if (key === "properties" && value !== null && typeof value === "object")
        for (const name of Object.keys(value)) into.add(name);
      collectKeys(value, into);
    }
  return into;
}

export function validateRuleFile(raw: unknown, path: string): RuleFile {
  const result = ruleFileSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = mostSpecific(result.error.issues);
  const { rule, field, probe } = locate(raw, issue.path);
  const where = [
    path,
    rule ? (probe ? rule : `rule ${rule}`) : undefined,
    field || (rule ? undefined : "(top level)"),
  ]
    .filter(Boolean)
    .join(" › ");
  throw new AuthwrapError(
    "INVALID_RULES",
    `${where}: ${describeIssue(issue, raw)}`,
    { file: path, rule, field },
  );
}

/** Turns `rules.2.when.stderr` into the rule's id and the field path inside it. */
function locate(
  raw: unknown,
  path: PropertyKey[],
): { rule?: string; field: string; probe?: boolean } {
  if (path[0] === "probes" && typeof path[1] === "number") {
    const probes = (raw as { probes?: Array<{ kind?: unknown }> }).probes;
    const kind = probes?.[path[1]]?.kind;
    const label = `probe #${path[1] + 1}${typeof kind === "string" ? ` (${kind})` : ""}`;
    return { rule: label, field: formatPath(path.slice(2)), probe: true };
  }
  if (path[0] === "rules" && typeof path[1] === "number") {
    const rules = (raw as { rules?: Array<{ id?: unknown }> }).rules;
    const id = rules?.[path[1]]?.id;
    const rule = typeof id === "string" && id ? id : `#${path[1] + 1}`;
    return { rule, field: formatPath(path.slice(2)) };
  }
  return { field: formatPath(path) };
}

function formatPath(path: PropertyKey[]): string {
  return path
    .map((key, i) =>
      typeof key === "number"
        ? `[${key}]`
        : `${i === 0 ? "" : "."}${String(key)}`,
    )
    .join("");
}

type Issue = z.core.$ZodIssue;

/**
 * The issue that best explains the fault: an unknown key (usually a typo) before the missing
 * key it stands for, and inside a union the branch whose shape was meant, not the first one.
 */
function mostSpecific(issues: Issue[], prefix: PropertyKey[] = []): Issue {
  const ranked = [...issues].sort(
    (a, b) =>
      Number(b.code === "unrecognized_keys") -
      Number(a.code === "unrecognized_keys"),
  );
  const issue = ranked[0]!;
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const meant = issue.errors.find(
      (branch) =>
        !branch.every(
          (inner) => inner.code === "invalid_type" && inner.path.length === 0,
        ),
    );
    if (meant && meant.length > 0) return mostSpecific(meant, path);
  }
  return { ...issue, path } as Issue;
}

function describeIssue(issue: Issue, raw: unknown): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((key) => {
        const near = nearest(key, allKeys());
        return `unknown key "${key}"${near ? `; did you mean "${near}"?` : ""}`;
      })
      .join("; ");
  }
  if (issue.code === "invalid_value" && "values" in issue) {
    const allowed = issue.values.map((v) => String(v));
    const input = valueAt(raw, issue.path);
    const got = input === undefined ? "" : ` "${String(input)}"`;
    const near =
      typeof input === "string" ? nearest(input, allowed) : undefined;
    return `invalid value${got}; expected one of ${allowed.join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`;
  }
  if (
    issue.code === "invalid_union" &&
    issue.errors.length === 0 &&
    "discriminator" in issue &&
    issue.discriminator === "kind"
  ) {
    // A probe of a kind authwrap does not know (schema.ts PROBE_KINDS).
    const input = valueAt(raw, issue.path);
    const near =
      typeof input === "string" ? nearest(input, PROBE_KINDS) : undefined;
    return `${input === undefined ? "missing" : `unknown probe kind "${String(input)}"`}; expected one of ${PROBE_KINDS.join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`;
  }
  if (issue.code === "invalid_union")
    return "not an accepted form; see `authwrap schema classifier`";
  return issue.message
    .replace(/^Invalid input: /, "")
    .replace(
      /^expected object, received undefined$/,
      "missing; expected an object",
    );
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let value = raw;
  for (const key of path)
    value =
      value !== null && typeof value === "object"
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined;
  return value;
}
