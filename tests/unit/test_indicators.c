/*
 * Unit tests of the indicators and risk-assessment pieces of C2:
 *   - epi/daily: series assembly (gaps are missing, never zero; counts
 *     derived from cumulative ones only across consecutive reports;
 *     negative corrections kept), the per-day computations (7-day average
 *     and NR14 unknown over a gap, growth fit over the trailing 14 days,
 *     the Rt of day t is the window ending on t with missing days as 0);
 *   - domain/risk: the proposed-level rules at every threshold and
 *     adjustment (docs/risk-rules.md);
 *   - formats/who_risk: WHO's assessments read from the real transcription,
 *     and refusals that name line and column;
 *   - domain/indicators on SQLite: the source organisation rule (most
 *     public reports, ties to the lowest id, private reports ignored) and
 *     replacement of an area's rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "domain/indicators.h"
#include "domain/dataver.h"
#include "domain/risk.h"
#include "epi/daily.h"
#include "epi/growth.h"
#include "epi/rt.h"
#include "formats/who_risk.h"
#include "store/db.h"

static struct daily_report rep(const char *day, double new_cases, double cum)
{
	struct daily_report r;
	int32_t dd = 0;
	assert_int_equal(eb_date_parse(day, &dd), EB_OK);
	r.day = dd;
	r.new_cases = new_cases;
	r.cum_cases = cum;
	return r;
}

/* ---- assembly ---- */

static void assemble_fills_gaps_as_missing(void **state)
{
	(void)state;
	struct daily_report r[] = {
		rep("2020-03-01", 5, NAN),
		rep("2020-03-02", 0, NAN),     /* a real zero: "no cases" */
		rep("2020-03-05", 7, NAN),     /* 03-03 and 03-04: no report */
		rep("2020-03-06", -2, NAN),    /* a correction */
	};
	struct daily_series s;
	assert_int_equal(daily_assemble(r, 4, &s, NULL), EB_OK);
	assert_int_equal(s.n_days, 6);
	assert_true(s.cases[0] == 5);
	assert_true(s.cases[1] == 0);
	assert_true(isnan(s.cases[2]) && isnan(s.cases[3]));
	assert_int_equal(s.reported[2], 0);
	assert_int_equal(s.reported[1], 1);
	assert_true(s.cases[5] == -2);
	assert_int_equal(s.info.n_reports, 4);
	assert_int_equal(s.info.n_missing, 2);
	assert_int_equal(s.info.n_negative, 1);
	assert_int_equal(s.info.n_derived, 0);
	char day[11];
	eb_date_fmt(s.first_day, day);
	assert_string_equal(day, "2020-03-01");
	daily_series_free(&s);
	daily_series_free(NULL);
}

static void assemble_derives_from_cumulative_counts(void **state)
{
	(void)state;
	struct daily_report r[] = {
		rep("2020-03-01", NAN, 10),
		rep("2020-03-02", NAN, 14),  /* 4, from the day before */
		rep("2020-03-03", 3, 17),    /* given: kept */
		rep("2020-03-05", NAN, 30),  /* 03-04 missing: not derivable */
		rep("2020-03-06", NAN, NAN), /* a report without counts */
	};
	struct daily_series s;
	assert_int_equal(daily_assemble(r, 5, &s, NULL), EB_OK);
	assert_int_equal(s.n_days, 6);
	assert_true(isnan(s.cases[0])); /* nothing before the first report */
	assert_true(s.cases[1] == 4);
	assert_true(s.cases[2] == 3);
	assert_true(isnan(s.cases[3]));
	assert_true(isnan(s.cases[4]));
	assert_true(isnan(s.cases[5]));
	assert_int_equal(s.info.n_derived, 1);
	assert_int_equal(s.info.n_missing, 4);
	daily_series_free(&s);
}

static void assemble_refuses_bad_input(void **state)
{
	(void)state;
	struct daily_series s;
	struct eb_detail d = {0};
	struct daily_report dup[] = {rep("2020-03-01", 1, NAN), rep("2020-03-01", 2, NAN)};
	assert_int_equal(daily_assemble(dup, 2, &s, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "sorted"));
	struct daily_report order[] = {rep("2020-03-02", 1, NAN), rep("2020-03-01", 2, NAN)};
	assert_int_equal(daily_assemble(order, 2, &s, &d), EB_EINVAL);
	struct daily_report inf[] = {rep("2020-03-01", INFINITY, NAN)};
	assert_int_equal(daily_assemble(inf, 1, &s, &d), EB_EINVAL);
	struct daily_report far[] = {rep("1900-01-01", 1, NAN), rep("2199-12-31", 1, NAN)};
	assert_int_equal(daily_assemble(far, 2, &s, &d), EB_ETOOBIG);
	assert_int_equal(daily_assemble(NULL, 0, &s, &d), EB_OK);
	assert_int_equal(s.n_days, 0);
}

