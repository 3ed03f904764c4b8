/*
 * The database interface over SQLite and PostgreSQL.  See db.h.
 *
 * One file holds both backends so that every operation shows, side by side,
 * how it maps to each database.  A connection keeps a cache of prepared
 * statements keyed by the address of the SQL literal.  For PostgreSQL the
 * statement is prepared server-side once per connection (`?` rewritten to $n);
 * parameters are sent as text and results read as text.
 */
#include "store/db.h"
#include "store/migrations.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 64
#define CACHE_SLOTS 1024

struct eb_stmt {
	struct eb_conn *conn;
	const char *key;
	/* sqlite */
	sqlite3_stmt *sq;
	/* postgres */
	char name[16];
	int nparams;
	char *pvals[MAX_PARAMS];
	int pnull[MAX_PARAMS];
	PGresult *res;
	int row, nrows, started;
	int64_t changes;
};

struct eb_conn {
	struct eb_db *db;
	int busy;
	int in_tx;
	sqlite3 *sq;
	PGconn *pg;
	int nstmt;
	struct eb_stmt *cache[CACHE_SLOTS];
};

struct eb_db {
	enum eb_backend backend;
	char name[256];
	int n;
	struct eb_conn *conns;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static int is_pg_url(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 ||
	       strncmp(url, "postgresql://", 13) == 0;
}

static void mask_url(const char *url, char *out, size_t n)
{
	/* postgres://user:secret@host/db -> postgres://user:***@host/db */
	const char *at = strchr(url, '@');
	const char *scheme = strstr(url, "://");
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
	if (at && colon && colon < at)
		snprintf(out, n, "%.*s:***%s", (int)(colon - url), url, at);
	else
		snprintf(out, n, "%s", url);
}

static enum eb_err sqlite_err(sqlite3 *h, int rc, struct eb_detail *d)
{
	int ext = sqlite3_extended_errcode(h);
	const char *msg = sqlite3_errmsg(h);
	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return eb_fail(d, EB_EEXIST, NULL, "already exists (%s)", msg);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return eb_fail(d, EB_EINVAL, NULL, "constraint failed (%s)", msg);
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return eb_fail(d, EB_EBUSY, NULL, "the database is busy; retry in a moment (%s)", msg);
	return eb_fail(d, EB_EDB, NULL, "database error: %s", msg);
}

static enum eb_err pg_err(PGresult *r, PGconn *h, struct eb_detail *d)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(h);
	char m[200];
	snprintf(m, sizeof m, "%s", msg ? msg : "");
	char *nl = strchr(m, '\n');
	if (nl)
		*nl = '\0';
	if (state && strcmp(state, "23505") == 0)
		return eb_fail(d, EB_EEXIST, NULL, "already exists (%s)", m);
	if (state && strncmp(state, "23", 2) == 0)
		return eb_fail(d, EB_EINVAL, NULL, "constraint failed (%s)", m);
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0))
		return eb_fail(d, EB_EBUSY, NULL, "a concurrent update conflicted; retry (%s)", m);
	return eb_fail(d, EB_EDB, NULL, "database error: %s", m);
}

static enum eb_err conn_open(struct eb_db *db, const char *url,
			     struct eb_conn *c, struct eb_detail *d)
{
	c->db = db;
	if (db->backend == EB_POSTGRES) {
		c->pg = PQconnectdb(url);
		if (PQstatus(c->pg) != CONNECTION_OK)
			return eb_fail(d, EB_EDB, "db",
				       "cannot connect to PostgreSQL %s: %s", db->name,
				       PQerrorMessage(c->pg));
		PGresult *r = PQexec(c->pg, "SET client_min_messages = warning");
		PQclear(r);
		return EB_OK;
	}
	const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	int rc = sqlite3_open_v2(path, &c->sq,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					 SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK)
		return eb_fail(d, EB_EDB, "db", "cannot open SQLite database %s: %s",
			       path, c->sq ? sqlite3_errmsg(c->sq) : "out of memory");
	sqlite3_busy_timeout(c->sq, 15000);
	sqlite3_extended_result_codes(c->sq, 1);
	char *err = NULL;
	rc = sqlite3_exec(c->sq,
			  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			  "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
			  NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		eb_fail(d, EB_EDB, "db", "cannot configure SQLite database %s: %s",
			path, err ? err : "");
		sqlite3_free(err);
		return EB_EDB;
	}
	return EB_OK;
}

