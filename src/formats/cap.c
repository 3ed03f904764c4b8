/*
 * CAP 1.2 alerts: XML in (through formats/xml_safe and the OASIS schema),
 * XML out (libxml2's text writer, which escapes all text), JSON in and out
 * (jansson), a model checker and model equality.  See cap.h.
 *
 * The schema is the authority on XML input: once a document validates, the
 * tree walk below only maps elements to fields.  The model checker
 * (cap_check) restates the schema's rules for models that did not come from
 * XML -- JSON bodies, or alerts built by the domain -- so that cap_write
 * never produces a document the schema would reject; it uses libxml2's own
 * built-in type checks for xs:language and xs:anyURI so both agree.
 */
#include "formats/cap.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlschemastypes.h>
#include <libxml/xmlwriter.h>

#include "base/datadir.h"
#include "formats/xml_safe.h"

#define XSD_NS "http://www.w3.org/2001/XMLSchema"

/* ---- closed lists ----------------------------------------------------------- */

static const char *const status_names[] = {NULL, "Actual", "Exercise",
					   "System", "Test", "Draft"};
static const char *const msg_type_names[] = {NULL,     "Alert", "Update",
					     "Cancel", "Ack",   "Error"};
static const char *const scope_names[] = {NULL, "Public", "Restricted",
					  "Private"};
static const char *const category_names[] = {
	NULL,	 "Geo",	      "Met",   "Safety", "Security", "Rescue", "Fire",
	"Health", "Env", "Transport", "Infra", "CBRNE",  "Other"};
static const char *const response_type_names[] = {
	NULL,	   "Shelter", "Evacuate", "Prepare", "Execute",
	"Avoid",   "Monitor", "Assess",   "AllClear", "None"};
static const char *const urgency_names[] = {NULL,   "Immediate", "Expected",
					    "Future", "Past",     "Unknown"};
static const char *const severity_names[] = {NULL,	 "Extreme", "Severe",
					     "Moderate", "Minor",   "Unknown"};
