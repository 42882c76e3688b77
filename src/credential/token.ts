// Tokens handed over directly: in an environment variable, in a file an environment variable
// names, and gcloud's access-token file override (opaque: fingerprinted, no lifetime).
import { join } from "node:path";
import type { FoundCredential, ProbeInput } from "./found.js";
import { readJwtTimes } from "./jwt.js";
import { homeOf, readBounded } from "./read.js";

export function probeEnvToken(
  name: string,
  { env, log }: ProbeInput,
): FoundCredential | undefined {
  const value = env[name]?.trim();
  if (!value) {
    log(`credential: ${name} is not set`);
    return undefined;
  }
  return fromToken("env_token", name, value);
}

export function probeEnvTokenFile(
  name: string,
  { env, log }: ProbeInput,
): FoundCredential | undefined {
  const path = env[name];
  if (!path) {
    log(`credential: ${name} is not set`);
    return undefined;
  }
  return fromTokenFile("env_token_file", path, log);
}

/** CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, else auth/access_token_file of gcloud's active configuration. */
export function probeGcloudTokenFile({
  env,
  log,
}: ProbeInput): FoundCredential | undefined {
  const fromEnv = env.CLOUDSDK_AUTH_ACCESS_TOKEN_FILE;
  if (fromEnv) return fromTokenFile("gcloud_access_token_file", fromEnv, log);
  const config = env.CLOUDSDK_CONFIG || join(homeOf(env), ".config", "gcloud");
  const active = readBounded(join(config, "active_config"));
  const name =
    env.CLOUDSDK_ACTIVE_CONFIG_NAME ||
    ("text" in active ? active.text.trim() : "") ||
    "default";
  const file = readBounded(join(config, "configurations", `config_${name}`));
  if ("error" in file) {
    log(`credential: gcloud configuration: ${file.error}`);
    return undefined;
  }
  const path = readIniValue(file.text, "auth", "access_token_file");
  if (!path) {
    log(
      `credential: gcloud configuration ${name} sets no auth/access_token_file`,
    );
    return undefined;
  }
  return fromTokenFile("gcloud_access_token_file", path, log);
}

function fromTokenFile(
  kind: string,
  path: string,
  log: (line: string) => void,
): FoundCredential | undefined {
  const read = readBounded(path);
  if ("error" in read) {
    log(`credential: ${read.error}`);
    return undefined;
  }
  const token = read.text.trim();
  if (!token) {
    log(`credential: ${path} is empty`);
    return undefined;
  }
  return fromToken(kind, path, token);
}

/** A token of any shape; a JWT also gives its times. */
export function fromToken(
  kind: string,
  source: string,
  token: string,
): FoundCredential {
  const times = readJwtTimes(token);
  return {
    kind,
    source,
    expiresAt: times?.expiresAt,
    issuedAt: times?.issuedAt,
    secret: token,
  };
}

/** `key = value` in `[section]` of an INI file (gcloud's and the AWS CLI's config). */
export function readIniValue(
  text: string,
  section: string,
  key: string,
): string | undefined {
  return readIniSections(text).get(section)?.[key];
}

export function readIniSections(
  text: string,
): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (header) {
      current = {};
      sections.set(header[1]!.replace(/\s+/g, " "), current);
      continue;
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (pair && current) current[pair[1]!] = pair[2]!;
  }
  return sections;
}
