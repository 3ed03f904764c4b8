/*
 * Administration from the command line: `org`, `user`, `token`, `audit` and
 * `backup`.  Each acts as the operator through the same domain functions as
 * the API, so the same checks and audit rows apply.
 */
#include "cli/cli.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/org.h"
#include "store/db.h"
#include "base/util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct args {
	const char *db, *kind, *name_en, *name_zh, *country, *login, *name, *email,
		*role, *password, *lang;
	int64_t org, parent;
	int help, json, operator_flag, generate;
};

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"kind", required_argument, 0, 'k'},
		{"name-en", required_argument, 0, 'e'}, {"name-zh", required_argument, 0, 'z'},
		{"country", required_argument, 0, 'c'}, {"parent", required_argument, 0, 'p'},
		{"org", required_argument, 0, 'o'}, {"login", required_argument, 0, 'l'},
		{"name", required_argument, 0, 'n'}, {"email", required_argument, 0, 'm'},
		{"role", required_argument, 0, 'r'}, {"password", required_argument, 0, 'w'},
		{"lang", required_argument, 0, 'g'}, {"json", no_argument, 0, 'j'},
		{"operator", no_argument, 0, 'O'}, {"generate-password", no_argument, 0, 'G'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': a->db = optarg; break;
		case 'k': a->kind = optarg; break;
		case 'e': a->name_en = optarg; break;
		case 'z': a->name_zh = optarg; break;
		case 'c': a->country = optarg; break;
		case 'p':
			if (eb_parse_i64(optarg, 1, INT64_MAX, &a->parent))
				return cli_fail("--parent must be an organisation id");
			break;
		case 'o':
			if (eb_parse_i64(optarg, 1, INT64_MAX, &a->org))
				return cli_fail("--org must be an organisation id (see 'epibridge org list')");
			break;
		case 'l': a->login = optarg; break;
		case 'n': a->name = optarg; break;
		case 'm': a->email = optarg; break;
		case 'r': a->role = optarg; break;
		case 'w': a->password = optarg; break;
		case 'g': a->lang = optarg; break;
		case 'j': a->json = 1; break;
		case 'O': a->operator_flag = 1; break;
		case 'G': a->generate = 1; break;
		case 'h': a->help = 1; break;
		default: return 2;
		}
	}
	return 0;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static void print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s)
		puts(s);
	free(s);
}

/* The common start of a command with verbs (org, user, token, audit):
 * --help, options, and the database (existing: refuse a SQLite file that
 * does not exist).  Returns -1 to go on with *db and *c set, or the exit
 * status to return. */
static int verb_begin(int argc, char **argv, const char *help, int existing,
		      struct args *a, struct eb_db **db, struct eb_conn **c)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(help, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	int rc = parse(argc - 1, argv + 1, a);
	if (rc)
		return rc;
	if (a->help) {
		fputs(help, stdout);
		return 0;
	}
	const char *url = cli_db_url(a->db);
	*db = existing ? cli_open_existing_db(url, 1) : cli_open_db(url, 1);
	if (!*db)
		return 1;
	*c = eb_db_acquire(*db);
	return -1;
}

/* The common end: reports e (if any) and closes; returns the exit status. */
static int verb_end(struct eb_db *db, struct eb_conn *c, enum eb_err e,
		    const struct eb_detail *d, int rc)
{
	if (e)
		rc = cli_fail_detail(e, d);
	eb_db_release(c);
	eb_db_close(db);
	return rc;
}

/* ---- org ---- */

static const char org_help[] =
	"usage: epibridge org list [--db DB] [--json]\n"
	"       epibridge org add --kind KIND --name-en NAME [--name-zh NAME] --country CC\n"
	"                         [--parent ID] [--operator] [--db DB]\n"
	"       epibridge org show ID [--db DB]\n"
	"       epibridge org partner ID1 ID2 [--db DB]   (an active partnership)\n"
	"       epibridge org operator ID [off] [--db DB] (its admins administer every organisation)\n\n"
	"KIND is one of: ministry_of_health public_health_agency embassy consulate\n"
	"international_organisation ngo red_cross_society company hospital\n"
	"research_institute local_government volunteer_group government.\n"
	"CC is an ISO 3166-1 alpha-2 code such as CN.\n";

