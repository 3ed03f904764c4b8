#!/bin/sh
# B3 + B6 for GET /api/v1/orgs: epibridge against nginx serving the same bytes.
#
# epibridge serves the demo organisations (30, about 7.7 KB of JSON) from a
# fresh SQLite database to an API token (viewer); nginx serves the exact
# response bytes epibridge gave, fetched once with curl, as a static file
# with Content-Type application/json, on the same machine in the same run.
# Both are driven by `wrk -t2 -c64 -d${B3_SECONDS}s --latency` (keep-alive)
# with the same Authorization header.  B6 reads epibridge's memory from
# /proc/PID/status: VmRSS once started and idle, and the peak under load
# (VmHWM, and VmRSS sampled every 0.2 s during wrk).
#
# A second case does the same without credentials: anonymous reads of the
# directory are answered from kept responses (http/cache.c) while the data
# version is unchanged, so it measures that path; nginx serves the anonymous
# bytes for it.
#
# Agreement: both bodies are byte-identical with the same Content-Type, and
# neither server gave a non-2xx answer or a socket error during load.  The
# script fails only on disagreement, never on a missed target.
#
#   sh bench/b3_orgs.sh
#   B3_SECONDS=5 B3_THREADS=4 sh bench/b3_orgs.sh     (epibridge --threads)
#   B3_SWEEP="2 4 8" sh bench/b3_orgs.sh              (one extra row per count)
#
# Needs nginx, wrk, curl and build/epibridge (EB_BIN overrides).  Everything
# listens on 127.0.0.1 only, in a temporary directory removed at the end.
# The table goes to stdout; the table, machine, commands and raw wrk output go
# to bench/results/b3_orgs.txt.
set -eu
cd "$(dirname "$0")/.."
BIN=${EB_BIN:-build/epibridge}
SECS=${B3_SECONDS:-10}
THREADS=${B3_THREADS:-}
SWEEP=${B3_SWEEP:-}
OUT=bench/results/b3_orgs.txt
URLPATH=/api/v1/orgs

