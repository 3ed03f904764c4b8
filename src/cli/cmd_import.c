/*
 * `epibridge import who|jhu|hxl|csv FILE...` and `epibridge export sitreps`:
 * situation data in and out of files from the command line, acting as the
 * operator through the same domain calls as the HTTP API
 * (domain/sitrep_io.h), so the same checks, revisions and audit rows apply.
 *
 * Each FILE is one import and one transaction: it lands whole, or, when a
 * row was rejected and --keep-valid was not given, not at all.  Progress
 * (rows read) goes to stderr when it is a terminal; the summary of each
 * file to stdout.  Exports stream to stdout.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "domain/org.h"
#include "domain/sitrep.h"
#include "domain/sitrep_io.h"
#include "formats/csv.h"
#include "store/db.h"
#include "base/util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REJECTS_SHOWN 10
/* SQLite page cache during an import (KiB, as PRAGMA cache_size takes it
 * negative): the four B-trees of sitreps (the table, its unique key and
 * two indexes) stay in memory instead of spilling dirty pages to the WAL
 * and reading them back mid-transaction.  bench/b2_import.sh gives its
 * sqlite3 peer the same. */
#define EB_IMPORT_CACHE "PRAGMA cache_size=-262144"

static const char import_help[] =
	"usage: epibridge import who|jhu|hxl|csv FILE... --org ID [options]\n"
	"\n"
	"Imports situation reports owned by organisation ID.  FILE may be - for stdin.\n"
	"  who   the WHO COVID-19 daily CSV (Date_reported,Country_code,...)\n"
	"  jhu   the JHU CSSE global confirmed series (wide, cumulative); one FILE,\n"
	"        and the deaths series with --deaths FILE\n"
	"  hxl   any CSV with a row of HXL hashtags (#country+code, #date, #affected...)\n"
	"  csv   a plain CSV with a column mapping given by --map\n"
	"  who-risk  WHO's early-2020 risk assessments (sarscov2_who_2019.csv);\n"
	"        see 'epibridge import who-risk --help'\n"
	"\n"
	"Options:\n"
	"  --org ID               owner organisation (see 'epibridge org list')\n"
	"  --visibility V         private|partners|listed|public (default partners)\n"
	"  --share-with ID,ID     organisations that see the reports (with listed)\n"
	"  --keep-valid           keep the valid rows when some are rejected\n"
	"                         (default: a file with a rejected row writes nothing)\n"
	"  --map MAPPING          for csv: field=Column pairs, e.g.\n"
	"                         \"area=Country_code,date=Date_reported,new_confirmed=New_cases\"\n"
	"                         fields: area country adm1 date new_confirmed cum_confirmed\n"
	"                         new_deaths cum_deaths suspected recovered tests transmission\n"
	"  --deaths FILE          for jhu: the deaths series\n"
	"  --source TEXT          where the figures come from (kept with each report)\n"
	"  --json                 print each file's summary as JSON\n"
	"  --db DB                SQLite file or postgres:// URL\n"
	"\n"
	"Each FILE is imported in one transaction.  Prints per file:\n"
	"  FILE: read N, inserted N, revised N, unchanged N, rejected N\n"
	"and the first rejected rows with their line numbers and reasons.\n"
	"Exit status: 0 all files committed, 1 a file wrote nothing (rejected rows\n"
	"without --keep-valid, or an unreadable file), 2 usage error.\n";

static const char export_help[] =
	"usage: epibridge export sitreps --format csv|json|fhir [--area CC] [--from DATE]\n"
	"                                [--to DATE] [--org ID] [--db DB]\n"
	"\n"
	"Writes situation reports to stdout, in id order:\n"
	"  csv   HXL-tagged CSV (column names, then the hashtag row), which\n"
	"        'epibridge import hxl' reads back\n"
	"  json  {\"items\": [...]} as the API gives reports\n"
	"  fhir  a FHIR R4 Bundle of MeasureReports, one per area and day\n"
	"The command line acts as the operator and exports every report.\n"
	"\n"
	"       epibridge export iati|hxl|fts [--public] [--db DB]\n"
	"writes the donations (see 'epibridge export iati --help').\n";

