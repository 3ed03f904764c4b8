/*
 * WHO COVID-19 daily CSV reader.  See who_csv.h for the format and the
 * choices made.  One pass, one row out per record, no allocation.
 */
#include "formats/who_csv.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
	C_DATE,
	C_CODE,
	C_COUNTRY,
	C_REGION,
	C_NEW,
	C_CUM,
	C_NEW_DEATHS,
	C_CUM_DEATHS,
	C_N
};

static const char *const COLS[C_N] = {
	"Date_reported", "Country_code", "Country",   "WHO_region",
	"New_cases",     "Cumulative_cases", "New_deaths", "Cumulative_deaths"};

static bool col_required(int c)
{
	return c != C_COUNTRY && c != C_REGION;
}

/* s without surrounding spaces equals w, ignoring ASCII case. */
static bool field_is(const struct csv_field *f, const char *w)
{
	const char *p = f->p;
	size_t n = f->len;
	while (n && *p == ' ') {
		p++;
		n--;
	}
	while (n && p[n - 1] == ' ')
		n--;
	return n == strlen(w) && strncasecmp(p, w, n) == 0;
}

/* The WHO rows that are not a country: cases on international conveyances
 * (the Diamond Princess), coded "Other*" (2020) or " Other" (later). */
static bool is_other(const struct csv_field *code,
		     const struct csv_field *country)
{
	if (field_is(code, "Other*") || field_is(code, "Other"))
		return true;
	return code->len == 0 && country &&
	       (field_is(country, "Other") ||
		field_is(country, "International conveyance"));
}

static enum eb_err parse_row(const struct csv_row *row, const int *idx,
			     const struct areas *areas, struct sitrep_row *out,
			     struct eb_detail *d)
{
	const struct csv_field *f[C_N];
	for (int c = 0; c < C_N; c++)
		f[c] = idx[c] >= 0 ? &row->f[idx[c]] : NULL;

	enum eb_err e = sitrep_parse_date(f[C_DATE]->p, f[C_DATE]->len,
					  out->date, COLS[C_DATE], d);
	if (e)
		return e;

	const struct csv_field *code = f[C_CODE];
	if (is_other(code, f[C_COUNTRY])) {
		memcpy(out->area, "XZ", 3);
	} else {
		const char *p = code->p;
		size_t n = code->len;
		while (n && *p == ' ') {
			p++;
			n--;
		}
		while (n && p[n - 1] == ' ')
			n--;
		if (n == 0)
			return eb_fail(d, EB_EINVAL, COLS[C_CODE],
				       "Country_code is empty");
		bool letters = n == 2;
		for (size_t i = 0; i < n && letters; i++) {
			char c = p[i];
			letters = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		}
		if (!letters)
			return eb_fail(d, EB_EINVAL, COLS[C_CODE],
				       "Country_code '%.*s' is not an ISO 3166-1 "
				       "alpha-2 code",
				       (int)(n > 20 ? 20 : n), p);
		out->area[0] = (char)(p[0] & ~0x20); /* upper case */
		out->area[1] = (char)(p[1] & ~0x20);
		out->area[2] = '\0';
		if (areas) {
			const struct area *ar = areas_by_code(areas, out->area);
			if (!ar || ar->subdivision)
				return eb_fail(d, EB_EINVAL, COLS[C_CODE],
					       "unknown country code '%s'",
					       out->area);
		}
	}

	static const int counts[4] = {C_NEW, C_CUM, C_NEW_DEATHS,
				      C_CUM_DEATHS};
	struct sitrep_count *dst[4] = {&out->new_confirmed, &out->cum_confirmed,
				       &out->new_deaths, &out->cum_deaths};
	for (int i = 0; i < 4; i++) {
		const struct csv_field *cf = f[counts[i]];
		e = sitrep_parse_count(cf->p, cf->len, dst[i], COLS[counts[i]],
				       d);
		if (e)
			return e;
	}
	e = sitrep_row_check(out, d);
	if (e && d) {
		/* name the WHO column rather than the model's field */
		static const struct {
			const char *model, *col;
		} names[] = {{"cum_confirmed", "Cumulative_cases"},
			     {"cum_deaths", "Cumulative_deaths"}};
		for (size_t i = 0; i < 2; i++)
			if (strcmp(d->field, names[i].model) == 0)
				snprintf(d->field, sizeof d->field, "%s",
					 names[i].col);
	}
	return e;
}

enum eb_err who_csv_read(struct csv_reader *r, const struct areas *areas,
			 const struct sitrep_sink *sink,
			 struct sitrep_stats *st, struct eb_detail *d)
{
	if (!r || !sink || !sink->row)
		return eb_fail(d, EB_EINVAL, NULL, "no reader or sink");
	if (st)
		memset(st, 0, sizeof *st);
	struct csv_row row;
	int rc = sitrep_csv_next(r, &row, sink, st, d);
	if (rc < 0)
		return (enum eb_err)rc;
	if (rc == 0)
		return eb_fail(d, EB_EINVAL, NULL,
			       "the file is empty (expected the WHO daily CSV "
			       "header Date_reported,Country_code,...)");
	int idx[C_N];
	for (int c = 0; c < C_N; c++) {
		idx[c] = -1;
		for (size_t i = 0; i < row.nfields; i++) {
			if (field_is(&row.f[i], COLS[c])) {
				idx[c] = (int)i;
				break;
			}
		}
		if (idx[c] < 0 && col_required(c))
			return eb_fail(d, EB_EINVAL, COLS[c],
				       "line %ld: the header has no column %s "
				       "(expected the WHO daily CSV: "
				       "Date_reported,Country_code,Country,"
				       "WHO_region,New_cases,Cumulative_cases,"
				       "New_deaths,Cumulative_deaths)",
				       csv_line(r), COLS[c]);
	}
	size_t width = row.nfields;

	while ((rc = sitrep_csv_next(r, &row, sink, st, d)) == 1) {
		struct sitrep_row out;
		struct eb_detail why = {{0}, {0}};
		sitrep_row_init(&out);
		out.line = csv_line(r);
		enum eb_err e;
		if (row.nfields != width)
			e = eb_fail(&why, EB_EINVAL, NULL,
				    "%zu fields, the header has %zu",
				    row.nfields, width);
		else
			e = parse_row(&row, idx, areas, &out, &why);
		if (e) {
			int s = sitrep_sink_reject(sink, st, out.line, &why, d);
			if (s)
				return (enum eb_err)s;
			continue;
		}
		int s = sitrep_sink_row(sink, st, &out, d);
		if (s)
			return (enum eb_err)s;
	}
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}
