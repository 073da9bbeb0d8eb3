#!/bin/sh
# zh.sh BUILD — socklab in Chinese (issue 24), in a zh_CN.UTF-8 locale of the
# tests' own (zh_locale, tests/lib.sh: nothing of the system changes):
#   - the build's catalog is found by every program run from BUILD/bin, and
#     under LANG=C nothing of it shows: English, in ASCII;
#   - every lab runs in it, in JSON and in text (all at once, the JSON as the
#     user running the suite, the text as an unprivileged user when that is
#     root): it exits 0 (or 3, a busy machine); its JSON keys, events and
#     outcomes are the machine names they are in English, its words Chinese
#     (no sentence of three English words left); its text is whole UTF-8
#     characters, no line wider than 80 columns, its totals in Chinese;
#   - every --help (each lab, socklab, sockdash) is Chinese and 80 columns at
#     most;
#   - at 80x24 in tmux: socklab run 6 at its pauses, lab 06 --tui, sockdash
#     and its help show Chinese, no line runs past the terminal (a wide
#     character never cut by the edge), and the tables keep their columns.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: zh.sh BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/$build/bin
columns=$root/$build/tests/columns
running=""
trap 'stop_tree $running; cleanup' EXIT

if ! zh_locale "$build"; then
    not_ok "a zh_CN.UTF-8 locale for the tests (localedef, from the locales package)"
    exit 1
fi
zh() { env LOCPATH="$LOCPATH" LC_ALL=zh_CN.UTF-8 "$@"; }
# has_han: stdin holds a Chinese character.
has_han() { LC_ALL=C.UTF-8 grep -qP '\p{Han}'; }
# fits80 FILE: whole UTF-8 characters, every line 80 columns at most.
fits80() { LC_ALL=C.UTF-8 "$columns" <"$1" | awk '$1 == "bad" || $1 > 80 { bad = 1 } END { exit bad }'; }

check "the build's catalog is there (msgfmt made it from po/zh_CN.po)" \
    test -s "$build/locale/zh_CN/LC_MESSAGES/socklab.mo"
check "socklab --help finds it: Chinese under zh_CN.UTF-8" \
    sh -c "env LOCPATH='$LOCPATH' LC_ALL=zh_CN.UTF-8 '$bin/socklab' --help | LC_ALL=C.UTF-8 grep -qP '\\p{Han}'"
check "under LANG=C the same help is English, in ASCII" \
    sh -c "LC_ALL=C '$bin/socklab' --help | grep -q '^Usage:' &&
           ! LC_ALL=C '$bin/socklab' --help | LC_ALL=C grep -q '[^ -~]'"
check "LANGUAGE=zh_CN with LC_ALL=C stays English (C means no translation)" \
    sh -c "LANGUAGE=zh_CN LC_ALL=C '$bin/socklab' --help | grep -q '^Usage:'"

# Who runs the text runs: an unprivileged user when we are root.
as_user() {
    if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
    else
        "$@"
    fi
}

# Every lab in JSON, all at once, then every lab in text, all at once (each
# bounded): 14 labs at a time, as a classroom's server sees them.
mkdir -p "$scratch/runs"
labs=$(ls "$bin"/lab[0-9][0-9]-* 2>/dev/null)
for lab in $labs; do
    name=$(basename "$lab")
    ( zh timeout 300 "$lab" --auto --json >"$scratch/runs/$name.json" 2>"$scratch/runs/$name.jerr"
      echo $? >"$scratch/runs/$name.jstatus" ) &
    running="$running $!"
done
wait $running 2>/dev/null
running=""
for lab in $labs; do
    name=$(basename "$lab")
    ( as_user env LOCPATH="$LOCPATH" LC_ALL=zh_CN.UTF-8 timeout 300 "$lab" --auto \
          >"$scratch/runs/$name.txt" 2>&1
      echo $? >"$scratch/runs/$name.tstatus" ) &
    running="$running $!"
done
wait $running 2>/dev/null
running=""

