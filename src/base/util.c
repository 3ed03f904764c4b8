/*
 * Small utilities.  See util.h.
 */
#include "base/util.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int eb_util_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int64_t eb_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t eb_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Days from civil (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

static int mdays(int y, unsigned m)
{
	static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) ||
	    s[7] != '-' || !digits(s + 8, 2, d))
		return 0;
	if (*y < 1900 || *y > 2199 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > mdays(*y, (unsigned)*m))
		return 0;
	return 1;
}

int eb_date_valid(const char *s)
{
	int y, m, d;
	return s && strlen(s) == 10 && parse_ymd(s, &y, &m, &d);
}

enum eb_err eb_date_parse(const char *s, int32_t *days)
{
	int y, m, d;
	if (!s || strlen(s) != 10 || !parse_ymd(s, &y, &m, &d))
		return EB_EINVAL;
	*days = (int32_t)days_from_civil(y, (unsigned)m, (unsigned)d);
	return EB_OK;
}

void eb_date_fmt(int32_t days, char out[11])
{
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 11, "%04d-%02u-%02u", y % 10000, m % 100, d % 100);
}

void eb_fmt_time(int64_t ms, char out[32])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t rem = ms - secs * 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t sod = secs - days * 86400;
	int y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y % 10000, m % 100, d % 100,
		 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)rem);
}

enum eb_err eb_parse_time(const char *s, int64_t *ms)
{
	int y, mo, d, hh = 0, mi = 0, ss = 0, frac = 0;
	if (!s)
		return EB_EINVAL;
	size_t n = strlen(s);
	if (n < 10 || n > 35 || !parse_ymd(s, &y, &mo, &d))
		return EB_EINVAL;
	int64_t off = 0;
	const char *p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (!digits(p + 1, 2, &hh) || p[3] != ':' || !digits(p + 4, 2, &mi))
			return EB_EINVAL;
		p += 6;
		if (*p == ':') {
			if (!digits(p + 1, 2, &ss))
				return EB_EINVAL;
			p += 3;
		}
		if (*p == '.') {
			int k = 0;
			p++;
			while (*p >= '0' && *p <= '9') {
				if (k < 3)
					frac = frac * 10 + (*p - '0');
				k++;
				p++;
			}
			if (k == 0)
				return EB_EINVAL;
			for (; k < 3; k++)
				frac *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return EB_EINVAL;
			off = (oh * 60 + om) * 60000LL * (*p == '+' ? 1 : -1);
			p += 6;
		} else {
			return EB_EINVAL; /* a time without zone is ambiguous */
		}
		if (hh > 23 || mi > 59 || ss > 60)
			return EB_EINVAL;
	}
	if (*p)
		return EB_EINVAL;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	*ms = ((days * 86400 + hh * 3600 + mi * 60 + ss) * 1000 + frac) - off;
	return EB_OK;
}

void eb_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void eb_random_hex(char *out, size_t nbytes)
{
	unsigned char tmp[64];
	if (nbytes > sizeof tmp)
		nbytes = sizeof tmp;
	randombytes_buf(tmp, nbytes);
	eb_hex(tmp, nbytes, out);
}

void eb_sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, n);
	eb_hex(h, sizeof h, out);
}

int eb_secure_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

enum eb_err eb_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!s || !*s)
		return EB_EINVAL;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return EB_EINVAL;
	*out = v;
	return EB_OK;
}

int eb_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return 0;
			i++;
			continue;
		}
		int len;
		unsigned cp;
		if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
		else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
		else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
		else return 0;
		if (i + (size_t)len > n)
			return 0;
		for (int k = 1; k < len; k++) {
			if ((p[i + (size_t)k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + (size_t)k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += (size_t)len;
	}
	return 1;
}
