#!/bin/sh
# messages.sh BUILD — the message catalog is complete and current (issue 24):
#   - po/socklab.pot is what the sources give now, and every po/LANG.po holds
#     exactly its messages (tools/update-po.sh --check): after a message
#     changed, `make po` was run;
#   - msgfmt --check: every translation takes the conversions its English
#     takes (%d, %s... in the same order or numbered), the header is whole;
#   - msgfmt --statistics: nothing untranslated, nothing fuzzy;
#   - and each check can fail: a copy of the tree with one message more in a
#     lab is stale, a catalog with one translation taken out is incomplete,
#     one whose translation drops a %d is refused.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: messages.sh BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)

check "po/socklab.pot and every po/LANG.po are what the sources give (make po was run)" \
    sh "$root/tools/update-po.sh" --check

for po in "$root"/po/*.po; do
    lang=$(basename "$po" .po)
    check "po/$lang.po: msgfmt --check (conversions as in the English, header whole)" \
        msgfmt --check -o /dev/null "$po"
    stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$po" 2>&1)
    echo "# po/$lang.po: $stats"
    check "po/$lang.po: every message translated, none fuzzy" \
        sh -c "echo '$stats' | grep -q '^[0-9]* translated messages\.$'"
done

# The checks can fail. A copy of what the catalog is made from, with one
# message more in a lab:
mkdir -p "$scratch/tree"
(cd "$root" && tar cf - Makefile tools src labs po) | (cd "$scratch/tree" && tar xf -)
sed -i 's|^    return sl_lab_end(lab);|    lab_say(lab, "A sentence nobody has translated yet.");\n&|' \
    "$scratch/tree/labs/01-byte-order.c"
out=$(sh "$scratch/tree/tools/update-po.sh" --check 2>&1)
if [ $? -ne 0 ] && echo "$out" | grep -q 'make po'; then
    ok "a new message in a lab makes the catalog stale, and the check says to run make po"
else
    not_ok "a new message in a lab makes the catalog stale (got: $out)"
fi
(cd "$scratch/tree" && sh tools/update-po.sh >/dev/null 2>&1)
check "... make po brings it in, untranslated" \
    sh -c "LC_ALL=C msgfmt --statistics -o /dev/null '$scratch/tree/po/zh_CN.po' 2>&1 |
           grep -q '1 untranslated message'"
check "... and the catalog is current again" sh "$scratch/tree/tools/update-po.sh" --check

# A translation that drops a conversion is refused by msgfmt --check.
awk 'BEGIN { done = 0 }
     !done && /^msgstr "第 %d 步"$/ { print "msgstr \"第几步\""; done = 1; next }
     { print }' "$root/po/zh_CN.po" >"$scratch/broken.po"
check "a translation that drops its %d is refused (msgfmt --check)" \
    sh -c "! msgfmt --check -o /dev/null '$scratch/broken.po' 2>/dev/null"

echo "1..$tap_n"
[ "$tap_failed" -eq 0 ]
