/*
 * `epibridge demo`: loads the organisations, accounts and partnerships of
 * the cooperation described in the People's Daily report of 4 March 2020
 * (docs/demo.md), then serves them unless --load-only.  Loading is
 * idempotent: records that exist are left alone.  Capabilities add their
 * demo records in their own demo_* functions called from here.
 */
#include "cli/cli.h"
#include "cli/demo.h"
#include "cli/serve.h"
#include "domain/auth.h"
#include "domain/org.h"
#include "store/db.h"
#include "base/log.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define DEMO_PASSWORD "epibridge-demo"

static const struct demo_org demo_orgs[] = {
	{"operator", "international_organisation", "Network operator", "网络运营方", "CH", NULL},
	{"moh-cn", "ministry_of_health", "National Health Commission of the People's Republic of China", "中华人民共和国国家卫生健康委员会", "CN", NULL},
	{"mfa-cn", "government", "Ministry of Foreign Affairs of the People's Republic of China", "中华人民共和国外交部", "CN", NULL},
	{"moh-jp", "ministry_of_health", "Ministry of Health, Labour and Welfare of Japan", "日本厚生劳动省", "JP", NULL},
	{"moh-kr", "ministry_of_health", "Ministry of Health and Welfare of the Republic of Korea", "韩国保健福祉部", "KR", NULL},
	{"daegu", "local_government", "Daegu Metropolitan City", "大邱广域市", "KR", NULL},
	{"moh-ir", "ministry_of_health", "Ministry of Health and Medical Education of Iran", "伊朗卫生和医疗教育部", "IR", NULL},
	{"moh-it", "ministry_of_health", "Ministry of Health of Italy", "意大利卫生部", "IT", NULL},
	{"iss-it", "public_health_agency", "Istituto Superiore di Sanità", "意大利高等卫生研究院", "IT", NULL},
	{"spallanzani", "hospital", "Lazzaro Spallanzani National Institute for Infectious Diseases", "斯帕兰扎尼国家传染病医院", "IT", NULL},
	{"moh-gr", "ministry_of_health", "Ministry of Health of Greece", "希腊卫生部", "GR", NULL},
	{"moh-tz", "ministry_of_health", "Ministry of Health of Tanzania", "坦桑尼亚卫生部", "TZ", NULL},
	{"mfa-tz", "government", "Ministry of Foreign Affairs of Tanzania", "坦桑尼亚外交部", "TZ", NULL},
	{"moh-ba", "ministry_of_health", "Ministry of Civil Affairs of Bosnia and Herzegovina", "波黑民政部", "BA", NULL},
	{"mfa-ba", "government", "Ministry of Foreign Affairs of Bosnia and Herzegovina", "波黑外交部", "BA", NULL},
	{"moh-ug", "ministry_of_health", "Ministry of Health of Uganda", "乌干达卫生部", "UG", NULL},
	{"emb-jp", "embassy", "Embassy of the People's Republic of China in Japan", "中国驻日本大使馆", "JP", "mfa-cn"},
	{"emb-kr", "embassy", "Embassy of the People's Republic of China in the Republic of Korea", "中国驻韩国大使馆", "KR", "mfa-cn"},
	{"emb-ir", "embassy", "Embassy of the People's Republic of China in Iran", "中国驻伊朗大使馆", "IR", "mfa-cn"},
	{"emb-it", "embassy", "Embassy of the People's Republic of China in Italy", "中国驻意大利大使馆", "IT", "mfa-cn"},
	{"emb-gr", "embassy", "Embassy of the People's Republic of China in Greece", "中国驻希腊大使馆", "GR", "mfa-cn"},
	{"emb-tz", "embassy", "Embassy of the People's Republic of China in Tanzania", "中国驻坦桑尼亚大使馆", "TZ", "mfa-cn"},
	{"emb-ba", "embassy", "Embassy of the People's Republic of China in Bosnia and Herzegovina", "中国驻波黑大使馆", "BA", "mfa-cn"},
	{"emb-ug", "embassy", "Embassy of the People's Republic of China in Uganda", "中国驻乌干达大使馆", "UG", "mfa-cn"},
	{"medteam-ug", "hospital", "Chinese Medical Team in Uganda", "中国援乌干达医疗队", "UG", "moh-cn"},
	{"who", "international_organisation", "World Health Organization", "世界卫生组织", "CH", NULL},
	{"who-ug", "international_organisation", "WHO Country Office for Uganda", "世卫组织驻乌干达代表处", "UG", "who"},
	{"rcsc", "red_cross_society", "Red Cross Society of China", "中国红十字会", "CN", NULL},
	{"donor-co", "company", "Chinese medical supplies manufacturers (donor group)", "国内有关厂家（捐赠方）", "CN", NULL},
	{"jhu", "research_institute", "Johns Hopkins University CSSE", "约翰斯·霍普金斯大学系统科学与工程中心", "US", NULL},
	{"ecdc", "public_health_agency", "European Centre for Disease Prevention and Control", "欧洲疾病预防控制中心", "SE", NULL},
};

