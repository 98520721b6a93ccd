/* compose.c: gmime builds the outgoing mail. */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "compose.h"

static void
add_list(GMimeMessage *msg, GMimeAddressType type, const GPtrArray *list)
{
	for (guint i = 0; list != NULL && i < list->len; i++)
		g_mime_message_add_mailbox(msg, type, NULL,
					   g_ptr_array_index(list, i));
}

static char *
id_list(const char *in_reply_to, const GPtrArray *refs)
{
	GString *s = g_string_new(NULL);
	bool listed = false;

	for (guint i = 0; refs != NULL && i < refs->len; i++) {
		const char *id = g_ptr_array_index(refs, i);

		g_string_append_printf(s, "%s<%s>", s->len ? " " : "", id);
		listed = listed || g_strcmp0(id, in_reply_to) == 0;
	}
	/* RFC 5322 3.6.4: References = the parent's References followed by
	 * the parent's Message-ID. */
	if (in_reply_to != NULL && !listed)
		g_string_append_printf(s, "%s<%s>", s->len ? " " : "",
				       in_reply_to);
	return g_string_free(s, s->len == 0);
}

/* The text part.  Spec 5 says UTF-8 (g_mime_text_part_set_text would
 * convert to Latin-1 when it fits), and the encoding keeps lines under
 * RFC 5322's 998 octets and needs no 8BITMIME from the relay. */
static GMimeObject *
text_part(const char *text)
{
	GMimePart *part = GMIME_PART(g_mime_text_part_new_with_subtype("plain"));
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(text,
								strlen(text));
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(
		stream, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, content);
	g_mime_text_part_set_charset(GMIME_TEXT_PART(part), "utf-8");
	g_mime_part_set_content_encoding(part,
		g_mime_part_get_best_content_encoding(part,
			GMIME_ENCODING_CONSTRAINT_7BIT));
	g_object_unref(content);
	g_object_unref(stream);
	return GMIME_OBJECT(part);
}

/* RAW as a message/rfc822 part, or NULL if gmime cannot read it. */
static GMimeObject *
rfc822_part(GBytes *raw)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(
		g_bytes_unref_to_array(g_bytes_ref(raw)));
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *inner = g_mime_parser_construct_message(parser, NULL);
	GMimeObject *part = NULL;

	if (inner != NULL) {
		part = GMIME_OBJECT(g_mime_message_part_new_with_message(
			"rfc822", inner));
		g_object_unref(inner);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	return part;
}

static GMimeObject *
body(const struct md_outmail *m)
{
	GMimeObject *text = text_part(m->text);
	GMimeMultipart *mixed;

	if (m->attach == NULL || m->attach->len == 0)
		return text;
	mixed = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mixed, text);
	g_object_unref(text);
	for (guint i = 0; i < m->attach->len; i++) {
		GMimeObject *part = rfc822_part(g_ptr_array_index(m->attach,
								  i));

		if (part != NULL) {
			g_mime_multipart_add(mixed, part);
			g_object_unref(part);
		}
	}
	return GMIME_OBJECT(mixed);
}

GBytes *
md_compose(const struct md_outmail *m)
{
	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *obj = GMIME_OBJECT(msg);
	GMimeFormatOptions *fmt = g_mime_format_options_new();
	GDateTime *utc, *local;
	GMimeObject *part;
	char *refs, *text;

	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, m->from_name,
				   m->from_addr);
	add_list(msg, GMIME_ADDRESS_TYPE_TO, m->to);
	add_list(msg, GMIME_ADDRESS_TYPE_CC, m->cc);
	if (m->reply_to != NULL)
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO,
					   m->from_name, m->reply_to);
	g_mime_message_set_subject(msg, m->subject, "utf-8");
	utc = g_date_time_new_from_unix_utc(m->date);
	local = g_date_time_to_timezone(utc, m->tz);
	g_mime_message_set_date(msg, local);
	g_mime_message_set_message_id(msg, m->message_id);
	if (m->in_reply_to != NULL) {
		char *irt = g_strdup_printf("<%s>", m->in_reply_to);

		g_mime_object_set_header(obj, "In-Reply-To", irt, NULL);
		g_free(irt);
	}
	refs = id_list(m->in_reply_to, m->references);
	if (refs != NULL)
		g_mime_object_set_header(obj, "References", refs, NULL);
	if (m->automatic) {
		g_mime_object_set_header(obj, "Auto-Submitted",
					 "auto-replied", NULL);
		g_mime_object_set_header(obj, "X-Auto-Response-Suppress",
					 "All", NULL);
	}
	if (m->loop != NULL)
		g_mime_object_set_header(obj, "X-Loop", m->loop, NULL);
	part = body(m);
	g_mime_message_set_mime_part(msg, part);
	g_object_unref(part);

	/* libcurl and SMTP want CRLF; the maildir transport converts back. */
	g_mime_format_options_set_newline_format(fmt, GMIME_NEWLINE_FORMAT_DOS);
	text = g_mime_object_to_string(obj, fmt);
	g_mime_format_options_free(fmt);
	g_free(refs);
	g_date_time_unref(local);
	g_date_time_unref(utc);
	g_object_unref(msg);
	return g_bytes_new_take(text, strlen(text));
}
