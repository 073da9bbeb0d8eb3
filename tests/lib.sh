# lib.sh — TAP output for the shell suites: "ok N - what" / "not ok N - what".
# Sourced by tests/suites/*.sh; run-all.sh counts the lines.

tap_n=0
ok()     { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }

# check "what" command...: ok when the command succeeds.
check() {
    what=$1; shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# wait_for SECONDS command...: retry the command every 0.1 s until it succeeds
# or the time is up. Every wait in the tests is bounded.
wait_for() {
    tries=$(( $1 * 10 )); shift
    while [ "$tries" -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

scratch=$(mktemp -d /tmp/socklab-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
