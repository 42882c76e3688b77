// Where config files are: the user's `$XDG_CONFIG_HOME/authwrap/config.yaml` and a project's
// nearest `.authwrap/config.yaml` from the current folder up. Only stats: on the hot path, a run
// with no config file pays for two or so stat calls and loads nothing else.
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface ConfigFile {
  path: string;
  origin: "user" | "project";
}

export const CONFIG_FILE_NAME = "config.yaml";

export function findConfigFiles(
  env: Record<string, string | undefined>,
  cwd: string,
): ConfigFile[] {
  const configHome =
    env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  const files: ConfigFile[] = [];
  const user = join(configHome, "authwrap", CONFIG_FILE_NAME);
  if (statSync(user, { throwIfNoEntry: false }))
    files.push({ path: user, origin: "user" });
  const project = findProjectConfig(cwd);
  if (project && project !== user)
    files.push({ path: project, origin: "project" });
  return files;
}

function findProjectConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, ".authwrap", CONFIG_FILE_NAME);
    if (statSync(candidate, { throwIfNoEntry: false })) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