static void stmt_free(struct eb_stmt *s)
{
	if (!s)
		return;
	if (s->sq)
		sqlite3_finalize(s->sq);
	if (s->res)
		PQclear(s->res);
	for (int i = 0; i < MAX_PARAMS; i++)
		free(s->pvals[i]);
	free(s);
}

static void conn_close(struct eb_conn *c)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		stmt_free(c->cache[i]);
	if (c->sq)
		sqlite3_close(c->sq);
	if (c->pg)
		PQfinish(c->pg);
}

static enum eb_err db_open(const char *url, int pool, int migrate,
			   struct eb_db **out, struct eb_detail *d)
{
	*out = NULL;
	if (!url || !*url)
		return eb_fail(d, EB_EINVAL, "db", "no database given: use --db FILE or --db postgres://...");
	if (pool < 1)
		pool = 1;
	struct eb_db *db = calloc(1, sizeof *db);
	if (!db)
		return EB_ENOMEM;
	db->backend = is_pg_url(url) ? EB_POSTGRES : EB_SQLITE;
	mask_url(url, db->name, sizeof db->name);
	db->n = pool;
	db->conns = calloc((size_t)pool, sizeof *db->conns);
	pthread_mutex_init(&db->mu, NULL);
	pthread_cond_init(&db->cv, NULL);
	enum eb_err e = db->conns ? EB_OK : EB_ENOMEM;
	/* Migrate on the first connection before opening the others so that
	 * they see the final schema. */
	for (int i = 0; e == EB_OK && i < pool; i++) {
		e = conn_open(db, url, &db->conns[i], d);
		if (e == EB_OK && i == 0 && migrate)
			e = eb_migrate(&db->conns[0], d);
	}
	if (e != EB_OK) {
		eb_db_close(db);
		return e;
	}
	*out = db;
	return EB_OK;
}

enum eb_err eb_db_open(const char *url, int pool, struct eb_db **out,
		       struct eb_detail *d)
{
	return db_open(url, pool, 1, out, d);
}

enum eb_err eb_db_open_raw(const char *url, struct eb_db **out, struct eb_detail *d)
{
	return db_open(url, 1, 0, out, d);
}

void eb_db_close(struct eb_db *db)
{
	if (!db)
		return;
	for (int i = 0; db->conns && i < db->n; i++)
		conn_close(&db->conns[i]);
	free(db->conns);
	pthread_mutex_destroy(&db->mu);
	pthread_cond_destroy(&db->cv);
	free(db);
}

enum eb_backend eb_db_backend(const struct eb_db *db)
{
	return db->backend;
}

const char *eb_db_name(const struct eb_db *db)
{
	return db->name;
}

struct eb_conn *eb_db_acquire(struct eb_db *db)
{
	pthread_mutex_lock(&db->mu);
	for (;;) {
		for (int i = 0; i < db->n; i++) {
			if (!db->conns[i].busy) {
				db->conns[i].busy = 1;
				pthread_mutex_unlock(&db->mu);
				return &db->conns[i];
			}
		}
		pthread_cond_wait(&db->cv, &db->mu);
	}
}

void eb_db_release(struct eb_conn *c)
{
	if (!c)
		return;
	if (c->in_tx) {
		eb_warn("connection released inside a transaction; rolling back");
		eb_rollback(c);
	}
	struct eb_db *db = c->db;
	pthread_mutex_lock(&db->mu);
	c->busy = 0;
	pthread_cond_signal(&db->cv);
	pthread_mutex_unlock(&db->mu);
}

enum eb_backend eb_conn_backend(const struct eb_conn *c)
{
	return c->db->backend;
}

