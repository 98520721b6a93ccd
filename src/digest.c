/* digest.c: what is stuck, for the supervisors, every working morning. */
#include "config.h"

#include <string.h>

#include "compose.h"
#include "conf.h"
#include "ctx.h"
#include "db.h"
#include "digest.h"
#include "error.h"
#include "lifecycle.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "template.h"
#include "workday.h"

#define LAST_DIGEST "last_digest"

/* The digest's words; the template gives its opening and closing. */
struct words {
	bool french;		/* 0 and 1 are singular */
	const char *subject;	/* "%s" desk name, date, then counts */
	const char *heads[3];
	const char *none;
	const char *day, *days, *hour, *hours;	/* singular, plural */
	const char *states[5];
	const char *columns[6];
};

static const struct words words_en = {
	false,
	"[%s] Digest for %s: %u escalated, %u waiting on upstream, "
	"%u stale",
	{ "Escalated since the last digest", "Waiting on upstream",
	  "Open without an answer of the desk" },
	"(none)", "working day", "working days", "working hour",
	"working hours",
	{ "open", "pending", "resolved", "escalated", "closed" },
	{ "Ticket", "Subject", "Requester", "State", "Age", "Last message" },
};

static const struct words words_fr = {
	true,
	"[%s] Synthèse du %s : %u transmises, %u en attente du support, "
	"%u sans réponse",
	{ "Transmises depuis la dernière synthèse",
	  "En attente du support de niveau 2",
	  "Ouvertes sans réponse du service" },
	"(aucune)", "jour ouvré", "jours ouvrés", "heure ouvrée",
	"heures ouvrées",
	{ "ouverte", "en attente", "résolue", "transmise", "fermée" },
	{ "Demande", "Objet", "Demandeur", "État", "Âge", "Dernier message" },
};

struct section {
	GPtrArray *tickets;	/* struct md_ticket * */
	GPtrArray *ages;	/* char * */
	GPtrArray *lasts;	/* char *: first line of the last message */
};

struct digest {
	const struct words *w;
	struct section s[3];
};

static void
ticket_free(gpointer data)
{
	md_ticket_clear(data);
	g_free(data);
}

static void
digest_clear(struct digest *d)
{
	for (int i = 0; i < 3; i++) {
		g_clear_pointer(&d->s[i].tickets, g_ptr_array_unref);
		g_clear_pointer(&d->s[i].ages, g_ptr_array_unref);
		g_clear_pointer(&d->s[i].lasts, g_ptr_array_unref);
	}
}

/* A greeting ("Bonjour,", "Hello Alice,"): short and ending in a comma;
 * it tells a supervisor nothing. */
static bool
greeting(const char *line, gsize n)
{
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	return n > 0 && n < 40 && line[n - 1] == ',';
}

/* The first line of TEXT that says something, at most 100 characters. */
static char *
first_line(const char *text)
{
	const char *p = text != NULL ? text : "";
	gsize n;
	char *line;

	for (;;) {
		while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "\r\n");
		if (!greeting(p, n) || p[n] == '\0')
			break;
		p += n;
	}
	line = g_utf8_make_valid(p, n);
	if (g_utf8_strlen(line, -1) > 100) {
		char *cut = g_utf8_substring(line, 0, 99);

		g_free(line);
		line = g_strconcat(cut, "…", NULL);
		g_free(cut);
	}
	return line;
}

static bool
plural(const struct words *w, gint64 n)
{
	return w->french ? n > 1 : n != 1;
}

