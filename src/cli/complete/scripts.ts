/**
 * The completion scripts `zinit completion SHELL` prints. Each is a thin shim: it
 * hands the words typed so far to `zinit __complete -- WORDS...`, which answers
 * with a first line saying what to complete (`words`, `file` or `dir`) and then,
 * for `words`, one candidate a line as `WORD<TAB>DESCRIPTION`. The shell only
 * formats; every decision is made by the same code the repl uses (engine.ts).
 * The program is called as the user typed it (the first word), so a zinit that
 * is not on PATH completes too, and always with its own version's rules.
 */
import type { SHELLS } from "./engine.ts";

export type Shell = (typeof SHELLS)[number];

const BASH = `# bash completion for zinit.
#   load now:        source <(zinit completion bash)
#   load at login:   zinit completion bash > ~/.local/share/bash-completion/completions/zinit
_zinit_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out kind line IFS=$'\\n'
  COMPREPLY=()
  out=$(command "\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  kind=\${out%%$'\\n'*}
  case $kind in
    file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
    dir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
    words)
      [[ $out == *$'\\n'* ]] || return 0
      while IFS= read -r line; do COMPREPLY+=("\${line%%$'\\t'*}"); done <<<"\${out#*$'\\n'}"
      ;;
  esac
}
complete -F _zinit_complete zinit
`;

const ZSH = `#compdef zinit
# zsh completion for zinit.
#   load now:        source <(zinit completion zsh)      (after compinit)
#   load at login:   zinit completion zsh > "\${fpath[1]}/_zinit"
_zinit() {
  local out kind line word
  local -a lines described
  out=$(command \${words[1]} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  kind=\${lines[1]}
  case $kind in
    file) _files ;;
    dir) _files -/ ;;
    words)
      for line in "\${(@)lines[2,-1]}"; do
        word=\${line%%$'\\t'*}
        if [[ $line == *$'\\t'* && -n \${line#*$'\\t'} ]]; then
          described+=("\${word//:/\\\\:}:\${line#*$'\\t'}")
        else
          described+=("\${word//:/\\\\:}")
        fi
      done
      (( \${#described} )) && _describe -t values zinit described
      ;;
  esac
}
if [[ \${funcstack[1]} == _zinit ]]; then
  _zinit "$@"
else
  (( \${+functions[compdef]} )) || { autoload -Uz compinit && compinit; }
  compdef _zinit zinit
fi
`;

const FISH = `# fish completion for zinit.
#   load now:        zinit completion fish | source
#   load at login:   zinit completion fish > ~/.config/fish/completions/zinit.fish
function __zinit_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l out (command $tokens[1] __complete -- $tokens[2..-1] $current 2>/dev/null)
    or return
    switch "$out[1]"
        case file
            __fish_complete_path $current
        case dir
            __fish_complete_directories $current
        case words
            set -e out[1]
            printf '%s\\n' $out
    end
end
complete -c zinit -f -a '(__zinit_complete)'
`;

export const COMPLETION_SCRIPTS: Record<Shell, string> = { bash: BASH, zsh: ZSH, fish: FISH };
