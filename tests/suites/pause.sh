#!/bin/sh
# pause.sh BUILD — the text presenter's pause, driven as a person would, in a
# detached tmux session: Enter continues, q quits cleanly, the terminal's
# settings come back as they were.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: pause.sh BUILD}
lab="$(pwd)/$build/bin/lab01-byte-order"
use_tmux pause 200
trap 'tmux_stop; cleanup' EXIT

# The prompt the lab shows now: the screen's last line that is not blank.
last_line() { screen | grep -v '^ *$' | tail -n 1; }
last_line_has() { last_line | grep -q -- "$1"; }
prompting() { last_line | grep -q -e '\[Enter\] continue' -e '\[Enter\] next step'; }
prompting_or_ended() { prompting || screen_has 'EXIT='; }
# press_enter: Enter at the prompt, then wait until that prompt has gone.
press_enter() {
    prompt=$(last_line)
    t send-keys -t pause Enter
    wait_for 10 prompt_moved_on
}
prompt_moved_on() { [ "$(last_line)" != "$prompt" ]; }

# run_to_pause: start the lab in a fresh shell, note the terminal settings
# before it, and go on through the end of each step up to its named pause.
run_to_pause() {
    tmux_session 100 50
    t send-keys -t pause "clear; stty -g >'$scratch/before'; '$lab' --no-source; echo EXIT=\$?; stty -g >'$scratch/after'" Enter
    for _ in $(seq 20); do
        wait_for 10 prompting || return 1
        last_line_has '\[Enter\] continue' && return 0
        press_enter || return 1
    done
    return 1
}

# Every step ends with a pause of its own, the first one too.
tmux_session 100 50
t send-keys -t pause "clear; '$lab' --no-source; echo EXIT=\$?" Enter
check "on a terminal the lab stops at the end of step 1" \
    wait_for 10 last_line_has 'end of step 1 .*\[Enter\] next step'
check "and has not started step 2" screen_lacks 'Step 2:'
t send-keys -t pause Enter
check "Enter goes on to step 2, which ends with a pause too" \
    wait_for 10 last_line_has 'end of step 2 .*\[Enter\] next step'
t send-keys -t pause q
check "q at the end of a step ends the lab, exit 0" wait_for 10 screen_has 'EXIT=0'
check "and says it stopped early" screen_has 'stopped early'

check "the lab stops at its pause and says how to go on" run_to_pause
check "the pause shows the ss command for the lab's ports" screen_has "ss -tano '( sport = :"
# Enter at every prompt that follows, one at a time, until the lab ends.
enter_to_the_end() {
    for _ in $(seq 20); do
        wait_for 10 prompting_or_ended || return 1
        screen_has 'EXIT=' && break
        press_enter || return 1
    done
    screen_has 'EXIT=0'
}
check "Enter continues to the end, exit 0" enter_to_the_end
check "after Enter the lab finished its steps" screen_has 'held, 0 failed'
check "the terminal settings are restored after Enter" \
    wait_for 5 cmp -s "$scratch/before" "$scratch/after"

rm -f "$scratch/before" "$scratch/after"
check "the lab stops at its pause again" run_to_pause
t send-keys -t pause q
check "q ends the lab cleanly, exit 0" wait_for 10 screen_has 'EXIT=0'
check "q says the lab stopped early" screen_has 'stopped early'
check "q leaves the later steps unrun" screen_lacks 'Step 7'

check "the terminal settings are restored after q" \
    wait_for 5 cmp -s "$scratch/before" "$scratch/after"

rm -f "$scratch/before" "$scratch/after"
check "the lab stops at its pause a third time" run_to_pause
t send-keys -t pause C-c
# The shell abandons the rest of its command line when its job dies of SIGINT:
# ask it for the status and the terminal settings afterwards.
wait_for 5 screen_lacks '\[Enter\] continue'
t send-keys -t pause "echo STATUS=\$?; stty -g >'$scratch/after'" Enter
check "Ctrl-C at the pause ends the lab (SIGINT: status 130)" wait_for 10 screen_has 'STATUS=130'
check "the terminal settings are restored after Ctrl-C" \
    wait_for 5 cmp -s "$scratch/before" "$scratch/after"

