/*
 * Demo records of C3 (alerts, joint statements, advisories), from the
 * People's Daily report of 4 March 2020 (docs/demo.md):
 *   - the China-Tanzania joint statement on strengthening prevention and
 *     control cooperation, drafted by the embassy in Tanzania, co-signed
 *     by Tanzania's ministries of foreign affairs and health, issued;
 *   - Greece's information exchange: the embassy shares China's situation
 *     and measures with Greece's ministry of health (restricted), which
 *     acknowledges it;
 *   - Bosnia and Herzegovina's: the embassy shares China's measures with
 *     the ministries of foreign and civil affairs (restricted), read by both;
 *   - the advisory for Chinese citizens entering Bosnia and Herzegovina to
 *     cooperate with its entry quarantine (public).
 * Every message is in English and Chinese.  Identifiers are fixed, so a
 * second run finds them and adds nothing (a statement left as a draft by an
 * interrupted run is approved and issued).
 */
#include "cli/cli.h"
#include "cli/demo.h"
#include "domain/alert.h"
#include "store/db.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static struct eb_principal as_org(const struct eb_principal *who, int64_t org)
{
	struct eb_principal p = *who;
	p.org_id = org;
	return p;
}

static json_t *info(const char *lang, const char *headline, const char *description,
		    const char *instruction, const char *effective)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "language", lang, "headline", headline, "description", description);
	if (instruction)
		json_object_set_new(o, "instruction", json_string(instruction));
	if (effective)
		json_object_set_new(o, "effective", json_string(effective));
	return o;
}

/* Creates a message unless its identifier exists.  *id gets its id (0 if
 * it existed and could not be found). */
static int create(struct eb_conn *c, const struct eb_principal *who, json_t *in, int64_t *id)
{
	json_t *out = NULL;
	struct eb_detail d = {0};
	*id = 0;
	enum eb_err e = alert_create(c, who, in, &out, &d);
	if (e == EB_EEXIST)
		return 0;
	if (e)
		return cli_fail_detail(e, &d);
	*id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return 0;
}

static int joint_statement(struct eb_conn *c, const struct eb_principal *who)
{
	int64_t emb = demo_org_id(c, "emb-tz"), mfa = demo_org_id(c, "mfa-tz"), moh = demo_org_id(c, "moh-tz");
	struct eb_principal pe = as_org(who, emb);
	json_t *cap = json_pack("{s:s, s:s, s:s, s:[o, o]}", "identifier", "urn:epibridge:demo:2020:cn-tz-joint-statement",
		"sent", "2020-02-28T11:00:00+03:00", "scope", "Public", "info",
		info("en", "Joint statement of China and Tanzania on strengthening cooperation in the prevention and control of COVID-19",
		     "At a joint briefing, the Embassy of China and the Government of Tanzania state that they will strengthen "
		     "cooperation in the prevention and control of the epidemic. Tanzania's Foreign Minister Kabudi: \"China "
		     "responded in a timely and efficient way and shared information with WHO and the countries concerned in a "
		     "transparent and responsible manner, effectively containing the spread of the epidemic worldwide.\"",
		     "Follow the guidance of the Ministry of Health of Tanzania.", NULL),
		info("zh", "中坦关于加强新冠肺炎疫情防控合作的联合声明",
		     "中国驻坦桑尼亚大使馆与坦桑尼亚政府举办联合吹风会，就疫情及中坦加强防控合作发表联合声明。坦桑尼亚外长卡布迪："
		     "“中方及时高效应对疫情，并以透明、负责的态度同世卫组织、有关国家分享信息、开展合作，有力遏制了疫情在全球范围内的蔓延。”",
		     "请遵循坦桑尼亚卫生部的指导。", NULL));
	json_t *in = json_pack("{s:s, s:o, s:[s], s:[I, I]}", "kind", "joint_statement", "cap", cap, "areas", "TZ",
			       "cosigners", (json_int_t)mfa, (json_int_t)moh);
	int64_t id = 0;
	int rc = create(c, &pe, in, &id);
	json_decref(in);
	if (rc)
		return rc;
	if (!id) {
		/* It exists: finish it if an earlier run stopped half-way. */
		struct alert_query q = {.kind = "joint_statement", .state = "draft", .org = emb, .limit = 50};
		json_t *items = NULL;
		int64_t last;
		if (alert_list(c, &pe, &q, &items, &last, NULL) == EB_OK) {
			size_t i;
			json_t *a;
			json_array_foreach(items, i, a)
				if (strcmp(json_string_value(json_object_get(a, "identifier")), "urn:epibridge:demo:2020:cn-tz-joint-statement") == 0)
					id = json_integer_value(json_object_get(a, "id"));
		}
		json_decref(items);
		if (!id)
			return 0;
	}
	struct eb_detail d = {0};
	json_t *out = NULL;
	int64_t signers[2] = {mfa, moh};
	for (int i = 0; i < 2; i++) {
		struct eb_principal ps = as_org(who, signers[i]);
		enum eb_err e = alert_decide(c, &ps, id, 1, "Agreed at the joint briefing", &out, &d);
		json_decref(out);
		out = NULL;
		if (e && e != EB_ECONFLICT)
			return cli_fail_detail(e, &d);
	}
	enum eb_err e = alert_issue(c, &pe, id, &out, &d);
	json_decref(out);
	return e && e != EB_ECONFLICT ? cli_fail_detail(e, &d) : 0;
}

