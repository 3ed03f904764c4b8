/*
 * CAP 1.2 (OASIS Common Alerting Protocol) alerts: the in-memory model, the
 * XML reader and writer, and the JSON form the HTTP API speaks.
 *
 * The model follows the OASIS CAP 1.2 specification element for element and
 * keeps the specification's element names (msgType, responseType, areaDesc,
 * valueName, ...) so the mapping is obvious; docs/formats-cap.md has the
 * table.  Closed value lists are C enums whose 0 value means "not set" (and
 * is rejected where the element is required).  Date-times are kept as the
 * text CAP requires ("2020-02-27T08:00:00+08:00"; the schema rejects "Z").
 *
 * Ownership: every pointer in a struct cap_alert is owned by the alert and
 * released by cap_alert_free(): strings and arrays are malloc'd.  An absent
 * optional element is NULL (or a zero count); an element present but empty
 * is "".  A count n with a NULL array is only valid when n == 0.  Code that
 * builds an alert by hand fills the fields with malloc'd memory and frees it
 * with cap_alert_free; cap_check() says whether it is complete and valid.
 *
 * Errors: functions return enum eb_err and fill the optional struct
 * eb_detail.  For XML input, d->field is the path of the offending element
 * ("/alert/info/urgency"); for the model and JSON it is a JSON pointer
 * ("/info/0/urgency").
 *
 * Thread-safety: all functions may be called from several threads at once
 * on different alerts.  The compiled CAP schema is loaded once (cap_init, or
 * lazily by the first cap_parse) and shared read-only.
 *
 * This layer knows nothing of HTTP or the database.
 */
#ifndef EB_FORMATS_CAP_H
#define EB_FORMATS_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

#define CAP_NAMESPACE "urn:oasis:names:tc:emergency:cap:1.2"
/* Data file of the schema, for eb_data_path(). */
#define CAP_SCHEMA_REL "standards/cap/cap12.xsd"

enum cap_status {
	CAP_STATUS_UNSET = 0,
	CAP_STATUS_ACTUAL,
	CAP_STATUS_EXERCISE,
	CAP_STATUS_SYSTEM,
	CAP_STATUS_TEST,
	CAP_STATUS_DRAFT
};

enum cap_msg_type {
	CAP_MSG_TYPE_UNSET = 0,
	CAP_MSG_TYPE_ALERT,
	CAP_MSG_TYPE_UPDATE,
	CAP_MSG_TYPE_CANCEL,
	CAP_MSG_TYPE_ACK,
	CAP_MSG_TYPE_ERROR
};

enum cap_scope {
	CAP_SCOPE_UNSET = 0,
	CAP_SCOPE_PUBLIC,
	CAP_SCOPE_RESTRICTED,
	CAP_SCOPE_PRIVATE
};

enum cap_category {
	CAP_CATEGORY_UNSET = 0,
	CAP_CATEGORY_GEO,
	CAP_CATEGORY_MET,
	CAP_CATEGORY_SAFETY,
	CAP_CATEGORY_SECURITY,
	CAP_CATEGORY_RESCUE,
	CAP_CATEGORY_FIRE,
	CAP_CATEGORY_HEALTH,
	CAP_CATEGORY_ENV,
	CAP_CATEGORY_TRANSPORT,
	CAP_CATEGORY_INFRA,
	CAP_CATEGORY_CBRNE,
	CAP_CATEGORY_OTHER
};

enum cap_response_type {
	CAP_RESPONSE_TYPE_UNSET = 0,
	CAP_RESPONSE_TYPE_SHELTER,
	CAP_RESPONSE_TYPE_EVACUATE,
	CAP_RESPONSE_TYPE_PREPARE,
	CAP_RESPONSE_TYPE_EXECUTE,
	CAP_RESPONSE_TYPE_AVOID,
	CAP_RESPONSE_TYPE_MONITOR,
	CAP_RESPONSE_TYPE_ASSESS,
	CAP_RESPONSE_TYPE_ALL_CLEAR,
	CAP_RESPONSE_TYPE_NONE
};

