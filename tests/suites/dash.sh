#!/bin/sh
# dash.sh BUILD — sockdash's live screen, driven as a person would, in detached
# tmux sessions of a fixed size: with sockets the test holds in LISTEN,
# ESTABLISHED, CLOSE-WAIT, FIN-WAIT-2 and TIME-WAIT, the diagram and the table
# show them with the right counts; filters, sort, pause, help, quit; resize to
# 40x12 and back; a recording replayed the same way twice; --trace as root and
# its one-sentence refusal (exit 2) otherwise; the terminal restored on q, Ctrl-C and
# SIGTERM.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: dash.sh BUILD}
dash="$(pwd)/$build/bin/sockdash"
use_tmux dash

trap 'tmux_stop; release_test_sockets; cleanup' EXIT
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
    rm -f "$scratch/before" "$scratch/after"
    tmux_session "$cols" "$rows_"
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
check "? opens the help screen" wait_for 2 screen_has "other keys close the help"
t send-keys -t dash Space
check "... its next page says what the session cost: refreshes by lookups, dumps" \
    wait_for 2 screen_has "Cost so far: [0-9]* refreshes, [0-9]* by exact lookups"
t send-keys -t dash PPage
check "PgUp: back to its first page" wait_for 2 screen_has "other keys close the help"
t resize-window -t dash -x 40 -y 12
check "resized to 40x12 with the help open: 'terminal too small', no crash" \
    wait_for 3 screen_has "terminal too small (need 60x15)"
t resize-window -t dash -x 150 -y 50
check "resized back: the help is still there" wait_for 3 screen_has "other keys close the help"
t send-keys -t dash x
check "any key closes the help" wait_for 2 screen_lacks "other keys close the help"
t resize-window -t dash -x 40 -y 12
check "resized to 40x12: 'terminal too small'" wait_for 3 screen_has "terminal too small"
t resize-window -t dash -x 100 -y 40
compact_and_table() { screen_has "Local Address" && screen_has "FIN-WAIT-1  0" && screen_lacks "passive OPEN"; }
check "at 100x40 the compact diagram above the table: the full one and the table do not fit together" \
    wait_for 3 compact_and_table
t send-keys -t dash Tab
check "Tab shows the full diagram alone" wait_for 3 screen_has "passive OPEN"
check "... and says so in the help bar" screen_has "Tab:view(diagram)"
t send-keys -t dash Tab
table_view() { screen_has "Local Address" && screen_lacks "FIN-WAIT-1  0" && screen_has "LISTEN 2  SYN-SENT 0"; }
check "Tab again: the table under the states in a row" wait_for 3 table_view
check "... and says so" screen_has "Tab:view(table)"
t send-keys -t dash Tab
check "Tab again: back to the first view" wait_for 3 compact_and_table
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
kill -TERM "$(pane_child sockdash)"
check "SIGTERM ends the dashboard (status 143)" wait_for 5 screen_has "EXIT=143"
check "the terminal settings are restored after SIGTERM" wait_for 3 cmp -s "$scratch/before" "$scratch/after"

# Unprivileged runs (as root: as nobody, through setpriv).
as_nobody() {
    if [ "$(id -u)" != 0 ]; then "$@"
    else chmod o+rx "$(dirname "$dash")" 2>/dev/null; setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; fi
}

# Colour marks what is alive (the header, boxes with sockets); NO_COLOR keeps
# only bold, dim and reverse.
colour_codes() {
    t capture-pane -p -e -t dash | grep -Ec "$(printf '\033')\[([0-9]+;)*(3[0-7]|4[0-7])m"
}
coloured() {
    tmux_session 150 50 "$1 LC_ALL=C.UTF-8 '$dash' --port $port"
    wait_for 5 screen_has "10 sockets" || { screen_dump; return 1; }
    [ "$(colour_codes)" "$2" 0 ]
}
check "on a colour terminal the screen uses colour" coloured "" -gt
check "with NO_COLOR set it uses none" coloured "NO_COLOR=1" -eq

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

