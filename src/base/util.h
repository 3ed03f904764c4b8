/*
 * Small utilities: clock, random tokens, hex, constant-time compare,
 * checked number parsing and dates.
 *
 * All functions are thread-safe.  Random bytes come from libsodium, which
 * eb_util_init() initialises (call it once at start).
 */
#ifndef EB_BASE_UTIL_H
#define EB_BASE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

int eb_util_init(void);

/* Milliseconds since the Unix epoch, UTC. */
int64_t eb_now_ms(void);
/* Monotonic milliseconds, for durations. */
int64_t eb_mono_ms(void);
/* Formats ms since epoch as RFC 3339 UTC "2020-02-27T08:00:00.000Z". */
void eb_fmt_time(int64_t ms, char out[32]);
/* Parses RFC 3339 (Z or offset) or a bare date; returns EB_EINVAL if bad. */
enum eb_err eb_parse_time(const char *s, int64_t *ms);

/* Calendar dates as days since 1970-01-01. */
int eb_date_valid(const char *s); /* strict YYYY-MM-DD, 1900..2199 */
enum eb_err eb_date_parse(const char *s, int32_t *days);
void eb_date_fmt(int32_t days, char out[11]);

/* n random bytes encoded as 2n lowercase hex characters into out (2n+1). */
void eb_random_hex(char *out, size_t nbytes);
void eb_hex(const unsigned char *in, size_t n, char *out);
/* SHA-256 of data as 64 hex characters + NUL. */
void eb_sha256_hex(const void *data, size_t n, char out[65]);
/* Constant-time string compare; 1 when equal. */
int eb_secure_eq(const char *a, const char *b);

/* Checked integer parsing: the whole string must be a number in range. */
enum eb_err eb_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Valid UTF-8 without NUL or control characters other than \t\n\r. */
int eb_utf8_valid(const char *s, size_t n);

#endif
