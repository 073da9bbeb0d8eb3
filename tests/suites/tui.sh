#!/bin/sh
# tui.sh BUILD — the labs' --tui presenter, driven as a class would drive it,
# each screen in a tmux server of its own: lab 06 at 80x24 and at 200x60 shows
# the step's title, its code and its sockets in ESTABLISHED, FIN-WAIT-2 and
# CLOSE-WAIT, then TIME-WAIT, at the pauses that name them, each row as ss
# lists it; the table scrolls; a resize in the middle of a step; the summary;
# lab 08's pause gets its rows first (80x24) and all of them (120x40), a live
# view while the lab has no descriptor left, and a view that says when it
# cannot refresh; lab 10's long step title; lab 04's words and the legend
# shared with sockdash; sockdash's log at 120x40; q, Ctrl-C and SIGTERM
# restore the terminal and leave no child behind; NO_COLOR; the refusals.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: tui.sh BUILD}
lab="$(pwd)/$build/bin/lab06-time-wait"
trap 'own_tmux_end; cleanup' EXIT

# start_lab NAME COLS ROWS [ENV] [ARGS] [LAB]: lab 06 (or LAB) with --tui in a
# shell that notes the terminal's settings before and after it, and its exit
# status.
start_lab() {
    own_tmux "$1" "$2" "$3" "sh"
    rm -f "$scratch/before-$1" "$scratch/after-$1"
    t send-keys -t "$1" "clear; stty -g >'$scratch/before-$1'; $4 LC_ALL=C.UTF-8 ${6:-$lab} --tui $5; echo EXIT=\$?; stty -g >'$scratch/after-$1'" Enter
}
# The rows of the socket table whose state is $1 (at 80 columns and more:
# State, Recv-Q, Send-Q, Local, Peer, Timer).
table_rows() { screen | awk '$1 ~ /^[A-Z][A-Z0-9-]*$/ && $4 ~ /^[0-9.]+:[0-9]+$/ && $5 ~ /:/'; }
rows_in() { table_rows | awk -v s="$1" '$1 == s { n++ } END { print n + 0 }'; }
# The status: the one or two lines above the keys (a long pause wraps), joined.
status_line() { screen | tail -n 3 | head -n 2 | tr '\n' ' '; }
status_has() { status_line | grep -q -- "$1"; }
at_pause() { wait_for 10 status_has "$1"; }
# Enter until the status line says $1 (at most 20 times): one Enter at a
# time, each after the status line has changed from what the last one found.
status_moved_on() { [ "$(status_line)" != "$status" ] && status_line | grep -q -e 'look:' -e 'end of step' -e 'lab is over'; }
enter_until() {
    n=0
    while [ $n -lt 20 ]; do
        status_has "$1" && return 0
        status=$(status_line)
        t send-keys -t "$tmux_name" Enter
        wait_for 10 status_moved_on || return 1
        n=$((n + 1))
    done
    status_has "$1"
}

start_lab small 80 24
check "80x24: the first pause, both ends ESTAB" at_pause "look: one connection, both ends ESTAB"
check "80x24: the header names the step, and how many there are" screen_has "Step 1 of 9: A connection"
check "80x24: the step's code, with its file and line numbers" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t small | grep -q 'labs/06-time-wait.c, step 1' &&
           tmux -L '$tmux_sock' capture-pane -p -t small | grep -Eq '^ +[0-9]+[|>] .*sl_tcp_pair'"
check "80x24: the socket table lists the two ESTAB ends" [ "$(rows_in ESTAB)" -eq 2 ]
check "80x24: the states in a row count them" screen_has "ESTAB 2"
# A narration's lines all start at the left edge; a result's go on under its text.
check "80x24: the narration's second line is not indented" screen_has "^closed anything yet"
check "80x24: the code marks the line of the step's expectation (no call in step 1)" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t small | grep -Eq '^ +[0-9]+> +lab_expect'"
check "80x24: the keys fit, q included" sh -c "tmux -L '$tmux_sock' capture-pane -p -t small | tail -n 1 | grep -q 'Enter:next  q:quit'"
t send-keys -t small Enter
check "80x24: Enter: the next pause, FIN-WAIT-2 and CLOSE-WAIT" \
    at_pause "look: the client in FIN-WAIT-2, the server in CLOSE-WAIT"
