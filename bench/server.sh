#!/bin/sh
# server.sh BUILD — lab 11's correct server, nginx and the notes' server under
# wrk, on loopback only; prints a Markdown section for docs/performance.md.
#
# What is compared is each server's own CPU per request: the user + system
# time of the serving process (nginx: its one worker) over a run, divided by
# the responses wrk counted. On a 2-core machine with one wrk thread the
# server is often not saturated, and then requests/s measures wrk and the
# neighbours more than the server; its CPU per request does not.
#
# Loads: keep-alive at 50 and 1,000 connections, Connection: close at 50,
# pipelined 16 deep (bench/pipeline.lua) at 50 and 256; each for the small
# built-in page, a 4 KiB and a 64 KiB file. Every load runs BENCH_RUNS times
# (default 7) for BENCH_SECONDS (default 5), the servers taking turns in a
# rotating order; the table shows the median and the spread (min-max). The
# servers run on CPU 0, wrk on CPU 1 (taskset). BENCH_QUICK=1: one run of
# 1 s a load, to see it works.
set -eu
build=${1:?usage: server.sh BUILD}
server="$build/bin/lab11-epoll-server"
probe="$build/tests/http-probe"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
pipeline_lua="$(cd "$(dirname "$0")" && pwd)/pipeline.lua"
seconds=${BENCH_SECONDS:-5}
runs=${BENCH_RUNS:-7}
if [ -n "${BENCH_QUICK:-}" ]; then seconds=1 runs=1; fi
tmp=$(mktemp -d /tmp/socklab-bench.XXXXXX)
pids=""
cleanup() {
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    for pid in $pids; do wait "$pid" 2>/dev/null || true; done
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# 1,000 connections for wrk, as many for the servers.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

server_cpu=0 client_cpu=1
[ "$(nproc)" -ge 2 ] || client_cpu=0
tck=$(getconf CLK_TCK)

# until_file SECONDS FILE PATTERN: wait (bounded) until FILE has PATTERN.
until_file() {
    tries=$(($1 * 10))
    until grep -qs "$3" "$2"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || { echo "bench: $2 never showed '$3'" >&2; exit 1; }
        sleep 0.1
    done
}
port_of() { sed -n 's|^serving.* http://127.0.0.1:\([0-9]*\)/.*$|\1|p' "$1"; }

# The bodies: the built-in page at /, and two files under one root.
mkdir -p "$tmp/root"
chmod 755 "$tmp" "$tmp/root"       # nginx started as root serves as nobody
head -c 4096 /dev/urandom >"$tmp/root/4k.bin"
head -c 65536 /dev/urandom >"$tmp/root/64k.bin"
bodies="small:/ 4k:/4k.bin 64k:/64k.bin"

# --- lab 11's server ---------------------------------------------------------
taskset -c "$server_cpu" "$server" --serve --root "$tmp/root" --max-connections 20000 \
    >"$tmp/ours.out" 2>&1 &
ours_pid=$!
pids="$pids $ours_pid"
until_file 10 "$tmp/ours.out" '^serving on'
ours_port=$(port_of "$tmp/ours.out")
"$probe" "$ours_port" show / >"$tmp/ours.small"
sed '1,/^\r$/d' "$tmp/ours.small" >"$tmp/page"

# --- the notes' transcribed server, one for each body --------------------------
for body in $bodies; do
    name=${body%%:*} path=${body#*:}
    set -- --serve --notes
    [ "$name" = small ] || set -- "$@" --notes-body "$tmp/root$path"
    taskset -c "$server_cpu" "$server" "$@" >"$tmp/notes-$name.out" 2>&1 &
    eval "notes_${name}_pid=$!"
    pids="$pids $!"
    until_file 10 "$tmp/notes-$name.out" '^serving'
    eval "notes_${name}_port=$(port_of "$tmp/notes-$name.out")"
done

# --- nginx, with a private prefix and configuration, on a free loopback port --
taskset -c "$server_cpu" "$server" --serve >"$tmp/probe-port.out" 2>&1 &
until_file 10 "$tmp/probe-port.out" '^serving on'
kill $! && wait $! 2>/dev/null || true
nginx_port=$(port_of "$tmp/probe-port.out")
mkdir -p "$tmp/nginx"
# The same page at / (return 200, the body our server serves), the same files
# under the same root; no ETag and no Accept-Ranges (max_ranges 0), so both
# send Server, Date, Content-Type, Content-Length, (for files) Last-Modified,
# and Connection. sendfile, tcp_nopush and open_file_cache as a tuned nginx
# serves static files; keep-alive unlimited (1.22 closes after 1,000).
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 16384; }
http {
    access_log off;
    server_tokens off;
    types { }
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 1s;
    etag off;
    max_ranges 0;
    keepalive_requests 1000000000;
    keepalive_timeout 300s;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port backlog=4096;
        root $tmp/root;
        location = / {
            default_type text/html;
            return 200 '$(cat "$tmp/page")
';
        }
    }
}
EOF
taskset -c "$server_cpu" "$nginx" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" \
    -e "$tmp/nginx/error.log" 2>>"$tmp/nginx/error.log" &
