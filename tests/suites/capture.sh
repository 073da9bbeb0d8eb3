#!/bin/sh
# capture.sh BUILD — a lab's network of its own (--private) and its segments
# on the wire, as an unprivileged user (uid 65534, or the user running the
# suite when that is not root) and as root:
#
#   - lab 09 prints segment events with an R where it expects one and no F
#     on that connection; lab 02 prints S, S., . in that order under connect();
#   - lab 07's overflow step holds unprivileged with --private;
#   - every lab passes with --private (JSON) as the unprivileged user, and in
#     text mode; without --private it shows no segment and no network line;
#   - without a capture a wire expectation is skipped with its reason;
#   - --private where the kernel refuses user namespaces is a set-up error in
#     one sentence (exit 2), before step 1;
#   - socklab ss, from another terminal, shows the private lab's sockets, and
#     the note a lab leaves is gone however it ends (end, Ctrl-C, SIGKILL).
#
# Where user namespaces are off, one SKIP line.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: capture.sh BUILD}
build=$(cd "$build" && pwd)

# jqe FILTER FILE: the filter, over the file's events as one array, is true.
jqe() { jq -se "$@" >/dev/null 2>&1; }

# as_user COMMAND...: the command as the unprivileged user.
if [ "$(id -u)" = 0 ]; then
    as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
    user_uid=65534
else
    as_user() { "$@"; }
    user_uid=$(id -u)
fi
if ! as_user unshare -Urn true 2>/dev/null; then
    echo "ok 1 # SKIP user namespaces are off here (unshare -Urn fails for uid $user_uid): no private network to test"
    exit 0
fi
if ! as_user test -x "$build/bin/socklab"; then
    not_ok "the build can be run by the unprivileged user (uid $user_uid cannot execute $build/bin)"
    exit 1
fi
# The notes of the user's running labs (running.h) go to a runtime directory
# of this suite's own: another suite's labs of the same user, running at the
# same time, are never taken for this one's (nor killed by it).
runtime=$scratch/runtime
chmod 711 "$scratch"                    # the user passes through, lists nothing
mkdir -p "$runtime"
[ "$(id -u)" = 0 ] && chown "$user_uid" "$runtime"
chmod 700 "$runtime"
notes=$runtime/socklab
as_user_env() { as_user env XDG_RUNTIME_DIR="$runtime" "$@"; }

lab09=$build/bin/lab09-rst-and-linger
lab02=$build/bin/lab02-handshake
lab07=$build/bin/lab07-listen-backlog

# --- every lab, --private, unprivileged and (as root) as root: all at once ---
# Each lab's run as the user is also the one the checks of labs 09, 02 and
# 07 below read.
# private_runs DO: DO (at_once, or alone_if_inconclusive) for each lab's
# run as the user, and as root when root.
private_runs() {
    for lab in "$build"/bin/lab[0-9][0-9]-*; do
        [ -x "$lab" ] || continue
        name=$(basename "$lab")
        "$1" "$scratch" "$name.user" as_user_env timeout 60 "$lab" --auto --json --private
        [ "$(id -u)" = 0 ] &&
            "$1" "$scratch" "$name.root" timeout 60 "$lab" --auto --json --private
    done
}
private_runs at_once
all_done
private_runs alone_if_inconclusive
# run_of LAB: the file of LAB's run as the user.
run_of() { echo "$scratch/$(basename "$1").user.out"; }
status_of() { cat "$scratch/$(basename "$1").user.status"; }

# --- lab 09: R. where a RST is expected, no F on that connection ------------
ln -s "$(run_of "$lab09")" "$scratch/09.json"
check "lab 09 --private exits 0 as uid $user_uid" [ "$(status_of "$lab09")" -eq 0 ]
check "lab 09 --private says what it made, before step 1" \
    jqe '(map(.event) | index("network")) < (map(.event) | index("step")) and
            (.[] | select(.event == "network") | .private and .namespace == "user+net")' \
    "$scratch/09.json"
# The step "close() with unread data": its RST's connection, and every
# segment of that connection.
unread=$(jq -r 'select(.event == "step" and (.title | startswith("close() with unread data"))) | .step' \
             "$scratch/09.json")
rst_conn() {
    jq -sr --argjson s "$unread" '[.[] | select(.event == "segment" and .step == $s and
                                                 (.flags | contains("R")))][0] | "\(.src) \(.dst)"' \
        "$scratch/09.json"
}
set -- $(rst_conn)
check "lab 09: a segment event with an R in the step with unread data (from $1 to $2)" \
    [ -n "$unread" -a "$1" != null ]
check "lab 09: the lab expected that RST, and it held" \
    jqe --argjson s "$unread" 'any(.[]; .event == "expect" and .step == $s and
                                  (.claim | contains("RST (R.)")) and .outcome == "held")' "$scratch/09.json"
check "lab 09: no F on that connection, either way" \
    jqe --arg a "$1" --arg b "$2" '[.[] | select(.event == "segment" and
        ((.src == $a and .dst == $b) or (.src == $b and .dst == $a)) and (.flags | contains("F")))]
        | length == 0' "$scratch/09.json"
