# What may follow the words given (the command line after `iclaude`, up to the word being
# completed): sets __iclaude_words to `word:description` entries. Shared by bash and zsh; the table
# __iclaude_spec above it is generated from iclaude's command definitions.
__iclaude_candidates() {
  local at='' count=0 value=0 word flag
  for word in "$@"; do
    if (( value )); then
      value=0
      continue
    fi
    __iclaude_spec "$at" "$count"
    case $word in
      --)
        __iclaude_words=()
        return 0
        ;;
      -*=*) ;;
      -*)
        for flag in ${__iclaude_valued[@]+"${__iclaude_valued[@]}"}; do
          if [[ $word == "$flag" ]]; then value=1; fi
        done
        ;;
      *)
        if [[ " ${__iclaude_subs[*]-} " == *" $word "* ]]; then
          at=${at:+$at }$word
          count=0
        else
          count=$((count + 1))
        fi
        ;;
    esac
  done
  __iclaude_spec "$at" "$count"
  # After a flag that takes a value, and after `run`, the word is not iclaude's to guess.
  if (( value )) || [[ $at == run ]]; then __iclaude_words=(); fi
  return 0
}