static bool
load_section(struct md_ctx *ctx, struct digest *d, int which, gint64 arg,
	     gint64 now, GError **error)
{
	struct section *s = &d->s[which];
	gint64 stale = (gint64)ctx->conf->stale_after * 3600;

	s->tickets = g_ptr_array_new_with_free_func(ticket_free);
	s->ages = g_ptr_array_new_with_free_func(g_free);
	s->lasts = g_ptr_array_new_with_free_func(g_free);
	if (!md_store_digest_tickets(ctx->db, which, arg, s->tickets, error))
		return false;
	for (guint i = 0; i < s->tickets->len; i++) {
		struct md_ticket *t = g_ptr_array_index(s->tickets, i);
		char *text = NULL;

		if (which == MD_DIGEST_OPEN) {
			gint64 office = md_workday_office_seconds(
				ctx->cal, t->since, now);

			/* The query bounds by wall time; office time
			 * decides. */
			if (office <= stale) {
				g_ptr_array_remove_index(s->tickets, i--);
				continue;
			}
			office /= 3600;
			g_ptr_array_add(s->ages, g_strdup_printf(
				"%" G_GINT64_FORMAT " %s", office,
				plural(d->w, office) ? d->w->hours
						     : d->w->hour));
		} else {
			int days = md_workday_count(ctx->cal, t->escalated_at,
						    now);

			g_ptr_array_add(s->ages, g_strdup_printf("%d %s", days,
				plural(d->w, days) ? d->w->days : d->w->day));
		}
		if (!md_store_last_words(ctx->db, t->id, &text, error))
			return false;
		g_ptr_array_add(s->lasts, first_line(text));
		g_free(text);
	}
	return true;
}

static bool
load(struct md_ctx *ctx, gint64 last, gint64 now, struct digest *d,
     GError **error)
{
	d->w = strcmp(ctx->conf->language, "fr") == 0 ? &words_fr : &words_en;
	return load_section(ctx, d, MD_DIGEST_ESCALATED, last, now, error) &&
	       load_section(ctx, d, MD_DIGEST_UPSTREAM, 0, now, error) &&
	       load_section(ctx, d, MD_DIGEST_OPEN,
			    now - (gint64)ctx->conf->stale_after * 3600, now,
			    error);
}

static bool
empty(const struct digest *d)
{
	return d->s[0].tickets->len == 0 && d->s[1].tickets->len == 0 &&
	       d->s[2].tickets->len == 0;
}

static void
text_section(GString *out, const struct digest *d, int which)
{
	const struct section *s = &d->s[which];

	g_string_append_printf(out, "%s (%u)\n", d->w->heads[which],
			       s->tickets->len);
	if (s->tickets->len == 0)
		g_string_append_printf(out, "  %s\n", d->w->none);
	for (guint i = 0; i < s->tickets->len; i++) {
		const struct md_ticket *t = g_ptr_array_index(s->tickets, i);

		g_string_append_printf(out, "  #%" G_GINT64_FORMAT "  %s\n"
				       "      %s · %s · %s\n"
				       "      « %s »\n", t->id, t->subject,
				       t->requester, d->w->states[t->state],
				       (char *)g_ptr_array_index(s->ages, i),
				       (char *)g_ptr_array_index(s->lasts, i));
	}
	g_string_append_c(out, '\n');
}

static void
html_escaped(GString *out, const char *text)
{
	char *e = g_markup_escape_text(text != NULL ? text : "", -1);

	g_string_append(out, e);
	g_free(e);
}

