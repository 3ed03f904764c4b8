/*
 * EDXL-DE 1.0 envelope writer.  See edxl.h.
 *
 * The envelope's elements use the prefix "edxlde"; each alert is written by
 * cap_write_element into the same libxml2 text writer, so it carries its own
 * default-namespace declaration and all text is escaped by the writer.
 */
#include "formats/edxl.h"

#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "formats/xml_safe.h"

#define PFX BAD_CAST "edxlde"

static const char *const status_names[] = {NULL, "Actual", "Exercise",
					   "System", "Test"};
static const char *const type_names[] = {
	NULL,	   "Report",   "Update",   "Cancel",
	"Request", "Response", "Dispatch", "Ack",
	"Error",   "SensorConfiguration", "SensorControl", "SensorStatus",
	"SensorDetection"};

const char *edxl_status_name(enum edxl_status s)
{
	if ((int)s <= 0 || (size_t)s >= sizeof status_names / sizeof *status_names)
		return NULL;
	return status_names[s];
}

const char *edxl_type_name(enum edxl_type t)
{
	if ((int)t <= 0 || (size_t)t >= sizeof type_names / sizeof *type_names)
		return NULL;
	return type_names[t];
}

enum edxl_status edxl_status_for_cap(enum cap_status s)
{
	switch (s) {
	case CAP_STATUS_ACTUAL: return EDXL_STATUS_ACTUAL;
	case CAP_STATUS_EXERCISE: return EDXL_STATUS_EXERCISE;
	case CAP_STATUS_SYSTEM: return EDXL_STATUS_SYSTEM;
	case CAP_STATUS_TEST: return EDXL_STATUS_TEST;
	default: return EDXL_STATUS_UNSET;
	}
}

enum edxl_type edxl_type_for_cap(enum cap_msg_type t)
{
	switch (t) {
	case CAP_MSG_TYPE_ALERT: return EDXL_TYPE_REPORT;
	case CAP_MSG_TYPE_UPDATE: return EDXL_TYPE_UPDATE;
	case CAP_MSG_TYPE_CANCEL: return EDXL_TYPE_CANCEL;
	case CAP_MSG_TYPE_ACK: return EDXL_TYPE_ACK;
	case CAP_MSG_TYPE_ERROR: return EDXL_TYPE_ERROR;
	default: return EDXL_TYPE_UNSET;
	}
}

static enum eb_err need_text(const char *s, int required, const char *field,
			     struct eb_detail *d)
{
	if (!s) {
		if (!required)
			return EB_OK;
		return eb_fail(d, EB_EINVAL, field, "%s is required", field + 1);
	}
	if (!xml_safe_text_valid(s))
		return eb_fail(d, EB_EINVAL, field,
			       "%s is not valid UTF-8 or contains a control "
			       "character XML does not allow",
			       field + 1);
	return EB_OK;
}

static enum eb_err envelope_check(const struct edxl_envelope *env,
				  struct eb_detail *d)
{
	enum eb_err rc;
	if ((rc = need_text(env->distributionID, 1, "/distributionID", d)) ||
	    (rc = need_text(env->senderID, 1, "/senderID", d)) ||
	    (rc = need_text(env->dateTimeSent, 1, "/dateTimeSent", d)) ||
	    (rc = need_text(env->combinedConfidentiality, 0,
			    "/combinedConfidentiality", d)) ||
	    (rc = need_text(env->language, 0, "/language", d)))
		return rc;
	if (!cap_datetime_valid(env->dateTimeSent)) {
		char ex[48];
		return eb_fail(d, EB_EINVAL, "/dateTimeSent",
			       "dateTimeSent '%s' is not a date-time such as "
			       "2020-02-27T08:00:00+08:00",
			       xml_safe_excerpt(env->dateTimeSent, ex, sizeof ex));
	}
	if (!edxl_status_name(env->distributionStatus))
		return eb_fail(d, EB_EINVAL, "/distributionStatus",
			       "distributionStatus is required: one of Actual, "
			       "Exercise, System, Test");
	if (!edxl_type_name(env->distributionType))
		return eb_fail(d, EB_EINVAL, "/distributionType",
			       "distributionType is required: Report, Update, "
			       "Cancel, Ack, Error, ...");
	if (env->nexplicitAddress && !env->explicitAddress)
		return eb_fail(d, EB_EINVAL, "/explicitAddress",
			       "explicitAddress has a count but no entries");
	for (size_t i = 0; i < env->nexplicitAddress; i++) {
		const struct edxl_address *a = &env->explicitAddress[i];
		char f[96];
		snprintf(f, sizeof f, "/explicitAddress/%zu/explicitAddressScheme",
			 i);
		if ((rc = need_text(a->explicitAddressScheme, 1, f, d)))
			return rc;
		if (!a->nexplicitAddressValue || !a->explicitAddressValue) {
			snprintf(f, sizeof f,
				 "/explicitAddress/%zu/explicitAddressValue", i);
			return eb_fail(d, EB_EINVAL, f,
				       "explicitAddressValue needs at least one "
				       "address");
		}
		for (size_t j = 0; j < a->nexplicitAddressValue; j++) {
			snprintf(f, sizeof f,
				 "/explicitAddress/%zu/explicitAddressValue/%zu",
				 i, j);
			if ((rc = need_text(a->explicitAddressValue[j], 1, f, d)))
				return rc;
		}
	}
	return EB_OK;
}

