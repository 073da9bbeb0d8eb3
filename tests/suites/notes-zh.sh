#!/bin/sh
# notes-zh.sh BUILD — the notes in Chinese, as a student meets them:
#   - socklab notes N under LC_ALL=zh_CN.UTF-8 (a locale of the tests' own:
#     zh_locale, tests/lib.sh) shows the Chinese notes the build made from
#     po/docs/zh_CN.po; English under C.UTF-8, under LANG=C (in ASCII), when
#     LC_MESSAGES says English over a Chinese LANG, when LANGUAGE asks for a
#     language the notes lack, and under a zh_CN the system does not have;
#   - a lab whose notes are not translated shows its English notes under zh_CN;
#   - at 80x24 in tmux, less shows lab 06's Chinese notes exactly as socklab
#     lays them out off the terminal (so nothing was wrapped or cut by the
#     terminal), every line within 80 columns, valid UTF-8 (no character cut
#     in two); lab 04's table of four loops stays aligned in columns; a table
#     too wide for 80 columns becomes a list;
#   - a lab's --tui shows the Chinese notes on n; sockdash --help names the
#     Chinese dashboard notes;
#   - make install puts them beside the English ones and the installed
#     socklab finds them, as root and as nobody.
# (Whether every document is translated is tests/suites/translations.sh.)
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: notes-zh.sh BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)
socklab="$root/$build/bin/socklab"

if ! zh_locale "$build"; then
    not_ok "a zh_CN.UTF-8 locale of the tests' own (localedef) could be made"
    exit 1
fi
zh="LC_ALL=zh_CN.UTF-8"

# notes ENV... N: socklab notes N off a terminal (80 columns), in that environment.
notes() {
    n=$1
    shift
    env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$@" "$socklab" notes "$n" 2>&1
}
shows() { grep -q -- "$1" "$scratch/out"; }

notes 6 $zh >"$scratch/out"
check "notes 6 under zh_CN.UTF-8: the Chinese notes (实验 06, 要点, 什么会改变结论)" \
    sh -c "grep -q '^实验 06 — TIME-WAIT' '$scratch/out' && grep -q '^要点\$' '$scratch/out' &&
           grep -q '^什么会改变结论\$' '$scratch/out'"
check "notes 6 under zh_CN.UTF-8: the English is gone, the calls and states stay as printed" \
    sh -c "! grep -q 'What changes the answer' '$scratch/out' &&
           grep -q 'EADDRINUSE' '$scratch/out' && grep -q 'FIN-WAIT-2' '$scratch/out'"
check "notes 6 in Chinese: valid UTF-8, every line within 80 columns" \
    sh -c "iconv -f UTF-8 -t UTF-8 '$scratch/out' >/dev/null &&
           [ \$(LC_ALL=zh_CN.UTF-8 wc -L <'$scratch/out') -le 80 ]"
# Every exercise's marker whole on its line, in every lab's Chinese notes.
markers_whole() {
    for n in $(seq 1 14); do
        notes "$n" $zh | grep '\[答案' | grep -v '\[答案 [0-9]* [^]]*\]' && return 1
    done
    return 0
}
check "every lab's Chinese notes: each exercise's marker ([答案 N ...]) whole on its line" markers_whole
english_notes() { grep -q '^Lab 06 — TIME-WAIT' "$scratch/out" && ! grep -q '要点' "$scratch/out"; }
notes 6 LC_ALL=C.UTF-8 >"$scratch/out"
check "notes 6 under C.UTF-8: English" english_notes
notes 6 LANG=zh_CN.UTF-8 LC_MESSAGES=C.UTF-8 LC_CTYPE=zh_CN.UTF-8 >"$scratch/out"
check "notes 6 under LANG=zh_CN.UTF-8 but LC_MESSAGES=C.UTF-8: English" english_notes
notes 6 $zh LANGUAGE=fr >"$scratch/out"
check "notes 6 under zh_CN.UTF-8 with LANGUAGE=fr (no French notes): English, as gettext" \
    english_notes
