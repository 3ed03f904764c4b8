/*
 * RFC 4180 CSV reader and writer helpers.  See csv.h for the contract.
 *
 * How the reader works: bytes arrive in one buffer (256 KiB to start,
 * growing up to the record limit).  csv_next scans one record with a small
 * state machine, recording each field as (offset from record start, length);
 * a quoted field is unescaped in place by a write cursor that trails the
 * read cursor.  When the scan reaches the end of the buffer inside a record,
 * the record's bytes are moved to the front and more are read; the state
 * lives in locals whose absolute offsets are shifted by the same amount.  A
 * record that breaks a rule is scanned to its end in "skipping" mode, which
 * keeps only the quote state, so a bad record costs no memory and reading
 * resumes after it.  Only when the record is complete are the fields turned
 * into pointers and NUL-terminated (the terminator lands on the separator,
 * closing quote or line break that followed the field, or on the spare byte
 * kept after the buffer).
 */
#include "formats/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CSV_DEF_FIELD 65536
#define CSV_DEF_FIELDS 4096
#define CSV_DEF_RECORD (1024 * 1024)
#define CSV_BUF_START (256 * 1024)
#define CSV_BUF_SLACK 16 /* room for CRLF and UTF-8 look-ahead */

struct csv_span {
	size_t off; /* from the record start */
	size_t len;
};

struct csv_reader {
	FILE *f;
	const unsigned char *mem;
	size_t memlen, mempos;
	struct csv_limits lim;

	unsigned char *buf; /* cap + 1 bytes: the last is the spare NUL slot */
	size_t cap, len, pos;
	bool eof, started;

	long line;      /* physical line at pos */
	long last_line; /* line reported by csv_line */

	bool fatal;
	int fatal_err;
	struct eb_detail fatal_d;

	struct csv_span *spans;
	struct csv_field *out;
	size_t nspan_cap;
};

enum { ST_FIELD, ST_UNQ, ST_Q, ST_QQ, ST_AFTERQ };

/* Byte classes: bytes that stop the fast scan of an unquoted (1) or quoted
 * (2) field. */
static unsigned char stop_tab[256];
static bool stop_tab_ready;

static void stop_tab_init(void)
{
	/* Idempotent; a benign race writes the same values. */
	if (stop_tab_ready)
		return;
	for (int c = 0; c < 256; c++) {
		unsigned char v = 0;
		if (c >= 0x80 || c == 0)
			v = 3;
		else if (c == ',' || c == '\r')
			v = 1;
		else if (c == '\n')
			v = 3;
		else if (c == '"')
			v = 2;
		stop_tab[c] = v;
	}
	stop_tab_ready = true;
}

static struct csv_reader *reader_new(const struct csv_limits *limits)
{
	stop_tab_init();
	struct csv_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->lim.max_field = limits && limits->max_field ? limits->max_field
						       : CSV_DEF_FIELD;
	r->lim.max_fields = limits && limits->max_fields ? limits->max_fields
							 : CSV_DEF_FIELDS;
	r->lim.max_record = limits && limits->max_record ? limits->max_record
							 : CSV_DEF_RECORD;
	size_t cap = CSV_BUF_START;
	if (cap > r->lim.max_record + CSV_BUF_SLACK)
		cap = r->lim.max_record + CSV_BUF_SLACK;
	r->buf = malloc(cap + 1);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	r->cap = cap;
	r->line = 1;
	return r;
}

struct csv_reader *csv_open_file(FILE *f, const struct csv_limits *limits)
{
	if (!f)
		return NULL;
	struct csv_reader *r = reader_new(limits);
	if (r)
		r->f = f;
	return r;
}

struct csv_reader *csv_open_mem(const void *data, size_t len,
				const struct csv_limits *limits)
{
	if (!data && len)
		return NULL;
	struct csv_reader *r = reader_new(limits);
	if (r) {
		r->mem = data;
		r->memlen = len;
	}
	return r;
}

void csv_free(struct csv_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->spans);
	free(r->out);
	free(r);
}

long csv_line(const struct csv_reader *r)
{
	return r ? r->last_line : 0;
}

bool csv_fatal(const struct csv_reader *r)
{
	return r ? r->fatal : true;
}

