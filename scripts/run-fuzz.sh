#!/bin/sh
# Runs every libFuzzer target built by scripts/build-fuzz.sh for a while.
#
# Each build-fuzz/fuzz_NAME runs for FUZZ_SECONDS (default 30) on a copy of
# its seed corpus tests/fuzz/corpus/NAME/ (when there is one) in a temporary
# directory, so the repository is never written to, with the dictionary
# tests/fuzz/NAME.dict when there is one.  A crash, leak, sanitizer report or
# timeout fails the target; its input is kept as build-fuzz/artifacts/NAME/*
# and the end of the log is printed.  Logs: build-fuzz/logs/NAME.log.
#
#   sh scripts/run-fuzz.sh                 every built target
#   FUZZ_SECONDS=120 sh scripts/run-fuzz.sh json router
#
# Prints one line per target and "fuzz: N passed, N failed"; exits non-zero
# when any target failed.
set -u
cd "$(dirname "$0")/.."
B=build-fuzz
SECS=${FUZZ_SECONDS:-30}
if [ $# -gt 0 ]; then
  names="$*"
else
  names=$(for f in tests/fuzz/fuzz_*.c; do [ -f "$f" ] && basename "$f" .c | sed 's/^fuzz_//'; done)
fi
[ -n "$names" ] || { echo "fuzz: no targets in tests/fuzz/"; exit 1; }
mkdir -p $B/logs
WORK=$(mktemp -d /tmp/eb-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
pass=0; fail=0; failed=""
for n in $names; do
  bin=$B/fuzz_$n
  log=$B/logs/$n.log
  if [ ! -x "$bin" ]; then
    echo "[FAIL] fuzz_$n: not built (sh scripts/build-fuzz.sh)"
    fail=$((fail + 1)); failed="$failed $n"; continue
  fi
  corpus=$WORK/corpus-$n
  mkdir -p "$corpus" $B/artifacts/$n
  [ -d tests/fuzz/corpus/$n ] && cp -R tests/fuzz/corpus/$n/. "$corpus/"
  set --
  [ -f tests/fuzz/$n.dict ] && set -- -dict=tests/fuzz/$n.dict
  start=$(date +%s)
  # libFuzzer stops itself after max_total_time; timeout is the backstop.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    timeout -k 10 $((SECS + 120)) "$bin" -max_total_time="$SECS" -timeout=25 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$B/artifacts/$n/ \
      "$@" "$corpus" > "$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  if [ $rc -eq 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    echo "[ ok ] fuzz_$n: ${runs:-?} runs in ${secs}s, ${cov:-cov ?}, corpus $(ls "$corpus" | wc -l)"
    pass=$((pass + 1))
  else
    echo "[FAIL] fuzz_$n: exit $rc after ${secs}s; log $log; input kept in $B/artifacts/$n/"
    grep -E 'ERROR:|runtime error:|SUMMARY:|^ *#[0-9]+ .* in ' "$log" | head -30
    fail=$((fail + 1)); failed="$failed $n"
  fi
  rm -rf "$corpus"
done
[ -n "$failed" ] && echo "failed:$failed"
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