# Every line of code the pane shows whole (its folded rows joined) is the
# source's line, word for word: nothing cut at the pane's edge. The last line
# shown is left out: it may go on below the pane.
code_whole() {
    screen | awk '/^labs\/06-time-wait.c, step/ { on = 1; next } /^LISTEN [0-9]/ { on = 0 } on' |
        awk '/^ *[0-9]+[|>] / { if (n) print n "\t" t; match($0, /^ *[0-9]+/);
                               n = substr($0, RSTART, RLENGTH) + 0; t = substr($0, 8); next }
             /^     : / { t = t " " substr($0, 8) }' >"$scratch/rows"
    [ -s "$scratch/rows" ] || return 1
    while IFS="$(printf '\t')" read -r n text; do
        want=$(sed -n "${n}p" labs/06-time-wait.c | tr -s ' \t' '  ' | sed 's/^ //; s/ $//')
        got=$(printf '%s' "$text" | tr -s ' ' ' ' | sed 's/^ //; s/ $//')
        [ "$want" = "$got" ] || { echo "# line $n shown as '$got'"; return 1; }
    done <"$scratch/rows"
}
check "80x24: every line of code shown is whole, folded between words where long" code_whole
both_closing() { [ "$(rows_in FIN-WAIT-2)" -eq 1 ] && [ "$(rows_in CLOSE-WAIT)" -eq 1 ]; }
check "80x24: ... and the table shows them" wait_for 10 both_closing
t send-keys -t small Tab
check "80x24: Tab shows the state machine with its counts" \
    wait_for 3 sh -c "tmux -L '$tmux_sock' capture-pane -p -t small | grep -q 'FIN-WAIT-2  1' &&
                      tmux -L '$tmux_sock' capture-pane -p -t small | grep -q 'CLOSE-WAIT  1'"
check "80x24: ... with the transitions under it" screen_has " poll  ESTAB -> "
t send-keys -t small Tab
t resize-window -t small -x 200 -y 60
side_by_side() { screen_has "passive OPEN" && screen_has "labs/06-time-wait.c, step 2" && screen_has "look: the client"; }
check "resized to 200x60 in the middle of a step: side by side, the pause still there" \
    wait_for 5 side_by_side
t resize-window -t small -x 80 -y 24
check "and back to 80x24" wait_for 5 sh -c "! tmux -L '$tmux_sock' capture-pane -p -t small | grep -q 'passive OPEN'"
t send-keys -t small Enter
step3_time_wait() { status_has "look: the client alone, in TIME-WAIT" && [ "$(rows_in TIME-WAIT)" -ge 1 ]; }
check "80x24: step 3 pauses on the client's TIME-WAIT, in the table" \
    wait_for 10 step3_time_wait
t send-keys -t small s
for page in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
    t send-keys -t small PPage                  # up to line 1 of a lab of 500 lines
done
check "s shows the whole source, from its first line" wait_for 3 screen_has "^ *1| /\\*"
t send-keys -t small s
t send-keys -t small n
check "n shows the notes" wait_for 3 screen_has "TIME-WAIT"
t send-keys -t small Escape
# Escape is read after a short delay: an Enter sent before it is taken would
# close the notes instead of going on.
wait_for 5 screen_has "labs/06-time-wait.c, step 3"
# Step 4's narration is long: its first sentence stays in view at the pause,
# the results below it, the ss/netstat hints folded to one line.
check "80x24: step 4's pause" enter_until "look: TIME-WAIT"
check "80x24: ... its narration from the first sentence" screen_has "^Claim M46 (docs/myths.md): TIME_WAIT lasts 4"
check "80x24: ... and the claim's outcome" screen_has "held: the TIME-WAIT timer started at 60 s"
t resize-window -t small -x 80 -y 21
both_in_view() { screen_has "^Claim M46 (docs/myths.md): TIME_WAIT lasts 4" && screen_has "held: the TIME-WAIT timer started at 60 s"; }
check "80x21: the first sentence still on top, the outcome still below it" wait_for 5 both_in_view
t resize-window -t small -x 80 -y 24

