/* msg.h: one inbound message parsed with gmime into plain facts.
 *
 * This is the only module that touches gmime on input: the rest of the
 * pipeline reads a struct md_msg.  All text is valid UTF-8 whatever the
 * charset the mail declared (unknown or lying charsets are decoded as
 * Windows-1252, then invalid bytes replaced), addresses are lowercased
 * addr-specs, Message-IDs are stored without angle brackets.
 *
 * Everything in the struct is owned by it and valid until md_msg_free.
 */
#ifndef MD_MSG_H
#define MD_MSG_H

#include <glib.h>
#include <stdbool.h>

struct md_attachment {
	char *name;		/* decoded (RFC 2047 / RFC 2231); "" if none */
	char *type;		/* "application/pdf" */
	gint64 size;		/* decoded size in bytes */
	/* The decoded bytes (transfer encoding undone); for a message/rfc822
	 * part, the embedded message.  Never NULL.  A mail is capped by
	 * limits.max_message_size and each part is decoded once, so the
	 * attachments of one message hold at most about its own size. */
	GBytes *data;
};

struct md_msg {
	char *message_id;	/* NULL if absent */
	char *in_reply_to;	/* first msg-id of In-Reply-To, or NULL */
	GPtrArray *references;	/* char *, in header order, never NULL */
	char *subject;		/* decoded, whitespace folded; "" if absent */

	char *from;		/* addr-spec of From, or NULL */
	char *from_name;	/* display name, or NULL */
	char *sender;		/* Sender: addr-spec, or NULL */
	GPtrArray *to;		/* char * addr-specs, never NULL */
	GPtrArray *cc;
	GPtrArray *reply_to;
	char *return_path;	/* NULL if no Return-Path; "" for <> */
	gint64 date;		/* unix seconds from Date:, 0 if absent/bad */

	char *text;		/* whole plain text (HTML rendered); never NULL */
	char *new_text;		/* text without quoted history; never NULL */
	bool html_only;		/* the text was rendered from HTML */
	GPtrArray *attachments;	/* struct md_attachment * */

	char *body_hash;	/* hex SHA-1 of the bytes after the header */

	/* Markers the loop rules read (spec section 5); NULL if absent. */
	char *auto_submitted;
	char *precedence;
	char *x_auto_response_suppress;
	bool has_x_autoreply;	/* X-Autoreply, X-Autorespond(er) present */
	char *x_mailer;		/* X-Mailer, or NULL */
	bool has_list_id;	/* List-Id present */
	bool has_list_unsubscribe;
	bool is_report;		/* top-level multipart/report */
	char *report_type;	/* its report-type parameter, or NULL */
	GPtrArray *x_loop;	/* char *, every X-Loop value, never NULL */
	/* A ticketing system's header: RT-Ticket, X-OTRS-*, X-Zammad-*,
	 * X-Ticket-ID, X-RT-Loop-Prevention... */
	bool ticketing;
	GPtrArray *auth_results;	/* char *, every Authentication-Results */
	char *x_failed_recipients;	/* bounce marker (Exim), or NULL */
	char *bounced_recipient;	/* Final-Recipient of a DSN, or NULL */
	/* Original Message-ID named in a DSN's message/rfc822(-headers). */
	char *bounced_message_id;
	char *bounced_subject;	/* its Subject, or NULL */
	/* From of the first message/rfc822 part outside a report (a
	 * forwarded original), lowercased, or NULL. */
	char *forwarded_from;
};

/* A header block larger than this is refused (MD_ERROR_DATA). */
#define MD_MSG_MAX_HEADER (1024 * 1024)
/* Of References, the first and the newest are kept up to this many. */
#define MD_MSG_MAX_REFERENCES 100

/* Parses RAW (LEN bytes, may contain NULs and any line endings).
 * Fails with MD_ERROR_DATA when the bytes are not a message at all
 * (no header block); damaged MIME inside a message is tolerated and
 * yields what could be read. *MSG_R is owned by the caller. */
bool md_msg_parse(const char *raw, gsize len, struct md_msg **msg_r,
		  GError **error);

/* Accepts NULL. */
void md_msg_free(struct md_msg *msg);

/* Hex SHA-1 of the body of RAW (the bytes after the first empty line;
 * the whole of RAW if there is none).  Returns g_free. */
char *md_msg_body_hash(const char *raw, gsize len);

/* Splits TEXT into the new part and the quoted history: drops trailing
 * ">" blocks, "On ... wrote:", "Le ... a écrit :", Outlook's
 * "De : ... Envoyé : ..." / "From: ... Sent: ..." blocks and what follows,
 * "-----Original Message-----" and signatures after "-- ".  Returns g_free. */
char *md_msg_strip_quotes(const char *text);

/* Renders HTML as plain text (block elements become line breaks, entities
 * decoded, script/style dropped).  Returns g_free. */
char *md_msg_html_to_text(const char *html);

#endif
