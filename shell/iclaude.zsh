# iclaude shell integration for zsh: eval "$(iclaude init zsh)"
#
# zsh's sched module keeps one entry of iclaude's: the next-check this shell last read from
# $ICLAUDE_STATE_DIR. zsh compares the clock with it before each prompt, in C: until that time comes a
# prompt runs nothing of iclaude's, reads no file and starts no process. Then __iclaude_hook reads the
# state again, starts one detached `iclaude @REFRESH_ARGS@` if still due, prints the one line in
# $ICLAUDE_STATE_DIR/notice when a person must act (at most once a day across all shells), and
# schedules itself for the next time.

# Interactive shells only: a script that sources this gets nothing.
if [[ -o interactive ]]; then
  # sched runs `__iclaude_hook $?` before a prompt, and gets the command's $? back as it returns
  # (0 under ERR_EXIT, where any other would end the shell). It also runs it while the line editor
  # waits for input: then the check waits for the next prompt, as a precmd hook that takes itself
  # out, so a check always comes before a prompt.
  __iclaude_hook() {
    local kept=${1:-0}
    [[ -o err_exit ]] && kept=0
    emulate -L zsh
    if zmodload -e zsh/zle && zle; then
      typeset -ga precmd_functions
      (( ${precmd_functions[(I)__iclaude_hook]} )) || precmd_functions+=(__iclaude_hook)
    else
      precmd_functions=("${(@)precmd_functions:#__iclaude_hook}")
      __iclaude_check
    fi
    return kept
  }

  # Reads the state the background run writes: starts that run when due, and prints the notice
  # when a person must act. Runs at most hourly (the binary never sets next-check further away).
  __iclaude_check() {
    emulate -L zsh
    local dir=${ICLAUDE_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/iclaude}
    local now=$EPOCHSECONDS next=0 shown=0 line=
    # At most a line's worth is read. A value no run writes (not a number, over 12 digits, more than a
    # day ahead) is garbage: it is due now, and the run it starts writes a sound one.
    [[ -f $dir/next-check && -r $dir/next-check ]] && read -r -k @NEXT_CHECK_READ_CHARS@ -u 0 next <"$dir/next-check"
    next=${next%%$'\n'*}
    [[ $next == <-> && ${#next} -le @NEXT_CHECK_MAX_DIGITS@ ]] && (( 10#$next <= now + @NEXT_CHECK_MAX_AHEAD_S@ )) || next=0
    local until=$(( 10#$next < now + @NEXT_CHECK_CAP_S@ ? 10#$next : now + @NEXT_CHECK_CAP_S@ ))
    if (( now >= until )); then
      # Until the background run writes next-check, no other prompt of this shell starts one.
      until=$(( now + 60 ))
      ( @ICLAUDE_BIN@ @REFRESH_ARGS@ </dev/null & ) >/dev/null 2>&1
    fi
    # The one entry of iclaude's in the schedule: an earlier one (a check run by hand) is replaced.
    local at=${zsh_scheduled_events[(I)*:__iclaude_hook*]}
    (( at )) && sched -$at
    sched $until '__iclaude_hook $?'
    if [[ -f $dir/notice && -r $dir/notice ]]; then
      # notice-shown is shared, so the shells opened later that day stay quiet. One stamped ahead of
      # the clock (a clock that ran fast) counts as long past, or the notice would wait for the clock.
      [[ -f $dir/notice-shown && -r $dir/notice-shown ]] && read -r shown <"$dir/notice-shown"
      [[ $shown == <-> && ${#shown} -le @NEXT_CHECK_MAX_DIGITS@ ]] && (( 10#$shown <= now )) || shown=0
      if (( now >= 10#$shown + @NOTICE_EVERY_S@ )); then
        read -r line <"$dir/notice"
        [[ -n $line ]] && print -r -- $line >&2
        { print -r -- $now >|"$dir/notice-shown"; } 2>/dev/null
      fi
    fi
    return 0
  }

  # `iclaude check` reads it: which binary the integration loaded in this shell calls.
  export ICLAUDE_SHELL_HOOK=@ICLAUDE_BIN@

  # >>> claude function
  # Every interactive `claude` goes through iclaude, which refreshes the login first.
  function claude {
    @ICLAUDE_BIN@ -- "$@"
  }
  # <<< claude function

  # Completion, generated from the command definitions: a <Tab> starts no process.
@ICLAUDE_COMPLETION@

  () {
    emulate -L zsh
    # $EPOCHSECONDS and sched come from modules built with zsh: the clock is read and waited for
    # with no process. The first prompt checks; sourced again, the entry already there stays the only one.
    zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null && zmodload zsh/sched 2>/dev/null || return 0
    typeset -ga precmd_functions
    (( ${zsh_scheduled_events[(I)*:__iclaude_hook*]} || ${precmd_functions[(I)__iclaude_hook]} )) || sched +0 '__iclaude_hook $?'
  }
fi