/*
 * Keeps buf[keep..len), moves it to the front and reads more.  Sets eof
 * when the source is exhausted.  Returns EB_OK, EB_EIO or EB_ENOMEM.
 */
static int fill(struct csv_reader *r, size_t keep)
{
	if (keep > 0) {
		memmove(r->buf, r->buf + keep, r->len - keep);
		r->len -= keep;
		r->pos -= keep;
	}
	if (r->len == r->cap) {
		size_t max = r->lim.max_record + CSV_BUF_SLACK;
		size_t ncap = r->cap * 2;
		if (ncap > max || ncap < r->cap)
			ncap = max;
		if (ncap <= r->cap)
			return EB_ETOOBIG; /* callers prevent this */
		unsigned char *nb = realloc(r->buf, ncap + 1);
		if (!nb)
			return EB_ENOMEM;
		r->buf = nb;
		r->cap = ncap;
	}
	size_t room = r->cap - r->len, n;
	if (r->f) {
		n = fread(r->buf + r->len, 1, room, r->f);
		if (n == 0 && ferror(r->f))
			return EB_EIO;
	} else {
		n = r->memlen - r->mempos;
		if (n > room)
			n = room;
		if (n)
			memcpy(r->buf + r->len, r->mem + r->mempos, n);
		r->mempos += n;
	}
	if (n == 0)
		r->eof = true;
	r->len += n;
	return EB_OK;
}

/* Length of the valid UTF-8 sequence at p (avail bytes), 0 if invalid, -1
 * if it may be valid but is cut short by the end of the buffer. */
static int utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned c = p[0];
	int n;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return -1;
		unsigned b = p[i];
		if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
			return 0;
	}
	return n;
}

static int set_fatal(struct csv_reader *r, int err, long line,
		     struct eb_detail *d, const char *msg)
{
	r->fatal = true;
	r->fatal_err = err;
	r->last_line = line;
	eb_fail(&r->fatal_d, (enum eb_err)err, NULL, "%s", msg);
	if (d)
		*d = r->fatal_d;
	return err;
}

static bool spans_reserve(struct csv_reader *r, size_t n)
{
	if (n <= r->nspan_cap)
		return true;
	size_t ncap = r->nspan_cap ? r->nspan_cap * 2 : 64;
	if (ncap > r->lim.max_fields)
		ncap = r->lim.max_fields;
	if (ncap < n)
		return false;
	struct csv_span *s = realloc(r->spans, ncap * sizeof *s);
	if (!s)
		return false;
	r->spans = s;
	struct csv_field *o = realloc(r->out, ncap * sizeof *o);
	if (!o)
		return false;
	r->out = o;
	r->nspan_cap = ncap;
	return true;
}

