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
		   const char *count_key, GTimeZone *tz)
{
	const struct md_ticket *t = &row->t;

	md_json_kv_int(out, first, "id", t->id);
	md_json_kv_str(out, first, "status", md_state_name(t->state));
	md_json_kv_str(out, first, "subject", t->subject);
	md_json_kv_str(out, first, "requester", t->requester);
	json_time(out, first, "created", t->created, tz);
	json_time(out, first, "updated", t->updated, tz);
	md_json_kv_int(out, first, count_key, row->messages);
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

/* The listing in progress: one row printed as soon as it is read. */
struct listing {
	bool json;
	bool due;		/* the due instant where "updated" stands */
	GTimeZone *tz;
	gint64 printed;
	gint64 limit;		/* as asked; the query asks one more */
	gint64 last_id;
	GString *buf;		/* one row's text, reused */
};

static void
text_row(const struct md_ticket_row *r, GTimeZone *tz, bool due)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(due ? r->t.due
							   : r->t.updated);
	GDateTime *local = g_date_time_to_timezone(utc, tz);
	char *when = g_date_time_format(local, "%F %R");

	printf("%6" G_GINT64_FORMAT "  %-9s  %-16s  %4" G_GINT64_FORMAT
	       "  %-30s  %s\n", r->t.id, md_state_name(r->t.state), when,
	       r->messages, r->t.requester, r->t.subject);
	g_free(when);
	g_date_time_unref(local);
	g_date_time_unref(utc);
}

static bool
print_row(const struct md_ticket_row *row, gpointer data, GError **error)
{
	struct listing *l = data;
	bool first = true;
	(void)error;

	/* The row after the limit only says that more match. */
	if (l->limit > 0 && l->printed == l->limit)
		return true;
	l->printed++;
	l->last_id = row->t.id;
	if (!l->json) {
		text_row(row, l->tz, l->due);
		return true;
	}
	g_string_assign(l->buf, l->printed > 1 ? ",\n{" : "{");
	md_cmd_json_ticket(l->buf, &first, row, "messages", l->tz);
	g_string_append_c(l->buf, '}');
	fputs(l->buf->str, stdout);
	return true;
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

/* What list shows by default: the work at hand. */
static const char *const not_closed[] = {
	"open", "pending", "resolved", "escalated", NULL
};

struct options {
	struct md_ticket_filter f;
	bool json, quarantined, all;
	char **statuses;	/* owned */
	const char *since, *before;
};

/* YYYY-MM-DD at midnight in TZ, or an RFC 3339 instant. */
static bool
parse_date(const char *text, GTimeZone *tz, gint64 *secs_r)
{
	int y, m, d;
	char end;
	GDateTime *dt;

	if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3) {
		if ((dt = g_date_time_new(tz, y, m, d, 0, 0, 0)) == NULL)
			return false;
		*secs_r = g_date_time_to_unix(dt);
		g_date_time_unref(dt);
		return true;
	}
	return md_clock_parse_rfc3339(text, secs_r, NULL);
}

static bool
parse_id(const char *text, gint64 *id_r)
{
	char *end;

	*id_r = g_ascii_strtoll(text, &end, 10);
	return *end == '\0' && *id_r > 0;
}

static bool
parse_statuses(struct options *o, const char *text)
{
	enum md_state state;

	g_strfreev(o->statuses);
	o->statuses = g_strsplit(text, ",", -1);
	for (int i = 0; o->statuses[i] != NULL; i++)
		if (!md_state_parse(o->statuses[i], &state))
			return false;
	o->f.statuses = (const char *const *)o->statuses;
	return o->statuses[0] != NULL;
}

/* On error *BAD_R is the argument at fault. */
static bool
parse_options(struct options *o, int argc, char **argv, const char **bad_r)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = true, takes = v != NULL;

		*bad_r = a;
		if (strcmp(a, "--json") == 0)
			o->json = true, takes = false;
		else if (strcmp(a, "--quarantine") == 0)
			o->quarantined = true, takes = false;
		else if (strcmp(a, "--all") == 0)
			o->all = true, takes = false;
		else if (strcmp(a, "--escalated") == 0)
			o->f.escalated = true, takes = false;
		else if (strcmp(a, "--due") == 0)
			o->f.due = true, takes = false;
		else if (v == NULL)
			return false;
		else if (strcmp(a, "--status") == 0)
			ok = parse_statuses(o, v);
		else if (strcmp(a, "--requester") == 0)
			o->f.requester = v;
		else if (strcmp(a, "--assignee") == 0)
			o->f.assignee = v;
		else if (strcmp(a, "--since") == 0)
			o->since = v;
		else if (strcmp(a, "--before") == 0)
			o->before = v;
		else if (strcmp(a, "--linked") == 0)
			ok = parse_id(v, &o->f.linked);
		else if (strcmp(a, "--after-id") == 0)
			ok = parse_id(v, &o->f.below_id);
		else if (strcmp(a, "--limit") == 0)
			ok = parse_id(v, &o->f.limit);
		else
			return false;
		if (!ok)
			return false;
		i += takes;
	}
	return true;
}

