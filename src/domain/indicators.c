/*
 * Indicators per area and day: reading public reports, choosing the source
 * organisation, writing the `indicators` table, and serving it.  The
 * computations are epi/daily.h's; this file only moves data.  See
 * indicators.h.
 */
#include "domain/indicators.h"
#include "domain/dataver.h"
#include "epi/daily.h"
#include "epi/rt.h"
#include "formats/areas.h"
#include "store/db.h"
#include "base/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON names of the value columns, in the order of IND_VALUES. */
#define IND_VALUES "cases, avg7, nr14, growth_r, growth_lo, growth_hi, doubling, doubling_lo, doubling_hi, " \
	"rt_mean, rt_sd, rt_q025, rt_q05, rt_q25, rt_median, rt_q75, rt_q95, rt_q975"
enum { IND_NVALUES = 18 };
/* Output columns: the values with the time split into doubling and halving. */
enum { OUT_NCOLS = 21 };
static const char *const out_names[OUT_NCOLS] = {
	"cases", "avg7", "nr14", "growth_r", "growth_lo", "growth_hi", "doubling", "doubling_lo",
	"doubling_hi", "halving", "halving_lo", "halving_hi", "rt_mean", "rt_sd", "rt_q025", "rt_q05",
	"rt_q25", "rt_median", "rt_q75", "rt_q95", "rt_q975"};

static json_t *num_or_null(double v)
{
	json_t *j = isfinite(v) ? json_real(v) : NULL;
	return j ? j : json_null();
}

/* The 21 output values of the row at column `first` of statement s. */
static void row_values(struct eb_stmt *s, int first, json_t *vals[OUT_NCOLS])
{
	double v[IND_NVALUES];
	int null[IND_NVALUES];
	for (int i = 0; i < IND_NVALUES; i++) {
		null[i] = eb_col_null(s, first + i);
		v[i] = null[i] ? NAN : eb_col_double(s, first + i);
	}
	int o = 0;
	vals[o++] = null[0] ? json_null() : json_integer(eb_col_i64(s, first));
	for (int i = 1; i <= 5; i++)
		vals[o++] = num_or_null(v[i]);
	/* time columns 6..8: doubling when growth_r > 0, halving otherwise */
	int doubling = !null[3] && v[3] > 0, halving = !null[3] && v[3] <= 0;
	for (int i = 6; i <= 8; i++)
		vals[o++] = doubling ? num_or_null(v[i]) : json_null();
	for (int i = 6; i <= 8; i++)
		vals[o++] = halving ? num_or_null(v[i]) : json_null();
	for (int i = 9; i < IND_NVALUES; i++)
		vals[o++] = num_or_null(v[i]);
}

/* ---- recomputation ---- */

struct report_buf {
	struct daily_report *r;
	size_t n, cap;
};

static enum eb_err load_reports(struct eb_conn *c, const char *area, int64_t org,
				struct report_buf *b, struct eb_detail *d)
{
	b->n = 0;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT day, new_confirmed, cum_confirmed FROM sitreps "
		"WHERE area = ? AND owner_org = ? AND visibility = 'public' ORDER BY day", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, area);
	eb_bind_i64(s, 2, org);
	int rc;
	enum eb_err e = EB_OK;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		if (b->n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 512;
			struct daily_report *nr = realloc(b->r, cap * sizeof *nr);
			if (!nr) {
				e = eb_fail(d, EB_ENOMEM, NULL, "out of memory reading the reports of %s", area);
				break;
			}
			b->r = nr;
			b->cap = cap;
		}
		struct daily_report *x = &b->r[b->n];
		int32_t day;
		if (eb_date_parse(eb_col_text(s, 0), &day)) {
			e = eb_fail(d, EB_EINVAL, NULL, "report of %s has an invalid day '%s'", area,
				    eb_col_text(s, 0));
			break;
		}
		x->day = day;
		x->new_cases = eb_col_null(s, 1) ? NAN : (double)eb_col_i64(s, 1);
		x->cum_cases = eb_col_null(s, 2) ? NAN : (double)eb_col_i64(s, 2);
		b->n++;
	}
	eb_done(s);
	if (!e && rc < 0)
		e = (enum eb_err)rc;
	return e;
}