notes 6 LANG=zh_CN.UTF-8 LANGUAGE=zh_CN:fr >"$scratch/out"
check "notes 6 under LANG=zh_CN.UTF-8, LANGUAGE=zh_CN:fr: Chinese" grep -q '^实验 06' "$scratch/out"
notes 6 LANG=C >"$scratch/out"
check "notes 6 under LANG=C: English in ASCII" \
    sh -c "grep -q '^Lab 06 -- TIME-WAIT' '$scratch/out' && ! LC_ALL=C grep -q '[^ -~]' '$scratch/out'"
env -u LOCPATH LC_ALL=zh_CN.UTF-8 "$socklab" notes 6 >"$scratch/out" 2>&1
check "notes 6 under a zh_CN.UTF-8 the system does not have: English, in ASCII" \
    sh -c "grep -q '^Lab 06 -- TIME-WAIT' '$scratch/out' && ! LC_ALL=C grep -q '[^ -~]' '$scratch/out'"

# sockdash's --help points at its notes: the Chinese ones under zh_CN.
env LC_ALL=zh_CN.UTF-8 "$root/$build/bin/sockdash" --help >"$scratch/out" 2>&1
check "sockdash --help under zh_CN.UTF-8 names the Chinese dashboard notes" \
    grep -q "docs/zh_CN/dashboard.md\$" "$scratch/out"
env LC_ALL=C.UTF-8 "$root/$build/bin/sockdash" --help >"$scratch/out" 2>&1
check "sockdash --help under C.UTF-8 names the English ones" grep -q " [^ ]*/docs/dashboard.md\$" "$scratch/out"

# A lab without a translation: the launcher copied into a tree of its own,
# beside lab 06 and its English notes only (docs.h: the folders are found
# from the program's own place).
mkdir -p "$scratch/tree/build/bin" "$scratch/tree/docs/labs" "$scratch/tree/build/docs/zh_CN/labs"
cp "$socklab" "$root/$build/bin/lab06-time-wait" "$scratch/tree/build/bin/"
cp "$root/docs/labs/06-time-wait.md" "$scratch/tree/docs/labs/"
env LC_ALL=zh_CN.UTF-8 "$scratch/tree/build/bin/socklab" notes 6 >"$scratch/out" 2>&1
check "a lab whose notes are not translated: its English notes under zh_CN.UTF-8" \
    grep -q '^Lab 06 — TIME-WAIT' "$scratch/out"

# The screen: less at 80x24, as a student opens the notes.
use_tmux zhreader 0
LC_ALL=C.UTF-8 t new-session -d -s zhreader -x 80 -y 24 "sh"
reader() { t send-keys -t zhreader "clear; env $zh PAGER=less LESS= '$socklab' notes $1; clear" Enter; }
notes 6 $zh | head -23 | sed 's/ *$//' >"$scratch/laid-out"
reader 6
first_page_as_laid_out() {
    screen | head -23 | sed 's/ *$//' >"$scratch/page"
    cmp -s "$scratch/page" "$scratch/laid-out"
}
if wait_for 10 first_page_as_laid_out; then
    ok "notes 6 at 80x24 under zh_CN.UTF-8: less shows the first page as laid out, nothing wrapped"
else
    not_ok "notes 6 at 80x24 under zh_CN.UTF-8: less shows the first page as laid out, nothing wrapped"
    diff "$scratch/laid-out" "$scratch/page" | head -10 | sed 's/^/#   /'
