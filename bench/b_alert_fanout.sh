#!/bin/sh
# B-ALERT: one alert fanned out to N subscribing organisations (default
# 10,000) with their inbox rows, while K event-stream clients (default
# 1,000) are connected: the time until every delivery is recorded (the
# POST's answer: the alert and its N inbox rows are one transaction) and
# until every client has the alert event (bench/b_alert_fanout.mjs).
#
# Peer (floor for the recording part): the same N inbox rows inserted by
# one sqlite3 process in one transaction into a table of the same shape and
# indexes, on the same database file.
#
# Input: a fresh SQLite database; N+1 organisations, N subscriptions to KR
# and K+1 API tokens inserted directly with sqlite3 (setup, not timed).
# Output: a table, also in bench/results/b_alert_fanout.txt.
#   sh bench/b_alert_fanout.sh          (N=10000 K=1000 RUNS=3)
set -eu
cd "$(dirname "$0")/.."
N=${N:-10000}
K=${K:-1000}
RUNS=${RUNS:-3}
OUT=bench/results/b_alert_fanout.txt
TMP=bench/results/tmp/fanout
rm -rf "$TMP"
mkdir -p "$TMP" bench/results
# each stream is a socket on both sides
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
[ "$(ulimit -n)" -ge $((K + 200)) ] || { echo "b_alert_fanout: ulimit -n $(ulimit -n) is below K+200" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "b_alert_fanout: sqlite3 not installed" >&2; exit 2; }
[ -x build/epibridge ] || make -j2 build/epibridge >/dev/null
BIN=build/epibridge
DB=$TMP/fanout.db
$BIN org list --db "$DB" >/dev/null 2>&1
node bench/b_alert_fanout.mjs SETUP "$TMP/setup.sql" "$N" "$K"
sqlite3 "$DB" < "$TMP/setup.sql"

$BIN serve --db "$DB" --port 0 --port-file "$TMP/port" --threads 4 --quiet > "$TMP/server.log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null || true' EXIT
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat "$TMP/port")

now() { date +%s.%N; }
# min A B: the smaller number, B when A is empty
min() { if [ -z "$1" ]; then echo "$2"; else awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 < a + 0) ? b : a }'; fi; }
{
  echo "# B-ALERT fan-out, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# machine: $(uname -srm), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# epibridge: $BIN serve --threads 4 (SQLite WAL, synchronous=FULL); N=$N subscribers, K=$K streams, RUNS=$RUNS"
  echo "# peer: sqlite3 $(sqlite3 --version | cut -d' ' -f1), $N rows into a table shaped like alert_deliveries, one transaction"
} > "$OUT"

best_post=; best_last=; best_peer=; agree=yes
r=0
while [ $r -lt "$RUNS" ]; do
  line=$(node bench/b_alert_fanout.mjs RUN "http://127.0.0.1:$PORT" "$N" "$K" "$TMP/setup.sql.tokens") || agree=no
  echo "run $r: $line" >> "$OUT"
  post=$(echo "$line" | sed -n 's/.*"post_ms":\([0-9.]*\).*/\1/p')
  last=$(echo "$line" | sed -n 's/.*"stream_last_ms":\([0-9.]*\).*/\1/p')
  echo "$line" | grep -q '"agree":true' || agree=no
  # the peer: same rows, same indexes, one transaction
  sqlite3 "$DB" "DROP TABLE IF EXISTS peer_deliveries; CREATE TABLE peer_deliveries AS SELECT * FROM alert_deliveries WHERE 0;
    CREATE UNIQUE INDEX peer_u ON peer_deliveries(alert_id, org_id, channel);
    CREATE INDEX peer_due ON peer_deliveries(channel, state, next_at);
    CREATE INDEX peer_inbox ON peer_deliveries(org_id, channel, alert_id);"
  t0=$(now)
  sqlite3 "$DB" "PRAGMA synchronous=FULL; BEGIN; INSERT INTO peer_deliveries (id, alert_id, org_id, channel, state, created_at, delivered_at, attempts, next_at, last_error)
    SELECT NULL, -1, org_id, 'inbox', 'delivered', 0, 0, 0, 0, '' FROM alert_subscriptions; COMMIT;"
  t1=$(now)
  peer=$(echo "$t0 $t1" | awk '{printf "%.1f", ($2 - $1) * 1000}')
  echo "run $r: peer_ms=$peer" >> "$OUT"
  best_post=$(min "$best_post" "$post")
  best_last=$(min "$best_last" "$last")
  best_peer=$(min "$best_peer" "$peer")
  r=$((r + 1))
done
rss=$(awk '/VmHWM/ {print $2 " kB"}' /proc/$SRV/status 2>/dev/null || echo "?")
{
  printf '%-44s | %12s | %12s | %6s | %s\n' "case (fastest of $RUNS)" epibridge peer ratio agree
  printf '%-44s | %10sms | %10sms | %6s | %s\n' "alert + $N inbox deliveries recorded" "$best_post" "$best_peer" \
    "$(echo "$best_post $best_peer" | awk '{printf "%.2f", $1 / $2}')" "$agree"
  printf '%-44s | %10sms | %12s | %6s | %s\n' "... and all $K event streams have it" "$best_last" "-" "-" "$agree"
  echo "server peak RSS: $rss"
} | tee -a "$OUT"
[ "$agree" = yes ]
