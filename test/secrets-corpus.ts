// Secret shapes as they turn up in CLI output, for the redaction tests. Every value is FAKE: a
// provider's published example where one exists (AWS, Stripe), otherwise a random body of the
// documented prefix, length and alphabet, generated here from a fixed seed, so no file in the
// repository holds a literal token that a secret scanner (or a person) could mistake for a real one.

export interface SecretShape {
  /** What it is. */
  name: string;
  /** One line (or a few) as a CLI, a log or a config dump prints it. */
  line: string;
  /** The part that must vanish: no 8-character piece of it may survive redaction. */
  secret: string;
}

/**
 * The first 8-character piece of `secret` still present in `text`, or null when none survived.
 * Pieces that also occur in `ordinary` (text around the secrets, such as "-api-key") do not count.
 */
export function survivingPiece(
  text: string,
  secret: string,
  ordinary = "",
): string | null {
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    if (text.includes(piece) && !ordinary.includes(piece)) return piece;
  }
  return null;
}

/** Everything the lines say besides their secrets. */
export function contextOf(shapes: readonly SecretShape[]): string {
  return shapes
    .map((shape) => shape.line.split(shape.secret).join("\n"))
    .join("\n");
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const HEX = "0123456789abcdef";
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const AWS_ID = `${UPPER}234567`;
const BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

/** A deterministic random string: the same seed always gives the same body. */
export function fake(seed: string, alphabet: string, length: number): string {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++)
    h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let out = "";
  for (let i = 0; i < length; i++) {
    // mulberry32
    h = (h + 0x6d2b79f5) | 0;
    let t = Math.imul(h ^ (h >>> 15), 1 | h);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out += alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length];
  }
  return out;
}

const shapes: SecretShape[] = [];
/** Adds a shape; `template` puts the secret into its line. */
function add(
  name: string,
  secret: string,
  template: (secret: string) => string,
): void {
  shapes.push({ name, secret, line: template(secret) });
}
/** A seeded body: `f('name', alphabet, length)` differs per name. */
const f = (seed: string, alphabet: string, length: number) =>
  fake(seed, alphabet, length);
const b64 = (seed: string, length: number) => f(seed, B64, length);

// ── AWS ───────────────────────────────────────────────────────────────────────────────────────
add(
  "AWS access key id (documented example)",
  "AKIAIOSFODNN7EXAMPLE",
  (s) =>
    `Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY (key ${s})`,
);
add(
  "AWS temporary access key id",
  `ASIA${f("asia", AWS_ID, 16)}`,
  (s) => `        "AccessKeyId": "${s}",`,
);
add(
  "AWS secret access key in a credentials file",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  (s) => `aws_secret_access_key = ${s}`,
);
add(
  "bare AWS secret access key after its key id",
  b64("aws-bare", 40),
  (s) => `using credentials AKIAIOSFODNN7EXAMPLE ${s} from ~/.aws/credentials`,
);
add(
  "AWS secret access key after key id and a colon",
  b64("aws-colon", 40),
  (s) => `static credentials ASIA${f("asia2", AWS_ID, 16)}:${s}`,
);
add(
  "AWS session token in a credentials file",
  `IQoJb3JpZ2luX2Vj${b64("sess", 320)}==`,
  (s) => `aws_session_token=${s}`,
);
add(
  "bare AWS session token",
  `FwoGZXIvYXdzE${b64("fwo", 280)}`,
  (s) => `token ${s} has expired`,
);
add(
  "aws sts assume-role: SecretAccessKey",
  b64("sts-secret", 40),
  (s) => `        "SecretAccessKey": "${s}",`,
);
add(
  "aws sts assume-role: SessionToken",
  `IQoJb3JpZ2luX2Vj${b64("sts-session", 300)}`,
  (s) => `        "SessionToken": "${s}",`,
);
add(
  "Secrets Manager SecretString",
  f("secretstring", ALNUM, 24),
  (s) =>
    `    "SecretString": "{\\"username\\":\\"app\\",\\"password\\":\\"${s}\\"}",`,
);
add(
  "AWS env export",
  b64("aws-env", 40),
  (s) => `export AWS_SECRET_ACCESS_KEY=${s}`,
);
add(
  "Amazon Bedrock long-lived API key",
  `ABSKQmVkcm9ja0FQSUtleS1${b64("bedrock", 120)}=`,
  (s) => `bedrock: invalid key ${s}`,
);
add(
  "Amazon Bedrock short-lived API key",
  `bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t${b64("bedrock-short", 200)}`,
  (s) => `AWS_BEARER_TOKEN_BEDROCK ${s} expired`,
);
add(
  "S3 presigned URL signature",
  f("presign", HEX, 64),
  (s) =>
    `GET https://bucket.s3.amazonaws.com/report.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${s} 403`,
);

