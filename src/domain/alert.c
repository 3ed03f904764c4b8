/*
 * Alert messages: creation from JSON and import from CAP XML, reads, the
 * incident query, CAP and EDXL-DE export, and the joint-statement life
 * cycle.  See alert.h; delivery lives in alert_delivery.c.
 *
 * One store path serves JSON creation and XML import: the CAP model
 * (formats/cap.h, already checked) gives the queried columns, the canonical
 * CAP JSON and the ISO area codes; the caller's epibridge fields give the
 * kind, addressees and co-signers.  Everything a message writes (row,
 * areas, shares, signers, audit row, deliveries, event) is one transaction.
 */
#include "domain/alert.h"
#include "domain/alert_int.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "formats/areas.h"
#include "formats/cap.h"
#include "formats/edxl.h"
#include "store/db.h"
#include "base/jcheck.h"
#include "base/util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *const alert_kinds[] = {"alert", "joint_statement", "advisory", NULL};

#define MAX_AREAS 64
#define MAX_REFS 32

/* The columns every read selects, in this order (orgs o is the owner). */
#define AL_COLS "a.id, a.kind, a.state, a.owner_org, a.visibility, a.identifier, a.sender, a.sent, " \
	"a.status, a.msg_type, a.scope, a.refs, a.incident, a.headline, a.event, a.urgency, " \
	"a.severity, a.certainty, a.areas, a.effective_at, a.expires_at, a.citizens_of, a.entering, " \
	"a.views, a.created_at, a.issued_at, a.created_by, o.name_en, o.name_zh, a.cap_json"
enum {
	C_ID, C_KIND, C_STATE, C_OWNER, C_VIS, C_IDENT, C_SENDER, C_SENT, C_STATUS, C_MSGTYPE,
	C_SCOPE, C_REFS, C_INCIDENT, C_HEADLINE, C_EVENT, C_URGENCY, C_SEVERITY, C_CERTAINTY,
	C_AREAS, C_EFFECTIVE, C_EXPIRES, C_CITIZENS, C_ENTERING, C_VIEWS, C_CREATED, C_ISSUED,
	C_CREATED_BY, C_ORG_EN, C_ORG_ZH, C_CAP
};

/* ---- small helpers ---- */

static int kind_index(const char *k)
{
	for (int i = 0; k && alert_kinds[i]; i++)
		if (strcmp(k, alert_kinds[i]) == 0)
			return i;
	return -1;
}

/* Now as a CAP date-time in UTC ("2020-02-27T08:00:00+00:00"). */
static void cap_now(char out[32])
{
	time_t t = (time_t)(eb_now_ms() / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static json_t *time_or_null(int null, int64_t ms)
{
	if (null)
		return json_null();
	char t[32];
	eb_fmt_time(ms, t);
	return json_string(t);
}

/* A version 4 UUID URN, a CAP identifier that is unique without a
 * registry. */
static void new_identifier(char out[64])
{
	char h[33];
	eb_random_hex(h, 16);
	h[12] = '4';
	static const char var[] = "89ab";
	h[16] = var[(unsigned char)h[16] % 4];
	snprintf(out, 64, "urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

static void org_sender(int64_t org, char out[64])
{
	snprintf(out, 64, "org%" PRId64 "@epibridge", org);
}

/* Whether a geocode valueName names ISO 3166 ("ISO3166-1", "iso 3166-2",
 * "ISO_3166"). */
static int iso_geocode(const char *name)
{
	char n[16];
	size_t k = 0;
	for (const char *p = name; p && *p && k + 1 < sizeof n; p++)
		if (isalnum((unsigned char)*p))
			n[k++] = (char)toupper((unsigned char)*p);
	n[k] = '\0';
	return strncmp(n, "ISO3166", 7) == 0;
}

struct codes {
	char v[MAX_AREAS][16];
	int n;
};

static void codes_add(struct codes *cs, const char *code)
{
	for (int i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i], code) == 0)
			return;
	if (cs->n < MAX_AREAS)
		snprintf(cs->v[cs->n++], 16, "%s", code);
}

/* ISO codes of the alert's areas known to the reference, with the country
 * of each subdivision. */
static void collect_codes(const struct cap_alert *a, struct codes *cs)
{
	const struct areas *ref = areas_default(NULL);
	cs->n = 0;
	if (!ref)
		return;
	for (size_t i = 0; i < a->ninfo; i++)
		for (size_t j = 0; j < a->info[i].narea; j++)
			for (size_t k = 0; k < a->info[i].area[j].ngeocode; k++) {
				const struct cap_value *g = &a->info[i].area[j].geocode[k];
				if (!iso_geocode(g->valueName))
					continue;
				const struct area *x = areas_by_code(ref, g->value);
				if (!x)
					continue;
				codes_add(cs, x->code);
				if (x->subdivision)
					codes_add(cs, x->iso2);
			}
}

/* The info block that names a message in lists: the first English one,
 * else the first. */
static const struct cap_info *main_info(const struct cap_alert *a)
{
	for (size_t i = 0; i < a->ninfo; i++)
		if (a->info[i].language && strncasecmp(a->info[i].language, "en", 2) == 0)
			return &a->info[i];
	return a->ninfo ? &a->info[0] : NULL;
}

/* One CAP reference "sender,identifier,sent". */
struct cap_ref {
	char sender[128], identifier[160], sent[40];
};

/* Splits CAP references (space-separated triples). */
static int parse_refs(const char *refs, struct cap_ref *out, int max)
{
	int n = 0;
	const char *p = refs;
	while (p && *p && n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
			e++;
		const char *c1 = memchr(p, ',', (size_t)(e - p));
		const char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(e - c1 - 1)) : NULL;
		if (c1 && c2) {
			snprintf(out[n].sender, sizeof out[n].sender, "%.*s", (int)(c1 - p), p);
			snprintf(out[n].identifier, sizeof out[n].identifier, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
			snprintf(out[n].sent, sizeof out[n].sent, "%.*s", (int)(e - c2 - 1), c2 + 1);
			n++;
		}
		p = e;
	}
	return n;
}

/* ---- rendering ---- */

static json_t *codes_json(const char *s)
{
	json_t *a = json_array();
	const char *p = s;
	while (p && *p) {
		const char *e = strchr(p, ' ');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n)
			json_array_append_new(a, json_stringn(p, n));
		p = e ? e + 1 : NULL;
	}
	return a;
}

static json_t *signers_json(struct eb_conn *c, int64_t id, int show_who)
{
	json_t *arr = json_array();
	struct eb_stmt *s = eb_stmt(c,
		"SELECT g.org_id, o.name_en, o.name_zh, g.decision, g.decided_by, g.decided_at, g.note "
		"FROM alert_signers g JOIN orgs o ON o.id = g.org_id WHERE g.alert_id = ? ORDER BY g.org_id", NULL);
	if (!s)
		return arr;
	eb_bind_i64(s, 1, id);
	while (eb_step(s, NULL) == EB_ROW) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "org_id", (json_int_t)eb_col_i64(s, 0),
				      "name_en", eb_col_text(s, 1), "name_zh", eb_col_text(s, 2),
				      "decision", eb_col_text(s, 3), "decided_at", time_or_null(eb_col_null(s, 5), eb_col_i64(s, 5)),
				      "note", eb_col_text(s, 6));
		if (show_who)
			json_object_set_new(o, "decided_by", json_string(eb_col_text(s, 4)));
		json_array_append_new(arr, o);
	}
	eb_done(s);
	return arr;
}

