/*
 * Demo records of situation sharing and risk assessment (C1, C2): WHO's
 * daily data of the first half of 2020 and JHU CSSE's series of 2020 as
 * public reports, WHO's risk assessments from its situation reports, the
 * "no confirmed or suspected cases" report of Bosnia and Herzegovina of
 * 3 March 2020, and the indicators computed from them.  The files are in
 * data/demo/ (data/demo/SOURCE.txt gives their origin and licences).
 */
#include "cli/cli.h"
#include "cli/demo.h"
#include "domain/indicators.h"
#include "domain/risk.h"
#include "domain/sitrep.h"
#include "domain/sitrep_io.h"
#include "formats/csv.h"
#include "formats/who_risk.h"
#include "store/db.h"
#include "base/datadir.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rows_progress(int64_t rows, void *arg)
{
	cli_progress((const char *)arg, rows, 0);
}

static FILE *open_data(const char *rel, char *path, size_t n)
{
	if (!eb_data_path(rel, path, n)) {
		cli_fail("demo data %s not found (looked in $EB_DATA_DIR, ./data and beside the binary)", rel);
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f)
		cli_fail("%s: %s", path, strerror(errno));
	return f;
}

static int import_series(struct eb_conn *c, const struct eb_principal *who, int64_t org,
			 enum sitrep_import_format fmt, const char *rel, const char *rel_deaths,
			 const char *source, const char *what)
{
	char path[1024], path2[1024];
	FILE *f = open_data(rel, path, sizeof path), *g = NULL;
	if (!f)
		return 1;
	if (rel_deaths && !(g = open_data(rel_deaths, path2, sizeof path2))) {
		fclose(f);
		return 1;
	}
	struct csv_reader *r = csv_open_file(f, NULL), *rd = g ? csv_open_file(g, NULL) : NULL;
	struct sitrep_import_opts o = {.org = org, .visibility = EB_VIS_PUBLIC, .keep_valid = 1,
				       .source = source, .label = rel};
	struct sitrep_import *imp = NULL;
	struct sitrep_import_stats st = {0};
	struct eb_detail d = {0};
	enum eb_err e = r && (!g || rd) ? sitrep_import_begin(c, who, &o, &imp, &d) : EB_ENOMEM;
	if (!e) {
		e = sitrep_import_read(imp, fmt, r, rd, NULL, rows_progress, (void *)what, NULL, &d);
		enum eb_err e2 = sitrep_import_end(imp, e == EB_OK, &st, NULL, e ? NULL : &d);
		if (!e)
			e = e2;
	}
	cli_progress_end();
	csv_free(r);
	csv_free(rd);
	fclose(f);
	if (g)
		fclose(g);
	if (e)
		return cli_fail("demo import of %s failed: %s", rel, d.msg[0] ? d.msg : eb_strerror(e));
	printf("  %s: %" PRId64 " rows, %" PRId64 " new, %" PRId64 " set aside (see docs/formats-situation.md)\n",
	       what, st.read, st.inserted, st.rejected);
	return 0;
}

static int import_risk(struct eb_conn *c, const struct eb_principal *who, int64_t org)
{
	char path[1024];
	FILE *f = open_data("demo/who-sitreps-2020.csv", path, sizeof path);
	if (!f)
		return 1;
	struct who_risk wr;
	struct eb_detail d = {0};
	enum eb_err e = who_risk_read(f, &wr, &d);
	fclose(f);
	if (e)
		return cli_fail("%s: %s", path, d.msg);
	struct risk_item *items = calloc(wr.n ? wr.n : 1, sizeof *items);
	if (!items) {
		who_risk_free(&wr);
		return cli_fail("out of memory");
	}
	for (size_t i = 0; i < wr.n; i++) {
		const struct who_risk_item *w = &wr.items[i];
		items[i] = (struct risk_item){w->scope, w->code, w->day, w->level, w->rationale,
					      WHO_RISK_SOURCE, w->line};
	}
	struct risk_import_stats st;
	e = risk_import(c, who, org, EB_VIS_PUBLIC, NULL, items, wr.n, &st, &d);
	free(items);
	who_risk_free(&wr);
	if (e)
		return cli_fail("demo risk import failed: %s", d.msg);
	printf("  WHO risk assessments: %" PRId64 " new\n", st.inserted);
	return 0;
}

/* Bosnia and Herzegovina, early March 2020: "no confirmed or suspected
 * cases so far" -- a report of its own, not an absence of reports. */
static int ba_no_cases(struct eb_conn *c, const struct eb_principal *cli, int64_t ba)
{
	struct eb_principal p = *cli;
	p.org_id = ba;
	json_t *in = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "area", "BA", "date", "2020-03-03",
			       "cum_confirmed", 0, "cum_suspected", 0, "transmission", "no_cases",
			       "visibility", "public",
			       "note", "No confirmed or suspected cases of COVID-19 so far "
				       "(波黑尚未发现新冠肺炎确诊或疑似病例).");
	json_t *out = NULL;
	struct eb_detail d = {0};
	int created = 0;
	enum eb_err e = sitrep_put(c, &p, in, &out, &created, &d);
	json_decref(in);
	json_decref(out);
	if (e)
		return cli_fail("demo report of Bosnia and Herzegovina failed: %s", d.msg);
	return 0;
}

static void ind_progress(int64_t done, int64_t total, const char *area, void *arg)
{
	(void)area;
	(void)arg;
	cli_progress("  indicators (areas)", done, total);
}

int demo_situation(struct eb_db *db, struct eb_conn *c, const struct eb_principal *who)
{
	(void)db;
	int64_t who_org = demo_org_id(c, "who"), jhu = demo_org_id(c, "jhu"), ba = demo_org_id(c, "moh-ba");
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, who_org);
	int64_t have = 0;
	eb_run(c, "SELECT COUNT(*) FROM sitreps WHERE owner_org = CAST(? AS BIGINT)", &have, NULL, 1, ids);
	if (have > 0)
		return 0; /* loaded before */
	printf("Loading the situation data of 2020:\n");
	fflush(stdout);
	if (import_series(c, who, who_org, SITREP_IMPORT_WHO, "demo/who-covid19-daily-2020.csv", NULL,
			  "WHO COVID-19 Dashboard", "WHO daily data") ||
	    import_series(c, who, jhu, SITREP_IMPORT_JHU, "demo/jhu-confirmed-2020.csv",
			  "demo/jhu-deaths-2020.csv", "JHU CSSE COVID-19 Data", "JHU CSSE series") ||
	    import_risk(c, who, who_org) || ba_no_cases(c, who, ba))
		return 1;
	struct indicators_run_opts o = {.progress = ind_progress};
	struct indicators_run_stats st = {0};
	struct eb_detail d = {0};
	enum eb_err e = indicators_recompute(c, &o, &st, &d);
	cli_progress_end();
	if (e)
		return cli_fail("demo indicators failed: %s", d.msg);
	printf("  indicators: %" PRId64 " areas, %" PRId64 " rows\n", st.areas, st.rows);
	return 0;
}
