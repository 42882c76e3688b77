// `authwrap completion bash|zsh|fish`: a completion script that completes authwrap's own options
// and verbs, and from the wrapped command on (after `--`, or the first word that is not an
// option) hands over to that command's own completion: bash-completion's `_command_offset`,
// zsh's `_normal`, fish's `complete -C`. The option lists come from cli.ts, so a new flag is
// completed without touching this file.
import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { FLAGS, FLAGS_WITH_VALUE, VERBS } from "../cli.js";
import { AuthwrapError } from "../errors.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** Values offered after a flag; a flag not listed takes free text (or, for --classifiers, a path). */
const FLAG_VALUES: Record<string, string[]> = {
  "--retry": ["never", "auth-rejected", "always"],
};
const VERB_WORDS: Record<string, string[]> = {
  rules: ["list", "validate", "test"],
  schema: ["envelope", "classifier", "config"],
  completion: [...SHELLS],
};

export function printCompletion(
  shell: string,
  builtinPath: string,
  stdout: Writable,
): number {
  if (!(SHELLS as readonly string[]).includes(shell))
    throw new AuthwrapError(
      "USAGE_ERROR",
      `authwrap completion: "${shell}" is not one of ${SHELLS.join(", ")}`,
    );
  const spec = {
    options: [...FLAGS].sort(),
    valueOptions: [...FLAGS_WITH_VALUE].sort(),
    verbs: [...VERBS],
    tools: toolNames(builtinPath),
  };
  const write = { bash: bashScript, zsh: zshScript, fish: fishScript }[
    shell as Shell
  ];
  stdout.write(write(spec));
  return 0;
}

interface Spec {
  options: string[];
  valueOptions: string[];
  verbs: string[];
  tools: string[];
}

function toolNames(builtinPath: string): string[] {
  try {
    const entries = JSON.parse(readFileSync(builtinPath, "utf8")) as Array<{
      file: { tool: string; kind?: string };
    }>;
    return [
      ...new Set(
        entries
          .filter((e) => (e.file.kind ?? "tool") === "tool")
          .map((e) => e.file.tool),
      ),
    ].sort();
  } catch {
    return [];
  }
}

const words = (list: string[]) => list.join(" ");

function bashScript(spec: Spec): string {
  const valueCases = Object.entries(FLAG_VALUES)
    .map(
      ([flag, values]) =>
        `    ${flag}) COMPREPLY=($(compgen -W '${words(values)}' -- "$cur")); return ;;`,
    )
    .join("\n");
  const verbCases = Object.entries(VERB_WORDS)
    .map(
      ([verb, list]) =>
        `    ${verb}) COMPREPLY=($(compgen -W '${words(list)}' -- "$cur")) ;;`,
    )
    .join("\n");
  return `# authwrap completion for bash. Load it with:  source <(authwrap completion bash)
# After \`--\` or the command's name, the command's own completion takes over (bash-completion's
# _command_offset when it is loaded; else command names, then file names).
_authwrap_value_options=' ${words(spec.valueOptions)} '
_authwrap() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" i=1 word
  COMPREPLY=()
  while (( i < COMP_CWORD )); do
    word="\${COMP_WORDS[i]}"
    if [[ $word == -- ]]; then _authwrap_hand_over $(( i + 1 )); return; fi
    if [[ $_authwrap_value_options == *" $word "* ]]; then (( i += 2 )); continue; fi
    [[ $word == -* ]] || break
    (( i++ ))
  done
  if (( i < COMP_CWORD )); then
    case "\${COMP_WORDS[i]}" in
      alias) _authwrap_hand_over $COMP_CWORD ;;
${verbCases}
      ${spec.verbs.join("|")}) ;;
      *) _authwrap_hand_over "$i" ;;
    esac
    return
  fi
  case $prev in
${valueCases}
    --tool) COMPREPLY=($(compgen -W '${words(spec.tools)}' -- "$cur")); return ;;
    --classifiers) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  # Another flag's free-text value (--reauth, --reauth-timeout, …): nothing to offer.
  [[ $_authwrap_value_options == *" $prev "* ]] && return
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '${words(spec.options)} --' -- "$cur"))
  else
    COMPREPLY=($(compgen -W '${words(spec.verbs)}' -- "$cur") $(compgen -c -- "$cur"))
  fi
}
_authwrap_hand_over() {
  if declare -F _command_offset >/dev/null; then _command_offset "$1"; return; fi
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if (( $1 == COMP_CWORD )); then COMPREPLY=($(compgen -c -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -F _authwrap -o bashdefault -o default authwrap
`;
}

