#!/bin/sh
# run.sh BUILD [server] — the benchmarks; results (with the machine and the
# date) go to docs/performance.md, each part followed by the notes on what
# limits its figures: the socket-table tools (bench/socket-bench.c), then lab
# 11's server against nginx (bench/server.sh). With "server", only the
# server's part is measured again and the rest of the file is kept.
#
# BENCH_QUICK=1 (with "server"): one short run a load, to see the benchmark
# works; written to BUILD/performance-quick.md, docs/performance.md untouched.
set -eu
build=${1:?usage: run.sh BUILD [server]}
out=docs/performance.md
server_heading="## Lab 11's server against nginx"
if [ -n "${BENCH_QUICK:-}" ] && [ "${2:-}" = server ]; then
    sh bench/server.sh "$build" >"$build/performance-quick.md"
    echo "bench: a quick run (not for docs/performance.md) written to $build/performance-quick.md"
    exit 0
fi
if [ "${2:-}" = server ] && [ -f "$out" ]; then
    awk -v h="$server_heading" '$0 == h { exit } /^$/ { blank++; next }
        { for (; blank; blank--) print ""; print }' "$out" >"$out.tmp"
else
    "$build/bench/socket-bench" "$build" "$out.tmp" 10000 50000 100000
    cat bench/performance-notes.md >>"$out.tmp"
fi
sh bench/server.sh "$build" >>"$out.tmp"
cat bench/server-notes.md >>"$out.tmp"
mv "$out.tmp" "$out"
echo "bench: results written to $out"
