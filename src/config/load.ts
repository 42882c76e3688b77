// Reads and validates config files: checked like rule files (a regular file, yours, nobody
// else may write it), YAML or JSON, zod with file › key messages and "did you mean". A
// project's file may not choose a command or re-run one (config/keys.ts `projectMay`).
import type { z } from "zod";
import { AuthwrapError, isAuthwrapError } from "../errors.js";
import { readRuleSource } from "../rules/source-check.js";
import { nearest } from "../suggest.js";
import type { ConfigFile } from "./find.js";
import { CONFIG_KEYS } from "./keys.js";
import { CONFIG_FILE_KEYS, configSchema, type Config } from "./schema.js";

export interface ConfigLayer extends ConfigFile {
  config: Config;
}

export async function loadConfigFiles(
  files: ConfigFile[],
): Promise<ConfigLayer[]> {
  const layers: ConfigLayer[] = [];
  for (const file of files) {
    const raw = await parseConfigText(readConfigText(file.path), file.path);
    const config = validateConfig(raw, file.path);
    if (file.origin === "project") checkProjectConfig(config, file.path);
    layers.push({ ...file, config });
  }
  return layers;
}

function readConfigText(path: string): string {
  try {
    return readRuleSource(path, "config file").text;
  } catch (error) {
    if (isAuthwrapError(error))
      throw new AuthwrapError("INVALID_CONFIG", error.message, { file: path });
    throw error;
  }
}

async function parseConfigText(text: string, path: string): Promise<unknown> {
  try {
    if (/^\s*[{[]/.test(text)) return JSON.parse(text);
    const { parse } = await import("../rules/yaml.js");
    return parse(text) ?? {};
  } catch (error) {
    throw new AuthwrapError(
      "INVALID_CONFIG",
      `${path}: not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`,
      { file: path },
    );
  }
}

export function validateConfig(raw: unknown, path: string): Config {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = [...result.error.issues].sort(
    (a, b) =>
      Number(b.code === "unrecognized_keys") -
      Number(a.code === "unrecognized_keys"),
  )[0]!;
  const where =
    issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
  throw new AuthwrapError(
    "INVALID_CONFIG",
    `${path} › ${where}: ${describeIssue(issue)}; see authwrap schema config`,
    {
      file: path,
      field: where,
    },
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys")
    return issue.keys
      .map((key) => {
        const near = nearest(key, CONFIG_FILE_KEYS);
        return `unknown key "${key}"${near ? `; did you mean "${near}"?` : ""}`;
      })
      .join("; ");
  if (issue.code === "invalid_value" && "values" in issue)
    return `expected one of ${issue.values.map(String).join(", ")}`;
  return issue.message.replace(/^Invalid input: /, "");
}

/** A repository's config classifies like its rule files may: it never chooses what runs, nor re-runs a command. */
function checkProjectConfig(config: Config, path: string): void {
  const scopes: Array<[string, Record<string, unknown>]> = [["", config]];
  for (const [tool, settings] of Object.entries(config.tools ?? {})) {
    scopes.push([`tools.${tool}.`, settings]);
    for (const [profile, inner] of Object.entries(settings.profiles ?? {}))
      scopes.push([`tools.${tool}.profiles.${profile}.`, inner]);
  }
  for (const [prefix, settings] of scopes)
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      const value = settings[key];
      if (value !== undefined && !spec.projectMay(value))
        throw new AuthwrapError(
          "INVALID_CONFIG",
          `${path} › ${prefix}${key}: a project's config may not set ${key}: ${JSON.stringify(value)} (it came with the repository); put it in your own config`,
          { file: path, field: `${prefix}${key}` },
        );
    }
}
