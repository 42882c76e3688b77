// (Attempt, rules) → Verdict. Pure: no I/O, so `classify`, `rules test` and the fixture
// tests run exactly the code the wrapper runs.
//
// Every rule of the tool's own file, of every vocabulary and of the generic file is tried, and
// the strongest evidence decides (README "Deciding by evidence"): an explicit expiry beats a
// look-alike, which beats a stated invalid/missing credential, a named permission, a status code
// and, last, loose words. Ties go to the tool's own file, then the vocabularies it uses.
import { EVIDENCE_KINDS, isAuthCode } from "../codes.js";
import { isErrorDocument } from "./document.js";
import { parseJsonDocs, readJsonPath, type JsonDoc } from "./json.js";
import { normalizeOutput } from "./normalize.js";
import { GENERIC_TOOL } from "../rules/select.js";
import type { CompiledRule, JsonTest, ToolRules } from "../rules/compile.js";
import { pickEnvVar, readContext } from "./context.js";
import { fillCommand, fillTemplate } from "./template.js";
import { normalizeTimestamp } from "./time.js";
import { enableLinearFallback } from "./linear.js";
import type { AuthCode, OutputText, Verdict, VerdictCode } from "../types.js";

export interface ClassifyInput {
  exitCode: number;
  stdout: OutputText;
  stderr: OutputText;
}

/** Exit 0, and stdout is a service's error document (document.ts): read for an auth verdict only. */
function readsSuccessBody(input: ClassifyInput): boolean {
  return input.exitCode === 0 && isErrorDocument(input.stdout);
}

/** What rules may read about the command besides its output: name, tool, flags and env (templates). */
export interface CommandFacts {
  command: string;
  tool: string;
  args: string[];
  env: Record<string, string | undefined>;
}

/** The matched text shown by --verbose: its start, extended to the end of the word it cuts. */
const EVIDENCE_CHARS = 200;
const EVIDENCE_MAX_EXTENSION = 4096;
const RETRYABLE_BY_DEFAULT = new Set<VerdictCode>([
  "CREDENTIALS_EXPIRED",
  "RATE_LIMITED",
  "NETWORK_ERROR",
]);
const DEFAULT_MESSAGE: Record<AuthCode, string> = {
  CREDENTIALS_EXPIRED: "{tool}: credentials have expired",
  UNAUTHENTICATED: "{tool}: not authenticated",
  PERMISSION_DENIED: "{tool}: permission denied",
};

interface Texts {
  stdout: string;
  stderr: string;
  /** Both streams in lower case, for vocabularies' literal pre-filters. */
  lower: string;
}

interface Candidate {
  rule: CompiledRule;
  set: ToolRules;
  rank: number;
  order: number;
  groups: Record<string, string>;
  evidence?: string;
}

/** Returns the verdict the strongest evidence gives, a plain COMMAND_FAILED, or null for success. */
export function classifyAttempt(
  input: ClassifyInput,
  sets: ToolRules[],
  context: CommandFacts,
): Verdict | null {
  enableLinearFallback();
  const body = readsSuccessBody(input);
  if (input.exitCode === 0 && !body && !sets.some(hasExitZeroRule)) return null;
  const docs = lazyDocs(input);
  const stdout = normalizeOutput(input.stdout.text);
  const stderr = normalizeOutput(input.stderr.text);
  const texts: Texts = { stdout, stderr, lower: "" };
  let lower: string | undefined;
  const candidates: Candidate[] = [];
  let order = 0;
  for (const set of sets) {
    if (set.detect) {
      lower ??= `${stderr}\n${stdout}`.toLowerCase();
      if (!set.detect.some((word) => lower!.includes(word))) {
        order += set.rules.length;
        continue;
      }
    }
    texts.lower = lower ?? "";
    for (const rule of set.rules) {
      order++;
      const match = matchRule(rule, input.exitCode, texts, docs, body);
      if (match)
        candidates.push({
          rule,
          set,
          rank: rankOf(rule, set),
          order,
          ...match,
        });
    }
  }
  // On exit 0 only an auth verdict stands: a rate limit or a 404 body is still the command's success.
  if (input.exitCode === 0)
    for (let i = candidates.length - 1; i >= 0; i--)
      if (
        !isAuthCode(candidates[i]!.rule.code) &&
        !candidates[i]!.rule.exitCodes?.includes(0)
      )
        candidates.splice(i, 1);
  if (candidates.length === 0) {
    if (input.exitCode === 0) return null;
    return {
      code: "COMMAND_FAILED",
      ambiguous: false,
      retryable: false,
      warnings: [],
    };
  }
  candidates.sort((a, b) => b.rank - a.rank || a.order - b.order);
  const winner = candidates[0]!;
  const verdict = buildVerdict(winner, candidates, sets, docs, context, texts);
  const outranked = candidates
    .slice(1)
    .map(
      (c) =>
        `${c.rule.source}#${c.rule.id} (${c.rule.code}, ${c.rule.evidence})`,
    );
  return {
    ...verdict,
    evidence: winner.evidence,
    evidenceKind: winner.rule.evidence,
    outranked,
  };
}

