#!/bin/sh
# B3 for the situation reads: a country's time series, the world snapshot of
# a day and the indicators of every area on a day, epibridge against nginx
# serving the same response bytes.
#
# epibridge serves a fresh SQLite database holding WHO's daily COVID-19 CSV
# (../shared/data/covid19/who/, 24,318 reports of 216 areas, imported public
# with `epibridge import who`) and its indicators (`epibridge indicators`).
# The three GETs are public, so both servers are asked without credentials:
#   series      GET /api/v1/areas/CN/series         China's daily series
#   situation   GET /api/v1/situation/2020-03-15    every report of the day
#   indicators  GET /api/v1/indicators/world/2020-03-15   every area's indicators
# nginx serves the exact bytes epibridge gave (fetched once with curl) as
# static files with Content-Type application/json, on the same machine in
# the same run.  Each is driven by `wrk -t2 -c64 -d${B3_SECONDS}s --latency`
# (keep-alive) after a 2 s warm-up.  epibridge's memory (B6) is read from
# /proc/PID/status: VmRSS idle, and the peak during the load (VmHWM).
#
# Agreement: bodies byte-identical with the same Content-Type, and no non-2xx
# answer under load.  Requests that took longer than wrk's 2 s timeout are
# counted apart (column "timeouts"): they are slowness, not disagreement.  The
# script fails only on disagreement, never on a missed target.
#
#   sh bench/b3_situation.sh
#   B3_SECONDS=5 B3_THREADS=4 sh bench/b3_situation.sh    (epibridge --threads)
#
# Needs nginx, wrk, curl and build/epibridge (EB_BIN overrides); the WHO CSV
# under EB_SHARED (default ../shared).  Everything listens on 127.0.0.1 only,
# in a temporary directory removed at the end.  The table goes to stdout; the
# table, machine, commands and raw wrk output to bench/results/b3_situation.txt.
set -eu
cd "$(dirname "$0")/.."
BIN=${EB_BIN:-build/epibridge}
SECS=${B3_SECONDS:-10}
THREADS=${B3_THREADS:-}
SHARED=${EB_SHARED:-../shared}
WHO_CSV=$SHARED/data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv
OUT=bench/results/b3_situation.txt
CASES="series:/api/v1/areas/CN/series situation:/api/v1/situation/2020-03-15 indicators:/api/v1/indicators/world/2020-03-15"

for t in nginx wrk curl; do
  command -v $t >/dev/null || { echo "b3_situation: $t is not installed (make bench installs it)" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "b3_situation: $BIN not built (make build/epibridge)" >&2; exit 2; }