static const char *const certainty_names[] = {
	NULL, "Observed", "Likely", "Possible", "Unlikely", "Unknown"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct enum_table {
	const char *const *names;
	int n; /* including the unset slot 0 */
};

static const struct enum_table enum_tables[] = {
	[CAP_ENUM_STATUS] = {status_names, (int)NELEM(status_names)},
	[CAP_ENUM_MSG_TYPE] = {msg_type_names, (int)NELEM(msg_type_names)},
	[CAP_ENUM_SCOPE] = {scope_names, (int)NELEM(scope_names)},
	[CAP_ENUM_CATEGORY] = {category_names, (int)NELEM(category_names)},
	[CAP_ENUM_RESPONSE_TYPE] = {response_type_names,
				    (int)NELEM(response_type_names)},
	[CAP_ENUM_URGENCY] = {urgency_names, (int)NELEM(urgency_names)},
	[CAP_ENUM_SEVERITY] = {severity_names, (int)NELEM(severity_names)},
	[CAP_ENUM_CERTAINTY] = {certainty_names, (int)NELEM(certainty_names)},
};

const char *cap_enum_name(enum cap_enum list, int value)
{
	if ((unsigned)list >= NELEM(enum_tables))
		return NULL;
	const struct enum_table *t = &enum_tables[list];
	if (value <= 0 || value >= t->n)
		return NULL;
	return t->names[value];
}

int cap_enum_parse(enum cap_enum list, const char *s)
{
	if (!s || (unsigned)list >= NELEM(enum_tables))
		return 0;
	const struct enum_table *t = &enum_tables[list];
	for (int i = 1; i < t->n; i++)
		if (strcmp(t->names[i], s) == 0)
			return i;
	return 0;
}

/* "Immediate, Expected, ..." for messages. */
static const char *enum_list_text(enum cap_enum list, char *buf, size_t n)
{
	const struct enum_table *t = &enum_tables[list];
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 1; i < t->n && o < n; i++) {
		int w = snprintf(buf + o, n - o, "%s%s", i > 1 ? ", " : "",
				 t->names[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	return buf;
}

/* ---- small helpers ---------------------------------------------------------- */

static char *str_dup(const char *s)
{
	size_t n = strlen(s);
	char *p = malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

/* 1 when s equals its XML Schema "collapse" form (no leading, trailing or
 * repeated white space, no tab/newline). */
static int is_collapsed(const char *s)
{
	if (!*s)
		return 1;
	if (*s == ' ')
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			return 0;
		if (*p == ' ' && (p[1] == ' ' || p[1] == '\0'))
			return 0;
	}
	return 1;
}

static int two(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

int cap_datetime_valid(const char *s)
{
	/* YYYY-MM-DDThh:mm:ss+hh:mm */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd+dd:dd";
	if (!s || strlen(s) != sizeof shape - 1)
		return 0;
	for (size_t i = 0; i < sizeof shape - 1; i++) {
		char c = s[i];
		switch (shape[i]) {
		case 'd':
			if (c < '0' || c > '9')
				return 0;
			break;
		case '+':
			if (c != '+' && c != '-')
				return 0;
			break;
		default:
			if (c != shape[i])
				return 0;
		}
	}
	int year = two(s) * 100 + two(s + 2);
	int mon = two(s + 5), day = two(s + 8);
	int hh = two(s + 11), mm = two(s + 14), ss = two(s + 17);
	int th = two(s + 20), tm = two(s + 23);
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	if (year == 0 || mon < 1 || mon > 12 || day < 1)
		return 0;
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	int dim = mdays[mon - 1] + (mon == 2 && leap);
	if (day > dim)
		return 0;
	if (hh == 24) {
		if (mm || ss)
			return 0;
	} else if (hh > 23 || mm > 59 || ss > 59) {
		return 0;
	}
	if (th > 14 || tm > 59 || (th == 14 && tm))
		return 0;
	return 1;
}

/* libxml2's own check of a built-in XSD type ("language", "anyURI"), so the
 * model checker and the schema agree. */
static int xsd_type_valid(const char *type, const char *value)
{
	xml_safe_init();
	xmlSchemaTypePtr t =
		xmlSchemaGetPredefinedType(BAD_CAST type, BAD_CAST XSD_NS);
	if (!t)
		return 0;
	return xmlSchemaValidatePredefinedType(t, BAD_CAST value, NULL) == 0;
}

/*
 * Writes v as an xs:decimal (no exponent) with the fewest digits that read
 * back as the same double.  out needs 400 bytes for any finite double.
 */
static void decimal_format(double v, char *out, size_t outlen)
{
	char e[48];
	for (int p = 0; p <= 17; p++) {
		snprintf(e, sizeof e, "%.*e", p, v);
		if (strtod(e, NULL) == v)
			break;
	}
	/* e is [-]D[.DDDD]e(+|-)XX */
	char digits[24];
	size_t nd = 0;
	const char *p = e;
	int neg = 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (; *p && *p != 'e' && nd < sizeof digits - 1; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	digits[nd] = '\0';
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = '\0';
	long ex = (*p == 'e') ? strtol(p + 1, NULL, 10) : 0;

	size_t o = 0;
#define PUT(c)                                                                \
	do {                                                                  \
		if (o + 1 < outlen)                                           \
			out[o++] = (c);                                       \
	} while (0)
	if (neg)
		PUT('-');
	if (ex >= 0) {
		for (long i = 0; i <= ex; i++)
			PUT((size_t)i < nd ? digits[i] : '0');
		if ((size_t)ex + 1 < nd) {
			PUT('.');
			for (size_t i = (size_t)ex + 1; i < nd; i++)
				PUT(digits[i]);
		}
	} else {
		PUT('0');
		PUT('.');
		for (long i = 0; i < -ex - 1; i++)
			PUT('0');
		for (size_t i = 0; i < nd; i++)
			PUT(digits[i]);
	}
#undef PUT
	out[o] = '\0';
}

/* Appends s to the pointer being built in buf[0..n), truncating. */
static void ptr_put(char *buf, size_t n, size_t *o, const char *s)
{
	while (*s && *o + 1 < n)
		buf[(*o)++] = *s++;
	buf[*o] = '\0';
}

/* Writes a JSON pointer "<base>/<key>" (key escaped per RFC 6901). */
static const char *ptr_key(char *buf, size_t n, const char *base,
			   const char *key)
{
	size_t o = 0;
	ptr_put(buf, n, &o, base);
	ptr_put(buf, n, &o, "/");
	for (const char *k = key; *k && o + 3 < n; k++) {
		if (*k == '~' || *k == '/') {
			buf[o++] = '~';
			buf[o++] = *k == '~' ? '0' : '1';
		} else {
			buf[o++] = *k;
		}
	}
	buf[o] = '\0';
	xml_safe_utf8_trim(buf);
	return buf;
}

/* Writes "<base>/<key>/<i>". */
static const char *ptr_idx(char *buf, size_t n, const char *base,
			   const char *key, size_t i)
{
	char num[24];
	size_t k = sizeof num - 1;
	num[k] = '\0';
	do {
		num[--k] = (char)('0' + i % 10);
		i /= 10;
	} while (i && k);
	size_t o = 0;
	ptr_put(buf, n, &o, base);
	ptr_put(buf, n, &o, "/");
	ptr_put(buf, n, &o, key);
	ptr_put(buf, n, &o, "/");
	ptr_put(buf, n, &o, num + k);
	xml_safe_utf8_trim(buf);
	return buf;
}

/* ---- schema --------------------------------------------------------------- */

static pthread_mutex_t schema_mu = PTHREAD_MUTEX_INITIALIZER;
static struct xml_safe_schema *schema_g;

enum eb_err cap_init(const char *xsd_path, struct eb_detail *d)
{
	enum eb_err rc = EB_OK;
	pthread_mutex_lock(&schema_mu);
	if (schema_g)
		goto out;
	char buf[4096];
	if (!xsd_path) {
		xsd_path = eb_data_path(CAP_SCHEMA_REL, buf, sizeof buf);
		if (!xsd_path) {
			rc = eb_fail(d, EB_ENOTFOUND, "",
				     "CAP 1.2 schema %s not found under "
				     "$EB_DATA_DIR, ./data or the program's "
				     "../data; set EB_DATA_DIR to the data "
				     "directory",
				     CAP_SCHEMA_REL);
			goto out;
		}
	}
	rc = xml_safe_schema_load(xsd_path, &schema_g, d);
out:
	pthread_mutex_unlock(&schema_mu);
	return rc;
}

static enum eb_err schema_get(const struct xml_safe_schema **out,
			      struct eb_detail *d)
{
	pthread_mutex_lock(&schema_mu);
	*out = schema_g;
	pthread_mutex_unlock(&schema_mu);
	if (*out)
		return EB_OK;
	enum eb_err rc = cap_init(NULL, d);
	if (rc)
		return rc;
	pthread_mutex_lock(&schema_mu);
	*out = schema_g;
	pthread_mutex_unlock(&schema_mu);
	return EB_OK;
}

/* ---- memory --------------------------------------------------------------- */

struct cap_alert *cap_alert_new(void)
{
	return calloc(1, sizeof(struct cap_alert));
}

static void strv_free(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void values_free(struct cap_value *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].valueName);
		free(v[i].value);
	}
	free(v);
}

static void area_clear(struct cap_area *ar)
{
	free(ar->areaDesc);
	strv_free(ar->polygon, ar->npolygon);
	strv_free(ar->circle, ar->ncircle);
	values_free(ar->geocode, ar->ngeocode);
}

static void resource_clear(struct cap_resource *r)
{
	free(r->resourceDesc);
	free(r->mimeType);
	free(r->uri);
	free(r->derefUri);
	free(r->digest);
}

static void info_clear(struct cap_info *in)
{
	free(in->language);
	free(in->category);
	free(in->event);
	free(in->responseType);
	free(in->audience);
	values_free(in->eventCode, in->neventCode);
	free(in->effective);
	free(in->onset);
	free(in->expires);
	free(in->senderName);
	free(in->headline);
	free(in->description);
	free(in->instruction);
	free(in->web);
	free(in->contact);
	values_free(in->parameter, in->nparameter);
	if (in->resource)
		for (size_t i = 0; i < in->nresource; i++)
			resource_clear(&in->resource[i]);
	free(in->resource);
	if (in->area)
		for (size_t i = 0; i < in->narea; i++)
			area_clear(&in->area[i]);
	free(in->area);
}

void cap_alert_free(struct cap_alert *a)
{
	if (!a)
		return;
	free(a->identifier);
	free(a->sender);
	free(a->sent);
	free(a->source);
	free(a->restriction);
	free(a->addresses);
	strv_free(a->code, a->ncode);
	free(a->note);
	free(a->references);
	free(a->incidents);
	if (a->info)
		for (size_t i = 0; i < a->ninfo; i++)
			info_clear(&a->info[i]);
	free(a->info);
	free(a);
}

/* ---- XML tree -> model ------------------------------------------------------ */

/* Every CAP 1.2 element name, for one-pass dispatch on the tree. */
enum el {
	EL_OTHER = 0,
	EL_IDENTIFIER, EL_SENDER, EL_SENT, EL_STATUS, EL_MSG_TYPE, EL_SOURCE,
	EL_SCOPE, EL_RESTRICTION, EL_ADDRESSES, EL_CODE, EL_NOTE,
	EL_REFERENCES, EL_INCIDENTS, EL_INFO,
	EL_LANGUAGE, EL_CATEGORY, EL_EVENT, EL_RESPONSE_TYPE, EL_URGENCY,
	EL_SEVERITY, EL_CERTAINTY, EL_AUDIENCE, EL_EVENT_CODE, EL_EFFECTIVE,
	EL_ONSET, EL_EXPIRES, EL_SENDER_NAME, EL_HEADLINE, EL_DESCRIPTION,
	EL_INSTRUCTION, EL_WEB, EL_CONTACT, EL_PARAMETER, EL_RESOURCE, EL_AREA,
	EL_RESOURCE_DESC, EL_MIME_TYPE, EL_SIZE, EL_URI, EL_DEREF_URI,
	EL_DIGEST, EL_AREA_DESC, EL_POLYGON, EL_CIRCLE, EL_GEOCODE,
	EL_ALTITUDE, EL_CEILING, EL_VALUE_NAME, EL_VALUE,
	EL_COUNT
};

static const char *const el_names[EL_COUNT] = {
	[EL_IDENTIFIER] = "identifier", [EL_SENDER] = "sender",
	[EL_SENT] = "sent", [EL_STATUS] = "status", [EL_MSG_TYPE] = "msgType",
	[EL_SOURCE] = "source", [EL_SCOPE] = "scope",
	[EL_RESTRICTION] = "restriction", [EL_ADDRESSES] = "addresses",
	[EL_CODE] = "code", [EL_NOTE] = "note", [EL_REFERENCES] = "references",
	[EL_INCIDENTS] = "incidents", [EL_INFO] = "info",
	[EL_LANGUAGE] = "language", [EL_CATEGORY] = "category",
	[EL_EVENT] = "event", [EL_RESPONSE_TYPE] = "responseType",
	[EL_URGENCY] = "urgency", [EL_SEVERITY] = "severity",
	[EL_CERTAINTY] = "certainty", [EL_AUDIENCE] = "audience",
	[EL_EVENT_CODE] = "eventCode", [EL_EFFECTIVE] = "effective",
	[EL_ONSET] = "onset", [EL_EXPIRES] = "expires",
	[EL_SENDER_NAME] = "senderName", [EL_HEADLINE] = "headline",
	[EL_DESCRIPTION] = "description", [EL_INSTRUCTION] = "instruction",
	[EL_WEB] = "web", [EL_CONTACT] = "contact",
	[EL_PARAMETER] = "parameter", [EL_RESOURCE] = "resource",
	[EL_AREA] = "area", [EL_RESOURCE_DESC] = "resourceDesc",
	[EL_MIME_TYPE] = "mimeType", [EL_SIZE] = "size", [EL_URI] = "uri",
	[EL_DEREF_URI] = "derefUri", [EL_DIGEST] = "digest",
	[EL_AREA_DESC] = "areaDesc", [EL_POLYGON] = "polygon",
	[EL_CIRCLE] = "circle", [EL_GEOCODE] = "geocode",
	[EL_ALTITUDE] = "altitude", [EL_CEILING] = "ceiling",
	[EL_VALUE_NAME] = "valueName", [EL_VALUE] = "value",
};

/* Which CAP element n is (EL_OTHER for text, comments, other namespaces).
 * The namespace is compared by pointer first: a document normally declares
 * it once. */
static enum el el_of(const xmlNode *n, const xmlNs *cap_ns)
{
	if (n->type != XML_ELEMENT_NODE || !n->ns)
		return EL_OTHER;
	if (n->ns != cap_ns &&
	    !xmlStrEqual(n->ns->href, BAD_CAST CAP_NAMESPACE))
		return EL_OTHER;
	const char *name = (const char *)n->name;
	/* candidates by first letter, then one strcmp each */
	static const unsigned char first[][6] = {
		['a' - 'a'] = {EL_ADDRESSES, EL_AUDIENCE, EL_AREA, EL_AREA_DESC,
			       EL_ALTITUDE},
		['c' - 'a'] = {EL_CODE, EL_CATEGORY, EL_CERTAINTY, EL_CONTACT,
			       EL_CIRCLE, EL_CEILING},
		['d' - 'a'] = {EL_DESCRIPTION, EL_DEREF_URI, EL_DIGEST},
		['e' - 'a'] = {EL_EVENT, EL_EVENT_CODE, EL_EFFECTIVE,
			       EL_EXPIRES},
		['g' - 'a'] = {EL_GEOCODE},
		['h' - 'a'] = {EL_HEADLINE},
		['i' - 'a'] = {EL_IDENTIFIER, EL_INCIDENTS, EL_INFO,
			       EL_INSTRUCTION},
		['l' - 'a'] = {EL_LANGUAGE},
		['m' - 'a'] = {EL_MSG_TYPE, EL_MIME_TYPE},
		['n' - 'a'] = {EL_NOTE},
		['o' - 'a'] = {EL_ONSET},
		['p' - 'a'] = {EL_PARAMETER, EL_POLYGON},
		['r' - 'a'] = {EL_RESTRICTION, EL_REFERENCES, EL_RESPONSE_TYPE,
			       EL_RESOURCE, EL_RESOURCE_DESC},
		['s' - 'a'] = {EL_SENDER, EL_SENT, EL_STATUS, EL_SOURCE,
			       EL_SCOPE, EL_SEVERITY},
		['u' - 'a'] = {EL_URGENCY, EL_URI},
		['v' - 'a'] = {EL_VALUE_NAME, EL_VALUE},
		['w' - 'a'] = {EL_WEB},
	};
	/* "senderName", "size" do not fit in six: handled below */
	if (name[0] < 'a' || name[0] > 'z')
		return EL_OTHER;
	const unsigned char *cand = first[name[0] - 'a'];
	for (size_t i = 0; i < sizeof first[0] && cand[i]; i++)
		if (strcmp(name, el_names[cand[i]]) == 0)
			return (enum el)cand[i];
	if (strcmp(name, "senderName") == 0)
		return EL_SENDER_NAME;
	if (strcmp(name, "size") == 0)
		return EL_SIZE;
	return EL_OTHER;
}

/* Counts the CAP children of parent by element. */
static void count_children(const xmlNode *parent, const xmlNs *cap_ns,
			   size_t counts[EL_COUNT])
{
	memset(counts, 0, EL_COUNT * sizeof counts[0]);
	for (const xmlNode *c = parent->children; c; c = c->next)
		counts[el_of(c, cap_ns)]++;
}

/* A zeroed array of k elements of size bytes (NULL when k is 0); its count
 * starts at 0 and goes up as elements are filled, so a failure half-way
 * frees exactly what was filled. */
static enum eb_err alloc_array(size_t k, size_t size, void **arr, size_t *n,
			       struct eb_detail *d)
{
	*n = 0;
	*arr = NULL;
	if (!k)
		return EB_OK;
	*arr = calloc(k, size);
	return *arr ? EB_OK : eb_fail(d, EB_ENOMEM, "", "out of memory");
}

static enum eb_err xml_fail(struct eb_detail *d, enum eb_err e,
			    const xmlNode *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum eb_err xml_fail(struct eb_detail *d, enum eb_err e,
			    const xmlNode *n, const char *fmt, ...)
{
	if (!d)
		return e;
	char path[sizeof d->field];
	xml_safe_node_path(n, path, sizeof path);
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return eb_fail(d, e, path, "%s (line %ld)", msg, xmlGetLineNo(n));
}

/* The element's text, a new string; collapsed as XSD "collapse" when asked
 * (date-times, language, URIs, numbers). */
static enum eb_err node_text(const xmlNode *n, int collapse, char **out,
			     struct eb_detail *d)
{
	/* Usually one text node (CDATA is merged by the parser): use it as
	 * is rather than building a copy with xmlNodeGetContent. */
	xmlChar *owned = NULL;
	const char *src;
	const xmlNode *c = n->children;
	if (!c)
		src = "";
	else if (!c->next && c->type == XML_TEXT_NODE && c->content)
		src = (const char *)c->content;
	else
		src = (const char *)(owned = xmlNodeGetContent(n));
	if (!src) {
		return eb_fail(d, EB_ENOMEM, "", "out of memory");
	}
	size_t len = strlen(src);
	char *s = malloc(len + 1);
	if (!s) {
		xmlFree(owned);
		return eb_fail(d, EB_ENOMEM, "", "out of memory");
	}
	if (!collapse) {
		memcpy(s, src, len + 1);
	} else {
		size_t o = 0;
		int space = 0;
		for (const char *p = src; *p; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
				space = o > 0;
				continue;
			}
			if (space)
				s[o++] = ' ';
			space = 0;
			s[o++] = *p;
		}
		s[o] = '\0';
	}
	xmlFree(owned);
	*out = s;
	return EB_OK;
}

static enum eb_err set_text(char **dst, const xmlNode *n, int collapse,
			    struct eb_detail *d)
{
	free(*dst);
	*dst = NULL;
	return node_text(n, collapse, dst, d);
}

static enum eb_err node_enum(const xmlNode *n, enum cap_enum list, int *out,
			     struct eb_detail *d)
{
	char *s = NULL;
	enum eb_err rc = node_text(n, 0, &s, d);
	if (rc)
		return rc;
	int v = cap_enum_parse(list, s);
	if (!v) {
		char names[160], ex[48];
		rc = xml_fail(d, EB_EINVAL, n, "'%s' is not one of %s",
			      xml_safe_excerpt(s, ex, sizeof ex),
			      enum_list_text(list, names, sizeof names));
	}
	free(s);
	*out = v;
	return rc;
}

static enum eb_err node_value(const xmlNode *n, const xmlNs *cap_ns,
			      struct cap_value *v, struct eb_detail *d)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		enum eb_err rc = EB_OK;
		switch (el_of(c, cap_ns)) {
		case EL_VALUE_NAME: rc = set_text(&v->valueName, c, 0, d); break;
		case EL_VALUE: rc = set_text(&v->value, c, 0, d); break;
		default: break;
		}
		if (rc)
			return rc;
	}
	return EB_OK;
}

static enum eb_err node_double(const xmlNode *n, double *out,
			       struct eb_detail *d)
{
	char *s = NULL;
	enum eb_err rc = node_text(n, 1, &s, d);
	if (rc)
		return rc;
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || errno == ERANGE) {
		char ex[48];
		rc = xml_fail(d, EB_EINVAL, n,
			      "'%s' is not a decimal number in range",
			      xml_safe_excerpt(s, ex, sizeof ex));
	}
	free(s);
	*out = v;
	return rc;
}

