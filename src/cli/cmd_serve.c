/*
 * `epibridge serve`: opens the database (applying migrations), creates the
 * first admin if there is none, loads the web dashboard and serves until
 * SIGTERM or SIGINT.  Also `epibridge routes`, which prints the route table.
 */
#include "cli/cli.h"
#include "cli/serve.h"
#include "domain/auth.h"
#include "domain/org.h"
#include "http/alert_svc.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static.h"
#include "store/db.h"
#include "base/log.h"
#include "base/util.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --web, else $EB_WEB_DIR, else ./web, else <exe>/../web. */
static const char *find_web(const char *opt, char *buf, size_t n)
{
	if (opt)
		return opt;
	const char *env = getenv("EB_WEB_DIR");
	if (env && *env)
		return env;
	if (is_dir("web"))
		return "web";
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0) {
		exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, n, "%s/../web", exe);
			if (is_dir(buf))
				return buf;
		}
	}
	return NULL;
}

int cli_bootstrap(struct eb_db *db, const char *base_url)
{
	struct eb_conn *c = eb_db_acquire(db);
	int rc = 0;
	if (org_user_count(c) > 0)
		goto out;
	struct eb_principal cli = cli_principal();
	struct eb_detail d = {0};
	json_t *org = NULL, *user = NULL;
	int64_t org_id = org_find(c, "Network operator");
	if (!org_id) {
		json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "kind", "international_organisation",
				       "name_en", "Network operator", "name_zh", "网络运营方", "country", "CH");
		enum eb_err e = org_create(c, &cli, in, &org, &d);
		json_decref(in);
		if (e) {
			rc = cli_fail_detail(e, &d);
			goto out;
		}
		org_id = json_integer_value(json_object_get(org, "id"));
		json_decref(org);
	}
	org_set_operator(c, &cli, org_id, 1, NULL);
	char pw[25], hash[AUTH_HASH_MAX];
	eb_random_hex(pw, 12);
	if (auth_hash_password(pw, hash) != EB_OK) {
		rc = cli_fail("cannot hash the first admin's password (out of memory?)");
		goto out;
	}
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "login", "admin", "name", "Administrator",
			       "role", "admin", "password", pw);
	enum eb_err e = org_user_create(c, &cli, org_id, in, hash, &user, &d);
	json_decref(in);
	json_decref(user);
	if (e) {
		rc = cli_fail_detail(e, &d);
		goto out;
	}
	printf("\nFirst administrator created.\n"
	       "  open     %s\n"
	       "  login    admin\n"
	       "  password %s\n"
	       "Change the password after logging in (top right, Profile), or run\n"
	       "  epibridge user passwd admin --db %s\n\n",
	       base_url, pw, eb_db_name(db));
	fflush(stdout);
out:
	eb_db_release(c);
	return rc;
}

static void serve_usage(FILE *f)
{
	fputs("usage: epibridge serve [--db FILE|URL] [--port N] [--bind ADDR] [--threads N]\n"
	      "                       [--web DIR] [--max-body BYTES] [--max-upload BYTES]\n"
	      "                       [--secure-cookies] [--quiet]\n\n"
	      "Serves the API under /api/v1 and the web dashboard on http://ADDR:PORT.\n"
	      "Creates the database and applies migrations when needed, and creates a first\n"
	      "administrator when there is no user (the password is printed once).\n\n"
	      "  --db FILE|URL      SQLite file (default ./epibridge.db, or $EPIBRIDGE_DB)\n"
	      "                     or postgres://user:password@host:5432/dbname\n"
	      "  --port N           TCP port (default 8080; 0 picks a free port)\n"
	      "  --bind ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
	      "  --threads N        HTTP threads and database connections (default 4)\n"
	      "  --web DIR          dashboard files (default ./web or beside the binary)\n"
	      "  --max-body BYTES   largest request body (default 1048576)\n"
	      "  --max-upload BYTES largest CSV upload to /api/v1/imports (default 67108864)\n"
	      "  --secure-cookies   mark cookies Secure (when served behind HTTPS)\n"
	      "  --trusted-proxy IP the reverse proxy's address: for its requests the client is\n"
	      "                     the last address in X-Forwarded-For (login throttling, logs)\n"
	      "  --quiet            no access log\n"
	      "  --port-file FILE   write the bound port to FILE (for tests)\n", f);
}

