// Turns a validated rule file into matchers, checking what zod cannot: patterns compile,
// named groups and placeholders are known, ids are unique.
import { AuthwrapError } from "../errors.js";
import { FIELD_NAMES as FIELD_LIST } from "../codes.js";
import { listPlaceholders } from "../classify/template.js";
import { buildRegExp, namedGroups } from "./pattern.js";
import type { EvidenceKind, VerdictCode } from "../types.js";
import type {
  FieldValueSpec,
  JsonTestSpec,
  PatternSpec,
  Rule,
  ProbeSpec,
  RuleFile,
} from "./schema.js";

const FIELD_NAMES: ReadonlySet<string> = new Set(FIELD_LIST);
const BUILTIN_PLACEHOLDERS = new Set(["command", "tool"]);

export interface JsonTest {
  path: string;
  stream: "stdout" | "stderr" | "any";
  equals?: string | number | boolean;
  in?: Array<string | number | boolean>;
  pattern?: RegExp;
}

export type RuleOrigin = "builtin" | "user" | "project" | "extra";

export interface SourceInfo {
  sha256?: string;
  origin: RuleOrigin;
}

export interface CompiledRule {
  id: string;
  source: string;
  /** Where the file came from, and the hash of the bytes loaded (trust is pinned to them). */
  origin: RuleOrigin;
  sourceHash?: string;
  code: VerdictCode;
  exitCodes?: number[];
  stdout?: RegExp;
  stderr?: RegExp;
  output?: RegExp;
  json: JsonTest[];
  message?: string;
  fields: Partial<Record<string, FieldValueSpec>>;
  ambiguous: boolean;
  replayUnsafe: boolean;
  retryable?: boolean;
  evidence: EvidenceKind;
  /** The file's credential this rule's fix applies to. */
  credential?: string;
  examples: NonNullable<Rule["examples"]>;
}

export interface Credential {
  refreshCommand?: string;
  interactive: boolean;
  hint?: string;
}

export interface ToolRules {
  tool: string;
  /** Where the (last layered) file came from. */
  origin: RuleOrigin;
  kind: "tool" | "vocabulary";
  commands: string[];
  /** Vocabularies whose credentials this tool renews. */
  uses: string[];
  /** Lower-case words; a vocabulary's rules are tried only when the output holds one. */
  detect?: string[];
  credentials: Record<string, Credential>;
  midWork?: RegExp;
  refreshCommand?: string;
  /** The file the default refresh command came from, and the hash of its bytes as loaded. */
  refreshSource?: string;
  refreshSourceHash?: string;
  refreshOrigin?: RuleOrigin;
  refreshInteractive: boolean;
  hint?: string;
  envVars: string[];
  /** Where the credential can be read (src/credential/); read only when a verdict or a proactive check needs it. */
  probes: ProbeSpec[];
  /** Who-am-I, run around a re-auth (reauth/identity.ts); where it came from, for trust. */
  identity?: IdentityProbe;
  context: NonNullable<RuleFile["context"]>;
  rules: CompiledRule[];
}

export interface IdentityProbe {
  command: string;
  match?: RegExp;
  source: string;
  sourceHash?: string;
  origin: RuleOrigin;
}

