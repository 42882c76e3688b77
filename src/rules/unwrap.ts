// The command a wrapper runs: `env AWS_PROFILE=dev aws …`, `sudo -u u aws …`, `timeout 30 aws …`,
// `aws-vault exec p -- aws …`, `sh -c 'aws …'` are read as `aws`, so the right rules (and the
// right refresh command) apply. Only the argv is read; nothing is run. A wrapper whose options
// are not understood, or a shell script that is more than one simple command, is left as it is:
// classified as the outer command, which is the honest answer when we cannot tell.
import { parse } from "shell-quote";

/** The command to classify as, and what the wrappers did to its environment on the way in. */
export interface InnerCommand {
  command: string;
  args: string[];
  /** Variables the wrappers set (`env X=1`, `aws-vault exec p` → AWS_PROFILE=p). */
  set: Record<string, string>;
  unset: string[];
  /** A wrapper started from an empty environment (`env -i`, `sudo` without -E). */
  cleared: boolean;
  /** The wrappers looked through, outermost first (empty: the command is its own). */
  through: string[];
}

interface Step {
  argv: string[];
  set?: Record<string, string>;
  unset?: string[];
  cleared?: boolean;
}

/** Deep enough for `sudo env X=1 timeout 9 sh -c '…'`; a loop of wrappers ends here. */
const MAX_DEPTH = 8;
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

const WRAPPERS: Record<string, (args: string[]) => Step | undefined> = {
  env: unwrapEnv,
  sudo: unwrapSudo,
  nice: unwrapNice,
  timeout: unwrapTimeout,
  "aws-vault": unwrapAwsVault,
  op: (args) => (args[0] === "run" ? afterDashDash(args.slice(1)) : undefined),
  doppler: (args) =>
    args[0] === "run" && !args.includes("--command")
      ? afterDashDash(args.slice(1))
      : undefined,
  assume: unwrapAssume,
  assumego: unwrapAssume,
  sh: unwrapShell,
  bash: unwrapShell,
  dash: unwrapShell,
  zsh: unwrapShell,
  ksh: unwrapShell,
};

export function unwrapCommand(command: string, args: string[]): InnerCommand {
  const inner: InnerCommand = {
    command,
    args,
    set: {},
    unset: [],
    cleared: false,
    through: [],
  };
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const name = baseName(inner.command);
    const step = Object.hasOwn(WRAPPERS, name)
      ? WRAPPERS[name]!(inner.args)
      : undefined;
    if (!step || step.argv.length === 0 || step.argv[0] === "") break;
    if (step.cleared) {
      inner.cleared = true;
      inner.set = {};
      inner.unset = [];
    }
    for (const variable of step.unset ?? []) {
      delete inner.set[variable];
      inner.unset.push(variable);
    }
    Object.assign(inner.set, step.set);
    inner.through.push(name === "sh" || /sh$/.test(name) ? `${name} -c` : name);
    inner.command = step.argv[0]!;
    inner.args = step.argv.slice(1);
  }
  return inner;
}

/** The environment the inner command sees, as far as the wrappers' argv tells. */
export function innerEnv(
  inner: InnerCommand,
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = inner.cleared
    ? {}
    : { ...env };
  for (const name of inner.unset) delete base[name];
  return { ...base, ...inner.set };
}

function baseName(command: string): string {
  return (command.split("/").pop() ?? command).toLowerCase();
}

/** `env [-i] [-u VAR] [-C DIR] [--] [VAR=value...] cmd`; -S (a split string) is not followed. */
function unwrapEnv(args: string[]): Step | undefined {
  const step: Required<Step> = { argv: [], set: {}, unset: [], cleared: false };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (arg === "-i" || arg === "-" || arg === "--ignore-environment") {
      step.cleared = true;
      step.set = {};
    } else if (arg === "-u" || arg === "--unset") {
      const name = args[++i];
      if (name === undefined) return undefined;
      step.unset.push(name);
    } else if (arg.startsWith("--unset=")) step.unset.push(arg.slice(8));
    else if (/^-u./.test(arg)) step.unset.push(arg.slice(2));
    else if (arg === "-C" || arg === "--chdir") i++;
    else if (arg.startsWith("--chdir=") || arg === "-v" || arg === "--debug") {
      // no effect on what runs
    } else if (arg.startsWith("-")) return undefined;
    else break;
  }
  return withAssignments(args.slice(i), step);
}

const SUDO_VALUE = new Set("ugCDprtTUhR".split(""));
const SUDO_FLAG = new Set("AbEHkKnPSsiBN".split(""));
const SUDO_LONG_VALUE = new Set([
  "--user",
  "--group",
  "--prompt",
  "--chdir",
  "--close-from",
  "--role",
  "--type",
  "--command-timeout",
  "--other-user",
  "--chroot",
  "--host",
]);