int serve_parse(int argc, char **argv, struct serve_opts *o)
{
	static const struct option opts[] = {
		{"db", required_argument, 0, 'd'}, {"port", required_argument, 0, 'p'},
		{"bind", required_argument, 0, 'b'}, {"threads", required_argument, 0, 't'},
		{"web", required_argument, 0, 'w'}, {"max-body", required_argument, 0, 'm'},
		{"max-upload", required_argument, 0, 'U'},
		{"secure-cookies", no_argument, 0, 's'}, {"quiet", no_argument, 0, 'q'},
		{"port-file", required_argument, 0, 'P'}, {"trusted-proxy", required_argument, 0, 'T'}, {"load-only", no_argument, 0, 'L'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int ch;
	int64_t v;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': o->db = optarg; break;
		case 'p':
			if (eb_parse_i64(optarg, 0, 65535, &v))
				return cli_fail("--port must be a number from 0 to 65535");
			o->port = (int)v;
			break;
		case 'b': o->bind = optarg; break;
		case 't':
			if (eb_parse_i64(optarg, 1, 256, &v))
				return cli_fail("--threads must be a number from 1 to 256");
			o->threads = (int)v;
			break;
		case 'w': o->web = optarg; break;
		case 'T': o->trusted_proxy = optarg; break;
		case 'm':
			if (eb_parse_i64(optarg, 1024, 1 << 30, &v))
				return cli_fail("--max-body must be between 1024 and 1073741824 bytes");
			o->max_body = (size_t)v;
			break;
		case 'U':
			if (eb_parse_i64(optarg, 1024, (int64_t)1 << 34, &v))
				return cli_fail("--max-upload must be between 1024 and 17179869184 bytes");
			o->max_upload = (size_t)v;
			break;
		case 's': o->secure_cookies = 1; break;
		case 'q': o->quiet = 1; break;
		case 'P': o->port_file = optarg; break;
		case 'L': o->load_only = 1; break;
		case 'h': o->help = 1; return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	return 0;
}

void serve_defaults(struct serve_opts *o)
{
	memset(o, 0, sizeof *o);
	o->port = 8080;
	o->bind = "127.0.0.1";
	o->threads = 4;
	o->max_body = 1 << 20;
	o->max_upload = 64u << 20;
}

int serve_run(struct eb_db *db, const struct serve_opts *o, int bootstrap)
{
	char webbuf[PATH_MAX + 8];
	const char *web = find_web(o->web, webbuf, sizeof webbuf);
	struct eb_app app = {0};
	struct eb_detail d = {0};
	app.db = db;
	app.limits.max_body = o->max_body;
	app.limits.max_upload = o->max_upload;
	app.limits.max_depth = 32;
	app.limits.max_string = 10000;
	app.limits.max_page = 1000;
	app.secure_cookies = o->secure_cookies;
	app.trusted_proxy = o->trusted_proxy;
	app.access_log = !o->quiet;
	serve_hooks(&app);
	if (web) {
		if (eb_static_load(web, 64u << 20, &app.assets, &d) != EB_OK)
			return cli_fail("%s", d.msg);
	} else {
		eb_warn("no web dashboard directory found (use --web DIR); serving the API only");
	}
	eb_server_block_signals();
	struct alert_svc_opts ao;
	alert_svc_defaults(&ao);
	app.alerts = alert_svc_start(db, &ao, &d);
	if (!app.alerts) {
		eb_static_free(app.assets);
		return cli_fail("%s", d.msg);
	}
	struct eb_server_opts so = {o->bind, o->port, o->threads, 20};
	struct eb_server *srv = eb_server_start(&app, &so, &d);
	if (!srv) {
		alert_svc_stop(app.alerts);
		eb_static_free(app.assets);
		return cli_fail("%s", d.msg);
	}
	char url[96];
	snprintf(url, sizeof url, "http://%s:%d/", o->bind, eb_server_port(srv));
	if (bootstrap && cli_bootstrap(db, url) != 0) {
		eb_server_stop(srv);
		alert_svc_stop(app.alerts);
		eb_static_free(app.assets);
		return 1;
	}
	if (o->port_file) {
		FILE *f = fopen(o->port_file, "w");
		if (f) {
			fprintf(f, "%d\n", eb_server_port(srv));
			fclose(f);
		}
	}
	eb_info("epibridge serving %s on %s (database %s, %zu web files)", "API and dashboard", url,
		eb_db_name(db), eb_static_count(app.assets));
	eb_server_wait_signal();
	eb_server_stop(srv);
	alert_svc_stop(app.alerts); /* after the server: no stream is left */
	eb_static_free(app.assets);
	eb_info("stopped");
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_opts o;
	serve_defaults(&o);
	int rc = serve_parse(argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		serve_usage(stdout);
		return 0;
	}
	struct eb_db *db = cli_open_db(cli_db_url(o.db), o.threads);
	if (!db)
		return 1;
	rc = serve_run(db, &o, 1);
	eb_db_close(db);
	return rc;
}

int cmd_routes(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < eb_nroutes; i++) {
		const struct eb_route *r = &eb_routes[i];
		const char *who = r->flags & EB_R_PUBLIC ? "public" : eb_role_name(r->min_role);
		printf("%s %s %s%s%s\n", r->method, r->pattern, who,
		       r->flags & EB_R_OPERATOR ? " operator" : "",
		       r->flags & EB_R_USER ? " user" : "");
	}
	return 0;
}

void serve_hooks(struct eb_app *app)
{
	(void)app;
}
