// az's MSAL token cache (~/.azure/msal_token_cache.json, plain JSON on Linux and macOS): the
// access token of the one signed-in account, preferring Azure Resource Manager's, which az uses
// for most commands. With several accounts az's choice cannot be read from the cache: nothing.
import { join } from "node:path";
import type { FoundCredential, ProbeInput } from "./found.js";
import { parseTime } from "./jwt.js";
import { homeOf, readJsonObject } from "./read.js";

const ARM = "management.core.windows.net";

export function probeAzureMsalCache({
  env,
  log,
}: ProbeInput): FoundCredential | undefined {
  const dir = env.AZURE_CONFIG_DIR || join(homeOf(env), ".azure");
  const path = join(dir, "msal_token_cache.json");
  const read = readJsonObject(path);
  if ("error" in read) {
    log(`credential: az token cache: ${read.error}`);
    return undefined;
  }
  const tokens = Object.values(asRecord(read.value.AccessToken)).map(asRecord);
  const accounts = new Set(tokens.map((t) => t.home_account_id));
  if (tokens.length === 0) {
    log(`credential: ${path} holds no access token`);
    return undefined;
  }
  if (accounts.size > 1) {
    log(
      `credential: ${path} holds tokens of ${accounts.size} accounts; which one az uses is not in the cache`,
    );
    return undefined;
  }
  const arm = tokens.filter((t) => String(t.target ?? "").includes(ARM));
  const chosen = (arm.length > 0 ? arm : tokens)
    .map((t) => ({ t, expiresAt: parseTime(t.expires_on) }))
    .sort((a, b) => (b.expiresAt ?? 0) - (a.expiresAt ?? 0))[0]!;
  if (typeof chosen.t.secret !== "string") {
    log(`credential: ${path}: the access token has no secret`);
    return undefined;
  }
  return {
    kind: "azure_msal_cache",
    source: path,
    expiresAt: chosen.expiresAt,
    issuedAt: parseTime(chosen.t.cached_at),
    secret: chosen.t.secret,
  };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
