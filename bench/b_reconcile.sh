#!/bin/sh
# B-RECON: reconciliation of donations at scale, SQLite and PostgreSQL side
# by side on the same generated data: 1,000,000 pledge lines and 3,000,000
# batch lines (PLEDGES=250000 pledges x 4 lines, 3 batches each carrying
# every line; batch statuses cycle received, arrived, dispatched, planned,
# lost; received batches are counted 0-2 short).
#
# Figures:
#   - load: the generator SQL below run by the database's own shell
#     (sqlite3 / psql), straight into epibridge's schema (migration 005);
#     context only, not epibridge's work;
#   - full recompute: `epibridge reconcile` (one transaction: delete and
#     rebuild donation_recon from the lines), best of RUNS; its floor is
#     the same aggregate run read-only by the database's shell (what the
#     database itself needs to compute the numbers, without writing them);
#   - single-pledge query: latency of donation_recon_pledge (the live
#     per-pledge fast path) over QUERIES pseudo-random pledges, by
#     bench/recon_query.c linked against build/libepibridge.a.
# Agreement: the reconciliation totals (pledged, planned, shipped,
# received, lost, short) of both databases equal the closed-form totals of
# the generator (computed by awk), and both answer the single-pledge
# queries with the same checksum.  Exits 1 when they disagree.
#
#   sh bench/b_reconcile.sh                  (PLEDGES=250000 RUNS=2 QUERIES=2000)
#   PLEDGES=25000 sh bench/b_reconcile.sh    (a tenth, quick)
# PostgreSQL: the throwaway server of scripts/pg-test-server.sh (started if
# needed), or EB_PG_URL; NO_PG=1 skips it; KEEP=1 keeps both databases
# for inspection.  Raw output:
# bench/results/b_reconcile.txt.
set -eu
cd "$(dirname "$0")/.."
PLEDGES=${PLEDGES:-250000}
RUNS=${RUNS:-2}
QUERIES=${QUERIES:-2000}
OUT=bench/results/b_reconcile.txt
TMP=${TMPDIR:-/tmp}/eb-b-reconcile
PGURL=${EB_PG_URL:-postgres://epibridge@127.0.0.1:5433}
mkdir -p "$TMP" bench/results build/bench
B=${EB_BUILD:-build}
BIN=$B/epibridge

command -v sqlite3 >/dev/null || { echo "b_reconcile: sqlite3 not installed" >&2; exit 2; }
make -s B="$B" "$BIN" "$B/libepibridge.a" >/dev/null
CC=${CC:-cc}
$CC -std=c11 -D_GNU_SOURCE -O2 -Isrc bench/recon_query.c "$B/libepibridge.a" \
  $(pkg-config --libs jansson sqlite3 libpq libsodium libxml-2.0) -lm -lpthread -o build/bench/recon_query

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

# The generator, for either database: $1 = sqlite|pg.  Ids are explicit:
# pledge i, its line (i-1)*4+k, its batch (i-1)*3+b, batch line
# ((i-1)*3+b-1)*4+k.
ITEM="CASE k WHEN 1 THEN 'medical_mask' WHEN 2 THEN 'protective_suit' WHEN 3 THEN 'gloves' ELSE 'nucleic_acid_test_kit' END"
UNIT="CASE k WHEN 1 THEN 'piece' WHEN 2 THEN 'set' WHEN 3 THEN 'pair' ELSE 'kit' END"
STATUS="CASE (i + b) % 5 WHEN 0 THEN 'received' WHEN 1 THEN 'arrived' WHEN 2 THEN 'dispatched' WHEN 3 THEN 'planned' ELSE 'lost' END"
gen_sql() {
  if [ "$1" = sqlite ]; then
    src_i="(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $PLEDGES) SELECT i FROM n)"
    src_k="(SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4)"
    src_b="(SELECT 1 AS b UNION ALL SELECT 2 UNION ALL SELECT 3)"
    echo "PRAGMA synchronous=OFF; BEGIN;"
  else
    src_i="(SELECT generate_series(1, $PLEDGES) AS i)"
    src_k="(SELECT generate_series(1, 4) AS k)"
    src_b="(SELECT generate_series(1, 3) AS b)"
    # consistent by construction: skip per-row foreign key triggers
    echo "SET session_replication_role = replica; BEGIN;"
  fi
  cat <<EOF
INSERT INTO orgs (id, kind, name_en, name_zh, country, operator, created_at, updated_at)
  SELECT 100000 + i, CASE WHEN i <= 100 THEN 'government' ELSE 'ministry_of_health' END, 'Bench organisation ' || i, '', 'CN', 0, 0, 0
  FROM $src_i n WHERE i <= 200;
INSERT INTO pledges (id, owner_org, visibility, donor_type, donor_name, recipient_org, country, subdivision, city, need_id, title,
  status, pledged_on, committed_on, needed_by, note, amendments, version, created_at, updated_at)
  SELECT i, 100001 + i % 100, 'public', 'government', '', 100101 + i % 100, 'JP', '', 'Tokyo', NULL, 'bench', 'committed',
  '2020-02-20', '2020-02-21', CASE WHEN i % 2 = 0 THEN '2020-03-15' END, '', 0, 1, 0, 0 FROM $src_i n;
INSERT INTO pledge_lines (id, pledge_id, line_no, item, unit, quantity, value_minor, currency, note)
  SELECT (i - 1) * 4 + k, i, k, $ITEM, $UNIT, 1000, CASE WHEN k = 1 THEN 100000 END, CASE WHEN k = 1 THEN 'CNY' END, ''
  FROM $src_i n, $src_k kk;
INSERT INTO shipments (id, pledge_id, batch_no, status, carrier, waybill, dispatched_on, eta, arrived_on, received_on, received_by,
  discrepancy, note, version, created_at, updated_at)
  SELECT (i - 1) * 3 + b, i, b, $STATUS, '', '', CASE WHEN (i + b) % 5 <> 3 THEN '2020-02-24' END, NULL,
  CASE WHEN (i + b) % 5 IN (0, 1) THEN '2020-02-26' END, CASE WHEN (i + b) % 5 = 0 THEN '2020-02-27' END, '', 0, '', 1, 0, 0
  FROM $src_i n, $src_b bb;
INSERT INTO shipment_lines (id, shipment_id, pledge_line_id, pledge_id, item, quantity, received, discrepancy, discrepancy_note)
  SELECT ((i - 1) * 3 + b - 1) * 4 + k, (i - 1) * 3 + b, (i - 1) * 4 + k, i, $ITEM, 250,
  CASE WHEN (i + b) % 5 = 0 THEN 250 - (i + k) % 3 END,
  CASE WHEN (i + b) % 5 = 0 THEN CASE WHEN (i + k) % 3 = 0 THEN 'none' ELSE 'short' END END, ''
  FROM $src_i n, $src_b bb, $src_k kk;
COMMIT;
EOF
  [ "$1" = pg ] && echo "ANALYZE;"
  return 0
}

# The aggregate of the recompute (RECON_FULL_INSERT), read-only: the floor.
FLOOR_SQL="SELECT COUNT(*), SUM(pl), SUM(sh) FROM (SELECT l.id, CASE WHEN p.status = 'cancelled' THEN 0 ELSE l.quantity END AS pl,
 COALESCE(a.shipped, 0) AS sh, COALESCE(a.planned, 0), COALESCE(a.received, 0), COALESCE(a.lost, 0), COALESCE(a.short_qty, 0), COALESCE(a.over_qty, 0),
 COALESCE(a.disc, 0), p.needed_by, p.owner_org, p.recipient_org, l.item, l.unit
 FROM pledge_lines l JOIN pledges p ON p.id = l.pledge_id LEFT JOIN (SELECT sl.pledge_line_id AS line_id,
 SUM(CASE WHEN sh.status = 'planned' THEN sl.quantity ELSE 0 END) AS planned,
 SUM(CASE WHEN sh.status IN ('dispatched', 'in_transit', 'arrived', 'received') THEN sl.quantity ELSE 0 END) AS shipped,
 SUM(CASE WHEN sh.status = 'received' THEN sl.received ELSE 0 END) AS received, SUM(CASE WHEN sh.status = 'lost' THEN sl.quantity ELSE 0 END) AS lost,
 SUM(CASE WHEN sh.status = 'received' AND sl.received < sl.quantity THEN sl.quantity - sl.received ELSE 0 END) AS short_qty,
 SUM(CASE WHEN sh.status = 'received' AND sl.received > sl.quantity THEN sl.received - sl.quantity ELSE 0 END) AS over_qty,
 SUM(CASE WHEN sh.status = 'received' AND sl.discrepancy <> 'none' THEN 1 ELSE 0 END) AS disc
 FROM shipment_lines sl JOIN shipments sh ON sh.id = sl.shipment_id GROUP BY sl.pledge_line_id) a ON a.line_id = l.id) t"
