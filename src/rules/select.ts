// Layers rule files by tool (a later file's rule replaces an earlier one with the same id;
// its new rules go first) and picks the rules that apply to one command.
import type { ToolRules } from "./compile.js";

export const GENERIC_TOOL = "generic";

export function mergeRuleFiles(files: ToolRules[]): ToolRules[] {
  const byTool = new Map<string, ToolRules>();
  for (const file of files) {
    // A vocabulary and a tool may share a name (the aws vocabulary, the aws CLI).
    const key = `${file.kind}:${file.tool}`;
    const base = byTool.get(key);
    byTool.set(
      key,
      base ? layer(base, file) : { ...file, rules: [...file.rules] },
    );
  }
  return [...byTool.values()];
}

/**
 * The rules tried for one command, in tie-break order: the tool's own file, users' files for
 * every command (`commands: ['*']`), the vocabularies the tool uses, every other vocabulary,
 * then the generic file.
 */
export function selectRules(
  merged: ToolRules[],
  command: string,
  toolOverride?: string,
): { tool: string; sets: ToolRules[] } {
  const tool = chooseTool(merged, command, toolOverride);
  const own = merged.find(
    (set) => set.kind === "tool" && set.tool === tool && tool !== GENERIC_TOOL,
  );
  const everyCommand = merged.filter(
    (set) =>
      set.kind === "tool" &&
      set !== own &&
      set.tool !== GENERIC_TOOL &&
      set.commands.includes("*"),
  );
  const uses = own?.uses ?? [];
  const vocabularies = merged
    .filter((set) => set.kind === "vocabulary")
    .sort((a, b) => rankOf(uses, a.tool) - rankOf(uses, b.tool));
  const generic = merged.find(
    (set) => set.kind === "tool" && set.tool === GENERIC_TOOL,
  );
  const sets = [own, ...everyCommand, ...vocabularies, generic];
  return {
    tool: tool ?? commandName(command),
    sets: sets.filter((set): set is ToolRules => set !== undefined),
  };
}

function rankOf(uses: string[], name: string): number {
  const index = uses.indexOf(name);
  return index === -1 ? uses.length : index;
}

/** The tool a command belongs to: --tool, else the last file whose `commands` name it (later sources win). */
export function chooseTool(
  files: Array<{ tool: string; kind?: string; commands: string[] }>,
  command: string,
  toolOverride?: string,
): string | undefined {
  if (toolOverride) return toolOverride;
  const name = commandName(command);
  return [...files]
    .reverse()
    .find(
      (file) =>
        (file.kind ?? "tool") === "tool" &&
        file.tool !== GENERIC_TOOL &&
        file.commands.includes(name),
    )?.tool;
}

/** `aws`, `/usr/local/bin/gcloud`, `gh.exe`, `C:\\bin\\az.cmd` → aws, gcloud, gh, az. */
export function commandName(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? command;
  return base.replace(/\.(exe|cmd|bat|ps1)$/i, "").toLowerCase();
}

function layer(base: ToolRules, file: ToolRules): ToolRules {
  // A project's file came with a repository: it may add rules and refine a built-in rule's
  // words, but not change what a built-in rule concludes, nor where a trusted command's
  // placeholders come from.
  const fromProject = file.origin === "project";
  const replaced = new Map(file.rules.map((rule) => [rule.id, rule]));
  const kept = base.rules.map((rule) => {
    const next = replaced.get(rule.id);
    if (!next) return rule;
    return fromProject && rule.origin !== "project" && next.code !== rule.code
      ? rule
      : next;
  });
  const added = file.rules.filter(
    (rule) => !base.rules.some((old) => old.id === rule.id),
  );
  return {
    ...base,
    commands: [...new Set([...base.commands, ...file.commands])],
    uses: [...new Set([...file.uses, ...base.uses])],
    detect:
      base.detect && file.detect
        ? [...new Set([...base.detect, ...file.detect])]
        : undefined,
    credentials: { ...base.credentials, ...file.credentials },
    midWork: file.midWork ?? base.midWork,
    refreshCommand: file.refreshCommand ?? base.refreshCommand,
    refreshSource: file.refreshCommand
      ? file.refreshSource
      : base.refreshSource,
    refreshSourceHash: file.refreshCommand
      ? file.refreshSourceHash
      : base.refreshSourceHash,
    refreshOrigin: file.refreshCommand
      ? file.refreshOrigin
      : base.refreshOrigin,
    refreshInteractive: file.refreshCommand
      ? file.refreshInteractive
      : base.refreshInteractive,
    hint: file.hint ?? base.hint,
    envVars: file.envVars.length > 0 ? file.envVars : base.envVars,
    probes: file.probes.length > 0 ? file.probes : base.probes,
    identity: file.identity ?? base.identity,
    context: fromProject
      ? { ...file.context, ...base.context }
      : { ...base.context, ...file.context },
    origin: file.origin,
    rules: [...added, ...kept],
  };
}