int cmd_org(int argc, char **argv)
{
	struct args a = {0};
	struct eb_db *db = NULL;
	struct eb_conn *c = NULL;
	int rc = verb_begin(argc, argv, org_help, 0, &a, &db, &c);
	if (rc >= 0)
		return rc;
	rc = 0;
	const char *sub = argv[1];
	struct eb_principal who = cli_principal();
	struct eb_detail d = {0};
	json_t *out = NULL;
	enum eb_err e = EB_OK;
	int pos = optind + 1; /* positional arguments after the subcommand */
	if (strcmp(sub, "list") == 0) {
		int64_t last = 0, after = 0;
		if (!a.json)
			printf("%-5s %-28s %-3s %-40s %s\n", "ID", "KIND", "CC", "NAME", "中文名");
		json_t *all = json_array();
		do {
			e = org_list(c, &who, 500, after, NULL, NULL, &out, &last, &d);
			if (e)
				break;
			size_t i;
			json_t *o;
			json_array_foreach(out, i, o) {
				if (a.json)
					json_array_append(all, o);
				else
					printf("%-5lld %-28s %-3s %-40s %s\n",
					       (long long)json_integer_value(json_object_get(o, "id")),
					       json_string_value(json_object_get(o, "kind")),
					       json_string_value(json_object_get(o, "country")),
					       json_string_value(json_object_get(o, "name_en")),
					       json_string_value(json_object_get(o, "name_zh")));
			}
			size_t n = json_array_size(out);
			json_decref(out);
			out = NULL;
			after = n == 500 ? last : 0;
		} while (after);
		if (a.json && !e)
			print_json(all);
		json_decref(all);
	} else if (strcmp(sub, "add") == 0) {
		json_t *in = json_object();
		set_str(in, "kind", a.kind);
		set_str(in, "name_en", a.name_en);
		set_str(in, "name_zh", a.name_zh);
		set_str(in, "country", a.country);
		if (a.parent)
			json_object_set_new(in, "parent_id", json_integer(a.parent));
		e = org_create(c, &who, in, &out, &d);
		json_decref(in);
		if (!e && a.operator_flag) {
			int64_t id = json_integer_value(json_object_get(out, "id"));
			json_decref(out);
			out = NULL;
			e = org_set_operator(c, &who, id, 1, &d);
			if (!e)
				e = org_get(c, &who, id, &out, &d);
		}
		if (!e)
			print_json(out);
	} else if (strcmp(sub, "show") == 0 && pos < argc + 0) {
		int64_t id;
		if (eb_parse_i64(argv[pos], 1, INT64_MAX, &id))
			e = eb_fail(&d, EB_EINVAL, NULL, "give an organisation id");
		else if (!(e = org_get(c, &who, id, &out, &d)))
			print_json(out);
	} else if (strcmp(sub, "operator") == 0 && pos < argc) {
		int64_t id;
		int on = !(pos + 1 < argc && strcmp(argv[pos + 1], "off") == 0);
		if (eb_parse_i64(argv[pos], 1, INT64_MAX, &id))
			e = eb_fail(&d, EB_EINVAL, NULL, "give an organisation id");
		else if (!(e = org_set_operator(c, &who, id, on, &d)))
			printf("organisation %lld is %s an operator\n", (long long)id, on ? "now" : "no longer");
	} else if (strcmp(sub, "partner") == 0 && pos + 1 < argc + 0) {
		int64_t x, y;
		if (eb_parse_i64(argv[pos], 1, INT64_MAX, &x) || eb_parse_i64(argv[pos + 1], 1, INT64_MAX, &y))
			e = eb_fail(&d, EB_EINVAL, NULL, "give two organisation ids");
		else if (!(e = org_partner_link(c, &who, x, y, &d)))
			printf("organisations %lld and %lld are partners\n", (long long)x, (long long)y);
	} else {
		fputs(org_help, stderr);
		rc = 2;
	}
	json_decref(out);
	return verb_end(db, c, e, &d, rc);
}

/* ---- user ---- */

static const char user_help[] =
	"usage: epibridge user list --org ID [--db DB]\n"
	"       epibridge user add --org ID --login LOGIN --name NAME --role admin|editor|viewer\n"
	"                          [--email E] [--lang en|zh] [--password P | --generate-password]\n"
	"       epibridge user passwd LOGIN [--password P | --generate-password]\n"
	"       epibridge user disable LOGIN | enable LOGIN\n\n"
	"Without --password the password is read from the terminal (or one line of stdin).\n"
	"Passwords need at least 10 characters.\n";