TOTALS_SQL="SELECT COUNT(*), SUM(pledged), SUM(planned), SUM(shipped), SUM(received), SUM(lost), SUM(short_qty) FROM donation_recon"

# shell runners: sqlite3 FILE or psql URL
run_sql() { # $1 backend, $2 db, stdin: SQL
  if [ "$1" = sqlite ]; then sqlite3 -batch -bail "$2"; else psql -X -q -At -v ON_ERROR_STOP=1 "$2"; fi
}

# Expected totals from the generator's definition.
EXPECT=$(awk -v n="$PLEDGES" 'BEGIN {
  lines = n * 4; pledged = lines * 1000
  for (i = 1; i <= n; i++) for (b = 1; b <= 3; b++) { s = (i + b) % 5
    if (s == 3) planned += 1000; else if (s == 4) lost += 1000; else shipped += 1000
    if (s == 0) for (k = 1; k <= 4; k++) { short += (i + k) % 3; received += 250 - (i + k) % 3 } }
  printf "%d|%d|%d|%d|%d|%d|%d", lines, pledged, planned, shipped, received, lost, short }')

bench_one() { # $1 backend, $2 db url
  be=$1; db=$2
  t0=$(now); gen_sql "$be" | run_sql "$be" "$db" >/dev/null; t1=$(now)
  load=$(secs "$t0" "$t1")
  best=; r=0
  while [ $r -lt "$RUNS" ]; do
    # the command's own figure: the transaction, without process start
    "$BIN" reconcile --db "$db" > "$TMP/reconcile.out" 2>/dev/null
    best=$(min "$best" "$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' "$TMP/reconcile.out")")
    r=$((r + 1))
  done
  fbest=; r=0
  while [ $r -lt "$RUNS" ]; do
    t0=$(now); echo "$FLOOR_SQL;" | run_sql "$be" "$db" >/dev/null; t1=$(now)
    fbest=$(min "$fbest" "$(secs "$t0" "$t1")")
    r=$((r + 1))
  done
  totals=$(echo "$TOTALS_SQL;" | run_sql "$be" "$db" | tail -1)
  q=$(build/bench/recon_query "$db" "$PLEDGES" "$QUERIES" 2>/dev/null)
  echo "$be load=$load recompute=$best floor=$fbest totals=$totals $q"
}

