#!/usr/bin/env sh
# Installs a tandem tarball: PREFIX/lib/tandem/ holds the unpacked distribution and
# PREFIX/bin/tandem is a relative symlink to its launcher (which follows the link back home).
#   packaging/install.sh dist/tandem-<version>-linux-x86_64.tar.gz /usr/local
# An existing PREFIX/lib/tandem is replaced only once the new one is fully unpacked, so a
# failed install leaves the old one working. DESTDIR (for packagers) is prepended to PREFIX.
set -eu

tarball=${1:?usage: install.sh TARBALL PREFIX}
prefix=${2:?usage: install.sh TARBALL PREFIX}
root="${DESTDIR:-}${prefix}"

[ -f "$tarball" ] || { echo "install: no tarball at $tarball; run 'make dist' first" >&2; exit 1; }
mkdir -p "$root/lib" "$root/bin" || {
  echo "install: cannot create $root/lib and $root/bin; pick a PREFIX you can write (make install PREFIX=~/.local)" >&2
  exit 1
}

staging="$root/lib/.tandem.new.$$"
rm -rf "$staging"
mkdir -p "$staging"
trap 'rm -rf "$staging"' EXIT
tar -xzf "$tarball" -C "$staging" --strip-components=1
[ -x "$staging/bin/tandem" ] || { echo "install: $tarball holds no bin/tandem; is it a tandem distribution?" >&2; exit 1; }

if [ -e "$root/lib/tandem" ]; then
  rm -rf "$root/lib/.tandem.old.$$"
  mv "$root/lib/tandem" "$root/lib/.tandem.old.$$"
fi
mv "$staging" "$root/lib/tandem"
rm -rf "$root/lib/.tandem.old.$$"
ln -sfn ../lib/tandem/bin/tandem "$root/bin/tandem"

echo "installed $(basename "$tarball" .tar.gz) in $prefix/lib/tandem; run $prefix/bin/tandem --help"
