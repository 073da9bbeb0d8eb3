#!/bin/sh
# deb.sh BUILD — the Debian packages as an instructor meets them:
#   - `make deb` builds socklab and libsocklab-dev offline, leaves the .deb,
#     .buildinfo and .changes in BUILD/deb and the tree as it was;
#   - debian/control's Build-Depends are what tools/ensure-deps.sh says the
#     build needs, and the package's version is the Makefile's;
#   - lintian --fail-on error,warning passes on them and on the source package;
#   - as root: installed into this machine with dpkg -i, the programs run from
#     /usr (socklab list, a lab, sockdash --once, the man pages, a lab rebuilt
#     against the installed library), then purged, leaving nothing behind;
#   - extracted into a scratch root (dpkg -x) and run from there, as nobody
#     when the suite is root (as the suite's user otherwise).
. "$(dirname "$0")/../lib.sh"
build=${1:?usage: deb.sh BUILD}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
# make deb builds in BUILD/deb; a user who cannot write BUILD (the suite run
# unprivileged on root's build) builds in a scratch BUILD of its own.
debbuild=$build
[ -w "$build" ] || debbuild="$scratch/build"
debdir="$debbuild/deb"
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
packages="socklab libsocklab-dev"

# What this suite installed into the machine is purged however it ends.
installed=no
cleanup() {
    [ "$installed" = yes ] && dpkg --purge $packages >/dev/null 2>&1
    tmux_stop
    rm -rf "$scratch"
}

# installed P...: every package P is installed; removed P...: none is, not
# even its configuration files.
installed_all() {
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || return 1
    done
}
removed_all() {
    for p in "$@"; do
        st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
        [ -z "$st" ] || [ "${st##* }" = not-installed ] || return 1
    done
}

# -- the build -----------------------------------------------------------------
tree_state() { git status --porcelain --untracked-files=all 2>/dev/null; }
tree_state >"$scratch/tree-before"
touch "$scratch/start"
make --no-print-directory deb BUILD="$debbuild" >"$scratch/make-deb.log" 2>&1
status=$?
check "make deb builds the packages" [ $status -eq 0 ]
[ $status -eq 0 ] || sed 's/^/#   /' "$scratch/make-deb.log" | tail -20
deb() { echo "$debdir/${1}_${version}_$arch.deb"; }
check "the .deb files, .buildinfo and .changes are in $debdir" \
    sh -c "[ -f '$(deb socklab)' ] && [ -f '$(deb libsocklab-dev)' ] &&
           [ -f '$debdir/socklab_${version}_$arch.buildinfo' ] &&
           [ -f '$debdir/socklab_${version}_$arch.changes' ]"
tree_state >"$scratch/tree-after"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    check "make deb leaves the tree as it was (git status)" \
        cmp -s "$scratch/tree-before" "$scratch/tree-after"
else
    ok "make deb leaves the tree as it was # skip: git cannot read this tree (not a checkout, or another user's)"
fi
check "nothing is written beside the tree (dpkg-buildpackage's ../)" \
    sh -c "[ -z \"\$(find '$(dirname "$top")' -maxdepth 1 -newer '$scratch/start' \
                    \\( -name '*socklab*.deb' -o -name '*socklab*.changes' \
                       -o -name '*socklab*.buildinfo' \\))\" ]"

# Build-Depends: the build's own list (tools/ensure-deps.sh build; build-essential
# is implied), and what debhelper needs.
build_depends() {
    awk '/^Build-Depends:/ { on = 1; sub(/^Build-Depends:/, "") }
         /^[A-Za-z-]+:/ && !/^Build-Depends:/ { on = 0 }
         on && !/^#/' debian/control |
        tr ',' '\n' | sed 's/([^)]*)//; s/[[:space:]]//g' | grep -v '^$' | sort
}
build_depends >"$scratch/bd"
{ sh tools/ensure-deps.sh --list build | grep -vx build-essential
  printf '%s\n' debhelper-compat dh-sequence-bash-completion; } | sort >"$scratch/needs"
check "Build-Depends are the build's needs (tools/ensure-deps.sh build) and debhelper's" \
    cmp -s "$scratch/bd" "$scratch/needs"
cmp -s "$scratch/bd" "$scratch/needs" || diff "$scratch/needs" "$scratch/bd" | sed 's/^/#   /'
check "the package's version is the Makefile's ($version)" \
    grep -qx "VERSION  *= *$version" Makefile

