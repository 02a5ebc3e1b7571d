#!/usr/bin/env bash
# Unpacks Debian's CPython 3.14 and 3.15 for the record tests (RecordTest looks for PREFIX/bin/python3.14 and
# python3.15), and prints PREFIX.
#
# They come from Debian's unstable suite and need a newer glibc than Debian 12 has, so nothing is installed:
# the packages (interpreter, standard library, and the glibc and libraries they link) are unpacked under
# PREFIX/root, and PREFIX/bin/python3.X is a wrapper script that runs the interpreter through the unpacked
# glibc's loader. The environment, LD_PRELOAD included, passes through, which is how 'pyalloc record' reaches
# them. Both are default (GIL) builds with pymalloc.
#
# usage: src/test/scripts/debian-cpython.sh [PREFIX]   (default: ${XDG_CACHE_HOME:-~/.cache}/debian-cpython)
# needs: apt-get and dpkg-deb (Debian), network access to the Debian archive apt already uses.
set -eu
prefix=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/debian-cpython}
mkdir -p "$prefix"/apt/lists/partial "$prefix"/apt/cache/archives/partial "$prefix"/debs "$prefix"/root "$prefix"/bin
prefix=$(cd "$prefix" && pwd)
root=$prefix/root
if [ ! -f "$prefix/unpacked" ]; then
  mirror=$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null | grep -v -e security -e updates | sort -u | head -1)
  if [ -z "$mirror" ]; then
    echo "debian-cpython: apt has no Debian archive configured (run apt-get update first)" >&2
    exit 1
  fi
  echo "deb $mirror sid main" > "$prefix/apt/sources.list"
  # A private apt state: the machine's own package lists and sources stay as they are.
  opts=(-o "Dir::Etc::sourcelist=$prefix/apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
        -o "Dir::State::Lists=$prefix/apt/lists" -o "Dir::Cache=$prefix/apt/cache")
  if [ "$(id -u)" = 0 ]; then
    opts+=(-o APT::Sandbox::User=root)  # downloads into PREFIX, which apt's _apt user cannot write
  fi
  apt-get "${opts[@]}" update >/dev/null
  packages=()
  for v in 3.14 3.15; do
    packages+=("libpython$v" "libpython$v-minimal" "libpython$v-stdlib" "python$v-minimal")
  done
  packages+=(libc6 libexpat1 zlib1g libssl3t64 libffi8 libzstd1 liblzma5 libbz2-1.0 libuuid1 libsqlite3-0
             libncursesw6 libtinfo6 libreadline8t64 libmpdec4)
  (cd "$prefix/debs" && apt-get "${opts[@]}" download "${packages[@]}" >/dev/null)
  for deb in "$prefix"/debs/*.deb; do
    dpkg-deb -x "$deb" "$root"
  done
  touch "$prefix/unpacked"
fi
for v in 3.14 3.15; do
  cat > "$prefix/bin/python$v" <<WRAPPER
#!/bin/sh
# Debian's CPython $v, run through the glibc unpacked beside it.
PYTHONHOME=$root/usr exec $root/usr/lib64/ld-linux-x86-64.so.2 --library-path $root/usr/lib/x86_64-linux-gnu $root/usr/bin/python$v "\$@"
WRAPPER
  chmod +x "$prefix/bin/python$v"
done
echo "$prefix"