struct args {
	const char *db, *visibility, *share_with, *map, *deaths, *source, *format, *area, *from, *to;
	int64_t org;
	int keep_valid, json, help;
};

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"org", required_argument, 0, 'o'},
		{"visibility", required_argument, 0, 'v'}, {"share-with", required_argument, 0, 's'},
		{"keep-valid", no_argument, 0, 'k'}, {"map", required_argument, 0, 'm'},
		{"deaths", required_argument, 0, 'D'}, {"source", required_argument, 0, 'S'},
		{"json", no_argument, 0, 'j'}, {"format", required_argument, 0, 'f'},
		{"area", required_argument, 0, 'a'}, {"from", required_argument, 0, 'F'},
		{"to", required_argument, 0, 'T'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': a->db = optarg; break;
		case 'o':
			if (eb_parse_i64(optarg, 1, INT64_MAX, &a->org)) {
				cli_fail("--org must be an organisation id (see 'epibridge org list')");
				return 2;
			}
			break;
		case 'v': a->visibility = optarg; break;
		case 's': a->share_with = optarg; break;
		case 'k': a->keep_valid = 1; break;
		case 'm': a->map = optarg; break;
		case 'D': a->deaths = optarg; break;
		case 'S': a->source = optarg; break;
		case 'j': a->json = 1; break;
		case 'f': a->format = optarg; break;
		case 'a': a->area = optarg; break;
		case 'F': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'h': a->help = 1; break;
		default: return 2;
		}
	}
	return 0;
}

/* "3,7" -> [3, 7]; NULL with a message on a bad list. */
static json_t *parse_ids(const char *s)
{
	json_t *ids = json_array();
	const char *p = s;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char tok[24];
		int64_t id;
		if (n == 0 || n >= sizeof tok) {
			json_decref(ids);
			return NULL;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (eb_parse_i64(tok, 1, INT64_MAX, &id)) {
			json_decref(ids);
			return NULL;
		}
		json_array_append_new(ids, json_integer(id));
		p += n + (comma ? 1 : 0);
		if (comma && !*p) {
			json_decref(ids);
			return NULL;
		}
	}
	return ids;
}

static void on_progress(int64_t rows, void *arg)
{
	cli_progress((const char *)arg, rows, 0);
}

static FILE *open_input(const char *path)
{
	return strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
}

static void close_input(FILE *f)
{
	if (f && f != stdin)
		fclose(f);
}

/* Prints the summary of one file; returns 1 when it was committed. */
static int print_summary(const char *name, json_t *rep, int64_t flagged, int as_json)
{
	int committed = json_is_true(json_object_get(rep, "committed"));
	if (as_json) {
		json_object_set_new(rep, "file", json_string(name));
		json_object_set_new(rep, "flagged", json_integer(flagged));
		char *s = json_dumps(rep, JSON_COMPACT);
		if (s)
			puts(s);
		free(s);
		return committed;
	}
#define N(k) ((long long)json_integer_value(json_object_get(rep, k)))
	printf("%s: read %lld, inserted %lld, revised %lld, unchanged %lld, rejected %lld\n", name, N("read"),
	       N("inserted"), N("revised"), N("unchanged"), N("rejected"));
	if (flagged)
		printf("  %lld rows with a negative new count kept as reported and flagged\n", (long long)flagged);
	json_t *rej = json_object_get(rep, "rejects");
	size_t i;
	json_t *x;
	json_array_foreach(rej, i, x) {
		if (i == REJECTS_SHOWN)
			break;
		const char *field = json_string_value(json_object_get(x, "field"));
		printf("  rejected line %lld%s%s%s: %s\n", (long long)json_integer_value(json_object_get(x, "line")),
		       field && *field ? " (" : "", field && *field ? field : "", field && *field ? ")" : "",
		       json_string_value(json_object_get(x, "reason")));
	}
	if (N("rejected") > REJECTS_SHOWN)
		printf("  ... and %lld more rejected rows\n", N("rejected") - REJECTS_SHOWN);
	long long valid = N("inserted") + N("revised") + N("unchanged");
	if (!committed && N("rejected") > 0)
		printf("  nothing was written: rerun with --keep-valid to keep the %lld valid rows\n", valid);
#undef N
	return committed;
}