// ── Google ────────────────────────────────────────────────────────────────────────────────────
add(
  "Google API key",
  `AIza${f("aiza", B64URL, 35)}`,
  (s) =>
    `GET https://maps.googleapis.com/maps/api/geocode/json?address=x&key=${s}: 403 API_KEY_INVALID`,
);
add(
  "Google OAuth access token",
  `ya29.a0${f("ya29", B64URL, 150)}`,
  (s) => `Refreshing access_token ${s} failed`,
);
add(
  "Google OAuth refresh token",
  `1//0${f("g-refresh", B64URL, 80)}`,
  (s) => `refresh token ${s} was revoked`,
);
add(
  "Google OAuth client secret",
  `GOCSPX-${f("gocspx", B64URL, 28)}`,
  (s) => `oauth2: client ${s} rejected: invalid_client`,
);
{
  const body = `MIIEvQIBADANBgkqhkiG9w0BAQEFAASC${b64("gcp-pem-1", 32)}\\n${b64("gcp-pem-2", 64)}\\n${b64("gcp-pem-3", 40)}=\\n`;
  add(
    'GCP service-account JSON "private_key"',
    body,
    (s) =>
      `  "private_key": "-----BEGIN PRIVATE KEY-----\\n${s}-----END PRIVATE KEY-----\\n",`,
  );
}

// ── Azure ─────────────────────────────────────────────────────────────────────────────────────
add(
  "Azure storage AccountKey in a connection string",
  `${b64("azure-account", 86)}==`,
  (s) =>
    `DefaultEndpointsProtocol=https;AccountName=examplestore;AccountKey=${s};EndpointSuffix=core.windows.net`,
);
add(
  "Azure SAS signature (sig=)",
  `${f("sas", ALNUM, 30)}%2B${f("sas2", ALNUM, 12)}%3D`,
  (s) =>
    `AuthenticationFailed: https://examplestore.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-01-01T00:00:00Z&spr=https&sig=${s}`,
);
add(
  "Azure Service Bus SharedAccessKey",
  `${b64("servicebus", 43)}=`,
  (s) =>
    `Endpoint=sb://example-ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${s}`,
);
add(
  "Azure AD client secret",
  `${f("aad1", ALNUM, 3)}8Q~${f("aad2", `${ALNUM}_.~-`, 34)}`,
  (s) => `MSAL: confidential client credential ${s} is invalid (AADSTS7000215)`,
);

// ── Source hosting ────────────────────────────────────────────────────────────────────────────
for (const prefix of ["ghp", "gho", "ghu", "ghs"])
  add(
    `GitHub ${prefix}_ token`,
    `${prefix}_${f(prefix, ALNUM, 36)}`,
    (s) => `git: using ${s} for https://github.com/org/repo.git`,
  );
add(
  "GitHub refresh token",
  `ghr_${f("ghr", ALNUM, 76)}`,
  (s) => `{"refresh_token_value":"x","note":"${s}"}`,
);
add(
  "GitHub fine-grained PAT",
  `github_pat_${f("ghpat1", ALNUM, 22)}_${f("ghpat2", ALNUM, 59)}`,
  (s) => `remote: Invalid username or token ${s}`,
);
add(
  "GitLab personal access token",
  `glpat-${f("glpat", B64URL, 20)}`,
  (s) =>
    `curl --header "PRIVATE-TOKEN ${s}" https://gitlab.example.com/api/v4/projects`,
);
add(
  "GitLab pipeline trigger token",
  `glptt-${f("glptt", HEX, 40)}`,
  (s) => `trigger ${s} is not valid`,
);
add(
  "GitLab runner token",
  `glrt-${f("glrt", B64URL, 24)}`,
  (s) => `ERROR: Verifying runner... is removed  token=${s}`,
);
add(
  "GitLab deploy token",
  `gldt-${f("gldt", B64URL, 20)}`,
  (s) =>
    `docker login registry.gitlab.example.com -u deployer --password-stdin <<< ${s}`,
);
add(
  "Bitbucket app password",
  `ATBB${f("atbb", ALNUM, 32)}${f("atbb2", HEX.toUpperCase(), 8)}`,
  (s) => `fatal: Authentication failed for app password ${s}`,
);
add(
  "Atlassian API token",
  `ATATT3xFfGF0${f("atatt", B64URL, 170)}=${f("atatt2", HEX.toUpperCase(), 8)}`,
  (s) => `jira: 401 for token ${s}`,
);
add(
  "password in a git remote URL",
  f("git-url", ALNUM, 20),
  (s) =>
    `fatal: unable to access 'https://oauth2:${s}@gitlab.example.com/group/repo.git/': The requested URL returned error: 403`,
);

