#!/bin/sh
# ensure-deps.sh [bench] — make sure the tools and libraries socklab builds and tests
# with are present (and, with "bench", what the benchmarks compare against).
# Run by the Makefile before the first build.
#
# As root on a system with apt-get, missing Debian packages are installed (after one
# `apt-get update`). Otherwise it stops with one line naming the command to run.
set -u

# pkg-config module or command -> the Debian package that provides it
need_pkg=""
missing() { case " $need_pkg " in *" $1 "*) ;; *) need_pkg="$need_pkg $1" ;; esac; }

for tool in cc:build-essential make:build-essential pkg-config:pkg-config \
            ss:iproute2 tmux:tmux jq:jq pkill:procps setpriv:util-linux groff:groff-base \
            script:bsdutils strace:strace; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing "${tool#*:}"
done
# (strace: the server suite checks lab 11's own counts of its system calls
# against it.) The install test loads the completion script the way bash does.
[ -f /usr/share/bash-completion/bash_completion ] || missing bash-completion
# Lab 11 parses HTTP with llhttp, compiled from the C sources and the header
# that node-llhttp ships (no library, no pkg-config module: look for them);
# its request path is fuzzed with clang's libFuzzer.
for file in /usr/share/llhttp/api.c /usr/share/llhttp/http.c /usr/share/llhttp/llhttp.c \
            /usr/share/include/llhttp/llhttp.h; do
    [ -f "$file" ] || missing node-llhttp
done
command -v clang >/dev/null 2>&1 || { missing clang; missing libclang-rt-dev; }
if command -v clang >/dev/null 2>&1; then
    ls "$(clang -print-resource-dir)"/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 ||
        missing libclang-rt-dev
fi
# The benchmarks also time netstat, the tool people compare with ss, and
# compare lab 11's server with nginx under wrk.
if [ "${1:-}" = bench ]; then
    command -v netstat >/dev/null 2>&1 || missing net-tools
    for tool in nginx:nginx-light wrk:wrk taskset:util-linux; do
        command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] ||
            missing "${tool#*:}"
    done
fi
if command -v pkg-config >/dev/null 2>&1; then
    # libtracefs needs libtraceevent's headers, which Debian's libtracefs-dev
    # does not pull in by itself.
    for mod in ncursesw:libncurses-dev libmnl:libmnl-dev cmocka:libcmocka-dev \
               jansson:libjansson-dev libtraceevent:libtraceevent-dev \
               libtracefs:libtracefs-dev md4c:libmd4c-dev libpcap:libpcap-dev \
               libnftables:libnftables-dev; do
        pkg-config --exists "${mod%%:*}" || missing "${mod#*:}"
    done
else
    for pkg in libncurses-dev libmnl-dev libcmocka-dev libjansson-dev libtraceevent-dev \
               libtracefs-dev libmd4c-dev libpcap-dev libnftables-dev; do
        missing $pkg
    done
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
