/*
 * Situation data in and out of files.  See sitrep_io.h.
 *
 * Imports adapt a reader's sink (formats/sitrep_rows.h) to the domain's
 * import calls.  Exports read the reports a page at a time by id (the primary key, so each page
 * is an index range scan on either database, and PostgreSQL never
 * materialises the whole export) and writes each row straight from the
 * statement's columns into an output buffer that is flushed to the caller
 * in 64 KiB chunks.  The visibility rule is ACCESS_VISIBLE_SQL, as in
 * sitrep_list; the command line, which acts as the operator, reads without
 * it.
 */
#include "domain/sitrep_io.h"
#include "domain/access.h"
#include "formats/areas.h"
#include "formats/csv.h"
#include "formats/fhir.h"
#include "formats/hxl.h"
#include "formats/jhu_csv.h"
#include "formats/who_csv.h"
#include "formats/sitrep_rows.h"
#include "store/db.h"
#include "base/buf.h"
#include "base/util.h"

#include <stdio.h>
#include <string.h>

/* ---- imports ---- */

int sitrep_import_format_parse(const char *s)
{
	static const char *const names[] = {"who", "jhu", "hxl", "csv"};
	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

struct feed {
	struct sitrep_import *imp;
	void (*progress)(int64_t rows, void *arg);
	void *arg;
	int64_t rows;
};

static void feed_tick(struct feed *f)
{
	if (++f->rows % 16384 == 0 && f->progress)
		f->progress(f->rows, f->arg);
}

static int feed_row(void *ctx, const struct sitrep_row *row, struct eb_detail *d)
{
	struct feed *f = ctx;
	feed_tick(f);
	return sitrep_import_row(f->imp, row, d);
}

static int feed_reject(void *ctx, long line, const struct eb_detail *why)
{
	struct feed *f = ctx;
	feed_tick(f);
	sitrep_import_reject(f->imp, line, why->field, why->msg);
	return 0;
}

enum eb_err sitrep_import_read(struct sitrep_import *imp, enum sitrep_import_format f,
			       struct csv_reader *r, struct csv_reader *deaths,
			       const char *map, void (*progress)(int64_t rows, void *arg),
			       void *arg, int64_t *flagged, struct eb_detail *d)
{
	struct eb_detail ad = {0};
	const struct areas *areas = areas_default(&ad);
	if (!areas)
		return eb_fail(d, EB_EINTERNAL, NULL, "the area reference is not loaded: %s", ad.msg);
	struct feed fd = {imp, progress, arg, 0};
	struct sitrep_sink sink = {feed_row, feed_reject, &fd};
	struct sitrep_stats st = {0};
	enum eb_err e;
	switch (f) {
	case SITREP_IMPORT_WHO: e = who_csv_read(r, areas, &sink, &st, d); break;
	case SITREP_IMPORT_JHU: e = jhu_csv_read(r, deaths, areas, &sink, &st, d); break;
	case SITREP_IMPORT_HXL: e = hxl_read(r, areas, &sink, &st, d); break;
	case SITREP_IMPORT_CSV:
		if (!map || !*map)
			return eb_fail(d, EB_EINVAL, "map", "a plain CSV needs a column mapping, e.g. "
				       "area=Country_code,date=Date_reported,new_confirmed=New_cases");
		e = hxl_read_mapped(r, map, areas, &sink, &st, d);
		break;
	default: return eb_fail(d, EB_EINVAL, "format", "unknown import format");
	}
	if (flagged)
		*flagged = st.flagged;
	return e;
}

/* ---- exports ---- */

#define PAGE 1000
#define FLUSH_AT (64 * 1024)

#define EX_COLS "r.id, r.owner_org, r.visibility, r.area, r.day, r.new_confirmed, r.cum_confirmed, " \
	"r.new_suspected, r.cum_suspected, r.new_deaths, r.cum_deaths, r.new_recovered, r.cum_recovered, " \
	"r.new_tests, r.cum_tests, r.transmission, r.flags, r.source, r.note, r.revision, r.created_at, " \
	"r.updated_at, o.name_en"
/* The filters, in one of three shapes so that the database can use an
 * index -- (area, day) with an area, day with dates only, the primary key
 * otherwise -- with the same parameters in the same order (area, from, to,
 * after, org, org); as in sitrep_list. */
#define EX_FROM " FROM sitreps r JOIN orgs o ON o.id = r.owner_org WHERE "
#define EX_AREA "r.area = ? AND r.day >= ? AND r.day <= ? AND r.id > ? AND (? = 0 OR r.owner_org = ?)"
#define EX_DAYS "? = '' AND r.day >= ? AND r.day <= ? AND r.id > ? AND (? = 0 OR r.owner_org = ?)"
#define EX_NONE "? = '' AND ? = '' AND ? = '' AND r.id > ? AND (? = 0 OR r.owner_org = ?)"
#define EX_PAGE " ORDER BY r.id LIMIT ?"
#define EX_VIS " AND " ACCESS_VISIBLE_SQL("r")

/* [shape][0 for the command line, 1 with the visibility rule] */
static const char *const ex_sql[3][2] = {
	{"SELECT " EX_COLS EX_FROM EX_AREA EX_PAGE, "SELECT " EX_COLS EX_FROM EX_AREA EX_VIS EX_PAGE},
	{"SELECT " EX_COLS EX_FROM EX_DAYS EX_PAGE, "SELECT " EX_COLS EX_FROM EX_DAYS EX_VIS EX_PAGE},
	{"SELECT " EX_COLS EX_FROM EX_NONE EX_PAGE, "SELECT " EX_COLS EX_FROM EX_NONE EX_VIS EX_PAGE},
};
/* column indexes */
enum { C_ID, C_OWNER, C_VIS, C_AREA, C_DAY, C_COUNTS, C_TX = C_COUNTS + SITREP_NCOUNTS, C_FLAGS,
       C_SOURCE, C_NOTE, C_REVISION, C_CREATED, C_UPDATED, C_ORGNAME };

static const char *const flag_names[] = {"negative_new_cases", "negative_new_deaths", "derived_new", "summed"};

/* Extra CSV columns after the HXL writer's own (ignored by the HXL reader:
 * the cumulative suspected/recovered/tests columns come first). */
static const char extra_names[] = "org_id,org_name,new_suspected,new_recovered,new_tests,source";
static const char extra_tags[] = "#org+code,#org+name,#affected+suspected+new,#affected+recovered+new,"
				 "#affected+tested+new,#meta+source";

int sitrep_export_format_parse(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "csv") == 0)
		return SITREP_EXPORT_CSV;
	if (strcmp(s, "json") == 0)
		return SITREP_EXPORT_JSON;
	if (strcmp(s, "fhir") == 0)
		return SITREP_EXPORT_FHIR;
	return -1;
}

