/*
 * In-kind aid flows: currencies, money formatting, shipment values and the
 * HXL CSV writer.  See aidflow.h.
 *
 * The currency table holds the ISO 4217 codes in use in 2020 and since (so
 * that records of 2020, in HRK or SLL, stay valid), with their decimals.
 */
#include "formats/aidflow.h"
#include "formats/csv.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Three letters each, sorted, for bsearch. */
static const char currencies[] =
	"AED" "AFN" "ALL" "AMD" "ANG" "AOA" "ARS" "AUD" "AWG" "AZN" "BAM" "BBD" "BDT" "BGN" "BHD" "BIF"
	"BMD" "BND" "BOB" "BOV" "BRL" "BSD" "BTN" "BWP" "BYN" "BZD" "CAD" "CDF" "CHE" "CHF" "CHW" "CLF"
	"CLP" "CNY" "COP" "COU" "CRC" "CUC" "CUP" "CVE" "CZK" "DJF" "DKK" "DOP" "DZD" "EGP" "ERN" "ETB"
	"EUR" "FJD" "FKP" "GBP" "GEL" "GHS" "GIP" "GMD" "GNF" "GTQ" "GYD" "HKD" "HNL" "HRK" "HTG" "HUF"
	"IDR" "ILS" "INR" "IQD" "IRR" "ISK" "JMD" "JOD" "JPY" "KES" "KGS" "KHR" "KMF" "KPW" "KRW" "KWD"
	"KYD" "KZT" "LAK" "LBP" "LKR" "LRD" "LSL" "LYD" "MAD" "MDL" "MGA" "MKD" "MMK" "MNT" "MOP" "MRU"
	"MUR" "MVR" "MWK" "MXN" "MXV" "MYR" "MZN" "NAD" "NGN" "NIO" "NOK" "NPR" "NZD" "OMR" "PAB" "PEN"
	"PGK" "PHP" "PKR" "PLN" "PYG" "QAR" "RON" "RSD" "RUB" "RWF" "SAR" "SBD" "SCR" "SDG" "SEK" "SGD"
	"SHP" "SLE" "SLL" "SOS" "SRD" "SSP" "STN" "SVC" "SYP" "SZL" "THB" "TJS" "TMT" "TND" "TOP" "TRY"
	"TTD" "TWD" "TZS" "UAH" "UGX" "USD" "USN" "UYI" "UYU" "UYW" "UZS" "VED" "VES" "VND" "VUV" "WST"
	"XAF" "XCD" "XOF" "XPF" "YER" "ZAR" "ZMW" "ZWL";

static const char zero_decimals[] = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
static const char three_decimals[] = "BHD IQD JOD KWD LYD OMR TND";
static const char four_decimals[] = "CLF UYW";

static int cmp3(const void *a, const void *b)
{
	return memcmp(a, b, 3);
}

int aid_currency_exponent(const char *code)
{
	if (!code || strlen(code) != 3)
		return -1;
	if (!bsearch(code, currencies, (sizeof currencies - 1) / 3, 3, cmp3))
		return -1;
	if (strstr(zero_decimals, code))
		return 0;
	if (strstr(three_decimals, code))
		return 3;
	if (strstr(four_decimals, code))
		return 4;
	return 2;
}

static int64_t pow10i(int e)
{
	int64_t p = 1;
	while (e-- > 0)
		p *= 10;
	return p;
}

enum eb_err aid_money_to_minor(double amount, const char *currency, int64_t *minor)
{
	int e = aid_currency_exponent(currency);
	if (e < 0)
		return EB_EINVAL;
	if (!isfinite(amount) || amount < 0)
		return EB_EINVAL;
	double v = round(amount * (double)pow10i(e));
	if (v > 1e15)
		return EB_EINVAL;
	*minor = (int64_t)v;
	return EB_OK;
}

void aid_money_format(int64_t minor, const char *currency, char out[32])
{
	int e = aid_currency_exponent(currency);
	if (e <= 0) {
		snprintf(out, 32, "%" PRId64, minor);
		return;
	}
	int64_t p = pow10i(e);
	const char *sign = minor < 0 ? "-" : "";
	uint64_t m = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	snprintf(out, 32, "%s%" PRIu64 ".%0*" PRIu64, sign, m / (uint64_t)p, e, m % (uint64_t)p);
}

