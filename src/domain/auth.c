/*
 * Authentication.  See auth.h.
 */
#include "domain/auth.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "store/db.h"
#include "base/util.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum eb_err auth_password_ok(const char *pw, const char *field, struct eb_detail *d)
{
	size_t n = pw ? strlen(pw) : 0;
	if (n < 10)
		return eb_fail(d, EB_EINVAL, field, "the password must be at least 10 characters long");
	if (n > 200)
		return eb_fail(d, EB_EINVAL, field, "the password must be at most 200 characters long");
	return EB_OK;
}

enum eb_err auth_hash_password(const char *pw, char out[AUTH_HASH_MAX])
{
	_Static_assert(AUTH_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer");
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return EB_ENOMEM;
	return EB_OK;
}

int auth_verify_password(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy[AUTH_HASH_MAX];

static void make_dummy(void)
{
	char pw[33];
	eb_random_hex(pw, 16);
	auth_hash_password(pw, dummy);
}

const char *auth_dummy_hash(void)
{
	pthread_once(&dummy_once, make_dummy);
	return dummy;
}

enum eb_err auth_find_login(struct eb_conn *c, const char *login,
			    struct auth_login *out, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT id, org_id, disabled, pw_hash FROM users WHERE login = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, login);
	int rc = eb_step(s, d);
	if (rc == EB_ROW) {
		out->user_id = eb_col_i64(s, 0);
		out->org_id = eb_col_i64(s, 1);
		out->disabled = (int)eb_col_i64(s, 2);
		snprintf(out->pw_hash, sizeof out->pw_hash, "%s", eb_col_text(s, 3));
	}
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	return rc == EB_ROW ? EB_OK : EB_ENOTFOUND;
}

enum eb_err auth_user_principal(struct eb_conn *c, int64_t user_id,
				struct eb_principal *who, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT u.org_id, u.role, u.login, o.operator, u.disabled FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, user_id);
	int rc = eb_step(s, d);
	enum eb_err e = EB_OK;
	if (rc == EB_ROW && !eb_col_i64(s, 4)) {
		memset(who, 0, sizeof *who);
		who->kind = EB_USER;
		who->user_id = user_id;
		who->org_id = eb_col_i64(s, 0);
		who->role = eb_role_parse(eb_col_text(s, 1));
		snprintf(who->label, sizeof who->label, "%s", eb_col_text(s, 2));
		who->operator_org = (int)eb_col_i64(s, 3);
	} else if (rc == EB_ROW || rc == EB_DONE) {
		e = eb_fail(d, EB_ENOTFOUND, NULL, "no such user, or the account is disabled");
	} else {
		e = (enum eb_err)rc;
	}
	eb_done(s);
	return e;
}