# A row says what the kernel said at the last look: a socket on a port the
# lab stopped tracking (steps 8 and 9 watch their own) leaves the table; it
# is not shown as CLOSED while ss still lists it, nor does it push the step's
# own sockets out.
agrees_with_ss() {
    table_rows >"$scratch/rows"
    [ -s "$scratch/rows" ] || return 1
    while read -r state _ _ local peer _; do
        listed=$(ss -Htan src "$local" dst "$peer" | awk '{ print $1 }')
        case $state in
        CLOSED) [ -z "$listed" ] || { echo "# $local $peer shown CLOSED, ss: $listed"; return 1; } ;;
        LISTEN) ;;
        *) [ "$listed" = "$state" ] || { echo "# $local $peer shown $state, ss: $listed"; return 1; } ;;
        esac
    done <"$scratch/rows"
}
# holds_for SECONDS command...: true from the first look, every 0.2 s, until
# the time is up (the table shows the pause's frame as soon as the pause does;
# a stale row used to stay 5 s, which a wait would only have waited out).
holds_for() {
    tries=$(( $1 * 5 )); shift
    while [ "$tries" -gt 0 ]; do
        "$@" || return 1
        sleep 0.2
        tries=$((tries - 1))
    done
}
check "80x24: step 8's pause" enter_until "look: the closed socket: FIN-WAIT-2"
check "80x24: ... every row in the state ss lists it in, no stale CLOSED" holds_for 1 agrees_with_ss
check "80x24: ... the step's pair, FIN-WAIT-2 and CLOSE-WAIT" \
    sh -c "[ \$(tmux -L '$tmux_sock' capture-pane -p -t small | grep -c '^FIN-WAIT-2 .*:.*:') -eq 1 ]"
check "80x24: step 9's pause: its TIME-WAITs" enter_until "TIME-WAIT on port"
table_is_time_wait() { [ "$(rows_in TIME-WAIT)" -eq "$(table_rows | wc -l)" ] && [ "$(rows_in TIME-WAIT)" -ge 4 ]; }
check "80x24: ... fill the table, the rows the pause names first" holds_for 1 table_is_time_wait
check "80x24: ... the count line agrees" screen_has "TIME-WAIT 20"
check "80x24: ... and so does ss, row by row" agrees_with_ss
# The table scrolls at any size: j and k move through it in any view.
t send-keys -t small -N 25 j
last_row_selected() { screen | grep -Eq '^([0-9]+)/\1 LISTEN:' && [ "$(rows_in LISTEN)" -eq 1 ]; }
check "80x24: j: the table scrolls down to its last row, the listener" wait_for 5 last_row_selected
t send-keys -t small -N 25 k
check "80x24: ... k: back to the first, a TIME-WAIT" wait_for 5 screen_has "^1/[0-9]* TIME-WAIT:"
t send-keys -t small q
check "q ends the lab (status 0: nothing failed)" wait_for 5 screen_has "EXIT=0"
check "... saying it stopped early, with the counts" screen_has "stopped early; .* held, 0 failed"
check "... and the terminal's settings are restored" \
    wait_for 3 cmp -s "$scratch/before-small" "$scratch/after-small"
own_tmux_end

start_lab big 200 60
check "200x60: the first pause" at_pause "look: one connection, both ends ESTAB"
check "200x60: the full state machine beside the code" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t big | grep -q 'passive OPEN.*' &&
           tmux -L '$tmux_sock' capture-pane -p -t big | grep -q 'labs/06-time-wait.c, step 1'"
