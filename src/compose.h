/* compose.h: builds an outgoing mail with gmime (spec section 5).
 *
 * Pure: everything the mail says comes in the struct; the result is the
 * message as CRLF bytes, ready for any transport.
 */
#ifndef MD_COMPOSE_H
#define MD_COMPOSE_H

#include <glib.h>
#include <stdbool.h>

/* A file attached to an outgoing mail. */
struct md_outfile {
	const char *name;		/* UTF-8; NULL or "": no filename */
	const char *type;		/* "image/png"; NULL or not a MIME
					 * type: application/octet-stream */
	GBytes *data;			/* the bytes, as they are to arrive */
};

struct md_outmail {
	const char *from_name;
	const char *from_addr;
	const GPtrArray *to;		/* char * */
	const GPtrArray *cc;		/* char *, may be NULL */
	const char *reply_to;		/* may be NULL */
	const char *subject;
	const char *message_id;		/* without brackets */
	const char *in_reply_to;	/* may be NULL */
	const GPtrArray *references;	/* char *, may be NULL */
	gint64 date;			/* unix seconds */
	GTimeZone *tz;			/* Date: is written in this zone */
	const char *text;		/* UTF-8 body */
	const char *html;		/* UTF-8 HTML alternative, or NULL */
	/* RFC 3834's Auto-Submitted value ("auto-replied" for answers to a
	 * mail, "auto-generated" for mail the timers send) with Exchange's
	 * X-Auto-Response-Suppress; NULL for a person's words. */
	const char *auto_submitted;
	const char *loop;		/* X-Loop value (the desk address) */
	const GPtrArray *attach;	/* GBytes * raw mails, as message/rfc822 */
	/* struct md_outfile *, after the mails of ATTACH; may be NULL.  Each
	 * goes base64 with Content-Disposition: attachment, its name in
	 * RFC 2231 (filename*=UTF-8''...) and RFC 2047 (Content-Type's
	 * name=, for older clients), as gmime encodes parameters.  A
	 * message/rfc822 file goes as an attached mail (RFC 2046 5.2.1
	 * forbids base64 there), its name kept. */
	const GPtrArray *files;
};

/* Returns the mail as CRLF-terminated bytes.  Every header stays within
 * RFC 5322 whatever came in: the subject is cut at 200 characters with
 * "…", a msg-id over 250 characters (or not fit for brackets) is not
 * referenced, References keeps its first and newest 99, long fields are
 * folded. */
GBytes *md_compose(const struct md_outmail *m);

/* TEXT (UTF-8) cut to at most MAX characters, the last being "…" when
 * it was cut.  Returns g_free. */
char *md_compose_cut(const char *text, glong max);

#endif
