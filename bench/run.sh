#!/bin/sh
# Runs every benchmark bench/b*.sh and collects their tables (`make bench`).
#
# Each benchmark prints its own table (case | epibridge | peer | ratio |
# [target |] agree) and keeps its raw output in bench/results/<name>.txt; a
# benchmark exits non-zero when epibridge and its peer disagree on the
# output (never because a target was missed: machines differ).  This script
# runs them one after the other (they measure the whole machine, so never in
# parallel), each bounded by BENCH_TIMEOUT seconds (default 1200), prints
# every table under the benchmark's name, writes the same to
# bench/results/tmp/summary.txt, and ends with "bench: N ran, N failed".
#
#   sh bench/run.sh               every benchmark
#   sh bench/run.sh b3_orgs       only bench/b3_orgs.sh
set -u
cd "$(dirname "$0")/.."
LIMIT=${BENCH_TIMEOUT:-1200}
mkdir -p bench/results/tmp
SUMMARY=bench/results/tmp/summary.txt
if [ $# -gt 0 ]; then
  list=""; for n in "$@"; do list="$list bench/$n.sh"; done
else
  list=$(ls bench/b*.sh 2>/dev/null)
fi
ran=0; failed=""
{
  echo "epibridge benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src 2>/dev/null || echo ' (src modified)')"
} > "$SUMMARY"
for b in $list; do
  [ -f "$b" ] || { echo "bench: no $b" >&2; failed="$failed $b"; continue; }
  name=$(basename "$b" .sh)
  out=bench/results/tmp/$name.out
  echo "== $name"
  start=$(date +%s)
  timeout -k 10 "$LIMIT" sh "$b" > "$out" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  cat "$out"
  ran=$((ran + 1))
  {
    echo
    echo "== $name (${secs}s, exit $rc)"
    grep -E '^\|' "$out"
  } >> "$SUMMARY"
  if [ $rc -ne 0 ]; then
    failed="$failed $name"
    [ $rc -eq 124 ] && echo "bench: $name stopped after ${LIMIT}s"
    echo "bench: $name exited $rc"
  fi
  echo
done
echo
cat "$SUMMARY"
nf=$(echo $failed | wc -w)
echo
[ -n "$failed" ] && echo "failed:$failed"
echo "bench: $ran ran, $nf failed"
[ "$nf" -eq 0 ]
