/*
 * HXL-tagged CSV and mapped CSV readers, and the HXL writer.  See hxl.h.
 *
 * Both readers reduce their header to one table: for each target field of
 * a situation row, the column it comes from.  One row loop then serves
 * both.  Column labels (header name, else hashtag) are copied at header
 * time because the CSV reader's fields live only until the next record.
 */
#include "formats/hxl.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HXL_SCAN_ROWS 25 /* the HXL standard's limit for the hashtag row */
#define LABEL_MAX 64

enum target {
	T_AREA, /* any identifier (mapping "area") */
	T_COUNTRY_CODE,
	T_COUNTRY_NAME,
	T_ADM1_CODE,
	T_ADM1_NAME,
	T_DATE,
	T_NEW_CONFIRMED,
	T_CUM_CONFIRMED,
	T_NEW_DEATHS,
	T_CUM_DEATHS,
	T_SUSPECTED,
	T_RECOVERED,
	T_TESTS,
	T_TRANSMISSION,
	T_N
};

struct colmap {
	long col[T_N]; /* column index, -1 when absent */
	char label[T_N][LABEL_MAX];
	bool date_reported; /* the date column has +reported */
};

/* --- hashtags ----------------------------------------------------------- */

#define HXL_MAX_ATTRS 12
#define HXL_NAME_MAX 32

struct hashtag {
	char tag[HXL_NAME_MAX];
	char attr[HXL_MAX_ATTRS][HXL_NAME_MAX];
	int nattr;
};

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && ((c >= '0' && c <= '9') || c == '_'));
}

