/*
 * The one parser of untrusted XML in epibridge, and the XML Schema validator.
 *
 * Every XML document that comes from outside (an HTTP body, an imported file,
 * a partner's feed) is parsed here and nowhere else, so the safety rules live
 * in one place:
 *
 *   - parsing is from memory only; network access is off (XML_PARSE_NONET,
 *     and XML_PARSE_NO_XXE where the libxml2 version has it);
 *   - any DOCTYPE is rejected outright, before its internal subset is read:
 *     no DTD, so no entity declarations, no external entities (XXE), no
 *     entity expansion ("billion laughs"); entities are never substituted
 *     (XML_PARSE_NOENT is off) and no DTD is loaded (no DTDLOAD/DTDATTR);
 *   - the document size and the element nesting depth have maximums
 *     (default 1 MiB and 64), checked before and during parsing;
 *   - libxml2's "huge" mode stays off, so its own internal limits hold too;
 *   - errors are collected by a handler installed for the call (never
 *     printed to stderr); the first one becomes the struct eb_detail message,
 *     with its line number.
 *
 * Schemas are compiled once (xml_safe_schema_load) and then shared read-only
 * by any number of threads; each validation uses its own context.
 *
 * Error details: msg is "<reason> (line N)" when the problem has a line, and
 * field is the path of the offending element as "/alert/info[2]/urgency"
 * (local names; [n] is the 1-based position among same-named siblings and is
 * written only when there are several), or "" when unknown.
 *
 * Thread-safety: every function here is safe to call from several threads at
 * once (libxml2 is initialised once, error handlers are per call and
 * per thread).
 */
#ifndef EB_FORMATS_XML_SAFE_H
#define EB_FORMATS_XML_SAFE_H

#include <stddef.h>
#include <libxml/tree.h>

#include "base/err.h"

#define XML_SAFE_MAX_BYTES_DEFAULT ((size_t)1 << 20) /* 1 MiB */
#define XML_SAFE_MAX_DEPTH_DEFAULT 64u

struct xml_safe_limits {
	size_t max_bytes;   /* larger documents fail with EB_ETOOBIG; 0 = default */
	unsigned max_depth; /* deeper element nesting fails with EB_EINVAL; 0 = default */
};

/* Initialises libxml2 once per process.  Called by every function below;
 * call it yourself only if you use libxml2 directly before them. */
void xml_safe_init(void);

/*
 * Parses the untrusted document data[0..len) (need not be NUL-terminated).
 * lim may be NULL for the defaults.  On success *out is a new document the
 * caller owns and frees with xml_safe_doc_free().  The tree is for reading:
 * it is built with XML_PARSE_COMPACT, so do not modify its text nodes
 * (copy what you need).  CDATA sections arrive merged into text nodes.
 *
 * Errors: EB_ETOOBIG when len exceeds the size limit; EB_EINVAL when the data
 * is not well-formed XML, has a DOCTYPE, or nests deeper than the limit;
 * EB_ENOMEM.  On error *out is NULL and d (may be NULL) names the problem.
 */
enum eb_err xml_safe_parse(const char *data, size_t len,
			   const struct xml_safe_limits *lim, xmlDocPtr *out,
			   struct eb_detail *d);

/* Frees a document from xml_safe_parse; NULL is a no-op. */
void xml_safe_doc_free(xmlDocPtr doc);

/* A compiled XML Schema (opaque); immutable once loaded. */
struct xml_safe_schema;

/*
 * Loads and compiles the XSD at path (a trusted file of the installation,
 * itself read through xml_safe_parse with a 16 MiB limit: no network, no
 * DTD).  xsd:include and xsd:import are followed only to files in the
 * schema's own directory named by a bare file name (IATI's iati-common.xsd
 * and xml.xsd), each without DOCTYPE or entity declarations; any other
 * location fails to load.  (The libxml2 loader of external resources is
 * replaced process-wide by xml_safe_init to enforce this: outside a schema
 * load, every external load is refused.)  On success
 * *out is owned by the caller (free with xml_safe_schema_free) and may be
 * shared by threads for validation.
 *
 * Errors: EB_EIO when the file cannot be read, EB_EINVAL when it is not a
 * valid schema, EB_ETOOBIG, EB_ENOMEM; d names the problem.
 */
enum eb_err xml_safe_schema_load(const char *path, struct xml_safe_schema **out,
				 struct eb_detail *d);

/*
 * Validates doc against schema.  Returns EB_OK when valid; EB_EINVAL with the
 * first validation error ("<reason> (line N)", element path in d->field)
 * otherwise; EB_ENOMEM.  Neither argument is modified; many threads may
 * validate against one schema at once.
 */
enum eb_err xml_safe_schema_validate(const struct xml_safe_schema *schema,
				     xmlDocPtr doc, struct eb_detail *d);

/* Frees a schema; NULL is a no-op.  No validation may be running on it. */
void xml_safe_schema_free(struct xml_safe_schema *schema);

/*
 * 1 when s is valid UTF-8 made only of characters XML 1.0 allows (tab, line
 * feed, carriage return, U+0020..U+D7FF, U+E000..U+FFFD, U+10000..U+10FFFF):
 * text that can be written into an XML document and read back unchanged.
 * 0 otherwise and for NULL.  Checks the whole NUL-terminated string.
 */
int xml_safe_text_valid(const char *s);

/*
 * Copies s into out (outlen bytes, NUL-terminated) for quoting inside an
 * error message: bytes that are not valid UTF-8 become '?', control
 * characters become ' ', and the copy is cut at a character boundary.
 * Returns out.  s may be NULL (gives "").  Error messages and fields built
 * this way are always valid UTF-8, so they can go into JSON as they are.
 */
const char *xml_safe_excerpt(const char *s, char *out, size_t outlen);

/*
 * Removes a trailing incomplete UTF-8 sequence from s (left by a bounded
 * copy that cut a character in two).  Returns s.
 */
char *xml_safe_utf8_trim(char *s);

/*
 * Writes the element path of node ("/alert/info[2]/area/geocode[3]") into
 * out (outlen bytes; truncated at the front with "..." when too long, never
 * inside a UTF-8 character).
 * Returns out.  node may be NULL (gives "").
 */
const char *xml_safe_node_path(const xmlNode *node, char *out, size_t outlen);

#endif
