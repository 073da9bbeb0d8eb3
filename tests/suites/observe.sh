#!/bin/sh
# observe.sh BUILD — sockdash --once against ss, on sockets the test puts into
# LISTEN, ESTABLISHED, CLOSE-WAIT, FIN-WAIT-2 and TIME-WAIT on loopback ports of
# its own; both sources (netlink and /proc) must list exactly what ss lists,
# and the TIME-WAIT timers must agree with ss -tano within 2 s. Then the
# answers to bad filters.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: observe.sh BUILD}
dash="$build/bin/sockdash"

trap 'release_test_sockets; cleanup' EXIT
hold_test_sockets "$build"
check "the test's sockets are ready (ports $port, $port6)" [ -n "$port" -a -n "$port6" ]
filter="( sport = :$port or dport = :$port or sport = :$port6 or dport = :$port6 )"

# "STATE LOCAL PEER", sorted, from ss and from sockdash.
ss -tanH "$filter" | awk '{print $1, $4, $5}' | sort >"$scratch/ss"
for state in LISTEN ESTAB CLOSE-WAIT FIN-WAIT-2 TIME-WAIT; do
    check "ss itself shows $state on the test's ports" grep -q "^$state " "$scratch/ss"
done
for source in netlink proc; do
    "$dash" --once --no-process --source "$source" --port "$port,$port6" >"$scratch/$source.txt"
    check "sockdash --once --source $source exits 0" [ $? -eq 0 ]
    tail -n +2 "$scratch/$source.txt" | awk '{print $1, $4, $5}' | sort >"$scratch/$source"
    check "sockdash --source $source lists exactly what ss lists" cmp -s "$scratch/ss" "$scratch/$source"
    [ -s "$scratch/$source" ] && cmp -s "$scratch/ss" "$scratch/$source" ||
        diff "$scratch/ss" "$scratch/$source" | sed 's/^/# /'
done

# TIME-WAIT timers: ss -tano says "timer:(timewait,58sec,0)"; sockdash --json timer_ms.
ss -tanoH state time-wait "$filter" | awk '{
        t = $NF; sub(/.*timewait,/, "", t); sub(/,.*/, "", t)   # 58sec, 1min, 1min2sec, 300ms
        ms = 0
        if (t ~ /min/) { split(t, a, "min"); ms += a[1] * 60000; t = a[2] }
        if (t ~ /sec/) { sub(/sec/, "", t); ms += t * 1000 } else if (t ~ /ms/) { sub(/ms/, "", t); ms += t }
        print $(NF - 2), $(NF - 1), ms }' | sort >"$scratch/ss-tw"
"$dash" --once --json --state time-wait --port "$port,$port6" |
    jq -r '"\(.local) \(.peer) \(.timer_ms)"' | sort >"$scratch/dash-tw"
check "ss and sockdash list the same TIME-WAIT sockets" \
    sh -c "[ -s '$scratch/ss-tw' ] && [ \"\$(cut -d' ' -f1,2 '$scratch/ss-tw')\" = \"\$(cut -d' ' -f1,2 '$scratch/dash-tw')\" ]"
check "every TIME-WAIT timer agrees with ss -tano within 2 s" \
    sh -c "paste -d' ' '$scratch/ss-tw' '$scratch/dash-tw' | awk '{ d = \$3 - \$6; if (d < 0) d = -d; if (d > 2000) bad = 1 } END { exit bad }'"

"$dash" --once --json --port "$port,$port6" >"$scratch/all.json"
check "--json: one valid object per socket" \
    sh -c "[ \$(jq -c . '$scratch/all.json' | wc -l) -eq \$(wc -l <'$scratch/ss') ]"
check "--json carries tcp_info (rtt, rto, cwnd) for every ESTAB socket" \
    sh -c "jq -se '[.[] | select(.state == \"ESTAB\")] | length == 4 and
                   all(has(\"rtt_us\") and .rto_us >= 200000 and .cwnd > 0)' '$scratch/all.json' >/dev/null"
check "--json names the process that holds both listeners" \
    sh -c "jq -se '[.[] | select(.state == \"LISTEN\") | .command] | length == 2 and all(. == \"tcp-states\")' '$scratch/all.json' >/dev/null"
check "--process keeps the sockets of that command (a TIME-WAIT has none)" \
    sh -c "[ \$('$dash' --once --process tcp-states --port $port,$port6 | tail -n +2 | wc -l) -eq 8 ]"
check "--process with a pid does the same" \
    sh -c "[ \$('$dash' --once --process $holder --port $port,$port6 | tail -n +2 | wc -l) -eq 8 ]"
check "--process of no such command lists nothing" \
    sh -c "[ \$('$dash' --once --process no-such-cmd --port $port,$port6 | tail -n +2 | wc -l) -eq 0 ]"
check "--state listen keeps the two listeners only" \
    sh -c "[ \$('$dash' --once --state listen --port $port,$port6 | tail -n +2 | wc -l) -eq 2 ]"
check "--state closing keeps FIN-WAIT-2, CLOSE-WAIT and TIME-WAIT" \
    sh -c "'$dash' --once --state closing --port $port | tail -n +2 | awk '{print \$1}' | sort -u | tr '\n' ' ' | grep -qx 'CLOSE-WAIT FIN-WAIT-2 TIME-WAIT '"

# bad input: one line on stderr, exit 2
one_line_exit_2() {
    "$dash" "$@" >"$scratch/out" 2>"$scratch/err"
    [ $? -eq 2 ] && [ "$(wc -l <"$scratch/err")" -eq 1 ] && [ ! -s "$scratch/out" ]
}
check "--port 99999: one line, exit 2" one_line_exit_2 --once --port 99999
check "--port 90-80: one line, exit 2" one_line_exit_2 --once --port 90-80
check "--port http: one line, exit 2" one_line_exit_2 --once --port http
check "--state nonsense: one line, exit 2" one_line_exit_2 --once --state nonsense
check "--source carrier-pigeon: one line, exit 2" one_line_exit_2 --once --source carrier-pigeon
check "an unknown option: one line, exit 2" one_line_exit_2 --frobnicate
check "--json without --once: one line, exit 2" one_line_exit_2 --json
check "a stray argument: one line, exit 2" one_line_exit_2 --once 8080
check "--port 0 (every listener's peer is *:0): one line, exit 2" one_line_exit_2 --once --port 0
for ports in 80, ,80 80,,81; do
    check "--port $ports (an empty item): one line, exit 2" one_line_exit_2 --once --port "$ports"
done
check "--state listen,,estab: one line, exit 2" one_line_exit_2 --once --state listen,,estab
names_the_letter() { one_line_exit_2 "$@" && grep -q "unknown option '-x'" "$scratch/err"; }
check "an option cluster names its unknown letter, not the option before it" \
    names_the_letter --once -xyz
