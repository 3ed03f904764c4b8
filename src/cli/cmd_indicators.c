/*
 * `epibridge indicators`: recomputes the indicators of every area (or one)
 * from the public situation reports, through domain/indicators.h, with
 * progress on a terminal and a summary on stdout.
 *
 * Exit status: 0 done, 1 error (message names the area), 2 usage.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "domain/indicators.h"
#include "store/db.h"
#include "base/util.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: epibridge indicators [--db DB] [--area CC] [--source-org ID]\n"
	"                            [--si-mean M --si-sd S] [--json]\n"
	"\n"
	"Recomputes the indicators (7-day average, 14-day notification rate per\n"
	"100,000, growth rate and doubling or halving time with 95% CI over a\n"
	"trailing 14 days, Rt by the Cori method on weekly windows) for every area\n"
	"with public situation reports, and replaces each area's rows in one\n"
	"transaction.\n"
	"\n"
	"  --area CC          only this area (ISO 3166-1 alpha-2 or a subdivision code)\n"
	"  --source-org ID    use this organisation's public reports for every area it\n"
	"                     reports (default: per area, the organisation with the most\n"
	"                     public reports; ties go to the lowest id)\n"
	"  --si-mean M        serial interval mean in days (default 4.7)\n"
	"  --si-sd S          serial interval sd in days (default 2.9; Nishiura et al. 2020)\n"
	"  --json             print the summary as JSON\n"
	"  --db DB            SQLite file or postgres:// URL\n"
	"\n"
	"Days without a report are missing: the 7-day average and NR14 of a window\n"
	"holding one are unknown, the growth fit leaves them out, and Rt counts\n"
	"them as 0 cases (EpiEstim's rule).  See docs/epi-methods-impl.md.\n";

static int parse_pos(const char *s, const char *opt, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v <= 0)
		return cli_fail("%s must be a positive number of days", opt);
	*out = v;
	return 0;
}

static void progress(int64_t done, int64_t total, const char *area, void *arg)
{
	(void)arg;
	(void)area;
	cli_progress("indicators: areas", done, total);
}

int cmd_indicators(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"area", required_argument, 0, 'a'},
		{"source-org", required_argument, 0, 'o'}, {"si-mean", required_argument, 0, 'm'},
		{"si-sd", required_argument, 0, 's'}, {"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *db_opt = NULL;
	struct indicators_run_opts o = {0};
	int json = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db_opt = optarg; break;
		case 'a': o.area = optarg; break;
		case 'o':
			if (eb_parse_i64(optarg, 1, INT64_MAX, &o.source_org)) {
				cli_fail("--source-org must be an organisation id (see 'epibridge org list')");
				return 2;
			}
			break;
		case 'm':
			if (parse_pos(optarg, "--si-mean", &o.si_mean))
				return 2;
			break;
		case 's':
			if (parse_pos(optarg, "--si-sd", &o.si_sd))
				return 2;
			break;
		case 'j': json = 1; break;
		case 'h': fputs(help, stdout); return 0;
		default: fputs(help, stderr); return 2;
		}
	}
	if (optind < argc) {
		cli_fail("unexpected argument '%s' (see 'epibridge indicators --help')", argv[optind]);
		return 2;
	}
	if ((o.si_mean > 0) != (o.si_sd > 0)) {
		cli_fail("give both --si-mean and --si-sd, or neither");
		return 2;
	}
	if (o.si_mean > 0 && o.si_mean <= 1) {
		cli_fail("--si-mean must be above 1 day (the Cori method's offset gamma)");
		return 2;
	}
	struct eb_db *db = cli_open_db(cli_db_url(db_opt), 1);
	if (!db)
		return 1;
	struct eb_conn *c = eb_db_acquire(db);
	o.progress = progress;
	struct indicators_run_stats st;
	struct eb_detail d = {0};
	int64_t t0 = eb_mono_ms();
	enum eb_err e = indicators_recompute(c, &o, &st, &d);
	cli_progress_end();
	double secs = (double)(eb_mono_ms() - t0) / 1000.0;
	eb_db_release(c);
	eb_db_close(db);
	if (e)
		return cli_fail_detail(e, &d);
	if (json) {
		printf("{\"areas\": %lld, \"rows\": %lld, \"skipped\": %lld, \"removed\": %lld, "
		       "\"missing_days\": %lld, \"negative_days\": %lld, \"derived_days\": %lld, "
		       "\"no_population\": %lld, \"seconds\": %.3f}\n",
		       (long long)st.areas, (long long)st.rows, (long long)st.skipped, (long long)st.removed,
		       (long long)st.missing, (long long)st.negative, (long long)st.derived,
		       (long long)st.no_population, secs);
		return 0;
	}
	printf("indicators: %lld areas, %lld area-days in %.2f s\n", (long long)st.areas,
	       (long long)st.rows, secs);
	printf("  days without a usable count: %lld (Rt: counted as 0; 7-day average and NR14: unknown)\n",
	       (long long)st.missing);
	if (st.negative)
		printf("  negative counts (corrections): %lld (in the averages as reported; left out of growth and Rt)\n",
		       (long long)st.negative);
	if (st.derived)
		printf("  counts derived from cumulative counts: %lld\n", (long long)st.derived);
	if (st.no_population)
		printf("  areas without a reference population (no NR14): %lld\n", (long long)st.no_population);
	if (o.area && st.areas == 0)
		printf("  %s has no public reports%s\n", o.area, st.removed ? "; its indicators were removed" : "");
	if (st.skipped)
		printf("  areas without reports from organisation %lld: %lld (left as they were)\n",
		       (long long)o.source_org, (long long)st.skipped);
	if (st.removed)
		printf("  areas removed (no public reports any more): %lld\n", (long long)st.removed);
	return 0;
}
