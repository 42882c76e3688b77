// The times a JWT states about itself (exp, iat, nbf), read without verifying its signature:
// authwrap only wants to know whether the token says it has lapsed, never to trust its claims.

export interface TokenTimes {
  /** ms since the epoch */
  expiresAt?: number;
  issuedAt?: number;
  notBefore?: number;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$/;
/** A JWT's payload is small; a huge one is not worth decoding. */
const MAX_JWT_CHARS = 64 * 1024;

/** The token's exp/iat/nbf when it is a JWT with a JSON payload; undefined for an opaque token. */
export function readJwtTimes(token: string): TokenTimes | undefined {
  const trimmed = token.trim();
  if (trimmed.length > MAX_JWT_CHARS || !JWT_SHAPE.test(trimmed))
    return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(
      Buffer.from(trimmed.split(".")[1]!, "base64url").toString("utf8"),
    );
  } catch {
    return undefined;
  }
  if (!claims || typeof claims !== "object") return undefined;
  const { exp, iat, nbf } = claims as Record<string, unknown>;
  const ms = (value: unknown) =>
    typeof value === "number" && Number.isFinite(value)
      ? value * 1000
      : undefined;
  return { expiresAt: ms(exp), issuedAt: ms(iat), notBefore: ms(nbf) };
}

/** ISO-8601 (or RFC 3339 with "UTC") → ms since the epoch; undefined when it does not read as a time. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value))
    return value > 1e11 ? value : value * 1000;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text.replace(/ ?UTC$/, "Z"));
  return Number.isNaN(ms) ? undefined : ms;
}
