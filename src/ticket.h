/* ticket.h: the one path that changes a ticket.
 *
 * The pipeline (a mail), the command line (reply, escalate, resolve,
 * close, reopen, assign) and the timers (reminders, closes) all change a
 * ticket through md_ticket_apply, inside the caller's transaction: the
 * lifecycle decides, the next due instant follows, and the ticket row, its
 * event row and the mails it causes are written together (spec 4 step 5),
 * so that a crash leaves either all of it or none.
 */
#ifndef MD_TICKET_H
#define MD_TICKET_H

#include <glib.h>
#include <stdbool.h>

#include "lifecycle.h"

struct md_ctx;
struct md_msg;

/* Writes the rows that belong to the change (the inbound message and its
 * participants), after the ticket row and before the mails: T has its id. */
typedef bool (*md_ticket_rows_fn)(struct md_ctx *ctx,
				  const struct md_ticket *t, void *data,
				  GError **error);

struct md_change {
	const struct md_event *ev;
	const struct md_msg *trigger;	/* the mail that caused it, or NULL */
	const char *who;		/* for the event row: "alice@…",
					 * "command line", "timer" */
	md_ticket_rows_fn rows;		/* may be NULL */
	void *rows_data;
};

/* Loads ticket ID into T (cleared first); MD_ERROR_NOTFOUND, naming the
 * ticket, if there is none. */
bool md_ticket_load(struct md_ctx *ctx, gint64 id, struct md_ticket *t,
		    GError **error);

/* Applies C to T (a new ticket if t->id is 0: inserted) at the clock's
 * now.  An event row records a change of state, assignee or reminders,
 * and every change not made by mail.  Appends a line per mail queued
 * ("relay queued for ADDR", g_free) to QUEUED if not NULL. */
bool md_ticket_apply(struct md_ctx *ctx, struct md_ticket *t,
		     const struct md_change *c, GPtrArray *queued,
		     GError **error);

#endif
