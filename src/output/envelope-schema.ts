// The envelope as a zod schema: the source of the Envelope type and of `authwrap schema envelope`.
import { z } from "zod";
import { ERROR_CODES, EVIDENCE_KINDS, EXIT_CODE_PROFILES } from "../codes.js";

const nullableString = z.string().nullable();

export const errorSchema = z.object({
  code: z
    .enum(ERROR_CODES)
    .describe(
      "CREDENTIALS_EXPIRED, UNAUTHENTICATED, PERMISSION_DENIED, COMMAND_FAILED or a finer code; `authwrap schema exit-codes` lists each with its exit code",
    ),
  message: z.string(),
  retryable: z.boolean(),
  expires_at: nullableString.describe(
    "ISO-8601 time the credential expired, when known",
  ),
  refresh_command: nullableString.describe(
    "Command that renews the credential (expiry)",
  ),
  hint: nullableString.describe("Login command (unauthenticated) or advice"),
  required_permission: nullableString.describe(
    "Permission, action or scope the output names (denied)",
  ),
  expired: z
    .boolean()
    .optional()
    .describe("Alias generation: true on CREDENTIALS_EXPIRED"),
  expired_at: nullableString.optional().describe("Alias of expires_at"),
  reauth_command: nullableString
    .optional()
    .describe("Alias of refresh_command (of hint when unauthenticated)"),
  reauth_env_var: z
    .string()
    .optional()
    .describe("Environment variable the tool reads its credential from"),
  rule: z
    .string()
    .optional()
    .describe("file#rule-id of the rule that gave this verdict"),
  evidence: z
    .object({
      kind: z
        .enum(EVIDENCE_KINDS)
        .describe(
          "Strength of the deciding evidence: expiry > lookalike > invalid > permission > status > loose",
        ),
      text: z
        .string()
        .describe(
          "The (redacted) text or JSON value the deciding rule matched",
        ),
      outranked: z
        .array(z.string())
        .describe("Other rules that matched and lost: file#id (CODE, kind)"),
    })
    .optional(),
  detail: z
    .string()
    .optional()
    .describe("Redacted end of the failed command's error output"),
  stdout: z
    .string()
    .optional()
    .describe(
      "--json, failed: the redacted end of the command's stdout (data is null on failure; the whole of it is in meta.stdout_file when it spilled)",
    ),
  fix_command: nullableString.describe(
    "Command that fixes the failure: refresh_command (expired) or hint (unauthenticated); null when none is known",
  ),
  fix_required: z
    .boolean()
    .describe(
      "The caller or a person must act (renew, log in, get a permission) before a retry can succeed",
    ),
});

export const reauthSchema = z.object({
  command: z.string(),
  source: z
    .string()
    .nullable()
    .describe(
      'Who chose the command: "flag" (--reauth), "env" (AUTHWRAP_REAUTH), or the rule file it came from; never the command\'s output',
    ),
  exit_code: z.number().int().nullable(),
  duration_ms: z.number().int().nonnegative(),
  timed_out: z.boolean(),
  skipped: z.string().optional().describe("Why it did not run, in words"),
  skip_code: z
    .string()
    .nullable()
    .optional()
    .describe(
      "Why it did not run, as a code (src/reauth/plan.ts): NEEDS_PERSON, COOLING_DOWN, RENEWED_MEANWHILE, ...",
    ),
  reason: z
    .literal("proactive")
    .optional()
    .describe(
      "Ran before the first attempt: the credential was past 80% of its lifetime (or under --min-ttl)",
    ),
});

export const envelopeSchema = z.object({
  ok: z.boolean(),
  data: z
    .unknown()
    .describe("The child's stdout: parsed JSON, else text; null on failure"),
  error: errorSchema.nullable(),
  warnings: z.array(z.string()),
  meta: z.object({
    schema_version: z
      .string()
      .describe(
        'Version of this envelope format ("1"); bumped only when a field changes meaning or is removed',
      ),
    duration_ms: z.number().int().nonnegative(),
    tool: z.string().nullable(),
    exit_code: z
      .number()
      .int()
      .nullable()
      .describe("The child's own last exit code"),
    signal: z.string().nullable(),
    attempts: z.number().int().nonnegative(),
    reauth: reauthSchema.nullable(),
    ambiguous: z.boolean(),
    stdout_file: z
      .string()
      .nullable()
      .describe(
        "--json: the file (0600) holding the whole stdout when it passed --max-data-bytes",
      ),
    exit_codes: z
      .enum(EXIT_CODE_PROFILES)
      .describe(
        "The exit-code profile in effect (--exit-codes, AUTHWRAP_EXIT_CODES)",
      ),
    credential: z
      .object({
        kind: z
          .string()
          .describe("The probe that found it (rule file probes:)"),
        source: z
          .string()
          .describe(
            "A path or an environment variable's name; never the value",
          ),
        expires_at: nullableString.describe(
          "ISO-8601 expiry the credential or its cache states",
        ),
      })
      .optional()
      .describe("The credential the command used, where a probe found it"),
    evidence: z
      .array(z.string())
      .optional()
      .describe(
        "How the credential's own evidence settled a bare refusal, or why it did not",
      ),
    inferred: z
      .boolean()
      .optional()
      .describe(
        "The expiry is concluded (worked before, rejected now), not stated",
      ),
  }),
});

export type Envelope = z.infer<typeof envelopeSchema>;
export type EnvelopeError = z.infer<typeof errorSchema>;
