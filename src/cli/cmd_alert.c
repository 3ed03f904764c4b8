/*
 * `epibridge alert`: CAP 1.2 alerts from the command line.
 *
 *   alert import FILE... --org ID [--kind alert|advisory] [--shared-with IDS]
 *   alert list [--org ID] [--kind K] [--limit N]
 *   alert show ID [--org ID]
 *   alert export ID [--edxl]
 *
 * Imports go through the same domain call as POST /api/v1/alerts/import
 * (schema-checked, stored and delivered as organisation --org); a running
 * server picks the deliveries up within its event poll.  list and show act
 * as organisation --org (what it may read), or show only public messages
 * without it; export acts as the operator.
 */
#include "cli/cli.h"
#include "cli/commands.h"
#include "domain/alert.h"
#include "formats/xml_safe.h"
#include "store/db.h"
#include "base/buf.h"
#include "base/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: epibridge alert import FILE... --org ID [--kind alert|advisory] [--shared-with ID,ID]\n"
	      "       epibridge alert list [--org ID] [--kind KIND] [--limit N]\n"
	      "       epibridge alert show ID [--org ID]\n"
	      "       epibridge alert export ID [--edxl]\n"
	      "Every command takes --db FILE|URL.\n\n"
	      "import  reads each CAP 1.2 XML FILE ('-' for standard input), checks it against the\n"
	      "        OASIS schema and stores it as a message of organisation --org, delivered to\n"
	      "        its addressees and subscribers; prints 'FILE: imported as alert N (identifier)'\n"
	      "        or 'FILE: invalid: REASON'.  Exit status 1 when any file failed.\n"
	      "list    messages newest first, as organisation --org sees them (public ones without).\n"
	      "show    one message as JSON.\n"
	      "export  one message as CAP 1.2 XML, or in an EDXL-DE 1.0 envelope with --edxl.\n", f);
}

static int read_file(const char *path, struct eb_buf *b, char *why, size_t n)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		snprintf(why, n, "cannot open: %s", strerror(errno));
		return -1;
	}
	char chunk[16384];
	int rc = 0;
	for (;;) {
		size_t k = fread(chunk, 1, sizeof chunk, f);
		if (k && eb_buf_add(b, chunk, k) != EB_OK) {
			snprintf(why, n, "larger than the limit of %zu bytes", b->max);
			rc = -1;
			break;
		}
		if (k < sizeof chunk) {
			if (ferror(f)) {
				snprintf(why, n, "cannot read: %s", strerror(errno));
				rc = -1;
			}
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

struct opts {
	const char *db, *kind, *shared;
	int64_t org, limit;
	int edxl;
	const char *args[256];
	int nargs;
};

static int parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->limit = 50;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return -1;
		} else if (strcmp(a, "--db") == 0 && v) {
			o->db = v;
			i++;
		} else if (strcmp(a, "--org") == 0 && v) {
			if (eb_parse_i64(v, 1, INT64_MAX, &o->org))
				return cli_fail("--org must be an organisation id");
			i++;
		} else if (strcmp(a, "--kind") == 0 && v) {
			o->kind = v;
			i++;
		} else if (strcmp(a, "--shared-with") == 0 && v) {
			o->shared = v;
			i++;
		} else if (strcmp(a, "--limit") == 0 && v) {
			if (eb_parse_i64(v, 1, 10000, &o->limit))
				return cli_fail("--limit must be a number from 1 to 10000");
			i++;
		} else if (strcmp(a, "--edxl") == 0) {
			o->edxl = 1;
		} else if (a[0] == '-' && a[1]) {
			return cli_fail("unknown option or missing value: %s", a);
		} else if (o->nargs < 256) {
			o->args[o->nargs++] = a;
		} else {
			return cli_fail("too many arguments");
		}
	}
	return 0;
}

static struct eb_principal acting(int64_t org)
{
	struct eb_principal p = cli_principal();
	p.org_id = org;
	return p;
}