function zshScript(spec: Spec): string {
  const valueCases = Object.entries(FLAG_VALUES)
    .map(
      ([flag, values]) => `    ${flag}) compadd -- ${words(values)}; return ;;`,
    )
    .join("\n");
  const verbCases = Object.entries(VERB_WORDS)
    .map(([verb, list]) => `      ${verb}) compadd -- ${words(list)} ;;`)
    .join("\n");
  return `#compdef authwrap
# authwrap completion for zsh. Load it with:  source <(authwrap completion zsh)   (after compinit)
# After \`--\` or the command's name, the command's own completion takes over (_normal).
_authwrap() {
  local -a value_options=(${words(spec.valueOptions)})
  local i=2 word
  while (( i < CURRENT )); do
    word=\${words[i]}
    if [[ $word == -- ]]; then (( i++ )); _authwrap_hand_over $i; return; fi
    if (( \${value_options[(Ie)$word]} )); then (( i += 2 )); continue; fi
    [[ $word == -* ]] || break
    (( i++ ))
  done
  if (( i < CURRENT )); then
    case \${words[i]} in
      alias) _command_names ;;
${verbCases}
      ${spec.verbs.join("|")}) ;;
      *) _authwrap_hand_over $i ;;
    esac
    return
  fi
  case \${words[CURRENT-1]} in
${valueCases}
    --tool) compadd -- ${words(spec.tools)}; return ;;
    --classifiers) _files; return ;;
  esac
  (( \${value_options[(Ie)\${words[CURRENT-1]}]} )) && (( CURRENT > 2 )) && return
  if [[ \${PREFIX} == -* ]]; then
    compadd -- ${words(spec.options)} --
  else
    compadd -- ${words(spec.verbs)}
    _command_names -e
  fi
}
_authwrap_hand_over() {
  words=("\${(@)words[$1,-1]}")
  (( CURRENT -= $1 - 1 ))
  _normal
}
compdef _authwrap authwrap
`;
}

function fishScript(spec: Spec): string {
  const long = spec.options.filter((flag) => flag.startsWith("--"));
  const lines = long.map((flag) => {
    const name = flag.slice(2);
    const values = FLAG_VALUES[flag];
    const takes = spec.valueOptions.includes(flag);
    const extra = values
      ? ` -x -a '${words(values)}'`
      : flag === "--tool"
        ? ` -x -a '${words(spec.tools)}'`
        : flag === "--classifiers"
          ? " -r -F"
          : takes
            ? " -x"
            : "";
    return `complete -c authwrap -n 'not __authwrap_command_start' -l ${name}${extra}`;
  });
  for (const flag of spec.options.filter((f) => /^-[a-zA-Z]$/.test(f)))
    lines.push(
      `complete -c authwrap -n 'not __authwrap_command_start' -s ${flag.slice(1)}`,
    );
  for (const [verb, list] of Object.entries(VERB_WORDS))
    lines.push(
      `complete -c authwrap -n '__authwrap_verb_is ${verb}' -f -a '${words(list)}'`,
    );
  return `# authwrap completion for fish. Load it with:  authwrap completion fish | source
# (or save it as ~/.config/fish/completions/authwrap.fish). After \`--\` or the command's name,
# the command's own completion takes over (complete -C).
function __authwrap_command_start --description 'index of the wrapped command in the command line, if it has started'
    set -l tokens (commandline -opc)
    set -l value_options ${words(spec.valueOptions)}
    set -l i 2
    while test $i -le (count $tokens)
        set -l token $tokens[$i]
        if test "$token" = --
            echo (math $i + 1)
            return 0
        else if contains -- $token $value_options
            set i (math $i + 2)
        else if string match -q -- '-*' $token
            set i (math $i + 1)
        else
            contains -- $token ${words(spec.verbs)}; and return 1
            echo $i
            return 0
        end
    end
    return 1
end
function __authwrap_verb_is
    set -l tokens (commandline -opc)
    for token in $tokens[2..-1]
        string match -q -- '-*' $token; and continue
        test "$token" = $argv[1]
        return
    end
    return 1
end
function __authwrap_hand_over
    set -l start (__authwrap_command_start)
    set -l tokens (commandline -opc)
    complete -C (string join ' ' -- (string escape -- $tokens[$start..-1]) (commandline -ct))
end
complete -c authwrap -f -n '__authwrap_command_start' -a '(__authwrap_hand_over)'
complete -c authwrap -f -n 'not __authwrap_command_start; and not __authwrap_verb_is rules; and not __authwrap_verb_is schema; and not __authwrap_verb_is completion' -a '${words(spec.verbs)} (__fish_complete_command)'
${lines.join("\n")}
`;
}