/* A row (AL_COLS) as the API's record. */
static json_t *row_json(struct eb_stmt *s, int with_cap)
{
	int64_t id = eb_col_i64(s, C_ID);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			      "id", (json_int_t)id, "kind", eb_col_text(s, C_KIND), "state", eb_col_text(s, C_STATE),
			      "identifier", eb_col_text(s, C_IDENT), "owner_org", (json_int_t)eb_col_i64(s, C_OWNER),
			      "owner", "name_en", eb_col_text(s, C_ORG_EN), "name_zh", eb_col_text(s, C_ORG_ZH),
			      "visibility", eb_col_text(s, C_VIS), "sender", eb_col_text(s, C_SENDER),
			      "sent", eb_col_text(s, C_SENT), "status", eb_col_text(s, C_STATUS),
			      "msgType", eb_col_text(s, C_MSGTYPE), "scope", eb_col_text(s, C_SCOPE),
			      "incident", eb_col_text(s, C_INCIDENT));
	const char *refs = eb_col_text(s, C_REFS);
	json_object_set_new(o, "references", *refs ? json_string(refs) : json_null());
	json_object_set_new(o, "headline", json_string(eb_col_text(s, C_HEADLINE)));
	json_object_set_new(o, "event", json_string(eb_col_text(s, C_EVENT)));
	json_object_set_new(o, "urgency", json_string(eb_col_text(s, C_URGENCY)));
	json_object_set_new(o, "severity", json_string(eb_col_text(s, C_SEVERITY)));
	json_object_set_new(o, "certainty", json_string(eb_col_text(s, C_CERTAINTY)));
	json_object_set_new(o, "areas", codes_json(eb_col_text(s, C_AREAS)));
	json_object_set_new(o, "effective", time_or_null(eb_col_null(s, C_EFFECTIVE), eb_col_i64(s, C_EFFECTIVE)));
	json_object_set_new(o, "expires", time_or_null(eb_col_null(s, C_EXPIRES), eb_col_i64(s, C_EXPIRES)));
	if (strcmp(eb_col_text(s, C_KIND), "advisory") == 0)
		json_object_set_new(o, "advisory", json_pack("{s:s, s:s}", "citizens_of", eb_col_text(s, C_CITIZENS),
							      "entering", eb_col_text(s, C_ENTERING)));
	json_object_set_new(o, "views", json_integer(eb_col_i64(s, C_VIEWS)));
	json_object_set_new(o, "created_at", time_or_null(0, eb_col_i64(s, C_CREATED)));
	json_object_set_new(o, "issued_at", time_or_null(eb_col_null(s, C_ISSUED), eb_col_i64(s, C_ISSUED)));
	char link[64];
	snprintf(link, sizeof link, "/api/v1/alerts/%" PRId64 "/cap", id);
	json_t *links = json_pack("{s:s}", "cap", link);
	snprintf(link, sizeof link, "/api/v1/alerts/%" PRId64 "/edxl", id);
	json_object_set_new(links, "edxl", json_string(link));
	json_object_set_new(o, "links", links);
	if (with_cap)
		json_object_set_new(o, "cap", json_loads(eb_col_text(s, C_CAP), 0, NULL));
	return o;
}

/* Loads one row; *vis and *owner describe it for the access check. */
static enum eb_err load_row(struct eb_conn *c, int64_t id, int with_cap, json_t **out,
			    int64_t *owner, int *vis, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT " AL_COLS " FROM alerts a JOIN orgs o ON o.id = a.owner_org WHERE a.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	if (rc == EB_ROW) {
		*out = row_json(s, with_cap);
		*owner = eb_col_i64(s, C_OWNER);
		*vis = eb_visibility_parse(eb_col_text(s, C_VIS));
	}
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	if (rc != EB_ROW)
		return eb_fail(d, EB_ENOTFOUND, NULL, "no alert %" PRId64, id);
	return EB_OK;
}

static int is_signer(struct eb_conn *c, int64_t id, int64_t org)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT 1 FROM alert_signers WHERE alert_id = ? AND org_id = ?", NULL);
	if (!s)
		return 0;
	eb_bind_i64(s, 1, id);
	eb_bind_i64(s, 2, org);
	int ok = eb_step(s, NULL) == EB_ROW;
	eb_done(s);
	return ok;
}

json_t *alert_record_system(struct eb_conn *c, int64_t id, int with_cap)
{
	json_t *o = NULL;
	int64_t owner;
	int vis;
	if (load_row(c, id, with_cap, &o, &owner, &vis, NULL))
		return NULL;
	if (strcmp(json_string_value(json_object_get(o, "kind")), "joint_statement") == 0)
		json_object_set_new(o, "signers", signers_json(c, id, 0));
	return o;
}

enum eb_err alert_get(struct eb_conn *c, const struct eb_principal *who,
		      int64_t id, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	int64_t owner = 0;
	int vis = 0;
	json_t *o = NULL;
	enum eb_err e = load_row(c, id, 1, &o, &owner, &vis, d);
	if (e)
		return e;
	if (who->kind != EB_CLI && !access_can_read(c, who, "alert", id, owner, (enum eb_visibility)vis)) {
		json_decref(o);
		return eb_fail(d, EB_ENOTFOUND, NULL, "no alert %" PRId64, id);
	}
	int own = who->kind == EB_CLI || who->org_id == owner;
	int signer = !own && who->kind != EB_ANON && is_signer(c, id, who->org_id);
	if (strcmp(json_string_value(json_object_get(o, "kind")), "joint_statement") == 0)
		json_object_set_new(o, "signers", signers_json(c, id, own));
	if (own || signer)
		json_object_set_new(o, "shared_with", access_get_shares(c, "alert", id));
	*out = o;
	return EB_OK;
}

enum eb_err alert_get_cap(struct eb_conn *c, const struct eb_principal *who,
			  int64_t id, struct cap_alert **out, struct eb_detail *d)
{
	*out = NULL;
	json_t *o = NULL;
	enum eb_err e = alert_get(c, who, id, &o, d);
	if (e)
		return e;
	e = cap_from_json(json_object_get(o, "cap"), out, d);
	json_decref(o);
	return e;
}

enum eb_err alert_export_cap(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, struct eb_buf *out, struct eb_detail *d)
{
	struct cap_alert *a = NULL;
	enum eb_err e = alert_get_cap(c, who, id, &a, d);
	if (e)
		return e;
	e = cap_write(a, out);
	if (e == EB_EINVAL)
		cap_check(a, d);
	cap_alert_free(a);
	return e;
}