enum eb_err auth_session_create(struct eb_conn *c, int64_t user_id,
				char token[65], char csrf[65], struct eb_detail *d)
{
	char hash[65];
	eb_random_hex(token, 32);
	eb_random_hex(csrf, 32);
	eb_sha256_hex(token, 64, hash);
	int64_t now = eb_now_ms();
	struct eb_stmt *s = eb_stmt(c, "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, hash);
	eb_bind_i64(s, 2, user_id);
	eb_bind_text(s, 3, csrf);
	eb_bind_i64(s, 4, now);
	eb_bind_i64(s, 5, now + AUTH_SESSION_TTL_MS);
	int rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	/* Expired sessions are removed as new ones are made. */
	struct eb_stmt *g = eb_stmt(c, "DELETE FROM sessions WHERE expires_at < ?", NULL);
	if (g) {
		eb_bind_i64(g, 1, now);
		eb_step(g, NULL);
		eb_done(g);
	}
	return EB_OK;
}

static int hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

enum eb_err auth_session_resolve(struct eb_conn *c, const char *token,
				 struct eb_principal *who, char csrf[65],
				 char hash[65], struct eb_detail *d)
{
	if (!hex64(token))
		return eb_fail(d, EB_EAUTH, NULL, "invalid session; log in again");
	eb_sha256_hex(token, 64, hash);
	struct eb_stmt *s = eb_stmt(c,
		"SELECT s.user_id, s.csrf, u.org_id, u.role, u.login, o.operator FROM sessions s "
		"JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id "
		"WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, hash);
	eb_bind_i64(s, 2, eb_now_ms());
	int rc = eb_step(s, d);
	enum eb_err e = EB_OK;
	if (rc == EB_ROW) {
		memset(who, 0, sizeof *who);
		who->kind = EB_USER;
		who->user_id = eb_col_i64(s, 0);
		snprintf(csrf, 65, "%s", eb_col_text(s, 1));
		who->org_id = eb_col_i64(s, 2);
		who->role = eb_role_parse(eb_col_text(s, 3));
		snprintf(who->label, sizeof who->label, "%s", eb_col_text(s, 4));
		who->operator_org = (int)eb_col_i64(s, 5);
	} else {
		e = rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EAUTH, NULL, "session expired; log in again");
	}
	eb_done(s);
	return e;
}

enum eb_err auth_session_delete(struct eb_conn *c, const char *hash)
{
	return eb_run(c, "DELETE FROM sessions WHERE id_hash = ?", NULL, NULL, 1, hash);
}

enum eb_err auth_token_create(struct eb_conn *c, const struct eb_principal *who,
			      int64_t org_id, const char *name, enum eb_role role,
			      json_t **out, struct eb_detail *d)
{
	enum eb_err e = access_can_admin_org(who, org_id, d);
	if (e)
		return e;
	if (who->kind != EB_CLI && role > who->role)
		return eb_fail(d, EB_EPERM, "/role", "a token cannot have a higher role than its creator");
	char secret[49], token[54], hash[65];
	eb_random_hex(secret, 24);
	snprintf(token, sizeof token, "ebt_%s", secret);
	eb_sha256_hex(token, strlen(token), hash);
	char prefix[13];
	snprintf(prefix, sizeof prefix, "%.12s", token);
	int64_t now = eb_now_ms(), id = 0;
	if ((e = eb_begin(c, d)))
		return e;
	struct eb_stmt *s = eb_stmt(c,
		"INSERT INTO api_tokens (org_id, created_by, name, role, token_hash, prefix, created_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", d);
	if (!s) {
		eb_rollback(c);
		return EB_EDB;
	}
	eb_bind_i64(s, 1, org_id);
	if (who->user_id)
		eb_bind_i64(s, 2, who->user_id);
	else
		eb_bind_null(s, 2);
	eb_bind_text(s, 3, name);
	eb_bind_text(s, 4, eb_role_name(role));
	eb_bind_text(s, 5, hash);
	eb_bind_text(s, 6, prefix);
	eb_bind_i64(s, 7, now);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		id = eb_col_i64(s, 0);
	eb_done(s);
	if (rc != EB_ROW) {
		eb_rollback(c);
		return rc < 0 ? (enum eb_err)rc : EB_EDB;
	}
	char ts[32];
	eb_fmt_time(now, ts);
	json_t *rec = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id,
				"org_id", (json_int_t)org_id, "name", name, "role",
				eb_role_name(role), "prefix", prefix, "created_at", ts);
	e = audit_append(c, who, "create", "api_token", id, NULL, rec, d);
	if (!e)
		e = eb_commit(c, d);
	else
		eb_rollback(c);
	if (e) {
		json_decref(rec);
		return e;
	}
	json_object_set_new(rec, "token", json_string(token));
	*out = rec;
	return EB_OK;
}