for t in nginx wrk curl; do
  command -v $t >/dev/null || { echo "b3_orgs: $t is not installed (make bench installs it)" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "b3_orgs: $BIN not built (make build/epibridge)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

. bench/lib.sh
bench_tmp b3
reqs_of() { awk '/requests in/ { print $1 }' "$T/wrk_$1.txt"; }

# wrk_run NAME URL PID...: bounded load run; raw output in $T/wrk_NAME.txt;
# the server's CPU time per request (microseconds) in $T/cpu_NAME.txt
wrk_run() {
  name=$1; url=$2; shift 2
  c0=$(cpu_s "$@")
  if [ "${ANON:-0}" = 1 ]; then
    timeout $((SECS + 30)) wrk -t2 -c64 -d"${SECS}s" --latency "$url" > "$T/wrk_$name.txt" 2>&1 || true
  else
    timeout $((SECS + 30)) wrk -t2 -c64 -d"${SECS}s" --latency \
      -H "Authorization: Bearer $TOKEN" "$url" > "$T/wrk_$name.txt" 2>&1 || true
  fi
  c1=$(cpu_s "$@")
  awk -v a="$c0" -v b="$c1" -v n="$(reqs_of "$name")" 'BEGIN { printf "%.1f\n", n ? (b - a) * 1e6 / n : 0 }' > "$T/cpu_$name.txt"
  raw "---- wrk $name: wrk -t2 -c64 -d${SECS}s --latency $([ "${ANON:-0}" = 1 ] || echo "-H 'Authorization: Bearer <token>' ")$url"
  cat "$T/wrk_$name.txt" >> "$RAW"
  raw "server CPU: $c0 s -> $c1 s, $(cat "$T/cpu_$name.txt") us per request"
}
cpu_of() { cat "$T/cpu_$1.txt"; }
rps_of() { awk '/^Requests\/sec:/ { print $2 }' "$T/wrk_$1.txt"; }
# p99 in milliseconds, whatever unit wrk printed
p99_of() {
  awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1;
    printf "%.2f\n", v * f }' "$T/wrk_$1.txt"
}
wrk_clean() { ! grep -qE 'Non-2xx|Socket errors' "$T/wrk_$1.txt"; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- epibridge: demo organisations, a viewer token ----
DB=$T/bench.db
"$BIN" demo --db "$DB" --load-only > "$T/demo.log" 2>&1 || { cat "$T/demo.log" >&2; exit 1; }
TOKEN=$("$BIN" token create --org 1 --name bench --role viewer --db "$DB")

# start_eb THREADS: starts the server, sets EB_PID, EB_URL, IDLE_KB
start_eb() {
  rm -f "$T/port"
  set -- ${1:+--threads "$1"}
  "$BIN" serve --db "$DB" --port 0 --port-file "$T/port" --quiet "$@" > "$T/eb.log" 2>&1 &
  EB_PID=$!
  i=0
  while [ ! -s "$T/port" ]; do
    i=$((i + 1))
    if [ $i -gt 200 ] || ! kill -0 "$EB_PID" 2>/dev/null; then
      echo "b3_orgs: epibridge did not start:" >&2; cat "$T/eb.log" >&2; exit 1
    fi
    sleep 0.05
  done
  EB_URL=http://127.0.0.1:$(cat "$T/port")$URLPATH
  sleep 1
  IDLE_KB=$(rss_kb "$EB_PID" VmRSS)
}
stop_eb() { kill "$EB_PID"; wait "$EB_PID" 2>/dev/null || true; EB_PID=""; }

fetch() { # URL FILE -> "status content-type"
  curl -sS -o "$2" -w '%{http_code} %{content_type}' -H "Authorization: Bearer $TOKEN" "$1"
}

start_eb "$THREADS"
EB_HEAD=$(fetch "$EB_URL" "$T/eb.body")
[ "${EB_HEAD%% *}" = 200 ] || { echo "b3_orgs: epibridge answered $EB_HEAD" >&2; cat "$T/eb.body" >&2; exit 1; }
EB_AHEAD=$(curl -sS -o "$T/eb_anon.body" -w '%{http_code} %{content_type}' "$EB_URL")
[ "${EB_AHEAD%% *}" = 200 ] || { echo "b3_orgs: epibridge answered $EB_AHEAD without credentials" >&2; exit 1; }

# ---- nginx: the same bytes as a static file ----
# Workers run as nobody when the master is root, so the tree is world-readable.
N=$T/nginx
mkdir -p "$N/www${URLPATH%/*}" "$N/www/anon${URLPATH%/*}" "$N/logs"
cp "$T/eb.body" "$N/www$URLPATH"
cp "$T/eb_anon.body" "$N/www/anon$URLPATH"
chmod 755 "$T"; chmod -R a+rX "$N"
NGX_PORT=$(free_port)
cat > "$N/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $N/tmp_body;
  proxy_temp_path $N/tmp_proxy;
  fastcgi_temp_path $N/tmp_fastcgi;
  uwsgi_temp_path $N/tmp_uwsgi;
  scgi_temp_path $N/tmp_scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  open_file_cache max=16;
  server {
    listen 127.0.0.1:$NGX_PORT;
    root $N/www;
    location = $URLPATH { default_type application/json; }
    location = /anon$URLPATH { default_type application/json; }
  }
}
EOF
nginx -e "$N/logs/error.log" -p "$N" -c "$N/nginx.conf" > "$N/logs/stdout" 2>&1 &
NGX_PID=$!
NGX_URL=http://127.0.0.1:$NGX_PORT$URLPATH
i=0
until curl -s -o /dev/null "$NGX_URL"; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$NGX_PID" 2>/dev/null; then
    echo "b3_orgs: nginx did not start:" >&2; cat "$N/logs/"* >&2; exit 1
  fi
  sleep 0.05
done
NGX_HEAD=$(fetch "$NGX_URL" "$T/ngx.body")
NGX_AURL=http://127.0.0.1:$NGX_PORT/anon$URLPATH
NGX_AHEAD=$(curl -sS -o "$T/ngx_anon.body" -w '%{http_code} %{content_type}' "$NGX_AURL")

AGREE=yes
if [ "$EB_HEAD" != "$NGX_HEAD" ] || ! cmp -s "$T/eb.body" "$T/ngx.body"; then
  AGREE=NO
  echo "b3_orgs: responses differ: epibridge '$EB_HEAD', nginx '$NGX_HEAD'" >&2
