/* outbox.c: intents become queued mails; queued mails go out. */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "compose.h"
#include "conf.h"
#include "ctx.h"
#include "db.h"
#include "error.h"
#include "lifecycle.h"
#include "log.h"
#include "mid.h"
#include "msg.h"
#include "outbox.h"
#include "store.h"
#include "tag.h"
#include "template.h"
#include "transport.h"
#include "workday.h"

/* Retries stop after this long: a mail that could not leave for five days
 * is news nobody wants any more, and the ticket says so. */
#define GIVE_UP_AFTER (5 * 24 * 3600)

gint64
md_outbox_backoff(guint attempts)
{
	gint64 delay = 60;

	while (attempts-- > 1 && delay < 3600)
		delay *= 2;
	return MIN(delay, 3600);
}

static char *
today(const struct md_ctx *ctx)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(
		md_clock_now(&ctx->clock));
	GDateTime *local = g_date_time_to_timezone(utc, ctx->conf->tz);
	char *day = g_date_time_format(local, "%F");

	g_date_time_unref(local);
	g_date_time_unref(utc);
	return day;
}

/* Automatic mails count against the recipient's daily allowance. */
static bool
allowance(struct md_ctx *ctx, const struct md_ticket *t, const char *addr,
	  bool *allowed_r, GError **error)
{
	char *day = today(ctx), *what;
	bool ok = md_store_autoreply_take(ctx->db, addr, day,
					  ctx->conf->autoreply_per_sender_per_day,
					  allowed_r, error);

	if (ok && !*allowed_r) {
		what = g_strdup_printf("automatic mail to %s not sent: %d "
				       "already sent today", addr,
				       ctx->conf->autoreply_per_sender_per_day);
		ok = md_store_event(ctx->db, t->id, md_clock_now(&ctx->clock),
				    what, error);
		g_free(what);
	}
	g_free(day);
	return ok;
}

/* A state as the desk's language says it (notifications). */
static const char *
state_words(const struct md_conf *conf, enum md_state state)
{
	static const char *const fr[] = {
		"ouvert", "en attente", "résolu", "transmis", "fermé",
	};

	if (g_strcmp0(conf->language, "fr") == 0 && state < G_N_ELEMENTS(fr))
		return fr[state];
	return md_state_name(state);
}

/* The subject as templates quote it: inside French guillemets, the
 * subject's own become the inner quotes (« … “ … ” »). */
static char *
quoted_subject(const struct md_conf *conf, const char *subject)
{
	GString *s;

	if (g_strcmp0(conf->language, "fr") != 0 || subject == NULL)
		return g_strdup(subject);
	s = g_string_new(subject);
	g_string_replace(s, "« ", "“", 0);
	g_string_replace(s, " »", "”", 0);
	g_string_replace(s, "«", "“", 0);
	g_string_replace(s, "»", "”", 0);
	return g_string_free(s, FALSE);
}

/* A placeholder that rendered as nothing leaves no empty paragraph:
 * runs of blank lines become one. */
