#!/bin/sh
# dash.sh BUILD — sockdash's live screen, driven as a person would, in detached
# tmux sessions of a fixed size: with sockets the test holds in LISTEN,
# ESTABLISHED, CLOSE-WAIT, FIN-WAIT-2 and TIME-WAIT, the diagram and the table
# show them with the right counts; filters, sort, pause, help, quit; resize to
# 40x12 and back; a recording replayed the same way twice; --trace as root and
# its one-sentence refusal otherwise; the terminal restored on q, Ctrl-C and
# SIGTERM.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: dash.sh BUILD}
dash="$(pwd)/$build/bin/sockdash"
use_tmux dash

trap 't kill-server 2>/dev/null; release_test_sockets; cleanup' EXIT
hold_test_sockets "$build"

# The screen with its line drawing in ASCII, so columns count the same in bytes.
ascii_screen() {
    screen | sed 's/─/-/g; s/│/|/g; s/┌/+/g; s/┐/+/g; s/└/+/g; s/┘/+/g; s/┼/+/g;
                  s/↑/^/g; s/↓/v/g; s/←/</g; s/→/>/g'
}
# The number of table rows whose first word is $1.
rows_in() { screen | awk -v s="$1" '$1 == s && NF >= 5 { n++ } END { print n + 0 }'; }
# The count on a state's box: the number in the bottom border below its name.
box_count() {
    ascii_screen | awk -v name="$1" '
        found { seg = substr($0, col, 14); gsub(/[^0-9]/, "", seg); print seg; exit }
        match($0, "[|] +" name " +[|]") { found = 1; col = RSTART }'
}
count_is() { [ "$(box_count "$1")" = "$2" ]; }
closing_boxes_one_each() { count_is CLOSE-WAIT 1 && count_is FIN-WAIT-2 1; }

# start_dash COLS ROWS ARGS...: sockdash in a fresh session, the terminal's
# settings saved before and after, its exit status printed.
start_dash() {
    cols=$1 rows_=$2
    shift 2
    t kill-session -t dash 2>/dev/null
    rm -f "$scratch/before" "$scratch/after"
    t new-session -d -s dash -x "$cols" -y "$rows_" "sh"
    t send-keys -t dash "clear; stty -g >'$scratch/before'; LC_ALL=C.UTF-8 '$dash' $*; echo EXIT=\$?; stty -g >'$scratch/after'" Enter
}

start_dash 150 50 --port "$port,$port6" --interval 200
check "the dashboard draws the state machine" wait_for 5 screen_has "passive OPEN"
check "within two refreshes the header counts every socket" \
    wait_for 2 screen_has "10 sockets: listening 2  opening 0  established 4  closing 4"
check "the table lists 2 LISTEN" [ "$(rows_in LISTEN)" -eq 2 ]
check "the table lists 4 ESTAB" [ "$(rows_in ESTAB)" -eq 4 ]
check "the table lists 1 CLOSE-WAIT and 1 FIN-WAIT-2" \
    [ "$(rows_in CLOSE-WAIT)" -eq 1 -a "$(rows_in FIN-WAIT-2)" -eq 1 ]
counting_down() { [ "$(screen | grep -c '^TIME-WAIT .*timewait [0-9]*s')" -eq 2 ]; }
check "the table lists 2 TIME-WAIT with a countdown" counting_down
check "the LISTEN box counts 2" count_is LISTEN 2
check "the ESTAB box counts 4" count_is ESTAB 4
check "the CLOSE-WAIT and FIN-WAIT-2 boxes count 1 each" closing_boxes_one_each
check "the TIME-WAIT box counts 2" count_is TIME-WAIT 2
check "a listener's queues read as accept queue and backlog" screen_has "q=0    bl=16"
check "the owner column names the process" screen_has "/tcp-states"

t send-keys -t dash Down
meaning_shown() { screen | grep -Eq '^(ESTAB|LISTEN|CLOSE-WAIT|FIN-WAIT-2|TIME-WAIT): '; }
check "a selected row explains its state in one line" wait_for 2 meaning_shown

t send-keys -t dash /
check "/ opens the filter prompt with the command line's filter" \
    wait_for 2 screen_has "empty: none): $port,$port6_"
t send-keys -t dash -l " listen"
t send-keys -t dash Enter
check "a state filter keeps the listeners only" \
    wait_for 3 screen_has "2 sockets: listening 2  opening 0  established 0  closing 0"
t send-keys -t dash / C-h C-h C-h C-h C-h C-h C-h Enter
check "back to the ports alone: everything again" wait_for 3 screen_has "10 sockets:"
t send-keys -t dash / ; t send-keys -t dash -l " no-such-filter-word" ; t send-keys -t dash Enter
check "a bad filter says what is wrong in one line" wait_for 2 screen_has "is not a state, a port or a process name"
check "... and keeps the filter it had" screen_has "10 sockets:"