static enum eb_err node_ll(const xmlNode *n, long long *out,
			   struct eb_detail *d)
{
	char *s = NULL;
	enum eb_err rc = node_text(n, 1, &s, d);
	if (rc)
		return rc;
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || errno == ERANGE) {
		char ex[48];
		rc = xml_fail(d, EB_EINVAL, n, "'%s' is not an integer in range",
			      xml_safe_excerpt(s, ex, sizeof ex));
	}
	free(s);
	*out = v;
	return rc;
}

static enum eb_err parse_resource(const xmlNode *n, const xmlNs *cap_ns,
				  struct cap_resource *r, struct eb_detail *d)
{
	for (const xmlNode *c = n->children; c; c = c->next) {
		enum eb_err rc = EB_OK;
		switch (el_of(c, cap_ns)) {
		case EL_RESOURCE_DESC:
			rc = set_text(&r->resourceDesc, c, 0, d);
			break;
		case EL_MIME_TYPE: rc = set_text(&r->mimeType, c, 0, d); break;
		case EL_SIZE:
			rc = node_ll(c, &r->size, d);
			r->has_size = true;
			break;
		case EL_URI: rc = set_text(&r->uri, c, 1, d); break;
		case EL_DEREF_URI: rc = set_text(&r->derefUri, c, 0, d); break;
		case EL_DIGEST: rc = set_text(&r->digest, c, 0, d); break;
		default: break;
		}
		if (rc)
			return rc;
	}
	return EB_OK;
}

static enum eb_err parse_area(const xmlNode *n, const xmlNs *cap_ns,
			      struct cap_area *ar, struct eb_detail *d)
{
	size_t k[EL_COUNT];
	count_children(n, cap_ns, k);
	enum eb_err rc;
	if ((rc = alloc_array(k[EL_POLYGON], sizeof(char *),
			      (void **)&ar->polygon, &ar->npolygon, d)) ||
	    (rc = alloc_array(k[EL_CIRCLE], sizeof(char *),
			      (void **)&ar->circle, &ar->ncircle, d)) ||
	    (rc = alloc_array(k[EL_GEOCODE], sizeof(struct cap_value),
			      (void **)&ar->geocode, &ar->ngeocode, d)))
		return rc;
	for (const xmlNode *c = n->children; c; c = c->next) {
		switch (el_of(c, cap_ns)) {
		case EL_AREA_DESC: rc = set_text(&ar->areaDesc, c, 0, d); break;
		case EL_POLYGON:
			rc = node_text(c, 0, &ar->polygon[ar->npolygon++], d);
			break;
		case EL_CIRCLE:
			rc = node_text(c, 0, &ar->circle[ar->ncircle++], d);
			break;
		case EL_GEOCODE:
			rc = node_value(c, cap_ns, &ar->geocode[ar->ngeocode++],
					d);
			break;
		case EL_ALTITUDE:
			rc = node_double(c, &ar->altitude, d);
			ar->has_altitude = true;
			break;
		case EL_CEILING:
			rc = node_double(c, &ar->ceiling, d);
			ar->has_ceiling = true;
			break;
		default: break;
		}
		if (rc)
			return rc;
	}
	return EB_OK;
}

static enum eb_err parse_info(const xmlNode *n, const xmlNs *cap_ns,
			      struct cap_info *in, struct eb_detail *d)
{
	size_t k[EL_COUNT];
	count_children(n, cap_ns, k);
	enum eb_err rc;
	if ((rc = alloc_array(k[EL_CATEGORY], sizeof(enum cap_category),
			      (void **)&in->category, &in->ncategory, d)) ||
	    (rc = alloc_array(k[EL_RESPONSE_TYPE],
			      sizeof(enum cap_response_type),
			      (void **)&in->responseType, &in->nresponseType,
			      d)) ||
	    (rc = alloc_array(k[EL_EVENT_CODE], sizeof(struct cap_value),
			      (void **)&in->eventCode, &in->neventCode, d)) ||
	    (rc = alloc_array(k[EL_PARAMETER], sizeof(struct cap_value),
			      (void **)&in->parameter, &in->nparameter, d)) ||
	    (rc = alloc_array(k[EL_RESOURCE], sizeof(struct cap_resource),
			      (void **)&in->resource, &in->nresource, d)) ||
	    (rc = alloc_array(k[EL_AREA], sizeof(struct cap_area),
			      (void **)&in->area, &in->narea, d)))
		return rc;