check "lab 09: each segment event has the fields of the issue" \
    jqe '[.[] | select(.event == "segment")] | length > 10 and
            all(has("step") and has("from") and has("to") and has("flags") and has("seq") and
                has("ack") and has("win") and has("len") and (.options | type == "array") and
                has("t_ms"))' "$scratch/09.json"

# --- lab 02: S, S., . under connect() -----------------------------------------
ln -s "$(run_of "$lab02")" "$scratch/02.json"
check "lab 02 --private exits 0 as uid $user_uid" [ "$(status_of "$lab02")" -eq 0 ]
connect_step=$(jq -r 'select(.event == "step" and (.title | startswith("connect() returns"))) | .step' \
                   "$scratch/02.json")
handshake=$(jq -r --argjson s "${connect_step:-0}" 'select(.event == "segment" and .step == $s and
                                                    (.call // "" | startswith("connect(")))
                   | "\(.from)>\(.to):\(.flags):\(.seq):\(.ack)"' "$scratch/02.json" | tr '\n' ' ')
check "lab 02: connect() shows S, S., . in that order, numbered from 0 (got: $handshake)" \
    [ "$handshake" = "client>server:S:0:0 server>client:S.:0:1 client>server:.:1:1 " ]
check "lab 02: the SYN carries its options (mss, sackOK, TS, wscale)" \
    jqe '[.[] | select(.event == "segment" and .flags == "S")][0].options | map(split(" ")[0])
            | index("mss") != null and index("sackOK") != null and index("TS") != null and
              index("wscale") != null' "$scratch/02.json"
check "lab 02: with --private a dropped SYN times out (held, not skipped)" \
    jqe 'any(.[]; .event == "expect" and (.claim | contains("firewall")) and .outcome == "held")' \
    "$scratch/02.json"

# --- lab 07: the overflow step, unprivileged -----------------------------------
ln -s "$(run_of "$lab07")" "$scratch/07.json"
check "lab 07 --private exits 0 as uid $user_uid" [ "$(status_of "$lab07")" -eq 0 ]
check "lab 07: tcp_abort_on_overflow held both ways unprivileged with --private (none skipped)" \
    jqe '[.[] | select(.event == "expect" and (.claim | contains("tcp_abort_on_overflow")))]
            | length == 2 and all(.outcome == "held")' "$scratch/07.json"

# --- every lab, --private, unprivileged (and as root beside it) ---------------
# all_held JSON: "HELD TOTAL": expectations held or skipped with a reason, of all.
all_held() {
    jq -rs '"\([.[] | select(.event == "expect" and (.outcome == "held" or
                 (.outcome == "skipped" and (.why | length) > 0)))] | length)
             \([.[] | select(.event == "expect")] | length)"' "$1" 2>/dev/null
}
# judge WHO NN RUN: one line of TAP for one run (RUN.out, .err, .status).
judge() {
    set -- "$1" "$2" "$3" "$(cat "$3.status")" $(all_held "$3.out")
    check "lab $2 --private $1: exit 0, all held or skipped with a reason (${5:-0} of ${6:-0})" \
        [ "$4" -eq 0 -a "${6:-0}" -gt 0 -a "${5:-0}" = "${6:-0}" ]
    [ "$4" -eq 0 ] || {
        jq -r 'select(.event == "expect" and .outcome != "held" and .outcome != "skipped")
               | "\(.outcome): step \(.step): \(.claim)" + (if .why then " (\(.why))" else "" end)' \
            "$3.out" 2>/dev/null
        tail -n 3 "$3.err"
    } | sed 's/^/#   /'
    [ ! -e "$3.again" ] || echo "# lab $2 $1: inconclusive beside the others, run again alone"
}
for lab in "$build"/bin/lab[0-9][0-9]-*; do
    [ -x "$lab" ] || continue
    name=$(basename "$lab")
    nn=$(echo "$name" | cut -c4-5)
    judge "as uid $user_uid" "$nn" "$scratch/$name.user"
    [ "$(id -u)" = 0 ] && judge "as root" "$nn" "$scratch/$name.root"
done
as_user_env timeout 60 "$lab09" --auto --private >"$scratch/09.txt" 2>&1
check "lab 09 --private in text mode: exit 0, one line says what it made" \
    sh -c "[ $? -eq 0 ] && grep -q '  private network: user + network namespace (uid $user_uid' '$scratch/09.txt'"

# --- without --private: unchanged; without a capture: skipped ------------------
as_user_env timeout 60 "$lab09" --auto --json >"$scratch/09.shared.json" 2>&1
check "lab 09 without --private, unprivileged: no network event, no segment" \
    jqe 'all(.[]; .event != "network" and .event != "segment")' "$scratch/09.shared.json"
