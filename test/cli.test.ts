import { describe, expect, it } from 'vitest';
import { FLAGS, parseInvocation } from '../src/cli.js';
import { HELP } from '../src/verbs/help.js';

describe('parseInvocation', () => {
  it('splits at the first -- and never parses the command\'s own arguments', () => {
    const parsed = parseInvocation(['--json', '--', 'aws', '--json', '--', 's3', 'ls'], {});
    expect(parsed).toMatchObject({ kind: 'wrap', invocation: { mode: 'json', command: 'aws', args: ['--json', '--', 's3', 'ls'] } });
  });

  it('takes the command from the first word that is not an option when -- is left out', () => {
    expect(parseInvocation(['gh', 'api', '--verbose'], {})).toMatchObject({ kind: 'wrap', invocation: { command: 'gh', args: ['api', '--verbose'], verbose: false } });
  });

  it('reads options from the environment; flags win', () => {
    const env = { AUTHWRAP_JSON: '1', AUTHWRAP_REAUTH: 'env-login', AUTHWRAP_TOOL: 'aws', AUTHWRAP_CLASSIFIERS: '/a:/b', AUTHWRAP_VERBOSE: 'true' };
    const parsed = parseInvocation(['--reauth=flag-login', '--classifiers', '/c', '--', 'x'], env);
    expect(parsed).toMatchObject({
      kind: 'wrap',
      invocation: { mode: 'json', reauthCommand: 'flag-login', tool: 'aws', classifierPaths: ['/a', '/b', '/c'], verbose: true, reauthAllowed: true },
    });
    expect(parseInvocation(['--', 'x'], { AUTHWRAP_JSON: '0' })).toMatchObject({ invocation: { mode: 'passthrough' } });
  });

  it('recognises verbs only before --', () => {
    expect(parseInvocation(['rules', 'list'], {})).toMatchObject({ kind: 'verb', verb: 'rules', argv: ['list'] });
    expect(parseInvocation(['--', 'rules', 'list'], {})).toMatchObject({ kind: 'wrap', invocation: { command: 'rules' } });
  });

  it('--no-reauth and --reauth-timeout', () => {
    expect(parseInvocation(['--no-reauth', '--reauth-timeout', '2.5', '--', 'x'], {})).toMatchObject({ invocation: { reauthAllowed: false, reauthTimeoutMs: 2500 } });
  });

  it.each([
    [['--jsn', '--', 'x'], 'unknown option --jsn (did you mean --json?); see authwrap --help'],
    [['--tool'], '--tool needs a value; see authwrap --help'],
    [['--reauth-timeout', 'soon', '--', 'x'], '--reauth-timeout: "soon" is not a positive number of seconds; see authwrap --help'],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseInvocation(argv, {})).toThrow(message);
  });

  it('no command means help', () => {
    expect(parseInvocation([], {})).toEqual({ kind: 'help' });
    expect(parseInvocation(['--version'], {})).toEqual({ kind: 'version' });
  });
});

describe('--help', () => {
  it.each([...FLAGS])('describes %s', (flag) => {
    expect(HELP).toMatch(new RegExp(`(^|[ ,])${flag.replace(/[-]/g, '\\-')}([ ,=]|$)`, 'm'));
  });
});