# --from N: steps 1..N-1 run without pausing, one line each; the first stop
# is step N's. b goes back a step, r starts again: the lab runs again (the
# kernel cannot be rewound) in the same process, and says so.
tmux_session 80 24
t send-keys -t pause "clear; '$lab' --no-source --from 3; echo EXIT=\$?" Enter
check "--from 3: the first stop is the end of step 3" \
    wait_for 10 last_line_has 'end of step 3 .*\[Enter\] next step'
check "--from 3: steps 1 and 2 are one line each" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t pause -S -100 | grep -q '^  1\. ' &&
           tmux -L '$tmux_sock' capture-pane -p -t pause -S -100 | grep -q '^  2\. ' &&
           ! tmux -L '$tmux_sock' capture-pane -p -t pause -S -100 | grep -q 'Step [12]:'"
lab_pid=$(pgrep -P "$(pane_pid)")
t send-keys -t pause b
check "b at step 3 goes back: the lab runs again and stops at the end of step 2" \
    wait_for 10 last_line_has 'end of step 2 .*\[Enter\] next step'
check "b says the kernel cannot be rewound" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t pause -S -100 | grep -q 'back to step 2: the kernel cannot be'"
check "the lab ran again in the same process, which the shell still waits for" \
    sh -c "[ -n '$lab_pid' ] && [ \"\$(pgrep -P $(pane_pid))\" = '$lab_pid' ]"
t send-keys -t pause r
check "r starts the lab again from step 1" \
    wait_for 10 last_line_has 'end of step 1 .*\[Enter\] next step'
t send-keys -t pause q
check "q after r ends the lab, exit 0" wait_for 10 screen_has 'EXIT=0'

# Colour on a terminal, none with NO_COLOR.
coloured_lab() {
    # The shell stays (sleep): tmux may drop what a pane's program wrote last
    # if the pane's terminal closes as soon as the program ends.
    tmux_session 100 50 "$1 '$lab' --auto --no-source; sleep 60"
    wait_for 30 screen_has 'held, 0 failed' || { screen_dump; return 1; }
    [ "$(t capture-pane -p -e -t pause -S -200 | grep -Ec "$(printf '\033')\[([0-9]+;)*3[0-7]m")" "$2" 0 ]
}
check "on a terminal the text presenter uses colour" coloured_lab "" -gt
check "with NO_COLOR set it uses none" coloured_lab "NO_COLOR=1" -eq

# The launcher's menu (what `make run` opens): pick a lab, quit it, quit the menu.
socklab="$(pwd)/$build/bin/socklab"
tmux_session 100 50
t send-keys -t pause "clear; '$socklab'; echo EXIT=\$?" Enter
check "on a terminal socklab opens a menu of the labs" wait_for 10 screen_has "Run which lab?"
check "the menu lists lab 01 by its title" screen_has "01  byte-order"
t send-keys -t pause 1 Enter
check "choosing 1 runs lab 01 up to its first pause" wait_for 10 screen_has '\[Enter\] next step'
t send-keys -t pause q
check "after the lab, its summary stays: the menu waits for Enter and says so" \
    wait_for 10 last_line_has 'press Enter for the menu'
check "the summary is on screen" screen_has 'stopped early'
menu_count() { screen | grep -c 'Run which lab?'; }
check "and the menu has not come back yet" [ "$(menu_count)" -eq 1 ]
t send-keys -t pause Enter
menu_shown_twice() { [ "$(menu_count)" -ge 2 ]; }
check "Enter brings the menu back" wait_for 10 menu_shown_twice
t send-keys -t pause "1 3" Enter
check "'1 3' in the menu runs lab 01 from step 3" \
    wait_for 10 last_line_has 'end of step 3 of [0-9]* .*\[Enter\] next step'
t send-keys -t pause q
wait_for 10 last_line_has 'press Enter for the menu'
t send-keys -t pause Enter
wait_for 10 sh -c "[ \$(tmux -L '$tmux_sock' capture-pane -p -t pause | grep -c 'Run which lab?') -ge 1 ]"
t send-keys -t pause q Enter
check "q leaves the menu, status 0" wait_for 10 screen_has "EXIT=0"

# socklab passes --from to the lab; a step the lab does not have is refused
# before anything runs, in one line, status 2 (socklab class checks the
# lab's options the same way before it opens anything).
tmux_session 80 24
t send-keys -t pause "clear; '$socklab' run 1 --from 3 --no-source; echo EXIT=\$?" Enter
check "socklab run 1 --from 3: the first stop is step 3's" \
    wait_for 10 last_line_has 'end of step 3 of [0-9]* .*\[Enter\] next step'
t send-keys -t pause q
wait_for 10 screen_has 'EXIT='
refused() {
    "$socklab" run 1 --from 99 >/dev/null 2>"$scratch/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$scratch/err")" -eq 1 ] && grep -q 'has 7 steps' "$scratch/err"
}
check "--from 99 on a lab of 7 steps: one line, status 2" refused