// ── Chat ──────────────────────────────────────────────────────────────────────────────────────
add(
  "Slack bot token",
  `xoxb-${f("xoxb1", DIGITS, 12)}-${f("xoxb2", DIGITS, 13)}-${f("xoxb3", ALNUM, 24)}`,
  (s) => `slack: invalid_auth for ${s}`,
);
add(
  "Slack user token",
  `xoxp-${f("xoxp1", DIGITS, 12)}-${f("xoxp2", DIGITS, 12)}-${f("xoxp3", DIGITS, 13)}-${f("xoxp4", HEX, 32)}`,
  (s) => `SLACK_TOKEN ${s} revoked`,
);
add(
  "Slack app-level token",
  `xapp-1-A${f("xapp1", UPPER + DIGITS, 10)}-${f("xapp2", DIGITS, 13)}-${f("xapp3", HEX, 64)}`,
  (s) => `socket mode: ${s} not allowed`,
);
add(
  "Slack configuration token",
  `xoxe.xoxp-1-${f("xoxe", ALNUM, 160)}`,
  (s) => `config token ${s} expired`,
);
add(
  "Slack webhook URL",
  `T${f("slackT", UPPER + DIGITS, 10)}/B${f("slackB", UPPER + DIGITS, 10)}/${f("slackW", ALNUM, 24)}`,
  (s) => `POST https://hooks.slack.com/services/${s} → 404 no_service`,
);
add(
  "Discord bot token",
  `MT${f("discord1", B64URL, 24)}.${f("discord2", B64URL, 6)}.${f("discord3", B64URL, 38)}`,
  (s) => `discord: 401 Unauthorized with Bot ${s}`,
);
add(
  "Discord webhook",
  `${f("dwid", DIGITS, 19)}/${f("dwtok", B64URL, 68)}`,
  (s) => `POST https://discord.com/api/webhooks/${s} 401`,
);
add(
  "Telegram bot token",
  `${f("tg1", DIGITS, 10)}:AA${f("tg2", B64URL, 33)}`,
  (s) => `POST https://api.telegram.org/bot${s}/sendMessage: 401 Unauthorized`,
);
add(
  "Microsoft Teams webhook",
  `${f("teams1", HEX, 32)}/${f("teams2", HEX, 8)}-${f("teams3", HEX, 4)}-4${f("teams4", HEX, 3)}-a${f("teams5", HEX, 3)}-${f("teams6", HEX, 12)}`,
  (s) =>
    `POST https://example.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000@00000000-0000-0000-0000-000000000000/IncomingWebhook/${s}: 400`,
);

// ── Payments ──────────────────────────────────────────────────────────────────────────────────
add(
  "Stripe live secret key",
  `sk_live_${f("sklive", ALNUM, 99)}`,
  (s) => `stripe: Invalid API Key provided: ${s}`,
);
add(
  "Stripe restricted key",
  `rk_live_${f("rklive", ALNUM, 99)}`,
  (s) => `STRIPE_KEY ${s} lacks permission rak_charge_write`,
);
add(
  "Stripe test secret key (documented example)",
  "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
  (s) => `stripe: using ${s}`,
);
add(
  "Stripe webhook signing secret",
  `whsec_${f("whsec", ALNUM, 32)}`,
  (s) => `webhook secret ${s} does not match`,
);
add(
  "Square access token",
  `EAAA${f("square", B64URL, 60)}`,
  (s) => `square: 401 UNAUTHORIZED for ${s}`,
);
add(
  "Square OAuth secret",
  `sq0csp-${f("sq0csp", B64URL, 43)}`,
  (s) => `square application secret ${s}`,
);
add(
  "PayPal/Braintree access token",
  `access_token$production$${f("bt1", LOWER + DIGITS, 16)}$${f("bt2", HEX, 32)}`,
  (s) => `braintree: AuthenticationError with ${s}`,
);

