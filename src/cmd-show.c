/* cmd-show.c: one ticket with its participants and messages (7b). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "error.h"
#include "json.h"
#include "outbox.h"
#include "query.h"
#include "workday.h"

/* "a, b" -> JSON array of strings. */
static void
json_list(GString *out, bool *first, const char *key, const char *joined)
{
	char **parts = g_strsplit(joined != NULL ? joined : "", ", ", -1);

	md_json_key(out, first, key);
	g_string_append_c(out, '[');
	for (int i = 0, n = 0; parts[i] != NULL; i++) {
		if (parts[i][0] == '\0')
			continue;
		if (n++)
			g_string_append_c(out, ',');
		md_json_string(out, parts[i]);
	}
	g_string_append_c(out, ']');
	g_strfreev(parts);
}

/* The message's attachments with "index", their K in maildesk attachment
 * N K, counted on from *K. */
static void
json_attachments(GString *out, const struct md_message_row *m, guint *k)
{
	GPtrArray *atts = g_ptr_array_new_with_free_func(
		md_cmd_attachment_free);

	md_cmd_attachments_parse(m->attachments, atts);
	g_string_append_c(out, '[');
	for (guint i = 0; i < atts->len; i++) {
		const struct md_cmd_attachment *a = g_ptr_array_index(atts, i);
		bool first = true;

		g_string_append(out, i ? ",{" : "{");
		md_json_kv_int(out, &first, "index", ++*k);
		md_json_kv_str(out, &first, "name", a->name);
		md_json_kv_str(out, &first, "type", a->type);
		md_json_kv_int(out, &first, "size", a->size);
		g_string_append_c(out, '}');
	}
	g_string_append_c(out, ']');
	g_ptr_array_unref(atts);
}

static void
json_message(GString *out, const struct md_message_row *m, GTimeZone *tz,
	     guint *k)
{
	bool first = true;
	char *date = md_clock_format_rfc3339(m->date ? m->date : m->received,
					     tz);
	char *received = md_clock_format_rfc3339(m->received, tz);

	g_string_append_c(out, '{');
	md_json_kv_str(out, &first, "message_id", m->message_id);
	md_json_kv_str(out, &first, "in_reply_to", m->in_reply_to);
	md_json_kv_str(out, &first, "direction", m->direction);
	md_json_kv_str(out, &first, "role", m->role);
	md_json_kv_str(out, &first, "kind", m->kind);
	md_json_kv_str(out, &first, "from", m->from);
	json_list(out, &first, "to", m->to);
	json_list(out, &first, "cc", m->cc);
	md_json_kv_str(out, &first, "subject", m->subject);
	md_json_kv_str(out, &first, "date", date);
	md_json_kv_str(out, &first, "received", received);
	md_json_key(out, &first, "attachments");
	json_attachments(out, m, k);
	if (strcmp(m->direction, "out") == 0) {
		md_json_kv_str(out, &first, "delivery", m->delivery);
		md_json_kv_str(out, &first, "delivery_error",
			       m->delivery_error);
	}
	g_string_append_c(out, '}');
	g_free(date);
	g_free(received);
}

static void
print_json(const struct md_ticket_row *row, GPtrArray *parts,
	   GPtrArray *msgs, GPtrArray *history, GTimeZone *tz)
{
	GString *out = g_string_new("{");
	bool first = true;
	guint k = 0;

	/* Spec 7b: the count is message_count here, messages the array. */
	md_cmd_json_ticket(out, &first, row, "message_count", tz);
	md_json_key(out, &first, "participants");
	g_string_append_c(out, '[');
	for (guint i = 0; i < parts->len; i++) {
		if (i)
			g_string_append_c(out, ',');
		md_json_string(out, g_ptr_array_index(parts, i));
	}
	g_string_append(out, "]");
	md_json_key(out, &first, "messages");
	g_string_append_c(out, '[');
	for (guint i = 0; i < msgs->len; i++) {
		if (i)
			g_string_append(out, ",\n");
		json_message(out, g_ptr_array_index(msgs, i), tz, &k);
	}
	g_string_append_c(out, ']');
	md_json_key(out, &first, "history");
	g_string_append_c(out, '[');
	for (guint i = 0; i < history->len; i++) {
		const struct md_history_row *h = g_ptr_array_index(history, i);
		char *at = md_clock_format_rfc3339(h->at, tz);
		bool f = true;

		g_string_append(out, i ? ",\n{" : "{");
		md_json_kv_str(out, &f, "at", at);
		md_json_kv_str(out, &f, "what", h->what);
		g_string_append_c(out, '}');
		g_free(at);
	}
	g_string_append(out, "]}");
	printf("%s\n", out->str);
	g_string_free(out, TRUE);
}

/* "Due: reminder 1 on Thu 5 March 2026 10:00", or nothing. */
static void
print_due(const struct md_ctx *ctx, const struct md_ticket *t)
{
	int what = 0;
	char *when;

	if (t->due == 0)
		return;
	/* What the due instant is, as the lifecycle counts. */
	(void)md_lifecycle_due(t, &ctx->rules, &what);
	when = md_workday_format(ctx->cal, t->due, "en", MD_DATE_SHORT_TIME);
	if (what > 0)
		printf("Due: reminder %d on %s\n", what, when);
	else
		printf("Due: close on %s\n", when);
	g_free(when);
}

/* "Delivery: sent 2026-…", "queued (2 attempts: 451 …)", "refused:
 * 550 …" for an outgoing mail. */