const char *sitrep_export_ctype(enum sitrep_export_format f)
{
	switch (f) {
	case SITREP_EXPORT_CSV: return "text/csv; charset=utf-8";
	case SITREP_EXPORT_JSON: return "application/json";
	case SITREP_EXPORT_FHIR: return "application/fhir+json";
	}
	return "application/octet-stream";
}

const char *sitrep_export_ext(enum sitrep_export_format f)
{
	switch (f) {
	case SITREP_EXPORT_CSV: return "csv";
	case SITREP_EXPORT_JSON: return "json";
	case SITREP_EXPORT_FHIR: return "fhir.json";
	}
	return "bin";
}

struct out {
	struct eb_buf b;
	sitrep_export_write_fn *w;
	void *ctx;
	int failed;
};

static enum eb_err flush(struct out *o, int force)
{
	if (o->b.len && (force || o->b.len >= FLUSH_AT)) {
		if (o->w(o->ctx, o->b.data, o->b.len)) {
			o->failed = 1;
			return EB_EIO;
		}
		eb_buf_reset(&o->b);
	}
	return EB_OK;
}

static int buf_dump(const char *p, size_t n, void *ctx)
{
	return eb_buf_add(ctx, p, n) == EB_OK ? 0 : -1;
}

static int tx_of(struct eb_stmt *s)
{
	if (eb_col_null(s, C_TX))
		return SITREP_TX_UNKNOWN;
	const char *t = eb_col_text(s, C_TX);
	for (int i = 0; sitrep_transmission_names[i]; i++)
		if (strcmp(t, sitrep_transmission_names[i]) == 0)
			return i;
	return SITREP_TX_UNKNOWN;
}

