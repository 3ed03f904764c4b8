/*
 * In-kind aid flows: the model the donation exports are written from, the
 * money and currency rules they share, and the HXL-tagged CSV writer.
 *
 * One struct aid_pledge is one pledge of supplies from a donor to a
 * recipient organisation at a place, with its lines (an item, the quantity
 * pledged and how much of it was shipped and received) and its shipments
 * (batches with their dates and quantities per line).  The domain fills it
 * from the database (domain/donation_export.c); the writers here, in
 * formats/iati.h and in formats/fts.h turn it into text.  This file knows
 * nothing of the database or of HTTP.
 *
 * Money is held as an integer count of minor units (cents) of an ISO 4217
 * currency; aid_currency_exponent gives how many decimals a currency has.
 *
 * All strings in the model are borrowed (the caller keeps them alive while
 * a writer runs); "" stands for unknown.  Every function is thread-safe.
 */
#ifndef EB_FORMATS_AIDFLOW_H
#define EB_FORMATS_AIDFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* An organisation taking part in a flow. */
struct aid_party {
	int64_t id;          /* organisation id in this deployment */
	const char *name_en;
	const char *name_zh; /* may be "" */
	const char *kind;    /* organisation kind (org.h), e.g. "embassy" */
	const char *country; /* ISO 3166-1 alpha-2 */
};

/* One line of a pledge and what became of it. */
struct aid_line {
	int line_no;
	const char *item;     /* catalogue code, e.g. "protective_suit" */
	const char *item_en, *item_zh;
	const char *unit;     /* "set", "piece", ... or "batch" */
	int64_t pledged;      /* current (amended) quantity; 0 when cancelled */
	int64_t shipped;      /* on batches dispatched or later (not lost) */
	int64_t received;     /* counted by the recipient */
	int has_value;
	int64_t value_minor;  /* value of the whole pledged quantity */
	const char *currency; /* ISO 4217, when has_value */
};

/* One batch.  quantity[i] and received[i] belong to the pledge's line i. */
struct aid_shipment {
	int64_t id;
	int batch_no;
	const char *status;        /* planned, dispatched, in_transit, arrived, received, lost, cancelled */
	const char *dispatched_on; /* YYYY-MM-DD or "" */
	const char *arrived_on;
	const char *received_on;
	const int64_t *quantity;   /* nlines entries, 0 when the line is not on it */
	const int64_t *received;   /* nlines entries, -1 when not counted */
};

struct aid_pledge {
	int64_t id;
	struct aid_party owner;     /* the donor organisation, or who recorded it */
	struct aid_party recipient;
	const char *donor_type;     /* government, local_government, company, red_cross_society, ngo, individual */
	const char *donor_name;     /* the donor when not the owner, else "" */
	const char *country, *subdivision, *city;
	const char *title, *note;
	const char *status;         /* pledged, committed, cancelled */
	const char *visibility;
	const char *pledged_on, *committed_on, *needed_by; /* "" when unknown */
	int64_t updated_ms;
	const struct aid_line *lines;
	size_t nlines;
	const struct aid_shipment *shipments;
	size_t nshipments;
};

/* Decimals of ISO 4217 currency code (0 for JPY and KRW, 3 for KWD, 2 for
 * most); -1 when code is not an active ISO 4217 code. */
int aid_currency_exponent(const char *code);

/* Converts an amount in major units (12.5) to minor units of currency
 * (1250), rounding half away from zero.  EB_EINVAL for an unknown currency,
 * a negative, non-finite or too large (over 10^15 minor units) amount. */
enum eb_err aid_money_to_minor(double amount, const char *currency,
			       int64_t *minor);

/* Minor units as a decimal string in major units ("1250.00" for 125000
 * cents, "25000" for yen): the form IATI and HXL take. */
void aid_money_format(int64_t minor, const char *currency, char out[32]);

/* Minor units as a JSON-friendly double in major units. */
double aid_money_major(int64_t minor, const char *currency);

/* The donor's display name: donor_name when set, else the owner's. */
const char *aid_donor_name(const struct aid_pledge *p);

/* Value in minor units of `currency` carried by shipment s of pledge p:
 * each line's value pro rata of the quantity on the batch.  *any is set to
 * 1 when some line on the batch has a value in that currency. */
int64_t aid_shipment_value(const struct aid_pledge *p,
			   const struct aid_shipment *s, const char *currency,
			   int *any);

/*
 * HXL-tagged CSV of pledge lines (one row per line): a row of column names,
 * then the row of hashtags, then the rows.  aid_hxl_header writes the first
 * two, aid_hxl_pledge the rows of one pledge.  Columns:
 *   Pledge #activity+code, Status #status, Donor #org+donor+name, Donor
 *   type #org+donor+type, Recorded by #org+reporting+name, Recipient
 *   #org+recipient+name, Country #country+code, Subdivision #adm1+code,
 *   City #loc+name, Pledged on #date+pledged, Needed by #date+needed,
 *   Item code #item+code, Item #item+name, Unit #item+unit, Pledged
 *   #item+pledged+num, Shipped #item+shipped+num, Received
 *   #item+received+num, Outstanding #item+outstanding+num, Value
 *   #value+pledged, Currency #currency.
 * Errors are the buffer's (EB_ETOOBIG, EB_ENOMEM).
 */
enum eb_err aid_hxl_header(struct eb_buf *b);
enum eb_err aid_hxl_pledge(struct eb_buf *b, const struct aid_pledge *p);

#endif
