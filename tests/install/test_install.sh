#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the meshrpr build tree BUILD into a prefix under OUT, then builds and runs the
# outside program consumer.c against that prefix: with CMake's find_package (shared and static
# targets) and with pkg-config and the compiler alone (shared).
# usage: test_install.sh CMAKE BUILD OUT SRC LIBDIR CC
set -eu
CMAKE=$1 BUILD=$2 OUT=$3 SRC=$4 LIBDIR=$5 CC=$6
PREFIX=$OUT/prefix
rm -rf "$OUT" && mkdir -p "$OUT"

echo "== cmake --install $BUILD --prefix $PREFIX"
"$CMAKE" --install "$BUILD" --prefix "$PREFIX" >"$OUT/install.log"
for f in include/meshrpr/mesh.h include/meshrpr/version.h include/meshrpr/sim.h \
         "$LIBDIR/libmeshrpr.a" "$LIBDIR/libmeshrpr.so" "$LIBDIR/pkgconfig/meshrpr.pc" \
         "$LIBDIR/cmake/meshrpr/meshrprConfig.cmake" bin/meshrpr; do
    [ -e "$PREFIX/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
# The shared library is versioned: libmeshrpr.so -> libmeshrpr.so.MAJOR (the SONAME).
soname=$(objdump -p "$PREFIX/$LIBDIR/libmeshrpr.so" | awk '$1 == "SONAME" { print $2 }')
[ -n "$soname" ] && [ -e "$PREFIX/$LIBDIR/$soname" ] || { echo "FAIL: SONAME '$soname'"; exit 1; }
echo "SONAME $soname"

echo "== find_package(meshrpr)"
"$CMAKE" -S "$SRC" -B "$OUT/cmake" -DCMAKE_C_COMPILER="$CC" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_BUILD_RPATH="$PREFIX/$LIBDIR" >"$OUT/cmake-configure.log"
"$CMAKE" --build "$OUT/cmake" >"$OUT/cmake-build.log"
"$OUT/cmake/consumer" "$OUT/cmake.json"
"$OUT/cmake/consumer_static"
# The shared build really uses the installed shared library.
ldd "$OUT/cmake/consumer" | grep -q "$PREFIX/$LIBDIR/$soname" ||
    { echo "FAIL: consumer does not load $PREFIX/$LIBDIR/$soname"; ldd "$OUT/cmake/consumer"; exit 1; }
grep -Eq '"meshName":[[:space:]]*"consumer"' "$OUT/cmake.json" || { echo "FAIL: no database written"; exit 1; }

echo "== pkg-config"
PKG_CONFIG_PATH=$PREFIX/$LIBDIR/pkgconfig
export PKG_CONFIG_PATH
flags=$(pkg-config --cflags --libs meshrpr-posix meshrpr-sim meshrpr)
echo "$CC consumer.c $flags"
# shellcheck disable=SC2086
"$CC" -std=c11 -o "$OUT/pc-consumer" "$SRC/consumer.c" $flags -Wl,-rpath,"$PREFIX/$LIBDIR"
"$OUT/pc-consumer"
echo "PASS"