/* The source organisation of an area: most public reports, then lowest id.
 * 0 when the area has no public report. */
static enum eb_err pick_source(struct eb_conn *c, const char *area, int64_t *org,
			       struct eb_detail *d)
{
	*org = 0;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT owner_org FROM sitreps WHERE area = ? AND visibility = 'public' "
		"GROUP BY owner_org ORDER BY COUNT(*) DESC, owner_org LIMIT 1", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, area);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		*org = eb_col_i64(s, 0);
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

static void bind_num(struct eb_stmt *s, int idx, double v)
{
	if (isfinite(v))
		eb_bind_double(s, idx, v);
	else
		eb_bind_null(s, idx);
}

static enum eb_err delete_area(struct eb_conn *c, const char *area, int64_t *n,
			       struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "DELETE FROM indicators WHERE area = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, area);
	int rc = eb_step(s, d);
	if (n)
		*n = rc < 0 ? 0 : eb_changes(s);
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

/* Raises the version of the table (inside the caller's transaction). */
static enum eb_err bump_version(struct eb_conn *c, struct eb_detail *d)
{
	return dataver_bump(c, "indicators", d);
}

/* Replaces the rows of one area in one transaction. */
static enum eb_err write_area(struct eb_conn *c, const char *area, int64_t org,
			      const struct daily_series *ser, const struct daily_row *rows,
			      struct eb_detail *d)
{
	enum eb_err e = eb_begin(c, d);
	if (e)
		return e;
	e = delete_area(c, area, NULL, d);
	int64_t now = eb_now_ms();
	for (size_t i = 0; !e && i < ser->n_days; i++) {
		struct eb_stmt *s = eb_stmt(c,
			"INSERT INTO indicators (area, day, source_org, " IND_VALUES ", computed_at) "
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", d);
		if (!s) {
			e = EB_EDB;
			break;
		}
		const struct daily_row *w = &rows[i];
		char day[11];
		eb_date_fmt(ser->first_day + (int32_t)i, day);
		eb_bind_text(s, 1, area);
		eb_bind_text(s, 2, day);
		eb_bind_i64(s, 3, org);
		if (isfinite(w->cases))
			eb_bind_i64(s, 4, (int64_t)llround(w->cases));
		else
			eb_bind_null(s, 4);
		const double v[] = {w->avg7, w->growth_r, w->growth_lo, w->growth_hi, w->time,
				    w->time_lo, w->time_hi, w->rt_mean, w->rt_sd};
		bind_num(s, 5, v[0]);
		bind_num(s, 6, w->nr14);
		for (int k = 1; k < 9; k++)
			bind_num(s, 6 + k, v[k]);
		for (int q = 0; q < RT_NQ; q++)
			bind_num(s, 15 + q, w->rt_q[q]);
		eb_bind_i64(s, 22, now);
		int rc = eb_step(s, d);
		eb_done(s);
		if (rc < 0)
			e = (enum eb_err)rc;
	}
	if (!e)
		e = bump_version(c, d);
	if (e) {
		eb_rollback(c);
		return e;
	}
	return eb_commit(c, d);
}

struct area_list {
	char (*code)[16];
	size_t n, cap;
};

static enum eb_err list_areas(struct eb_conn *c, int64_t org, struct area_list *l,
			      struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT DISTINCT area FROM sitreps WHERE visibility = 'public' "
		"AND (CAST(? AS BIGINT) = 0 OR owner_org = CAST(? AS BIGINT)) ORDER BY area", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, org);
	eb_bind_i64(s, 2, org);
	int rc;
	enum eb_err e = EB_OK;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		if (l->n == l->cap) {
			size_t cap = l->cap ? 2 * l->cap : 256;
			char(*nc)[16] = realloc(l->code, cap * sizeof *nc);
			if (!nc) {
				e = eb_fail(d, EB_ENOMEM, NULL, "out of memory listing areas");
				break;
			}
			l->code = nc;
			l->cap = cap;
		}
		snprintf(l->code[l->n++], 16, "%s", eb_col_text(s, 0));
	}
	eb_done(s);
	if (!e && rc < 0)
		e = (enum eb_err)rc;
	return e;
}

