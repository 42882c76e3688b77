// The rule-file format: the single source of truth for its types and its JSON Schema.
import { z } from "zod";
import {
  AUTH_CODES,
  EVIDENCE_KINDS,
  FIELD_NAMES,
  OTHER_CODES,
} from "../codes.js";

const code = z.enum([...AUTH_CODES, ...OTHER_CODES]);
const flags = z
  .string()
  .regex(
    /^[ims]*$/,
    "flags may only hold i, m, s (u is refused: the linear-time engine cannot run it)",
  )
  .describe(
    "Regular-expression flags: i (ignore case), m (multi-line), s (dot matches newline)",
  );

const pattern = z.union([
  z.string().min(1).describe("A JavaScript regular expression"),
  z.strictObject({ pattern: z.string().min(1), flags: flags.optional() }),
]);

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const jsonTest = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .describe(
        "Dotted path into the JSON document, e.g. error.status; * walks arrays",
      ),
    stream: z.enum(["stdout", "stderr", "any"]).optional(),
    equals: scalar.optional(),
    in: z.array(scalar).min(1).optional(),
    pattern: z.string().min(1).optional(),
    flags: flags.optional(),
  })
  .refine(
    (test) =>
      [test.equals, test.in, test.pattern].filter((v) => v !== undefined)
        .length <= 1,
    {
      message:
        "give at most one of equals, in, pattern (none means the path only has to exist)",
    },
  );

const exitCodes = z.union([z.number().int(), z.array(z.number().int()).min(1)]);

const when = z
  .strictObject({
    exit_code: exitCodes
      .optional()
      .describe(
        "Exit codes this rule applies to; list 0 to match a successful exit",
      ),
    stdout: pattern.optional(),
    stderr: pattern.optional(),
    output: pattern.optional().describe("Matches stdout or stderr"),
    json: z.union([jsonTest, z.array(jsonTest).min(1)]).optional(),
  })
  .refine((w) => Object.values(w).some((v) => v !== undefined), {
    message:
      "needs at least one condition (exit_code, stdout, stderr, output, json)",
  });

const fieldValue = z.union([
  z
    .string()
    .describe(
      "Text with {placeholders} from named groups or context; [ ... ] is dropped when a placeholder inside has no value",
    ),
  z.strictObject({
    json: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe("JSON path(s); the first that has a value is used"),
    stream: z.enum(["stdout", "stderr", "any"]).optional(),
  }),
]);

const example = z.strictObject({
  name: z.string().optional(),
  source: z
    .string()
    .optional()
    .describe(
      "Where this output came from: a captured client run or a public report URL",
    ),
  exit_code: z.number().int(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  expect: z.strictObject({
    code,
    ambiguous: z.boolean().optional(),
    expires_at: z.string().optional(),
    required_permission: z.string().optional(),
    refresh_command: z.string().optional(),
    hint: z.string().optional(),
  }),
});

const rule = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "ids are lowercase words joined by -"),
  code,
  description: z.string().optional(),
  when,
  message: z.string().optional(),
  fields: z.partialRecord(z.enum(FIELD_NAMES), fieldValue).optional(),
  ambiguous: z
    .boolean()
    .optional()
    .describe("Output cannot settle the verdict: never triggers a re-auth"),
  replay_unsafe: z
    .boolean()
    .optional()
    .describe(
      "The command had already done part of its work (e.g. mid-apply): re-auth, but do not retry unless --retry always",
    ),
  retryable: z.boolean().optional(),
  evidence: z
    .enum(EVIDENCE_KINDS)
    .optional()
    .describe(
      'How strong this signal is when several rules match (see README "Deciding by evidence"); defaults follow the code',
    ),
  credential: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/)
    .optional()
    .describe(
      "Name of the file's credential (credentials: …) whose refresh_command and hint apply",
    ),
  examples: z.array(example).optional(),
});

const contextVar = z.strictObject({
  arg: z
    .string()
    .optional()
    .describe("Flag whose value fills the placeholder, e.g. --profile"),
  env: z
    .string()
    .optional()
    .describe("Environment variable read when the flag is absent"),
});

const credential = z.strictObject({
  refresh_command: z
    .string()
    .optional()
    .describe(
      "Renews this credential; run through the shell, {placeholders} come from context and are shell-quoted",
    ),
  interactive: z
    .boolean()
    .optional()
    .describe(
      "The refresh needs a person (browser or device-code login): run it only at a terminal",
    ),
  hint: z
    .string()
    .optional()
    .describe(
      "What to run when there is no credential at all (a login command)",
    ),
});

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name");

