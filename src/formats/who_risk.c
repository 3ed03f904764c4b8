/*
 * Reader of WHO's early-2020 risk assessments from the situation-report
 * transcription.  See who_risk.h for the mapping and the checks.  One pass
 * over the CSV (formats/csv.h); an assessment is opened on each change of
 * a column's level and extended while later reports restate it.
 */
#include "formats/who_risk.h"
#include "formats/csv.h"
#include "base/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_REPORT, C_DATE, C_CHN, C_REGIONAL, C_GLOBAL, C_N };
static const char *const COLS[C_N] = {"situation_report", "date", "risk_chn", "risk_regional", "risk_global"};
static const struct {
	const char *scope, *code, *what;
} SCOPES[3] = {
	{"area", "CN", "for China"},
	{"region", "WPRO", "at the regional level (WHO Western Pacific Region)"},
	{"world", "world", "at the global level"},
};

void who_risk_free(struct who_risk *r)
{
	if (!r)
		return;
	free(r->items);
	r->items = NULL;
	r->n = 0;
}

static enum eb_err fail_at(struct eb_detail *d, long line, int col_no, const char *col,
			   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum eb_err fail_at(struct eb_detail *d, long line, int col_no, const char *col,
			   const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return eb_fail(d, EB_EINVAL, col, "line %ld, column %d (%s): %s", line, col_no, col, msg);
}

/* "Very High" etc. -> level name; NULL when not a level word.  Empty -> "". */
static const char *level_of(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return "";
	char w[24];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == ' ' || ch == '_' || ch == '-') {
			if (k && w[k - 1] == '_')
				continue;
			ch = '_';
		}
		if (k + 1 >= sizeof w)
			return NULL;
		w[k++] = (char)tolower((unsigned char)ch);
	}
	w[k] = 0;
	static const char *const names[] = {"low", "moderate", "high", "very_high", NULL};
	for (int i = 0; names[i]; i++)
		if (strcmp(w, names[i]) == 0)
			return names[i];
	return NULL;
}

static void rationale_of(struct who_risk_item *it, const char *word, int c)
{
	if (it->last_report == it->first_report)
		snprintf(it->rationale, sizeof it->rationale,
			 "WHO COVID-19 situation report %d (%s) assessed the risk %s as %s.",
			 it->first_report, it->day, SCOPES[c].what, word);
	else
		snprintf(it->rationale, sizeof it->rationale,
			 "WHO COVID-19 situation report %d (%s) assessed the risk %s as %s; "
			 "restated unchanged through report %d (%s).",
			 it->first_report, it->day, SCOPES[c].what, word, it->last_report, it->last_day);
}

