#!/bin/sh
# B2: situation imports into the database, validated and indexed, against
# the sqlite3 command-line shell's .import of the same rows into a table of
# the same shape with the same unique constraint and indexes.
#
# Cases:
#   who     the WHO daily CSV (../shared/data/covid19/who, 24,318 rows)
#   jhu     the JHU CSSE confirmed and deaths series (../shared/data/covid19/jhu,
#           324,612 rows after deriving daily counts and summing provinces)
#   gen     a generated situation CSV in the WHO layout, B2_ROWS rows
#           (default 10,000,000: 250 areas x 40,000 days, bench/b2_gen.awk)
#
# epibridge: `epibridge import who|jhu FILE --org 1 --keep-valid` into a
# fresh SQLite database (the organisation and the schema are created first,
# not timed): CSV parsing, the area reference, every row's rules, the
# revision check, one audit row, one transaction.
#
# Peer: `sqlite3 DB ".import --csv FILE sitreps"` (one transaction) into a
# fresh database holding the sitreps table of src/store/migrations/
# 002_situation.sql -- the same columns and types, the same UNIQUE
# (owner_org, area, day) and the same three indexes -- without its CHECK
# and REFERENCES clauses: .import cannot write NULL (a missing count is ''),
# which the CHECK on transmission would refuse.  Its input is the same rows
# in the table's shape: for who and jhu the rows epibridge stored (dumped
# with sqlite3 -csv, not timed), for gen written by b2_gen.awk alongside the
# WHO-layout file, independently of epibridge.  Both databases run with the
# settings epibridge uses: journal_mode=WAL, synchronous=FULL and, during
# imports, cache_size=-262144 (256 MiB; see EB_IMPORT_CACHE in
# src/cli/cmd_import.c).
#
# Agreement: both tables hold the expected number of rows and the same
# (area, day, new/cumulative confirmed and deaths) in key order (md5 of
# the listing).  The script fails on disagreement, never on a missed
# target.  Times are wall-clock seconds of the import command alone, the
# fastest of B2_RUNS runs (default 3 for who and jhu, 1 for gen), epibridge
# and peer alternating.
#
#   sh bench/b2_import.sh
#   B2_ROWS=1000000 sh bench/b2_import.sh     (a smaller generated file)
#   B2_CASES="who jhu" sh bench/b2_import.sh
#
# Needs sqlite3, awk, md5sum and build/epibridge (EB_BIN overrides); about
# 6 GB free in $TMPDIR for 10 million rows.  The table goes to stdout; the
# table, machine and raw output to bench/results/b2_import.txt.
set -eu
cd "$(dirname "$0")/.."
BIN=${EB_BIN:-build/epibridge}
ROWS=${B2_ROWS:-10000000}
RUNS=${B2_RUNS:-3}
CASES=${B2_CASES:-who jhu gen}
SHARED=${EB_SHARED:-../shared}
OUT=bench/results/b2_import.txt
MIG=src/store/migrations/002_situation.sql
WHO=$SHARED/data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv
JHU_C=$SHARED/data/covid19/jhu/time_series_covid19_confirmed_global.csv
JHU_D=$SHARED/data/covid19/jhu/time_series_covid19_deaths_global.csv
CACHE=-262144