nginx_pid=$!
pids="$pids $nginx_pid"
tries=50
until "$probe" "$nginx_port" show / >"$tmp/nginx.small" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "bench: nginx did not start:" >&2; cat "$tmp/nginx/error.log" >&2; exit 1; }
    sleep 0.1
done
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)

# Both serve the same bytes with the same headers: checked, and counted.
head_of() { sed '/^\r$/q' "$1"; }
names_of() { head_of "$1" | sed -n 's/^\([A-Za-z-]*\):.*/\1/p' | sort | tr '\n' ' '; }
for body in $bodies; do
    name=${body%%:*} path=${body#*:}
    "$probe" "$ours_port" show "$path" >"$tmp/ours.$name"
    "$probe" "$nginx_port" show "$path" >"$tmp/nginx.$name"
    sed '1,/^\r$/d' "$tmp/ours.$name" >"$tmp/ours.$name.body"
    sed '1,/^\r$/d' "$tmp/nginx.$name" >"$tmp/nginx.$name.body"
    cmp -s "$tmp/ours.$name.body" "$tmp/nginx.$name.body" ||
        { echo "bench: nginx serves another body at $path" >&2; exit 1; }
    [ "$(names_of "$tmp/ours.$name")" = "$(names_of "$tmp/nginx.$name")" ] ||
        { echo "bench: other headers at $path: $(names_of "$tmp/ours.$name") / $(names_of "$tmp/nginx.$name")" >&2; exit 1; }
done

# --- one wrk run ---------------------------------------------------------------
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run SERVER PID PORT LOAD BODY PATH: appends "LOAD BODY SERVER reqs/s p50_us
# p99_us cpu% cpu_us_per_request errors" to $tmp/results.
run() {
    case $4 in
        keepalive-*) conns=${4#keepalive-} ;;
        close-*) conns=${4#close-} ;;
        pipelined-*) conns=${4#pipelined-} ;;
    esac
    header="" script=""
    case $4 in
        close-*) header="Connection: close" ;;      # (wrk wants the space after the colon)
        pipelined-*) script="$pipeline_lua" ;;
    esac
    before=$(cpu_ticks "$2")
    taskset -c "$client_cpu" wrk -t1 -c"$conns" -d"${seconds}s" --latency ${header:+-H "$header"} \
        ${script:+-s "$script"} "http://127.0.0.1:$3$6" ${script:+-- 16} >"$tmp/wrk.out" 2>&1 || true
    after=$(cpu_ticks "$2")
    { echo "== $1 $4 $5"; cat "$tmp/wrk.out"; } >>"$tmp/wrk.log"   # kept with BENCH_KEEP=1
    awk -v ticks="$((after - before))" -v tck="$tck" -v s="$seconds" -v tag="$4 $5 $1" '
        function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000;
                         if (v ~ /s$/) return v * 1000000; return v }
        / requests in / { total = $1 }
        /Requests\/sec:/ { reqs = $2 }
        /^ +50%/ { p50 = us($2) }
        /^ +99%/ { p99 = us($2) }
        /Socket errors:/ { errors += $4 + $6 + $8 + $10 }
        /Non-2xx/ { errors += $5 }
        END { cpu = ticks * 1000000 / tck
              printf "%s %d %d %d %d %.2f %d\n", tag, reqs, p50, p99, cpu / (s * 10000),
                     total ? cpu / total : 0, errors }' "$tmp/wrk.out" >>"$tmp/results"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
