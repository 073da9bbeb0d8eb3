#!/bin/sh
# translations.sh BUILD — the documents in Chinese are complete and in step
# with the English (po/docs/, made with po4a: docs/hacking.md):
#   - po/docs/zh_CN.po translates every paragraph of every document as the
#     document is now, none fuzzy, and holds no other (tools/docs-po.sh check,
#     which names each document that is not done); msgfmt --check accepts it;
#   - the build made the Chinese of every document po4a.cfg lists (every
#     lab's notes, the myths, the classroom, the dashboard, the README);
#   - each lab's Chinese notes list the same steps, numbered alike, as its
#     English notes; where the message catalog (po/zh_CN.po) translates a
#     step's title, the notes name the step as the lab does in Chinese;
#   - the Chinese myths have the same rows, M1..., citing the same lab steps;
#   - the check can fail: a copy of the documents with one English paragraph
#     changed is refused, naming that document.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: translations.sh BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)
zh="$root/$build/docs/zh_CN"

if sh "$root/tools/docs-po.sh" check >"$scratch/check" 2>&1; then
    ok "po/docs/zh_CN.po: every paragraph of every document translated, none fuzzy, in step ($(sed -n '1s/.*: //p' "$scratch/check"))"
else
    not_ok "po/docs/zh_CN.po: every paragraph of every document translated, none fuzzy, in step"
    sed 's/^/#   /' "$scratch/check"
fi
check "po/docs/zh_CN.po passes msgfmt --check" msgfmt --check -o /dev/null "$root/po/docs/zh_CN.po"

documents=$(sed -n 's/^\[type: text\] [^ ]* \$lang:\$lang\/\([^ ]*\).*/\1/p' "$root/po/docs/po4a.cfg")
missing=""
for doc in $documents; do
    [ -s "$zh/$doc" ] || missing="$missing $doc"
done
check "the build made every document in Chinese (${missing:+missing:}${missing:-$(echo $documents | wc -w) documents})" \
    [ -z "$missing" ]
for notes in "$root"/docs/labs/[0-9][0-9]-*.md; do
    name=$(basename "$notes")
    check "lab ${name%%-*}: its notes in Chinese ($build/docs/zh_CN/labs/$name)" test -s "$zh/labs/$name"
done

# step_numbers FILE: the numbers of the steps section's "N. **Title**" lines.
steps_section() { awk '/^## /{in_steps = ($0 == "## The steps" || $0 == "## 步骤")} in_steps' "$1"; }
step_numbers() { steps_section "$1" | sed -n 's/^\([0-9][0-9]*\)\. \*\*.*/\1/p' | tr '\n' ' '; }
# catalog: "English<tab>Chinese" for every translated message of po/zh_CN.po
# on one line (msgcat --no-wrap), quotes and backslashes unescaped.
msgattrib --translated --no-fuzzy --no-obsolete --no-wrap "$root/po/zh_CN.po" 2>/dev/null |
    awk '/^msgid "/ { id = substr($0, 8, length($0) - 8) }
         /^msgstr "/ { str = substr($0, 9, length($0) - 9); if (id != "") print id "\t" str }' |
    sed 's/\\"/"/g; s/\\\\/\\/g' >"$scratch/catalog"
# title FILE N: the title of step N in a notes file.
title() { steps_section "$1" | sed -n "s/^$2\\. \\*\\*\\(.*\\)\\*\\* —.*/\\1/p" | head -1; }
for notes in "$root"/docs/labs/[0-9][0-9]-*.md; do
    name=$(basename "$notes")
    nn=${name%%-*}
    [ -s "$zh/labs/$name" ] || continue
    english=$(step_numbers "$notes")
    chinese=$(step_numbers "$zh/labs/$name")
    check "lab $nn: the Chinese notes list the steps the English do (${english:-none})" \
        [ "$english" = "$chinese" ]
    differ=""
    for n in $english; do
        en=$(title "$notes" "$n")
        lab_zh=$(awk -F'\t' -v t="$en" '$1 == t { print $2; exit }' "$scratch/catalog")
        [ -n "$lab_zh" ] || continue              # the catalog has not translated it yet
        [ "$(title "$zh/labs/$name" "$n")" = "$lab_zh" ] || differ="$differ $n"
    done
    check "lab $nn: each step the catalog translates is named in the Chinese notes as the lab names it${differ:+ (not step$differ)}" \
        [ -z "$differ" ]
done

# The myths: the same ids, each citing the same steps: "06 · steps 2–4; 05 ·
# step 7" and "06 · 第 2–4 步；05 · 第 7 步" are both "06:2–4;05:7".
cited() {
    awk -F'|' '/^\| M[0-9]/ { id = $2; last = $(NF - 1); gsub(/ /, "", id); print id "\t" last }' "$1" |
        sed 's/ //g; s/steps\{0,1\}//g; s/第//g; s/步//g; s/、/,/g; s/；/;/g; s/·/:/g'
}
cited "$root/docs/myths.md" >"$scratch/myths.en"
cited "$zh/myths.md" >"$scratch/myths.zh"
if cmp -s "$scratch/myths.en" "$scratch/myths.zh" && [ -s "$scratch/myths.en" ]; then
    ok "the Chinese myths: the same $(wc -l <"$scratch/myths.en") rows, citing the same lab steps"
else
    not_ok "the Chinese myths: the same rows, citing the same lab steps"
    diff "$scratch/myths.en" "$scratch/myths.zh" | head -10 | sed 's/^/#   /'
fi

# The check can fail: one English paragraph changed in a copy of what it
# reads is a paragraph the PO does not translate.
mkdir -p "$scratch/tree"
(cd "$root" && tar cf - README.md docs po/docs tools/docs-po.sh) | (cd "$scratch/tree" && tar xf -)
sed -i '0,/^Closing a TCP connection takes four segments/s//Closing a TCP connection takes four segments, always/' \
    "$scratch/tree/docs/labs/06-time-wait.md"
sh "$scratch/tree/tools/docs-po.sh" check >"$scratch/changed" 2>&1
status=$?
check "a changed English paragraph fails the check, naming its document" \
    sh -c "[ $status -eq 1 ] && grep -q 'docs/labs/06-time-wait.md: 1 \\(untranslated\\|fuzzy\\)' '$scratch/changed' &&
           ! grep -q 'docs/labs/05' '$scratch/changed'"
exit $((tap_failed > 0))
