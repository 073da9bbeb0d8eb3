#!/bin/sh
# sysctl.sh BUILD — every lab under the non-default sysctl values a classroom
# server may have, each lab of each configuration in a fresh network
# namespace of its own (unshare -n, lo up; the host's settings are never
# touched): every lab's --auto --json must exit 0, i.e. no expectation
# failed. Half the runs (lab and configuration alternating) are instead an
# unprivileged user's, with --private --sysctl: the same settings in the lab's
# own network. Skipped and inconclusive expectations are not passes: they are
# counted and listed as TAP comments. Making namespaces needs root; without
# it, one SKIP line.
#
# Only per-namespace sysctls are set. A sysctl this kernel keeps global (not
# in a new namespace's /proc/sys, read-only there, or not under net.*) is
# reported and left alone, and that configuration is skipped, never applied
# to the host: on 6.18 net.core.wmem_max and rmem_max are global (a new
# namespace shows them read-only), as are tcp_mem, tcp_max_orphans and
# fs.epoll.max_user_watches; net.core.somaxconn and every net.ipv4 setting
# below are per namespace. tcp_max_tw_buckets is per namespace in both its
# limit and its count (a namespace with 5 keeps 5 of 10 while the host holds
# thousands), so a small value answers the same every time.

# One configuration per line: settings (KEY=VALUE, commas for the spaces in a
# value) applied together in one namespace. "defaults" is a fresh namespace's
# own values, the control.
configurations() {
    cat <<'TABLE'
defaults
net.ipv4.tcp_fin_timeout=5
net.ipv4.tcp_fin_timeout=90
net.ipv4.ip_nonlocal_bind=1
net.core.somaxconn=1
net.core.somaxconn=8
net.ipv4.tcp_max_syn_backlog=8
net.ipv4.tcp_abort_on_overflow=1
net.core.somaxconn=8 net.ipv4.tcp_max_syn_backlog=8 net.ipv4.tcp_abort_on_overflow=1 net.ipv4.tcp_syncookies=0
net.ipv4.tcp_syncookies=0
net.ipv4.tcp_syncookies=2
net.ipv4.tcp_syn_linear_timeouts=0
net.ipv4.tcp_tw_reuse=0
net.ipv4.tcp_tw_reuse=1
net.ipv4.tcp_timestamps=0
net.ipv4.tcp_rmem=4096,8192,16384
net.ipv4.tcp_wmem=4096,8192,16384
net.core.wmem_max=4608
net.ipv4.tcp_notsent_lowat=1
net.ipv4.tcp_rfc1337=1
net.ipv4.ip_local_port_range=40000,40100
net.ipv4.tcp_max_tw_buckets=0
net.ipv4.tcp_max_tw_buckets=10
net.ipv4.tcp_orphan_retries=1
net.ipv4.tcp_retries2=3
net.ipv4.tcp_rto_min_us=20000
net.ipv4.tcp_early_retrans=0
net.ipv4.tcp_keepalive_time=1 net.ipv4.tcp_keepalive_intvl=1 net.ipv4.tcp_keepalive_probes=1
net.ipv4.tcp_pingpong_thresh=3
net.ipv4.tcp_autocorking=0
net.ipv4.tcp_migrate_req=1
TABLE
}