# english FILE: the lab's words still in English, one a line: a text of a
# step, narration, claim, skip reason or pause with three English words in a
# row and no Chinese character (ss's names, calls, errno names and numbers
# are no words of three in a row).
english() {
    jq -r '(select(.event == "start") | .title, .goal),
           (select(.event == "step") | .title),
           (select(.event == "say" or .event == "result") | .text // empty),
           (select(.event == "expect") | .claim, (.why // empty)),
           (select(.event == "pause") | .look)' "$1" 2>/dev/null |
        LC_ALL=C.UTF-8 grep -P '\b[a-z]{2,} [a-z]{2,} [a-z]{2,}\b' |
        LC_ALL=C.UTF-8 grep -vP '\p{Han}'
}
events='start step source say result expect pause observe network segment replayed end'
json_lines() { jq -e . "$1" >/dev/null; }
for lab in $labs; do
    name=$(basename "$lab")
    nn=$(echo "$name" | sed 's/^lab\([0-9][0-9]\).*/\1/')
    json=$scratch/runs/$name.json
    status=$(cat "$scratch/runs/$name.jstatus")
    # (what failed, if anything: the claim, its line, and what the kernel said)
    failed=$(jq -r 'select(.event == "expect" and .outcome == "failed") |
                    "\(.file):\(.line) \(.claim) [\(.why // "")]"' "$json" 2>/dev/null | head -3)
    check "lab $nn in Chinese, --json: exits 0 or 3 (got $status)${failed:+ (failed: $failed)}" \
        sh -c "[ '$status' = 0 ] || [ '$status' = 3 ]"
    check "lab $nn in Chinese, --json: every line a JSON object" json_lines "$json"
    keys=$(jq -r '[paths | .[] | strings] | unique | .[]' "$json" 2>/dev/null | sort -u |
           grep -v '^[a-z][a-z0-9_]*$' | head -3)
    check "lab $nn in Chinese, --json: every key is the ASCII name it has in English${keys:+ (not: $keys)}" \
        [ -z "$keys" ]
    odd=$(jq -r '.event' "$json" 2>/dev/null | sort -u | while read -r e; do
              case " $events " in *" $e "*) ;; *) echo "$e" ;; esac
          done)
    check "lab $nn in Chinese, --json: every event is one the engine names${odd:+ (not: $odd)}" \
        [ -z "$odd" ]
    outcomes=$(jq -r 'select(.event == "expect") | .outcome' "$json" 2>/dev/null | sort -u |
               grep -vx 'held\|failed\|skipped\|inconclusive')
    check "lab $nn in Chinese, --json: outcomes are held, failed, skipped, inconclusive${outcomes:+ (not: $outcomes)}" \
        [ -z "$outcomes" ]
    check "lab $nn in Chinese, --json: its title, steps, narration and claims are Chinese" \
        sh -c "jq -r 'select(.event == \"step\") | .title' '$json' | LC_ALL=C.UTF-8 grep -qP '\\p{Han}'"
    left=$(english "$json" | head -3)
    check "lab $nn in Chinese, --json: no sentence left in English${left:+ (left: $left)}" \
        [ -z "$left" ]

    txt=$scratch/runs/$name.txt
    status=$(cat "$scratch/runs/$name.tstatus")
    check "lab $nn in Chinese, text (unprivileged when root): exits 0 or 3 (got $status)" \
        sh -c "[ '$status' = 0 ] || [ '$status' = 3 ]"
    check "lab $nn in Chinese, text: whole UTF-8 characters, no line past 80 columns" fits80 "$txt"
    check "lab $nn in Chinese, text: its totals are Chinese" \
        sh -c "grep '^== ' '$txt' | tail -1 | LC_ALL=C.UTF-8 grep -qP '\\p{Han}'"
    if [ "$status" != 0 ] && [ "$status" != 3 ]; then
        tail -5 "$txt" | sed 's/^/#   /'
    fi
done

# Every --help in Chinese, 80 columns at most.
help_fits() {
    zh "$1" --help >"$scratch/help.txt" 2>&1 && has_han <"$scratch/help.txt" &&
        fits80 "$scratch/help.txt"
}
for program in $labs "$bin/socklab" "$bin/sockdash"; do
    check "$(basename "$program") --help in Chinese, 80 columns at most" help_fits "$program"
done

# Tables whose first column holds a translated name are padded in columns:
# in lab 04's four ways, lab 12's fixes and lab 14's four ways the column
# after the name starts at the same column on every row.
# aligned FILE STEP PATTERN TEXT: in the step whose heading holds STEP, on
# the lines matching PATTERN, TEXT starts at one column (and there are two
# lines at least).
aligned() {
    sed -n "/^-- .*$2/,/^-- /p" "$1" | grep -- "$3" >"$scratch/rows"
    [ "$(wc -l <"$scratch/rows")" -ge 2 ] &&
        [ "$(LC_ALL=C.UTF-8 "$columns" "$4" <"$scratch/rows" | awk '{print $2}' | sort -u |
             wc -l)" -eq 1 ]
}
check "lab 04 in Chinese: its table of four ways keeps its columns" \
    aligned "$scratch/runs/lab04-epoll-lt-vs-et.txt" '四种做法' ' 等待 .* 次 recv' ' 等待 '
check "lab 12 in Chinese: its table of fixes keeps its columns" \
    aligned "$scratch/runs/lab12-nagle-delayed-ack.txt" '并排比较' ' ms  *[0-9]*$' ' ms'
# same_width FILE STEP PATTERN: in the step whose heading holds STEP, the
# lines matching PATTERN (two at least) are all as wide, in columns (wc -L
# counts a Chinese character as two): a table of numbers under translated
# names and a translated heading.
same_width() {
    sed -n "/^-- .*$2/,/^-- /p" "$1" | grep -- "$3" >"$scratch/rows"
    [ "$(wc -l <"$scratch/rows")" -ge 2 ] &&
        [ "$(while IFS= read -r row; do printf '%s\n' "$row" | LC_ALL=C.UTF-8 wc -L; done \
             <"$scratch/rows" | sort -u | wc -l)" -eq 1 ]
}
check "lab 14 in Chinese: its table of four ways keeps its columns" \
    same_width "$scratch/runs/lab14-reuseport-and-the-herd.txt" '并排比较' \
    '唤醒次数   空的 accept()\|[0-9]\.[0-9][0-9] *[0-9]*\.[0-9][0-9]$'

# Screens at 80x24. joined: the screen with the lines the terminal wrapped
# joined again: a line wider than 80 columns there is one the program wrote
# past the terminal's edge (a wide character at the edge would be cut).
joined() { t capture-pane -p -J -t "$tmux_name"; }
screen_fits() { joined >"$scratch/screen" && fits80 "$scratch/screen" && ! grep -q '�' "$scratch/screen"; }
screen_has_all() {
    for text in "$@"; do
        screen_has "$text" || return 1
    done
}
# prompt_last: the screen's last line is the pause's prompt (its keys are read).
prompt_last() { screen | grep -v '^ *$' | tail -1 | grep -q '退出'; }
zh_shell="env LOCPATH='$LOCPATH' LC_ALL=zh_CN.UTF-8 TERM=xterm-256color"

use_tmux zh
tmux_session 80 24 "$zh_shell sh"
t send-keys -t zh "clear; '$bin/socklab' run 6 --port $(quiet_port)" Enter
check "socklab run 6 at 80x24: the first pause, in Chinese" wait_for 30 screen_has '请看：'
wait_for 10 prompt_last
check "... its step and prompt are Chinese" screen_has_all '第 1 步' '后退' '退出'
check "... no line runs past the edge, no character is cut" screen_fits
t send-keys -t zh Enter
check "... Enter: step 2 at its pause, in Chinese" wait_for 30 screen_has_all '第 2 步' '请看：'
check "... still whole characters within 80 columns" screen_fits
wait_for 10 prompt_last
t send-keys -t zh q
check "... q ends the lab with its totals in Chinese" wait_for 15 screen_has '项预期'
tmux_end_session

use_tmux zhtui
tmux_session 80 24 "$zh_shell '$bin/lab06-time-wait' --tui; sleep 30"
check "lab 06 --tui at 80x24 in Chinese: its first pause" wait_for 20 screen_has '请看：'
check "... the lab's title, the step and the keys are Chinese" \
    screen_has_all '实验 06' '第 1 步' '下一步'
check "... no line runs past the edge, no character is cut" screen_fits
t send-keys -t zhtui '?'
check "... ? shows its help in Chinese" wait_for 10 screen_has '后退一步'
check "... the help fits too" screen_fits
t send-keys -t zhtui q
tmux_end_session

use_tmux zhdash
tmux_session 80 24 "$zh_shell '$bin/sockdash' --interval 200; sleep 30"
check "sockdash at 80x24 in Chinese: its header and keys" wait_for 20 screen_has_all '监听' '帮助'
check "... no line runs past the edge, no character is cut" screen_fits
t send-keys -t zhdash '?'
check "... ? shows its help in Chinese" wait_for 10 screen_has '实时显示'
check "... the help fits" screen_fits
t send-keys -t zhdash Escape
t send-keys -t zhdash '/'
t send-keys -t zhdash -l '进程名'
check "... the / filter takes Chinese input and shows it whole" wait_for 10 screen_has '进程名_'
check "... the prompt fits" screen_fits
t send-keys -t zhdash Escape q
tmux_end_session

echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
