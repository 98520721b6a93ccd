/* pipeline.h: one inbound message through spec section 4, steps 1-5.
 *
 * store raw -> deduplicate -> parse -> classify -> thread -> lifecycle ->
 * outbox, all in one transaction per batch, committed durably before the
 * caller acknowledges the source (step 6).  A message that cannot be
 * parsed, is too large or breaks a rule goes to the quarantine with the
 * reason; only a temporary failure (database locked or full) fails the
 * batch, and then nothing of it is committed nor acknowledged.
 */
#ifndef MD_PIPELINE_H
#define MD_PIPELINE_H

#include <glib.h>
#include <stdbool.h>

struct md_ctx;
struct md_source;

struct md_batch_stats {
	guint stored;		/* new messages recorded on tickets */
	guint duplicates;	/* recognised and recorded once */
	guint quarantined;
	guint tickets_created;
	guint queued;		/* outgoing mails queued */
};

/* Runs BATCH (struct md_source_item *) from SOURCE_NAME in one
 * transaction.  Adds to *STATS (not reset).  On false nothing was
 * committed.  When ctx->stop turns non-zero during the run, the batch
 * ends between two messages and BATCH is shortened to what was taken
 * (and committed): only that may be acknowledged. */
bool md_pipeline_batch(struct md_ctx *ctx, const char *source_name,
		       GPtrArray *batch, struct md_batch_stats *stats,
		       GError **error);

/* Fetches SRC in batches of BATCH_SIZE until nothing waits; each batch
 * committed then acknowledged; the source's health (last fetch, last
 * error) recorded for stats.  STOP, if not NULL, is read between batches
 * and ends the drain early (SIGTERM).  PROGRESS, if not NULL, is called
 * after each batch with the number of messages taken so far. */
typedef void (*md_progress_fn)(guint done, gpointer data);
bool md_pipeline_drain(struct md_ctx *ctx, struct md_source *src,
		       guint batch_size, const volatile gint *stop,
		       md_progress_fn progress, gpointer progress_data,
		       struct md_batch_stats *stats, GError **error);

#endif
