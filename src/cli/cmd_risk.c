/*
 * `epibridge import who-risk FILE --org ID`: WHO's early-2020 risk
 * assessments from the situation-report transcription (formats/who_risk.h)
 * into risk assessments owned by organisation ID (domain/risk.h), all in
 * one transaction.  Reached through `epibridge import` (cmd_import.c
 * dispatches the who-risk format here).
 *
 * Exit status: 0 committed, 1 bad file or refused write (nothing written;
 * the message names line and column), 2 usage.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "domain/risk.h"
#include "formats/who_risk.h"
#include "store/db.h"
#include "base/util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"usage: epibridge import who-risk FILE --org ID [--visibility V] [--share-with ID,ID]\n"
	"                                 [--json] [--db DB]\n"
	"\n"
	"Imports WHO's risk assessments of early 2020 from the situation-report\n"
	"transcription sarscov2_who_2019.csv (columns situation_report, date,\n"
	"risk_chn, risk_regional, risk_global) as risk assessments owned by ID:\n"
	"  risk_chn -> area CN, risk_regional -> region WPRO, risk_global -> world,\n"
	"one assessment per change of level, dated by the first report stating it.\n"
	"  --visibility V     private|partners|listed|public (default partners)\n"
	"  --share-with IDS   organisations that see them (with listed)\n"
	"Runs in one transaction: the file lands whole or not at all.\n";

static json_t *parse_ids(const char *s)
{
	json_t *ids = json_array();
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		char tok[24];
		int64_t id;
		if (n == 0 || n >= sizeof tok)
			goto bad;
		memcpy(tok, s, n);
		tok[n] = '\0';
		if (eb_parse_i64(tok, 1, INT64_MAX, &id))
			goto bad;
		json_array_append_new(ids, json_integer(id));
		s += n;
		if (comma) {
			s++;
			if (!*s)
				goto bad;
		}
	}
	return ids;
bad:
	json_decref(ids);
	return NULL;
}

int cmd_import_risk(int argc, char **argv)
{
	/* argv: import who-risk FILE [options] */
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"org", required_argument, 0, 'o'},
		{"visibility", required_argument, 0, 'v'}, {"share-with", required_argument, 0, 's'},
		{"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *db_opt = NULL, *vis_s = NULL, *share_s = NULL;
	int64_t org = 0;
	int json = 0, ch;
	argc--;
	argv++;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db_opt = optarg; break;
		case 'o':
			if (eb_parse_i64(optarg, 1, INT64_MAX, &org)) {
				cli_fail("--org must be an organisation id (see 'epibridge org list')");
				return 2;
			}
			break;
		case 'v': vis_s = optarg; break;
		case 's': share_s = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(help, stdout); return 0;
		default: fputs(help, stderr); return 2;
		}
	}
	if (argc - optind != 1) {
		cli_fail("give one FILE (sarscov2_who_2019.csv); see 'epibridge import who-risk --help'");
		return 2;
	}
	const char *file = argv[optind];
	if (!org) {
		cli_fail("give the owner organisation with --org ID (see 'epibridge org list')");
		return 2;
	}
	int vis = vis_s ? eb_visibility_parse(vis_s) : EB_VIS_PARTNERS;
	if (vis < 0) {
		cli_fail("--visibility must be private, partners, listed or public");
		return 2;
	}
	json_t *share = NULL;
	if (share_s && !(share = parse_ids(share_s))) {
		cli_fail("--share-with must be organisation ids separated by commas, e.g. 3,7");
		return 2;
	}
	if (share && vis != EB_VIS_LISTED) {
		json_decref(share);
		cli_fail("--share-with needs --visibility listed");
		return 2;
	}
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!f) {
		json_decref(share);
		return cli_fail("%s: %s", file, strerror(errno));
	}
	struct who_risk wr;
	struct eb_detail d = {0};
	enum eb_err e = who_risk_read(f, &wr, &d);
	if (f != stdin)
		fclose(f);
	if (e) {
		json_decref(share);
		return cli_fail("%s: %s", file, d.msg[0] ? d.msg : eb_strerror(e));
	}
	struct risk_item *items = calloc(wr.n ? wr.n : 1, sizeof *items);
	if (!items) {
		who_risk_free(&wr);
		json_decref(share);
		return cli_fail("out of memory");
	}
	for (size_t i = 0; i < wr.n; i++) {
		const struct who_risk_item *w = &wr.items[i];
		items[i] = (struct risk_item){w->scope, w->code, w->day, w->level, w->rationale,
					      WHO_RISK_SOURCE, w->line};
	}
	struct eb_db *db = cli_open_db(cli_db_url(db_opt), 1);
	if (!db) {
		free(items);
		who_risk_free(&wr);
		json_decref(share);
		return 1;
	}
	struct eb_conn *c = eb_db_acquire(db);
	struct eb_principal who = cli_principal();
	struct risk_import_stats st;
	e = risk_import(c, &who, org, (enum eb_visibility)vis, share, items, wr.n, &st, &d);
	eb_db_release(c);
	eb_db_close(db);
	int rc = 0;
	if (e) {
		rc = cli_fail("%s: %s; nothing was written", file, d.msg[0] ? d.msg : eb_strerror(e));
	} else if (json) {
		json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "file", file, "reports", (json_int_t)wr.rows,
				      "assessments", (json_int_t)wr.n, "inserted", (json_int_t)st.inserted,
				      "corrected", (json_int_t)st.corrected, "unchanged", (json_int_t)st.unchanged);
		char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (txt)
			puts(txt);
		free(txt);
		json_decref(o);
	} else {
		printf("%s: %zu reports, %zu assessments: inserted %lld, corrected %lld, unchanged %lld\n", file,
		       wr.rows, wr.n, (long long)st.inserted, (long long)st.corrected, (long long)st.unchanged);
		for (size_t i = 0; i < wr.n; i++)
			printf("  %s %-5s %s %-9s reports %d-%d\n", wr.items[i].scope, wr.items[i].code,
			       wr.items[i].day, wr.items[i].level, wr.items[i].first_report, wr.items[i].last_report);
	}
	free(items);
	who_risk_free(&wr);
	json_decref(share);
	return rc;
}
