// Which re-auth command the tool's own files name, filled for this command: the one a proactive
// refresh may run unattended, and the one `--explain` shows. Pure.
import type { CommandFacts } from "../classify/classify.js";
import { readContext } from "../classify/context.js";
import { fillCommand } from "../classify/template.js";
import type { ToolRules } from "../rules/compile.js";
import type { Invocation } from "../types.js";

/** The tool file's refresh_command with its {placeholders} filled from the command's flags and env. */
export function toolRefreshCommand(
  toolSet: ToolRules,
  context: CommandFacts,
): string | undefined {
  if (!toolSet.refreshCommand) return undefined;
  return fillCommand(toolSet.refreshCommand, {
    ...readContext(toolSet, context),
    tool: context.tool,
    command: context.command,
  });
}

/** The tool file's who-am-I (identity.command), filled the same way. */
export function toolIdentityCommand(
  toolSet: ToolRules,
  context: CommandFacts,
): string | undefined {
  if (!toolSet.identity) return undefined;
  return fillCommand(toolSet.identity.command, {
    ...readContext(toolSet, context),
    tool: context.tool,
    command: context.command,
  });
}

/**
 * The re-auth a proactive refresh may run unattended: the caller's (--reauth, AUTHWRAP_REAUTH), or
 * the tool file's own when it needs no person and does not come from a project folder.
 */
export function proactiveCommandOf(
  invocation: Invocation,
  toolSet: ToolRules,
  context: CommandFacts,
): { command: string; source: string } | undefined {
  // The caller marked their command as needing a person (--reauth-interactive): never unattended.
  if (invocation.reauthCommand && invocation.reauthInteractive)
    return undefined;
  if (invocation.reauthCommand)
    return {
      command: invocation.reauthCommand,
      source: invocation.reauthSource ?? "flag",
    };
  if (
    !toolSet.refreshCommand ||
    toolSet.refreshInteractive ||
    toolSet.refreshOrigin === "project"
  )
    return undefined;
  const command = toolRefreshCommand(toolSet, context);
  return command
    ? { command, source: toolSet.refreshSource ?? "rules" }
    : undefined;
}
