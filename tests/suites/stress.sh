#!/bin/sh
# stress.sh BUILD [short|long] — every lab many times at once, on a quiet and
# on a busy machine, as the user running the suite and (when that is root) as
# an unprivileged user too: a shared classroom server. Half the copies run
# with --private (when user namespaces are on). No copy may fail an
# expectation (exit 1), refuse its set-up (exit 2) or hang; a measurement the
# machine spoiled is inconclusive (exit 3): counted and listed, not a failure.
#
#   short (make check): 6 copies of each lab at once for each user (12 as
#                        root: root's and nobody's side by side) beside one
#                        busy loop.
#   long  (make stress): 30 copies at once for each user, without and with
#                        busy loops on every core, each way STRESS_ROUNDS
#                        times (default 3).
#
# Busy loops are niced shell loops, bounded in time and ended by the trap.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: stress.sh BUILD [short|long]}
mode=${2:-short}
case $mode in
    short) copies=6 rounds=1 loads="1" ;;
    long) copies=30 rounds=${STRESS_ROUNDS:-3} loads="0 $(nproc)" ;;
    *) echo "stress.sh: the mode is short or long, not '$mode'." >&2; exit 2 ;;
esac

busy=""
running=""
trap 'stop_tree $running $busy; cleanup' EXIT

# Who runs the labs: "self" (the user running the suite) and, when that is
# root, "nobody" too.
users=self
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    users="self nobody"
fi
# as USER COMMAND...: the command as that user (nobody: uid and gid 65534,
# no groups). Its output files are opened by the suite, so nobody needs no
# directory of its own.
as() {
    user=$1; shift
    if [ "$user" = nobody ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
    else
        "$@"
    fi
}
name_of() { if [ "$1" = self ]; then id -un; else echo "$1"; fi; }
# Can a user make a private network here? (--private copies need it.)
private_ok=""
as "$(echo $users | awk '{print $NF}')" unshare -Urn true 2>/dev/null && private_ok=yes

# start_busy N: N niced busy loops, each bounded to 10 minutes.
start_busy() {
    for _ in $(seq "$1"); do
        timeout 600 nice -n 19 sh -c 'while :; do :; done' &
        busy="$busy $!"
    done
}
stop_busy() { stop_tree $busy; busy=""; }

# start_copies USER LAB DIR: COPIES copies of LAB at once, as USER, each into
# DIR/N.json, DIR/N.err and DIR/N.status; bounded by timeout; $running
# collects them (wait_copies waits). Every other copy runs in a network of
# its own (--private, where user namespaces are on): the same classroom,
# half the students private, at no extra time.
start_copies() {
    for n in $(seq "$copies"); do
        private=""
        [ $((n % 2)) = 0 ] && [ -n "$private_ok" ] && private=--private
        (
            as "$1" timeout 120 "$2" --auto --json $private >"$3/$n.json" 2>"$3/$n.err"
            echo $? >"$3/$n.status"
        ) &
        running="$running $!"
    done
}
wait_copies() { wait $running; running=""; }

# what_failed JSON: each expectation that failed, with what its step measured.
what_failed() {
    jq -r '
        [.[] | select(.event == "expect" and (.outcome // (if .ok then "held" else "failed" end)) == "failed")
             | .step] as $steps
        | .[] | select(.step as $s | $steps | index($s))
        | select(.event == "expect" or .event == "result" or .event == "show")
        | if .event == "expect" then
              "\(.outcome // "failed"): step \(.step): \(.claim)"
          elif .call then
              "  \(.call) = \(.return)" + (if .error then " \(.error)" else "" end)
                  + (if .ms then " after \(.ms) ms" else "" end)
          else "  \(.text)" end' -s "$1" 2>/dev/null | grep -v '^held'
}
# why_inconclusive JSON: the inconclusive expectations and why.
why_inconclusive() {
    jq -r 'select(.event == "expect" and .outcome == "inconclusive")
           | "step \(.step): \(.claim) (\(.why))"' "$1" 2>/dev/null
}

total_failed=0 total_inconclusive=0 total_runs=0
started=$(date +%s)
runnable=""
for user in $users; do
    if [ "$user" = nobody ] && ! as nobody test -x "$build/bin/socklab"; then
        not_ok "the build can be run by an unprivileged user (nobody cannot execute $build/bin)"
        continue
    fi
    runnable="$runnable $user"
done
# Each lab's copies for every user at once (root's and nobody's side by side,
# as on a classroom server), then the verdicts, user by user.
for load in $loads; do
    for round in $(seq "$rounds"); do
        [ "$load" -gt 0 ] && start_busy "$load"
        for lab in "$build"/bin/lab[0-9][0-9]-*; do
            [ -x "$lab" ] || continue
            name=$(basename "$lab")
            nn=$(echo "$name" | cut -c4-5)
            for user in $runnable; do
                dir="$scratch/$user-$load-$round-$name"
                mkdir -p "$dir"
                start_copies "$user" "$lab" "$dir"
            done
            wait_copies
            for user in $runnable; do
                label="as $(name_of "$user"), $load busy loop(s)"
                [ "$rounds" -gt 1 ] && label="$label, round $round"
                dir="$scratch/$user-$load-$round-$name"
                ok_runs=0 inconclusive=0 failed=0
                for n in $(seq "$copies"); do
                    status=$(cat "$dir/$n.status" 2>/dev/null || echo none)
                    case $status in
                        0) ok_runs=$((ok_runs + 1)) ;;
                        3) inconclusive=$((inconclusive + 1))
                           why_inconclusive "$dir/$n.json" | sed "s|^|# lab $nn copy $n inconclusive: |" ;;
                        *) failed=$((failed + 1))
                           echo "# $label: lab $nn copy $n: status $status"
                           what_failed "$dir/$n.json" | sed 's/^/#   /'
                           [ "$status" = 1 ] || tail -n 5 "$dir/$n.err" | sed 's/^/#   /' ;;
                    esac
                done
                total_runs=$((total_runs + copies))
                total_failed=$((total_failed + failed))
                total_inconclusive=$((total_inconclusive + inconclusive))
                check "$label: lab $nn, $copies at once: none failed ($ok_runs exit 0, $inconclusive inconclusive, $failed failed)" \
                    [ "$failed" -eq 0 ]
            done
        done
        stop_busy
    done
done
half="every other one with --private"
[ -n "$private_ok" ] || half="none with --private: user namespaces are off"
echo "# stress ($mode): $total_runs runs ($half), $total_failed failed, $total_inconclusive inconclusive, $(($(date +%s) - started)) s"
[ "$tap_failed" -eq 0 ]       # make stress fails when a run did
