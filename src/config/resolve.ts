// (config layers, tool, profile) → the flag defaults they supply, each with where it came from.
// Pure. Per key the most specific value wins: the profile's, then the tool's, then the file's
// top level; at each level a project's file before the user's.
import { CONFIG_KEYS, type ConfigKey } from "./keys.js";
import type { ConfigLayer } from "./load.js";

/** One flag's default from a config file; `value` false passes nothing (a switch turned off). */
export interface ConfigDefault {
  key: string;
  flag: string;
  env?: string;
  value: string | boolean;
  /** The value as the file wrote it. */
  raw: unknown;
  /** `path › tools.aws.profiles.prod.retry`. */
  origin: string;
}

export function resolveConfig(
  layers: ConfigLayer[],
  tool: string | undefined,
  profile: string | undefined,
): ConfigDefault[] {
  const ordered = [...layers].sort(
    (a, b) => Number(b.origin === "project") - Number(a.origin === "project"),
  );
  const scopes: Array<{
    path: string;
    settings: Record<string, unknown>;
    at: string;
  }> = [];
  const toolOf = (layer: ConfigLayer) =>
    tool ? layer.config.tools?.[tool] : undefined;
  for (const layer of ordered) {
    const profiles = toolOf(layer)?.profiles;
    if (profile && profiles && Object.hasOwn(profiles, profile))
      scopes.push({
        path: layer.path,
        settings: profiles[profile]!,
        at: `tools.${tool}.profiles.${profile}.`,
      });
  }
  for (const layer of ordered) {
    const settings = toolOf(layer);
    if (settings && Object.hasOwn(layer.config.tools!, tool!))
      scopes.push({ path: layer.path, settings, at: `tools.${tool}.` });
  }
  for (const layer of ordered)
    scopes.push({ path: layer.path, settings: layer.config, at: "" });

  const found: ConfigDefault[] = [];
  for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
    const scope = scopes.find(
      (candidate) => candidate.settings[key] !== undefined,
    );
    if (!scope) continue;
    const raw = scope.settings[key];
    found.push({
      key,
      flag: spec.flag,
      env: spec.env,
      value: flagValue(spec, raw),
      raw,
      origin: `${scope.path} › ${scope.at}${key}`,
    });
  }
  return found;
}

function flagValue(spec: ConfigKey, raw: unknown): string | boolean {
  if (spec.kind === "switch") return raw === true;
  if (spec.kind === "negated") return raw === false;
  return String(raw);
}
