/*
 * Risk assessments (C2): a level (low, moderate, high, very high) for an
 * area, a WHO region or the world, stated by an organisation on a day, with
 * a rationale; and the level the documented rules propose from the
 * indicators (docs/risk-rules.md), shown beside the human one.
 *
 * An assessment is identified by (owner organisation, scope, code, day):
 * writing one that exists corrects it (the audit log keeps the values
 * before and after).  The history of a scope is its assessments by day.
 * Reads apply the visibility rule of domain/access.h (kind "risk");
 * writes need role editor in the owner organisation and run in one
 * transaction with their audit row.
 *
 * Every assessment of an area carries "proposed": the rules' level for that
 * area and day from the indicators table (or null with the reason), never
 * in place of the human "level".
 *
 * Results are new JSON references owned by the caller.
 */
#ifndef EB_DOMAIN_RISK_H
#define EB_DOMAIN_RISK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "domain/access.h"
#include "domain/principal.h"

struct eb_conn;

enum risk_level { RISK_NONE = -1, RISK_LOW = 0, RISK_MODERATE, RISK_HIGH, RISK_VERY_HIGH };

/* "low", "moderate", "high", "very_high" (NULL-terminated). */
extern const char *const risk_level_names[];
/* "area", "region", "world" (NULL-terminated). */
extern const char *const risk_scope_names[];
/* The WHO regions: AFRO AMRO EMRO EURO SEARO WPRO (NULL-terminated). */
extern const char *const risk_who_regions[];

/* RISK_NONE when unknown. */
enum risk_level risk_level_parse(const char *s);
const char *risk_level_name(enum risk_level l);

/*
 * Creates or corrects an assessment from JSON: scope, code (area code,
 * WHO region; omitted or "world" for the world), date, level, rationale,
 * source, visibility (default partners), shared_with (org ids, with
 * visibility listed).  The owner is the caller's organisation.  *created
 * is 1 for a new assessment, 0 for a correction or an unchanged one.
 * Errors: EB_EINVAL (field named), EB_EAUTH, EB_EPERM, EB_EDB.
 */
enum eb_err risk_put(struct eb_conn *c, const struct eb_principal *who, json_t *in,
		     json_t **out, int *created, struct eb_detail *d);

/* One assessment visible to the caller (EB_ENOTFOUND otherwise). */
enum eb_err risk_get(struct eb_conn *c, const struct eb_principal *who, int64_t id,
		     json_t **out, struct eb_detail *d);

struct risk_query {
	const char *scope; /* NULL: all */
	const char *code;  /* NULL: all */
	const char *from;  /* first day, NULL: open */
	const char *to;    /* last day, NULL: open */
	int64_t org;       /* owner, 0: all */
	int limit;
	int64_t after;     /* cursor from a previous page, 0: start */
};

/*
 * Assessments visible to the caller, oldest day first (the history of a
 * scope), `limit` at a time; *cursor receives the value to pass as `after`
 * for the next page (0 when this page is empty).  Errors: EB_EINVAL (bad
 * scope, code or date; field named), EB_EDB.
 */
enum eb_err risk_list(struct eb_conn *c, const struct eb_principal *who,
		      const struct risk_query *q, json_t **items, int64_t *cursor,
		      struct eb_detail *d);

/*
 * For the map: the latest assessment visible to the caller of every scope
 * and code as of `day` (the one with the latest day not after it; among
 * several organisations on that day, the latest written), optionally of one
 * organisation (org != 0).  {date, items: [...]} by scope and code.
 */
enum eb_err risk_world(struct eb_conn *c, const struct eb_principal *who,
		       const char *day, int64_t org, json_t **out, struct eb_detail *d);

/* ---- the proposed level (docs/risk-rules.md) ---- */

/* What the rules look at; NaN when unknown. */
struct risk_inputs {
	double nr14;
	double growth_r, growth_lo, growth_hi;
	double rt_q025, rt_q975;
};

#define RISK_MAX_REASONS 4
#define RISK_REASON_LEN 200

struct risk_proposal {
	enum risk_level level; /* RISK_NONE: no proposal */
	int nreasons;
	char reasons[RISK_MAX_REASONS][RISK_REASON_LEN];
};

/* The rules themselves: pure, thread-safe. */
void risk_propose(const struct risk_inputs *in, struct risk_proposal *out);

/*
 * The proposal for an area and day from the indicators table:
 * {area, date, level (or null), reasons[], rules, inputs{...}}.  Indicators
 * derive from public reports, so no principal is needed.  Errors: EB_EINVAL
 * (bad area or date; field named), EB_EDB.
 */
enum eb_err risk_proposed(struct eb_conn *c, const char *area, const char *day,
			  json_t **out, struct eb_detail *d);

/* ---- import ---- */

struct risk_item {
	const char *scope, *code, *day, *level, *rationale, *source;
	long line; /* source line, for messages (0: none) */
};

struct risk_import_stats {
	int64_t inserted, corrected, unchanged;
};

/*
 * Writes n assessments owned by org in one transaction (all or nothing),
 * one audit row per change.  The caller needs role editor in org (the
 * command line may name any organisation).  Errors as risk_put; the detail
 * names the item's line.
 */
enum eb_err risk_import(struct eb_conn *c, const struct eb_principal *who, int64_t org,
			enum eb_visibility vis, json_t *shared_with,
			const struct risk_item *items, size_t n,
			struct risk_import_stats *st, struct eb_detail *d);

#endif
