// Turns a validated rule file into matchers, checking what zod cannot: patterns compile,
// named groups and placeholders are known, ids are unique.
import { AuthwrapError } from '../errors.js';
import { FIELD_NAMES as FIELD_LIST } from '../codes.js';
import { listPlaceholders } from '../template.js';
import { buildRegExp, namedGroups } from './pattern.js';
import type { VerdictCode } from '../types.js';
import type { FieldValueSpec, JsonTestSpec, PatternSpec, Rule, RuleFile } from './schema.js';

const FIELD_NAMES: ReadonlySet<string> = new Set(FIELD_LIST);
const BUILTIN_PLACEHOLDERS = new Set(['command', 'tool']);

export interface JsonTest {
  path: string;
  stream: 'stdout' | 'stderr' | 'any';
  equals?: string | number | boolean;
  in?: Array<string | number | boolean>;
  pattern?: RegExp;
}

export interface CompiledRule {
  id: string;
  source: string;
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
  examples: NonNullable<Rule['examples']>;
}

export interface ToolRules {
  tool: string;
  commands: string[];
  refreshCommand?: string;
  /** The file the default refresh command came from. */
  refreshSource?: string;
  refreshInteractive: boolean;
  hint?: string;
  envVars: string[];
  context: NonNullable<RuleFile['context']>;
  rules: CompiledRule[];
}

export function compileRuleFile(file: RuleFile, source: string): ToolRules {
  const seen = new Set<string>();
  const contextNames = new Set(Object.keys(file.context ?? {}));
  const rules = file.rules.map((rule, index) => {
    const where = { file: source, rule: rule.id || `#${index + 1}` };
    if (seen.has(rule.id)) {
      throw new AuthwrapError('INVALID_RULES', `${source} › rule ${rule.id} › id: duplicate id; each rule id may appear once per file`, {
        ...where,
        field: 'id',
        value: rule.id,
      });
    }
    seen.add(rule.id);
    return compileRule(rule, source, contextNames);
  });
  for (const [field, template] of [['refresh_command', file.refresh_command], ['hint', file.hint]] as const) {
    if (template) checkPlaceholders(template, contextNames, new Set(), { file: source, field });
  }
  return {
    tool: file.tool,
    commands: file.commands,
    refreshCommand: file.refresh_command,
    refreshSource: file.refresh_command ? source : undefined,
    refreshInteractive: file.refresh_interactive ?? false,
    hint: file.hint,
    envVars: file.env_vars ?? [],
    context: file.context ?? {},
    rules,
  };
}

function compileRule(rule: Rule, source: string, contextNames: Set<string>): CompiledRule {
  const where = { file: source, rule: rule.id };
  const groups = new Set<string>();
  const compilePattern = (spec: PatternSpec | undefined, field: string) => {
    if (spec === undefined) return undefined;
    const { pattern, flags } = typeof spec === 'string' ? { pattern: spec, flags: '' } : spec;
    const regexp = buildRegExp(pattern, flags ?? '', { ...where, field });
    for (const name of namedGroups(pattern)) groups.add(name);
    return regexp;
  };
  const jsonSpecs: JsonTestSpec[] = rule.when.json === undefined ? [] : [rule.when.json].flat();
  const compiled: CompiledRule = {
    id: rule.id,
    source,
    code: rule.code,
    exitCodes: rule.when.exit_code === undefined ? undefined : [rule.when.exit_code].flat(),
    stdout: compilePattern(rule.when.stdout, 'when.stdout.pattern'),
    stderr: compilePattern(rule.when.stderr, 'when.stderr.pattern'),
    output: compilePattern(rule.when.output, 'when.output.pattern'),
    json: jsonSpecs.map((test, i) => ({
      path: test.path,
      stream: test.stream ?? 'any',
      equals: test.equals,
      in: test.in,
      pattern: test.pattern === undefined ? undefined : buildRegExp(test.pattern, test.flags ?? '', { ...where, field: `when.json[${i}].pattern` }),
    })),
    message: rule.message,
    fields: rule.fields ?? {},
    ambiguous: rule.ambiguous ?? false,
    replayUnsafe: rule.replay_unsafe ?? false,
    retryable: rule.retryable,
    examples: rule.examples ?? [],
  };
  const templates: Array<[string, string]> = [];
  if (rule.message) templates.push(['message', rule.message]);
  for (const [name, value] of Object.entries(rule.fields ?? {})) {
    if (typeof value === 'string') templates.push([`fields.${name}`, value]);
  }
  const used = new Set<string>();
  for (const [field, template] of templates) {
    // A message may also quote the envelope fields the rule fills.
    const known = field === 'message' ? new Set([...groups, ...FIELD_NAMES]) : groups;
    for (const name of checkPlaceholders(template, contextNames, known, { ...where, field })) used.add(name);
  }
  for (const name of groups) {
    if (FIELD_NAMES.has(name) || used.has(name)) continue;
    throw new AuthwrapError(
      'INVALID_RULES',
      `${source} › rule ${rule.id} › when: named group "${name}" is not used; expected one of ${[...FIELD_NAMES].join(', ')}, or a name used as {${name}} in message or fields`,
      { ...where, field: 'when', value: name },
    );
  }
  return compiled;
}

function checkPlaceholders(
  template: string,
  contextNames: Set<string>,
  groups: Set<string>,
  where: { file: string; rule?: string; field: string },
): string[] {
  const names = listPlaceholders(template);
  for (const name of names) {
    if (groups.has(name) || contextNames.has(name) || BUILTIN_PLACEHOLDERS.has(name)) continue;
    const rulePart = where.rule ? ` › rule ${where.rule}` : '';
    throw new AuthwrapError(
      'INVALID_RULES',
      `${where.file}${rulePart} › ${where.field}: unknown placeholder {${name}}; expected a named group of this rule, a context name of this file, or {command}/{tool}`,
      { ...where, value: name },
    );
  }
  return names;
}
