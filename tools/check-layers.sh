#!/bin/sh
# check-layers.sh TOP [LIBDIR] — the library's layers use only the layers below them.
#
# The library is four layers, each a folder of src/ and a static library:
#
#     base      errors, the clock, JSON, text fitting        (uses nothing of ours)
#     observe   kernel -> snapshot -> changes                 (uses base)
#     lab       the step engine, its text and JSON presenters (uses observe, base)
#     tui       ncurses widgets, the labs' --tui presenter    (uses lab, observe, base)
#
# and the programs stand on them: sockdash uses tui, observe and base, never the
# engine; the launcher uses observe and base; a lab uses lab, observe and base
# (its full screen comes from the engine). Tests and benchmarks may use anything.
#
# Two checks, each a line per breach and exit 1:
#  1. includes: a header belongs to the layer of its source (include/socklab/X.h
#     to the folder holding X.c; an _internal.h to its folder); no source
#     includes a header of a layer it may not use;
#  2. symbols (with LIBDIR): no library leaves undefined a symbol that only a
#     layer above it defines. A weak reference is allowed: the engine's to the
#     --tui presenter, which it runs without.
set -u
top=${1:?usage: check-layers.sh TOP [LIBDIR]}
libdir=${2:-}
cd "$top" || exit 2
layers="base observe lab tui"

rank() {
    r=0
    for l in $layers; do
        [ "$l" = "$1" ] && { echo $r; return; }
        r=$((r + 1))
    done
    echo 99
}

# The layer a quoted include names ("" when it is not the library's).
layer_of_header() {
    name=$(basename "$1" .h)
    for l in $layers; do
        case "$1" in
        socklab/*) [ -f "src/$l/$name.c" ] && { echo "$l"; return; } ;;
        *) [ -f "src/$l/$name.h" ] && { echo "$l"; return; } ;;
        esac
    done
}

# Which layers the code in a folder may use.
allowed_for() {
    case "$1" in
    src/base/*)     echo "base" ;;
    src/observe/*)  echo "base observe" ;;
    src/lab/*)      echo "base observe lab" ;;
    src/tui/*)      echo "base observe lab tui" ;;
    src/dash/*)     echo "base observe tui" ;;
    src/launcher/*|src/socklab.c) echo "base observe" ;;
    labs/*)         echo "base observe lab" ;;
    *)              echo "$layers" ;;
    esac
}

breaches=0
for file in $(find src labs -name '*.[ch]' | sort) $(find include/socklab -name '*.h' | sort); do
    case "$file" in
    include/socklab/*) own=$(layer_of_header "socklab/$(basename "$file")")
                       allowed=""
                       for l in $layers; do
                           [ "$(rank "$l")" -le "$(rank "$own")" ] && allowed="$allowed $l"
                       done ;;
    *) allowed=$(allowed_for "$file") ;;
    esac
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$file"); do
        layer=$(layer_of_header "$inc")
        [ -n "$layer" ] || continue
        case " $allowed " in
        *" $layer "*) ;;
        *) echo "check-layers: $file includes $inc, of the $layer layer, which it may not use (docs/hacking.md: the layers)"
           breaches=$((breaches + 1)) ;;
        esac
    done
done

if [ -n "$libdir" ]; then
    for l in $layers; do
        above=""
        seen=no
        for u in $layers; do
            [ "$seen" = yes ] && above="$above $u"
            [ "$u" = "$l" ] && seen=yes
        done
        [ -n "$above" ] || continue
        defined_above=$(for u in $above; do
                            nm --defined-only -g "$libdir/libsocklab-$u.a" 2>/dev/null
                        done | awk 'NF == 3 { print $3 }' | sort -u)
        # nm -u lists strong undefined symbols as "U"; weak ones ("w", "v") are allowed.
        for sym in $(nm -g "$libdir/libsocklab-$l.a" | awk '$1 == "U" { print $2 }' | sort -u); do
            if printf '%s\n' "$defined_above" | grep -qx "$sym"; then
                echo "check-layers: libsocklab-$l.a needs $sym, which only a layer above it defines"
                breaches=$((breaches + 1))
            fi
        done
    done
fi

[ "$breaches" -eq 0 ]