enum eb_err alert_export_edxl(struct eb_conn *c, const struct eb_principal *who,
			      int64_t id, struct eb_buf *out, struct eb_detail *d)
{
	json_t *o = NULL;
	enum eb_err e = alert_get(c, who, id, &o, d);
	if (e)
		return e;
	struct cap_alert *a = NULL;
	e = cap_from_json(json_object_get(o, "cap"), &a, d);
	if (e) {
		json_decref(o);
		return e;
	}
	struct edxl_envelope env = {0};
	env.distributionID = a->identifier;
	char sender[64];
	org_sender(json_integer_value(json_object_get(o, "owner_org")), sender);
	env.senderID = sender;
	env.dateTimeSent = a->sent;
	env.distributionStatus = edxl_status_for_cap(a->status);
	env.distributionType = edxl_type_for_cap(a->msgType);
	env.language = a->ninfo && a->info[0].language ? a->info[0].language : NULL;
	int listed = strcmp(json_string_value(json_object_get(o, "visibility")), "listed") == 0;
	env.combinedConfidentiality = listed ? "RESTRICTED" : NULL;
	/* Explicit recipients: the addressed organisations.  Readers other
	 * than the owner see who it went to only as far as the message says. */
	json_t *shares = access_get_shares(c, "alert", id);
	size_t ns = json_array_size(shares);
	char (*addr)[32] = ns ? calloc(ns, sizeof *addr) : NULL;
	const char **vals = ns ? calloc(ns, sizeof *vals) : NULL;
	struct edxl_address ea = {"epibridge:org", vals, ns};
	if (ns && (!addr || !vals)) {
		e = EB_ENOMEM;
	} else if (ns) {
		for (size_t i = 0; i < ns; i++) {
			snprintf(addr[i], sizeof addr[i], "org:%" JSON_INTEGER_FORMAT, json_integer_value(json_array_get(shares, i)));
			vals[i] = addr[i];
		}
		env.explicitAddress = &ea;
		env.nexplicitAddress = 1;
	}
	if (!e && env.distributionStatus == EDXL_STATUS_UNSET)
		e = eb_fail(d, EB_ECONFLICT, NULL, "a Draft alert has no EDXL-DE distribution status; it cannot be routed");
	if (!e) {
		const struct cap_alert *list[1] = {a};
		e = edxl_write(&env, list, 1, out, d);
	}
	free(addr);
	free(vals);
	json_decref(shares);
	cap_alert_free(a);
	json_decref(o);
	return e;
}

/* ---- storing a message ---- */

struct store_in {
	int64_t owner;
	const char *kind;
	const char *state;          /* "issued" or "draft" */
	const struct cap_alert *cap;
	json_t *shares;             /* addressed org ids (may be NULL) */
	json_t *cosigners;          /* org ids (may be NULL) */
	const char *citizens_of, *entering;
	const char *action;         /* audit action */
	const char *label;          /* import file, may be NULL */
};

/* Finds the alert with this CAP identifier: id, owner, incident. */
static int find_identifier(struct eb_conn *c, const char *ident, int64_t *id, int64_t *owner,
			   char *incident, size_t n)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT id, owner_org, incident FROM alerts WHERE identifier = ?", NULL);
	if (!s)
		return 0;
	eb_bind_text(s, 1, ident);
	int found = eb_step(s, NULL) == EB_ROW;
	if (found) {
		*id = eb_col_i64(s, 0);
		*owner = eb_col_i64(s, 1);
		if (incident)
			snprintf(incident, n, "%s", eb_col_text(s, 2));
	}
	eb_done(s);
	return found;
}

static enum eb_err json_text(json_t *v, char **out)
{
	*out = json_dumps(v, JSON_COMPACT);
	return *out ? EB_OK : EB_ENOMEM;
}

