/* compose.h: builds an outgoing mail with gmime (spec section 5).
 *
 * Pure: everything the mail says comes in the struct; the result is the
 * message as CRLF bytes, ready for any transport.
 */
#ifndef MD_COMPOSE_H
#define MD_COMPOSE_H

#include <glib.h>
#include <stdbool.h>

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
