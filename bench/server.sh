#!/bin/sh
# server.sh BUILD — lab 11's correct server against nginx under wrk, on
# loopback only; prints a Markdown section for docs/performance.md.
#
# Both servers answer GET / with the same page (nginx gets the body our
# server serves, through `return 200`), one worker, no access log,
# keep-alive requests unlimited. The server runs on CPU 0, wrk on CPU 1
# (taskset). Each load runs BENCH_RUNS times (default 5) for BENCH_SECONDS
# (default 10), the two servers taking turns; the table shows the median run.
set -eu
build=${1:?usage: server.sh BUILD}
server="$build/bin/lab11-epoll-server"
probe="$build/tests/http-probe"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
seconds=${BENCH_SECONDS:-10}
runs=${BENCH_RUNS:-5}
tmp=$(mktemp -d /tmp/socklab-bench.XXXXXX)
pids=""
cleanup() {
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    for pid in $pids; do wait "$pid" 2>/dev/null || true; done
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

server_cpu=0 client_cpu=1
[ "$(nproc)" -ge 2 ] || client_cpu=0

# until_file SECONDS FILE PATTERN: wait (bounded) until FILE has PATTERN.
until_file() {
    tries=$(($1 * 10))
    until grep -qs "$3" "$2"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || { echo "bench: $2 never showed '$3'" >&2; exit 1; }
        sleep 0.1
    done
}

# --- lab 11's server --------------------------------------------------------
taskset -c "$server_cpu" "$server" --serve --max-connections 20000 >"$tmp/ours.out" 2>&1 &
ours_pid=$!
pids="$pids $ours_pid"
until_file 10 "$tmp/ours.out" '^serving on'
ours_port=$(sed -n 's|^serving on http://127.0.0.1:\([0-9]*\)/$|\1|p' "$tmp/ours.out")
"$probe" "$ours_port" show / >"$tmp/ours.response"
sed '1,/^\r$/d' "$tmp/ours.response" >"$tmp/body"

# --- the notes' transcribed server, for what wrk reports of it ----------------
taskset -c "$server_cpu" "$server" --serve --notes >"$tmp/notes.out" 2>&1 &
notes_pid=$!
pids="$pids $notes_pid"
until_file 10 "$tmp/notes.out" '^serving'
notes_port=$(sed -n 's|^serving .* http://127.0.0.1:\([0-9]*\)/.*$|\1|p' "$tmp/notes.out")

# --- nginx, with a private prefix and configuration, on a free loopback port --
taskset -c "$server_cpu" "$server" --serve >"$tmp/probe-port.out" 2>&1 &
until_file 10 "$tmp/probe-port.out" '^serving on'
kill $! && wait $! 2>/dev/null || true
nginx_port=$(sed -n 's|^serving on http://127.0.0.1:\([0-9]*\)/$|\1|p' "$tmp/probe-port.out")
mkdir -p "$tmp/nginx"
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
    keepalive_requests 1000000000;
    keepalive_timeout 300s;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port backlog=4096;
        location = / {
            default_type text/html;
            return 200 '$(cat "$tmp/body")
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
until "$probe" "$nginx_port" show / >"$tmp/nginx.response" 2>/dev/null; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "bench: nginx did not start:" >&2; cat "$tmp/nginx/error.log" >&2; exit 1; }
    sleep 0.1
done
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)
sed '1,/^\r$/d' "$tmp/nginx.response" >"$tmp/nginx.body"
cmp -s "$tmp/body" "$tmp/nginx.body" || { echo "bench: nginx serves another body" >&2; exit 1; }
head_bytes() { sed '/^\r$/q' "$1" | wc -c; }

# --- one wrk run ---------------------------------------------------------------
# cpu_ticks PID: user + system time so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run NAME PID PORT CONNECTIONS [close]: appends "reqs p50_us p99_us cpu% errors"
# to $tmp/NAME.
run() {
    header=""
    [ "${5:-}" = close ] && header="Connection: close"
    before=$(cpu_ticks "$2")
    taskset -c "$client_cpu" wrk -t1 -c"$4" -d"${seconds}s" --latency ${header:+-H "$header"} \
        "http://127.0.0.1:$3/" >"$tmp/wrk.out" 2>&1
    after=$(cpu_ticks "$2")
    awk -v cpu="$(( (after - before) * 100 / ($(getconf CLK_TCK) * seconds) ))" '
        function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000;
                         if (v ~ /s$/) return v * 1000000; return v }
        /Requests\/sec:/ { reqs = $2 }
        /^ +50%/ { p50 = us($2) }
        /^ +99%/ { p99 = us($2) }
        /Socket errors:/ { errors += $4 + $6 + $8 + $10 }
        /Non-2xx/ { errors += $5 }
        END { printf "%d %d %d %d %d\n", reqs, p50, p99, cpu, errors }' "$tmp/wrk.out" >>"$tmp/$1"
}