static void
squeeze_blank_lines(char *text)
{
	char *w = text;
	int newlines = 0;

	for (const char *r = text; *r != '\0'; r++) {
		if (*r == '\n') {
			/* blanks at the end of a line are dropped */
			while (w > text && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
			if (++newlines > 2)
				continue;
		} else if (*r != ' ' && *r != '\t') {
			newlines = 0;
		}
		*w++ = *r;
	}
	*w = '\0';
}

static GHashTable *
template_vars(const struct md_ctx *ctx, const struct md_ticket *t,
	      const struct md_msg *trigger, const struct md_intent *in,
	      char *attachments_take)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						 g_free);
	const struct md_conf *conf = ctx->conf;

	g_hash_table_insert(vars, "ticket",
			    g_strdup_printf("%" G_GINT64_FORMAT, t->id));
	g_hash_table_insert(vars, "tag", md_tag_subject(conf->desk_name,
							t->id, NULL));
	g_hash_table_insert(vars, "subject", quoted_subject(conf, t->subject));
	g_hash_table_insert(vars, "requester", g_strdup(t->requester));
	g_hash_table_insert(vars, "state",
			    g_strdup(state_words(conf, t->state)));
	g_hash_table_insert(vars, "desk_name", g_strdup(conf->desk_name));
	g_hash_table_insert(vars, "desk_address", g_strdup(conf->desk_address));
	g_hash_table_insert(vars, "from_name", g_strdup(conf->from_name));
	g_hash_table_insert(vars, "note", g_strdup(in->note ? in->note : ""));
	g_hash_table_insert(vars, "attachments", attachments_take != NULL
			    ? attachments_take : g_strdup(""));
	g_hash_table_insert(vars, "reopen_within",
			    g_strdup_printf("%d", conf->reopen_within));
	if (in->kind == MD_INTENT_REMINDER) {
		g_hash_table_insert(vars, "reminder",
				    g_strdup_printf("%d", in->number));
		g_hash_table_insert(vars, "close_date",
				    md_workday_format(ctx->cal, in->at,
						      conf->language,
						      MD_DATE_LONG));
	}
	if (trigger != NULL) {
		g_hash_table_insert(vars, "sender",
				    g_strdup(trigger->from_name != NULL
					     ? trigger->from_name
					     : trigger->from ? trigger->from
							     : ""));
		g_hash_table_insert(vars, "sender_address",
				    g_strdup(trigger->from ? trigger->from
							   : ""));
		/* An agent's commands are never relayed (issue 8). */
		g_hash_table_insert(vars, "text",
				    in->kind == MD_INTENT_RELAY
				    ? md_lifecycle_words(trigger->new_text)
				    : g_strdup(trigger->new_text));
		g_hash_table_insert(vars, "full_text",
				    g_strdup(trigger->text));
	}
	return vars;
}

/* N bytes as a person reads them: "850 bytes", "12 KB", "2.4 MB" (1024
 * based, as mail clients show sizes); French: "octets", "Ko", "2,4 Mo". */
char *
md_outbox_human_size(gint64 n, bool french)
{
	static const char *const en[] = { "KB", "MB", "GB" };
	static const char *const fr[] = { "Ko", "Mo", "Go" };
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	double v = (double)n;
	int unit = -1;

	if (n < 1024)
		return g_strdup_printf("%" G_GINT64_FORMAT " %s", n,
				       french ? "octets" : "bytes");
	while (v >= 1024 && unit < 2) {
		v /= 1024;
		unit++;
	}
	/* One decimal below 10, none above; never the locale's point. */
	g_ascii_formatd(buf, sizeof(buf), v < 10 ? "%.1f" : "%.0f", v);
	if (french)
		g_strdelimit(buf, ".", ',');
	return g_strdup_printf("%s %s", buf, french ? fr[unit] : en[unit]);
}

/* Of TRIGGER's attachments, those a mail of kind IN carries (struct
 * md_outfile *, borrowing TRIGGER's bytes) appended to FILES, and for a
 * notification the list that names them all (g_free; NULL: none).
 * Relays, and the escalation an agent's mail asks for, carry every file
 * of the sender, as the sender sent them (the mail already passed
 * limits.max_message_size).  A notification carries
 * them in order while the total stays within notify.attach_max: from the
 * first that would pass it, none (a later small one would make the list
 * harder to read, not the mail more useful); the list says which. */
