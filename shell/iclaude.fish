# iclaude shell integration for fish: iclaude init fish | source
#
# Before each prompt, __iclaude_hook compares the time with $ICLAUDE_STATE_DIR/next-check using
# builtins only, so a prompt costs no process while the login is fine. When the time has come it
# starts one detached `iclaude refresh --background`; when a person must act it prints the one line
# in $ICLAUDE_STATE_DIR/notice, at most once a day across all shells.

if status is-interactive
    set -q __iclaude_hold; or set -g __iclaude_hold 0
    set -q __iclaude_shown; or set -g __iclaude_shown 0

    function __iclaude_hook --on-event fish_prompt
        set -l dir $ICLAUDE_STATE_DIR
        if test -z "$dir"
            set dir $XDG_STATE_HOME
            test -n "$dir"; or set dir $HOME/.local/state
            set dir $dir/iclaude
        end
        set -l now 0
        set -l next 0
        # fish has no clock builtin: next-check's mtime plus its age is the time, with no process.
        # A missing file leaves now at 0: one run starts, and the next waits for the file.
        set -l mtime (path mtime -- $dir/next-check)
        if test -n "$mtime"
            set now (math $mtime + (path mtime --relative -- $dir/next-check))
            read -l line <$dir/next-check
            and string match -qr '^[0-9]+$' -- $line
            and set next $line
        end
        if test $now -ge $next; and test $now -ge $__iclaude_hold
            # Until the background run writes next-check, no other prompt of this shell starts one.
            set -g __iclaude_hold (math $now + 60)
            @ICLAUDE_BIN@ refresh --background </dev/null >/dev/null 2>&1 &
            disown $last_pid 2>/dev/null
        end
        if test $now -ge (math $__iclaude_shown + 86400); and test -r $dir/notice
            # The day is shared through notice-shown, so every shell opened today stays quiet.
            set -l shown 0
            if test -r $dir/notice-shown
                read -l line <$dir/notice-shown
                and string match -qr '^[0-9]+$' -- $line
                and set shown $line
            end
            set -g __iclaude_shown $shown
            if test $now -ge (math $shown + 86400)
                read -l line <$dir/notice
                and test -n "$line"
                and printf '%s\n' $line >&2
                printf '%s\n' $now 2>/dev/null >$dir/notice-shown
                set -g __iclaude_shown $now
            end
        end
    end

    # >>> claude function
    # Every interactive `claude` goes through iclaude, which refreshes the login first.
    function claude --description 'claude, with the login refreshed first by iclaude'
        @ICLAUDE_BIN@ -- $argv
    end
    # <<< claude function

    complete -e -c iclaude
    complete -c iclaude -n __fish_use_subcommand -a status -d 'judge the Claude login claude will use'
    complete -c iclaude -n __fish_use_subcommand -a refresh -d 'refresh the login when due'
    complete -c iclaude -n __fish_use_subcommand -a token -d 'print the access token claude would use'
    complete -c iclaude -n __fish_use_subcommand -a init -d 'print the shell integration'
    complete -c iclaude -n __fish_use_subcommand -a hooks -d 'install or run the git guard'
    complete -c iclaude -n __fish_use_subcommand -a run -d 'run claude with the login refreshed'
    complete -c iclaude -n '__fish_seen_subcommand_from status' -l json -l quiet -l threshold -l refresh-margin
    complete -c iclaude -n '__fish_seen_subcommand_from refresh' -l force -l no-interactive -l json
    complete -c iclaude -n '__fish_seen_subcommand_from init' -x -a 'zsh bash fish'
    complete -c iclaude -n '__fish_seen_subcommand_from init' -l no-claude-function
    complete -c iclaude -n '__fish_seen_subcommand_from hooks' -x -a 'install run pre-commit prepare-commit-msg'
    complete -c iclaude -n '__fish_seen_subcommand_from hooks' -l global -l force -l uninstall
end
