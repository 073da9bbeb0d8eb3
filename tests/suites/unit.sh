#!/bin/sh
# unit.sh BUILD — every cmocka unit test binary in BUILD/tests, in TAP.
build=${1:?usage: unit.sh BUILD}
status=0
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    CMOCKA_MESSAGE_OUTPUT=TAP timeout 60 "$t" || status=1
done
exit $status
