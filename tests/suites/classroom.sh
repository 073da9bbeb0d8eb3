#!/bin/sh
# classroom.sh BUILD — the launcher as an instructor meets it on a terminal:
# the menu's answers to typos, Ctrl-C in a lab that returns to the menu, and
# `socklab class N`, the lab, ss and the dashboard in one tmux window.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: classroom.sh BUILD}
socklab="$(pwd)/$build/bin/socklab"
use_tmux classroom 300
# `socklab class` talks to the default tmux server: give it one of its own.
export TMUX_TMPDIR="$scratch/tmux"
mkdir -p "$TMUX_TMPDIR"
unset TMUX
trap 't kill-server 2>/dev/null; tmux kill-server 2>/dev/null; cleanup' EXIT

t new-session -d -s classroom -x 100 -y 40 "sh"
t send-keys -t classroom "clear; '$socklab'; echo MENU-EXIT=\$?" Enter
check "the menu opens" wait_for 10 screen_has "Run which lab?"
t send-keys -t classroom "1x" Enter
check "'1x' is refused in one line" wait_for 5 screen_has "'1x': there is no such lab"
t send-keys -t classroom "s" Enter
check "a lone 's' asks for a lab number" wait_for 5 screen_has "'s': s needs a lab number"
check "a wrong entry does not reprint the menu" \
    sh -c "[ \$(tmux -L '$tmux_sock' capture-pane -p -t classroom -S -300 | grep -c 'the labs\$') -eq 1 ]"
t send-keys -t classroom "1" Enter
check "choosing 1 runs lab 01 to the end of its first step" \
    wait_for 10 screen_has 'end of step 1'
t send-keys -t classroom C-c
check "Ctrl-C ends the lab and the menu comes back" \
    wait_for 10 sh -c "[ \$(tmux -L '$tmux_sock' capture-pane -p -t classroom -S -300 | grep -c 'Run which lab?') -ge 4 ]"
check "the menu itself survived Ctrl-C" screen_lacks "MENU-EXIT="
t send-keys -t classroom q Enter
check "q leaves the menu, status 0" wait_for 10 screen_has "MENU-EXIT=0"

# socklab class 6, as a 120x40 window would get it.
session=$("$socklab" class 6 --detach 2>"$scratch/class.err")
check "class 6 --detach opens a tmux session and names it" [ "$session" = "socklab-06" ]
pane() { tmux capture-pane -p -t "$session:0.$1"; }
check "the session has three panes" \
    sh -c "[ \$(tmux list-panes -t '$session' | wc -l) -eq 3 ]"
check "the lab's pane runs lab 06" wait_for 10 sh -c "tmux capture-pane -p -t '$session:0.0' | grep -q 'Lab 06'"
check "the shell pane has the lab's ss command typed in" \
    wait_for 10 sh -c "tmux capture-pane -p -t '$session:0.2' | grep -q \"ss -tano '( sport >= :\""
check "the dashboard pane runs sockdash on the lab's ports" \
    sh -c "tmux list-panes -t '$session' -F '#{pane_start_command}' | grep -q 'sockdash. --port [0-9]*-[0-9]*'"
diagram_shown() {
    tmux capture-pane -p -t "$session:0.1" >"$scratch/dash-pane"
    for state in LISTEN SYN-SENT ESTAB FIN-WAIT-1 CLOSE-WAIT TIME-WAIT LAST-ACK; do
        grep -q -- "$state" "$scratch/dash-pane" || return 1
    done
}
check "the dashboard pane shows the state machine (its states in a 120x40 window)" \
    wait_for 10 diagram_shown
check "the dashboard pane is at least 61 columns wide" \
    sh -c "[ \$(tmux display -p -t '$session:0.1' '#{pane_width}') -ge 61 ]"
tmux kill-session -t "$session" 2>/dev/null
check "class with a bad lab option: one line from the lab, exit 2, no session" \
    sh -c "'$socklab' class 6 --bogus --detach >/dev/null 2>'$scratch/err'; [ \$? -eq 2 ] &&
           [ \$(wc -l <'$scratch/err') -eq 1 ] && grep -q 'bogus' '$scratch/err' &&
           ! tmux has-session -t socklab-06 2>/dev/null"
