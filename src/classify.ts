// (Attempt, rules) → Verdict. Pure: no I/O, so `classify`, `rules test` and the fixture
// tests run exactly the code the wrapper runs.
import { isAuthCode } from './codes.js';
import { parseJsonDocs, readJsonPath, type JsonDoc } from './json.js';
import type { CompiledRule, JsonTest, ToolRules } from './rules/compile.js';
import { pickEnvVar, readContext } from './context.js';
import { fillTemplate } from './template.js';
import { normalizeTimestamp } from './time.js';
import type { AuthCode, OutputText, Verdict, VerdictCode } from './types.js';

export interface ClassifyInput {
  exitCode: number;
  stdout: OutputText;
  stderr: OutputText;
}

export interface ClassifyContext {
  command: string;
  tool: string;
  args: string[];
  env: Record<string, string | undefined>;
}

/** The matched text shown by --verbose: its start, extended to the end of the word it cuts. */
const EVIDENCE_CHARS = 200;
const EVIDENCE_MAX_EXTENSION = 4096;
const RETRYABLE_BY_DEFAULT = new Set<VerdictCode>(['CREDENTIALS_EXPIRED', 'RATE_LIMITED', 'NETWORK_ERROR']);
const DEFAULT_MESSAGE: Record<AuthCode, string> = {
  CREDENTIALS_EXPIRED: '{tool}: credentials have expired',
  UNAUTHENTICATED: '{tool}: not authenticated',
  PERMISSION_DENIED: '{tool}: permission denied',
};

/** Returns the verdict of the first matching rule, a plain COMMAND_FAILED, or null for success. */
export function classifyAttempt(input: ClassifyInput, sets: ToolRules[], context: ClassifyContext): Verdict | null {
  const docs = lazyDocs(input);
  for (const set of sets) {
    for (const rule of set.rules) {
      const match = matchRule(rule, input, docs);
      if (match) return { ...buildVerdict(rule, set, match.groups, docs, context), evidence: match.evidence };
    }
  }
  if (input.exitCode === 0) return null;
  return { code: 'COMMAND_FAILED', ambiguous: false, retryable: false, warnings: [] };
}

interface RuleMatch {
  groups: Record<string, string>;
  evidence?: string;
}

/** Returns captured named groups and the matched text when every condition holds. */
function matchRule(rule: CompiledRule, input: ClassifyInput, docs: LazyDocs): RuleMatch | undefined {
  // A successful exit becomes a failure only when a rule lists exit code 0 on purpose.
  if (input.exitCode === 0 && !rule.exitCodes?.includes(0)) return undefined;
  if (rule.exitCodes && !rule.exitCodes.includes(input.exitCode)) return undefined;
  const groups: Record<string, string> = {};
  let evidence: string | undefined;
  const tests: Array<[RegExp | undefined, string[]]> = [
    [rule.stdout, [input.stdout.text]],
    [rule.stderr, [input.stderr.text]],
    [rule.output, [input.stderr.text, input.stdout.text]],
  ];
  for (const [regexp, texts] of tests) {
    if (!regexp) continue;
    const match = texts.map((text) => regexp.exec(text)).find((m) => m !== null);
    if (!match) return undefined;
    evidence ??= headOf(match[0], EVIDENCE_CHARS);
    for (const [name, value] of Object.entries(match.groups ?? {})) if (value !== undefined) groups[name] = value;
  }
  for (const test of rule.json) {
    if (!docs(test.stream).some((doc) => matchesJson(doc, test))) return undefined;
    evidence ??= `JSON ${test.path}`;
  }
  return { groups, evidence };
}

function matchesJson(doc: JsonDoc, test: JsonTest): boolean {
  return readJsonPath(doc, test.path).some((value) => {
    if (test.equals !== undefined) return value === test.equals;
    if (test.in !== undefined) return test.in.includes(value as string | number | boolean);
    if (test.pattern !== undefined) return typeof value === 'string' && test.pattern.test(value);
    return true;
  });
}