# Inside a new namespace (this script again, under unshare -n):
#   sysctl.sh --in-namespace LAB DIR SETTINGS...
# brings lo up, applies the settings (DIR/NAME.applied says what happened to
# each), then runs the one lab into DIR/NAME.{json,err,status}.
if [ "$1" = "--in-namespace" ]; then
    lab=$2 dir=$3 name=$(basename "$2")
    shift 3
    ip link set lo up || exit 1
    applied=$dir/$name.applied
    : >"$applied"
    for setting in "$@"; do
        [ "$setting" = defaults ] && continue
        key=${setting%%=*}
        value=$(echo "${setting#*=}" | tr ',' ' ')
        file=/proc/sys/$(echo "$key" | tr . /)
        # Outside net.* (fs.epoll, ...) a write would reach the host: never.
        # Inside, a new namespace shows a global one read-only or not at all.
        if [ "${key#net.}" = "$key" ] || [ ! -e "$file" ] || [ ! -w "$file" ]; then
            echo "global $key" >>"$applied"
            continue
        fi
        echo "$value" 2>/dev/null >"$file"
        now=$(tr -s ' \t' '  ' <"$file")
        if [ "$now" = "$value" ]; then
            echo "set $key=$now" >>"$applied"
        else
            echo "refused $key: wrote '$value', reads '$now'" >>"$applied"
        fi
    done
    grep -qv '^set ' "$applied" && exit 0      # a configuration not made: no lab runs
    # Every other run (the lab's number plus the configuration's, odd) is an
    # unprivileged user's in a network of its own with the same settings
    # (--private --sysctl): what a student can do without root, at no extra
    # time. The others run here, as root, in this namespace.
    nn=$(echo "$name" | cut -c4-5)
    if [ $(( (${nn#0} + $(basename "$dir")) % 2 )) -eq 1 ] &&
       setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn test -x "$lab" 2>/dev/null; then
        echo private >"$dir/$name.mode"
        configured="$*"                 # one word each: commas stand for spaces
        set --
        for setting in $configured; do
            [ "$setting" = defaults ] || set -- "$@" --sysctl "$(echo "$setting" | tr ',' ' ')"
        done
        setpriv --reuid=65534 --regid=65534 --clear-groups timeout 60 "$lab" --auto --json \
            --private "$@" >"$dir/$name.json" 2>"$dir/$name.err"
    else
        timeout 60 "$lab" --auto --json >"$dir/$name.json" 2>"$dir/$name.err"
    fi
    echo $? >"$dir/$name.status"
    exit 0
fi

. "$(dirname "$0")/../lib.sh"
build=${1:?usage: sysctl.sh BUILD}

if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
    ok "# SKIP sysctl matrix: making network namespaces (unshare -n) needs root"
    exit 0
fi

lanes=""
trap 'stop_tree $lanes; cleanup' EXIT

# The jobs, one lab in one configuration each, the longest labs' first;
# each lane takes the next job when it is free (a counter under flock), one
# namespace after another, so no lane is left with the long ones at the end.
# SYSCTL_LANES, default 20: the labs mostly wait, on timers and on each other
# (the whole matrix: about 120 s of CPU, most of it the kernel's making and
# unmaking namespaces), and their timed claims hold on a busy machine or say
# inconclusive.
lane_count=${SYSCTL_LANES:-20}
started=$(date +%s)
configurations >"$scratch/table"
labs_longest_first "$build" >"$scratch/labs"
: >"$scratch/jobs"
while IFS= read -r lab; do
    [ -x "$lab" ] || continue
    i=0
    while IFS= read -r settings; do
        i=$((i + 1))
        echo "$i $lab $settings" >>"$scratch/jobs"
    done <"$scratch/table"
done <"$scratch/labs"
echo 0 >"$scratch/next"
# next_job: the number of the next job no lane has taken (1, 2, ...).
next_job() {
    flock "$scratch/next" sh -c 'n=$(($(cat "$1") + 1)); echo "$n" >"$1"; echo "$n"' - "$scratch/next"
}
for lane in $(seq "$lane_count"); do
    (
        while :; do
            j=$(next_job)
            job=$(sed -n "${j}p" "$scratch/jobs")
            [ -n "$job" ] || break
            set -- $job
            i=$1 lab=$2
            shift 2
            mkdir -p "$scratch/$i"
            name=$(basename "$lab")
            # shellcheck disable=SC2086
            unshare -n sh "$0" --in-namespace "$lab" "$scratch/$i" "$@" \
                >"$scratch/$i/$name.log" 2>&1
            echo $? >"$scratch/$i/$name.made"
        done
    ) &
    lanes="$lanes $!"
done
wait
lanes=""
# A run that the crowd of lanes made inconclusive (status 3: the machine was
# busy) runs again alone, in a fresh namespace, up to twice: the matrix
# judges the configuration, not the crowd. A failure never runs again.
while read -r i lab settings; do
    name=$(basename "$lab")
    for _ in 1 2; do
        [ "$(cat "$scratch/$i/$name.status" 2>/dev/null)" = 3 ] || break
        echo again >>"$scratch/$i/$name.again"
        # shellcheck disable=SC2086
        unshare -n sh "$0" --in-namespace "$lab" "$scratch/$i" $settings \
            >>"$scratch/$i/$name.log" 2>&1
    done
done <"$scratch/jobs"
took=$(($(date +%s) - started))

# verdicts FILE LABEL: the first line "FAILED SKIPPED INCONCLUSIVE END" (END:
# "H held, F failed" from the end event, or "none"); then one line per
# expectation that did not hold. (Older labs' events carry "ok" alone.)
verdicts() {
    jq -rs --arg who "$2" '
        [.[] | select(.event == "expect")
             | .o = (.outcome // (if .ok then "held" else "failed" end))] as $e
        | def n($o): [$e[] | select(.o == $o)] | length;
        ([.[] | select(.event == "end") | "\(.held) held, \(.failed) failed"] | first) as $summary
        | "\(n("failed")) \(n("skipped")) \(n("inconclusive")) \($summary // "none")",
          ($e[] | select(.o != "held")
                | "# \($who) \(.o): step \(.step): \(.claim)" + (if .why then " (\(.why))" else "" end))
    ' "$1" 2>/dev/null || echo "0 0 0 none"
}

labs=0 skipped=0 inconclusive=0 i=0
while IFS= read -r settings; do
    i=$((i + 1))
    dir=$scratch/$i
    config=$(echo "$settings" | sed 's/net\.ipv4\.//g; s/net\.core\.//g' | tr ',' ' ')
    made_all=true
    for made in "$dir"/*.made; do
        [ "$(cat "$made")" = 0 ] && continue
        made_all=false
        not_ok "$config: a fresh namespace with lo up for $(basename "$made" .made)"
        sed 's/^/# /' "${made%.made}.log"
    done
    $made_all || continue
    applied=$(ls "$dir"/*.applied | head -n 1)
    if grep -q '^global ' "$applied"; then
        ok "# SKIP $config: $(sed -n 's/^global //p' "$applied" | tr '\n' ' ')is global on this kernel (read-only or absent in a new network namespace): not changed, and no lab ran"
        continue
    fi
    check "$config: set in a fresh network namespace" sh -c "! grep -v '^set ' '$applied'"
    grep '^refused ' "$applied" | sed "s|^|# $config: |"
    for status_file in "$dir"/lab*.status; do
        [ -e "$status_file" ] || continue
        name=$(basename "$status_file" .status)
        json=$dir/$name.json
        nn=$(echo "$name" | cut -c4-5)
        status=$(cat "$status_file")
        verdicts "$json" "$config: lab $nn" >"$dir/$name.verdicts"
        read -r failed s n ended <"$dir/$name.verdicts"
        labs=$((labs + 1))
        skipped=$((skipped + s))
        inconclusive=$((inconclusive + n))
        how=""
        [ -e "$dir/$name.mode" ] && how=" (--private --sysctl, as nobody)"
        [ -e "$dir/$name.again" ] &&
            echo "# $config: lab $nn was inconclusive beside the other lanes: run again alone ($(wc -l <"$dir/$name.again") time(s))"
        if [ -n "$how" ] && [ "$status" -eq 2 ] && grep -q -- '--sysctl .*the kernel refused' "$dir/$name.err"; then
            ok "# SKIP $config: lab $nn$how: $(head -c 160 "$dir/$name.err")"
            continue
        fi
        check "$config: lab $nn$how exits 0 (status $status; $ended, $s skipped, $n inconclusive)" \
            [ "$status" -eq 0 -a "$failed" -eq 0 -a "$ended" != none ]
        tail -n +2 "$dir/$name.verdicts"
        if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
            tail -n 3 "$dir/$name.err" | sed "s|^|# $config: lab $nn: |"
        fi
    done
done <"$scratch/table"
echo "# sysctl matrix: $i configurations, $labs lab runs, $skipped skipped and $inconclusive inconclusive expectations, ${took} s in $lane_count lanes"