fi
# The title's underline is as wide as the title, in columns (not bytes).
underlined() {
    screen | head -2 >"$scratch/head"
    title=$(sed -n 1p "$scratch/head" | LC_ALL=zh_CN.UTF-8 wc -L)
    rule=$(sed -n 2p "$scratch/head")
    [ "$rule" = "$(printf '%*s' "$title" '' | tr ' ' '=')" ]
}
check "notes 6 on the screen: the title underlined as wide as it is, in columns" underlined
valid_utf8() { screen | iconv -f UTF-8 -t UTF-8 >/dev/null; }
check "notes 6 on the screen: valid UTF-8" valid_utf8
t send-keys -t zhreader "/^\\* net.ipv4.tcp_fin_timeout" Enter
a_list_not_a_table() { screen_has '^    管的是：' && screen_lacks '^ *|'; }
check "notes 6: the sysctl table, too wide for 80 columns, is a list ('管的是：' under each row)" \
    wait_for 10 a_list_not_a_table
t send-keys -t zhreader q
wait_for 10 screen_lacks '实验 06'

# Lab 04's table of the four loops fits 80 columns in Chinese: its columns
# line up on the screen, by display columns (a Chinese character takes two).
reader 4
wait_for 10 screen_has '^实验 04'
t send-keys -t zhreader "/^ *循环  " Enter
wait_for 10 screen_has '^ *循环  '
# aligned: every row of the table starts its cells at the columns where the
# rule under its heading starts its dashes (perl counts a wide or full-width
# character as two columns).
aligned() {
    screen | perl -CS -Mutf8 -ne '
        sub cols { my $s = shift; my $w = () = $s =~ /[\p{Ea=W}\p{Ea=F}]/g; length($s) + $w }
        if (/^( *)循环  / .. /^\s*$/) {
            chomp; next if /^\s*$/;
            my @starts; my $line = $_;
            while ($line =~ /(?:^ *|  +)(\S)/g) { push @starts, cols(substr($line, 0, $-[1])) }
            push @rows, join(",", @starts);
        }
        END { exit 1 if @rows < 6; my %seen = map { $_ => 1 } @rows; exit(keys %seen == 1 ? 0 : 1) }'
}
check "notes 4 at 80x24 under zh_CN.UTF-8: the table of four loops, aligned in columns" aligned
t send-keys -t zhreader q

# The lab's own screen: --tui, n.
use_tmux zhtui 0
LC_ALL=C.UTF-8 t new-session -d -s zhtui -x 80 -y 24 \
    "env $zh '$root/$build/bin/lab06-time-wait' --tui; sleep 30"
wait_for 10 screen_has 'Step 1\|第 1 步\|步骤 1'
sleep 0.5
t send-keys -t zhtui n
check "--tui at 80x24 under zh_CN.UTF-8, n: the Chinese notes" \
    wait_for 10 screen_has '实验 06 — TIME-WAIT'
check "--tui, n: valid UTF-8 on the screen" valid_utf8
t send-keys -t zhtui q q
tmux_stop

# Installed: beside the English notes, found from the installed socklab.
if make -C "$root" --no-print-directory BUILD="$build" DESTDIR="$scratch/root" PREFIX=/usr \
        install >"$scratch/install.log" 2>&1; then
    ok "make install"
else
    not_ok "make install"
    tail -5 "$scratch/install.log" | sed 's/^/#   /'
fi
check "installed: the Chinese notes beside the English ones (share/socklab/docs/zh_CN/labs)" \
    test -f "$scratch/root/usr/share/socklab/docs/zh_CN/labs/06-time-wait.md"
as_nobody=""
[ "$(id -u)" = 0 ] && as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
chmod -R a+rX "$scratch" 2>/dev/null
for who in self nobody; do
    run=""
    if [ $who = nobody ]; then
        [ -n "$as_nobody" ] || continue
        run=$as_nobody
    fi
    $run env -u LANG -u LANGUAGE LC_ALL=zh_CN.UTF-8 "$scratch/root/usr/bin/socklab" notes 6 \
        >"$scratch/out" 2>&1
    check "the installed socklab notes 6 under zh_CN.UTF-8: the Chinese notes ($who)" \
        grep -q '^实验 06' "$scratch/out"
done
exit $((tap_failed > 0))