# Item 1 at other sizes. Bigger shows more: at 120x40 lab 04's first step is
# on screen whole at its pause (at 80x24 part of it is a key away).
lab04="$(pwd)/$build/bin/lab04-epoll-lt-vs-et"
first_stop() {
    tmux_session "$1" "$2"
    t send-keys -t pause "clear; '$lab04'; echo EXIT=\$?" Enter
    wait_for 10 last_line_has 'end of step 1 of'
}
# the first line of step 1's code, as the lab's JSON gives it
first_code=$("$lab04" --json --auto 2>/dev/null |
             jq -r 'select(.event == "source" and .step == 1) | .lines[0].n')
first_stop 80 24
check "at 80x24 lab 04's first pause says how many of its lines are a key away" \
    screen_has 'earlier lines of this step'
check "and Up shows them: the first line of its code comes into view" \
    sh -c "tmux -L '$tmux_sock' send-keys -t pause PageUp PageUp PageUp;
           sleep 0.5; tmux -L '$tmux_sock' capture-pane -p -t pause | grep -q '^  *$first_code | '"
t send-keys -t pause q
first_stop 120 40
check "at 120x40 the whole of lab 04's first step is on screen at its pause" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t pause | grep -q '^  *$first_code | ' &&
           ! tmux -L '$tmux_sock' capture-pane -p -t pause | grep -q 'earlier lines'"
t send-keys -t pause q

# Not a terminal: nothing is hidden from a log or a pipe, nothing drawn twice.
"$lab04" --auto >"$scratch/lab04.log" 2>&1
"$lab04" --json --auto >"$scratch/lab04.json" 2>&1
code_lines=$(jq -s '[.[] | select(.event == "source") | .lines | length] | add' "$scratch/lab04.json")
check "piped, every line of every step's code is there once" \
    [ "$(grep -c '^ *[0-9][0-9]* |' "$scratch/lab04.log")" -eq "$code_lines" ]
check "piped, each step's title once, and no line about lines a key away" \
    sh -c "[ \$(grep -c '^-- Step ' '$scratch/lab04.log') -eq 11 ] &&
           ! grep -q 'earlier line' '$scratch/lab04.log'"

# Item 2: lab 08's first step lists its 11 sockets once, in the order its
# pause names the states (CLOSE-WAIT, then FIN-WAIT-2), then by port.
# Each run on a port of its own that no socket uses: on an ephemeral port, a
# TIME-WAIT another program left toward that port number would be listed too
# (it is on the lab's port), and twelve rows no longer fit at 80x24.
lab08="$(pwd)/$build/bin/lab08-close-wait-leak"
"$lab08" --auto --port "$(quiet_port)" >"$scratch/lab08.log" 2>&1
sed -n '/^-- Step 1:/,/^-- Step 2:/p' "$scratch/lab08.log" >"$scratch/lab08.step1"
check "lab 08 step 1 shows its list of sockets once" \
    [ "$(grep -c 'kernel says' "$scratch/lab08.step1")" -eq 1 ]
