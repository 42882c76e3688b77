import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";

export const HELP = `authwrap — tells expired credentials from missing ones and from denied permissions

Usage:
  authwrap [options] -- <command> [args...]
  authwrap classify [--tool NAME] [--command NAME] [--exit-code N] [--stdout FILE] [--stderr FILE]
  authwrap rules list | validate [PATH...] | test [PATH...]
  authwrap schema envelope | classifier | config | exit-codes
  authwrap trust [PATH...]
  authwrap config [--json] [OPTIONS] [-- <command> [args...]]
  authwrap completion bash | zsh | fish
  authwrap alias [--shell bash|zsh|fish] TOOL...
  authwrap status [TOOL...] [--min-ttl 15m] [--json]
  authwrap mcp             an MCP server on stdio with the run_cli tool (README "For agents")
  authwrap demo            the built-in demo: an expiry re-authenticated once, then a denial

Runs <command>, classifies what it printed and its exit code with the rule files, and on an
expired credential runs the re-auth command once and the command once more.

Options (before --):
  --json                   print exactly one JSON envelope on stdout, whatever happens (a bad option,
                           a fault, a signal too); the command's stdout becomes "data" (env AUTHWRAP_JSON=1)
  --reauth "<command>"     command that renews the credential, run through the shell; overrides the
                           rule file's default (env AUTHWRAP_REAUTH)
  --no-reauth              classify and report only: never run a re-auth command
  --reauth-interactive     the --reauth command needs a person (a browser login): run it only at a
                           terminal (env AUTHWRAP_REAUTH_INTERACTIVE=1)
  --reauth-ambiguous       also re-auth once when a refusal is ambiguous (a bare 401 that may be an
                           expiry); a retry that then succeeds settles it (env AUTHWRAP_REAUTH_AMBIGUOUS=1)
  --reauth-timeout SECS    stop the re-auth command after SECS seconds, 0.1 to 86400 (default 300 at a
                           terminal, 120 in an agent or CI run; env AUTHWRAP_REAUTH_TIMEOUT); other
                           authwrap processes wait for a running re-auth about as long
  --force-reauth           run the re-auth even within the cool-down after a failed (or ineffective)
                           one, and even if another process renewed the credential meanwhile
                           (env AUTHWRAP_FORCE_REAUTH=1)
  --no-proactive           do not re-auth before the first attempt when the credential a probe finds is
                           past 80% of its lifetime (env AUTHWRAP_PROACTIVE=0)
  --min-ttl DURATION       when only the expiry is known, re-auth before the first attempt with less
                           than this left: 90s, 15m, 1h (default 5m; env AUTHWRAP_MIN_TTL)
  --explain                print the re-auth plan for the command (credential, proactive refresh, what
                           an expiry would run) as JSON, and run nothing
  --retry POLICY           when to retry after a successful re-auth: auth-rejected (default: unless a
                           rule says the command had already started its work), always, never
                           (env AUTHWRAP_RETRY)
  --max-data-bytes N       --json: keep at most N bytes of stdout in "data" (default 4194304); the whole
                           output then goes to a private file named in meta.stdout_file, removed
                           after a day (env AUTHWRAP_MAX_DATA_BYTES)
  --redact-data            --json: mask secret values inside "data", keeping it valid JSON
                           (env AUTHWRAP_REDACT_DATA=1)
  --exit-codes PROFILE     default (10 expired, 8 missing or denied) or cli-agent-2026 (8 expired or
                           missing, told apart by error.code; 7 denied); env AUTHWRAP_EXIT_CODES
  --tool NAME              rule set to use (default: from the command's name, looking through env,
                           sudo, nice, timeout, aws-vault exec, op run, doppler run, assume and
                           sh -c 'simple command'; env AUTHWRAP_TOOL)
  --classifiers PATH       extra rule file or folder, repeatable (env AUTHWRAP_CLASSIFIERS, a
                           colon-separated list); user rules also load from
                           $XDG_CONFIG_HOME/authwrap/classifiers
  --no-pty                 at a terminal, give the command pipes instead of a pseudo-terminal: it
                           then sees no TTY (env AUTHWRAP_NO_PTY=1)
  -v, --verbose            explain on stderr which rule matched, on what text, and what was run,
                           and print the JSON envelope line at a terminal too (env AUTHWRAP_VERBOSE=1)
  -h, --help               show this help
  -V, --version            show the version

Defaults for these options may come from $XDG_CONFIG_HOME/authwrap/config.yaml, per tool and per
profile (flag > env > profile > tool > top level > built-in); authwrap config shows the result.
Under GitHub Actions an auth verdict also writes an ::error annotation and a step summary; under
GitLab CI a collapsed section.

On/off variables take 1/true/yes/on or 0/false/no/off; an empty variable counts as unset. CI set
(to anything but 0/false/no/off) means a CI run; else a terminal on stdin and stderr means a
person, and anything else an agent. A re-auth that failed, or that exited 0 but left the
credential expired, is not run again for 60 s in an agent or CI run; at a terminal it is.

Exit codes:
  0    success                       10   credentials expired (re-auth + retry did not fix it)
  8    unauthenticated or denied     1    the command itself exited 8 or 10 for its own reasons
       (also IDENTITY_CHANGED: the re-auth logged in as another account, and nothing was retried)
  2    usage or rule-file error      126  command not executable   127  command not found
  128+N  the command was killed by signal N, or authwrap was interrupted by it (INTERRUPTED)
  70   authwrap's own fault (INTERNAL_ERROR); any other code is the command's own
  (authwrap schema exit-codes prints every error.code with its exit code, as JSON)

Examples:
  authwrap -- aws s3 ls
  authwrap --json -- gh api user
  authwrap --json --reauth "democli auth refresh" -- democli deploy
  authwrap classify --tool aws --exit-code 255 --stderr captured.txt
  authwrap rules test ~/.config/authwrap/classifiers/mycli.yaml

Rule files load from the built-in set, $XDG_CONFIG_HOME/authwrap/classifiers, the project's
.authwrap/classifiers (its re-auth commands run only after \`authwrap trust\`), and --classifiers.
State (re-auth lock and records, trusted files, spilled output) lives in
$XDG_STATE_HOME/authwrap, 0700.
`;

export function printHelp(stdout: Writable): number {
  stdout.write(HELP);
  return 0;
}

export function printVersion(stdout: Writable): number {
  stdout.write(`${packageVersion()}\n`);
  return 0;
}

export function packageVersion(): string {
  // dist/verbs/help.js and src/verbs/help.ts both sit two folders below the package root.
  const pkg = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  ) as { version: string };
  return pkg.version;
}