function buildVerdict(rule: CompiledRule, set: ToolRules, groups: Record<string, string>, docs: LazyDocs, context: ClassifyContext): Verdict {
  const values: Record<string, string | undefined> = {
    ...readContext(set, context),
    command: context.command,
    tool: context.tool,
    ...groups,
  };
  const field = (name: string): string | undefined => {
    const spec = rule.fields[name];
    if (spec === undefined) return groups[name];
    // A template with nothing to fill falls back to the named group of the same name.
    if (typeof spec === 'string') return fillTemplate(spec, values) ?? groups[name];
    const paths = [spec.json].flat();
    const found = paths.flatMap((path) => docs(spec.stream ?? 'any').flatMap((doc) => readJsonPath(doc, path))).find((v) => v !== null && v !== '');
    return found === undefined || found === null ? undefined : typeof found === 'string' ? found : JSON.stringify(found);
  };
  const warnings: string[] = [];
  const auth = isAuthCode(rule.code);
  const rawExpiry = field('expires_at');
  const expiresAt = rawExpiry === undefined ? undefined : normalizeTimestamp(rawExpiry);
  if (rawExpiry !== undefined && expiresAt === undefined) warnings.push(`could not read "${rawExpiry}" as a time; expires_at left empty`);
  const ruleRefresh = field('refresh_command');
  const fields = {
    expiresAt,
    // An ambiguous verdict may be an expiry, so it names the renewal too.
    refreshCommand: ruleRefresh ?? (rule.code === 'CREDENTIALS_EXPIRED' || rule.ambiguous ? fillOptional(set.refreshCommand, values) : undefined),
    hint: field('hint') ?? (auth && rule.code !== 'PERMISSION_DENIED' ? fillOptional(set.hint, values) : undefined),
    requiredPermission: field('required_permission'),
    detail: field('detail'),
  };
  const messageValues = {
    ...values,
    expires_at: fields.expiresAt,
    refresh_command: fields.refreshCommand,
    hint: fields.hint,
    required_permission: fields.requiredPermission,
    detail: fields.detail,
  };
  const template = rule.message ?? (auth ? DEFAULT_MESSAGE[rule.code as AuthCode] + (expiresAt ? ' at {expires_at}' : '') : undefined);
  return {
    code: rule.code,
    rule: `${rule.source}#${rule.id}`,
    ambiguous: rule.ambiguous,
    retryable: rule.retryable ?? (RETRYABLE_BY_DEFAULT.has(rule.code) && !rule.ambiguous),
    message: template === undefined ? undefined : fillTemplate(template, messageValues),
    ...fields,
    replayUnsafe: rule.replayUnsafe || undefined,
    refreshSource: ruleRefresh !== undefined ? rule.source : set.refreshSource,
    refreshInteractive: set.refreshInteractive,
    envVar: auth ? pickEnvVar(set.envVars, context.env) : undefined,
    warnings,
  };
}

function fillOptional(template: string | undefined, values: Record<string, string | undefined>): string | undefined {
  return template === undefined ? undefined : fillTemplate(template, values);
}

type LazyDocs = (stream: 'stdout' | 'stderr' | 'any') => JsonDoc[];

/** JSON is parsed only if a rule asks for it, and once per stream. */
function lazyDocs(input: ClassifyInput): LazyDocs {
  let stdout: JsonDoc[] | undefined;
  let stderr: JsonDoc[] | undefined;
  return (stream) => {
    if (stream !== 'stderr') stdout ??= parseJsonDocs(input.stdout.text);
    if (stream !== 'stdout') stderr ??= parseJsonDocs(input.stderr.text);
    if (stream === 'stdout') return stdout!;
    if (stream === 'stderr') return stderr!;
    return [...stdout!, ...stderr!];
  };
}

/**
 * The first `max` characters, extended to the end of the word (token) they cut, so the redactor
 * later sees a credential whole and masks it, instead of a head it can no longer recognise.
 */
function headOf(text: string, max: number): string {
  if (text.length <= max) return text;
  const rest = /^[^\s"'<>]*/.exec(text.slice(max, max + EVIDENCE_MAX_EXTENSION))![0];
  return text.slice(0, max + rest.length);
}