static void
html_section(GString *out, const struct digest *d, int which)
{
	const struct section *s = &d->s[which];

	g_string_append(out, "<h3>");
	html_escaped(out, d->w->heads[which]);
	g_string_append_printf(out, " (%u)</h3>\n", s->tickets->len);
	if (s->tickets->len == 0) {
		g_string_append(out, "<p>");
		html_escaped(out, d->w->none);
		g_string_append(out, "</p>\n");
		return;
	}
	g_string_append(out, "<table border=\"1\" cellpadding=\"4\" "
			"cellspacing=\"0\">\n<tr>");
	for (int c = 0; c < 6; c++) {
		g_string_append(out, "<th>");
		html_escaped(out, d->w->columns[c]);
		g_string_append(out, "</th>");
	}
	g_string_append(out, "</tr>\n");
	for (guint i = 0; i < s->tickets->len; i++) {
		const struct md_ticket *t = g_ptr_array_index(s->tickets, i);
		const char *cells[] = {
			NULL, t->subject, t->requester, d->w->states[t->state],
			g_ptr_array_index(s->ages, i),
			g_ptr_array_index(s->lasts, i),
		};

		g_string_append_printf(out, "<tr><td>%" G_GINT64_FORMAT
				       "</td>", t->id);
		for (int c = 1; c < 6; c++) {
			g_string_append(out, "<td>");
			html_escaped(out, cells[c]);
			g_string_append(out, "</td>");
		}
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n");
}

/* The subject, the text (from the digest template) and the HTML. */
static bool
render(struct md_ctx *ctx, const struct digest *d, gint64 now,
       char **subject_r, char **text_r, char **html_r, GError **error)
{
	const char *tmpl = md_templates_get(ctx->templates, "digest", error);
	GHashTable *vars;
	GString *lists, *html;
	char *date;

	if (tmpl == NULL)
		return false;
	date = md_workday_format(ctx->cal, now, ctx->conf->language,
				 MD_DATE_LONG);
	*subject_r = g_strdup_printf(d->w->subject, ctx->conf->desk_name, date,
				     d->s[0].tickets->len,
				     d->s[1].tickets->len,
				     d->s[2].tickets->len);
	lists = g_string_new(NULL);
	html = g_string_new("<!DOCTYPE html>\n<html><body>\n<h2>");
	html_escaped(html, *subject_r);
	g_string_append(html, "</h2>\n");
	for (int i = 0; i < 3; i++) {
		text_section(lists, d, i);
		html_section(html, d, i);
	}
	g_string_append(html, "</body></html>\n");
	vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_hash_table_insert(vars, "date", date);
	g_hash_table_insert(vars, "desk_name", g_strdup(ctx->conf->desk_name));
	g_hash_table_insert(vars, "from_name", g_strdup(ctx->conf->from_name));
	g_hash_table_insert(vars, "lists", g_string_free(lists, FALSE));
	*text_r = md_template_render(tmpl, vars);
	*html_r = g_string_free(html, FALSE);
	g_hash_table_unref(vars);
	return true;
}

static bool
queue(struct md_ctx *ctx, const char *subject, const char *text,
      const char *html, guint *queued_r, GError **error)
{
	const GPtrArray *sups = ctx->conf->supervisors;

	for (guint i = 0; sups != NULL && i < sups->len; i++) {
		GPtrArray *to = g_ptr_array_new();
		struct md_outmail m = {
			.from_name = ctx->conf->from_name,
			.from_addr = ctx->conf->desk_address, .to = to,
			.subject = subject, .date = md_clock_now(&ctx->clock),
			.tz = ctx->conf->tz, .text = text, .html = html,
			.auto_submitted = "auto-generated",
			.loop = ctx->conf->desk_address,
		};
		bool ok;

		g_ptr_array_add(to, g_ptr_array_index(sups, i));
		ok = md_outbox_queue_mail(ctx, "digest", &m, error);
		g_ptr_array_unref(to);
		if (!ok)
			return false;
		(*queued_r)++;
	}
	return true;
}

/* Builds the digest of the tickets escalated after LAST and, if QUEUE_IT,
 * queues it and records NOW as the last digest; inside a transaction. */
static bool
make(struct md_ctx *ctx, gint64 last, bool queue_it, bool even_empty,
     char **text_r, guint *queued_r, GError **error)
{
	gint64 now = md_clock_now(&ctx->clock);
	struct digest d = { 0 };
	char *subject = NULL, *text = NULL, *html = NULL;
	bool ok = false;

	if (!load(ctx, last, now, &d, error) ||
	    !render(ctx, &d, now, &subject, &text, &html, error))
		goto out;
	if (queue_it && (even_empty || !empty(&d)) &&
	    !queue(ctx, subject, text, html, queued_r, error))
		goto out;
	if (queue_it && !md_store_meta_set_int(ctx->db, LAST_DIGEST, now,
					       error))
		goto out;
	if (text_r != NULL)
		*text_r = g_strdup_printf("Subject: %s\n\n%s", subject, text);
	ok = true;
out:
	digest_clear(&d);
	g_free(subject);
	g_free(text);
	g_free(html);
	return ok;
}

static int
digest_minute(const struct md_conf *conf)
{
	const char *at = conf->digest_at;	/* "HH:MM", validated */

	return ((at[0] - '0') * 10 + (at[1] - '0')) * 60 +
	       (at[3] - '0') * 10 + (at[4] - '0');
}

static GDateTime *
local(GTimeZone *tz, gint64 t)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(t);
	GDateTime *l = g_date_time_to_timezone(utc, tz);

	g_date_time_unref(utc);
	return l;
}