/* The last line of a limited text listing: how many more match, counted
 * from the counters when only statuses filter, else just that more do. */
static bool
print_more(struct md_db *db, const struct options *o,
	   const struct listing *l, GError **error)
{
	const struct md_ticket_filter *f = &o->f;
	GPtrArray *names;
	gint64 total = 0;
	bool ok;

	if (f->requester || f->assignee || f->since || f->before ||
	    f->escalated || f->linked || f->below_id || f->due) {
		printf("(more tickets match: --all, --limit N or --after-id "
		       "%" G_GINT64_FORMAT ")\n", l->last_id);
		return true;
	}
	names = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; f->statuses != NULL && f->statuses[i] != NULL; i++)
		g_ptr_array_add(names, g_strconcat("tickets.", f->statuses[i],
						   NULL));
	g_ptr_array_add(names, NULL);
	ok = md_query_counter_sum(db, (const char *const *)names->pdata,
				  &total, error);
	if (ok)
		printf("(%" G_GINT64_FORMAT " more: --all to list them)\n",
		       total - l->printed);
	g_ptr_array_unref(names);
	return ok;
}

static bool
list_tickets(struct md_ctx *ctx, struct options *o, GError **error)
{
	struct listing l = {
		.json = o->json, .due = o->f.due, .tz = ctx->conf->tz,
	};
	bool ok;

	const struct md_ticket_filter *f = &o->f;

	/* Plain "list" is the work at hand, 100 at a time; any filter
	 * looks at every ticket; JSON is for scripts and keeps its meaning
	 * (all tickets, streamed). */
	if (!o->all && !o->json && f->statuses == NULL && !f->requester &&
	    !f->assignee && !f->since && !f->before && !f->escalated &&
	    !f->linked && !f->due)
		o->f.statuses = not_closed;
	if (o->f.limit == 0 && !o->all && !o->json)
		o->f.limit = 100;
	l.limit = o->f.limit;
	/* One more than asked tells whether more match. */
	if (o->f.limit > 0)
		o->f.limit++;
	l.buf = g_string_new(NULL);
	if (o->json)
		fputs("[", stdout);
	else
		printf("%6s  %-9s  %-16s  %4s  %-30s  %s\n", "ID", "STATUS",
		       o->f.due ? "DUE" : "UPDATED", "MSGS", "REQUESTER",
		       "SUBJECT");
	ok = md_query_ticket_each(ctx->db, &o->f, print_row, &l, error);
	if (o->json)
		fputs("]\n", stdout);
	else if (ok && l.limit > 0 && l.printed == l.limit &&
		 o->f.limit > 0 && l.last_id != 0)
		ok = print_more(ctx->db, o, &l, error);
	g_string_free(l.buf, TRUE);
	return ok;
}

int
md_cmd_list(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct options o = { 0 };
	GPtrArray *rows = NULL;
	GError *error = NULL;
	const char *bad = NULL;
	int rc = EX_OK;

	if (!parse_options(&o, argc, argv, &bad)) {
		g_strfreev(o.statuses);
		return md_cli_usage(argv[0], "unknown option, missing or bad "
				    "value: '%s'", bad);
	}
	if (!md_cli_open(cli, &ctx, &error))
		goto fail;
	if ((o.since && !parse_date(o.since, ctx.conf->tz, &o.f.since)) ||
	    (o.before && !parse_date(o.before, ctx.conf->tz, &o.f.before))) {
		rc = md_cli_usage(argv[0], "bad date");
		goto out;
	}
	if (o.quarantined) {
		rows = g_ptr_array_new_with_free_func(md_quarantine_row_free);
		if (!md_query_quarantine(ctx.db, rows, &error))
			goto fail;
		quarantine(rows, o.json, ctx.conf->tz);
		goto out;
	}
	if (list_tickets(&ctx, &o, &error))
		goto out;
fail:
	rc = md_cli_fail(error);
out:
	g_clear_pointer(&rows, g_ptr_array_unref);
	g_strfreev(o.statuses);
	md_ctx_clear(&ctx);
	return rc;
}
