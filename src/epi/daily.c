/*
 * Daily indicators of one area: assembly of the report series and the
 * per-day computations, each delegated to the epi module that owns the
 * method (indicators.h, growth.h, rt.h).  See daily.h for the rules.
 */
#include "epi/daily.h"
#include "epi/growth.h"
#include "epi/indicators.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void daily_series_free(struct daily_series *s)
{
	if (!s)
		return;
	free(s->cases);
	free(s->reported);
	s->cases = NULL;
	s->reported = NULL;
	s->n_days = 0;
}

static int bad_count(double v)
{
	return !isnan(v) && !isfinite(v);
}

enum eb_err daily_assemble(const struct daily_report *r, size_t n,
			   struct daily_series *out, struct eb_detail *d)
{
	memset(out, 0, sizeof *out);
	if (n == 0)
		return EB_OK;
	if (!r)
		return eb_fail(d, EB_EINVAL, NULL, "missing reports");
	for (size_t i = 0; i < n; i++) {
		if (bad_count(r[i].new_cases) || bad_count(r[i].cum_cases))
			return eb_fail(d, EB_EINVAL, NULL, "report %zu has an infinite count", i);
		if (i && r[i].day <= r[i - 1].day)
			return eb_fail(d, EB_EINVAL, NULL,
				       "report %zu is not after report %zu (reports must be sorted by day, one per day)",
				       i, i - 1);
	}
	int64_t span = (int64_t)r[n - 1].day - r[0].day + 1;
	if (span > (int64_t)DAILY_MAX_DAYS)
		return eb_fail(d, EB_ETOOBIG, NULL, "the reports span %lld days, more than %u",
			       (long long)span, DAILY_MAX_DAYS);
	size_t nd = (size_t)span;
	double *cases = malloc(nd * sizeof *cases);
	unsigned char *rep = calloc(nd, 1);
	double *cum = malloc(nd * sizeof *cum);
	if (!cases || !rep || !cum) {
		free(cases);
		free(rep);
		free(cum);
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory for %zu days", nd);
	}
	for (size_t i = 0; i < nd; i++)
		cases[i] = cum[i] = NAN;
	struct daily_info info = {.n_days = nd, .n_reports = n};
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)(r[i].day - r[0].day);
		rep[k] = 1;
		cases[k] = r[i].new_cases;
		cum[k] = r[i].cum_cases;
	}
	for (size_t k = 0; k < nd; k++) {
		if (rep[k] && isnan(cases[k]) && k > 0 && rep[k - 1] &&
		    !isnan(cum[k]) && !isnan(cum[k - 1])) {
			cases[k] = cum[k] - cum[k - 1];
			info.n_derived++;
		}
		if (isnan(cases[k]))
			info.n_missing++;
		else if (cases[k] < 0)
			info.n_negative++;
	}
	free(cum);
	out->first_day = r[0].day;
	out->n_days = nd;
	out->cases = cases;
	out->reported = rep;
	out->info = info;
	return EB_OK;
}

static void row_clear(struct daily_row *w)
{
	w->cases = w->avg7 = w->nr14 = NAN;
	w->growth_r = w->growth_lo = w->growth_hi = NAN;
	w->time = w->time_lo = w->time_hi = NAN;
	w->rt_mean = w->rt_sd = NAN;
	for (int q = 0; q < RT_NQ; q++)
		w->rt_q[q] = NAN;
}

/* Growth over the trailing window ending at day index t. */
static void growth_at(const double *pos, size_t t, size_t width, struct daily_row *w)
{
	double day[INDICATORS_MAX_WINDOW];
	size_t first = t + 1 - width;
	for (size_t k = 0; k < width; k++)
		day[k] = (double)(first + k);
	struct growth_fit f;
	if (growth_fit(day, pos + first, width, 1.0, 0.95, &f, NULL) != EB_OK)
		return;
	w->growth_r = f.r;
	w->growth_lo = f.r_lower;
	w->growth_hi = f.r_upper;
	w->time = isfinite(f.time) ? f.time : NAN;
	/* A CI of r that contains 0 makes the far bound of the time (the one
	 * growth.h computes from the bound of r nearer 0) infinite. */
	int straddles = !(f.r_lower > 0) && !(f.r_upper < 0);
	w->time_lo = isfinite(f.time_lower) ? f.time_lower : NAN;
	w->time_hi = straddles || !isfinite(f.time_upper) ? NAN : f.time_upper;
}

enum eb_err daily_compute(const struct daily_series *s,
			  const struct daily_opts *o, struct daily_row *rows,
			  struct eb_detail *d)
{
	size_t n = s->n_days;
	size_t gw = o && o->growth_window ? o->growth_window : DAILY_GROWTH_WINDOW;
	if (gw < 2 || gw > INDICATORS_MAX_WINDOW)
		return eb_fail(d, EB_EINVAL, "growth_window", "the growth window must be 2 to %u days",
			       INDICATORS_MAX_WINDOW);
	if (n == 0)
		return EB_OK;
	double *tmp = malloc(n * sizeof *tmp);
	double *pos = malloc(n * sizeof *pos);
	if (!tmp || !pos) {
		free(tmp);
		free(pos);
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory for %zu days", n);
	}
	enum eb_err e = EB_OK;
	for (size_t i = 0; i < n; i++) {
		row_clear(&rows[i]);
		rows[i].cases = s->cases[i];
		/* Growth and Rt take non-negative counts; a negative correction
		 * is treated as a missing day there. */
		pos[i] = s->cases[i] < 0 ? NAN : s->cases[i];
	}
	if ((e = indicators_ma7(s->cases, n, tmp, d)))
		goto out;
	for (size_t i = 0; i < n; i++)
		rows[i].avg7 = tmp[i];
	if (o && o->population > 0 && isfinite(o->population)) {
		if ((e = indicators_nr14(s->cases, n, o->population, tmp, d)))
			goto out;
		for (size_t i = 0; i < n; i++)
			rows[i].nr14 = tmp[i];
	}
	for (size_t t = gw - 1; t < n; t++)
		growth_at(pos, t, gw, &rows[t]);
	if (o && o->rt) {
		size_t nw = rt_windows_sliding(n, DAILY_RT_WINDOW, NULL, NULL, 0);
		if (nw > 0) {
			size_t *ts = malloc(nw * sizeof *ts), *te = malloc(nw * sizeof *te);
			struct rt_window *win = malloc(nw * sizeof *win);
			if (!ts || !te || !win) {
				e = eb_fail(d, EB_ENOMEM, NULL, "out of memory for %zu windows", nw);
			} else {
				rt_windows_sliding(n, DAILY_RT_WINDOW, ts, te, nw);
				e = rt_estimator_run(o->rt, pos, NULL, n, ts, te, nw, win, NULL, d);
				for (size_t k = 0; !e && k < nw; k++) {
					if (!win[k].has_estimate)
						continue;
					struct daily_row *w = &rows[win[k].t_end - 1];
					w->rt_mean = win[k].mean;
					w->rt_sd = win[k].std;
					memcpy(w->rt_q, win[k].q, sizeof w->rt_q);
				}
			}
			free(ts);
			free(te);
			free(win);
		}
	}
out:
	free(tmp);
	free(pos);
	return e;
}
