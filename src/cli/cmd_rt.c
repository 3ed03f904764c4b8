/*
 * `epibridge rt`: the analyst's Rt command.  Reads a CSV of daily incidence
 * for one or many areas (from a file or standard input), estimates Rt by
 * the Cori method on sliding windows with epi/rt (EpiEstim estimate_R
 * semantics), and writes one CSV row per area and window to standard output:
 *
 *   area,t_start,t_end,mean,std,q0025,q005,q025,median,q075,q095,q0975
 *
 * Numbers are printed as printf's %.17g (round-trip exact), "NA" where
 * EpiEstim gives NA.  Input columns, found by header name in any order:
 * area (optional), t (integer day) or date (YYYY-MM-DD), and cases or
 * local + imported.  Rows may come in any order; days missing inside an
 * area's range and empty/NA counts are treated as 0 and reported on stderr.
 *
 * The reading here is deliberately local and simple: whole input in memory
 * (at most RTCLI_MAX_INPUT bytes), lines of at most RTCLI_MAX_LINE bytes,
 * double-quoted fields without embedded newlines.  Number formatting has an
 * exact fast path (128-bit integer arithmetic) because glibc's %.17g would
 * dominate the run time; values outside it go through snprintf.
 *
 * Exit status: 0 done, 1 bad data (message names line and column), 2 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/commands.h"
#include "epi/rt.h"

#define RTCLI_MAX_LINE 4096
#define RTCLI_MAX_INPUT ((size_t)1 << 30)   /* 1 GiB */
#define RTCLI_MAX_ROWS 20000000u
#define RTCLI_MAX_AREA 256                  /* bytes of an area name */
#define RTCLI_MAX_FIELDS 64
#define RTCLI_OUT_BUF (1u << 20)

/* ---- exact %.17g ------------------------------------------------------ */

static const uint64_t pow10_64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL};

static unsigned __int128 pow10_128(int k)
{
	if (k <= 19)
		return pow10_64[k];
	return (unsigned __int128)pow10_64[19] * pow10_64[k - 19];
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Eight decimal digits of v < 10^8 into d[0..7]. */
static void digits8(char *d, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;
	memcpy(d, digit_pairs + 2 * (hi / 100), 2);
	memcpy(d + 2, digit_pairs + 2 * (hi % 100), 2);
	memcpy(d + 4, digit_pairs + 2 * (lo / 100), 2);
	memcpy(d + 6, digit_pairs + 2 * (lo % 100), 2);
}

/*
 * Write v as printf("%.17g", v) would into buf (at least 32 bytes) and
 * return the length.  Fast path for 1e-6 <= |v| < 2^53: v = m * 2^-s
 * exactly, so round(v * 10^k) is computed exactly in 128 bits and rounded
 * half-to-even like glibc; everything else goes to snprintf.
 */
static int fmt_g17(char *buf, double v)
{
	double av = fabs(v);
	if (!(av >= 1e-6 && av < 9007199254740992.0))
		return snprintf(buf, 32, "%.17g", v);
	char *p = buf;
	if (v < 0)
		*p++ = '-';
	uint64_t bits;
	memcpy(&bits, &av, sizeof bits);
	int be = (int)(bits >> 52); /* normal: av >= 1e-6 */
	uint64_t mant = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
	int s = 1075 - be; /* av = mant * 2^-s, 0 <= s <= 72 here */
	/* 2^(be-1023) <= av < 2^(be-1022): floor(log10) is this or one more
	 * (78913 / 2^18 is log10(2) rounded down) */
	int e2 = be - 1023;
	int e10 = e2 >= 0 ? (e2 * 78913) >> 18 : -((-e2 * 78913 + (1 << 18) - 1) >> 18);
	/* usually settles the estimate, so the exact loop runs once (the loop
	 * still decides: 1e-6 and friends are not exact in binary) */
	static const double p10[] = {1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0,
				     1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
				     1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};
	if (e10 >= -8 && e10 <= 15 && av >= p10[e10 + 8])
		e10++;
	uint64_t q;
	for (;;) {
		int k = 16 - e10; /* want 10^16 <= av * 10^k < 10^17 */
		if (k < 0 || k > 22)
			return snprintf(buf, 32, "%.17g", v);
		unsigned __int128 prod = (unsigned __int128)mant * pow10_128(k);
		unsigned __int128 qq = prod, rem = 0, half = 0;
		if (s > 0) {
			qq = prod >> s;
			rem = prod & ((((unsigned __int128)1) << s) - 1);
			half = ((unsigned __int128)1) << (s - 1);
		}
		/* the digit count is decided on the truncated value: rounding
		 * 9.99..95e-7 up must not make it look like 1.0e-6 */
		if (qq < pow10_64[16]) {
			e10--;
			continue;
		}
		if (qq >= pow10_64[17]) {
			e10++;
			continue;
		}
		if (s > 0 && (rem > half || (rem == half && (qq & 1))))
			qq++;
		if (qq == pow10_64[17]) { /* 99999999999999999.5 -> 1e17 */
			qq = pow10_64[16];
			e10++;
		}
		q = (uint64_t)qq;
		break;
	}
	char dig[17];
	uint32_t top = (uint32_t)(q / 100000000u); /* 9 digits */
	uint32_t low = (uint32_t)(q % 100000000u);
	dig[0] = (char)('0' + top / 100000000u);
	digits8(dig + 1, top % 100000000u);
	digits8(dig + 9, low);
	int nd = 17; /* significant digits left after stripping zeros */
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (e10 < -4) { /* %g switches to exponent form */
		*p++ = dig[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, dig + 1, (size_t)nd - 1);
			p += nd - 1;
		}
		int x = -e10;
		*p++ = 'e';
		*p++ = '-';
		*p++ = (char)('0' + x / 10);
		*p++ = (char)('0' + x % 10);
	} else if (e10 >= 0) {
		memcpy(p, dig, (size_t)e10 + 1);
		p += e10 + 1;
		if (nd > e10 + 1) {
			*p++ = '.';
			memcpy(p, dig + e10 + 1, (size_t)(nd - e10 - 1));
			p += nd - e10 - 1;
		}
	} else {
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -e10 - 1; i++)
			*p++ = '0';
		memcpy(p, dig, (size_t)nd);
		p += nd;
	}
	*p = '\0';
	return (int)(p - buf);
}