static int w_el(xmlTextWriterPtr w, const char *name, const char *text)
{
	return xmlTextWriterWriteElementNS(w, PFX, BAD_CAST name, NULL,
					   BAD_CAST text) < 0
		       ? -1
		       : 0;
}

static int w_start(xmlTextWriterPtr w, const char *name)
{
	return xmlTextWriterStartElementNS(w, PFX, BAD_CAST name, NULL) < 0
		       ? -1
		       : 0;
}

static int w_end(xmlTextWriterPtr w)
{
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static enum eb_err write_doc(xmlTextWriterPtr w, const struct edxl_envelope *env,
			     const struct cap_alert *const *alerts,
			     size_t nalerts, struct eb_detail *d)
{
	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, PFX, BAD_CAST "EDXLDistribution",
					BAD_CAST EDXL_NAMESPACE) < 0 ||
	    w_el(w, "distributionID", env->distributionID) ||
	    w_el(w, "senderID", env->senderID) ||
	    w_el(w, "dateTimeSent", env->dateTimeSent) ||
	    w_el(w, "distributionStatus",
		 edxl_status_name(env->distributionStatus)) ||
	    w_el(w, "distributionType", edxl_type_name(env->distributionType)) ||
	    w_el(w, "combinedConfidentiality",
		 env->combinedConfidentiality ? env->combinedConfidentiality
					      : EDXL_CONFIDENTIALITY_DEFAULT) ||
	    (env->language && w_el(w, "language", env->language)))
		goto nomem;
	for (size_t i = 0; i < env->nexplicitAddress; i++) {
		const struct edxl_address *a = &env->explicitAddress[i];
		if (w_start(w, "explicitAddress") ||
		    w_el(w, "explicitAddressScheme", a->explicitAddressScheme))
			goto nomem;
		for (size_t j = 0; j < a->nexplicitAddressValue; j++)
			if (w_el(w, "explicitAddressValue",
				 a->explicitAddressValue[j]))
				goto nomem;
		if (w_end(w))
			goto nomem;
	}
	for (size_t i = 0; i < nalerts; i++) {
		const struct cap_alert *al = alerts[i];
		const char *desc = al->ninfo && al->info[0].headline
					   ? al->info[0].headline
					   : NULL;
		if (w_start(w, "contentObject") ||
		    (desc && w_el(w, "contentDescription", desc)) ||
		    w_start(w, "xmlContent") || w_start(w, "embeddedXMLContent"))
			goto nomem;
		enum eb_err rc = cap_write_element(al, w, d);
		if (rc)
			return rc;
		if (w_end(w) || w_end(w) || w_end(w))
			goto nomem;
	}
	if (w_end(w) || xmlTextWriterEndDocument(w) < 0)
		goto nomem;
	return EB_OK;
nomem:
	return eb_fail(d, EB_ENOMEM, "", "writing EDXL-DE failed (out of memory)");
}

enum eb_err edxl_write(const struct edxl_envelope *env,
		       const struct cap_alert *const *alerts, size_t nalerts,
		       struct eb_buf *out, struct eb_detail *d)
{
	if (!env || !out || (nalerts && !alerts))
		return eb_fail(d, EB_EINVAL, "", "no envelope, alerts or output");
	enum eb_err rc = envelope_check(env, d);
	if (rc)
		return rc;
	for (size_t i = 0; i < nalerts; i++) {
		struct eb_detail cd;
		if (!alerts[i])
			return eb_fail(d, EB_EINVAL, "", "alert %zu is NULL", i);
		if ((rc = cap_check(alerts[i], &cd))) {
			char f[sizeof cd.field + 32];
			snprintf(f, sizeof f, "/alerts/%zu%s", i, cd.field);
			return eb_fail(d, rc, f, "alert %zu: %s", i, cd.msg);
		}
	}

	xml_safe_init();
	xmlBufferPtr xb = xmlBufferCreate();
	if (!xb)
		return eb_fail(d, EB_ENOMEM, "", "out of memory");
	xmlTextWriterPtr w = xmlNewTextWriterMemory(xb, 0);
	if (!w) {
		xmlBufferFree(xb);
		return eb_fail(d, EB_ENOMEM, "", "out of memory");
	}
	rc = write_doc(w, env, alerts, nalerts, d);
	xmlFreeTextWriter(w);
	if (!rc) {
		rc = eb_buf_add(out, xmlBufferContent(xb),
				(size_t)xmlBufferLength(xb));
		if (rc)
			eb_fail(d, rc, "", "EDXL-DE document over the output limit");
	}
	xmlBufferFree(xb);
	return rc;
}