static char *
attachments(struct md_ctx *ctx, const struct md_ticket *t,
	    const struct md_msg *trigger, const struct md_intent *in,
	    GPtrArray *files, GError **error)
{
	bool french = g_strcmp0(ctx->conf->language, "fr") == 0;
	gint64 total = 0, first = 0;
	bool full = false;
	GString *list;

	if (trigger == NULL || trigger->attachments->len == 0)
		return NULL;
	/* An agent's #escalate mail is never forwarded whole (it quotes
	 * our notification), so its files go upstream on their own. */
	if (in->kind == MD_INTENT_RELAY || in->kind == MD_INTENT_ESCALATION) {
		for (guint i = 0; i < trigger->attachments->len; i++) {
			const struct md_attachment *a =
				g_ptr_array_index(trigger->attachments, i);
			struct md_outfile *f = g_new0(struct md_outfile, 1);

			f->name = a->name;
			f->type = a->type;
			f->data = a->data;
			g_ptr_array_add(files, f);
		}
		return NULL;
	}
	if (in->kind != MD_INTENT_NOTIFY)
		return NULL;
	/* The numbers show N and maildesk attachment N K use: the
	 * trigger's row is already stored, its files the last ones. */
	if (!md_store_ticket_attachment_count(ctx->db, t->id, &first, error))
		return NULL;
	first -= trigger->attachments->len;
	list = g_string_new(NULL);
	g_string_printf(list, french ? "Pi\xc3\xa8" "ces jointes (maildesk "
			"attachment %" G_GINT64_FORMAT " K) :\n"
			: "Attachments (maildesk attachment %" G_GINT64_FORMAT
			" K):\n", t->id);
	for (guint i = 0; i < trigger->attachments->len; i++) {
		const struct md_attachment *a =
			g_ptr_array_index(trigger->attachments, i);
		char *size = md_outbox_human_size(a->size, french);

		full = full || total + a->size > ctx->conf->notify_attach_max;
		g_string_append_printf(list, "%" G_GINT64_FORMAT ". %s (%s, %s)",
				       first + i + 1, a->name[0] != '\0'
				       ? a->name : french ? "(sans nom)"
				       : "(no name)", a->type, size);
		g_free(size);
		if (full) {
			char *max = md_outbox_human_size(
				ctx->conf->notify_attach_max, french);

			g_string_append_printf(list, french
				? ", non jointe : au-del\xc3\xa0 de "
				  "notify.attach_max (%s en tout)"
				: ", not attached: over notify.attach_max "
				  "(%s in all)", max);
			g_free(max);
		} else {
			struct md_outfile *f = g_new0(struct md_outfile, 1);

			total += a->size;
			f->name = a->name;
			f->type = a->type;
			f->data = a->data;
			g_ptr_array_add(files, f);
		}
		if (i + 1 < trigger->attachments->len)
			g_string_append_c(list, '\n');
	}
	return g_string_free(list, FALSE);
}

static char *
subject_for(const struct md_ctx *ctx, const struct md_ticket *t,
	    const struct md_intent *in)
{
	char *tagged = md_tag_subject(ctx->conf->desk_name, t->id, t->subject);
	char *s;

	/* Upstream's own reference is kept in our mails to it, so that its
	 * desk threads them too. */
	if (in->kind != MD_INTENT_ESCALATION || t->upstream_ref == NULL)
		return tagged;
	s = g_strdup_printf("%s %s", t->upstream_ref, tagged);
	g_free(tagged);
	return s;
}

/* Stores M (composed as RAW) as a message of ticket T (NULL: a mail about
 * no ticket, such as a digest, kept in the outbox only) and queues it. */
static bool
store_and_queue(struct md_ctx *ctx, const struct md_ticket *t,
		const char *kind, const struct md_outmail *m, GBytes *raw,
		GError **error)
{
	GPtrArray *rcpts = g_ptr_array_new();
	gint64 now = md_clock_now(&ctx->clock);
	gsize len;
	const char *data = g_bytes_get_data(raw, &len);
	struct md_store_message row = {
		.ticket = t != NULL ? t->id : 0, .direction = "out",
		.role = MD_ROLE_DESK, .kind = kind,
		.message_id = m->message_id, .in_reply_to = m->in_reply_to,
		.sender = m->from_addr, .to = m->to, .cc = m->cc,
		.subject = m->subject, .date = now, .received = now,
		.text = m->text, .attachments = "[]",
	};
	struct md_store_outbox o = {
		.ticket = row.ticket, .kind = kind,
		.mail_from = ctx->conf->desk_address, .rcpts = rcpts,
		.now = now,
	};
	bool ok;

	g_ptr_array_extend(rcpts, (GPtrArray *)m->to, NULL, NULL);
	if (m->cc != NULL)
		g_ptr_array_extend(rcpts, (GPtrArray *)m->cc, NULL, NULL);
	ok = md_store_raw_insert(ctx->db, data, len, &o.raw, error);
	row.raw = o.raw;
	if (ok && t != NULL)
		ok = md_store_message_insert(ctx->db, &row, &o.message, error);
	ok = ok && md_store_outbox_insert(ctx->db, &o, error);
	g_ptr_array_unref(rcpts);
	return ok;
}

