#!/bin/sh
# Builds every libFuzzer target tests/fuzz/fuzz_*.c into build-fuzz/.
#
# All of src/ except src/cli/ is compiled once by the Makefile's own rules
# (same file list, generated sources and header dependencies, so rebuilds are
# incremental) with clang and -fsanitize=fuzzer-no-link,address,undefined into
# build-fuzz/libepibridge.a; each target is then linked against it with
# -fsanitize=fuzzer.  A target therefore may use any library source; each
# documents at its top which ones it exercises.  Warnings are shown but not
# fatal here (the gcc build is the one with -Werror).
#
#   sh scripts/build-fuzz.sh            every target
#   sh scripts/build-fuzz.sh json cap   only fuzz_json and fuzz_cap
#
# Prints "build-fuzz: N built, N failed"; exits non-zero if any failed.
set -u
cd "$(dirname "$0")/.."
B=build-fuzz
command -v clang >/dev/null || { echo "build-fuzz: clang is not installed (make check installs clang and libclang-rt-14-dev)" >&2; exit 2; }
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
PKGS=$(make -s print-pkgs)  # one list, in the Makefile

make -s B=$B CC=clang OPT=-O1 \
  SANFLAGS="-fsanitize=fuzzer-no-link $SAN" \
  WARN="-Wall -Wextra -Wno-unused-parameter" \
  -j"$(nproc)" $B/libepibridge.a || { echo "build-fuzz: 0 built, 1 failed (library)"; exit 1; }

if [ $# -gt 0 ]; then
  targets=""; for n in "$@"; do targets="$targets tests/fuzz/fuzz_$n.c"; done
else
  targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null)
fi
built=0; failed=0
for src in $targets; do
  name=$(basename "$src" .c)
  out=$B/$name
  if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt $B/libepibridge.a ]; then
    built=$((built + 1)); continue
  fi
  # shellcheck disable=SC2046
  if clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer $SAN -Isrc -I$B/gen \
      $(pkg-config --cflags $PKGS) "$src" $B/libepibridge.a \
      $(pkg-config --libs $PKGS) -lpthread -lm -o "$out"; then
    echo "built $out"; built=$((built + 1))
  else
    echo "FAILED $out"; failed=$((failed + 1))
  fi
done
echo "build-fuzz: $built built, $failed failed"
[ $failed -eq 0 ]