[ -r "$WHO_CSV" ] || { echo "b3_situation: $WHO_CSV not found (set EB_SHARED)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

. bench/lib.sh
bench_tmp b3s

wrk_run() { # NAME URL
  timeout $((SECS + 30)) wrk -t2 -c64 -d"${SECS}s" --latency "$2" > "$T/wrk_$1.txt" 2>&1 || true
  raw "---- wrk $1: wrk -t2 -c64 -d${SECS}s --latency $2"
  cat "$T/wrk_$1.txt" >> "$RAW"
}
rps_of() { awk '/^Requests\/sec:/ { print $2 }' "$T/wrk_$1.txt"; }
p99_of() {
  awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1;
    printf "%.2f\n", v * f }' "$T/wrk_$1.txt"
}
# no non-2xx answer and no connect/read/write error (timeouts are counted apart)
wrk_clean() {
  awk '/Non-2xx/ { bad = 1 }
    /Socket errors/ { gsub(/,/, ""); for (i = 1; i < NF; i++) if ($i ~ /^(connect|read|write)$/ && $(i + 1) > 0) bad = 1 }
    END { exit bad }' "$T/wrk_$1.txt"
}
timeouts_of() { awk '/Socket errors/ { sub(/.*timeout /, ""); print $1 + 0; f = 1 } END { if (!f) print 0 }' "$T/wrk_$1.txt"; }
fetch() { curl -sS -o "$2" -w '%{http_code} %{content_type}' "$1"; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the data ----
DB=$T/bench.db
ORG=$("$BIN" org add --kind international_organisation --name-en 'World Health Organization' --country CH --db "$DB" 2>/dev/null |
  sed -n 's/^ *"id": *\([0-9]*\).*/\1/p' | head -1)
[ -n "$ORG" ] || { echo "b3_situation: could not create the organisation" >&2; exit 1; }
"$BIN" import who "$WHO_CSV" --org "$ORG" --visibility public --db "$DB" > "$T/import.log" 2>&1 || { cat "$T/import.log" >&2; exit 1; }
"$BIN" indicators --db "$DB" > "$T/indicators.log" 2>&1 || { cat "$T/indicators.log" >&2; exit 1; }
raw "---- data: $(head -1 "$T/import.log")"
raw "---- $(head -1 "$T/indicators.log")"

# ---- epibridge ----
set -- ${THREADS:+--threads "$THREADS"}
"$BIN" serve --db "$DB" --port 0 --port-file "$T/port" --quiet "$@" > "$T/eb.log" 2>&1 &
EB_PID=$!
i=0
while [ ! -s "$T/port" ]; do
  i=$((i + 1))
  if [ $i -gt 200 ] || ! kill -0 "$EB_PID" 2>/dev/null; then
    echo "b3_situation: epibridge did not start:" >&2; cat "$T/eb.log" >&2; exit 1
  fi
  sleep 0.05
done
EB_BASE=http://127.0.0.1:$(cat "$T/port")
sleep 1
IDLE_KB=$(rss_kb "$EB_PID" VmRSS)

# ---- nginx, with every case's bytes ----
N=$T/nginx
mkdir -p "$N/logs"
AGREE=yes
for c in $CASES; do
  name=${c%%:*}; path=${c#*:}
  head=$(fetch "$EB_BASE$path" "$T/eb_$name.body")
  [ "${head%% *}" = 200 ] || { echo "b3_situation: epibridge answered $head for $path" >&2; cat "$T/eb_$name.body" >&2; exit 1; }
  echo "$head" > "$T/eb_$name.head"
  mkdir -p "$N/www${path%/*}"
  cp "$T/eb_$name.body" "$N/www$path"
done
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
    location /api/ { default_type application/json; }
  }
}
EOF
nginx -e "$N/logs/error.log" -p "$N" -c "$N/nginx.conf" > "$N/logs/stdout" 2>&1 &
NGX_PID=$!
NGX_BASE=http://127.0.0.1:$NGX_PORT
first=${CASES%% *}; first=${first#*:}
i=0
until curl -s -o /dev/null "$NGX_BASE$first"; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$NGX_PID" 2>/dev/null; then
    echo "b3_situation: nginx did not start:" >&2; cat "$N/logs/"* >&2; exit 1
  fi
  sleep 0.05
done

PEAK_KB=$IDLE_KB
ROWS=""
for c in $CASES; do
  name=${c%%:*}; path=${c#*:}
  nh=$(fetch "$NGX_BASE$path" "$T/ngx_$name.body")
  eh=$(cat "$T/eb_$name.head")
  ok=yes
  if [ "$eh" != "$nh" ] || ! cmp -s "$T/eb_$name.body" "$T/ngx_$name.body"; then
    ok=NO
    echo "b3_situation: $name responses differ: epibridge '$eh', nginx '$nh'" >&2
  fi
  bytes=$(wc -c < "$T/eb_$name.body")
  raw "---- $name $path: epibridge '$eh' nginx '$nh', $bytes bytes, sha256 $(sha256sum < "$T/eb_$name.body" | cut -c1-16)"
  curl -sS -D - -o /dev/null "$EB_BASE$path" | tr -d '\r' | sed 's/^/epibridge: /' >> "$RAW"
  timeout 20 wrk -t2 -c64 -d2s "$EB_BASE$path" > /dev/null 2>&1 || true
  ( while kill -0 "$EB_PID" 2>/dev/null; do rss_kb "$EB_PID" VmRSS; sleep 0.2; done ) > "$T/rss_$name.txt" 2>/dev/null &
  SAMPLER=$!
  wrk_run "eb_$name" "$EB_BASE$path"
  kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
  wrk_clean "eb_$name" || ok=NO
  timeout 20 wrk -t2 -c64 -d2s "$NGX_BASE$path" > /dev/null 2>&1 || true
  wrk_run "ngx_$name" "$NGX_BASE$path"
  wrk_clean "ngx_$name" || ok=NO
  [ "$ok" = yes ] || AGREE=NO
  PEAK_KB=$( { echo "$PEAK_KB"; rss_kb "$EB_PID" VmHWM; cat "$T/rss_$name.txt"; } | sort -n | tail -1)
  ROWS="$ROWS $name:$bytes:$(rps_of "eb_$name"):$(rps_of "ngx_$name"):$(p99_of "eb_$name"):$(p99_of "ngx_$name"):$ok:$(timeouts_of "eb_$name")/$(timeouts_of "ngx_$name")"
done
raw "---- epibridge memory: idle VmRSS ${IDLE_KB} kB, peak ${PEAK_KB} kB"

{
  echo "B3/B6 situation reads: epibridge vs nginx (same bytes, static files)"
  echo "data: WHO daily CSV 2020-01-11..2020-06-26 imported public ($(sed -n 's/.*read \([0-9]*\).*/\1/p' "$T/import.log" | head -1) reports), indicators computed"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  cores: $(nproc)  cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
  echo "load average before the run: $LOAD0 (other work on the machine makes both sides slower)"
  echo "epibridge: serve --quiet ${THREADS:+--threads $THREADS }(SQLite)  peer: $(nginx -v 2>&1 | sed 's/.*: //') worker_processes auto, access_log off"
  echo "load: wrk -t2 -c64 -d${SECS}s --latency, keep-alive, anonymous (public routes)"
  echo
  echo "| case                                         |  bytes |  epibridge |      peer |  ratio | target    | agree | timeouts eb/peer |"
  echo "|----------------------------------------------|--------|------------|-----------|--------|-----------|-------|------------------|"
  for row in $ROWS; do
    echo "$row" | awk -F: '{
      path = ($1 == "series") ? "areas/CN/series" : ($1 == "situation") ? "situation/2020-03-15" : "indicators/world/2020-03-15"
      printf "| %-44s | %6d | %10.0f | %9.0f | %6.2f | %-9s | %-5s | %-16s |\n", "B3 " path " req/s", $2, $3, $4, $3 / $4, ">= 0.5", $7, $8
      printf "| %-44s | %6s | %10.2f | %9.2f | %6.2f | %-9s | %-5s | %-16s |\n", "B3 " path " p99 ms", "", $5, $6, $5 / $6, "<= 10 ms", $7, "" }'
  done
  awk -v i="$IDLE_KB" -v p="$PEAK_KB" 'BEGIN {
    printf "| %-44s | %6s | %10.1f | %9s | %6s | %-9s | %-5s | %-16s |\n", "B6 RSS idle MB", "", i / 1024, "-", "-", "<= 30 MB", "-", ""
    printf "| %-44s | %6s | %10.1f | %9s | %6s | %-9s | %-5s | %-16s |\n", "B6 RSS peak under B3 load MB", "", p / 1024, "-", "-", "<= 200 MB", "-", "" }'
  echo
  echo "ratio = epibridge / nginx (requests/s: higher is better; p99: lower is better)."
  echo "agree = identical body and Content-Type, and no non-2xx answer or connection error under load;"
  echo "timeouts = requests wrk gave up on after 2 s (slowness, counted apart)."
} > "$T/table"
cat "$T/table"
mkdir -p bench/results
{ cat "$T/table"; echo; echo "==== raw output ===="; cat "$RAW"; } > "$OUT"
[ "$AGREE" = yes ]
