__iclaude_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]:-} entry
  __iclaude_candidates "${COMP_WORDS[@]:1:COMP_CWORD-1}"
  COMPREPLY=()
  # bash < 4.4 calls an empty array unbound under `set -u`.
  for entry in ${__iclaude_words[@]+"${__iclaude_words[@]}"}; do
    if [[ ${entry%%:*} == "$cur"* ]]; then COMPREPLY+=("${entry%%:*}"); fi
  done
}
# Where iclaude offers nothing (a value such as --cache FILE), bash completes file names.
complete -o default -F __iclaude_complete iclaude