static struct sitrep_count count_of(struct eb_stmt *s, int i)
{
	struct sitrep_count c = {0, false};
	if (!eb_col_null(s, C_COUNTS + i)) {
		c.value = eb_col_i64(s, C_COUNTS + i);
		c.present = true;
	}
	return c;
}

static enum eb_err write_cell_count(struct eb_buf *b, struct sitrep_count c)
{
	return c.present ? eb_buf_printf(b, ",%lld", (long long)c.value) : eb_buf_addc(b, ',');
}

static enum eb_err write_csv(struct eb_buf *b, struct eb_stmt *s)
{
	struct sitrep_row row;
	sitrep_row_init(&row);
	snprintf(row.area, sizeof row.area, "%s", eb_col_text(s, C_AREA));
	snprintf(row.date, sizeof row.date, "%s", eb_col_text(s, C_DAY));
	/* the import's mapping in reverse: one suspected, recovered and tests
	 * column each, the cumulative count */
	row.new_confirmed = count_of(s, 0);
	row.cum_confirmed = count_of(s, 1);
	row.suspected = count_of(s, 3);
	row.new_deaths = count_of(s, 4);
	row.cum_deaths = count_of(s, 5);
	row.recovered = count_of(s, 7);
	row.tests = count_of(s, 9);
	row.transmission = tx_of(s);
	enum eb_err e = hxl_write_row(b, &row);
	if (e)
		return e;
	b->len -= 2; /* the writer's CRLF: the extra columns follow */
	b->data[b->len] = '\0';
	if ((e = eb_buf_printf(b, ",%lld", (long long)eb_col_i64(s, C_OWNER))))
		return e;
	const char *name = eb_col_text(s, C_ORGNAME);
	if ((e = csv_write_field(b, false, name, strlen(name))))
		return e;
	if ((e = write_cell_count(b, count_of(s, 2))) || (e = write_cell_count(b, count_of(s, 6))) ||
	    (e = write_cell_count(b, count_of(s, 8))))
		return e;
	const char *src = eb_col_text(s, C_SOURCE);
	if ((e = csv_write_field(b, false, src, strlen(src))))
		return e;
	return csv_write_end(b);
}

static enum eb_err write_json(struct eb_buf *b, struct eb_stmt *s, int first)
{
	char cr[32], up[32];
	eb_fmt_time(eb_col_i64(s, C_CREATED), cr);
	eb_fmt_time(eb_col_i64(s, C_UPDATED), up);
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)eb_col_i64(s, C_ID),
			      "owner_org", (json_int_t)eb_col_i64(s, C_OWNER), "visibility", eb_col_text(s, C_VIS),
			      "area", eb_col_text(s, C_AREA), "date", eb_col_text(s, C_DAY));
	if (!o)
		return EB_ENOMEM;
	for (int i = 0; i < SITREP_NCOUNTS; i++) {
		struct sitrep_count c = count_of(s, i);
		json_object_set_new(o, sitrep_count_names[i], c.present ? json_integer(c.value) : json_null());
	}
	json_object_set_new(o, "transmission", eb_col_null(s, C_TX) ? json_null() : json_string(eb_col_text(s, C_TX)));
	json_t *fl = json_array();
	int flags = (int)eb_col_i64(s, C_FLAGS);
	for (int i = 0; i < 4; i++)
		if (flags & (1 << i))
			json_array_append_new(fl, json_string(flag_names[i]));
	json_object_set_new(o, "flags", fl);
	json_object_set_new(o, "source", json_string(eb_col_text(s, C_SOURCE)));
	json_object_set_new(o, "note", json_string(eb_col_text(s, C_NOTE)));
	json_object_set_new(o, "revision", json_integer(eb_col_i64(s, C_REVISION)));
	json_object_set_new(o, "created_at", json_string(cr));
	json_object_set_new(o, "updated_at", json_string(up));
	enum eb_err e = first ? EB_OK : eb_buf_addc(b, ',');
	if (!e && json_dump_callback(o, buf_dump, b, JSON_COMPACT))
		e = EB_ENOMEM;
	json_decref(o);
	return e;
}

