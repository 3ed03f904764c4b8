/*
 * Helpers shared by the subcommands: opening the database named by --db,
 * the command line's principal, progress on a terminal, and error messages.
 */
#ifndef EB_CLI_CLI_H
#define EB_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/principal.h"

struct eb_db;

#define CLI_DEFAULT_DB "epibridge.db"

/* The --db value, else $EPIBRIDGE_DB, else ./epibridge.db. */
const char *cli_db_url(const char *opt);
/* Opens (and migrates) the database; prints the error and returns NULL. */
struct eb_db *cli_open_db(const char *url, int pool);
/* The same for commands that only make sense on an existing database
 * (audit, backup): a SQLite file that does not exist is an error rather
 * than a new empty database. */
struct eb_db *cli_open_existing_db(const char *url, int pool);
/* The principal of the command line: the operator, admin. */
struct eb_principal cli_principal(void);
/* Prints "epibridge: <message>" to stderr; returns 1 (exit status). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail_detail(enum eb_err e, const struct eb_detail *d);
/* Progress on stderr when it is a terminal: "what: done/total (p%)". */
void cli_progress(const char *what, int64_t done, int64_t total);
void cli_progress_end(void);
/* Reads a password from the terminal without echo (or a line from stdin). */
int cli_read_password(const char *prompt, char *out, size_t n);

/* Subcommands (one file each). */
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_org(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_routes(int argc, char **argv);

/* Creates the operator organisation and a first admin when there are no
 * users; prints how to log in.  Returns 0 or an exit status. */
int cli_bootstrap(struct eb_db *db, const char *base_url);

#endif