int csv_next(struct csv_reader *r, struct csv_row *row, struct eb_detail *d)
{
	if (!r || !row)
		return eb_fail(d, EB_EINVAL, NULL, "no reader or row");
	row->nfields = 0;
	row->f = NULL;
	if (r->fatal) {
		if (d)
			*d = r->fatal_d;
		return r->fatal_err;
	}
	if (!r->started) {
		while (r->len - r->pos < 3 && !r->eof) {
			int e = fill(r, r->pos);
			if (e)
				return set_fatal(r, e, r->line, d,
						 e == EB_EIO ? "read error"
							     : "out of memory");
		}
		if (r->len - r->pos >= 3 && r->buf[r->pos] == 0xEF &&
		    r->buf[r->pos + 1] == 0xBB && r->buf[r->pos + 2] == 0xBF)
			r->pos += 3;
		r->started = true;
	}

	const size_t max_field = r->lim.max_field;
	const size_t max_fields = r->lim.max_fields;
	unsigned char *buf;
	size_t pos = r->pos, rec, fstart = 0, w = 0, nf, len, term = 0;
	size_t errcol = 0, adv = 0;
	long rec_line, qline = 0, err_line = 0;
	int state, err, n;
	bool quoted, skipping, is_end;
	unsigned char c;
	char msg[160];

#define RECORD_ERROR(code, col, lineno, ...)                                    \
	do {                                                                    \
		if (!err) {                                                     \
			err = (code);                                           \
			errcol = (col);                                         \
			err_line = (lineno);                                    \
			snprintf(msg, sizeof msg, __VA_ARGS__);                 \
		}                                                               \
	} while (0)

new_record:
	rec = pos;
	rec_line = r->line;
	nf = 0;
	state = ST_FIELD;
	err = 0;
	quoted = false;
	skipping = false;
	buf = r->buf;

next_byte:
	len = r->len;
	if (pos >= len) {
		if (!r->eof)
			goto refill;
		goto end_of_input;
	}
	c = buf[pos];
	switch (state) {
	case ST_FIELD:
		if (c == '"') {
			quoted = true;
			qline = r->line;
			pos++;
			fstart = w = pos;
			state = ST_Q;
		} else {
			quoted = false;
			fstart = pos;
			state = ST_UNQ;
		}
		goto next_byte;

	case ST_UNQ:
		while (pos < len && !(stop_tab[buf[pos]] & 1))
			pos++;
		if (pos >= len)
			goto next_byte;
		c = buf[pos];
		if (c == ',')
			goto end_field;
		if (c == '\n')
			goto end_record;
		if (c == '\r') {
			if (pos + 1 >= len && !r->eof)
				goto refill;
			if (pos + 1 < len && buf[pos + 1] == '\n')
				goto end_record;
			pos++; /* a lone CR is data */
			goto next_byte;
		}
		goto odd_byte;

	case ST_Q:
		if (w == pos) {
			while (pos < len && !(stop_tab[buf[pos]] & 2))
				pos++;
			w = pos;
		} else {
			while (pos < len && !(stop_tab[buf[pos]] & 2))
				buf[w++] = buf[pos++];
		}
		if (pos >= len)
			goto next_byte;
		c = buf[pos];
		if (c == '"') {
			pos++;
			state = ST_QQ;
			goto next_byte;
		}
		if (c == '\n') {
			r->line++;
			buf[w++] = c;
			pos++;
			goto next_byte;
		}
		goto odd_byte;

	case ST_QQ:
		if (c == '"') { /* doubled quote: one literal quote */
			buf[w++] = '"';
			pos++;
			state = ST_Q;
		} else {
			state = ST_AFTERQ;
		}
		goto next_byte;

	default: /* ST_AFTERQ */
		if (c == ',')
			goto end_field;
		if (c == '\n')
			goto end_record;
		if (c == '\r') {
			if (pos + 1 >= len && !r->eof)
				goto refill;
			if (pos + 1 < len && buf[pos + 1] == '\n')
				goto end_record;
		}
		RECORD_ERROR(EB_EINVAL, nf + 1, r->line,
			     "unexpected character after the closing quote of "
			     "field %zu (a quote inside a quoted field must be "
			     "doubled)",
			     nf + 1);
		state = ST_UNQ;
		goto next_byte;
	}

odd_byte: /* c is NUL or >= 0x80, inside a field */
	if (c == 0) {
		RECORD_ERROR(EB_EINVAL, nf + 1, r->line, "NUL byte in field %zu",
			     nf + 1);
		n = 1;
	} else {
		n = utf8_seq(buf + pos, len - pos);
		if (n < 0 && !r->eof)
			goto refill;
		if (n <= 0) {
			RECORD_ERROR(EB_EINVAL, nf + 1, r->line,
				     "invalid UTF-8 (byte 0x%02X) in field %zu",
				     (unsigned)c, nf + 1);
			n = 1;
		}
	}
	if (state == ST_Q && w != pos)
		memmove(buf + w, buf + pos, (size_t)n);
	w += (size_t)n;
	pos += (size_t)n;
	goto next_byte;

end_field:
	is_end = false;
	goto field_done;

end_record:
	is_end = true;
	term = pos;
	adv = buf[pos] == '\r' ? 2 : 1;
	goto field_done;

end_of_input:
	if (state == ST_FIELD && nf == 0 && pos == rec) {
		r->pos = pos;
		r->last_line = r->line;
		return 0;
	}
	if (state == ST_Q) {
		snprintf(msg, sizeof msg,
			 "quoted field %zu opened at line %ld is not closed "
			 "before the end of the input",
			 nf + 1, qline);
		r->pos = pos;
		return set_fatal(r, EB_EINVAL, qline, d, msg);
	}
	if (state == ST_FIELD) { /* input ends right after a ',' */
		quoted = false;
		fstart = pos;
	}
	is_end = true;
	term = pos;
	adv = 0;
	goto field_done;

field_done:
	if (!skipping) {
		size_t flen = (quoted ? w : pos) - fstart;
		if (flen > max_field)
			RECORD_ERROR(EB_ETOOBIG, nf + 1, rec_line,
				     "field %zu is longer than %zu bytes",
				     nf + 1, max_field);
		if (nf >= max_fields) {
			RECORD_ERROR(EB_ETOOBIG, nf + 1, rec_line,
				     "more than %zu fields in one record",
				     max_fields);
		} else if (!spans_reserve(r, nf + 1)) {
			r->pos = pos;
			return set_fatal(r, EB_ENOMEM, rec_line, d,
					 "out of memory");
		} else {
			r->spans[nf].off = fstart - rec;
			r->spans[nf].len = flen;
		}
	}
	nf++;
	if (!is_end) {
		pos++;
		state = ST_FIELD;
		goto next_byte;
	}
	pos += adv;
	if (adv)
		r->line++;
	if (!skipping && term - rec > r->lim.max_record)
		RECORD_ERROR(EB_ETOOBIG, 0, rec_line,
			     "record is longer than %zu bytes",
			     r->lim.max_record);
	if (term == rec && nf == 1 && !err)
		goto new_record; /* an empty line */
	goto record_done;

refill:
	if (!skipping && pos - rec > r->lim.max_record) {
		RECORD_ERROR(EB_ETOOBIG, 0, rec_line,
			     "record is longer than %zu bytes",
			     r->lim.max_record);
		skipping = true;
	}
	{
		size_t keep = skipping ? pos : rec;
		r->pos = pos;
		int e = fill(r, keep);
		if (e)
			return set_fatal(r, e, r->line, d,
					 e == EB_EIO ? "read error"
						     : "out of memory");
		buf = r->buf;
		pos = r->pos;
		if (skipping) {
			rec = fstart = w = pos;
		} else {
			rec -= keep;
			fstart -= keep;
			w -= keep;
		}
	}
	goto next_byte;

record_done:
	r->pos = pos;
	if (err) {
		r->last_line = err_line;
		eb_fail(d, (enum eb_err)err, NULL, "%s", msg);
		if (d && errcol)
			snprintf(d->field, sizeof d->field, "column %zu",
				 errcol);
		return err;
	}
	for (size_t i = 0; i < nf; i++) {
		unsigned char *p = buf + rec + r->spans[i].off;
		p[r->spans[i].len] = '\0';
		r->out[i].p = (const char *)p;
		r->out[i].len = r->spans[i].len;
	}
	row->nfields = nf;
	row->f = r->out;
	r->last_line = rec_line;
	return 1;
#undef RECORD_ERROR
}