static enum eb_err store(struct eb_conn *c, const struct eb_principal *who,
			 const struct store_in *in, int64_t *id_out, struct eb_detail *d)
{
	const struct cap_alert *a = in->cap;
	int64_t now = eb_now_ms(), sent_at = 0, eff = 0, exp = 0;
	if (eb_parse_time(a->sent, &sent_at))
		return eb_fail(d, EB_EINVAL, "/cap/sent", "sent is not a date-time");
	const struct cap_info *mi = main_info(a);
	int has_eff = mi && mi->effective && !eb_parse_time(mi->effective, &eff);
	int has_exp = mi && mi->expires && !eb_parse_time(mi->expires, &exp);
	struct codes cs;
	collect_codes(a, &cs);
	char areas[MAX_AREAS * 16 + 1] = "";
	size_t used = 0;
	for (int i = 0; i < cs.n; i++)
		used += (size_t)snprintf(areas + used, sizeof areas - used, "%s%s", i ? " " : "", cs.v[i]);

	/* The incident: the chain of the first referenced alert we know, else
	 * the first referenced identifier, else this alert starts one. */
	struct cap_ref refs[MAX_REFS];
	int nrefs = a->references ? parse_refs(a->references, refs, MAX_REFS) : 0;
	char incident[512];
	snprintf(incident, sizeof incident, "%s", a->identifier);
	int64_t ref_ids[MAX_REFS], ref_owner[MAX_REFS];
	int nref_ids = 0, known = 0;
	for (int i = 0; i < nrefs; i++) {
		char inc[512];
		int64_t rid, rown;
		if (find_identifier(c, refs[i].identifier, &rid, &rown, inc, sizeof inc)) {
			if (!known)
				snprintf(incident, sizeof incident, "%s", inc);
			known = 1;
			ref_ids[nref_ids] = rid;
			ref_owner[nref_ids++] = rown;
		}
	}
	if (!known && nrefs)
		snprintf(incident, sizeof incident, "%s", refs[0].identifier);

	int is_ack = a->msgType == CAP_MSG_TYPE_ACK || a->msgType == CAP_MSG_TYPE_ERROR;
	int draft = strcmp(in->state, "draft") == 0;
	const char *vis = draft || a->scope != CAP_SCOPE_PUBLIC || is_ack ? "listed" : "public";
	json_t *shares = json_array();
	if (in->shares)
		json_array_extend(shares, in->shares);
	if (in->cosigners)
		json_array_extend(shares, in->cosigners);
	for (int i = 0; is_ack && i < nref_ids; i++)
		if (ref_owner[i] != in->owner)
			json_array_append_new(shares, json_integer(ref_owner[i]));
	json_t *capj = cap_to_json(a);
	char *cap_text = NULL;
	enum eb_err e = capj ? json_text(capj, &cap_text) : EB_ENOMEM;
	json_decref(capj);
	if (e) {
		json_decref(shares);
		return e;
	}
	if ((e = eb_begin(c, d))) {
		free(cap_text);
		json_decref(shares);
		return e;
	}
	struct eb_stmt *s = eb_stmt(c,
		"INSERT INTO alerts (kind, state, owner_org, visibility, identifier, sender, sent, sent_at, status, "
		"msg_type, scope, refs, incident, headline, event, urgency, severity, certainty, areas, effective_at, "
		"expires_at, citizens_of, entering, cap_json, views, created_by, created_at, updated_at, issued_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING id", d);
	int64_t id = 0;
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	eb_bind_text(s, 1, in->kind);
	eb_bind_text(s, 2, in->state);
	eb_bind_i64(s, 3, in->owner);
	eb_bind_text(s, 4, vis);
	eb_bind_text(s, 5, a->identifier);
	eb_bind_text(s, 6, a->sender);
	eb_bind_text(s, 7, a->sent);
	eb_bind_i64(s, 8, sent_at);
	eb_bind_text(s, 9, cap_enum_name(CAP_ENUM_STATUS, a->status));
	eb_bind_text(s, 10, cap_enum_name(CAP_ENUM_MSG_TYPE, a->msgType));
	eb_bind_text(s, 11, cap_enum_name(CAP_ENUM_SCOPE, a->scope));
	eb_bind_text(s, 12, a->references ? a->references : "");
	eb_bind_text(s, 13, incident);
	eb_bind_text(s, 14, mi && mi->headline ? mi->headline : "");
	eb_bind_text(s, 15, mi && mi->event ? mi->event : "");
	eb_bind_text(s, 16, mi ? cap_enum_name(CAP_ENUM_URGENCY, mi->urgency) : "");
	eb_bind_text(s, 17, mi ? cap_enum_name(CAP_ENUM_SEVERITY, mi->severity) : "");
	eb_bind_text(s, 18, mi ? cap_enum_name(CAP_ENUM_CERTAINTY, mi->certainty) : "");
	eb_bind_text(s, 19, areas);
	if (has_eff)
		eb_bind_i64(s, 20, eff);
	else
		eb_bind_null(s, 20);
	if (has_exp)
		eb_bind_i64(s, 21, exp);
	else
		eb_bind_null(s, 21);
	eb_bind_text(s, 22, in->citizens_of);
	eb_bind_text(s, 23, in->entering);
	eb_bind_text(s, 24, cap_text);
	eb_bind_text(s, 25, who->label);
	eb_bind_i64(s, 26, now);
	eb_bind_i64(s, 27, now);
	if (draft)
		eb_bind_null(s, 28);
	else
		eb_bind_i64(s, 28, now);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		id = eb_col_i64(s, 0);
	eb_done(s);
	if (rc == EB_EEXIST) {
		e = eb_fail(d, EB_EEXIST, "/cap/identifier", "an alert with identifier %s exists already", a->identifier);
		goto fail;
	}
	if (rc != EB_ROW) {
		e = rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EDB, NULL, "insert returned no id");
		goto fail;
	}
	for (int i = 0; i < cs.n; i++) {
		struct eb_stmt *ar = eb_stmt(c, "INSERT INTO alert_areas (alert_id, code) VALUES (?, ?)", d);
		if (!ar) {
			e = EB_EDB;
			goto fail;
		}
		eb_bind_i64(ar, 1, id);
		eb_bind_text(ar, 2, cs.v[i]);
		rc = eb_step(ar, d);
		eb_done(ar);
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
	}
	if (json_array_size(shares) && (e = access_set_shares(c, "alert", id, shares, d)))
		goto fail;
	size_t i;
	json_t *v;
	json_array_foreach(in->cosigners, i, v) {
		struct eb_stmt *g = eb_stmt(c, "INSERT INTO alert_signers (alert_id, org_id, decision) VALUES (?, ?, 'pending')", d);
		if (!g) {
			e = EB_EDB;
			goto fail;
		}
		eb_bind_i64(g, 1, id);
		eb_bind_i64(g, 2, json_integer_value(v));
		rc = eb_step(g, d);
		eb_done(g);
		if (rc == EB_EINVAL || rc == EB_EEXIST) {
			e = eb_fail(d, EB_EINVAL, "/cosigners", "cosigners must be distinct existing organisations");
			goto fail;
		}
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
	}
	{
		json_t *after = alert_record_system(c, id, 0);
		if (after && in->label)
			json_object_set_new(after, "file", json_string(in->label));
		if (!strcmp(in->action, "import"))
			e = audit_append(c, who, "import", "alert", id, NULL, after, d);
		else
			e = audit_append(c, who, "create", "alert", id, NULL, after, d);
		json_decref(after);
		if (e)
			goto fail;
	}
	/* An Ack acknowledges the referenced alerts in the sender's inbox. */
	for (int k = 0; is_ack && a->msgType == CAP_MSG_TYPE_ACK && k < nref_ids; k++) {
		int changed = 0;
		if ((e = alert_mark_acked(c, ref_ids[k], in->owner, who->label, id, now, &changed, d)))
			goto fail;
	}
	if (!draft && !is_ack && a->status != CAP_STATUS_DRAFT) {
		int64_t n = 0;
		if ((e = alert_fanout(c, id, in->kind, incident, now, &n, d)))
			goto fail;
	}
	if ((e = eb_commit(c, d)))
		goto out;
	*id_out = id;
	goto out;
fail:
	eb_rollback(c);
out:
	free(cap_text);
	json_decref(shares);
	return e;
}

/* ---- creation from JSON ---- */

static const char *const kind_values[] = {"alert", "joint_statement", "advisory", NULL};