static int get_password(struct args *a, char *buf, size_t n)
{
	if (a->password) {
		snprintf(buf, n, "%s", a->password);
	} else if (a->generate) {
		eb_random_hex(buf, 10);
		printf("generated password: %s\n", buf);
	} else if (cli_read_password("password: ", buf, n) != 0) {
		return cli_fail("no password given; use --password, --generate-password or type it");
	}
	return 0;
}

static int64_t user_id_of(struct eb_conn *c, const char *login)
{
	struct auth_login lg;
	return auth_find_login(c, login, &lg, NULL) == EB_OK ? lg.user_id : 0;
}

int cmd_user(int argc, char **argv)
{
	struct args a = {0};
	struct eb_db *db = NULL;
	struct eb_conn *c = NULL;
	int rc = verb_begin(argc, argv, user_help, 0, &a, &db, &c);
	if (rc >= 0)
		return rc;
	rc = 0;
	const char *sub = argv[1];
	const char *target = optind + 1 < argc ? argv[optind + 1] : NULL;
	struct eb_principal who = cli_principal();
	struct eb_detail d = {0};
	json_t *out = NULL;
	enum eb_err e = EB_OK;
	char pw[256], hash[AUTH_HASH_MAX];
	if (strcmp(sub, "list") == 0 && a.org) {
		if (!(e = org_user_list(c, &who, a.org, &out, &d))) {
			size_t i;
			json_t *u;
			printf("%-5s %-24s %-8s %-8s %s\n", "ID", "LOGIN", "ROLE", "STATE", "NAME");
			json_array_foreach(out, i, u)
				printf("%-5lld %-24s %-8s %-8s %s\n", (long long)json_integer_value(json_object_get(u, "id")),
				       json_string_value(json_object_get(u, "login")),
				       json_string_value(json_object_get(u, "role")),
				       json_is_true(json_object_get(u, "disabled")) ? "disabled" : "active",
				       json_string_value(json_object_get(u, "name")));
		}
	} else if (strcmp(sub, "add") == 0 && a.org) {
		json_t *in = json_object();
		set_str(in, "login", a.login);
		set_str(in, "name", a.name);
		set_str(in, "email", a.email);
		set_str(in, "role", a.role);
		set_str(in, "lang", a.lang);
		json_object_set_new(in, "password", json_string("placeholder-checked-below"));
		e = org_user_check(in, 0, &d);
		if (!e && (rc = get_password(&a, pw, sizeof pw)) == 0) {
			json_object_set_new(in, "password", json_string(pw));
			e = org_user_check(in, 0, &d);
			if (!e && auth_hash_password(pw, hash))
				e = EB_ENOMEM;
			if (!e && !(e = org_user_create(c, &who, a.org, in, hash, &out, &d)))
				print_json(out);
		}
		json_decref(in);
	} else if ((strcmp(sub, "passwd") == 0 || strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) && target) {
		int64_t id = user_id_of(c, target);
		json_t *in = json_object();
		if (!id) {
			e = eb_fail(&d, EB_ENOTFOUND, NULL, "no user with login %s", target);
		} else if (strcmp(sub, "passwd") == 0) {
			if ((rc = get_password(&a, pw, sizeof pw)) == 0) {
				json_object_set_new(in, "password", json_string(pw));
				e = org_user_check(in, 1, &d);
				if (!e && auth_hash_password(pw, hash))
					e = EB_ENOMEM;
				if (!e)
					e = org_user_update(c, &who, id, json_object(), hash, &out, &d);
				if (!e)
					printf("password of %s changed; their sessions were ended\n", target);
			}
		} else {
			json_object_set_new(in, "disabled", json_boolean(strcmp(sub, "disable") == 0));
			if (!(e = org_user_update(c, &who, id, in, NULL, &out, &d)))
				printf("%s %sd\n", target, sub);
		}
		json_decref(in);
	} else {
		fputs(user_help, stderr);
		rc = 2;
	}
	json_decref(out);
	return verb_end(db, c, e, &d, rc);
}

/* ---- token ---- */

static const char token_help[] =
	"usage: epibridge token create --org ID --name NAME --role admin|editor|viewer [--db DB]\n"
	"       epibridge token list --org ID [--db DB]\n"
	"       epibridge token revoke ID [--db DB]\n\n"
	"The token is printed once; send it as 'Authorization: Bearer <token>'.\n";

