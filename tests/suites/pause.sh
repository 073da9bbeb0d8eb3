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
menu_shown_twice() { [ "$(screen | grep -c 'Run which lab?')" -ge 2 ]; }
check "q ends the lab and the menu comes back" wait_for 10 menu_shown_twice
t send-keys -t pause q Enter
check "q leaves the menu, status 0" wait_for 10 screen_has "EXIT=0"
