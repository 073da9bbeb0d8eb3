# lib.sh — TAP output for the shell suites: "ok N - what" / "not ok N - what".
# Sourced by tests/suites/*.sh; run-all.sh counts the lines.

tap_n=0
ok()     { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }

# check "what" command...: ok when the command succeeds.
check() {
    what=$1; shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# wait_for SECONDS command...: retry the command every 0.1 s until it succeeds
# or the time is up. Every wait in the tests is bounded.
wait_for() {
    tries=$(( $1 * 10 )); shift
    while [ "$tries" -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

scratch=$(mktemp -d /tmp/socklab-test.XXXXXX)
cleanup() { rm -rf "$scratch"; }
trap 'cleanup' EXIT

# hold_test_sockets BUILD: tests/tools/tcp-states holds loopback sockets in
# LISTEN, ESTAB, CLOSE-WAIT, FIN-WAIT-2 and TIME-WAIT until the suite ends;
# sets $port and $port6. (It stops when its stdin, fd 3 here, closes.)
hold_test_sockets() {
    mkfifo "$scratch/hold"
    "$1/tests/tcp-states" --hold 60 <"$scratch/hold" >"$scratch/states" &
    holder=$!
    exec 3>"$scratch/hold"
    wait_for 10 grep -q '^ready' "$scratch/states"
    port=$(awk '/^port /{print $2}' "$scratch/states")
    port6=$(awk '/^port6 /{print $2}' "$scratch/states")
}
release_test_sockets() {
    exec 3>&-
    wait "$holder" 2>/dev/null
}

# Screens of full-terminal programs, through a tmux server of the suite's own.
# use_tmux NAME [SCROLLBACK]: the session NAME the helpers below look at, and
# how many lines of history a capture includes (0: the visible screen only).
use_tmux() {
    tmux_sock="socklab-$1-$$"
    tmux_name=$1
    tmux_history=${2:-0}
}
t() { tmux -L "$tmux_sock" "$@"; }
screen() { t capture-pane -p -t "$tmux_name" -S "-$tmux_history"; }
screen_has() { screen | grep -q -- "$1"; }
screen_lacks() { ! screen_has "$1"; }

# own_tmux NAME COLS ROWS COMMAND: a tmux server of this test's own (socket
# socklab-NAME-PID), holding one session NAME of COLS x ROWS that runs COMMAND;
# t, screen and screen_has then look at it. own_tmux_end kills exactly that
# server, so no test waits on, or races with, another's.
own_tmux() {
    use_tmux "$1"
    t new-session -d -s "$1" -x "$2" -y "$3" "$4"
}
own_tmux_end() { t kill-server 2>/dev/null; }