/* A restricted information exchange from an embassy to host ministries,
 * then read (and acknowledged by ack_by, if non-zero) by them. */
static int exchange(struct eb_conn *c, const struct eb_principal *who, const char *from, const char *const *to,
		    int nto, const char *ack_by, const char *ident, const char *sent, const char *area,
		    json_t *en, json_t *zh)
{
	struct eb_principal pf = as_org(who, demo_org_id(c, from));
	json_t *shared = json_array();
	for (int i = 0; i < nto; i++)
		json_array_append_new(shared, json_integer(demo_org_id(c, to[i])));
	json_t *cap = json_pack("{s:s, s:s, s:s, s:s, s:[o, o]}", "identifier", ident, "sent", sent, "scope", "Restricted",
				"restriction", "For the health and foreign affairs authorities addressed", "info", en, zh);
	json_object_set_new(json_array_get(json_object_get(cap, "info"), 0), "event", json_string("COVID-19 information exchange"));
	json_object_set_new(json_array_get(json_object_get(cap, "info"), 1), "event", json_string("新冠肺炎疫情信息通报"));
	for (int i = 0; i < 2; i++) {
		json_t *inf = json_array_get(json_object_get(cap, "info"), (size_t)i);
		json_object_set_new(inf, "urgency", json_string("Expected"));
		json_object_set_new(inf, "severity", json_string("Moderate"));
		json_object_set_new(inf, "certainty", json_string("Observed"));
	}
	json_t *in = json_pack("{s:o, s:o, s:[s]}", "cap", cap, "shared_with", shared, "areas", area);
	int64_t id = 0;
	int rc = create(c, &pf, in, &id);
	json_decref(in);
	if (rc || !id)
		return rc;
	for (int i = 0; i < nto; i++) {
		struct eb_principal pt = as_org(who, demo_org_id(c, to[i]));
		json_t *out = NULL;
		struct eb_detail d = {0};
		int ack = ack_by && strcmp(ack_by, to[i]) == 0;
		enum eb_err e = alert_inbox_mark(c, &pt, id, ack ? ALERT_ACK : ALERT_READ, &out, &d);
		json_decref(out);
		if (e)
			return cli_fail_detail(e, &d);
	}
	return 0;
}