# The classroom picture: lab 06 runs in a second session, stopping at each of
# its pauses, while the dashboard watches the lab's ports (the lab picks them
# and names them in its ss command); the lab goes on only once the dashboard's
# recording holds what the pause shows, as a class would wait.
t new-session -d -s lab06 -x 100 -y 50 "'$(pwd)/$build/bin/lab06-time-wait' --no-source"
lab06_shows() { t capture-pane -p -t lab06 | grep -q -- "$1"; }
wait_for 10 lab06_shows "look: one connection, both ends ESTAB"
lab_ports=$(t capture-pane -p -t lab06 | grep -o 'sport = :[0-9]*' | sort -u | cut -d: -f2 | paste -sd,)
start_dash 150 50 --port "$lab_ports" --interval 50 --record "$scratch/lab06.jsonl"
recorded() { grep -q -- "$1" "$scratch/lab06.jsonl" 2>/dev/null; }
saw() { recorded "\"type\":\"socket\",\"state\":$1,"; }
saw_closing() { saw 5 && saw 8; }
check "with lab 06 running, the dashboard saw ESTABLISHED" wait_for 5 saw 1
t send-keys -t lab06 Enter
wait_for 10 lab06_shows "look: the client in FIN-WAIT-2"
check "... FIN-WAIT-2 and CLOSE-WAIT" wait_for 5 saw_closing
t send-keys -t lab06 Enter
wait_for 10 lab06_shows "look: the client alone, in TIME-WAIT"
check "... and TIME-WAIT" wait_for 5 saw 6
check "... and the moves between them in its log" \
    wait_for 5 recorded '"kind":"changed","from":5,"to":6'
lab06_shows "look: the client alone, in TIME-WAIT" || { echo "# lab 06 under the dashboard:"; t capture-pane -p -t lab06 | sed 's/^/# /'; }
t send-keys -t lab06 q
t send-keys -t dash q

if [ "$(id -u)" = 0 ]; then
    tport=$(quiet_port)
    start_dash 150 50 --port "$tport" --trace --interval 200
    check "--trace as root: the header says netlink+trace" wait_for 5 screen_has "netlink+trace"
    instance=/sys/kernel/tracing/instances/sockdash-$(pane_child sockdash)
    check "--trace works in a private tracefs instance (sockdash-PID)" [ -d "$instance" ]
    "$build/bin/lab05-sigpipe" --auto --port "$tport" >"$scratch/lab05.out" 2>&1 ||
        { echo "# lab 05 beside --trace exited $?:"; tail -n 3 "$scratch/lab05.out" | sed 's/^/# /'; }
    check "--trace logs exact transitions" wait_for 5 screen_has " trace "
    t send-keys -t dash q
    wait_for 5 screen_has "EXIT=0"
    check "the trace instance is removed on exit" [ ! -e "$instance" ]
    start_dash 150 50 --port "$tport" --trace
    wait_for 5 screen_has "netlink+trace"
    pid=$(pane_child sockdash)
    instance=/sys/kernel/tracing/instances/sockdash-$pid
    removed_on_sigterm() {
        [ -n "$pid" ] && [ -d "$instance" ] && kill -TERM "$pid" &&
            wait_for 5 screen_has "EXIT=143" && [ ! -e "$instance" ]
    }
    check "the trace instance is removed on SIGTERM too" removed_on_sigterm
    start_dash 150 50 --port "$tport" --trace
    wait_for 5 screen_has "netlink+trace"
    killed=$(pane_child sockdash)
    [ -n "$killed" ] && kill -KILL "$killed"
    # Gone for good only once its shell has reaped it (a zombie still has a PID).
    wait_for 5 screen_has "EXIT=137"
    check "kill -KILL leaves the trace instance behind" \
        [ -n "$killed" -a -d "/sys/kernel/tracing/instances/sockdash-$killed" ]
    start_dash 150 50 --port "$tport" --trace
    wait_for 5 screen_has "netlink+trace"
    check "the next --trace removes it" [ ! -e "/sys/kernel/tracing/instances/sockdash-$killed" ]
    t send-keys -t dash q
    wait_for 5 screen_has "EXIT=0"