sorted_by_pause() {
    # the rows: state and local port, as the list gives them
    awk '/kernel says/ {on = 1; next} on && /^     [A-Z]/ && !/^     State/ {
             split($4, a, ":"); print $1, a[2] } on && !/^     / {on = 0}' "$1" >"$scratch/rows"
    [ "$(wc -l <"$scratch/rows")" -ge 3 ] || return 1
    # named first, as the pause names them; then LISTEN; then the rest
    awk '{ rank = $1 == "CLOSE-WAIT" ? 1 : $1 == "FIN-WAIT-2" ? 2 : $1 == "LISTEN" ? 3 : 4
           print rank, (rank == 4 ? $1 : ""), $2 }' \
        "$scratch/rows" >"$scratch/ranked"
    sort -k1,1n -k2,2 -k3,3n "$scratch/ranked" | cmp -s - "$scratch/ranked" ||
        { sed 's/^/#   /' "$scratch/rows"; return 1; }
}
check "its rows: CLOSE-WAIT first, then FIN-WAIT-2, as the pause names them, each by port" \
    sorted_by_pause "$scratch/lab08.step1"
tmux_session 80 24
t send-keys -t pause "clear; '$lab08' --port $(quiet_port); echo EXIT=\$?" Enter
wait_for 10 last_line_has 'step 1 of .*\[Enter\] continue'
t capture-pane -p -t pause >"$scratch/lab08.screen"
listed_once_in_order() {
    [ "$(grep -c 'kernel says' "$1")" -eq 1 ] && sorted_by_pause "$1" && return 0
    grep -v '^ *$' "$1" | sed 's/^/#   /'
    return 1
}
check "at 80x24 its first pause shows the list once, in that order" \
    listed_once_in_order "$scratch/lab08.screen"
t send-keys -t pause q

# Item 3: the ss command a pause prints runs as copied from an 80x24 screen.
tmux_session 80 24
t send-keys -t pause "clear; '$lab04' --no-source; echo EXIT=\$?" Enter
wait_for 10 last_line_has 'end of step 1 of'
t send-keys -t pause Enter
wait_for 10 last_line_has 'end of step 2 of'
t send-keys -t pause Enter
check "lab 04 stops at step 3's pause" wait_for 10 last_line_has 'step 3 of .*\[Enter\] continue'
t capture-pane -p -t pause >"$scratch/lab04.screen"
# what a mouse would copy: from the command's first line to its last
awk '/^ *ss -tano/ {on = 1} on {print} on && !/\\$/ {exit}' "$scratch/lab04.screen" >"$scratch/ss.sh"
awk '/^ *netstat -tano/ {on = 1} on {print} on && !/\\$/ {exit}' "$scratch/lab04.screen" \
    >"$scratch/netstat.sh"
ports=$(grep -o ':[0-9][0-9]*' "$scratch/ss.sh" | sort -u | tr -d : | tr '\n' ' ')
copied_runs() {
    [ "$(wc -l <"$1")" -ge 1 ] && sh "$1" >"$scratch/copied.out" 2>&1 || return 1
    for p in $ports; do grep -q ":$p " "$scratch/copied.out" || return 1; done
}
check "the ss command on screen names two ports and takes more than one line" \
    sh -c "[ \$(echo $ports | wc -w) -eq 2 ] && [ \$(wc -l <'$scratch/ss.sh') -ge 2 ]"
check "copied as it is on screen, it runs and lists the lab's sockets on both ports" \
    copied_runs "$scratch/ss.sh"
check "so does the netstat command" copied_runs "$scratch/netstat.sh"
check "no line of the screen is wider than the terminal" \
    sh -c "! awk 'length(\$0) > 80' '$scratch/lab04.screen' | grep -q ."
t send-keys -t pause q

# Item 17: --auto --delay counts down instead of saying nothing.
tmux_session 80 24
t send-keys -t pause "clear; '$lab' --auto --delay 3000 --no-source; echo EXIT=\$?" Enter
check "--auto --delay 3000: the pause counts down" wait_for 10 screen_has 'going on in [23] s'
t send-keys -t pause C-c
wait_for 10 screen_lacks 'going on in'
tmux_session 80 24
t send-keys -t pause "clear; '$lab' --tui --auto --delay 3000; echo EXIT=\$?" Enter
check "--tui --auto --delay 3000: the pause counts down, and asks for no key" \
    sh -c "wait_tui() { tmux -L '$tmux_sock' capture-pane -p -t pause | grep -q 'going on in [23] s'; }
           for i in \$(seq 100); do wait_tui && break; sleep 0.1; done; wait_tui &&
           ! tmux -L '$tmux_sock' capture-pane -p -t pause | grep -q 'Enter: go on'"