export function compileRuleFile(
  file: RuleFile,
  source: string,
  info: SourceInfo = { origin: "user" },
): ToolRules {
  const seen = new Set<string>();
  const contextNames = new Set(Object.keys(file.context ?? {}));
  const rules = file.rules.map((rule, index) => {
    const where = { file: source, rule: rule.id || `#${index + 1}` };
    if (seen.has(rule.id)) {
      throw new AuthwrapError(
        "INVALID_RULES",
        `${source} › rule ${rule.id} › id: duplicate id; each rule id may appear once per file`,
        {
          ...where,
          field: "id",
          value: rule.id,
        },
      );
    }
    seen.add(rule.id);
    return compileRule(rule, source, contextNames, info);
  });
  for (const [field, template] of [
    ["refresh_command", file.refresh_command],
    ["hint", file.hint],
    ["identity.command", file.identity?.command],
  ] as const) {
    if (template)
      checkPlaceholders(template, contextNames, new Set(), {
        file: source,
        field,
      });
  }
  const credentials: Record<string, Credential> = {};
  for (const [name, spec] of Object.entries(file.credentials ?? {})) {
    for (const [field, template] of [
      ["refresh_command", spec.refresh_command],
      ["hint", spec.hint],
    ] as const) {
      if (template)
        checkPlaceholders(template, contextNames, new Set(), {
          file: source,
          field: `credentials.${name}.${field}`,
        });
    }
    credentials[name] = {
      refreshCommand: spec.refresh_command,
      interactive: spec.interactive ?? false,
      hint: spec.hint,
    };
  }
  const kind = file.kind ?? "tool";
  file.rules.forEach((rule) => checkRuleShape(rule, kind, credentials, source));
  return {
    tool: file.tool,
    origin: info.origin,
    kind,
    commands: file.commands,
    uses: file.uses ?? [],
    detect: file.detect?.map((word) => word.toLowerCase()),
    credentials,
    midWork:
      file.mid_work === undefined
        ? undefined
        : compileSpec(file.mid_work, {
            file: source,
            rule: "(file)",
            field: "mid_work",
          }),
    refreshCommand: file.refresh_command,
    refreshSource: file.refresh_command ? source : undefined,
    refreshSourceHash: file.refresh_command ? info.sha256 : undefined,
    refreshOrigin: file.refresh_command ? info.origin : undefined,
    refreshInteractive: file.refresh_interactive ?? false,
    hint: file.hint,
    envVars: file.env_vars ?? [],
    probes: file.probes ?? [],
    identity: file.identity && {
      command: file.identity.command,
      match:
        file.identity.match === undefined
          ? undefined
          : buildRegExp(file.identity.match, "", {
              file: source,
              rule: "(file)",
              field: "identity.match",
            }),
      source,
      sourceHash: info.sha256,
      origin: info.origin,
    },
    context: file.context ?? {},
    rules,
  };
}

function compileRule(
  rule: Rule,
  source: string,
  contextNames: Set<string>,
  info: SourceInfo,
): CompiledRule {
  const where = { file: source, rule: rule.id };
  const groups = new Set<string>();
  // The built-in files were checked at build time and cannot fail: their RegExps are made on first
  // use, so a call that exits 0 (no rule is asked) makes none. A user's file fails before the run.
  const deferred = info.origin === "builtin";
  const noteGroups = (spec: PatternSpec | undefined) => {
    if (spec === undefined) return;
    for (const name of namedGroups(
      typeof spec === "string" ? spec : spec.pattern,
    ))
      groups.add(name);
  };
  const jsonSpecs: JsonTestSpec[] =
    rule.when.json === undefined ? [] : [rule.when.json].flat();
  const compiled: CompiledRule = {
    id: rule.id,
    source,
    origin: info.origin,
    sourceHash: info.sha256,
    code: rule.code,
    exitCodes:
      rule.when.exit_code === undefined
        ? undefined
        : [rule.when.exit_code].flat(),
    stdout: undefined,
    stderr: undefined,
    output: undefined,
    json: jsonSpecs.map((test, i) =>
      whenUsed(
        {
          path: test.path,
          stream: test.stream ?? "any",
          equals: test.equals,
          in: test.in,
          pattern: undefined as RegExp | undefined,
        },
        "pattern",
        () =>
          test.pattern === undefined
            ? undefined
            : buildRegExp(test.pattern, test.flags ?? "", {
                ...where,
                field: `when.json[${i}].pattern`,
              }),
        deferred,
      ),
    ),
    message: rule.message,
    fields: rule.fields ?? {},
    ambiguous: rule.ambiguous ?? false,
    replayUnsafe: rule.replay_unsafe ?? false,
    retryable: rule.retryable,
    evidence: rule.evidence ?? defaultEvidence(rule),
    credential: rule.credential,
    examples: rule.examples ?? [],
  };
  for (const stream of ["stdout", "stderr", "output"] as const) {
    const spec = rule.when[stream];
    noteGroups(spec);
    whenUsed(
      compiled,
      stream,
      () =>
        spec === undefined
          ? undefined
          : compileSpec(spec, { ...where, field: `when.${stream}.pattern` }),
      deferred,
    );
  }
  if (
    groups.has("refresh_command") ||
    (rule.fields?.refresh_command !== undefined &&
      typeof rule.fields.refresh_command !== "string")
  ) {
    throw new AuthwrapError(
      "INVALID_RULES",
      `${source} › rule ${rule.id} › fields.refresh_command: a command authwrap may run cannot be taken from the command's output (a named group or a JSON path); write it in the rule file, or capture the command into hint, which is only shown`,
      { ...where, field: "fields.refresh_command" },
    );
  }
  const templates: Array<[string, string]> = [];
  if (rule.message) templates.push(["message", rule.message]);
  for (const [name, value] of Object.entries(rule.fields ?? {})) {
    if (typeof value === "string") templates.push([`fields.${name}`, value]);
  }
  const used = new Set<string>();
  for (const [field, template] of templates) {
    // A message may also quote the envelope fields the rule fills. A command that authwrap may
    // run is filled from context only: text captured from the output never reaches a shell.
    const isCommand = field === "fields.refresh_command";
    if (isCommand)
      refuseCapturedInCommand(template, groups, { ...where, field });
    const known =
      field === "message"
        ? new Set([...groups, ...FIELD_NAMES])
        : isCommand
          ? new Set<string>()
          : groups;
    for (const name of checkPlaceholders(template, contextNames, known, {
      ...where,
      field,
    }))
      used.add(name);
  }
  for (const name of groups) {
    if (FIELD_NAMES.has(name) || used.has(name)) continue;
    throw new AuthwrapError(
      "INVALID_RULES",
      `${source} › rule ${rule.id} › when: named group "${name}" is not used; expected one of ${[...FIELD_NAMES].join(", ")}, or a name used as {${name}} in message or fields`,
      { ...where, field: "when", value: name },
    );
  }
  return compiled;
}

