/*
 * Helpers shared by the files of the donation capability (donation.c,
 * shipment.c, donation_recon.c, donation_export.c) and by nothing else.
 * See donation.h for the rules they serve.
 */
#ifndef EB_DOMAIN_DONATION_INT_H
#define EB_DOMAIN_DONATION_INT_H

#include <jansson.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/access.h"
#include "domain/principal.h"

struct eb_conn;

#define DONATION_QTY_MAX 1000000000000LL /* 10^12 of anything */
#define DONATION_MAX_LINES 200

/* What every check on a pledge needs. */
struct pledge_head {
	int64_t id, owner, recipient, version;
	enum eb_visibility vis;
	char status[16];
	char pledged_on[11];
	char needed_by[11];
};

/* Loads pledge id if the caller may read it (ACCESS_ADDRESSED_SQL's rule);
 * EB_ENOTFOUND otherwise. */
enum eb_err donation_pledge_head(struct eb_conn *c, const struct eb_principal *who,
				 int64_t id, struct pledge_head *h, struct eb_detail *d);

/* Inside a transaction: bumps the pledge's version (a row lock on
 * PostgreSQL that serialises every write touching the pledge) and rereads
 * its head.  EB_ECONFLICT when cancelled and !allow_cancelled. */
enum eb_err donation_pledge_lock(struct eb_conn *c, int64_t id, int allow_cancelled,
				 struct pledge_head *h, struct eb_detail *d);

/* Inside a transaction: recomputes the reconciliation rows of one pledge. */
enum eb_err donation_recon_refresh(struct eb_conn *c, int64_t pledge_id, struct eb_detail *d);

/* The caller may change records of organisation org (editor); the message
 * of a refusal names `party` ("the donor", "the recipient"). */
enum eb_err donation_can_act(const struct eb_principal *who, int64_t org,
			     const char *party, struct eb_detail *d);

/* Checks that text fields of obj named in names (NULL-terminated) are
 * valid UTF-8 without control characters other than tab and line breaks. */
enum eb_err donation_check_text(json_t *obj, const char *const *names,
				const char *prefix, struct eb_detail *d);

/* A date field: absent is fine; with not_future, no later than tomorrow
 * (UTC, so that any time zone's today passes). */
enum eb_err donation_check_day(const char *day, const char *field, int not_future,
			       struct eb_detail *d);

/* Today as YYYY-MM-DD (UTC). */
void donation_today(char out[11]);

/* {"en":..., "zh":...} */
json_t *donation_names(const char *en, const char *zh);

/* Time in ms as RFC 3339 JSON string. */
json_t *donation_time(int64_t ms);

/* Text column, or JSON null when SQL NULL. */
struct eb_stmt;
json_t *donation_col_str_or_null(struct eb_stmt *s, int col);

/* Copy of in without its "lines" member (for eb_json_check of the rest). */
json_t *donation_without_lines(json_t *in);

#endif