static int advisory(struct eb_conn *c, const struct eb_principal *who)
{
	struct eb_principal pe = as_org(who, demo_org_id(c, "emb-ba"));
	json_t *cap = json_pack("{s:s, s:s, s:s, s:[o, o]}", "identifier", "urn:epibridge:demo:2020:ba-entry-advisory",
		"sent", "2020-03-01T10:00:00+01:00", "scope", "Public", "info",
		info("en", "Chinese citizens entering Bosnia and Herzegovina: cooperate with entry quarantine",
		     "The Embassy of China in Bosnia and Herzegovina has followed the measures Bosnia and Herzegovina takes "
		     "against COVID-19. There are no confirmed or suspected cases in the country so far.",
		     "Chinese citizens entering Bosnia and Herzegovina are advised to cooperate actively with the quarantine "
		     "measures of the Bosnian authorities on entry.", "2020-03-01T10:00:00+01:00"),
		info("zh", "提示入境波黑的中国公民积极配合入境检疫",
		     "中国驻波黑大使馆在疫情发生后及时了解波方相关措施。截至目前，波黑尚未发现新冠肺炎确诊或疑似病例。",
		     "提示入境波黑的中国公民积极配合波方相关检疫举措。", "2020-03-01T10:00:00+01:00"));
	for (int i = 0; i < 2; i++)
		json_object_set_new(json_array_get(json_object_get(cap, "info"), (size_t)i), "expires",
				    json_string("2020-04-30T23:59:59+02:00"));
	json_t *in = json_pack("{s:s, s:s, s:s, s:o}", "kind", "advisory", "citizens_of", "CN", "entering", "BA", "cap", cap);
	int64_t id;
	int rc = create(c, &pe, in, &id);
	json_decref(in);
	return rc;
}

/* Who follows what: WHO every public message, Tanzania's ministry its
 * country. */
static int subscriptions(struct eb_conn *c, const struct eb_principal *who)
{
	static const char *const subs[][2] = {{"who", "*"}, {"moh-tz", "TZ"}};
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		struct eb_principal p = as_org(who, demo_org_id(c, subs[i][0]));
		json_t *items = NULL;
		struct eb_detail d = {0};
		if (alert_sub_list(c, &p, &items, &d))
			return cli_fail_detail(EB_EDB, &d);
		int have = json_array_size(items) > 0;
		json_decref(items);
		if (have)
			continue;
		json_t *in = json_pack("{s:s}", "area", subs[i][1]), *out = NULL;
		enum eb_err e = alert_sub_create(c, &p, in, &out, &d);
		json_decref(in);
		json_decref(out);
		if (e)
			return cli_fail_detail(e, &d);
	}
	return 0;
}

int demo_alerts(struct eb_db *db, struct eb_conn *c, const struct eb_principal *who)
{
	(void)db;
	int rc = subscriptions(c, who);
	cli_progress("demo alerts", 1, 4);
	if (!rc)
		rc = joint_statement(c, who);
	cli_progress("demo alerts", 2, 4);
	static const char *const gr[] = {"moh-gr"};
	if (!rc)
		rc = exchange(c, who, "emb-gr", gr, 1, "moh-gr", "urn:epibridge:demo:2020:gr-information-exchange",
			      "2020-02-26T15:00:00+02:00", "CN",
			      info("en", "China's COVID-19 situation and its prevention and control measures",
				   "The Embassy of China shares the latest epidemic information and China's prevention and "
				   "control measures with the Ministry of Health of Greece and its agencies, to support Greece's "
				   "preparations.", "Use it to prepare the emergency response mechanism.", NULL),
			      info("zh", "中国新冠肺炎疫情及防控措施通报",
				   "中国驻希腊大使馆向希腊卫生部及其下属专业机构通报疫情信息和中方防控措施，促进希方相关应对部署。",
				   "供希方提前建立应急处置机制参考。", NULL));
	cli_progress("demo alerts", 3, 4);
	static const char *const ba[] = {"mfa-ba", "moh-ba"};
	if (!rc)
		rc = exchange(c, who, "emb-ba", ba, 2, NULL, "urn:epibridge:demo:2020:ba-information-exchange",
			      "2020-03-02T11:00:00+01:00", "CN",
			      info("en", "China's measures against COVID-19, shared with Bosnia and Herzegovina",
				   "The Embassy of China keeps in contact with the Ministry of Foreign Affairs and the Ministry of "
				   "Civil Affairs of Bosnia and Herzegovina and informs them of China's prevention and control of "
				   "the epidemic.", NULL, NULL),
			      info("zh", "向波方通报中方防控疫情的相关信息",
				   "中国驻波黑大使馆同波黑外交部、民政部等部门保持沟通，向波方通报中方防控疫情的相关信息。", NULL, NULL));
	if (!rc)
		rc = advisory(c, who);
	cli_progress("demo alerts", 4, 4);
	cli_progress_end();
	return rc;
}