	for (const xmlNode *c = n->children; c; c = c->next) {
		int v = 0;
		switch (el_of(c, cap_ns)) {
		case EL_LANGUAGE: rc = set_text(&in->language, c, 1, d); break;
		case EL_CATEGORY:
			rc = node_enum(c, CAP_ENUM_CATEGORY, &v, d);
			in->category[in->ncategory++] = (enum cap_category)v;
			break;
		case EL_EVENT: rc = set_text(&in->event, c, 0, d); break;
		case EL_RESPONSE_TYPE:
			rc = node_enum(c, CAP_ENUM_RESPONSE_TYPE, &v, d);
			in->responseType[in->nresponseType++] =
				(enum cap_response_type)v;
			break;
		case EL_URGENCY:
			rc = node_enum(c, CAP_ENUM_URGENCY, &v, d);
			in->urgency = (enum cap_urgency)v;
			break;
		case EL_SEVERITY:
			rc = node_enum(c, CAP_ENUM_SEVERITY, &v, d);
			in->severity = (enum cap_severity)v;
			break;
		case EL_CERTAINTY:
			rc = node_enum(c, CAP_ENUM_CERTAINTY, &v, d);
			in->certainty = (enum cap_certainty)v;
			break;
		case EL_AUDIENCE: rc = set_text(&in->audience, c, 0, d); break;
		case EL_EVENT_CODE:
			rc = node_value(c, cap_ns,
					&in->eventCode[in->neventCode++], d);
			break;
		case EL_EFFECTIVE: rc = set_text(&in->effective, c, 1, d); break;
		case EL_ONSET: rc = set_text(&in->onset, c, 1, d); break;
		case EL_EXPIRES: rc = set_text(&in->expires, c, 1, d); break;
		case EL_SENDER_NAME:
			rc = set_text(&in->senderName, c, 0, d);
			break;
		case EL_HEADLINE: rc = set_text(&in->headline, c, 0, d); break;
		case EL_DESCRIPTION:
			rc = set_text(&in->description, c, 0, d);
			break;
		case EL_INSTRUCTION:
			rc = set_text(&in->instruction, c, 0, d);
			break;
		case EL_WEB: rc = set_text(&in->web, c, 1, d); break;
		case EL_CONTACT: rc = set_text(&in->contact, c, 0, d); break;
		case EL_PARAMETER:
			rc = node_value(c, cap_ns,
					&in->parameter[in->nparameter++], d);
			break;
		case EL_RESOURCE:
			rc = parse_resource(c, cap_ns,
					    &in->resource[in->nresource++], d);
			break;
		case EL_AREA:
			rc = parse_area(c, cap_ns, &in->area[in->narea++], d);
			break;
		default: break;
		}
		if (rc)
			return rc;
	}
	return EB_OK;
}

static enum eb_err parse_alert(const xmlNode *root, struct cap_alert *a,
			       struct eb_detail *d)
{
	const xmlNs *cap_ns = root->ns;
	if (!cap_ns || !xmlStrEqual(cap_ns->href, BAD_CAST CAP_NAMESPACE) ||
	    !xmlStrEqual(root->name, BAD_CAST "alert"))
		return xml_fail(d, EB_EINVAL, root,
				"the root element must be alert in namespace "
				"%s",
				CAP_NAMESPACE);
	size_t k[EL_COUNT];
	count_children(root, cap_ns, k);
	enum eb_err rc;
	if ((rc = alloc_array(k[EL_CODE], sizeof(char *), (void **)&a->code,
			      &a->ncode, d)) ||
	    (rc = alloc_array(k[EL_INFO], sizeof(struct cap_info),
			      (void **)&a->info, &a->ninfo, d)))
		return rc;

	for (const xmlNode *c = root->children; c; c = c->next) {
		int v = 0;
		switch (el_of(c, cap_ns)) { /* ds:Signature is EL_OTHER */
		case EL_IDENTIFIER:
			rc = set_text(&a->identifier, c, 0, d);
			break;
		case EL_SENDER: rc = set_text(&a->sender, c, 0, d); break;
		case EL_SENT: rc = set_text(&a->sent, c, 1, d); break;
		case EL_STATUS:
			rc = node_enum(c, CAP_ENUM_STATUS, &v, d);
			a->status = (enum cap_status)v;
			break;
		case EL_MSG_TYPE:
			rc = node_enum(c, CAP_ENUM_MSG_TYPE, &v, d);
			a->msgType = (enum cap_msg_type)v;
			break;
		case EL_SOURCE: rc = set_text(&a->source, c, 0, d); break;
		case EL_SCOPE:
			rc = node_enum(c, CAP_ENUM_SCOPE, &v, d);
			a->scope = (enum cap_scope)v;
			break;
		case EL_RESTRICTION:
			rc = set_text(&a->restriction, c, 0, d);
			break;
		case EL_ADDRESSES: rc = set_text(&a->addresses, c, 0, d); break;
		case EL_CODE:
			rc = node_text(c, 0, &a->code[a->ncode++], d);
			break;
		case EL_NOTE: rc = set_text(&a->note, c, 0, d); break;
		case EL_REFERENCES:
			rc = set_text(&a->references, c, 0, d);
			break;
		case EL_INCIDENTS: rc = set_text(&a->incidents, c, 0, d); break;
		case EL_INFO:
			rc = parse_info(c, cap_ns, &a->info[a->ninfo++], d);
			break;
		default: break;
		}
		if (rc)
			return rc;
	}
	return EB_OK;
}

enum eb_err cap_parse(const char *xml, size_t len, struct cap_alert **out,
		      struct eb_detail *d)
{
	if (!out)
		return eb_fail(d, EB_EINVAL, "", "no output alert");
	*out = NULL;

	xmlDocPtr doc = NULL;
	enum eb_err rc = xml_safe_parse(xml, len, NULL, &doc, d);
	if (rc)
		return rc;
	struct cap_alert *a = NULL;
	const struct xml_safe_schema *schema = NULL;
	if ((rc = schema_get(&schema, d)))
		goto out;
	if ((rc = xml_safe_schema_validate(schema, doc, d)))
		goto out;
	if (!(a = cap_alert_new())) {
		rc = eb_fail(d, EB_ENOMEM, "", "out of memory");
		goto out;
	}
	if ((rc = parse_alert(xmlDocGetRootElement(doc), a, d)))
		goto out;
	/* Holds for every schema-valid document but one the schema and
	 * libxml2 let through with an impossible value (say a language tag of
	 * ""): then the alert could not be written back, so refuse it here. */
	rc = cap_check(a, d);
out:
	xml_safe_doc_free(doc);
	if (rc) {
		cap_alert_free(a);
		return rc;
	}
	*out = a;
	return EB_OK;
}

/* ---- model check -------------------------------------------------------- */

#define PTR_MAX 96

_Static_assert(sizeof(enum cap_category) == sizeof(int) &&
		       sizeof(enum cap_response_type) == sizeof(int),
	       "enum arrays are handled as int arrays");

/* Optional (or required) free text. */
static enum eb_err chk_text(const char *s, int required, const char *base,
			    const char *key, struct eb_detail *d)
{
	char p[PTR_MAX];
	if (!s) {
		if (!required)
			return EB_OK;
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, key),
			       "%s is required", key);
	}
	if (!xml_safe_text_valid(s))
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, key),
			       "%s is not valid UTF-8 or contains a control "
			       "character XML does not allow",
			       key);
	return EB_OK;
}

static enum eb_err chk_text_at(const char *s, const char *ptr,
			       const char *what, struct eb_detail *d)
{
	if (!s)
		return eb_fail(d, EB_EINVAL, ptr, "%s is required", what);
	if (!xml_safe_text_valid(s))
		return eb_fail(d, EB_EINVAL, ptr,
			       "%s is not valid UTF-8 or contains a control "
			       "character XML does not allow",
			       what);
	return EB_OK;
}

static enum eb_err chk_time(const char *s, int required, const char *base,
			    const char *key, struct eb_detail *d)
{
	enum eb_err rc = chk_text(s, required, base, key, d);
	if (rc || !s)
		return rc;
	if (!cap_datetime_valid(s)) {
		char p[PTR_MAX], ex[48];
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, key),
			       "%s '%s' is not a CAP date-time: write "
			       "YYYY-MM-DDThh:mm:ss with a numeric offset such "
			       "as +08:00 (CAP does not allow Z)",
			       key, xml_safe_excerpt(s, ex, sizeof ex));
	}
	return EB_OK;
}

static enum eb_err chk_uri(const char *s, const char *base, const char *key,
			   struct eb_detail *d)
{
	enum eb_err rc = chk_text(s, 0, base, key, d);
	if (rc || !s)
		return rc;
	if (!is_collapsed(s) || !xsd_type_valid("anyURI", s)) {
		char p[PTR_MAX], ex[64];
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, key),
			       "%s '%s' is not a URI", key,
			       xml_safe_excerpt(s, ex, sizeof ex));
	}
	return EB_OK;
}

static enum eb_err chk_enum(int v, enum cap_enum list, const char *ptr,
			    const char *what, struct eb_detail *d)
{
	if (cap_enum_name(list, v))
		return EB_OK;
	char names[160];
	enum_list_text(list, names, sizeof names);
	if (v == 0)
		return eb_fail(d, EB_EINVAL, ptr, "%s is required: one of %s",
			       what, names);
	return eb_fail(d, EB_EINVAL, ptr, "%s must be one of %s", what, names);
}

static enum eb_err chk_values(const struct cap_value *v, size_t n,
			      const char *base, const char *key,
			      struct eb_detail *d)
{
	char p[PTR_MAX], q[PTR_MAX];
	if (n && !v)
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, key),
			       "%s has a count but no entries", key);
	for (size_t i = 0; i < n; i++) {
		ptr_idx(p, sizeof p, base, key, i);
		enum eb_err rc;
		if ((rc = chk_text_at(v[i].valueName,
				      ptr_key(q, sizeof q, p, "valueName"),
				      "valueName", d)) ||
		    (rc = chk_text_at(v[i].value, ptr_key(q, sizeof q, p, "value"),
				      "value", d)))
			return rc;
	}
	return EB_OK;
}

static enum eb_err chk_strv(char *const *v, size_t n, const char *base,
			    const char *key, struct eb_detail *d)
{
	char p[PTR_MAX];
	if (n && !v)
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, key),
			       "%s has a count but no entries", key);
	for (size_t i = 0; i < n; i++) {
		enum eb_err rc = chk_text_at(v[i], ptr_idx(p, sizeof p, base, key, i),
					     key, d);
		if (rc)
			return rc;
	}
	return EB_OK;
}