t send-keys -t pause C-c
wait_for 10 screen_has 'EXIT='

# Item 17: under LANG=C a lab prints ASCII only: its help (80 columns), its
# run, and its pauses at 80x24.
ascii_only() { ! LC_ALL=C LANG=C "$@" 2>&1 | grep -qP '[^\x00-\x7F]'; }
help_fits() { ! LC_ALL=C LANG=C "$1" --help | awk 'length($0) > 80' | grep -q .; }
help_is_ascii_and_fits() { ascii_only "$1" --help && help_fits "$1"; }
for l in "$(pwd)/$build"/bin/lab[0-9][0-9]-*; do
    check "LANG=C: $(basename "$l") --help is ASCII, every line 80 columns at most" \
        help_is_ascii_and_fits "$l"
done
check "LANG=C: lab 04 --auto prints ASCII only" ascii_only "$lab04" --auto
tmux_session 80 24 "env LC_ALL=C LANG=C sh"
t send-keys -t pause "clear; '$lab04'; echo EXIT=\$?" Enter
wait_for 10 last_line_has 'end of step 1 of'
check "LANG=C at 80x24: the line about earlier lines is ASCII" \
    sh -c "tmux -L '$tmux_sock' capture-pane -p -t pause | grep -q '^  ^ [0-9]* earlier lines'"
t send-keys -t pause q

# A pause longer than a closed socket lives: lab 09's step 1 pauses on an
# orphan in FIN-WAIT-1 probing a zero window, and its next claim needs it
# alive. In a network of its own with tcp_orphan_retries = 1 the orphan is
# gone within a second or two; past that, the claim is skipped with why,
# never failed.
lab09="$(pwd)/$build/bin/lab09-rst-and-linger"
if "$lab09" --check --private >/dev/null 2>&1; then
    tmux_session 80 24
    t send-keys -t pause "clear; '$lab09' --no-source --private --sysctl net.ipv4.tcp_orphan_retries=1; echo EXIT=\$?" Enter
    at_step1() { last_line_has 'step 1 of .*\[Enter\] continue' && screen_has '\[ok\] *close() returned with the data unsent'; }
    check "lab 09 at step 1's pause, its closed socket in FIN-WAIT-1" wait_for 15 at_step1
    lab09_pid=$(pgrep -P "$(pane_pid)")
    orphan_gone() { [ -z "$("$socklab" ss --pid "$lab09_pid" -Htan state fin-wait-1 2>/dev/null)" ] &&
                    "$socklab" ss --pid "$lab09_pid" -Htan >/dev/null 2>&1; }
    check "... the pause outlasts it (socklab ss: no FIN-WAIT-1 left in the lab's network)" \
        wait_for 60 orphan_gone
    t send-keys -t pause Enter
    check "... the claim that needed it is skipped, and says why" \
        wait_for 15 sh -c "tmux -L '$tmux_sock' capture-pane -p -J -t pause | grep -q '\[skip\] the client reads all the bytes' &&
                           tmux -L '$tmux_sock' capture-pane -p -J -t pause | grep -q 'the pause outlasted the closed socket'"
    check "... nothing failed" screen_lacks 'FAIL'
    t send-keys -t pause q
    check "... q: status 0" wait_for 10 screen_has 'EXIT=0'
else
    ok "lab 09 outlived at its pause # SKIP --private is refused here"
fi

# Item 1: every lab at 80x24, every pause (pause-every-lab.sh: the labs side
# by side, each in a tmux session of its own).
sh "$(dirname "$0")/pause-every-lab.sh" "$build" >"$scratch/every" 2>&1
while IFS= read -r line; do
    case "$line" in
        "ok "*) ok "${line#ok * - }" ;;
        "not ok "*) not_ok "${line#not ok * - }" ;;
        *) echo "$line" ;;
    esac
done <"$scratch/every"