// ── AI providers ──────────────────────────────────────────────────────────────────────────────
add(
  "Anthropic API key",
  `sk-ant-api03-${f("anthropic", B64URL, 93)}AA`,
  (s) => `anthropic: 401 authentication_error: invalid x-api-key ${s}`,
);
add(
  "Anthropic admin key",
  `sk-ant-admin01-${f("anthropic-admin", B64URL, 93)}AA`,
  (s) => `admin key ${s} is disabled`,
);
add(
  "OpenAI project key",
  `sk-proj-${f("openai-proj", B64URL, 156)}`,
  (s) => `openai.AuthenticationError: Incorrect API key provided: ${s}.`,
);
add(
  "OpenAI legacy key",
  `sk-${f("openai1", ALNUM, 20)}T3BlbkFJ${f("openai2", ALNUM, 20)}`,
  (s) => `Incorrect API key provided: ${s}`,
);
add(
  "OpenAI service-account key",
  `sk-svcacct-${f("openai-svc", B64URL, 120)}`,
  (s) => `OPENAI_API_KEY ${s} was revoked`,
);
add(
  "OpenRouter key",
  `sk-or-v1-${f("openrouter", HEX, 64)}`,
  (s) => `openrouter: 401 No auth credentials found for ${s}`,
);
add(
  "Hugging Face token",
  `hf_${f("hf", UPPER + LOWER, 34)}`,
  (s) => `huggingface_hub: 401 Client Error for token ${s}`,
);
add(
  "Replicate token",
  `r8_${f("r8", ALNUM, 37)}`,
  (s) => `replicate: 401 invalid token ${s}`,
);
add(
  "Groq key",
  `gsk_${f("gsk", ALNUM, 52)}`,
  (s) => `groq: Invalid API Key ${s}`,
);
add(
  "Perplexity key",
  `pplx-${f("pplx", ALNUM, 48)}`,
  (s) => `perplexity 401 for ${s}`,
);
add(
  "xAI key",
  `xai-${f("xai", ALNUM, 80)}`,
  (s) => `xai: incorrect API key ${s}`,
);
add(
  "LangSmith key",
  `lsv2_pt_${f("lsv2a", HEX, 32)}_${f("lsv2b", HEX, 10)}`,
  (s) => `langsmith: 401 for ${s}`,
);

// ── Package registries ────────────────────────────────────────────────────────────────────────
add(
  "npm token",
  `npm_${f("npm", ALNUM, 36)}`,
  (s) => `npm ERR! 403 token ${s} cannot publish`,
);
add(
  ".npmrc _authToken",
  `${f("npmrc1", HEX, 8)}-${f("npmrc2", HEX, 4)}-${f("npmrc3", HEX, 4)}-${f("npmrc4", HEX, 12)}`,
  (s) => `//registry.example.com/:_authToken=${s}`,
);
add(".npmrc _auth", b64("npmrc-auth", 28), (s) => `_auth=${s}`);
add(
  "PyPI token",
  `pypi-AgEIcHlwaS5vcmc${f("pypi", B64URL, 120)}`,
  (s) =>
    `HTTPError: 403 Forbidden from https://upload.pypi.org/legacy/ (token ${s})`,
);
add(
  "Docker Hub PAT",
  `dckr_pat_${f("dckr", B64URL, 27)}`,
  (s) => `Error response from daemon: unauthorized: token ${s} has expired`,
);
add(
  "RubyGems key",
  `rubygems_${f("rubygems", HEX, 48)}`,
  (s) => `gem push: 401 for ${s}`,
);
add(
  "NuGet API key",
  `oy2${f("nuget", LOWER + DIGITS, 43)}`,
  (s) => `dotnet nuget push -k ${s} -s https://api.nuget.org/v3/index.json`,
);

// ── Database URLs ─────────────────────────────────────────────────────────────────────────────
add(
  "PostgreSQL URL password",
  f("pg", ALNUM, 18),
  (s) =>
    `psql: error: connection to server failed (postgres://app:${s}@db.internal:5432/app)`,
);
add(
  "MongoDB SRV URL password",
  f("mongo", ALNUM, 18),
  (s) =>
    `MongoServerError: bad auth : mongodb+srv://admin:${s}@cluster0.example.mongodb.net/?retryWrites=true`,
);
add(
  "Redis URL with an empty user",
  f("redis", ALNUM, 20),
  (s) => `ERR WRONGPASS using redis://:${s}@cache.internal:6379/0`,
);
add(
  "AMQP URL password",
  f("amqp", ALNUM, 16),
  (s) => `ACCESS_REFUSED amqp://guest:${s}@mq.internal:5672/`,
);
add(
  "JDBC password parameter",
  f("jdbc", ALNUM, 16),
  (s) => `jdbc:mysql://db:3306/app?user=app&password=${s}&useSSL=true`,
);
add(
  "ADO.NET connection string Password",
  f("adonet", ALNUM, 16),
  (s) =>
    `Server=tcp:sql.example.net,1433;Database=app;User ID=app;Password=${s};Encrypt=True`,
);

