/*
 * Situation data files over HTTP: CSV uploads into the caller's
 * organisation (POST /api/v1/imports/sitreps) and exports as CSV with HXL
 * hashtags, JSON or FHIR (GET /api/v1/exports/sitreps).  Both go through
 * domain/sitrep_io.h, the same path as `epibridge import` and
 * `epibridge export`.
 *
 * An upload is one transaction: 200 with the summary when it was
 * committed; 422 (a problem document carrying the same summary and the
 * rejected rows) when rows were rejected and keep_valid was not asked for,
 * in which case nothing was written; 400 when the file is not of the
 * format.  The route is flagged EB_R_UPLOAD, so its body may be as large as
 * --max-upload (64 MiB by default) instead of the 1 MiB of other routes.
 * The JHU series needs two files (confirmed and deaths) and is imported
 * with the CLI only.
 *
 * An export answers one page: up to EXPORT_MAX_* reports (fewer with
 * ?limit=), and when more follow, a Link header rel="next" (also
 * Bundle.link for FHIR and next_cursor for JSON) with ?cursor=.
 */
#include "http/api.h"
#include "domain/access.h"
#include "domain/sitrep_io.h"
#include "formats/csv.h"
#include "base/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define EXPORT_MAX_CSV 200000
#define EXPORT_MAX_JSON 50000
#define EXPORT_MAX_FHIR 10000

static int flag_param(const char *s)
{
	return s && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0 || strcmp(s, "yes") == 0);
}

/* "3,7" -> [3, 7]; NULL on a malformed list. */
static json_t *ids_param(const char *s)
{
	json_t *ids = json_array();
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char tok[24];
		int64_t id;
		if (n == 0 || n >= sizeof tok)
			break;
		memcpy(tok, p, n);
		tok[n] = '\0';
		if (eb_parse_i64(tok, 1, INT64_MAX, &id))
			break;
		json_array_append_new(ids, json_integer(id));
		if (!comma)
			return ids;
		p = comma + 1;
	}
	json_decref(ids);
	return NULL;
}