static bool
same_local_day(GTimeZone *tz, gint64 a, gint64 b)
{
	GDateTime *x = local(tz, a), *y = local(tz, b);
	bool same = g_date_time_get_year(x) == g_date_time_get_year(y) &&
		    g_date_time_get_day_of_year(x) ==
		    g_date_time_get_day_of_year(y);

	g_date_time_unref(x);
	g_date_time_unref(y);
	return same;
}

bool
md_digest_tick(struct md_ctx *ctx, guint *queued_r, GError **error)
{
	const struct md_conf *conf = ctx->conf;
	gint64 now = md_clock_now(&ctx->clock), slot, last = 0;
	int minute = digest_minute(conf);
	bool ok = false;

	if (conf->supervisors == NULL || conf->supervisors->len == 0)
		return true;
	/* Today's time, on a working day: a day missed while the daemon
	 * was down is not made up the next day (the next digest covers
	 * it), and nothing goes out on a Sunday. */
	slot = md_workday_last_at(ctx->cal, now, minute);
	if (slot == 0 || !same_local_day(conf->tz, slot, now))
		return true;
	/* Read first without the write lock: every sweep of the day after
	 * the digest ends here.  Then again under it, against another
	 * process sending the same digest. */
	if (!md_store_meta_get_int(ctx->db, LAST_DIGEST, &last, error))
		return false;
	if (last >= slot)
		return true;
	if (!md_db_begin(ctx->db, error))
		return false;
	if (!md_store_meta_get_int(ctx->db, LAST_DIGEST, &last, error))
		goto out;
	if (last >= slot) {
		md_db_rollback(ctx->db);
		return true;
	}
	/* The first digest covers the escalations since the working day
	 * before. */
	if (last == 0)
		last = md_workday_last_at(ctx->cal, slot - 1, minute);
	if (!make(ctx, last, true, conf->digest_when_empty, NULL, queued_r,
		  error))
		goto out;
	ok = md_db_commit(ctx->db, error);
	if (ok && *queued_r > 0)
		md_log_info("digest: %u mails queued", *queued_r);
out:
	if (!ok)
		md_db_rollback(ctx->db);
	return ok;
}

bool
md_digest_now(struct md_ctx *ctx, bool dry_run, char **text_r,
	      guint *queued_r, GError **error)
{
	gint64 last = 0;
	bool ok = false;

	if (!md_db_begin(ctx->db, error))
		return false;
	if (!md_store_meta_get_int(ctx->db, LAST_DIGEST, &last, error))
		goto out;
	if (last == 0)
		last = md_workday_last_at(ctx->cal, md_clock_now(&ctx->clock) -
					  86400, digest_minute(ctx->conf));
	if (!make(ctx, last, !dry_run, true, text_r, queued_r, error))
		goto out;
	ok = dry_run || md_db_commit(ctx->db, error);
out:
	if (!ok || dry_run)
		md_db_rollback(ctx->db);
	return ok;
}
