// Finds rule sources, reads and validates them, and compiles them in layering order:
// built-in → user folder → AUTHWRAP_CLASSIFIERS → --classifiers.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { AuthwrapError } from "../errors.js";
import { compileRuleFile, type RuleOrigin, type ToolRules } from "./compile.js";
import { checkRuleFolders, readRuleSource } from "./source-check.js";
import { usePreparedSources } from "./pattern.js";
import { chooseTool, GENERIC_TOOL, mergeRuleFiles } from "./select.js";
import type { RuleExample, RuleFile } from "./schema.js";

const RULE_FILE = /\.(ya?ml|json)$/i;

/** A rule file and where it came from; built-in ones were validated at build time. */
export interface RuleFileEntry {
  source: string;
  file: RuleFile;
  /** sha256 of the bytes loaded (users' files): trust is pinned to exactly these. */
  sha256?: string;
  origin?: RuleOrigin;
  /** Validated and compiled at build time; users' files are compiled whenever they load. */
  builtin?: boolean;
  /** A built-in file's head only (rules: []): the whole file is read when it is compiled. */
  head?: boolean;
  /** Some rule of the file may match an exit code of 0 (for a head, worked out at build time). */
  exitZero?: boolean;
}

/** Built-in rule examples, stored apart from the rules so start-up does not parse them. */
export type PrebuiltExamples = Record<string, Record<string, RuleExample[]>>;

export interface RuleSources {
  builtinPath: string;
  userDir?: string;
  /** The project's `.authwrap/classifiers`: its re-auth commands run only once trusted. */
  projectDir?: string;
  extraPaths: string[];
}

/** Compiled rules of every source, examples included (for the verbs). */
export async function loadRules(sources: RuleSources): Promise<ToolRules[]> {
  const entries = await readRuleSources(sources);
  const examples =
    readJson<PrebuiltExamples>(
      sources.builtinPath.replace(/\.json$/, "-examples.json"),
    ) ?? {};
  return entries.map(({ source, file, sha256, origin }) => {
    const withExamples = examples[source]
      ? {
          ...file,
          rules: file.rules.map((rule) => ({
            ...rule,
            examples: examples[source]![rule.id] ?? rule.examples,
          })),
        }
      : file;
    return compileRuleFile(withExamples, source, {
      sha256,
      origin: origin ?? "builtin",
    });
  });
}

/**
 * The merged rules a command needs. Built-in files were checked at build time, so only the
 * command's tool and the generic ones are compiled; users' files always are, so a broken one is
 * reported before anything runs.
 */
export async function loadRulesFor(
  sources: RuleSources,
  command: string,
  toolOverride?: string,
): Promise<ToolRules[]> {
  return (await prepareRulesFor(sources, command, toolOverride))();
}

/**
 * loadRulesFor in two steps: users' files are read, validated and compiled now, so a broken one
 * is reported before anything runs; the built-in ones (checked at build time, they cannot fail)
 * are compiled by the function returned, which the hot path calls once the command has started.
 */
export async function prepareRulesFor(
  sources: RuleSources,
  command: string,
  toolOverride?: string,
): Promise<PreparedRules> {
  const entries = await readRuleSources(sources, true);
  const tool = chooseTool(
    entries.map((entry) => entry.file),
    command,
    toolOverride,
  );
  const needed = entries.filter(
    ({ file, builtin }) =>
      !builtin ||
      file.kind === "vocabulary" ||
      file.tool === tool ||
      file.tool === GENERIC_TOOL,
  );
  const compile = ({ source, file, sha256, origin, head }: RuleFileEntry) =>
    compileRuleFile(
      head ? wholeBuiltinFile(sources.builtinPath, source) : file,
      source,
      { sha256, origin: origin ?? "builtin" },
    );
  const users = new Map(
    needed.filter((entry) => !entry.builtin).map((e) => [e, compile(e)]),
  );
  let merged: ToolRules[] | undefined;
  const compileAll = () =>
    (merged ??= mergeRuleFiles(
      needed.map((entry) => users.get(entry) ?? compile(entry)),
    ));
  // Read off the uncompiled files: whether a proactive check must pick the rules before the run.
  // Both err on the side of "yes" when layered files disagree: that only compiles them earlier.
  const ownFiles = needed.filter(({ file }) => file.tool === tool);
  const hasProbes = ownFiles.some(({ file }) => (file.probes?.length ?? 0) > 0);
  const hasUnattendedRefresh = ownFiles.some(
    ({ file, origin }) =>
      file.refresh_command !== undefined &&
      file.refresh_interactive !== true &&
      origin !== "project",
  );
  const mayMatchExitZero = needed.some((entry) =>
    entry.builtin
      ? entry.exitZero !== false
      : entry.file.rules.some((rule) =>
          [rule.when.exit_code].flat().includes(0),
        ),
  );
  return Object.assign(compileAll, {
    tool,
    hasProbes,
    hasUnattendedRefresh,
    mayMatchExitZero,
  });
}

/** The rules for one command, compiled on the first call; what the wrapper may know before that. */
export type PreparedRules = (() => ToolRules[]) & {
  /** The tool whose file names the command (or --tool); undefined: none does. */
  tool: string | undefined;
  /** Some rule may match an exit code of 0: a successful call must still be classified. */
  mayMatchExitZero: boolean;
  /** The tool's file declares probes. */
  hasProbes: boolean;
  /** The tool's file names a re-auth command that needs no person (a proactive refresh may run it). */
  hasUnattendedRefresh: boolean;
};