session=$("$socklab" class 6 --tui --detach 2>"$scratch/class.err")
check "class 6 --tui: the lab full width, the shell below it" \
    sh -c "[ \$(tmux list-panes -t '$session' | wc -l) -eq 2 ] &&
           [ \$(tmux display -p -t '$session:0.0' '#{pane_width}') -eq 120 ] &&
           [ \$(tmux display -p -t '$session:0.0' '#{pane_height}') -ge 24 ]"
check "class 6 --tui: the lab's screen shows its step" \
    wait_for 10 sh -c "tmux capture-pane -p -t '$session:0.0' | grep -q 'Step 1'"
check "class 6 --tui: the shell pane has the ss command" \
    wait_for 10 sh -c "tmux capture-pane -p -t '$session:0.1' | grep -q 'ss -tano'"
tmux kill-session -t "$session" 2>/dev/null
# r and b in a private class: the lab runs again in the same process, in a
# fresh network of its own (nothing the last run left is in it); sockdash
# and the shell follow it there, the shell's ss command run again; no
# process of the class stays in the old network, which therefore goes; and
# ending the class leaves nothing.
session=$("$socklab" class 2 --private --detach 2>"$scratch/class.err")
net_of() { readlink "/proc/$1/ns/net" 2>/dev/null; }
pane_pid_in() { tmux display -p -t "$session:0.$1" '#{pane_pid}' 2>/dev/null; }
lab_of_class() { pgrep -P "$(pane_pid_in 0)" | head -1; }
program_in() { pgrep -P "$(pane_pid_in "$1")" | head -1; }     # sockdash, the shell
panes_follow() {
    n=$(net_of "$(lab_of_class)")
    [ -n "$n" ] && [ "$n" != "$(net_of $$)" ] &&
        [ "$(net_of "$(program_in 1)")" = "$n" ] && [ "$(net_of "$(program_in 2)")" = "$n" ]
}
class_processes() {
    for p in $(tmux list-panes -s -t "$session" -F '#{pane_pid}' 2>/dev/null); do
        echo "$p"; descendants "$p"
    done
}
none_of_the_class_in() {
    for p in $(class_processes); do [ "$(net_of "$p")" = "$1" ] && return 1; done
    return 0
}
lab_pane_has() { tmux capture-pane -p -S -200 -t "$session:0.0" | grep -q -- "$1"; }
moved_on() { [ -n "$(net_of "$lab")" ] && [ "$(net_of "$lab")" != "$net" ]; }
# the shell pane, since it last said it follows the lab: the ss command's listener
shell_listed_again() {
    tmux capture-pane -p -J -S -200 -t "$session:0.2" | sed -n '/this pane follows it there/,$p' |
        grep -q '^LISTEN .*127\.0\.0\.1:'"$class_port"
}
first_stop_followed() { wait_for 15 lab_pane_has 'step 1 of' && wait_for 10 panes_follow; }
check "class 2 --private: the lab, sockdash and the shell in the lab's network" first_stop_followed
class_port=$(tmux capture-pane -p -t "$session:0.2" | grep -o 'sport >*= :[0-9]*' | head -1 | tr -dc 0-9)
lab=$(lab_of_class)
net=$(net_of "$lab")
tmux send-keys -t "$session:0.0" r
check "r: the lab runs again in the same process, in a fresh network" wait_for 15 moved_on
check "... and says so" wait_for 10 lab_pane_has 'private network: a fresh one for this run'
check "... sockdash and the shell follow it there" wait_for 10 panes_follow
check "... the shell's ss command runs again there: the new run's listener" \
    wait_for 10 shell_listed_again
check "... no process of the class is left in the old network" wait_for 10 none_of_the_class_in "$net"
check "... r started the lab again at step 1" wait_for 10 lab_pane_has 'step 1 of'
for _ in 1 2 3 4 5; do
    lab_pane_has 'step 2 of' && break
    tmux send-keys -t "$session:0.0" Enter
    sleep 1
done
net=$(net_of "$lab")
tmux clear-history -t "$session:0.0"
tmux send-keys -t "$session:0.0" b
check "b at step 2: a fresh network again" wait_for 15 moved_on
check "... back at step 1, in the same process" \
    wait_for 10 sh -c "tmux capture-pane -p -t '$session:0.0' | grep -q 'step 1 of' && [ \"\$(pgrep -P $(pane_pid_in 0) | head -1)\" = '$lab' ]"