/* Reads a name at *p into out (lower case); false if none or too long. */
static bool read_name(const char **p, const char *end, char *out)
{
	size_t n = 0;
	const char *s = *p;
	if (s >= end || !name_char(*s, true))
		return false;
	while (s < end && name_char(*s, n == 0)) {
		if (n + 1 >= HXL_NAME_MAX)
			return false;
		char c = *s++;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[n] = '\0';
	*p = s;
	return true;
}

static void skip_space(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

/* Parses "#tag +attr +attr"; false when the cell is not a valid hashtag. */
static bool hashtag_parse(const struct csv_field *f, struct hashtag *h)
{
	const char *p = f->p, *end = f->p + f->len;
	skip_space(&p, end);
	if (p >= end || *p != '#')
		return false;
	p++;
	if (!read_name(&p, end, h->tag))
		return false;
	h->nattr = 0;
	for (;;) {
		skip_space(&p, end);
		if (p >= end)
			return true;
		if (*p != '+' || h->nattr >= HXL_MAX_ATTRS)
			return false;
		p++;
		skip_space(&p, end);
		if (!read_name(&p, end, h->attr[h->nattr]))
			return false;
		h->nattr++;
	}
}

static bool has_attr(const struct hashtag *h, const char *a)
{
	for (int i = 0; i < h->nattr; i++)
		if (strcmp(h->attr[i], a) == 0)
			return true;
	return false;
}

/* The target of a hashtag, or -1 when it is not one epibridge reads. */
static int hashtag_target(const struct hashtag *h)
{
	if (strcmp(h->tag, "country") == 0)
		return has_attr(h, "code") ? T_COUNTRY_CODE : T_COUNTRY_NAME;
	if (strcmp(h->tag, "adm1") == 0)
		return has_attr(h, "code") ? T_ADM1_CODE : T_ADM1_NAME;
	if (strcmp(h->tag, "date") == 0)
		return T_DATE;
	if ((strcmp(h->tag, "status") == 0 || strcmp(h->tag, "indicator") == 0) &&
	    has_attr(h, "transmission"))
		return T_TRANSMISSION;
	if (strcmp(h->tag, "affected") != 0)
		return -1;
	bool is_new = has_attr(h, "new");
	if (has_attr(h, "killed") || has_attr(h, "dead") || has_attr(h, "deaths"))
		return is_new ? T_NEW_DEATHS : T_CUM_DEATHS;
	if (has_attr(h, "tested"))
		return T_TESTS;
	if (has_attr(h, "recovered"))
		return T_RECOVERED;
	if (has_attr(h, "suspected"))
		return T_SUSPECTED;
	if (has_attr(h, "infected") || has_attr(h, "confirmed") ||
	    has_attr(h, "cases"))
		return is_new ? T_NEW_CONFIRMED : T_CUM_CONFIRMED;
	return -1;
}

bool hxl_is_hashtag_row(const struct csv_row *row)
{
	bool any = false;
	for (size_t i = 0; i < row->nfields; i++) {
		const struct csv_field *f = &row->f[i];
		const char *p = f->p, *end = f->p + f->len;
		skip_space(&p, end);
		if (p == end)
			continue;
		if (*p != '#')
			return false;
		struct hashtag h;
		any |= hashtag_parse(f, &h);
	}
	return any;
}

/* --- the shared row loop ------------------------------------------------ */

static void colmap_init(struct colmap *m)
{
	for (int t = 0; t < T_N; t++) {
		m->col[t] = -1;
		m->label[t][0] = '\0';
	}
	m->date_reported = false;
}

static void set_label(struct colmap *m, int t, const struct csv_field *f)
{
	size_t n = f->len < LABEL_MAX - 1 ? f->len : LABEL_MAX - 1;
	memcpy(m->label[t], f->p, n);
	m->label[t][n] = '\0';
}

static const struct csv_field empty_field = {"", 0};

static const struct csv_field *cell(const struct csv_row *row,
				    const struct colmap *m, int t)
{
	if (m->col[t] < 0 || (size_t)m->col[t] >= row->nfields)
		return m->col[t] < 0 ? NULL : &empty_field;
	return &row->f[m->col[t]];
}

static bool blank(const struct csv_field *f)
{
	for (size_t i = 0; f && i < f->len; i++)
		if (f->p[i] != ' ' && f->p[i] != '\t')
			return false;
	return true;
}

/* The field trimmed into buf (bufsz); false when it does not fit. */
static bool trimmed(const struct csv_field *f, char *buf, size_t bufsz)
{
	const char *p = f->p;
	size_t n = f->len;
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= bufsz)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

static bool looks_iso2(const char *s)
{
	return strlen(s) == 2 && name_char(s[0], true) && name_char(s[1], true);
}

static bool looks_subdivision(const char *s)
{
	size_t n = strlen(s);
	if (n < 4 || n > 6 || !name_char(s[0], true) ||
	    !name_char(s[1], true) || s[2] != '-')
		return false;
	for (size_t i = 3; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 32);
}

/* Resolves the row's area into out->area; EB_EINVAL with d otherwise. */
static enum eb_err resolve_area(const struct csv_row *row,
				const struct colmap *m,
				const struct areas *areas,
				struct sitrep_row *out, struct eb_detail *d)
{
	char v[128];
	const struct area *country = NULL;
	const char *country_label = NULL;
	/* the country, from the first non-empty of code, name, any */
	static const int ctry[3] = {T_COUNTRY_CODE, T_COUNTRY_NAME, T_AREA};
	for (int k = 0; k < 3 && !country; k++) {
		int t = ctry[k];
		const struct csv_field *f = cell(row, m, t);
		if (blank(f))
			continue;
		country_label = m->label[t];
		if (!trimmed(f, v, sizeof v))
			return eb_fail(d, EB_EINVAL, m->label[t],
				       "%s: value longer than %zu bytes",
				       m->label[t], sizeof v - 1);
		if (!areas) {
			if (looks_subdivision(v) && t == T_AREA) {
				upper(v);
				snprintf(out->area, sizeof out->area, "%.15s", v);
				return EB_OK;
			}
			if (!looks_iso2(v))
				return eb_fail(d, EB_EINVAL, m->label[t],
					       "%s: '%s' is not an ISO 3166-1 "
					       "alpha-2 code",
					       m->label[t], v);
			upper(v);
			snprintf(out->area, sizeof out->area, "%.15s", v);
			break;
		}
		country = t == T_COUNTRY_NAME ? areas_by_name(areas, v) : NULL;
		if (!country)
			country = areas_resolve(areas, v);
		if (!country)
			return eb_fail(d, EB_EINVAL, m->label[t],
				       "%s: unknown country or area '%s'",
				       m->label[t], v);
		if (country->subdivision && t != T_AREA)
			return eb_fail(d, EB_EINVAL, m->label[t],
				       "%s: '%s' is a subdivision, not a "
				       "country",
				       m->label[t], v);
		snprintf(out->area, sizeof out->area, "%s", country->code);
	}
	/* a subdivision refines it */
	static const int adm[2] = {T_ADM1_CODE, T_ADM1_NAME};
	for (int k = 0; k < 2; k++) {
		int t = adm[k];
		const struct csv_field *f = cell(row, m, t);
		if (blank(f))
			continue;
		if (!trimmed(f, v, sizeof v))
			return eb_fail(d, EB_EINVAL, m->label[t],
				       "%s: value longer than %zu bytes",
				       m->label[t], sizeof v - 1);
		const struct area *sub = NULL;
		if (!areas) {
			if (!looks_subdivision(v))
				return eb_fail(d, EB_EINVAL, m->label[t],
					       "%s: '%s' is not a subdivision "
					       "code like CN-HB",
					       m->label[t], v);
			upper(v);
			if (out->area[0] && memcmp(out->area, v, 2) != 0)
				return eb_fail(d, EB_EINVAL, m->label[t],
					       "%s: %s is not in %s",
					       m->label[t], v, out->area);
			snprintf(out->area, sizeof out->area, "%.15s", v);
			return EB_OK;
		}
		if (t == T_ADM1_CODE || looks_subdivision(v)) {
			sub = areas_by_code(areas, v);
			if (sub && !sub->subdivision)
				sub = NULL;
		}
		if (!sub && country && (country->subdivision == false))
			sub = areas_by_subdivision_name(areas, country->iso2, v);
		if (!sub)
			return eb_fail(d, EB_EINVAL, m->label[t],
				       "%s: unknown subdivision '%s'%s%s",
				       m->label[t], v, country ? " of " : "",
				       country ? country->code : "");
		if (country && !country->subdivision &&
		    strcmp(sub->iso2, country->code) != 0)
			return eb_fail(d, EB_EINVAL, m->label[t],
				       "%s: %s is not in %s (%s)", m->label[t],
				       sub->code, country->code,
				       country_label ? country_label : "");
		snprintf(out->area, sizeof out->area, "%s", sub->code);
		return EB_OK;
	}
	if (!out->area[0])
		return eb_fail(d, EB_EINVAL, NULL, "the area is empty");
	return EB_OK;
}

static enum eb_err parse_row(const struct csv_row *row, const struct colmap *m,
			     const struct areas *areas, struct sitrep_row *out,
			     struct eb_detail *d)
{
	enum eb_err e = resolve_area(row, m, areas, out, d);
	if (e)
		return e;
	const struct csv_field *f = cell(row, m, T_DATE);
	e = sitrep_parse_date(f->p, f->len, out->date, m->label[T_DATE], d);
	if (e)
		return e;
	static const struct {
		int t;
		size_t off;
	} counts[] = {
		{T_NEW_CONFIRMED, offsetof(struct sitrep_row, new_confirmed)},
		{T_CUM_CONFIRMED, offsetof(struct sitrep_row, cum_confirmed)},
		{T_NEW_DEATHS, offsetof(struct sitrep_row, new_deaths)},
		{T_CUM_DEATHS, offsetof(struct sitrep_row, cum_deaths)},
		{T_SUSPECTED, offsetof(struct sitrep_row, suspected)},
		{T_RECOVERED, offsetof(struct sitrep_row, recovered)},
		{T_TESTS, offsetof(struct sitrep_row, tests)},
	};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		f = cell(row, m, counts[i].t);
		if (!f)
			continue;
		struct sitrep_count *c =
			(struct sitrep_count *)((char *)out + counts[i].off);
		e = sitrep_parse_count(f->p, f->len, c, m->label[counts[i].t],
				       d);
		if (e)
			return e;
	}
	f = cell(row, m, T_TRANSMISSION);
	if (f) {
		e = sitrep_parse_transmission(f->p, f->len, &out->transmission,
					      m->label[T_TRANSMISSION], d);
		if (e)
			return e;
	}
	e = sitrep_row_check(out, d);
	if (e && d) {
		/* name the file's column rather than the model's field */
		static const struct {
			const char *model;
			int t;
		} names[] = {{"cum_confirmed", T_CUM_CONFIRMED},
			     {"cum_deaths", T_CUM_DEATHS},
			     {"suspected", T_SUSPECTED},
			     {"recovered", T_RECOVERED},
			     {"tests", T_TESTS}};
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strcmp(d->field, names[i].model) == 0)
				snprintf(d->field, sizeof d->field, "%s",
					 m->label[names[i].t]);
	}
	return e;
}

