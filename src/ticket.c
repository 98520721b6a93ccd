/* ticket.c: lifecycle, due, ticket row, event row, outbox: together. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "ctx.h"
#include "error.h"
#include "lifecycle.h"
#include "outbox.h"
#include "store.h"
#include "ticket.h"

/* What the event row says, or NULL when a mail changed nothing worth a
 * line (the message row already tells). */
static char *
describe(const struct md_ticket *before, const struct md_ticket *t,
	 const struct md_change *c)
{
	const struct md_event *ev = c->ev;
	GString *what = g_string_new(NULL);

	if (before->state != t->state || ev->new_ticket)
		g_string_append_printf(what, "%s -> %s",
				       ev->new_ticket ? "new"
				       : md_state_name(before->state),
				       md_state_name(t->state));
	if (g_strcmp0(before->assignee, t->assignee) != 0)
		g_string_append_printf(what, "%sassigned to %s",
				       what->len ? ", " : "",
				       t->assignee != NULL ? t->assignee
							   : "nobody");
	if (t->reminders > before->reminders)
		g_string_append_printf(what, "%sreminder %d",
				       what->len ? ", " : "", t->reminders);
	if (what->len == 0 && ev->type == MD_EVENT_MAIL) {
		g_string_free(what, TRUE);
		return NULL;
	}
	if (what->len == 0)
		g_string_append(what, "unchanged");
	if (c->who != NULL)
		g_string_append_printf(what, " (%s)", c->who);
	return g_string_free(what, FALSE);
}

bool
md_ticket_load(struct md_ctx *ctx, gint64 id, struct md_ticket *t,
	       GError **error)
{
	bool found = false;

	if (!md_store_ticket_get(ctx->db, id, t, &found, error))
		return false;
	if (!found)
		g_set_error(error, MD_ERROR, MD_ERROR_NOTFOUND,
			    "ticket %" G_GINT64_FORMAT ": no such ticket", id);
	return found;
}

bool
md_ticket_apply(struct md_ctx *ctx, struct md_ticket *t,
		const struct md_change *c, GPtrArray *queued, GError **error)
{
	gint64 now = md_clock_now(&ctx->clock);
	GPtrArray *intents = g_ptr_array_new_with_free_func(md_intent_free);
	char *assignee = g_strdup(t->assignee), *what = NULL;
	struct md_ticket before = {
		.state = t->state, .reminders = t->reminders,
		.assignee = assignee,
	};
	bool ok = false;

	md_lifecycle_apply(t, c->ev, now, &ctx->rules, intents);
	ok = t->id == 0 ? md_store_ticket_insert(ctx->db, t, error)
			: md_store_ticket_update(ctx->db, t, error);
	if (!ok)
		goto out;
	if (c->rows != NULL && !(ok = c->rows(ctx, t, c->rows_data, error)))
		goto out;
	what = describe(&before, t, c);
	if (what != NULL && !(ok = md_store_event(ctx->db, t->id, now, what,
						  error)))
		goto out;
	for (guint i = 0; i < intents->len; i++) {
		const struct md_intent *in = g_ptr_array_index(intents, i);
		bool sent;

		if (!(ok = md_outbox_queue(ctx, t, c->trigger, in, &sent,
					   error)))
			goto out;
		if (sent && queued != NULL)
			g_ptr_array_add(queued, g_strdup_printf(
				"%s queued for %s", md_intent_kind_name(in->kind),
				(char *)g_ptr_array_index(in->to, 0)));
	}
out:
	g_free(what);
	g_free(assignee);
	g_ptr_array_unref(intents);
	return ok;
}
