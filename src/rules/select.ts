// Layers rule files by tool (a later file's rule replaces an earlier one with the same id;
// its new rules go first) and picks the rules that apply to one command.
import type { ToolRules } from './compile.js';

export const GENERIC_TOOL = 'generic';

export function mergeRuleFiles(files: ToolRules[]): ToolRules[] {
  const byTool = new Map<string, ToolRules>();
  for (const file of files) {
    const base = byTool.get(file.tool);
    byTool.set(file.tool, base ? layer(base, file) : { ...file, rules: [...file.rules] });
  }
  return [...byTool.values()];
}

/** The tool's own rules, then the generic ones, in the order they are tried. */
export function selectRules(merged: ToolRules[], command: string, toolOverride?: string): { tool: string; sets: ToolRules[] } {
  const tool = chooseTool(merged, command, toolOverride);
  const sets = [merged.find((set) => set.tool === tool && tool !== GENERIC_TOOL), merged.find((set) => set.tool === GENERIC_TOOL)];
  return { tool: tool ?? commandName(command), sets: sets.filter((set): set is ToolRules => set !== undefined) };
}

/** The tool a command belongs to: --tool, else the last file whose `commands` name it (later sources win). */
export function chooseTool(files: Array<{ tool: string; commands: string[] }>, command: string, toolOverride?: string): string | undefined {
  if (toolOverride) return toolOverride;
  const name = commandName(command);
  return [...files].reverse().find((file) => file.tool !== GENERIC_TOOL && file.commands.includes(name))?.tool;
}

/** `aws`, `/usr/local/bin/gcloud`, `gh.exe`, `C:\\bin\\az.cmd` → aws, gcloud, gh, az. */
export function commandName(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? command;
  return base.replace(/\.(exe|cmd|bat|ps1)$/i, '').toLowerCase();
}

function layer(base: ToolRules, file: ToolRules): ToolRules {
  const replaced = new Map(file.rules.map((rule) => [rule.id, rule]));
  const kept = base.rules.map((rule) => replaced.get(rule.id) ?? rule);
  const added = file.rules.filter((rule) => !base.rules.some((old) => old.id === rule.id));
  return {
    tool: base.tool,
    commands: [...new Set([...base.commands, ...file.commands])],
    refreshCommand: file.refreshCommand ?? base.refreshCommand,
    refreshSource: file.refreshCommand ? file.refreshSource : base.refreshSource,
    refreshInteractive: file.refreshCommand ? file.refreshInteractive : base.refreshInteractive,
    hint: file.hint ?? base.hint,
    envVars: file.envVars.length > 0 ? file.envVars : base.envVars,
    context: { ...base.context, ...file.context },
    rules: [...added, ...kept],
  };
}