/**
 * Strength of a matching rule: its evidence kind, and for the generic file (words any CLI may
 * use) a step and a half lower, so a service's precise look-alike (a token endpoint answering
 * HTML) outranks generic words about a failed refresh, while generic words still outrank a bare
 * status code.
 */
function rankOf(rule: CompiledRule, set: ToolRules): number {
  const base = EVIDENCE_KINDS.length - EVIDENCE_KINDS.indexOf(rule.evidence);
  return set.kind === "tool" && set.tool === GENERIC_TOOL ? base - 1.5 : base;
}

interface RuleMatch {
  groups: Record<string, string>;
  evidence?: string;
}

function hasExitZeroRule(set: ToolRules): boolean {
  return set.rules.some((rule) => rule.exitCodes?.includes(0));
}

/** Returns captured named groups and the matched text when every condition holds. */
function matchRule(
  rule: CompiledRule,
  exitCode: number,
  texts: Texts,
  docs: LazyDocs,
  successBody: boolean,
): RuleMatch | undefined {
  // A successful exit becomes a failure only when a rule lists exit code 0 on purpose, or when
  // the whole stdout is a service's error document and the rule names no exit codes (a
  // vocabulary's or generic words: the service's, whichever client printed them).
  if (
    exitCode === 0 &&
    !rule.exitCodes?.includes(0) &&
    !(successBody && !rule.exitCodes)
  )
    return undefined;
  if (rule.exitCodes && !rule.exitCodes.includes(exitCode)) return undefined;
  const groups: Record<string, string> = {};
  let evidence: string | undefined;
  const tests: Array<[RegExp | undefined, string[]]> = [
    [rule.stdout, [texts.stdout]],
    [rule.stderr, [texts.stderr]],
    [rule.output, [texts.stderr, texts.stdout]],
  ];
  for (const [regexp, streams] of tests) {
    if (!regexp) continue;
    const match = streams
      .map((text) => regexp.exec(text))
      .find((m) => m !== null);
    if (!match) return undefined;
    evidence ??= headOf(match[0], EVIDENCE_CHARS);
    for (const [name, value] of Object.entries(match.groups ?? {}))
      if (value !== undefined) groups[name] = value;
  }
  for (const test of rule.json) {
    const value = docs(test.stream).flatMap((doc) =>
      matchingJsonValues(doc, test),
    )[0];
    if (value === undefined) return undefined;
    evidence ??= `JSON ${test.path} = ${JSON.stringify(value).slice(0, 120)}`;
  }
  return { groups, evidence };
}

function matchingJsonValues(doc: JsonDoc, test: JsonTest): unknown[] {
  return readJsonPath(doc, test.path).filter((value) => {
    if (test.equals !== undefined) return value === test.equals;
    if (test.in !== undefined)
      return test.in.includes(value as string | number | boolean);
    if (test.pattern !== undefined)
      return (
        (typeof value === "string" || typeof value === "number") &&
        test.pattern.test(String(value))
      );
    return true;
  });
}

/** Where a verdict's fix comes from: the set that owns the credential, and its trusted command. */
interface Fix {
  refreshCommand?: string;
  refreshSource?: string;
  refreshOrigin?: CompiledRule["origin"];
  refreshHash?: string;
  interactive: boolean;
  hint?: string;
  /** A command that may renew it, shown to the caller but never run (the tool does not use the vocabulary). */
  suggested?: string;
}