# What is in them: every lab the build made, with its source and notes; the
# programs, man pages and completion; the library, headers and socklab.pc.
dpkg-deb -c "$(deb socklab)" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' >"$scratch/files"
dpkg-deb -c "$(deb libsocklab-dev)" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' >"$scratch/files-dev"
every_lab_packaged() {
    for lab in "$build"/bin/lab[0-9][0-9]-*; do
        name=${lab##*/lab}
        grep -qx "/usr/libexec/socklab/lab$name" "$scratch/files" &&
            grep -qx "/usr/share/socklab/docs/labs/$name.md" "$scratch/files" &&
            grep -Eqx "/usr/share/socklab/labs/$name(\\.c|/.*\\.c)" "$scratch/files" || return 1
    done
}
check "socklab holds every lab, in /usr/libexec/socklab, with its source and notes in /usr/share/socklab" \
    every_lab_packaged
check "socklab holds the programs, the man pages and the completion" \
    sh -c "for f in /usr/bin/socklab /usr/bin/sockdash /usr/share/man/man1/socklab.1.gz \
                    /usr/share/man/man1/sockdash.1.gz \
                    /usr/share/bash-completion/completions/socklab \
                    /usr/share/bash-completion/completions/sockdash; do
               grep -qx \"\$f\" '$scratch/files' || exit 1; done"
check "libsocklab-dev holds the library, the headers and socklab.pc" \
    sh -c "grep -qx /usr/lib/$multiarch/libsocklab.a '$scratch/files-dev' &&
           grep -qx /usr/lib/$multiarch/pkgconfig/socklab.pc '$scratch/files-dev' &&
           grep -qx /usr/include/socklab/lab.h '$scratch/files-dev'"

# -- lintian ---------------------------------------------------------------------
sh tools/make-deb.sh "$scratch/source" source >"$scratch/source.log" 2>&1
check "the source package builds (dpkg-source, native)" \
    [ -f "$scratch/source/socklab_$version.dsc" ]
lintian --fail-on error,warning "$debdir/socklab_${version}_$arch.changes" \
    "$scratch/source/socklab_$version.dsc" >"$scratch/lintian" 2>&1
status=$?
check "lintian --fail-on error,warning: no error or warning in the packages or the source" \
    sh -c "[ $status -eq 0 ] && ! grep -q '^[EW]: ' '$scratch/lintian'"
grep '^[EW]: ' "$scratch/lintian" | sed 's/^/#   /'

# -- the installed programs --------------------------------------------------------
# runs_from ROOT AS WHAT: the programs under ROOT/usr, run by AS ("" or a
# setpriv prefix), TAP lines ending in "(WHAT)". The rebuilt lab is compiled
# in a folder AS can write.
runs_from() {
    r=$1 as=$2 who=$3 work="$scratch/work-$3"
    mkdir -p "$work"
    [ -z "$as" ] || chown 65534:65534 "$work"
    $as "$r/usr/bin/socklab" list >"$work/list" 2>&1
    status=$?
    check "socklab list shows every lab ($who)" \
        sh -c "[ $status -eq 0 ] && [ \$(wc -l <'$work/list') -eq \$(ls '$r/usr/libexec/socklab' | wc -l) ] &&
               grep -q '^01  byte-order' '$work/list'"
    $as timeout 60 "$r/usr/bin/socklab" run 1 --auto --json >"$work/run1" 2>&1
    check "socklab run 1 --auto runs the lab to a clean end ($who)" \
        sh -c "jq -e 'select(.event == \"end\") | .status == 0' '$work/run1' >/dev/null"
    check "the lab shows its steps' code, from /usr/share/socklab ($who)" \
        sh -c "jq -se 'map(select(.event == \"source\")) | length > 0 and all(.lines | length > 0)' \
                   '$work/run1' >/dev/null"
    $as "$r/usr/bin/socklab" notes 1 >"$work/notes" 2>&1
    status=$?
    $as "$r/usr/bin/socklab" source 1 >"$work/source" 2>&1
    check "socklab notes 1 and source 1 find the notes and the source in /usr/share/socklab ($who)" \
        sh -c "[ $status -eq 0 ] && grep -q '^Lab 01' '$work/notes' &&
               grep -q 'labs/01-byte-order.c' '$work/source'"
    $as timeout 30 "$r/usr/bin/sockdash" --once >"$work/dash" 2>&1
    status=$?
    check "sockdash --once shows the sockets ($who)" \
        sh -c "[ $status -eq 0 ] && head -1 '$work/dash' | grep -q '^State '"
    for page in socklab sockdash; do
        $as env MANWIDTH=80 man --warnings -l "$r/usr/share/man/man1/$page.1.gz" \
            >"$work/$page.man" 2>"$work/$page.err"
        status=$?
        check "man -l $page.1.gz shows the page without a warning ($who)" \
            sh -c "[ $status -eq 0 ] && [ ! -s '$work/$page.err' ] && grep -q SYNOPSIS '$work/$page.man'"
    done
    # A lab rebuilt against the installed library, as README's "Changing a lab" says.
    cp "$r/usr/share/socklab/labs/05-sigpipe.c" "$work/" && chmod a+r "$work/05-sigpipe.c"
    pc="env PKG_CONFIG_PATH=$r/usr/lib/$multiarch/pkgconfig"
    [ -z "$r" ] || pc="$pc PKG_CONFIG_SYSROOT_DIR=$r"
    $as sh -c "cd '$work' && cc \$($pc pkg-config --cflags socklab) 05-sigpipe.c \
                   \$($pc pkg-config --libs socklab) -o lab05" >"$work/cc" 2>&1
    status=$?
    check "a lab builds against the installed library with pkg-config ($who)" [ $status -eq 0 ]
    $as timeout 60 "$work/lab05" --auto >"$work/run5" 2>&1
    status=$?
    check "the rebuilt lab runs --auto, every claim held ($who)" \
        sh -c "[ $status -eq 0 ] && grep -q ' 0 failed' '$work/run5'"
}

if [ "$(id -u)" = 0 ]; then
    # Two runs of this suite (another worktree's make check) must not install
    # and purge under each other: one at a time (an advisory lock on dpkg's
    # folder, which dpkg itself does not flock; bounded).
    exec 8</var/lib/dpkg
    if ! flock -w 600 8; then
        not_ok "another run of this suite held the install for 10 minutes"
    elif ! removed_all socklab; then
        ok "dpkg -i into this machine # skip: socklab is installed here already, and is not this suite's to replace"
    else
        # The paths the packages bring that the machine does not have yet: all
        # of them must be gone after the purge.
        cat "$scratch/files" "$scratch/files-dev" | sort -u |
            while IFS= read -r f; do [ -e "$f" ] || echo "$f"; done >"$scratch/new-paths"
        installed=yes
        # (a lock held by another apt or dpkg: retried, bounded)
        dpkg_install() {
            dpkg -i "$(deb socklab)" "$(deb libsocklab-dev)" >"$scratch/dpkg" 2>&1 && return 0
            grep -q 'lock' "$scratch/dpkg" && return 1
            return 0
        }
        wait_for 120 dpkg_install
        check "dpkg -i installs socklab and libsocklab-dev" installed_all $packages
        runs_from "" "" "dpkg -i, root"
        bash -c '. /usr/share/bash-completion/bash_completion && _completion_loader socklab &&
                 COMP_WORDS=(socklab c); COMP_CWORD=1; _socklab; printf "%s\n" "${COMPREPLY[@]}"' \
            >"$scratch/complete" 2>&1
        check "bash finds the installed completion by itself (socklab c: class)" \
            grep -qx class "$scratch/complete"
        dpkg --purge $packages >"$scratch/purge" 2>&1
        status=$?
        installed=no
        check "dpkg --purge removes both packages, configuration and all" \
            eval "[ $status -eq 0 ] && removed_all $packages"
        left=$(while IFS= read -r f; do [ -e "$f" ] && echo "$f"; done <"$scratch/new-paths")
        check "nothing the packages brought is left on the machine" [ -z "$left" ]
        [ -z "$left" ] || echo "$left" | sed 's/^/#   left: /'
    fi
    exec 8<&-
else
    ok "dpkg -i into this machine # skip: not root (the package is run from a dpkg -x root below)"
fi

xroot="$scratch/xroot"
for p in $packages; do dpkg-deb -x "$(deb "$p")" "$xroot"; done
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    chmod o+x "$scratch"               # nobody reaches the scratch root, no further
    runs_from "$xroot" "setpriv --reuid=65534 --regid=65534 --clear-groups" "dpkg -x, nobody"
else
    runs_from "$xroot" "" "dpkg -x, $(id -un)"
fi
