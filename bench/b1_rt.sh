#!/bin/sh
# Benchmarks B1 and B1-long (docs/benchmarks.md; method and figures in
# bench/README-b1.md): `epibridge rt` against EpiEstim 2.2-4 estimate_R,
# same generated input, same run.
#
#   sh bench/b1_rt.sh                 B1 with 500 areas, B1-long 10k/20k days
#   B1_AREAS=1000 sh bench/b1_rt.sh   more areas (EpiEstim: ~70 ms each)
#
# Prints a table (case, epibridge seconds, EpiEstim seconds, ratio, target,
# outputs agree) and keeps it, with the raw figures, in
# bench/results/b1_rt.txt.  Exit status 1 when outputs disagree (mean/std
# beyond 1e-9 relative, quantiles beyond 1e-6, or NA windows differ), 2 when
# a tool is missing.  Takes 2-5 minutes, almost all of it in R.
set -eu
cd "$(dirname "$0")/.."
AREAS=${B1_AREAS:-500}
MEAN=4.7
SD=2.9
TMP=bench/results/tmp/b1
RAW=bench/results/b1_rt.txt
mkdir -p "$TMP"
export TZ=UTC # R would otherwise ask timedatectl for the time zone
: > "$TMP/log"

die() { echo "b1_rt: $*" >&2; exit 2; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

command -v Rscript >/dev/null || die "Rscript not found (apt-get install r-base-core r-cran-epiestim)"
Rscript -e 'suppressPackageStartupMessages(library(EpiEstim))' >/dev/null 2>&1 ||
	die "R package EpiEstim not found (apt-get install r-cran-epiestim)"
CC=${CC:-cc}

# --- binaries -------------------------------------------------------------
BIN=build/epibridge
BUILT="build/epibridge"
if ! "$BIN" rt --help >/dev/null 2>&1; then
	make -s build/epibridge >>"$TMP/log" 2>&1 || true
fi
if ! "$BIN" rt --help >/dev/null 2>&1; then
	# the rest of the tree does not build right now: build the rt command
	# alone from its sources, same code and flags
	printf 'int cmd_rt(int, char **);\nint main(int c, char **v) { return cmd_rt(c - 1, v + 1); }\n' >"$TMP/rt_main.c"
	$CC -O2 -std=c11 -D_GNU_SOURCE -Isrc -o "$TMP/epibridge-rt" "$TMP/rt_main.c" \
		src/cli/cmd_rt.c src/epi/*.c src/base/err.c -lm -lpthread || die "cannot build the rt command"
	BIN=$TMP/epibridge-rt
	BUILT="standalone rt build (build/epibridge unavailable)"
fi
$CC -O2 -std=c11 -D_GNU_SOURCE -Isrc -o "$TMP/b1_core" bench/b1_core.c src/epi/*.c \
	src/base/err.c -lm -lpthread || die "cannot build bench/b1_core.c"

# --- inputs ------------------------------------------------------------------
awk -v areas="$AREAS" -v days=365 -f bench/b1_gen.awk >"$TMP/b1.csv"
awk -v areas=1 -v days=20000 -f bench/b1_gen.awk >"$TMP/long20000.csv"
head -n 10001 "$TMP/long20000.csv" >"$TMP/long10000.csv"
awk -v areas=1 -v days=2000000 -f bench/b1_gen.awk >"$TMP/long2000000.csv"
head -n 200001 "$TMP/long2000000.csv" >"$TMP/long200000.csv"

# --- measurement helpers ---------------------------------------------------------
# eb INPUT OUTPUT: best wall time of 3 runs of `epibridge rt` -> EB_WALL;
# CPU time (user + sys) per run, averaged over 5 more runs (/usr/bin/time
# counts in 10 ms steps) -> EB_CPU ("-" without /usr/bin/time).
eb() {
	EB_WALL=""
	EB_CPU="-"
	for i in 1 2 3; do
		t0=$(now)
		"$BIN" rt --si-mean $MEAN --si-sd $SD "$1" >"$2" 2>>"$TMP/log"
		t1=$(now)
		w=$(calc "$t1 - $t0")
		if [ -z "$EB_WALL" ] || [ "$(calc "$w < $EB_WALL")" = 1 ]; then
			EB_WALL=$w
		fi
	done
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%U %S" -o "$TMP/cpu" sh -c 'for i in 1 2 3 4 5; do
			"$0" rt --si-mean "$1" --si-sd "$2" "$3" >/dev/null 2>&1; done' \
			"$BIN" $MEAN $SD "$1"
		EB_CPU=$(awk 'END { printf "%.6g", ($1 + $2) / 5 }' "$TMP/cpu")
	fi
}

# ee INPUT EB_OUTPUT: EpiEstim timing and agreement -> EE_WALL, EE_CPU, AGREE, DIFFS
ee() {
	Rscript bench/b1_epiestim.R "$1" "$2" $MEAN $SD >"$TMP/ee.out" 2>>"$TMP/log" ||
		die "EpiEstim run failed (see $TMP/log)"
	get() { sed -n "s/^$1=//p" "$TMP/ee.out"; }
	EE_WALL=$(get EPIESTIM_SECONDS)
	EE_CPU=$(get EPIESTIM_CPU)
	mm=$(get MAX_REL_MOMENT)
	mq=$(get MAX_REL_QUANTILE)
	na=$(get NA_MISMATCH)
	miss=$(get MISSING_ROWS)
	rows=$(get ROWS)
	DIFFS="rows=$rows max rel diff mean/std=$mm quantiles=$mq NA mismatches=$na missing rows=$miss"
	if [ "$(calc "$mm <= 1e-9 && $mq <= 1e-6")" = 1 ] && [ "$na" = 0 ] && [ "$miss" = 0 ] &&
		[ "$rows" -gt 0 ]; then
		AGREE=yes
	else
		AGREE=no
		FAILED=1
	fi
}

core() { # core INPUT REPEAT -> CORE
	CORE=$("$TMP/b1_core" "$1" $MEAN $SD "$2" | sed -n 's/^CORE_SECONDS=//p')
}

FAILED=0
ROWS_OUT=""
row() { ROWS_OUT="$ROWS_OUT$(printf '%-44s %12s %12s %10s %10s %s' "$1" "$2" "$3" "$4" "$5" "$6")
"; }
ratio() { calc "$2 / $1"; }

# --- B1 ---------------------------------------------------------------------------
eb "$TMP/b1.csv" "$TMP/b1_eb.csv"
ee "$TMP/b1.csv" "$TMP/b1_eb.csv"
core "$TMP/b1.csv" 5
B1_DIFFS=$DIFFS
row "B1 $AREAS areas x 365 d: CLI, wall" "$EB_WALL" "$EE_WALL" "$(ratio "$EB_WALL" "$EE_WALL")x" ">=1000x" "$AGREE"
[ "$EB_CPU" != "-" ] &&
	row "B1 $AREAS areas x 365 d: CLI, CPU" "$EB_CPU" "$EE_CPU" "$(ratio "$EB_CPU" "$EE_CPU")x" ">=1000x" "$AGREE"
row "B1 $AREAS areas x 365 d: compute only, wall" "$CORE" "$EE_WALL" "$(ratio "$CORE" "$EE_WALL")x" ">=1000x" "$AGREE"

# --- B1-long ---------------------------------------------------------------------------
for n in 10000 20000; do
	eb "$TMP/long$n.csv" "$TMP/long${n}_eb.csv"
	ee "$TMP/long$n.csv" "$TMP/long${n}_eb.csv"
	core "$TMP/long$n.csv" 20
	eval "L${n}_EE=\$EE_WALL L${n}_CORE=\$CORE L${n}_DIFFS=\"\$DIFFS\""
	row "B1-long $n d: CLI, wall" "$EB_WALL" "$EE_WALL" "$(ratio "$EB_WALL" "$EE_WALL")x" "linear" "$AGREE"
	row "B1-long $n d: compute only, wall" "$CORE" "$EE_WALL" "$(ratio "$CORE" "$EE_WALL")x" "linear" "$AGREE"
done
core "$TMP/long200000.csv" 5
L200000_CORE=$CORE
core "$TMP/long2000000.csv" 3
L2000000_CORE=$CORE
row "B1-long 200000 d: compute only, wall" "$L200000_CORE" "-" "-" "linear" "-"
row "B1-long 2000000 d: compute only, wall" "$L2000000_CORE" "-" "-" "linear" "-"
row "B1-long time(20000 d) / time(10000 d)" "$(ratio "$L10000_CORE" "$L20000_CORE")" \
	"$(ratio "$L10000_EE" "$L20000_EE")" "-" "2 = linear" "-"
row "B1-long time(2000000 d) / time(200000 d)" "$(ratio "$L200000_CORE" "$L2000000_CORE")" "-" "-" \
	"10 = linear" "-"
row "B1-long compute ns per day at 10k/20k/200k/2M d" \
	"$(calc "$L10000_CORE / 10000 * 1e9")/$(calc "$L20000_CORE / 20000 * 1e9")/$(calc "$L200000_CORE / 200000 * 1e9")/$(calc "$L2000000_CORE / 2000000 * 1e9")" \
	"-" "-" "flat" "-"

# --- report ---------------------------------------------------------------------------
{
	echo "B1 / B1-long: epibridge rt vs EpiEstim $(Rscript -e 'cat(as.character(packageVersion("EpiEstim")))' 2>/dev/null) estimate_R"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -m), $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
	echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)  epibridge binary: $BUILT"
	echo "input: bench/b1_gen.awk (area,t,cases), parametric SI mean $MEAN sd $SD, weekly windows, prior 5/5"
	echo "seconds: epibridge CLI = best of 3 end-to-end runs (read CSV, estimate, write %.17g CSV),"
	echo "CPU = user+sys per run averaged over 5 runs; EpiEstim CPU = user+sys of its timed loop;"
	echo "compute only = bench/b1_core.c, best pass over all series in memory (no CSV);"
	echo "EpiEstim = make_config + estimate_R per area inside R (reading and writing not counted)"
	echo
	printf '%-44s %12s %12s %10s %10s %s\n' case epibridge_s EpiEstim_s ratio target agree
	printf '%s' "$ROWS_OUT"
	echo
	echo "agreement B1:            $B1_DIFFS"
	echo "agreement B1-long 10000: $L10000_DIFFS"
	echo "agreement B1-long 20000: $L20000_DIFFS"
} | tee "$RAW"
[ "$FAILED" = 0 ] || { echo "b1_rt: OUTPUTS DISAGREE" >&2; exit 1; }
