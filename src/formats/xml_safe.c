/*
 * Untrusted-input XML parsing and XML Schema validation over libxml2.  See
 * xml_safe.h for the rules; this file is where they are enforced.
 *
 * How: a parser context is created over the memory buffer with network off
 * and entity substitution off, and three of its SAX2 callbacks are wrapped:
 * internalSubset and entityDecl stop the parser as soon as a DOCTYPE (or an
 * entity declaration) appears, startElementNs/endElementNs count the nesting
 * depth and stop it past the limit.  Errors reach a collector through the
 * context's structured-error hook and, for the few libxml2 paths that use
 * the thread's global handlers, through thread-local handlers installed for
 * the duration of the call and restored afterwards.
 */
#include "formats/xml_safe.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>

#define SCHEMA_MAX_BYTES ((size_t)16 << 20)
#define SCHEMA_MAX_DEPTH 256u

/* Parser options: network off, no entity substitution, no DTD loading or
 * defaulting, errors only through our handlers, CDATA merged into text,
 * small text nodes stored inside the node (fewer allocations; the tree must
 * then not be modified, which xml_safe.h asks of callers). */
#define PARSE_OPTIONS_BASE                                                   \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |         \
	 XML_PARSE_NOCDATA | XML_PARSE_COMPACT)
#if LIBXML_VERSION >= 21300
#define PARSE_OPTIONS (PARSE_OPTIONS_BASE | XML_PARSE_NO_XXE)
#else
#define PARSE_OPTIONS PARSE_OPTIONS_BASE
#endif

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* The directory of the schema this thread is loading (see
 * xml_safe_schema_load), or NULL: the only place external loads may come
 * from. */
static _Thread_local const char *schema_dir;

static int file_has_doctype(const char *path);

/*
 * libxml2's loader of external resources, replaced for the whole process:
 * it serves the xsd:include and xsd:import files of the schema being
 * loaded on this thread, named by a bare file name in that schema's own
 * directory and free of any DOCTYPE, and refuses everything else (any URL,
 * any other path, any load outside xml_safe_schema_load).  Documents parsed
 * by xml_safe_parse never ask for external resources; this closes the door
 * for every other libxml2 path as well.
 */
static xmlParserInputPtr safe_entity_loader(const char *url, const char *id,
					    xmlParserCtxtPtr ctxt)
{
	(void)id;
	const char *dir = schema_dir;
	if (!dir || !url)
		return NULL;
	const char *p = url;
	if (strncmp(p, "file://", 7) == 0)
		p += 7;
	char *path = xmlURIUnescapeString(p, 0, NULL);
	xmlParserInputPtr in = NULL;
	size_t n = strlen(dir);
	if (path && strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] &&
	    !strchr(path + n + 1, '/') && !strstr(path + n + 1, "..") &&
	    !file_has_doctype(path))
		in = xmlNewInputFromFile(ctxt, path);
	xmlFree(path);
	return in;
}

static void init_once_fn(void)
{
	xmlInitParser();
	/* The built-in XSD types are created lazily and without a lock in
	 * libxml2 2.9; create them here, once, for xmlSchemaGetPredefinedType. */
	xmlSchemaInitTypes();
	xmlSetExternalEntityLoader(safe_entity_loader);
}

void xml_safe_init(void)
{
	pthread_once(&init_once, init_once_fn);
}

/* ---- error collection --------------------------------------------------- */

/* Keeps the first error of a call. */
struct collector {
	int have;
	int line;
	char reason[512];
	char field[sizeof(((struct eb_detail *)0)->field)];
};

/* Copies in to out without "{namespace-uri}" prefixes, white space folded
 * to spaces, trailing white space removed, made safe by xml_safe_excerpt
 * (messages may quote the offending input).  "{'a', 'b'}" value sets are
 * kept. */