enum eb_err auth_token_resolve(struct eb_conn *c, const char *token,
			       struct eb_principal *who, struct eb_detail *d)
{
	size_t n = strlen(token);
	if (n != 52 || strncmp(token, "ebt_", 4) != 0)
		return eb_fail(d, EB_EAUTH, "Authorization", "not an epibridge API token");
	char hash[65];
	eb_sha256_hex(token, n, hash);
	struct eb_stmt *s = eb_stmt(c,
		"SELECT t.id, t.org_id, t.role, t.prefix, o.operator, COALESCE(t.last_used_at, 0) FROM api_tokens t "
		"JOIN orgs o ON o.id = t.org_id WHERE t.token_hash = ? AND t.revoked_at IS NULL", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, hash);
	int rc = eb_step(s, d);
	enum eb_err e = EB_OK;
	int64_t last = 0;
	if (rc == EB_ROW) {
		memset(who, 0, sizeof *who);
		who->kind = EB_TOKEN;
		who->token_id = eb_col_i64(s, 0);
		who->org_id = eb_col_i64(s, 1);
		who->role = eb_role_parse(eb_col_text(s, 2));
		snprintf(who->label, sizeof who->label, "token:%s", eb_col_text(s, 3));
		who->operator_org = (int)eb_col_i64(s, 4);
		last = eb_col_i64(s, 5);
	} else {
		e = rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EAUTH, "Authorization", "unknown or revoked API token");
	}
	eb_done(s);
	/* Record use at most once a minute, so reads stay reads. */
	int64_t now = eb_now_ms();
	if (!e && now - last > 60000) {
		struct eb_stmt *u = eb_stmt(c, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", NULL);
		if (u) {
			eb_bind_i64(u, 1, now);
			eb_bind_i64(u, 2, who->token_id);
			eb_step(u, NULL);
			eb_done(u);
		}
	}
	return e;
}

enum eb_err auth_token_list(struct eb_conn *c, const struct eb_principal *who,
			    int64_t org_id, json_t **out, struct eb_detail *d)
{
	enum eb_err e = access_can_admin_org(who, org_id, d);
	if (e)
		return e;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT id, name, role, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE org_id = ? ORDER BY id", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, org_id);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		char t[32];
		eb_fmt_time(eb_col_i64(s, 4), t);
		json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)eb_col_i64(s, 0),
				      "org_id", (json_int_t)org_id, "name", eb_col_text(s, 1),
				      "role", eb_col_text(s, 2), "prefix", eb_col_text(s, 3), "created_at", t);
		for (int k = 5; k <= 6; k++) {
			const char *key = k == 5 ? "last_used_at" : "revoked_at";
			if (eb_col_null(s, k)) {
				json_object_set_new(o, key, json_null());
			} else {
				eb_fmt_time(eb_col_i64(s, k), t);
				json_object_set_new(o, key, json_string(t));
			}
		}
		json_array_append_new(arr, o);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*out = arr;
	return EB_OK;
}

enum eb_err auth_token_revoke(struct eb_conn *c, const struct eb_principal *who,
			      int64_t id, struct eb_detail *d)
{
	enum eb_err e = eb_begin(c, d);
	if (e)
		return e;
	int64_t org = 0;
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, id);
	e = eb_run(c, "SELECT org_id FROM api_tokens WHERE id = CAST(? AS BIGINT) AND revoked_at IS NULL", &org, d, 1, ids);
	if (!e && !org)
		e = eb_fail(d, EB_ENOTFOUND, NULL, "no such active token");
	if (!e)
		e = access_can_admin_org(who, org, d);
	if (e == EB_EPERM)
		e = eb_fail(d, EB_ENOTFOUND, NULL, "no such active token");
	if (!e) {
		struct eb_stmt *s = eb_stmt(c, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", d);
		if (!s)
			e = EB_EDB;
		else {
			eb_bind_i64(s, 1, eb_now_ms());
			eb_bind_i64(s, 2, id);
			int rc = eb_step(s, d);
			eb_done(s);
			e = rc < 0 ? (enum eb_err)rc : EB_OK;
		}
	}
	if (!e) {
		json_t *after = json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1);
		e = audit_append(c, who, "revoke", "api_token", id, NULL, after, d);
		json_decref(after);
	}
	if (!e)
		return eb_commit(c, d);
	eb_rollback(c);
	return e;
}

