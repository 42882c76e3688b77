// argv + env → what to do (plain object). No I/O, no exits: main.ts does those.
import { AuthwrapError } from './errors.js';
import { nearest } from './suggest.js';
import type { Invocation, RetryPolicy } from './types.js';

export const VERBS = ['classify', 'rules', 'schema', 'trust'] as const;
export type VerbName = (typeof VERBS)[number];
export const DEFAULT_REAUTH_TIMEOUT_SECONDS = 300;
export const DEFAULT_DATA_LIMIT = 4 * 1024 * 1024;
const RETRY_POLICIES: readonly RetryPolicy[] = ['never', 'auth-rejected', 'always'];

export type ParsedCommand =
  | { kind: 'wrap'; invocation: Invocation }
  | { kind: 'verb'; verb: VerbName; argv: string[]; classifierPaths: string[]; json: boolean }
  | { kind: 'help' }
  | { kind: 'version' };

const FLAGS_WITH_VALUE = new Set(['--reauth', '--tool', '--classifiers', '--reauth-timeout', '--retry', '--max-data-bytes']);
/** Every option the wrapper accepts; the help text must describe each (test/cli.test.ts checks). */
export const FLAGS = new Set(['--json', '--no-reauth', '--reauth-ambiguous', '--redact-data', '--verbose', '-v', '--help', '-h', '--version', '-V', ...FLAGS_WITH_VALUE]);

/** Splits argv at the first `--` (or the first word that is not an option); the command's own argv is never parsed. */
export function parseInvocation(argv: string[], env: Record<string, string | undefined>): ParsedCommand {
  const options: Record<string, string[]> = {};
  let index = 0;
  for (; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') {
      index++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const [name, inline] = splitFlag(arg);
    if (!FLAGS.has(name)) throw usage(`unknown option ${name}${suggest(name)}`);
    let value = inline;
    if (FLAGS_WITH_VALUE.has(name) && value === undefined) {
      value = argv[++index];
      if (value === undefined) throw usage(`${name} needs a value`);
    }
    (options[name] ??= []).push(value ?? 'true');
  }
  const rest = argv.slice(index);
  const has = (...names: string[]) => names.some((name) => options[name]);
  const last = (name: string) => options[name]?.at(-1);
  const classifierPaths = [...splitPathList(env.AUTHWRAP_CLASSIFIERS), ...(options['--classifiers'] ?? [])];
  const json = has('--json') || isTruthy(env.AUTHWRAP_JSON);

  if (has('--version', '-V')) return { kind: 'version' };
  if (has('--help', '-h') || rest.length === 0) return { kind: 'help' };
  const first = rest[0]!;
  if (argv[index - 1] !== '--' && (VERBS as readonly string[]).includes(first)) {
    return { kind: 'verb', verb: first as VerbName, argv: rest.slice(1), classifierPaths, json };
  }
  const timeoutText = last('--reauth-timeout') ?? env.AUTHWRAP_REAUTH_TIMEOUT;
  const timeoutSeconds = timeoutText === undefined ? DEFAULT_REAUTH_TIMEOUT_SECONDS : Number(timeoutText);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw usage(`--reauth-timeout: "${timeoutText}" is not a positive number of seconds`);
  const retry = (last('--retry') ?? env.AUTHWRAP_RETRY ?? 'auth-rejected') as RetryPolicy;
  if (!RETRY_POLICIES.includes(retry)) throw usage(`--retry: "${retry}" is not one of ${RETRY_POLICIES.join(', ')}`);
  const limitText = last('--max-data-bytes') ?? env.AUTHWRAP_MAX_DATA_BYTES;
  const dataLimit = limitText === undefined ? DEFAULT_DATA_LIMIT : Number(limitText);
  if (!Number.isInteger(dataLimit) || dataLimit < 0) throw usage(`--max-data-bytes: "${limitText}" is not a whole number of bytes`);
  return {
    kind: 'wrap',
    invocation: {
      mode: json ? 'json' : 'passthrough',
      command: first,
      args: rest.slice(1),
      tool: last('--tool') ?? (env.AUTHWRAP_TOOL || undefined),
      reauthCommand: last('--reauth') ?? (env.AUTHWRAP_REAUTH || undefined),
      reauthSource: last('--reauth') !== undefined ? 'flag' : env.AUTHWRAP_REAUTH ? 'env' : undefined,
      reauthAllowed: !has('--no-reauth'),
      reauthAmbiguous: has('--reauth-ambiguous') || isTruthy(env.AUTHWRAP_REAUTH_AMBIGUOUS),
      reauthTimeoutMs: timeoutSeconds * 1000,
      retry,
      redactData: has('--redact-data') || isTruthy(env.AUTHWRAP_REDACT_DATA),
      dataLimit,
      classifierPaths,
      verbose: has('--verbose', '-v') || isTruthy(env.AUTHWRAP_VERBOSE),
    },
  };
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq > 2 && arg.startsWith('--') ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function splitPathList(value: string | undefined): string[] {
  return value ? value.split(':').filter(Boolean) : [];
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

function usage(message: string): AuthwrapError {
  return new AuthwrapError('USAGE_ERROR', `${message}; see authwrap --help`);
}

function suggest(name: string): string {
  const close = nearest(name, [...FLAGS].filter((flag) => flag.startsWith('--')));
  return close ? ` (did you mean ${close}?)` : '';
}
