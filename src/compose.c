/* compose.c: the outgoing mail, written directly with gmime's encoders.
 *
 * The mails the desk sends have one shape: a few headers, a UTF-8 text,
 * and for escalations the ticket's mails attached.  Building a GMime
 * object tree for that and serialising it cost a quarter of the ingest
 * time (two mails per request); writing the lines here and leaving the
 * encodings to gmime (RFC 2047 words, quoted-printable, the date) gives
 * the same bytes a MIME library would, at a fraction of the cost.  The
 * result is parsed back by gmime in the tests.
 */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "compose.h"

#define FOLD_AT 78
/* A msg-id longer than this is not referenced (RFC 5322 allows 998
 * octets a line; an id of 5,000 made SMTP servers refuse the mail). */
#define MAX_ID 250
/* Of a References list, the first and the newest are kept up to this
 * many (RFC 5322 3.6.4 allows trimming; threading needs the ends). */
#define MAX_REFS 100
/* A subject is cut at this many characters, with "…". */
#define MAX_SUBJECT 200
/* A file name up to this many bytes fits one line of RFC 2047 words. */
#define SHORT_NAME 40

/* Appends "NAME: VALUE" folded at spaces before column 78 (RFC 5322 2.2.3:
 * a fold is a line break before white space).  A word longer than a line
 * stays whole: breaking inside a msg-id or an encoded word is worse than
 * a long line, which RFC 5322 allows up to 998 octets. */
static void
header(GString *out, const char *name, const char *value)
{
	gsize start = out->len, last_space = 0;

	g_string_append_printf(out, "%s: ", name);
	for (const char *p = value; *p; p++) {
		/* Control characters never reach a header: no injection. */
		char c = (*p == '\r' || *p == '\n' || *p == '\t') ? ' ' : *p;

		if (c == ' ')
			last_space = out->len;
		g_string_append_c(out, c);
		if (out->len - start > FOLD_AT && last_space > start) {
			g_string_insert_c(out, last_space, '\n');
			start = last_space + 1;
			last_space = 0;
		}
	}
	g_string_append_c(out, '\n');
}

/* RFC 5322 atext plus space: a display name that needs no quoting. */
static bool
plain_phrase(const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && strchr(" !#$%&'*+-/=?^_`{|}~", *s)
		    == NULL)
			return false;
	return true;
}

static char *
mailbox(const char *name, const char *addr)
{
	char *phrase, *s;

	if (name == NULL || name[0] == '\0')
		return g_strdup(addr);
	if (plain_phrase(name))
		return g_strdup_printf("%s <%s>", name, addr);
	phrase = g_mime_utils_header_encode_phrase(NULL, name, "utf-8");
	s = g_strdup_printf("%s <%s>", phrase, addr);
	g_free(phrase);
	return s;
}

static void
address_list(GString *out, const char *name, const GPtrArray *list)
{
	GString *v;

	if (list == NULL || list->len == 0)
		return;
	v = g_string_new(NULL);
	for (guint i = 0; i < list->len; i++)
		g_string_append_printf(v, "%s%s", i ? ", " : "",
				       (char *)g_ptr_array_index(list, i));
	header(out, name, v->str);
	g_string_free(v, TRUE);
}

/* A msg-id fit to be written between angle brackets: printable ASCII
 * without space or brackets, and short (MAX_ID). */
static bool
usable_id(const char *id)
{
	gsize n = 0;

	if (id == NULL)
		return false;
	for (; id[n] != '\0'; n++)
		if (n >= MAX_ID || id[n] <= ' ' || id[n] >= 0x7f ||
		    id[n] == '<' || id[n] == '>')
			return false;
	return n > 0;
}