/* ---- computations ---- */

static struct rt_estimator *covid_si(void)
{
	struct rt_si si = {.mean = INDICATORS_SI_MEAN, .sd = INDICATORS_SI_SD};
	struct rt_estimator *e = NULL;
	assert_int_equal(rt_estimator_new(&si, 0, 0, &e, NULL), EB_OK);
	return e;
}

static void compute_windows_and_gaps(void **state)
{
	(void)state;
	enum { N = 40 };
	struct daily_report r[N];
	int k = 0;
	for (int i = 0; i < N; i++) {
		if (i == 25)
			continue; /* one day without a report */
		char day[11];
		eb_date_fmt(18322 + i, day); /* 2020-03-01 + i */
		r[k++] = rep(day, floor(10 * exp(0.1 * i)), NAN);
	}
	struct daily_series s;
	assert_int_equal(daily_assemble(r, (size_t)k, &s, NULL), EB_OK);
	assert_int_equal(s.n_days, N);
	struct rt_estimator *est = covid_si();
	struct daily_opts o = {.population = 1e6, .rt = est};
	struct daily_row rows[N];
	assert_int_equal(daily_compute(&s, &o, rows, NULL), EB_OK);

	/* 7-day average and NR14: trailing, unknown before complete and over the gap */
	assert_true(isnan(rows[5].avg7));
	double sum7 = 0;
	for (int i = 0; i < 7; i++)
		sum7 += s.cases[i];
	assert_true(fabs(rows[6].avg7 - sum7 / 7) < 1e-12);
	assert_true(isnan(rows[12].nr14));
	double sum14 = 0;
	for (int i = 0; i < 14; i++)
		sum14 += s.cases[i];
	assert_true(fabs(rows[13].nr14 - 1e5 * sum14 / 1e6) < 1e-9);
	for (int t = 25; t < 32; t++)
		assert_true(isnan(rows[t].avg7));
	assert_false(isnan(rows[32].avg7));
	for (int t = 25; t < 39; t++)
		assert_true(isnan(rows[t].nr14));
	assert_false(isnan(rows[39].nr14));
	assert_true(isnan(rows[25].cases));

	/* growth: the trailing 14 days, the gap left out of the fit */
	assert_true(isnan(rows[12].growth_r));
	double dd[14], cc[14];
	for (int i = 0; i < 14; i++) {
		dd[i] = 20 + i;
		cc[i] = s.cases[20 + i];
	}
	struct growth_fit f;
	assert_int_equal(growth_fit(dd, cc, 14, 1, 0.95, &f, NULL), EB_OK);
	assert_int_equal(f.n_points, 13);
	assert_true(rows[33].growth_r == f.r);
	assert_true(rows[33].growth_lo == f.r_lower && rows[33].growth_hi == f.r_upper);
	assert_true(fabs(rows[33].growth_r - 0.1) < 0.01);
	assert_true(rows[33].time == f.time); /* doubling time ln2/r */
	assert_true(rows[33].time_lo == f.time_lower && rows[33].time_hi == f.time_upper);

	/* Rt: the window ending on day t, over the series with the gap as 0 */
	double x[N];
	for (int i = 0; i < N; i++)
		x[i] = isnan(s.cases[i]) ? 0 : s.cases[i];
	size_t ts[N], te[N];
	size_t nw = rt_windows_sliding(N, 7, ts, te, N);
	struct rt_window w[N];
	assert_int_equal(rt_estimator_run(est, x, NULL, N, ts, te, nw, w, NULL, NULL), EB_OK);
	int with_rt = 0;
	for (size_t i = 0; i < nw; i++) {
		const struct daily_row *row = &rows[te[i] - 1];
		if (!w[i].has_estimate) {
			assert_true(isnan(row->rt_mean));
			continue;
		}
		with_rt++;
		assert_true(row->rt_mean == w[i].mean);
		assert_true(row->rt_sd == w[i].std);
		for (int q = 0; q < RT_NQ; q++)
			assert_true(row->rt_q[q] == w[i].q[q]);
	}
	assert_true(with_rt > 20);
	for (int t = 0; t < 7; t++) /* before the first complete window */
		assert_true(isnan(rows[t].rt_mean));

	/* no population: no NR14, the rest unchanged */
	o.population = NAN;
	struct daily_row rows2[N];
	assert_int_equal(daily_compute(&s, &o, rows2, NULL), EB_OK);
	assert_true(isnan(rows2[39].nr14));
	assert_true(rows2[39].rt_mean == rows[39].rt_mean);
	rt_estimator_free(est);
	daily_series_free(&s);
}