bool
md_outbox_queue_mail(struct md_ctx *ctx, const char *kind,
		     struct md_outmail *m, GError **error)
{
	GBytes *raw;
	char *mid = md_mid_new(ctx->secret, ctx->conf->desk_domain, 0,
			       md_clock_now_us(&ctx->clock));
	bool ok;

	m->message_id = mid;
	raw = md_compose(m);
	ok = store_and_queue(ctx, NULL, kind, m, raw, error);
	m->message_id = NULL;
	g_bytes_unref(raw);
	g_free(mid);
	return ok;
}

/* RFC 3834 3.1.7: "auto-replied" answers a mail; what the timers send on
 * their own is "auto-generated", and so is a notification to the agents
 * (an agent's out-of-office must not answer it).  NULL: a person's
 * words. */
static const char *
auto_submitted(enum md_intent_kind kind)
{
	switch (kind) {
	case MD_INTENT_ACK:
		return "auto-replied";
	case MD_INTENT_NOTIFY:
	case MD_INTENT_ASSIGNED:
	case MD_INTENT_REFUSED:
	case MD_INTENT_REMINDER:
	case MD_INTENT_CLOSED:
		return "auto-generated";
	default:
		return NULL;
	}
}

/* Mails to the agents: not counted against the daily allowance of
 * automatic mail, which protects the requester's side. */
static bool
to_agents(enum md_intent_kind kind)
{
	return kind == MD_INTENT_NOTIFY || kind == MD_INTENT_ASSIGNED ||
	       kind == MD_INTENT_REFUSED;
}

/* A timer's mail never goes to an address that bounces (spec 5); the
 * clock runs all the same. */
static bool
deliverable(struct md_ctx *ctx, const struct md_ticket *t,
	    const struct md_intent *in, bool *ok_r, GError **error)
{
	const char *addr = g_ptr_array_index(in->to, 0);
	bool bouncing = false;
	char *what;

	if (in->kind != MD_INTENT_REMINDER && in->kind != MD_INTENT_CLOSED)
		return *ok_r = true;
	if (!md_store_address_is_bouncing(ctx->db, addr, &bouncing, error))
		return false;
	*ok_r = !bouncing;
	if (!bouncing)
		return true;
	what = g_strdup_printf("%s to %s not sent: the address bounces",
			       md_intent_kind_name(in->kind), addr);
	bouncing = md_store_event(ctx->db, t->id, md_clock_now(&ctx->clock),
				  what, error);
	g_free(what);
	return bouncing;
}

/* In-Reply-To and References for a mail that answers no inbound mail (a
 * timer's, the command line's): the requester's side's last mail on the
 * ticket, so that it threads in their client.  Only mails they had are
 * named: our signed Message-IDs sent to agents stay with the agents. */
