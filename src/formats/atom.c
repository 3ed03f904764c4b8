/*
 * Atom 1.0 writer.  See atom.h.  Text goes through xml_safe_text_valid and,
 * when it fails, through xml_safe_excerpt, so the document is well formed
 * whatever the stored text holds.
 */
#include "formats/atom.h"
#include "formats/xml_safe.h"

#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#define ATOM_NS "http://www.w3.org/2005/Atom"

/* Writes an element with text, made XML-safe. */
static int text_el(xmlTextWriterPtr w, const char *name, const char *text)
{
	if (!text)
		return 0;
	if (xml_safe_text_valid(text))
		return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text) < 0 ? -1 : 0;
	size_t n = strlen(text) + 1;
	char *clean = malloc(n);
	if (!clean)
		return -1;
	xml_safe_excerpt(text, clean, n);
	int rc = xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST clean) < 0 ? -1 : 0;
	free(clean);
	return rc;
}

static int link_el(xmlTextWriterPtr w, const char *href, const char *rel, const char *type)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "link") < 0 ||
	    xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href) < 0 ||
	    (rel && xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST rel) < 0) ||
	    (type && xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST type) < 0))
		return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int author_el(xmlTextWriterPtr w, const char *name)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "author") < 0 || text_el(w, "name", name))
		return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

static int entry_el(xmlTextWriterPtr w, const struct atom_entry *e)
{
	if (xmlTextWriterStartElement(w, BAD_CAST "entry") < 0 || text_el(w, "id", e->id) ||
	    text_el(w, "title", e->title) || text_el(w, "updated", e->updated) ||
	    text_el(w, "published", e->published) || author_el(w, e->author))
		return -1;
	for (size_t i = 0; i < e->nlinks; i++)
		if (link_el(w, e->links[i].href, e->links[i].rel, e->links[i].type))
			return -1;
	if (e->category) {
		if (xmlTextWriterStartElement(w, BAD_CAST "category") < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "term", BAD_CAST e->category) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	if (text_el(w, "summary", e->summary))
		return -1;
	return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

enum eb_err atom_write(const struct atom_feed *f, const struct atom_entry *e,
		       size_t n, struct eb_buf *out, struct eb_detail *d)
{
	if (!f->id || !f->title || !f->updated || !f->author)
		return eb_fail(d, EB_EINVAL, !f->id ? "id" : !f->title ? "title" : !f->updated ? "updated" : "author",
			       "the feed lacks a required field");
	for (size_t i = 0; i < n; i++)
		if (!e[i].id || !e[i].title || !e[i].updated || !e[i].author)
			return eb_fail(d, EB_EINVAL, "entry", "entry %zu lacks id, title, updated or author", i);
	xml_safe_init();
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	if (!w) {
		if (buf)
			xmlBufferFree(buf);
		return EB_ENOMEM;
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	int bad = xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
		  xmlTextWriterStartElementNS(w, NULL, BAD_CAST "feed", BAD_CAST ATOM_NS) < 0 ||
		  text_el(w, "id", f->id) || text_el(w, "title", f->title) || text_el(w, "updated", f->updated) ||
		  (f->self && link_el(w, f->self, "self", "application/atom+xml")) || author_el(w, f->author);
	for (size_t i = 0; !bad && i < n; i++)
		bad = entry_el(w, &e[i]);
	if (!bad)
		bad = xmlTextWriterEndDocument(w) < 0;
	xmlFreeTextWriter(w);
	enum eb_err rc = bad ? EB_ENOMEM : EB_OK;
	if (!bad) {
		size_t before = out->len;
		rc = eb_buf_add(out, xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
		if (rc) {
			out->len = before;
			if (out->data)
				out->data[before] = '\0';
		}
	}
	xmlBufferFree(buf);
	return rc;
}