/**
 * Every rule file in layering order, read and validated but not compiled. With `headsOnly`, the
 * built-in files are their heads (dist/builtin-rules-index.json), when the build wrote them.
 */
export async function readRuleSources(
  sources: RuleSources,
  headsOnly = false,
): Promise<RuleFileEntry[]> {
  const entries =
    (headsOnly && readPrebuiltHeads(sources.builtinPath)) ||
    readPrebuilt(sources.builtinPath);
  // The folders are checked like the files: a folder others can write lets them swap a file in.
  const userFiles: Array<[string, RuleOrigin]> = [
    ...(sources.userDir
      ? checkedList(sources.userDir, false, 2).map(
          (p) => [p, "user"] as [string, RuleOrigin],
        )
      : []),
    ...(sources.projectDir
      ? checkedList(sources.projectDir, false, 2).map(
          (p) => [p, "project"] as [string, RuleOrigin],
        )
      : []),
    ...sources.extraPaths.flatMap((path) =>
      checkedList(path, true, 1).map(
        (p) => [p, "extra"] as [string, RuleOrigin],
      ),
    ),
  ];
  for (const [path, origin] of userFiles) {
    const loaded = await readRuleFileWithHash(path);
    entries.push({
      source: path,
      file: loaded.file,
      sha256: loaded.sha256,
      origin,
    });
  }
  return entries;
}

function checkedList(
  path: string,
  mustExist: boolean,
  levels: number,
): string[] {
  const files = listRuleFiles(path, mustExist);
  if (files.length > 0)
    checkRuleFolders(files[0] === path ? dirname(path) : path, levels);
  return files;
}

/** Reads, parses and validates one user rule file; errors name the file, rule and field. */
export async function readRuleFile(path: string): Promise<RuleFile> {
  return (await readRuleFileWithHash(path)).file;
}

async function readRuleFileWithHash(
  path: string,
): Promise<{ file: RuleFile; sha256: string }> {
  const { text, sha256 } = readRuleSource(path);
  const raw = /\.json$/i.test(path)
    ? parseJson(text, path)
    : await parseYaml(text, path);
  const { validateRuleFile } = await import("./validate.js");
  return { file: validateRuleFile(raw, path), sha256 };
}

/** Expands a path to the rule files it names: a file, or the rule files directly in a folder. */
export function listRuleFiles(path: string, mustExist: boolean): string[] {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    if (mustExist)
      throw new AuthwrapError(
        "UNREADABLE_FILE",
        `${path}: no such rule file or folder`,
        { file: path },
      );
    return [];
  }
  if (!stats.isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => RULE_FILE.test(name))
    .sort()
    .map((name) => join(path, name));
}

function readPrebuiltHeads(path: string): RuleFileEntry[] | undefined {
  const heads = readJson<RuleFileEntry[]>(
    path.replace(/\.json$/, "-index.json"),
  );
  if (!heads) return undefined;
  preparePatterns(path);
  return heads.map((entry) => ({ ...entry, builtin: true, head: true }));
}

/** The whole built-in files, read once, on the first that is compiled from its head. */
let wholeBuiltin: { path: string; files: Map<string, RuleFile> } | undefined;

function wholeBuiltinFile(path: string, source: string): RuleFile {
  if (wholeBuiltin?.path !== path)
    wholeBuiltin = {
      path,
      files: new Map(readPrebuilt(path).map((e) => [e.source, e.file])),
    };
  const file = wholeBuiltin.files.get(source);
  if (!file)
    throw new AuthwrapError(
      "UNREADABLE_FILE",
      `${path}: no built-in rule file ${source}; run \`npm run build\``,
      { file: path },
    );
  return file;
}

let patternsPreparedFor: string | undefined;

function preparePatterns(path: string): void {
  if (patternsPreparedFor === path) return;
  patternsPreparedFor = path;
  // Missing (an older build): the patterns are rewritten as they compile, only slower.
  usePreparedSources(
    () =>
      readJson<Record<string, string>>(
        path.replace(/\.json$/, "-regexps.json"),
      ) ?? {},
  );
}

function readPrebuilt(path: string): RuleFileEntry[] {
  const entries = readJson<RuleFileEntry[]>(path);
  preparePatterns(path);
  if (!entries)
    throw new AuthwrapError(
      "UNREADABLE_FILE",
      `${path}: built-in rules are missing or unreadable; run \`npm run build\``,
      { file: path },
    );
  return entries.map((entry) => ({ ...entry, builtin: true }));
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AuthwrapError(
      "INVALID_RULES",
      `${path}: not valid JSON (${(error as Error).message})`,
      { file: path },
    );
  }
}

async function parseYaml(text: string, path: string): Promise<unknown> {
  const { parse } = await import("./yaml.js");
  try {
    return parse(text, { prettyErrors: true });
  } catch (error) {
    const firstLine = (error as Error).message.split("\n")[0];
    throw new AuthwrapError(
      "INVALID_RULES",
      `${path}: not valid YAML (${firstLine})`,
      { file: path },
    );
  }
}
