// Exactly one envelope on stdout with --json, whatever happens: a bad option or value, no
// command. Through the real bin/authwrap.
import { describe, expect, it } from 'vitest';
import { createSandbox, parseEnvelope, runAuthwrap } from './helpers/run.js';

describe('exactly one envelope on stdout with --json', () => {
  it.each([
    [['--json', '--bogus', '--', 'democli', 'status'], {}, /^unknown option --bogus/],
    [['--bogus', '--', 'democli', 'status'], { AUTHWRAP_JSON: 'true' }, /^unknown option --bogus/],
    [['--reauth-timeout', 'soon', '--json', '--', 'democli', 'status'], {}, /^--reauth-timeout: "soon"/],
    [['--json', '--'], {}, /^no command after --/],
    [['--json'], {}, /^no command given/],
    [[], { AUTHWRAP_JSON: '1' }, /^no command given/],
    [['--', 'democli', 'status'], { AUTHWRAP_JSON: '1', AUTHWRAP_VERBOSE: 'maybe' }, /^AUTHWRAP_VERBOSE: "maybe" is neither on/],
  ])('%j (env %j) → one USAGE_ERROR envelope, exit 2', async (args, env, message) => {
    const sandbox = createSandbox(env as Record<string, string>);
    const result = await runAuthwrap(args as string[], sandbox);
    expect(result.exitCode).toBe(2);
    const lines = String(result.stdout).trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const envelope = parseEnvelope(lines[0]);
    expect(envelope.error!.code).toBe('USAGE_ERROR');
    expect(envelope.error!.message).toMatch(message);
  });

  it('without --json: an empty command after -- is exit 2 with a message on stderr; no arguments at all is the help', async () => {
    const sandbox = createSandbox();
    const empty = await runAuthwrap(['--'], sandbox);
    expect(empty.exitCode).toBe(2);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe('authwrap: no command after --; see authwrap --help\n');
    const none = await runAuthwrap([], sandbox);
    expect(none.exitCode).toBe(0);
    expect(String(none.stdout)).toMatch(/^authwrap — /);
  });
});