static bool
thread_refs(struct md_ctx *ctx, const struct md_ticket *t,
	    const struct md_msg *trigger, const struct md_intent *in,
	    char **parent_r, GPtrArray *refs, gint64 *last_r, GError **error)
{
	gint64 ours;

	*last_r = 0;
	/* Upstream threads on what it had from us and wrote to us. */
	if (in->kind == MD_INTENT_ESCALATION)
		return md_store_upstream_refs(ctx->db, t->id,
					      g_ptr_array_index(in->to, 0),
					      parent_r, refs, last_r, error);
	/* The requester's side never had the agent's mail (nor our
	 * notification it answers): their own thread. */
	if (in->kind != MD_INTENT_ACK && !to_agents(in->kind))
		return md_store_thread_refs(ctx->db, t->id, parent_r, refs,
					    error);
	/* A ticket opened on someone's behalf (an agent's forward, maildesk
	 * open): the requester never had the mail that opened it. */
	if (in->kind == MD_INTENT_ACK && trigger != NULL &&
	    g_strcmp0(trigger->from, t->requester) != 0)
		return md_store_thread_refs(ctx->db, t->id, parent_r, refs,
					    error);
	if (trigger != NULL && trigger->message_id != NULL) {
		*parent_r = g_strdup(trigger->message_id);
		/* A notification's signed id proves an agent (spec 6):
		 * whatever the trigger names, none of ours reaches the
		 * requester's side. */
		for (guint i = 0; i < trigger->references->len; i++) {
			const char *id = g_ptr_array_index(
				trigger->references, i);

			if (to_agents(in->kind) ||
			    !md_mid_verify(ctx->secret, id, &ours))
				g_ptr_array_add(refs, g_strdup(id));
		}
		return true;
	}
	return md_store_thread_refs(ctx->db, t->id, parent_r, refs, error);
}

bool
md_outbox_queue(struct md_ctx *ctx, const struct md_ticket *t,
		const struct md_msg *trigger, const struct md_intent *in,
		bool *queued_r, GError **error)
{
	const struct md_conf *conf = ctx->conf;
	const char *kind = md_intent_template_name(in->kind), *tmpl;
	const char *automatic = auto_submitted(in->kind);
	bool allowed = true;
	GHashTable *vars = NULL;
	GPtrArray *attach = NULL;
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *refs = g_ptr_array_new_with_free_func(g_free);
	char *text = NULL, *subject = NULL, *mid = NULL, *parent = NULL;
	char *listing = NULL;
	GError *local = NULL;
	gint64 last = 0;
	GBytes *raw = NULL;
	bool ok = false;

	*queued_r = false;
	if (in->to->len == 0 || ctx->no_mail)
		goto done;
	/* No automatic mail ever goes to upstream: its desk answers ours. */
	if (automatic != NULL && !to_agents(in->kind) &&
	    md_addr_domain_in(conf->upstream_domains,
			      g_ptr_array_index(in->to, 0)))
		goto done;
	if (!deliverable(ctx, t, in, &allowed, error))
		goto out;
	/* The allowance is for the requester's side: notifications to
	 * the agents are as many as the mails they tell of. */
	if (allowed && automatic != NULL && !to_agents(in->kind) &&
	    !allowance(ctx, t, g_ptr_array_index(in->to, 0), &allowed, error))
		goto out;
	if (!allowed)
		goto done;
	if (!thread_refs(ctx, t, trigger, in, &parent, refs, &last, error))
		goto out;
	if (in->kind == MD_INTENT_ESCALATION && in->followup && last != 0)
		kind = "followup";
	else
		last = 0;
	tmpl = md_templates_get(ctx->templates, kind, error);
	if (tmpl == NULL)
		goto out;
	if (in->kind == MD_INTENT_ESCALATION) {
		attach = g_ptr_array_new_with_free_func(
			(GDestroyNotify)g_bytes_unref);
		if (!md_store_ticket_raws(ctx->db, t->id, last, attach, error))
			goto out;
	}
	listing = attachments(ctx, t, trigger, in, files, &local);
	if (local != NULL) {
		g_propagate_error(error, local);
		goto out;
	}
	vars = template_vars(ctx, t, trigger, in, g_steal_pointer(&listing));
	text = md_template_render(tmpl, vars);
	squeeze_blank_lines(text);
	subject = subject_for(ctx, t, in);
	mid = md_mid_new(ctx->secret, conf->desk_domain, t->id,
			 md_clock_now_us(&ctx->clock));
	struct md_outmail m = {
		.from_name = conf->from_name, .from_addr = conf->desk_address,
		.to = in->to, .cc = in->cc, .subject = subject,
		.message_id = mid, .in_reply_to = parent, .references = refs,
		.date = md_clock_now(&ctx->clock), .tz = conf->tz,
		.text = text, .auto_submitted = automatic,
		.loop = conf->desk_address, .attach = attach, .files = files,
		.reply_to = in->kind == MD_INTENT_ESCALATION
			? conf->desk_address : NULL,
	};
	raw = md_compose(&m);
	ok = store_and_queue(ctx, t, md_intent_kind_name(in->kind), &m, raw,
			     error);
	*queued_r = ok;
	goto out;
done:
	ok = true;
out:
	g_clear_pointer(&raw, g_bytes_unref);
	g_clear_pointer(&vars, g_hash_table_unref);
	g_clear_pointer(&attach, g_ptr_array_unref);
	g_ptr_array_unref(files);
	g_ptr_array_unref(refs);
	g_free(listing);
	g_free(text);
	g_free(subject);
	g_free(mid);
	g_free(parent);
	return ok;
}