static void
references(GString *out, const char *in_reply_to, const GPtrArray *refs)
{
	GString *s = g_string_new(NULL);
	bool listed = false;
	guint n = refs != NULL ? refs->len : 0;

	for (guint i = 0; i < n; i++) {
		const char *id = g_ptr_array_index(refs, i);

		if (!usable_id(id) ||
		    (n > MAX_REFS && i > 0 && i < n - (MAX_REFS - 1)))
			continue;
		g_string_append_printf(s, "%s<%s>", s->len ? " " : "", id);
		listed = listed || g_strcmp0(id, in_reply_to) == 0;
	}
	/* RFC 5322 3.6.4: References = the parent's References followed by
	 * the parent's Message-ID. */
	if (usable_id(in_reply_to) && !listed)
		g_string_append_printf(s, "%s<%s>", s->len ? " " : "",
				       in_reply_to);
	if (s->len > 0)
		header(out, "References", s->str);
	g_string_free(s, TRUE);
}

static bool
needs_encoding(const char *text)
{
	gsize line = 0;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p >= 0x80 || (*p < 0x20 && *p != '\n' && *p != '\t'))
			return true;
		line = *p == '\n' ? 0 : line + 1;
		if (line > 76)
			return true;
	}
	return false;
}

/* The text part: UTF-8 (spec 5), 7bit when it can be, else
 * quoted-printable, so that no line passes RFC 5322's 998 octets and no
 * relay needs 8BITMIME. */
