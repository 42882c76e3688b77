// kubectl's credential: the kubeconfig's current context → its user → a static token, a
// tokenFile, or the OIDC auth-provider's id-token. Files merge as client-go merges them: the
// first file to set a value wins. An exec plugin's token is not in the kubeconfig; where the
// plugin caches an ExecCredential, the exec_credential_file probe reads it.
import { delimiter, join } from "node:path";
import { flagValue, type FoundCredential, type ProbeInput } from "./found.js";
import { parseTime } from "./jwt.js";
import { expandHome, homeOf, readBounded, readJsonObject } from "./read.js";
import { fromToken } from "./token.js";

type Named = { name?: unknown; user?: unknown; context?: unknown };

export async function probeKubeconfig(
  input: ProbeInput,
): Promise<FoundCredential | undefined> {
  const { env, args, log } = input;
  const paths = (
    flagValue(args, "--kubeconfig") ??
    env.KUBECONFIG ??
    join(homeOf(env), ".kube", "config")
  )
    .split(delimiter)
    .filter(Boolean);
  const { parse } = await import("../rules/yaml.js");
  let current = flagValue(args, "--context");
  const contexts = new Map<string, Record<string, unknown>>();
  const users = new Map<
    string,
    { user: Record<string, unknown>; path: string }
  >();
  for (const path of paths) {
    const read = readBounded(path);
    if ("error" in read) {
      log(`credential: kubeconfig ${read.error}`);
      continue;
    }
    let doc: Record<string, unknown>;
    try {
      doc = (parse(read.text) ?? {}) as Record<string, unknown>;
    } catch {
      log(`credential: kubeconfig ${path}: not YAML`);
      continue;
    }
    if (typeof doc["current-context"] === "string")
      current ??= doc["current-context"] as string;
    for (const entry of list(doc.contexts))
      if (typeof entry.name === "string" && !contexts.has(entry.name))
        contexts.set(entry.name, asObject(entry.context));
    for (const entry of list(doc.users))
      if (typeof entry.name === "string" && !users.has(entry.name))
        users.set(entry.name, { user: asObject(entry.user), path });
  }
  if (!current) {
    log("credential: kubeconfig has no current context");
    return undefined;
  }
  const userName = flagValue(args, "--user") ?? contexts.get(current)?.user;
  const found = typeof userName === "string" ? users.get(userName) : undefined;
  if (!found) {
    log(`credential: kubeconfig context ${current} names no known user`);
    return undefined;
  }
  const { user, path } = found;
  const where = `${path} › user ${String(userName)}`;
  if (typeof user.token === "string" && user.token)
    return fromToken("kubeconfig", `${where} › token`, user.token);
  if (typeof user.tokenFile === "string") {
    const read = readBounded(expandHome(user.tokenFile, env));
    if ("error" in read) log(`credential: kubeconfig tokenFile ${read.error}`);
    else if (read.text.trim())
      return fromToken("kubeconfig", user.tokenFile, read.text.trim());
  }
  const provider = asObject(user["auth-provider"]);
  const idToken = asObject(provider.config)["id-token"];
  if (typeof idToken === "string" && idToken)
    return fromToken("kubeconfig_oidc", `${where} › id-token`, idToken);
  log(
    user.exec
      ? `credential: ${where} uses an exec plugin; its token is not in the kubeconfig`
      : `credential: ${where} holds no token`,
  );
  return undefined;
}

/** A cached ExecCredential (client.authentication.k8s.io): status.token and status.expirationTimestamp. */
export function probeExecCredentialFile(
  path: string,
  { env, log }: ProbeInput,
): FoundCredential | undefined {
  const file = expandHome(path, env);
  const read = readJsonObject(file);
  if ("error" in read) {
    log(`credential: exec credential cache ${read.error}`);
    return undefined;
  }
  const status = asObject(read.value.status);
  if (
    read.value.kind !== "ExecCredential" ||
    typeof status.token !== "string"
  ) {
    log(`credential: ${file} is not an ExecCredential with a token`);
    return undefined;
  }
  return {
    kind: "exec_credential_file",
    source: file,
    expiresAt: parseTime(status.expirationTimestamp),
    secret: status.token,
  };
}

function list(value: unknown): Named[] {
  return Array.isArray(value)
    ? value.filter((v): v is Named => !!v && typeof v === "object")
    : [];
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