/* Imports one file (and the JHU deaths file); returns 0 when committed. */
static int import_one(struct eb_conn *c, const struct eb_principal *who, enum sitrep_import_format f,
		      const char *path, const struct args *a, enum eb_visibility vis, json_t *share)
{
	const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	FILE *in = open_input(path), *din = NULL;
	if (!in)
		return cli_fail("%s: cannot open: %s", name, strerror(errno));
	if (a->deaths && !(din = open_input(a->deaths))) {
		close_input(in);
		return cli_fail("%s: cannot open: %s", a->deaths, strerror(errno));
	}
	struct csv_reader *r = csv_open_file(in, NULL), *dr = din ? csv_open_file(din, NULL) : NULL;
	int rc = 1;
	struct sitrep_import *imp = NULL;
	struct eb_detail d = {0};
	static const char *const default_source[] = {"WHO COVID-19 global data", "JHU CSSE COVID-19 time series", "", ""};
	const char *slash = strrchr(name, '/');
	struct sitrep_import_opts o = {
		.org = a->org,
		.visibility = vis,
		.shared_with = share,
		.keep_valid = a->keep_valid,
		.source = a->source ? a->source : default_source[f],
		.label = slash ? slash + 1 : name,
		.max_rejects_kept = 100,
	};
	if (!r || (din && !dr)) {
		cli_fail("out of memory");
		goto out;
	}
	enum eb_err e = sitrep_import_begin(c, who, &o, &imp, &d);
	if (e) {
		rc = cli_fail_detail(e, &d);
		goto out;
	}
	int64_t flagged = 0;
	e = sitrep_import_read(imp, f, r, dr, a->map, on_progress, (void *)"rows read", &flagged, &d);
	cli_progress_end();
	json_t *rep = NULL;
	struct eb_detail ed = {0};
	enum eb_err e2 = sitrep_import_end(imp, e == EB_OK, NULL, &rep, &ed);
	imp = NULL;
	if (e) {
		json_decref(rep);
		if (d.field[0])
			cli_fail("%s: %s (%s); nothing was written", name, d.msg[0] ? d.msg : eb_strerror(e), d.field);
		else
			cli_fail("%s: %s; nothing was written", name, d.msg[0] ? d.msg : eb_strerror(e));
		goto out;
	}
	if (e2) {
		json_decref(rep);
		rc = cli_fail_detail(e2, &ed);
		goto out;
	}
	rc = print_summary(name, rep, flagged, a->json) ? 0 : 1;
	json_decref(rep);
out:
	if (imp)
		sitrep_import_end(imp, 0, NULL, NULL, NULL);
	csv_free(r);
	csv_free(dr);
	close_input(in);
	close_input(din);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	struct args a = {0};
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(import_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "who-risk") == 0) /* risk assessments: cmd_risk.c */
		return cmd_import_risk(argc, argv);
	int f = sitrep_import_format_parse(argv[1]);
	int rc = parse(argc - 1, argv + 1, &a);
	if (rc)
		return rc;
	if (a.help) {
		fputs(import_help, stdout);
		return 0;
	}
	if (f < 0) {
		cli_fail("unknown format '%s': give who, jhu, hxl or csv", argv[1]);
		return 2;
	}
	int nfiles = argc - 1 - optind;
	char **files = argv + 1 + optind;
	if (nfiles < 1) {
		cli_fail("give the file to import ('-' for standard input)");
		return 2;
	}
	if (!a.org) {
		cli_fail("give the owner organisation with --org ID (see 'epibridge org list')");
		return 2;
	}
	if (f == SITREP_IMPORT_JHU && nfiles != 1) {
		cli_fail("jhu takes one confirmed file; give the deaths file with --deaths FILE");
		return 2;
	}
	if (a.deaths && f != SITREP_IMPORT_JHU) {
		cli_fail("--deaths is for jhu only");
		return 2;
	}
	if (f == SITREP_IMPORT_CSV && !a.map) {
		cli_fail("csv needs a column mapping: --map \"area=Country_code,date=Date_reported,new_confirmed=New_cases\"");
		return 2;
	}
	if (a.map && f != SITREP_IMPORT_CSV) {
		cli_fail("--map is for csv only");
		return 2;
	}
	int vis = a.visibility ? eb_visibility_parse(a.visibility) : EB_VIS_PARTNERS;
	if (vis < 0) {
		cli_fail("--visibility must be private, partners, listed or public");
		return 2;
	}
	json_t *share = NULL;
	if (a.share_with && !(share = parse_ids(a.share_with))) {
		cli_fail("--share-with must be organisation ids separated by commas, e.g. 3,7");
		return 2;
	}
	if (share && vis != EB_VIS_LISTED) {
		json_decref(share);
		cli_fail("--share-with needs --visibility listed");
		return 2;
	}
	struct eb_db *db = cli_open_db(cli_db_url(a.db), 1);
	if (!db) {
		json_decref(share);
		return 1;
	}
	struct eb_conn *c = eb_db_acquire(db);
	if (eb_conn_backend(c) == EB_SQLITE)
		eb_exec(c, EB_IMPORT_CACHE, NULL); /* a hint: the import works without it */
	struct eb_principal who = cli_principal();
	struct eb_detail d = {0};
	json_t *org = NULL;
	enum eb_err e = org_get(c, &who, a.org, &org, &d);
	json_decref(org);
	rc = 0;
	if (e) {
		rc = e == EB_ENOTFOUND ? cli_fail("no organisation %lld (see 'epibridge org list')", (long long)a.org)
				       : cli_fail_detail(e, &d);
	} else {
		for (int i = 0; i < nfiles; i++)
			if (import_one(c, &who, (enum sitrep_import_format)f, files[i], &a, (enum eb_visibility)vis, share))
				rc = 1;
	}
	json_decref(share);
	eb_db_release(c);
	eb_db_close(db);
	return rc;
}