fi
if [ "$EB_AHEAD" != "$NGX_AHEAD" ] || ! cmp -s "$T/eb_anon.body" "$T/ngx_anon.body"; then
  AGREE=NO
  echo "b3_orgs: anonymous responses differ: epibridge '$EB_AHEAD', nginx '$NGX_AHEAD'" >&2
fi
raw "---- response: epibridge '$EB_HEAD' nginx '$NGX_HEAD', $(wc -c < "$T/eb.body") bytes, sha256 $(sha256sum < "$T/eb.body" | cut -c1-16)"
raw "---- anonymous: epibridge '$EB_AHEAD' nginx '$NGX_AHEAD', $(wc -c < "$T/eb_anon.body") bytes, sha256 $(sha256sum < "$T/eb_anon.body" | cut -c1-16)"
curl -sS -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "$EB_URL" | tr -d '\r' | sed 's/^/epibridge: /' >> "$RAW"
curl -sS -D - -o /dev/null "$NGX_URL" | tr -d '\r' | sed 's/^/nginx:     /' >> "$RAW"

# load_eb NAME: warm-up, then measured wrk with RSS sampling; sets PEAK_KB
load_eb() {
  timeout 20 wrk -t2 -c64 -d2s -H "Authorization: Bearer $TOKEN" "$EB_URL" > /dev/null 2>&1 || true
  ( while kill -0 "$EB_PID" 2>/dev/null; do rss_kb "$EB_PID" VmRSS; sleep 0.2; done ) > "$T/rss_$1.txt" 2>/dev/null &
  SAMPLER=$!
  wrk_run "$1" "$EB_URL" "$EB_PID"
  kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
  hwm=$(rss_kb "$EB_PID" VmHWM)
  PEAK_KB=$( { echo "$hwm"; cat "$T/rss_$1.txt"; } | sort -n | tail -1)
  raw "---- epibridge $1 memory: idle VmRSS ${IDLE_KB} kB, VmHWM ${hwm} kB, sampled VmRSS max $(sort -n "$T/rss_$1.txt" | tail -1) kB"
  wrk_clean "$1" || AGREE=NO
}

load_eb eb
timeout 20 wrk -t2 -c64 -d2s "$NGX_URL" > /dev/null 2>&1 || true
wrk_run nginx "$NGX_URL" $(cat "/proc/$NGX_PID/task/"*/children)
wrk_clean nginx || AGREE=NO
# the anonymous case: kept responses
ANON=1
timeout 20 wrk -t2 -c64 -d2s "$EB_URL" > /dev/null 2>&1 || true
wrk_run eb_anon "$EB_URL" "$EB_PID"
wrk_clean eb_anon || AGREE=NO
timeout 20 wrk -t2 -c64 -d2s "$NGX_AURL" > /dev/null 2>&1 || true
wrk_run nginx_anon "$NGX_AURL" $(cat "/proc/$NGX_PID/task/"*/children)
wrk_clean nginx_anon || AGREE=NO
ANON=0
curl -sS -o "$T/eb_anon2.body" "$EB_URL"
cmp -s "$T/eb_anon.body" "$T/eb_anon2.body" || AGREE=NO
EB_IDLE=$IDLE_KB
EB_PEAK=$(printf '%s\n' "$PEAK_KB" "$(rss_kb "$EB_PID" VmHWM)" | sort -n | tail -1)
stop_eb

# optional sweep over --threads (nginx measured once, above)
SWEEP_ROWS=""
for n in $SWEEP; do
  start_eb "$n"
  fetch "$EB_URL" "$T/sweep.body" > /dev/null
  cmp -s "$T/eb.body" "$T/sweep.body" || AGREE=NO
  load_eb "t$n"
  SWEEP_ROWS="$SWEEP_ROWS $n:$(rps_of "t$n"):$(p99_of "t$n"):$IDLE_KB:$PEAK_KB:$(cpu_of "t$n")"
  stop_eb