/** Where the credential the command will use can be read (src/credential/); first that finds one wins. */
const probe = z.discriminatedUnion("kind", [
  z
    .strictObject({ kind: z.literal("env_token"), env: envName })
    .describe("A token in this environment variable; a JWT's exp/iat are read"),
  z
    .strictObject({ kind: z.literal("env_token_file"), env: envName })
    .describe("A token in the file this environment variable names"),
  z
    .strictObject({ kind: z.literal("aws_env_expiration") })
    .describe("AWS_CREDENTIAL_EXPIRATION beside AWS_SESSION_TOKEN"),
  z
    .strictObject({ kind: z.literal("aws_cli_cache") })
    .describe(
      "~/.aws/cli/cache: the assumed-role or SSO role credentials of the profile",
    ),
  z
    .strictObject({ kind: z.literal("aws_sso_cache") })
    .describe(
      "~/.aws/sso/cache: the SSO token of the profile's sso_session or sso_start_url",
    ),
  z
    .strictObject({ kind: z.literal("kubeconfig") })
    .describe("The current context's user: token, tokenFile or OIDC id-token"),
  z
    .strictObject({
      kind: z.literal("exec_credential_file"),
      path: z.string().min(1),
    })
    .describe(
      "A cached ExecCredential (status.token, status.expirationTimestamp); ~ is the home folder",
    ),
  z
    .strictObject({ kind: z.literal("azure_msal_cache") })
    .describe("~/.azure/msal_token_cache.json access tokens' expires_on"),
  z
    .strictObject({ kind: z.literal("gcloud_access_token_file") })
    .describe(
      "gcloud's access-token file override (CLOUDSDK_AUTH_ACCESS_TOKEN_FILE or auth/access_token_file)",
    ),
  z
    .strictObject({ kind: z.literal("curl_auth") })
    .describe(
      "curl's Authorization header (-H, also -H @file), --oauth2-bearer or -u on the command line; a JWT's exp/iat are read",
    ),
  z
    .strictObject({ kind: z.literal("gh_token") })
    .describe(
      "The token gh sends to --hostname / GH_HOST / github.com: GH_TOKEN, GITHUB_TOKEN (github.com, *.ghe.com) or GH_ENTERPRISE_TOKEN, GITHUB_ENTERPRISE_TOKEN (other hosts), else hosts.yml (not the system keyring)",
    ),
]);

export const PROBE_KINDS: string[] = probe.options.map(
  (option) => option.shape.kind.value,
);

export const ruleFileSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.union([z.literal(1), z.literal(2)]),
  kind: z
    .enum(["tool", "vocabulary"])
    .optional()
    .describe(
      "tool (default): the rules of one CLI; vocabulary: the error words of one service or protocol, tried for every command",
    ),
  tool: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "tool names are lowercase"),
  description: z.string().optional(),
  sources: z
    .array(z.string())
    .optional()
    .describe(
      "Where the vocabulary comes from: the provider documents and reports it was taken from",
    ),
  commands: z
    .array(z.string().min(1))
    .default([])
    .describe(
      'Command basenames this file applies to; "*" applies to every command',
    ),
  uses: z
    .array(z.string())
    .optional()
    .describe(
      "Vocabularies whose credentials this tool renews (their refresh commands may run for it)",
    ),
  detect: z
    .array(z.string().min(2))
    .min(1)
    .optional()
    .describe(
      "Vocabulary pre-filter: its rules are tried only when the output contains one of these words (any letter case)",
    ),
  credentials: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), credential)
    .optional(),
  mid_work: pattern
    .optional()
    .describe(
      "Output that shows the command had started its work: an expiry found with it is not replayed",
    ),
  refresh_command: z
    .string()
    .optional()
    .describe("Default re-auth command, run through the shell"),
  refresh_interactive: z
    .boolean()
    .optional()
    .describe(
      "The re-auth command needs a person (browser or device-code login): run it only at a terminal",
    ),
  hint: z
    .string()
    .optional()
    .describe("Default login command for UNAUTHENTICATED"),
  env_vars: z
    .array(z.string())
    .optional()
    .describe("Environment variables the tool reads its credential from"),
  context: z
    .record(z.string().regex(/^[a-z_][a-z0-9_]*$/), contextVar)
    .optional(),
  identity: z
    .strictObject({
      command: z
        .string()
        .min(1)
        .describe(
          "Prints who the credential belongs to (one line); run without stdin before and after a re-auth, {placeholders} from context, shell-quoted",
        ),
      match: z
        .string()
        .optional()
        .describe(
          "The part of that line that is the identity: the first group, else the whole match (an ARN without its session name)",
        ),
    })
    .optional()
    .describe(
      "A cheap who-am-I: a re-auth that switches to another identity refuses the retry (IDENTITY_CHANGED)",
    ),
  probes: z
    .array(probe)
    .optional()
    .describe(
      "Where to read the credential the tool will use and its expiry, tried in order; never printed, only fingerprinted",
    ),
  rules: z.array(rule),
});

export type RuleFile = z.infer<typeof ruleFileSchema>;
export type Rule = RuleFile["rules"][number];
export type RuleExample = NonNullable<Rule["examples"]>[number];
export type PatternSpec = z.infer<typeof pattern>;
export type JsonTestSpec = z.infer<typeof jsonTest>;
export type ProbeSpec = z.infer<typeof probe>;
export type FieldValueSpec = z.infer<typeof fieldValue>;