followed_again() { wait_for 10 panes_follow && wait_for 10 none_of_the_class_in "$net"; }
check "... the panes follow, none left behind" followed_again
everyone=$(class_processes)
tmux kill-session -t "$session" 2>/dev/null
check "ending that class ends every process of it" wait_for 10 all_gone $everyone
check "class refuses --port: it chooses the ports itself" \
    sh -c "'$socklab' class 6 --port 5000 --detach >/dev/null 2>'$scratch/err'; [ \$? -eq 2 ] && [ \$(wc -l <'$scratch/err') -eq 1 ]"

# Notes and source as a student alone reads them, in less at 80x24.
use_tmux reader 0
LC_ALL=C.UTF-8 t new-session -d -s reader -x 80 -y 24 "sh"
reader() {                     # reader 'ENV' COMMAND: run it in the pane, in less
    t send-keys -t reader "clear; env $1 PAGER=less LESS= '$socklab' $2; clear" Enter
}
wait_gone() { wait_for 10 sh -c "! tmux -L '$tmux_sock' capture-pane -p -t reader | grep -q -- '$1'"; }
reader LC_ALL=C.UTF-8 "notes 6"
check "notes 6 at 80x24: the title is a heading, underlined" \
    wait_for 10 sh -c "tmux -L '$tmux_sock' capture-pane -p -t reader | grep -A1 '^Lab 06 — TIME-WAIT' | grep -q '^====='"
check "notes 6: no Markdown marks on the first page" \
    sh -c "! tmux -L '$tmux_sock' capture-pane -p -t reader | grep -q -e '^#' -e '\*\*' -e '\`'"
t send-keys -t reader "/^\\* net.ipv4.tcp_fin_timeout" Enter
check "notes 6: the sysctl table, too wide for 80 columns, is a list" \
    wait_for 10 sh -c "tmux -L '$tmux_sock' capture-pane -p -t reader | grep -q '^    governs: how long a socket' &&
                       ! tmux -L '$tmux_sock' capture-pane -p -t reader | grep -q '^|'"
t send-keys -t reader "/^Exercises" Enter
check "notes 6: the exercises say where their answers are" \
    wait_for 10 screen_has "What could it change? \[answer 1 at the end\]"
check "notes 6: and the answer is not under its question" \
    screen_lacks "No: each is a connection"
t send-keys -t reader q
wait_gone 'answer 1'
reader "LANG=C LC_ALL=C" "notes 6"
check "notes 6 under LANG=C: ASCII, which less shows as text" \
    wait_for 10 screen_has "^Lab 06 -- TIME-WAIT"
check "notes 6 under LANG=C: no byte less would show as <E2>, no 'binary file'" \
    sh -c "! tmux -L '$tmux_sock' capture-pane -p -t reader | grep -q -i -e '<E2>' -e 'binary'"
t send-keys -t reader q
wait_gone 'Lab 06'
reader LC_ALL=C.UTF-8 "source 6"
check "source 6 at 80x24: numbered lines" \
    wait_for 10 screen_has "^   1  /\* labs/06-time-wait.c"
# Every line is a numbered one, the rest of a long one under its start (six
# spaces and more), or less's prompt: nothing wrapped by the terminal.
source_lines_numbered() {
    tmux -L "$tmux_sock" capture-pane -p -t reader | sed '$d' |
        grep -v -E -e '^ {0,3}[0-9]+(  |$)' -e '^ {10}' | grep -q . && return 1
    return 0
}
check "source 6: long lines go on under their start, never wrapped mid-word" source_lines_numbered
t send-keys -t reader q
wait_gone '06-time-wait.c'
reader "LANG=C LC_ALL=C" "source 6"
check "source 6 under LANG=C: an em dash is --, not <E2><80><94>" \
    wait_for 10 sh -c "tmux -L '$tmux_sock' capture-pane -p -t reader | grep -q '06-time-wait.c -- ' &&
                       ! tmux -L '$tmux_sock' capture-pane -p -t reader | grep -q '<E2>'"
t send-keys -t reader q
check "--help under LANG=C is ASCII" \
    sh -c "LANG=C LC_ALL=C '$socklab' --help | grep -q '^socklab -- see' &&
           ! LANG=C LC_ALL=C '$socklab' --help | LC_ALL=C grep -q '[^ -~]'"

