#!/bin/sh
# B-CAP: CAP 1.2 import rate (alerts/s): read + safe parse + validate against
# the OASIS CAP 1.2 schema + build the model, by epibridge's format layer
# (bench/cap_import.c over src/formats/cap.c), against
# `xmllint --noout --schema cap12.xsd` (libxml2-utils) on the same files in
# the same run as the floor: xmllint only parses and validates.
#
# Input: the six CAP examples of ../shared/data/standards/cap/examples (the
# four OASIS appendix examples and two real feeds), each listed REPEAT times
# on one command line so both tools compile the schema once per run, and
# the invalid documents made below (each must be refused by both).
# Output: a table case | epibridge | peer | ratio | agree, also written to
# bench/results/b_cap_import.txt with the command lines and machine.
#
#   sh bench/b_cap_import.sh            (REPEAT=300, RUNS=3 by default)
#   REPEAT=1000 RUNS=5 sh bench/b_cap_import.sh
# Exits 1 when the two tools disagree on a verdict.
set -eu
cd "$(dirname "$0")/.."
REPEAT=${REPEAT:-300}
SHARED=${EB_SHARED:-../shared}
EX="$SHARED/data/standards/cap/examples"
XSD=data/standards/cap/cap12.xsd
OUT=bench/results/b_cap_import.txt
TMP=bench/results/tmp/cap
mkdir -p "$TMP" bench/results build/bench

command -v xmllint >/dev/null || { echo "b_cap_import: xmllint not installed (apt-get install libxml2-utils)" >&2; exit 2; }
[ -d "$EX" ] || { echo "b_cap_import: $EX not found (set EB_SHARED)" >&2; exit 2; }

CC=${CC:-cc}
$CC -std=c11 -D_GNU_SOURCE -O2 -Isrc $(pkg-config --cflags libxml-2.0 jansson) \
  bench/cap_import.c src/formats/cap.c src/formats/xml_safe.c \
  src/base/datadir.c src/base/buf.c src/base/err.c \
  $(pkg-config --libs libxml-2.0 jansson) -lm -lpthread -o build/bench/cap_import

# Schema-invalid inputs both tools must refuse: missing element, bad
# enumeration, "Z" time zone.  (A DOCTYPE is refused by epibridge's policy
# but accepted by xmllint, so it is not an agreement case.)
A1="$EX/oasis-cap12-appendixA1.xml"
sed '/<sent>/d' "$A1" > "$TMP/missing-sent.xml"
sed 's/<urgency>Immediate</<urgency>Soon</' "$A1" > "$TMP/bad-urgency.xml"
sed 's/<sent>2003-04-02T14:39:01-05:00</<sent>2003-04-02T19:39:01Z</' "$A1" > "$TMP/zulu.xml"

now() { date +%s.%N; }
# list FILE... repeated REPEAT times
rep() { n=0; while [ $n -lt "$REPEAT" ]; do printf '%s\n' "$@"; n=$((n+1)); done; }
RUNS=${RUNS:-3}

# run_case NAME FILES...: prints one table row.  Each tool runs RUNS times,
# alternating, and its fastest run counts (the machine is shared).  Agreement
# means both tools accepted the same number of files (every file of a case
# has the same verdict, so counts are verdicts).
run_case() {
  name=$1; shift
  rep "$@" > "$TMP/list"
  nfiles=$(wc -l < "$TMP/list")
  best_eb=; best_xl=
  r=0
  while [ $r -lt "$RUNS" ]; do
    t0=$(now)
    # xargs may split a long list into several runs; sum their counts
    xargs -a "$TMP/list" -d '\n' build/bench/cap_import 1 > "$TMP/eb.out"
    t1=$(now)
    xargs -a "$TMP/list" -d '\n' xmllint --noout --schema "$XSD" > /dev/null 2> "$TMP/xmllint.err" || true
    t2=$(now)
    best_eb=$(awk -v a="$t0" -v b="$t1" -v m="$best_eb" 'BEGIN { t = b - a; if (m == "" || t < m) m = t; print m }')
    best_xl=$(awk -v a="$t1" -v b="$t2" -v m="$best_xl" 'BEGIN { t = b - a; if (m == "" || t < m) m = t; print m }')
    r=$((r + 1))
  done
  eb_valid=$(sed -n 's/^valid=\([0-9]*\) .*/\1/p' "$TMP/eb.out" | awk '{ s += $1 } END { print s + 0 }')
  xl_valid=$(grep -c ' validates$' "$TMP/xmllint.err" || true)

  agree=yes
  if [ "$eb_valid" != "$xl_valid" ]; then
    agree=NO
    echo "b_cap_import: $name: epibridge accepted $eb_valid, xmllint $xl_valid of $nfiles" >&2
    : > "$TMP/disagree"
  fi
  awk -v n="$nfiles" -v te="$best_eb" -v tp="$best_xl" -v name="$name" -v agree="$agree" 'BEGIN {
    e = n / te; p = n / tp;
    printf "| %-24s | %12.0f | %12.0f | %6.2f | %-5s |\n", name, e, p, e / p, agree
  }'
}

rm -f "$TMP/disagree"
{
  echo "B-CAP CAP 1.2 import: alerts/s (read + parse + schema validation [+ model for epibridge])"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  cores: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)  cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
  echo "libxml2 $(xml2-config --version)  REPEAT=$REPEAT  RUNS=$RUNS (fastest run of each tool)"
  echo "epibridge: build/bench/cap_import 1 FILE...   peer: xmllint --noout --schema $XSD FILE..."
  echo
  echo "| case                     |    epibridge |         peer |  ratio | agree |"
  echo "|--------------------------|--------------|--------------|--------|-------|"
  run_case "6 examples (valid)" "$EX"/*
  run_case "wcatwc 10 KB (valid)" "$EX/google-wcatwc-warning.cap"
  run_case "appendix A1 2 KB (valid)" "$A1"
  run_case "3 invalid documents" "$TMP/missing-sent.xml" "$TMP/bad-urgency.xml" "$TMP/zulu.xml"
  echo
  echo "ratio = epibridge / peer (higher is better for epibridge); agree = same verdicts."
} | tee "$OUT"
[ ! -e "$TMP/disagree" ]