loads="keepalive-50 keepalive-1000 close-50 pipelined-50 pipelined-256"
for load in $loads; do
    for body in $bodies; do
        name=${body%%:*} path=${body#*:}
        eval "notes_pid=\$notes_${name}_pid notes_port=\$notes_${name}_port"
        for r in $(seq "$runs"); do
            # The order rotates, so no server always follows the same one.
            for k in 0 1 2; do
                case $(( (r + k) % 3 )) in
                    0) run ours "$ours_pid" "$ours_port" "$load" "$name" "$path" ;;
                    1) run nginx "$nginx_worker" "$nginx_port" "$load" "$name" "$path" ;;
                    2) run notes "$notes_pid" "$notes_port" "$load" "$name" "$path" ;;
                esac
            done
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the section -----------------------------------------------------------------
# stat LOAD BODY SERVER FIELD: "median min max" of a column (4: reqs/s, 6: p99,
# 7: cpu%, 8: cpu us/request) over the runs; FIELD 9 (errors): their sum.
stat() {
    awk -v key="$1 $2 $3" -v f="$4" '$1 " " $2 " " $3 == key { print $f }' "$tmp/results" |
        sort -g | awk -v f="$4" '{ v[NR] = $1; sum += $1 }
            END { if (f == 9) { print sum; exit }
                  printf "%s %s %s\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
# (wrk gives no p99 at times under pipelining: it prints 0.00us.)
us_text() { awk -v v="$1" 'BEGIN { if (v <= 0) printf "–"; else if (v >= 1000) printf "%.2f ms", v / 1000;
                                  else printf "%d µs", v }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
label() {
    case $1 in
        keepalive-50) echo "keep-alive, 50 connections" ;;
        keepalive-1000) echo "keep-alive, 1,000 connections" ;;
        close-50) echo "Connection: close, 50 connections" ;;
        pipelined-50) echo "pipelined 16 deep, 50 connections" ;;
        pipelined-256) echo "pipelined 16 deep, 256 connections" ;;
    esac
}
body_label() {
    case $1 in
        small) echo "page ($(wc -c <"$tmp/page") B)" ;;
        4k) echo "4 KiB" ;;
        64k) echo "64 KiB" ;;
    esac
}
head_bytes() { head_of "$1" | wc -c; }
busy=$(awk -v l="${load_before%% *}" 'BEGIN { print (l > 0.5 ? "yes" : "no") }')

cat <<EOF

## Lab 11's server against nginx