static int do_import(struct eb_conn *c, const struct opts *o)
{
	if (!o->org)
		return cli_fail("alert import needs --org ID: the organisation that sends the alerts");
	if (!o->nargs)
		return cli_fail("alert import needs at least one FILE");
	json_t *shared = NULL;
	if (o->shared) {
		shared = json_array();
		const char *p = o->shared;
		while (*p) {
			char num[24];
			const char *e = strchr(p, ',');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			int64_t id;
			snprintf(num, sizeof num, "%.*s", (int)(n < sizeof num ? n : sizeof num - 1), p);
			if (n == 0 || n >= sizeof num || eb_parse_i64(num, 1, INT64_MAX, &id)) {
				json_decref(shared);
				return cli_fail("--shared-with takes organisation ids separated by commas");
			}
			json_array_append_new(shared, json_integer(id));
			p = e ? e + 1 : p + n;
		}
	}
	struct eb_principal who = acting(o->org);
	int failed = 0;
	for (int i = 0; i < o->nargs; i++) {
		struct eb_buf b;
		eb_buf_init(&b, XML_SAFE_MAX_BYTES_DEFAULT);
		char why[256];
		const char *name = strcmp(o->args[i], "-") == 0 ? "(stdin)" : o->args[i];
		if (read_file(o->args[i], &b, why, sizeof why)) {
			printf("%s: invalid: %s\n", name, why);
			failed = 1;
			eb_buf_free(&b);
			continue;
		}
		struct alert_import_opts io = {o->kind, shared, name};
		json_t *out = NULL;
		struct eb_detail d = {0};
		enum eb_err e = alert_import_xml(c, &who, b.data ? b.data : "", b.len, &io, &out, &d);
		if (e == EB_OK) {
			printf("%s: imported as alert %lld (%s)\n", name, (long long)json_integer_value(json_object_get(out, "id")),
			       json_string_value(json_object_get(out, "identifier")));
		} else {
			printf("%s: %s: %s%s%s\n", name, e == EB_EINVAL ? "invalid" : "not imported", d.msg[0] ? d.msg : eb_strerror(e),
			       d.field[0] ? " at " : "", d.field);
			failed = 1;
		}
		json_decref(out);
		eb_buf_free(&b);
	}
	json_decref(shared);
	fflush(stdout);
	return failed;
}

static int do_list(struct eb_conn *c, const struct opts *o)
{
	struct eb_principal who = acting(o->org);
	if (!o->org)
		who.kind = EB_ANON;
	struct alert_query q = {0};
	q.kind = o->kind;
	q.limit = (int)o->limit;
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = alert_list(c, &who, &q, &items, &last, &d);
	if (e)
		return cli_fail_detail(e, &d);
	size_t i;
	json_t *a;
	json_array_foreach(items, i, a) {
		printf("%-6lld %-15s %-9s %-7s %-10s %-25s %s  %s\n", (long long)json_integer_value(json_object_get(a, "id")),
		       json_string_value(json_object_get(a, "kind")), json_string_value(json_object_get(a, "state")),
		       json_string_value(json_object_get(a, "msgType")), json_string_value(json_object_get(a, "scope")),
		       json_string_value(json_object_get(a, "sent")), json_string_value(json_object_get(a, "identifier")),
		       json_string_value(json_object_get(a, "headline")));
	}
	json_decref(items);
	return 0;
}

static int one_id(const struct opts *o, int64_t *id)
{
	if (o->nargs != 1 || eb_parse_i64(o->args[0], 1, INT64_MAX, id))
		return cli_fail("give one alert id");
	return 0;
}

int cmd_alert(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *action = argv[1];
	if (strcmp(action, "import") && strcmp(action, "list") && strcmp(action, "show") && strcmp(action, "export")) {
		fprintf(stderr, "epibridge alert: unknown action '%s'\n\n", action);
		usage(stderr);
		return 2;
	}
	struct opts o;
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	struct eb_db *db = cli_open_db(cli_db_url(o.db), 1);
	if (!db)
		return 1;
	struct eb_conn *c = eb_db_acquire(db);
	int64_t id = 0;
	if (strcmp(action, "import") == 0) {
		rc = do_import(c, &o);
	} else if (strcmp(action, "list") == 0) {
		rc = do_list(c, &o);
	} else if (!(rc = one_id(&o, &id))) {
		struct eb_detail d = {0};
		enum eb_err e;
		if (strcmp(action, "show") == 0) {
			struct eb_principal who = acting(o.org);
			if (!o.org)
				who.kind = EB_ANON;
			json_t *out = NULL;
			e = alert_get(c, &who, id, &out, &d);
			if (!e) {
				char *s = json_dumps(out, JSON_INDENT(2));
				if (s)
					puts(s);
				free(s);
				json_decref(out);
			}
		} else {
			struct eb_principal who = cli_principal();
			struct eb_buf b;
			eb_buf_init(&b, 16u << 20);
			e = o.edxl ? alert_export_edxl(c, &who, id, &b, &d) : alert_export_cap(c, &who, id, &b, &d);
			if (!e)
				fwrite(b.data, 1, b.len, stdout);
			eb_buf_free(&b);
		}
		if (e)
			rc = cli_fail_detail(e, &d);
	}
	eb_db_release(c);
	eb_db_close(db);
	return rc;
}