static enum eb_err write_fhir(struct eb_buf *b, struct eb_stmt *s, const struct areas *areas, int first)
{
	struct fhir_sitrep f = {0};
	char up[32];
	eb_fmt_time(eb_col_i64(s, C_UPDATED), up);
	f.id = eb_col_i64(s, C_ID);
	f.area = eb_col_text(s, C_AREA);
	const struct area *a = areas ? areas_by_code(areas, f.area) : NULL;
	f.area_name = a ? a->name_en : NULL;
	f.date = eb_col_text(s, C_DAY);
	f.org = eb_col_i64(s, C_OWNER);
	f.org_name = eb_col_text(s, C_ORGNAME);
	for (int i = 0; i < FHIR_NCOUNTS; i++)
		f.counts[i] = count_of(s, i);
	f.transmission = tx_of(s);
	f.flags = (int)eb_col_i64(s, C_FLAGS);
	f.updated = up;
	return fhir_bundle_add(b, &f, first);
}

static enum eb_err write_head(struct out *o, enum sitrep_export_format f)
{
	enum eb_err e = EB_OK;
	switch (f) {
	case SITREP_EXPORT_CSV:
		/* the HXL header rows with the extra columns appended */
		if ((e = hxl_write_header(&o->b)))
			return e;
		{
			char *crlf = strstr(o->b.data, "\r\n");
			size_t names_len = (size_t)(crlf - o->b.data);
			size_t tags_len = o->b.len - names_len - 4;
			struct eb_buf h;
			eb_buf_init(&h, 0);
			if ((e = eb_buf_add(&h, o->b.data, names_len)) || (e = eb_buf_addc(&h, ',')) ||
			    (e = eb_buf_adds(&h, extra_names)) || (e = csv_write_end(&h)) ||
			    (e = eb_buf_add(&h, crlf + 2, tags_len)) || (e = eb_buf_addc(&h, ',')) ||
			    (e = eb_buf_adds(&h, extra_tags)) || (e = csv_write_end(&h))) {
				eb_buf_free(&h);
				return e;
			}
			eb_buf_reset(&o->b);
			e = eb_buf_add(&o->b, h.data, h.len);
			eb_buf_free(&h);
		}
		return e;
	case SITREP_EXPORT_JSON:
		return eb_buf_adds(&o->b, "{\"items\":[");
	case SITREP_EXPORT_FHIR: {
		char ts[32];
		eb_fmt_time(eb_now_ms(), ts);
		return fhir_bundle_begin(&o->b, ts);
	}
	}
	return EB_EINVAL;
}

static enum eb_err write_tail(struct out *o, enum sitrep_export_format f, const char *next_base, int64_t next)
{
	char cur[24];
	snprintf(cur, sizeof cur, "%lld", (long long)next);
	switch (f) {
	case SITREP_EXPORT_CSV:
		return EB_OK;
	case SITREP_EXPORT_JSON:
		if (next)
			return eb_buf_printf(&o->b, "],\"next_cursor\":\"%s\"}", cur);
		return eb_buf_adds(&o->b, "],\"next_cursor\":null}");
	case SITREP_EXPORT_FHIR: {
		if (!next || !next_base)
			return fhir_bundle_end(&o->b, NULL);
		struct eb_buf url;
		eb_buf_init(&url, 0);
		enum eb_err e = eb_buf_printf(&url, "%scursor=%s", next_base, cur);
		if (!e)
			e = fhir_bundle_end(&o->b, url.data);
		eb_buf_free(&url);
		return e;
	}
	}
	return EB_EINVAL;
}