static void clean_message(const char *in, char *out, size_t outlen)
{
	char tmp[1024];
	size_t o = 0;
	for (const char *p = in ? in : ""; *p && o + 1 < sizeof tmp; p++) {
		if (*p == '{') {
			const char *q = p + 1;
			while (*q && *q != '}' && *q != ' ' && *q != '\'' &&
			       *q != '{')
				q++;
			if (*q == '}' && q > p + 1) {
				p = q;
				continue;
			}
		}
		tmp[o++] = *p;
	}
	tmp[o] = '\0';
	xml_safe_excerpt(tmp, out, outlen);
	o = strlen(out);
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

static void collector_add(struct collector *c, const xmlError *e)
{
	if (!c || !e || c->have || e->level == XML_ERR_WARNING ||
	    e->level == XML_ERR_NONE)
		return;
	c->have = 1;
	clean_message(e->message, c->reason, sizeof c->reason);
	if (!c->reason[0])
		snprintf(c->reason, sizeof c->reason, "XML error %d", e->code);
	const xmlNode *node = e->node;
	c->line = e->line;
	if (node && (node->type == XML_ELEMENT_NODE ||
		     node->type == XML_ATTRIBUTE_NODE)) {
		xml_safe_node_path(node, c->field, sizeof c->field);
		if (c->line <= 0)
			c->line = (int)xmlGetLineNo(node);
	} else {
		c->field[0] = '\0';
	}
}

/* Structured handler whose user data is the collector itself. */
static void collector_cb(void *ctx, xmlErrorPtr e)
{
	collector_add(ctx, e);
}

/* Generic (printf-style) errors are dropped: every error that matters also
 * comes through the structured path, and nothing may reach stderr. */
static void generic_sink(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* The thread's own libxml2 handlers, replaced for one call. */
struct saved_handlers {
	xmlStructuredErrorFunc serror;
	void *serror_ctx;
	xmlGenericErrorFunc generic;
	void *generic_ctx;
};

static void handlers_install(struct saved_handlers *s, struct collector *c)
{
	s->serror = xmlStructuredError;
	s->serror_ctx = xmlStructuredErrorContext;
	s->generic = xmlGenericError;
	s->generic_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(c, collector_cb);
	xmlSetGenericErrorFunc(NULL, generic_sink);
}

static void handlers_restore(const struct saved_handlers *s)
{
	xmlSetStructuredErrorFunc(s->serror_ctx, s->serror);
	xmlSetGenericErrorFunc(s->generic_ctx, s->generic);
}

/* Fills d from the collector, or with fallback when nothing was collected. */
static enum eb_err collector_fail(const struct collector *c,
				  struct eb_detail *d, enum eb_err e,
				  const char *fallback)
{
	const char *reason = c->have ? c->reason : fallback;
	const char *field = c->have ? c->field : "";
	if (!d)
		return e;
	if (c->have && c->line > 0) {
		char suffix[32];
		int sn = snprintf(suffix, sizeof suffix, " (line %d)", c->line);
		char clipped[sizeof d->msg];
		size_t room = sizeof clipped - (size_t)sn;
		xml_safe_excerpt(reason, clipped, room);
		return eb_fail(d, e, field, "%s%s", clipped, suffix);
	}
	return eb_fail(d, e, field, "%s", reason);
}

/* ---- parsing -------------------------------------------------------------- */

struct parse_state {
	struct collector coll;
	unsigned depth;
	unsigned max_depth;
	int stopped;          /* one of our rules stopped the parser */
	enum eb_err stop_err; /* and with which code */
	startElementNsSAX2Func start_ns;
	endElementNsSAX2Func end_ns;
};

static struct parse_state *state_of(void *ctx)
{
	return ((xmlParserCtxtPtr)ctx)->_private;
}

/* Records one of our own rejections (wins over anything collected later). */
static void state_stop(void *ctx, const char *reason)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_state *st = state_of(ctx);
	if (st->stopped)
		return;
	st->stopped = 1;
	st->stop_err = EB_EINVAL;
	st->coll.have = 1;
	st->coll.line = xmlSAX2GetLineNumber(ctxt);
	snprintf(st->coll.reason, sizeof st->coll.reason, "%s", reason);
	st->coll.field[0] = '\0';
	xmlStopParser(ctxt);
}

static void hook_internal_subset(void *ctx, const xmlChar *name,
				 const xmlChar *external_id,
				 const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	state_stop(ctx, "DOCTYPE declarations are not accepted (no DTDs, no "
			"entity declarations, no external entities)");
}

static void hook_entity_decl(void *ctx, const xmlChar *name, int type,
			     const xmlChar *public_id, const xmlChar *system_id,
			     xmlChar *content)
{
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	state_stop(ctx, "entity declarations are not accepted");
}

static void hook_start_ns(void *ctx, const xmlChar *localname,
			  const xmlChar *prefix, const xmlChar *uri,
			  int nb_namespaces, const xmlChar **namespaces,
			  int nb_attributes, int nb_defaulted,
			  const xmlChar **attributes)
{
	struct parse_state *st = state_of(ctx);
	if (st->stopped)
		return;
	if (++st->depth > st->max_depth) {
		char msg[96];
		snprintf(msg, sizeof msg,
			 "elements are nested deeper than the limit of %u levels",
			 st->max_depth);
		state_stop(ctx, msg);
		return;
	}
	st->start_ns(ctx, localname, prefix, uri, nb_namespaces, namespaces,
		     nb_attributes, nb_defaulted, attributes);
}

static void hook_end_ns(void *ctx, const xmlChar *localname,
			const xmlChar *prefix, const xmlChar *uri)
{
	struct parse_state *st = state_of(ctx);
	if (st->stopped)
		return;
	if (st->depth)
		st->depth--;
	st->end_ns(ctx, localname, prefix, uri);
}

/* Errors raised through the parser context: its user data is the context. */
static void parser_serror(void *ctx, xmlErrorPtr e)
{
	struct parse_state *st = state_of(ctx);
	if (st)
		collector_add(&st->coll, e);
}

enum eb_err xml_safe_parse(const char *data, size_t len,
			   const struct xml_safe_limits *lim, xmlDocPtr *out,
			   struct eb_detail *d)
{
	if (!out)
		return eb_fail(d, EB_EINVAL, "", "no output document");
	*out = NULL;
	if (!data && len)
		return eb_fail(d, EB_EINVAL, "", "no input data");

	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes
						  : XML_SAFE_MAX_BYTES_DEFAULT;
	unsigned max_depth = lim && lim->max_depth ? lim->max_depth
						   : XML_SAFE_MAX_DEPTH_DEFAULT;
	if (max_bytes > INT_MAX)
		max_bytes = INT_MAX;
	if (len > max_bytes)
		return eb_fail(d, EB_ETOOBIG, "",
			       "document is %zu bytes, over the limit of %zu "
			       "bytes",
			       len, max_bytes);
	if (len == 0)
		return eb_fail(d, EB_EINVAL, "", "empty document: expected XML");

	xml_safe_init();

	struct parse_state st;
	memset(&st, 0, sizeof st);
	st.max_depth = max_depth;
	struct saved_handlers saved;
	handlers_install(&saved, &st.coll);

	enum eb_err rc = EB_OK;
	xmlDocPtr doc = NULL;
	xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
	if (!ctxt) {
		rc = eb_fail(d, EB_ENOMEM, "", "out of memory parsing XML");
		goto done;
	}
	xmlCtxtUseOptions(ctxt, PARSE_OPTIONS);
	ctxt->_private = &st;
	ctxt->sax->serror = parser_serror;
	ctxt->sax->internalSubset = hook_internal_subset;
	ctxt->sax->entityDecl = hook_entity_decl;
	st.start_ns = ctxt->sax->startElementNs;
	st.end_ns = ctxt->sax->endElementNs;
	if (!st.start_ns || !st.end_ns) {
		rc = eb_fail(d, EB_EINTERNAL, "", "libxml2 SAX2 handlers missing");
		goto done;
	}
	ctxt->sax->startElementNs = hook_start_ns;
	ctxt->sax->endElementNs = hook_end_ns;

	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;

	if (st.stopped) {
		rc = collector_fail(&st.coll, d, st.stop_err, "rejected");
	} else if (!ctxt->wellFormed || !ctxt->nsWellFormed || !doc) {
		rc = collector_fail(&st.coll, d, EB_EINVAL,
				    "not well-formed XML");
	} else if (doc->intSubset || doc->extSubset) {
		/* Unreachable while the hook works; kept as a second lock. */
		rc = eb_fail(d, EB_EINVAL, "",
			     "DOCTYPE declarations are not accepted");
	} else if (!xmlDocGetRootElement(doc)) {
		rc = eb_fail(d, EB_EINVAL, "", "no root element");
	}

done:
	if (ctxt) {
		ctxt->_private = NULL;
		xmlFreeParserCtxt(ctxt);
	}
	handlers_restore(&saved);
	if (rc != EB_OK) {
		if (doc)
			xmlFreeDoc(doc);
		return rc;
	}
	*out = doc;
	return EB_OK;
}

void xml_safe_doc_free(xmlDocPtr doc)
{
	if (doc)
		xmlFreeDoc(doc);
}

/* ---- schemas ------------------------------------------------------------ */

struct xml_safe_schema {
	xmlDocPtr doc;       /* the XSD tree; the compiled schema points into it */
	xmlSchemaPtr schema; /* read-only after load */
};

/* Reads a whole regular file of at most max bytes into a new buffer. */
static enum eb_err file_read(const char *path, size_t max, char **out,
			     size_t *len, struct eb_detail *d)
{
	*out = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return eb_fail(d, EB_EIO, "", "cannot open %s: %m", path);
	enum eb_err rc = EB_OK;
	struct stat sb;
	char *buf = NULL;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		rc = eb_fail(d, EB_EIO, "", "%s is not a regular file", path);
		goto out;
	}
	if ((unsigned long long)sb.st_size > max) {
		rc = eb_fail(d, EB_ETOOBIG, "", "%s is over %zu bytes", path,
			     max);
		goto out;
	}
	size_t n = (size_t)sb.st_size;
	buf = malloc(n + 1);
	if (!buf) {
		rc = eb_fail(d, EB_ENOMEM, "", "out of memory reading %s", path);
		goto out;
	}
	if (n && fread(buf, 1, n, f) != n) {
		rc = eb_fail(d, EB_EIO, "", "cannot read %s", path);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return rc;
}

/* 1 when the file cannot be read or holds a DOCTYPE (or an entity
 * declaration): the included schema files must be as plain as the main. */
static int file_has_doctype(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	if (file_read(path, SCHEMA_MAX_BYTES, &text, &len, NULL))
		return 1;
	int bad = memmem(text, len, "<!DOCTYPE", 9) || memmem(text, len, "<!ENTITY", 8);
	free(text);
	return bad;
}

enum eb_err xml_safe_schema_load(const char *path, struct xml_safe_schema **out,
				 struct eb_detail *d)
{
	if (!out)
		return eb_fail(d, EB_EINVAL, "", "no output schema");
	*out = NULL;
	if (!path)
		return eb_fail(d, EB_EINVAL, "", "no schema path");

	char *text = NULL;
	size_t len = 0;
	enum eb_err rc = file_read(path, SCHEMA_MAX_BYTES, &text, &len, d);
	if (rc)
		return rc;

	struct xml_safe_limits lim = {SCHEMA_MAX_BYTES, SCHEMA_MAX_DEPTH};
	xmlDocPtr doc = NULL;
	rc = xml_safe_parse(text, len, &lim, &doc, d);
	free(text);
	if (rc)
		return rc;

	struct xml_safe_schema *s = calloc(1, sizeof *s);
	if (!s) {
		xmlFreeDoc(doc);
		return eb_fail(d, EB_ENOMEM, "", "out of memory");
	}
	s->doc = doc;

	/* Includes and imports resolve against the schema's own absolute path,
	 * and only to files beside it (safe_entity_loader). */
	char abs[PATH_MAX], dir[PATH_MAX];
	if (realpath(path, abs)) {
		doc->URL = xmlStrdup((const xmlChar *)abs);
		snprintf(dir, sizeof dir, "%s", abs);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		schema_dir = dir;
	}

	struct collector coll;
	memset(&coll, 0, sizeof coll);
	struct saved_handlers saved;
	handlers_install(&saved, &coll);
	xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewDocParserCtxt(doc);
	if (pctxt) {
		xmlSchemaSetParserStructuredErrors(pctxt, collector_cb, &coll);
		s->schema = xmlSchemaParse(pctxt);
		xmlSchemaFreeParserCtxt(pctxt);
	}
	handlers_restore(&saved);
	schema_dir = NULL;

	if (!s->schema) {
		rc = collector_fail(&coll, d, pctxt ? EB_EINVAL : EB_ENOMEM,
				    "not a valid XML Schema");
		if (d) {
			char tmp[sizeof d->msg];
			snprintf(tmp, sizeof tmp, "%s", d->msg);
			eb_fail(d, rc, d->field, "%s: %s", path, tmp);
		}
		xml_safe_schema_free(s);
		return rc;
	}
	*out = s;
	return EB_OK;
}

enum eb_err xml_safe_schema_validate(const struct xml_safe_schema *schema,
				     xmlDocPtr doc, struct eb_detail *d)
{
	if (!schema || !schema->schema || !doc)
		return eb_fail(d, EB_EINVAL, "", "no schema or document");
	xml_safe_init();

	struct collector coll;
	memset(&coll, 0, sizeof coll);
	struct saved_handlers saved;
	handlers_install(&saved, &coll);

	enum eb_err rc = EB_OK;
	xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema->schema);
	if (!vctxt) {
		rc = eb_fail(d, EB_ENOMEM, "", "out of memory validating XML");
		goto out;
	}
	xmlSchemaSetValidStructuredErrors(vctxt, collector_cb, &coll);
	int v = xmlSchemaValidateDoc(vctxt, doc);
	xmlSchemaFreeValidCtxt(vctxt);
	if (v > 0)
		rc = collector_fail(&coll, d, EB_EINVAL,
				    "not valid against the schema");
	else if (v < 0)
		rc = collector_fail(&coll, d, EB_EINTERNAL,
				    "schema validation failed internally");
out:
	handlers_restore(&saved);
	return rc;
}