# median NAME: the run with the median requests/s.
median() { sort -n "$tmp/$1" | awk '{ line[NR] = $0 } END { print line[int((NR + 1) / 2)] }'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
loads="keepalive-50:50: keepalive-1000:1000: close-50:50:close"
for load in $loads; do
    name=${load%%:*} rest=${load#*:}
    conns=${rest%%:*} mode=${rest#*:}
    for r in $(seq "$runs"); do
        run "ours-$name" "$ours_pid" "$ours_port" "$conns" "$mode"
        run "nginx-$name" "$nginx_worker" "$nginx_port" "$conns" "$mode"
    done
    run "notes-$name" "$notes_pid" "$notes_port" "$conns" "$mode"   # once: what wrk reports
done

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the section ------------------------------------------------------------------
us_text() { awk -v v="$1" 'BEGIN { if (v >= 1000) printf "%.2f ms", v / 1000; else printf "%d µs", v }'; }
per_cpu() { awk -v r="$1" -v c="$2" 'BEGIN { printf "%d", c ? r * 100 / c : 0 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

cat <<EOF

## Lab 11's server against nginx

Measured by \`make bench\` (bench/server.sh) on $(date -u '+%Y-%m-%d %H:%M UTC').

- machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores,
  kernel $(uname -sr)
- servers: lab 11's correct server (\`lab11-epoll-server --serve\`) and
  $("$nginx" -v 2>&1 | sed 's/^nginx version: //') (worker_processes 1, access_log off,
  keepalive_requests 1000000000), both answering GET / with the same
  $(wc -c <"$tmp/body")-byte page; response heads of $(head_bytes "$tmp/ours.response") bytes (ours) and
  $(head_bytes "$tmp/nginx.response") bytes (nginx): Server, Date, Content-Type, Content-Length, Connection
- load: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), one thread, ${seconds} s a run, median of ${runs} runs, the
  servers taking turns; server on CPU $server_cpu, wrk on CPU $client_cpu (taskset); loopback only
- the machine's load average (1, 5, 15 min): $load_before before, $load_after
  after (other work shares these two cores: the servers and wrk are not alone)
- server CPU: user + system time of the serving process (nginx: its worker)
  over the run, as a share of one core; below 100% the server waited for
  wrk, and requests per CPU-second compares the servers' own cost

| load | server | requests/s | p50 | p99 | server CPU | requests per CPU-second | errors | requests/s vs nginx | per CPU-second vs nginx |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
for load in $loads; do
    name=${load%%:*}
    set -- $(median "ours-$name")
    ours_reqs=$1 ours_p50=$2 ours_p99=$3 ours_cpu=$4 ours_errors=$5
    set -- $(median "nginx-$name")
    nginx_reqs=$1 nginx_p50=$2 nginx_p99=$3 nginx_cpu=$4 nginx_errors=$5
    case $name in
        keepalive-50) label="keep-alive, 50 connections" ;;
        keepalive-1000) label="keep-alive, 1,000 connections" ;;
        close-50) label="Connection: close, 50 connections (a connection a request)" ;;
    esac
    ours_eff=$(per_cpu "$ours_reqs" "$ours_cpu") nginx_eff=$(per_cpu "$nginx_reqs" "$nginx_cpu")
    echo "| $label | lab 11 | $ours_reqs | $(us_text "$ours_p50") | $(us_text "$ours_p99") | $ours_cpu% | $ours_eff | $ours_errors | $(ratio "$ours_reqs" "$nginx_reqs") | $(ratio "$ours_eff" "$nginx_eff") |"
    echo "| | nginx | $nginx_reqs | $(us_text "$nginx_p50") | $(us_text "$nginx_p99") | $nginx_cpu% | $nginx_eff | $nginx_errors | 1.00 | 1.00 |"
    set -- $(median "notes-$name")
    notes_eff=$(per_cpu "$1" "$4")
    echo "| | the notes' server | $1 | $(us_text "$2") | $(us_text "$3") | $4% | $notes_eff | $5 | $(ratio "$1" "$nginx_reqs") | $(ratio "$notes_eff" "$nginx_eff") |"
    echo "$name $(ratio "$ours_reqs" "$nginx_reqs") $ours_p99 $nginx_p99 $(ratio "$ours_eff" "$nginx_eff")" >>"$tmp/goals"
done

echo
echo "The notes' server (\`lab11-epoll-server --serve --notes\`, one run a load) closes"
echo "every connection after one reply: wrk counts each of those as a read error and"
echo "reconnects, so its requests/s are answers on new connections, one a connection,"
echo "whatever keep-alive the client asked for."
echo
echo "Against the goals (keep-alive: at least 1.2 x nginx's requests/s with a p99 no"
echo "worse; Connection: close: at least 1.0 x):"
echo
while read -r name r p99 nginx_p99 eff; do
    case $name in
        keepalive-*) goal=1.2 p99_text=", p99 $(us_text "$p99") vs $(us_text "$nginx_p99")" ;;
        *) goal=1.0 p99_text="" ;;
    esac
    met=$(awk -v r="$r" -v g="$goal" -v a="$p99" -v b="$nginx_p99" -v k="$name" \
        'BEGIN { ok = r >= g && (k !~ /^keepalive/ || a <= b); print ok ? "met" : "not met" }')
    echo "- $name: $r x nginx's requests/s$p99_text: $met ($eff x nginx's requests per CPU-second)"
done <"$tmp/goals"