enum cap_urgency {
	CAP_URGENCY_UNSET = 0,
	CAP_URGENCY_IMMEDIATE,
	CAP_URGENCY_EXPECTED,
	CAP_URGENCY_FUTURE,
	CAP_URGENCY_PAST,
	CAP_URGENCY_UNKNOWN
};

enum cap_severity {
	CAP_SEVERITY_UNSET = 0,
	CAP_SEVERITY_EXTREME,
	CAP_SEVERITY_SEVERE,
	CAP_SEVERITY_MODERATE,
	CAP_SEVERITY_MINOR,
	CAP_SEVERITY_UNKNOWN
};

enum cap_certainty {
	CAP_CERTAINTY_UNSET = 0,
	CAP_CERTAINTY_OBSERVED,
	CAP_CERTAINTY_LIKELY,
	CAP_CERTAINTY_POSSIBLE,
	CAP_CERTAINTY_UNLIKELY,
	CAP_CERTAINTY_UNKNOWN
};

/* Which closed list, for cap_enum_name / cap_enum_parse. */
enum cap_enum {
	CAP_ENUM_STATUS,
	CAP_ENUM_MSG_TYPE,
	CAP_ENUM_SCOPE,
	CAP_ENUM_CATEGORY,
	CAP_ENUM_RESPONSE_TYPE,
	CAP_ENUM_URGENCY,
	CAP_ENUM_SEVERITY,
	CAP_ENUM_CERTAINTY
};

/* A valueName/value pair: eventCode, parameter, geocode. Both required. */
struct cap_value {
	char *valueName;
	char *value;
};

struct cap_resource {
	char *resourceDesc; /* required */
	char *mimeType;     /* required */
	bool has_size;
	long long size;     /* bytes, when has_size */
	char *uri;          /* xs:anyURI */
	char *derefUri;     /* base64 data */
	char *digest;       /* SHA-1 hex */
};

struct cap_area {
	char *areaDesc; /* required */
	char **polygon; /* "lat,lon lat,lon ..." each */
	size_t npolygon;
	char **circle;  /* "lat,lon radius" each */
	size_t ncircle;
	struct cap_value *geocode;
	size_t ngeocode;
	bool has_altitude;
	double altitude; /* feet above mean sea level */
	bool has_ceiling;
	double ceiling;
};

struct cap_info {
	char *language; /* RFC 3066 tag; NULL means the default "en-US" */
	enum cap_category *category; /* at least one */
	size_t ncategory;
	char *event; /* required */
	enum cap_response_type *responseType;
	size_t nresponseType;
	enum cap_urgency urgency;     /* required */
	enum cap_severity severity;   /* required */
	enum cap_certainty certainty; /* required */
	char *audience;
	struct cap_value *eventCode;
	size_t neventCode;
	char *effective; /* CAP date-times, optional */
	char *onset;
	char *expires;
	char *senderName;
	char *headline;
	char *description;
	char *instruction;
	char *web; /* xs:anyURI */
	char *contact;
	struct cap_value *parameter;
	size_t nparameter;
	struct cap_resource *resource;
	size_t nresource;
	struct cap_area *area;
	size_t narea;
};

struct cap_alert {
	char *identifier; /* required */
	char *sender;     /* required */
	char *sent;       /* required CAP date-time */
	enum cap_status status;   /* required */
	enum cap_msg_type msgType; /* required */
	char *source;
	enum cap_scope scope; /* required */
	char *restriction;
	char *addresses;
	char **code;
	size_t ncode;
	char *note;
	char *references;
	char *incidents;
	struct cap_info *info;
	size_t ninfo;
};

/*
 * Name of a closed-list value as CAP writes it ("Actual", "AllClear"), or
 * NULL when value is 0 (unset) or out of range.  Static storage.
 */
const char *cap_enum_name(enum cap_enum list, int value);

/* The value whose name is exactly s (case-sensitive, as the schema), or 0. */
int cap_enum_parse(enum cap_enum list, const char *s);

/*
 * 1 when s is a CAP 1.2 date-time: "YYYY-MM-DDThh:mm:ss" followed by a
 * numeric offset "+hh:mm" or "-hh:mm", with a real calendar date (the same
 * rule the schema applies).  0 otherwise, and for NULL.
 */
