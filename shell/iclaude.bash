# iclaude shell integration for bash: eval "$(iclaude init bash)"
#
# Before each prompt, __iclaude_hook compares the time (a builtin) with the next-check it last read
# from $ICLAUDE_STATE_DIR: a prompt costs no process and reads no file while the login is fine. When
# that time has come it reads the state again, starts one detached `iclaude @REFRESH_ARGS@`
# if still due, and prints the one line in $ICLAUDE_STATE_DIR/notice when a person must act, at most
# once a day across all shells.

# Interactive shells only: a script that sources this gets nothing.
if [[ $- == *i* ]]; then
  # Written for `set -euo pipefail` in the user's shell: every test is a condition, every variable
  # has a default. The hook keeps the command's $? for the hooks after it: in the steady state (the
  # command succeeded, next-check's time not come) its one test leaves 0; any other status goes to
  # __iclaude_due, which returns it. Bash itself restores $? and PIPESTATUS for the prompt once
  # PROMPT_COMMAND has run. A `$` in the test would cost a prompt more than the rest of the hook:
  # bash < 5 (no $EPOCHSECONDS) gets a hook that always asks __iclaude_due, whose clock is printf's.
  if [[ -n ${EPOCHSECONDS:-} ]]; then
    __iclaude_hook() {
      case $? in
        0) (( EPOCHSECONDS < __iclaude_next )) || __iclaude_due 0 ;;
        *) __iclaude_due "$?" ;;
      esac
    }
  else
    __iclaude_hook() {
      __iclaude_due "$?"
    }
  fi

  # No file is read before the next-check this shell last read.
  __iclaude_due() {
    local status=$1 now=${EPOCHSECONDS:-}
    if [[ -z $now ]]; then
      if (( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 2) )); then
        printf -v now '%(%s)T' -1
      else
        now=$(date +%s) # bash < 4.2 (macOS's 3.2) has no builtin clock.
      fi
    fi
    if (( now >= __iclaude_next )); then __iclaude_check "$now"; fi
    # Under `set -e` a non-zero return would end the user's shell.
    if [[ $- == *e* ]]; then return 0; fi
    return "$status"
  }

  # Reads the state the background run writes: starts that run when due, and prints the notice
  # when a person must act. Runs at most hourly (the binary never sets next-check further away).
  __iclaude_check() {
    local now=$1 next=0 shown=0 line=
    local dir=${ICLAUDE_STATE_DIR:-${XDG_STATE_HOME:-${HOME:-}/.local/state}/iclaude}
    # At most a line's worth is read. A value no run writes (not a number, over 12 digits, more than a
    # day ahead) is garbage: it is due now, and the run it starts writes a sound one.
    if [[ -f $dir/next-check && -r $dir/next-check ]]; then read -r -n @NEXT_CHECK_READ_CHARS@ next <"$dir/next-check" || :; fi
    case $next in '' | *[!0-9]*) next=0 ;; esac
    (( ${#next} <= @NEXT_CHECK_MAX_DIGITS@ && 10#$next <= now + @NEXT_CHECK_MAX_AHEAD_S@ )) || next=0
    __iclaude_next=$(( 10#$next < now + @NEXT_CHECK_CAP_S@ ? 10#$next : now + @NEXT_CHECK_CAP_S@ ))
    if (( now >= __iclaude_next )); then
      # Until the background run writes next-check, no other prompt of this shell starts one.
      __iclaude_next=$(( now + 60 ))
      ( @ICLAUDE_BIN@ @REFRESH_ARGS@ </dev/null & ) >/dev/null 2>&1
    fi
    if [[ -f $dir/notice && -r $dir/notice ]]; then
      # notice-shown is shared, so the shells opened later that day stay quiet. One stamped ahead of
      # the clock (a clock that ran fast) counts as long past, or the notice would wait for the clock.
      if [[ -f $dir/notice-shown && -r $dir/notice-shown ]]; then read -r shown <"$dir/notice-shown" || :; fi
      case $shown in '' | *[!0-9]*) shown=0 ;; esac
      (( ${#shown} <= @NEXT_CHECK_MAX_DIGITS@ && 10#$shown <= now )) || shown=0
      if (( now >= 10#$shown + @NOTICE_EVERY_S@ )); then
        read -r line <"$dir/notice" || :
        if [[ -n $line ]]; then printf '%s\n' "$line" >&2; fi
        # Only a file (or none yet): opening a FIFO someone left there would hold the prompt.
        if [[ -f $dir/notice-shown || ! -e $dir/notice-shown ]]; then { printf '%s\n' "$now" >|"$dir/notice-shown"; } 2>/dev/null || :; fi
      fi
    fi
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
  __iclaude_next=${__iclaude_next:-0}
  # Appended, like the user's own hooks, in whichever form PROMPT_COMMAND has (an array since 5.1).
  if [[ " ${PROMPT_COMMAND[*]:-} " != *__iclaude_hook* ]]; then
    if (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 501 )) && [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
      PROMPT_COMMAND+=(__iclaude_hook)
    else
      # A newline, not `;`, so a PROMPT_COMMAND that ends in `;`, `&` or a newline stays valid.
      # shellcheck disable=SC2128,SC2178 # a string PROMPT_COMMAND stays a string
      PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND$'\n'}__iclaude_hook"
    fi
  fi
fi
