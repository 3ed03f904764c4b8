/*
 * JHU CSSE wide time series reader.  See jhu_csv.h for the format and the
 * mapping rules.  Both files are loaded into per-row arrays of cumulative
 * counts (INT64_MIN marks a missing cell), rows are grouped by area, and
 * each series is then unrolled into one sitrep_row per day.
 */
#include "formats/jhu_csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MISSING INT64_MIN
#define NAME_MAX_LEN 128

struct in_row {
	char province[NAME_MAX_LEN];
	char country[NAME_MAX_LEN];
	long line;
	struct areas_jhu map;
	int64_t *conf;
	int64_t *deaths; /* NULL when the deaths file has no such row */
	bool used;       /* taken by a group's output */
	bool skipped;    /* rejected: kept so its deaths row is not
			    reported a second time */
};

struct jhu {
	const struct areas *areas;
	const struct sitrep_sink *sink;
	struct sitrep_stats *st;
	struct eb_detail *d;
	size_t ndays;
	int32_t day0;
	char (*dates)[11];
	struct in_row *rows;
	size_t nrows, caprows;
	int64_t *sum_conf, *sum_deaths;
};

/* --- dates -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int32_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int32_t z, char out[11])
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	/* callers keep dates within 1900..2100 */
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* Parses "M/D/YY" or "M/D/YYYY" (JHU's US-style header dates). */
static bool parse_mdy(const struct csv_field *f, int32_t *days)
{
	int part[3] = {0, 0, 0}, ndig[3] = {0, 0, 0}, k = 0;
	for (size_t i = 0; i < f->len; i++) {
		char c = f->p[i];
		if (c == '/') {
			if (++k > 2)
				return false;
		} else if (c >= '0' && c <= '9' && ndig[k] < 4) {
			part[k] = part[k] * 10 + (c - '0');
			ndig[k]++;
		} else {
			return false;
		}
	}
	if (k != 2 || !ndig[0] || ndig[0] > 2 || !ndig[1] || ndig[1] > 2 ||
	    (ndig[2] != 2 && ndig[2] != 4))
		return false;
	int m = part[0], d = part[1], y = ndig[2] == 2 ? 2000 + part[2] : part[2];
	static const int dm[12] = {31, 29, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > dm[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

static bool field_is(const struct csv_field *f, const char *w)
{
	return f->len == strlen(w) && strncasecmp(f->p, w, f->len) == 0;
}

/* Checks the header; fills ndays/day0 (first file) or compares (second). */
static enum eb_err read_header(struct jhu *j, struct csv_reader *r,
			       const char *which, bool first,
			       struct csv_row *row)
{
	struct eb_detail *d = j->d;
	int rc = sitrep_csv_next(r, row, j->sink, j->st, d);
	if (rc < 0)
		return (enum eb_err)rc;
	if (rc == 0)
		return eb_fail(d, EB_EINVAL, NULL, "%s file: empty", which);
	long line = csv_line(r);
	if (row->nfields < 5 ||
	    !(field_is(&row->f[0], "Province/State") ||
	      field_is(&row->f[0], "Province")) ||
	    !(field_is(&row->f[1], "Country/Region") ||
	      field_is(&row->f[1], "Country")) ||
	    !field_is(&row->f[2], "Lat") ||
	    !(field_is(&row->f[3], "Long") || field_is(&row->f[3], "Lon")))
		return eb_fail(d, EB_EINVAL, NULL,
			       "%s file line %ld: not the JHU CSSE time series "
			       "layout (expected Province/State,Country/Region,"
			       "Lat,Long,<dates>)",
			       which, line);
	size_t ndays = row->nfields - 4;
	if (ndays > JHU_MAX_DAYS)
		return eb_fail(d, EB_ETOOBIG, NULL,
			       "%s file: more than %d date columns", which,
			       JHU_MAX_DAYS);
	int32_t prev = 0;
	for (size_t i = 0; i < ndays; i++) {
		int32_t day;
		const struct csv_field *f = &row->f[4 + i];
		if (!parse_mdy(f, &day))
			return eb_fail(d, EB_EINVAL, NULL,
				       "%s file line %ld, column %zu: '%.20s' "
				       "is not a date M/D/YYYY",
				       which, line, 5 + i, f->p);
		if (i > 0 && day != prev + 1)
			return eb_fail(d, EB_EINVAL, NULL,
				       "%s file line %ld, column %zu: dates "
				       "must be consecutive days ('%.20s' does "
				       "not follow the previous column)",
				       which, line, 5 + i, f->p);
		if (i == 0 && first)
			j->day0 = day;
		else if (i == 0 && day != j->day0)
			goto differ;
		prev = day;
	}
	if (first) {
		j->ndays = ndays;
		j->dates = malloc(ndays * sizeof *j->dates);
		j->sum_conf = malloc(ndays * sizeof *j->sum_conf);
		j->sum_deaths = malloc(ndays * sizeof *j->sum_deaths);
		if (!j->dates || !j->sum_conf || !j->sum_deaths)
			return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		for (size_t i = 0; i < ndays; i++)
			civil_from_days(j->day0 + (int32_t)i, j->dates[i]);
	} else if (ndays != j->ndays) {
		goto differ;
	}
	return EB_OK;
differ:
	return eb_fail(d, EB_EINVAL, NULL,
		       "deaths file line %ld: its dates differ from the "
		       "confirmed file's (%s, %zu days)",
		       line, j->dates[0], j->ndays);
}

/* Reports a rejected line; returns non-zero when the sink says stop. */
static int reject(struct jhu *j, long line, const char *field,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int reject(struct jhu *j, long line, const char *field,
		  const char *fmt, ...)
{
	struct eb_detail why;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why.msg, sizeof why.msg, fmt, ap);
	va_end(ap);
	snprintf(why.field, sizeof why.field, "%s", field ? field : "");
	return sitrep_sink_reject(j->sink, j->st, line, &why, j->d);
}

/* Parses the day cells of a record into v; bad cells are rejected and
 * left missing. */
static int parse_cells(struct jhu *j, const struct csv_row *row, long line,
		       int64_t *v)
{
	for (size_t i = 0; i < j->ndays; i++) {
		const struct csv_field *f = &row->f[4 + i];
		struct sitrep_count c;
		struct eb_detail why;
		v[i] = MISSING;
		if (sitrep_parse_count(f->p, f->len, &c, j->dates[i], &why)) {
			int s = sitrep_sink_reject(j->sink, j->st, line, &why,
						   j->d);
			if (s)
				return s;
			continue;
		}
		if (c.present && c.value < 0) {
			int s = reject(j, line, j->dates[i],
				       "negative cumulative count %lld on %s",
				       (long long)c.value, j->dates[i]);
			if (s)
				return s;
			continue;
		}
		if (c.present)
			v[i] = c.value;
	}
	return 0;
}

static bool copy_name(char *dst, const struct csv_field *f)
{
	if (f->len >= NAME_MAX_LEN)
		return false;
	memcpy(dst, f->p, f->len + 1);
	return true;
}

static int read_confirmed(struct jhu *j, struct csv_reader *r)
{
	struct csv_row row;
	int rc;
	size_t width = 4 + j->ndays;
	while ((rc = sitrep_csv_next(r, &row, j->sink, j->st, j->d)) == 1) {
		long line = csv_line(r);
		int s = 0;
		if (row.nfields != width) {
			s = reject(j, line, NULL, "%zu fields, the header has %zu",
				   row.nfields, width);
		} else if (j->nrows >= JHU_MAX_ROWS ||
			   (j->nrows + 1) * j->ndays > JHU_MAX_CELLS) {
			return eb_fail(j->d, EB_ETOOBIG, NULL,
				       "line %ld: more than %d rows or %d "
				       "cells",
				       line, JHU_MAX_ROWS, JHU_MAX_CELLS);
		} else {
			if (j->nrows == j->caprows) {
				size_t ncap = j->caprows ? j->caprows * 2 : 256;
				struct in_row *nr =
					realloc(j->rows, ncap * sizeof *nr);
				if (!nr)
					return eb_fail(j->d, EB_ENOMEM, NULL,
						       "out of memory");
				j->rows = nr;
				j->caprows = ncap;
			}
			struct in_row *ir = &j->rows[j->nrows];
			memset(ir, 0, sizeof *ir);
			ir->line = line;
			if (!copy_name(ir->province, &row.f[0]) ||
			    !copy_name(ir->country, &row.f[1])) {
				s = reject(j, line, NULL,
					   "Province or Country longer than %d "
					   "bytes",
					   NAME_MAX_LEN - 1);
			} else if (!areas_jhu_find(j->areas, ir->province,
						   ir->country, &ir->map)) {
				ir->skipped = ir->used = true;
				j->nrows++;
				s = reject(j, line, "Country",
					   "'%s%s%s' is not in the JHU lookup "
					   "table (data/reference/jhu_lookup.csv)",
					   ir->province, ir->province[0] ? ", " : "",
					   ir->country);
			} else if (!ir->map.area) {
				ir->skipped = ir->used = true;
				j->nrows++;
				s = reject(j, line, "Country",
					   "'%s%s%s' is not a country, territory "
					   "or subdivision; row not imported",
					   ir->province, ir->province[0] ? ", " : "",
					   ir->country);
			} else {
				bool dup = false;
				for (size_t i = 0; i < j->nrows && !dup; i++)
					dup = strcmp(j->rows[i].province, ir->province) == 0 &&
					      strcmp(j->rows[i].country, ir->country) == 0;
				if (dup) {
					s = reject(j, line, NULL,
						   "'%s, %s' appears twice; the "
						   "second row is ignored",
						   ir->province, ir->country);
				} else {
					ir->conf = malloc(j->ndays * sizeof *ir->conf);
					if (!ir->conf)
						return eb_fail(j->d, EB_ENOMEM, NULL,
							       "out of memory");
					j->nrows++;
					s = parse_cells(j, &row, line, ir->conf);
				}
			}
		}
		if (s)
			return s;
	}
	return rc;
}

static int read_deaths(struct jhu *j, struct csv_reader *r)
{
	struct csv_row row;
	int rc;
	size_t width = 4 + j->ndays, k = 0;
	while ((rc = sitrep_csv_next(r, &row, j->sink, j->st, j->d)) == 1) {
		long line = csv_line(r);
		int s = 0;
		if (row.nfields != width) {
			s = reject(j, line, NULL,
				   "deaths file: %zu fields, the header has %zu",
				   row.nfields, width);
			k++;
			if (s)
				return s;
			continue;
		}
		/* the files usually list rows in the same order: try the
		 * same position first */
		struct in_row *ir = NULL;
		for (size_t n = 0; n < j->nrows && !ir; n++) {
			struct in_row *c = &j->rows[(k + n) % j->nrows];
			if (field_is(&row.f[0], c->province) &&
			    field_is(&row.f[1], c->country))
				ir = c;
		}
		k++;
		if (!ir) {
			s = reject(j, line, NULL,
				   "deaths file: '%.60s%s%.60s' has no usable "
				   "row in the confirmed file",
				   row.f[0].p, row.f[0].len ? ", " : "",
				   row.f[1].p);
		} else if (ir->skipped) {
			/* rejected with the confirmed row already */
		} else if (ir->deaths) {
			s = reject(j, line, NULL,
				   "deaths file: '%s, %s' appears twice; the "
				   "second row is ignored",
				   ir->province, ir->country);
		} else {
			ir->deaths = malloc(j->ndays * sizeof *ir->deaths);
			if (!ir->deaths)
				return eb_fail(j->d, EB_ENOMEM, NULL,
					       "out of memory");
			s = parse_cells(j, &row, line, ir->deaths);
		}
		if (s)
			return s;
	}
	return rc;
}

/* Unrolls one series into day rows. */
static int emit(struct jhu *j, const char *code, const int64_t *conf,
		const int64_t *deaths, int flags, long line)
{
	for (size_t t = 0; t < j->ndays; t++) {
		struct sitrep_row out;
		sitrep_row_init(&out);
		snprintf(out.area, sizeof out.area, "%s", code);
		memcpy(out.date, j->dates[t], sizeof out.date);
		out.line = line;
		out.flags = flags | SITREP_F_DERIVED_NEW;
		if (conf[t] != MISSING) {
			out.cum_confirmed.present = true;
			out.cum_confirmed.value = conf[t];
			if (t > 0 && conf[t - 1] != MISSING) {
				out.new_confirmed.present = true;
				out.new_confirmed.value = conf[t] - conf[t - 1];
			}
		}
		if (deaths && deaths[t] != MISSING) {
			out.cum_deaths.present = true;
			out.cum_deaths.value = deaths[t];
			if (t > 0 && deaths[t - 1] != MISSING) {
				out.new_deaths.present = true;
				out.new_deaths.value = deaths[t] - deaths[t - 1];
			}
		}
		if (!out.cum_confirmed.present && !out.cum_deaths.present)
			continue; /* the bad cells were reported already */
		struct eb_detail why;
		if (sitrep_row_check(&out, &why) != EB_OK) {
			int s = sitrep_sink_reject(j->sink, j->st, line, &why,
						   j->d);
			if (s)
				return s;
			continue;
		}
		int s = sitrep_sink_row(j->sink, j->st, &out, j->d);
		if (s)
			return s;
	}
	return 0;
}

/* Adds series src into the running sum (MISSING is contagious). */
static void add_into(int64_t *sum, const int64_t *src, size_t n)
{
	for (size_t t = 0; t < n; t++) {
		if (sum[t] == MISSING)
			continue;
		if (!src || src[t] == MISSING)
			sum[t] = MISSING;
		else
			sum[t] += src[t];
	}
}

/* Produces the rows of the area of rows[first] and its subdivisions. */
static int emit_group(struct jhu *j, size_t first)
{
	const struct area *area = j->rows[first].map.area;
	size_t n = j->ndays;
	bool has_country = false, any_deaths = false;
	size_t ncontrib = 0;
	long line = 0;
	for (size_t i = first; i < j->nrows; i++) {
		struct in_row *ir = &j->rows[i];
		if (ir->map.area == area && ir->map.level == AREAS_JHU_COUNTRY)
			has_country = true;
	}
	for (size_t t = 0; t < n; t++)
		j->sum_conf[t] = j->sum_deaths[t] = 0;
	for (size_t i = first; i < j->nrows; i++) {
		struct in_row *ir = &j->rows[i];
		if (ir->map.area != area || ir->used)
			continue;
		ir->used = true;
		bool contributes = has_country
					   ? ir->map.level == AREAS_JHU_COUNTRY
					   : true;
		if (has_country && ir->map.level == AREAS_JHU_PART) {
			int s = reject(j, ir->line, "Province",
				       "province '%s' of %s has no subdivision "
				       "code and %s has a row of its own; row "
				       "not imported",
				       ir->province, ir->country, area->code);
			if (s)
				return s;
		}
		if (!contributes)
			continue;
		if (!line)
			line = ir->line;
		ncontrib++;
		add_into(j->sum_conf, ir->conf, n);
		add_into(j->sum_deaths, ir->deaths, n);
		any_deaths |= ir->deaths != NULL;
	}
	if (ncontrib) {
		/* without a country row even a single province is a sum */
		int flags = ncontrib > 1 || !has_country ? SITREP_F_SUMMED : 0;
		int s = emit(j, area->code, j->sum_conf,
			     any_deaths ? j->sum_deaths : NULL, flags, line);
		if (s)
			return s;
	}
	/* the subdivisions, in file order; a code seen twice is rejected */
	for (size_t i = first; i < j->nrows; i++) {
		struct in_row *ir = &j->rows[i];
		if (ir->map.area != area ||
		    ir->map.level != AREAS_JHU_SUBDIVISION)
			continue;
		bool dup = false;
		for (size_t k = first; k < i && !dup; k++)
			dup = j->rows[k].map.area == area &&
			      j->rows[k].map.subdivision == ir->map.subdivision;
		if (dup) {
			int s = reject(j, ir->line, "Province",
				       "a second row for subdivision %s; row "
				       "not imported",
				       ir->map.subdivision->code);
			if (s)
				return s;
			continue;
		}
		int s = emit(j, ir->map.subdivision->code, ir->conf, ir->deaths,
			     0, ir->line);
		if (s)
			return s;
	}
	return 0;
}

enum eb_err jhu_csv_read(struct csv_reader *confirmed,
			 struct csv_reader *deaths, const struct areas *areas,
			 const struct sitrep_sink *sink,
			 struct sitrep_stats *st, struct eb_detail *d)
{
	if (!confirmed || !areas || !sink || !sink->row)
		return eb_fail(d, EB_EINVAL, NULL,
			       "no reader, area reference or sink");
	if (st)
		memset(st, 0, sizeof *st);
	struct jhu j = {.areas = areas, .sink = sink, .st = st, .d = d};
	struct csv_row row;
	int rc = read_header(&j, confirmed, "confirmed", true, &row);
	if (rc == 0)
		rc = read_confirmed(&j, confirmed);
	if (rc == 0 && deaths) {
		rc = read_header(&j, deaths, "deaths", false, &row);
		if (rc == 0)
			rc = read_deaths(&j, deaths);
	}
	for (size_t i = 0; rc == 0 && i < j.nrows; i++)
		if (!j.rows[i].used)
			rc = emit_group(&j, i);

	for (size_t i = 0; i < j.nrows; i++) {
		free(j.rows[i].conf);
		free(j.rows[i].deaths);
	}
	free(j.rows);
	free(j.dates);
	free(j.sum_conf);
	free(j.sum_deaths);
	return (enum eb_err)rc;
}
