// An HTTP client that is not told to fail (curl without --fail, httpie, a browser, a script that
// prints the response) exits 0 with the service's refusal as its whole output: a Kubernetes
// Status of "Failure", an `{"error": …}` body, an S3/GCS `<Error><Code>` document. Exit 0 is
// otherwise a success no rule may overturn; only such a document is read, and only for an auth
// verdict (classify.ts), so a command's log lines that mention a 401 never fail it.

/** A larger stdout is a command's data, not one error response (and the window would cut it). */
const MAX_DOCUMENT_CHARS = 64 * 1024;

/** Top-level keys an API error body is made of (RFC 6749 §5.2, RFC 7807, Google, GitHub, AWS JSON). */
const ERROR_KEYS = ["error", "errors", "fault", "__type"];

export function isErrorDocument(output: {
  text: string;
  truncated: boolean;
}): boolean {
  if (output.truncated || output.text.length > MAX_DOCUMENT_CHARS) return false;
  const text = output.text.trim();
  if (text.startsWith("{") && text.endsWith("}")) return isJsonError(text);
  if (text.startsWith("<") && text.endsWith(">"))
    return /<(?:Error|ErrorResponse)>\s*(?:<Error>\s*)?(?:<Type>[^<]*<\/Type>\s*)?<Code>/.test(
      text,
    );
  return false;
}

function isJsonError(text: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Not strict JSON (a browser's rendering of a Status): the Status marker alone.
    return /\bkind"?\s*:\s*"Status"[\s\S]{0,200}?\bstatus"?\s*:\s*"Failure"/.test(
      text,
    );
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return false;
  const record = body as Record<string, unknown>;
  if (record.kind === "Status") return record.status === "Failure";
  if (
    ERROR_KEYS.some(
      (key) => Object.hasOwn(record, key) && isPresent(record[key]),
    )
  )
    return true;
  // GitHub's REST errors: a message and the documentation URL, nothing else of substance.
  if (
    typeof record.message === "string" &&
    typeof record.documentation_url === "string"
  )
    return true;
  return [record.code, record.status, record.statusCode].some(
    (value) => typeof value === "number" && value >= 400 && value < 600,
  );
}

/** `"errors": []`, `"error": {}` or `null` beside data is a success that says "no errors". */
function isPresent(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}
