/* cmd-search.c: full-text search over the mail people wrote (FTS5, ranked
 * by bm25, a snippet around the match). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "error.h"
#include "json.h"
#include "query.h"

/* The newest matches ranked by bm25 when a query matches more: a word in
 * most mail would otherwise be ranked over the whole history (1.5 s at
 * 126,000 messages).  A constant, so that a search costs the same on a
 * desk of any age. */
#define SEARCH_WINDOW 2000

struct results {
	bool json;
	GTimeZone *tz;
	guint printed;
	GString *buf;		/* one hit's text, reused */
};

static bool
print_hit(const struct md_search_hit *h, gpointer data, GError **error)
{
	struct results *r = data;
	char *date = md_clock_format_rfc3339(h->date, r->tz);
	bool first = true;
	(void)error;

	if (!r->json) {
		/* The snippet on one line: it cuts through paragraphs. */
		g_string_assign(r->buf, h->snippet != NULL ? h->snippet : "");
		g_strdelimit(r->buf->str, "\r\n\t", ' ');
		printf("#%-6" G_GINT64_FORMAT " %-9s %.16s  %s\n        %s\n",
		       h->ticket, h->status, date, h->subject, r->buf->str);
		goto out;
	}
	g_string_assign(r->buf, r->printed ? ",\n{" : "{");
	md_json_kv_int(r->buf, &first, "ticket", h->ticket);
	md_json_kv_int(r->buf, &first, "message", h->message);
	md_json_kv_str(r->buf, &first, "status", h->status);
	md_json_kv_str(r->buf, &first, "subject", h->subject);
	md_json_kv_str(r->buf, &first, "from", h->from);
	md_json_kv_str(r->buf, &first, "date", date);
	md_json_kv_str(r->buf, &first, "snippet", h->snippet);
	md_json_key(r->buf, &first, "score");
	g_string_append_printf(r->buf, "%.3f", -h->score);
	g_string_append_c(r->buf, '}');
	fputs(r->buf->str, stdout);
out:
	r->printed++;
	g_free(date);
	return true;
}

static bool
parse_options(int argc, char **argv, GString *query, bool *json_r,
	      char ***statuses_r, gint64 *limit_r)
{
	enum md_state state;
	char *end;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			*json_r = true;
		} else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc) {
			g_strfreev(*statuses_r);
			*statuses_r = g_strsplit(argv[++i], ",", -1);
			for (char **s = *statuses_r; *s != NULL; s++)
				if (!md_state_parse(*s, &state))
					return false;
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			*limit_r = g_ascii_strtoll(argv[++i], &end, 10);
			if (*end != '\0' || *limit_r <= 0)
				return false;
		} else if (argv[i][0] != '-') {
			/* Several words are one query (the shell split it). */
			g_string_append_printf(query, "%s%s",
					       query->len ? " " : "", argv[i]);
		} else {
			return false;
		}
	}
	return query->len > 0;
}

int
md_cmd_search(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct results r = { 0 };
	GString *query = g_string_new(NULL);
	char **statuses = NULL, *match = NULL;
	gint64 limit = 50;
	GError *error = NULL;
	bool bounded = false;
	int rc = EX_OK;

	if (!parse_options(argc, argv, query, &r.json, &statuses, &limit)) {
		g_strfreev(statuses);
		g_string_free(query, TRUE);
		return md_cli_usage(argv[0], "unknown option, missing query, "
				    "bad status or limit");
	}
	if (!md_cli_open(cli, &ctx, &error))
		goto fail;
	r.tz = ctx.conf->tz;
	r.buf = g_string_new(NULL);
	match = md_query_search_syntax(query->str);
	if (r.json)
		fputs("[", stdout);
	if (!md_query_search_each(ctx.db, match,
				  (const char *const *)statuses, limit,
				  SEARCH_WINDOW, &bounded,
				  print_hit, &r, &error)) {
		if (r.json)
			fputs("]\n", stdout);
		goto fail;
	}
	if (r.json)
		fputs("]\n", stdout);
	else if (r.printed == 0)
		printf("nothing found\n");
	/* Said on stderr with --json: stdout stays one JSON array. */
	if (bounded)
		fprintf(r.json ? stderr : stdout, "(ranked among the newest "
			"%d of more matches: narrow the query to reach older "
			"mail)\n", SEARCH_WINDOW);
	goto out;
fail:
	rc = md_cli_fail(error);
out:
	if (r.buf != NULL)
		g_string_free(r.buf, TRUE);
	g_free(match);
	g_string_free(query, TRUE);
	g_strfreev(statuses);
	md_ctx_clear(&ctx);
	return rc;
}
