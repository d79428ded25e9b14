# iclaude shell integration for zsh: eval "$(iclaude init zsh)"
#
# Before each prompt, __iclaude_hook compares the time (a builtin) with the next-check it last read
# from $ICLAUDE_STATE_DIR: a prompt costs no process and reads no file while the login is fine. When
# that time has come it reads the state again, starts one detached `iclaude @REFRESH_ARGS@`
# if still due, and prints the one line in $ICLAUDE_STATE_DIR/notice when a person must act, at most
# once a day across all shells.

# Interactive shells only: a script that sources this gets nothing.
if [[ -o interactive ]]; then
  # The steady state is this one test: no file is read before the next-check this shell last read.
  # It is safe under any of the user's options (it is registered only once $EPOCHSECONDS is there);
  # __iclaude_check sets zsh's defaults for itself. A `$` in the test would cost each prompt more.
  __iclaude_hook() {
    (( EPOCHSECONDS < __iclaude_next )) || __iclaude_check;
  }

  # Reads the state the background run writes: starts that run when due, and prints the notice
  # when a person must act. Runs at most hourly (the binary never sets next-check further away).
  __iclaude_check() {
    emulate -L zsh
    local dir=${ICLAUDE_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/iclaude}
    local now=$EPOCHSECONDS next=0 shown=0 line=
    # At most a line's worth is read. A value no run writes (not a number, over 12 digits, more than a
    # day ahead) is garbage: it is due now, and the run it starts writes a sound one.
    # A read that meets the end of the file fails: `|| :` keeps that from the user's ZERR trap.
    [[ -f $dir/next-check && -r $dir/next-check ]] && read -r -k @NEXT_CHECK_READ_CHARS@ -u 0 next <"$dir/next-check" || :
    next=${next%%$'\n'*}
    [[ $next == <-> && ${#next} -le @NEXT_CHECK_MAX_DIGITS@ ]] && (( 10#$next <= now + @NEXT_CHECK_MAX_AHEAD_S@ )) || next=0
    __iclaude_next=$(( 10#$next < now + @NEXT_CHECK_CAP_S@ ? 10#$next : now + @NEXT_CHECK_CAP_S@ ))
    if (( now >= __iclaude_next )); then
      # Until the background run writes next-check, no other prompt of this shell starts one.
      __iclaude_next=$(( now + 60 ))
      ( @ICLAUDE_BIN@ @REFRESH_ARGS@ </dev/null & ) >/dev/null 2>&1
    fi
    if [[ -f $dir/notice && -r $dir/notice ]]; then
      # notice-shown is shared, so the shells opened later that day stay quiet. One stamped ahead of
      # the clock (a clock that ran fast) counts as long past, or the notice would wait for the clock.
      [[ -f $dir/notice-shown && -r $dir/notice-shown ]] && read -r shown <"$dir/notice-shown" || :
      [[ $shown == <-> && ${#shown} -le @NEXT_CHECK_MAX_DIGITS@ ]] && (( 10#$shown <= now )) || shown=0
      if (( now >= 10#$shown + @NOTICE_EVERY_S@ )); then
        read -r line <"$dir/notice" || :
        [[ -n $line ]] && print -r -- $line >&2
        # Only a file (or none yet): opening a FIFO someone left there would hold the prompt.
        [[ -f $dir/notice-shown || ! -e $dir/notice-shown ]] && { print -r -- $now >|"$dir/notice-shown"; } 2>/dev/null || :
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
    # $EPOCHSECONDS comes from a module built into zsh: reading the time starts no process.
    zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null || return 0
    typeset -gi __iclaude_next=${__iclaude_next:-0}
    typeset -ga precmd_functions
    (( ${precmd_functions[(I)__iclaude_hook]} )) || precmd_functions+=(__iclaude_hook)
  }
fi
