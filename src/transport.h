/* transport.h: hands a finished mail to the outside world.
 *
 * One interface, three implementations (isync's driver.h is the model):
 * transport-maildir.c writes a file into a maildir, transport-sendmail.c
 * pipes to sendmail -i -f FROM -- RCPT... (fork/exec, no shell),
 * transport-smtp.c submits with libcurl (smtp://, smtps://, STARTTLS, AUTH,
 * one connection reused across the calls of a batch).  A transport knows
 * nothing of tickets: it gets an envelope and CRLF-terminated bytes.
 *
 * Failures: MD_ERROR_TEMP means try the whole mail again later (connection
 * refused, 4xx, timeout, a TLS handshake that broke); MD_ERROR_CONFIG
 * means waiting will not fix it (authentication refused, certificate not
 * verified, no STARTTLS): the mail waits for the fixed configuration all
 * the same, and maildesk send exits 78; MD_ERROR_DATA means the mail was
 * permanently refused for every recipient (5xx).  Each function below
 * lists the codes it returns, and nothing else (msmtp's headers do so).
 * The error's message starts with the transport's place (URL without
 * credentials, program path or maildir) and quotes the server's reply;
 * it never holds the password.  The outbox decides on the code alone:
 * TEMP keeps the mail queued with backoff, DATA records it as refused.
 */
#ifndef MD_TRANSPORT_H
#define MD_TRANSPORT_H

#include <glib.h>
#include <stdbool.h>

struct md_outbound_conf;
struct md_transport;

struct md_transport_ops {
	const char *name;
	bool (*send)(struct md_transport *t, const char *mail_from,
		     const GPtrArray *rcpts, const char *data, gsize len,
		     GPtrArray *refused, GError **error);
	/* Makes every mail accepted since the last flush durable and
	 * visible; NULL when send already does.  On failure, none of them
	 * may be taken as sent. */
	bool (*flush)(struct md_transport *t, GError **error);
	void (*free)(struct md_transport *t);
};

/* Implementations embed this first. */
struct md_transport {
	const struct md_transport_ops *ops;
};

/* Opens the transport CONF describes.  CONF is borrowed and must outlive
 * the transport.  No connection is made before the first send.
 * Errors: MD_ERROR_CONFIG (no smtp:// or smtps:// URL, no sendmail
 * path), MD_ERROR_INTERNAL (libcurl cannot start), MD_ERROR_IO (the
 * outbox maildir cannot be created). */
bool md_transport_open(const struct md_outbound_conf *conf,
		       struct md_transport **t_r, GError **error);

/* Sends DATA (LEN bytes, CRLF line ends, dot-unstuffed) from MAIL_FROM
 * ("" for the null sender) to RCPTS (char *).  Returns true when at least
 * one recipient accepted it; each recipient refused permanently is then
 * appended to REFUSED (if not NULL) as a g_free'd "addr: reply" string.
 * Errors: MD_ERROR_TEMP (cannot connect, 4xx to MAIL, RCPT or DATA,
 * timeout, TLS handshake failure, sendmail killed or exiting with
 * EX_TEMPFAIL, a full disk under the maildir); MD_ERROR_CONFIG (SMTP
 * authentication refused, certificate not verified, no STARTTLS);
 * MD_ERROR_DATA (5xx to MAIL or DATA, every recipient refused with 5xx,
 * sendmail exiting with another code). */
bool md_transport_send(struct md_transport *t, const char *mail_from,
		       const GPtrArray *rcpts, const char *data, gsize len,
		       GPtrArray *refused, GError **error);

/* Ends a batch of sends (see flush above); true if there is nothing to
 * do.  Errors: MD_ERROR_TEMP (the maildir's sync failed: none of the
 * batch counts as sent). */
bool md_transport_flush(struct md_transport *t, GError **error);

/* Closes connections; accepts NULL. */
void md_transport_free(struct md_transport *t);

/* The implementations, for md_transport_open. */
bool md_transport_maildir_open(const struct md_outbound_conf *conf,
			       struct md_transport **t_r, GError **error);
bool md_transport_sendmail_open(const struct md_outbound_conf *conf,
				struct md_transport **t_r, GError **error);
bool md_transport_smtp_open(const struct md_outbound_conf *conf,
			    struct md_transport **t_r, GError **error);

#endif
