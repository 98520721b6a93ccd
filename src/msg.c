/* msg.c: one inbound message parsed with gmime into a struct md_msg.
 *
 * Real mail lies about charsets, breaks MIME and folds headers badly, so
 * every step here degrades instead of failing: the only error is input
 * that has no header block at all.  Text decoding always ends in valid
 * UTF-8 (declared charset, else UTF-8, else Windows-1252).
 */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "error.h"
#include "msg.h"
#include "msg-text.h"

/* Text beyond this is of no use to notifications and digests, and a
 * cap keeps one absurd message from costing the whole batch. */
#define TEXT_CAP (1024 * 1024)
/* MIME nesting deeper than this is an attack or a loop, not mail. */
#define MAX_DEPTH 32

/* Windows-1252 0x80-0x9f; 0 marks the five unassigned bytes. */
static const gunichar cp1252_high[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

gunichar
md_msg_cp1252_char(guchar c)
{
	if (c < 0x80 || c >= 0xa0)
		return c;
	return cp1252_high[c - 0x80] != 0 ? cp1252_high[c - 0x80] : 0xfffd;
}

/* Bytes of unknown charset to UTF-8: kept if already UTF-8, else read as
 * Windows-1252 (what "ISO-8859-1" and undeclared 8-bit mail really is).
 * NULs are dropped: they only ever come from broken software. */
static char *
lenient_utf8(const char *s, gsize len)
{
	GString *out;
	char *copy = NULL;

	if (len == 0)
		return g_strdup("");
	if (memchr(s, '\0', len) != NULL) {
		gsize j = 0;

		copy = g_malloc(len + 1);
		for (gsize i = 0; i < len; i++)
			if (s[i] != '\0')
				copy[j++] = s[i];
		copy[j] = '\0';
		s = copy;
		len = j;
	}
	if (g_utf8_validate_len(s, len, NULL)) {
		if (copy != NULL)
			return copy;
		return g_strndup(s, len);
	}
	out = g_string_sized_new(len + len / 2 + 1);
	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)s[i];

		if (c < 0x80)
			g_string_append_c(out, (char)c);
		else
			g_string_append_unichar(out, md_msg_cp1252_char(c));
	}
	g_free(copy);
	return g_string_free(out, FALSE);
}

/* gmime can hand back bad UTF-8 from broken headers. */
char *
md_msg_valid_utf8(char *s)
{
	char *v;

	if (g_utf8_validate(s, -1, NULL))
		return s;
	v = g_utf8_make_valid(s, -1);
	g_free(s);
	return v;
}

/* Folds runs of whitespace (CR/LF of folded headers included) to one
 * space and trims, in place. */
