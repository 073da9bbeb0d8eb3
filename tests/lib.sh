# lib.sh — TAP output for the shell suites: "ok N - what" / "not ok N - what".
# Sourced by tests/suites/*.sh; run-all.sh counts the lines.

tap_n=0
tap_failed=0
ok()     { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }

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

# The suites read what the programs say in English, whatever language the
# environment chooses (LANGUAGE, LANG=zh_CN.UTF-8...): a test that wants
# another sets LC_ALL itself, which overrides this (zh_locale below).
unset LANGUAGE
export LC_MESSAGES=C

scratch=$(mktemp -d /tmp/socklab-test.XXXXXX)
cleanup() { [ -z "$at_once_jobs" ] || stop_tree $at_once_jobs; tmux_stop; rm -rf "$scratch"; }
trap 'cleanup' EXIT
# A suite ended by a signal still runs its EXIT trap (its servers, its children).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# Labs side by side. A lab mostly waits (on its timers, on its own peers:
# 17 s of CPU for the whole set's 110 s run one after another), so the suites
# start their labs' runs at once and read the results after; the longest lab
# sets the time.
#   at_once DIR NAME COMMAND...  COMMAND in the background: its output into
#                                DIR/NAME.out, errors DIR/NAME.err, status
#                                DIR/NAME.status (bound it with timeout).
#   all_done                     wait for every at_once job of this shell.
#   alone_if_inconclusive DIR NAME COMMAND...
#                                a run that came out inconclusive (status 3:
#                                the others kept the machine busy) runs again,
#                                alone, up to twice; DIR/NAME.again says so.
#                                A failure (status 1) never runs again.
at_once_jobs=""
at_once() {
    at_dir=$1 at_name=$2; shift 2
    ( "$@" >"$at_dir/$at_name.out" 2>"$at_dir/$at_name.err"
      echo $? >"$at_dir/$at_name.status" ) &
    at_once_jobs="$at_once_jobs $!"
}
all_done() { wait $at_once_jobs; at_once_jobs=""; }
alone_if_inconclusive() {
    at_dir=$1 at_name=$2; shift 2
    for _ in 1 2; do
        [ "$(cat "$at_dir/$at_name.status" 2>/dev/null)" = 3 ] || return 0
        echo "inconclusive beside the others: run again alone" >>"$at_dir/$at_name.again"
        "$@" >"$at_dir/$at_name.out" 2>"$at_dir/$at_name.err"
        echo $? >"$at_dir/$at_name.status"
    done
}

# labs_longest_first BUILD: the labs' paths, one a line, those that take
# longest first (13 waits on a dead peer's timers, 11 runs a benchmark of
# its servers, 02 on SYN retransmissions), so that a suite running them a
# few at a time runs the short ones beside them, not after.
labs_longest_first() {
    ls "$1"/bin/lab[0-9][0-9]-* 2>/dev/null | grep -E '/lab(13|11|02)-'
    ls "$1"/bin/lab[0-9][0-9]-* 2>/dev/null | grep -vE '/lab(13|11|02)-'
}

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

# quiet_port: a loopback port no socket uses, not even a TIME-WAIT, below the
# ephemeral range (so no connect() takes it meanwhile), for a program a test
# must point at a port before it starts.
quiet_port() {
    # (cut, not read: the shell's read gets one byte of a sysctl file)
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
    span=$(( low > 11024 ? 10000 : low - 1024 ))
    for _ in $(seq 50); do
        p=$(( low - 1 - $(od -An -N2 -tu2 /dev/urandom) % span ))
        [ -z "$(ss -Htan "( sport = :$p or dport = :$p )")" ] && { echo "$p"; return 0; }
    done
    return 1
}