void api_imports_sitreps(struct eb_req *r)
{
	const char *ct = eb_req_header(r, "Content-Type");
	if (!ct || (strncasecmp(ct, "text/csv", 8) != 0 && strncasecmp(ct, "application/csv", 15) != 0)) {
		eb_reply_problem(r, 415, "unsupported-media-type", "send the file as the body with Content-Type: text/csv", NULL);
		return;
	}
	const char *fs = eb_req_query(r, "format");
	int f = sitrep_import_format_parse(fs);
	if (f == SITREP_IMPORT_JHU) {
		eb_reply_problem(r, 400, "invalid",
				 "the JHU series comes as two files (confirmed and deaths); import it with "
				 "'epibridge import jhu CONFIRMED --deaths DEATHS', or upload it converted to HXL",
				 "format");
		return;
	}
	if (f < 0) {
		eb_reply_problem(r, 400, "invalid", "format must be who, hxl or csv", "format");
		return;
	}
	const char *map = eb_req_query(r, "map");
	if (f == SITREP_IMPORT_CSV && (!map || !*map)) {
		eb_reply_problem(r, 400, "invalid",
				 "a plain CSV needs map=field=Column,... e.g. area=Country_code,date=Date_reported,new_confirmed=New_cases",
				 "map");
		return;
	}
	if (map && strlen(map) > 4096) {
		eb_reply_problem(r, 400, "invalid", "map is longer than 4096 bytes", "map");
		return;
	}
	const char *vs = eb_req_query(r, "visibility");
	int vis = vs ? eb_visibility_parse(vs) : EB_VIS_PARTNERS;
	if (vis < 0) {
		eb_reply_problem(r, 400, "invalid", "visibility must be private, partners, listed or public", "visibility");
		return;
	}
	const char *sw = eb_req_query(r, "share_with");
	json_t *share = NULL;
	if (sw && *sw && !(share = ids_param(sw))) {
		eb_reply_problem(r, 400, "invalid", "share_with must be organisation ids separated by commas", "share_with");
		return;
	}
	const char *source = eb_req_query(r, "source");
	if (source && strlen(source) > 200) {
		json_decref(share);
		eb_reply_problem(r, 400, "invalid", "source is longer than 200 bytes", "source");
		return;
	}
	const char *name = eb_req_query(r, "name");
	if (!name || !*name || strlen(name) > 200 || !eb_utf8_valid(name, strlen(name)))
		name = "upload";
	if (!r->body_len) {
		json_decref(share);
		eb_reply_problem(r, 400, "invalid", "the body is empty: send the CSV file", NULL);
		return;
	}
	static const char *const default_source[] = {"WHO COVID-19 global data", "", "", ""};
	struct sitrep_import_opts o = {
		.org = r->who.org_id,
		.visibility = (enum eb_visibility)vis,
		.shared_with = share,
		.keep_valid = flag_param(eb_req_query(r, "keep_valid")),
		.source = source ? source : default_source[f],
		.label = name,
		.max_rejects_kept = 100,
	};
	struct eb_detail d = {0};
	struct sitrep_import *imp = NULL;
	struct csv_reader *cr = csv_open_mem(r->body, r->body_len, NULL);
	if (!cr) {
		json_decref(share);
		eb_reply_err(r, EB_ENOMEM, NULL);
		return;
	}
	enum eb_err e = sitrep_import_begin(eb_req_db(r), &r->who, &o, &imp, &d);
	if (e) {
		csv_free(cr);
		json_decref(share);
		eb_reply_err(r, e, &d);
		return;
	}
	int64_t flagged = 0;
	e = sitrep_import_read(imp, (enum sitrep_import_format)f, cr, NULL, map, NULL, NULL, &flagged, &d);
	csv_free(cr);
	json_t *rep = NULL;
	struct eb_detail ed = {0};
	enum eb_err e2 = sitrep_import_end(imp, e == EB_OK, NULL, &rep, &ed);
	json_decref(share);
	if (e || e2) {
		json_decref(rep);
		eb_reply_err(r, e ? e : e2, e ? &d : &ed);
		return;
	}
	json_object_set_new(rep, "flagged", json_integer(flagged));
	if (json_is_true(json_object_get(rep, "committed"))) {
		eb_reply_json(r, 200, rep);
		return;
	}
	/* A problem document (RFC 9457) whose extension members are the
	 * summary: the client sees why and which rows in one answer. */
	long long valid = (long long)(json_integer_value(json_object_get(rep, "inserted")) +
				      json_integer_value(json_object_get(rep, "revised")) +
				      json_integer_value(json_object_get(rep, "unchanged")));
	char msg[200];
	snprintf(msg, sizeof msg, "%lld rows were rejected, so nothing was written; fix them, or send keep_valid=true to keep the %lld valid rows",
		 (long long)json_integer_value(json_object_get(rep, "rejected")), valid);
	json_object_set_new(rep, "type", json_string("https://epibridge.org/problems/import-rejected"));
	json_object_set_new(rep, "title", json_string("Unprocessable content"));
	json_object_set_new(rep, "status", json_integer(422));
	json_object_set_new(rep, "detail", json_string(msg));
	json_object_set_new(rep, "instance", json_string(r->path));
	eb_reply_json(r, 422, rep);
	r->ctype = "application/problem+json";
}

/* ---- exports ---- */

static int out_write(void *ctx, const char *p, size_t n)
{
	struct eb_req *r = ctx;
	return eb_buf_add(&r->out, p, n) == EB_OK ? 0 : -1;
}

