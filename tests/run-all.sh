#!/bin/sh
# run-all.sh BUILD ASAN_BUILD — every test suite, then one closing line:
#
#     N passed, N failed
#
# Each suite prints TAP ("ok N - ...", "not ok N - ..."); a suite that exits
# non-zero without reporting a failure (a crash, a sanitizer report) counts as
# one failure more. Exit status: 0 when nothing failed.
#
# The suites run in three lanes side by side, then the stress suite alone:
# most of a suite's time is spent waiting (on a lab's timers, on a screen in
# tmux), not computing, so on two cores three lanes take about a third of
# the time of one. Each suite is written to hold on a busy machine anyway (a
# classroom server is one); the stress suite makes a busy machine on
# purpose, so nothing else runs beside it; the dashboard suite runs alone
# too, before it (its closed list must catch a connect that lives a moment,
# which two clean-clone runs beside the lanes missed). The lanes are balanced by the
# suites' times (printed at the end); the suites' reports are printed in
# the table's order, whatever order they finished in. CHECK_LANES=1 runs
# every suite one after another (to tell a suite's fault from a neighbour's).
build=${1:?usage: run-all.sh BUILD ASAN_BUILD}
asan=${2:?usage: run-all.sh BUILD ASAN_BUILD}
here=$(dirname "$0")
logs=$(mktemp -d /tmp/socklab-suites.XXXXXX)

# descendants PID: every process below PID.
descendants() {
    for child in $(pgrep -P "$1"); do
        echo "$child"
        descendants "$child"
    done
}
# Interrupted: every suite still running gets SIGTERM (each ends its own
# children and servers in its EXIT trap).
stop_all() {
    # shellcheck disable=SC2046
    kill $(descendants $$) 2>/dev/null
    wait
}
trap 'rm -rf "$logs"' EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

# ASan: fail on the first report; LeakSanitizer stays on.
export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# The suites: "ID LANE NAME... = SCRIPT ARGS..." (the name may have spaces).
# ID orders the report; LANE is 1, 2 or 3, or "alone" (after the lanes).
suites() {
    cat <<TABLE
01 1 unit = unit.sh $build
02 1 layers = layers.sh $build
03 1 labs = labs.sh $build
04 1 docs = docs.sh $build
05 1 sysctl = sysctl.sh $build
06 2 capture = capture.sh $build
07 2 launcher = launcher.sh $build
08 2 pause = pause.sh $build
09 2 classroom = classroom.sh $build
10 2 notes-zh = notes-zh.sh $build
11 3 translations = translations.sh $build
12 3 messages = messages.sh $build
13 3 zh = zh.sh $build
14 1 observe = observe.sh $build
15 alone dash = dash.sh $build
16 3 tui = tui.sh $build
17 3 server = server.sh $build
18 2 fuzz = fuzz.sh $build
19 2 install = install.sh $build
20 3 deb = deb.sh $build
21 alone stress = stress.sh $build short
22 2 unit (ASan+UBSan) = unit.sh $asan
23 3 labs (ASan+UBSan) = labs.sh $asan
24 2 server (ASan+UBSan) = server.sh $asan
TABLE
}

# run_lane LANE: the lane's suites, one after another; each into
# $logs/ID.log, with ID.status, ID.took and ID.name beside it.
run_lane() {
    want=$1
    suites | while read -r id lane rest; do
        [ "${CHECK_LANES:-3}" = 1 ] && [ "$lane" != alone ] && lane=1
        [ "$lane" = "$want" ] || continue
        name=${rest%% = *}
        # shellcheck disable=SC2086
        set -- ${rest#* = }
        script=$1; shift
        started=$(date +%s)
        sh "$here/suites/$script" "$@" >"$logs/$id.log" 2>&1 </dev/null
        echo $? >"$logs/$id.status"
        echo $(( $(date +%s) - started )) >"$logs/$id.took"
        echo "$name" >"$logs/$id.name"
        echo "# done: $name ($(cat "$logs/$id.took") s)"
    done
}

started=$(date +%s)
if [ "${CHECK_LANES:-3}" = 1 ]; then
    run_lane 1
else
    run_lane 1 & run_lane 2 & run_lane 3 &
    wait
fi
run_lane alone

passed=0
failed=0
timings=""
for status_file in "$logs"/*.status; do
    id=$(basename "$status_file" .status)
    name=$(cat "$logs/$id.name")
    log=$logs/$id.log
    echo "# suite: $name"
    cat "$log"
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    status=$(cat "$status_file")
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - suite $name exited with status $status"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    lane=$(suites | awk -v id="$id" '$1 == id { print $2 }')
    timings="$timings
# $(printf '%5d s  %-6s %s' "$(cat "$logs/$id.took")" "$lane" "$name")"
done
[ "$(ls "$logs"/*.status | wc -l)" -eq "$(suites | wc -l)" ] || {
    echo "not ok - not every suite ran ($(ls "$logs"/*.status | wc -l) of $(suites | wc -l))"
    failed=$((failed + 1))
}

echo "# how long each suite took, and its lane (load average now: $(cut -d' ' -f1-3 /proc/loadavg)):$timings"
echo "# all suites: $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