t send-keys -t dash s
check "s sorts by the next column" wait_for 2 screen_has "sort(local)"
t send-keys -t dash S
check "S reverses the order" wait_for 2 screen_has "sort(local,rev)"

t send-keys -t dash p
check "p pauses" wait_for 2 screen_has "| PAUSED"
check "the help bar offers to resume" screen_has "p:resume"
t send-keys -t dash p
check "p again resumes" wait_for 2 screen_lacks "PAUSED"

t send-keys -t dash '?'
check "? opens the help screen" wait_for 2 screen_has "this help (any key closes it)"
t resize-window -t dash -x 40 -y 12
check "resized to 40x12 with the help open: 'terminal too small', no crash" \
    wait_for 3 screen_has "terminal too small (need 60x15)"
t resize-window -t dash -x 150 -y 50
check "resized back: the help is still there" wait_for 3 screen_has "this help"
t send-keys -t dash x
check "any key closes the help" wait_for 2 screen_lacks "this help"
t resize-window -t dash -x 40 -y 12
check "resized to 40x12: 'terminal too small'" wait_for 3 screen_has "terminal too small"
t resize-window -t dash -x 100 -y 40
table_view() { screen_has "Local Address" && screen_lacks "passive OPEN"; }
check "at 100x40 the table view: the diagram and the table do not fit together" \
    wait_for 3 table_view
t send-keys -t dash Tab
check "Tab shows the diagram instead" wait_for 3 screen_has "passive OPEN"
t send-keys -t dash Tab
check "Tab again: the table" wait_for 3 table_view
t resize-window -t dash -x 150 -y 50
check "resized back to 150x50: everything again" wait_for 3 screen_has "Transitions, newest first"

t send-keys -t dash q
check "q quits with status 0" wait_for 5 screen_has "EXIT=0"
check "the terminal settings are restored after q" wait_for 3 cmp -s "$scratch/before" "$scratch/after"

start_dash 150 50 --port "$port"
wait_for 5 screen_has "passive OPEN"
t send-keys -t dash C-c
wait_for 5 screen_lacks "passive OPEN"
t send-keys -t dash "echo STATUS=\$?; stty -g >'$scratch/after'" Enter
check "Ctrl-C ends the dashboard (SIGINT: status 130)" wait_for 5 screen_has "STATUS=130"
check "the terminal settings are restored after Ctrl-C" wait_for 3 cmp -s "$scratch/before" "$scratch/after"

start_dash 150 50 --port "$port"
wait_for 5 screen_has "passive OPEN"
pkill -TERM -f "sockdash --port $port\$"
check "SIGTERM ends the dashboard (status 143)" wait_for 5 screen_has "EXIT=143"
check "the terminal settings are restored after SIGTERM" wait_for 3 cmp -s "$scratch/before" "$scratch/after"

# Colour marks what is alive (the header, boxes with sockets); NO_COLOR keeps
# only bold, dim and reverse.
colour_codes() {
    t capture-pane -p -e -t dash | grep -Ec "$(printf '\033')\[([0-9]+;)*(3[0-7]|4[0-7])m"
}
coloured() {
    t kill-session -t dash 2>/dev/null
    t new-session -d -s dash -x 150 -y 50 "$1 LC_ALL=C.UTF-8 '$dash' --port $port"
    wait_for 5 screen_has "10 sockets" && [ "$(colour_codes)" "$2" 0 ]
}
check "on a colour terminal the screen uses colour" coloured "" -gt
check "with NO_COLOR set it uses none" coloured "NO_COLOR=1" -eq
t kill-session -t dash 2>/dev/null

# A recording, replayed: the same screen every time.
replay() {
    start_dash 150 50 --replay tests/fixtures/dash-lab06.jsonl
    wait_for 15 screen_has "frame 16/16 (end)" && screen >"$scratch/replay$1"
    t send-keys -t dash q
}
check "a replay runs to its last frame" replay 1
check "... again" replay 2
check "a replay is drawn the same way every time" cmp -s "$scratch/replay1" "$scratch/replay2"
check "the replay shows what the tracepoint saw (LAST-ACK)" grep -q "trace CLOSE-WAIT -> LAST-ACK" "$scratch/replay1"
check "the replay lights the state machine with its counts" \
    grep -q "replay tests/fixtures/dash-lab06.jsonl frame 16/16" "$scratch/replay1"
start_dash 150 50 --replay tests/fixtures/dash-lab06.jsonl --step
check "--step shows the first frame and waits" wait_for 5 screen_has "frame 1/16"
t send-keys -t dash Space
check "space shows the next frame" wait_for 3 screen_has "frame 2/16"
t send-keys -t dash q

