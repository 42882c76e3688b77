// Masks credentials in text that authwrap itself emits (envelope fields, --verbose, files).
// The child's stdout in `data` is the caller's own data and is not touched here.

const MASK = '[REDACTED]';

/** Token shapes with a recognisable prefix or structure; each matches the secret only. */
const TOKEN_PATTERNS: RegExp[] = [
  /\b(?:AKIA|ASIA|AIDA|AROA|ANPA|AGPA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWTs
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{40,}\b/g,
  /\bya29\.[A-Za-z0-9._-]{20,}/g, // Google OAuth access tokens
  /\b1\/\/0[A-Za-z0-9_-]{30,}/g, // Google refresh tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bnpm_[A-Za-z0-9]{36}\b/g, // npm automation tokens
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab
];

/** `key=value` / `key: value` pairs whose key names a secret; the value is masked. */
const SECRET_ASSIGNMENT =
  /\b((?:aws_secret_access_key|aws_session_token|secret|password|passwd|token|api[_-]?key|client[_-]?secret|access[_-]?token|refresh[_-]?token)["']?\s*[:=]\s*["']?)([^\s"',;&]{6,})/gi;
const AUTHORIZATION_HEADER = /\b(authorization\s*[:=]\s*["']?)(?:(bearer|basic|token)\s+)?([^\s"',;]+)/gi;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi;
const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|ACCESS_KEY|PRIVATE_KEY|SESSION|AUTH)/i;
/** Names that by convention hold where a secret is kept, not the secret (AWS_SHARED_CREDENTIALS_FILE, *_TOKEN_FILE). */
const LOCATION_ENV_NAME = /_(?:FILE|FILES|FILENAME|PATH|DIR)$/i;
const MIN_ENV_SECRET_LENGTH = 8;

export interface Redactor {
  (text: string): string;
}

/** Builds a redactor that also masks the literal values of secret-looking environment variables. */
export function createRedactor(env: Record<string, string | undefined> = {}): Redactor {
  // Scanned on first use: a successful call never redacts anything.
  let literals: string[] | undefined;
  return (text: string) => redactSecrets(text, (literals ??= collectSecretEnvValues(env)));
}

export function redactSecrets(text: string, literals: string[] = []): string {
  let out = text;
  for (const literal of literals) out = out.split(literal).join(MASK);
  for (const pattern of TOKEN_PATTERNS) out = out.replace(pattern, MASK);
  out = out.replace(AUTHORIZATION_HEADER, (_m, head: string, scheme: string | undefined) =>
    `${head}${scheme ? `${scheme} ` : ''}${MASK}`,
  );
  out = out.replace(SECRET_ASSIGNMENT, (_m, head: string) => `${head}${MASK}`);
  out = out.replace(URL_PASSWORD, (_m, head: string, _pw: string, at: string) => `${head}${MASK}${at}`);
  return out;
}

/** Values of env vars whose names look secret, longest first so overlaps mask fully. */
function collectSecretEnvValues(env: Record<string, string | undefined>): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_ENV_SECRET_LENGTH) continue;
    if (name.startsWith('AUTHWRAP_')) continue;
    if (SECRET_ENV_NAME.test(name) && !LOCATION_ENV_NAME.test(name)) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** Key names whose values are secrets whatever they look like. */
const SECRET_KEY = /^(?:.*[_-])?(?:password|passwd|secret|token|access[_-]?key|secret[_-]?key|api[_-]?key|private[_-]?key|credentials?|session[_-]?token|authorization)$/i;

/**
 * Masks secrets inside the command's output value by value, so JSON stays valid JSON:
 * strings are redacted, and values under secret-looking keys are masked whole.
 */
export function redactData(data: unknown, redact: Redactor): unknown {
  if (typeof data === 'string') return redact(data);
  if (Array.isArray(data)) return data.map((item) => redactData(item, redact));
  if (data !== null && typeof data === 'object') {
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, SECRET_KEY.test(key) && (typeof value === 'string' || typeof value === 'number') ? MASK : redactData(value, redact)]),
    );
  }
  return data;
}