function refuseCapturedInCommand(
  template: string,
  groups: Set<string>,
  where: { file: string; rule: string; field: string },
): void {
  const captured = listPlaceholders(template).find((name) => groups.has(name));
  if (captured === undefined) return;
  throw new AuthwrapError(
    "INVALID_RULES",
    `${where.file} › rule ${where.rule} › ${where.field}: {${captured}} is captured from the command's output, which must never choose what authwrap runs; fill it from context (a flag or an environment variable), or put the captured command in hint`,
    { ...where, value: captured },
  );
}

/**
 * Sets `target[key]` from `make()`: now, or (deferred) on first read, after which it is a plain
 * value. Named groups are still collected now for the checks below: only the RegExp waits.
 */
function whenUsed<T extends object, K extends keyof T>(
  target: T,
  key: K,
  make: () => T[K],
  deferred: boolean,
): T {
  if (!deferred) {
    target[key] = make();
    return target;
  }
  Object.defineProperty(target, key, {
    configurable: true,
    enumerable: true,
    get() {
      const value = make();
      Object.defineProperty(target, key, {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      return value;
    },
  });
  return target;
}

function compileSpec(
  spec: PatternSpec,
  where: { file: string; rule: string; field: string },
): RegExp {
  const { pattern, flags } =
    typeof spec === "string" ? { pattern: spec, flags: "" } : spec;
  return buildRegExp(pattern, flags ?? "", where);
}

/** Evidence strength a rule has unless it says otherwise (README "Deciding by evidence"). */
function defaultEvidence(rule: Rule): EvidenceKind {
  if (rule.code === "CREDENTIALS_EXPIRED") return "expiry";
  if (rule.code === "UNAUTHENTICATED")
    return rule.ambiguous ? "status" : "invalid";
  if (rule.code === "PERMISSION_DENIED") return "permission";
  return "lookalike";
}

/** What zod cannot see: a vocabulary's rules have no exit codes, and named credentials exist. */
function checkRuleShape(
  rule: Rule,
  kind: "tool" | "vocabulary",
  credentials: Record<string, Credential>,
  source: string,
): void {
  const where = { file: source, rule: rule.id };
  if (kind === "vocabulary" && rule.when.exit_code !== undefined) {
    throw new AuthwrapError(
      "INVALID_RULES",
      `${source} › rule ${rule.id} › when.exit_code: a vocabulary's rules match words, not exit codes (exit codes belong to a tool's file)`,
      { ...where, field: "when.exit_code" },
    );
  }
  if (
    rule.credential !== undefined &&
    credentials[rule.credential] === undefined
  ) {
    const known = Object.keys(credentials);
    throw new AuthwrapError(
      "INVALID_RULES",
      `${source} › rule ${rule.id} › credential: unknown credential "${rule.credential}"; expected ${known.length > 0 ? `one of ${known.join(", ")}` : "a name defined under credentials:"}`,
      { ...where, field: "credential", value: rule.credential },
    );
  }
}

function checkPlaceholders(
  template: string,
  contextNames: Set<string>,
  groups: Set<string>,
  where: { file: string; rule?: string; field: string },
): string[] {
  const names = listPlaceholders(template);
  for (const name of names) {
    if (
      groups.has(name) ||
      contextNames.has(name) ||
      BUILTIN_PLACEHOLDERS.has(name)
    )
      continue;
    const rulePart = where.rule ? ` › rule ${where.rule}` : "";
    throw new AuthwrapError(
      "INVALID_RULES",
      `${where.file}${rulePart} › ${where.field}: unknown placeholder {${name}}; expected a named group of this rule, a context name of this file, or {command}/{tool}`,
      { ...where, value: name },
    );
  }
  return names;
}