Measured by \`make bench-server\` (bench/server.sh) on $(date -u '+%Y-%m-%d %H:%M UTC').

- machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores,
  kernel $(uname -sr)
- the machine's load average (1, 5, 15 min): $load_before before, $load_after after
EOF
if [ "$busy" = yes ]; then
    cat <<EOF
- **the machine was busy** (other work shared these two cores): every figure
  below is as much the neighbours' as the servers'. They show the benchmark
  runs; a quiet machine gives the figures to judge by (re-run it there).
EOF
fi
cat <<EOF
- servers: lab 11's correct server (\`lab11-epoll-server --serve --root DIR\`),
  $("$nginx" -v 2>&1 | sed 's/^nginx version: //') (the configuration below), and the notes' transcribed
  server (\`--serve --notes\`, \`--notes-body FILE\` for the files), each pinned
  to CPU $server_cpu; wrk on CPU $client_cpu (taskset); loopback only
- the same bytes from both: the built-in page at / (nginx: \`return 200\` with
  its body) and two files under one root; the same response headers (Server,
  Date, Content-Type, Content-Length, Last-Modified for files, Connection), of
  $(head_bytes "$tmp/ours.small"), $(head_bytes "$tmp/ours.4k") and $(head_bytes "$tmp/ours.64k") bytes from lab 11 and $(head_bytes "$tmp/nginx.small"), $(head_bytes "$tmp/nginx.4k") and $(head_bytes "$tmp/nginx.64k") from nginx
  (page, 4 KiB, 64 KiB; "Server: socklab" is 2 bytes longer than "Server: nginx")
- load: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), one thread, ${seconds} s a run, ${runs} runs a load and
  server, the servers taking turns in a rotating order; pipelined: 16 requests
  a write (bench/pipeline.lua), each response counted
- **CPU per request**: user + system time of the serving process (nginx: its
  worker) over the run, divided by the responses wrk counted; the median of
  the runs and, in brackets, the lowest and the highest. Server CPU: the
  share of one core it used (below 100%, it waited for wrk). p99: wrk's
  99th percentile of latency, the median of the runs (under pipelining wrk
  times one response a batch, and at times prints none: "–")

The nginx configuration (\`\$T\` is the run's temporary directory):

\`\`\`nginx
$(sed "s|$tmp|\$T|g" "$tmp/nginx/nginx.conf")
\`\`\`

| load | body | server | CPU per request | requests/s | p99 | server CPU | errors |
|---|---|---|---:|---:|---:|---:|---:|
EOF
for load in $loads; do
    for body in $bodies; do
        name=${body%%:*}
        first="| $(label "$load") | $(body_label "$name")"
        for who in ours nginx notes; do
            case $who in ours) title="lab 11" ;; nginx) title=nginx ;; notes) title="the notes' server" ;; esac
            set -- $(stat "$load" "$name" "$who" 8)
            cpu_text="$1 µs [$2–$3]"
            set -- $(stat "$load" "$name" "$who" 4)
            reqs_text="$1 [$2–$3]"
            set -- $(stat "$load" "$name" "$who" 6)
            p99=$(us_text "$1")
            set -- $(stat "$load" "$name" "$who" 7)
            echo "$first | $title | $cpu_text | $reqs_text | $p99 | $1% | $(stat "$load" "$name" "$who" 9) |"
            first="| |"
        done
    done
done

cat <<'EOF'

The notes' server closes every connection after one reply: wrk counts each
close as a read error and reconnects, so its figures are one response a
connection whatever the load asked for, and pipelined requests after the
first are lost.

### The goals, judged on CPU per request

EOF
# goal LOAD BODY LIMIT WHAT [p99]: lab 11's median CPU per request against
# LIMIT x nginx's (and its p99 no worse, with "p99").
goal() {
    ours=$(stat "$1" "$2" ours 8 | cut -d' ' -f1) theirs=$(stat "$1" "$2" nginx 8 | cut -d' ' -f1)
    ours_p99=$(stat "$1" "$2" ours 6 | cut -d' ' -f1) nginx_p99=$(stat "$1" "$2" nginx 6 | cut -d' ' -f1)
    r=$(ratio "$ours" "$theirs")
    reqs=$(ratio "$(stat "$1" "$2" ours 4 | cut -d' ' -f1)" "$(stat "$1" "$2" nginx 4 | cut -d' ' -f1)")
    met=$(awk -v r="$r" -v l="$3" -v a="$ours_p99" -v b="$nginx_p99" -v p="${5:-}" \
        'BEGIN { print ((r > 0 && r <= l && (p == "" || a <= b)) ? "**met**" : "**not met**") }')
    p99_text=""
    [ -z "${5:-}" ] || p99_text=", p99 $(us_text "$ours_p99") against $(us_text "$nginx_p99")"
    echo "- $4: $r x nginx's CPU per request (goal: at most $3 x)$p99_text; $reqs x its requests/s: $met"
}
goal keepalive-50 small 0.8 "keep-alive, 50 connections, the page" p99
goal keepalive-1000 small 0.8 "keep-alive, 1,000 connections, the page" p99
goal close-50 small 1.0 "Connection: close, 50 connections, the page"
goal pipelined-50 small 0.25 "pipelined 16 deep, 50 connections, the page (4 x nginx's requests per CPU-second)"
goal pipelined-256 small 0.25 "pipelined 16 deep, 256 connections, the page"
goal keepalive-50 64k 1.0 "a 64 KiB body, keep-alive, 50 connections"
