/* tick.c: reminders and closes of the tickets that are due. */
#include "config.h"

#include "ctx.h"
#include "db.h"
#include "digest.h"
#include "error.h"
#include "lifecycle.h"
#include "log.h"
#include "store.h"
#include "tick.h"
#include "ticket.h"

/* Tickets per transaction: a thousand due tickets commit in two, and a
 * daemon that was down for a week does not hold the lock for long. */
#define BATCH 500

static bool
timer_one(struct md_ctx *ctx, gint64 id, struct md_tick_stats *stats,
	  GError **error)
{
	struct md_event ev = { .type = MD_EVENT_TIMER };
	struct md_change c = { .ev = &ev, .who = "timer" };
	struct md_ticket t = { 0 };
	enum md_state before;
	int reminders;
	gint64 t0 = g_get_monotonic_time();
	bool found = false, ok;

	if (!md_store_ticket_get(ctx->db, id, &t, &found, error))
		return false;
	stats->read_us += g_get_monotonic_time() - t0;
	before = t.state;
	reminders = t.reminders;
	ok = md_ticket_apply(ctx, &t, &c, NULL, error);
	if (ok) {
		stats->tickets++;
		stats->closed += before != t.state &&
				 t.state == MD_STATE_CLOSED;
		stats->reminders += t.reminders > reminders;
	}
	md_ticket_clear(&t);
	return ok;
}

/* One transaction: up to BATCH due tickets.  *MORE_R if there may be
 * more. */
static bool
timer_batch(struct md_ctx *ctx, struct md_tick_stats *stats, bool *more_r,
	    GError **error)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 now = md_clock_now(&ctx->clock), t0;
	bool ok = false;

	*more_r = false;
	if (!md_db_begin(ctx->db, error))
		goto out;
	t0 = g_get_monotonic_time();
	if (!md_store_due_tickets(ctx->db, now, BATCH, ids, error))
		goto fail;
	stats->read_us += g_get_monotonic_time() - t0;
	for (guint i = 0; i < ids->len; i++)
		if (!timer_one(ctx, g_array_index(ids, gint64, i), stats,
			       error))
			goto fail;
	if (!md_db_commit(ctx->db, error))
		goto fail;
	*more_r = ids->len == BATCH;
	ok = true;
	goto out;
fail:
	md_db_rollback(ctx->db);
out:
	g_array_unref(ids);
	return ok;
}

bool
md_tick_run(struct md_ctx *ctx, struct md_tick_stats *stats, GError **error)
{
	guint before = stats->tickets;
	gint64 t0 = g_get_monotonic_time();
	bool more = true, ok;

	/* Each batch moves every ticket it reads past now (its next timer
	 * is later, or none): the loop ends. */
	while (more) {
		guint seen = stats->tickets;

		if (!timer_batch(ctx, stats, &more, error))
			return false;
		if (stats->tickets == seen)
			break;
	}
	if (stats->tickets > before)
		md_log_info("tick: %u due tickets, %u reminders, %u closed",
			    stats->tickets - before, stats->reminders,
			    stats->closed);
	ok = md_digest_tick(ctx, &stats->digests, error);
	stats->total_us += g_get_monotonic_time() - t0;
	md_log_debug("tick: %.3f ms reading due tickets, %.3f ms in all",
		     stats->read_us / 1000.0, stats->total_us / 1000.0);
	return ok;
}
