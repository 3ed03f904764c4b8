/*
 * Helpers for the epi unit tests: locate the EpiEstim / incidence reference
 * folder ($EB_SHARED/data/epi/epiestim-reference, EB_SHARED defaulting to
 * ../shared as seen from the repository root) and load its small CSV files
 * (header row, comma separated, no quoting, "NA" for missing) into memory.
 *
 * Header-only (static functions) so every test program stays standalone.
 * Failures to find or parse a file fail the calling test through cmocka.
 */
#ifndef EB_TESTS_EPI_REF_H
#define EB_TESTS_EPI_REF_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_MAX_LINE 4096
#define REF_MAX_COLS 32
#define REF_MAX_ROWS 100000

/* Not every test uses every helper. */
#define REF_FN static __attribute__((unused))

struct ref_table {
	size_t ncol, nrow;
	char *names[REF_MAX_COLS];
	char **cells; /* nrow * ncol strings */
};

REF_FN const char *ref_dir(void)
{
	static char dir[1024];
	const char *shared = getenv("EB_SHARED");
	if (!shared || !*shared)
		shared = "../shared";
	snprintf(dir, sizeof dir, "%s/data/epi/epiestim-reference", shared);
	return dir;
}

REF_FN char *ref_strdup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	assert_non_null(p);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Split line (without newline) at commas into at most REF_MAX_COLS fields. */
REF_FN size_t ref_split(const char *line, char **out)
{
	size_t n = 0;
	const char *p = line;
	for (;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		assert_true(n < REF_MAX_COLS);
		out[n++] = ref_strdup(p, len);
		if (!c)
			break;
		p = c + 1;
	}
	return n;
}

REF_FN void ref_chomp(char *line)
{
	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
}

/* Load the CSV file at path; fails the test if it is missing or malformed. */
REF_FN void ref_load_path(struct ref_table *t, const char *path)
{
	char line[REF_MAX_LINE];
	const char *name = path;
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open reference file %s: %s (set EB_SHARED to the shared folder)",
			 path, strerror(errno));
	memset(t, 0, sizeof *t);
	assert_non_null(fgets(line, sizeof line, f));
	ref_chomp(line);
	t->ncol = ref_split(line, t->names);
	size_t cap = 64;
	t->cells = malloc(cap * t->ncol * sizeof *t->cells);
	assert_non_null(t->cells);
	while (fgets(line, sizeof line, f)) {
		assert_non_null(strchr(line, '\n')); /* line fits the buffer */
		ref_chomp(line);
		if (!*line)
			continue;
		assert_true(t->nrow < REF_MAX_ROWS);
		if (t->nrow == cap) {
			cap *= 2;
			t->cells = realloc(t->cells, cap * t->ncol * sizeof *t->cells);
			assert_non_null(t->cells);
		}
		char *fields[REF_MAX_COLS];
		size_t n = ref_split(line, fields);
		if (n != t->ncol)
			fail_msg("%s row %zu has %zu fields, header has %zu", name,
				 t->nrow + 2, n, t->ncol);
		memcpy(&t->cells[t->nrow * t->ncol], fields, n * sizeof *fields);
		t->nrow++;
	}
	fclose(f);
}

/* Load a file of the reference folder by name. */
REF_FN void ref_load(struct ref_table *t, const char *name)
{
	char path[2048];
	int n = snprintf(path, sizeof path, "%s/%s", ref_dir(), name);
	assert_true(n > 0 && (size_t)n < sizeof path);
	ref_load_path(t, path);
}

REF_FN void ref_free(struct ref_table *t)
{
	for (size_t i = 0; i < t->ncol; i++)
		free(t->names[i]);
	for (size_t i = 0; i < t->nrow * t->ncol; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

/* Column index by name, or -1. */
REF_FN int ref_col_find(const struct ref_table *t, const char *col)
{
	for (size_t i = 0; i < t->ncol; i++)
		if (strcmp(t->names[i], col) == 0)
			return (int)i;
	return -1;
}

REF_FN size_t ref_col(const struct ref_table *t, const char *col)
{
	int c = ref_col_find(t, col);
	if (c < 0)
		fail_msg("reference file has no column %s", col);
	return (size_t)c;
}

REF_FN const char *ref_str(const struct ref_table *t, size_t row, size_t col)
{
	return t->cells[row * t->ncol + col];
}

/* Number in a cell; "NA" gives NaN; anything unparseable fails the test. */
REF_FN double ref_num(const struct ref_table *t, size_t row, size_t col)
{
	const char *s = ref_str(t, row, col);
	if (strcmp(s, "NA") == 0)
		return NAN;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0')
		fail_msg("not a number in reference file: '%s' (row %zu, column %s)",
			 s, row + 2, t->names[col]);
	return v;
}

/* Column as a freshly allocated array of doubles (caller frees). */
REF_FN double *ref_column(const struct ref_table *t, const char *col)
{
	size_t c = ref_col(t, col);
	double *v = malloc((t->nrow ? t->nrow : 1) * sizeof *v);
	assert_non_null(v);
	for (size_t i = 0; i < t->nrow; i++)
		v[i] = ref_num(t, i, c);
	return v;
}

/* Relative difference |a - b| / max(|a|, |b|); 0 when equal (incl. both
 * NaN or both the same infinity); +inf when exactly one is NaN. */
REF_FN double ref_reldiff(double a, double b)
{
	if (isnan(a) || isnan(b))
		return (isnan(a) && isnan(b)) ? 0.0 : INFINITY;
	if (a == b)
		return 0.0;
	double m = fmax(fabs(a), fabs(b));
	return fabs(a - b) / m;
}

#endif
