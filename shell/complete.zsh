# With compinit: words with their descriptions.
__iclaude_complete() {
  emulate -L zsh
  local -a __iclaude_subs __iclaude_words __iclaude_valued
  __iclaude_candidates "${(@)words[2,CURRENT-1]}"
  if (( ${#__iclaude_words} )); then
    local -a shown
    shown=("${(@)__iclaude_words/:/  -- }")
    compadd -l -d shown -- "${(@)__iclaude_words%%:*}"
  else
    _default
  fi
}

# Without compinit (a .zshrc that never loads the completion system): the old compctl, same words.
__iclaude_compctl() {
  emulate -L zsh
  local -a line __iclaude_subs __iclaude_words __iclaude_valued
  local n
  read -cA line
  read -cn n
  __iclaude_candidates "${(@)line[2,n-1]}"
  reply=("${(@)__iclaude_words%%:*}")
}

# compinit may come later in .zshrc than this line: the first prompt looks once more.
__iclaude_compdef_late() {
  emulate -L zsh
  precmd_functions=("${(@)precmd_functions:#__iclaude_compdef_late}")
  (( ! $+functions[compdef] )) || compdef __iclaude_complete iclaude
}

# Saved as _iclaude in a dir on fpath, this file is the function compinit autoloads for the first
# <Tab> after `iclaude`: it registers the completer for the next ones and completes this one.
if [[ ${funcstack[1]-} == _iclaude ]]; then
  compdef __iclaude_complete iclaude
  __iclaude_complete "$@"
  return
fi

() {
  emulate -L zsh
  if (( $+functions[compdef] )); then
    compdef __iclaude_complete iclaude
  else
    compctl -K __iclaude_compctl iclaude
    typeset -ga precmd_functions
    (( ${precmd_functions[(I)__iclaude_compdef_late]} )) || precmd_functions+=(__iclaude_compdef_late)
  fi
}