static enum eb_err simple(struct eb_conn *c, const char *sql,
			  struct eb_detail *d)
{
	if (c->db->backend == EB_POSTGRES) {
		PGresult *r = PQexec(c->pg, sql);
		ExecStatusType st = PQresultStatus(r);
		enum eb_err e = EB_OK;
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
			e = pg_err(r, c->pg, d);
		PQclear(r);
		return e;
	}
	char *err = NULL;
	int rc = sqlite3_exec(c->sq, sql, NULL, NULL, &err);
	sqlite3_free(err);
	if (rc != SQLITE_OK)
		return sqlite_err(c->sq, rc, d);
	return EB_OK;
}

enum eb_err eb_begin(struct eb_conn *c, struct eb_detail *d)
{
	if (c->in_tx)
		return eb_fail(d, EB_EINTERNAL, NULL, "transaction already open");
	enum eb_err e = simple(c, c->db->backend == EB_POSTGRES ? "BEGIN" : "BEGIN IMMEDIATE", d);
	if (e == EB_OK)
		c->in_tx = 1;
	return e;
}

enum eb_err eb_commit(struct eb_conn *c, struct eb_detail *d)
{
	if (!c->in_tx)
		return eb_fail(d, EB_EINTERNAL, NULL, "no transaction open");
	enum eb_err e = simple(c, "COMMIT", d);
	if (e != EB_OK) {
		eb_rollback(c);
		return e;
	}
	c->in_tx = 0;
	return EB_OK;
}

void eb_rollback(struct eb_conn *c)
{
	if (!c->in_tx)
		return;
	/* Reset cached statements so none holds the transaction open. */
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (c->cache[i])
			eb_done(c->cache[i]);
	simple(c, "ROLLBACK", NULL);
	c->in_tx = 0;
}

int eb_in_tx(const struct eb_conn *c)
{
	return c->in_tx;
}

enum eb_err eb_exec(struct eb_conn *c, const char *sql, struct eb_detail *d)
{
	return simple(c, sql, d);
}

/* `?` -> `$n`, outside quoted literals. */
static char *pg_rewrite(const char *sql, int *nparams)
{
	size_t len = strlen(sql);
	char *out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	int n = 0;
	char quote = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = sql[i];
		if (quote) {
			if (ch == quote)
				quote = 0;
			out[o++] = ch;
		} else if (ch == '\'' || ch == '"') {
			quote = ch;
			out[o++] = ch;
		} else if (ch == '?') {
			o += (size_t)snprintf(out + o, 8, "$%d", ++n);
		} else {
			out[o++] = ch;
		}
	}
	out[o] = '\0';
	*nparams = n;
	return out;
}

static size_t slot_of(const char *key)
{
	uintptr_t h = (uintptr_t)key;
	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (CACHE_SLOTS - 1);
}

struct eb_stmt *eb_stmt(struct eb_conn *c, const char *sql, struct eb_detail *d)
{
	size_t i = slot_of(sql);
	for (size_t k = 0; k < CACHE_SLOTS; k++, i = (i + 1) & (CACHE_SLOTS - 1)) {
		struct eb_stmt *s = c->cache[i];
		if (!s)
			break;
		if (s->key == sql)
			return s;
	}
	if (c->nstmt >= CACHE_SLOTS * 3 / 4) {
		eb_fail(d, EB_EINTERNAL, NULL, "statement cache full");
		return NULL;
	}
	struct eb_stmt *s = calloc(1, sizeof *s);
	if (!s) {
		eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	s->conn = c;
	s->key = sql;
	if (c->db->backend == EB_POSTGRES) {
		char *q = pg_rewrite(sql, &s->nparams);
		if (!q || s->nparams > MAX_PARAMS) {
			free(q);
			free(s);
			eb_fail(d, EB_EINTERNAL, NULL, "statement has too many parameters");
			return NULL;
		}
		snprintf(s->name, sizeof s->name, "s%d", c->nstmt);
		PGresult *r = PQprepare(c->pg, s->name, q, s->nparams, NULL);
		free(q);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg_err(r, c->pg, d);
			eb_error("prepare failed: %s: %s", d ? d->msg : "", sql);
			PQclear(r);
			free(s);
			return NULL;
		}
		PQclear(r);
	} else {
		int rc = sqlite3_prepare_v3(c->sq, sql, -1, SQLITE_PREPARE_PERSISTENT,
					    &s->sq, NULL);
		if (rc != SQLITE_OK) {
			sqlite_err(c->sq, rc, d);
			eb_error("prepare failed: %s: %s", sqlite3_errmsg(c->sq), sql);
			free(s);
			return NULL;
		}
	}
	c->cache[i] = s;
	c->nstmt++;
	return s;
}

