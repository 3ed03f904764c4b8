/*
 * Parsing and checking helpers shared by the situation readers: counts,
 * dates, transmission classes and the rules every row obeys.  See
 * sitrep_rows.h.  Hand-written parsers rather than strtoll because they run
 * for every cell of multi-million-row imports and must reject what strtoll
 * would accept (leading "+", "0x", locale digits).
 */
#include "formats/sitrep_rows.h"
#include "formats/csv.h"

#include <stdio.h>
#include <string.h>

void sitrep_row_init(struct sitrep_row *row)
{
	memset(row, 0, sizeof *row);
	row->transmission = SITREP_TX_UNKNOWN;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* s[0..len) equals the lowercase ASCII word w, ignoring ASCII case. */
static bool eq_word(const char *s, size_t len, const char *w)
{
	size_t i = 0;
	for (; i < len && w[i]; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return false;
	return i == len && w[i] == '\0';
}

static void trim(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len;
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	*s = p;
	*len = n;
}

/* Shows at most 40 bytes of a bad value in a message. */
static int shown(size_t len)
{
	return len > 40 ? 40 : (int)len;
}

enum eb_err sitrep_parse_count(const char *s, size_t len,
			       struct sitrep_count *c, const char *field,
			       struct eb_detail *d)
{
	c->value = 0;
	c->present = false;
	const char *orig = s;
	size_t olen = len;
	trim(&s, &len);
	if (len == 0 || eq_word(s, len, "na") || eq_word(s, len, "n/a") ||
	    eq_word(s, len, "null") || (len == 1 && s[0] == '-'))
		return EB_OK;
	size_t i = 0;
	bool neg = false;
	if (s[0] == '-') {
		neg = true;
		i = 1;
	}
	int64_t v = 0;
	size_t digits = 0;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		v = v * 10 + (s[i] - '0');
		if (v > SITREP_COUNT_MAX)
			return eb_fail(d, EB_EINVAL, field,
				       "%s: count %.*s is larger than %lld",
				       field, shown(olen), orig,
				       (long long)SITREP_COUNT_MAX);
	}
	if (i < len && s[i] == '.' && digits) { /* "12.0" */
		size_t j = i + 1;
		while (j < len && s[j] == '0')
			j++;
		if (j == len && j > i + 1)
			i = j;
	}
	if (digits == 0 || i != len)
		return eb_fail(d, EB_EINVAL, field,
			       "%s: '%.*s' is not a whole number", field,
			       shown(olen), orig);
	c->value = neg ? -v : v;
	c->present = true;
	return EB_OK;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static bool digits_at(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

enum eb_err sitrep_parse_date(const char *s, size_t len, char out[11],
			      const char *field, struct eb_detail *d)
{
	const char *orig = s;
	size_t olen = len;
	trim(&s, &len);
	out[0] = '\0';
	if (len == 0)
		return eb_fail(d, EB_EINVAL, field, "%s: date is missing",
			       field);
	if (len < 10 || !digits_at(s, 4) || s[4] != '-' ||
	    !digits_at(s + 5, 2) || s[7] != '-' || !digits_at(s + 8, 2) ||
	    (len > 10 && s[10] != 'T' && s[10] != ' '))
		return eb_fail(d, EB_EINVAL, field,
			       "%s: '%.*s' is not a date in the form "
			       "YYYY-MM-DD",
			       field, shown(olen), orig);
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
		(s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int dd = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || dd < 1 || dd > days_in_month(y, m))
		return eb_fail(d, EB_EINVAL, field,
			       "%s: '%.*s' is not a calendar date", field,
			       shown(olen), orig);
	if (y < 1900 || y > 2100)
		return eb_fail(d, EB_EINVAL, field,
			       "%s: date %.10s is outside 1900-2100", field, s);
	memcpy(out, s, 10);
	out[10] = '\0';
	return EB_OK;
}

enum eb_err sitrep_parse_transmission(const char *s, size_t len, int *out,
				      const char *field, struct eb_detail *d)
{
	const char *orig = s;
	size_t olen = len;
	trim(&s, &len);
	*out = SITREP_TX_UNKNOWN;
	if (len == 0)
		return EB_OK;
	static const struct {
		const char *w;
		int t;
	} words[] = {
		{"0", SITREP_TX_NONE},
		{"none", SITREP_TX_NONE},
		{"no cases", SITREP_TX_NONE},
		{"1", SITREP_TX_SPORADIC},
		{"sporadic", SITREP_TX_SPORADIC},
		{"sporadic cases", SITREP_TX_SPORADIC},
		{"2", SITREP_TX_CLUSTERS},
		{"cluster", SITREP_TX_CLUSTERS},
		{"clusters", SITREP_TX_CLUSTERS},
		{"clusters of cases", SITREP_TX_CLUSTERS},
		{"3", SITREP_TX_COMMUNITY},
		{"community", SITREP_TX_COMMUNITY},
		{"community transmission", SITREP_TX_COMMUNITY},
	};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (eq_word(s, len, words[i].w)) {
			*out = words[i].t;
			return EB_OK;
		}
	}
	return eb_fail(d, EB_EINVAL, field,
		       "%s: '%.*s' is not a transmission class (no cases, "
		       "sporadic, clusters, community)",
		       field, shown(olen), orig);
}

const char *sitrep_transmission_name(int t)
{
	switch (t) {
	case SITREP_TX_NONE: return "no cases";
	case SITREP_TX_SPORADIC: return "sporadic";
	case SITREP_TX_CLUSTERS: return "clusters";
	case SITREP_TX_COMMUNITY: return "community";
	}
	return "";
}

enum eb_err sitrep_row_check(struct sitrep_row *row, struct eb_detail *d)
{
	if (!row->area[0])
		return eb_fail(d, EB_EINVAL, "area", "area is missing");
	if (!row->date[0])
		return eb_fail(d, EB_EINVAL, "date", "date is missing");
	const struct {
		const struct sitrep_count *c;
		const char *name;
	} stock[] = {
		{&row->cum_confirmed, "cum_confirmed"},
		{&row->cum_deaths, "cum_deaths"},
		{&row->suspected, "suspected"},
		{&row->recovered, "recovered"},
		{&row->tests, "tests"},
	};
	for (size_t i = 0; i < sizeof stock / sizeof stock[0]; i++)
		if (stock[i].c->present && stock[i].c->value < 0)
			return eb_fail(d, EB_EINVAL, stock[i].name,
				       "negative %scount %lld in %s (only new "
				       "counts may be negative, as corrections)",
				       i < 2 ? "cumulative " : "",
				       (long long)stock[i].c->value,
				       stock[i].name);
	if (!row->new_confirmed.present && !row->cum_confirmed.present &&
	    !row->new_deaths.present && !row->cum_deaths.present &&
	    !row->suspected.present && !row->recovered.present &&
	    !row->tests.present && row->transmission == SITREP_TX_UNKNOWN)
		return eb_fail(d, EB_EINVAL, NULL,
			       "row has no count and no transmission class");
	if (row->new_confirmed.present && row->new_confirmed.value < 0)
		row->flags |= SITREP_F_NEGATIVE_NEW;
	if (row->new_deaths.present && row->new_deaths.value < 0)
		row->flags |= SITREP_F_NEGATIVE_NEW_DEATHS;
	return EB_OK;
}

int sitrep_sink_reject(const struct sitrep_sink *sink, struct sitrep_stats *st,
		       long line, const struct eb_detail *why,
		       struct eb_detail *d)
{
	if (st)
		st->rejected++;
	if (sink->reject && sink->reject(sink->ctx, line, why) != 0) {
		if (d) {
			snprintf(d->msg, sizeof d->msg, "line %ld: %.220s", line,
				 why->msg);
			snprintf(d->field, sizeof d->field, "%.90s", why->field);
		}
		return EB_EINVAL;
	}
	return 0;
}

int sitrep_sink_row(const struct sitrep_sink *sink, struct sitrep_stats *st,
		    const struct sitrep_row *row, struct eb_detail *d)
{
	if (st) {
		st->rows++;
		if (row->flags &
		    (SITREP_F_NEGATIVE_NEW | SITREP_F_NEGATIVE_NEW_DEATHS))
			st->flagged++;
	}
	return sink->row(sink->ctx, row, d);
}

int sitrep_csv_next(struct csv_reader *r, struct csv_row *row,
		    const struct sitrep_sink *sink, struct sitrep_stats *st,
		    struct eb_detail *d)
{
	for (;;) {
		struct eb_detail cd = {{0}, {0}};
		int rc = csv_next(r, row, &cd);
		if (rc >= 0)
			return rc;
		if (csv_fatal(r)) {
			if (d) {
				snprintf(d->msg, sizeof d->msg,
					 "line %ld: %.220s", csv_line(r),
					 cd.msg);
				snprintf(d->field, sizeof d->field, "%.90s",
					 cd.field);
			}
			return rc;
		}
		int e = sitrep_sink_reject(sink, st, csv_line(r), &cd, d);
		if (e)
			return e;
	}
}