for t in sqlite3 awk md5sum; do
  command -v $t >/dev/null || { echo "b2_import: $t is not installed" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "b2_import: $BIN not built (make build/epibridge)" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
for f in "$WHO" "$JHU_C" "$JHU_D"; do
  [ -f "$f" ] || { echo "b2_import: $f not found (set EB_SHARED)" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/eb-b2.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
RAW=$T/raw
: > "$RAW"
raw() { printf '%s\n' "$*" >> "$RAW"; }

# The peer's schema, from the migration: {{PK}} as SQLite's integer
# primary key, CHECK and REFERENCES clauses dropped.
awk '/^CREATE TABLE sitreps \(/,/^\);/' "$MIG" |
  sed -E 's/\{\{PK\}\}/INTEGER PRIMARY KEY/; s/ REFERENCES orgs\(id\)//; s/ CHECK \(.*\),$/,/' > "$T/peer.sql"
grep -E '^CREATE INDEX sitreps_' "$MIG" >> "$T/peer.sql"
grep -q 'UNIQUE (owner_org, area, day)' "$T/peer.sql" && [ "$(grep -c '^CREATE INDEX' "$T/peer.sql")" = 3 ] ||
  { echo "b2_import: cannot derive the peer table from $MIG" >&2; exit 2; }
raw "peer schema:"; cat "$T/peer.sql" >> "$RAW"

now() { date +%s.%N; }
# CPU seconds (user + system) beside each wall-clock time, when GNU time is
# there: on a loaded machine they show what the wall clock hides.
if [ -x /usr/bin/time ]; then TIME="/usr/bin/time -f %U+%S -o $T/cpu"; else TIME=""; fi
cpu() { [ -n "$TIME" ] && [ -s "$T/cpu" ] && printf ' (cpu %s s)' "$(tail -1 "$T/cpu")"; rm -f "$T/cpu"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

# digest DB: row count and md5 of the key-ordered listing
digest() {
  n=$(sqlite3 "$1" "SELECT count(*) FROM sitreps")
  # list mode prints NULL (epibridge) and '' (the peer's missing count) alike
  h=$(sqlite3 -list -separator '|' "$1" "SELECT area, day, new_confirmed, cum_confirmed, new_deaths, cum_deaths
                          FROM sitreps ORDER BY owner_org, area, day" | md5sum | cut -c1-32)
  echo "$n $h"
}

eb_fresh() { # DIR: an empty epibridge database with organisation 1
  rm -rf "$1"; mkdir -p "$1"
  "$BIN" org add --kind ministry_of_health --name-en "B2 importer" --country CH --db "$1/e.db" >/dev/null 2>&1
}
peer_fresh() { # DIR
  rm -rf "$1"; mkdir -p "$1"
  { echo "PRAGMA journal_mode=WAL;"; cat "$T/peer.sql"; } | sqlite3 "$1/p.db" >/dev/null
}

TABLE="case | rows | epibridge s | peer s | ratio | target | agree"
FAILED=0

# run_case NAME EXPECTED_ROWS RUNS PEER_CSV IMPORT_ARGS...
run_case() {
  name=$1; expect=$2; runs=$3; peer_csv=$4; shift 4
  best_eb=""; best_peer=""
  i=0
  while [ $i -lt "$runs" ]; do
    i=$((i + 1))
    eb_fresh "$T/eb"
    t0=$(now)
    $TIME "$BIN" import "$@" --org 1 --keep-valid --db "$T/eb/e.db" > "$T/eb.out" 2>&1
    t1=$(now)
    raw "[$name run $i] epibridge import $* : $(secs "$t0" "$t1") s$(cpu)"; sed 's/^/  /' "$T/eb.out" >> "$RAW"
    best_eb=$(min "$best_eb" "$(secs "$t0" "$t1")")
    if [ -z "$peer_csv" ]; then # who, jhu: the rows epibridge stored, in the table's shape
      peer_csv=$T/peer-$name.csv
      sqlite3 -csv "$T/eb/e.db" "SELECT * FROM sitreps ORDER BY id" > "$peer_csv"
    fi
    peer_fresh "$T/peer"
    t0=$(now)
    $TIME sqlite3 "$T/peer/p.db" "PRAGMA synchronous=FULL" "PRAGMA cache_size=$CACHE" ".import --csv $peer_csv sitreps" > "$T/peer.out" 2>&1
    t1=$(now)
    raw "[$name run $i] sqlite3 .import: $(secs "$t0" "$t1") s$(cpu)"; sed 's/^/  /' "$T/peer.out" >> "$RAW"
    best_peer=$(min "$best_peer" "$(secs "$t0" "$t1")")
  done
  de=$(digest "$T/eb/e.db"); dp=$(digest "$T/peer/p.db")
  raw "[$name] digest epibridge: $de; peer: $dp; expected rows: $expect"
  agree=yes
  [ "$de" = "$dp" ] && [ "${de%% *}" = "$expect" ] || { agree=NO; FAILED=1; }
  ratio=$(awk -v a="$best_eb" -v b="$best_peer" 'BEGIN { printf "%.2fx", a / b }')
  TABLE="$TABLE
$name | $expect | $best_eb | $best_peer | $ratio | <= 2x | $agree"
  rm -rf "$T/eb" "$T/peer"
}

raw "b2_import $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) cores: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
raw "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); sqlite3 $(sqlite3 -version | cut -d' ' -f1)"
for c in $CASES; do
  case $c in
  who)
    n=$(($(wc -l < "$WHO") - 1)); [ -n "$(tail -c1 "$WHO")" ] && n=$((n + 1))
    run_case who "$n" "$RUNS" "" who "$WHO" ;;
  jhu)
    run_case jhu 324612 "$RUNS" "" jhu "$JHU_C" --deaths "$JHU_D" ;;
  gen)
    t0=$(now)
    awk -F, -v ROWS="$ROWS" -v PEER="$T/peer-gen.csv" -f bench/b2_gen.awk data/reference/areas.csv > "$T/gen.csv"
    raw "[gen] generated $ROWS rows in $(secs "$t0" "$(now)") s ($(wc -c < "$T/gen.csv") bytes WHO layout, $(wc -c < "$T/peer-gen.csv") bytes peer)"
    run_case gen "$ROWS" "${B2_GEN_RUNS:-1}" "$T/peer-gen.csv" who "$T/gen.csv"
    rm -f "$T/gen.csv" "$T/peer-gen.csv" ;;
  *) echo "b2_import: unknown case $c" >&2; exit 2 ;;
  esac
done
raw "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

mkdir -p bench/results
{ echo "$TABLE"; echo; cat "$RAW"; } > "$OUT"
echo "$TABLE"
exit $FAILED
