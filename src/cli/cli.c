/*
 * Shared command-line helpers.  See cli.h.
 */
#include "cli/cli.h"
#include "store/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

const char *cli_db_url(const char *opt)
{
	if (opt && *opt)
		return opt;
	const char *env = getenv("EPIBRIDGE_DB");
	return env && *env ? env : CLI_DEFAULT_DB;
}

struct eb_db *cli_open_db(const char *url, int pool)
{
	struct eb_db *db = NULL;
	struct eb_detail d = {0};
	if (eb_db_open(url, pool, &db, &d) != EB_OK) {
		cli_fail("%s", d.msg);
		return NULL;
	}
	return db;
}

struct eb_db *cli_open_existing_db(const char *url, int pool)
{
	int pg = strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
	const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	if (!pg && access(path, F_OK) != 0) {
		cli_fail("no database at %s (check --db; 'epibridge serve --db %s' creates one)", path, path);
		return NULL;
	}
	return cli_open_db(url, pool);
}

struct eb_principal cli_principal(void)
{
	struct eb_principal p = {0};
	p.kind = EB_CLI;
	p.role = EB_ROLE_ADMIN;
	p.operator_org = 1;
	snprintf(p.label, sizeof p.label, "cli:%s", getenv("USER") ? getenv("USER") : "local");
	return p;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("epibridge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_fail_detail(enum eb_err e, const struct eb_detail *d)
{
	if (d->field[0])
		return cli_fail("%s (%s)", d->msg[0] ? d->msg : eb_strerror(e), d->field);
	return cli_fail("%s", d->msg[0] ? d->msg : eb_strerror(e));
}

static int progress_shown;

void cli_progress(const char *what, int64_t done, int64_t total)
{
	if (!isatty(2))
		return;
	if (total > 0)
		fprintf(stderr, "\r%s: %lld/%lld (%d%%)   ", what, (long long)done, (long long)total,
			(int)(100 * done / total));
	else
		fprintf(stderr, "\r%s: %lld   ", what, (long long)done);
	progress_shown = 1;
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputc('\n', stderr);
	progress_shown = 0;
}

int cli_read_password(const char *prompt, char *out, size_t n)
{
	struct termios old, quiet;
	int tty = isatty(0);
	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &quiet);
	}
	char *r = fgets(out, (int)n, stdin);
	if (tty) {
		tcsetattr(0, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (!r)
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}
