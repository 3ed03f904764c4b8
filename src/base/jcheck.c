/*
 * JSON request decoding within limits.  See decode.h.
 */
#include "base/jcheck.h"
#include "base/util.h"

#include <stdio.h>
#include <string.h>

int (*eb_country_known)(const char *iso2);

static enum eb_err depth_ok(const char *s, size_t len, int max_depth,
			    struct eb_detail *d)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return eb_fail(d, EB_EINVAL, "", "JSON nested deeper than %d levels", max_depth);
		} else if (c == '}' || c == ']')
			depth--;
	}
	return EB_OK;
}

enum eb_err eb_json_parse(const char *body, size_t len, int max_depth,
			  json_t **out, struct eb_detail *d)
{
	*out = NULL;
	if (!body || len == 0)
		return eb_fail(d, EB_EINVAL, "", "request body is empty; send a JSON object");
	enum eb_err e = depth_ok(body, len, max_depth, d);
	if (e)
		return e;
	json_error_t je;
	json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return eb_fail(d, EB_EINVAL, "", "malformed JSON at line %d column %d: %s",
			       je.line, je.column, je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return eb_fail(d, EB_EINVAL, "", "the request body must be a JSON object");
	}
	*out = v;
	return EB_OK;
}

static int in_values(const char *s, const char *const *values)
{
	for (; values && *values; values++)
		if (strcmp(s, *values) == 0)
			return 1;
	return 0;
}

static enum eb_err list_values(struct eb_detail *d, const char *ptr,
			       const char *const *values)
{
	char list[200] = "";
	size_t used = 0;
	for (; values && *values; values++) {
		int n = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *values);
		if (n < 0 || used + (size_t)n >= sizeof list)
			break;
		used += (size_t)n;
	}
	return eb_fail(d, EB_EINVAL, ptr, "%s must be one of: %s", ptr + 1, list);
}

static enum eb_err check_string(json_t *v, const struct eb_jfield *f,
				const char *ptr, struct eb_detail *d)
{
	if (!json_is_string(v))
		return eb_fail(d, EB_EINVAL, ptr, "%s must be a string", ptr + 1);
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	size_t max = f->max_len ? f->max_len : 10000;
	if (n > max)
		return eb_fail(d, EB_EINVAL, ptr, "%s is %zu bytes long; the maximum is %zu", ptr + 1, n, max);
	if (n < (size_t)(f->min > 0 ? f->min : 0))
		return eb_fail(d, EB_EINVAL, ptr, "%s must be at least %lld characters", ptr + 1, (long long)f->min);
	if (memchr(s, '\0', n))
		return eb_fail(d, EB_EINVAL, ptr, "%s contains a NUL character", ptr + 1);
	return EB_OK;
}

static enum eb_err check_id(json_t *v, const char *ptr, struct eb_detail *d)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return eb_fail(d, EB_EINVAL, ptr, "%s must be a positive integer id", ptr + 1);
	return EB_OK;
}