# descendants PID: every process PID started, and theirs, parents first.
descendants() {
    for child in $(pgrep -P "$1"); do
        echo "$child"
        descendants "$child"
    done
}
# stop_tree PID...: end these children of the suite's shell and every process
# below them. A PID no longer the shell's child is left alone (its process
# ended; the number may be another's now). The tree is frozen first, so
# nothing in it starts a process that escapes; what SIGTERM has not ended
# within 5 s gets SIGKILL.
stop_tree() {
    mine=""
    for p in "$@"; do
        [ "$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')" = "$$" ] && mine="$mine $p"
    done
    set -- $mine
    [ $# -gt 0 ] || return 0
    tree=$*
    for _ in 1 2 3; do                      # until no new process appears
        kill -STOP $tree 2>/dev/null
        tree=$(for p in "$@"; do echo "$p"; descendants "$p"; done)
    done
    kill -TERM $tree 2>/dev/null
    kill -CONT $tree 2>/dev/null
    wait_for 5 all_gone $tree || kill -KILL $tree 2>/dev/null
    wait "$@" 2>/dev/null
}
# all_gone PID...: none of them is running (a zombie counts as gone).
all_gone() {
    for p in "$@"; do
        kill -0 "$p" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && return 1
    done
    return 0
}

# Screens of full-terminal programs, through a tmux server of the suite's own:
# its socket is in the scratch directory (TMUX_TMPDIR; never the user's tmux,
# never another suite's), it reads no configuration but tests/tmux.conf, it
# stays up while no session is left (so a new session never races a server
# that is shutting down), and a pane whose program ended stays to be read
# (though tmux may miss the last output of a program that ends with its pane's
# terminal: run it from a shell that stays when its last lines matter).
# use_tmux NAME [SCROLLBACK]: the session NAME the helpers below look at, and
# how many lines of history a capture includes (0: the visible screen only).
unset TMUX TMUX_PANE
TMUX_TMPDIR=$scratch
export TMUX_TMPDIR
tmux_conf="$(cd "$(dirname "$0")/.." && pwd)/tmux.conf"
use_tmux() {
    tmux_sock="socklab-$1-$$"
    tmux_name=$1
    tmux_history=${2:-0}
}
t() { tmux -L "$tmux_sock" -f "$tmux_conf" "$@"; }
screen() { t capture-pane -p -t "$tmux_name" -S "-$tmux_history"; }
screen_has() { screen | grep -q -- "$1"; }
screen_lacks() { ! screen_has "$1"; }
# screen_dump [LINES]: the screen's last lines as TAP comments, for a failure.
screen_dump() { screen | grep -v '^ *$' | tail -n "${1:-15}" | sed 's/^/#   /'; }

# own_tmux NAME COLS ROWS COMMAND: a tmux server of this test's own (socket
# socklab-NAME-PID), holding one session NAME of COLS x ROWS that runs COMMAND;
# t, screen and screen_has then look at it. own_tmux_end ends exactly that
# server and what runs in it (tmux_stop), so no test waits on, or races with,
# another's.
own_tmux() {
    use_tmux "$1"
    t new-session -d -s "$1" -x "$2" -y "$3" "$4"
}
own_tmux_end() { tmux_stop; }
# tmux_session COLS ROWS [COMMAND]: a fresh session NAME of that size running
# COMMAND (default: a shell), after the previous one and its programs are gone.
tmux_session() {
    tmux_end_session
    t new-session -d -s "$tmux_name" -x "$1" -y "$2" "${3:-sh}"
}
# The pid of the session's program (the shell, or COMMAND itself).
pane_pid() { t display-message -p -t "$tmux_name" '#{pane_pid}' 2>/dev/null; }
# pane_child NAME: the pid of the program NAME the session's shell started.
pane_child() { pgrep -P "$(pane_pid)" -x "$1"; }
tmux_end_session() {
    pid=$(pane_pid)
    [ -n "$pid" ] || return 0
    t kill-session -t "$tmux_name" 2>/dev/null
    wait_for 5 all_gone "$pid"
}
# tmux_stop: every tmux server of the suite (each socket in the scratch
# directory) ends, with every program in it (bounded). cleanup calls it.
tmux_stop() {
    for socket in $(find "$scratch" -type s 2>/dev/null); do
        server=$(tmux -S "$socket" display-message -p '#{pid}' 2>/dev/null)
        tmux -S "$socket" kill-server 2>/dev/null
        [ -z "$server" ] || wait_for 5 all_gone "$server"
    done
}

# zh_locale BUILD: a zh_CN.UTF-8 locale of the tests' own, so that
# LC_ALL=zh_CN.UTF-8 works on a machine that has none installed and nothing of
# the system changes: localedef (from the locales package's sources) makes it
# once into BUILD/tests/locale, which every suite then shares, and LOCPATH
# (exported) points there. glibc reads only LOCPATH's locales then; C.UTF-8
# is built in and still works. False, with one line on stderr, when it cannot
# be made.
zh_locale() {
    LOCPATH=$(cd "$1" && pwd)/tests/locale
    export LOCPATH
    [ -f "$LOCPATH/zh_CN.UTF-8/LC_CTYPE" ] && return 0
    mkdir -p "$LOCPATH" || return 1
    # Made aside and renamed, so a suite never sees half a locale.
    made=$(mktemp -d "$LOCPATH/.zh_CN.XXXXXX") || return 1
    if ! localedef -i zh_CN -f UTF-8 "$made/zh_CN.UTF-8" >"$made/log" 2>&1 &&
       [ ! -f "$made/zh_CN.UTF-8/LC_CTYPE" ]; then
        echo "zh_locale: localedef -i zh_CN -f UTF-8 failed: $(tail -1 "$made/log")" >&2
        rm -rf "$made"
        return 1
    fi
    chmod -R a+rX "$made"
    mv -T "$made/zh_CN.UTF-8" "$LOCPATH/zh_CN.UTF-8" 2>/dev/null
    rm -rf "$made"
    [ -f "$LOCPATH/zh_CN.UTF-8/LC_CTYPE" ]
}