/* Checks and normalises the filters (area code in the reference's case). */
static enum eb_err check_query(struct sitrep_query *q, char area[16], struct eb_detail *d)
{
	if (q->area && *q->area) {
		const struct areas *a = areas_default(NULL);
		const struct area *x = a ? areas_by_code(a, q->area) : NULL;
		if (!x)
			return eb_fail(d, EB_EINVAL, "area", "area must be an ISO 3166-1 alpha-2 or subdivision code such as CN or CN-HB");
		snprintf(area, 16, "%s", x->code);
		q->area = area;
	}
	if (q->from && *q->from && !eb_date_valid(q->from))
		return eb_fail(d, EB_EINVAL, "from", "from must be a date YYYY-MM-DD");
	if (q->to && *q->to && !eb_date_valid(q->to))
		return eb_fail(d, EB_EINVAL, "to", "to must be a date YYYY-MM-DD");
	return EB_OK;
}

enum eb_err sitrep_export(struct eb_conn *c, const struct eb_principal *who,
			  const struct sitrep_export_opts *opts,
			  sitrep_export_write_fn *w, void *ctx, int64_t *rows,
			  int64_t *next, struct eb_detail *d)
{
	struct sitrep_query q = opts->q;
	char area[16];
	int64_t written = 0, after = q.after, more = 0;
	if (rows)
		*rows = 0;
	if (next)
		*next = 0;
	enum eb_err e = check_query(&q, area, d);
	if (e)
		return e;
	int shape = q.area && *q.area ? 0 : (q.from && *q.from) || (q.to && *q.to) ? 1 : 2;
	const char *a = q.area ? q.area : "";
	const char *from = shape == 2 ? "" : q.from && *q.from ? q.from : "0000-00-00";
	const char *to = shape == 2 ? "" : q.to && *q.to ? q.to : "9999-99-99";
	const struct areas *areas = areas_default(NULL);
	struct out o = {.w = w, .ctx = ctx};
	eb_buf_init(&o.b, 0);
	if ((e = write_head(&o, opts->format)))
		goto out;
	for (;;) {
		int page = PAGE;
		if (q.limit > 0 && q.limit - written + 1 < page)
			page = (int)(q.limit - written + 1);
		struct eb_stmt *s = eb_stmt(c, ex_sql[shape][who->kind != EB_CLI], d);
		if (!s) {
			e = EB_EDB;
			goto out;
		}
		eb_bind_text(s, 1, a);
		eb_bind_text(s, 2, from);
		eb_bind_text(s, 3, to);
		eb_bind_i64(s, 4, after);
		eb_bind_i64(s, 5, q.org);
		eb_bind_i64(s, 6, q.org);
		int idx = 7;
		if (who->kind != EB_CLI)
			idx = access_bind_visible(s, idx, who, "sitrep");
		eb_bind_i64(s, idx, page);
		int rc, n = 0;
		while ((rc = eb_step(s, d)) == EB_ROW) {
			if (q.limit > 0 && written == q.limit) {
				more = after; /* a row beyond the limit: another page follows */
				break;
			}
			switch (opts->format) {
			case SITREP_EXPORT_CSV: e = write_csv(&o.b, s); break;
			case SITREP_EXPORT_JSON: e = write_json(&o.b, s, written == 0); break;
			case SITREP_EXPORT_FHIR: e = write_fhir(&o.b, s, areas, written == 0); break;
			}
			if (!e)
				e = flush(&o, 0);
			if (e)
				break;
			after = eb_col_i64(s, C_ID);
			written++;
			n++;
			if (opts->progress && written % 10000 == 0)
				opts->progress(written, opts->progress_arg);
		}
		eb_done(s);
		if (rc < 0 && !e)
			e = (enum eb_err)rc;
		if (e)
			goto out;
		if (more || n < page)
			break;
	}
	if (!(e = write_tail(&o, opts->format, opts->next_base, more)))
		e = flush(&o, 1);
	if (rows)
		*rows = written;
	if (next)
		*next = more;
out:
	if (e == EB_EIO && o.failed)
		eb_fail(d, EB_EIO, NULL, "the export could not be written (output closed or over its limit)");
	eb_buf_free(&o.b);
	return e;
}
