// authwrap as a process among processes: failures to start, pipes held by grandchildren, signals
// at a terminal and without one, output redirected while a retry may follow, the re-auth's
// process group. Everything goes through the built bin/authwrap.
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox, parseEnvelope, runAuthwrap } from './helpers/run.js';

describe('a command that cannot be started', () => {
  it('a path through a regular file (ENOTDIR) → 126 COMMAND_NOT_EXECUTABLE naming the errno', async () => {
    const sandbox = createSandbox();
    writeFileSync(join(sandbox.dir, 'plain.txt'), 'not a folder');
    const result = await runAuthwrap(['--json', '--', join(sandbox.dir, 'plain.txt', 'tool')], sandbox);
    expect(result.exitCode).toBe(126);
    expect(parseEnvelope(result.stdout).error).toMatchObject({ code: 'COMMAND_NOT_EXECUTABLE', message: expect.stringContaining('ENOTDIR') });
    const passthrough = await runAuthwrap(['--', join(sandbox.dir, 'plain.txt', 'tool')], sandbox);
    expect(passthrough.exitCode).toBe(126);
    expect(passthrough.stderr).toBe('authwrap: command could not be executed: ENOTDIR (a component of the path is not a directory)\n');
  });

  it('a symbolic link loop (ELOOP) → 126 naming the errno, not an internal error', async () => {
    const sandbox = createSandbox();
    symlinkSync(join(sandbox.dir, 'b'), join(sandbox.dir, 'a'));
    symlinkSync(join(sandbox.dir, 'a'), join(sandbox.dir, 'b'));
    const result = await runAuthwrap(['--json', '--', join(sandbox.dir, 'a')], sandbox);
    expect(result.exitCode).toBe(126);
    expect(parseEnvelope(result.stdout).error).toMatchObject({ code: 'COMMAND_NOT_EXECUTABLE', message: expect.stringContaining('ELOOP') });
  });
});