done

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
{
  echo "B3/B6 GET $URLPATH ($(grep -o '{"id":' "$T/eb.body" | wc -l) demo organisations, $(wc -c < "$T/eb.body") bytes): epibridge vs nginx (same bytes, static file)"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  cores: $(nproc)  load before: $LOAD0  cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
  echo "binary: $BIN (commit ${EB_COMMIT:-$(git -C "$(dirname "$BIN")" rev-parse --short HEAD 2>/dev/null || echo unknown)})"
  echo "epibridge: serve --quiet ${THREADS:+--threads $THREADS }(SQLite)  peer: $(nginx -v 2>&1 | sed 's/.*: //') worker_processes auto, access_log off"
  echo "load: wrk -t2 -c64 -d${SECS}s --latency, keep-alive, same Authorization header"
  echo
  echo "| case                          |  epibridge |      peer |  ratio | target    | agree |"
  echo "|-------------------------------|------------|-----------|--------|-----------|-------|"
  awk -v e="$(rps_of eb)" -v n="$(rps_of nginx)" -v a="$AGREE" 'BEGIN {
    printf "| %-29s | %10.0f | %9.0f | %6.2f | %-9s | %-5s |\n", "B3 orgs requests/s", e, n, e / n, ">= 0.5", a }'
  awk -v e="$(p99_of eb)" -v n="$(p99_of nginx)" -v a="$AGREE" 'BEGIN {
    printf "| %-29s | %10.2f | %9.2f | %6.2f | %-9s | %-5s |\n", "B3 orgs p99 latency ms", e, n, e / n, "<= 10 ms", a }'
  awk -v e="$(cpu_of eb)" -v n="$(cpu_of nginx)" -v a="$AGREE" 'BEGIN {
    printf "| %-29s | %10.1f | %9.1f | %6.2f | %-9s | %-5s |\n", "B3 orgs server CPU us/request", e, n, n / e, ">= 0.5", a }'
  awk -v e="$(rps_of eb_anon)" -v n="$(rps_of nginx_anon)" -v a="$AGREE" 'BEGIN {
    printf "| %-29s | %10.0f | %9.0f | %6.2f | %-9s | %-5s |\n", "B3 orgs anonymous req/s", e, n, e / n, ">= 0.5", a }'
  awk -v e="$(p99_of eb_anon)" -v n="$(p99_of nginx_anon)" -v a="$AGREE" 'BEGIN {
    printf "| %-29s | %10.2f | %9.2f | %6.2f | %-9s | %-5s |\n", "B3 orgs anonymous p99 ms", e, n, e / n, "<= 10 ms", a }'
  awk -v e="$(cpu_of eb_anon)" -v n="$(cpu_of nginx_anon)" -v a="$AGREE" 'BEGIN {
    printf "| %-29s | %10.1f | %9.1f | %6.2f | %-9s | %-5s |\n", "B3 orgs anonymous CPU us/req", e, n, n / e, ">= 0.5", a }'
  printf "| %-29s | %10s | %9s | %6s | %-9s | %-5s |\n" "B6 RSS idle MB" "$(mb "$EB_IDLE")" "-" "-" "<= 30 MB" "-"
  printf "| %-29s | %10s | %9s | %6s | %-9s | %-5s |\n" "B6 RSS peak under B3 loads MB" "$(mb "$EB_PEAK")" "-" "-" "<= 200 MB" "-"
  for row in $SWEEP_ROWS; do
    echo "$row" | awk -F: -v n="$(rps_of nginx)" -v np="$(p99_of nginx)" -v a="$AGREE" '{
      printf "| %-29s | %10.0f | %9.0f | %6.2f | %-9s | %-5s |\n", "B3 orgs req/s --threads " $1, $2, n, $2 / n, ">= 0.5", a
      printf "| %-29s | %10.2f | %9.2f | %6.2f | %-9s | %-5s |\n", "B3 orgs p99 ms --threads " $1, $3, np, $3 / np, "<= 10 ms", a
      printf "| %-29s | %10.1f | %9s | %6s | %-9s | %-5s |\n", "B3 CPU us/req --threads " $1, $6, "-", "-", "-", "-"
      printf "| %-29s | %10.1f | %9s | %6s | %-9s | %-5s |\n", "B6 RSS peak MB --threads " $1, $5 / 1024, "-", "-", "<= 200 MB", "-" }'
  done
  echo
  echo "ratio = epibridge / nginx for requests/s (higher is better) and p99 (lower is better); for CPU per"
  echo "request it is nginx / epibridge, the share of nginx's efficiency reached (less sensitive to a busy machine)."
  echo "agree = identical body and Content-Type, and no non-2xx answer or socket error under load."
} > "$T/table"
cat "$T/table"
mkdir -p bench/results
{ cat "$T/table"; echo; echo "==== raw output ===="; cat "$RAW"; } > "$OUT"
[ "$AGREE" = yes ]
