#!/bin/sh
# layers.sh BUILD — the library's layers use only the layers below them
# (tools/check-layers.sh, which every build runs too), and the check can fail:
#   - the tree as it is passes, includes and symbols;
#   - a copy of the tree where observe includes the engine's header is refused;
#   - libraries where observe needs an engine symbol are refused;
#   - the engine's weak reference to the --tui presenter is the one allowed.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: layers.sh BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)
checker="$root/tools/check-layers.sh"

check "the tree keeps its layers (includes and symbols)" \
    sh "$checker" "$root" "$build/lib"

mkdir -p "$scratch/tree"
(cd "$root" && tar cf - src include labs) | (cd "$scratch/tree" && tar xf -)
echo '#include "socklab/lab.h"' >>"$scratch/tree/src/observe/watch.c"
out=$(sh "$checker" "$scratch/tree" 2>&1)
if [ $? -ne 0 ] && echo "$out" | grep -q 'src/observe/watch.c includes socklab/lab.h, of the lab layer'; then
    ok "an include of a layer above is refused, naming the file and the layer"
else
    not_ok "an include of a layer above is refused (got: $out)"
fi

printf '#include "socklab/tui.h"\n' >"$scratch/tree/src/dash/extra.c"
sed -i '$d' "$scratch/tree/src/observe/watch.c"
out=$(sh "$checker" "$scratch/tree" 2>&1)
if [ $? -ne 0 ] && ! echo "$out" | grep -q 'src/dash/extra.c'; then
    not_ok "sockdash may use the widgets (got: $out)"
else
    printf '#include "socklab/lab.h"\n' >"$scratch/tree/src/dash/extra.c"
    out=$(sh "$checker" "$scratch/tree" 2>&1)
    if [ $? -ne 0 ] && echo "$out" | grep -q 'src/dash/extra.c includes socklab/lab.h'; then
        ok "sockdash may use the widgets but never the engine"
    else
        not_ok "sockdash including the engine is refused (got: $out)"
    fi
fi

mkdir -p "$scratch/lib"
cp "$build"/lib/libsocklab-*.a "$scratch/lib/"
printf 'int sl_lab_port(void *lab, int index);\nint uses_the_engine(void);\nint uses_the_engine(void) { return sl_lab_port(0, 0); }\n' \
    >"$scratch/upward.c"
cc -c "$scratch/upward.c" -o "$scratch/upward.o" && ar rs "$scratch/lib/libsocklab-observe.a" "$scratch/upward.o" 2>/dev/null
out=$(sh "$checker" "$root" "$scratch/lib" 2>&1)
if [ $? -ne 0 ] && echo "$out" | grep -q 'libsocklab-observe.a needs sl_lab_port'; then
    ok "a library that needs a symbol of a layer above is refused"
else
    not_ok "a library that needs a symbol of a layer above is refused (got: $out)"
fi

if nm -g "$build/lib/libsocklab-lab.a" | grep -q ' w sl_tui_presenter$'; then
    ok "the engine's reference to the --tui presenter is weak (it links without ncurses)"
else
    not_ok "the engine's reference to the --tui presenter is weak"
fi
exit $((tap_failed > 0))