static void compute_halving_and_unbounded_times(void **state)
{
	(void)state;
	enum { N = 14 };
	struct daily_report r[N];
	for (int i = 0; i < N; i++) {
		char day[11];
		eb_date_fmt(18322 + i, day);
		r[i] = rep(day, floor(1000 * exp(-0.2 * i)), NAN);
	}
	struct daily_series s;
	assert_int_equal(daily_assemble(r, N, &s, NULL), EB_OK);
	struct daily_opts o = {0};
	struct daily_row rows[N];
	assert_int_equal(daily_compute(&s, &o, rows, NULL), EB_OK);
	assert_true(rows[13].growth_r < 0);
	assert_true(fabs(rows[13].time - log(0.5) / rows[13].growth_r) < 1e-12); /* halving */
	assert_true(rows[13].time > 0 && rows[13].time_lo < rows[13].time && rows[13].time < rows[13].time_hi);
	assert_true(isnan(rows[13].rt_mean)); /* no estimator given */
	daily_series_free(&s);

	/* flat noisy counts: the CI of r contains 0, the far bound is infinite */
	double flat[N] = {10, 12, 9, 11, 10, 13, 8, 10, 12, 9, 11, 10, 12, 11};
	for (int i = 0; i < N; i++)
		r[i].new_cases = flat[i];
	assert_int_equal(daily_assemble(r, N, &s, NULL), EB_OK);
	assert_int_equal(daily_compute(&s, &o, rows, NULL), EB_OK);
	assert_true(rows[13].growth_lo < 0 && rows[13].growth_hi > 0);
	assert_true(isnan(rows[13].time_hi));
	assert_false(isnan(rows[13].time_lo));
	daily_series_free(&s);
}

/* ---- the proposal rules ---- */

static enum risk_level propose(double nr14, double glo, double ghi, double q025, double q975)
{
	struct risk_inputs in = {nr14, (glo + ghi) / 2, glo, ghi, q025, q975};
	struct risk_proposal p;
	risk_propose(&in, &p);
	assert_true(p.nreasons >= 1);
	return p.level;
}

static void rules_thresholds_and_adjustments(void **state)
{
	(void)state;
	/* base level from NR14 alone (no trend information) */
	assert_int_equal(propose(NAN, NAN, NAN, NAN, NAN), RISK_NONE);
	assert_int_equal(propose(0, NAN, NAN, NAN, NAN), RISK_LOW);
	assert_int_equal(propose(24.99, NAN, NAN, NAN, NAN), RISK_LOW);
	assert_int_equal(propose(25, NAN, NAN, NAN, NAN), RISK_MODERATE);
	assert_int_equal(propose(49.99, NAN, NAN, NAN, NAN), RISK_MODERATE);
	assert_int_equal(propose(50, NAN, NAN, NAN, NAN), RISK_HIGH);
	assert_int_equal(propose(150, NAN, NAN, NAN, NAN), RISK_HIGH);
	assert_int_equal(propose(150.01, NAN, NAN, NAN, NAN), RISK_VERY_HIGH);
	/* a CI touching 0 or 1 is not significant */
	assert_int_equal(propose(30, 0, 0.2, 1, 1.5), RISK_MODERATE);
	assert_int_equal(propose(30, -0.2, 0, 0.5, 1), RISK_MODERATE);
	/* raised one level on significant growth or Rt above 1 */
	assert_int_equal(propose(30, 0.01, 0.2, NAN, NAN), RISK_HIGH);
	assert_int_equal(propose(30, NAN, NAN, 1.01, 1.5), RISK_HIGH);
	assert_int_equal(propose(200, 0.01, 0.2, 1.1, 1.5), RISK_VERY_HIGH); /* already the top */
	/* lowered one level on significant decline or Rt below 1 */
	assert_int_equal(propose(30, -0.2, -0.01, NAN, NAN), RISK_LOW);
	assert_int_equal(propose(100, NAN, NAN, 0.5, 0.99), RISK_MODERATE);
	assert_int_equal(propose(10, -0.2, -0.01, 0.5, 0.9), RISK_LOW); /* already the bottom */
	/* signals that disagree keep the base level */
	assert_int_equal(propose(100, 0.01, 0.2, 0.5, 0.9), RISK_HIGH);
	struct risk_inputs in = {62.3, 0.08, 0.05, 0.11, 1.12, 1.35};
	struct risk_proposal p;
	risk_propose(&in, &p);
	assert_int_equal(p.level, RISK_VERY_HIGH);
	assert_int_equal(p.nreasons, 4);
	assert_non_null(strstr(p.reasons[0], "62.3"));
	assert_non_null(strstr(p.reasons[3], "very_high"));
	assert_int_equal(risk_level_parse("very_high"), RISK_VERY_HIGH);
	assert_int_equal(risk_level_parse("Very High"), RISK_NONE);
	assert_string_equal(risk_level_name(RISK_MODERATE), "moderate");
}

