/*
 * The database interface: one API over SQLite (the embedded default) and
 * PostgreSQL (the server database).
 *
 * SQL is written once, with `?` placeholders; the PostgreSQL backend rewrites
 * them to $1..$n.  Schema DDL uses one template, {{PK}}, for an integer
 * primary key (see migrations.h).  All values cross this interface as 64-bit
 * integers, doubles, text or NULL, which both databases store the same way.
 *
 * A struct eb_db is a pool of connections opened from a URL: a file path (or
 * "sqlite:PATH") for SQLite, "postgres://..." or "postgresql://..." for
 * PostgreSQL.  A thread takes a connection with eb_db_acquire and gives it back
 * with eb_db_release; a connection is used by one thread at a time.
 *
 * Statements are prepared once per connection and cached (keyed by the SQL
 * text's address, so pass string literals).  eb_stmt() returns a statement
 * ready for binding; eb_done() resets it for reuse.  Column getters return
 * pointers valid until the next eb_step/eb_done on the statement.
 *
 * Writes go inside eb_begin/eb_commit; eb_rollback undoes everything since
 * eb_begin.  SQLite runs in WAL mode with synchronous=FULL and PostgreSQL with
 * its default synchronous_commit, so a committed transaction survives a crash
 * of the process or of the machine.
 */
#ifndef EB_STORE_DB_H
#define EB_STORE_DB_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

struct eb_db;
struct eb_conn;
struct eb_stmt;

enum eb_backend { EB_SQLITE = 1, EB_POSTGRES = 2 };

enum { EB_ROW = 1, EB_DONE = 0 };

/* Opens a pool of `pool` connections (>= 1) and applies pending migrations.
 * On failure returns an error and fills d; *out is NULL. */
enum eb_err eb_db_open(const char *url, int pool, struct eb_db **out,
		       struct eb_detail *d);
/* Opens one connection without applying migrations (administration, such
 * as creating a database on a PostgreSQL server). */
enum eb_err eb_db_open_raw(const char *url, struct eb_db **out,
			   struct eb_detail *d);
void eb_db_close(struct eb_db *db);
enum eb_backend eb_db_backend(const struct eb_db *db);
/* The URL it was opened with, with any password masked; for messages. */
const char *eb_db_name(const struct eb_db *db);

/* Blocks until a connection is free.  Never NULL. */
struct eb_conn *eb_db_acquire(struct eb_db *db);
void eb_db_release(struct eb_conn *c);
enum eb_backend eb_conn_backend(const struct eb_conn *c);

/* Transactions.  eb_begin starts a write transaction (SQLite: IMMEDIATE).
 * Nested calls are errors.  eb_rollback on a connection without a transaction
 * is a no-op. */
enum eb_err eb_begin(struct eb_conn *c, struct eb_detail *d);
enum eb_err eb_commit(struct eb_conn *c, struct eb_detail *d);
void eb_rollback(struct eb_conn *c);
int eb_in_tx(const struct eb_conn *c);

/* Runs SQL without parameters (may hold several statements for SQLite; one
 * for PostgreSQL unless it is DDL). */
enum eb_err eb_exec(struct eb_conn *c, const char *sql, struct eb_detail *d);

/* Prepared statements.  sql must outlive the connection (a literal). */
struct eb_stmt *eb_stmt(struct eb_conn *c, const char *sql,
			struct eb_detail *d);
void eb_bind_i64(struct eb_stmt *s, int idx, int64_t v);
void eb_bind_double(struct eb_stmt *s, int idx, double v);
/* text is copied; NULL binds SQL NULL. */
void eb_bind_text(struct eb_stmt *s, int idx, const char *text);
void eb_bind_textn(struct eb_stmt *s, int idx, const char *text, size_t n);
void eb_bind_null(struct eb_stmt *s, int idx);
/* Returns EB_ROW, EB_DONE, or a negative enum eb_err (d filled; unique
 * violations are EB_EEXIST, foreign key / check violations EB_EINVAL). */
int eb_step(struct eb_stmt *s, struct eb_detail *d);
int eb_col_count(struct eb_stmt *s);
int eb_col_null(struct eb_stmt *s, int col);
int64_t eb_col_i64(struct eb_stmt *s, int col);
double eb_col_double(struct eb_stmt *s, int col);
/* "" for NULL. */
const char *eb_col_text(struct eb_stmt *s, int col);
const char *eb_col_name(struct eb_stmt *s, int col);
/* Rows changed by the last completed write statement. */
int64_t eb_changes(struct eb_stmt *s);
/* Resets the statement for reuse and clears bindings.  NULL-safe. */
void eb_done(struct eb_stmt *s);

/* Runs a one-shot statement whose parameters are all text (NULL for SQL NULL)
 * and returns the first column of the first row as int64 in *out (0 when no
 * row).  For small write helpers. */
enum eb_err eb_run(struct eb_conn *c, const char *sql, int64_t *out,
		   struct eb_detail *d, int nparams, ...);

/* Online, consistent backup of the database to a new SQLite file (SQLite
 * backend only; PostgreSQL is backed up with pg_dump). */
enum eb_err eb_db_backup(struct eb_db *db, const char *path,
			 void (*progress)(int remaining, int total, void *),
			 void *arg, struct eb_detail *d);

#endif