void xml_safe_schema_free(struct xml_safe_schema *s)
{
	if (!s)
		return;
	if (s->schema)
		xmlSchemaFree(s->schema);
	if (s->doc)
		xmlFreeDoc(s->doc);
	free(s);
}

/* ---- element paths -------------------------------------------------------- */

static int same_name(const xmlNode *a, const xmlNode *b)
{
	if (a->type != XML_ELEMENT_NODE || b->type != XML_ELEMENT_NODE)
		return 0;
	if (!xmlStrEqual(a->name, b->name))
		return 0;
	const xmlChar *na = a->ns ? a->ns->href : NULL;
	const xmlChar *nb = b->ns ? b->ns->href : NULL;
	return xmlStrEqual(na, nb);
}

const char *xml_safe_node_path(const xmlNode *node, char *out, size_t outlen)
{
	if (!out || !outlen)
		return out;
	out[0] = '\0';
	/* Built backwards from the leaf into tmp. */
	char tmp[1024];
	size_t pos = sizeof tmp - 1;
	tmp[pos] = '\0';
	int truncated = 0;
	unsigned guard = 0;
	for (const xmlNode *n = node; n && guard < 4096; n = n->parent, guard++) {
		char seg[160], name[124];
		int sl;
		xml_safe_excerpt((const char *)n->name, name, sizeof name);
		if (n->type == XML_ATTRIBUTE_NODE) {
			sl = snprintf(seg, sizeof seg, "/@%s", name);
		} else if (n->type == XML_ELEMENT_NODE) {
			unsigned idx = 1, total = 1;
			for (const xmlNode *s = n->prev; s; s = s->prev)
				if (same_name(s, n))
					idx++, total++;
			for (const xmlNode *s = n->next; s; s = s->next)
				if (same_name(s, n))
					total++;
			if (total > 1)
				sl = snprintf(seg, sizeof seg, "/%s[%u]", name,
					      idx);
			else
				sl = snprintf(seg, sizeof seg, "/%s", name);
		} else {
			continue; /* document, text, ... */
		}
		if (sl < 0)
			break;
		size_t segl = (size_t)sl < sizeof seg ? (size_t)sl : sizeof seg - 1;
		if (segl > pos) {
			truncated = 1;
			break;
		}
		pos -= segl;
		memcpy(tmp + pos, seg, segl);
	}
	const char *path = tmp + pos;
	size_t plen = strlen(path);
	if (!truncated && plen < outlen) {
		memcpy(out, path, plen + 1);
		return out;
	}
	/* Keep the end, which names the element itself. */
	if (outlen <= 4) {
		out[0] = '\0';
		return out;
	}
	size_t keep = outlen - 4;
	if (keep > plen)
		keep = plen;
	/* start on a character, not inside one */
	while (keep > 0 && ((unsigned char)path[plen - keep] & 0xC0) == 0x80)
		keep--;
	memcpy(out, "...", 3);
	memcpy(out + 3, path + plen - keep, keep);
	out[3 + keep] = '\0';
	return out;
}