check "200x60: the table's two ESTAB ends" sh -c "[ \$(tmux -L '$tmux_sock' capture-pane -p -t big | grep -c '  ESTAB  *0  *0  ') -eq 2 ]"
check "200x60: the way through every step to the summary" enter_until "the lab is over"
summary() { screen_has "held  *[0-9]" && screen_has "failed  *0" && screen_has "skipped  *[0-9]" && screen_has "inconclusive  *[0-9]"; }
check "200x60: the summary counts held, failed, skipped, inconclusive" summary
check "200x60: ... says once that any key leaves, and offers no Enter:next" \
    sh -c "[ \$(tmux -L '$tmux_sock' capture-pane -p -t big | grep -ci 'any key') -eq 1 ] &&
           tmux -L '$tmux_sock' capture-pane -p -t big | tail -n 1 | grep -q 'any key:leave the lab' &&
           ! tmux -L '$tmux_sock' capture-pane -p -t big | grep -q 'Enter:next'"
t send-keys -t big x
check "any key leaves: status 0" wait_for 5 screen_has "EXIT=0"
check "... the terminal's settings restored" wait_for 3 cmp -s "$scratch/before-big" "$scratch/after-big"
own_tmux_end

# Only the lab's own sockets: TIME-WAIT records another program left on the
# port (as ss shows them) are not in the table.
# tcp-states leaves TIME-WAIT records on its port when it exits (its own
# share SO_REUSEADDR with the lab's bind); the lab also binds the three ports
# above it, which one of tcp-states' clients may have been given: a few tries.
tw_port=
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    "$(pwd)/$build/tests/tcp-states" --hold 1 >"$scratch/states" </dev/null
    p=$(awk '/^port /{print $2}' "$scratch/states")
    quiet() { [ -z "$(ss -Htan "( sport >= :$((p + 1)) and sport <= :$((p + 3)) )")" ]; }
    if quiet && ss -Htan state time-wait "( dport = :$p )" | grep -q .; then
        tw_port=$p
        break
    fi
done
if [ -n "$tw_port" ]; then
    sleep 3                                 # older than the lab by more than its slack
    left_behind=$(ss -Htan state time-wait "( sport = :$tw_port or dport = :$tw_port )" | grep -c .)
    start_lab own 80 24 "" "--port $tw_port"
    check "--port with another program's TIME-WAIT records on it: the first pause" \
        at_pause "look: one connection, both ends ESTAB"
    at_pause "look: one connection" || screen | sed 's/^/# /'
    check "... the table shows the lab's two ESTAB ends, none of the $left_behind TIME-WAIT left there" \
        sh -c "[ '$left_behind' -ge 1 ] && [ \$(tmux -L '$tmux_sock' capture-pane -p -t own | awk '\$1 == \"TIME-WAIT\" && \$4 ~ /:/' | wc -l) -eq 0 ] &&
               tmux -L '$tmux_sock' capture-pane -p -t own | grep -q 'TIME-WAIT 0'"
    check "... and both ESTAB ends" [ "$(rows_in ESTAB)" -eq 2 ]
    t send-keys -t own q
    own_tmux_end
else
    ok "--port with another program's TIME-WAIT records on it # SKIP the ports above tcp-states' were taken 10 times"
fi

# Lab 08 names 5 CLOSE-WAIT and 5 FIN-WAIT-2 at its first pause: at 80x24
# its table shows them first, in that order, with the whole pause line; at
# 120x40 it shows all ten.
lab08="$(pwd)/$build/bin/lab08-close-wait-leak"
start_lab l8small 80 24 "" "" "$lab08"
check "lab 08 at 80x24: the first pause" at_pause "look: 5 CLOSE-WAIT on the server's port"
check "... the pause line whole, (Enter: go on) included" status_has "clients' side .*(Enter: go on)"
named_first() { [ "$(table_rows | head -n 1 | awk '{ print $1 }')" = CLOSE-WAIT ] &&
                [ "$(rows_in CLOSE-WAIT)" -eq "$(table_rows | wc -l)" ]; }