static const struct eb_jfield create_spec[] = {
	{"kind", EB_J_ENUM, 0, 0, 0, 0, kind_values},
	{"areas", EB_J_STRS, 0, 15, 0, MAX_AREAS, NULL},
	{"shared_with", EB_J_IDS, 0, 500, 0, 0, NULL},
	{"cosigners", EB_J_IDS, 0, 50, 0, 0, NULL},
	{"citizens_of", EB_J_COUNTRY, 0, 0, 0, 0, NULL},
	{"entering", EB_J_COUNTRY, 0, 0, 0, 0, NULL},
	{"references_alert", EB_J_ID, 0, 0, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static void set_default(json_t *o, const char *key, const char *val)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		json_object_set_new(o, key, json_string(val));
}

static int is_zh(json_t *info)
{
	const char *l = json_string_value(json_object_get(info, "language"));
	return l && strncasecmp(l, "zh", 2) == 0;
}

/* Adds an area block {areaDesc, geocode ISO3166-1/-2} for each code. */
static enum eb_err add_areas(json_t *cap, json_t *codes, struct eb_detail *d)
{
	const struct areas *ref = areas_default(NULL);
	size_t i, j;
	json_t *v, *info;
	json_array_foreach(codes, i, v) {
		const struct area *x = ref ? areas_by_code(ref, json_string_value(v)) : NULL;
		if (!x) {
			char f[32];
			snprintf(f, sizeof f, "/areas/%zu", i);
			return eb_fail(d, EB_EINVAL, f, "%s is not a known ISO 3166 code", json_string_value(v));
		}
		json_array_foreach(json_object_get(cap, "info"), j, info) {
			json_t *areas = json_object_get(info, "area");
			if (!json_is_array(areas)) {
				areas = json_array();
				json_object_set_new(info, "area", areas);
			}
			json_array_append_new(areas, json_pack("{s:s, s:[{s:s, s:s}]}", "areaDesc",
							      is_zh(info) && x->name_zh[0] ? x->name_zh : x->name_en,
							      "geocode", "valueName", x->subdivision ? "ISO3166-2" : "ISO3166-1",
							      "value", x->code));
		}
	}
	return EB_OK;
}

static void add_parameter(json_t *info, const char *name, const char *value)
{
	json_t *p = json_object_get(info, "parameter");
	if (!json_is_array(p)) {
		p = json_array();
		json_object_set_new(info, "parameter", p);
	}
	json_array_append_new(p, json_pack("{s:s, s:s}", "valueName", name, "value", value));
}

static const char *org_name(struct eb_conn *c, int64_t id, int zh, char *buf, size_t n)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT name_en, name_zh FROM orgs WHERE id = ?", NULL);
	buf[0] = '\0';
	if (!s)
		return buf;
	eb_bind_i64(s, 1, id);
	if (eb_step(s, NULL) == EB_ROW)
		snprintf(buf, n, "%s", zh && *eb_col_text(s, 1) ? eb_col_text(s, 1) : eb_col_text(s, 0));
	eb_done(s);
	return buf;
}

/* Fills the CAP fields the server owns or defaults. */
static enum eb_err fill_cap(struct eb_conn *c, const struct eb_principal *who, json_t *in,
			    json_t *cap, int kind, struct eb_detail *d)
{
	char buf[64];
	json_t *ident = json_object_get(cap, "identifier");
	if (!ident || json_is_null(ident)) {
		new_identifier(buf);
		json_object_set_new(cap, "identifier", json_string(buf));
	}
	org_sender(who->org_id, buf);
	json_object_set_new(cap, "sender", json_string(buf));
	cap_now(buf);
	set_default(cap, "sent", buf);
	set_default(cap, "status", "Actual");
	set_default(cap, "scope", "Public");
	set_default(cap, "msgType", json_object_get(in, "references_alert") ? "Update" : "Alert");
	json_t *infos = json_object_get(cap, "info");
	if (!json_is_array(infos) || !json_array_size(infos))
		return eb_fail(d, EB_EINVAL, "/cap/info", "a message needs at least one info block (one per language)");
	size_t i;
	json_t *info;
	static const char *const events[] = {NULL, "Joint statement", "Travel advisory"};
	json_array_foreach(infos, i, info) {
		if (!json_is_object(info))
			continue; /* cap_from_json names it */
		if (!json_object_get(info, "category"))
			json_object_set_new(info, "category", json_pack("[s]", "Health"));
		if (kind > 0) {
			set_default(info, "event", events[kind]);
			set_default(info, "urgency", kind == 2 ? "Expected" : "Unknown");
			set_default(info, "severity", kind == 2 ? "Moderate" : "Unknown");
			set_default(info, "certainty", kind == 2 ? "Likely" : "Unknown");
		}
	}
	const char *scope = json_string_value(json_object_get(cap, "scope"));
	json_t *shared = json_object_get(in, "shared_with");
	if (scope && strcmp(scope, "Restricted") == 0)
		set_default(cap, "restriction", "For the addressed organisations only");
	if (scope && strcmp(scope, "Private") == 0 && !json_object_get(cap, "addresses")) {
		if (!json_array_size(shared))
			return eb_fail(d, EB_EINVAL, "/shared_with", "a Private message needs shared_with: the organisations it is addressed to");
		char addr[4096] = "";
		size_t used = 0;
		json_t *v;
		json_array_foreach(shared, i, v)
			if (used < sizeof addr)
				used += (size_t)snprintf(addr + used, sizeof addr - used, "%sorg:%" JSON_INTEGER_FORMAT,
							 i ? " " : "", json_integer_value(v));
		json_object_set_new(cap, "addresses", json_string(addr));
	}
	if (scope && strcmp(scope, "Public") != 0 && !json_array_size(shared) && kind != 1)
		return eb_fail(d, EB_EINVAL, "/shared_with", "a %s message needs shared_with: the organisations it is addressed to", scope);
	enum eb_err e;
	json_t *areas = json_object_get(in, "areas");
	json_t *extra = json_array();
	if (areas)
		json_array_extend(extra, areas);
	if (kind == 2) {
		const char *cit = eb_jstr(in, "citizens_of"), *ent = eb_jstr(in, "entering");
		if (!cit || !ent) {
			json_decref(extra);
			return eb_fail(d, cit ? EB_EINVAL : EB_EINVAL, cit ? "/entering" : "/citizens_of",
				       "an advisory names the citizens it is for (citizens_of) and the country they enter (entering)");
		}
		int have = 0;
		json_t *v;
		json_array_foreach(extra, i, v)
			have |= strcmp(json_string_value(v), ent) == 0;
		if (!have)
			json_array_append_new(extra, json_string(ent));
		const struct areas *ref = areas_default(NULL);
		const struct area *ca = ref ? areas_by_code(ref, cit) : NULL, *ea = ref ? areas_by_code(ref, ent) : NULL;
		json_array_foreach(infos, i, info) {
			if (!json_is_object(info))
				continue;
			add_parameter(info, "citizens_of", cit);
			add_parameter(info, "entering", ent);
			if (!json_object_get(info, "audience") && ca && ea) {
				char aud[400];
				if (is_zh(info))
					snprintf(aud, sizeof aud, "入境%s的%s公民", ea->name_zh, ca->name_zh);
				else
					snprintf(aud, sizeof aud, "Citizens of %s entering %s", ca->name_en, ea->name_en);
				json_object_set_new(info, "audience", json_string(aud));
			}
		}
	} else if (json_object_get(in, "citizens_of") || json_object_get(in, "entering")) {
		json_decref(extra);
		return eb_fail(d, EB_EINVAL, "/kind", "citizens_of and entering are for kind advisory");
	}
	e = add_areas(cap, extra, d);
	json_decref(extra);
	if (e)
		return e;
	if (kind == 1) {
		json_t *cos = json_object_get(in, "cosigners");
		if (!json_array_size(cos))
			return eb_fail(d, EB_EINVAL, "/cosigners", "a joint statement needs cosigners: the organisations that sign it with you");
		json_t *v;
		size_t k;
		json_array_foreach(cos, k, v) {
			if (json_integer_value(v) == who->org_id)
				return eb_fail(d, EB_EINVAL, "/cosigners", "your own organisation signs by creating the statement; list the others");
		}
		json_array_foreach(infos, i, info) {
			if (!json_is_object(info))
				continue;
			char nm[300];
			add_parameter(info, "signatory", org_name(c, who->org_id, is_zh(info), nm, sizeof nm));
			json_array_foreach(cos, k, v) {
				org_name(c, json_integer_value(v), is_zh(info), nm, sizeof nm);
				if (!nm[0]) {
					char f[32];
					snprintf(f, sizeof f, "/cosigners/%zu", k);
					return eb_fail(d, EB_EINVAL, f, "organisation %" JSON_INTEGER_FORMAT " does not exist", json_integer_value(v));
				}
				add_parameter(info, "signatory", nm);
			}
		}
	} else if (json_array_size(json_object_get(in, "cosigners"))) {
		return eb_fail(d, EB_EINVAL, "/cosigners", "cosigners are for kind joint_statement");
	}
	return EB_OK;
}

