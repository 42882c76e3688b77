// The token the GitHub CLI sends, found as gh finds it for the host the command talks to
// (--hostname, GH_HOST, else github.com): GH_TOKEN / GITHUB_TOKEN for github.com and *.ghe.com,
// GH_ENTERPRISE_TOKEN / GITHUB_ENTERPRISE_TOKEN for any other host, else hosts.yml in gh's config
// folder (GH_CONFIG_DIR, else $XDG_CONFIG_HOME/gh, else ~/.config/gh). Since gh 2.40 a stored
// token usually sits in the system keyring; then hosts.yml names only the user, and this probe
// says so. Tokens are opaque: fingerprinted, no lifetime.
import { join } from "node:path";
import { flagValue, type FoundCredential, type ProbeInput } from "./found.js";
import { homeOf, readBounded } from "./read.js";

const CLOUD_HOST = /^(?:github\.com|[a-z0-9-]+\.ghe\.com)$/i;

export async function probeGhToken({
  env,
  args,
  log,
}: ProbeInput): Promise<FoundCredential | undefined> {
  const host = flagValue(args, "--hostname") ?? env.GH_HOST ?? "github.com";
  const names = CLOUD_HOST.test(host)
    ? ["GH_TOKEN", "GITHUB_TOKEN"]
    : ["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"];
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { kind: "env_token", source: name, secret: value };
  }
  return fromHostsFile(env, host, log);
}

async function fromHostsFile(
  env: ProbeInput["env"],
  host: string,
  log: ProbeInput["log"],
): Promise<FoundCredential | undefined> {
  const folder =
    env.GH_CONFIG_DIR ||
    (env.XDG_CONFIG_HOME
      ? join(env.XDG_CONFIG_HOME, "gh")
      : join(homeOf(env), ".config", "gh"));
  const path = join(folder, "hosts.yml");
  const read = readBounded(path);
  if ("error" in read) {
    log(`credential: ${read.error}`);
    return undefined;
  }
  const { parse } = await import("../rules/yaml.js");
  let hosts: unknown;
  try {
    hosts = parse(read.text);
  } catch {
    log(`credential: ${path} is not YAML`);
    return undefined;
  }
  const entry = (hosts as Record<string, unknown> | null)?.[host];
  const token =
    entry && typeof entry === "object"
      ? (entry as { oauth_token?: unknown }).oauth_token
      : undefined;
  if (typeof token !== "string" || !token) {
    log(
      `credential: ${path} has no oauth_token for ${host}${entry ? " (gh keeps it in the system keyring)" : ""}`,
    );
    return undefined;
  }
  return { kind: "gh_hosts", source: `${path} (${host})`, secret: token };
}
