/*
 * Demo records of supply donations (C4): the donations of the People's
 * Daily report of 4 March 2020 (docs/demo.md, docs/donations.md), entered
 * through the same domain calls as the API so every rule and audit row
 * applies:
 *   - to Japan, a batch of nucleic-acid test kits from Chinese
 *     manufacturers and charities the embassy in Japan contacted;
 *   - to Japan, 5,000 protective suits and 100,000 masks from the Chinese
 *     government in batches, the first two arrived in Tokyo by the end of
 *     February 2020 and were received; the rest is still planned;
 *   - to Daegu, 25,000+ medical masks from the embassy in the Republic of
 *     Korea on 27 February 2020;
 *   - to Iran, several batches from the embassy in Iran and from Chinese
 *     companies in Iran.
 * The report gives neither the split between the Japanese batches nor the
 * number of test kits or what went to Iran: the split is illustrative, the
 * test kits are one batch (unit "batch"), the Iranian supplies batches of
 * unitemised supplies (a catalogue item the demo adds), and unknown dates
 * are the latest the report allows; each record's note says so.  All are
 * public, as the report made them public.  Loading is idempotent: a pledge
 * whose donor already has one with the same title is left alone.
 */
#include "cli/cli.h"
#include "cli/demo.h"
#include "domain/donation.h"
#include "store/db.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct demo_batch {
	const char *dispatched_on, *arrived_on, *received_on; /* NULL: not yet */
	int64_t q[2];                                          /* per line */
	const char *carrier;
};

struct demo_pledge {
	const char *donor, *recipient, *donor_type, *donor_name;
	const char *country, *subdivision, *city, *title, *pledged_on, *note;
	const char *item[2], *unit[2];
	int64_t qty[2];
	const char *line_note[2];
	struct demo_batch batches[3];
};

#define NOT_PUBLISHED "The report of 4 March 2020 gives no date: "

static const struct demo_pledge pledges[] = {
	{"donor-co", "moh-jp", "company", "", "JP", "JP-13", "Tokyo",
	 "Nucleic-acid test kits for Japan, arranged by the Chinese Embassy in Japan", "2020-03-04",
	 "Given the new turn of the epidemic in Japan, the Chinese Embassy in Japan contacted manufacturers and charitable "
	 "organisations in China, which urgently provided a batch of novel coronavirus nucleic-acid test kits. The embassy's "
	 "post about it was viewed over 600,000 times. " NOT_PUBLISHED "recorded on the report's date.",
	 {"nucleic_acid_test_kit", NULL}, {"batch", NULL}, {1, 0},
	 {"a batch (一批); the number of kits was not published", NULL},
	 {{"2020-03-04", "2020-03-04", "2020-03-04", {1, 0}, ""}}},
	{"mfa-cn", "moh-jp", "government", "Government of the People's Republic of China", "JP", "JP-13", "Tokyo",
	 "Protective suits and masks for Japan from the Chinese government", "2020-02-29",
	 "5,000 protective suits and 100,000 masks donated in batches; the first two batches arrived in Tokyo at the end of "
	 "February 2020. The split between batches is illustrative (not published); the dates are the end of February, "
	 "the latest the report allows.",
	 {"protective_suit", "medical_mask"}, {NULL, NULL}, {5000, 100000}, {NULL, NULL},
	 {{"2020-02-29", "2020-02-29", "2020-02-29", {2000, 40000}, ""},
	  {"2020-02-29", "2020-02-29", "2020-02-29", {2000, 40000}, ""},
	  {NULL, NULL, NULL, {1000, 20000}, ""}}},
	{"emb-kr", "daegu", "government", "", "KR", "KR-27", "Daegu",
	 "Medical masks for Daegu from the Chinese Embassy in the Republic of Korea", "2020-02-27",
	 "The embassy raised more than 25,000 medical masks from several sources and donated them on 27 February 2020 to "
	 "Daegu, the city hardest hit in Korea, with the banners \"道不远人，人无异国\" and \"Go Daegu! Go Korea!\".",
	 {"medical_mask", NULL}, {NULL, NULL}, {25000, 0}, {"25,000+ (2.5万余只)", NULL},
	 {{"2020-02-27", "2020-02-27", "2020-02-27", {25000, 0}, ""}}},
	{"emb-ir", "moh-ir", "government", "", "IR", "", "Tehran",
	 "Epidemic prevention supplies for Iran from the Chinese Embassy in Iran", "2020-03-04",
	 "The Chinese Embassy in Iran donated several batches of supplies to support Iran's epidemic control. The report "
	 "itemises neither the supplies nor the batches: two batches of unitemised supplies are recorded. " NOT_PUBLISHED
	 "recorded on the report's date.",
	 {"medical_supplies", NULL}, {NULL, NULL}, {2, 0}, {NULL, NULL},
	 {{"2020-03-04", "2020-03-04", "2020-03-04", {1, 0}, ""}, {"2020-03-04", "2020-03-04", "2020-03-04", {1, 0}, ""}}},
	{"emb-ir", "moh-ir", "company", "Chinese companies in Iran (当地中资企业)", "IR", "", "Tehran",
	 "Epidemic prevention supplies for Iran from Chinese companies in Iran", "2020-03-04",
	 "Chinese companies in Iran donated several batches of supplies, recorded on their behalf by the embassy. The report "
	 "itemises neither the supplies nor the batches: two batches of unitemised supplies are recorded. " NOT_PUBLISHED
	 "recorded on the report's date.",
	 {"medical_supplies", NULL}, {NULL, NULL}, {2, 0}, {NULL, NULL},
	 {{"2020-03-04", "2020-03-04", "2020-03-04", {1, 0}, ""}, {"2020-03-04", "2020-03-04", "2020-03-04", {1, 0}, ""}}},
};