/* ---- output buffer ----------------------------------------------------- */

struct outbuf {
	FILE *f;
	char *b;
	size_t n;
	int err;
};

static void out_flush(struct outbuf *o)
{
	if (o->n && fwrite(o->b, 1, o->n, o->f) != o->n)
		o->err = 1;
	o->n = 0;
}

/* Room for one more output row (a row is well under 1 KiB). */
static char *out_room(struct outbuf *o)
{
	if (o->n > RTCLI_OUT_BUF - 1024)
		out_flush(o);
	return o->b + o->n;
}

static void out_str(struct outbuf *o, const char *s, size_t len)
{
	if (len > 512) {
		out_flush(o);
		if (fwrite(s, 1, len, o->f) != len)
			o->err = 1;
		return;
	}
	memcpy(out_room(o), s, len);
	o->n += len;
}

/* ---- dates --------------------------------------------------------------- */

/* Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithms). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long yy = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

/* YYYY-MM-DD (exactly) to a day number; -1 on error. */
static int parse_date(const char *s, size_t len, long *day)
{
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	long y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

/* Decimal form of a day number (|day| <= 2e9 after input checks). */
static int fmt_long(char *buf, long v)
{
	char tmp[24];
	int n = 0, len = 0;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

static int fmt_day(char *buf, long day, int is_date)
{
	if (!is_date)
		return fmt_long(buf, day);
	long y;
	unsigned m, d;
	civil_from_days(day, &y, &m, &d);
	return snprintf(buf, 32, "%04ld-%02u-%02u", y, m, d);
}

/* ---- input -------------------------------------------------------------- */

struct rows {
	uint32_t *area;
	long *day;
	double *local, *imported;
	uint32_t *line;
	size_t n, cap;
};

struct areas {
	char *names; /* NUL-separated */
	size_t names_len, names_cap;
	size_t *off; /* offset of each name */
	size_t n, cap;
	uint32_t *slot; /* hash table of area ids + 1, 0 = empty */
	size_t nslot;
};

struct rtcli {
	FILE *err;
	const char *input_name;
	int is_date;
	int has_imported;
	struct rows rows;
	struct areas areas;
};

static int rt_err(struct rtcli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rt_err(struct rtcli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("epibridge rt: ", c->err);
	vfprintf(c->err, fmt, ap);
	fputc('\n', c->err);
	va_end(ap);
	return 1;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static const char *area_name(const struct areas *a, uint32_t id)
{
	return a->names + a->off[id];
}

/* Id of the area named s[0..n), added if new; -1 on out of memory. */
static long area_intern(struct areas *a, const char *s, size_t n)
{
	if (a->nslot == 0 || 2 * (a->n + 1) > a->nslot) {
		size_t ns = a->nslot ? 2 * a->nslot : 64;
		uint32_t *slot = calloc(ns, sizeof *slot);
		if (!slot)
			return -1;
		for (size_t i = 0; i < a->n; i++) {
			const char *nm = area_name(a, (uint32_t)i);
			size_t j = hash_bytes(nm, strlen(nm)) & (ns - 1);
			while (slot[j])
				j = (j + 1) & (ns - 1);
			slot[j] = (uint32_t)i + 1;
		}
		free(a->slot);
		a->slot = slot;
		a->nslot = ns;
	}
	size_t j = hash_bytes(s, n) & (a->nslot - 1);
	while (a->slot[j]) {
		const char *nm = area_name(a, a->slot[j] - 1);
		if (strncmp(nm, s, n) == 0 && nm[n] == '\0')
			return (long)a->slot[j] - 1;
		j = (j + 1) & (a->nslot - 1);
	}
	if (a->n == a->cap) {
		size_t nc = a->cap ? 2 * a->cap : 64;
		size_t *off = realloc(a->off, nc * sizeof *off);
		if (!off)
			return -1;
		a->off = off;
		a->cap = nc;
	}
	if (a->names_len + n + 1 > a->names_cap) {
		size_t nc = a->names_cap ? 2 * a->names_cap : 4096;
		while (nc < a->names_len + n + 1)
			nc *= 2;
		char *nm = realloc(a->names, nc);
		if (!nm)
			return -1;
		a->names = nm;
		a->names_cap = nc;
	}
	a->off[a->n] = a->names_len;
	memcpy(a->names + a->names_len, s, n);
	a->names[a->names_len + n] = '\0';
	a->names_len += n + 1;
	a->slot[j] = (uint32_t)a->n + 1;
	return (long)a->n++;
}

static int rows_push(struct rows *r)
{
	if (r->n < r->cap)
		return 0;
	size_t nc = r->cap ? 2 * r->cap : 4096;
	if (nc > RTCLI_MAX_ROWS)
		nc = RTCLI_MAX_ROWS;
	if (r->n >= nc)
		return -1;
	void *p;
	if (!(p = realloc(r->area, nc * sizeof *r->area)))
		return -1;
	r->area = p;
	if (!(p = realloc(r->day, nc * sizeof *r->day)))
		return -1;
	r->day = p;
	if (!(p = realloc(r->local, nc * sizeof *r->local)))
		return -1;
	r->local = p;
	if (!(p = realloc(r->imported, nc * sizeof *r->imported)))
		return -1;
	r->imported = p;
	if (!(p = realloc(r->line, nc * sizeof *r->line)))
		return -1;
	r->line = p;
	r->cap = nc;
	return 0;
}

/* A field of the current line: [s, s+len), quotes removed in place. */
struct field {
	const char *s;
	size_t len;
};

/* Split line (NUL-terminated, modifiable) at commas; double-quoted fields
 * may contain commas and "" for a quote.  Returns the count, or -1 for an
 * unterminated quote, -2 for too many fields. */
static int split_fields(char *line, struct field *f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return -2;
		if (*p == '"') {
			char *w = ++p, *start = p;
			for (;;) {
				if (*p == '\0')
					return -1;
				if (*p == '"') {
					if (p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				*w++ = *p++;
			}
			f[n].s = start;
			f[n].len = (size_t)(w - start);
			n++;
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p == '\0')
				return n;
			return -1; /* text after a closing quote */
		}
		char *c = strchr(p, ',');
		f[n].s = p;
		f[n].len = c ? (size_t)(c - p) : strlen(p);
		n++;
		if (!c)
			return n;
		p = c + 1;
	}
}

static void trim(struct field *f)
{
	while (f->len && isspace((unsigned char)f->s[0])) {
		f->s++;
		f->len--;
	}
	while (f->len && isspace((unsigned char)f->s[f->len - 1]))
		f->len--;
}

static int field_is(const struct field *f, const char *name)
{
	size_t n = strlen(name);
	return f->len == n && strncasecmp(f->s, name, n) == 0;
}

/* A count: non-negative finite number; empty or NA gives NaN (missing).
 * Returns 0, or -1 (not a number), -2 (negative or infinite). */
static int parse_count(const struct field *f, double *out)
{
	const char *s = f->s;
	size_t n = f->len;
	if (n == 0 || (n == 2 && (memcmp(s, "NA", 2) == 0 || memcmp(s, "na", 2) == 0))) {
		*out = NAN;
		return 0;
	}
	if (n <= 15) { /* plain integers, exactly */
		uint64_t v = 0;
		size_t i = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			v = v * 10 + (uint64_t)(s[i++] - '0');
		if (i == n) {
			*out = (double)v;
			return 0;
		}
	}
	char tmp[64];
	if (n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *end;
	errno = 0;
	double v = strtod(tmp, &end);
	if (end == tmp || *end != '\0' || isnan(v))
		return -1;
	if (v < 0 || isinf(v))
		return -2;
	*out = v;
	return 0;
}

static int parse_long(const struct field *f, long *out)
{
	if (f->len > 0 && f->len <= 9) { /* plain non-negative integers */
		long v = 0;
		size_t i = 0;
		while (i < f->len && f->s[i] >= '0' && f->s[i] <= '9')
			v = v * 10 + (f->s[i++] - '0');
		if (i == f->len) {
			*out = v;
			return 0;
		}
	}
	char tmp[32];
	if (f->len == 0 || f->len >= sizeof tmp)
		return -1;
	memcpy(tmp, f->s, f->len);
	tmp[f->len] = '\0';
	char *end;
	errno = 0;
	long v = strtol(tmp, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return -1;
	/* keep day arithmetic far from overflow */
	if (v < -1000000000L || v > 1000000000L)
		return -1;
	*out = v;
	return 0;
}

/* Read the whole stream into *buf (NUL-terminated). */
static int read_all(struct rtcli *c, FILE *f, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	if (!b)
		return rt_err(c, "out of memory");
	for (;;) {
		if (cap - n < (1 << 15) + 1) {
			if (cap >= RTCLI_MAX_INPUT) {
				free(b);
				return rt_err(c, "%s is larger than %zu bytes; split it by area",
					    c->input_name, RTCLI_MAX_INPUT);
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return rt_err(c, "out of memory reading %s", c->input_name);
			}
			b = nb;
			cap *= 2;
		}
		size_t got = fread(b + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				free(b);
				return rt_err(c, "cannot read %s: %s", c->input_name,
					    strerror(errno));
			}
			break;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* Next line of buf at *pos: NUL-terminates it in place (dropping CR) and
 * returns it, or NULL at the end.  *toolong is set for an over-long line. */
static char *next_line(char *buf, size_t len, size_t *pos, int *toolong)
{
	if (*pos >= len)
		return NULL;
	char *s = buf + *pos;
	char *nl = memchr(s, '\n', len - *pos);
	size_t l = nl ? (size_t)(nl - s) : len - *pos;
	*pos += l + (nl ? 1 : 0);
	*toolong = l > RTCLI_MAX_LINE;
	s[l] = '\0';
	if (l && s[l - 1] == '\r')
		s[l - 1] = '\0';
	return s;
}

static int parse_input(struct rtcli *c, char *buf, size_t len)
{
	size_t pos = 0;
	int toolong;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* UTF-8 byte order mark */
	char *line = next_line(buf, len, &pos, &toolong);
	uint32_t lineno = 1;
	while (line && *line == '\0') {
		line = next_line(buf, len, &pos, &toolong);
		lineno++;
	}
	if (!line)
		return rt_err(c, "%s is empty; expected a header such as area,date,cases",
			    c->input_name);
	if (toolong)
		return rt_err(c, "line %u is longer than %d bytes", lineno, RTCLI_MAX_LINE);
	struct field f[RTCLI_MAX_FIELDS];
	int nf = split_fields(line, f, RTCLI_MAX_FIELDS);
	if (nf < 0)
		return rt_err(c, "line %u (header): %s", lineno,
			    nf == -1 ? "unterminated or misplaced double quote"
				     : "too many columns (at most 64)");
	int col_area = -1, col_day = -1, col_cases = -1, col_local = -1, col_imp = -1;
	for (int i = 0; i < nf; i++) {
		trim(&f[i]);
		int *slot = NULL;
		if (field_is(&f[i], "area"))
			slot = &col_area;
		else if (field_is(&f[i], "t") || field_is(&f[i], "date")) {
			slot = &col_day;
			c->is_date = field_is(&f[i], "date");
		} else if (field_is(&f[i], "cases"))
			slot = &col_cases;
		else if (field_is(&f[i], "local"))
			slot = &col_local;
		else if (field_is(&f[i], "imported"))
			slot = &col_imp;
		if (!slot)
			continue;
		if (*slot >= 0)
			return rt_err(c, "line %u (header): column '%.*s' appears twice (or both t and date); keep one",
				     lineno, (int)f[i].len, f[i].s);
		*slot = i;
	}
	if (col_day < 0)
		return rt_err(c, "line %u (header): no 't' or 'date' column; name the day column 't' (integer day) or 'date' (YYYY-MM-DD)",
			    lineno);
	if (col_cases >= 0 && (col_local >= 0 || col_imp >= 0))
		return rt_err(c, "line %u (header): give either 'cases' or 'local' and 'imported', not both",
			    lineno);
	if (col_cases < 0 && (col_local < 0 || col_imp < 0))
		return rt_err(c, "line %u (header): no counts; name the count column 'cases', or give both 'local' and 'imported'",
			    lineno);
	c->has_imported = col_imp >= 0;
	int col_first = col_cases >= 0 ? col_cases : col_local;
	const char *first_name = col_cases >= 0 ? "cases" : "local";
	struct rows *r = &c->rows;
	long prev_area = -1;
	const char *prev_s = NULL;
	size_t prev_len = 0;
	while ((line = next_line(buf, len, &pos, &toolong)) != NULL) {
		lineno++;
		if (toolong)
			return rt_err(c, "line %u is longer than %d bytes", lineno, RTCLI_MAX_LINE);
		if (*line == '\0')
			continue;
		int n = split_fields(line, f, RTCLI_MAX_FIELDS);
		if (n == -1)
			return rt_err(c, "line %u: unterminated or misplaced double quote", lineno);
		if (n != nf)
			return rt_err(c, "line %u: %d fields, the header has %d; check for a missing or extra comma (quote fields that contain commas)",
				    lineno, n < 0 ? RTCLI_MAX_FIELDS : n, nf);
		if (rows_push(r) != 0)
			return rt_err(c, "line %u: more than %u rows (or out of memory); split the input by area",
				    lineno, RTCLI_MAX_ROWS);
		/* area */
		long id = 0;
		if (col_area >= 0) {
			struct field *a = &f[col_area];
			trim(a);
			if (a->len > RTCLI_MAX_AREA)
				return rt_err(c, "line %u, column 'area': name longer than %d bytes",
					    lineno, RTCLI_MAX_AREA);
			if (prev_area >= 0 && a->len == prev_len && memcmp(a->s, prev_s, a->len) == 0) {
				id = prev_area;
			} else {
				id = area_intern(&c->areas, a->s, a->len);
				if (id < 0)
					return rt_err(c, "out of memory");
				prev_area = id;
				prev_s = area_name(&c->areas, (uint32_t)id);
				prev_len = a->len;
			}
		} else if (c->areas.n == 0) {
			if (area_intern(&c->areas, "", 0) < 0)
				return rt_err(c, "out of memory");
		}
		/* day */
		struct field *fd = &f[col_day];
		trim(fd);
		long day;
		if (c->is_date) {
			if (parse_date(fd->s, fd->len, &day) != 0)
				return rt_err(c, "line %u, column 'date': '%.*s' is not a date; write dates as YYYY-MM-DD",
					    lineno, (int)fd->len, fd->s);
		} else if (parse_long(fd, &day) != 0) {
			return rt_err(c, "line %u, column 't': '%.*s' is not an integer day number",
				    lineno, (int)fd->len, fd->s);
		}
		/* counts */
		double v[2] = {0, 0};
		int cols[2] = {col_first, col_imp};
		const char *names[2] = {first_name, "imported"};
		for (int k = 0; k < (c->has_imported ? 2 : 1); k++) {
			struct field *fc = &f[cols[k]];
			trim(fc);
			int rc = parse_count(fc, &v[k]);
			if (rc == -1)
				return rt_err(c, "line %u, column '%s': '%.*s' is not a number; give a count >= 0, or leave it empty (or NA) if missing",
					    lineno, names[k], (int)(fc->len > 40 ? 40 : fc->len), fc->s);
			if (rc == -2)
				return rt_err(c, "line %u, column '%s': %.*s is negative or infinite; counts must be >= 0 (correct the row or leave the count empty)",
					    lineno, names[k], (int)(fc->len > 40 ? 40 : fc->len), fc->s);
		}
		size_t i = r->n++;
		r->area[i] = (uint32_t)id;
		r->day[i] = day;
		r->local[i] = v[0];
		r->imported[i] = v[1];
		r->line[i] = lineno;
	}
	if (r->n == 0)
		return rt_err(c, "%s has a header but no rows", c->input_name);
	return 0;
}

/* ---- ordering ------------------------------------------------------------ */

static const struct rows *sort_rows; /* qsort has no context argument */

static int cmp_idx(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct rows *r = sort_rows;
	if (r->area[a] != r->area[b])
		return r->area[a] < r->area[b] ? -1 : 1;
	if (r->day[a] != r->day[b])
		return r->day[a] < r->day[b] ? -1 : 1;
	return r->line[a] < r->line[b] ? -1 : (r->line[a] > r->line[b]);
}

/* ---- serial interval file ------------------------------------------------ */

static int is_number(const char *s, size_t n, double *v)
{
	char tmp[64];
	if (n == 0 || n >= sizeof tmp)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *end;
	*v = strtod(tmp, &end);
	return end != tmp && *end == '\0';
}

/*
 * Serial interval from FILE: one value per line, or comma-separated values
 * on one line, or a CSV with a header whose column 'w' (else its last
 * column) holds the values (the layout of EpiEstim reference si_ files).
 * Blank lines and lines starting with '#' are skipped.
 */
static int read_si_file(struct rtcli *c, const char *path, double **out, size_t *n_out)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return rt_err(c, "--si-file %s: %s", path, strerror(errno));
	char *buf;
	size_t len;
	const char *saved = c->input_name;
	c->input_name = path;
	int rc = read_all(c, f, &buf, &len);
	c->input_name = saved;
	fclose(f);
	if (rc)
		return rc;
	size_t pos = 0, n = 0, cap = 64, data_lines = 0;
	double *w = malloc(cap * sizeof *w);
	int toolong, col = -1, header_cols = 0;
	unsigned lineno = 0;
	char *line;
	struct field fl[RTCLI_MAX_FIELDS];
	if (!w) {
		free(buf);
		return rt_err(c, "out of memory");
	}
	rc = 0;
	while ((line = next_line(buf, len, &pos, &toolong)) != NULL) {
		lineno++;
		if (toolong) {
			rc = rt_err(c, "--si-file %s line %u: longer than %d bytes", path, lineno,
				  RTCLI_MAX_LINE);
			break;
		}
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		int nf = split_fields(line, fl, RTCLI_MAX_FIELDS);
		if (nf < 0) {
			rc = rt_err(c, "--si-file %s line %u: bad quoting or more than %d values on one line; put one value per line",
				  path, lineno, RTCLI_MAX_FIELDS);
			break;
		}
		double v;
		for (int i = 0; i < nf; i++)
			trim(&fl[i]);
		if (data_lines == 0 && col < 0 && !is_number(fl[0].s, fl[0].len, &v)) {
			/* header */
			header_cols = nf;
			col = nf - 1;
			for (int i = 0; i < nf; i++)
				if (field_is(&fl[i], "w"))
					col = i;
			continue;
		}
		data_lines++;
		int from = 0, to = nf;
		if (col >= 0) {
			if (nf != header_cols) {
				rc = rt_err(c, "--si-file %s line %u: %d values, the header has %d",
					  path, lineno, nf, header_cols);
				break;
			}
			from = col;
			to = col + 1;
		} else if (nf > 1 && data_lines > 1) {
			rc = rt_err(c, "--si-file %s line %u: several values per line on several lines; give one value per line, or one line of values, or a header naming column w",
				  path, lineno);
			break;
		}
		for (int i = from; i < to; i++) {
			if (!is_number(fl[i].s, fl[i].len, &v)) {
				rc = rt_err(c, "--si-file %s line %u: '%.*s' is not a number", path,
					  lineno, (int)(fl[i].len > 40 ? 40 : fl[i].len), fl[i].s);
				goto done;
			}
			if (n == RT_MAX_SI) {
				rc = rt_err(c, "--si-file %s: more than %u values", path, RT_MAX_SI);
				goto done;
			}
			if (n == cap) {
				double *nw = realloc(w, 2 * cap * sizeof *w);
				if (!nw) {
					rc = rt_err(c, "out of memory");
					goto done;
				}
				w = nw;
				cap *= 2;
			}
			w[n++] = v;
		}
		if (nf > 1 && col < 0 && data_lines == 1)
			data_lines = 2; /* a one-line list: later lines are an error */
	}
done:
	free(buf);
	if (rc == 0 && n == 0)
		rc = rt_err(c, "--si-file %s holds no values", path);
	if (rc) {
		free(w);
		return rc;
	}
	*out = w;
	*n_out = n;
	return 0;
}

/* ---- command --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: epibridge rt (--si-mean M --si-sd S | --si-file FILE) [OPTIONS] [INPUT]\n"
	      "\n"
	      "Estimates the time-varying reproduction number Rt by the method of Cori et\n"
	      "al. (2013), as EpiEstim 2.2-4 estimate_R does, for every area of INPUT (a CSV\n"
	      "file, or standard input when INPUT is '-' or absent).\n"
	      "\n"
	      "Input columns (header row, any order, other columns ignored):\n"
	      "  area              area name or code (optional: one area)\n"
	      "  t | date          integer day number, or date YYYY-MM-DD\n"
	      "  cases             daily case counts; day 1 counts as imported, as in EpiEstim\n"
	      "  local, imported   instead of cases: imported cases add to infectivity only\n"
	      "Rows may come in any order.  Empty or NA counts, and days missing inside an\n"
	      "area's range, are treated as 0 and reported on standard error.\n"
	      "\n"
	      "Options:\n"
	      "  --si-mean M       mean of the serial interval, days (> 1)\n"
	      "  --si-sd S         its standard deviation (> 0); discretised as EpiEstim discr_si\n"
	      "  --si-file FILE    a discrete serial interval w_0, w_1, ... (w_0 = 0, sum 1):\n"
	      "                    one value per line, one line of comma-separated values,\n"
	      "                    or a CSV whose header names the column w\n"
	      "  --window N        window length in days (default 7): windows [s, s+N-1] for\n"
	      "                    s = 2 .. T-N+1 in each area's series of T days\n"
	      "  --prior-mean M    mean of the gamma prior on R (default 5)\n"
	      "  --prior-sd S      its standard deviation (default 5)\n"
	      "  -h, --help        this text\n"
	      "\n"
	      "Output (standard output), one row per area and window:\n"
	      "  area,t_start,t_end,mean,std,q0025,q005,q025,median,q075,q095,q0975\n"
	      "t_start and t_end are given as in the input (day numbers or dates); numbers\n"
	      "are printed as %.17g; NA where EpiEstim gives none (t_end <= mean SI).\n"
	      "\n"
	      "Exit status: 0 done, 1 bad input data, 2 usage error.\n",
	      f);
}

static int opt_double(struct rtcli *c, const char *name, const char *val, double *out)
{
	char *end;
	if (!val || !*val)
		return rt_err(c, "%s needs a value; see epibridge rt --help", name), 2;
	errno = 0;
	double v = strtod(val, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v))
		return rt_err(c, "%s: '%s' is not a number", name, val), 2;
	*out = v;
	return 0;
}

static void rows_free(struct rows *r)
{
	free(r->area);
	free(r->day);
	free(r->local);
	free(r->imported);
	free(r->line);
}

static void areas_free(struct areas *a)
{
	free(a->names);
	free(a->off);
	free(a->slot);
}

/* An area name as a CSV field (quoted when needed) into out, which has
 * room for 2 * RTCLI_MAX_AREA + 3 bytes; returns the length. */
static size_t csv_area(char *out, const char *name)
{
	size_t n = strlen(name), k = 0;
	if (strpbrk(name, ",\"\r\n") == NULL) {
		memcpy(out, name, n);
		return n;
	}
	out[k++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '"')
			out[k++] = '"';
		out[k++] = name[i];
	}
	out[k++] = '"';
	return k;
}

static int rt_main(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	struct rtcli c = {.err = err, .input_name = "standard input"};
	double si_mean = NAN, si_sd = NAN, prior_mean = 5.0, prior_sd = 5.0;
	const char *si_file = NULL, *input = NULL;
	long window = 7;
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		char name[32];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(out);
			return 0;
		}
		if (strncmp(a, "--", 2) == 0 && a[2]) {
			const char *eq = strchr(a, '=');
			size_t nl = eq ? (size_t)(eq - a) : strlen(a);
			if (nl >= sizeof name)
				nl = sizeof name - 1;
			memcpy(name, a, nl);
			name[nl] = '\0';
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			if (strcmp(name, "--si-mean") == 0)
				rc = opt_double(&c, name, val, &si_mean);
			else if (strcmp(name, "--si-sd") == 0)
				rc = opt_double(&c, name, val, &si_sd);
			else if (strcmp(name, "--prior-mean") == 0)
				rc = opt_double(&c, name, val, &prior_mean);
			else if (strcmp(name, "--prior-sd") == 0)
				rc = opt_double(&c, name, val, &prior_sd);
			else if (strcmp(name, "--si-file") == 0) {
				if (!val || !*val)
					rc = (rt_err(&c, "--si-file needs a file name"), 2);
				si_file = val;
			} else if (strcmp(name, "--window") == 0) {
				double w;
				rc = opt_double(&c, name, val, &w);
				if (!rc && (w < 1 || w > RT_MAX_DAYS || w != floor(w)))
					rc = (rt_err(&c, "--window: '%s' must be a whole number of days, 1 or more", val), 2);
				window = (long)w;
			} else {
				rt_err(&c, "unknown option %s; see epibridge rt --help", a);
				return 2;
			}
			if (rc)
				return 2;
			continue;
		}
		if (input) {
			rt_err(&c, "more than one input file ('%s' and '%s'); give one, or '-' for standard input",
			     input, a);
			return 2;
		}
		input = a;
	}
	int parametric = !isnan(si_mean) || !isnan(si_sd);
	if (parametric && si_file) {
		rt_err(&c, "give either --si-mean/--si-sd or --si-file, not both");
		return 2;
	}
	if (!parametric && !si_file) {
		rt_err(&c, "no serial interval: give --si-mean M --si-sd S (days), or --si-file FILE");
		return 2;
	}
	if (parametric && (isnan(si_mean) || isnan(si_sd))) {
		rt_err(&c, "a parametric serial interval needs both --si-mean and --si-sd");
		return 2;
	}
	if (!(prior_mean > 0) || !(prior_sd > 0)) {
		rt_err(&c, "--prior-mean and --prior-sd must be positive");
		return 2;
	}

	double *si_w = NULL;
	size_t si_n = 0;
	char *buf = NULL;
	size_t len = 0;
	struct rt_estimator *est = NULL;
	double *loc = NULL, *imp = NULL;
	size_t *idx = NULL, *ts = NULL, *te = NULL;
	struct rt_window *res = NULL;
	struct outbuf o = {.f = out};

	if (si_file && (rc = read_si_file(&c, si_file, &si_w, &si_n)) != 0)
		goto done;
	struct rt_si si = {si_w, si_n, si_mean, si_sd};
	struct eb_detail det;
	if (rt_estimator_new(&si, prior_mean, prior_sd, &est, &det) != EB_OK) {
		if (si_file)
			rt_err(&c, "--si-file %s: %s", si_file, det.msg);
		else if (strcmp(det.field, "si") == 0)
			rt_err(&c, "--si-mean/--si-sd: %s", det.msg);
		else
			rt_err(&c, "--%s: %s", strcmp(det.field, "prior_mean") == 0 ? "prior-mean" : "prior-sd",
			     det.msg);
		rc = 2;
		goto done;
	}

	FILE *inf = in;
	if (input && strcmp(input, "-") != 0) {
		inf = fopen(input, "rb");
		if (!inf) {
			rc = rt_err(&c, "cannot open %s: %s", input, strerror(errno));
			goto done;
		}
		c.input_name = input;
	}
	rc = read_all(&c, inf, &buf, &len);
	if (inf != in)
		fclose(inf);
	if (rc)
		goto done;
	if ((rc = parse_input(&c, buf, len)) != 0)
		goto done;

	/* order rows by area (first appearance) and day, unless they already are */
	const struct rows *r = &c.rows;
	size_t n = r->n;
	idx = malloc(n * sizeof *idx);
	if (!idx) {
		rc = rt_err(&c, "out of memory");
		goto done;
	}
	int sorted = 1;
	for (size_t i = 0; i < n; i++) {
		idx[i] = i;
		if (i && (r->area[i] < r->area[i - 1] ||
			  (r->area[i] == r->area[i - 1] && r->day[i] <= r->day[i - 1])))
			sorted = 0;
	}
	if (!sorted) {
		sort_rows = r;
		qsort(idx, n, sizeof *idx, cmp_idx);
	}

	o.b = malloc(RTCLI_OUT_BUF);
	if (!o.b) {
		rc = rt_err(&c, "out of memory");
		goto done;
	}
	static const char header[] = "area,t_start,t_end,mean,std,q0025,q005,q025,median,q075,q095,q0975\n";
	out_str(&o, header, sizeof header - 1);
	size_t cap_days = 0, cap_w = 0;
	for (size_t lo = 0; lo < n;) {
		size_t hi = lo;
		uint32_t area = r->area[idx[lo]];
		while (hi < n && r->area[idx[hi]] == area)
			hi++;
		const char *aname = area_name(&c.areas, area);
		long d0 = r->day[idx[lo]], d1 = r->day[idx[hi - 1]];
		if ((unsigned long)(d1 - d0) >= RT_MAX_DAYS) {
			rc = rt_err(&c, "area '%s' spans %ld days (lines %u and %u); at most %u",
				  aname, d1 - d0 + 1, r->line[idx[lo]], r->line[idx[hi - 1]],
				  RT_MAX_DAYS);
			goto done;
		}
		size_t T = (size_t)(d1 - d0) + 1;
		if (T > cap_days) {
			double *nl = realloc(loc, T * sizeof *loc);
			if (nl)
				loc = nl;
			double *ni = realloc(imp, T * sizeof *imp);
			if (ni)
				imp = ni;
			if (!nl || !ni) {
				rc = rt_err(&c, "out of memory");
				goto done;
			}
			cap_days = T;
		}
		for (size_t t = 0; t < T; t++)
			loc[t] = imp[t] = 0.0;
		size_t gaps = T;
		for (size_t k = lo; k < hi; k++) {
			size_t i = idx[k];
			if (k > lo && r->day[i] == r->day[idx[k - 1]]) {
				char dbuf[32];
				fmt_day(dbuf, r->day[i], c.is_date);
				rc = rt_err(&c, "line %u: area '%s' day %s appears again (first on line %u); give one row per area and day",
					  r->line[i], aname, dbuf, r->line[idx[k - 1]]);
				goto done;
			}
			size_t t = (size_t)(r->day[i] - d0);
			loc[t] = r->local[i];
			imp[t] = r->imported[i];
			gaps--;
		}
		size_t nwin = rt_windows_sliding(T, (size_t)window, NULL, NULL, 0);
		if (nwin == 0) {
			fprintf(err, "epibridge rt: area '%s': %zu days, too short for a %ld-day window after day 1; no estimate\n",
				aname, T, window);
			lo = hi;
			continue;
		}
		if (nwin > cap_w) {
			size_t *nts = realloc(ts, nwin * sizeof *ts);
			if (nts)
				ts = nts;
			size_t *nte = realloc(te, nwin * sizeof *te);
			if (nte)
				te = nte;
			struct rt_window *nr = realloc(res, nwin * sizeof *res);
			if (nr)
				res = nr;
			if (!nts || !nte || !nr) {
				rc = rt_err(&c, "out of memory");
				goto done;
			}
			cap_w = nwin;
		}
		rt_windows_sliding(T, (size_t)window, ts, te, nwin);
		struct rt_info info;
		if (rt_estimator_run(est, loc, c.has_imported ? imp : NULL, T, ts, te, nwin,
				     res, &info, &det) != EB_OK) {
			rc = rt_err(&c, "area '%s': %s", aname, det.msg);
			goto done;
		}
		if (info.n_missing || gaps)
			fprintf(err, "epibridge rt: area '%s': %zu missing count(s) and %zu missing day(s) treated as 0 cases\n",
				aname, info.n_missing, gaps);
		char afield[2 * RTCLI_MAX_AREA + 3];
		size_t alen = csv_area(afield, aname);
		for (size_t w = 0; w < nwin; w++) {
			char *p = out_room(&o);
			memcpy(p, afield, alen);
			p += alen;
			*p++ = ',';
			p += fmt_day(p, d0 + (long)ts[w] - 1, c.is_date);
			*p++ = ',';
			p += fmt_day(p, d0 + (long)te[w] - 1, c.is_date);
			const struct rt_window *x = &res[w];
			if (!x->has_estimate) {
				static const char na[] = ",NA,NA,NA,NA,NA,NA,NA,NA,NA\n";
				memcpy(p, na, sizeof na - 1);
				p += sizeof na - 1;
			} else {
				*p++ = ',';
				p += fmt_g17(p, x->mean);
				*p++ = ',';
				p += fmt_g17(p, x->std);
				for (int k = 0; k < RT_NQ; k++) {
					*p++ = ',';
					p += fmt_g17(p, x->q[k]);
				}
				*p++ = '\n';
			}
			o.n = (size_t)(p - o.b);
		}
		lo = hi;
	}
	out_flush(&o);
	if (o.err || fflush(out) != 0)
		rc = rt_err(&c, "cannot write the output: %s", strerror(errno));
done:
	free(o.b);
	free(si_w);
	free(buf);
	free(loc);
	free(imp);
	free(idx);
	free(ts);
	free(te);
	free(res);
	rt_estimator_free(est);
	rows_free(&c.rows);
	areas_free(&c.areas);
	return rc;
}

int cmd_rt(int argc, char **argv)
{
	return rt_main(argc, argv, stdin, stdout, stderr);
}
