#!/bin/sh
# pause-every-lab.sh BUILD [COLS ROWS] — every lab, run in text mode in a
# tmux window of 80x24 (or COLS x ROWS) and driven with Enter to its end: at
# every pause the step's title, its narration and the pause line are on
# screen together, and the pause line counts the steps ("step 3 of 9", the
# last one "of 9" too). The labs run side by side, each in a session of its
# own, five at a time. Run by pause.sh; can be run alone.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: pause-every-lab.sh BUILD [COLS ROWS]}
cols=${2:-80}
rows=${3:-24}
use_tmux every 0
trap 'tmux_stop; cleanup' EXIT

# The steps of a lab as its JSON says them: "N<tab>title<tab>narration", the
# narration being the lab_say() lines that open the step.
steps_of() {
    "$1" --json --auto 2>/dev/null | jq -r -s '
        reduce .[] as $e ({steps: [], narr: false};
            if $e.event == "step" then
                .steps += [{n: $e.step, title: $e.title, say: ""}] | .narr = true
            elif $e.event == "say" and .narr then
                .steps[-1].say += (if .steps[-1].say == "" then "" else " " end) + $e.text
            else .narr = false end)
        | .steps[] | "\(.n)\t\(.title)\t\(.say)"'
}

# The line the cursor is on: a pause's prompt while it waits for a key.
cursor_line() {
    y=$(t display-message -p -t "$tmux_name" '#{cursor_y}')
    screen | sed -n "$((y + 1))p"
}
at_prompt() { cursor_line | grep -q '\[Enter\] \(continue\|next step\)'; }
at_prompt_or_end() { at_prompt || screen_has 'EXIT='; }
# The screen is no longer the one captured at the pause: the lab went on.
moved_on() { ! screen | cmp -s - "$scratch/$tmux_name.screen"; }

# Words in one line, one space between them: how a wrapped text compares.
flat() { tr '\n' ' ' | tr -s ' '; }

# check_pause STEPS SCREEN: the prompt's step, its title and narration on
# the screen; prints the step number, or what is missing (status 1).
check_pause() {
    n=$(grep '\[Enter\]' "$2" | tail -n 1 | sed -n 's/.*step \([0-9][0-9]*\)\( of [0-9]*\)\{0,1\} .*/\1/p')
    [ -n "$n" ] || { echo "no step number in the pause line"; return 1; }
    line=$(awk -F '\t' -v n="$n" '$1 == n' "$1")
    title=$(printf '%s' "$line" | cut -f 2 | cut -c 1-30)
    say=$(printf '%s' "$line" | cut -f 3 | flat)
    grep -qF -- "-- Step $n: $title" "$2" || { echo "step $n: its title is not on screen"; return 1; }
    if [ -n "$say" ]; then
        text=$(flat <"$2")
        head=$(printf '%s' "$say" | cut -c 1-40)
        tail=$(printf '%s' "$say" | rev | cut -c 1-40 | rev)
        case "$text" in
            *"$head"*"$tail"*) ;;
            *) echo "step $n: its narration is not on screen"; return 1 ;;
        esac
    fi
    echo "$n"
}

# run_lab LAB: drive it to its end; writes "ok"/"not ok" lines to its file.
run_lab() {
    lab=$1
    name=$(basename "$lab")
    tmux_name=$name
    out="$scratch/$name.result"
    cp "$scratch/$name.steps.out" "$scratch/$name.steps"
    total=$(wc -l <"$scratch/$name.steps")
    t new-session -d -s "$name" -x "$cols" -y "$rows" "sh"
    t send-keys -t "$name" "clear; '$lab'; echo EXIT=\$?" Enter
    pauses=0 last=0 seen=" " problem=""
    while [ -z "$problem" ]; do
        wait_for 60 at_prompt_or_end || { problem="no pause and no end within 60 s"; break; }
        screen_has 'EXIT=' && ! at_prompt && break
        screen >"$scratch/$name.screen"
        if ! n=$(check_pause "$scratch/$name.steps" "$scratch/$name.screen"); then
            problem="pause $((pauses + 1)): $n"
            break
        fi
        pauses=$((pauses + 1))
        last=$n
        seen="$seen$n "
        grep '\[Enter\]' "$scratch/$name.screen" | tail -n 1 | grep -q "step $n of $total " ||
            { problem="pause $pauses: the pause line does not say 'step $n of $total'"; break; }
        t send-keys -t "$name" Enter
        wait_for 10 moved_on || { problem="Enter did not leave pause $pauses"; break; }
    done
    if [ -z "$problem" ]; then
        screen_has 'EXIT=[013]$' || problem="the lab did not end as a lab does: $(screen | grep EXIT=)"
    fi
    for i in $(seq "$total"); do
        [ -n "$problem" ] || case "$seen" in *" $i "*) ;; *) problem="step $i had no pause" ;; esac
    done
    if [ -z "$problem" ]; then
        echo "ok - $name at ${cols}x$rows: its $pauses pauses show the step's title, narration and pause line, step N of $total" >"$out"
    else
        {
            echo "not ok - $name at ${cols}x$rows: $problem"
            screen | grep -v '^ *$' | tail -n 24 | sed 's/^/#   /'
        } >"$out"
    fi
    t kill-session -t "$name" 2>/dev/null
}

# The steps of every lab, from their JSON runs side by side; then the labs
# on their screens five at a time, the longest first.
for lab in "$build"/bin/lab[0-9][0-9]-*; do
    at_once "$scratch" "$(basename "$lab").steps" steps_of "$lab"
done
all_done
for lab in $(labs_longest_first "$build"); do
    while [ "$(jobs -p | wc -l)" -ge 5 ]; do
        sleep 0.2
    done
    run_lab "$lab" &
done
wait
for result in "$scratch"/*.result; do
    while IFS= read -r line; do
        case "$line" in
            "ok - "*) ok "${line#ok - }" ;;
            "not ok - "*) not_ok "${line#not ok - }" ;;
            *) echo "$line" ;;
        esac
    done <"$result"
done