enum eb_err who_risk_read(FILE *f, struct who_risk *out, struct eb_detail *d)
{
	memset(out, 0, sizeof *out);
	struct csv_reader *r = csv_open_file(f, NULL);
	if (!r)
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	struct csv_row row;
	int idx[C_N];
	size_t nfields = 0;
	enum eb_err e = EB_OK;
	int rc = csv_next(r, &row, d);
	if (rc <= 0) {
		csv_free(r);
		if (rc == 0)
			return eb_fail(d, EB_EINVAL, NULL, "the file is empty (expected a header with %s, %s, %s, %s, %s)",
				       COLS[0], COLS[1], COLS[2], COLS[3], COLS[4]);
		return (enum eb_err)rc;
	}
	nfields = row.nfields;
	for (int c = 0; c < C_N; c++) {
		idx[c] = -1;
		for (size_t i = 0; i < row.nfields; i++)
			if (strcmp(row.f[i].p, COLS[c]) == 0) {
				if (idx[c] >= 0) {
					csv_free(r);
					return eb_fail(d, EB_EINVAL, COLS[c], "line 1, column %zu: column %s appears twice",
						       i + 1, COLS[c]);
				}
				idx[c] = (int)i;
			}
		if (idx[c] < 0) {
			csv_free(r);
			return eb_fail(d, EB_EINVAL, COLS[c], "line 1: the header has no column %s (is this sarscov2_who_2019.csv?)",
				       COLS[c]);
		}
	}
	size_t cap = 16;
	struct who_risk_item *items = malloc(cap * sizeof *items);
	if (!items) {
		csv_free(r);
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	}
	size_t n = 0;
	int open_item[3] = {-1, -1, -1}; /* index of the standing assessment per scope */
	const char *open_word[3] = {NULL, NULL, NULL};
	long prev_report = 0;
	char prev_day[11] = "";
	while ((rc = csv_next(r, &row, d)) == 1) {
		long line = csv_line(r);
		if (out->rows >= WHO_RISK_MAX_ROWS) {
			e = eb_fail(d, EB_ETOOBIG, NULL, "line %ld: more than %u reports", line, WHO_RISK_MAX_ROWS);
			break;
		}
		out->rows++;
		if (row.nfields != nfields) {
			e = eb_fail(d, EB_EINVAL, NULL, "line %ld: %zu fields where the header has %zu", line,
				    row.nfields, nfields);
			break;
		}
		const struct csv_field *fr = &row.f[idx[C_REPORT]], *fd = &row.f[idx[C_DATE]];
		int64_t report;
		if (eb_parse_i64(fr->p, 1, 1000000, &report)) {
			e = fail_at(d, line, idx[C_REPORT] + 1, COLS[C_REPORT],
				    "'%s' is not a report number (a positive integer)", fr->p);
			break;
		}
		if (report <= prev_report) {
			e = fail_at(d, line, idx[C_REPORT] + 1, COLS[C_REPORT],
				    "report numbers must increase (the previous row is report %ld)", prev_report);
			break;
		}
		if (!eb_date_valid(fd->p)) {
			e = fail_at(d, line, idx[C_DATE] + 1, COLS[C_DATE], "'%s' is not a date (YYYY-MM-DD)", fd->p);
			break;
		}
		if (strcmp(fd->p, prev_day) <= 0) {
			e = fail_at(d, line, idx[C_DATE] + 1, COLS[C_DATE],
				    "dates must increase (the previous report is dated %s)", prev_day);
			break;
		}
		prev_report = (long)report;
		snprintf(prev_day, sizeof prev_day, "%s", fd->p);
		for (int c = 0; c < 3 && !e; c++) {
			const struct csv_field *fv = &row.f[idx[C_CHN + c]];
			const char *lv = level_of(fv->p, fv->len);
			if (!lv) {
				e = fail_at(d, line, idx[C_CHN + c] + 1, COLS[C_CHN + c],
					    "'%s' is not a risk level (Low, Moderate, High, Very High, or empty)", fv->p);
				break;
			}
			if (!*lv)
				continue;
			if (open_item[c] >= 0 && strcmp(open_word[c], lv) == 0) {
				struct who_risk_item *it = &items[open_item[c]];
				it->last_report = (int)report;
				snprintf(it->last_day, sizeof it->last_day, "%s", fd->p);
				continue;
			}
			if (n == cap) {
				cap *= 2;
				struct who_risk_item *ni = realloc(items, cap * sizeof *ni);
				if (!ni) {
					e = eb_fail(d, EB_ENOMEM, NULL, "out of memory");
					break;
				}
				items = ni;
			}
			struct who_risk_item *it = &items[n];
			memset(it, 0, sizeof *it);
			snprintf(it->scope, sizeof it->scope, "%s", SCOPES[c].scope);
			snprintf(it->code, sizeof it->code, "%s", SCOPES[c].code);
			snprintf(it->day, sizeof it->day, "%s", fd->p);
			snprintf(it->last_day, sizeof it->last_day, "%s", fd->p);
			snprintf(it->level, sizeof it->level, "%s", lv);
			it->first_report = it->last_report = (int)report;
			it->line = line;
			open_item[c] = (int)n++;
			open_word[c] = lv;
		}
		if (e)
			break;
	}
	if (!e && rc < 0) {
		long line = csv_line(r);
		char msg[sizeof d->msg];
		snprintf(msg, sizeof msg, "%s", d ? d->msg : "");
		e = eb_fail(d, (enum eb_err)rc, d ? d->field : NULL, "line %ld: %s", line, msg);
	}
	csv_free(r);
	if (e) {
		free(items);
		return e;
	}
	/* Rationales once each assessment's last report is known. */
	for (size_t i = 0; i < n; i++) {
		int c = strcmp(items[i].scope, "area") == 0 ? 0 : strcmp(items[i].scope, "region") == 0 ? 1 : 2;
		const char *word = strcmp(items[i].level, "very_high") == 0 ? "Very High"
				   : strcmp(items[i].level, "high") == 0    ? "High"
				   : strcmp(items[i].level, "moderate") == 0 ? "Moderate"
									     : "Low";
		rationale_of(&items[i], word, c);
	}
	/* Group by scope column, then date (the order of the header's columns). */
	size_t k = 0;
	struct who_risk_item *sorted = malloc((n ? n : 1) * sizeof *sorted);
	if (!sorted) {
		free(items);
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	}
	for (int c = 0; c < 3; c++)
		for (size_t i = 0; i < n; i++)
			if (strcmp(items[i].scope, SCOPES[c].scope) == 0)
				sorted[k++] = items[i];
	free(items);
	out->items = sorted;
	out->n = n;
	return EB_OK;
}
