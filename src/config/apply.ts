// The config's defaults for one invocation: which tool and profile the command is (as the
// rules and the inner command say), then the most specific values for them. Loaded only when a
// config file exists.
import { readContext } from "../classify/context.js";
import type { ToolRules } from "../rules/compile.js";
import { selectRules } from "../rules/select.js";
import { innerEnv, unwrapCommand } from "../rules/unwrap.js";
import type { Invocation } from "../types.js";
import type { ConfigFile } from "./find.js";
import { loadConfigFiles, type ConfigLayer } from "./load.js";
import { resolveConfig, type ConfigDefault } from "./resolve.js";

export interface AppliedConfig {
  layers: ConfigLayer[];
  tool: string;
  profile?: string;
  defaults: ConfigDefault[];
}

export async function configFor(
  files: ConfigFile[],
  rules: ToolRules[],
  invocation: Pick<Invocation, "command" | "args" | "tool">,
  env: Record<string, string | undefined>,
): Promise<AppliedConfig> {
  const layers = await loadConfigFiles(files);
  const inner = unwrapCommand(invocation.command, invocation.args);
  const { tool, sets } = selectRules(rules, inner.command, invocation.tool);
  const own = sets.find((set) => set.kind === "tool" && set.tool === tool);
  const profile = own
    ? readContext(own, { args: inner.args, env: innerEnv(inner, env) }).profile
    : undefined;
  return {
    layers,
    tool,
    profile,
    defaults: resolveConfig(layers, tool, profile),
  };
}
