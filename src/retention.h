/* retention.h: personal data kept no longer than needed (RGPD): the
 * messages, raw mails and participants of tickets closed before a date
 * are removed; the ticket row keeps its number, dates and state for the
 * statistics, with its subject and requester blanked.
 *
 * The deletions run with secure_delete, so that the removed text does not
 * stay in free pages of the database file.
 */
#ifndef MD_RETENTION_H
#define MD_RETENTION_H

#include <glib.h>
#include <stdbool.h>

#include "ctx.h"

struct md_purge_stats {
	guint tickets;		/* purged (or, dry run, that would be) */
	guint messages;		/* message rows */
	guint mails;		/* raw mails (in and out) */
};

/* Purges every closed ticket whose closed_at is before CLOSED_BEFORE (Unix
 * seconds) and that has no mail still queued, in one transaction; logs
 * one line per ticket and records an event on it.  DRY_RUN counts and
 * logs without changing anything.  MD_ERROR_TEMP if the database is
 * locked. */
bool md_retention_purge(struct md_ctx *ctx, gint64 closed_before,
			bool dry_run, struct md_purge_stats *stats_r,
			GError **error);

#endif