/* "outbox=ID ticket=N kind=K to=<a>,<b>": how each line about an
 * outgoing mail starts (g_free). */
static char *
mail_id(const struct md_outbox_row *row)
{
	GString *s = g_string_new(NULL);

	g_string_printf(s, "outbox=%" G_GINT64_FORMAT " ticket=", row->id);
	if (row->ticket != 0)
		g_string_append_printf(s, "%" G_GINT64_FORMAT, row->ticket);
	else
		g_string_append_c(s, '-');
	g_string_append_printf(s, " kind=%s to=", row->kind ? row->kind : "-");
	for (guint i = 0; i < row->rcpts->len; i++)
		g_string_append_printf(s, "%s<%s>", i ? "," : "",
				       (char *)g_ptr_array_index(row->rcpts, i));
	return g_string_free(s, FALSE);
}

/* Records the outcome of one send; returns false on database errors. */
static bool
outcome(struct md_ctx *ctx, const struct md_outbox_row *row, bool sent,
	const GError *failure, GPtrArray *refused,
	struct md_outbox_stats *stats, GError **error)
{
	gint64 now = md_clock_now(&ctx->clock);
	int attempts = row->attempts + 1;
	char *what = NULL, *id = mail_id(row), *at;
	bool ok;

	if (sent) {
		stats->sent++;
		for (guint i = 0; i < refused->len; i++) {
			char *more = g_strdup_printf("%s%s%s", what ? what :
				"", what ? "; " : "refused: ",
				(char *)g_ptr_array_index(refused, i));

			g_free(what);
			what = more;
		}
		md_log_mail("%s: sent%s%s", id, what ? "; " : "",
			    what ? what : "");
		ok = md_store_outbox_result(ctx->db, row->id, "sent", attempts,
					    now, now, NULL, error);
	} else if ((failure->code == MD_ERROR_TEMP ||
		    failure->code == MD_ERROR_CONFIG) &&
		   now - row->created < GIVE_UP_AFTER) {
		/* A refused login is the desk's fault, not the mail's: it
		 * waits for the fix like any deferred mail. */
		stats->deferred++;
		stats->config += failure->code == MD_ERROR_CONFIG;
		at = md_clock_format_rfc3339(now + md_outbox_backoff(attempts),
					     ctx->conf->tz);
		md_log_warn("%s: deferred: %s; next try %s", id,
			    failure->message, at);
		g_free(at);
		ok = md_store_outbox_result(ctx->db, row->id, "queued",
					    attempts,
					    now + md_outbox_backoff(attempts),
					    now, failure->message, error);
	} else {
		stats->failed++;
		what = g_strdup_printf("mail %" G_GINT64_FORMAT " not "
				       "delivered: %s", row->id,
				       failure->message);
		md_log_error("%s: refused: %s", id, failure->message);
		ok = md_store_outbox_result(ctx->db, row->id, "failed",
					    attempts, now, now,
					    failure->message, error);
	}
	/* A digest belongs to no ticket: the log says it. */
	if (ok && what != NULL && row->ticket != 0)
		ok = md_store_event(ctx->db, row->ticket, now, what, error);
	g_free(what);
	g_free(id);
	return ok;
}