fi
# --trace without root is bad input: one sentence saying what to do, exit 2,
# before any screen (the unprivileged run needs no terminal to be refused).
if [ "$(id -u)" != 0 ] || command -v setpriv >/dev/null; then
    as_nobody "$dash" --trace --port "$port" </dev/null >"$scratch/out" 2>"$scratch/err"
    status=$?
    check "--trace without root: exit 2, before the screen" [ $status -eq 2 ]
    check "... in one sentence: run as root, or leave --trace out" \
        sh -c "[ \$(wc -l <'$scratch/err') -eq 1 ] && grep -q 'run sockdash as root, or leave --trace out' '$scratch/err'"
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

# Fitting the pane it is given: each screen in a tmux server of its own
# (the suite's own server, used above, ends first).
tmux_stop
# The compact state machine in a 60x20 pane and at 80x24; the full one at 200x60.
fits() { own_tmux "fit$1x$2" "$1" "$2" "LC_ALL=C.UTF-8 '$dash' --port $port,$port6 --interval 200"; }
compact_counts() { screen_has "ESTAB *4" && screen_has "TIME-WAIT *2" && screen_has "LISTEN *2"; }
fits 60 20
check "60x20: the compact state machine with its counts" wait_for 5 compact_counts
check "60x20: the reset/abort mark outside the figure" screen_has "RST/abort"
check "60x20: the help bar keeps ? and q" sh -c "tmux -L '$tmux_sock' capture-pane -p -t '$tmux_name' | tail -n 1 | grep -q '?:help.*q:quit'"
t send-keys -t "$tmux_name" Tab
check "60x20: Tab shows the table under the states in a row, and says so" \
    wait_for 3 sh -c "tmux -L '$tmux_sock' capture-pane -p -t '$tmux_name' | grep -q 'Tab:table' && tmux -L '$tmux_sock' capture-pane -p -t '$tmux_name' | grep -q '^LISTEN 2  SYN-SENT 0'"
# Loopback addresses are short: the columns fit them, so the peer (what tells
# a client from its server) stays, and the queues go whole first.
whole_columns() { screen_has "^State  *Local Address:Port  *Peer Address  *Timer *\$" && screen_lacks "Recv-Q"; }
check "60x20: the table keeps the peer, drops the queues whole, and keeps the timer" whole_columns
own_tmux_end

fits 80 24
check "80x24: the compact state machine with its counts" wait_for 5 compact_counts
check "80x24: the help bar fits, q:quit included" sh -c "[ \"\$(tmux -L '$tmux_sock' capture-pane -p -t '$tmux_name' | tail -n 1 | sed 's/ *\$//')\" != '' ] && tmux -L '$tmux_sock' capture-pane -p -t '$tmux_name' | tail -n 1 | grep -q 'q:quit *\$'"
t send-keys -t "$tmux_name" p
header_keeps() { screen | head -n 1 | grep -q "netlink.*| PAUSED | $port,$port6 *\$"; }
check "80x24: the header keeps the source, PAUSED and the whole filter" wait_for 3 header_keeps
t send-keys -t "$tmux_name" p
t send-keys -t "$tmux_name" /
check "80x24: the / prompt shows what is typed" wait_for 3 sh -c "tmux -L '$tmux_sock' capture-pane -p -t '$tmux_name' | tail -n 1 | grep -q 'filter.*: $port,$port6_'"
t send-keys -t "$tmux_name" Escape
t send-keys -t "$tmux_name" '?'
help_alone() { screen_has "other keys close the help" && screen_lacks "Transitions, newest" && screen_lacks "FIN-WAIT-1  0"; }
check "80x24: the help hides everything behind it" wait_for 3 help_alone
check "80x24: the help wraps between words" screen_has "^  /: filter by ports"
t send-keys -t "$tmux_name" x
help_gone() { screen_lacks "other keys close the help" && compact_counts; }
check "80x24: any key closes it" wait_for 3 help_gone
t resize-window -t "$tmux_name" -x 30 -y 12
too_small_whole() { screen_has "terminal too small" && screen_has "(need 60x15)"; }
check "30 columns: 'terminal too small (need 60x15)' whole, on two lines" wait_for 3 too_small_whole
own_tmux_end

