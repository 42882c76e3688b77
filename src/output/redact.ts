// Masks credentials in text that authwrap itself emits (envelope fields, warnings, --verbose,
// relayed re-auth output) and, with --redact-data, in the command's JSON `data`.
//
// The shapes live in secret-patterns.cjs, a data file with one entry per token format, each naming
// the gitleaks or secretlint rule it mirrors. It is loaded on the first redaction with a
// synchronous require (a CommonJS file beside this module, in src/ and in dist/ alike), so the
// API stays synchronous and a successful call, which redacts nothing, never loads it.
import { createRequire } from "node:module";
import type * as PatternTable from "./secret-patterns.cjs";

const MASK = "[REDACTED]";
const SECRET_ENV_NAME =
  /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|API_?KEY|ACCESS_KEY|PRIVATE_KEY|SESSION|AUTH)/i;
/** Names that by convention hold where a secret is kept, not the secret (AWS_SHARED_CREDENTIALS_FILE, *_TOKEN_FILE). */
const LOCATION_ENV_NAME = /_(?:FILE|FILES|FILENAME|PATH|DIR)$/i;
const MIN_ENV_SECRET_LENGTH = 8;
/** How far back a `name: value` looks for the start of its line (bounded: no rescans of long lines). */
const LINE_LOOKBACK = 200;

type Patterns = typeof PatternTable;
let table: Patterns | undefined;
function patterns(): Patterns {
  return (table ??= createRequire(import.meta.url)(
    "./secret-patterns.cjs",
  ) as Patterns);
}

export interface Redactor {
  (text: string): string;
}

/** Builds a redactor that also masks the literal values of secret-looking environment variables. */
export function createRedactor(
  env: Record<string, string | undefined> = {},
): Redactor {
  // Scanned on first use: a successful call never redacts anything.
  let literals: string[] | undefined;
  return (text: string) =>
    redactSecrets(text, (literals ??= collectSecretEnvValues(env)));
}

export function redactSecrets(text: string, literals: string[] = []): string {
  if (text === "") return text;
  let out = text;
  for (const literal of literals) out = out.split(literal).join(MASK);
  const p = patterns();
  out = maskPrivateKeys(out, p);
  for (const { hints, pattern } of p.TOKEN_PATTERNS) {
    if (hints && !hints.some((hint) => out.includes(hint))) continue;
    out = out.replace(pattern, keepContext);
  }
  out = out.replace(
    p.AUTHORIZATION,
    (
      match,
      name: string,
      sep: string,
      scheme: string | undefined,
      value: string,
      offset: number,
      whole: string,
    ) => {
      if (p.PLACEHOLDER.test(value)) return match;
      if (
        !scheme &&
        !/["'=]/.test(sep) &&
        !atLineStart(whole, offset) &&
        !looksSecret(value)
      )
        return match;
      return `${name}${sep}${scheme ? `${scheme} ` : ""}${MASK}`;
    },
  );
  out = out.replace(
    p.COOKIE,
    (_match, name: string, sep: string, value: string) =>
      `${name}${sep}${maskCookies(value, /^set-/i.test(name))}`,
  );
  out = out.replace(p.FLAG, (match, flag: string, value: string) => {
    if (!isSecretFlag(flag, p)) return match;
    const inner = unquote(value);
    if (inner === "" || p.PLACEHOLDER.test(inner)) return match;
    return `${match.slice(0, match.length - value.length)}${requote(value)}`;
  });
  return maskAssignments(out, p);
}

/** A token pattern's replacer: its capture group 1, if any, is context that stays. */
function keepContext(_match: string, ...rest: unknown[]): string {
  return typeof rest[0] === "string" ? `${rest[0]}${MASK}` : MASK;
}

/**
 * Masks first, then keeps the last `maxChars` characters behind a `…`: cutting first could leave
 * the tail of a token whose recognisable prefix was cut off, and that tail would escape.
 */
export function redactThenCut(
  text: string,
  maxChars: number,
  redact: Redactor,
): string {
  const masked = redact(text);
  if (masked.length <= maxChars) return masked;
  let cut = masked.length - maxChars;
  // Never start inside a mask or between the halves of a surrogate pair.
  const mask = masked.lastIndexOf(MASK, cut);
  if (mask !== -1 && mask + MASK.length > cut) cut = mask + MASK.length;
  const code = masked.charCodeAt(cut);
  if (code >= 0xdc00 && code <= 0xdfff) cut += 1;
  return `…${masked.slice(cut)}`;
}

/** Values of env vars whose names look secret, longest first so overlaps mask fully. */
function collectSecretEnvValues(
  env: Record<string, string | undefined>,
): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_ENV_SECRET_LENGTH) continue;
    if (name.startsWith("AUTHWRAP_")) continue;
    if (SECRET_ENV_NAME.test(name) && !LOCATION_ENV_NAME.test(name))
      values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** `api_key`, `API-KEY`, `apiKey` → `apikey`. */