/* Pairs that work together in the report: each embassy with its host
 * ministry, China's commission with every ministry, WHO with every ministry. */
static const char *const demo_partners[][2] = {
	{"emb-jp", "moh-jp"}, {"emb-kr", "moh-kr"}, {"emb-kr", "daegu"}, {"emb-ir", "moh-ir"},
	{"emb-it", "moh-it"}, {"emb-it", "iss-it"}, {"emb-it", "spallanzani"}, {"emb-gr", "moh-gr"},
	{"emb-tz", "moh-tz"}, {"emb-tz", "mfa-tz"}, {"emb-ba", "moh-ba"}, {"emb-ba", "mfa-ba"},
	{"emb-ug", "moh-ug"}, {"medteam-ug", "moh-ug"}, {"medteam-ug", "who-ug"}, {"who-ug", "moh-ug"},
	{"moh-cn", "moh-jp"}, {"moh-cn", "moh-kr"}, {"moh-cn", "moh-ir"}, {"moh-cn", "moh-it"},
	{"moh-cn", "moh-gr"}, {"moh-cn", "moh-tz"}, {"moh-cn", "moh-ba"}, {"moh-cn", "moh-ug"},
	{"who", "moh-cn"}, {"who", "moh-jp"}, {"who", "moh-kr"}, {"who", "moh-ir"}, {"who", "moh-it"},
	{"who", "moh-gr"}, {"who", "moh-tz"}, {"who", "moh-ba"}, {"who", "moh-ug"},
	{"rcsc", "moh-ir"}, {"rcsc", "emb-ir"}, {"donor-co", "emb-jp"}, {"donor-co", "emb-ir"},
	{"moh-cn", "spallanzani"}, {"ecdc", "moh-it"}, {"ecdc", "moh-gr"},
	{"mfa-cn", "moh-cn"},
};

int64_t demo_org_id(struct eb_conn *c, const char *key)
{
	for (size_t i = 0; i < sizeof demo_orgs / sizeof demo_orgs[0]; i++)
		if (strcmp(demo_orgs[i].key, key) == 0)
			return org_find(c, demo_orgs[i].name_en);
	return 0;
}

const struct demo_org *demo_org_table(size_t *n)
{
	*n = sizeof demo_orgs / sizeof demo_orgs[0];
	return demo_orgs;
}

/* Marks the demo's operator organisation once (the audit log keeps one
 * row, however often the demo is loaded). */
static void org_set_operator_once(struct eb_conn *c, const struct eb_principal *who, int64_t id)
{
	json_t *o = NULL;
	if (org_get(c, who, id, &o, NULL) == EB_OK && !json_is_true(json_object_get(o, "operator")))
		org_set_operator(c, who, id, 1, NULL);
	json_decref(o);
}

