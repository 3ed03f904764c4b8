/*
 * Organisations, their users, and partnerships between organisations.
 *
 * Every function takes the caller's principal and enforces the access rules
 * of domain/access.h; writes run in one transaction with their audit row.
 * Inputs are JSON objects checked here against the field specifications
 * (base/jcheck.h), so the HTTP API and the CLI share one validation.
 * Results are new JSON references owned by the caller.  Password hashes are
 * computed by the caller (slow, see auth.h) and never leave this module.
 */
#ifndef EB_DOMAIN_ORG_H
#define EB_DOMAIN_ORG_H

#include <jansson.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/principal.h"

struct eb_conn;

extern const char *const org_kinds[]; /* NULL-terminated */

enum eb_err org_create(struct eb_conn *c, const struct eb_principal *who,
		       json_t *in, json_t **out, struct eb_detail *d);
enum eb_err org_get(struct eb_conn *c, const struct eb_principal *who,
		    int64_t id, json_t **out, struct eb_detail *d);
enum eb_err org_update(struct eb_conn *c, const struct eb_principal *who,
		       int64_t id, json_t *patch, json_t **out, struct eb_detail *d);
/* Directory of organisations, by id, after `after`; filters may be NULL. */
enum eb_err org_list(struct eb_conn *c, const struct eb_principal *who,
		     int limit, int64_t after, const char *country,
		     const char *kind, json_t **items, int64_t *last_id,
		     struct eb_detail *d);
/* Finds an organisation id by English name (exact), 0 if none. */
int64_t org_find(struct eb_conn *c, const char *name_en);
/* Marks (on = 1) or unmarks an organisation as an operator of the
 * deployment.  Only the command line may; audited. */
enum eb_err org_set_operator(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, int on, struct eb_detail *d);

/* Users.  org_user_check validates a creation request before the caller
 * spends time hashing its password. */
enum eb_err org_user_check(json_t *in, int partial, struct eb_detail *d);
enum eb_err org_user_create(struct eb_conn *c, const struct eb_principal *who,
			    int64_t org_id, json_t *in, const char *pw_hash,
			    json_t **out, struct eb_detail *d);
enum eb_err org_user_get(struct eb_conn *c, const struct eb_principal *who,
			 int64_t id, json_t **out, struct eb_detail *d);
/* pw_hash may be NULL (password unchanged). */
enum eb_err org_user_update(struct eb_conn *c, const struct eb_principal *who,
			    int64_t id, json_t *patch, const char *pw_hash,
			    json_t **out, struct eb_detail *d);
enum eb_err org_user_list(struct eb_conn *c, const struct eb_principal *who,
			  int64_t org_id, json_t **out, struct eb_detail *d);
/* The caller's own profile: name, email, lang, and password change. */
enum eb_err org_me_check(json_t *in, struct eb_detail *d);
enum eb_err org_me_update(struct eb_conn *c, const struct eb_principal *who,
			  json_t *patch, const char *pw_hash, json_t **out,
			  struct eb_detail *d);
int64_t org_user_count(struct eb_conn *c);

/* Partnerships: proposed by one organisation's admin, active when the other
 * accepts; either may end it. */
enum eb_err org_partner_propose(struct eb_conn *c, const struct eb_principal *who,
				json_t *in, json_t **out, struct eb_detail *d);
enum eb_err org_partner_accept(struct eb_conn *c, const struct eb_principal *who,
			       int64_t id, json_t **out, struct eb_detail *d);
enum eb_err org_partner_end(struct eb_conn *c, const struct eb_principal *who,
			    int64_t id, struct eb_detail *d);
enum eb_err org_partner_list(struct eb_conn *c, const struct eb_principal *who,
			     json_t **out, struct eb_detail *d);
/* CLI and demo: an active partnership straight away. */
enum eb_err org_partner_link(struct eb_conn *c, const struct eb_principal *who,
			     int64_t a, int64_t b, struct eb_detail *d);

#endif
