#!/bin/sh
# ensure-deps.sh [--list] [build|test|bench] — make sure the tools and libraries
# socklab needs are present. Run by the Makefile before the first build.
#
#   build   what `make all` compiles and links with, and nothing else (the
#           Debian package's build: debian/control's Build-Depends are these)
#   test    (the default) the build, and what the test suites and `make deb`
#           use: make check's tools, the packaging tools and lintian
#   bench   the tests, and what the benchmarks compare against
#
# As root on a system with apt-get, missing Debian packages are installed (after one
# `apt-get update`). Otherwise it stops with one line naming the command to run.
# With --list it prints the Debian packages the mode needs, one a line, present or
# not, and installs nothing (the package suite compares the build's list with
# debian/control).
set -u
list=no
if [ "${1:-}" = --list ]; then
    list=yes
    shift
fi
mode=${1:-test}
case $mode in
build|test|bench) ;;
*) echo "usage: ensure-deps.sh [--list] [build|test|bench]" >&2; exit 2 ;;
esac

# The Debian packages found missing (with --list: every package the mode needs).
need_pkg=""
missing() { case " $need_pkg " in *" $1 "*) ;; *) need_pkg="$need_pkg $1" ;; esac; }
# wanted KIND: does this mode need what KIND is for? (build < test < bench)
wanted() {
    case "$1:$mode" in
    build:*|test:test|test:bench|bench:bench) return 0 ;;
    esac
    return 1
}
# need KIND PACKAGE CHECK...: KIND needs the Debian package PACKAGE, which is
# missing when CHECK fails.
need() {
    kind=$1 pkg=$2
    shift 2
    wanted "$kind" || return 0
    if [ "$list" = yes ] || ! "$@" >/dev/null 2>&1; then
        missing "$pkg"
    fi
}
has() { command -v "$1"; }
has_sbin() { command -v "$1" || [ -x "/usr/sbin/$1" ]; }
has_module() { command -v pkg-config && pkg-config --exists "$1"; }

need build build-essential has cc
need build build-essential has make
need build pkgconf has pkg-config
need build libncurses-dev has_module ncursesw
need build libmnl-dev has_module libmnl
need test libcmocka-dev has_module cmocka
need build libjansson-dev has_module jansson
# libtracefs needs libtraceevent's headers, which Debian's libtracefs-dev
# does not pull in by itself.
need build libtraceevent-dev has_module libtraceevent
need build libtracefs-dev has_module libtracefs
# The notes rendered for the terminal (md4c), the lab's segments captured
# (libpcap), packets dropped in a lab's private network (libnftables).
need build libmd4c-dev has_module md4c
need build libpcap-dev has_module libpcap
need build libnftables-dev has_module libnftables
# Lab 11 parses HTTP with llhttp, compiled from the C sources and the header
# that node-llhttp ships (no library, no pkg-config module: look for them).
llhttp_sources() {
    for file in /usr/share/llhttp/api.c /usr/share/llhttp/http.c /usr/share/llhttp/llhttp.c \
                /usr/share/include/llhttp/llhttp.h; do
        [ -f "$file" ] || return 1
    done
}
need build node-llhttp llhttp_sources
# The message catalogs (po/) are compiled by msgfmt; `make po` runs xgettext
# and msgmerge, from the same package.
need build gettext has msgfmt
# The notes in other languages are made from po/docs/ by po4a (which runs
# gettext's msgmerge; make po and the check use its msgfmt and msgattrib).
need build po4a has po4a

for tool in ss:iproute2 tmux:tmux jq:jq pkill:procps setpriv:util-linux groff:groff-base \
            script:bsdutils man:man-db strace:strace; do
    need test "${tool#*:}" has "${tool%%:*}"
done
# (strace: the server suite checks lab 11's own counts of its system calls
# against it.)
# The Chinese suite makes a zh_CN.UTF-8 locale of its own (localedef, into a
# scratch LOCPATH) from the locale sources this package ships.
need test locales test -f /usr/share/i18n/locales/zh_CN
# The install test loads the completion script the way bash does; the package
# installs it with dh_bash-completion, from the same package.
need test bash-completion test -f /usr/share/bash-completion/bash_completion
# make deb and the package suite: dpkg-buildpackage, debhelper, lintian.
need test dpkg-dev has dpkg-buildpackage
need test debhelper has dh
need test lintian has lintian
# Lab 11's request path is fuzzed with clang's libFuzzer.
need test clang has clang
fuzzer_runtime() {
    has clang && ls "$(clang -print-resource-dir)"/lib/linux/libclang_rt.fuzzer-*.a
}
need test libclang-rt-dev fuzzer_runtime
# The benchmarks also time netstat, the tool people compare with ss, and
# compare lab 11's server with nginx under wrk.
need bench net-tools has netstat
for tool in nginx:nginx-light wrk:wrk taskset:util-linux; do
    need bench "${tool#*:}" has_sbin "${tool%%:*}"
done

if [ "$list" = yes ]; then
    printf '%s\n' $need_pkg
    exit 0
fi
[ -z "$need_pkg" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "socklab: installing missing packages:$need_pkg"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null &&
        apt-get install -y -qq --no-install-recommends $need_pkg >/dev/null ||
        { echo "socklab: apt-get could not install$need_pkg; install them and run make again." >&2; exit 2; }
    exit 0
fi

echo "socklab: missing build dependencies; run: sudo apt-get install$need_pkg" >&2
exit 2
