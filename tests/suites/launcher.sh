#!/bin/sh
# launcher.sh BUILD — socklab's commands and its answers to bad input.
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: launcher.sh BUILD}
socklab="$build/bin/socklab"

# one_line_exit_2 ARGS...: exits 2 with exactly one line on stderr, nothing on stdout.
one_line_exit_2() {
    "$socklab" "$@" >"$scratch/out" 2>"$scratch/err" </dev/null
    [ $? -eq 2 ] && [ "$(wc -l <"$scratch/err")" -eq 1 ] && [ ! -s "$scratch/out" ]
}

"$socklab" list >"$scratch/list"
check "list exits 0" [ $? -eq 0 ]
check "list shows lab 01 with its title" grep -q '^01  byte-order .*Byte order' "$scratch/list"
check "list shows one line per lab binary" \
    [ "$(wc -l <"$scratch/list")" -eq "$(ls "$build"/bin/lab[0-9][0-9]-* | wc -l)" ]
"$socklab" </dev/null >"$scratch/menu"
check "no arguments off a terminal lists the labs" cmp -s "$scratch/list" "$scratch/menu"

timeout 30 "$socklab" run 1 --auto >"$scratch/run1" 2>&1
check "run 1 --auto exits 0" [ $? -eq 0 ]
check "run 1 --auto runs lab 01 to its end" grep -q 'held, 0 failed' "$scratch/run1"
timeout 30 "$socklab" run byte-order --auto --json >"$scratch/run-name"
check "run by name passes the lab's options" \
    sh -c "jq -e 'select(.event == \"end\") | .status == 0' '$scratch/run-name' >/dev/null"
"$socklab" source 1 >"$scratch/source"
check "source 1 off a terminal: the file as it is, to save and change" cmp -s "$scratch/source" labs/01-byte-order.c
"$socklab" notes 01 >"$scratch/notes"
check "notes 01 off a terminal: the notes laid out at 80 columns, not Markdown" \
    sh -c "grep -q '^Lab 01' '$scratch/notes' && ! grep -q -e '^#' -e '^|' '$scratch/notes' &&
           [ \$(LC_ALL=C.UTF-8 wc -L <'$scratch/notes') -le 80 ]"
check "--version names socklab" sh -c "'$socklab' --version | grep -q '^socklab [0-9]'"
check "--help lists the commands" sh -c "'$socklab' --help | grep -q 'socklab class N'"

check "an unknown command: one line, exit 2" one_line_exit_2 frobnicate
check "an unknown lab: one line, exit 2" one_line_exit_2 run 77
check "an unknown lab name: one line, exit 2" one_line_exit_2 source no-such-lab
check "run without a lab: one line, exit 2" one_line_exit_2 run
check "list with an argument: one line, exit 2" one_line_exit_2 list extra
check "a bad lab option through run: one line, exit 2" one_line_exit_2 run 1 --no-such-option
check "a bad port through run: one line, exit 2" one_line_exit_2 run 1 --port 99999
check "a non-IPv4 --bind for lab 01: one line, exit 2" \
    sh -c "'$socklab' run 1 --bind ::1 >/dev/null 2>'$scratch/err'; [ \$? -eq 2 ] && [ \$(wc -l <'$scratch/err') -eq 1 ]"

# The build's dependency check, as a user who cannot install: one line naming
# the exact command, exit 2. (PKG_CONFIG_LIBDIR hides the installed libraries.)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups env PKG_CONFIG_LIBDIR=/nonexistent \
        sh tools/ensure-deps.sh >"$scratch/out" 2>"$scratch/err"
    status=$?
    check "missing libraries without root: exit 2 and the apt-get command to run" \
        sh -c "[ $status -eq 2 ] && [ \$(wc -l <'$scratch/err') -eq 1 ] &&
               grep -q 'run: sudo apt-get install libncurses-dev libmnl-dev libcmocka-dev' '$scratch/err'"
fi
check "with everything present the dependency check is silent" \
    sh -c "sh tools/ensure-deps.sh >'$scratch/out' 2>&1 && [ ! -s '$scratch/out' ]"

# Help texts at 80 columns and under LANG=C (issue 19, item 17).
help_fits() {
    for lab in "$build"/bin/lab[0-9][0-9]-*; do
        [ "$(LC_ALL=C.UTF-8 "$lab" --help | LC_ALL=C.UTF-8 wc -L)" -le 80 ] || return 1
    done
}
check "every lab's --help fits 80 columns, its first line too" help_fits
check "a lab's --help under LANG=C is ASCII" \
    sh -c "LC_ALL=C '$build/bin/lab06-time-wait' --help | grep -q '^lab06-time-wait -- lab 06' &&
           ! LC_ALL=C '$build/bin/lab06-time-wait' --help | LC_ALL=C grep -q '[^ -~]'"
dash_notes=$("$build/bin/sockdash" --help | sed -n 's/^More: man sockdash, and //p')
check "sockdash --help points at its man page and at a dashboard.md that is there" \
    sh -c "[ -n '$dash_notes' ] && [ -f '$dash_notes' ] && grep -q sockdash '$dash_notes'"
