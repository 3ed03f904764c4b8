# Shell helpers shared by the benchmarks (sourced, not run):
#   bench_tmp NAME   makes $T (a temporary directory), $RAW (the raw log)
#                    and an exit trap that stops $EB_PID, $NGX_PID and
#                    $SAMPLER and removes $T
#   raw TEXT         appends a line to the raw log
#   free_port        a loopback TCP port nobody listens on
#   rss_kb PID KEY   a /proc/PID/status field in kB (VmRSS, VmHWM)
#   cpu_s PID...     CPU seconds (user + system) used so far by the processes

bench_tmp() {
  T=$(mktemp -d "/tmp/eb-$1.XXXXXX")
  EB_PID=""; NGX_PID=""; SAMPLER=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  RAW=$T/raw
  : > "$RAW"
}

bench_cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  [ -n "$EB_PID" ] && kill "$EB_PID" 2>/dev/null && wait "$EB_PID" 2>/dev/null
  [ -n "$NGX_PID" ] && kill "$NGX_PID" 2>/dev/null && wait "$NGX_PID" 2>/dev/null
  rm -rf "$T"
}

raw() { printf '%s\n' "$*" >> "$RAW"; }

free_port() {
  used=$(awk 'NR > 1 { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
  while :; do
    p=$(shuf -i 20000-45000 -n 1)
    hex=$(printf '%04X' "$p")
    printf '%s\n' "$used" | grep -qx "$hex" || { echo "$p"; return; }
  done
}

rss_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

cpu_s() {
  for p in "$@"; do cat "/proc/$p/stat"; done 2>/dev/null |
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); t += $12 + $13 } END { printf "%.2f\n", t / hz }'
}