// ── SaaS ──────────────────────────────────────────────────────────────────────────────────────
add(
  "SendGrid key",
  `SG.${f("sg1", B64URL, 22)}.${f("sg2", B64URL, 43)}`,
  (s) => `sendgrid: 401 The provided authorization grant is invalid (${s})`,
);
add(
  "Twilio API key SID",
  `SK${f("twilio-sk", HEX, 32)}`,
  (s) => `twilio: 20003 Authenticate for ${s}`,
);
add(
  "Twilio account SID",
  `AC${f("twilio-ac", HEX, 32)}`,
  (s) => `https://api.twilio.com/2010-04-01/Accounts/${s}/Messages.json 401`,
);
add(
  "Mailgun key",
  `key-${f("mailgun", HEX, 32)}`,
  (s) => `mailgun: Forbidden for api:${s}`,
);
add(
  "Mailchimp key",
  `${f("mailchimp", HEX, 32)}-us14`,
  (s) => `mailchimp: API Key Invalid ${s}`,
);
add(
  "Shopify access token",
  `shpat_${f("shpat", HEX, 32)}`,
  (s) =>
    `shopify: [API] Invalid API key or access token (unrecognized login or wrong password) ${s}`,
);
add(
  "Shopify shared secret",
  `shpss_${f("shpss", HEX, 32)}`,
  (s) => `app secret ${s}`,
);
add(
  "Doppler service token",
  `dp.st.dev.${f("doppler", ALNUM, 40)}`,
  (s) => `doppler: Invalid Auth token ${s}`,
);
add(
  "Databricks token",
  `dapi${f("databricks", HEX, 32)}`,
  (s) => `Error: 403 Invalid access token ${s}`,
);
add(
  "DigitalOcean PAT",
  `dop_v1_${f("do", HEX, 64)}`,
  (s) => `doctl: Unable to authenticate you (${s})`,
);
add(
  "Linear API key",
  `lin_api_${f("linear", ALNUM, 40)}`,
  (s) => `linear: Authentication required ${s}`,
);
add(
  "Notion integration token (secret_)",
  `secret_${f("notion", ALNUM, 43)}`,
  (s) => `notion: API token is invalid: ${s}`,
);
add(
  "Notion token (ntn_)",
  `ntn_${f("ntn", ALNUM, 46)}`,
  (s) => `notion: unauthorized ${s}`,
);
add(
  "Heroku API key (HRKU-)",
  `HRKU-AA${f("heroku", B64URL, 58)}`,
  (s) => `heroku: Invalid credentials provided (${s})`,
);
add(
  "Heroku API key in env",
  `${f("herokuA", HEX, 8)}-${f("herokuB", HEX, 4)}-${f("herokuC", HEX, 4)}-${f("herokuD", HEX, 4)}-${f("herokuE", HEX, 12)}`,
  (s) => `HEROKU_API_KEY=${s} heroku apps`,
);
add(
  "Cloudflare Origin CA key",
  `v1.0-${f("cfca1", HEX, 24)}-${f("cfca2", HEX, 146)}`,
  (s) => `cloudflare: origin CA key ${s} rejected`,
);
add(
  "Cloudflare global API key header",
  f("cfglobal", HEX, 37),
  (s) => `> X-Auth-Key: ${s}`,
);
add(
  "Cloudflare API token in env",
  f("cftoken", B64URL, 40),
  (s) => `CLOUDFLARE_API_TOKEN=${s} wrangler deploy`,
);
add(
  "Fly.io token",
  `fo1_${f("fly", B64URL, 43)}`,
  (s) => `flyctl: unauthorized token ${s}`,
);
add(
  "Fly.io macaroon",
  `FlyV1 fm2_${f("flym", B64, 200)}`,
  (s) => `Error: ${s} not authorized`,
);
add(
  "Supabase access token",
  `sbp_${f("supabase", HEX, 40)}`,
  (s) => `supabase: Unauthorized ${s}`,
);
add(
  "Supabase secret key",
  `sb_secret_${f("sbsecret", B64URL, 32)}`,
  (s) => `supabase: invalid api key ${s}`,
);
add(
  "PlanetScale token",
  `pscale_tkn_${f("pscale", B64URL, 43)}`,
  (s) => `pscale: 401 ${s}`,
);
add(
  "PlanetScale password",
  `pscale_pw_${f("pscalepw", B64URL, 43)}`,
  (s) => `mysql -h aws.connect.psdb.cloud -u app --password ${s}`,
);
add(
  "Grafana service account token",
  `glsa_${f("glsa", ALNUM, 32)}_${f("glsa2", HEX, 8)}`,
  (s) => `grafana: 401 invalid API key ${s}`,
);
add(
  "Grafana Cloud token",
  `glc_${f("glc", B64, 120)}`,
  (s) => `grafana cloud: token ${s} expired`,
);
add(
  "Grafana legacy API key",
  `eyJrIjoi${f("grafana-legacy", B64, 72)}`,
  (s) => `grafana: Invalid API key ${s}`,
);
add(
  "New Relic user key",
  `NRAK-${f("newrelic", UPPER + DIGITS, 27)}`,
  (s) => `newrelic: 401 for ${s}`,
);
add(
  "Datadog API key in env",
  f("dd", HEX, 32),
  (s) => `DD_API_KEY=${s} datadog-ci upload`,
);
add(
  "Datadog application key header",
  f("ddapp", HEX, 40),
  (s) => `< DD-APPLICATION-KEY: ${s}`,
);
add(
  "Okta API token (SSWS)",
  `00${f("okta", B64URL, 40)}`,
  (s) => `Authorization: SSWS ${s}`,
);
add(
  "1Password service account token",
  `ops_eyJ${f("ops", B64URL, 200)}`,
  (s) => `op: [ERROR] invalid service account token ${s}`,
);
add(
  "1Password secret key",
  `A3-${f("op1", UPPER + DIGITS, 6)}-${f("op2", UPPER + DIGITS, 6)}-${f("op3", UPPER + DIGITS, 5)}-${f("op4", UPPER + DIGITS, 5)}-${f("op5", UPPER + DIGITS, 5)}-${f("op6", UPPER + DIGITS, 5)}`,
  (s) => `op account add: secret key ${s} is not valid`,
);
add(
  "Pulumi access token",
  `pul-${f("pulumi", HEX, 40)}`,
  (s) => `error: invalid access token ${s}`,
);
add(
  "Terraform Cloud token",
  `${f("tfc1", ALNUM, 14)}.atlasv1.${f("tfc2", ALNUM, 67)}`,
  (s) => `credentials "app.terraform.io" { token = "${s}" }`,
);
add(
  "age secret key",
  `AGE-SECRET-KEY-1${f("age", BECH32, 58)}`,
  (s) => `sops: failed to decrypt with ${s}`,
);
add(
  "Vault service token (hvs.)",
  `hvs.${f("hvs", ALNUM, 90)}`,
  (s) => `Error making API request. Code: 403. permission denied for ${s}`,
);
add(
  "Vault batch token (hvb.)",
  `hvb.${f("hvb", B64URL, 130)}`,
  (s) => `vault: batch token ${s} expired`,
);
add(
  "Vault legacy token (s.)",
  `s.${f("vault-legacy", ALNUM, 24)}`,
  (s) => `vault: bad token ${s}`,
);
add(
  "Tailscale auth key",
  `tskey-auth-${f("ts1", ALNUM, 17)}-${f("ts2", ALNUM, 33)}`,
  (s) => `tailscale up --authkey=${s}: invalid key`,
);
add(
  "Postman API key",
  `PMAK-${f("pmak1", HEX, 24)}-${f("pmak2", HEX, 34)}`,
  (s) => `postman: 401 for ${s}`,
);
add(
  "Sentry DSN key",
  f("sentry", HEX, 32),
  (s) => `sentry: sending to https://${s}@o123456.ingest.sentry.io/4504 failed`,
);
add(
  "Sentry user token",
  `sntryu_${f("sntryu", HEX, 64)}`,
  (s) => `sentry-cli: 401 Invalid token ${s}`,
);
add(
  "Airtable personal access token",
  `pat${f("airtable1", ALNUM, 14)}.${f("airtable2", HEX, 64)}`,
  (s) => `airtable: AUTHENTICATION_REQUIRED for ${s}`,
);
add(
  "Mapbox secret token",
  `sk.eyJ1${f("mapbox1", B64URL, 60)}.${f("mapbox2", B64URL, 22)}`,
  (s) => `mapbox: Not Authorized - Invalid Token ${s}`,
);
add(
  "Buildkite token",
  `bkua_${f("buildkite", HEX, 40)}`,
  (s) => `buildkite: 401 ${s}`,
);
add(
  "Figma token",
  `figd_${f("figma", B64URL, 40)}`,
  (s) => `figma: Invalid token ${s}`,
);

