#!/bin/sh
# update-po.sh [--check] — the message catalog (po/), kept in step with the
# sources. `make po` runs it after a message changed (docs/hacking.md).
#
#   (no option)  extract every message of the sources into po/socklab.pot
#                (xgettext), then bring each po/LANG.po up to it (msgmerge:
#                a new message comes untranslated, a changed one fuzzy, with
#                its previous English beside it); the translator's work is
#                then to translate the untranslated and fuzzy entries
#   --check      change nothing: exit 1, saying what differs, when
#                po/socklab.pot is not what the sources give now, or when a
#                po/LANG.po does not hold exactly its messages
#
# What is a message: the strings handed to the step engine (a lab's words,
# translated by the engine itself: lab_step, lab_say, lab_show, lab_pause,
# lab_expect and their kin, lab.h), to the error family (sl_die,
# sl_usage_error... and the programs' die() and bad(), check.h), the plural
# forms (sl_plural, lab_plural) and whatever a program marks _() or N_()
# (i18n.h). References carry the file and not the line, so that moving code
# about leaves the catalog as it is: only a changed message changes it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mode=update
case "${1:-}" in
--check) mode=check ;;
"") ;;
*) echo "usage: update-po.sh [--check]" >&2; exit 2 ;;
esac
for tool in xgettext msggrep msgmerge msgcmp; do
    command -v "$tool" >/dev/null ||
        { echo "update-po.sh: $tool is missing: install gettext." >&2; exit 2; }
done
work=$(mktemp -d /tmp/socklab-po.XXXXXX)
trap 'rm -rf "$work"' EXIT

version=$(sed -n 's/^VERSION *= *//p' Makefile)
sources=$(find src labs -name '*.c' | LC_ALL=C sort)

# Each keyword: the function (or the lab's macro) and which argument is the
# message; each one a c-format string but lab_skip's reason, which is printed
# as it is. lab_skip takes two messages (its reason, then its claim): xgettext
# takes one argument a keyword, so the reason is a second pass.
keywords() {
    for k in lab_step:2 lab_say:2 lab_show:2 lab_pause:2 lab_expect:3 lab_expect_sound:4 lab_expect_unless:5 \
             lab_skip:3 lab_expect_segment:4 lab_expect_segments:5 \
             lab_expect_segment_count:5 lab_expect_no_segment:4 \
             sl_lab_step:4 sl_lab_say:2 sl_lab_show:2 sl_lab_pause:2 sl_lab_again:3 \
             sl_lab_setup_error:2 refuse:2 part:3 fail:2 sl_die:1 sl_die_errno:2 sl_usage_error:2 die:1 bad:1; do
        printf ' --keyword=%s --flag=%s:c-format' "$k" "$k"
    done
    printf ' --keyword=_ --keyword=N_ --keyword=sl_plural:2,3 --keyword=lab_plural:2,3'
    printf ' --flag=sl_plural:2:c-format --flag=sl_plural:3:c-format'
    printf ' --flag=lab_plural:2:c-format --flag=lab_plural:3:c-format'
}
extract() {
    xgettext --language=C --from-code=UTF-8 --add-location=file \
        --add-comments=TRANSLATORS: --package-name=socklab --package-version="$version" \
        --copyright-holder="socklab developers" --msgid-bugs-address=dev@socklab.invalid "$@"
}
# shellcheck disable=SC2046,SC2086
extract $(keywords) -o "$work/socklab.pot" $sources
# shellcheck disable=SC2086
extract --keyword --keyword=lab_skip:2 --join-existing -o "$work/socklab.pot" $sources

# A format that is nothing but a conversion ("%s": a lab handing on a string
# of a table, translated where it was looked up) is no message.
msggrep --invert-match --msgid --regexp='^%[a-z]*$' -o "$work/socklab.pot.kept" "$work/socklab.pot"
mv "$work/socklab.pot.kept" "$work/socklab.pot"

# The header's creation date changes at every run; nothing else may.
same_pot() {
    [ -f "$2" ] && cmp -s "$1" "$2" && return 0
    [ -f "$2" ] || return 1
    grep -v '^"POT-Creation-Date:' "$1" >"$work/a"
    grep -v '^"POT-Creation-Date:' "$2" >"$work/b"
    cmp -s "$work/a" "$work/b"
}

if [ "$mode" = check ]; then
    status=0
    if ! same_pot "$work/socklab.pot" po/socklab.pot; then
        echo "update-po.sh: po/socklab.pot is not what the sources give; run make po:" >&2
        diff -u po/socklab.pot "$work/socklab.pot" | grep '^[-+]msgid' | head -20 >&2 || true
        status=1
    fi
    for po in po/*.po; do
        [ -f "$po" ] || continue
        # Every message of the sources in the catalog, and none besides
        # (obsolete entries, #~, are left out of the comparison).
        if ! msgcmp --use-untranslated "$po" "$work/socklab.pot" 2>"$work/cmp" ||
           ! msgcmp --use-untranslated "$work/socklab.pot" "$po" 2>>"$work/cmp"; then
            echo "update-po.sh: $po holds other messages than the sources; run make po:" >&2
            head -20 "$work/cmp" >&2
            status=1
        fi
    done
    exit $status
fi

same_pot "$work/socklab.pot" po/socklab.pot || cp "$work/socklab.pot" po/socklab.pot
for po in po/*.po; do
    [ -f "$po" ] || continue
    msgmerge --quiet --update --backup=none --previous --add-location=file "$po" po/socklab.pot
    msgfmt --statistics -o /dev/null "$po" 2>&1 | sed "s|^|$po: |"
done