# socklab class from an instructor's terminal: a pane of the suite's server
# (the "desk", 80x24 or 120x40) holding a client of a second tmux server, as
# a user's own tmux (no configuration), where socklab class runs.
inner() { tmux -L inner "$@" 2>/dev/null; }
quiet() { "$@" 2>/dev/null; }      # a wait whose tries may not find the pane yet
client_on() { [ "$(inner list-clients -F '#{client_session}' 2>/dev/null)" = "$1" ]; }
desk() {                       # desk COLS ROWS: a fresh desk, the instructor's shell in it
    inner kill-server 2>/dev/null
    t kill-session -t desk 2>/dev/null
    t new-session -d -s desk -x "$1" -y "$2" \
        "env -u TMUX TMUX_TMPDIR='$TMUX_TMPDIR' tmux -L inner -f /dev/null new-session -s instructor sh"
    wait_for 10 client_on instructor        # the instructor's terminal shows it
}
desk_screen() { t capture-pane -p -t desk; }
desk_has() { desk_screen | grep -q -- "$1"; }
# class_opened SESSION: a failure's evidence, as TAP comments, when the
# instructor's screen does not show the class.
class_opened() {
    client_on "$1" && return 0
    echo "# the class $1 is not on screen; sessions and the desk:"
    inner list-sessions | sed 's/^/#   /'
    t capture-pane -p -t desk | grep -v '^ *$' | tail -6 | sed 's/^/#   /'
}
pane_of() { inner capture-pane -p -S -500 -t "$1" 2>/dev/null; }         # pane_of SESSION:WINDOW.PANE
pane_has() { pane_of "$1" | grep -q -- "$2"; }
panes_in() { inner list-panes -t "$1" 2>/dev/null | wc -l; }

desk 80 24
inner send-keys -t instructor "'$socklab' class 6" Enter
check "class 6 at 80x24 from the instructor's tmux: the class is on their screen" \
    wait_for 30 client_on socklab-06
class_opened socklab-06
check "80x24: the lab alone in its window, the full width" \
    quiet sh -c "[ \$(tmux -L inner display -p -t socklab-06:0.0 '#{pane_width}') -eq 80 ] &&
           [ \$(tmux -L inner list-panes -t socklab-06:0 | wc -l) -eq 1 ]"
check "80x24: the lab's pane shows its first step" wait_for 10 pane_has socklab-06:0.0 'Step 1'
check "80x24: sockdash over the shell in a second window, neither too small" \
    quiet wait_for 10 sh -c "[ \$(tmux -L inner list-panes -t socklab-06:1 | wc -l) -eq 2 ] &&
           tmux -L inner capture-pane -p -t socklab-06:1.0 | grep -q LISTEN &&
           ! tmux -L inner capture-pane -p -t socklab-06:1.0 | grep -q 'too small'"
check "80x24: the status line names the whole session and how to move" \
    quiet wait_for 5 sh -c "tmux -L '$tmux_sock' capture-pane -p -t desk | tail -1 |
                      grep '\[socklab-06\]' | grep '1:sockets' | grep -q 'C-b n: window, arrows: pane'"
check "80x24: the mouse is on in the classroom" \
    [ "$(inner show-options -v -t socklab-06 mouse)" = on ]
check "the shell pane ran the ss command (its header is on screen)" \
    wait_for 10 pane_has socklab-06:1.1 'Recv-Q'
inner send-keys -t socklab-06:1.1 "echo typed-alone" Enter
check "what the instructor types in the shell is a command of its own" \
    quiet wait_for 10 sh -c "tmux -L inner capture-pane -p -t socklab-06:1.1 | grep -q '^typed-alone'"
inner send-keys -t socklab-06:0.0 q
check "when the lab ends its pane says so and waits for q" \
    wait_for 10 pane_has socklab-06:0.0 'q and Enter end the class'
inner send-keys -t socklab-06:0.0 Enter
sleep 0.5
check "a stray Enter keeps the lab's pane and its summary" \
    quiet sh -c "tmux -L inner has-session -t socklab-06 && tmux -L inner capture-pane -p -t socklab-06:0.0 | grep -q 'lab 06 ended'"
