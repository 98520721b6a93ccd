/* outbox.h: the queue of outgoing mail and its sender.
 *
 * Rows are queued by the pipeline in the transaction that caused them
 * (store.c); md_outbox_flush hands due rows to a transport, one connection
 * for the batch.  A temporary failure reschedules the row with capped
 * exponential backoff (1 min doubling to 1 h, given up after 5 days); a
 * permanent one marks it failed and records the refusal on the ticket.
 */
#ifndef MD_OUTBOX_H
#define MD_OUTBOX_H

#include <glib.h>
#include <stdbool.h>

struct md_ctx;
struct md_transport;
struct md_ticket;
struct md_msg;
struct md_intent;

struct md_outbox_stats {
	guint sent;
	guint deferred;		/* temporary failure, will retry */
	guint failed;		/* permanent failure, recorded on the ticket */
	guint config;		/* of deferred: a failure waiting will not fix
				 * (authentication, certificate) */
};

/* Composes the mail IN asks for about ticket T, in answer to TRIGGER (the
 * inbound message that caused it, or NULL), and queues it with its
 * messages row in the caller's transaction.  An automatic mail over
 * autoreply.per_sender_per_day for its recipient, or a reminder or
 * closing notice to an address that bounces, is not queued (*QUEUED_R
 * false) and the refusal is recorded on the ticket.  A mail that answers
 * no inbound mail threads on the requester's last one. */
bool md_outbox_queue(struct md_ctx *ctx, const struct md_ticket *t,
		     const struct md_msg *trigger,
		     const struct md_intent *in, bool *queued_r,
		     GError **error);

/* Queues M, a mail about no ticket (KIND "digest"), in the caller's
 * transaction; its Message-ID is made here (m->message_id is ignored). */
struct md_outmail;
bool md_outbox_queue_mail(struct md_ctx *ctx, const char *kind,
			  struct md_outmail *m, GError **error);

/* Sends up to MAX (0: all) due rows through T.  Adds to *STATS.  Returns
 * false only when the database fails; transport failures are per row.
 * STOP, if not NULL, is read between mails. */
bool md_outbox_flush(struct md_ctx *ctx, struct md_transport *t, guint max,
		     const volatile gint *stop, struct md_outbox_stats *stats,
		     GError **error);

/* *DUE_R = unix time when the next queued row is due, or -1 if none. */
bool md_outbox_next_due(struct md_ctx *ctx, gint64 *due_r, GError **error);

/* N bytes as a person reads them ("850 bytes", "12 KB", "2.4 MB"; in
 * French "octets", "Ko", "2,4 Mo"), 1024 based.  Returns g_free. */
char *md_outbox_human_size(gint64 n, bool french);

/* The delay before attempt ATTEMPTS+1 (pure; for tests). */
gint64 md_outbox_backoff(guint attempts);

#endif
