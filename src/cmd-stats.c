/* cmd-stats.c: counts and each inbound source's health. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "json.h"
#include "query.h"
#include "queue.h"

/* Drops the rows of SOURCES for maildir or IMAP sources that CONF no
 * longer names: a source removed from the configuration is no one's
 * concern any more.  The command-line feeds (deliver, ingest) stay. */
static void
only_configured(GPtrArray *sources, const struct md_conf *conf)
{
	for (guint i = sources->len; i-- > 0;) {
		const struct md_source_row *s = g_ptr_array_index(sources, i);
		bool found = !g_str_has_prefix(s->name, "maildir:") &&
			     !g_str_has_prefix(s->name, "imap://") &&
			     !g_str_has_prefix(s->name, "imaps://");

		for (guint j = 0; conf->inbound != NULL &&
		     j < conf->inbound->len && !found; j++) {
			const struct md_inbound_conf *in =
				g_ptr_array_index(conf->inbound, j);

			found = g_strcmp0(in->name, s->name) == 0;
		}
		if (!found)
			g_ptr_array_remove_index(sources, i);
	}
}

/* "3 h 12 min", "45 s": an age an admin reads at a glance. */
static char *
age_text(gint64 s)
{
	if (s >= 86400)
		return g_strdup_printf("%" G_GINT64_FORMAT " d %" G_GINT64_FORMAT
				       " h", s / 86400, s % 86400 / 3600);
	if (s >= 3600)
		return g_strdup_printf("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT
				       " min", s / 3600, s % 3600 / 60);
	if (s >= 60)
		return g_strdup_printf("%" G_GINT64_FORMAT " min", s / 60);
	return g_strdup_printf("%" G_GINT64_FORMAT " s", s);
}

/* PARKED: gint64 per source, when it was parked (0: it is not). */
static void
print_json(GPtrArray *stats, GPtrArray *sources, GArray *parked,
	   GTimeZone *tz, gint64 age)
{
	GString *out = g_string_new("{");
	bool first = true;

	for (guint i = 0; i < stats->len; i++) {
		const struct md_stat *s = g_ptr_array_index(stats, i);

		md_json_kv_int(out, &first, s->name, s->count);
	}
	md_json_key(out, &first, "outbox_oldest_queued_seconds");
	if (age >= 0)
		g_string_append_printf(out, "%" G_GINT64_FORMAT, age);
	else
		g_string_append(out, "null");
	md_json_key(out, &first, "sources");
	g_string_append_c(out, '[');
	for (guint i = 0; i < sources->len; i++) {
		const struct md_source_row *s = g_ptr_array_index(sources, i);
		char *ok = s->last_ok ? md_clock_format_rfc3339(s->last_ok, tz)
				      : NULL;
		char *err = s->last_error_at
			? md_clock_format_rfc3339(s->last_error_at, tz) : NULL;
		bool f = true;

		g_string_append(out, i ? ",{" : "{");
		md_json_kv_str(out, &f, "name", s->name);
		md_json_kv_str(out, &f, "last_ok", ok);
		md_json_kv_str(out, &f, "last_error", s->last_error);
		md_json_kv_str(out, &f, "last_error_at", err);
		md_json_kv_int(out, &f, "received", s->received);
		md_json_kv_bool(out, &f, "needs_attention",
				g_array_index(parked, gint64, i) != 0);
		g_string_append_c(out, '}');
		g_free(ok);
		g_free(err);
	}
	g_string_append(out, "]}");
	printf("%s\n", out->str);
	g_string_free(out, TRUE);
}

static void
print_text(GPtrArray *stats, GPtrArray *sources, GArray *parked,
	   GTimeZone *tz, gint64 age)
{
	char *a = age >= 0 ? age_text(age) : g_strdup("none queued");

	for (guint i = 0; i < stats->len; i++) {
		const struct md_stat *s = g_ptr_array_index(stats, i);

		printf("%-20s %" G_GINT64_FORMAT "\n", s->name, s->count);
	}
	printf("%-20s %s\n", "outbox.oldest", a);
	g_free(a);
	for (guint i = 0; i < sources->len; i++) {
		const struct md_source_row *s = g_ptr_array_index(sources, i);
		char *ok = s->last_ok ? md_clock_format_rfc3339(s->last_ok, tz)
				      : g_strdup("never");

		gint64 since = g_array_index(parked, gint64, i);

		if (since != 0) {
			char *at = md_clock_format_rfc3339(since, tz);

			printf("source %s: NEEDS ATTENTION since %s (parked "
			       "until the configuration is reloaded): %s\n",
			       s->name, at, s->last_error ? s->last_error
							  : "-");
			g_free(at);
			g_free(ok);
			continue;
		}
		printf("source %s: %" G_GINT64_FORMAT " received, last fetch "
		       "%s", s->name, s->received, ok);
		if (s->last_error != NULL) {
			char *at = md_clock_format_rfc3339(s->last_error_at,
							   tz);

			printf(", last error %s: %s", at, s->last_error);
			g_free(at);
		}
		printf("\n");
		g_free(ok);
	}
}

int
md_cmd_stats(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	GPtrArray *stats = NULL, *sources = NULL;
	GError *error = NULL;
	GArray *parked = NULL;
	gint64 age = -1;
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	int rc = EX_OK;

	if (argc > 2 || (argc == 2 && !json)) {
		return md_cli_usage(argv[0], "unknown argument '%s'",
				    argv[1]);
	}
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	stats = g_ptr_array_new_with_free_func(md_stat_free);
	sources = g_ptr_array_new_with_free_func(md_source_row_free);
	if (!md_query_stats(ctx.db, stats, &error) ||
	    !md_query_sources(ctx.db, sources, &error) ||
	    !md_queue_oldest(&ctx, md_clock_now(&ctx.clock), &age, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	only_configured(sources, ctx.conf);
	parked = g_array_sized_new(FALSE, TRUE, sizeof(gint64), sources->len);
	for (guint i = 0; i < sources->len; i++) {
		const struct md_source_row *s = g_ptr_array_index(sources, i);
		gint64 since = 0;

		if (!md_queue_source_parked(&ctx, s->name, &since, &error)) {
			rc = md_cli_fail(error);
			goto out;
		}
		g_array_append_val(parked, since);
	}
	if (json)
		print_json(stats, sources, parked, ctx.conf->tz, age);
	else
		print_text(stats, sources, parked, ctx.conf->tz, age);
out:
	g_clear_pointer(&stats, g_ptr_array_unref);
	g_clear_pointer(&sources, g_ptr_array_unref);
	if (parked != NULL)
		g_array_unref(parked);
	md_ctx_clear(&ctx);
	return rc;
}