check "lab 09 without a capture: its wire expectations are skipped with the reason, never held" \
    jqe '[.[] | select(.event == "expect" and (.claim | startswith("on the wire")))]
            | length >= 4 and all(.outcome == "skipped" and (.why | contains("--private")))' \
    "$scratch/09.shared.json"

# --- refused: user namespaces switched off --------------------------------------
# In a user namespace of the suite's own, user.max_user_namespaces = 0 (a
# setting of that namespace only) refuses the lab's.
as_user unshare -Ur sh -c 'echo 0 >/proc/sys/user/max_user_namespaces &&
    exec setpriv --reuid=0 "$0" --auto --json --private' "$lab02" \
    >"$scratch/refused.out" 2>"$scratch/refused.err"
status=$?
check "--private with user namespaces off: exit 2, one sentence naming max_user_namespaces, before step 1" \
    sh -c "[ $status -eq 2 ] && [ \$(wc -l <'$scratch/refused.err') -eq 1 ] &&
           grep -q 'max_user_namespaces = 0' '$scratch/refused.err' &&
           ! grep -q '\"event\":\"step\"' '$scratch/refused.out'"

# --- socklab ss from another terminal ------------------------------------------
# Lab 02 pauses 1.5 s at each pause (--delay): long enough to look. The lab's
# pid is its note's name (timeout, which bounds it, is its parent).
lab_note() { ls "$notes" 2>/dev/null | grep -v '^\.' | head -1; }
has_note() { [ -n "$(lab_note)" ]; }
note_gone() { [ -n "$1" ] && ! ls "$notes" 2>/dev/null | grep -q "^$1\$"; }
as_user_env timeout 60 "$lab02" --auto --json --private --delay 1500 >"$scratch/bg.json" 2>&1 &
bg=$!
wait_for 10 has_note
lab_pid=$(lab_note)
listening() {
    jq -r 'select(.event == "observe") | .sockets[] | select(.state == "LISTEN") | .local' \
        "$scratch/bg.json" 2>/dev/null | head -1 | grep .
}
wait_for 10 listening >/dev/null
listener=$(listening)
as_user_env "$build/bin/socklab" ss -Htan >"$scratch/ss.private" 2>&1
ss -Htan >"$scratch/ss.host"
check "socklab ss shows the private lab's listener ${listener:-(none)}; the machine's ss does not" \
    sh -c "[ -n '$listener' ] && grep -q ' $listener ' '$scratch/ss.private' &&
           ! grep -q ' $listener ' '$scratch/ss.host'"
wait $bg
check "the lab's pause prints 'socklab ss ...' when it is private" \
    jqe 'any(.[]; .event == "pause" and (.hints[0] | startswith("socklab ss -tano")))' "$scratch/bg.json"
check "the note is gone when the lab ends" note_gone "$lab_pid"

as_user_env timeout 60 "$lab02" --auto --private --delay 1500 >/dev/null 2>&1 &
bg=$!
wait_for 10 has_note
lab_pid=$(lab_note)
kill -INT "$lab_pid"
wait $bg
check "the note is gone after Ctrl-C (SIGINT)" note_gone "$lab_pid"

as_user_env timeout 60 "$lab02" --auto --private --delay 1500 >/dev/null 2>&1 &
bg=$!
wait_for 10 has_note
lab_pid=$(lab_note)
kill -KILL "$lab_pid"
wait $bg
stale=$(lab_note)
as_user_env "$build/bin/socklab" ss -Htan >/dev/null 2>&1
stale_removed() { [ "$stale" = "$lab_pid" ] && note_gone "$lab_pid"; }
check "a SIGKILLed lab's note stays (${stale:-none}), and the next socklab ss removes it" stale_removed
# ours_running: a lab process of this suite's (its runtime directory in its
# environment, which its children inherit) still runs; another suite's labs,
# of the same user and build, running beside this one, are not ours.
ours_running() {
    for pid in $(pgrep -u "$user_uid" -f "$build/bin/lab"); do
        tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "XDG_RUNTIME_DIR=$runtime" && return 0
    done
    return 1
}
none_of_ours() { ! ours_running; }
check "nothing of the lab is left running" none_of_ours

# --- as root: the machine's loopback, and --private --------------------------
if [ "$(id -u)" = 0 ]; then
    timeout 60 "$lab09" --auto --json >"$scratch/09.root.json" 2>&1
    check "as root without --private: lab 09's wire expectations hold on the machine's loopback" \
        jqe '[.[] | select(.event == "expect" and (.claim | startswith("on the wire")))]
                | length >= 4 and all(.outcome == "held")' "$scratch/09.root.json"
    timeout 60 "$lab09" --auto --json --private >"$scratch/09.rootp.json" 2>&1
    check "as root with --private: a network namespace alone, and the wire holds" \
        jqe 'any(.[]; .event == "network" and .namespace == "net") and
                ([.[] | select(.event == "expect" and (.claim | startswith("on the wire")))]
                 | length >= 4 and all(.outcome == "held"))' "$scratch/09.rootp.json"
fi
[ "$tap_failed" -eq 0 ]
