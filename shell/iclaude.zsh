# iclaude shell integration for zsh: eval "$(iclaude init zsh)"
#
# Before each prompt, __iclaude_hook compares the time with $ICLAUDE_STATE_DIR/next-check using
# builtins only, so a prompt costs no process while the login is fine. When the time has come it
# starts one detached `iclaude refresh --background`; when a person must act it prints the one line
# in $ICLAUDE_STATE_DIR/notice, at most once a day across all shells.

# Interactive shells only: a script that sources this gets nothing.
if [[ -o interactive ]]; then
  # The hook runs with zsh's defaults whatever the user set (ERR_EXIT, NO_UNSET, KSH_ARRAYS ...).
  __iclaude_hook() {
    emulate -L zsh
    local dir=${ICLAUDE_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/iclaude}
    local now=$EPOCHSECONDS next=0 shown=0 line=
    [[ -r $dir/next-check ]] && read -r next <"$dir/next-check"
    [[ $next == <-> ]] || next=0
    if (( now >= 10#$next && now >= __iclaude_hold )); then
      # Until the background run writes next-check, no other prompt of this shell starts one.
      __iclaude_hold=$(( now + 60 ))
      ( @ICLAUDE_BIN@ refresh --background </dev/null & ) >/dev/null 2>&1
    fi
    if (( now >= __iclaude_shown + 86400 )) && [[ -r $dir/notice ]]; then
      # The day is shared through notice-shown, so every shell opened today stays quiet.
      [[ -r $dir/notice-shown ]] && read -r shown <"$dir/notice-shown"
      [[ $shown == <-> ]] || shown=0
      __iclaude_shown=$(( 10#$shown ))
      if (( now >= __iclaude_shown + 86400 )); then
        read -r line <"$dir/notice"
        [[ -n $line ]] && print -r -- $line >&2
        print -r -- $now 2>/dev/null >|"$dir/notice-shown"
        __iclaude_shown=$now
      fi
    fi
    return 0
  }

  # >>> claude function
  # Every interactive `claude` goes through iclaude, which refreshes the login first.
  function claude {
    @ICLAUDE_BIN@ -- "$@"
  }
  # <<< claude function

  __iclaude_complete() {
    local -a commands
    commands=(
      'status:judge the Claude login claude will use'
      'refresh:refresh the login when due (--force: now)'
      'token:print the access token claude would use'
      'init:print the shell integration'
      'hooks:install or run the git guard'
      'run:run claude with the login refreshed'
    )
    if (( CURRENT == 2 )); then
      _describe -t commands 'iclaude command' commands
      return
    fi
    case $words[2] in
      status) _arguments '--json[print one JSON object]' '--quiet[print nothing]' '--threshold=[warn within]:duration' '--refresh-margin=[refresh within]:duration' ;;
      refresh) _arguments '--force[refresh now]' '--no-interactive[never prompt]' '--json[print one JSON object]' ;;
      init) _arguments '1:shell:(zsh bash fish)' '--no-claude-function[leave claude alone]' ;;
      hooks) _arguments '1:action:(install run)' '2:hook:(pre-commit prepare-commit-msg)' '--global' '--force' '--uninstall' ;;
      *) _default ;;
    esac
  }

  () {
    emulate -L zsh
    # $EPOCHSECONDS comes from a module built into zsh: reading the time starts no process.
    zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
    typeset -gi __iclaude_hold=${__iclaude_hold:-0} __iclaude_shown=${__iclaude_shown:-0}
    typeset -ga precmd_functions
    (( ${precmd_functions[(I)__iclaude_hook]} )) || precmd_functions+=(__iclaude_hook)
    (( ! $+functions[compdef] )) || compdef __iclaude_complete iclaude
  }
fi
