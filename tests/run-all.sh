#!/bin/sh
# run-all.sh BUILD ASAN_BUILD — every test suite, then one closing line:
#
#     N passed, N failed
#
# Each suite prints TAP ("ok N - ...", "not ok N - ..."); a suite that exits
# non-zero without reporting a failure (a crash, a sanitizer report) counts as
# one failure more. Exit status: 0 when nothing failed.
build=${1:?usage: run-all.sh BUILD ASAN_BUILD}
asan=${2:?usage: run-all.sh BUILD ASAN_BUILD}
here=$(dirname "$0")
log=$(mktemp /tmp/socklab-suite.XXXXXX)
trap 'rm -f "$log"' EXIT

# ASan: fail on the first report; LeakSanitizer stays on.
export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

passed=0
failed=0
timings=""
suite() {
    name=$1; shift
    echo "# suite: $name"
    started=$(date +%s)
    "$@" >"$log" 2>&1
    status=$?
    took=$(( $(date +%s) - started ))
    timings="$timings
# $(printf '%5d s  %s' "$took" "$name")"
    cat "$log"
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - suite $name exited with status $status"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
}

suite "unit" sh "$here/suites/unit.sh" "$build"
suite "layers" sh "$here/suites/layers.sh" "$build"
suite "labs" sh "$here/suites/labs.sh" "$build"
suite "docs" sh "$here/suites/docs.sh" "$build"
suite "sysctl" sh "$here/suites/sysctl.sh" "$build"
suite "capture" sh "$here/suites/capture.sh" "$build"
suite "launcher" sh "$here/suites/launcher.sh" "$build"
suite "pause" sh "$here/suites/pause.sh" "$build"
suite "classroom" sh "$here/suites/classroom.sh" "$build"
suite "notes-zh" sh "$here/suites/notes-zh.sh" "$build"
suite "translations" sh "$here/suites/translations.sh" "$build"
suite "messages" sh "$here/suites/messages.sh" "$build"
suite "zh" sh "$here/suites/zh.sh" "$build"
suite "observe" sh "$here/suites/observe.sh" "$build"
suite "dash" sh "$here/suites/dash.sh" "$build"
suite "tui" sh "$here/suites/tui.sh" "$build"
suite "server" sh "$here/suites/server.sh" "$build"
suite "fuzz" sh "$here/suites/fuzz.sh" "$build"
suite "install" sh "$here/suites/install.sh" "$build"
suite "deb" sh "$here/suites/deb.sh" "$build"
suite "stress" sh "$here/suites/stress.sh" "$build" short
suite "unit (ASan+UBSan)" sh "$here/suites/unit.sh" "$asan"
suite "labs (ASan+UBSan)" sh "$here/suites/labs.sh" "$asan"
suite "server (ASan+UBSan)" sh "$here/suites/server.sh" "$asan"

echo "# how long each suite took (load average now: $(cut -d' ' -f1-3 /proc/loadavg)):$timings"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
