#!/usr/bin/env zsh
# Prints the matches zsh's own completion system offers for a command line, one per line:
#   zsh zsh-complete.zsh SCRIPT 'authwrap --json -- git chec'
# An interactive zsh runs in a pseudo-terminal (zsh/zpty) with compinit and SCRIPT loaded; the
# line is typed followed by TAB; compadd is wrapped to print what it adds. After the technique of
# zsh-capture-completion (github.com/Valodim/zsh-capture-completion, MIT).
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PROMPT= ; RPROMPT="
zpty -w z "autoload -U compinit; compinit -u -D"
zpty -w z "source ${(q)1}"
zpty -w z "null-line () { echo -E - \$'\\0' }; compprefuncs=( null-line ); comppostfuncs=( null-line exit )"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) || return
  local hit; for hit in $__hits; do echo -E - "<match>$hit"; done
}'
# Last: from here on Enter no longer runs a line, so each line typed stays on the command line.
zpty -w z "bindkey '^M' undefined; bindkey '^J' undefined; bindkey '^I' complete-word"
zpty -w z "$2"$'\t'
integer tog=0
while zpty -r z; do :; done | while IFS= read -r line; do
  if [[ $line == *$'\0\r' ]]; then
    (( tog++ )) && exit 0 || continue
  fi
  (( tog )) && [[ $line == *'<match>'* ]] && echo -E - "${${line#*<match>}%$'\r'}"
done