static char *
fold_ws(char *s)
{
	char *w = s;
	bool space = false;

	for (const char *r = s; *r != '\0'; r++) {
		if (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n') {
			space = w != s;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

/* CRLF and lone CR to LF, in place. */
static char *
normalise_eol(char *s)
{
	char *w = s;

	for (const char *r = s; *r != '\0'; r++) {
		if (*r == '\r') {
			if (r[1] != '\n')
				*w++ = '\n';
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
	return s;
}

char *
md_msg_body_hash(const char *raw, gsize len)
{
	const char *p = raw, *end = raw + len, *body = raw;
	gsize blen = len;

	/* One scan for '\n': "\r\n\r\n" is seen at its first LF, "\n\n" at
	 * its first byte, so the first hit is the earliest separator. */
	while (p < end && (p = memchr(p, '\n', (gsize)(end - p))) != NULL) {
		if (p + 1 < end && p[1] == '\n') {
			body = p + 2;
			break;
		}
		if (p > raw && p[-1] == '\r' && p + 2 < end && p[1] == '\r'
		    && p[2] == '\n') {
			body = p + 3;
			break;
		}
		p++;
	}
	if (body != raw)
		blen = (gsize)(end - body);
	/* SHA-1, not SHA-256: deduplication needs only that nobody can make
	 * a body match one they have not seen (second preimage, still out
	 * of reach for SHA-1), and GLib's SHA-1 runs twice as fast, which
	 * is a fifth of the time on mail with large attachments. */
	return g_compute_checksum_for_data(G_CHECKSUM_SHA1,
					   (const guchar *)body, blen);
}

/* RFC 5322 field name: printable ASCII but ':', then ':' (obsolete
 * syntax allows blanks before it).  An mbox "From " line may precede. */
static bool
has_header_block(const char *raw, gsize len)
{
	const char *p = raw, *end = raw + len;
	const char *name;

	if (len > 5 && memcmp(raw, "From ", 5) == 0) {
		p = memchr(raw, '\n', len);
		if (p == NULL)
			return false;
		p++;
	}
	name = p;
	while (p < end && *p > ' ' && *p < 127 && *p != ':')
		p++;
	if (p == name)
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p < end && *p == ':';
}

/* The bytes of RAW's header block (up to the first empty line). */
static gsize
header_length(const char *raw, gsize len)
{
	for (const char *p = raw; (p = memchr(p, '\n', raw + len - p)) != NULL;
	     p++) {
		const char *q = p + 1;

		if (q < raw + len && *q == '\r')
			q++;
		if (q >= raw + len || *q == '\n')
			return p - raw;
	}
	return len;
}

/* Appends to IDS the msg-ids of S: every <...> token in order (whatever
 * junk lies between, as in "Your message of ..." In-Reply-To), else the
 * bare words with an '@'.  Whitespace inside an id is removed. */
static void
scan_ids(const char *s, GPtrArray *ids)
{
	guint before = ids->len;
	const char *p = s, *open;

	while ((open = strchr(p, '<')) != NULL) {
		const char *q = open + 1;
		GString *id;

		while (*q != '\0' && *q != '>' && *q != '<')
			q++;
		if (*q == '\0')
			break;
		if (*q == '<') {
			/* "<junk <id@host>": restart at the inner bracket */
			p = q;
			continue;
		}
		id = g_string_sized_new((gsize)(q - open));
		for (const char *c = open + 1; c < q; c++)
			if (!g_ascii_isspace(*c))
				g_string_append_c(id, *c);
		if (id->len > 0)
			g_ptr_array_add(ids, g_string_free(id, FALSE));
		else
			g_string_free(id, TRUE);
		p = q + 1;
	}
	if (ids->len > before)
		return;

	char **words = g_strsplit_set(s, " \t\r\n,;", -1);

	for (guint i = 0; words[i] != NULL; i++)
		if (strchr(words[i], '@') != NULL)
			g_ptr_array_add(ids, g_strdup(words[i]));
	g_strfreev(words);
}

/* The first id of VALUE, or NULL.  Message-ID also takes a bare word. */
static char *
first_id(const char *value, bool bare_ok)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	char *id = NULL;

	scan_ids(value, ids);
	if (ids->len > 0)
		id = g_strdup(ids->pdata[0]);
	else if (bare_ok) {
		id = fold_ws(g_strdup(value));
		if (*id == '\0' || strchr(id, ' ') != NULL)
			g_clear_pointer(&id, g_free);
	}
	g_ptr_array_unref(ids);
	return id;
}

/* Header value as clean UTF-8: unfolded, trimmed. */
static char *
header_text(const char *raw)
{
	return md_msg_valid_utf8(fold_ws(lenient_utf8(raw, strlen(raw))));
}

static char *
return_path(const char *raw)
{
	char *v = header_text(raw);
	char *lt = strchr(v, '<'), *gt;
	char *addr;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL)
		addr = g_strndup(lt + 1, (gsize)(gt - lt - 1));
	else
		addr = g_strdup(v);
	g_free(v);
	addr = fold_ws(addr);
	/* "<>" is the null reverse-path of bounces (RFC 5321 4.5.5). */
	v = g_utf8_strdown(addr, -1);
	g_free(addr);
	return v;
}

/* X-Loop: lowercased, brackets stripped ("<support@desk.example>"). */
static char *
loop_value(const char *raw)
{
	char *v = header_text(raw);
	char *s = v;
	char *out;
	gsize n;

	if (*s == '<')
		s++;
	n = strlen(s);
	if (n > 0 && s[n - 1] == '>')
		n--;
	out = g_utf8_strdown(s, (gssize)n);
	g_free(v);
	return g_strstrip(out);
}

/* One RFC 2047 encoded-word "=?charset?B|Q?text?=" at P. */
struct eword {
	const char *cs, *text, *end;
	gsize cs_len, text_len;
	char enc;
};

static bool
parse_eword(const char *p, struct eword *w)
{
	const char *q, *e;

	if (p[0] != '=' || p[1] != '?')
		return false;
	w->cs = p + 2;
	for (q = w->cs; *q != '\0' && *q != '?' && !g_ascii_isspace(*q); q++)
		;
	if (*q != '?' || q == w->cs)
		return false;
	w->cs_len = (gsize)(q - w->cs);
	w->enc = g_ascii_toupper(q[1]);
	if ((w->enc != 'B' && w->enc != 'Q') || q[2] != '?')
		return false;
	w->text = q + 3;
	e = strstr(w->text, "?=");
	if (e == NULL)
		return false;
	w->text_len = (gsize)(e - w->text);
	w->end = e + 2;
	return true;
}

static void
eword_bytes(const struct eword *w, GString *out)
{
	if (w->enc == 'B') {
		gsize start = out->len;
		gint state = 0;
		guint save = 0;

		g_string_set_size(out, start + w->text_len * 3 / 4 + 3);
		g_string_set_size(out, start + g_base64_decode_step(w->text,
			w->text_len, (guchar *)out->str + start, &state,
			&save));
		return;
	}
	for (gsize i = 0; i < w->text_len; i++) {
		const char *c = w->text + i;

		if (*c == '_')
			g_string_append_c(out, ' ');
		else if (*c == '=' && i + 2 < w->text_len
			 && g_ascii_isxdigit(c[1]) && g_ascii_isxdigit(c[2])) {
			g_string_append_c(out, (char)(g_ascii_xdigit_value(c[1])
				* 16 + g_ascii_xdigit_value(c[2])));
			i += 2;
		} else
			g_string_append_c(out, *c);
	}
}

/* Adjacent encoded-words of one charset merged into one B word, so that
 * a character split across words (RFC 2047 6.3 forbids it; some mailers
 * do it in base64) decodes whole.  gmime joins split Q words itself but
 * not split B words. */
static char *
merge_ewords(const char *s)
{
	GString *out = g_string_sized_new(strlen(s));
	const char *p = s;
	struct eword w, n;

	while (*p != '\0') {
		const char *next, *run_end;
		GString *bytes;
		bool base64;
		int count = 1;

		if (!parse_eword(p, &w)) {
			g_string_append_c(out, *p++);
			continue;
		}
		bytes = g_string_new(NULL);
		eword_bytes(&w, bytes);
		base64 = w.enc == 'B';
		run_end = w.end;
		for (next = run_end; ; run_end = next = n.end, count++) {
			while (g_ascii_isspace(*next))
				next++;
			if (!parse_eword(next, &n) || n.cs_len != w.cs_len
			    || g_ascii_strncasecmp(n.cs, w.cs, w.cs_len) != 0)
				break;
			eword_bytes(&n, bytes);
			base64 = base64 || n.enc == 'B';
		}
		if (count > 1 && base64) {
			char *b64 = g_base64_encode((const guchar *)bytes->str,
						    bytes->len);

			g_string_append_printf(out, "=?%.*s?B?%s?=",
					       (int)w.cs_len, w.cs, b64);
			g_free(b64);
		} else {
			g_string_append_len(out, p, run_end - p);
		}
		g_string_free(bytes, TRUE);
		p = run_end;
	}
	return g_string_free(out, FALSE);
}

static char *
decode_subject(GMimeParserOptions *opts, const char *raw)
{
	char *u = lenient_utf8(raw, strlen(raw));
	char *m = merge_ewords(u);
	char *d = g_mime_utils_header_decode_text(opts, m);

	g_free(u);
	g_free(m);
	return md_msg_valid_utf8(fold_ws(d));
}

static void
set_once(char **field, char *value_take)
{
	if (*field == NULL)
		*field = value_take;
	else
		g_free(value_take);
}

/* Headers that ticketing systems put on every mail they send (RT, OTRS
 * and Znuny, Zammad, and the generic X-Ticket-ID). */
static bool
ticketing_header(const char *name)
{
	static const char *const exact[] = {
		"RT-Ticket", "X-RT-Loop-Prevention", "RT-Originator",
		"X-Ticket-ID", NULL,
	};
	static const char *const prefixes[] = {
		"X-OTRS-", "X-Zammad-", "X-Znuny-", NULL,
	};

	for (guint i = 0; exact[i] != NULL; i++)
		if (g_ascii_strcasecmp(name, exact[i]) == 0)
			return true;
	for (guint i = 0; prefixes[i] != NULL; i++)
		if (g_ascii_strncasecmp(name, prefixes[i],
					strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Threading needs the first (the thread's root) and the newest: the
 * middle of a long References list is dropped, so that a mail naming a
 * million ids costs no million look-ups (RFC 5322 3.6.4 allows it). */
static void
trim_references(GPtrArray *refs)
{
	if (refs->len > MD_MSG_MAX_REFERENCES)
		g_ptr_array_remove_range(refs, 1, refs->len -
					 MD_MSG_MAX_REFERENCES);
}

/* One pass over the top-level headers for everything gmime does not
 * already parse into the message (addresses and Date are taken from it). */
static void
read_header(struct md_msg *msg, GMimeParserOptions *opts, GMimeHeader *h)
{
	const char *name = g_mime_header_get_name(h);
	const char *raw = g_mime_header_get_raw_value(h);

	if (name == NULL || raw == NULL)
		return;
	if (!g_ascii_strcasecmp(name, "Subject")) {
		if (*msg->subject == '\0') {
			g_free(msg->subject);
			msg->subject = decode_subject(opts, raw);
		}
	} else if (!g_ascii_strcasecmp(name, "Message-ID")) {
		char *v = header_text(raw);

		set_once(&msg->message_id, first_id(v, true));
		g_free(v);
	} else if (!g_ascii_strcasecmp(name, "In-Reply-To")) {
		char *v = header_text(raw);

		set_once(&msg->in_reply_to, first_id(v, false));
		g_free(v);
	} else if (!g_ascii_strcasecmp(name, "References")) {
		if (msg->references->len == 0) {
			char *v = header_text(raw);

			scan_ids(v, msg->references);
			g_free(v);
			trim_references(msg->references);
		}
	} else if (!g_ascii_strcasecmp(name, "Return-Path")) {
		set_once(&msg->return_path, return_path(raw));
	} else if (!g_ascii_strcasecmp(name, "Auto-Submitted")) {
		set_once(&msg->auto_submitted, header_text(raw));
	} else if (!g_ascii_strcasecmp(name, "Precedence")) {
		set_once(&msg->precedence, header_text(raw));
	} else if (!g_ascii_strcasecmp(name, "X-Auto-Response-Suppress")) {
		set_once(&msg->x_auto_response_suppress, header_text(raw));
	} else if (!g_ascii_strcasecmp(name, "X-Failed-Recipients")) {
		set_once(&msg->x_failed_recipients, header_text(raw));
	} else if (!g_ascii_strcasecmp(name, "X-Autoreply") ||
		   !g_ascii_strcasecmp(name, "X-Autorespond") ||
		   !g_ascii_strcasecmp(name, "X-Autoresponder")) {
		msg->has_x_autoreply = true;
	} else if (!g_ascii_strcasecmp(name, "X-Mailer")) {
		set_once(&msg->x_mailer, header_text(raw));
	} else if (!g_ascii_strcasecmp(name, "List-Id")) {
		msg->has_list_id = true;
	} else if (!g_ascii_strcasecmp(name, "List-Unsubscribe")) {
		msg->has_list_unsubscribe = true;
	} else if (!g_ascii_strcasecmp(name, "X-Loop")) {
		g_ptr_array_add(msg->x_loop, loop_value(raw));
	} else if (!g_ascii_strcasecmp(name, "Authentication-Results")) {
		g_ptr_array_add(msg->auth_results, header_text(raw));
	} else if (ticketing_header(name)) {
		msg->ticketing = true;
	}
}

static void
flatten(InternetAddressList *list, GPtrArray *out, int depth)
{
	int n = list != NULL ? internet_address_list_length(list) : 0;

	for (int i = 0; i < n && depth < MAX_DEPTH; i++) {
		InternetAddress *ia = internet_address_list_get_address(list,
									 i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			InternetAddressGroup *g = INTERNET_ADDRESS_GROUP(ia);

			flatten(internet_address_group_get_members(g), out,
				depth + 1);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *a = internet_address_mailbox_get_addr(
				INTERNET_ADDRESS_MAILBOX(ia));
			char *u, *low;

			if (a == NULL || *a == '\0')
				continue;
			u = fold_ws(lenient_utf8(a, strlen(a)));
			low = g_utf8_strdown(u, -1);
			g_free(u);
			g_ptr_array_add(out, low);
		}
	}
}

/* Lowercased addr-specs of LIST.  Words without '@' ("undisclosed-
 * recipients", a bare display name) are dropped unless nothing else is
 * there. */
static GPtrArray *
addr_list(InternetAddressList *list)
{
	GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *out;

	flatten(list, all, 0);
	out = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < all->len; i++) {
		if (strchr(all->pdata[i], '@') != NULL) {
			g_ptr_array_add(out, all->pdata[i]);
			all->pdata[i] = NULL;
		}
	}
	if (out->len == 0) {
		g_ptr_array_unref(out);
		return all;
	}
	g_ptr_array_unref(all);
	return out;
}

/* First mailbox of LIST into *ADDR_R (lowercased), its name into
 * *NAME_R if NAME_R is not NULL. */
static void
first_mailbox(InternetAddressList *list, char **addr_r, char **name_r)
{
	GPtrArray *addrs = addr_list(list);
	int n = list != NULL ? internet_address_list_length(list) : 0;

	if (addrs->len > 0)
		*addr_r = g_strdup(addrs->pdata[0]);
	g_ptr_array_unref(addrs);
	for (int i = 0; name_r != NULL && i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list,
									 i);
		const char *name = internet_address_get_name(ia);

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		if (name != NULL && *name != '\0') {
			*name_r = md_msg_valid_utf8(fold_ws(g_strdup(name)));
			if (**name_r == '\0')
				g_clear_pointer(name_r, g_free);
		}
		break;
	}
}

static void
read_addresses(struct md_msg *msg, GMimeMessage *m)
{
	GPtrArray *old;

	first_mailbox(g_mime_message_get_from(m), &msg->from, &msg->from_name);
	first_mailbox(g_mime_message_get_sender(m), &msg->sender, NULL);
	old = msg->to;
	msg->to = addr_list(g_mime_message_get_to(m));
	g_ptr_array_unref(old);
	old = msg->cc;
	msg->cc = addr_list(g_mime_message_get_cc(m));
	g_ptr_array_unref(old);
	old = msg->reply_to;
	msg->reply_to = addr_list(g_mime_message_get_reply_to(m));
	g_ptr_array_unref(old);
}

/* ---- the MIME tree ---- */

enum {
	WANT_TEXT = 1,
	WANT_ATT = 2,
};

struct walk {
	struct md_msg *msg;
	GString *text;
	bool has_plain;
	bool has_html;
};

static bool
is_type(GMimeObject *obj, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

/* Attachment: disposition "attachment", or a named part that is not a
 * body text (an inline image with a name, an .ics invitation). */
static bool
is_attachment(GMimePart *part)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	const char *disp = g_mime_object_get_disposition(obj);
	const char *name;

	if (disp != NULL && !g_ascii_strcasecmp(disp, "attachment"))
		return true;
	if (is_type(obj, "text", "plain") || is_type(obj, "text", "html"))
		return false;
	name = g_mime_part_get_filename(part);
	return name != NULL && *name != '\0';
}

/* Decoded (transfer encoding undone) bytes of PART; g_byte_array_unref. */
static GByteArray *
part_bytes(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *bytes;

	if (content != NULL)
		g_mime_data_wrapper_write_to_stream(content, mem);
	/* the stream frees its array however referenced: take ownership */
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	return bytes;
}

/* Charsets whose 8-bit mail is really Windows-1252 or UTF-8 in the wild
 * (Outlook labels cp1252 as iso-8859-1; many tools label UTF-8 as
 * latin-1): decoded leniently rather than trusted. */
static bool
lenient_charset(const char *cs)
{
	static const char *const names[] = {
		"us-ascii", "ascii", "utf-8", "utf8", "iso-8859-1",
		"iso8859-1", "iso_8859-1", "latin1", "windows-1252", "cp1252",
		"x-user-defined", "unknown-8bit", "x-unknown", NULL,
	};

	for (guint i = 0; names[i] != NULL; i++)
		if (!g_ascii_strcasecmp(cs, names[i]))
			return true;
	return false;
}

/* A single-byte charset label on bytes that are valid 8-bit UTF-8 is a
 * lie (mailing-list software relabelling UTF-8 as iso-8859-15): a real
 * Latin-n text almost never forms valid multibyte sequences. */
static bool
mislabelled_utf8(const guint8 *data, gsize len, const char *cs)
{
	bool high = false;

	if (g_ascii_strncasecmp(cs, "iso-8859-", 9) != 0
	    && g_ascii_strncasecmp(cs, "windows-125", 11) != 0)
		return false;
	for (gsize i = 0; i < len && !high; i++)
		high = data[i] >= 0x80;
	return high && g_utf8_validate_len((const char *)data, len, NULL);
}

/* Text of a part in CHARSET to UTF-8 with LF line ends and no NULs. */
static char *
decode_text(const guint8 *data, gsize len, const char *charset)
{
	char *conv = NULL, *text;
	gsize conv_len = 0;

	if (len > 0 && charset != NULL && !lenient_charset(charset)
	    && !mislabelled_utf8(data, len, charset))
		conv = g_convert((const char *)data, (gssize)len, "UTF-8",
				 g_mime_charset_iconv_name(charset), NULL,
				 &conv_len, NULL);
	/* unknown charset or bytes it cannot hold: the lenient path */
	if (conv != NULL)
		text = lenient_utf8(conv, conv_len);
	else
		text = lenient_utf8((const char *)data, len);
	g_free(conv);
	return normalise_eol(text);
}

static void
append_text(struct walk *w, const char *text)
{
	gsize n;

	while (*text == '\n')
		text++;
	n = strlen(text);
	while (n > 0 && g_ascii_isspace(text[n - 1]))
		n--;
	if (n == 0 || w->text->len >= TEXT_CAP)
		return;
	if (w->text->len > 0)
		g_string_append(w->text, "\n\n");
	g_string_append_len(w->text, text, (gssize)n);
	if (w->text->len > TEXT_CAP) {
		/* cut on a character boundary */
		const char *end = g_utf8_find_prev_char(w->text->str,
			w->text->str + TEXT_CAP + 1);

		g_string_truncate(w->text, (gsize)(end - w->text->str));
	}
}

static void
text_part(struct walk *w, GMimePart *part, bool html)
{
	GByteArray *bytes = part_bytes(part);
	const char *cs = g_mime_object_get_content_type_parameter(
		GMIME_OBJECT(part), "charset");
	char *text = decode_text(bytes->data, bytes->len, cs);
	gsize before = w->text->len;

	g_byte_array_unref(bytes);
	if (html) {
		char *plain = md_msg_html_to_text(text);

		g_free(text);
		text = plain;
	}
	append_text(w, text);
	if (w->text->len > before) {
		if (html)
			w->has_html = true;
		else
			w->has_plain = true;
	}
	g_free(text);
}

/* DATA_TAKE: the decoded bytes, owned by the attachment from here. */
static void
add_attachment(struct walk *w, const char *name, GMimeObject *obj,
	       GBytes *data_take)
{
	struct md_attachment *a = g_new0(struct md_attachment, 1);
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *type = ct != NULL ? g_mime_content_type_get_mime_type(ct)
				: g_strdup("application/octet-stream");

	a->name = name != NULL ? md_msg_valid_utf8(fold_ws(lenient_utf8(name,
						    strlen(name))))
			       : g_strdup("");
	a->type = g_ascii_strdown(type, -1);
	a->data = data_take;
	a->size = (gint64)g_bytes_get_size(data_take);
	g_free(type);
	g_ptr_array_add(w->msg->attachments, a);
}

/* Unfolded value of the first field NAME in a header-like block (the
 * body of message/delivery-status or text/rfc822-headers), or NULL.
 * HEADERS_ONLY stops at the first empty line. */
static char *
block_field(const char *text, const char *name, bool headers_only)
{
	gsize nlen = strlen(name);
	const char *line = text;

	while (*line != '\0') {
		const char *eol = strchr(line, '\n');
		const char *next = eol != NULL ? eol + 1 : line + strlen(line);

		if (headers_only && (*line == '\n' || *line == '\0'))
			break;
		if (g_ascii_strncasecmp(line, name, nlen) == 0
		    && line[nlen] == ':') {
			GString *v = g_string_new_len(line + nlen + 1,
				(gssize)(next - line - (gssize)nlen - 1));

			/* RFC 5322 2.2.3: continuation lines start with WSP */
			while (*next == ' ' || *next == '\t') {
				const char *e = strchr(next, '\n');
				const char *n2 = e != NULL
					? e + 1 : next + strlen(next);

				g_string_append_len(v, next, n2 - next);
				next = n2;
			}
			return fold_ws(g_string_free(v, FALSE));
		}
		line = next;
	}
	return NULL;
}

/* "rfc822; <User@Example.com>" to "user@example.com" (RFC 3464 2.3.2). */
static char *
dsn_recipient(const char *value)
{
	const char *semi = strchr(value, ';');
	char *addr = g_strdup(semi != NULL ? semi + 1 : value);
	char *a = g_strstrip(addr);
	gsize n = strlen(a);
	char *low;

	if (*a == '<' && n > 1 && a[n - 1] == '>') {
		a[n - 1] = '\0';
		a++;
	}
	low = g_utf8_strdown(a, -1);
	g_free(addr);
	return low;
}

/* The machine parts of a multipart/report (RFC 6522): who bounced and
 * which of our messages came back. */
static void
report_part(struct walk *w, GMimeObject *obj)
{
	GByteArray *bytes = NULL;
	char *text = NULL, *v;

	if (!GMIME_IS_PART(obj))
		return;
	if (is_type(obj, "message", "delivery-status")
	    || is_type(obj, "message", "global-delivery-status")) {
		bytes = part_bytes(GMIME_PART(obj));
		text = normalise_eol(lenient_utf8((const char *)bytes->data,
						  bytes->len));
		v = block_field(text, "Final-Recipient", false);
		if (v != NULL && w->msg->bounced_recipient == NULL)
			w->msg->bounced_recipient = dsn_recipient(v);
		g_free(v);
	} else if (is_type(obj, "text", "rfc822-headers")
		   || is_type(obj, "message", "global-headers")) {
		bytes = part_bytes(GMIME_PART(obj));
		text = normalise_eol(lenient_utf8((const char *)bytes->data,
						  bytes->len));
		v = block_field(text, "Message-ID", true);
		if (v != NULL)
			set_once(&w->msg->bounced_message_id,
				 first_id(v, true));
		g_free(v);
		/* The returned subject, raw: our tag is ASCII. */
		v = block_field(text, "Subject", true);
		if (v != NULL)
			set_once(&w->msg->bounced_subject, g_strdup(v));
		g_free(v);
	} else {
		return;
	}
	g_free(text);
	g_byte_array_unref(bytes);
}

static void walk(struct walk *w, GMimeObject *obj, int flags, int depth,
		 bool in_report);

/* message/rfc822: listed as an attachment, never read as our text. */
static void
message_part(struct walk *w, GMimeMessagePart *mp, bool in_report)
{
	GMimeObject *obj = GMIME_OBJECT(mp);
	GMimeMessage *inner = g_mime_message_part_get_message(mp);
	const char *name;
	GBytes *data;

	name = g_mime_object_get_content_disposition_parameter(obj,
							       "filename");
	if (name == NULL)
		name = g_mime_object_get_content_type_parameter(obj, "name");
	/* The embedded message as gmime writes it back: its own header
	 * and body as they came (gmime keeps raw header values). */
	if (inner != NULL) {
		GMimeStream *mem = g_mime_stream_mem_new();
		GByteArray *bytes;

		g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
		bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		g_object_unref(mem);
		data = g_byte_array_free_to_bytes(bytes);
	} else {
		data = g_bytes_new(NULL, 0);
	}
	add_attachment(w, name, obj, data);
	if (!in_report && inner != NULL && w->msg->forwarded_from == NULL)
		first_mailbox(g_mime_message_get_from(inner),
			      &w->msg->forwarded_from, NULL);
	if (in_report && inner != NULL) {
		const char *id = g_mime_object_get_header(GMIME_OBJECT(inner),
							  "Message-ID");

		const char *subj = g_mime_message_get_subject(inner);

		if (id != NULL)
			set_once(&w->msg->bounced_message_id,
				 first_id(id, true));
		if (subj != NULL)
			set_once(&w->msg->bounced_subject, g_strdup(subj));
	}
}

static void
leaf_part(struct walk *w, GMimePart *part, int flags, bool in_report)
{
	GMimeObject *obj = GMIME_OBJECT(part);

	if (is_attachment(part)) {
		if (flags & WANT_ATT)
			add_attachment(w, g_mime_part_get_filename(part), obj,
				       g_byte_array_free_to_bytes(
					       part_bytes(part)));
		return;
	}
	if (in_report)
		report_part(w, obj);
	if (!(flags & WANT_TEXT))
		return;
	if (is_type(obj, "text", "plain"))
		text_part(w, part, false);
	else if (is_type(obj, "text", "html"))
		text_part(w, part, true);
}

enum alt_kind {
	ALT_NONE,
	ALT_PLAIN,
	ALT_HTML,
};

/* What body text OBJ would give: plain wins over HTML anywhere inside. */
static enum alt_kind
alt_kind(GMimeObject *obj, int depth)
{
	enum alt_kind best = ALT_NONE;

	if (GMIME_IS_MULTIPART(obj) && depth < MAX_DEPTH) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);

		for (int i = 0; i < n; i++) {
			enum alt_kind k = alt_kind(
				g_mime_multipart_get_part(mp, i), depth + 1);

			if (k == ALT_PLAIN)
				return ALT_PLAIN;
			if (k == ALT_HTML)
				best = ALT_HTML;
		}
		return best;
	}
	if (!GMIME_IS_PART(obj) || is_attachment(GMIME_PART(obj)))
		return ALT_NONE;
	if (is_type(obj, "text", "plain"))
		return ALT_PLAIN;
	return is_type(obj, "text", "html") ? ALT_HTML : ALT_NONE;
}

/* multipart/alternative: the first plain version, else the last HTML
 * one (RFC 2046 5.1.4 orders them plainest first); every branch still
 * gives its attachments (images of a multipart/related). */
static void
alternative(struct walk *w, GMimeMultipart *mp, int flags, int depth)
{
	int n = g_mime_multipart_get_count(mp);
	int plain = -1, html = -1, chosen;
	gsize before = w->text->len;

	for (int i = 0; i < n; i++) {
		enum alt_kind k = alt_kind(g_mime_multipart_get_part(mp, i),
					   depth + 1);

		if (k == ALT_PLAIN && plain < 0)
			plain = i;
		else if (k == ALT_HTML)
			html = i;
	}
	chosen = plain >= 0 ? plain : html;
	for (int i = 0; i < n; i++)
		walk(w, g_mime_multipart_get_part(mp, i),
		     (flags & WANT_ATT) | (i == chosen ? flags & WANT_TEXT : 0),
		     depth + 1, false);
	/* Some senders ship an empty text/plain beside the real HTML. */
	if ((flags & WANT_TEXT) && chosen == plain && html >= 0
	    && w->text->len == before)
		walk(w, g_mime_multipart_get_part(mp, html), WANT_TEXT,
		     depth + 1, false);
}

static void
walk(struct walk *w, GMimeObject *obj, int flags, int depth, bool in_report)
{
	if (obj == NULL || depth > MAX_DEPTH)
		return;
	if (GMIME_IS_MESSAGE_PART(obj)) {
		if (flags & WANT_ATT)
			message_part(w, GMIME_MESSAGE_PART(obj), in_report);
	} else if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		bool report = is_type(obj, "multipart", "report");

		if (is_type(obj, "multipart", "alternative")) {
			alternative(w, mp, flags, depth);
			return;
		}
		/* No boundary ever matched: the parts all sit in the
		 * prologue, which is then the only text there is. */
		if (n == 0 && (flags & WANT_TEXT)) {
			const char *pro = g_mime_multipart_get_prologue(mp);

			if (pro != NULL) {
				char *t = normalise_eol(lenient_utf8(pro,
							strlen(pro)));

				append_text(w, t);
				w->has_plain = w->text->len > 0;
				g_free(t);
			}
		}
		for (int i = 0; i < n; i++) {
			int f = flags;

			/* multipart/related: only the root is text, the rest
			 * are its resources (RFC 2387). */
			if (i > 0 && is_type(obj, "multipart", "related"))
				f &= ~WANT_TEXT;
			walk(w, g_mime_multipart_get_part(mp, i), f, depth + 1,
			     report);
		}
	} else if (GMIME_IS_PART(obj)) {
		leaf_part(w, GMIME_PART(obj), flags, in_report);
	}
}

static void
read_body(struct md_msg *msg, GMimeMessage *m)
{
	GMimeObject *top = g_mime_message_get_mime_part(m);
	struct walk w = { .msg = msg, .text = g_string_new(NULL) };

	if (top != NULL && is_type(top, "multipart", "report")) {
		const char *rt = g_mime_object_get_content_type_parameter(top,
							"report-type");

		msg->is_report = true;
		if (rt != NULL)
			msg->report_type = g_ascii_strdown(rt, -1);
	}
	walk(&w, top, WANT_TEXT | WANT_ATT, 0, false);
	msg->html_only = w.has_html && !w.has_plain;
	msg->text = g_string_free(w.text, FALSE);
	msg->new_text = md_msg_strip_quotes(msg->text);
}

static void
attachment_free(gpointer p)
{
	struct md_attachment *a = p;

	g_free(a->name);
	g_free(a->type);
	g_bytes_unref(a->data);
	g_free(a);
}

static struct md_msg *
msg_new(void)
{
	struct md_msg *msg = g_new0(struct md_msg, 1);

	msg->references = g_ptr_array_new_with_free_func(g_free);
	msg->subject = g_strdup("");
	msg->to = g_ptr_array_new_with_free_func(g_free);
	msg->cc = g_ptr_array_new_with_free_func(g_free);
	msg->reply_to = g_ptr_array_new_with_free_func(g_free);
	msg->attachments = g_ptr_array_new_with_free_func(attachment_free);
	msg->x_loop = g_ptr_array_new_with_free_func(g_free);
	msg->auth_results = g_ptr_array_new_with_free_func(g_free);
	return msg;
}

void
md_msg_free(struct md_msg *msg)
{
	if (msg == NULL)
		return;
	g_free(msg->message_id);
	g_free(msg->in_reply_to);
	g_ptr_array_unref(msg->references);
	g_free(msg->subject);
	g_free(msg->from);
	g_free(msg->from_name);
	g_free(msg->sender);
	g_ptr_array_unref(msg->to);
	g_ptr_array_unref(msg->cc);
	g_ptr_array_unref(msg->reply_to);
	g_free(msg->return_path);
	g_free(msg->text);
	g_free(msg->new_text);
	g_ptr_array_unref(msg->attachments);
	g_free(msg->body_hash);
	g_free(msg->auto_submitted);
	g_free(msg->precedence);
	g_free(msg->x_auto_response_suppress);
	g_free(msg->x_mailer);
	g_free(msg->report_type);
	g_ptr_array_unref(msg->x_loop);
	g_ptr_array_unref(msg->auth_results);
	g_free(msg->x_failed_recipients);
	g_free(msg->bounced_recipient);
	g_free(msg->bounced_message_id);
	g_free(msg->bounced_subject);
	g_free(msg->forwarded_from);
	g_free(msg);
}

static GMimeParserOptions *
lenient_options(void)
{
	/* Undeclared 8-bit in names and parameters: UTF-8, else cp1252. */
	static const char *fallback[] = { "utf-8", "windows-1252", NULL };
	GMimeParserOptions *opts = g_mime_parser_options_new();

	g_mime_parser_options_set_rfc2047_compliance_mode(opts,
		GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(opts,
		GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(opts,
		GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	return opts;
}

static void
read_headers(struct md_msg *msg, GMimeMessage *m, GMimeParserOptions *opts)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
	int n = g_mime_header_list_get_count(hl);
	GDateTime *date;

	for (int i = 0; i < n; i++)
		read_header(msg, opts, g_mime_header_list_get_header_at(hl, i));
	read_addresses(msg, m);
	date = g_mime_message_get_date(m);
	if (date != NULL)
		msg->date = g_date_time_to_unix(date);
}

bool
md_msg_parse(const char *raw, gsize len, struct md_msg **msg_r,
	     GError **error)
{
	GMimeParserOptions *opts = NULL;
	GByteArray *borrowed = NULL;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *m = NULL;
	struct md_msg *msg = NULL;
	bool ok = false;

	*msg_r = NULL;
	/* Empty input may come as NULL (an empty GBytes): no arithmetic on
	 * it (found by tests/fuzz/fuzz-msg). */
	if (len == 0 || !has_header_block(raw, len)) {
		g_set_error(error, MD_ERROR, MD_ERROR_DATA,
			    "not a mail message: no header block");
		goto out;
	}
	/* One mail must not hold the desk: gmime takes 3 s to parse a
	 * million addresses, uninterruptibly.  No MTA passes such a header
	 * (Postfix cuts at 100 KB). */
	if (header_length(raw, len) > MD_MSG_MAX_HEADER) {
		g_set_error(error, MD_ERROR, MD_ERROR_DATA,
			    "header block of %zu bytes, over the limit of %d",
			    header_length(raw, len), MD_MSG_MAX_HEADER);
		goto out;
	}
	/* The parser reads RAW in place: a GByteArray that borrows it, never
	 * grown (gmime only reads) and released with free_segment FALSE. */
	borrowed = g_byte_array_new_take((guint8 *)raw, len);
	stream = g_mime_stream_mem_new_with_byte_array(borrowed);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	opts = lenient_options();
	m = g_mime_parser_construct_message(parser, opts);
	if (m == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_DATA,
			    "not a mail message: no header block");
		goto out;
	}
	msg = msg_new();
	read_headers(msg, m, opts);
	read_body(msg, m);
	msg->body_hash = md_msg_body_hash(raw, len);
	*msg_r = g_steal_pointer(&msg);
	ok = true;
out:
	g_clear_object(&m);
	g_clear_object(&parser);
	g_clear_object(&stream);
	if (borrowed != NULL)
		g_byte_array_free(borrowed, FALSE);
	g_clear_pointer(&opts, g_mime_parser_options_free);
	md_msg_free(msg);
	return ok;
}