/** `sudo [-u U] [-E] [VAR=value...] cmd`. Without -E sudo resets the environment (env_reset). */
function unwrapSudo(args: string[]): Step | undefined {
  let keep = false;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    if (arg.startsWith("--")) {
      const [name] = arg.split("=", 1);
      if (name === "--preserve-env") keep = true;
      else if (SUDO_LONG_VALUE.has(name!)) {
        if (!arg.includes("=")) i++;
      } else if (
        ![
          "--non-interactive",
          "--stdin",
          "--login",
          "--shell",
          "--set-home",
          "--background",
          "--askpass",
        ].includes(name!)
      )
        return undefined;
      continue;
    }
    // Short options, possibly bundled (-Eu root, -uroot).
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j]!;
      if (letter === "E") keep = true;
      if (SUDO_VALUE.has(letter)) {
        if (j === arg.length - 1) i++;
        break;
      }
      if (!SUDO_FLAG.has(letter)) return undefined;
    }
  }
  return withAssignments(args.slice(i), {
    argv: [],
    set: {},
    unset: [],
    cleared: !keep,
  });
}

/** `nice [-n N | -N | --adjustment=N] cmd`. */
function unwrapNice(args: string[]): Step | undefined {
  let i = 0;
  if (args[0] === "-n" || args[0] === "--adjustment") i = 2;
  else if (/^(-n.+|--adjustment=.*|-\d+|--\d+)$/.test(args[0] ?? "")) i = 1;
  if (args[i] === "--") i++;
  return { argv: args.slice(i) };
}

/** `timeout [-s SIG] [-k DUR] [--preserve-status] [--foreground] [-v] DURATION cmd`. */
function unwrapTimeout(args: string[]): Step | undefined {
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || /^-\d/.test(arg)) break;
    if (["-s", "-k", "--signal", "--kill-after"].includes(arg)) i++;
    else if (
      !/^(-s.+|-k.+|--signal=.*|--kill-after=.*|--preserve-status|--foreground|-v|--verbose)$/.test(
        arg,
      )
    )
      return undefined;
  }
  if (args[i] === undefined) return undefined;
  return { argv: args.slice(i + 1) };
}

const VAULT_VALUE = new Set([
  "--backend",
  "--prompt",
  "--keychain",
  "--pass-dir",
  "--pass-cmd",
  "--pass-prefix",
  "--file-dir",
  "--duration",
  "-d",
  "--mfa-token",
  "-t",
  "--region",
]);

/** `aws-vault [global flags] exec [flags] PROFILE [--] cmd`: the inner command runs as PROFILE. */
function unwrapAwsVault(args: string[]): Step | undefined {
  let i = 0;
  let sawExec = false;
  let profile: string | undefined;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (VAULT_VALUE.has(arg)) i++;
    else if (arg.startsWith("-")) continue;
    else if (!sawExec) {
      if (arg !== "exec") return undefined;
      sawExec = true;
    } else {
      profile = arg;
      i++;
      break;
    }
  }
  if (!profile) return undefined;
  if (args[i] === "--") i++;
  return { argv: args.slice(i), set: { AWS_PROFILE: profile } };
}

/** granted's `assume [flags] [PROFILE] -- cmd`. */
function unwrapAssume(args: string[]): Step | undefined {
  const dash = args.indexOf("--");
  if (dash === -1) return undefined;
  const profile = args.slice(0, dash).find((arg) => !arg.startsWith("-"));
  return {
    argv: args.slice(dash + 1),
    set: profile ? { AWS_PROFILE: profile } : {},
  };
}

function afterDashDash(args: string[]): Step | undefined {
  const dash = args.indexOf("--");
  return dash === -1 ? undefined : { argv: args.slice(dash + 1) };
}

const SHELL_WORDS = new Set(
  "if then else elif fi for while until do done case esac function select time ! { } [[ ]] coproc".split(
    " ",
  ),
);

/**
 * `sh -c 'SCRIPT'` (also `bash -lc`, `-ec`): the script, when it is one simple command —
 * words, optional `VAR=value` before them, an optional `exec`. Anything a shell would expand
 * or combine (`$`, backquotes, operators, globs, redirections, reserved words) is not read.
 */
function unwrapShell(args: string[]): Step | undefined {
  let i = 0;
  let sawC = false;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (!/^-[a-z]+$/i.test(arg)) break;
    if (arg.includes("c")) sawC = true;
    if (!/^-[celxuiv]+$/.test(arg)) return undefined;
  }
  const script = args[i];
  if (!sawC || script === undefined || /[`$\n\r\\]/.test(script))
    return undefined;
  let words: ReturnType<typeof parse>;
  try {
    words = parse(script);
  } catch {
    return undefined;
  }
  if (!words.every((word): word is string => typeof word === "string"))
    return undefined;
  if (words.some((word) => SHELL_WORDS.has(word))) return undefined;
  const step = withAssignments(words, { argv: [], set: {} });
  if (step && step.argv[0] === "exec") step.argv = step.argv.slice(1);
  return step;
}

function withAssignments(words: string[], step: Step): Step | undefined {
  let i = 0;
  const set = { ...step.set };
  for (; i < words.length && ASSIGNMENT.test(words[i]!); i++) {
    const word = words[i]!;
    const eq = word.indexOf("=");
    set[word.slice(0, eq)] = word.slice(eq + 1);
  }
  if (i >= words.length) return undefined;
  return { ...step, set, argv: words.slice(i) };
}