/* ---- WHO's assessments ---- */

static FILE *shared_file(const char *rel)
{
	const char *sh = getenv("EB_SHARED");
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", sh && *sh ? sh : "../shared", rel);
	return fopen(p, "rb");
}

static void who_risk_reads_the_transcription(void **state)
{
	(void)state;
	FILE *f = shared_file("data/covid19/who-sitreps/sarscov2_who_2019.csv");
	if (!f) {
		skip();
		return;
	}
	struct who_risk wr;
	struct eb_detail d = {0};
	assert_int_equal(who_risk_read(f, &wr, &d), EB_OK);
	fclose(f);
	assert_int_equal(wr.rows, 92);
	assert_int_equal(wr.n, 5);
	const struct {
		const char *scope, *code, *day, *level;
		int first, last;
	} want[5] = {
		{"area", "CN", "2020-01-23", "very_high", 3, 56},
		{"region", "WPRO", "2020-01-23", "high", 3, 38},
		{"region", "WPRO", "2020-02-28", "very_high", 39, 56},
		{"world", "world", "2020-01-23", "high", 3, 38},
		{"world", "world", "2020-02-28", "very_high", 39, 92},
	};
	for (int i = 0; i < 5; i++) {
		assert_string_equal(wr.items[i].scope, want[i].scope);
		assert_string_equal(wr.items[i].code, want[i].code);
		assert_string_equal(wr.items[i].day, want[i].day);
		assert_string_equal(wr.items[i].level, want[i].level);
		assert_int_equal(wr.items[i].first_report, want[i].first);
		assert_int_equal(wr.items[i].last_report, want[i].last);
	}
	assert_non_null(strstr(wr.items[4].rationale, "situation report 39 (2020-02-28)"));
	assert_non_null(strstr(wr.items[4].rationale, "through report 92 (2020-04-21)"));
	who_risk_free(&wr);
}

static enum eb_err read_text(const char *text, struct who_risk *wr, struct eb_detail *d)
{
	FILE *f = fmemopen((void *)text, strlen(text), "rb");
	assert_non_null(f);
	enum eb_err e = who_risk_read(f, wr, d);
	fclose(f);
	return e;
}

static void who_risk_refusals_name_line_and_column(void **state)
{
	(void)state;
	struct who_risk wr;
	struct eb_detail d;
	const char *hdr = "situation_report,date,x,risk_chn,risk_regional,risk_global\n";
	char buf[512];

	snprintf(buf, sizeof buf, "%s1,2020-01-20,,High,High,Severe\n", hdr);
	memset(&d, 0, sizeof d);
	assert_int_equal(read_text(buf, &wr, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "line 2, column 6 (risk_global)"));
	assert_non_null(strstr(d.msg, "Severe"));
	assert_string_equal(d.field, "risk_global");

	snprintf(buf, sizeof buf, "%s1,2020-01-20,,,,\n2,2020-02-30,,,,\n", hdr);
	assert_int_equal(read_text(buf, &wr, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "line 3, column 2 (date)"));

	snprintf(buf, sizeof buf, "%s2,2020-01-20,,,,\n2,2020-01-21,,,,\n", hdr);
	assert_int_equal(read_text(buf, &wr, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "line 3, column 1 (situation_report)"));

	snprintf(buf, sizeof buf, "%sone,2020-01-20,,,,\n", hdr);
	assert_int_equal(read_text(buf, &wr, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "line 2, column 1"));

	snprintf(buf, sizeof buf, "%s1,2020-01-20,,,\n", hdr);
	assert_int_equal(read_text(buf, &wr, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "line 2: 5 fields"));

	assert_int_equal(read_text("situation_report,date,risk_chn,risk_global\n", &wr, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "risk_regional"));

	/* level words in any case; empty cells neither change nor end a level */
	snprintf(buf, sizeof buf,
		 "%s1,2020-01-20,,very high,, LOW \n2,2020-01-21,,,,\n3,2020-01-22,,Very_High,,moderate\n", hdr);
	assert_int_equal(read_text(buf, &wr, &d), EB_OK);
	assert_int_equal(wr.n, 3);
	assert_string_equal(wr.items[0].level, "very_high");
	assert_int_equal(wr.items[0].last_report, 3);
	assert_string_equal(wr.items[1].level, "low");
	assert_string_equal(wr.items[2].level, "moderate");
	assert_string_equal(wr.items[2].day, "2020-01-22");
	who_risk_free(&wr);
}