static void
text_part(GString *out, const char *text, const char *subtype)
{
	g_string_append_printf(out, "Content-Type: text/%s; charset=utf-8\n",
			       subtype);
	if (!needs_encoding(text)) {
		g_string_append(out, "Content-Transfer-Encoding: 7bit\n\n");
		g_string_append(out, text);
	} else {
		GMimeEncoding enc;
		gsize len = strlen(text), at;

		g_string_append(out, "Content-Transfer-Encoding: "
			       "quoted-printable\n\n");
		g_mime_encoding_init_encode(&enc,
			GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
		at = out->len;
		g_string_set_size(out, at + GMIME_QP_ENCODE_LEN(len) + 8);
		at += g_mime_encoding_flush(&enc, text, len, out->str + at);
		g_string_truncate(out, at);
	}
	if (out->len > 0 && out->str[out->len - 1] != '\n')
		g_string_append_c(out, '\n');
}

/* "; name=..." of one parameter as gmime encodes it (RFC 2231 or, for
 * METHOD RFC2047, an encoded word inside the quotes), UTF-8, folded. */
static void
param(GString *out, const char *name, const char *value,
      GMimeParamEncodingMethod method)
{
	GMimeParamList *list = g_mime_param_list_new();
	GMimeParam *p;
	char *clean = g_strdup(value);

	/* A name is text: control characters never reach a header. */
	for (char *c = clean; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	g_mime_param_list_set_parameter(list, name, clean);
	p = g_mime_param_list_get_parameter(list, name);
	g_mime_param_set_charset(p, "utf-8");
	g_mime_param_set_encoding_method(p, method);
	/* Appends "; name=value" (folded with "\n\t" as needed) and a
	 * final line break, which is dropped here. */
	g_mime_param_list_encode(list, NULL, TRUE, out);
	if (out->len > 0 && out->str[out->len - 1] == '\n')
		g_string_truncate(out, out->len - 1);
	g_object_unref(list);
	g_free(clean);
}

/* TYPE if it is a MIME type (token "/" token, RFC 2045 5.1), else
 * application/octet-stream. */
static const char *
mime_type(const char *type)
{
	const char *slash;

	if (type == NULL || (slash = strchr(type, '/')) == NULL ||
	    slash == type || slash[1] == '\0')
		return "application/octet-stream";
	for (const char *c = type; *c != '\0'; c++)
		if (c != slash && !g_ascii_isalnum(*c) &&
		    strchr("!#$&-^_.+", *c) == NULL)
			return "application/octet-stream";
	return type;
}

/* RAW attached as message/rfc822 (RFC 2046 5.2.1: 7bit or 8bit only),
 * named NAME if not NULL. */
static void
rfc822_part(GString *out, GBytes *raw, const char *name)
{
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);
	bool eight = false;

	for (gsize i = 0; i < len && !eight; i++)
		eight = (unsigned char)data[i] >= 0x80;
	g_string_append(out, "Content-Type: message/rfc822\n");
	g_string_append(out, "Content-Disposition: attachment");
	if (name != NULL && name[0] != '\0')
		param(out, "filename", name, GMIME_PARAM_ENCODING_METHOD_RFC2231);
	g_string_append_printf(out, "\nContent-Transfer-Encoding: %s\n\n",
			       eight ? "8bit" : "7bit");
	for (gsize i = 0; i < len; i++)
		if (data[i] != '\r' && data[i] != '\0')
			g_string_append_c(out, data[i]);
	if (len > 0 && data[len - 1] != '\n')
		g_string_append_c(out, '\n');
}

/* F as a base64 part, Content-Disposition: attachment with its name. */
static void
file_part(GString *out, const struct md_outfile *f)
{
	const char *type = mime_type(f->type);
	bool named = f->name != NULL && f->name[0] != '\0';
	gsize len, at;
	const char *data = g_bytes_get_data(f->data, &len);
	GMimeEncoding enc;

	if (g_ascii_strcasecmp(type, "message/rfc822") == 0) {
		rfc822_part(out, f->data, f->name);
		return;
	}
	g_string_append_printf(out, "Content-Type: %s", type);
	/* Content-Type's name= in RFC 2047 words is what older clients
	 * (Outlook before 2007) read; gmime reads back only part of a long
	 * run of such words, so a long name goes in RFC 2231 there too. */
	if (named)
		param(out, "name", f->name, strlen(f->name) <= SHORT_NAME
		      ? GMIME_PARAM_ENCODING_METHOD_RFC2047
		      : GMIME_PARAM_ENCODING_METHOD_RFC2231);
	g_string_append(out, "\nContent-Disposition: attachment");
	if (named)
		param(out, "filename", f->name,
		      GMIME_PARAM_ENCODING_METHOD_RFC2231);
	g_string_append(out, "\nContent-Transfer-Encoding: base64\n\n");
	/* gmime's encoder: lines of 76 characters ending in LF. */
	g_mime_encoding_init_encode(&enc, GMIME_CONTENT_ENCODING_BASE64);
	at = out->len;
	g_string_set_size(out, at + GMIME_BASE64_ENCODE_LEN(len) + 8);
	at += g_mime_encoding_flush(&enc, len > 0 ? data : "", len,
				    out->str + at);
	g_string_truncate(out, at);
	if (out->len > 0 && out->str[out->len - 1] != '\n')
		g_string_append_c(out, '\n');
}

/* "=_" cannot appear in quoted-printable nor base64 output, and the
 * Message-ID makes a boundary unique against the attached mails. */
static char *
boundary_new(const struct md_outmail *m, const char *what)
{
	char *b = g_strdup_printf("=_maildesk_%s_%s", what, m->message_id);

	g_strdelimit(b, "@", '_');
	return b;
}

/* The text, with its HTML alternative when there is one (RFC 2046 5.1.4:
 * the richest last). */
static void
texts(GString *out, const struct md_outmail *m)
{
	char *boundary;

	if (m->html == NULL) {
		text_part(out, m->text, "plain");
		return;
	}
	boundary = boundary_new(m, "alt");
	g_string_append_printf(out, "Content-Type: multipart/alternative; "
			       "boundary=\"%s\"\n\n--%s\n", boundary,
			       boundary);
	text_part(out, m->text, "plain");
	g_string_append_printf(out, "\n--%s\n", boundary);
	text_part(out, m->html, "html");
	g_string_append_printf(out, "\n--%s--\n", boundary);
	g_free(boundary);
}

static void
body(GString *out, const struct md_outmail *m)
{
	char *boundary;

	g_string_append(out, "MIME-Version: 1.0\n");
	if ((m->attach == NULL || m->attach->len == 0) &&
	    (m->files == NULL || m->files->len == 0)) {
		texts(out, m);
		return;
	}
	boundary = boundary_new(m, "mix");
	g_string_append_printf(out, "Content-Type: multipart/mixed; "
			       "boundary=\"%s\"\n\n", boundary);
	/* RFC 2046 5.1.1: the line break before "--boundary" belongs to the
	 * delimiter, so each part's own last line break comes before it. */
	g_string_append_printf(out, "--%s\n", boundary);
	texts(out, m);
	for (guint i = 0; m->attach != NULL && i < m->attach->len; i++) {
		g_string_append_printf(out, "\n--%s\n", boundary);
		rfc822_part(out, g_ptr_array_index(m->attach, i), NULL);
	}
	for (guint i = 0; m->files != NULL && i < m->files->len; i++) {
		g_string_append_printf(out, "\n--%s\n", boundary);
		file_part(out, g_ptr_array_index(m->files, i));
	}
	g_string_append_printf(out, "\n--%s--\n", boundary);
	g_free(boundary);
}

/* LF -> CRLF: libcurl and SMTP want CRLF; the maildir transport converts
 * back. */
static GBytes *
crlf(GString *lf)
{
	GString *out = g_string_sized_new(lf->len + lf->len / 30 + 2);

	for (gsize i = 0; i < lf->len; i++) {
		if (lf->str[i] == '\n')
			g_string_append_c(out, '\r');
		g_string_append_c(out, lf->str[i]);
	}
	return g_string_free_to_bytes(out);
}

char *
md_compose_cut(const char *text, glong max)
{
	const char *end;

	if (g_utf8_strlen(text, -1) <= max)
		return g_strdup(text);
	end = g_utf8_offset_to_pointer(text, max - 1);
	return g_strdup_printf("%.*s\xe2\x80\xa6", (int)(end - text), text);
}

/* The size of the mail, about: one allocation for most. */
static gsize
estimate(const struct md_outmail *m)
{
	gsize n = strlen(m->text) * 3 / 2 + 1024;

	for (guint i = 0; m->files != NULL && i < m->files->len; i++)
		n += g_bytes_get_size(((const struct md_outfile *)
			g_ptr_array_index(m->files, i))->data) * 78 / 57 + 1024;
	return n;
}

GBytes *
md_compose(const struct md_outmail *m)
{
	GString *out = g_string_sized_new(estimate(m));
	GDateTime *utc = g_date_time_new_from_unix_utc(m->date);
	GDateTime *local = g_date_time_to_timezone(utc, m->tz);
	char *s, *enc;
	GBytes *bytes;

	/* Not folded: gmime (and others) keep a fold inside a display name
	 * as part of the name. */
	s = mailbox(m->from_name, m->from_addr);
	g_string_append_printf(out, "From: %s\n", s);
	g_free(s);
	address_list(out, "To", m->to);
	address_list(out, "Cc", m->cc);
	if (m->reply_to != NULL) {
		s = mailbox(m->from_name, m->reply_to);
		g_string_append_printf(out, "Reply-To: %s\n", s);
		g_free(s);
	}
	s = md_compose_cut(m->subject, MAX_SUBJECT);
	enc = g_mime_utils_header_encode_text(NULL, s, "utf-8");
	header(out, "Subject", enc);
	g_free(enc);
	g_free(s);
	s = g_mime_utils_header_format_date(local);
	header(out, "Date", s);
	g_free(s);
	g_string_append_printf(out, "Message-ID: <%s>\n", m->message_id);
	if (usable_id(m->in_reply_to))
		g_string_append_printf(out, "In-Reply-To: <%s>\n",
				       m->in_reply_to);
	references(out, m->in_reply_to, m->references);
	if (m->auto_submitted != NULL) {
		/* RFC 3834 5; Exchange's header keeps its OOF quiet. */
		header(out, "Auto-Submitted", m->auto_submitted);
		header(out, "X-Auto-Response-Suppress", "All");
	}
	if (m->loop != NULL)
		header(out, "X-Loop", m->loop);
	body(out, m);
	bytes = crlf(out);
	g_string_free(out, TRUE);
	g_date_time_unref(local);
	g_date_time_unref(utc);
	return bytes;
}