static enum eb_err chk_area(const struct cap_area *ar, const char *base,
			    struct eb_detail *d)
{
	enum eb_err rc;
	char p[PTR_MAX];
	if ((rc = chk_text(ar->areaDesc, 1, base, "areaDesc", d)) ||
	    (rc = chk_strv(ar->polygon, ar->npolygon, base, "polygon", d)) ||
	    (rc = chk_strv(ar->circle, ar->ncircle, base, "circle", d)) ||
	    (rc = chk_values(ar->geocode, ar->ngeocode, base, "geocode", d)))
		return rc;
	if (ar->has_altitude && !isfinite(ar->altitude))
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, "altitude"),
			       "altitude must be a finite number");
	if (ar->has_ceiling && !isfinite(ar->ceiling))
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, "ceiling"),
			       "ceiling must be a finite number");
	return EB_OK;
}

static enum eb_err chk_resource(const struct cap_resource *r, const char *base,
				struct eb_detail *d)
{
	enum eb_err rc;
	if ((rc = chk_text(r->resourceDesc, 1, base, "resourceDesc", d)) ||
	    (rc = chk_text(r->mimeType, 1, base, "mimeType", d)) ||
	    (rc = chk_uri(r->uri, base, "uri", d)) ||
	    (rc = chk_text(r->derefUri, 0, base, "derefUri", d)) ||
	    (rc = chk_text(r->digest, 0, base, "digest", d)))
		return rc;
	return EB_OK;
}

static enum eb_err chk_info(const struct cap_info *in, const char *base,
			    struct eb_detail *d)
{
	enum eb_err rc;
	char p[PTR_MAX];
	if ((rc = chk_text(in->language, 0, base, "language", d)))
		return rc;
	if (in->language &&
	    (!is_collapsed(in->language) || !in->language[0] ||
	     !xsd_type_valid("language", in->language))) {
		char ex[48];
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, "language"),
			       "language '%s' is not a language tag such as "
			       "en-US or zh-CN",
			       xml_safe_excerpt(in->language, ex, sizeof ex));
	}
	if (!in->ncategory || !in->category)
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, "category"),
			       "category is required: at least one");
	for (size_t i = 0; i < in->ncategory; i++)
		if ((rc = chk_enum((int)in->category[i], CAP_ENUM_CATEGORY,
				   ptr_idx(p, sizeof p, base, "category", i),
				   "category", d)))
			return rc;
	if ((rc = chk_text(in->event, 1, base, "event", d)))
		return rc;
	if (in->nresponseType && !in->responseType)
		return eb_fail(d, EB_EINVAL,
			       ptr_key(p, sizeof p, base, "responseType"),
			       "responseType has a count but no entries");
	for (size_t i = 0; i < in->nresponseType; i++)
		if ((rc = chk_enum((int)in->responseType[i],
				   CAP_ENUM_RESPONSE_TYPE,
				   ptr_idx(p, sizeof p, base, "responseType", i),
				   "responseType", d)))
			return rc;
	if ((rc = chk_enum((int)in->urgency, CAP_ENUM_URGENCY,
			   ptr_key(p, sizeof p, base, "urgency"), "urgency", d)) ||
	    (rc = chk_enum((int)in->severity, CAP_ENUM_SEVERITY,
			   ptr_key(p, sizeof p, base, "severity"), "severity",
			   d)) ||
	    (rc = chk_enum((int)in->certainty, CAP_ENUM_CERTAINTY,
			   ptr_key(p, sizeof p, base, "certainty"), "certainty",
			   d)) ||
	    (rc = chk_text(in->audience, 0, base, "audience", d)) ||
	    (rc = chk_values(in->eventCode, in->neventCode, base, "eventCode",
			     d)) ||
	    (rc = chk_time(in->effective, 0, base, "effective", d)) ||
	    (rc = chk_time(in->onset, 0, base, "onset", d)) ||
	    (rc = chk_time(in->expires, 0, base, "expires", d)) ||
	    (rc = chk_text(in->senderName, 0, base, "senderName", d)) ||
	    (rc = chk_text(in->headline, 0, base, "headline", d)) ||
	    (rc = chk_text(in->description, 0, base, "description", d)) ||
	    (rc = chk_text(in->instruction, 0, base, "instruction", d)) ||
	    (rc = chk_uri(in->web, base, "web", d)) ||
	    (rc = chk_text(in->contact, 0, base, "contact", d)) ||
	    (rc = chk_values(in->parameter, in->nparameter, base, "parameter",
			     d)))
		return rc;
	if (in->nresource && !in->resource)
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, "resource"),
			       "resource has a count but no entries");
	for (size_t i = 0; i < in->nresource; i++)
		if ((rc = chk_resource(&in->resource[i],
				       ptr_idx(p, sizeof p, base, "resource", i),
				       d)))
			return rc;
	if (in->narea && !in->area)
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, "area"),
			       "area has a count but no entries");
	for (size_t i = 0; i < in->narea; i++)
		if ((rc = chk_area(&in->area[i],
				   ptr_idx(p, sizeof p, base, "area", i), d)))
			return rc;
	return EB_OK;
}

enum eb_err cap_check(const struct cap_alert *a, struct eb_detail *d)
{
	if (!a)
		return eb_fail(d, EB_EINVAL, "", "no alert");
	enum eb_err rc;
	if ((rc = chk_text(a->identifier, 1, "", "identifier", d)) ||
	    (rc = chk_text(a->sender, 1, "", "sender", d)) ||
	    (rc = chk_time(a->sent, 1, "", "sent", d)) ||
	    (rc = chk_enum((int)a->status, CAP_ENUM_STATUS, "/status", "status",
			   d)) ||
	    (rc = chk_enum((int)a->msgType, CAP_ENUM_MSG_TYPE, "/msgType",
			   "msgType", d)) ||
	    (rc = chk_text(a->source, 0, "", "source", d)) ||
	    (rc = chk_enum((int)a->scope, CAP_ENUM_SCOPE, "/scope", "scope",
			   d)) ||
	    (rc = chk_text(a->restriction, 0, "", "restriction", d)) ||
	    (rc = chk_text(a->addresses, 0, "", "addresses", d)) ||
	    (rc = chk_strv(a->code, a->ncode, "", "code", d)) ||
	    (rc = chk_text(a->note, 0, "", "note", d)) ||
	    (rc = chk_text(a->references, 0, "", "references", d)) ||
	    (rc = chk_text(a->incidents, 0, "", "incidents", d)))
		return rc;
	if (a->ninfo && !a->info)
		return eb_fail(d, EB_EINVAL, "/info",
			       "info has a count but no entries");
	for (size_t i = 0; i < a->ninfo; i++) {
		char p[PTR_MAX];
		if ((rc = chk_info(&a->info[i],
				   ptr_idx(p, sizeof p, "", "info", i), d)))
			return rc;
	}
	return EB_OK;
}

/* ---- model -> XML --------------------------------------------------------- */

/* Every text goes through xmlTextWriterWriteElement, which escapes it. */
static int w_el(xmlTextWriterPtr w, const char *name, const char *text)
{
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text) < 0
		       ? -1
		       : 0;
}

static int w_opt(xmlTextWriterPtr w, const char *name, const char *text)
{
	return text ? w_el(w, name, text) : 0;
}

static int w_enum(xmlTextWriterPtr w, const char *name, enum cap_enum list,
		  int v)
{
	return w_el(w, name, cap_enum_name(list, v));
}

static int w_values(xmlTextWriterPtr w, const char *name,
		    const struct cap_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (xmlTextWriterStartElement(w, BAD_CAST name) < 0 ||
		    w_el(w, "valueName", v[i].valueName) ||
		    w_el(w, "value", v[i].value) ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	return 0;
}

static int w_decimal(xmlTextWriterPtr w, const char *name, double v)
{
	char buf[400];
	decimal_format(v, buf, sizeof buf);
	return w_el(w, name, buf);
}

static int w_area(xmlTextWriterPtr w, const struct cap_area *ar)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "area") < 0 ||
	    w_el(w, "areaDesc", ar->areaDesc))
		return -1;
	for (size_t i = 0; i < ar->npolygon; i++)
		if (w_el(w, "polygon", ar->polygon[i]))
			return -1;
	for (size_t i = 0; i < ar->ncircle; i++)
		if (w_el(w, "circle", ar->circle[i]))
			return -1;
	if (w_values(w, "geocode", ar->geocode, ar->ngeocode))
		return -1;
	if (ar->has_altitude && w_decimal(w, "altitude", ar->altitude))
		return -1;
	if (ar->has_ceiling && w_decimal(w, "ceiling", ar->ceiling))
		return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int w_resource(xmlTextWriterPtr w, const struct cap_resource *r)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "resource") < 0 ||
	    w_el(w, "resourceDesc", r->resourceDesc) ||
	    w_el(w, "mimeType", r->mimeType))
		return -1;
	if (r->has_size) {
		char buf[32];
		snprintf(buf, sizeof buf, "%lld", r->size);
		if (w_el(w, "size", buf))
			return -1;
	}
	if (w_opt(w, "uri", r->uri) || w_opt(w, "derefUri", r->derefUri) ||
	    w_opt(w, "digest", r->digest))
		return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int w_info(xmlTextWriterPtr w, const struct cap_info *in)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "info") < 0 ||
	    w_opt(w, "language", in->language))
		return -1;
	for (size_t i = 0; i < in->ncategory; i++)
		if (w_enum(w, "category", CAP_ENUM_CATEGORY,
			   (int)in->category[i]))
			return -1;
	if (w_el(w, "event", in->event))
		return -1;
	for (size_t i = 0; i < in->nresponseType; i++)
		if (w_enum(w, "responseType", CAP_ENUM_RESPONSE_TYPE,
			   (int)in->responseType[i]))
			return -1;
	if (w_enum(w, "urgency", CAP_ENUM_URGENCY, (int)in->urgency) ||
	    w_enum(w, "severity", CAP_ENUM_SEVERITY, (int)in->severity) ||
	    w_enum(w, "certainty", CAP_ENUM_CERTAINTY, (int)in->certainty) ||
	    w_opt(w, "audience", in->audience) ||
	    w_values(w, "eventCode", in->eventCode, in->neventCode) ||
	    w_opt(w, "effective", in->effective) ||
	    w_opt(w, "onset", in->onset) || w_opt(w, "expires", in->expires) ||
	    w_opt(w, "senderName", in->senderName) ||
	    w_opt(w, "headline", in->headline) ||
	    w_opt(w, "description", in->description) ||
	    w_opt(w, "instruction", in->instruction) ||
	    w_opt(w, "web", in->web) || w_opt(w, "contact", in->contact) ||
	    w_values(w, "parameter", in->parameter, in->nparameter))
		return -1;
	for (size_t i = 0; i < in->nresource; i++)
		if (w_resource(w, &in->resource[i]))
			return -1;
	for (size_t i = 0; i < in->narea; i++)
		if (w_area(w, &in->area[i]))
			return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

