import {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
} from "node:fs";
import {
  createOutputWindow,
  readFileWindow,
  textOutput,
} from "../run/windows.js";
import { classifyAttempt } from "../classify/classify.js";
import { envelopeOf, type EnvelopeResult } from "../output/envelope.js";
import { capturedAttempt } from "../run/captured.js";
import { AuthwrapError } from "../errors.js";
import { loadRules } from "../rules/load.js";
import { commandName, mergeRuleFiles, selectRules } from "../rules/select.js";
import type { ExitCodeProfile } from "../codes.js";
import type { ToolRules } from "../rules/compile.js";
import type { OutputText } from "../types.js";
import type { VerbIO } from "./index.js";

export interface ClassifyRequest {
  tool?: string;
  command?: string;
  exitCode: number;
  stdoutPath?: string;
  stderrPath?: string;
  exitCodes?: ExitCodeProfile;
}

/** `authwrap classify`: the envelope the wrapper would emit for this captured output. */
export async function classifyCaptured(
  request: ClassifyRequest,
  context: VerbIO,
): Promise<number> {
  const rules = mergeRuleFiles(await loadRules(context.sources));
  const { envelope, exitCode } = envelopeForCaptured(
    rules,
    {
      tool: request.tool,
      command: request.command,
      exitCode: request.exitCode,
      stdout: readCaptured(request.stdoutPath),
      stderr: readCaptured(request.stderrPath),
      exitCodes: request.exitCodes,
    },
    context,
  );
  context.stdout.write(`${JSON.stringify(envelope, null, 2)}\n`);
  return exitCode;
}

export interface CapturedOutput {
  tool?: string;
  command?: string;
  exitCode: number;
  stdout: Captured;
  stderr: Captured;
  exitCodes?: ExitCodeProfile;
}

/** The envelope for output already captured; no I/O (the library's classify uses it too). */
export function envelopeForCaptured(
  rules: ToolRules[],
  output: CapturedOutput,
  context: Pick<VerbIO, "env" | "redact">,
): EnvelopeResult {
  const command = output.command ?? output.tool ?? "command";
  const { tool, sets } = selectRules(rules, command, output.tool);
  const { stdout, stderr } = output;
  const attempt = capturedAttempt(
    output.exitCode,
    stdout.window,
    stderr.window,
    stdout.data,
    stdout.truncated,
  );
  const verdict = classifyAttempt(
    { exitCode: output.exitCode, stdout: stdout.window, stderr: stderr.window },
    sets,
    { command: commandName(command), tool, args: [], env: context.env },
  );
  return envelopeOf(
    {
      tool,
      attempts: [attempt],
      verdict,
      reauth: null,
      warnings: [],
      durationMs: 0,
    },
    { redact: context.redact, profile: output.exitCodes },
  );
}

/** Output held in memory (stdin of `authwrap classify -`, the library's classify). */
export function captureBuffer(all: Buffer): Captured {
  const window = createOutputWindow();
  window.push(all);
  return {
    window: window.read(),
    data: all.subarray(0, DATA_BYTES),
    truncated: all.length > DATA_BYTES,
  };
}

/** Most of `data` is kept, but only the two ends of each file are read for classification. */
const DATA_BYTES = 4 * 1024 * 1024;

export interface Captured {
  window: OutputText;
  data: Buffer;
  truncated: boolean;
}

function readCaptured(path: string | undefined): Captured {
  if (path === undefined)
    return { window: textOutput(""), data: Buffer.alloc(0), truncated: false };
  try {
    if (path === "-") return captureBuffer(readFileSync(0));
    const fd = openSync(path, "r");
    try {
      const { size } = fstatSync(fd);
      const readAt = (handle: number, buffer: Buffer, position: number) =>
        readSync(handle, buffer, 0, buffer.length, position);
      const data = Buffer.alloc(Math.min(size, DATA_BYTES));
      readAt(fd, data, 0);
      return {
        window: readFileWindow(fd, readAt, size),
        data,
        truncated: size > DATA_BYTES,
      };
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new AuthwrapError(
      "UNREADABLE_FILE",
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      { file: path },
    );
  }
}