check "... the table's rows are those the pause names first: CLOSE-WAIT" wait_for 5 named_first
t send-keys -t l8small q
own_tmux_end

start_lab l8big 120 40 "" "" "$lab08"
check "lab 08 at 120x40: the first pause" at_pause "look: 5 CLOSE-WAIT on the server's port"
all_ten() { [ "$(rows_in CLOSE-WAIT)" -eq 5 ] && [ "$(rows_in FIN-WAIT-2)" -eq 5 ]; }
check "... the table has room for all 5 CLOSE-WAIT and all 5 FIN-WAIT-2" wait_for 5 all_ten
# Steps 4 to 6 use up the lab's descriptors (EMFILE): the view, which looks
# through a socket it opened at the start, goes on moving.
check "... step 4, every descriptor taken" enter_until "end of step 4"
timers() { table_rows | awk '$6 == "timewait" { print $7 }' | head -n 3 | tr '\n' ' '; }
first_timers=$(timers)
timers_moved() { [ -n "$first_timers" ] && [ "$(timers)" != "$first_timers" ]; }
check "... the TIME-WAIT timers still count down (the view is live)" wait_for 5 timers_moved
check "... and nothing says it is stale" screen_lacks "not refreshed"
t send-keys -t l8big q
own_tmux_end

# Where sock_diag is refused (no-sock-diag: as on a kernel without it), the
# view reads /proc, which needs a descriptor per look: at EMFILE it cannot
# refresh, and says so. In a network namespace of the test's own, so /proc
# lists the lab's sockets alone, however many the machine has.
printf '#!/bin/sh\nip link set lo up && exec "$@"\n' >"$scratch/own-loopback"
chmod +x "$scratch/own-loopback"
if unshare -rn "$scratch/own-loopback" true 2>/dev/null; then
    start_lab l8proc 120 40 "" "" "unshare -rn '$scratch/own-loopback' '$(pwd)/$build/tests/no-sock-diag' '$lab08'"
    check "lab 08 without sock_diag: step 4" enter_until "end of step 4"
    says_stale() { screen_has "not refreshed for [0-9]* s: .*EMFILE"; }
    check "... the view says it cannot refresh, and why" wait_for 5 says_stale
    t send-keys -t l8proc q
    own_tmux_end
else
    ok "lab 08 without sock_diag # SKIP unshare -rn is refused here (no user namespaces)"
fi

# Lab 10's first step has a long title: at 80x24 it goes on to a second line
# of the header rather than being left out.
start_lab l10 80 24 "" "" "$(pwd)/$build/bin/lab10-partial-writes"
check "lab 10 at 80x24: the end of step 1" at_pause "end of step 1"
check "... the header has the step's title, on two lines" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t l10 | head -n 1 | grep -q 'Step 1 of [0-9]*: A stream: two send()' &&
           tmux -L '$tmux_sock' capture-pane -p -t l10 | sed -n 2p | grep -q 'recv() calls'"
t send-keys -t l10 q
own_tmux_end

# --from N: steps 1 to N-1 run without pausing, and the class sees that they
# did: a line each above step N's narration where there is room (120x40),
# all of them on one line at 80x24; the header says "Step N of 9". b goes
# back a step and r starts again, the lab running again in the same process.
start_lab from 80 24 "" "--from 3"
check "--from 3 at 80x24: the first stop is step 3's pause" at_pause "look: the client alone, in TIME-WAIT"
check "... the header says step 3 of 9" screen_has "^ Lab 06 | Step 3 of 9: The server closes too"
check "... steps 1 and 2 ran without pausing, in one line above the narration" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t from | sed -n 2p | grep -q '^steps 1 to 2 ran without pausing: [0-9]* held' &&
           tmux -L '$tmux_sock' capture-pane -p -t from | sed -n 3p | grep -q '^CLOSE-WAIT lasts until'"