static int load_orgs(struct eb_conn *c, const struct eb_principal *who)
{
	struct eb_detail d = {0};
	char hash[AUTH_HASH_MAX];
	if (auth_hash_password(DEMO_PASSWORD, hash))
		return cli_fail("cannot hash the demo password");
	size_t n = sizeof demo_orgs / sizeof demo_orgs[0];
	for (size_t i = 0; i < n; i++) {
		const struct demo_org *o = &demo_orgs[i];
		cli_progress("demo organisations", (int64_t)i + 1, (int64_t)n);
		int64_t id = org_find(c, o->name_en);
		if (!id) {
			json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "kind", o->kind, "name_en", o->name_en,
					       "name_zh", o->name_zh, "country", o->country);
			if (o->parent)
				json_object_set_new(in, "parent_id", json_integer(demo_org_id(c, o->parent)));
			json_t *out = NULL;
			enum eb_err e = org_create(c, who, in, &out, &d);
			json_decref(in);
			if (e)
				return cli_fail_detail(e, &d);
			id = json_integer_value(json_object_get(out, "id"));
			json_decref(out);
		}
		static const char *const roles[] = {"admin", "editor", "viewer"};
		for (int r = 0; r < 3; r++) {
			char login[64];
			snprintf(login, sizeof login, "%s.%s", o->key, roles[r]);
			struct auth_login lg;
			if (auth_find_login(c, login, &lg, NULL) == EB_OK)
				continue;
			char name[128];
			snprintf(name, sizeof name, "%s %s", o->key, roles[r]);
			json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "login", login, "name", name,
					       "role", roles[r], "password", DEMO_PASSWORD, "lang",
					       strcmp(o->country, "CN") == 0 ? "zh" : "en");
			json_t *out = NULL;
			enum eb_err e = org_user_create(c, who, id, in, hash, &out, &d);
			json_decref(in);
			json_decref(out);
			if (e)
				return cli_fail_detail(e, &d);
		}
	}
	cli_progress_end();
	org_set_operator_once(c, who, demo_org_id(c, "operator"));
	for (size_t i = 0; i < sizeof demo_partners / sizeof demo_partners[0]; i++) {
		int64_t a = demo_org_id(c, demo_partners[i][0]), b = demo_org_id(c, demo_partners[i][1]);
		enum eb_err e = org_partner_link(c, who, a, b, &d);
		if (e && e != EB_EEXIST)
			return cli_fail_detail(e, &d);
	}
	return 0;
}

int demo_load(struct eb_db *db)
{
	struct eb_conn *c = eb_db_acquire(db);
	struct eb_principal who = cli_principal();
	snprintf(who.label, sizeof who.label, "demo");
	int rc = load_orgs(c, &who);
	for (size_t i = 0; !rc && demo_loaders[i]; i++)
		rc = demo_loaders[i](db, c, &who);
	eb_db_release(c);
	return rc;
}

int cmd_demo(int argc, char **argv)
{
	struct serve_opts o;
	serve_defaults(&o);
	o.db = "epibridge-demo.db";
	int rc = serve_parse(argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		fputs("usage: epibridge demo [--db FILE|URL] [--load-only] [serve options]\n\n"
		      "Loads the demo into the database (default ./epibridge-demo.db): the ministries\n"
		      "of health, Chinese embassies, WHO, the Red Cross Society of China and a donor\n"
		      "group of the early-2020 cooperation, with accounts, then serves it on\n"
		      "http://127.0.0.1:8080 unless --load-only.  Takes every option of 'serve'.\n\n"
		      "Demo accounts: <org>.admin, <org>.editor, <org>.viewer (for example\n"
		      "emb-jp.editor, moh-jp.admin, who.viewer), password " DEMO_PASSWORD ".\n", stdout);
		return 0;
	}
	struct eb_db *db = cli_open_db(cli_db_url(o.db), o.threads);
	if (!db)
		return 1;
	rc = demo_load(db);
	if (!rc) {
		printf("Demo loaded into %s.\n"
		       "Demo accounts: <org>.admin / <org>.editor / <org>.viewer, password %s\n"
		       "  for example operator.admin (runs the network), moh-cn.admin, emb-jp.editor, moh-jp.admin, who.viewer\n"
		       "  ('epibridge org list --db %s' lists the organisations)\n",
		       eb_db_name(db), DEMO_PASSWORD, eb_db_name(db));
		fflush(stdout);
	}
	if (!rc && !o.load_only)
		rc = serve_run(db, &o, 1);
	eb_db_close(db);
	return rc;
}