/* One send, its result kept for the round's transaction. */
struct attempt {
	bool sent;
	GPtrArray *refused;	/* char * */
	GError *failure;
};

static void
attempt_clear(gpointer data)
{
	struct attempt *a = data;

	g_ptr_array_unref(a->refused);
	g_clear_error(&a->failure);
}

/* One round: up to ROUND due rows sent, then their outcomes committed in
 * one short transaction (no network I/O inside a transaction).  A crash
 * between the two resends the round: a duplicate is better than a loss.
 * *N_R = rows taken. */
static bool
round_send(struct md_ctx *ctx, struct md_transport *t, guint round,
	   const volatile gint *stop, guint *n_r,
	   struct md_outbox_stats *stats, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func(md_outbox_row_free);
	GArray *attempts = g_array_new(FALSE, TRUE, sizeof(struct attempt));
	GError *flush_error = NULL;
	bool ok = false;

	g_array_set_clear_func(attempts, attempt_clear);
	*n_r = 0;
	if (!md_store_outbox_due(ctx->db, md_clock_now(&ctx->clock), round,
				 rows, error))
		goto out;
	for (guint i = 0; i < rows->len; i++) {
		struct md_outbox_row *row = g_ptr_array_index(rows, i);
		struct attempt a = { 0 };
		gsize len;
		const char *data = g_bytes_get_data(row->data, &len);

		a.refused = g_ptr_array_new_with_free_func(g_free);
		a.sent = md_transport_send(t, row->mail_from, row->rcpts, data,
					   len, a.refused, &a.failure);
		g_array_append_val(attempts, a);
		if (stop != NULL && g_atomic_int_get(stop))
			break;
	}
	*n_r = attempts->len;
	if (attempts->len == 0) {
		ok = true;
		goto out;
	}
	/* Until the transport has made the round durable, nothing of it
	 * counts as sent: on failure every mail waits for a retry. */
	if (!md_transport_flush(t, &flush_error))
		for (guint i = 0; i < attempts->len; i++) {
			struct attempt *a = &g_array_index(attempts,
							   struct attempt, i);

			if (a->sent) {
				a->sent = false;
				a->failure = g_error_copy(flush_error);
			}
		}
	if (!md_db_begin(ctx->db, error))
		goto out;
	ok = true;
	for (guint i = 0; ok && i < attempts->len; i++) {
		struct attempt *a = &g_array_index(attempts, struct attempt, i);

		ok = outcome(ctx, g_ptr_array_index(rows, i), a->sent,
			     a->failure, a->refused, stats, error);
	}
	if (ok)
		ok = md_db_commit(ctx->db, error);
	if (!ok)
		md_db_rollback(ctx->db);
out:
	g_clear_error(&flush_error);
	g_array_unref(attempts);
	g_ptr_array_unref(rows);
	return ok;
}

bool
md_outbox_flush(struct md_ctx *ctx, struct md_transport *t, guint max,
		const volatile gint *stop, struct md_outbox_stats *stats,
		GError **error)
{
	guint total = 0, n;

	do {
		guint round = 64;

		if (max > 0)
			round = MIN(round, max - total);
		if (!round_send(ctx, t, round, stop, &n, stats, error))
			return false;
		total += n;
		if (stop != NULL && g_atomic_int_get(stop))
			break;
	} while (n > 0 && (max == 0 || total < max));
	return true;
}

bool
md_outbox_next_due(struct md_ctx *ctx, gint64 *due_r, GError **error)
{
	return md_store_outbox_next(ctx->db, due_r, error);
}
