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
): Promise<(() => ToolRules[]) & { hasProbes: boolean }> {
  const entries = await readRuleSources(sources);
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
  const compile = ({ source, file, sha256, origin }: RuleFileEntry) =>
    compileRuleFile(file, source, { sha256, origin: origin ?? "builtin" });
  const users = new Map(
    needed.filter((entry) => !entry.builtin).map((e) => [e, compile(e)]),
  );
  let merged: ToolRules[] | undefined;
  const compileAll = () =>
    (merged ??= mergeRuleFiles(
      needed.map((entry) => users.get(entry) ?? compile(entry)),
    ));
  // Read off the uncompiled files: whether a proactive check must pick the rules before the run.
  const hasProbes = needed.some(
    ({ file }) => file.tool === tool && (file.probes?.length ?? 0) > 0,
  );
  return Object.assign(compileAll, { hasProbes });
}

/** Every rule file in layering order, read and validated but not compiled. */
export async function readRuleSources(
  sources: RuleSources,
): Promise<RuleFileEntry[]> {
  const entries = readPrebuilt(sources.builtinPath);
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

function readPrebuilt(path: string): RuleFileEntry[] {
  const entries = readJson<RuleFileEntry[]>(path);
  // Missing (an older build): the patterns are rewritten as they compile, only slower.
  usePreparedSources(
    readJson<Record<string, string>>(
      path.replace(/\.json$/, "-regexps.json"),
    ) ?? {},
  );
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