/* Removes the rows of areas that no longer have any public report. */
static enum eb_err remove_stale(struct eb_conn *c, int64_t *removed, struct eb_detail *d)
{
	int64_t n = 0;
	enum eb_err e = eb_run(c,
		"SELECT COUNT(DISTINCT area) FROM indicators WHERE area NOT IN "
		"(SELECT area FROM sitreps WHERE visibility = 'public')", &n, d, 0);
	if (e || n == 0)
		return e;
	if ((e = eb_begin(c, d)))
		return e;
	e = eb_run(c, "DELETE FROM indicators WHERE area NOT IN "
		      "(SELECT area FROM sitreps WHERE visibility = 'public')", NULL, d, 0);
	if (!e)
		e = bump_version(c, d);
	if (e) {
		eb_rollback(c);
		return e;
	}
	*removed += n;
	return eb_commit(c, d);
}

enum eb_err indicators_recompute(struct eb_conn *c, const struct indicators_run_opts *o,
				 struct indicators_run_stats *st, struct eb_detail *d)
{
	memset(st, 0, sizeof *st);
	struct eb_detail ad = {0};
	const struct areas *ref = areas_default(&ad);
	if (!ref) /* without populations NR14, and so every proposal, would be lost */
		return eb_fail(d, EB_EINTERNAL, NULL, "the area reference is not loaded: %s", ad.msg);
	double si_mean = o->si_mean > 0 ? o->si_mean : INDICATORS_SI_MEAN;
	double si_sd = o->si_sd > 0 ? o->si_sd : INDICATORS_SI_SD;
	if (!(si_mean > 1) || !isfinite(si_mean))
		return eb_fail(d, EB_EINVAL, "si-mean", "the serial interval mean must be above 1 day");
	if (!(si_sd > 0) || !isfinite(si_sd))
		return eb_fail(d, EB_EINVAL, "si-sd", "the serial interval sd must be positive");
	if (o->area && ref && !areas_by_code(ref, o->area))
		return eb_fail(d, EB_EINVAL, "area", "'%s' is not an area code (ISO 3166-1 alpha-2 or a subdivision such as CN-HB)", o->area);
	if (o->source_org) {
		int64_t found = 0;
		char ids[24];
		snprintf(ids, sizeof ids, "%" PRId64, o->source_org);
		enum eb_err e = eb_run(c, "SELECT id FROM orgs WHERE id = CAST(? AS BIGINT)", &found, d, 1, ids);
		if (e)
			return e;
		if (!found)
			return eb_fail(d, EB_EINVAL, "source-org", "there is no organisation %" PRId64, o->source_org);
	}
	struct rt_si si = {.mean = si_mean, .sd = si_sd};
	struct rt_estimator *est = NULL;
	enum eb_err e = rt_estimator_new(&si, 0, 0, &est, d);
	if (e)
		return e;