fits 200 60
full_and_table() { screen_has "passive OPEN" && screen_has "Local Address" && screen_has "Transitions, newest first"; }
check "200x60: the full state machine, the table and the log" wait_for 5 full_and_table
check "200x60: the header in full" screen_has " sockdash | 10 sockets: listening 2  opening 0  established 4  closing 4 | netlink every 200 ms"
check "200x60: no owner for a TIME-WAIT record" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t '$tmux_name' | grep '^TIME-WAIT .*timewait' | grep -qv '/'"
own_tmux_end

# The transition log at 64 columns: every address it shows is whole (each one
# is in the recording as it is), never a port cut in the middle; a transition
# too long for the line goes on to the next, so none is cut.
own_tmux log64 64 24 "LC_ALL=C.UTF-8 '$dash' --replay tests/fixtures/dash-lab06.jsonl"
wait_for 15 screen_has "16/16 (end)"
log_part() { screen | sed -n '/Transitions, newest first/,$p' | sed '1d;$d'; }
whole_addresses() {
    log_part | grep -Eo '(\[[0-9a-f:]*\]|[0-9.]+):([0-9]+|\*)' >"$scratch/addresses"
    [ -s "$scratch/addresses" ] || return 1
    while read -r address; do
        grep -qF "\"$address\"" tests/fixtures/dash-lab06.jsonl || { echo "# cut: $address"; return 1; }
    done <"$scratch/addresses"
}
check "64 columns: the log shows whole addresses only" whole_addresses
check "... and cuts no line: a long one goes on below" sh -c "! tmux -L '$tmux_sock' capture-pane -p -t '$tmux_name' | sed -n '/Transitions, newest first/,\$p' | grep -q '…'"
own_tmux_end

# A terminal that cannot draw a screen: one sentence pointing at --once, exit 2.
for term in bogus-term dumb; do
    own_tmux "term-$term" 100 10 "TERM=$term '$dash' 2>'$scratch/err-$term'; echo EXIT=\$? >'$scratch/exit-$term'; sleep 5"
    refused() { [ "$(cat "$scratch/exit-$1" 2>/dev/null)" = EXIT=2 ]; }
    check "TERM=$term: exit 2" wait_for 5 refused "$term"
    check "TERM=$term: one sentence that points at --once" \
        sh -c "[ \$(wc -l <'$scratch/err-$term') -eq 1 ] && grep -q -- '--once' '$scratch/err-$term' && [ \$(wc -c <'$scratch/err-$term') -le 80 ]"
    own_tmux_end
done

