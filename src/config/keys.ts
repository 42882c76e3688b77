// What a config file may set: each key is the default of one of the CLI's flags, so a flag added
// to cli.ts becomes configurable by one line here. Precedence, per key: flag › env › the config's
// per-profile › per-tool › global value › built-in default (config/resolve.ts).

/**
 * How a key's value becomes the flag's: `value` passes it as the flag's value, `switch` passes
 * the flag when true, `negated` passes it when false (`reauth: false` → `--no-reauth`).
 */
export type KeyKind = "value" | "switch" | "negated";

export interface ConfigKey {
  flag: string;
  env?: string;
  kind: KeyKind;
  /** The built-in default, as `authwrap config` shows it. */
  builtin: string;
  /** A repository's own config may not set it (it would choose what runs, or re-run a command). */
  projectMay: (value: unknown) => boolean;
}

const always = () => true;

export const CONFIG_KEYS: Record<string, ConfigKey> = {
  reauth_command: {
    flag: "--reauth",
    env: "AUTHWRAP_REAUTH",
    kind: "value",
    builtin: "the rule file's refresh_command",
    projectMay: () => false,
  },
  reauth_interactive: {
    flag: "--reauth-interactive",
    env: "AUTHWRAP_REAUTH_INTERACTIVE",
    kind: "switch",
    builtin: "false",
    projectMay: always,
  },
  reauth: {
    flag: "--no-reauth",
    kind: "negated",
    builtin: "true",
    projectMay: always,
  },
  reauth_ambiguous: {
    flag: "--reauth-ambiguous",
    env: "AUTHWRAP_REAUTH_AMBIGUOUS",
    kind: "switch",
    builtin: "false",
    projectMay: (v) => v !== true,
  },
  reauth_timeout: {
    flag: "--reauth-timeout",
    env: "AUTHWRAP_REAUTH_TIMEOUT",
    kind: "value",
    builtin: "300 at a terminal, 120 in an agent or CI run",
    projectMay: always,
  },
  retry: {
    flag: "--retry",
    env: "AUTHWRAP_RETRY",
    kind: "value",
    builtin: "auth-rejected",
    projectMay: (v) => v !== "always",
  },
  max_data_bytes: {
    flag: "--max-data-bytes",
    env: "AUTHWRAP_MAX_DATA_BYTES",
    kind: "value",
    builtin: "4194304",
    projectMay: always,
  },
  redact_data: {
    flag: "--redact-data",
    env: "AUTHWRAP_REDACT_DATA",
    kind: "switch",
    builtin: "false",
    projectMay: always,
  },
  verbose: {
    flag: "--verbose",
    env: "AUTHWRAP_VERBOSE",
    kind: "switch",
    builtin: "false",
    projectMay: always,
  },
  // Flags other branches add (exit-code profiles, pseudo-terminal, proactive refresh): accepted
  // here already, and applied once cli.ts knows the flag.
  exit_codes: {
    flag: "--exit-codes",
    env: "AUTHWRAP_EXIT_CODES",
    kind: "value",
    builtin: "default",
    projectMay: always,
  },
  pty: {
    flag: "--no-pty",
    kind: "negated",
    builtin: "true",
    projectMay: always,
  },
  proactive: {
    flag: "--no-proactive",
    kind: "negated",
    builtin: "true",
    projectMay: always,
  },
  min_ttl: {
    flag: "--min-ttl",
    env: "AUTHWRAP_MIN_TTL",
    kind: "value",
    builtin: "20% of the credential's lifetime",
    projectMay: always,
  },
};
