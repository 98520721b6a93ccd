/* cmd-stats.c: counts and each inbound source's health. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "json.h"
#include "query.h"

static void
print_json(GPtrArray *stats, GPtrArray *sources, GTimeZone *tz)
{
	GString *out = g_string_new("{");
	bool first = true;

	for (guint i = 0; i < stats->len; i++) {
		const struct md_stat *s = g_ptr_array_index(stats, i);

		md_json_kv_int(out, &first, s->name, s->count);
	}
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
		g_string_append_c(out, '}');
		g_free(ok);
		g_free(err);
	}
	g_string_append(out, "]}");
	printf("%s\n", out->str);
	g_string_free(out, TRUE);
}

static void
print_text(GPtrArray *stats, GPtrArray *sources, GTimeZone *tz)
{
	for (guint i = 0; i < stats->len; i++) {
		const struct md_stat *s = g_ptr_array_index(stats, i);

		printf("%-20s %" G_GINT64_FORMAT "\n", s->name, s->count);
	}
	for (guint i = 0; i < sources->len; i++) {
		const struct md_source_row *s = g_ptr_array_index(sources, i);
		char *ok = s->last_ok ? md_clock_format_rfc3339(s->last_ok, tz)
				      : g_strdup("never");

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
	    !md_query_sources(ctx.db, sources, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	if (json)
		print_json(stats, sources, ctx.conf->tz);
	else
		print_text(stats, sources, ctx.conf->tz);
out:
	g_clear_pointer(&stats, g_ptr_array_unref);
	g_clear_pointer(&sources, g_ptr_array_unref);
	md_ctx_clear(&ctx);
	return rc;
}