# The suite's own tmux server again, for the panels (the sizes above had servers of their own).
use_tmux dash
# tcp_info, a cell explained, the closed connections: at 120x40 and 80x24,
# on sockets held afresh (the first holder's 60 s may be over by now).
release_test_sockets
rm -f "$scratch/hold"
hold_test_sockets "$build"
panels_at() {           # COLS ROWS [Tab: to the view with the table, where the default has none]
    start_dash "$1" "$2" --port "$port,$port6" --interval 200
    wait_for 5 screen_has "10 sockets\|10: listen" || return 1
    [ -n "${3:-}" ] && t send-keys -t dash Tab && ! wait_for 3 screen_has "Local Address" && return 1
    t send-keys -t dash i
    wait_for 3 screen_has "RTT ms" || { screen_dump; return 1; }
    # The first row (sorted by state) is an ESTAB connection: its sparkline.
    wait_for 3 screen_has "^rtt .* ms  cwnd .*(last 60 s)" || { screen_dump; return 1; }
    screen_has "Cwnd" || return 1
    t send-keys -t dash i Enter
    wait_for 3 screen_has "ESTAB .*: the state cell" || { screen_dump; return 1; }
    screen_has "state: ESTAB: the connection is open" && screen_has "lab: Lab 02" || return 1
    t send-keys -t dash Right
    wait_for 3 screen_has "the recv-q cell" && screen_has "recv-q: Recv-Q 0: bytes that" || return 1
    t send-keys -t dash Escape
    wait_for 3 screen_lacks "the recv-q cell" || return 1
    t send-keys -t dash c
    wait_for 3 screen_has "Closed connections, newest first" || { screen_dump; return 1; }
    t send-keys -t dash q
    wait_for 5 screen_has "EXIT=0"
}
check "120x40: i shows tcp_info and a sparkline, Enter explains a cell, c the closed list" \
    panels_at 120 40
