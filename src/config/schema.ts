// The config file's zod schema: the source of the Config type and of `authwrap schema config`.
import { z } from "zod";

const RETRY = ["never", "auth-rejected", "always"] as const;

const settings = {
  reauth_command: z
    .string()
    .min(1)
    .describe(
      "the command that renews the credential (--reauth); never from a project's config",
    )
    .optional(),
  reauth_interactive: z
    .boolean()
    .describe(
      "the reauth_command needs a person: run it only at a terminal (--reauth-interactive)",
    )
    .optional(),
  reauth: z
    .boolean()
    .describe("false: never run a re-auth (--no-reauth)")
    .optional(),
  reauth_ambiguous: z
    .boolean()
    .describe("re-auth once on an ambiguous refusal (--reauth-ambiguous)")
    .optional(),
  reauth_timeout: z
    .number()
    .min(0.1)
    .max(86_400)
    .describe("seconds before the re-auth is stopped (--reauth-timeout)")
    .optional(),
  retry: z
    .enum(RETRY)
    .describe("when to retry after a re-auth (--retry)")
    .optional(),
  max_data_bytes: z
    .number()
    .int()
    .nonnegative()
    .describe("--json: bytes of stdout kept in data (--max-data-bytes)")
    .optional(),
  redact_data: z
    .boolean()
    .describe("--json: mask secrets inside data (--redact-data)")
    .optional(),
  verbose: z.boolean().describe("explain on stderr (--verbose)").optional(),
  exit_codes: z
    .string()
    .min(1)
    .describe("exit-code profile (--exit-codes)")
    .optional(),
  pty: z
    .boolean()
    .describe("false: pipes, never a pseudo-terminal (--no-pty)")
    .optional(),
  proactive: z
    .boolean()
    .describe("false: no refresh before expiry (--no-proactive)")
    .optional(),
  min_ttl: z
    .union([z.number().positive(), z.string().min(1)])
    .describe("refresh a credential with less than this left (--min-ttl)")
    .optional(),
};

const profileSchema = z.strictObject(settings);
const toolSchema = z.strictObject({
  ...settings,
  profiles: z
    .record(z.string(), profileSchema)
    .describe(
      "per profile (the rule file's `profile` context: aws --profile / AWS_PROFILE)",
    )
    .optional(),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).optional(),
  ...settings,
  tools: z
    .record(z.string(), toolSchema)
    .describe("per tool, by rule-set name (aws, gcloud, gh, …)")
    .optional(),
});

export type Config = z.infer<typeof configSchema>;
export type Settings = z.infer<typeof profileSchema>;
/** Every key a config may hold, for "did you mean". */
export const CONFIG_FILE_KEYS = [
  ...Object.keys(settings),
  "profiles",
  "tools",
  "version",
  "$schema",
];