enum eb_err cap_write_element(const struct cap_alert *a,
			      struct _xmlTextWriter *w, struct eb_detail *d)
{
	enum eb_err rc = cap_check(a, d);
	if (rc)
		return rc;
	if (!w)
		return eb_fail(d, EB_EINVAL, "", "no XML writer");
	if (xmlTextWriterStartElementNS(w, NULL, BAD_CAST "alert",
					BAD_CAST CAP_NAMESPACE) < 0 ||
	    w_el(w, "identifier", a->identifier) ||
	    w_el(w, "sender", a->sender) || w_el(w, "sent", a->sent) ||
	    w_enum(w, "status", CAP_ENUM_STATUS, (int)a->status) ||
	    w_enum(w, "msgType", CAP_ENUM_MSG_TYPE, (int)a->msgType) ||
	    w_opt(w, "source", a->source) ||
	    w_enum(w, "scope", CAP_ENUM_SCOPE, (int)a->scope) ||
	    w_opt(w, "restriction", a->restriction) ||
	    w_opt(w, "addresses", a->addresses))
		goto fail;
	for (size_t i = 0; i < a->ncode; i++)
		if (w_el(w, "code", a->code[i]))
			goto fail;
	if (w_opt(w, "note", a->note) ||
	    w_opt(w, "references", a->references) ||
	    w_opt(w, "incidents", a->incidents))
		goto fail;
	for (size_t i = 0; i < a->ninfo; i++)
		if (w_info(w, &a->info[i]))
			goto fail;
	if (xmlTextWriterEndElement(w) < 0)
		goto fail;
	return EB_OK;
fail:
	return eb_fail(d, EB_ENOMEM, "", "writing CAP XML failed (out of memory)");
}

enum eb_err cap_write(const struct cap_alert *a, struct eb_buf *out)
{
	if (!a || !out)
		return EB_EINVAL;
	enum eb_err rc = cap_check(a, NULL);
	if (rc)
		return rc;
	xml_safe_init();
	xmlBufferPtr xb = xmlBufferCreate();
	if (!xb)
		return EB_ENOMEM;
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	if (!w) {
		xmlBufferFree(xb);
		return EB_ENOMEM;
	}
	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0)
		rc = EB_ENOMEM;
	if (!rc)
		rc = cap_write_element(a, w, NULL);
	if (!rc && xmlTextWriterEndDocument(w) < 0)
		rc = EB_ENOMEM;
	xmlFreeTextWriter(w); /* flushes into xb */
	if (!rc)
		rc = eb_buf_add(out, xmlBufferContent(xb),
				(size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
	return rc;
}

/* ---- model -> JSON -------------------------------------------------------- */

static int js_str(json_t *o, const char *k, const char *v)
{
	if (!v)
		return 0;
	json_t *s = json_string(v);
	return s ? json_object_set_new(o, k, s) : -1;
}

static int js_enum(json_t *o, const char *k, enum cap_enum list, int v)
{
	const char *name = cap_enum_name(list, v);
	return name ? js_str(o, k, name) : 0;
}

static int js_strv(json_t *o, const char *k, char *const *v, size_t n)
{
	if (!n)
		return 0;
	json_t *arr = json_array();
	if (!arr)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *s = v[i] ? json_string(v[i]) : json_null();
		if (!s || json_array_append_new(arr, s)) {
			json_decref(arr);
			return -1;
		}
	}
	return json_object_set_new(o, k, arr);
}

static int js_enumv(json_t *o, const char *k, enum cap_enum list,
		    const int *v, size_t n)
{
	if (!n)
		return 0;
	json_t *arr = json_array();
	if (!arr)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *name = cap_enum_name(list, v[i]);
		json_t *s = name ? json_string(name) : json_null();
		if (!s || json_array_append_new(arr, s)) {
			json_decref(arr);
			return -1;
		}
	}
	return json_object_set_new(o, k, arr);
}

static int js_values(json_t *o, const char *k, const struct cap_value *v,
		     size_t n)
{
	if (!n)
		return 0;
	json_t *arr = json_array();
	if (!arr)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object();
		if (!e || json_array_append_new(arr, e) ||
		    js_str(e, "valueName", v[i].valueName) ||
		    js_str(e, "value", v[i].value)) {
			json_decref(arr);
			return -1;
		}
	}
	return json_object_set_new(o, k, arr);
}

/* Appends a new object to array *arr (created on first use under key k of
 * o); returns it or NULL. */
static json_t *js_push_obj(json_t *o, const char *k, json_t **arr)
{
	if (!*arr) {
		*arr = json_array();
		if (!*arr || json_object_set_new(o, k, *arr)) {
			*arr = NULL;
			return NULL;
		}
	}
	json_t *e = json_object();
	if (!e || json_array_append_new(*arr, e))
		return NULL;
	return e;
}

static int js_area(json_t *e, const struct cap_area *ar)
{
	if (js_str(e, "areaDesc", ar->areaDesc) ||
	    js_strv(e, "polygon", ar->polygon, ar->npolygon) ||
	    js_strv(e, "circle", ar->circle, ar->ncircle) ||
	    js_values(e, "geocode", ar->geocode, ar->ngeocode))
		return -1;
	if (ar->has_altitude &&
	    json_object_set_new(e, "altitude", json_real(ar->altitude)))
		return -1;
	if (ar->has_ceiling &&
	    json_object_set_new(e, "ceiling", json_real(ar->ceiling)))
		return -1;
	return 0;
}

static int js_resource(json_t *e, const struct cap_resource *r)
{
	if (js_str(e, "resourceDesc", r->resourceDesc) ||
	    js_str(e, "mimeType", r->mimeType))
		return -1;
	if (r->has_size &&
	    json_object_set_new(e, "size", json_integer((json_int_t)r->size)))
		return -1;
	return js_str(e, "uri", r->uri) || js_str(e, "derefUri", r->derefUri) ||
			       js_str(e, "digest", r->digest)
		       ? -1
		       : 0;
}

static int js_info(json_t *e, const struct cap_info *in)
{
	if (js_str(e, "language", in->language) ||
	    js_enumv(e, "category", CAP_ENUM_CATEGORY, (const int *)in->category,
		     in->ncategory) ||
	    js_str(e, "event", in->event) ||
	    js_enumv(e, "responseType", CAP_ENUM_RESPONSE_TYPE,
		     (const int *)in->responseType, in->nresponseType) ||
	    js_enum(e, "urgency", CAP_ENUM_URGENCY, (int)in->urgency) ||
	    js_enum(e, "severity", CAP_ENUM_SEVERITY, (int)in->severity) ||
	    js_enum(e, "certainty", CAP_ENUM_CERTAINTY, (int)in->certainty) ||
	    js_str(e, "audience", in->audience) ||
	    js_values(e, "eventCode", in->eventCode, in->neventCode) ||
	    js_str(e, "effective", in->effective) ||
	    js_str(e, "onset", in->onset) || js_str(e, "expires", in->expires) ||
	    js_str(e, "senderName", in->senderName) ||
	    js_str(e, "headline", in->headline) ||
	    js_str(e, "description", in->description) ||
	    js_str(e, "instruction", in->instruction) ||
	    js_str(e, "web", in->web) || js_str(e, "contact", in->contact) ||
	    js_values(e, "parameter", in->parameter, in->nparameter))
		return -1;
	json_t *arr = NULL;
	for (size_t i = 0; i < in->nresource; i++) {
		json_t *r = js_push_obj(e, "resource", &arr);
		if (!r || js_resource(r, &in->resource[i]))
			return -1;
	}
	arr = NULL;
	for (size_t i = 0; i < in->narea; i++) {
		json_t *r = js_push_obj(e, "area", &arr);
		if (!r || js_area(r, &in->area[i]))
			return -1;
	}
	return 0;
}

json_t *cap_to_json(const struct cap_alert *a)
{
	if (!a)
		return NULL;
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (js_str(o, "identifier", a->identifier) ||
	    js_str(o, "sender", a->sender) || js_str(o, "sent", a->sent) ||
	    js_enum(o, "status", CAP_ENUM_STATUS, (int)a->status) ||
	    js_enum(o, "msgType", CAP_ENUM_MSG_TYPE, (int)a->msgType) ||
	    js_str(o, "source", a->source) ||
	    js_enum(o, "scope", CAP_ENUM_SCOPE, (int)a->scope) ||
	    js_str(o, "restriction", a->restriction) ||
	    js_str(o, "addresses", a->addresses) ||
	    js_strv(o, "code", a->code, a->ncode) ||
	    js_str(o, "note", a->note) ||
	    js_str(o, "references", a->references) ||
	    js_str(o, "incidents", a->incidents))
		goto fail;
	json_t *arr = NULL;
	for (size_t i = 0; i < a->ninfo; i++) {
		json_t *e = js_push_obj(o, "info", &arr);
		if (!e || js_info(e, &a->info[i]))
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* ---- JSON -> model -------------------------------------------------------- */

/* Rejects keys of object o not in allowed (NULL-terminated). */
static enum eb_err jr_keys(json_t *o, const char *const *allowed,
			   const char *base, struct eb_detail *d)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		int ok = 0;
		for (const char *const *k = allowed; *k; k++)
			if (strcmp(*k, key) == 0)
				ok = 1;
		if (!ok) {
			char p[PTR_MAX], ex[64];
			return eb_fail(d, EB_EINVAL,
				       ptr_key(p, sizeof p, base, key),
				       "unknown field '%s'",
				       xml_safe_excerpt(key, ex, sizeof ex));
		}
	}
	return EB_OK;
}

