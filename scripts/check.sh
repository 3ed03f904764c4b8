#!/bin/sh
# The whole test suite, as CI runs it (.ci/run calls `make check`):
#   1. build (warnings are errors) and the unit tests (cmocka)
#   2. the API tests over HTTP against the real server on SQLite
#   3. the same API tests on PostgreSQL 15 (a throwaway cluster on loopback)
#   4. the browser tests in headless Chromium
#   5. unit and API tests again under AddressSanitizer + UBSan
#   6. each libFuzzer target for a short time
#   7. the source checker (banned calls)
# Prints one line per stage and a closing "check: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
: "${EB_SHARED:=$(pwd)/../shared}"
export EB_SHARED
LOG=${CHECK_LOG:-tests/out}
mkdir -p "$LOG"
total_pass=0; total_fail=0; failed_stages=""

count_node() { # file -> "pass fail"
  p=$(grep -E '^# pass [0-9]+' "$1" | tail -1 | awk '{print $3}')
  f=$(grep -E '^# fail [0-9]+' "$1" | tail -1 | awk '{print $3}')
  echo "${p:-0} ${f:-0}"
}
count_plain() { # file -> "pass fail" from a "N passed, N failed" line
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  p=$(echo "$line" | sed -E 's/^(.*[^0-9])?([0-9]+) passed.*/\2/')
  f=$(echo "$line" | sed -E 's/.*, ([0-9]+) failed.*/\1/')
  echo "${p:-0} ${f:-0}"
}

stage() { # name kind command...
  name=$1; kind=$2; shift 2
  out="$LOG/$name.log"
  start=$(date +%s)
  "$@" > "$out" 2>&1; rc=$?
  secs=$(( $(date +%s) - start ))
  if [ "$kind" = node ]; then set -- $(count_node "$out"); else set -- $(count_plain "$out"); fi
  p=$1; f=$2
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  if [ $rc -ne 0 ]; then
    failed_stages="$failed_stages $name"
    echo "[FAIL] $name: $p passed, $f failed (${secs}s) — log $out"
    grep -E 'not ok|FAILED|ERROR|Error|error:|runtime error|AddressSanitizer|crashed|failed' "$out" | head -40
  else
    echo "[ ok ] $name: $p passed, $f failed (${secs}s)"
  fi
}

PG_URL=postgres://epibridge@127.0.0.1:5433
pg_ok=0
sh scripts/pg-test-server.sh > "$LOG/pg-server.log" 2>&1 && pg_ok=1
stage build plain sh -c 'make -j2 all && echo "build: 1 passed, 0 failed"'
if [ $pg_ok = 1 ]; then
  stage unit plain env EB_PG_URL=$PG_URL sh scripts/run-unit.sh build
else
  stage unit plain sh scripts/run-unit.sh build
fi
stage web-assets plain sh -c 'sh scripts/web-assets.sh && echo "web-assets: 1 passed, 0 failed"'
stage api-sqlite node node --test --test-concurrency=2 tests/api/ tests/crash/
if [ $pg_ok = 1 ]; then
  stage api-postgres node env EB_TEST_DB=postgres EB_PG_URL=postgres://epibridge@127.0.0.1:5433 \
    node --test --test-concurrency=2 tests/api/ tests/crash/
else
  echo "[FAIL] api-postgres: cannot start PostgreSQL (log $LOG/pg-server.log)"; cat "$LOG/pg-server.log" | tail -20
  total_fail=$((total_fail + 1)); failed_stages="$failed_stages api-postgres"
fi
if [ -d tests/web ] && ls tests/web/*.test.mjs >/dev/null 2>&1; then
  stage browser node node --test --test-concurrency=1 tests/web/
fi
[ -f scripts/run-san.sh ] && stage sanitizers plain sh scripts/run-san.sh
[ -f scripts/run-fuzz.sh ] && stage fuzz plain sh -c 'sh scripts/build-fuzz.sh && FUZZ_SECONDS=${FUZZ_SECONDS:-20} sh scripts/run-fuzz.sh'
stage lint plain sh scripts/lint.sh

echo
if [ -n "$failed_stages" ]; then echo "failed stages:$failed_stages"; fi
echo "check: $total_pass passed, $total_fail failed"
[ -z "$failed_stages" ]