/* ---- export ---- */

static int write_stdout(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static void on_export_progress(int64_t rows, void *arg)
{
	(void)arg;
	cli_progress("rows written", rows, 0);
}

int cmd_export(int argc, char **argv)
{
	struct args a = {0};
	if (argc >= 2 && (strcmp(argv[1], "iati") == 0 || strcmp(argv[1], "hxl") == 0 || strcmp(argv[1], "fts") == 0))
		return cmd_donations_export(argc - 1, argv + 1); /* donations: cmd_donations.c */
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(export_help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	int rc = parse(argc - 1, argv + 1, &a);
	if (rc)
		return rc;
	if (a.help) {
		fputs(export_help, stdout);
		return 0;
	}
	if (strcmp(argv[1], "sitreps") != 0) {
		cli_fail("unknown export '%s': the command exports 'sitreps'", argv[1]);
		return 2;
	}
	if (argc - 1 - optind > 0) {
		cli_fail("unexpected argument '%s'", argv[1 + optind]);
		return 2;
	}
	int f = sitrep_export_format_parse(a.format);
	if (f < 0) {
		cli_fail("give --format csv, json or fhir");
		return 2;
	}
	struct eb_db *db = cli_open_db(cli_db_url(a.db), 1);
	if (!db)
		return 1;
	struct eb_conn *c = eb_db_acquire(db);
	struct eb_principal who = cli_principal();
	struct eb_detail d = {0};
	struct sitrep_export_opts o = {
		.format = (enum sitrep_export_format)f,
		.q = {.area = a.area, .from = a.from, .to = a.to, .org = a.org},
		.progress = on_export_progress,
	};
	int64_t rows = 0;
	enum eb_err e = sitrep_export(c, &who, &o, write_stdout, NULL, &rows, NULL, &d);
	cli_progress_end();
	if (!e && fflush(stdout) != 0)
		e = eb_fail(&d, EB_EIO, NULL, "cannot write the export: %s", strerror(errno));
	if (e)
		rc = cli_fail_detail(e, &d);
	eb_db_release(c);
	eb_db_close(db);
	return rc;
}