static enum eb_err jr_object(json_t *v, const char *ptr, const char *what,
			     struct eb_detail *d)
{
	if (!json_is_object(v))
		return eb_fail(d, EB_EINVAL, ptr, "%s must be an object", what);
	return EB_OK;
}

/* A string value at ptr (new copy into *dst); NUL bytes refused. */
static enum eb_err jr_string_at(json_t *v, const char *ptr, const char *what,
				char **dst, struct eb_detail *d)
{
	if (!json_is_string(v))
		return eb_fail(d, EB_EINVAL, ptr, "%s must be a string", what);
	const char *s = json_string_value(v);
	if (json_string_length(v) != strlen(s))
		return eb_fail(d, EB_EINVAL, ptr, "%s contains a NUL character",
			       what);
	free(*dst);
	*dst = str_dup(s);
	return *dst ? EB_OK : eb_fail(d, EB_ENOMEM, ptr, "out of memory");
}

/* Optional string member key of o; absent or null leaves *dst NULL. */
static enum eb_err jr_str(json_t *o, const char *key, const char *base,
			  char **dst, struct eb_detail *d)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return EB_OK;
	char p[PTR_MAX];
	return jr_string_at(v, ptr_key(p, sizeof p, base, key), key, dst, d);
}

static enum eb_err jr_enum_at(json_t *v, const char *ptr, const char *what,
			      enum cap_enum list, int *dst,
			      struct eb_detail *d)
{
	char names[160];
	if (!json_is_string(v))
		return eb_fail(d, EB_EINVAL, ptr, "%s must be a string: one of %s",
			       what, enum_list_text(list, names, sizeof names));
	int e = cap_enum_parse(list, json_string_value(v));
	if (!e) {
		char ex[48];
		return eb_fail(d, EB_EINVAL, ptr, "%s '%s' is not one of %s",
			       what,
			       xml_safe_excerpt(json_string_value(v), ex,
						sizeof ex),
			       enum_list_text(list, names, sizeof names));
	}
	*dst = e;
	return EB_OK;
}

static enum eb_err jr_enum(json_t *o, const char *key, const char *base,
			   enum cap_enum list, int *dst, struct eb_detail *d)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return EB_OK; /* cap_check reports required ones */
	char p[PTR_MAX];
	return jr_enum_at(v, ptr_key(p, sizeof p, base, key), key, list, dst, d);
}

/* Optional array member: *arr gets n zeroed elements of size bytes. */
static enum eb_err jr_array(json_t *o, const char *key, const char *base,
			    size_t size, json_t **jarr, void **arr, size_t *n,
			    struct eb_detail *d)
{
	*jarr = json_object_get(o, key);
	*n = 0;
	if (!*jarr || json_is_null(*jarr)) {
		*jarr = NULL;
		return EB_OK;
	}
	char p[PTR_MAX];
	if (!json_is_array(*jarr))
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, key),
			       "%s must be an array", key);
	size_t k = json_array_size(*jarr);
	if (!k)
		return EB_OK;
	*arr = calloc(k, size);
	if (!*arr)
		return eb_fail(d, EB_ENOMEM, "", "out of memory");
	return EB_OK;
}

static enum eb_err jr_strv(json_t *o, const char *key, const char *base,
			   char ***dst, size_t *n, struct eb_detail *d)
{
	json_t *arr;
	enum eb_err rc =
		jr_array(o, key, base, sizeof(char *), &arr, (void **)dst, n, d);
	if (rc || !arr)
		return rc;
	char p[PTR_MAX];
	for (size_t i = 0; i < json_array_size(arr); i++) {
		rc = jr_string_at(json_array_get(arr, i),
				  ptr_idx(p, sizeof p, base, key, i), key,
				  &(*dst)[i], d);
		if (rc)
			return rc;
		(*n)++;
	}
	return EB_OK;
}

static enum eb_err jr_enumv(json_t *o, const char *key, const char *base,
			    enum cap_enum list, int **dst, size_t *n,
			    struct eb_detail *d)
{
	json_t *arr;
	enum eb_err rc =
		jr_array(o, key, base, sizeof(int), &arr, (void **)dst, n, d);
	if (rc || !arr)
		return rc;
	char p[PTR_MAX];
	for (size_t i = 0; i < json_array_size(arr); i++) {
		rc = jr_enum_at(json_array_get(arr, i),
				ptr_idx(p, sizeof p, base, key, i), key, list,
				&(*dst)[i], d);
		if (rc)
			return rc;
		(*n)++;
	}
	return EB_OK;
}

static enum eb_err jr_values(json_t *o, const char *key, const char *base,
			     struct cap_value **dst, size_t *n,
			     struct eb_detail *d)
{
	static const char *const keys[] = {"valueName", "value", NULL};
	json_t *arr;
	enum eb_err rc = jr_array(o, key, base, sizeof(struct cap_value), &arr,
				  (void **)dst, n, d);
	if (rc || !arr)
		return rc;
	char p[PTR_MAX];
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		ptr_idx(p, sizeof p, base, key, i);
		struct cap_value *v = &(*dst)[i];
		(*n)++;
		if ((rc = jr_object(e, p, key, d)) ||
		    (rc = jr_keys(e, keys, p, d)) ||
		    (rc = jr_str(e, "valueName", p, &v->valueName, d)) ||
		    (rc = jr_str(e, "value", p, &v->value, d)))
			return rc;
	}
	return EB_OK;
}

static enum eb_err jr_number(json_t *o, const char *key, const char *base,
			     bool *has, double *dst, struct eb_detail *d)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return EB_OK;
	if (!json_is_number(v)) {
		char p[PTR_MAX];
		return eb_fail(d, EB_EINVAL, ptr_key(p, sizeof p, base, key),
			       "%s must be a number", key);
	}
	*has = true;
	*dst = json_number_value(v);
	return EB_OK;
}

static enum eb_err jr_area(json_t *e, const char *base, struct cap_area *ar,
			   struct eb_detail *d)
{
	static const char *const keys[] = {"areaDesc", "polygon",  "circle",
					   "geocode",  "altitude", "ceiling",
					   NULL};
	enum eb_err rc;
	if ((rc = jr_object(e, base, "area", d)) ||
	    (rc = jr_keys(e, keys, base, d)) ||
	    (rc = jr_str(e, "areaDesc", base, &ar->areaDesc, d)) ||
	    (rc = jr_strv(e, "polygon", base, &ar->polygon, &ar->npolygon, d)) ||
	    (rc = jr_strv(e, "circle", base, &ar->circle, &ar->ncircle, d)) ||
	    (rc = jr_values(e, "geocode", base, &ar->geocode, &ar->ngeocode,
			    d)) ||
	    (rc = jr_number(e, "altitude", base, &ar->has_altitude,
			    &ar->altitude, d)) ||
	    (rc = jr_number(e, "ceiling", base, &ar->has_ceiling, &ar->ceiling,
			    d)))
		return rc;
	return EB_OK;
}

static enum eb_err jr_resource(json_t *e, const char *base,
			       struct cap_resource *r, struct eb_detail *d)
{
	static const char *const keys[] = {"resourceDesc", "mimeType", "size",
					   "uri", "derefUri", "digest", NULL};
	enum eb_err rc;
	if ((rc = jr_object(e, base, "resource", d)) ||
	    (rc = jr_keys(e, keys, base, d)) ||
	    (rc = jr_str(e, "resourceDesc", base, &r->resourceDesc, d)) ||
	    (rc = jr_str(e, "mimeType", base, &r->mimeType, d)) ||
	    (rc = jr_str(e, "uri", base, &r->uri, d)) ||
	    (rc = jr_str(e, "derefUri", base, &r->derefUri, d)) ||
	    (rc = jr_str(e, "digest", base, &r->digest, d)))
		return rc;
	json_t *v = json_object_get(e, "size");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v)) {
			char p[PTR_MAX];
			return eb_fail(d, EB_EINVAL,
				       ptr_key(p, sizeof p, base, "size"),
				       "size must be an integer (bytes)");
		}
		r->has_size = true;
		r->size = (long long)json_integer_value(v);
	}
	return EB_OK;
}

