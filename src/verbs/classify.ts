import { readFileSync } from 'node:fs';
import { textOutput } from '../capture.js';
import { classifyAttempt } from '../classify.js';
import { buildEnvelope } from '../envelope.js';
import { decodeData } from '../data.js';
import { AuthwrapError } from '../errors.js';
import { loadRules } from '../rules/load.js';
import { commandName, mergeRuleFiles, selectRules } from '../rules/select.js';
import type { Attempt } from '../types.js';
import type { VerbContext } from './index.js';

export interface ClassifyRequest {
  tool?: string;
  command?: string;
  exitCode: number;
  stdoutPath?: string;
  stderrPath?: string;
}

/** `authwrap classify`: the envelope the wrapper would emit for this captured output. */
export async function classifyCaptured(request: ClassifyRequest, context: VerbContext): Promise<number> {
  const rules = mergeRuleFiles(await loadRules(context.sources));
  const command = request.command ?? request.tool ?? 'command';
  const { tool, sets } = selectRules(rules, command, request.tool);
  const stdout = readCaptured(request.stdoutPath);
  const stderr = readCaptured(request.stderrPath);
  const attempt: Attempt = {
    exitCode: request.exitCode,
    signal: null,
    spawnError: null,
    stdout: textOutput(stdout.toString('utf8')),
    stderr: textOutput(stderr.toString('utf8')),
    data: stdout,
    dataTruncated: false,
    dataFile: null,
    dataFileError: null,
    durationMs: 0,
    startedAt: Date.now(),
    outputClosed: false,
  };
  const verdict = classifyAttempt(
    { exitCode: attempt.exitCode!, stdout: attempt.stdout, stderr: attempt.stderr },
    sets,
    { command: commandName(command), tool, args: [], env: context.env },
  );
  const decoded = decodeData(stdout, { truncated: false, limit: stdout.length, file: null, fileError: null });
  const { envelope, exitCode } = buildEnvelope(
    { tool, attempts: [attempt], verdict, reauth: null, warnings: decoded.warnings, durationMs: 0 },
    decoded.data,
    context.redact,
  );
  context.stdout.write(`${JSON.stringify(envelope, null, 2)}\n`);
  return exitCode;
}

function readCaptured(path: string | undefined): Buffer {
  if (path === undefined) return Buffer.alloc(0);
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    throw new AuthwrapError('UNREADABLE_FILE', `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file: path });
  }
}