	struct area_list areas = {0};
	if (o->area) {
		areas.code = malloc(sizeof *areas.code);
		if (!areas.code) {
			rt_estimator_free(est);
			return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		}
		snprintf(areas.code[0], 16, "%s", o->area);
		/* codes are stored upper-case ("CN-HB") */
		for (char *p = areas.code[0]; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		areas.n = 1;
	} else {
		e = list_areas(c, o->source_org, &areas, d);
	}
	struct report_buf rb = {0};
	struct daily_row *rows = NULL;
	size_t rows_cap = 0;
	for (size_t i = 0; !e && i < areas.n; i++) {
		const char *area = areas.code[i];
		if (o->progress)
			o->progress((int64_t)i, (int64_t)areas.n, area, o->arg);
		int64_t org = o->source_org;
		if (!org && (e = pick_source(c, area, &org, d)))
			break;
		if (org && (e = load_reports(c, area, org, &rb, d)))
			break;
		if (!org || rb.n == 0) {
			if (o->source_org) {
				st->skipped++;
				continue;
			}
			/* --area without public reports: its old rows go. */
			int64_t gone = 0;
			if ((e = eb_begin(c, d)))
				break;
			e = delete_area(c, area, &gone, d);
			if (!e && gone)
				e = bump_version(c, d);
			if (e) {
				eb_rollback(c);
				break;
			}
			if ((e = eb_commit(c, d)))
				break;
			if (gone)
				st->removed++;
			continue;
		}
		struct daily_series ser;
		if ((e = daily_assemble(rb.r, rb.n, &ser, d)))
			break;
		if (ser.n_days > rows_cap) {
			struct daily_row *nr = realloc(rows, ser.n_days * sizeof *nr);
			if (!nr) {
				daily_series_free(&ser);
				e = eb_fail(d, EB_ENOMEM, NULL, "out of memory for %zu days", ser.n_days);
				break;
			}
			rows = nr;
			rows_cap = ser.n_days;
		}
		const struct area *a = ref ? areas_by_code(ref, area) : NULL;
		struct daily_opts dopt = {
			.population = a && a->population > 0 ? (double)a->population : NAN,
			.rt = est,
		};
		if (!(dopt.population > 0))
			st->no_population++;
		e = daily_compute(&ser, &dopt, rows, d);
		if (!e)
			e = write_area(c, area, org, &ser, rows, d);
		if (!e) {
			st->areas++;
			st->rows += (int64_t)ser.n_days;
			st->missing += (int64_t)ser.info.n_missing;
			st->negative += (int64_t)ser.info.n_negative;
			st->derived += (int64_t)ser.info.n_derived;
		} else if (!d || !strstr(d->msg, area)) {
			/* say which area failed */
			if (d) {
				char tmp[sizeof d->msg];
				snprintf(tmp, sizeof tmp, "%s: %s", area, d->msg);
				memcpy(d->msg, tmp, sizeof tmp);
			}
		}
		daily_series_free(&ser);
	}
	if (!e && o->progress)
		o->progress((int64_t)areas.n, (int64_t)areas.n, "", o->arg);
	if (!e && !o->area && !o->source_org)
		e = remove_stale(c, &st->removed, d);
	free(rows);
	free(rb.r);
	free(areas.code);
	rt_estimator_free(est);
	return e;
}

/* ---- reading ---- */

static enum eb_err check_area(const char *area, struct eb_detail *d)
{
	if (!area || !*area)
		return eb_fail(d, EB_EINVAL, "area", "give the area code, e.g. ?area=IT");
	const struct areas *ref = areas_default(NULL);
	const struct area *a = ref ? areas_by_code(ref, area) : NULL;
	if (ref && !a)
		return eb_fail(d, EB_EINVAL, "area", "'%s' is not an area code (ISO 3166-1 alpha-2 or a subdivision such as CN-HB)", area);
	if (strlen(area) >= 16)
		return eb_fail(d, EB_EINVAL, "area", "the area code is too long");
	return EB_OK;
}

static enum eb_err check_day(const char *day, const char *field, struct eb_detail *d)
{
	if (day && !eb_date_valid(day))
		return eb_fail(d, EB_EINVAL, field, "'%s' is not a date (YYYY-MM-DD)", day);
	return EB_OK;
}

enum eb_err indicators_series(struct eb_conn *c, const char *area_in, const char *from,
			      const char *to, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = check_area(area_in, d);
	if (!e)
		e = check_day(from, "from", d);
	if (!e)
		e = check_day(to, "to", d);
	if (e)
		return e;
	if (from && to && strcmp(from, to) > 0)
		return eb_fail(d, EB_EINVAL, "to", "'to' (%s) is before 'from' (%s)", to, from);
	char area[16];
	snprintf(area, sizeof area, "%s", area_in);
	for (char *p = area; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	struct eb_stmt *s = eb_stmt(c,
		"SELECT day, source_org, computed_at, " IND_VALUES " FROM indicators "
		"WHERE area = ? AND day >= ? AND day <= ? ORDER BY day", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, area);
	eb_bind_text(s, 2, from ? from : "0000-00-00");
	eb_bind_text(s, 3, to ? to : "9999-99-99");
	json_t *dates = json_array(), *cols[OUT_NCOLS];
	for (int k = 0; k < OUT_NCOLS; k++)
		cols[k] = json_array();
	int64_t org = 0, computed = 0;
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		if (!org) {
			org = eb_col_i64(s, 1);
			computed = eb_col_i64(s, 2);
		}
		json_array_append_new(dates, json_string(eb_col_text(s, 0)));
		json_t *v[OUT_NCOLS];
		row_values(s, 3, v);
		for (int k = 0; k < OUT_NCOLS; k++)
			json_array_append_new(cols[k], v[k]);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(dates);
		for (int k = 0; k < OUT_NCOLS; k++)
			json_decref(cols[k]);
		return (enum eb_err)rc;
	}
	const struct areas *ref = areas_default(NULL);
	const struct area *a = ref ? areas_by_code(ref, area) : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "area", json_string(area));
	json_object_set_new(o, "source_org", org ? json_integer(org) : json_null());
	json_object_set_new(o, "population", a && a->population > 0 ? json_integer(a->population) : json_null());
	if (computed) {
		char t[32];
		eb_fmt_time(computed, t);
		json_object_set_new(o, "computed_at", json_string(t));
	} else {
		json_object_set_new(o, "computed_at", json_null());
	}
	json_object_set_new(o, "dates", dates);
	for (int k = 0; k < OUT_NCOLS; k++)
		json_object_set_new(o, out_names[k], cols[k]);
	*out = o;
	return EB_OK;
}

