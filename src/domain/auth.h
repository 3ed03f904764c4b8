/*
 * Authentication: passwords (Argon2id through libsodium), browser sessions,
 * API tokens, and throttling of failed logins.
 *
 * Password hashing and verification are deliberately slow (tens of
 * milliseconds, 64 MiB); the HTTP layer runs them on a worker thread.
 * Session cookies and API tokens are random 256-bit secrets; only their
 * SHA-256 is stored.  Throttling state is kept in this process's memory.
 */
#ifndef EB_DOMAIN_AUTH_H
#define EB_DOMAIN_AUTH_H

#include <jansson.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/principal.h"

struct eb_conn;

#define AUTH_HASH_MAX 128
#define AUTH_SESSION_TTL_MS (12LL * 3600 * 1000)

/* Checks the password policy (10 to 200 bytes). */
enum eb_err auth_password_ok(const char *pw, const char *field, struct eb_detail *d);
/* Slow.  out receives the encoded Argon2id hash. */
enum eb_err auth_hash_password(const char *pw, char out[AUTH_HASH_MAX]);
/* Slow.  1 when pw matches hash. */
int auth_verify_password(const char *hash, const char *pw);
/* A valid hash of a random password, to spend equal time on unknown logins. */
const char *auth_dummy_hash(void);

struct auth_login {
	int64_t user_id;
	int64_t org_id;
	int disabled;
	char pw_hash[AUTH_HASH_MAX];
};
/* EB_ENOTFOUND when there is no such login. */
enum eb_err auth_find_login(struct eb_conn *c, const char *login,
			    struct auth_login *out, struct eb_detail *d);

/* Creates a session for the user; token (the cookie value) and csrf are
 * written as 64 hex characters. */
enum eb_err auth_session_create(struct eb_conn *c, int64_t user_id,
				char token[65], char csrf[65], struct eb_detail *d);
enum eb_err auth_session_resolve(struct eb_conn *c, const char *token,
				 struct eb_principal *who, char csrf[65],
				 char hash[65], struct eb_detail *d);
enum eb_err auth_session_delete(struct eb_conn *c, const char *hash);

/* Loads the principal of a user id (for the CLI and tests). */
enum eb_err auth_user_principal(struct eb_conn *c, int64_t user_id,
				struct eb_principal *who, struct eb_detail *d);

/* API tokens: "ebt_" + 48 hex characters, shown once.  The token acts for
 * org_id with the given role, which may not exceed the creator's. */
enum eb_err auth_token_create(struct eb_conn *c, const struct eb_principal *who,
			      int64_t org_id, const char *name, enum eb_role role,
			      json_t **out, struct eb_detail *d);
enum eb_err auth_token_resolve(struct eb_conn *c, const char *token,
			       struct eb_principal *who, struct eb_detail *d);
enum eb_err auth_token_list(struct eb_conn *c, const struct eb_principal *who,
			    int64_t org_id, json_t **out, struct eb_detail *d);
enum eb_err auth_token_revoke(struct eb_conn *c, const struct eb_principal *who,
			      int64_t id, struct eb_detail *d);

/* Throttling of failed logins, per login name and per client address.
 * check returns EB_ETHROTTLE with *retry_after seconds when locked. */
enum eb_err auth_throttle_check(const char *login, const char *addr,
				int *retry_after, struct eb_detail *d);
void auth_throttle_record(const char *login, const char *addr, int success);
/* Clears all throttling state (tests, admin unlock). */
void auth_throttle_reset(void);

#endif