t resize-window -t from -x 120 -y 40
each_replayed() { screen_has "^1\. A connection: [0-9]* held" && screen_has "^2\. The client closes first: [0-9]* held" &&
                  screen_has "^CLOSE-WAIT lasts until"; }
check "--from 3 at 120x40: a line for each step it ran, then step 3's narration" wait_for 5 each_replayed
t resize-window -t from -x 80 -y 24
lab_pid=$(pgrep -P "$(pane_pid)")
t send-keys -t from b
back_at_2() { screen_has "^ Lab 06 | Step 2 of 9: The client closes first" && status_has "look: the client in FIN-WAIT-2"; }
check "b at step 3: the lab runs again and stops at step 2's pause" wait_for 15 back_at_2
check "... step 1 ran without pausing, and says so" screen_has "^step 1 ran without pausing: [0-9]* held"
check "... in the same process, which the shell still waits for" \
    sh -c "[ -n '$lab_pid' ] && [ \"\$(pgrep -P $(pane_pid))\" = '$lab_pid' ]"
t send-keys -t from r
check "r: the lab starts again at step 1" \
    wait_for 15 sh -c "tmux -L '$tmux_sock' capture-pane -p -t from | grep -q '^ Lab 06 | Step 1 of 9: A connection' &&
                       ! tmux -L '$tmux_sock' capture-pane -p -t from | grep -q 'without pausing'"
t send-keys -t from q
check "... q ends it, status 0" wait_for 5 screen_has "EXIT=0"
own_tmux_end

# In Chinese (LANGUAGE=zh_CN) every line is fitted in columns, not bytes:
# lab 06's step 8 says a paragraph of 616 bytes. At 80x24 nothing on screen
# is wider than 80 columns or holds half a character, and the narration's
# lines are the paragraph's, in order, broken between words where it has
# spaces; at 600x50 it stands on one line of the lesson's side, whole (a
# line was cut at 500 bytes, inside a character, and its end lost).
zh_say=$(LANGUAGE=zh_CN LC_ALL=C.UTF-8 "$lab" --json --auto --from 8 2>/dev/null |
         grep -m1 '"event":"say","step":8' | sed 's/.*"text":"//; s/"}$//')
zh_end=$(printf '%s' "$zh_say" | LC_ALL=C.UTF-8 sed 's/.*\(.\{8\}\)$/\1/')
columns="$(pwd)/$build/tests/columns"
fits() { screen | LC_ALL=C.UTF-8 "$columns" | awk -v w="$1" '$1 == "bad" || $1 > w { bad = 1 } END { exit bad }'; }
# The step's narration as the screen shows it: from its first line to the
# line before the next paragraph (its outcome) or the fold.
zh_lines() { screen | sed -n '/^tcp_fin_timeout /,$p' | sed '/^[⋮✓·]/,$d'; }
# Each line is the next piece of the paragraph; where two lines meet between
# Latin letters or digits, the paragraph has a space there.
zh_in_order() {
    zh_lines >"$scratch/zh-lines"
    [ "$(wc -l <"$scratch/zh-lines")" -ge 2 ] || return 1
    rest=$(printf '%s' "$zh_say" | tr -d ' ')
    prev=
    while IFS= read -r line; do
        piece=$(printf '%s' "$line" | tr -d ' ')
        case $rest in "$piece"*) rest=${rest#"$piece"} ;; *) echo "# not next: $line"; return 1 ;; esac
        last=$(printf '%s' "$prev" | grep -o '[A-Za-z0-9_]*$')
        first=$(printf '%s' "$line" | grep -o '^[A-Za-z0-9_]*')
        if [ -n "$last" ] && [ -n "$first" ]; then
            printf '%s' "$zh_say" | grep -qF "$last $first" || { echo "# cut mid-word: $last|$first"; return 1; }
        fi
        prev=$line
    done <"$scratch/zh-lines"
}
start_lab zh 80 24 "LANGUAGE=zh_CN" "--from 8"
check "in Chinese at 80x24: lab 06 --from 8 stops at step 8's pause" at_pause "请看："
check "... every line fits 80 columns, no half character" fits 80
check "... the narration's lines are its paragraph, in order, never cut mid-word" zh_in_order
t resize-window -t zh -x 600 -y 50
whole_line() { screen | grep '^tcp_fin_timeout ' | grep -qF "$zh_end"; }
check "... at 600x50 the paragraph of 616 bytes is one line, whole" wait_for 5 whole_line
check "... no half character there either" fits 600
t send-keys -t zh q
own_tmux_end