static bool row_blank(const struct csv_row *row)
{
	for (size_t i = 0; i < row->nfields; i++)
		if (!blank(&row->f[i]))
			return false;
	return true;
}

static enum eb_err read_rows(struct csv_reader *r, const struct colmap *m,
			     const struct areas *areas,
			     const struct sitrep_sink *sink,
			     struct sitrep_stats *st, struct eb_detail *d)
{
	struct csv_row row;
	int rc;
	while ((rc = sitrep_csv_next(r, &row, sink, st, d)) == 1) {
		if (row_blank(&row))
			continue;
		struct sitrep_row out;
		struct eb_detail why = {{0}, {0}};
		sitrep_row_init(&out);
		out.line = csv_line(r);
		int s;
		if (parse_row(&row, m, areas, &out, &why) != EB_OK)
			s = sitrep_sink_reject(sink, st, out.line, &why, d);
		else
			s = sitrep_sink_row(sink, st, &out, d);
		if (s)
			return (enum eb_err)s;
	}
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

static enum eb_err check_required(const struct colmap *m, const char *what,
				  long line, struct eb_detail *d)
{
	if (m->col[T_AREA] < 0 && m->col[T_COUNTRY_CODE] < 0 &&
	    m->col[T_COUNTRY_NAME] < 0 && m->col[T_ADM1_CODE] < 0)
		return eb_fail(d, EB_EINVAL, NULL,
			       "line %ld: the %s has no area column (%s)", line,
			       what,
			       m->col[T_ADM1_NAME] >= 0
				       ? "#adm1 by name needs a #country column"
				       : "#country+code, #country, #adm1+code");
	if (m->col[T_DATE] < 0)
		return eb_fail(d, EB_EINVAL, NULL,
			       "line %ld: the %s has no date column (#date)",
			       line, what);
	return EB_OK;
}

/* --- HXL ---------------------------------------------------------------- */

enum eb_err hxl_read(struct csv_reader *r, const struct areas *areas,
		     const struct sitrep_sink *sink, struct sitrep_stats *st,
		     struct eb_detail *d)
{
	if (!r || !sink || !sink->row)
		return eb_fail(d, EB_EINVAL, NULL, "no reader or sink");
	if (st)
		memset(st, 0, sizeof *st);
	/* the last row before the hashtag row holds the column names */
	char names[64][LABEL_MAX];
	size_t nnames = 0;
	struct csv_row row;
	int rc = 0;
	for (int n = 0; n < HXL_SCAN_ROWS; n++) {
		rc = sitrep_csv_next(r, &row, sink, st, d);
		if (rc < 0)
			return (enum eb_err)rc;
		if (rc == 0 || hxl_is_hashtag_row(&row))
			break;
		nnames = row.nfields < 64 ? row.nfields : 64;
		for (size_t i = 0; i < nnames; i++) {
			size_t len = row.f[i].len < LABEL_MAX - 1 ? row.f[i].len
								   : LABEL_MAX - 1;
			memcpy(names[i], row.f[i].p, len);
			names[i][len] = '\0';
		}
		rc = 0;
	}
	if (rc != 1)
		return eb_fail(d, EB_EINVAL, NULL,
			       "no HXL hashtag row (#country, #date, "
			       "#affected ...) in the first %d rows",
			       HXL_SCAN_ROWS);
	long line = csv_line(r);
	struct colmap m;
	colmap_init(&m);
	for (size_t i = 0; i < row.nfields; i++) {
		struct hashtag h;
		if (!hashtag_parse(&row.f[i], &h))
			continue;
		int t = hashtag_target(&h);
		if (t < 0)
			continue;
		bool reported = t == T_DATE && has_attr(&h, "reported");
		if (m.col[t] >= 0 && !(reported && !m.date_reported))
			continue;
		m.col[t] = (long)i;
		if (t == T_DATE)
			m.date_reported = reported;
		if (i < nnames && names[i][0]) {
			memcpy(m.label[t], names[i], LABEL_MAX);
		} else {
			set_label(&m, t, &row.f[i]);
		}
	}
	enum eb_err e = check_required(&m, "hashtag row", line, d);
	if (e)
		return e;
	return read_rows(r, &m, areas, sink, st, d);
}

/* --- mapping ------------------------------------------------------------ */

static const struct {
	const char *key;
	int t;
} MAP_KEYS[] = {
	{"area", T_AREA},
	{"country", T_AREA},
	{"adm1", T_ADM1_NAME},
	{"date", T_DATE},
	{"new_confirmed", T_NEW_CONFIRMED},
	{"cum_confirmed", T_CUM_CONFIRMED},
	{"new_deaths", T_NEW_DEATHS},
	{"cum_deaths", T_CUM_DEATHS},
	{"suspected", T_SUSPECTED},
	{"recovered", T_RECOVERED},
	{"tests", T_TESTS},
	{"transmission", T_TRANSMISSION},
};

enum eb_err hxl_read_mapped(struct csv_reader *r, const char *mapping,
			    const struct areas *areas,
			    const struct sitrep_sink *sink,
			    struct sitrep_stats *st, struct eb_detail *d)
{
	if (!r || !sink || !sink->row || !mapping)
		return eb_fail(d, EB_EINVAL, NULL, "no reader, mapping or sink");
	if (st)
		memset(st, 0, sizeof *st);
	size_t mlen = strlen(mapping);
	if (mlen > HXL_MAX_MAPPING)
		return eb_fail(d, EB_ETOOBIG, "map",
			       "mapping longer than %d bytes", HXL_MAX_MAPPING);
	struct csv_row row;
	int rc = sitrep_csv_next(r, &row, sink, st, d);
	if (rc < 0)
		return (enum eb_err)rc;
	if (rc == 0)
		return eb_fail(d, EB_EINVAL, NULL,
			       "the file is empty (expected a header row)");
	long line = csv_line(r);
	struct colmap m;
	colmap_init(&m);
	const char *p = mapping, *end = mapping + mlen;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *item_end = comma ? comma : end;
		const char *eq = memchr(p, '=', (size_t)(item_end - p));
		const char *k = p, *ke = eq ? eq : item_end;
		while (k < ke && *k == ' ')
			k++;
		while (ke > k && ke[-1] == ' ')
			ke--;
		if (!eq)
			return eb_fail(d, EB_EINVAL, "map",
				       "mapping: '%.*s' is not field=Column",
				       (int)(item_end - p > 60 ? 60 : item_end - p), p);
		int t = -1;
		for (size_t i = 0; i < sizeof MAP_KEYS / sizeof MAP_KEYS[0]; i++)
			if (strlen(MAP_KEYS[i].key) == (size_t)(ke - k) &&
			    strncasecmp(MAP_KEYS[i].key, k, (size_t)(ke - k)) == 0)
				t = MAP_KEYS[i].t;
		if (t < 0)
			return eb_fail(d, EB_EINVAL, "map",
				       "mapping: unknown field '%.*s' (known: "
				       "area, country, adm1, date, "
				       "new_confirmed, cum_confirmed, "
				       "new_deaths, cum_deaths, suspected, "
				       "recovered, tests, transmission)",
				       (int)(ke - k > 40 ? 40 : ke - k), k);
		if (m.col[t] >= 0)
			return eb_fail(d, EB_EINVAL, "map",
				       "mapping: field '%.*s' given twice",
				       (int)(ke - k > 40 ? 40 : ke - k), k);
		const char *c = eq + 1, *ce = item_end;
		while (c < ce && *c == ' ')
			c++;
		while (ce > c && ce[-1] == ' ')
			ce--;
		size_t clen = (size_t)(ce - c);
		long col = -1;
		for (size_t i = 0; i < row.nfields && col < 0; i++)
			if (row.f[i].len == clen && memcmp(row.f[i].p, c, clen) == 0)
				col = (long)i;
		for (size_t i = 0; i < row.nfields && col < 0; i++)
			if (row.f[i].len == clen && strncasecmp(row.f[i].p, c, clen) == 0)
				col = (long)i;
		if (col < 0)
			return eb_fail(d, EB_EINVAL, "map",
				       "mapping: no column '%.*s' in the header "
				       "(line %ld)",
				       (int)(clen > 60 ? 60 : clen), c, line);
		m.col[t] = col;
		set_label(&m, t, &row.f[col]);
		p = comma ? comma + 1 : end;
	}
	enum eb_err e = check_required(&m, "mapping", line, d);
	if (e)
		return e;
	return read_rows(r, &m, areas, sink, st, d);
}

