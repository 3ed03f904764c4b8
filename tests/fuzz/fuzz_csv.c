/*
 * libFuzzer target for the CSV reader and the situation readers built on
 * it (HXL, mapped CSV, WHO daily CSV, JHU time series).
 *
 * Build and run from the repository root (clang with libFuzzer):
 *
 *   mkdir -p build-fuzz && clang -g -O1 -std=c11 -D_GNU_SOURCE \
 *     -fsanitize=fuzzer,address,undefined -Isrc \
 *     src/base/err.c src/base/buf.c src/base/datadir.c \
 *     src/formats/csv.c src/formats/sitrep_rows.c src/formats/areas.c \
 *     src/formats/who_csv.c src/formats/jhu_csv.c src/formats/hxl.c \
 *     tests/fuzz/fuzz_csv.c \
 *     -lpthread -o build-fuzz/fuzz_csv
 *   ./build-fuzz/fuzz_csv -max_len=4096 -max_total_time=300 <corpus copy>
 *
 * or through the project's scripts (library built once with clang):
 *
 *   sh scripts/build-fuzz.sh csv && FUZZ_SECONDS=300 sh scripts/run-fuzz.sh csv
 *
 * The seed corpus is tests/fuzz/corpus/csv/ (heads of the real WHO and JHU
 * files, an HXL file, a file for the mapped reader); copy it first when
 * running by hand, libFuzzer writes into its corpus directory.
 *
 * Besides crashes and sanitizer reports it checks properties:
 *  - every field is NUL-terminated at its length, within the limits, and
 *    contains no NUL byte;
 *  - a record written back with csv_write_field reads back identical
 *    (writer and reader agree on quoting);
 *  - the readers' row counts match what they passed on, no row carries a
 *    negative cumulative count, and every reject has a line and a reason.
 * The area reference is loaded from data/ when found (run from the
 * repository root), else the readers run without it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/areas.h"
#include "formats/csv.h"
#include "formats/hxl.h"
#include "formats/jhu_csv.h"
#include "formats/who_csv.h"

static const struct areas *areas;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	areas = areas_default(NULL);
	return 0;
}

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_csv: property violated: %s\n", what);
		abort();
	}
}

static int on_row(void *ctx, const struct sitrep_row *row, struct eb_detail *d)
{
	(void)d;
	long *n = ctx;
	check(row->area[0] != '\0' && row->date[10] == '\0', "row area/date");
	check(row->cum_confirmed.value >= 0 || !row->cum_confirmed.present,
	      "negative cumulative passed");
	(*n)++;
	return 0;
}

static int on_reject(void *ctx, long line, const struct eb_detail *why)
{
	(void)ctx;
	check(line >= 1 && why->msg[0] != '\0', "reject without line/reason");
	return 0;
}

/* Parses the record again after writing it; must be identical. */
static void roundtrip(const struct csv_row *row)
{
	struct eb_buf b;
	eb_buf_init(&b, 1 << 22);
	for (size_t i = 0; i < row->nfields; i++)
		check(csv_write_field(&b, i == 0, row->f[i].p, row->f[i].len) ==
			      EB_OK,
		      "write");
	check(csv_write_end(&b) == EB_OK, "write end");
	struct csv_reader *r = csv_open_mem(b.data, b.len, NULL);
	struct csv_row again;
	struct eb_detail d;
	int rc = csv_next(r, &again, &d);
	check(rc == 1, "written record reads back");
	check(again.nfields == row->nfields, "same field count");
	for (size_t i = 0; i < row->nfields; i++)
		check(again.f[i].len == row->f[i].len &&
			      memcmp(again.f[i].p, row->f[i].p, row->f[i].len) ==
				      0,
		      "same field");
	check(csv_next(r, &again, &d) == 0, "one record only");
	csv_free(r);
	eb_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_limits lim = {.max_field = 256, .max_fields = 64,
				 .max_record = 2048};
	struct csv_reader *r = csv_open_mem(data, size, &lim);
	struct csv_row row;
	struct eb_detail d;
	long records = 0, errors = 0;
	int rc;
	for (;;) {
		rc = csv_next(r, &row, &d);
		if (rc == 0)
			break;
		if (rc < 0) {
			errors++;
			check(d.msg[0] != '\0', "error without message");
			check(csv_line(r) >= 1, "error without line");
			if (csv_fatal(r))
				break;
			continue;
		}
		records++;
		check(row.nfields >= 1 && row.nfields <= lim.max_fields,
		      "field count within limit");
		for (size_t i = 0; i < row.nfields; i++) {
			check(row.f[i].len <= lim.max_field, "field length");
			check(row.f[i].p[row.f[i].len] == '\0', "NUL-terminated");
			check(memchr(row.f[i].p, 0, row.f[i].len) == NULL,
			      "no NUL inside");
		}
		roundtrip(&row);
	}
	check(records + errors <= (long)size + 1, "records bounded by input");
	csv_free(r);

	/* the situation readers on the same bytes */
	long rows = 0;
	struct sitrep_sink sink = {on_row, on_reject, &rows};
	struct sitrep_stats st;
	r = csv_open_mem(data, size, &lim);
	hxl_read(r, areas, &sink, &st, &d);
	check(st.rows == rows, "hxl row count");
	csv_free(r);

	rows = 0;
	r = csv_open_mem(data, size, &lim);
	hxl_read_mapped(r,
			"area=a,date=b,new_confirmed=c,cum_confirmed=d,"
			"transmission=t,adm1=p",
			areas, &sink, NULL, &d);
	csv_free(r);

	rows = 0;
	r = csv_open_mem(data, size, &lim);
	who_csv_read(r, areas, &sink, &st, &d);
	check(st.rows == rows, "who row count");
	csv_free(r);

	if (areas) {
		rows = 0;
		r = csv_open_mem(data, size, &lim);
		jhu_csv_read(r, NULL, areas, &sink, &st, &d);
		check(st.rows == rows, "jhu row count");
		csv_free(r);
	}
	return 0;
}
