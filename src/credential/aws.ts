// The AWS CLI's credentials: AWS_CREDENTIAL_EXPIRATION beside env credentials, the CLI's cache
// of assumed-role and SSO role credentials, and the SSO token cache. Cache files are found by the
// key botocore itself computes for the profile (credentials.py _create_cache_key, utils.py
// SSOTokenLoader._generate_cache_key), never by picking the newest file: no guessing.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { flagValue, type FoundCredential, type ProbeInput } from "./found.js";
import { parseTime } from "./jwt.js";
import { homeOf, readBounded, readJsonObject } from "./read.js";
import { readIniSections } from "./token.js";

export function probeAwsEnvExpiration({
  env,
  log,
}: ProbeInput): FoundCredential | undefined {
  const secret = env.AWS_SESSION_TOKEN || env.AWS_ACCESS_KEY_ID;
  if (!secret) {
    log("credential: AWS_SESSION_TOKEN and AWS_ACCESS_KEY_ID are not set");
    return undefined;
  }
  const expiresAt = parseTime(env.AWS_CREDENTIAL_EXPIRATION);
  if (env.AWS_CREDENTIAL_EXPIRATION && expiresAt === undefined)
    log("credential: AWS_CREDENTIAL_EXPIRATION does not read as a time");
  return {
    kind: "aws_env_expiration",
    source: env.AWS_SESSION_TOKEN ? "AWS_SESSION_TOKEN" : "AWS_ACCESS_KEY_ID",
    expiresAt,
    secret,
  };
}

/** The role credentials the CLI cached for the profile (assume-role or SSO role). */
export function probeAwsCliCache(
  input: ProbeInput,
): FoundCredential | undefined {
  const profile = readProfile(input);
  if (!profile) return undefined;
  const key = cliCacheKey(profile.values, profile.sessions);
  if (!key) {
    input.log(
      `credential: aws profile ${profile.name} neither assumes a role nor uses an SSO role`,
    );
    return undefined;
  }
  const path = join(homeOf(input.env), ".aws", "cli", "cache", `${key}.json`);
  const read = readJsonObject(path);
  if ("error" in read) {
    input.log(`credential: aws cli cache: ${read.error}`);
    return undefined;
  }
  const credentials = read.value.Credentials as
    Record<string, unknown> | undefined;
  const secret = credentials?.SessionToken ?? credentials?.AccessKeyId;
  if (typeof secret !== "string") {
    input.log(`credential: ${path} holds no Credentials`);
    return undefined;
  }
  return {
    kind: "aws_cli_cache",
    source: path,
    expiresAt: parseTime(credentials?.Expiration),
    secret,
  };
}

/** The SSO access token of the profile's sso_session (or legacy sso_start_url). */
export function probeAwsSsoCache(
  input: ProbeInput,
): FoundCredential | undefined {
  const profile = readProfile(input);
  if (!profile) return undefined;
  const session = profile.values.sso_session;
  const startUrl = session
    ? profile.sessions.get(session)?.sso_start_url
    : profile.values.sso_start_url;
  if (!session && !startUrl) {
    input.log(`credential: aws profile ${profile.name} does not use SSO`);
    return undefined;
  }
  const key = sha1(session ?? startUrl!);
  const path = join(homeOf(input.env), ".aws", "sso", "cache", `${key}.json`);
  const read = readJsonObject(path);
  if ("error" in read) {
    input.log(`credential: aws sso cache: ${read.error}`);
    return undefined;
  }
  const token = read.value.accessToken;
  if (typeof token !== "string") {
    input.log(`credential: ${path} holds no accessToken`);
    return undefined;
  }
  return {
    kind: "aws_sso_cache",
    source: path,
    expiresAt: parseTime(read.value.expiresAt),
    secret: token,
  };
}

interface Profile {
  name: string;
  values: Record<string, string>;
  sessions: Map<string, Record<string, string>>;
}

function readProfile({ env, args, log }: ProbeInput): Profile | undefined {
  const name =
    flagValue(args, "--profile") ||
    env.AWS_PROFILE ||
    env.AWS_DEFAULT_PROFILE ||
    "default";
  const path = env.AWS_CONFIG_FILE || join(homeOf(env), ".aws", "config");
  const read = readBounded(path);
  if ("error" in read) {
    log(`credential: aws config: ${read.error}`);
    return undefined;
  }
  const sections = readIniSections(read.text);
  const values =
    sections.get(name === "default" ? "default" : `profile ${name}`) ??
    (name === "default" ? sections.get("profile default") : undefined);
  if (!values) {
    log(`credential: ${path} has no profile ${name}`);
    return undefined;
  }
  const sessions = new Map<string, Record<string, string>>();
  for (const [section, entries] of sections)
    if (section.startsWith("sso-session "))
      sessions.set(section.slice("sso-session ".length), entries);
  return { name, values, sessions };
}

function cliCacheKey(
  profile: Record<string, string>,
  sessions: Map<string, Record<string, string>>,
): string | undefined {
  if (profile.role_arn) {
    // AssumeRoleCredentialFetcher: json.dumps(args, sort_keys=True) with Python's default separators.
    const args: Record<string, string | number> = {
      RoleArn: profile.role_arn,
    };
    if (profile.role_session_name)
      args.RoleSessionName = profile.role_session_name;
    if (profile.external_id) args.ExternalId = profile.external_id;
    if (profile.mfa_serial) args.SerialNumber = profile.mfa_serial;
    if (profile.duration_seconds)
      args.DurationSeconds = Number(profile.duration_seconds);
    return safeName(sha1(pythonJson(args, ", ", ": ")));
  }
  if (profile.sso_account_id && profile.sso_role_name) {
    // SSOCredentialFetcher: minified, sessionName instead of startUrl when an sso_session is used.
    const session = profile.sso_session;
    const startUrl = session
      ? sessions.get(session)?.sso_start_url
      : profile.sso_start_url;
    const args: Record<string, string> = {
      roleName: profile.sso_role_name,
      accountId: profile.sso_account_id,
    };
    if (session) args.sessionName = session;
    else if (startUrl) args.startUrl = startUrl;
    else return undefined;
    return safeName(sha1(pythonJson(args, ",", ":")));
  }
  return undefined;
}

/** json.dumps(value, sort_keys=True, separators=...) for a flat object of strings and numbers. */
function pythonJson(
  value: Record<string, string | number>,
  item: string,
  key: string,
): string {
  const entries = Object.keys(value)
    .sort()
    .map((name) => `${asciiJson(name)}${key}${asciiJson(value[name]!)}`);
  return `{${entries.join(item)}}`;
}

/** JSON.stringify with non-ASCII escaped, as Python's ensure_ascii does. */
function asciiJson(value: string | number): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function safeName(name: string): string {
  return name.replace(/[:/]/g, "_");
}

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}