/* ---- text ----------------------------------------------------------------- */

int xml_safe_text_valid(const char *s)
{
	if (!s)
		return 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		unsigned cp;
		int n;
		if (c < 0x80) {
			cp = c;
			n = 0;
		} else if (c >= 0xC2 && c <= 0xDF) {
			cp = c & 0x1F;
			n = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			cp = c & 0x0F;
			n = 2;
		} else if (c >= 0xF0 && c <= 0xF4) {
			cp = c & 0x07;
			n = 3;
		} else {
			return 0;
		}
		p++;
		for (int i = 0; i < n; i++, p++) {
			if ((*p & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (*p & 0x3F);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		if (cp < 0x20 && cp != 0x9 && cp != 0xA && cp != 0xD)
			return 0;
		if (cp == 0xFFFE || cp == 0xFFFF)
			return 0;
	}
	return 1;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when p does not
 * start one. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

const char *xml_safe_excerpt(const char *s, char *out, size_t outlen)
{
	if (!out || !outlen)
		return out;
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n = utf8_seq(p);
		if (n == 0) {
			if (o + 1 >= outlen)
				break;
			out[o++] = '?';
			p++;
			continue;
		}
		if (o + n >= outlen)
			break;
		if (n == 1 && (*p < 0x20 || *p == 0x7F))
			out[o++] = ' ';
		else
			memcpy(out + o, p, n), o += n;
		p += n;
	}
	out[o] = '\0';
	return out;
}

char *xml_safe_utf8_trim(char *s)
{
	if (!s)
		return s;
	size_t len = strlen(s);
	/* find the start of the last sequence (at most 3 bytes back) */
	size_t i = len, back = 0;
	while (i > 0 && back < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--, back++;
	if (i == 0)
		return s;
	unsigned lead = (unsigned char)s[i - 1];
	size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (lead >= 0x80 && back + 1 < want)
		s[i - 1] = '\0';
	return s;
}