enum eb_err csv_write_field(struct eb_buf *b, bool first, const char *s,
			    size_t len)
{
	enum eb_err e;
	if (!first && (e = eb_buf_addc(b, ',')) != EB_OK)
		return e;
	/* an empty first field is quoted: alone on its line it would
	 * otherwise be an empty line, which readers skip; so is a field
	 * opening the output with the bytes of a byte order mark */
	bool q = len == 0 ? first
			  : (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
			     s[len - 1] == '\t' ||
			     (b->len == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0));
	for (size_t i = 0; i < len && !q; i++) {
		char c = s[i];
		q = c == ',' || c == '"' || c == '\r' || c == '\n';
	}
	if (!q)
		return eb_buf_add(b, s, len);
	if ((e = eb_buf_addc(b, '"')) != EB_OK)
		return e;
	size_t from = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '"')
			continue;
		/* copy through the quote, then double it */
		if ((e = eb_buf_add(b, s + from, i + 1 - from)) != EB_OK)
			return e;
		if ((e = eb_buf_addc(b, '"')) != EB_OK)
			return e;
		from = i + 1;
	}
	if ((e = eb_buf_add(b, s + from, len - from)) != EB_OK)
		return e;
	return eb_buf_addc(b, '"');
}

enum eb_err csv_write_end(struct eb_buf *b)
{
	return eb_buf_add(b, "\r\n", 2);
}
