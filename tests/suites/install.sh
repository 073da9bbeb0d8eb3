#!/bin/sh
# install.sh BUILD — `make install` into a temporary DESTDIR, then the
# installed programs as a user would meet them: socklab lists and runs the
# labs from there, the man pages are clean, the completion completes.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: install.sh BUILD}
root="$scratch/root"
prefix=/opt/socklab-test

make --no-print-directory -s install BUILD="$build" DESTDIR="$root" PREFIX="$prefix" \
    >"$scratch/install.log" 2>&1
check "make install DESTDIR=... PREFIX=... succeeds" [ $? -eq 0 ]
bin="$root$prefix/bin"
check "socklab and sockdash are installed" [ -x "$bin/socklab" -a -x "$bin/sockdash" ]

# The installed launcher finds the labs in libexec and their sources and notes
# in share, from where it stands: nothing points back into the build tree.
"$bin/socklab" list >"$scratch/list" 2>&1
status=$?
check "the installed socklab lists the labs" \
    sh -c "[ $status -eq 0 ] && [ \$(wc -l <'$scratch/list') -eq \$(ls '$root$prefix/libexec/socklab' | wc -l) ] && grep -q '^06  time-wait' '$scratch/list'"
timeout 60 "$bin/socklab" run 6 --auto --json >"$scratch/run6" 2>&1
check "the installed socklab runs lab 06 to a clean end" \
    sh -c "jq -e 'select(.event == \"end\") | .status == 0' '$scratch/run6' >/dev/null"
check "the installed lab shows its steps' code from share/socklab" \
    sh -c "jq -e 'select(.event == \"source\")' '$scratch/run6' | grep -q lab_expect"
"$bin/socklab" notes 6 >"$scratch/notes" 2>&1
check "the installed socklab shows a lab's notes" grep -q 'TIME-WAIT' "$scratch/notes"

for page in socklab sockdash; do
    man1="$root$prefix/share/man/man1/$page.1"
    check "man page $page.1 is installed" [ -f "$man1" ]
    check "man page $page.1 has no groff warnings" \
        sh -c "groff -z -wall -man '$man1' 2>'$scratch/groff' && [ ! -s '$scratch/groff' ]"
done
# every_option_in PAGE PROGRAM...: each --option PROGRAM --help lists is in the
# man page (written there as \-\-option).
every_option_in() {
    page=$1; shift
    for o in $("$@" --help | grep -o '^  --[a-z-]*'); do
        grep -qF -- "$(printf '%s\n' "$o" | sed 's/-/\\-/g')" "$page" || return 1
    done
}
check "the man page documents every lab option" \
    every_option_in man/socklab.1 "$build/bin/lab01-byte-order"
check "the man page documents every sockdash option" \
    every_option_in man/sockdash.1 "$build/bin/sockdash"

completion="$root$prefix/share/bash-completion/completions/socklab"
complete_words() {     # complete_words WORD...: what bash offers for the last word
    PATH="$bin:$PATH" bash -c '
        . /usr/share/bash-completion/bash_completion
        . "$0"
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        case $1 in socklab) _socklab ;; sockdash) _sockdash ;; esac
        printf "%s\n" "${COMPREPLY[@]}"' "$completion" "$@"
}
complete_words socklab c >"$scratch/c"
check "completion: 'socklab c' gives class" grep -qx class "$scratch/c"
complete_words socklab run "" >"$scratch/labs"
check "completion: 'socklab run ' gives the lab numbers" grep -qx 06 "$scratch/labs"
complete_words socklab run 6 --a >"$scratch/opt"
check "completion: a lab's options" grep -qx -- --auto "$scratch/opt"
complete_words sockdash --state listen,time >"$scratch/state"
check "completion: sockdash --state completes after a comma" grep -qx listen,time-wait "$scratch/state"
