#!/bin/sh
# install.sh BUILD — `make install` into a temporary DESTDIR, then the
# installed programs as a user would meet them: socklab lists and runs the
# labs from there, the man pages are clean, the completion completes; a lab
# changed and rebuilt against the installed library, headers and socklab.pc
# (pkg-config) runs and shows its own changed code; make uninstall removes
# every file make install put there.
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
# The completion reads the options from the programs' own --help: nothing to drift.
complete_words socklab run 6 -- >"$scratch/run6"
check "completion: run 6 offers the lab's --check, --from, --private and its own --wait-out" \
    sh -c "grep -qx -- --check '$scratch/run6' && grep -qx -- --from '$scratch/run6' &&
           grep -qx -- --private '$scratch/run6' && grep -qx -- --wait-out '$scratch/run6'"
complete_words socklab class 6 -- >"$scratch/class6"
check "completion: class 6 offers --detach, --shared, --tui, --wait-out, not --json, --auto, --port" \
    sh -c "grep -qx -- --detach '$scratch/class6' && grep -qx -- --shared '$scratch/class6' &&
           grep -qx -- --tui '$scratch/class6' && grep -qx -- --wait-out '$scratch/class6' &&
           ! grep -qx -e --json -e --auto -e --port '$scratch/class6'"
complete_words socklab serve -- >"$scratch/serve"
check "completion: serve offers --notes and --max-connections" \
    sh -c "grep -qx -- --notes '$scratch/serve' && grep -qx -- --max-connections '$scratch/serve'"
complete_words socklab "" >"$scratch/commands"
check "completion: socklab's commands include ss and netstat" \
    sh -c "grep -qx ss '$scratch/commands' && grep -qx netstat '$scratch/commands' &&
           ! grep -qx enter-class '$scratch/commands'"
complete_words sockdash --o >"$scratch/dashopt"
check "completion: sockdash's options from its --help" grep -qx -- --once "$scratch/dashopt"
installed_notes=$("$bin/sockdash" --help | sed -n 's/^More: man sockdash, and //p')
check "the installed sockdash --help points at the installed dashboard.md" \
    [ "$installed_notes" = "$(realpath "$root$prefix/share/socklab/docs/dashboard.md")" ]

# The library, its headers and socklab.pc; a student's changed lab built
# against them the way README's "Changing a lab" says, from the installed
# source, with nothing of the build tree (pkg-config finds the DESTDIR through
# its sysroot). The change is a comment in step 1's code: the rebuilt lab must
# show it, so its excerpts come from its own source, not the installed copy.
check "the library, the headers and socklab.pc are installed" \
    sh -c "[ -f '$root$prefix/lib/libsocklab.a' ] && [ -f '$root$prefix/include/socklab/lab.h' ] &&
           [ -f '$root$prefix/lib/pkgconfig/socklab.pc' ]"
pc() {
    PKG_CONFIG_PATH="$root$prefix/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root" pkg-config "$@"
}
student="$scratch/student"
mkdir -p "$student"
cp "$(pc --variable=labsdir socklab)/05-sigpipe.c" "$student/"
"$root$prefix/libexec/socklab/lab05-sigpipe" --auto --json >"$scratch/run5" 2>&1
first=$(jq -s 'map(select(.event == "source" and .step == 1))[0].lines[0].n' "$scratch/run5")
sed -i "${first}i\\    /* changed by a student */" "$student/05-sigpipe.c"
(cd "$student" && cc $(pc --cflags socklab) 05-sigpipe.c $(pc --libs socklab) -o lab05) \
    >"$scratch/cc" 2>&1
check "a changed lab builds against the installed library with pkg-config" [ -x "$student/lab05" ]
sed 's/^/#   /' "$scratch/cc"
(cd / && timeout 60 "$student/lab05" --auto --json) >"$scratch/rebuilt" 2>&1
check "the rebuilt lab runs --auto to a clean end" \
    sh -c "jq -e 'select(.event == \"end\") | .status == 0' '$scratch/rebuilt' >/dev/null"
step1_opens_with_change() {
    jq -se --argjson n "$first" 'map(select(.event == "source" and .step == 1))[0].lines[0] ==
                                 {"n": $n, "text": "    /* changed by a student */"}' \
        "$scratch/rebuilt" >/dev/null
}
check "the rebuilt lab shows its own source: step 1 has the student's change, at line $first" \
    step1_opens_with_change
# --tui comes with socklab.pc's Libs (the engine's weak reference to the
# presenter, src/lab/lab_internal.h): the rebuilt lab has it, and the same lab
# linked without that flag has not.
tui_runs() {
    TERM=xterm timeout 60 script -qec "stty cols 80 rows 24; '$1' --tui --auto --delay 0" \
        /dev/null >"$scratch/tui" 2>&1 </dev/null &&
        grep -q ' 0 failed' "$scratch/tui" && ! grep -q 'built without' "$scratch/tui"
}
check "the rebuilt lab runs --tui" tui_runs "$student/lab05"
(cd "$student" && cc $(pc --cflags socklab) 05-sigpipe.c \
    $(pc --libs socklab | sed 's/-Wl,--undefined=sl_tui_presenter//') -o lab05-without) \
    >"$scratch/cc" 2>&1
"$student/lab05-without" --tui --auto >"$scratch/without" 2>&1 </dev/null
status=$?
check "linked without socklab.pc's --undefined, the same lab refuses --tui in one line" \
    sh -c "[ $status -eq 2 ] && grep -q 'built without the full-screen presenter' '$scratch/without' &&
           [ \$(wc -l <'$scratch/without') -eq 1 ]"
# Lab 11 is a folder and compiles llhttp's sources in: README's recipe.
cp -r "$(pc --variable=labsdir socklab)/11-epoll-server" "$student/"
(cd "$student/11-epoll-server" &&
    cc $(pc --cflags socklab) -isystem /usr/share/include/llhttp *.c /usr/share/llhttp/*.c \
       $(pc --libs socklab) -o lab11) >"$scratch/cc11" 2>&1
check "lab 11 builds against the installed library as README says (its folder, llhttp's sources)" \
    sh -c "'$student/11-epoll-server/lab11' --check && [ ! -s '$scratch/cc11' ]"
sed 's/^/#   /' "$scratch/cc11"

# The messages in Chinese: the catalog under share/locale, found from where
# the installed programs stand (socklab in bin/, a lab in libexec/socklab/).
check "the Chinese catalog is installed (share/locale/zh_CN/LC_MESSAGES/socklab.mo)" \
    [ -f "$root$prefix/share/locale/zh_CN/LC_MESSAGES/socklab.mo" ]
speaks_chinese() { zh_locale "$build" && LC_ALL=zh_CN.UTF-8 "$@" --help | LC_ALL=C.UTF-8 grep -qP '\p{Han}'; }
check "the installed socklab finds it: its --help in Chinese" speaks_chinese "$bin/socklab"
check "an installed lab finds it too (libexec/socklab/../../share/locale)" \
    speaks_chinese "$root$prefix/libexec/socklab/lab06-time-wait"

make --no-print-directory -s uninstall BUILD="$build" DESTDIR="$root" PREFIX="$prefix" \
    >"$scratch/uninstall.log" 2>&1
check "make uninstall succeeds" [ $? -eq 0 ]
left=$(find "$root" ! -type d)
check "make uninstall leaves no file that make install put there" [ -z "$left" ]
[ -z "$left" ] || echo "$left" | sed 's/^/#   left: /'