# Lab 04's pause and its table say the same thing in the same words: the
# listener's accept queue, q=2. The legend, one key away (? twice), says what
# q= means, in the words sockdash's help uses: the same text.
start_lab l4 80 24 "" "" "$(pwd)/$build/bin/lab04-epoll-lt-vs-et"
check "lab 04 at 80x24: step 5's pause names the accept queue" enter_until "accept queue (q=2)"
check "... the table's listener, first, shows q=2" \
    wait_for 5 sh -c "tmux -L '$tmux_sock' capture-pane -p -t l4 | grep -Eq '^LISTEN +q=2 '"
t send-keys -t l4 '?'
t send-keys -t l4 '?'
legend_shown() { screen_has "What the table and the log write" && screen_has "q=2 is its accept queue"; }
check "... ? twice: the legend" wait_for 5 legend_shown
# The legend's words, whatever the width it was wrapped at.
legend_words() { screen | sed -n '/What the table and the log write/,/from a reset\./p' | tr -s ' \n' '  '; }
legend_words >"$scratch/legend-lab"
t send-keys -t l4 Escape
t send-keys -t l4 q
own_tmux_end
own_tmux dashlegend 80 24 "'$(pwd)/$build/bin/sockdash' --port 1-2"
wait_for 5 screen_has "sockdash"
t send-keys -t dashlegend '?'
t send-keys -t dashlegend '?'
check "sockdash at 80x24: ? twice, the same legend" wait_for 5 legend_shown
legend_words >"$scratch/legend-dash"
check "... word for word" sh -c "grep -q 'q=2 is its accept queue' '$scratch/legend-lab' &&
                                 cmp -s '$scratch/legend-lab' '$scratch/legend-dash'"
own_tmux_end

# sockdash at 120x40 puts its log in a 40-column panel: a transition that
# does not fit on one line goes on under it, addresses included, never cut.
dash_port=$(quiet_port)
trace=
[ "$(id -u)" -eq 0 ] && trace=--trace
own_tmux dashlog 120 40 "'$(pwd)/$build/bin/sockdash' $trace --interval 100 --port $dash_port-$((dash_port + 3))"
wait_for 5 screen_has "Transitions, newest first"
"$lab" --auto --delay 50 --port "$dash_port" >/dev/null 2>&1
# The log is the screen's right-hand column: its entries ("0.4s trace A -> B")
# and the lines that end with their addresses.
log_whole() {
    screen >"$scratch/dash"
    entries=$(grep -Ec '[0-9]s (trace|poll) ' "$scratch/dash")
    cut=$(grep -Ec '[0-9]s (trace|poll) .*…$' "$scratch/dash")
    addresses=$(grep -Ec '127\.0\.0\.1:[0-9]+ (127\.0\.0\.1:[0-9]+|0\.0\.0\.0:\*)$' "$scratch/dash")
    [ "$entries" -ge 5 ] && [ "$cut" -eq 0 ] && [ "$addresses" -ge $((entries - 1)) ]
}
check "sockdash ${trace:-(polling)} at 120x40: every transition in the log with its addresses" \
    wait_for 5 log_whole
own_tmux_end