inner send-keys -t socklab-06:0.0 q Enter
check "q and Enter end the class: back in the session it was started from" \
    quiet wait_for 10 sh -c "! tmux -L inner has-session -t socklab-06 2>/dev/null &&
                       [ \"\$(tmux -L inner list-clients -F '#{client_session}')\" = instructor ]"

inner send-keys -t instructor "'$socklab' class 6 --tui" Enter
check "class 6 --tui at 80x24: the lab's screen has the whole window, the shell another" \
    quiet wait_for 30 sh -c "[ \"\$(tmux -L inner list-clients -F '#{client_session}')\" = socklab-06 ] &&
           [ \$(tmux -L inner list-panes -t socklab-06:0 | wc -l) -eq 1 ] &&
           [ \$(tmux -L inner display -p -t socklab-06:0.0 '#{pane_height}') -eq 23 ] &&
           [ \$(tmux -L inner list-panes -t socklab-06:1 | wc -l) -eq 1 ]"
check "class 6 --tui at 80x24: the lab shows step 1, not 'terminal too small'" \
    quiet wait_for 10 sh -c "tmux -L inner capture-pane -p -t socklab-06:0.0 | grep -q 'Step 1' &&
                       ! tmux -L inner capture-pane -p -t socklab-06:0.0 | grep -q 'too small'"
inner kill-session -t socklab-06

desk 120 40
inner send-keys -t instructor "'$socklab' class 2 2>'$scratch/check.err'" Enter
check "class 2 at 120x40: three panes in one window" \
    quiet wait_for 30 sh -c "[ \"\$(tmux -L inner list-clients -F '#{client_session}')\" = socklab-02 ] &&
                       [ \$(tmux -L inner list-panes -t socklab-02:0 | wc -l) -eq 3 ]"
class_opened socklab-02
# The class's own network (issue 20): the lab makes it, sockdash and the
# shell run in it (each the child of its pane's process, which follows the
# lab to its next network on r or b); the machine's network does not see
# the lab's sockets.
net_of() { readlink "/proc/$1/ns/net" 2>/dev/null; }
pane_pid_of() { inner display -p -t "$1" '#{pane_pid}'; }
one_private_network() {
    lab=$(pgrep -P "$(pane_pid_of socklab-02:0.0)" | head -1)
    [ -n "$lab" ] && [ -n "$(net_of "$lab")" ] && [ "$(net_of "$lab")" != "$(net_of $$)" ] &&
        [ "$(net_of "$(pgrep -P "$(pane_pid_of socklab-02:0.1)" | head -1)")" = "$(net_of "$lab")" ] &&
        [ "$(net_of "$(pgrep -P "$(pane_pid_of socklab-02:0.2)" | head -1)")" = "$(net_of "$lab")" ]
}
check "class 2: the lab, sockdash and the shell share one network, not the machine's" \
    wait_for 10 one_private_network
check "class 2: the status line says the network is private" \
    quiet wait_for 5 sh -c "tmux -L '$tmux_sock' capture-pane -p -t desk | tail -1 | grep -q 'private network'"
wait_for 10 pane_has socklab-02:0.0 'look:'
inner send-keys -t socklab-02:0.2 Up Enter
check "class 2: the shell pane's ss shows the lab's listener" \
    wait_for 10 sh -c "tmux -L inner capture-pane -p -t socklab-02:0.2 | grep -q '^LISTEN'"
machine_lacks_listener() {
    port=$(pane_of socklab-02:0.2 | grep -o 'sport >*= :[0-9]*' | head -1 | tr -dc 0-9)
    [ -n "$port" ] && [ -z "$(ss -Htan state listening "( sport = :$port )")" ]
}
check "class 2: the machine's own ss does not" machine_lacks_listener
check "the hidden check of the lab's options said nothing to the instructor" \
    sh -c "[ -f '$scratch/check.err' ] && [ ! -s '$scratch/check.err' ]"
check "120x40: the status line's hint says how to move between panes" \
    quiet wait_for 5 sh -c "tmux -L '$tmux_sock' capture-pane -p -t desk | tail -1 | grep -q 'C-b arrows or a click'"
wait_for 10 pane_has socklab-02:0.2 'Recv-Q'
inner send-keys -t socklab-02:0.2 "'$socklab' class 2" Enter
check "class 2 run again in the class's own shell: a new classroom on screen, the old one closed" \
    quiet wait_for 30 sh -c "[ \"\$(tmux -L inner list-clients -F '#{client_session}')\" = socklab-02-2 ] &&
                       ! tmux -L inner has-session -t =socklab-02 2>/dev/null"
check "the new classroom runs lab 02" wait_for 10 pane_has socklab-02-2:0.0 'Lab 02'
inner send-keys -t socklab-02-2:0.0 q
wait_for 10 pane_has socklab-02-2:0.0 'q and Enter end the class'
check "in a 58-column lab pane the end prompt is on one line" \
    pane_has socklab-02-2:0.0 '^q and Enter end the class:'
inner send-keys -t socklab-02-2:0.0 q Enter
check "the replaced class still returns to the instructor's session at the end" \
    wait_for 10 client_on instructor
inner kill-server 2>/dev/null
t kill-session -t desk 2>/dev/null

t new-session -d -s tiny -x 50 -y 18 sh
t send-keys -t tiny "'$socklab' class 6; echo STATUS=\$?" Enter
check "a 50x18 window is refused before anything opens, with the size it needs" \
    quiet wait_for 10 sh -c "tmux -L '$tmux_sock' capture-pane -p -J -t tiny | grep -q 'at least 60x21 (this one is 50x18)' &&
                       tmux -L '$tmux_sock' capture-pane -p -t tiny | grep -q STATUS=2 &&
                       ! tmux -L '$tmux_sock' has-session -t socklab-06 2>/dev/null"
t kill-session -t tiny 2>/dev/null

session=$("$socklab" class 6 --shared --detach 2>/dev/null)
check "class 6 --shared: today's classroom, on the machine's network" \
    wait_for 10 sh -c "tmux show-options -v -t '$session' status-right | grep -q 'shared network' &&
        [ \"\$(readlink /proc/\$(tmux display -p -t '$session:0.1' '#{pane_pid}')/ns/net)\" = \"\$(readlink /proc/$$/ns/net)\" ]"
tmux kill-session -t "$session" 2>/dev/null
check "class takes --shared or --private, not both: one line, exit 2" \
    sh -c "'$socklab' class 6 --shared --private --detach >/dev/null 2>'$scratch/err'; [ \$? -eq 2 ] && [ \$(wc -l <'$scratch/err') -eq 1 ]"

# The dashboard pane's / filter as an instructor types into it, at 80x24.
use_tmux filter 0
LC_ALL=C.UTF-8 t new-session -d -s filter -x 80 -y 24 \
    "LC_ALL=C.UTF-8 '$(pwd)/$build/bin/sockdash' --port 1-2 --interval 200"
wait_for 10 screen_has 'sockdash'
t send-keys -t filter /
wait_for 5 screen_has 'filter'
t send-keys -t filter -l "服务器"
check "sockdash's / prompt takes non-ASCII text (a process name in Chinese)" \
    wait_for 5 screen_has "filter.*服务器"
t send-keys -t filter BSpace Enter
check "Backspace takes a whole character, and the filter is what was typed" \
    wait_for 5 sh -c "tmux -L '$tmux_sock' capture-pane -p -t filter | head -1 | grep -q '服务\$\\|服务 '"
t send-keys -t filter / C-u
for _ in 1 2 3 4 5 6; do t send-keys -t filter BSpace; done
t send-keys -t filter -l "listen,foo"
t send-keys -t filter Enter
check "a typo in a / state list is one clear sentence, not an empty table" \
    wait_for 5 screen_has "'foo' is not a TCP state"

# The notes in the lab's own screen (--tui, n), at 80x24: laid out as
# socklab notes lays them out, not Markdown.
use_tmux tuinotes 0
LC_ALL=C.UTF-8 t new-session -d -s tuinotes -x 80 -y 24 \
    "LC_ALL=C.UTF-8 '$(pwd)/$build/bin/lab06-time-wait' --tui; sleep 30"
wait_for 10 screen_has 'look: one connection'       # the keys are read at the pause
t send-keys -t tuinotes n
check "--tui at 80x24, n: the notes' title is a heading, underlined" \
    wait_for 5 sh -c "tmux -L '$tmux_sock' capture-pane -p -t tuinotes | grep -A1 'Lab 06 — TIME-WAIT' | grep -q '====='"
for _ in 1 2 3 4 5 6 7 8 9 10 11 12; do t send-keys -t tuinotes PPage; done
tui_notes_rendered() {        # no Markdown on any page; the question, then later its answer
    seen_question=no
    for _ in $(seq 30); do
        screen >"$scratch/page"
        grep -q -e '^ *#' -e '\*\*' -e '|---' -e '<details>' "$scratch/page" && return 1
        grep -q 'answer 1 at the end' "$scratch/page" && seen_question=yes
        [ $seen_question = yes ] && grep -q '^ *Answers *$' "$scratch/page" && return 0
        t send-keys -t tuinotes NPage
        sleep 0.2
    done
    return 1
}
check "--tui, n: no Markdown on any page, each answer after the notes" tui_notes_rendered
t send-keys -t tuinotes q