enum eb_err alert_create(struct eb_conn *c, const struct eb_principal *who,
			 json_t *in, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	if (!json_is_object(in))
		return eb_fail(d, EB_EINVAL, NULL, "the body must be a JSON object");
	json_t *rest = json_copy(in);
	json_object_del(rest, "cap");
	enum eb_err e = eb_json_check(rest, create_spec, 0, d);
	json_decref(rest);
	if (e)
		return e;
	json_t *capin = json_object_get(in, "cap");
	if (!json_is_object(capin))
		return eb_fail(d, EB_EINVAL, "/cap", "cap (the CAP message as JSON) is required and must be an object");
	if ((e = access_can_write(who, who->org_id, EB_ROLE_EDITOR, d)))
		return e;
	if (!who->org_id)
		return eb_fail(d, EB_EINVAL, "org", "give the organisation that sends the message");
	const char *ks = eb_jstr(in, "kind");
	int kind = ks ? kind_index(ks) : 0;
	json_t *cap = json_deep_copy(capin);
	/* An update, cancellation or ack of an alert of ours. */
	json_t *refid = json_object_get(in, "references_alert");
	if (refid) {
		json_t *ref = NULL;
		struct eb_detail rd = {0};
		if (alert_get(c, who, json_integer_value(refid), &ref, &rd)) {
			json_decref(cap);
			return eb_fail(d, EB_EINVAL, "/references_alert", "no alert %" JSON_INTEGER_FORMAT " that you can read",
				       json_integer_value(refid));
		}
		const char *mt = json_string_value(json_object_get(cap, "msgType"));
		int ack = mt && (strcmp(mt, "Ack") == 0 || strcmp(mt, "Error") == 0);
		if (!ack && json_integer_value(json_object_get(ref, "owner_org")) != who->org_id) {
			json_decref(ref);
			json_decref(cap);
			return eb_fail(d, EB_EPERM, "/references_alert", "only the organisation that sent an alert may update or cancel it");
		}
		char r[600];
		snprintf(r, sizeof r, "%s,%s,%s", json_string_value(json_object_get(ref, "sender")),
			 json_string_value(json_object_get(ref, "identifier")), json_string_value(json_object_get(ref, "sent")));
		json_object_set_new(cap, "references", json_string(r));
		json_decref(ref);
	}
	if ((e = fill_cap(c, who, in, cap, kind, d))) {
		json_decref(cap);
		return e;
	}
	struct cap_alert *a = NULL;
	e = cap_from_json(cap, &a, d);
	json_decref(cap);
	if (e) {
		if (d) {
			char f[sizeof d->field];
			snprintf(f, sizeof f, "/cap%s", d->field);
			memcpy(d->field, f, sizeof f);
		}
		return e;
	}
	if (kind == 1 && (a->msgType != CAP_MSG_TYPE_ALERT && a->msgType != CAP_MSG_TYPE_UPDATE)) {
		cap_alert_free(a);
		return eb_fail(d, EB_EINVAL, "/cap/msgType", "a joint statement is an Alert or an Update");
	}
	struct store_in si = {
		.owner = who->org_id, .kind = alert_kinds[kind], .state = kind == 1 ? "draft" : "issued", .cap = a,
		.shares = json_object_get(in, "shared_with"), .cosigners = json_object_get(in, "cosigners"),
		.citizens_of = eb_jstr(in, "citizens_of"), .entering = eb_jstr(in, "entering"), .action = "create"};
	int64_t id = 0;
	e = store(c, who, &si, &id, d);
	cap_alert_free(a);
	if (e)
		return e;
	return alert_get(c, who, id, out, d);
}

/* Org ids named "org:<id>" in CAP addresses. */
static void address_orgs(struct eb_conn *c, const char *addresses, json_t *out)
{
	const char *p = addresses;
	while (p && *p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (e - p > 4 && strncmp(p, "org:", 4) == 0) {
			char num[24];
			snprintf(num, sizeof num, "%.*s", (int)(e - p - 4), p + 4);
			int64_t id;
			char nm[8];
			if (!eb_parse_i64(num, 1, INT64_MAX, &id) && org_name(c, id, 0, nm, sizeof nm)[0])
				json_array_append_new(out, json_integer(id));
		}
		p = e;
	}
}

enum eb_err alert_import_xml(struct eb_conn *c, const struct eb_principal *who,
			     const char *xml, size_t len,
			     const struct alert_import_opts *opts, json_t **out,
			     struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = access_can_write(who, who->org_id, EB_ROLE_EDITOR, d);
	if (e)
		return e;
	if (!who->org_id)
		return eb_fail(d, EB_EINVAL, "org", "give the organisation that imports the alert");
	int kind = opts && opts->kind ? kind_index(opts->kind) : 0;
	if (kind < 0 || kind == 1)
		return eb_fail(d, EB_EINVAL, "kind", "an imported message is of kind alert or advisory");
	struct cap_alert *a = NULL;
	if ((e = cap_parse(xml, len, &a, d)))
		return e;
	json_t *shares = json_array();
	if (opts && opts->shared_with)
		json_array_extend(shares, opts->shared_with);
	if (a->addresses)
		address_orgs(c, a->addresses, shares);
	struct store_in si = {.owner = who->org_id, .kind = alert_kinds[kind], .state = "issued", .cap = a,
			      .shares = shares, .action = "import", .label = opts ? opts->label : NULL};
	/* An advisory names its countries in parameters citizens_of and
	 * entering, as alert_create writes them. */
	for (size_t i = 0; kind == 2 && a->ninfo && i < a->info[0].nparameter; i++) {
		const struct cap_value *p = &a->info[0].parameter[i];
		if (strcmp(p->valueName, "citizens_of") == 0)
			si.citizens_of = p->value;
		else if (strcmp(p->valueName, "entering") == 0)
			si.entering = p->value;
	}
	if (kind == 2 && (!si.citizens_of || !si.entering)) {
		e = eb_fail(d, EB_EINVAL, "/alert/info/parameter", "an advisory needs the parameters citizens_of and entering");
	} else {
		int64_t id = 0;
		e = store(c, who, &si, &id, d);
		if (!e)
			e = alert_get(c, who, id, out, d);
	}
	json_decref(shares);
	cap_alert_free(a);
	return e;
}