// ── Generic forms ─────────────────────────────────────────────────────────────────────────────
add(
  "JWT",
  `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${f("jwt2", B64URL, 120)}.${f("jwt3", B64URL, 86)}`,
  (s) => `kubectl: token ${s} is expired`,
);
add(
  "Authorization: Bearer header",
  f("bearer", B64URL, 48),
  (s) => `> Authorization: Bearer ${s}`,
);
add(
  "Authorization: Basic header",
  b64("basic", 32),
  (s) => `> authorization: Basic ${s}`,
);
add(
  'JSON "Authorization": "Bearer …"',
  f("json-bearer", B64URL, 40),
  (s) =>
    `{"headers": {"Authorization": "Bearer ${s}", "Accept": "application/json"}}`,
);
add(
  "bare Bearer credential in a log line",
  f("bare-bearer", B64URL, 40),
  (s) => `retrying request with Bearer ${s} after 401`,
);
add(
  "curl -u user:password",
  f("curl-u", ALNUM, 16),
  (s) => `+ curl -sf -u deploy:${s} https://ci.example.com/api/json`,
);
add(
  "--password X",
  f("flag-pw", ALNUM, 16),
  (s) => `running: mysqladmin --user root --password ${s} status`,
);
add(
  "--password=X",
  f("flag-pw-eq", ALNUM, 16),
  (s) => `running: tool login --password=${s}`,
);
add(
  "--token X",
  f("flag-token", B64URL, 30),
  (s) => `exec: mycli deploy --token ${s} --env prod`,
);
add(
  "--api-key=X",
  f("flag-apikey", ALNUM, 32),
  (s) => `exec: mycli --api-key=${s} status`,
);
add(
  "--client-secret X",
  f("flag-cs", ALNUM, 34),
  (s) =>
    `az login --service-principal --username app --client-secret ${s} --tenant example.onmicrosoft.com`,
);
add(
  "docker login -p X",
  f("docker-p", ALNUM, 20),
  (s) => `+ docker login -u ci -p ${s} registry.example.com`,
);
add(
  "Cookie: header",
  f("cookie", B64URL, 32),
  (s) => `> Cookie: theme=dark; session_id=${s}`,
);
add(
  "Set-Cookie: header",
  f("set-cookie", B64URL, 40),
  (s) => `< Set-Cookie: __Host-sid=${s}; Path=/; Secure; HttpOnly`,
);
add(
  "env-style MYAPP_API_KEY=",
  f("myapp", ALNUM, 24),
  (s) => `MYAPP_API_KEY=${s} ./deploy.sh`,
);
add(
  "private_token= query parameter",
  f("private-token", B64URL, 20),
  (s) => `GET https://gitlab.example.com/api/v4/user?private_token=${s} 401`,
);
add(
  "X-Vault-Token: header",
  f("vault-header", ALNUM, 26),
  (s) => `> X-Vault-Token: ${s}`,
);
add(
  "YAML password field",
  f("yaml-pw", ALNUM, 16),
  (s) => `  password: "${s}"`,
);
add(
  "JSON api_key field",
  f("json-apikey", ALNUM, 32),
  (s) => `{"api_key": "${s}", "region": "eu"}`,
);
add(
  "kubeconfig token field",
  f("kube-token", B64URL, 40),
  (s) => `    token: ${s}`,
);
add(
  "kubeconfig client-key-data",
  b64("kube-key", 120),
  (s) => `    client-key-data: ${s}`,
);
add(
  "docker config.json auth",
  b64("docker-auth", 28),
  (s) => `{"auths": {"registry.example.com": {"auth": "${s}"}}}`,
);
{
  const body = `MIIEowIBAAKCAQEA${b64("rsa1", 48)}\n${b64("rsa2", 64)}\n${b64("rsa3", 64)}\n${b64("rsa4", 20)}==\n`;
  add(
    "PEM RSA private key",
    body,
    (s) =>
      `unable to load key:\n-----BEGIN RSA PRIVATE KEY-----\n${s}-----END RSA PRIVATE KEY-----\ndone`,
  );
}
{
  const body = `b3BlbnNzaC1rZXktdjEAAAAA${b64("ssh1", 46)}\n${b64("ssh2", 70)}\n${b64("ssh3", 30)}=\n`;
  add(
    "PEM OpenSSH private key",
    body,
    (s) =>
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${s}-----END OPENSSH PRIVATE KEY-----`,
  );
}
{
  const body = `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${f("dek", HEX.toUpperCase(), 32)}\n\n${b64("enc1", 64)}\n${b64("enc2", 40)}\n`;
  add(
    "PEM encrypted private key with headers",
    body,
    (s) => `-----BEGIN EC PRIVATE KEY-----\n${s}-----END EC PRIVATE KEY-----`,
  );
}
{
  const body = `lQOYBF${b64("pgp1", 58)}\n${b64("pgp2", 64)}\n=${b64("pgp3", 4)}\n`;
  add(
    "PGP private key block",
    body,
    (s) =>
      `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${s}-----END PGP PRIVATE KEY BLOCK-----`,
  );
}

export const SECRET_SHAPES: readonly SecretShape[] = shapes;

/** Ordinary error text that must come through redaction unchanged. */
export const ORDINARY_TEXT: readonly string[] = [
  "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired",
  "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Deploy",
  "An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: arn:aws:sts::123456789012:assumed-role/Admin/bob is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
  "An error occurred (SignatureDoesNotMatch) when calling the ListBuckets operation: The request signature we calculated does not match the signature you provided. Check your key and signing method.",
  "Error when retrieving token from sso: Token has expired and refresh failed",
  "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.",
  "Request ID: 6f1c2b3a-1234-4bcd-9abc-0123456789ab",
  "x-amz-request-id: 4442587FB7D0A2F9",
  "x-amz-id-2: vlR7PnpV2Ce81l0PRw6jlUpck7Jo5ZsQjryTjKlc5aLWGVHPZLj5NeC6qMa0emYBDXOo6QBU0Wo=",
  '"Arn": "arn:aws:sts::123456789012:assumed-role/Deploy/ci-run-42",',
  '"Expiration": "2026-01-01T12:00:00+00:00"',
  "ERROR: (gcloud.projects.list) There was a problem refreshing your current auth tokens: Reauthentication failed. cannot prompt during non-interactive execution.",
  "Please run:\n\n  $ gcloud auth login\n\nto obtain new credentials.",
  '{"error": {"code": 401, "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "status": "UNAUTHENTICATED"}}',
  "ERROR: (gcloud.auth.application-default.print-access-token) invalid_grant: Token has been expired or revoked.",
  "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-01-01T00:00:00.0000000Z and was inactive for 90.00:00:00. Trace ID: 0b0f1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b Correlation ID: 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f Timestamp: 2026-01-01 00:00:00Z",
  "ERROR: The client 'alice@example.com' with object id '00000000-0000-0000-0000-000000000000' does not have authorization to perform action 'Microsoft.Storage/storageAccounts/read' over scope '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg'",
  "error: You must be logged in to the server (Unauthorized)",
  'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:builder" cannot list resource "pods" in API group "" in the namespace "kube-system"',
  'Error from server (Forbidden): secrets "db-credentials" is forbidden: User "alice" cannot get resource "secrets"',
  'error: exec plugin: invalid apiVersion "client.authentication.k8s.io/v1alpha1"',
  "secret/db-credentials created",
  "HTTP 401: Bad credentials (https://api.github.com/graphql)\nTry authenticating with:  gh auth login",
  "To get started with GitHub CLI, please run:  gh auth login",
  "remote: Permission to org/repo.git denied to alice.\nfatal: unable to access 'https://github.com/org/repo.git/': The requested URL returned error: 403",
  'npm ERR! code E401\nnpm ERR! Unable to authenticate, need: Basic realm="GitHub Package Registry"',
  'WWW-Authenticate: Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
  'WWW-Authenticate: Bearer error="invalid_token", error_description="The access token expired"',
  'Error response from daemon: Get "https://registry-1.docker.io/v2/": unauthorized: incorrect username or password',
  "Pulling from library/alpine\nDigest: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\nStatus: Downloaded newer image for alpine@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "commit 3f786850e387550fdab836ed7e6dc881de23001b\nAuthor: Alice <alice@example.com>",
  "HEAD is now at 3f78685 Fix token refresh",
  "Error: error configuring Terraform AWS Provider: no valid credential sources for Terraform AWS Provider found.",
  "Error: building account: could not acquire access token to parse claims: clientCredentialsToken: received HTTP status 401",
  "democli: error: 401 Unauthorized: token expired at 2026-11-22T10:15:00Z",
  "GET https://storage.googleapis.com/bucket/object?generation=1700000000000000&alt=media 404",
  "GET https://api.example.com/v1/token?grant_type=refresh_token 400",
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop",
  "The key fingerprint is SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU.",
  "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----",
  "stripe: publishable key pk_live_51Habc is not allowed here",
  "OAuth client 123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com",
  "Key: prod/app/config.json",
  "Password: ",
  "Session token: expired",
  "auth method: oidc, token type: Bearer, expires_in: 3599",
  '{"max_tokens": 1024, "usage": {"input_tokens": 12, "output_tokens": 34}}',
  "NextToken: eyJNYXJrZXIiOiBudWxsfQ==",
  "panic: runtime error: invalid memory address or nil pointer dereference [signal SIGSEGV: segmentation violation addr=0x0 pc=0x4a2b3c]",
  "connection to 10.0.0.12:5432 refused; retrying in 5s",
  "https://console.aws.amazon.com/iam/home?region=us-east-1#/roles/details/Deploy",
  "see https://docs.example.com/auth#tokens and https://example.com:8443/health",
  "Uploaded 3 files (sha256 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b)",
];