static enum eb_err jr_info(json_t *e, const char *base, struct cap_info *in,
			   struct eb_detail *d)
{
	static const char *const keys[] = {
		"language",    "category",   "event",	    "responseType",
		"urgency",     "severity",   "certainty",   "audience",
		"eventCode",   "effective",  "onset",	    "expires",
		"senderName",  "headline",   "description", "instruction",
		"web",	       "contact",    "parameter",   "resource",
		"area",	       NULL};
	enum eb_err rc;
	int v;
	if ((rc = jr_object(e, base, "info", d)) ||
	    (rc = jr_keys(e, keys, base, d)) ||
	    (rc = jr_str(e, "language", base, &in->language, d)) ||
	    (rc = jr_enumv(e, "category", base, CAP_ENUM_CATEGORY,
			   (int **)&in->category, &in->ncategory, d)) ||
	    (rc = jr_str(e, "event", base, &in->event, d)) ||
	    (rc = jr_enumv(e, "responseType", base, CAP_ENUM_RESPONSE_TYPE,
			   (int **)&in->responseType, &in->nresponseType, d)))
		return rc;
	v = 0;
	if ((rc = jr_enum(e, "urgency", base, CAP_ENUM_URGENCY, &v, d)))
		return rc;
	in->urgency = (enum cap_urgency)v;
	v = 0;
	if ((rc = jr_enum(e, "severity", base, CAP_ENUM_SEVERITY, &v, d)))
		return rc;
	in->severity = (enum cap_severity)v;
	v = 0;
	if ((rc = jr_enum(e, "certainty", base, CAP_ENUM_CERTAINTY, &v, d)))
		return rc;
	in->certainty = (enum cap_certainty)v;
	if ((rc = jr_str(e, "audience", base, &in->audience, d)) ||
	    (rc = jr_values(e, "eventCode", base, &in->eventCode,
			    &in->neventCode, d)) ||
	    (rc = jr_str(e, "effective", base, &in->effective, d)) ||
	    (rc = jr_str(e, "onset", base, &in->onset, d)) ||
	    (rc = jr_str(e, "expires", base, &in->expires, d)) ||
	    (rc = jr_str(e, "senderName", base, &in->senderName, d)) ||
	    (rc = jr_str(e, "headline", base, &in->headline, d)) ||
	    (rc = jr_str(e, "description", base, &in->description, d)) ||
	    (rc = jr_str(e, "instruction", base, &in->instruction, d)) ||
	    (rc = jr_str(e, "web", base, &in->web, d)) ||
	    (rc = jr_str(e, "contact", base, &in->contact, d)) ||
	    (rc = jr_values(e, "parameter", base, &in->parameter,
			    &in->nparameter, d)))
		return rc;

	json_t *arr;
	if ((rc = jr_array(e, "resource", base, sizeof(struct cap_resource),
			   &arr, (void **)&in->resource, &in->nresource, d)))
		return rc;
	char p[PTR_MAX];
	for (size_t i = 0; arr && i < json_array_size(arr); i++) {
		in->nresource++;
		if ((rc = jr_resource(json_array_get(arr, i),
				      ptr_idx(p, sizeof p, base, "resource", i),
				      &in->resource[i], d)))
			return rc;
	}
	if ((rc = jr_array(e, "area", base, sizeof(struct cap_area), &arr,
			   (void **)&in->area, &in->narea, d)))
		return rc;
	for (size_t i = 0; arr && i < json_array_size(arr); i++) {
		in->narea++;
		if ((rc = jr_area(json_array_get(arr, i),
				  ptr_idx(p, sizeof p, base, "area", i),
				  &in->area[i], d)))
			return rc;
	}
	return EB_OK;
}

enum eb_err cap_from_json(json_t *j, struct cap_alert **out,
			  struct eb_detail *d)
{
	static const char *const keys[] = {
		"identifier", "sender",	     "sent",	   "status",
		"msgType",    "source",	     "scope",	   "restriction",
		"addresses",  "code",	     "note",	   "references",
		"incidents",  "info",	     NULL};
	if (!out)
		return eb_fail(d, EB_EINVAL, "", "no output alert");
	*out = NULL;
	enum eb_err rc;
	if ((rc = jr_object(j, "", "the alert", d)))
		return rc;
	struct cap_alert *a = cap_alert_new();
	if (!a)
		return eb_fail(d, EB_ENOMEM, "", "out of memory");
	int v;
	if ((rc = jr_keys(j, keys, "", d)) ||
	    (rc = jr_str(j, "identifier", "", &a->identifier, d)) ||
	    (rc = jr_str(j, "sender", "", &a->sender, d)) ||
	    (rc = jr_str(j, "sent", "", &a->sent, d)))
		goto fail;
	v = 0;
	if ((rc = jr_enum(j, "status", "", CAP_ENUM_STATUS, &v, d)))
		goto fail;
	a->status = (enum cap_status)v;
	v = 0;
	if ((rc = jr_enum(j, "msgType", "", CAP_ENUM_MSG_TYPE, &v, d)))
		goto fail;
	a->msgType = (enum cap_msg_type)v;
	v = 0;
	if ((rc = jr_enum(j, "scope", "", CAP_ENUM_SCOPE, &v, d)))
		goto fail;
	a->scope = (enum cap_scope)v;
	if ((rc = jr_str(j, "source", "", &a->source, d)) ||
	    (rc = jr_str(j, "restriction", "", &a->restriction, d)) ||
	    (rc = jr_str(j, "addresses", "", &a->addresses, d)) ||
	    (rc = jr_strv(j, "code", "", &a->code, &a->ncode, d)) ||
	    (rc = jr_str(j, "note", "", &a->note, d)) ||
	    (rc = jr_str(j, "references", "", &a->references, d)) ||
	    (rc = jr_str(j, "incidents", "", &a->incidents, d)))
		goto fail;
	json_t *arr;
	if ((rc = jr_array(j, "info", "", sizeof(struct cap_info), &arr,
			   (void **)&a->info, &a->ninfo, d)))
		goto fail;
	char p[PTR_MAX];
	for (size_t i = 0; arr && i < json_array_size(arr); i++) {
		a->ninfo++;
		if ((rc = jr_info(json_array_get(arr, i),
				  ptr_idx(p, sizeof p, "", "info", i),
				  &a->info[i], d)))
			goto fail;
	}
	if ((rc = cap_check(a, d)))
		goto fail;
	*out = a;
	return EB_OK;
fail:
	cap_alert_free(a);
	return rc;
}

/* ---- equality --------------------------------------------------------------- */

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static int strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return 0;
	return 1;
}

static int values_eq(const struct cap_value *a, size_t na,
		     const struct cap_value *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i].valueName, b[i].valueName) ||
		    !str_eq(a[i].value, b[i].value))
			return 0;
	return 1;
}

static int ints_eq(const void *a, const void *b, size_t n, size_t size)
{
	return n == 0 || memcmp(a, b, n * size) == 0;
}

static int area_eq(const struct cap_area *a, const struct cap_area *b)
{
	return str_eq(a->areaDesc, b->areaDesc) &&
	       strv_eq(a->polygon, a->npolygon, b->polygon, b->npolygon) &&
	       strv_eq(a->circle, a->ncircle, b->circle, b->ncircle) &&
	       values_eq(a->geocode, a->ngeocode, b->geocode, b->ngeocode) &&
	       a->has_altitude == b->has_altitude &&
	       (!a->has_altitude || a->altitude == b->altitude) &&
	       a->has_ceiling == b->has_ceiling &&
	       (!a->has_ceiling || a->ceiling == b->ceiling);
}

static int resource_eq(const struct cap_resource *a,
		       const struct cap_resource *b)
{
	return str_eq(a->resourceDesc, b->resourceDesc) &&
	       str_eq(a->mimeType, b->mimeType) &&
	       a->has_size == b->has_size &&
	       (!a->has_size || a->size == b->size) && str_eq(a->uri, b->uri) &&
	       str_eq(a->derefUri, b->derefUri) && str_eq(a->digest, b->digest);
}

static int info_eq(const struct cap_info *a, const struct cap_info *b)
{
	if (!str_eq(a->language, b->language) ||
	    a->ncategory != b->ncategory ||
	    !ints_eq(a->category, b->category, a->ncategory,
		     sizeof *a->category) ||
	    !str_eq(a->event, b->event) ||
	    a->nresponseType != b->nresponseType ||
	    !ints_eq(a->responseType, b->responseType, a->nresponseType,
		     sizeof *a->responseType) ||
	    a->urgency != b->urgency || a->severity != b->severity ||
	    a->certainty != b->certainty || !str_eq(a->audience, b->audience) ||
	    !values_eq(a->eventCode, a->neventCode, b->eventCode,
		       b->neventCode) ||
	    !str_eq(a->effective, b->effective) ||
	    !str_eq(a->onset, b->onset) || !str_eq(a->expires, b->expires) ||
	    !str_eq(a->senderName, b->senderName) ||
	    !str_eq(a->headline, b->headline) ||
	    !str_eq(a->description, b->description) ||
	    !str_eq(a->instruction, b->instruction) ||
	    !str_eq(a->web, b->web) || !str_eq(a->contact, b->contact) ||
	    !values_eq(a->parameter, a->nparameter, b->parameter,
		       b->nparameter) ||
	    a->nresource != b->nresource || a->narea != b->narea)
		return 0;
	for (size_t i = 0; i < a->nresource; i++)
		if (!resource_eq(&a->resource[i], &b->resource[i]))
			return 0;
	for (size_t i = 0; i < a->narea; i++)
		if (!area_eq(&a->area[i], &b->area[i]))
			return 0;
	return 1;
}

int cap_alert_equal(const struct cap_alert *a, const struct cap_alert *b)
{
	if (!a || !b)
		return a == b;
	if (!str_eq(a->identifier, b->identifier) ||
	    !str_eq(a->sender, b->sender) || !str_eq(a->sent, b->sent) ||
	    a->status != b->status || a->msgType != b->msgType ||
	    !str_eq(a->source, b->source) || a->scope != b->scope ||
	    !str_eq(a->restriction, b->restriction) ||
	    !str_eq(a->addresses, b->addresses) ||
	    !strv_eq(a->code, a->ncode, b->code, b->ncode) ||
	    !str_eq(a->note, b->note) ||
	    !str_eq(a->references, b->references) ||
	    !str_eq(a->incidents, b->incidents) || a->ninfo != b->ninfo)
		return 0;
	for (size_t i = 0; i < a->ninfo; i++)
		if (!info_eq(&a->info[i], &b->info[i]))
			return 0;
	return 1;
}
