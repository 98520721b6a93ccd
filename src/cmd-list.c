/* cmd-list.c: the tickets, or the quarantine, as a table or JSON (7b). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "json.h"
#include "query.h"

static void
json_time(GString *out, bool *first, const char *key, gint64 t, GTimeZone *tz)
{
	char *s = t != 0 ? md_clock_format_rfc3339(t, tz) : NULL;

	md_json_kv_str(out, first, key, s);
	g_free(s);
}

void
md_cmd_json_ticket(GString *out, bool *first, const struct md_ticket_row *row,
		   GTimeZone *tz)
{
	const struct md_ticket *t = &row->t;

	md_json_kv_int(out, first, "id", t->id);
	md_json_kv_str(out, first, "status", md_state_name(t->state));
	md_json_kv_str(out, first, "subject", t->subject);
	md_json_kv_str(out, first, "requester", t->requester);
	json_time(out, first, "created", t->created, tz);
	json_time(out, first, "updated", t->updated, tz);
	md_json_kv_int(out, first, "messages", row->messages);
	md_json_kv_bool(out, first, "escalated", t->escalated);
	md_json_kv_str(out, first, "upstream_ref", t->upstream_ref);
	json_time(out, first, "due", t->due, tz);
	md_json_key(out, first, "linked");
	if (t->linked != 0)
		g_string_append_printf(out, "%" G_GINT64_FORMAT, t->linked);
	else
		g_string_append(out, "null");
	md_json_kv_str(out, first, "assignee", t->assignee);
}

static void
table(GPtrArray *rows, GTimeZone *tz)
{
	printf("%6s  %-9s  %-16s  %4s  %-30s  %s\n", "ID", "STATUS", "UPDATED",
	       "MSGS", "REQUESTER", "SUBJECT");
	for (guint i = 0; i < rows->len; i++) {
		const struct md_ticket_row *r = g_ptr_array_index(rows, i);
		GDateTime *utc = g_date_time_new_from_unix_utc(r->t.updated);
		GDateTime *local = g_date_time_to_timezone(utc, tz);
		char *when = g_date_time_format(local, "%F %R");

		printf("%6" G_GINT64_FORMAT "  %-9s  %-16s  %4" G_GINT64_FORMAT
		       "  %-30s  %s\n", r->t.id, md_state_name(r->t.state),
		       when, r->messages, r->t.requester, r->t.subject);
		g_free(when);
		g_date_time_unref(local);
		g_date_time_unref(utc);
	}
}

static void
quarantine(GPtrArray *rows, bool json, GTimeZone *tz)
{
	GString *out = g_string_new("[");

	for (guint i = 0; i < rows->len; i++) {
		const struct md_quarantine_row *q = g_ptr_array_index(rows, i);
		bool first = true;

		if (!json) {
			printf("%4" G_GINT64_FORMAT "  %-20s  %8" G_GINT64_FORMAT
			       " bytes  %s\n", q->id, q->source, q->size,
			       q->reason);
			continue;
		}
		g_string_append(out, i ? ",{" : "{");
		md_json_kv_int(out, &first, "id", q->id);
		json_time(out, &first, "received", q->received, tz);
		md_json_kv_str(out, &first, "source", q->source);
		md_json_kv_str(out, &first, "reason", q->reason);
		md_json_kv_str(out, &first, "message_id", q->message_id);
		md_json_kv_int(out, &first, "size", q->size);
		g_string_append_c(out, '}');
	}
	if (json)
		printf("%s]\n", out->str);
	g_string_free(out, TRUE);
}

int
md_cmd_list(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	const char *status = NULL;
	bool json = false, quarantined = false;
	enum md_state state;
	GPtrArray *rows = NULL;
	GError *error = NULL;
	int rc = EX_OK;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--quarantine") == 0)
			quarantined = true;
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc &&
			 md_state_parse(argv[i + 1], &state))
			status = argv[++i];
		else {
			fprintf(stderr, "usage: maildesk list [--status "
				"open|pending|resolved|escalated|closed] "
				"[--quarantine] [--json]\n");
			return EX_USAGE;
		}
	}
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	if (quarantined) {
		rows = g_ptr_array_new_with_free_func(md_quarantine_row_free);
		if (!md_query_quarantine(ctx.db, rows, &error))
			goto fail;
		quarantine(rows, json, ctx.conf->tz);
		goto out;
	}
	rows = g_ptr_array_new_with_free_func(md_ticket_row_free);
	if (!md_query_tickets(ctx.db, status, rows, &error))
		goto fail;
	if (json) {
		GString *out = g_string_new("[");

		for (guint i = 0; i < rows->len; i++) {
			bool first = true;

			g_string_append(out, i ? ",\n{" : "{");
			md_cmd_json_ticket(out, &first,
					   g_ptr_array_index(rows, i),
					   ctx.conf->tz);
			g_string_append_c(out, '}');
		}
		printf("%s]\n", out->str);
		g_string_free(out, TRUE);
	} else {
		table(rows, ctx.conf->tz);
	}
	goto out;
fail:
	rc = md_cli_fail(error);
out:
	g_clear_pointer(&rows, g_ptr_array_unref);
	md_ctx_clear(&ctx);
	return rc;
}