int cap_datetime_valid(const char *s);

/*
 * Loads the CAP 1.2 schema from xsd_path, or, when xsd_path is NULL, from
 * eb_data_path(CAP_SCHEMA_REL) (see base/datadir.h).  Call once at start-up;
 * later calls return EB_OK and keep the schema already loaded.  cap_parse
 * calls it with NULL when nobody did.
 * Errors: EB_ENOTFOUND when no schema file is found, else as
 * xml_safe_schema_load.  Thread-safe.
 */
enum eb_err cap_init(const char *xsd_path, struct eb_detail *d);

/* A new alert with every field zero (to be filled and cap_alert_free'd). */
struct cap_alert *cap_alert_new(void);

/* Frees an alert and everything it owns; NULL is a no-op. */
void cap_alert_free(struct cap_alert *a);

/*
 * Parses an untrusted CAP 1.2 XML document xml[0..len) through the safe XML
 * wrapper (formats/xml_safe.h: no DTD, no entities, 1 MiB, depth 64),
 * validates it against the CAP 1.2 schema (which enforces every
 * enumeration, the required elements and their order, and the date-time
 * form) and builds the model.  XML signatures (ds:Signature) are accepted
 * by the schema but not kept.
 *
 * On success *out is a new alert owned by the caller.  Errors: EB_EINVAL
 * with the schema's (or parser's) reason, "(line N)" and the element path in
 * d->field; EB_ETOOBIG over 1 MiB; EB_ENOTFOUND when the schema file cannot
 * be found; EB_ENOMEM.  On error *out is NULL.
 */
enum eb_err cap_parse(const char *xml, size_t len, struct cap_alert **out,
		      struct eb_detail *d);

/*
 * Checks that a model is complete and would produce a schema-valid document:
 * required fields set, enumerations in range, date-times, language tags and
 * URIs well formed, numbers finite, all text valid UTF-8 made of XML 1.0
 * characters.  EB_OK or EB_EINVAL naming the field as a JSON pointer.
 */
enum eb_err cap_check(const struct cap_alert *a, struct eb_detail *d);

/*
 * Appends the alert as a CAP 1.2 XML document (UTF-8, default namespace
 * CAP_NAMESPACE, two-space indentation) to out.  The alert must pass
 * cap_check; the output then validates against the CAP 1.2 schema.
 * Errors: EB_EINVAL when the model fails cap_check (call it for the
 * detail), EB_ETOOBIG when out's limit is reached (out is left as it was),
 * EB_ENOMEM.
 */
enum eb_err cap_write(const struct cap_alert *a, struct eb_buf *out);

/*
 * Writes the <alert> element (with its namespace declaration) into an open
 * libxml2 text writer, for containers such as EDXL-DE (formats/edxl.c).
 * Checks the model first like cap_write.  EB_OK, EB_EINVAL or EB_ENOMEM.
 */
struct _xmlTextWriter;
enum eb_err cap_write_element(const struct cap_alert *a,
			      struct _xmlTextWriter *w, struct eb_detail *d);

/*
 * The alert as a JSON object with the CAP element names as keys (absent
 * elements and empty lists left out; enumerations as their CAP names; size
 * an integer, altitude and ceiling numbers).  Returns a new reference owned
 * by the caller, or NULL when out of memory.  The alert is not checked.
 */
json_t *cap_to_json(const struct cap_alert *a);

/*
 * Builds an alert from its JSON form (the inverse of cap_to_json).  Unknown
 * keys, wrong types and anything cap_check rejects fail with EB_EINVAL and
 * the offending field as a JSON pointer ("/info/0/urgency").  null is
 * accepted for an absent optional value.  j is not modified.  On success
 * *out is a new alert owned by the caller; on error it is NULL.
 */
enum eb_err cap_from_json(json_t *j, struct cap_alert **out,
			  struct eb_detail *d);

/* 1 when the two alerts hold the same content (NULL equals only NULL). */
int cap_alert_equal(const struct cap_alert *a, const struct cap_alert *b);

#endif