function buildVerdict(
  winner: Candidate,
  all: Candidate[],
  sets: ToolRules[],
  docs: LazyDocs,
  context: CommandFacts,
  texts: Texts,
): Verdict {
  const { rule, groups } = winner;
  const toolSet = sets.find(
    (set) => set.kind === "tool" && set.tool === context.tool,
  );
  const values: Record<string, string | undefined> = {
    ...readContext(winner.set, context),
    ...(toolSet ? readContext(toolSet, context) : {}),
    command: context.command,
    tool: context.tool,
    ...groups,
  };
  // Fields the winner does not fill may come from weaker evidence of the same verdict
  // (the permission a status rule could not name, the expiry time a JSON body gives).
  const sameCode = all.filter((c) => c.rule.code === rule.code);
  const field = (name: string): string | undefined => {
    for (const candidate of sameCode) {
      const found = readField(
        candidate,
        name,
        candidate === winner ? values : { ...values, ...candidate.groups },
        docs,
      );
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const warnings: string[] = [];
  const auth = isAuthCode(rule.code);
  const rawExpiry = field("expires_at");
  const expiresAt =
    rawExpiry === undefined ? undefined : normalizeTimestamp(rawExpiry);
  if (rawExpiry !== undefined && expiresAt === undefined)
    warnings.push(
      `could not read "${rawExpiry}" as a time; expires_at left empty`,
    );
  const mayReauth = rule.code === "CREDENTIALS_EXPIRED" || rule.ambiguous;
  // The fix of the winning rule; when it names none, that of the strongest evidence of the same
  // verdict that does (terraform's own mid-apply rule, renewed by the aws vocabulary's credential).
  const fix =
    [winner, ...sameCode.filter((c) => c !== winner)]
      .map((c) => findFix(c, toolSet, context))
      .find((f) => f.refreshCommand) ?? findFix(winner, toolSet, context);
  const commandValues = {
    ...readContext(winner.set, context),
    ...(toolSet ? readContext(toolSet, context) : {}),
    tool: context.tool,
    command: context.command,
  };
  const refreshCommand =
    mayReauth && fix.refreshCommand
      ? fillCommand(fix.refreshCommand, commandValues)
      : undefined;
  const suggested =
    mayReauth && !refreshCommand && fix.suggested
      ? fillCommand(fix.suggested, commandValues)
      : undefined;
  const capturedHint = field("hint");
  const fileHint =
    auth && rule.code !== "PERMISSION_DENIED" && fix.hint
      ? fillTemplate(fix.hint, values)
      : undefined;
  const fields = {
    expiresAt,
    refreshCommand,
    hint:
      capturedHint ??
      fileHint ??
      (suggested
        ? `${suggested} (suggested: renews the credential this output names)`
        : undefined),
    requiredPermission: field("required_permission"),
    detail: field("detail"),
  };
  const messageValues = {
    ...values,
    expires_at: fields.expiresAt,
    refresh_command: fields.refreshCommand,
    hint: fields.hint,
    required_permission: fields.requiredPermission,
    detail: fields.detail,
  };
  const template =
    rule.message ??
    (auth
      ? DEFAULT_MESSAGE[rule.code as AuthCode] +
        (expiresAt ? " at {expires_at}" : "")
      : undefined);
  const midWork =
    rule.code === "CREDENTIALS_EXPIRED" &&
    sets.some(
      (set) =>
        set.midWork &&
        (set.midWork.test(texts.stderr) || set.midWork.test(texts.stdout)),
    );
  return {
    code: rule.code,
    rule: `${rule.source}#${rule.id}`,
    ambiguous: rule.ambiguous,
    retryable:
      rule.retryable ??
      (RETRYABLE_BY_DEFAULT.has(rule.code) && !rule.ambiguous),
    message:
      template === undefined
        ? undefined
        : fillTemplate(template, messageValues),
    ...fields,
    replayUnsafe: rule.replayUnsafe || midWork || undefined,
    // Loose words or a file that is neither the tool's nor a vocabulary may name a verdict, never replay a command.
    replayEvidence:
      rule.evidence !== "loose" &&
      (winner.set.kind === "vocabulary" || winner.set === toolSet),
    refreshSource: refreshCommand ? fix.refreshSource : undefined,
    refreshOrigin: refreshCommand ? fix.refreshOrigin : undefined,
    refreshHash: refreshCommand ? fix.refreshHash : undefined,
    ruleOrigin: rule.origin,
    ruleHash: rule.sourceHash,
    refreshInteractive: fix.interactive,
    envVar: auth
      ? pickEnvVar((toolSet ?? winner.set).envVars, context.env)
      : undefined,
    warnings,
  };
}

function readField(
  candidate: Candidate,
  name: string,
  values: Record<string, string | undefined>,
  docs: LazyDocs,
): string | undefined {
  const spec = candidate.rule.fields[name];
  if (spec === undefined) return candidate.groups[name];
  // A template with nothing to fill falls back to the named group of the same name.
  if (typeof spec === "string")
    return fillTemplate(spec, values) ?? candidate.groups[name];
  const paths = [spec.json].flat();
  const found = paths
    .flatMap((path) =>
      docs(spec.stream ?? "any").flatMap((doc) => readJsonPath(doc, path)),
    )
    .find((v) => v !== null && v !== "");
  return found === undefined || found === null
    ? undefined
    : typeof found === "string"
      ? found
      : JSON.stringify(found);
}

/**
 * The trusted command that renews what the winning rule found. It comes from the rule itself,
 * its file's named credential, or the tool's file — and from a vocabulary only when the tool
 * says it uses that vocabulary; otherwise the vocabulary's command is only suggested.
 */
function findFix(
  winner: Candidate,
  toolSet: ToolRules | undefined,
  context: CommandFacts,
): Fix {
  const { rule, set } = winner;
  const credential = rule.credential
    ? set.credentials[rule.credential]
    : set.credentials.default;
  const foreign =
    set.kind === "vocabulary" &&
    !set.commands.includes(context.command) &&
    !(toolSet?.uses.includes(set.tool) ?? false);
  const ruleCommand =
    typeof rule.fields.refresh_command === "string"
      ? rule.fields.refresh_command
      : undefined;
  const fromRule = {
    refreshSource: rule.source,
    refreshOrigin: rule.origin,
    refreshHash: rule.sourceHash,
  };
  if (ruleCommand)
    return {
      refreshCommand: ruleCommand,
      ...fromRule,
      interactive: credential?.interactive ?? set.refreshInteractive,
      hint: credential?.hint,
    };
  if (foreign)
    return {
      interactive: credential?.interactive ?? false,
      hint: credential?.hint,
      suggested: credential?.refreshCommand,
    };
  // A credential the rule names beats the tool's default; a user's own tool file beats a vocabulary's default.
  const userTool =
    toolSet?.refreshCommand !== undefined &&
    toolSet.refreshOrigin !== "builtin";
  if (
    credential?.refreshCommand &&
    (rule.credential !== undefined || !userTool)
  ) {
    return {
      refreshCommand: credential.refreshCommand,
      ...fromRule,
      interactive: credential.interactive,
      hint: credential.hint ?? toolSet?.hint,
    };
  }
  if (toolSet?.refreshCommand) {
    return {
      refreshCommand: toolSet.refreshCommand,
      refreshSource: toolSet.refreshSource,
      refreshOrigin: toolSet.refreshOrigin,
      refreshHash: toolSet.refreshSourceHash,
      interactive: toolSet.refreshInteractive,
      hint: toolSet.hint ?? credential?.hint,
    };
  }
  return { interactive: false, hint: credential?.hint ?? toolSet?.hint };
}

type LazyDocs = (stream: "stdout" | "stderr" | "any") => JsonDoc[];

/** JSON is parsed only if a rule asks for it, and once per stream. */
function lazyDocs(input: ClassifyInput): LazyDocs {
  let stdout: JsonDoc[] | undefined;
  let stderr: JsonDoc[] | undefined;
  return (stream) => {
    if (stream !== "stderr") stdout ??= parseJsonDocs(input.stdout.text);
    if (stream !== "stdout") stderr ??= parseJsonDocs(input.stderr.text);
    if (stream === "stdout") return stdout!;
    if (stream === "stderr") return stderr!;
    return [...stdout!, ...stderr!];
  };
}

/**
 * The first `max` characters, extended to the end of the word (token) they cut, so the redactor
 * later sees a credential whole and masks it, instead of a head it can no longer recognise.
 */
function headOf(text: string, max: number): string {
  if (text.length <= max) return text;
  const rest = /^[^\s"'<>]*/.exec(
    text.slice(max, max + EVIDENCE_MAX_EXTENSION),
  )![0];
  return text.slice(0, max + rest.length);
}