/* ---- domain/indicators on SQLite ---- */

static void add_report(struct eb_conn *c, const char *org, const char *vis, const char *area,
		       const char *day, const char *n)
{
	struct eb_detail d = {0};
	enum eb_err e = eb_run(c,
		"INSERT INTO sitreps (owner_org, visibility, area, day, new_confirmed, created_at, updated_at) "
		"VALUES (CAST(? AS BIGINT), ?, ?, ?, CAST(? AS BIGINT), 0, 0)", NULL, &d, 5, org, vis, area, day, n);
	if (e)
		fprintf(stderr, "insert: %s\n", d.msg);
	assert_int_equal(e, EB_OK);
}

/* The database of the test below: a fresh SQLite file, or the PostgreSQL
 * database main() creates when EB_PG_URL names a server. */
static char db_url[600];

static void recompute_picks_one_source_and_replaces(void **state)
{
	(void)state;
	const char *url = db_url;
	struct eb_db *db = NULL;
	struct eb_detail d = {0};
	assert_int_equal(eb_db_open(url, 1, &db, &d), EB_OK);
	struct eb_conn *c = eb_db_acquire(db);
	for (int i = 1; i <= 3; i++) {
		char name[16];
		snprintf(name, sizeof name, "Org %d", i);
		assert_int_equal(eb_run(c, "INSERT INTO orgs (kind, name_en, country, created_at, updated_at) "
					   "VALUES ('ngo', ?, 'FR', 0, 0)", NULL, &d, 1, name), EB_OK);
	}
	/* JP: org 1 has 3 public reports, org 2 has 2 public and 5 private */
	for (int i = 1; i <= 3; i++) {
		char day[11];
		snprintf(day, sizeof day, "2020-03-0%d", i);
		add_report(c, "1", "public", "JP", day, "100");
	}
	for (int i = 1; i <= 7; i++) {
		char day[11];
		snprintf(day, sizeof day, "2020-03-0%d", i);
		add_report(c, "2", i <= 2 ? "public" : "private", "JP", day, "7");
	}
	/* KR: a tie between orgs 3 and 2 goes to the lower id, 2 */
	add_report(c, "3", "public", "KR", "2020-03-01", "1");
	add_report(c, "2", "public", "KR", "2020-03-02", "2");
	/* FR: private reports only: no indicators */
	add_report(c, "1", "private", "FR", "2020-03-01", "9");

	struct indicators_run_opts o = {0};
	struct indicators_run_stats st;
	int64_t v0 = -1, v1 = -1, v2 = -1;
	assert_int_equal(dataver_get(c, "indicators", &v0, &d), EB_OK);
	assert_int_equal(indicators_recompute(c, &o, &st, &d), EB_OK);
	assert_int_equal(dataver_get(c, "indicators", &v1, &d), EB_OK);
	assert_true(v1 >= v0 + 2); /* one raise per area written */
	assert_int_equal(st.areas, 2);
	assert_int_equal(st.rows, 3 + 1);
	json_t *s = NULL;
	assert_int_equal(indicators_series(c, "JP", NULL, NULL, &s, &d), EB_OK);
	assert_int_equal(json_integer_value(json_object_get(s, "source_org")), 1);
	assert_int_equal(json_array_size(json_object_get(s, "dates")), 3);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(s, "cases"), 0)), 100);
	json_decref(s);
	assert_int_equal(indicators_series(c, "kr", NULL, NULL, &s, &d), EB_OK);
	assert_int_equal(json_integer_value(json_object_get(s, "source_org")), 2);
	/* a single report: dates start with it */
	assert_int_equal(json_array_size(json_object_get(s, "dates")), 1);
	json_decref(s);
	assert_int_equal(indicators_series(c, "FR", NULL, NULL, &s, &d), EB_OK);
	assert_true(json_is_null(json_object_get(s, "source_org")));
	assert_int_equal(json_array_size(json_object_get(s, "dates")), 0);
	json_decref(s);
	assert_int_equal(indicators_series(c, "ZZ", NULL, NULL, &s, &d), EB_EINVAL);
	assert_string_equal(d.field, "area");

	/* with --source-org 2: JP from org 2's public reports; KR too */
	o.source_org = 2;
	assert_int_equal(indicators_recompute(c, &o, &st, &d), EB_OK);
	assert_int_equal(st.areas, 2);
	assert_int_equal(indicators_series(c, "JP", NULL, NULL, &s, &d), EB_OK);
	assert_int_equal(json_integer_value(json_object_get(s, "source_org")), 2);
	assert_int_equal(json_array_size(json_object_get(s, "dates")), 2); /* replaced, not added */
	json_decref(s);

	/* reports made private: a full run removes the area's indicators */
	assert_int_equal(eb_run(c, "UPDATE sitreps SET visibility = 'private' WHERE area = 'KR'", NULL, &d, 0), EB_OK);
	o.source_org = 0;
	assert_int_equal(indicators_recompute(c, &o, &st, &d), EB_OK);
	assert_int_equal(st.areas, 1);
	assert_int_equal(st.removed, 1);
	assert_int_equal(dataver_get(c, "indicators", &v2, &d), EB_OK);
	assert_true(v2 > v1);
	assert_int_equal(indicators_day(c, "2020-03-02", &s, &d), EB_OK);
	assert_int_equal(json_array_size(json_object_get(s, "items")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(s, "items"), 0), "area")), "JP");
	json_decref(s);

	/* bad options are refused before anything is written */
	o.area = "XX";
	assert_int_equal(indicators_recompute(c, &o, &st, &d), EB_EINVAL);
	assert_string_equal(d.field, "area");
	o.area = NULL;
	o.source_org = 99;
	assert_int_equal(indicators_recompute(c, &o, &st, &d), EB_EINVAL);
	o.source_org = 0;
	o.si_mean = 0.5;
	o.si_sd = 1;
	assert_int_equal(indicators_recompute(c, &o, &st, &d), EB_EINVAL);

	eb_db_release(c);
	eb_db_close(db);
}

