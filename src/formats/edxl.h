/*
 * EDXL-DE 1.0 (OASIS Emergency Data Exchange Language, Distribution
 * Element) envelopes around CAP 1.2 alerts, for partners whose systems
 * route messages by envelope rather than by alert.
 *
 * An envelope carries the distribution header (distributionID, senderID,
 * dateTimeSent, distributionStatus, distributionType,
 * combinedConfidentiality, language), explicit recipients (explicitAddress:
 * an address scheme and the recipient organisations' identifiers in it) and
 * one contentObject per alert, holding the alert as
 * contentObject/xmlContent/embeddedXMLContent/alert.  Field names follow the
 * EDXL-DE 1.0 element names.  The output validates against the EDXL-DE 1.0
 * schema (data/standards/edxl-de/edxlde-1_0.xsd) and each embedded alert
 * against the CAP 1.2 schema.
 *
 * Export only; this layer knows nothing of HTTP or the database.
 * Thread-safety: edxl_write may run in several threads at once.
 */
#ifndef EB_FORMATS_EDXL_H
#define EB_FORMATS_EDXL_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "formats/cap.h"

#define EDXL_NAMESPACE "urn:oasis:names:tc:emergency:EDXL:DE:1.0"
#define EDXL_SCHEMA_REL "standards/edxl-de/edxlde-1_0.xsd"
/* The default combinedConfidentiality (EDXL-DE 1.0, 3.2.6). */
#define EDXL_CONFIDENTIALITY_DEFAULT "UNCLASSIFIED AND NOT SENSITIVE"

enum edxl_status {
	EDXL_STATUS_UNSET = 0,
	EDXL_STATUS_ACTUAL,
	EDXL_STATUS_EXERCISE,
	EDXL_STATUS_SYSTEM,
	EDXL_STATUS_TEST
};

enum edxl_type {
	EDXL_TYPE_UNSET = 0,
	EDXL_TYPE_REPORT,
	EDXL_TYPE_UPDATE,
	EDXL_TYPE_CANCEL,
	EDXL_TYPE_REQUEST,
	EDXL_TYPE_RESPONSE,
	EDXL_TYPE_DISPATCH,
	EDXL_TYPE_ACK,
	EDXL_TYPE_ERROR,
	EDXL_TYPE_SENSOR_CONFIGURATION,
	EDXL_TYPE_SENSOR_CONTROL,
	EDXL_TYPE_SENSOR_STATUS,
	EDXL_TYPE_SENSOR_DETECTION
};

/* One explicitAddress: a scheme (e.g. "epibridge:org" or "e-mail") and
 * one or more addresses in it.  Borrowed by edxl_write. */
struct edxl_address {
	const char *explicitAddressScheme;
	const char *const *explicitAddressValue;
	size_t nexplicitAddressValue; /* at least 1 */
};

/* The envelope header.  All pointers are borrowed for the call. */
struct edxl_envelope {
	const char *distributionID; /* required, unique per sender */
	const char *senderID;       /* required, "actor@domain" by convention */
	const char *dateTimeSent;   /* required, a CAP date-time (cap.h) */
	enum edxl_status distributionStatus; /* required */
	enum edxl_type distributionType;     /* required */
	const char *combinedConfidentiality; /* NULL: the default above */
	const char *language;                /* optional */
	const struct edxl_address *explicitAddress;
	size_t nexplicitAddress;
};

/* Names as the schema writes them ("Actual", "SensorStatus"); NULL when
 * unset or out of range. */
const char *edxl_status_name(enum edxl_status s);
const char *edxl_type_name(enum edxl_type t);

/* The envelope status for an alert status (Draft has none: UNSET). */
enum edxl_status edxl_status_for_cap(enum cap_status s);
/* The distribution type for an alert message type (Alert -> Report). */
enum edxl_type edxl_type_for_cap(enum cap_msg_type t);

/*
 * Appends an EDXL-DE 1.0 document (UTF-8, indented) with header env and one
 * contentObject per alert (nalerts may be 0) to out.  Alerts are borrowed.
 *
 * Errors: EB_EINVAL when a required header field is missing or malformed
 * (d->field names it: "distributionID", "explicitAddress/0/...") or an alert
 * fails cap_check (d->field "alerts/<i>" + its JSON pointer); EB_ETOOBIG
 * when out's limit is reached (out unchanged); EB_ENOMEM.
 */
enum eb_err edxl_write(const struct edxl_envelope *env,
		       const struct cap_alert *const *alerts, size_t nalerts,
		       struct eb_buf *out, struct eb_detail *d);

#endif
