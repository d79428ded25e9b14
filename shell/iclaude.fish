# iclaude shell integration for fish: iclaude init fish | source
#
# Before each prompt, __iclaude_hook compares a clock read with builtins with the time it last read
# in $ICLAUDE_STATE_DIR/next-check: a prompt costs no process while the login is fine. When that time
# has come it reads the state again, starts one detached `iclaude @REFRESH_ARGS@` if still due,
# and prints the one line in $ICLAUDE_STATE_DIR/notice when a person must act, at most once a day
# across all shells.

if status is-interactive
    set -q __iclaude_until; or set -g __iclaude_until 0
    set -q __iclaude_wait; or set -g __iclaude_wait 0
    set -q __iclaude_file; or set -g __iclaude_file
    set -q __iclaude_mtime; or set -g __iclaude_mtime

    # fish has no clock builtin, and a command substitution `(…)` costs a pipe and a thread (about
    # 100 µs). On Linux the clock is /proc/uptime (seconds since boot, suspend included), taken with
    # `read`, and as in zsh and bash no file of iclaude's is read before that time comes. Elsewhere
    # the age of next-check (`path mtime`) serves as the clock; a rewrite starts that age again, so an
    # unchanged mtime is part of the test. `path` came in fish 3.5; an older fish says so once and
    # keeps the claude function.
    if not contains path (builtin -n)
        echo "iclaude: fish $version has no path builtin (fish 3.5+), so the prompt hook is off; claude still refreshes first." >&2
    else if test -f /proc/uptime -a -r /proc/uptime
        function __iclaude_hook --on-event fish_prompt
            read -d . -l up fraction </proc/uptime
            test $up -lt $__iclaude_until; or __iclaude_check
        end
    else
        function __iclaude_hook --on-event fish_prompt
            set -l mtime (path mtime -- "$__iclaude_file")
            and test "$mtime" = "$__iclaude_mtime"
            and set -l age (path mtime --relative -- "$__iclaude_file")
            and test $age -lt $__iclaude_wait
            or __iclaude_check
        end
    end

    # Reads the state the background run writes: starts that run when due, and prints the notice
    # when a person must act. Runs at most hourly (the wait never reaches further than an hour).
    function __iclaude_check
        set -l dir $ICLAUDE_STATE_DIR
        if test -z "$dir"
            set dir $XDG_STATE_HOME
            test -n "$dir"; or set dir $HOME/.local/state
            set dir $dir/iclaude
        end
        set -g __iclaude_file $dir/next-check
        set -l mtime (path mtime -- $dir/next-check)
        if test -z "$mtime"
            # No next-check yet: the first run writes one; until then no other prompt starts one.
            set -q __iclaude_started; and return
            set -g __iclaude_started
            __iclaude_start
            return
        end
        set -e __iclaude_started
        set -g __iclaude_mtime $mtime
        set -l now (math $mtime + (path mtime --relative -- $dir/next-check))
        # At most a line's worth is read. A value no run writes (not a number, over 12 digits, more
        # than a day ahead) is garbage: it is due now, and the run it starts writes a sound one.
        set -l next 0
        test -f $dir/next-check -a -r $dir/next-check
        and read -n @NEXT_CHECK_READ_CHARS@ -l line <$dir/next-check
        and string match -qr '^[0-9]{1,@NEXT_CHECK_MAX_DIGITS@}$' -- $line
        and test $line -le (math $now + @NEXT_CHECK_MAX_AHEAD_S@)
        and set next $line
        set -l until (math "min($next, $now + @NEXT_CHECK_CAP_S@)")
        if test $now -ge $next
            # Until the background run writes next-check, no other prompt of this shell starts one.
            set until (math $now + 60)
            __iclaude_start
        end
        set -g __iclaude_wait (math $until - $mtime)
        if test -f /proc/uptime -a -r /proc/uptime
            read -d . -l up fraction </proc/uptime
            and set -g __iclaude_until (math $up + $until - $now)
        end
        if test -f $dir/notice -a -r $dir/notice
            # notice-shown is shared, so the shells opened later that day stay quiet. One stamped ahead
            # of the clock (a clock that ran fast) counts as long past, or the notice would wait for the clock.
            set -l shown 0
            if test -f $dir/notice-shown -a -r $dir/notice-shown
                read -l line <$dir/notice-shown
                and string match -qr '^[0-9]{1,@NEXT_CHECK_MAX_DIGITS@}$' -- $line
                and test $line -le $now
                and set shown $line
            end
            if test $now -ge (math $shown + @NOTICE_EVERY_S@)
                read -l line <$dir/notice
                and test -n "$line"
                and printf '%s\n' $line >&2
                # fish reports a failed redirection whatever 2> says: write only where it can.
                if test -f $dir/notice-shown -a -w $dir/notice-shown; or begin; not test -e $dir/notice-shown; and test -w $dir; end
                    printf '%s\n' $now >$dir/notice-shown
                end
            end
        end
    end

    # `&` and disown: no job-control message now or when the run ends.
    function __iclaude_start
        @ICLAUDE_BIN@ @REFRESH_ARGS@ </dev/null >/dev/null 2>&1 &
        disown $last_pid 2>/dev/null
    end

    # `iclaude check` reads it: which binary the integration loaded in this shell calls.
    set -gx ICLAUDE_SHELL_HOOK @ICLAUDE_BIN@

    # >>> claude function
    # Every interactive `claude` goes through iclaude, which refreshes the login first.
    function claude --description 'claude, with the login refreshed first by iclaude'
        @ICLAUDE_BIN@ -- $argv
    end
    # <<< claude function

    # Completion, generated from the command definitions: a <Tab> starts no process.
@ICLAUDE_COMPLETION@
end