static void pg_set(struct eb_stmt *s, int idx, char *v)
{
	if (idx < 1 || idx > MAX_PARAMS) {
		free(v);
		return;
	}
	free(s->pvals[idx - 1]);
	s->pvals[idx - 1] = v;
}

void eb_bind_i64(struct eb_stmt *s, int idx, int64_t v)
{
	if (s->sq) {
		sqlite3_bind_int64(s->sq, idx, v);
		return;
	}
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%" PRId64, v);
	pg_set(s, idx, strdup(tmp));
}

void eb_bind_double(struct eb_stmt *s, int idx, double v)
{
	if (s->sq) {
		sqlite3_bind_double(s->sq, idx, v);
		return;
	}
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%.17g", v);
	pg_set(s, idx, strdup(tmp));
}

void eb_bind_textn(struct eb_stmt *s, int idx, const char *text, size_t n)
{
	if (!text) {
		eb_bind_null(s, idx);
		return;
	}
	if (s->sq) {
		sqlite3_bind_text(s->sq, idx, text, (int)n, SQLITE_TRANSIENT);
		return;
	}
	pg_set(s, idx, strndup(text, n));
}

void eb_bind_text(struct eb_stmt *s, int idx, const char *text)
{
	eb_bind_textn(s, idx, text, text ? strlen(text) : 0);
}

void eb_bind_null(struct eb_stmt *s, int idx)
{
	if (s->sq) {
		sqlite3_bind_null(s->sq, idx);
		return;
	}
	pg_set(s, idx, NULL);
}

int eb_step(struct eb_stmt *s, struct eb_detail *d)
{
	if (s->sq) {
		int rc = sqlite3_step(s->sq);
		if (rc == SQLITE_ROW)
			return EB_ROW;
		if (rc == SQLITE_DONE) {
			s->changes = sqlite3_changes64(s->conn->sq);
			return EB_DONE;
		}
		enum eb_err e = sqlite_err(s->conn->sq, rc, d);
		sqlite3_reset(s->sq);
		return e;
	}
	if (!s->started) {
		s->started = 1;
		s->res = PQexecPrepared(s->conn->pg, s->name, s->nparams,
					(const char *const *)s->pvals, NULL, NULL, 0);
		ExecStatusType st = PQresultStatus(s->res);
		if (st == PGRES_COMMAND_OK) {
			s->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
			return EB_DONE;
		}
		if (st != PGRES_TUPLES_OK)
			return pg_err(s->res, s->conn->pg, d);
		s->nrows = PQntuples(s->res);
		s->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
		s->row = -1;
	}
	if (!s->res || PQresultStatus(s->res) != PGRES_TUPLES_OK)
		return EB_DONE;
	if (++s->row < s->nrows)
		return EB_ROW;
	return EB_DONE;
}

int eb_col_count(struct eb_stmt *s)
{
	if (s->sq)
		return sqlite3_column_count(s->sq);
	return s->res ? PQnfields(s->res) : 0;
}

int eb_col_null(struct eb_stmt *s, int col)
{
	if (s->sq)
		return sqlite3_column_type(s->sq, col) == SQLITE_NULL;
	return PQgetisnull(s->res, s->row, col);
}

int64_t eb_col_i64(struct eb_stmt *s, int col)
{
	if (s->sq)
		return sqlite3_column_int64(s->sq, col);
	if (PQgetisnull(s->res, s->row, col))
		return 0;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return strtoll(v, NULL, 10);
}

