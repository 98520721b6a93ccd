/* cmd-outbox.c: maildesk outbox [--json] and maildesk outbox retry [ID]:
 * the mail not sent yet, and sending it again now (postqueue -p / -f). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "json.h"
#include "queue.h"

/* "queued" (never tried), "deferred" (tried, will be again), "refused". */
static const char *
status(const struct md_outbox_entry *e)
{
	if (strcmp(e->state, "failed") == 0)
		return "refused";
	return e->attempts > 0 ? "deferred" : "queued";
}

static void
print_json(GPtrArray *rows, GTimeZone *tz)
{
	GString *out = g_string_new("[");

	for (guint i = 0; i < rows->len; i++) {
		const struct md_outbox_entry *e = g_ptr_array_index(rows, i);
		char *created = md_clock_format_rfc3339(e->created, tz);
		char *next = md_clock_format_rfc3339(e->next_try, tz);
		bool f = true;

		g_string_append(out, i ? ",{" : "{");
		md_json_kv_int(out, &f, "id", e->id);
		md_json_key(out, &f, "ticket");
		if (e->ticket > 0)
			g_string_append_printf(out, "%" G_GINT64_FORMAT,
					       e->ticket);
		else
			g_string_append(out, "null");
		md_json_kv_str(out, &f, "kind", e->kind);
		md_json_kv_str(out, &f, "recipients", e->rcpts);
		md_json_kv_str(out, &f, "status", status(e));
		md_json_kv_int(out, &f, "attempts", e->attempts);
		md_json_kv_str(out, &f, "created", created);
		md_json_kv_str(out, &f, "next_try",
			       strcmp(e->state, "queued") == 0 ? next : NULL);
		md_json_kv_str(out, &f, "last_error", e->last_error);
		g_string_append_c(out, '}');
		g_free(created);
		g_free(next);
	}
	g_string_append_c(out, ']');
	printf("%s\n", out->str);
	g_string_free(out, TRUE);
}

static void
print_text(GPtrArray *rows, GTimeZone *tz)
{
	if (rows->len == 0) {
		printf("outbox is empty\n");
		return;
	}
	for (guint i = 0; i < rows->len; i++) {
		const struct md_outbox_entry *e = g_ptr_array_index(rows, i);
		char *created = md_clock_format_rfc3339(e->created, tz);
		char *next = md_clock_format_rfc3339(e->next_try, tz);

		printf("%-6" G_GINT64_FORMAT " %-8s ticket=%s%-6" G_GINT64_FORMAT
		       " %-10s %s to=<%s>\n", e->id, status(e),
		       e->ticket > 0 ? "" : "-", e->ticket > 0 ? e->ticket : 0,
		       e->kind != NULL ? e->kind : "-", created, e->rcpts);
		if (strcmp(e->state, "queued") == 0 && e->attempts > 0)
			printf("       next try %s (attempt %d)\n", next,
			       e->attempts + 1);
		if (e->last_error != NULL)
			printf("       %s\n", e->last_error);
		g_free(created);
		g_free(next);
	}
}

static int
retry(struct md_ctx *ctx, const char *arg)
{
	GError *error = NULL;
	gint64 id = 0;
	guint n = 0;

	if (arg != NULL && (id = g_ascii_strtoll(arg, NULL, 10)) <= 0)
		return md_cli_usage("outbox", "'%s' is not an outbox id", arg);
	if (!md_queue_outbox_retry(ctx, id, &n, &error))
		return md_cli_fail(error);
	printf("%u mails due now%s\n", n, n > 0 ? " (maildeskd sends them "
	       "within 30 s; maildesk send now)" : "");
	return EX_OK;
}

int
md_cmd_outbox(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	GPtrArray *rows = NULL;
	GError *error = NULL;
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	bool again = argc >= 2 && strcmp(argv[1], "retry") == 0;
	int rc = EX_OK;

	if (argc > 3 || (argc == 3 && !again) ||
	    (argc == 2 && !json && !again))
		return md_cli_usage(argv[0], "unknown argument '%s'",
				    argv[argc - 1]);
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	if (again) {
		rc = retry(&ctx, argc == 3 ? argv[2] : NULL);
		goto out;
	}
	rows = g_ptr_array_new_with_free_func(md_outbox_entry_free);
	if (!md_queue_outbox_list(&ctx, rows, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	if (json)
		print_json(rows, ctx.conf->tz);
	else
		print_text(rows, ctx.conf->tz);
out:
	g_clear_pointer(&rows, g_ptr_array_unref);
	md_ctx_clear(&ctx);
	return rc;
}
