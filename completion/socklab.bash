# bash completion for socklab and sockdash (installed as
# share/bash-completion/completions/socklab and .../sockdash).

# The labs' numbers, from socklab itself: the list is never out of date.
_socklab_labs()
{
    socklab list 2>/dev/null | awk '/^[0-9][0-9] / { print $1; print $2 }'
}

_socklab_lab_options="--auto --json --tui --port --bind --delay --no-source --describe --help --version"

_socklab()
{
    local cur prev words cword
    _init_completion || return
    if [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W "list run class source notes serve dash --help --version" -- "$cur"))
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
        --port | --delay) return ;;
        --bind) COMPREPLY=($(compgen -W "127.0.0.1 127.0.0.2 ::1" -- "$cur")); return ;;
        esac
        local extra=""
        [[ $command == class ]] && extra="--detach"
        [[ $command == run || $command == class ]] &&
            COMPREPLY=($(compgen -W "$_socklab_lab_options $extra" -- "$cur"))
        ;;
    dash)
        _sockdash_complete "$cur" "$prev"
        ;;
    serve)
        COMPREPLY=($(compgen -W "--port --bind --root --log --help" -- "$cur"))
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
    COMPREPLY=($(compgen -W "--once --json --port --state --source --process --no-process
        --interval --trace --record --replay --step --help --version" -- "$cur"))
}

_sockdash()
{
    local cur prev words cword
    _init_completion || return
    _sockdash_complete "$cur" "$prev"
}

complete -F _socklab socklab
complete -F _sockdash sockdash
