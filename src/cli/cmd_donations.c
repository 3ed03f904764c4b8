/*
 * `epibridge export iati|hxl|fts` and `epibridge reconcile`: donations
 * from the command line, through the same domain calls as the HTTP API
 * (domain/donation.h).
 *
 * The exports write one document to standard output: IATI 2.03 activity
 * XML, HXL-tagged CSV of pledge lines, or FTS-shaped JSON flows.  The
 * command line acts as the operator and exports every pledge; --public
 * exports what an anonymous caller of the API would get.  `reconcile`
 * recomputes the whole reconciliation table in one transaction (after
 * bulk loads, or to check it) and prints the number of lines and the time
 * it took.  cmd_export (cmd_import.c) hands the three export names here.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "domain/donation.h"
#include "store/db.h"
#include "base/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char export_help[] =
	"usage: epibridge export iati|hxl|fts [--public] [--db DB]\n"
	"\n"
	"Writes the donations (pledges with their lines, batches and receipts) to stdout:\n"
	"  iati  IATI 2.03 activity XML with the COVID-19 markers, one activity per pledge\n"
	"        (valid against data/standards/iati/iati-activities-schema.xsd when there\n"
	"        is at least one pledge)\n"
	"  hxl   CSV with HXL hashtags, one row per pledge line\n"
	"  fts   FTS-shaped JSON flows (status pledge, commitment or paid; in kind)\n"
	"The command line acts as the operator and exports every pledge; with --public\n"
	"only the pledges marked public, as anonymous callers of the API see them.\n";

static const char reconcile_help[] =
	"usage: epibridge reconcile [--db DB]\n"
	"\n"
	"Recomputes the reconciliation of every pledge line (pledged, planned, shipped,\n"
	"received, lost, short, over, discrepancies) in one transaction.  Every write\n"
	"through the API keeps it current already; run this after loading data in bulk\n"
	"or to check it.  Prints the number of pledge lines and the time taken.\n";

static int write_stdout(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* argv[0] is the format name. */
int cmd_donations_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"public", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *db_url = NULL;
	int pub = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db_url = optarg;
			break;
		case 'p':
			pub = 1;
			break;
		case 'h':
			fputs(export_help, stdout);
			return 0;
		default:
			fputs(export_help, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		cli_fail("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	int f = donation_export_format_parse(argv[0]);
	if (f < 0) {
		cli_fail("unknown donation export '%s': give iati, hxl or fts", argv[0]);
		return 2;
	}
	struct eb_db *db = cli_open_db(cli_db_url(db_url), 1);
	if (!db)
		return 1;
	struct eb_conn *conn = eb_db_acquire(db);
	struct eb_principal who = cli_principal();
	if (pub)
		memset(&who, 0, sizeof who); /* anonymous */
	struct eb_detail d = {0};
	struct donation_export_opts o = {.format = (enum donation_export_format)f};
	int64_t n = 0, next = 0;
	enum eb_err e = donation_export(conn, &who, &o, write_stdout, NULL, &n, &next, &d);
	if (!e && fflush(stdout) != 0)
		e = eb_fail(&d, EB_EIO, NULL, "cannot write the export: %s", strerror(errno));
	int rc = e ? cli_fail_detail(e, &d) : 0;
	eb_db_release(conn);
	eb_db_close(db);
	return rc;
}

int cmd_reconcile(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *db_url = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db_url = optarg;
			break;
		case 'h':
			fputs(reconcile_help, stdout);
			return 0;
		default:
			fputs(reconcile_help, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		cli_fail("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	struct eb_db *db = cli_open_db(cli_db_url(db_url), 1);
	if (!db)
		return 1;
	struct eb_conn *conn = eb_db_acquire(db);
	struct eb_principal who = cli_principal();
	struct eb_detail d = {0};
	int64_t lines = 0, t0 = eb_mono_ms();
	enum eb_err e = donation_recon_recompute(conn, &who, &lines, &d);
	int rc = 0;
	if (e)
		rc = cli_fail_detail(e, &d);
	else
		printf("reconciled %lld pledge lines in %.3f s\n", (long long)lines, (double)(eb_mono_ms() - t0) / 1000.0);
	eb_db_release(conn);
	eb_db_close(db);
	return rc;
}