/* --- writing ------------------------------------------------------------ */

static const char *const OUT_NAMES[] = {
	"country_code",        "adm1_code",  "date",
	"new_confirmed",       "cumulative_confirmed",
	"new_deaths",          "cumulative_deaths",
	"suspected",           "recovered",  "tests",
	"transmission"};
static const char *const OUT_TAGS[] = {
	"#country+code",          "#adm1+code",
	"#date+reported",         "#affected+infected+new",
	"#affected+infected+cumulative", "#affected+killed+new",
	"#affected+killed+cumulative",   "#affected+suspected",
	"#affected+recovered",    "#affected+tested",
	"#status+transmission"};

enum eb_err hxl_write_header(struct eb_buf *b)
{
	enum eb_err e;
	for (int pass = 0; pass < 2; pass++) {
		const char *const *v = pass ? OUT_TAGS : OUT_NAMES;
		for (size_t i = 0; i < sizeof OUT_NAMES / sizeof OUT_NAMES[0]; i++)
			if ((e = csv_write_field(b, i == 0, v[i], strlen(v[i]))))
				return e;
		if ((e = csv_write_end(b)))
			return e;
	}
	return EB_OK;
}

static enum eb_err write_count(struct eb_buf *b, const struct sitrep_count *c)
{
	if (!c->present)
		return eb_buf_addc(b, ',');
	return eb_buf_printf(b, ",%lld", (long long)c->value);
}

enum eb_err hxl_write_row(struct eb_buf *b, const struct sitrep_row *row)
{
	enum eb_err e;
	size_t alen = strnlen(row->area, sizeof row->area);
	const char *dash = memchr(row->area, '-', alen);
	size_t clen = dash ? (size_t)(dash - row->area) : alen;
	if ((e = csv_write_field(b, true, row->area, clen)))
		return e;
	if ((e = csv_write_field(b, false, dash ? row->area : "", dash ? alen : 0)))
		return e;
	if ((e = csv_write_field(b, false, row->date, strnlen(row->date, 10))))
		return e;
	const struct sitrep_count *c[] = {
		&row->new_confirmed, &row->cum_confirmed, &row->new_deaths,
		&row->cum_deaths,    &row->suspected,     &row->recovered,
		&row->tests};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		if ((e = write_count(b, c[i])))
			return e;
	const char *tx = sitrep_transmission_name(row->transmission);
	if ((e = csv_write_field(b, false, tx, strlen(tx))))
		return e;
	return csv_write_end(b);
}
