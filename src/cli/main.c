/*
 * epibridge: the command-line entry point.  Dispatches to one function per
 * subcommand; each subcommand parses its own options and prints its own
 * --help.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/log.h"
#include "base/jcheck.h"
#include "base/util.h"
#include "formats/areas.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{"serve", cmd_serve, "serve the API and the web dashboard"},
	{"demo", cmd_demo, "load the demo (real 2020 data, demo accounts) and serve it"},
	{"org", cmd_org, "list, add and link organisations"},
	{"user", cmd_user, "list, add, disable users; set passwords"},
	{"token", cmd_token, "create, list and revoke API tokens"},
	{"audit", cmd_audit, "verify or list the hash-chained audit log"},
	{"backup", cmd_backup, "take a consistent online backup of the database"},
	{"indicators", cmd_indicators, "recompute indicators (7-day average, NR14, growth, Rt) per area"},
	{"rt", cmd_rt, "estimate Rt (Cori method) from a CSV of incidence"},
	{"cap", cmd_cap, "validate CAP 1.2 alert files"},
	{"alert", cmd_alert, "import, list, show and export CAP 1.2 alerts"},
	{"import", cmd_import, "import situation data (WHO, JHU, HXL or mapped CSV)"},
	{"export", cmd_export, "export situation data (CSV/HXL, JSON, FHIR) or donations (IATI, HXL, FTS)"},
	{"reconcile", cmd_reconcile, "recompute the reconciliation of donations (pledged, shipped, received)"},
	{"routes", cmd_routes, "print the API routes (method, path, least role)"},
};

static void usage(FILE *f)
{
	fputs("usage: epibridge COMMAND [OPTIONS]\n\n"
	      "epibridge: joint epidemic prevention and control across borders.\n\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
	fputs("\nEvery command that touches data takes --db FILE (SQLite, default ./epibridge.db)\n"
	      "or --db postgres://user@host/dbname.  Run 'epibridge COMMAND --help' for its options.\n", f);
}

/* Country codes in requests are checked against the ISO 3166-1 reference. */
static int country_known(const char *iso2)
{
	const struct areas *a = areas_default(NULL);
	const struct area *x = a ? areas_by_code(a, iso2) : NULL;
	return x && !x->subdivision;
}

int main(int argc, char **argv)
{
	if (eb_util_init() != 0) {
		fputs("epibridge: cannot initialise libsodium\n", stderr);
		return 1;
	}
	struct eb_detail d = {0};
	if (areas_default(&d))
		eb_country_known = country_known;
	else if (argc > 1 && strcmp(argv[1], "serve") == 0)
		fprintf(stderr, "epibridge: warning: country reference not loaded (%s); country codes are checked for form only\n", d.msg);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("epibridge 0.1.0");
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "epibridge: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