double eb_col_double(struct eb_stmt *s, int col)
{
	if (s->sq)
		return sqlite3_column_double(s->sq, col);
	if (PQgetisnull(s->res, s->row, col))
		return 0;
	return strtod(PQgetvalue(s->res, s->row, col), NULL);
}

const char *eb_col_text(struct eb_stmt *s, int col)
{
	if (s->sq) {
		const unsigned char *t = sqlite3_column_text(s->sq, col);
		return t ? (const char *)t : "";
	}
	return PQgetvalue(s->res, s->row, col);
}

const char *eb_col_name(struct eb_stmt *s, int col)
{
	if (s->sq)
		return sqlite3_column_name(s->sq, col);
	return PQfname(s->res, col);
}

int64_t eb_changes(struct eb_stmt *s)
{
	return s->changes;
}

void eb_done(struct eb_stmt *s)
{
	if (!s)
		return;
	if (s->sq) {
		sqlite3_reset(s->sq);
		sqlite3_clear_bindings(s->sq);
		return;
	}
	if (s->res)
		PQclear(s->res);
	s->res = NULL;
	s->started = 0;
	s->row = s->nrows = 0;
	for (int i = 0; i < MAX_PARAMS; i++) {
		free(s->pvals[i]);
		s->pvals[i] = NULL;
	}
}

enum eb_err eb_run(struct eb_conn *c, const char *sql, int64_t *out,
		   struct eb_detail *d, int nparams, ...)
{
	struct eb_stmt *s = eb_stmt(c, sql, d);
	if (!s)
		return d ? EB_EDB : EB_EDB;
	va_list ap;
	va_start(ap, nparams);
	for (int i = 1; i <= nparams; i++)
		eb_bind_text(s, i, va_arg(ap, const char *));
	va_end(ap);
	int rc = eb_step(s, d);
	if (out)
		*out = rc == EB_ROW ? eb_col_i64(s, 0) : 0;
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

enum eb_err eb_db_backup(struct eb_db *db, const char *path,
			 void (*progress)(int, int, void *), void *arg,
			 struct eb_detail *d)
{
	if (db->backend != EB_SQLITE)
		return eb_fail(d, EB_EINVAL, "db",
			       "backup of PostgreSQL is done with pg_dump: pg_dump -Fc DBNAME > FILE");
	sqlite3 *dst = NULL;
	/* Never overwrite: create the file exclusively first. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return eb_fail(d, EB_EEXIST, "file", "cannot create %s: %s (choose a new file name)", path, strerror(errno));
	close(fd);
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		enum eb_err e = eb_fail(d, EB_EIO, "file", "cannot create %s: %s", path,
					dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return e;
	}
	struct eb_conn *c = eb_db_acquire(db);
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->sq, "main");
	enum eb_err e = EB_OK;
	if (!b) {
		e = eb_fail(d, EB_EDB, NULL, "backup failed: %s", sqlite3_errmsg(dst));
	} else {
		int rc;
		/* Copy in steps so writers are not blocked for the whole copy;
		 * SQLite restarts the copy if the source changes in between
		 * through another connection, which keeps it consistent. */
		while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK ||
		       rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
			if (progress)
				progress(sqlite3_backup_remaining(b),
					 sqlite3_backup_pagecount(b), arg);
			if (rc != SQLITE_OK)
				sqlite3_sleep(20);
		}
		if (progress)
			progress(0, sqlite3_backup_pagecount(b), arg);
		sqlite3_backup_finish(b);
		if (rc != SQLITE_DONE)
			e = eb_fail(d, EB_EDB, NULL, "backup failed: %s", sqlite3_errstr(rc));
	}
	eb_db_release(c);
	if (e == EB_OK && sqlite3_exec(dst, "PRAGMA journal_mode=DELETE; PRAGMA integrity_check;", NULL, NULL, NULL) != SQLITE_OK)
		e = eb_fail(d, EB_EDB, NULL, "backup check failed: %s", sqlite3_errmsg(dst));
	sqlite3_close(dst);
	if (e != EB_OK)
		remove(path);
	return e;
}