machine="$(nproc) cores: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "B-RECON $(date -u +%Y-%m-%dT%H:%M:%SZ), $machine"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); PLEDGES=$PLEDGES (x4 lines, x3 batches) RUNS=$RUNS QUERIES=$QUERIES"
  echo "expected totals (lines|pledged|planned|shipped|received|lost|short): $EXPECT"
} > "$OUT"

rm -f "$TMP/recon.db" "$TMP/recon.db-wal" "$TMP/recon.db-shm"
"$BIN" reconcile --db "$TMP/recon.db" >/dev/null 2>&1 # creates the schema
SQ=$(bench_one sqlite "$TMP/recon.db")
echo "$SQ" >> "$OUT"
PG=
if [ -z "${NO_PG:-}" ]; then
  if [ -z "${EB_PG_URL:-}" ]; then sh scripts/pg-test-server.sh start >/dev/null; fi
  name="eb_bench_recon_$$"
  psql -X -q "$PGURL/postgres" -c "CREATE DATABASE $name" >/dev/null
  "$BIN" reconcile --db "$PGURL/$name" >/dev/null 2>&1
  PG=$(bench_one pg "$PGURL/$name")
  echo "$PG" >> "$OUT"
  [ -n "${KEEP:-}" ] && echo "kept $PGURL/$name" >&2 || psql -X -q "$PGURL/postgres" -c "DROP DATABASE $name" >/dev/null
fi
[ -n "${KEEP:-}" ] && echo "kept $TMP/recon.db" >&2 || rm -f "$TMP/recon.db" "$TMP/recon.db-wal" "$TMP/recon.db-shm"

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
agree=yes
[ "$(field "$SQ" totals)" = "$EXPECT" ] || agree="NO (SQLite totals $(field "$SQ" totals))"
if [ -n "$PG" ]; then
  [ "$(field "$PG" totals)" = "$EXPECT" ] || agree="NO (PostgreSQL totals $(field "$PG" totals))"
  [ "$(field "$SQ" checksum)" = "$(field "$PG" checksum)" ] || agree="NO (query checksums differ)"
fi
ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }' || echo "-"; }
{
  echo
  echo "case | SQLite | PostgreSQL | PostgreSQL/SQLite | agree"
  echo "load $((PLEDGES * 4)) pledge lines + $((PLEDGES * 12)) batch lines (generator SQL, db shell) | $(field "$SQ" load) s | $(field "$PG" load) s | $(ratio "$(field "$SQ" load)" "$(field "$PG" load)") |"
  echo "full recompute (epibridge reconcile) | $(field "$SQ" recompute) s | $(field "$PG" recompute) s | $(ratio "$(field "$SQ" recompute)" "$(field "$PG" recompute)") | $agree"
  echo "  floor: the same aggregate, read-only, in the db shell | $(field "$SQ" floor) s | $(field "$PG" floor) s | $(ratio "$(field "$SQ" floor)" "$(field "$PG" floor)") |"
  for p in p50 p90 p99 mean; do
    echo "single-pledge query $p | $(field "$SQ" ${p}_us) us | $(field "$PG" ${p}_us) us | $(ratio "$(field "$SQ" ${p}_us)" "$(field "$PG" ${p}_us)") | $agree"
  done
} | tee -a "$OUT"
[ "$agree" = yes ]
