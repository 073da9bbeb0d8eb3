#!/bin/sh
# run.sh BUILD — the benchmarks; results (with the machine and the date) go to
# docs/performance.md, followed by the notes on what limits each figure.
set -eu
build=${1:?usage: run.sh BUILD}
out=docs/performance.md
"$build/bench/socket-bench" "$build" "$out.tmp" 10000 50000
cat bench/performance-notes.md >>"$out.tmp"
mv "$out.tmp" "$out"
echo "bench: results written to $out"
