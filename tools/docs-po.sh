#!/bin/sh
# docs-po.sh build DIR | update | check — the documents a student reads, in
# other languages, through po4a (po/docs/po4a.cfg lists them; po/docs/LANG.po
# holds each language's translation; docs/hacking.md says how to work with it).
#
#   build DIR  the translated documents, DIR/LANG/labs/NN-name.md and the
#              rest, from the documents as they are and the PO files as they
#              are (which it never changes): a paragraph the PO does not
#              translate yet stays English, and a document less than 80%
#              translated is not written at all (po4a's own threshold), so
#              socklab shows the English notes instead. `make` runs it.
#   update     po/docs/socklab-docs.pot extracted again from the documents and
#              each po/docs/LANG.po merged with it: a new paragraph comes
#              untranslated, a changed one fuzzy with its previous English
#              beside it (#| msgid). `make po` runs it; then translate those.
#   check      change nothing; say, document by document, what is untranslated
#              or fuzzy, and whether the PO files are in step with the
#              documents (what update would write). Exit 1 when anything is
#              untranslated, fuzzy or out of step.
#
# The README's part for students and instructors is everything before its
# "## The house": the rest is for the people who work on socklab. It is cut
# into the work folder under the name README.md, which po4a looks in first
# (--destdir), so the POT names it README.md, with the README's own lines.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
config=po/docs/po4a.cfg
pot=po/docs/socklab-docs.pot
usage() { echo "usage: docs-po.sh build DIR | update | check" >&2; exit 2; }
mode=${1:-}
case $mode in
build) [ $# -eq 2 ] || usage; out=$2 ;;
update|check) [ $# -eq 1 ] || usage ;;
*) usage ;;
esac
for tool in po4a msgfmt msgattrib msgcmp; do
    command -v "$tool" >/dev/null ||
        { echo "docs-po.sh: $tool is missing: install po4a and gettext." >&2; exit 2; }
done
work=$(mktemp -d /tmp/socklab-docs-po.XXXXXX)
trap 'rm -rf "$work"' EXIT

# user_readme DIR: the README up to "## The house", as DIR/README.md.
user_readme() {
    grep -q '^## The house$' README.md ||
        { echo "docs-po.sh: README.md has no '## The house' section to stop before." >&2; exit 2; }
    sed '/^## The house$/,$d' README.md >"$1/README.md"
}
# po4a quietly, with the cut README in DIR; its messages only when it fails.
run_po4a() {
    dir=$1
    shift
    if ! po4a --destdir "$dir" "$@" "$config" >"$work/po4a.log" 2>&1; then
        cat "$work/po4a.log" >&2
        echo "docs-po.sh: po4a failed on $config." >&2
        exit 2
    fi
}
languages() { sed -n 's/^\[po4a_langs\] *//p' "$config"; }

if [ "$mode" = build ]; then
    # Every translation is made again: one that fell under the threshold since
    # the last build must not stay behind.
    mkdir -p "$out"
    for lang in $(languages); do rm -rf "${out:?}/$lang"; done
    user_readme "$out"
    run_po4a "$out" --no-update
    rm -f "$out/README.md"
    exit 0
fi

# update and check: po4a writes the POT and the merged PO files into the work
# folder; update copies them back, check compares them.
mkdir -p "$work/po/docs"
user_readme "$work"
run_po4a "$work" --no-translations
for lang in $(languages); do
    [ -f "$work/po/docs/$lang.po" ] || cp "po/docs/$lang.po" "$work/po/docs/$lang.po"
done
[ -f "$work/$pot" ] || cp "$pot" "$work/$pot"

if [ "$mode" = update ]; then
    # The POT's creation date changes at every run; nothing else may.
    if ! cmp -s "$work/$pot" "$pot" &&
       ! diff -q -I '^"POT-Creation-Date:' "$work/$pot" "$pot" >/dev/null 2>&1; then
        cp "$work/$pot" "$pot"
    fi
    for lang in $(languages); do
        diff -q -I '^"POT-Creation-Date:' "$work/po/docs/$lang.po" "po/docs/$lang.po" \
            >/dev/null 2>&1 || cp "$work/po/docs/$lang.po" "po/docs/$lang.po"
        printf 'po/docs/%s.po: ' "$lang"
        msgfmt --statistics -o /dev/null "po/docs/$lang.po" 2>&1
    done
    exit 0
fi

# check
status=0
# documents KIND PO: the documents of PO's entries that are KIND (--untranslated
# or --only-fuzzy), each with how many.
documents() {
    msgattrib "$1" --no-obsolete "$2" 2>/dev/null |
        sed -n 's/^#: //p' | tr ' ' '\n' | sed 's/:[0-9]*$//' | grep . | sort | uniq -c
}
for lang in $(languages); do
    merged=$work/po/docs/$lang.po
    stats=$(msgfmt --statistics -o /dev/null "$merged" 2>&1)
    echo "po/docs/$lang.po, against the documents as they are: $stats"
    untranslated=$(documents --untranslated "$merged")
    fuzzy=$(documents --only-fuzzy "$merged")
    if [ -n "$untranslated" ] || [ -n "$fuzzy" ]; then
        status=1
        [ -z "$untranslated" ] || echo "$untranslated" | sed 's/^ *\([0-9]*\) \(.*\)/  \2: \1 untranslated/'
        [ -z "$fuzzy" ] || echo "$fuzzy" | sed 's/^ *\([0-9]*\) \(.*\)/  \2: \1 fuzzy/'
        echo "  translate them in po/docs/$lang.po (after make po)."
    fi
    if ! msgcmp --use-untranslated "po/docs/$lang.po" "$work/$pot" >/dev/null 2>&1 ||
       ! msgcmp --use-untranslated "$work/$pot" "po/docs/$lang.po" >/dev/null 2>&1; then
        status=1
        echo "  po/docs/$lang.po is not in step with the documents: run make po."
    fi
done
exit $status