int cmd_token(int argc, char **argv)
{
	struct args a = {0};
	struct eb_db *db = NULL;
	struct eb_conn *c = NULL;
	int rc = verb_begin(argc, argv, token_help, 0, &a, &db, &c);
	if (rc >= 0)
		return rc;
	rc = 0;
	const char *sub = argv[1];
	const char *target = optind + 1 < argc ? argv[optind + 1] : NULL;
	struct eb_principal who = cli_principal();
	struct eb_detail d = {0};
	json_t *out = NULL;
	enum eb_err e = EB_OK;
	if (strcmp(sub, "create") == 0 && a.org && a.name && a.role) {
		enum eb_role role = eb_role_parse(a.role);
		if (!role)
			e = eb_fail(&d, EB_EINVAL, "--role", "role must be admin, editor or viewer");
		else if (!(e = auth_token_create(c, &who, a.org, a.name, role, &out, &d)))
			printf("%s\n", json_string_value(json_object_get(out, "token")));
	} else if (strcmp(sub, "list") == 0 && a.org) {
		if (!(e = auth_token_list(c, &who, a.org, &out, &d)))
			print_json(out);
	} else if (strcmp(sub, "revoke") == 0 && target) {
		int64_t id;
		if (eb_parse_i64(target, 1, INT64_MAX, &id))
			e = eb_fail(&d, EB_EINVAL, NULL, "give the token id (see 'epibridge token list')");
		else if (!(e = auth_token_revoke(c, &who, id, &d)))
			printf("token %lld revoked\n", (long long)id);
	} else {
		fputs(token_help, stderr);
		rc = 2;
	}
	json_decref(out);
	return verb_end(db, c, e, &d, rc);
}

/* ---- audit ---- */

static void audit_progress(int64_t done, int64_t total, void *arg)
{
	(void)arg;
	cli_progress("verifying audit log", done, total);
}

int cmd_audit(int argc, char **argv)
{
	static const char help[] =
		"usage: epibridge audit verify [--db DB]   check the hash chain; exit 1 if broken\n"
		"       epibridge audit list [--db DB]     the latest 50 entries as JSON\n";
	struct args a = {0};
	struct eb_db *db = NULL;
	struct eb_conn *c = NULL;
	int rc = verb_begin(argc, argv, help, 1, &a, &db, &c);
	if (rc >= 0)
		return rc;
	rc = 0;
	const char *sub = argv[1];
	struct eb_detail d = {0};
	enum eb_err e = EB_OK;
	if (strcmp(sub, "verify") == 0) {
		struct audit_report rep;
		e = audit_verify(c, &rep, audit_progress, NULL, &d);
		cli_progress_end();
		if (!e) {
			if (rep.first_bad) {
				printf("audit log BROKEN at row %lld: %s\n", (long long)rep.first_bad, rep.reason);
				rc = 1;
			} else {
				printf("audit log intact: %lld rows verified\n", (long long)rep.rows);
			}
		}
	} else if (strcmp(sub, "list") == 0) {
		json_t *out = NULL;
		int64_t last;
		struct eb_principal who = cli_principal();
		if (!(e = audit_list(c, &who, 50, 0, &out, &last, &d)))
			print_json(out);
		json_decref(out);
	} else {
		fputs(help, stderr);
		rc = 2;
	}
	return verb_end(db, c, e, &d, rc);
}

/* ---- backup ---- */

static void backup_progress(int remaining, int total, void *arg)
{
	(void)arg;
	cli_progress("backing up (pages)", total - remaining, total);
}

int cmd_backup(int argc, char **argv)
{
	static const char help[] =
		"usage: epibridge backup FILE [--db DB]\n\n"
		"Writes a consistent copy of the SQLite database to FILE (which must not exist)\n"
		"while the server keeps running.  To restore: stop the server, replace the\n"
		"database file with FILE (and delete any -wal and -shm files beside it), start.\n"
		"For PostgreSQL use pg_dump -Fc and pg_restore.\n";
	struct args a = {0};
	int rc = parse(argc, argv, &a);
	if (rc)
		return rc;
	if (a.help) {
		fputs(help, stdout);
		return 0;
	}
	if (optind >= argc) {
		fputs(help, stderr);
		return 2;
	}
	const char *file = argv[optind];
	struct eb_db *db = cli_open_existing_db(cli_db_url(a.db), 1);
	if (!db)
		return 1;
	struct eb_detail d = {0};
	enum eb_err e = eb_db_backup(db, file, backup_progress, NULL, &d);
	cli_progress_end();
	eb_db_close(db);
	if (e)
		return cli_fail_detail(e, &d);
	printf("backup written to %s\n", file);
	return 0;
}