# Too small: refused before step 1; shrunk in the middle, the step's title,
# the pause and the keys stay.
start_lab tiny 50 15
check "50x15 at the start: refused in one sentence, exit 2" \
    wait_for 5 sh -c "tmux -L '$tmux_sock' capture-pane -p -J -t tiny | grep -q 'needs a terminal of at least 60x20 (this one is 50x15); enlarge it, or run without --tui' &&
                      tmux -L '$tmux_sock' capture-pane -p -t tiny | grep -q 'EXIT=2'"
own_tmux_end
start_lab shrink 80 24
at_pause "look: one connection"
t resize-window -t shrink -x 50 -y 15
never_blind() { screen_has "Step 1" && screen_has "look: one connection" && screen_has "terminal too small" && screen_has "Enter:next"; }
check "shrunk to 50x15 at a pause: the step, the pause, the keys and what size it needs" \
    wait_for 5 never_blind
t resize-window -t shrink -x 80 -y 24
check "... and back: the step's code again" wait_for 5 screen_has "labs/06-time-wait.c, step 1"
t send-keys -t shrink q
check "... q still ends it" wait_for 5 screen_has "EXIT=0"
own_tmux_end

# Ctrl-C and SIGTERM: the screen is left, the terminal restored, no child left.
start_lab intr 100 30
at_pause "look: one connection"
t send-keys -t intr C-c
wait_for 5 screen_lacks "look: one connection"
t send-keys -t intr "echo STATUS=\$?; stty -g >'$scratch/after-intr'" Enter
check "Ctrl-C ends the lab (SIGINT, status 130)" wait_for 5 screen_has "STATUS=130"
check "... the terminal's settings restored" wait_for 3 cmp -s "$scratch/before-intr" "$scratch/after-intr"
own_tmux_end
start_lab term 100 30
at_pause "look: one connection"
pid=$(pane_child "$(basename "$lab")")      # this session's lab, not another run's
[ -n "$pid" ] && kill -TERM "$pid"
check "SIGTERM ends the lab (status 143)" wait_for 5 screen_has "EXIT=143"
check "... the terminal's settings restored" wait_for 3 cmp -s "$scratch/before-term" "$scratch/after-term"
check "... and no lab process is left" sh -c "[ -n '$pid' ] && ! pgrep -P '$pid' >/dev/null && ! kill -0 '$pid' 2>/dev/null"
own_tmux_end

# Colour marks outcomes and live states; NO_COLOR keeps bold, dim and reverse.
colour_codes() { t capture-pane -p -e -t "$tmux_name" | grep -Ec "$(printf '\033')\[([0-9]+;)*(3[0-7]|4[0-7])m"; }
start_lab colour 80 24
at_pause "look: one connection"
check "on a colour terminal the screen uses colour" [ "$(colour_codes)" -gt 0 ]
own_tmux_end
start_lab mono 80 24 "NO_COLOR=1"
at_pause "look: one connection"
check "with NO_COLOR it uses none" [ "$(colour_codes)" -eq 0 ]
check "... and still marks the outcome" screen_has "held: both ends are ESTAB"
own_tmux_end

# Refusals: one sentence, status 2, before step 1.
refused() {
    "$@" >"$scratch/out" 2>"$scratch/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$scratch/err")" -eq 1 ] && ! grep -q 'Step 1' "$scratch/out"
}
check "--tui without a terminal: one sentence, exit 2" refused "$lab" --tui </dev/null
check "--tui with --json: one sentence, exit 2" refused "$lab" --tui --json
own_tmux dumb 100 10 "TERM=dumb '$lab' --tui 2>'$scratch/err-dumb'; echo EXIT=\$? >'$scratch/exit-dumb'; sleep 5"
dumb_refused() { [ "$(cat "$scratch/exit-dumb" 2>/dev/null)" = EXIT=2 ]; }
check "--tui on TERM=dumb: exit 2" wait_for 5 dumb_refused
check "... in one sentence saying what to do" \
    sh -c "[ \$(wc -l <'$scratch/err-dumb') -eq 1 ] && grep -q 'without --tui' '$scratch/err-dumb'"
own_tmux_end
