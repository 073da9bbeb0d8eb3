#!/bin/sh
# run.sh BUILD [server] — the benchmarks; results (with the machine and the
# date) go to docs/performance.md, each part followed by the notes on what
# limits its figures: the socket-table tools (bench/socket-bench.c), then lab
# 11's server against nginx (bench/server.sh). With "server", only the
# server's part is measured again and the rest of the file is kept.
set -eu
build=${1:?usage: run.sh BUILD [server]}
out=docs/performance.md
server_heading="## Lab 11's server against nginx"
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
