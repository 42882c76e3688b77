// Shared domain types. Names are camelCase here; output/envelope.ts translates to snake_case.

export type {
  AuthCode,
  EvidenceKind,
  OtherCode,
  VerdictCode,
} from "./codes.js";
import type {
  CommandCode,
  EvidenceKind,
  ExitCodeProfile,
  ReauthCode,
  VerdictCode,
} from "./codes.js";

export type Mode = "passthrough" | "json";

export interface Invocation {
  mode: Mode;
  command: string;
  args: string[];
  tool?: string;
  reauthCommand?: string;
  /** Where reauthCommand came from: `flag` (--reauth), `env` (AUTHWRAP_REAUTH), or a config file's `path › key`. */
  reauthSource?: string;
  /** The caller's reauthCommand needs a person (a browser login): run only at a terminal. */
  reauthInteractive?: boolean;
  reauthAllowed: boolean;
  /** Also re-auth once on an ambiguous UNAUTHENTICATED: a retry that then succeeds settles it as an expiry. */
  reauthAmbiguous: boolean;
  reauthTimeoutMs: number;
  /** Run the re-auth even within the failure cool-down, or when another process renewed the credential meanwhile. */
  forceReauth: boolean;
  /** When a retry after re-auth may run: never, unless a rule says the command had started its work, or always. */
  retry: RetryPolicy;
  /** Mask secret values inside `data`, value by value. */
  redactData: boolean;
  /** --json: stdout kept for `data`; beyond it the whole output goes to a private file. */
  dataLimit: number;
  classifierPaths: string[];
  verbose: boolean;
  /** Which exit codes auth failures get (codes.ts EXIT_CODE_PROFILES). */
  exitCodes: ExitCodeProfile;
  /** Re-auth before the first attempt when the probed credential is past 80% of its lifetime (or under minTtlMs). */
  proactive: boolean;
  minTtlMs: number;
  /** Print the re-auth plan for this command and run nothing. */
  explain: boolean;
  /** At a terminal, run the command in a pseudo-terminal (false: --no-pty, AUTHWRAP_NO_PTY). */
  pty: boolean;
}

export type RetryPolicy = "never" | "auth-rejected" | "always";

/** Bounded view of one output stream: its start, its end, and how much was elided. */
export interface OutputText {
  text: string;
  totalBytes: number;
  truncated: boolean;
}

/** One execution of the wrapped command. Always the same fields, whatever happened. */
export interface Attempt {
  exitCode: number | null;
  signal: string | null;
  /** The errno (ENOENT, EACCES, ENOTDIR, ...) when the command could not be started. */
  spawnError: string | null;
  stdout: OutputText;
  stderr: OutputText;
  /** Whole stdout in --json mode (up to the data cap); null in passthrough. */
  data: Buffer | null;
  dataTruncated: boolean;
  /** --json: where the whole stdout went when it passed the cap. */
  dataFile: string | null;
  dataFileError: string | null;
  durationMs: number;
  /** Wall-clock start (ms since the epoch), to tell whether a renewal came after it. */
  startedAt: number;
  /** The caller closed our stdout (EPIPE): stop, do not retry. */
  outputClosed: boolean;
  /** A stop signal authwrap received while this attempt ran (or drained): no re-auth or retry after it. */
  interrupted?: string | null;
  /** Passthrough, output redirected: this attempt's stdout, held back until it is known whether a retry replaces it. */
  heldStdout?: Buffer;
  /** Its stdout passed the hold-back bound and went out: a retry would append to it. */
  stdoutReleased?: boolean;
}

export interface VerdictFields {
  message?: string;
  expiresAt?: string;
  refreshCommand?: string;
  hint?: string;
  requiredPermission?: string;
  detail?: string;
}

export interface Verdict extends VerdictFields {
  /** A rule's code, or (classify/process.ts) the command's own failure to start or to live. */
  code: VerdictCode | CommandCode | ReauthCode;
  /** `file#rule-id` of the rule that matched; absent when no rule matched. */
  rule?: string;
  /** The text (or JSON value) the rule matched on, for --verbose. */
  evidence?: string;
  /** How strong the deciding evidence was (codes.ts EVIDENCE_KINDS). */
  evidenceKind?: EvidenceKind;
  /** Other rules that matched and lost, strongest first: `file#id (CODE, kind)`. */
  outranked?: string[];
  /**
   * The evidence is strong enough to replay the command after a re-auth: it came from a
   * vocabulary or the tool's own file, and was not loose words.
   */
  replayEvidence?: boolean;
  ambiguous: boolean;
  retryable: boolean;
  /** The command may have done part of its work before the credential failed: replaying it is not safe. */
  replayUnsafe?: boolean;
  /** The rule file the refresh command came from (trust is checked for project files). */
  refreshSource?: string;
  /** Where that file came from, and the hash of its bytes as loaded (trust is pinned to them). */
  refreshOrigin?: "builtin" | "user" | "project" | "extra";
  refreshHash?: string;
  /** Where the deciding rule's file came from, and its hash as loaded. */
  ruleOrigin?: "builtin" | "user" | "project" | "extra";
  ruleHash?: string;
  /** The rule file's re-auth needs a person at a terminal. */
  refreshInteractive?: boolean;
  /** Environment variable the tool reads its credential from, if the rule file names one. */
  envVar?: string;
  /** The credential a probe found (src/credential/): where it is and its expiry; never its value. */
  credential?: CredentialInfo;
  /** How the credential's own evidence settled (or did not settle) the verdict: meta.evidence. */
  evidenceTrail?: string[];
  /** An expiry concluded from "worked before, rejected now", not stated by anyone. */
  inferred?: boolean;
  warnings: string[];
}

export interface CredentialInfo {
  kind: string;
  /** A path or an environment variable's name. */
  source: string;
  expiresAt?: string;
}

export interface ReauthResult {
  command: string;
  /** Who chose the command: flag, env, or the rule file it came from. */
  source?: string;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
  skipped?: string;
  /** The plan's code for why it was skipped (reauth/plan.ts SkipCode): meta.reauth.skip_code. */
  skipCode?: string;
  /** authwrap itself got this signal while the re-auth ran or was waited for: it was cut short, and nothing is retried. */
  interrupted?: string;
  /** Why it ran: after a refusal (default), or before the first attempt because the credential was about to lapse. */
  reason?: "proactive";
  /** Faults around the re-auth that did not stop it (the state folder could not record it). */
  warnings?: string[];
}

export interface Outcome {
  tool: string;
  attempts: Attempt[];
  verdict: Verdict | null;
  reauth: ReauthResult | null;
  warnings: string[];
  durationMs: number;
  /** The credential a proactive check probed, when no verdict carries one. */
  credential?: CredentialInfo;
}