/* ---- throttling ---- */

#define THR_SLOTS 4096
#define ACCOUNT_FREE_FAILS 5
#define ADDR_MAX_FAILS 30
#define ADDR_WINDOW_MS (10 * 60 * 1000)

struct thr {
	uint64_t key;
	int fails;
	int64_t last_ms;
	int64_t window_start;
};

static struct thr accounts[THR_SLOTS], addrs[THR_SLOTS];
static pthread_mutex_t thr_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t key_of(const char *s)
{
	unsigned char h[8];
	crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
	uint64_t k;
	memcpy(&k, h, sizeof k);
	return k ? k : 1;
}

static struct thr *slot(struct thr *tab, const char *s, int create)
{
	uint64_t k = key_of(s);
	size_t i = (size_t)(k % THR_SLOTS);
	for (int probe = 0; probe < 8; probe++, i = (i + 1) % THR_SLOTS) {
		if (tab[i].key == k)
			return &tab[i];
		if (!tab[i].key && create) {
			tab[i] = (struct thr){.key = k};
			return &tab[i];
		}
	}
	if (!create)
		return NULL;
	/* Table crowded: reuse the oldest slot of the probe run. */
	size_t best = (size_t)(k % THR_SLOTS);
	for (int probe = 0; probe < 8; probe++) {
		size_t j = (size_t)((k + (uint64_t)probe) % THR_SLOTS);
		if (tab[j].last_ms < tab[best].last_ms)
			best = j;
	}
	tab[best] = (struct thr){.key = k};
	return &tab[best];
}

static int64_t account_lock_ms(const struct thr *t)
{
	if (t->fails < ACCOUNT_FREE_FAILS)
		return 0;
	int shift = t->fails - ACCOUNT_FREE_FAILS;
	int64_t ms = 30000LL << (shift > 5 ? 5 : shift);
	return ms > 900000 ? 900000 : ms;
}

enum eb_err auth_throttle_check(const char *login, const char *addr,
				int *retry_after, struct eb_detail *d)
{
	int64_t now = eb_now_ms();
	int64_t wait = 0;
	pthread_mutex_lock(&thr_mu);
	struct thr *a = slot(accounts, login, 0);
	if (a) {
		int64_t until = a->last_ms + account_lock_ms(a);
		if (until > now)
			wait = until - now;
	}
	struct thr *b = addr ? slot(addrs, addr, 0) : NULL;
	if (b && b->fails >= ADDR_MAX_FAILS && now - b->window_start < ADDR_WINDOW_MS) {
		int64_t w = b->window_start + ADDR_WINDOW_MS - now;
		if (w > wait)
			wait = w;
	}
	pthread_mutex_unlock(&thr_mu);
	if (wait > 0) {
		*retry_after = (int)((wait + 999) / 1000);
		return eb_fail(d, EB_ETHROTTLE, NULL,
			       "too many failed logins; try again in %d seconds", *retry_after);
	}
	return EB_OK;
}

void auth_throttle_record(const char *login, const char *addr, int success)
{
	int64_t now = eb_now_ms();
	pthread_mutex_lock(&thr_mu);
	if (success) {
		struct thr *a = slot(accounts, login, 0);
		if (a)
			a->fails = 0;
	} else {
		struct thr *a = slot(accounts, login, 1);
		a->fails++;
		a->last_ms = now;
		if (addr) {
			struct thr *b = slot(addrs, addr, 1);
			if (now - b->window_start >= ADDR_WINDOW_MS) {
				b->window_start = now;
				b->fails = 0;
			}
			b->fails++;
			b->last_ms = now;
		}
	}
	pthread_mutex_unlock(&thr_mu);
}

void auth_throttle_reset(void)
{
	pthread_mutex_lock(&thr_mu);
	memset(accounts, 0, sizeof accounts);
	memset(addrs, 0, sizeof addrs);
	pthread_mutex_unlock(&thr_mu);
}