/* ---- lists ---- */

enum eb_err alert_list(struct eb_conn *c, const struct eb_principal *who,
		       const struct alert_query *q, json_t **items,
		       int64_t *last_id, struct eb_detail *d)
{
	*items = NULL;
	*last_id = 0;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " AL_COLS " FROM alerts a JOIN orgs o ON o.id = a.owner_org WHERE (? = 0 OR a.id < ?) "
		"AND (? = '' OR a.kind = ?) AND (? = '' OR a.incident = ?) AND (? = '' OR a.state = ?) "
		"AND (? = 0 OR a.owner_org = ?) "
		"AND (? = '' OR EXISTS (SELECT 1 FROM alert_areas x WHERE x.alert_id = a.id AND x.code = ?)) AND "
		ACCESS_VISIBLE_SQL("a") " ORDER BY a.id DESC LIMIT ?", d);
	if (!s)
		return EB_EDB;
	const char *k = q->kind ? q->kind : "", *inc = q->incident ? q->incident : "",
		   *st = q->state ? q->state : "", *ar = q->area ? q->area : "";
	eb_bind_i64(s, 1, q->after);
	eb_bind_i64(s, 2, q->after);
	eb_bind_text(s, 3, k);
	eb_bind_text(s, 4, k);
	eb_bind_text(s, 5, inc);
	eb_bind_text(s, 6, inc);
	eb_bind_text(s, 7, st);
	eb_bind_text(s, 8, st);
	eb_bind_i64(s, 9, q->org);
	eb_bind_i64(s, 10, q->org);
	eb_bind_text(s, 11, ar);
	eb_bind_text(s, 12, ar);
	int idx = access_bind_visible(s, 13, who, "alert");
	eb_bind_i64(s, idx, q->limit);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_array_append_new(arr, row_json(s, q->full));
		*last_id = eb_col_i64(s, C_ID);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*items = arr;
	return EB_OK;
}

enum eb_err alert_incidents(struct eb_conn *c, const struct eb_principal *who,
			    int limit, json_t **items, struct eb_detail *d)
{
	*items = NULL;
	/* The latest issued Alert/Update/Cancel of each chain the caller can
	 * see: no later visible message of the same incident exists. */
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " AL_COLS ", (SELECT COUNT(*) FROM alerts m WHERE m.incident = a.incident AND m.state = 'issued' "
		"AND m.msg_type IN ('Alert', 'Update', 'Cancel') AND " ACCESS_VISIBLE_SQL("m") ") "
		"FROM alerts a JOIN orgs o ON o.id = a.owner_org WHERE a.state = 'issued' "
		"AND a.msg_type IN ('Alert', 'Update', 'Cancel') AND " ACCESS_VISIBLE_SQL("a") " AND NOT EXISTS ("
		"SELECT 1 FROM alerts b WHERE b.incident = a.incident AND b.state = 'issued' "
		"AND b.msg_type IN ('Alert', 'Update', 'Cancel') AND (b.sent_at > a.sent_at OR (b.sent_at = a.sent_at AND b.id > a.id)) AND "
		ACCESS_VISIBLE_SQL("b") ") ORDER BY a.sent_at DESC, a.id DESC LIMIT ?", d);
	if (!s)
		return EB_EDB;
	int idx = access_bind_visible(s, 1, who, "alert");
	idx = access_bind_visible(s, idx, who, "alert");
	idx = access_bind_visible(s, idx, who, "alert");
	eb_bind_i64(s, idx, limit);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_t *o = row_json(s, 0);
		json_object_set_new(o, "cancelled", json_boolean(strcmp(eb_col_text(s, C_MSGTYPE), "Cancel") == 0));
		json_object_set_new(o, "messages", json_integer(eb_col_i64(s, C_CAP + 1)));
		json_array_append_new(arr, o);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*items = arr;
	return EB_OK;
}

enum eb_err alert_public_list(struct eb_conn *c, int limit, int full,
			      json_t **items, struct eb_detail *d)
{
	*items = NULL;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " AL_COLS " FROM alerts a JOIN orgs o ON o.id = a.owner_org WHERE a.visibility = 'public' "
		"AND a.state = 'issued' AND a.status <> 'Draft' AND a.msg_type IN ('Alert', 'Update', 'Cancel') "
		"ORDER BY a.sent_at DESC, a.id DESC LIMIT ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, limit);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(arr, row_json(s, full));
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*items = arr;
	return EB_OK;
}

enum eb_err alert_views_add(struct eb_conn *c, const int64_t *ids,
			    const int64_t *counts, size_t n, struct eb_detail *d)
{
	if (!n)
		return EB_OK;
	enum eb_err e = eb_begin(c, d);
	for (size_t i = 0; !e && i < n; i++) {
		struct eb_stmt *s = eb_stmt(c, "UPDATE alerts SET views = views + ? WHERE id = ?", d);
		if (!s) {
			e = EB_EDB;
			break;
		}
		eb_bind_i64(s, 1, counts[i]);
		eb_bind_i64(s, 2, ids[i]);
		int rc = eb_step(s, d);
		eb_done(s);
		if (rc < 0)
			e = (enum eb_err)rc;
	}
	if (e) {
		eb_rollback(c);
		return e;
	}
	return eb_commit(c, d);
}

/* ---- joint statements ---- */

/* Takes the statement's row lock (PostgreSQL: the UPDATE; SQLite: the
 * write transaction) and returns its owner and state. */
static enum eb_err lock_statement(struct eb_conn *c, int64_t id, int64_t *owner, char *state,
				  size_t n, struct eb_detail *d)
{
	struct eb_stmt *u = eb_stmt(c, "UPDATE alerts SET updated_at = ? WHERE id = ? AND kind = 'joint_statement' "
				       "RETURNING owner_org, state", d);
	if (!u)
		return EB_EDB;
	eb_bind_i64(u, 1, eb_now_ms());
	eb_bind_i64(u, 2, id);
	int rc = eb_step(u, d);
	if (rc == EB_ROW) {
		*owner = eb_col_i64(u, 0);
		snprintf(state, n, "%s", eb_col_text(u, 1));
	}
	eb_done(u);
	if (rc < 0)
		return (enum eb_err)rc;
	return rc == EB_ROW ? EB_OK : eb_fail(d, EB_ENOTFOUND, NULL, "no joint statement %" PRId64, id);
}

/* The start of a change only the drafter makes to a draft statement
 * (issue, withdraw): the caller may read it and is an editor of its owner;
 * then, in a transaction that holds the statement's row, it is still a
 * draft.  On EB_OK the transaction is open; on an error nothing is.  verb
 * ("issued", "withdrawn") goes into the refusal of a statement that is no
 * longer a draft. */
