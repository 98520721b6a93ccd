/* tick.h: the timers of spec 6, shared by `maildesk tick`, `maildesk
 * digest` and the daemon's minute sweep.
 *
 * Every decision commits with the mails it queues, so a tick run twice,
 * in two processes at once, or again after a crash sends each mail once.
 */
#ifndef MD_TICK_H
#define MD_TICK_H

#include <glib.h>
#include <stdbool.h>

struct md_ctx;

struct md_tick_stats {
	guint tickets;		/* due tickets looked at */
	guint reminders;	/* reminders queued */
	guint closed;		/* tickets closed */
	guint digests;		/* digests queued (one per supervisor) */
	gint64 read_us;		/* reading the due tickets */
	gint64 total_us;	/* the whole run, commits included */
};

/* Runs what is due at the clock's now: the reminders and closes of the
 * tickets whose due instant has come, then the supervisors' digest if
 * its time has come today.  Adds to *STATS. */
bool md_tick_run(struct md_ctx *ctx, struct md_tick_stats *stats,
		 GError **error);

#endif