int main(void)
{
	eb_util_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(assemble_fills_gaps_as_missing),
		cmocka_unit_test(assemble_derives_from_cumulative_counts),
		cmocka_unit_test(assemble_refuses_bad_input),
		cmocka_unit_test(compute_windows_and_gaps),
		cmocka_unit_test(compute_halving_and_unbounded_times),
		cmocka_unit_test(rules_thresholds_and_adjustments),
		cmocka_unit_test(who_risk_reads_the_transcription),
		cmocka_unit_test(who_risk_refusals_name_line_and_column),
		cmocka_unit_test(recompute_picks_one_source_and_replaces),
	};
	char dir[] = "/tmp/ebindXXXXXX";
	if (!mkdtemp(dir))
		return 1;
	snprintf(db_url, sizeof db_url, "%s/t.db", dir);
	int rc = cmocka_run_group_tests_name("indicators+risk (sqlite)", tests, NULL, NULL);
	const char *pg = getenv("EB_PG_URL");
	if (pg && *pg) {
		char name[64], adm_url[700];
		snprintf(name, sizeof name, "ebind_%d", (int)getpid());
		snprintf(adm_url, sizeof adm_url, "%s/postgres", pg);
		struct eb_db *adm = NULL;
		struct eb_detail d = {0};
		if (eb_db_open_raw(adm_url, &adm, &d) == EB_OK) {
			char sql[128];
			snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
			struct eb_conn *c = eb_db_acquire(adm);
			eb_exec(c, sql, &d);
			eb_db_release(c);
			eb_db_close(adm);
			snprintf(db_url, sizeof db_url, "%s/%s", pg, name);
			const struct CMUnitTest db_tests[] = {
				cmocka_unit_test(recompute_picks_one_source_and_replaces),
			};
			rc |= cmocka_run_group_tests_name("indicators (postgresql)", db_tests, NULL, NULL);
		} else {
			fprintf(stderr, "skipping PostgreSQL: %s\n", d.msg);
		}
	}
	return rc;
}
