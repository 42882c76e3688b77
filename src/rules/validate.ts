// zod validation of a parsed rule file, with messages that name file › rule › field and
// suggest the nearest valid key. Loaded only when a user's rule file is read.
import type { z } from 'zod';
import { AuthwrapError } from '../errors.js';
import { ruleFileSchema, type RuleFile } from './schema.js';

const KNOWN_KEYS = [
  '$schema', 'version', 'tool', 'description', 'commands', 'refresh_command', 'hint', 'env_vars', 'context', 'rules',
  'id', 'code', 'when', 'message', 'fields', 'ambiguous', 'retryable', 'examples',
  'exit_code', 'stdout', 'stderr', 'output', 'json', 'pattern', 'flags', 'path', 'stream', 'equals', 'in',
  'name', 'source', 'args', 'env', 'expect', 'expires_at', 'required_permission', 'detail', 'arg',
];

export function validateRuleFile(raw: unknown, path: string): RuleFile {
  const result = ruleFileSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const { rule, field } = locate(raw, issue.path);
  const where = [path, rule ? `rule ${rule}` : undefined, field || '(top level)'].filter(Boolean).join(' › ');
  throw new AuthwrapError('INVALID_RULES', `${where}: ${describeIssue(issue)}`, { file: path, rule, field });
}

/** Turns `rules.2.when.stderr` into the rule's id and the field path inside it. */
function locate(raw: unknown, path: PropertyKey[]): { rule?: string; field: string } {
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const rules = (raw as { rules?: Array<{ id?: unknown }> }).rules;
    const id = rules?.[path[1]]?.id;
    const rule = typeof id === 'string' && id ? id : `#${path[1] + 1}`;
    return { rule, field: formatPath(path.slice(2)) };
  }
  return { field: formatPath(path) };
}

function formatPath(path: PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => {
        const near = nearest(key, KNOWN_KEYS);
        return `unknown key "${key}"${near ? `; did you mean "${near}"?` : ''}`;
      })
      .join('; ');
  }
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const allowed = issue.values.map((v) => String(v));
    const got = issue.input === undefined ? '' : ` "${String(issue.input)}"`;
    const near = typeof issue.input === 'string' ? nearest(issue.input, allowed) : undefined;
    return `invalid value${got}; expected one of ${allowed.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`;
  }
  if (issue.code === 'invalid_union') return 'not an accepted form; see `authwrap schema classifier`';
  return issue.message.replace(/^Invalid input: /, '');
}

function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
