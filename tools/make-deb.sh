#!/bin/sh
# make-deb.sh OUTDIR [binary|source] — the Debian packages (debian/), built
# offline from a copy of the tree in OUTDIR/socklab-VERSION, so that neither
# dpkg-buildpackage's files (it writes to the parent directory) nor
# debhelper's (debian/.debhelper, debian/socklab/, debian/files...) land in
# the tree. `make deb` runs it.
#
#   binary  (the default) dpkg-buildpackage -us -uc -b: OUTDIR/*.deb, .buildinfo
#           and .changes
#   source  the native source package: OUTDIR/*.dsc and .tar.xz (the package
#           suite lints it)
#
# The copy is what git tracks or would track (uncommitted edits included,
# ignored files not); outside a git checkout, the tree without its build
# folders. It is removed once the packages are built.
set -eu
out=${1:?usage: make-deb.sh OUTDIR [binary|source]}
what=${2:-binary}
case $what in
binary|source) ;;
*) echo "usage: make-deb.sh OUTDIR [binary|source]" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
mkdir -p "$out"
out=$(cd "$out" && pwd)
copy="$out/socklab-$version"

# A make that called us passes its command line down (MAKEFLAGS: BUILD=...,
# -j and its jobserver); the package's build must not inherit it.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

rm -rf "$copy"
mkdir -p "$copy"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$top" && git ls-files --cached --others --exclude-standard |
        while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
        tar -cf - --no-recursion -T -) | tar -xf - -C "$copy"
else
    (cd "$top" && tar -cf - --exclude-vcs --exclude='./build*' .) | tar -xf - -C "$copy"
fi

cd "$out"
case $what in
binary)
    rm -f ./*.deb ./*.ddeb ./*.buildinfo ./*.changes       # an earlier build's
    # parallel=2 unless the caller's DEB_BUILD_OPTIONS say otherwise
    # (debhelper takes the first parallel= it reads).
    (cd "$copy" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=2" \
        dpkg-buildpackage -us -uc -b)
    ;;
source)
    rm -f ./*.dsc ./*.tar.xz
    dpkg-source --build "socklab-$version"
    ;;
esac
rm -rf "$copy"
