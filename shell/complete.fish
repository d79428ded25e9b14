# What may follow the command line so far, as `word<TAB>description` lines.
function __iclaude_candidates
    set -l at ''
    set -l count 0
    set -l value 0
    for word in (commandline -opc)[2..-1]
        if test $value = 1
            set value 0
            continue
        end
        __iclaude_spec "$at" $count
        switch $word
            case --
                return
            case '-*=*'
            case '-*'
                contains -- $word $__iclaude_valued; and set value 1
            case '*'
                if contains -- $word $__iclaude_subs
                    set at (string trim -- "$at $word")
                    set count 0
                else
                    set count (math $count + 1)
                end
        end
    end
    # After a flag that takes a value, and after `run`, the word is not iclaude's to guess.
    test $value = 1; or test "$at" = run; and return
    __iclaude_spec "$at" $count
    for entry in $__iclaude_words
        string replace -- : \t $entry
    end
end

complete -e -c iclaude
complete -c iclaude -f -a '(__iclaude_candidates)'
