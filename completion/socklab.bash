# bash completion for socklab and sockdash (installed as
# share/bash-completion/completions/socklab and .../sockdash).
#
# Every list here comes from the programs themselves, so it cannot drift from
# them: the commands from `socklab --help`, a lab's options (its own flags
# too, such as lab 06's --wait-out) from `socklab run N --help`, the server's
# from `socklab serve --help`, sockdash's from `sockdash --help`, the labs'
# numbers and names from `socklab list`.

# The options a --help text lists: every --word on its lines that start with
# two spaces and a dash (the options' column).
_socklab_options_of()
{
    "$@" --help 2>/dev/null | grep -e '^  *--' | grep -o -e '--[a-z][a-z-]*' | sort -u
}

_socklab_commands()
{
    socklab --help 2>/dev/null | grep -o 'socklab [a-z][a-z]*' | awk '{ print $2 }' | sort -u
    printf '%s\n' --help --version
}

_socklab_labs()
{
    socklab list 2>/dev/null | awk '/^[0-9][0-9] / { print $1; print $2 }'
}

# What class takes: its own options, and the lab's except those it decides
# itself (--port), that make no sense in a classroom (--json, --auto) or
# that only describe the lab.
_socklab_class_options()
{
    _socklab_options_of socklab run "$1" |
        grep -v -x -e --port -e --json -e --auto -e --check -e --describe -e --version
    printf '%s\n' --detach --shared
}

_socklab()
{
    local cur prev words cword
    _init_completion || return
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "$(_socklab_commands)" -- "$cur"))
        return
    fi
    local command=${words[1]}
    case $command in
    run | class | source | notes)
        if [[ $cword -eq 2 ]]; then
            COMPREPLY=($(compgen -W "$(_socklab_labs)" -- "$cur"))
            return
        fi
        case $prev in
        --port | --delay | --from) return ;;
        --bind) COMPREPLY=($(compgen -W "127.0.0.1 127.0.0.2 ::1" -- "$cur")); return ;;
        esac
        case $command in
        run) COMPREPLY=($(compgen -W "$(_socklab_options_of socklab run "${words[2]}")" -- "$cur")) ;;
        class) COMPREPLY=($(compgen -W "$(_socklab_class_options "${words[2]}")" -- "$cur")) ;;
        esac
        ;;
    dash)
        _sockdash_complete "$cur" "$prev"
        ;;
    serve)
        case $prev in
        --root) _filedir -d; return ;;
        --port | --bind | --max-connections | --idle-timeout-ms | --header-timeout-ms | \
        --header-limit | --without) return ;;
        esac
        COMPREPLY=($(compgen -W "$(_socklab_options_of socklab serve)" -- "$cur"))
        ;;
    esac
}

_sockdash_states="listen syn-sent syn-recv established estab fin-wait-1 fin-wait-2
close-wait closing last-ack time-wait closed connected synchronized listening
opening closing bucket big all"

_sockdash_complete()
{
    local cur=$1 prev=$2
    case $prev in
    --state)
        # a comma-separated list: complete the word after the last comma
        local head=${cur%,*} tail=${cur##*,}
        [[ $head == "$cur" ]] && head="" || head="$head,"
        COMPREPLY=($(compgen -P "$head" -W "$_sockdash_states" -- "$tail"))
        return ;;
    --source) COMPREPLY=($(compgen -W "auto netlink proc" -- "$cur")); return ;;
    --record | --replay) _filedir; return ;;
    --port | --process | --interval) return ;;
    esac
    COMPREPLY=($(compgen -W "$(_socklab_options_of sockdash)" -- "$cur"))
}

_sockdash()
{
    local cur prev words cword
    _init_completion || return
    _sockdash_complete "$cur" "$prev"
}

complete -F _socklab socklab
complete -F _sockdash sockdash
