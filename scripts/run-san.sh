#!/bin/sh
# The unit and API tests under AddressSanitizer + UndefinedBehaviorSanitizer.
#
# Builds build-san/ (make SAN=1: -fsanitize=address,undefined, -O1), runs
# the unit tests (scripts/run-unit.sh build-san) and the API tests against
# build-san/epibridge (EB_BUILD=build-san node --test tests/api/).  Every
# sanitized process (unit tests, the servers the API tests start, the CLI
# runs they make) writes its reports to $SAN_LOG_DIR (default tests/out/san)
# through log_path, so a report is caught even when the test that provoked
# it passed, or came from a leak found only at exit.  Fails on any failed
# test and on any report: "ERROR: AddressSanitizer", "runtime error:" or
# "LeakSanitizer".  Options (defaults as below) may be overridden:
#   ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
#   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Leak suppressions for third-party libraries go in tests/san/lsan.supp.
#
#   sh scripts/run-san.sh                   everything
#   SAN_SKIP_API=1 sh scripts/run-san.sh    unit tests only
#
# Prints "san: N passed, N failed" (tests + 1 failure per reporting process).
set -u
cd "$(dirname "$0")/.."
: "${EB_SHARED:=$(pwd)/../shared}"
export EB_SHARED
LOG=${SAN_LOG_DIR:-tests/out/san}
rm -rf "$LOG"
mkdir -p "$LOG"
LOG=$(cd "$LOG" && pwd)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}:log_path=$LOG/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:log_path=$LOG/ubsan"
[ -f tests/san/lsan.supp ] && export LSAN_OPTIONS="suppressions=$(pwd)/tests/san/lsan.supp"
pass=0; fail=0

if ! make SAN=1 -j"$(nproc)" all > "$LOG/build.txt" 2>&1; then
  grep -E 'error|Error' "$LOG/build.txt" | head -20
  echo "san: 0 passed, 1 failed (build; log $LOG/build.txt)"
  exit 1
fi

sh scripts/run-unit.sh build-san > "$LOG/unit.txt" 2>&1
unit_rc=$?
line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed' "$LOG/unit.txt" | tail -1)
p=$(echo "$line" | sed -E 's/^unit: ([0-9]+) passed.*/\1/'); f=$(echo "$line" | sed -E 's/.*, ([0-9]+) failed/\1/')
[ -n "$line" ] || { p=0; f=1; }
[ $unit_rc -ne 0 ] && [ "${f:-0}" -eq 0 ] && f=1
pass=$((pass + p)); fail=$((fail + f))
echo "unit (build-san): $p passed, $f failed"
[ "$f" -ne 0 ] && grep -E 'FAILED|ERROR|crashed' "$LOG/unit.txt" | head -20

if [ -z "${SAN_SKIP_API:-}" ]; then
  EB_BUILD=build-san node --test --test-concurrency=2 tests/api/ > "$LOG/api.txt" 2>&1
  api_rc=$?
  p=$(grep -E '^# pass [0-9]+' "$LOG/api.txt" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$LOG/api.txt" | tail -1 | awk '{print $3}')
  p=${p:-0}; f=${f:-0}
  [ $api_rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
  pass=$((pass + p)); fail=$((fail + f))
  echo "api (build-san): $p passed, $f failed"
  [ "$f" -ne 0 ] && grep -E '^not ok|^# Subtest' "$LOG/api.txt" | grep -B1 '^not ok' | head -20
fi

reports=$(grep -l -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$LOG"/asan* "$LOG"/ubsan* 2>/dev/null)
n=0
for r in $reports; do
  n=$((n + 1))
  echo "---- sanitizer report $r"
  grep -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer|SUMMARY|^ *#[0-9]+ ' "$r" | head -25
done
fail=$((fail + n))
echo "sanitizer reports: $n (logs in $LOG)"
echo "san: $pass passed, $fail failed"
[ $fail -eq 0 ]