function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

function isSecretName(name: string, p: Patterns): boolean {
  const normalized = normalizeName(name);
  return p.SECRET_NAME.test(normalized) && !p.NOT_SECRET_NAME.test(normalized);
}

function isSecretFlag(flag: string, p: Patterns): boolean {
  const normalized = normalizeName(flag);
  return p.SECRET_FLAG.test(normalized) && !p.NOT_SECRET_NAME.test(normalized);
}

function unquote(value: string): string {
  const first = value[0];
  return (first === '"' || first === "'") &&
    value.length >= 2 &&
    value.endsWith(first)
    ? value.slice(1, -1)
    : value;
}

/** The mask in the quotes the value had. */
function requote(value: string): string {
  const first = value[0];
  return (first === '"' || first === "'") &&
    value.length >= 2 &&
    value.endsWith(first)
    ? `${first}${MASK}${first}`
    : MASK;
}

/** Prose words ("expired", "Reauthentication", "non-interactive") rather than a credential. */
function looksSecret(value: string): boolean {
  return (
    value.length >= 8 &&
    !/^[A-Za-z][a-z]*(?:[-'][a-z]+)*[.,;:!?)]?$/.test(value)
  );
}

/**
 * Whether `offset` starts its line (after indentation or a curl -v `>`/`<` marker): a YAML key,
 * a header, an env line, as opposed to a colon inside a sentence.
 */
function atLineStart(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0 && i >= offset - LINE_LOOKBACK; i--) {
    const c = text[i]!;
    if (c === "\n" || c === "\r") return true;
    if (
      c !== " " &&
      c !== "\t" &&
      c !== ">" &&
      c !== "<" &&
      c !== "*" &&
      c !== "+" &&
      c !== "-" &&
      c !== "#" &&
      c !== "|"
    )
      return false;
  }
  return offset < LINE_LOOKBACK;
}

/** `name=value` and `name: value` pairs whose name says secret: the value is masked, quotes kept. */
function maskAssignments(text: string, p: Patterns): string {
  const assignment = p.ASSIGNMENT;
  const valueAt = p.ASSIGNMENT_VALUE;
  assignment.lastIndex = 0;
  let out = "";
  let last = 0;
  for (let m = assignment.exec(text); m !== null; m = assignment.exec(text)) {
    const [head, openQuote, name, closeQuote, sep] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (!isSecretName(name, p)) continue;
    const normalized = normalizeName(name);
    // Headers with rules of their own (the scheme is kept; cookies are masked value by value).
    if (/^(?:proxy)?authorization$|cookie$/.test(normalized)) continue;
    const colon = sep.includes(":") && !sep.includes(":=");
    // `arn:aws:secretsmanager:…:secret:prod/db`: a path segment, not a key.
    if (colon && text[m.index - 1] === ":") continue;
    const valueStart = m.index + head.length;
    valueAt.lastIndex = valueStart;
    const value = valueAt.exec(text)?.[0];
    if (!value) continue;
    const inner = unquote(value);
    if (
      inner === "" ||
      inner === MASK ||
      p.PLACEHOLDER.test(inner) ||
      /^[[{]/.test(value)
    )
      continue;
    const quoted = inner !== value || openQuote !== "" || closeQuote !== "";
    if (colon && !quoted && !atLineStart(text, m.index) && !looksSecret(inner))
      continue;
    out += text.slice(last, valueStart) + requote(value);
    last = valueStart + value.length;
    assignment.lastIndex = last;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Cookie: every value; Set-Cookie: the cookie's own value, not its attributes. */
function maskCookies(value: string, setCookie: boolean): string {
  if (!value.includes("=")) return MASK;
  if (setCookie) return value.replace(/^([^=;]*=)[^;]*/, `$1${MASK}`);
  return value.replace(/(^|;)([^=;]*=)[^;]*/g, `$1$2${MASK}`);
}

/** Base64, PEM headers such as DEK-Info, escaped or real newlines: what a key body is made of. */
function isKeyBodyChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    code === 0x2b ||
    code === 0x2f ||
    code === 0x3d || // + / =
    code === 0x20 ||
    code === 0x09 ||
    code === 0x0a ||
    code === 0x0d || // whitespace
    code === 0x5c ||
    code === 0x3a ||
    code === 0x2c ||
    code === 0x2d // \ : , -
  );
}

/**
 * The body of each PEM private key is masked, headers kept. A BEGIN without its END (the text was
 * cut) masks the key-body characters after it; an END without its BEGIN, those before it.
 * One pass over the headers, each body scanned once: linear however many headers there are.
 */
function maskPrivateKeys(text: string, p: Patterns): string {
  if (!text.includes("PRIVATE KEY")) return text;
  const headers = [...text.matchAll(p.PEM_HEADER)];
  if (headers.length === 0) return text;
  let out = "";
  let last = 0;
  const emit = (from: number, to: number) => {
    if (to <= from) return;
    const body = text.slice(from, to);
    const lead = /^\s*/.exec(body)![0];
    const trail = /\s*$/.exec(body.slice(lead.length))![0];
    out += text.slice(last, from) + lead + MASK + trail;
    last = to;
  };
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!;
    const start = header.index;
    const end = start + header[0].length;
    const next = headers[i + 1];
    if (header[1] === "BEGIN") {
      if (next?.[1] === "END") {
        emit(end, next.index);
        i += 1;
        continue;
      }
      const limit = next?.index ?? text.length;
      let to = end;
      while (to < limit && isKeyBodyChar(text.charCodeAt(to))) to++;
      emit(end, to);
    } else {
      let from = start;
      while (from > last && isKeyBodyChar(text.charCodeAt(from - 1))) from--;
      emit(from, start);
    }
  }
  return out + text.slice(last);
}

/**
 * Masks secrets inside the command's output value by value, so JSON stays valid JSON: strings
 * are redacted, values under secret-looking keys (camelCase, snake_case, kebab-case alike:
 * SecretAccessKey, SessionToken, SecretString, password, _auth, apiKey, private_key,
 * connectionString…) are masked whole, and so is everything under `data`/`stringData` of a
 * Kubernetes Secret.
 */
export function redactData(data: unknown, redact: Redactor): unknown {
  if (typeof data === "string") return redact(data);
  if (Array.isArray(data)) return data.map((item) => redactData(item, redact));
  if (data !== null && typeof data === "object") {
    const p = patterns();
    const kubernetesSecret =
      (data as Record<string, unknown>).kind === "Secret";
    return Object.fromEntries(
      Object.entries(data).map(([key, value]) => {
        if (
          kubernetesSecret &&
          (key === "data" || key === "stringData") &&
          value !== null &&
          typeof value === "object"
        ) {
          return [
            key,
            Object.fromEntries(Object.keys(value).map((name) => [name, MASK])),
          ];
        }
        const masked =
          isSecretName(key, p) &&
          (typeof value === "string" || typeof value === "number");
        return [key, masked ? MASK : redactData(value, redact)];
      }),
    );
  }
  return data;
}
