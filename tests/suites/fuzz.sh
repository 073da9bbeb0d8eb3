#!/bin/sh
# fuzz.sh BUILD — lab 11's request path under libFuzzer (ASan and UBSan
# inside): the committed corpus replays clean, then a bounded run of new
# inputs finds nothing. The long run is `make fuzz`.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: fuzz.sh BUILD}
fuzzer="$build/fuzz/fuzz_request"
corpus="$(dirname "$0")/../fuzz/corpus"

"$fuzzer" -runs=0 "$corpus" >"$scratch/replay.log" 2>&1
check "the committed corpus ($(ls "$corpus" | wc -l) inputs) replays without a finding" [ $? -eq 0 ]
mkdir "$scratch/new"
timeout 60 "$fuzzer" -max_total_time=10 -timeout=5 -rss_limit_mb=1024 \
    -artifact_prefix="$scratch/" "$scratch/new" "$corpus" >"$scratch/run.log" 2>&1
status=$?
check "10 seconds of fuzzing find no crash, leak, undefined behaviour or cut-dependent answer" \
    [ "$status" -eq 0 ]
[ "$status" -eq 0 ] || tail -20 "$scratch/run.log"
# (libFuzzer's last line says how many: "Done N runs in S second(s)". Not
# the last "#N" of the log: the dictionary it recommends at the end quotes
# inputs, and an HTTP request may hold "#5".)
check "the fuzzer ran at least 1000 inputs" \
    sh -c "grep -Eo '^Done [0-9]+ runs' '$scratch/run.log' | grep -Eq '^Done [0-9]{4,} runs'"