double aid_money_major(int64_t minor, const char *currency)
{
	int e = aid_currency_exponent(currency);
	return (double)minor / (double)pow10i(e > 0 ? e : 0);
}

const char *aid_donor_name(const struct aid_pledge *p)
{
	return p->donor_name && *p->donor_name ? p->donor_name : p->owner.name_en;
}

int64_t aid_shipment_value(const struct aid_pledge *p, const struct aid_shipment *s,
			   const char *currency, int *any)
{
	int64_t total = 0;
	*any = 0;
	for (size_t i = 0; i < p->nlines; i++) {
		const struct aid_line *l = &p->lines[i];
		if (!l->has_value || strcmp(l->currency, currency) != 0 || s->quantity[i] <= 0)
			continue;
		*any = 1;
		/* The pledged quantity only shrinks to what was shipped, so a
		 * line on a batch has pledged > 0; guard anyway. */
		if (l->pledged <= 0)
			continue;
		/* value * q / pledged without overflow: values stay under 10^15
		 * minor units and q <= pledged. */
		long double v = (long double)l->value_minor * (long double)s->quantity[i] / (long double)l->pledged;
		total += (int64_t)llroundl(v);
	}
	return total;
}

/* ---- HXL CSV ---- */

static const char *const hxl_names[] = {
	"Pledge", "Status", "Donor", "Donor type", "Recorded by", "Recipient", "Country",
	"Subdivision", "City", "Pledged on", "Needed by", "Item code", "Item", "Unit",
	"Pledged", "Shipped", "Received", "Outstanding", "Value", "Currency", NULL};
static const char *const hxl_tags[] = {
	"#activity+code", "#status", "#org+donor+name", "#org+donor+type", "#org+reporting+name",
	"#org+recipient+name", "#country+code", "#adm1+code", "#loc+name", "#date+pledged",
	"#date+needed", "#item+code", "#item+name", "#item+unit", "#item+pledged+num",
	"#item+shipped+num", "#item+received+num", "#item+outstanding+num", "#value+pledged",
	"#currency", NULL};

static enum eb_err row_of(struct eb_buf *b, const char *const *cells)
{
	enum eb_err e = EB_OK;
	for (int i = 0; !e && cells[i]; i++)
		e = csv_write_field(b, i == 0, cells[i], strlen(cells[i]));
	return e ? e : csv_write_end(b);
}

enum eb_err aid_hxl_header(struct eb_buf *b)
{
	enum eb_err e = row_of(b, hxl_names);
	return e ? e : row_of(b, hxl_tags);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

enum eb_err aid_hxl_pledge(struct eb_buf *b, const struct aid_pledge *p)
{
	char id[24];
	snprintf(id, sizeof id, "pledge-%" PRId64, p->id);
	for (size_t i = 0; i < p->nlines; i++) {
		const struct aid_line *l = &p->lines[i];
		char pl[24], sh[24], rc[24], out[24], val[32] = "";
		snprintf(pl, sizeof pl, "%" PRId64, l->pledged);
		snprintf(sh, sizeof sh, "%" PRId64, l->shipped);
		snprintf(rc, sizeof rc, "%" PRId64, l->received);
		snprintf(out, sizeof out, "%" PRId64, l->pledged > l->received ? l->pledged - l->received : 0);
		if (l->has_value)
			aid_money_format(l->value_minor, l->currency, val);
		const char *cells[] = {
			id, nz(p->status), aid_donor_name(p), nz(p->donor_type), nz(p->owner.name_en),
			nz(p->recipient.name_en), nz(p->country), nz(p->subdivision), nz(p->city),
			nz(p->pledged_on), nz(p->needed_by), nz(l->item), nz(l->item_en), nz(l->unit),
			pl, sh, rc, out, val, l->has_value ? nz(l->currency) : "", NULL};
		enum eb_err e = row_of(b, cells);
		if (e)
			return e;
	}
	return EB_OK;
}