check "80x24: the same fits, in the view with the table" panels_at 80 24 Tab
# The explanation on the screen, joined back into one line per paragraph,
# is word for word what --once --explain prints: nothing was cut in a word.
joined() { awk -v h="$1" 'index($0, h ":") { on = 1 } on && /^ *$/ { exit }
                          on { $1 = $1; printf "%s ", $0 }'; }
no_wrapped_words() {
    start_dash 80 24 --port "$port" --state listen --interval 200
    wait_for 5 screen_has "LISTEN" || return 1
    t send-keys -t dash Enter
    wait_for 3 screen_has "the state cell" || return 1
    screen | joined "recv-q" >"$scratch/on-screen"
    "$dash" --once --explain "sport = :$port" | sed -n '/^LISTEN 127/,/^$/p' |
        sed -n '/^  recv-q:/,/^  [a-z]*:$/p' | sed '$d' | joined "recv-q" >"$scratch/printed"
    t send-keys -t dash q q
    wait_for 5 screen_has "EXIT=0" && [ -s "$scratch/on-screen" ] &&
        cmp -s "$scratch/on-screen" "$scratch/printed" ||
        { diff "$scratch/on-screen" "$scratch/printed" | sed 's/^/# /'; return 1; }
}
check "80x24: the explanation is wrapped between words" no_wrapped_words

# The help on as many pages as the size needs, each with its paging line on
# the line above the help bar; every page fits, and the pages together, read
# word by word, are the same text at 80x24 as at 120x40 (none was cut or
# broken in a word where a page ends). Space goes on; after the last page the
# help closes.
help_pages() {          # COLS ROWS: the help's text, word by word, into $scratch/help-COLSxROWS
    out="$scratch/help-$1x$2"
    : >"$out"
    start_dash "$1" "$2" --port "$port" --interval 200
    wait_for 5 screen_has "netlink" || return 1
    t send-keys -t dash '?'
    wait_for 3 screen_has "page 1 of [0-9]" || { screen_dump; return 1; }
    pages=$(screen | grep -o 'page 1 of [0-9]*' | awk '{print $4}')
    n=1
    while [ "$n" -le "$pages" ]; do
        wait_for 3 sh -c "tmux -L '$tmux_sock' capture-pane -p -t dash | sed -n '$(($2 - 1))p' | grep -q 'page $n of $pages'" ||
            { echo "# page $n of $pages: no paging line on line $(($2 - 1))"; screen_dump 30; return 1; }
        screen | sed -n "2,$(($2 - 2))p" >>"$out"
        t send-keys -t dash Space
        n=$((n + 1))
    done
    wait_for 3 screen_lacks "page [0-9]* of" || return 1
    t send-keys -t dash q
    wait_for 5 screen_has "EXIT=0" || return 1
    # The cost so far counts what this run did: its numbers differ from run to run.
    tr -s ' \n' '\n\n' <"$out" | sed 's/[0-9][0-9]*/N/g' | grep -v '^$' >"$out.words"
    [ "$pages" -ge 1 ]
}
check "80x24: the help on pages, each with its paging line" help_pages 80 24
check "120x40: the same, on fewer pages or as many" help_pages 120 40
check "... the same words at both sizes: nothing cut where a page ends" \
    sh -c "[ -s '$scratch/help-80x24.words' ] && cmp -s '$scratch/help-80x24.words' '$scratch/help-120x40.words'"

# After / changes the filter, the table shows only what the new one takes:
# the held connections, then their TIME-WAIT records, none of the first left.
rows_not() {            # STATE: the table rows in another state
    screen | awk -v s="$1" '$1 ~ /^(LISTEN|ESTAB|CLOSE-WAIT|FIN-WAIT-2|TIME-WAIT|CLOSED)$/ &&
                            NF >= 5 && $1 != s'
}
only_rows() { [ "$(rows_in "$1")" -eq "$2" ] && [ -z "$(rows_not "$1")" ]; }
refilter() {            # FILTER: typed at / in place of the one there
    t send-keys -t dash /
    for _ in $(seq 40); do t send-keys -t dash BSpace; done
    t send-keys -t dash -l "$1"
    t send-keys -t dash Enter
}
start_dash 150 50 --port "$port" --interval 200
wait_for 5 screen_has "10 sockets"
refilter "$port estab"
check "/ $port estab: the table shows the 4 ESTAB alone" wait_for 3 only_rows ESTAB 4
refilter "$port time-wait"
check "/ $port time-wait: then the 2 TIME-WAIT alone, no ESTAB kept" wait_for 3 only_rows TIME-WAIT 2
rows_not TIME-WAIT | sed 's/^/# left: /'
t send-keys -t dash q
wait_for 5 screen_has "EXIT=0"

# A socket that leaves the filter alive has not closed: under "estab", lab
# 06's connection, closing, moves its ends to FIN-WAIT-2 and CLOSE-WAIT. The
# log says so (the collector looks them up), and the table keeps neither end
# as CLOSED (it did, for five seconds, with "ESTAB -> gone" in the log).
eport=$(quiet_port)
start_dash 150 50 --port "$eport-$((eport + 3))" --state estab --interval 100 --discover 100
wait_for 5 screen_has "netlink every"
"$build/bin/lab06-time-wait" --auto --delay 1000 --port "$eport" >"$scratch/lab06-estab.out" 2>&1 &
lab=$!
check "a state filter: a connection closing moves out of it, and the log says where" \
    wait_for 10 screen_has "poll  ESTAB -> FIN-WAIT-2"
check "... the table keeps neither end as CLOSED: they did not close" screen_lacks "^CLOSED "
wait "$lab" || { echo "# lab 06 under the estab filter:"; tail -n 3 "$scratch/lab06-estab.out" | sed 's/^/# /'; }
t send-keys -t dash q
wait_for 5 screen_has "EXIT=0"

# Connections that end on the dashboard's ports go to the closed list, with
# how they ended: lab 02 on ports of its own, watched live and by --once --closed.
# (A connect that fails is disconnected before its end is told, and only its
# cookie names it: it is caught when a discovery saw it, here every 200 ms.)
lport=$(quiet_port)
lab02() { "$(pwd)/$build/bin/lab02-handshake" --auto --port "$lport" >"$scratch/lab02.out" 2>&1; }
start_dash 150 50 --port "$lport-$((lport + 3))" --interval 200 --discover 200
wait_for 5 screen_has "netlink every"
t send-keys -t dash c
lab02
check "the live closed list shows lab 02's connections closed by FIN" \
    wait_for 10 screen_has "FIN, closed first"
check "... and the other end's, closed second" screen_has "FIN, closed second .*127.0.0.1:$lport"
check "... and a connect that failed" wait_for 5 screen_has "connect failed"
t send-keys -t dash q
closed_once() {
    ( sleep 1; lab02 ) &
    lab=$!
    as_nobody "$dash" --once --closed 6 --port "$lport-$((lport + 3))" $1 >"$scratch/closed" 2>&1
    wait "$lab"
}
if [ "$(id -u)" != 0 ] || command -v setpriv >/dev/null; then
    closed_once
    check "--once --closed as nobody: the connections that ended, how, bytes, RTT" \
        sh -c "grep -q '^[0-9]* connections ended in 6 s' '$scratch/closed' &&
               grep -q '^FIN, closed first .* sent [0-9]* B  received [0-9]* B  retrans 0  rtt' '$scratch/closed'"
    closed_once --json
    check "--once --closed --json as nobody: one object each, with the final tcp_info" \
        sh -c "grep -q '\"ending\":\"FIN, closed second\".*\"bytes_acked\":' '$scratch/closed'"
    as_nobody "$dash" --once --explain "sport = :$port" >"$scratch/explain" 2>&1
    check "--once --explain 'sport = :P' as nobody: the listener's queues in words" \
        sh -c "grep -q '^LISTEN 127.0.0.1:$port ' '$scratch/explain' && grep -q 'accept queue' '$scratch/explain'"
fi
# Under a process filter the closed list keeps that process's connections:
# lab 02 and lab 05 end connections meanwhile, on ports of their own (a
# refresh every 100 ms sees lab 02's sockets while it holds them); a second
# dashboard on lab 05's ports shows that there were ends to leave out.
qport=$(quiet_port)
( sleep 1; lab02 ) &
lab=$!
( sleep 1; "$build/bin/lab05-sigpipe" --auto --port "$qport" >"$scratch/lab05-closed.out" 2>&1 ) &
other=$!
"$dash" --once --closed 4 --port "$qport-$((qport + 3))" >"$scratch/closed-other" 2>&1 &
watcher=$!
"$dash" --once --closed 9 --interval 100 --process lab02 >"$scratch/closed-process" 2>&1
wait "$lab" "$other" "$watcher"
only_the_process() {
    grep -qE ":($lport|$((lport + 1))|$((lport + 2))|$((lport + 3))) " "$scratch/closed-process" &&
        grep -qE ":$qport[^0-9]" "$scratch/closed-other" &&
        ! grep -qE ":($qport|$((qport + 1))|$((qport + 2))|$((qport + 3)))[^0-9]" \
            "$scratch/closed-process" && return 0
    sed 's/^/#   process: /' "$scratch/closed-process"
    sed 's/^/#   lab 05: /' "$scratch/closed-other"
    return 1
}
check "--once --closed --process lab02: lab 02's connections, none of lab 05's beside it" \
    only_the_process
cookie=$("$dash" --once --json --port "$port" --state listen | grep -o '"cookie":[0-9]*' | head -n 1 | cut -d: -f2)
check "--once --explain COOKIE --json: that socket, explained" \
    sh -c "'$dash' --once --explain '$cookie' --json | grep -q '\"cookie\":$cookie,.*\"explanation\":{\"state\":\"LISTEN'"
check "--once --json carries tcp_info (rtt, cwnd, windows, bytes)" \
    sh -c "'$dash' --once --json --port '$port' --state established | grep -q '\"rtt_us\":.*\"cwnd\":.*\"snd_wnd\":.*\"bytes_acked\":'"
"$dash" --once --explain 'sport = :1' >/dev/null 2>"$scratch/err"
check "--explain that matches nothing: exit 1, one line" sh -c "[ $? -eq 1 ] && [ \$(wc -l <'$scratch/err') -eq 1 ]"
check "--explain with words it does not know: exit 2, one line" \
    sh -c "'$dash' --once --explain 'port 80' 2>'$scratch/err'; [ \$? -eq 2 ] && [ \$(wc -l <'$scratch/err') -eq 1 ]"
check "--closed without --once: exit 2, one line" \
    sh -c "'$dash' --closed 3 2>'$scratch/err'; [ \$? -eq 2 ] && [ \$(wc -l <'$scratch/err') -eq 1 ]"