# The classroom picture: lab 06 runs while the dashboard watches its ports;
# what the dashboard saw is in its recording.
lport=$((port + 200))
start_dash 150 50 --port "$lport-$((lport + 3))" --interval 50 --record "$scratch/lab06.jsonl"
wait_for 5 screen_has "passive OPEN"
"$build/bin/lab06-time-wait" --auto --port "$lport" --delay 150 >/dev/null 2>&1
sleep 0.3
saw() { grep -q "\"type\":\"socket\",\"state\":$1," "$scratch/lab06.jsonl"; }
check "with lab 06 running, the dashboard saw ESTABLISHED" saw 1
saw_closing() { saw 5 && saw 8; }
check "... FIN-WAIT-2 and CLOSE-WAIT" saw_closing
check "... and TIME-WAIT" saw 6
check "... and the moves between them in its log" \
    grep -q '"kind":"changed","from":5,"to":6' "$scratch/lab06.jsonl"
t send-keys -t dash q

if [ "$(id -u)" = 0 ]; then
    tport=$((port + 100))
    start_dash 150 50 --port "$tport" --trace --interval 200
    check "--trace as root: the header says netlink+trace" wait_for 5 screen_has "netlink+trace"
    instance=$(ls -d /sys/kernel/tracing/instances/sockdash-* 2>/dev/null | head -n 1)
    check "--trace works in a private tracefs instance" [ -n "$instance" ]
    "$build/bin/lab05-sigpipe" --auto --port "$tport" >/dev/null 2>&1 || true
    check "--trace logs exact transitions" wait_for 5 screen_has " trace "
    t send-keys -t dash q
    wait_for 5 screen_has "EXIT=0"
    check "the trace instance is removed on exit" [ ! -e "$instance" ]
    start_dash 150 50 --port "$tport" --trace
    wait_for 5 screen_has "netlink+trace"
    instance=$(ls -d /sys/kernel/tracing/instances/sockdash-* 2>/dev/null | head -n 1)
    pkill -TERM -f "sockdash --port $tport --trace"
    check "the trace instance is removed on SIGTERM too" \
        sh -c "[ -n '$instance' ] && sleep 1 && [ ! -e '$instance' ]"
    start_dash 150 50 --port "$tport" --trace
    wait_for 5 screen_has "netlink+trace"
    killed=$(pgrep -f "$dash --port $tport --trace" | head -n 1)
    kill -KILL "$killed"
    check "kill -KILL leaves the trace instance behind" \
        [ -n "$killed" -a -d "/sys/kernel/tracing/instances/sockdash-$killed" ]
    start_dash 150 50 --port "$tport" --trace
    wait_for 5 screen_has "netlink+trace"
    check "the next --trace removes it" [ ! -e "/sys/kernel/tracing/instances/sockdash-$killed" ]
    t send-keys -t dash q
    wait_for 5 screen_has "EXIT=0"
fi
nobody_dash() {
    chmod o+rx "$(dirname "$dash")" 2>/dev/null
    t kill-session -t dash 2>/dev/null
    t new-session -d -s dash -x 150 -y 50 "LC_ALL=C.UTF-8 setpriv --reuid=65534 --regid=65534 --clear-groups '$dash' --trace --port $port"
}
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && nobody_dash && wait_for 5 screen_has "sockdash |"; then
    check "--trace without root: one sentence, and it goes on polling" \
        wait_for 3 screen_has "--trace needs root (the tracepoint is read through tracefs); polling only"
    check "... still counting the sockets" screen_has "sockets: listening"
    t send-keys -t dash q
fi

"$dash" --port "$port" >"$scratch/out" 2>"$scratch/err" </dev/null
status=$?
check "without a terminal: exit 2 and one line pointing at --once" \
    sh -c "[ $status -eq 2 ] && [ \$(wc -l <'$scratch/err') -eq 1 ] && grep -q -- '--once' '$scratch/err'"
# sockdash --replay BAD, on a terminal (without one it stops earlier, at that):
# exit 2 and one line, which must match $2.
bad_replay() {
    script -qec "'$dash' --replay '$1'" /dev/null </dev/null >"$scratch/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$scratch/err")" -eq 1 ] && grep -q -- "$2" "$scratch/err"
}
check "a missing recording: exit 2, one line" bad_replay /nonexistent.jsonl "cannot open"
check "a directory given to --replay: exit 2, one line saying so" \
    bad_replay "$scratch" "--replay $scratch: is a directory"
head -n 1 tests/fixtures/dash-lab06.jsonl >"$scratch/nan.jsonl"
sed -n '2s/"at":[0-9.]*/"at":nan/p' tests/fixtures/dash-lab06.jsonl >>"$scratch/nan.jsonl"
check "a recording with \"at\": nan: exit 2, one line naming the file and the line" \
    bad_replay "$scratch/nan.jsonl" "nan.jsonl: line 2: not JSON"
check "--step without --replay: exit 2, one line" \
    sh -c "'$dash' --step 2>'$scratch/err'; [ \$? -eq 2 ] && [ \$(wc -l <'$scratch/err') -eq 1 ]"
check "socklab dash --help starts sockdash" sh -c "'$build/bin/socklab' dash --help | grep -q 'sockdash'"