static int fail(enum eb_err e, const struct eb_detail *d, const char *what)
{
	fprintf(stderr, "epibridge: demo donations (%s): ", what);
	return cli_fail_detail(e, d);
}

/* Whether the donor already has a pledge with this title. */
static int exists(struct eb_conn *c, const struct eb_principal *who, int64_t donor, const char *title)
{
	struct donation_query q = {.org = donor, .limit = 1000};
	json_t *items = NULL;
	int64_t last = 0;
	int found = 0;
	if (donation_pledge_list(c, who, &q, &items, &last, NULL) == EB_OK) {
		size_t i;
		json_t *p;
		json_array_foreach(items, i, p) found |= strcmp(json_string_value(json_object_get(p, "title")), title) == 0;
		json_decref(items);
	}
	return found;
}

static int move(struct eb_conn *c, const struct eb_principal *who, int64_t id, const char *to, const char *on)
{
	json_t *in = json_pack("{s:s, s:s}", "to", to, "on", on), *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = shipment_transition(c, who, id, in, &out, &d);
	json_decref(in);
	json_decref(out);
	return e ? fail(e, &d, to) : 0;
}

static int load_one(struct eb_conn *c, const struct eb_principal *who, const struct demo_pledge *p)
{
	int64_t donor = demo_org_id(c, p->donor), recipient = demo_org_id(c, p->recipient);
	if (!donor || !recipient)
		return cli_fail("demo donations: organisation %s or %s is missing", p->donor, p->recipient);
	if (exists(c, who, donor, p->title))
		return 0;
	json_t *lines = json_array();
	for (int i = 0; i < 2 && p->item[i]; i++) {
		json_t *l = json_pack("{s:s, s:I}", "item", p->item[i], "quantity", (json_int_t)p->qty[i]);
		if (p->unit[i])
			json_object_set_new(l, "unit", json_string(p->unit[i]));
		if (p->line_note[i])
			json_object_set_new(l, "note", json_string(p->line_note[i]));
		json_array_append_new(lines, l);
	}
	json_t *in = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "donor_org", (json_int_t)donor,
			       "donor_type", p->donor_type, "donor_name", p->donor_name, "recipient_org", (json_int_t)recipient,
			       "country", p->country, "city", p->city, "title", p->title, "pledged_on", p->pledged_on,
			       "status", "committed", "visibility", "public", "note", p->note, "lines", lines);
	if (*p->subdivision)
		json_object_set_new(in, "subdivision", json_string(p->subdivision));
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = donation_pledge_create(c, who, in, &out, &d);
	json_decref(in);
	if (e)
		return fail(e, &d, p->title);
	int64_t pledge = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	for (int b = 0; b < 3 && (p->batches[b].q[0] || p->batches[b].q[1]); b++) {
		const struct demo_batch *x = &p->batches[b];
		json_t *bl = json_array();
		for (int i = 0; i < 2 && p->item[i]; i++)
			if (x->q[i])
				json_array_append_new(bl, json_pack("{s:I, s:I}", "line", (json_int_t)(i + 1), "quantity", (json_int_t)x->q[i]));
		json_t *sin = json_pack("{s:o}", "lines", bl), *sout = NULL;
		e = shipment_create(c, who, pledge, sin, &sout, &d);
		json_decref(sin);
		if (e)
			return fail(e, &d, "batch");
		int64_t sid = json_integer_value(json_object_get(sout, "id"));
		json_decref(sout);
		if (x->dispatched_on && move(c, who, sid, "dispatched", x->dispatched_on))
			return 1;
		if (x->arrived_on && move(c, who, sid, "arrived", x->arrived_on))
			return 1;
		if (x->received_on) {
			json_t *rin = json_pack("{s:s, s:s}", "received_on", x->received_on, "received_by", "demo"), *rout = NULL;
			e = shipment_receive(c, who, sid, rin, &rout, &d);
			json_decref(rin);
			json_decref(rout);
			if (e)
				return fail(e, &d, "receipt");
		}
	}
	return 0;
}

int demo_donations(struct eb_db *db, struct eb_conn *c, const struct eb_principal *who)
{
	(void)db;
	/* The catalogue extension the Iranian records need. */
	json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", "medical_supplies", "name_en",
				 "Epidemic prevention supplies (not itemised)", "name_zh", "防疫物资（未列明）", "unit", "batch",
				 "category", "other"),
	       *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = donation_item_create(c, who, item, &out, &d);
	json_decref(item);
	json_decref(out);
	if (e && e != EB_EEXIST)
		return fail(e, &d, "catalogue");
	size_t n = sizeof pledges / sizeof pledges[0];
	for (size_t i = 0; i < n; i++) {
		cli_progress("demo donations", (int64_t)i + 1, (int64_t)n);
		int rc = load_one(c, who, &pledges[i]);
		if (rc)
			return rc;
	}
	cli_progress_end();
	return 0;
}
