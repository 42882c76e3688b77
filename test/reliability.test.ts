// Faults and load around the re-auth: concurrent callers, a holder that died, a failed re-auth
// repeated by a looping agent, an unsafe state folder.
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox, parseEnvelope, runAuthwrap, runDemo } from './helpers/run.js';

async function expiredSandbox(env: Record<string, string> = {}) {
  const sandbox = createSandbox(env);
  await runDemo(['auth', 'login'], sandbox);
  await runDemo(['auth', 'expire'], sandbox);
  return sandbox;
}

describe('one re-auth at a time, across processes', () => {
  it('32 concurrent calls against an expired credential: the re-auth runs once and all 32 exit 0', async () => {
    const sandbox = await expiredSandbox();
    const results = await Promise.all(Array.from({ length: 32 }, () => runAuthwrap(['--json', '--', 'democli', 'status'], sandbox)));
    expect(results.map((r) => r.exitCode)).toEqual(Array(32).fill(0));
    expect(sandbox.refreshCount()).toBe(1);
    const renewedElsewhere = results.filter((r) => parseEnvelope(r.stdout).meta.reauth?.skipped === 'renewed by another authwrap process meanwhile');
    expect(renewedElsewhere.length).toBeGreaterThan(0);
  }, 60_000);

  it('a lock left by a holder that died is taken over', async () => {
    const sandbox = await expiredSandbox();
    const stateDir = join(sandbox.env.XDG_STATE_HOME!, 'authwrap');
    // Learn the lock's name from one run, then plant a lock held by a process that no longer exists.
    await runAuthwrap(['--json', '--', 'democli', 'status'], sandbox);
    const record = readdirSync(stateDir).find((name) => name.endsWith('.json'))!;
    await runDemo(['auth', 'expire'], sandbox);
    writeFileSync(join(stateDir, record.replace(/\.json$/, '.lock')), JSON.stringify({ pid: 2 ** 22 + 12345, at: Date.now() }));
    writeFileSync(join(stateDir, record), '{}');
    const started = Date.now();
    const result = await runAuthwrap(['--json', '--', 'democli', 'status'], sandbox);
    expect(result.exitCode).toBe(0);
    expect(sandbox.refreshCount()).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a failed re-auth is not repeated within the cool-down: the next call gets exit 10 at once', async () => {
    const sandbox = await expiredSandbox({ DEMOCLI_REFRESH_FAIL: '1' });
    const first = await runAuthwrap(['--json', '--', 'democli', 'status'], sandbox);
    const second = await runAuthwrap(['--json', '--', 'democli', 'status'], sandbox);
    expect([first.exitCode, second.exitCode]).toEqual([10, 10]);
    expect(sandbox.refreshCount()).toBe(1);
    const envelope = parseEnvelope(second.stdout);
    expect(envelope.meta.reauth!.skipped).toMatch(/^failed \d+ s ago; not run again within 60 s$/);
    expect(envelope.error!.refresh_command).toBe('democli auth refresh');
  });

  it('state files are 0600 in a 0700 folder', async () => {
    const sandbox = await expiredSandbox();
    await runAuthwrap(['--json', '--', 'democli', 'status'], sandbox);
    const stateDir = join(sandbox.env.XDG_STATE_HOME!, 'authwrap');
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(stateDir)) expect(statSync(join(stateDir, name)).mode & 0o777).toBe(0o600);
  });

  it('a state folder writable by others is refused before any re-auth runs', async () => {
    const sandbox = await expiredSandbox();
    const stateDir = join(sandbox.env.XDG_STATE_HOME!, 'authwrap');
    mkdirSync(stateDir, { recursive: true });
    chmodSync(stateDir, 0o777);
    const result = await runAuthwrap(['--json', '--', 'democli', 'status'], sandbox);
    expect(result.exitCode).toBe(2);
    expect(parseEnvelope(result.stdout).error).toMatchObject({ code: 'UNSAFE_STATE_DIR' });
    expect(sandbox.refreshCount()).toBe(0);
  });
});
