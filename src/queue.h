/* queue.h: seeing and steering the queues an admin looks after, as
 * Postfix's postqueue does: the outbox (mail queued, deferred with its
 * last error, refused) and the quarantine (mail set aside, kept whole).
 */
#ifndef MD_QUEUE_H
#define MD_QUEUE_H

#include <glib.h>
#include <stdbool.h>

#include "ctx.h"

struct md_outbox_entry {
	gint64 id, ticket;	/* ticket 0: a mail of no ticket (digest) */
	char *kind;		/* "ack", "notify" ... or NULL */
	char *rcpts;		/* "a@x, b@y" */
	char *state;		/* "queued" or "failed" */
	int attempts;		/* 0: not tried yet; > 0 and queued: deferred */
	gint64 created, next_try;
	char *last_error;	/* the server's words, or NULL */
};
void md_outbox_entry_free(gpointer entry);

/* The outbox rows not sent (queued, deferred, refused), oldest first,
 * into ROWS (struct md_outbox_entry *). */
bool md_queue_outbox_list(struct md_ctx *ctx, GPtrArray *rows,
			  GError **error);

/* Makes row ID (0: every queued row) due now; a refused row ID is queued
 * again with its attempts reset.  *N_R gets how many rows changed;
 * MD_ERROR_NOTFOUND if ID names no unsent row. */
bool md_queue_outbox_retry(struct md_ctx *ctx, gint64 id, guint *n_r,
			   GError **error);

/* The age in seconds of the oldest queued mail at NOW, or -1 if none. */
bool md_queue_oldest(struct md_ctx *ctx, gint64 now, gint64 *age_r,
		     GError **error);

struct md_quarantined {
	gint64 id, received;
	char *source, *reason, *message_id;
	GBytes *raw;
	gint64 raw_id;
};
void md_quarantined_clear(struct md_quarantined *q);

/* Reads quarantine entry ID with its raw bytes; MD_ERROR_NOTFOUND. */
bool md_queue_quarantine_get(struct md_ctx *ctx, gint64 id,
			     struct md_quarantined *q_r, GError **error);

/* Runs entry ID through the pipeline again (for a mail set aside by a bug
 * since fixed); the entry is removed once the pipeline has committed the
 * mail, whether to a ticket or, still failing, to a new quarantine entry
 * (*AGAIN_R true).  On a temporary failure the entry stays. */
bool md_queue_quarantine_release(struct md_ctx *ctx, gint64 id,
				 bool *again_r, GError **error);

/* Records that source NAME is parked since NOW after MESSAGE (a
 * configuration failure); its own transaction. */
bool md_queue_source_park(struct md_ctx *ctx, const char *name,
			  const char *message, GError **error);

/* *PARKED_R gets when source NAME was parked if it still is (a
 * successful fetch clears it: md_store_source_ok), else 0. */
bool md_queue_source_parked(struct md_ctx *ctx, const char *name,
			    gint64 *parked_r, GError **error);

#endif