enum eb_err indicators_day(struct eb_conn *c, const char *day, json_t **out,
			   struct eb_detail *d)
{
	*out = NULL;
	if (!day || !eb_date_valid(day))
		return eb_fail(d, EB_EINVAL, "date", "'%s' is not a date (YYYY-MM-DD)", day ? day : "");
	struct eb_stmt *s = eb_stmt(c,
		"SELECT area, source_org, " IND_VALUES " FROM indicators WHERE day = ? ORDER BY area", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, day);
	json_t *items = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_t *it = json_object(), *v[OUT_NCOLS];
		json_object_set_new(it, "area", json_string(eb_col_text(s, 0)));
		json_object_set_new(it, "source_org", json_integer(eb_col_i64(s, 1)));
		row_values(s, 2, v);
		for (int k = 0; k < OUT_NCOLS; k++)
			json_object_set_new(it, out_names[k], v[k]);
		json_array_append_new(items, it);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(items);
		return (enum eb_err)rc;
	}
	*out = json_pack("{s:s, s:o}", "date", day, "items", items);
	return EB_OK;
}

int indicators_basis_get(struct eb_conn *c, const char *area, const char *day,
			 struct indicators_basis *b, struct eb_detail *d)
{
	b->avg7 = b->nr14 = b->growth_r = b->growth_lo = b->growth_hi = NAN;
	b->rt_mean = b->rt_q025 = b->rt_q975 = NAN;
	b->source_org = 0;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT avg7, nr14, growth_r, growth_lo, growth_hi, rt_mean, rt_q025, rt_q975, source_org "
		"FROM indicators WHERE area = ? AND day = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, area);
	eb_bind_text(s, 2, day);
	int rc = eb_step(s, d);
	if (rc == EB_ROW) {
		double *dst[] = {&b->avg7, &b->nr14, &b->growth_r, &b->growth_lo, &b->growth_hi,
				 &b->rt_mean, &b->rt_q025, &b->rt_q975};
		for (int k = 0; k < 8; k++)
			*dst[k] = eb_col_null(s, k) ? NAN : eb_col_double(s, k);
		b->source_org = eb_col_i64(s, 8);
	}
	eb_done(s);
	if (rc < 0)
		return rc;
	return rc == EB_ROW ? 1 : 0;
}