static enum eb_err begin_draft_change(struct eb_conn *c, const struct eb_principal *who,
				      int64_t id, const char *verb, int64_t *owner,
				      struct eb_detail *d)
{
	json_t *cur = NULL;
	enum eb_err e = alert_get(c, who, id, &cur, d);
	if (e)
		return e;
	*owner = json_integer_value(json_object_get(cur, "owner_org"));
	json_decref(cur);
	if ((e = access_can_write(who, *owner, EB_ROLE_EDITOR, d)) || (e = eb_begin(c, d)))
		return e;
	char state[16];
	if ((e = lock_statement(c, id, owner, state, sizeof state, d)) == EB_OK && strcmp(state, "draft") != 0)
		e = eb_fail(d, EB_ECONFLICT, NULL, "only a draft can be %s; this statement is %s", verb, state);
	if (e)
		eb_rollback(c);
	return e;
}

enum eb_err alert_decide(struct eb_conn *c, const struct eb_principal *who,
			 int64_t id, int approve, const char *note,
			 json_t **out, struct eb_detail *d)
{
	*out = NULL;
	if (who->kind == EB_ANON)
		return eb_fail(d, EB_EAUTH, NULL, "log in to sign a statement");
	if (note && strlen(note) > 2000)
		return eb_fail(d, EB_EINVAL, "/note", "note is longer than 2000 bytes");
	/* Read access first, so that strangers learn nothing. */
	json_t *cur = NULL;
	enum eb_err e = alert_get(c, who, id, &cur, d);
	if (e)
		return e;
	json_decref(cur);
	if (!is_signer(c, id, who->org_id))
		return eb_fail(d, EB_EPERM, NULL, "your organisation is not a co-signer of this statement");
	if ((e = access_can_write(who, who->org_id, EB_ROLE_EDITOR, d)))
		return e;
	if ((e = eb_begin(c, d)))
		return e;
	int64_t owner;
	char state[16];
	if ((e = lock_statement(c, id, &owner, state, sizeof state, d)))
		goto fail;
	if (strcmp(state, "draft") != 0) {
		e = eb_fail(d, EB_ECONFLICT, NULL, "the statement is %s; decisions are taken on drafts", state);
		goto fail;
	}
	struct eb_stmt *s = eb_stmt(c, "UPDATE alert_signers SET decision = ?, decided_by = ?, decided_at = ?, note = ? "
				       "WHERE alert_id = ? AND org_id = ?", d);
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	eb_bind_text(s, 1, approve ? "approved" : "declined");
	eb_bind_text(s, 2, who->label);
	eb_bind_i64(s, 3, eb_now_ms());
	eb_bind_text(s, 4, note ? note : "");
	eb_bind_i64(s, 5, id);
	eb_bind_i64(s, 6, who->org_id);
	int rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0) {
		e = (enum eb_err)rc;
		goto fail;
	}
	json_t *after = json_pack("{s:I, s:s, s:s}", "org_id", (json_int_t)who->org_id,
				  "decision", approve ? "approved" : "declined", "note", note ? note : "");
	if (approve)
		e = audit_append(c, who, "approve", "alert", id, NULL, after, d);
	else
		e = audit_append(c, who, "decline", "alert", id, NULL, after, d);
	json_decref(after);
	if (e)
		goto fail;
	if ((e = eb_commit(c, d)))
		return e;
	return alert_get(c, who, id, out, d);
fail:
	eb_rollback(c);
	return e;
}

enum eb_err alert_issue(struct eb_conn *c, const struct eb_principal *who,
			int64_t id, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	int64_t owner = 0;
	enum eb_err e = begin_draft_change(c, who, id, "issued", &owner, d);
	if (e)
		return e;
	/* Every co-signer approved, as read inside this transaction. */
	struct eb_stmt *s = eb_stmt(c, "SELECT o.name_en, g.decision FROM alert_signers g JOIN orgs o ON o.id = g.org_id "
				       "WHERE g.alert_id = ? AND g.decision <> 'approved' ORDER BY g.org_id", d);
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	eb_bind_i64(s, 1, id);
	char missing[240] = "";
	size_t used = 0;
	int rc, nmissing = 0;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		if (used < sizeof missing)
			used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%s (%s)", nmissing ? ", " : "",
						 eb_col_text(s, 0), eb_col_text(s, 1));
		nmissing++;
	}
	eb_done(s);
	if (rc < 0) {
		e = (enum eb_err)rc;
		goto fail;
	}
	if (nmissing) {
		e = eb_fail(d, EB_ECONFLICT, NULL, "not every co-signer has approved: %s", missing);
		goto fail;
	}
	/* Visibility from the scope now that it is public knowledge. */
	char scope[16] = "", incident[512] = "";
	s = eb_stmt(c, "SELECT scope, incident, status FROM alerts WHERE id = ?", d);
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	eb_bind_i64(s, 1, id);
	int draft_status = 0;
	if ((rc = eb_step(s, d)) == EB_ROW) {
		snprintf(scope, sizeof scope, "%s", eb_col_text(s, 0));
		snprintf(incident, sizeof incident, "%s", eb_col_text(s, 1));
		draft_status = strcmp(eb_col_text(s, 2), "Draft") == 0;
	}
	eb_done(s);
	int64_t now = eb_now_ms();
	s = eb_stmt(c, "UPDATE alerts SET state = 'issued', visibility = ?, issued_at = ?, updated_at = ? WHERE id = ?", d);
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	eb_bind_text(s, 1, strcmp(scope, "Public") == 0 ? "public" : "listed");
	eb_bind_i64(s, 2, now);
	eb_bind_i64(s, 3, now);
	eb_bind_i64(s, 4, id);
	rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0) {
		e = (enum eb_err)rc;
		goto fail;
	}
	int64_t n = 0;
	if (!draft_status && (e = alert_fanout(c, id, "joint_statement", incident, now, &n, d)))
		goto fail;
	json_t *after = json_pack("{s:s, s:I}", "state", "issued", "recipients", (json_int_t)n);
	e = audit_append(c, who, "issue", "alert", id, NULL, after, d);
	json_decref(after);
	if (e)
		goto fail;
	if ((e = eb_commit(c, d)))
		return e;
	return alert_get(c, who, id, out, d);
fail:
	eb_rollback(c);
	return e;
}

enum eb_err alert_withdraw(struct eb_conn *c, const struct eb_principal *who,
			   int64_t id, struct eb_detail *d)
{
	int64_t owner = 0;
	enum eb_err e = begin_draft_change(c, who, id, "withdrawn", &owner, d);
	if (e)
		return e;
	struct eb_stmt *s = eb_stmt(c, "UPDATE alerts SET state = 'withdrawn' WHERE id = ?", d);
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0) {
		e = (enum eb_err)rc;
		goto fail;
	}
	json_t *after = json_pack("{s:s}", "state", "withdrawn");
	e = audit_append(c, who, "withdraw", "alert", id, NULL, after, d);
	json_decref(after);
	if (e)
		goto fail;
	return eb_commit(c, d);
fail:
	eb_rollback(c);
	return e;
}