static void
print_delivery(const struct md_message_row *m, GTimeZone *tz)
{
	if (strcmp(m->direction, "out") != 0 || m->delivery == NULL)
		return;
	if (strcmp(m->delivery, "sent") == 0) {
		char *at = md_clock_format_rfc3339(m->sent, tz);

		printf("Delivery: sent %s\n", at);
		g_free(at);
	} else if (strcmp(m->delivery, "failed") == 0) {
		printf("Delivery: refused: %s\n", m->delivery_error != NULL
		       ? m->delivery_error : "(no answer recorded)");
	} else if (m->attempts > 0) {
		printf("Delivery: %s (%d attempts, last: %s)\n", m->delivery,
		       m->attempts, m->delivery_error != NULL
		       ? m->delivery_error : "?");
	} else {
		printf("Delivery: %s\n", m->delivery);
	}
}

/* "Attachment 2: rapport.pdf (application/pdf, 20 KB)": K as maildesk
 * attachment N K takes it, counted on from *K. */
static void
print_attachments(const struct md_message_row *m, guint *k)
{
	GPtrArray *atts = g_ptr_array_new_with_free_func(
		md_cmd_attachment_free);

	md_cmd_attachments_parse(m->attachments, atts);
	for (guint i = 0; i < atts->len; i++) {
		const struct md_cmd_attachment *a = g_ptr_array_index(atts, i);
		char *size = md_outbox_human_size(a->size, false);

		printf("Attachment %u: %s (%s, %s)\n", ++*k,
		       a->name[0] != '\0' ? a->name : "(no name)",
		       a->type[0] != '\0' ? a->type : "?", size);
		g_free(size);
	}
	g_ptr_array_unref(atts);
}

static void
print_text(const struct md_ctx *ctx, const struct md_ticket_row *row,
	   GPtrArray *parts, GPtrArray *msgs, GPtrArray *history)
{
	const struct md_ticket *t = &row->t;
	GTimeZone *tz = ctx->conf->tz;
	guint k = 0;

	printf("Ticket #%" G_GINT64_FORMAT ": %s\nStatus: %s\nRequester: %s\n",
	       t->id, t->subject, md_state_name(t->state), t->requester);
	if (t->assignee != NULL)
		printf("Assignee: %s\n", t->assignee);
	print_due(ctx, t);
	if (t->linked)
		printf("Continues: #%" G_GINT64_FORMAT "\n", t->linked);
	for (guint i = 0; i < parts->len; i++)
		printf("%s%s", i ? ", " : "Participants: ",
		       (char *)g_ptr_array_index(parts, i));
	printf("\n");
	for (guint i = 0; i < msgs->len; i++) {
		const struct md_message_row *m = g_ptr_array_index(msgs, i);
		char *received = md_clock_format_rfc3339(m->received, tz);
		char *date = m->date != 0 ? md_clock_format_rfc3339(m->date, tz)
					  : g_strdup("(none)");

		printf("\n--- %s %s%s%s from %s to %s\n",
		       strcmp(m->direction, "in") == 0 ? "<=" : "=>", m->role,
		       m->kind ? "/" : "", m->kind ? m->kind : "",
		       m->from ? m->from : "?", m->to ? m->to : "");
		/* When the desk took it, and what its Date header says. */
		printf("%s: %s\nDate: %s\n", strcmp(m->direction, "in") == 0
		       ? "Received" : "Queued", received, date);
		print_delivery(m, tz);
		printf("Subject: %s\n", m->subject ? m->subject : "");
		print_attachments(m, &k);
		printf("\n%s\n", m->text ? m->text : "");
		g_free(received);
		g_free(date);
	}
	if (history->len > 0)
		printf("\nHistory:\n");
	for (guint i = 0; i < history->len; i++) {
		const struct md_history_row *h = g_ptr_array_index(history, i);
		char *at = md_clock_format_rfc3339(h->at, tz);

		printf("  %s %s\n", at, h->what);
		g_free(at);
	}
}

int
md_cmd_show(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_ticket_row row = { 0 };
	GPtrArray *parts = NULL, *msgs = NULL, *history = NULL;
	GError *error = NULL;
	bool json = false, found = false;
	gint64 id = 0;
	int rc = EX_OK;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (id == 0 && (id = g_ascii_strtoll(argv[i], NULL, 10)) > 0)
			;
		else
			id = -1;
	}
	if (id <= 0) {
		return md_cli_usage(argv[0], "expected one ticket number");
	}
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	parts = g_ptr_array_new_with_free_func(g_free);
	msgs = g_ptr_array_new_with_free_func(md_message_row_free);
	history = g_ptr_array_new_with_free_func(md_history_row_free);
	if (!md_query_ticket(ctx.db, id, &row, &found, &error))
		goto fail;
	if (!found) {
		g_set_error(&error, MD_ERROR, MD_ERROR_NOTFOUND,
			    "ticket %" G_GINT64_FORMAT ": no such ticket", id);
		goto fail;
	}
	if (!md_query_participants(ctx.db, id, parts, &error) ||
	    !md_query_messages(ctx.db, id, msgs, &error) ||
	    !md_query_history(ctx.db, id, history, &error))
		goto fail;
	if (json)
		print_json(&row, parts, msgs, history, ctx.conf->tz);
	else
		print_text(&ctx, &row, parts, msgs, history);
	goto out;
fail:
	rc = md_cli_fail(error);
out:
	md_ticket_clear(&row.t);
	g_clear_pointer(&parts, g_ptr_array_unref);
	g_clear_pointer(&msgs, g_ptr_array_unref);
	g_clear_pointer(&history, g_ptr_array_unref);
	md_ctx_clear(&ctx);
	return rc;
}