static enum eb_err check_one(json_t *v, const struct eb_jfield *f,
			     const char *ptr, struct eb_detail *d)
{
	enum eb_err e;
	switch (f->type) {
	case EB_J_STR:
		return check_string(v, f, ptr, d);
	case EB_J_INT:
		if (!json_is_integer(v))
			return eb_fail(d, EB_EINVAL, ptr, "%s must be an integer", ptr + 1);
		if (json_integer_value(v) < f->min || json_integer_value(v) > f->max)
			return eb_fail(d, EB_EINVAL, ptr, "%s must be between %lld and %lld",
				       ptr + 1, (long long)f->min, (long long)f->max);
		return EB_OK;
	case EB_J_NUM:
		if (!json_is_number(v))
			return eb_fail(d, EB_EINVAL, ptr, "%s must be a number", ptr + 1);
		if (f->min != f->max && (json_number_value(v) < (double)f->min || json_number_value(v) > (double)f->max))
			return eb_fail(d, EB_EINVAL, ptr, "%s must be between %lld and %lld",
				       ptr + 1, (long long)f->min, (long long)f->max);
		return EB_OK;
	case EB_J_BOOL:
		if (!json_is_boolean(v))
			return eb_fail(d, EB_EINVAL, ptr, "%s must be true or false", ptr + 1);
		return EB_OK;
	case EB_J_DATE:
		if (!json_is_string(v) || !eb_date_valid(json_string_value(v)))
			return eb_fail(d, EB_EINVAL, ptr, "%s must be a date YYYY-MM-DD between 1900 and 2199", ptr + 1);
		return EB_OK;
	case EB_J_TIME: {
		int64_t ms;
		if (!json_is_string(v) || eb_parse_time(json_string_value(v), &ms))
			return eb_fail(d, EB_EINVAL, ptr, "%s must be an RFC 3339 date-time such as 2020-02-27T08:00:00Z", ptr + 1);
		return EB_OK;
	}
	case EB_J_ENUM:
		if (!json_is_string(v) || !in_values(json_string_value(v), f->values))
			return list_values(d, ptr, f->values);
		return EB_OK;
	case EB_J_ID:
		return check_id(v, ptr, d);
	case EB_J_NULLABLE_ID:
		return json_is_null(v) ? EB_OK : check_id(v, ptr, d);
	case EB_J_COUNTRY: {
		const char *s = json_string_value(v);
		if (!s || strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
			return eb_fail(d, EB_EINVAL, ptr, "%s must be an ISO 3166-1 alpha-2 code in capitals, such as CN", ptr + 1);
		if (eb_country_known && !eb_country_known(s))
			return eb_fail(d, EB_EINVAL, ptr, "%s: %s is not an ISO 3166-1 country code", ptr + 1, s);
		return EB_OK;
	}
	case EB_J_IDS:
	case EB_J_STRS: {
		if (!json_is_array(v))
			return eb_fail(d, EB_EINVAL, ptr, "%s must be an array", ptr + 1);
		size_t maxn = f->type == EB_J_IDS ? (f->max_len ? f->max_len : 1000)
						  : (f->max ? (size_t)f->max : 100);
		if (json_array_size(v) > maxn)
			return eb_fail(d, EB_EINVAL, ptr, "%s has %zu elements; the maximum is %zu",
				       ptr + 1, json_array_size(v), maxn);
		size_t i;
		json_t *el;
		json_array_foreach(v, i, el) {
			char sub[96];
			snprintf(sub, sizeof sub, "%s/%zu", ptr, i);
			e = f->type == EB_J_IDS ? check_id(el, sub, d) : check_string(el, f, sub, d);
			if (e)
				return e;
		}
		return EB_OK;
	}
	}
	return EB_EINTERNAL;
}

enum eb_err eb_json_check(json_t *obj, const struct eb_jfield *spec,
			  int partial, struct eb_detail *d)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const struct eb_jfield *f = spec;
		while (f->name && strcmp(f->name, key) != 0)
			f++;
		char ptr[96];
		snprintf(ptr, sizeof ptr, "/%s", key);
		if (!f->name)
			return eb_fail(d, EB_EINVAL, ptr, "unknown field %s", key);
		if (json_is_null(v) && !f->required && f->type != EB_J_NULLABLE_ID)
			continue; /* null clears an optional field */
		enum eb_err e = check_one(v, f, ptr, d);
		if (e)
			return e;
	}
	if (!partial) {
		for (const struct eb_jfield *f = spec; f->name; f++) {
			json_t *x = json_object_get(obj, f->name);
			if (f->required && (!x || json_is_null(x))) {
				char ptr[96];
				snprintf(ptr, sizeof ptr, "/%s", f->name);
				return eb_fail(d, EB_EINVAL, ptr, "%s is required", f->name);
			}
		}
	}
	return EB_OK;
}

const char *eb_jstr(json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

int64_t eb_jint(json_t *o, const char *name, int64_t dflt)
{
	json_t *v = json_object_get(o, name);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}
