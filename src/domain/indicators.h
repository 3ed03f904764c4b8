/*
 * Indicators per area and day (C2): the `indicators` table, computed from
 * public situation reports by `epibridge indicators` and served read-only.
 *
 * Recomputation takes, for every area (country or subdivision) with public
 * reports, the reports of ONE source organisation: the one given, or else
 * the organisation with the most public reports for that area (ties: the
 * lowest organisation id).  Its series is assembled and computed by
 * epi/daily.h (gaps, corrections and windows are defined there); population
 * comes from the area reference (formats/areas.h).  Each area's rows are
 * replaced in one transaction, so readers see an area's old or new series,
 * never a mixture.  Only public reports enter, so indicators are public too:
 * reads need no principal.
 *
 * The doubling columns of the table hold incidence's time: a doubling time
 * when growth_r > 0 and a halving time otherwise (rendered as
 * doubling_* or halving_* in JSON).  A NULL bound of it is infinite.
 *
 * Results are new JSON references owned by the caller.
 */
#ifndef EB_DOMAIN_INDICATORS_H
#define EB_DOMAIN_INDICATORS_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"

struct eb_conn;

/* Default serial interval of COVID-19 (Nishiura et al. 2020, IJID 93:284). */
#define INDICATORS_SI_MEAN 4.7
#define INDICATORS_SI_SD 2.9

struct indicators_run_opts {
	const char *area;   /* only this area (code); NULL: every area */
	int64_t source_org; /* this organisation's reports; 0: the rule above */
	double si_mean;     /* 0: INDICATORS_SI_MEAN */
	double si_sd;       /* 0: INDICATORS_SI_SD */
	/* progress (may be NULL): areas done so far, total, current area */
	void (*progress)(int64_t done, int64_t total, const char *area, void *arg);
	void *arg;
};

struct indicators_run_stats {
	int64_t areas;       /* areas computed */
	int64_t skipped;     /* areas without reports by the source (with source_org) */
	int64_t rows;        /* indicator rows written */
	int64_t removed;     /* areas whose rows were removed (no public reports left) */
	int64_t missing;     /* days without a usable count, all areas */
	int64_t negative;    /* negative counts (corrections), all areas */
	int64_t derived;     /* counts derived from cumulative counts */
	int64_t no_population; /* areas without a reference population (no NR14) */
};

/*
 * Recomputes the indicators.  An area given by opts->area that has no
 * public reports any more loses its rows (counted in st->removed).
 * Errors: EB_EINVAL (bad option: unknown area code, SI mean <= 1 or
 * sd <= 0, unknown source organisation), EB_EINTERNAL (the area reference,
 * which gives the populations, is not loaded), EB_EDB, EB_ENOMEM.  Areas
 * done before an error keep their new rows.  Run by the command line (the
 * operator).
 */
enum eb_err indicators_recompute(struct eb_conn *c, const struct indicators_run_opts *o,
				 struct indicators_run_stats *st, struct eb_detail *d);

/*
 * The series of one area, as columns: {area, source_org, population,
 * computed_at, dates[], cases[], avg7[], nr14[], growth_r[], growth_lo[],
 * growth_hi[], doubling[], doubling_lo[], doubling_hi[], halving[],
 * halving_lo[], halving_hi[], rt_mean[], rt_sd[], rt_q025[], rt_q05[],
 * rt_q25[], rt_median[], rt_q75[], rt_q95[], rt_q975[]} with null where
 * there is no value.  from/to (YYYY-MM-DD) may be NULL.  An area without
 * indicators gives empty columns and source_org null.  Errors: EB_EINVAL
 * (unknown area, bad date; field named), EB_EDB.
 */
enum eb_err indicators_series(struct eb_conn *c, const char *area, const char *from,
			      const char *to, json_t **out, struct eb_detail *d);

/* Every area's indicators of one day: {date, items: [{area, source_org,
 * cases, avg7, ..., rt_q975}]} by area code.  Errors: EB_EINVAL (bad date),
 * EB_EDB. */
enum eb_err indicators_day(struct eb_conn *c, const char *day, json_t **out,
			   struct eb_detail *d);


/* The values of one area and day that the risk rules use; NaN when absent.
 * Returns 1 when a row exists, 0 when not, a negative eb_err on error. */
struct indicators_basis {
	double avg7, nr14, growth_r, growth_lo, growth_hi, rt_mean, rt_q025, rt_q975;
	int64_t source_org;
};
int indicators_basis_get(struct eb_conn *c, const char *area, const char *day,
			 struct indicators_basis *b, struct eb_detail *d);

#endif