/* Codes and dates only: what can go into the next-page URL unescaped. */
static int plain_param(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

void api_exports_sitreps(struct eb_req *r)
{
	int f = sitrep_export_format_parse(eb_req_query(r, "format"));
	if (f < 0) {
		eb_reply_problem(r, 400, "invalid", "format must be csv, json or fhir", "format");
		return;
	}
	static const int max_rows[] = {EXPORT_MAX_CSV, EXPORT_MAX_JSON, EXPORT_MAX_FHIR};
	struct sitrep_export_opts o = {.format = (enum sitrep_export_format)f};
	o.q.area = eb_req_query(r, "area");
	o.q.from = eb_req_query(r, "from");
	o.q.to = eb_req_query(r, "to");
	static const char *const names[] = {"area", "from", "to"};
	const char *vals[] = {o.q.area, o.q.from, o.q.to};
	for (int i = 0; i < 3; i++) {
		if (vals[i] && (strlen(vals[i]) > 15 || !plain_param(vals[i]))) {
			eb_reply_problem(r, 400, "invalid", i ? "dates must be YYYY-MM-DD" : "area must be a code such as CN or CN-HB", names[i]);
			return;
		}
	}
	const char *s = eb_req_query(r, "org");
	if (s && eb_parse_i64(s, 1, INT64_MAX, &o.q.org)) {
		eb_reply_problem(r, 400, "invalid", "org must be an organisation id", "org");
		return;
	}
	int64_t limit = max_rows[f];
	s = eb_req_query(r, "limit");
	if (s && eb_parse_i64(s, 1, max_rows[f], &limit)) {
		char msg[96];
		snprintf(msg, sizeof msg, "limit must be an integer from 1 to %d for this format", max_rows[f]);
		eb_reply_problem(r, 400, "invalid", msg, "limit");
		return;
	}
	o.q.limit = (int)limit;
	s = eb_req_query(r, "cursor");
	if (s && eb_parse_i64(s, 1, INT64_MAX, &o.q.after)) {
		eb_reply_problem(r, 400, "invalid", "cursor is not one this server issued; use the next link of the previous page", "cursor");
		return;
	}
	struct eb_buf base;
	eb_buf_init(&base, 4096);
	static const char *const fmt_names[] = {"csv", "json", "fhir"};
	eb_buf_printf(&base, "/api/v1/exports/sitreps?format=%s&", fmt_names[f]);
	for (int i = 0; i < 3; i++)
		if (vals[i] && *vals[i])
			eb_buf_printf(&base, "%s=%s&", names[i], vals[i]);
	if (o.q.org)
		eb_buf_printf(&base, "org=%lld&", (long long)o.q.org);
	if (eb_req_query(r, "limit"))
		eb_buf_printf(&base, "limit=%lld&", (long long)limit);
	o.next_base = base.data;

	struct eb_detail d = {0};
	int64_t rows = 0, next = 0;
	r->status = 200;
	r->ctype = sitrep_export_ctype(o.format);
	eb_buf_reset(&r->out);
	enum eb_err e = sitrep_export(eb_req_db(r), &r->who, &o, out_write, r, &rows, &next, &d);
	if (e) {
		eb_buf_free(&base);
		eb_reply_err(r, e, &d);
		return;
	}
	char hdr[160];
	snprintf(hdr, sizeof hdr, "attachment; filename=\"sitreps%s%s.%s\"", o.q.area && *o.q.area ? "-" : "",
		 o.q.area && *o.q.area ? o.q.area : "", sitrep_export_ext(o.format));
	eb_reply_header(r, "Content-Disposition", hdr);
	if (next) {
		struct eb_buf link;
		eb_buf_init(&link, 8192);
		if (eb_buf_printf(&link, "<%scursor=%lld>; rel=\"next\"", base.data, (long long)next) == EB_OK &&
		    link.len < 400)
			eb_reply_header(r, "Link", link.data);
		eb_buf_free(&link);
	}
	snprintf(hdr, sizeof hdr, "%lld", (long long)rows);
	eb_reply_header(r, "X-Export-Rows", hdr);
	eb_buf_free(&base);
}
