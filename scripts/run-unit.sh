#!/bin/sh
# Runs every cmocka unit test binary in $1/tests and prints one closing line
# "unit: N passed, N failed".  Exits non-zero when any test failed or a binary
# crashed.  Tests run from the repository root; EB_SHARED points at ../shared.
B=${1:-build}
: "${EB_SHARED:=$(cd "$(dirname "$0")/.." && pwd)/../shared}"
export EB_SHARED
pass=0; fail=0; crashed=""
for t in "$B"/tests/test_*; do
  [ -x "$t" ] || continue
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out" | grep -E '^\[ *(FAILED|  ERROR|PASSED) *\]|^\[  FAILED  \]' | sed "s|^|$(basename "$t"): |"
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {if (NR) print s+0}')
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
  if [ $rc -ne 0 ] && [ -z "$f" ]; then
    fail=$((fail + 1)); crashed="$crashed $(basename "$t")"
    printf '%s\n' "$out" | tail -20
  fi
done
[ -n "$crashed" ] && echo "crashed:$crashed"
echo "unit: $pass passed, $fail failed"
[ $fail -eq 0 ]
