#!/bin/sh
# labs.sh BUILD — every lab in BUILD/bin, run unattended: --auto --json must
# exit 0 with every line valid JSON and every expectation held (or skipped,
# with its reason), the key claims of tests/lab-claims.txt present, every step
# narrated and its source excerpt no longer than a projector screen (40
# lines), text mode must pass too, and --describe must name the lab it is.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: labs.sh BUILD}

# claim_held FILE TEXT: an expectation whose claim contains TEXT held.
claim_held() {
    jq -e --arg c "$2" 'select(.event == "expect" and .ok and (.claim | contains($c)))' \
        "$1" | grep -q .
}

# limit NN: how long lab NN may take. Lab 11 runs a dozen scenarios against
# two servers, some of which wait on purpose (a second of spinning,
# deadlines, a burst in SYN backoff): about 20 s alone, more under ASan on a
# busy machine.
limit() { if [ "$1" = 11 ]; then echo 60; else echo 30; fi; }

# Every lab's two runs (JSON and text), all at once; then each lab's checks.
for lab in "$build"/bin/lab[0-9][0-9]-*; do
    [ -x "$lab" ] || continue
    file=$(basename "$lab")
    nn=$(echo "$file" | cut -c4-5)
    at_once "$scratch" "$file.json" timeout "$(limit "$nn")" "$lab" --auto --json
    at_once "$scratch" "$file.txt" timeout "$(limit "$nn")" "$lab" --auto
done
all_done

for lab in "$build"/bin/lab[0-9][0-9]-*; do
    [ -x "$lab" ] || continue
    file=$(basename "$lab")                 # lab04-epoll-lt-vs-et
    nn=$(echo "$file" | cut -c4-5)
    out="$scratch/$file.json.out"
    alone_if_inconclusive "$scratch" "$file.json" timeout "$(limit "$nn")" "$lab" --auto --json
    alone_if_inconclusive "$scratch" "$file.txt" timeout "$(limit "$nn")" "$lab" --auto
    for again in "$scratch/$file".*.again; do
        [ -e "$again" ] && echo "# lab $nn ($again): $(tail -n 1 "$again")"
    done
    status=$(cat "$scratch/$file.json.status")
    check "lab $nn: --auto --json exits 0 (got $status)" [ "$status" -eq 0 ]
    check "lab $nn: every line is one JSON object" \
        sh -c "[ \"\$(jq -c 'select(type == \"object\" and has(\"event\"))' '$out' | wc -l)\" -eq \"\$(wc -l < '$out')\" ]"
    held=$(jq -s '[.[] | select(.event == "expect" and (.outcome == "held" or
                   (.outcome == "skipped" and (.why | length) > 0)))] | length' "$out" 2>/dev/null)
    total=$(jq -s '[.[] | select(.event == "expect")] | length' "$out" 2>/dev/null)
    check "lab $nn: at least 5 expectations, all held or skipped with a reason ($held of $total)" \
        [ "${total:-0}" -ge 5 -a "$held" = "$total" ]
    long=$(jq -r 'select(.event == "source" and (.lines | length) > 40) | .step' "$out" | tr '\n' ' ')
    check "lab $nn: every step's source excerpt fits 40 lines (too long: ${long:-none})" \
        [ -z "$long" ]
    silent=$(jq -rs '[.[] | select(.event == "step") | .step] - [.[] | select(.event == "say") | .step]
                     | map(tostring) | join(" ")' "$out")
    check "lab $nn: every step has narration (silent: ${silent:-none})" [ -z "$silent" ]
    check "lab $nn: the end event reports status 0" \
        sh -c "jq -e 'select(.event == \"end\") | .status == 0 and .failed == 0' '$out' >/dev/null"
    claims=$(grep "^$nn " "$(dirname "$0")/../lab-claims.txt" | cut -c4-)
    while IFS= read -r claim; do
        [ -n "$claim" ] || continue
        check "lab $nn: claim held: $claim" claim_held "$out" "$claim"
    done <<CLAIMS
$claims
CLAIMS
    # Every socket listed has a state and addresses, and the lab looked at
    # least once. A count over more than 8 sockets on the lab's ports is one
    # line, not a table: foreign sockets on one of its ephemeral port numbers
    # (other programs' connections that used the number) can make it so.
    looks=$(jq -rs '"\([.[] | select(.event == "observe")] | length) tables of \([.[] |
                     select(.event == "observe") | .sockets[]] | length) sockets, \([.[] |
                     select(.event == "result" and ((.text // "") |
                     test("sockets on the lab.s ports"))) ] | length) one-line counts"' "$out")
    check "lab $nn: its observations list sockets with a state and addresses ($looks)" \
        sh -c "jq -se '. as \$events | [.[] | select(.event == \"observe\") | .sockets[]] as \$s |
                        all(\$s[]; has(\"state\") and has(\"local\") and has(\"peer\")) and
                        ((\$s | length) > 0 or any(\$events[]; .event == \"result\" and
                         ((.text // \"\") | test(\"sockets on the lab.s ports\"))))' '$out' >/dev/null"
    check "lab $nn: text mode --auto exits 0" [ "$(cat "$scratch/$file.txt.status")" -eq 0 ]
    check "lab $nn: text mode ends with its totals" \
        grep -q "expectations: .* held, 0 failed" "$scratch/$file.txt.out"
    "$lab" --auto --json --bind 192.0.2.1 >"$scratch/$file.refused" 2>&1
    status=$?
    check "lab $nn: --bind of an address this machine lacks is refused before step 1 (exit 2)" \
        sh -c "[ $status -eq 2 ] && ! grep -q '\"event\":\"step\"' '$scratch/$file.refused'"
    if [ "$nn" = 01 ]; then    # its claims are about one address: the wildcard is refused
        "$lab" --auto --bind 0.0.0.0 >"$scratch/$file.wildcard" 2>&1
        status=$?
        check "lab 01: --bind 0.0.0.0 is refused with exit 2, not failed" \
            sh -c "[ $status -eq 2 ] && ! grep -q FAIL '$scratch/$file.wildcard'"
    fi
    check "lab $nn: --describe gives its number" \
        sh -c "'$lab' --describe | jq -e '.number == ($nn | tonumber) and (.title | length) > 0' >/dev/null"
done
lab_names_the_letter() {
    "$build/bin/lab01-byte-order" --auto -xyz >"$scratch/out" 2>"$scratch/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$scratch/err")" -eq 1 ] && grep -q "unknown option '-x'" "$scratch/err"
}
check "a lab names the unknown letter of an option cluster, not the option before it" \
    lab_names_the_letter
