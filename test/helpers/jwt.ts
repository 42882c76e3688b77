// JWT-shaped tokens for tests (unsigned: authwrap reads a JWT's times, never verifies it).
const part = (value: unknown) =>
  Buffer.from(JSON.stringify(value)).toString("base64url");

export const jwt = (claims: Record<string, unknown>) =>
  `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.c2lnbmF0dXJl`;
