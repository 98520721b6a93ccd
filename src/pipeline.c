/* pipeline.c: spec section 4, steps 1-5, for each message of a batch.
 *
 * The whole batch is one transaction.  A message that cannot be parsed or
 * is too large goes to the quarantine with its raw bytes; one found at
 * fault later (MD_ERROR_DATA) makes the batch roll back and run again with
 * that message put aside.  Temporary failures (locked or full database)
 * abort the batch: nothing is committed, nothing acknowledged, and the
 * source offers the same mail again later.
 */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "bounce.h"
#include "classify.h"
#include "compose.h"
#include "conf.h"
#include "ctx.h"
#include "db.h"
#include "error.h"
#include "forward.h"
#include "json.h"
#include "lifecycle.h"
#include "log.h"
#include "loop.h"
#include "mid.h"
#include "msg.h"
#include "pipeline.h"
#include "source.h"
#include "store.h"
#include "tag.h"
#include "thread.h"
#include "ticket.h"

#define MD_TICKET_SUBJECT_MAX 200

/* What one inbound message carries through the steps; freed at once. */
struct inbound {
	const char *source;	/* "SOURCE:KEY", for rows and logs */
	const char *raw;
	gsize len;
	struct md_msg *msg;
	char *hash;
	gint64 raw_id;
	struct md_loop_verdict verdict;
	enum md_role role;
	/* An agent proven only by replying to a notification of this ticket
	 * (0: not so proven). */
	gint64 reply_proof;
	/* From upstream's address, not proven (spec 6): recorded on an
	 * escalated ticket for the agents' eyes only. */
	bool unverified;
	struct md_ticket ticket;
	bool new_ticket;
	/* A proven agent's forward opened the ticket for someone else
	 * (#requester, or the forwarded original's author). */
	bool on_behalf;
	GPtrArray *participants;	/* char *, everyone on the thread */
	GPtrArray *joining;	/* char *, new on the thread with this mail */
	GPtrArray *lines;	/* borrowed: the try's log lines (char *, the
				 * first byte 'I' or 'W'), written once it is
				 * committed */
	char *mails;		/* "ack queued for X, ..." or NULL */
};

static void
inbound_clear(struct inbound *in)
{
	md_msg_free(in->msg);
	g_free(in->hash);
	md_ticket_clear(&in->ticket);
	g_clear_pointer(&in->participants, g_ptr_array_unref);
	g_clear_pointer(&in->joining, g_ptr_array_unref);
	g_free(in->mails);
}

/* Adds the log line of IN (LEVEL 'I' or 'W'): Postfix's queue lines are
 * the model, "SOURCE:KEY: message-id=<...>, from=<...>, WHAT", so that
 * grep finds a mail by its Message-ID and a ticket by ticket=N. */
static void
mail_line(struct inbound *in, char level, const char *what)
{
	const struct md_msg *m = in->msg;

	g_ptr_array_add(in->lines, g_strdup_printf("%c%s: message-id=<%s>, "
		"from=<%s>, %s", level, in->source,
		m != NULL && m->message_id != NULL ? m->message_id : "",
		m != NULL && m->from != NULL ? m->from : "", what));
}

/* What became of IN's acknowledgement, for its log line (g_free). */
static char *
ack_decision(const struct inbound *in)
{
	if (!in->new_ticket)
		return g_strdup("none (follow-up)");
	if (in->verdict.kind != MD_LOOP_NONE)
		return g_strdup_printf("suppressed (%s)", in->verdict.reason);
	if (in->role == MD_ROLE_DESK)
		return g_strdup("suppressed (from the desk itself)");
	if (in->mails != NULL && strstr(in->mails, "ack queued") != NULL)
		return g_strdup("queued");
	return g_strdup("suppressed (daily allowance or bouncing address: "
			"see the ticket's events)");
}

/* The line of a mail recorded on its ticket. */
static void
stored_line(struct inbound *in)
{
	char *ack = ack_decision(in);
	char *what = g_strdup_printf("ticket=%" G_GINT64_FORMAT ", role=%s, "
				     "%s, ack=%s%s%s", in->ticket.id,
				     md_role_name(in->role),
				     in->new_ticket ? "new" : "threaded", ack,
				     in->mails ? ", mails: " : "",
				     in->mails ? in->mails : "");

	mail_line(in, 'I', what);
	g_free(what);
	g_free(ack);
}

static bool
thread_by_mid(void *data, const char *mid, gint64 *ticket_r, GError **error)
{
	return md_store_ticket_by_message_id(data, mid, ticket_r, error);
}

static bool
thread_exists(void *data, gint64 id, bool *exists_r, GError **error)
{
	return md_store_ticket_exists(data, id, exists_r, error);
}

static char *
attachments_json(const struct md_msg *msg)
{
	GString *out = g_string_new("[");

	for (guint i = 0; i < msg->attachments->len; i++) {
		const struct md_attachment *a =
			g_ptr_array_index(msg->attachments, i);
		bool first = true;

		g_string_append(out, i ? ",{" : "{");
		md_json_kv_str(out, &first, "name", a->name);
		md_json_kv_str(out, &first, "type", a->type);
		md_json_kv_int(out, &first, "size", a->size);
		g_string_append_c(out, '}');
	}
	g_string_append_c(out, ']');
	return g_string_free(out, FALSE);
}

/* A new ticket for IN's message, continuing LINKED (0 if none). */
static void
open_ticket(struct md_ctx *ctx, struct inbound *in, gint64 linked)
{
	gint64 now = md_clock_now(&ctx->clock);
	char *clean;

	md_ticket_clear(&in->ticket);
	in->new_ticket = true;
	in->ticket.state = MD_STATE_OPEN;
	clean = md_tag_clean_subject(in->msg->subject, ctx->conf->desk_name);
	/* The subject goes into every mail of the ticket, bodies included:
	 * a 20 MB subject made two 51 MB mails. */
	in->ticket.subject = md_compose_cut(clean, MD_TICKET_SUBJECT_MAX);
	g_free(clean);
	in->ticket.requester = g_strdup(in->msg->from != NULL
					? in->msg->from : "");
	in->ticket.created = now;
	in->ticket.linked = linked;
	if (in->role == MD_ROLE_STRANGER)
		in->role = MD_ROLE_REQUESTER;
}

static bool
reopen_window_passed(const struct md_ctx *ctx, const struct md_ticket *t)
{
	gint64 window = (gint64)ctx->conf->reopen_within * 24 * 3600;

	return t->state == MD_STATE_CLOSED && t->closed_at > 0 &&
	       md_clock_now(&ctx->clock) - t->closed_at > window;
}

/* The ticket of one of our Message-IDs quoted in TEXT, or 0. */
static gint64
our_mid_in_text(GBytes *secret, const char *text)
{
	const char *p = text;
	gint64 id = 0;

	while (secret != NULL && p != NULL && id == 0 &&
	       (p = strstr(p, "<md.")) != NULL) {
		const char *end = strchr(p, '>');
		char *mid;

		if (end == NULL)
			break;
		if (end - p < 256) {
			mid = g_strndup(p + 1, end - p - 1);
			if (!md_mid_verify(secret, mid, &id))
				id = 0;
			g_free(mid);
		}
		p = end;
	}
	return id;
}

/* A bounce belongs to the ticket of the mail it returns (issue 8): our
 * signed Message-ID or one we stored, our tag in the returned subject, or
 * either in the quoted original of a bounce that is no DSN. */
static bool
bounce_ticket(struct md_ctx *ctx, const struct md_msg *msg, gint64 *id_r,
	      GError **error)
{
	const char *name = ctx->conf->desk_name;
	gint64 id = 0;
	bool exists = false;

	*id_r = 0;
	if (msg->bounced_message_id != NULL &&
	    !md_mid_verify(ctx->secret, msg->bounced_message_id, &id) &&
	    !md_store_ticket_by_message_id(ctx->db, msg->bounced_message_id,
					   &id, error))
		return false;
	if (id == 0 && msg->bounced_subject != NULL)
		id = md_tag_find(msg->bounced_subject, name);
	if (id == 0)
		id = our_mid_in_text(ctx->secret, msg->text);
	if (id == 0)
		id = md_tag_find(msg->text, name);
	if (id > 0 && !md_store_ticket_exists(ctx->db, id, &exists, error))
		return false;
	*id_r = exists ? id : 0;
	return true;
}

/* Who a proven agent's mail that opens a ticket is for (issue 8): the
 * address of its #requester command, else the author of the original it
 * forwards (attached, or inline) unless that is an agent, upstream or
 * the desk; NULL: the agent's own ticket, as before (g_free). */
static char *
forwarded_for(const struct md_conf *conf, const struct md_msg *msg)
{
	struct md_commands cmd;
	char *addr;

	md_lifecycle_commands(msg->new_text, &cmd);
	addr = g_steal_pointer(&cmd.requester);
	md_commands_clear(&cmd);
	if (addr != NULL && md_conf_is_desk(conf, addr))
		g_clear_pointer(&addr, g_free);
	if (addr != NULL)
		return addr;
	addr = msg->forwarded_from != NULL
		? md_addr_normalize(msg->forwarded_from)
		: md_forward_original_from(msg->text);
	if (addr != NULL && (md_conf_is_desk(conf, addr) ||
			     md_classify_agent_address(conf, addr) ||
			     md_classify_upstream_address(conf, addr) ||
			     g_strcmp0(addr, msg->from) == 0))
		g_clear_pointer(&addr, g_free);
	return addr;
}

/* Step 4: the ticket, and the sender's role on it. */
static bool
thread(struct md_ctx *ctx, struct inbound *in, GError **error)
{
	struct md_thread_db tdb = { thread_by_mid, thread_exists, ctx->db };
	enum md_thread_rule rule;
	gint64 id;
	bool found, participant;

	if (!md_thread_find(in->msg, ctx->conf->desk_name, ctx->secret, &tdb,
			    &id, &rule, error))
		return false;
	if (id == 0 && in->verdict.kind == MD_LOOP_BOUNCE &&
	    !bounce_ticket(ctx, in->msg, &id, error))
		return false;
	/* Upstream's mail with only its own reference (spec 6): the ticket
	 * that remembered it. */
	if (id == 0 && in->role == MD_ROLE_UPSTREAM) {
		char *ref = md_tag_find_foreign(in->msg->subject,
						ctx->conf->desk_name);

		if (ref != NULL && !md_store_ticket_by_upstream_ref(
				ctx->db, ref, &id, error)) {
			g_free(ref);
			return false;
		}
		g_free(ref);
	}
	in->participants = g_ptr_array_new_with_free_func(g_free);
	if (id == 0) {
		char *requester;

		if (in->reply_proof != 0)
			in->role = MD_ROLE_REQUESTER;
		open_ticket(ctx, in, 0);
		/* Only a proven agent opens a ticket for someone else: a
		 * stranger's "#requester" is a line of text. */
		if (in->role == MD_ROLE_AGENT &&
		    (requester = forwarded_for(ctx->conf, in->msg)) != NULL) {
			g_free(in->ticket.requester);
			in->ticket.requester = requester;
			in->on_behalf = true;
		}
		return true;
	}
	if (!md_store_ticket_get(ctx->db, id, &in->ticket, &found, error) ||
	    !md_store_participants(ctx->db, id, in->participants, error))
		return false;
	/* A reply to a notification (escalation) proves an agent
	 * (upstream) on that ticket only; unproven upstream mail has a
	 * place only on a ticket that was escalated. */
	if ((in->reply_proof != 0 && in->reply_proof != id) ||
	    (in->unverified && !in->ticket.escalated))
		in->role = MD_ROLE_REQUESTER;
	participant = md_addr_in(in->participants, in->msg->from);
	in->role = md_classify_on_ticket(in->role, in->msg->from,
					 in->ticket.requester, participant);
	/* Spec 6: who may write on a ticket, whatever found it.  A ticket
	 * number can be guessed, and Message-IDs are no secret (they travel
	 * in every reply, and are often predictable): a stranger naming one
	 * gets a ticket of its own, linked, and never joins this one. */
	if (in->role == MD_ROLE_STRANGER) {
		open_ticket(ctx, in, id);
		g_ptr_array_set_size(in->participants, 0);
		return true;
	}
	if ((in->role == MD_ROLE_REQUESTER || in->role == MD_ROLE_PARTICIPANT
	     || in->role == MD_ROLE_STRANGER) &&
	    reopen_window_passed(ctx, &in->ticket)) {
		open_ticket(ctx, in, id);
		g_ptr_array_set_size(in->participants, 0);
	}
	return true;
}

static guint
ci_hash(gconstpointer key)
{
	guint h = 5381;

	for (const char *p = key; *p != '\0'; p++)
		h = h * 33 + (guchar)g_ascii_tolower(*p);
	return h;
}

static gboolean
ci_equal(gconstpointer a, gconstpointer b)
{
	return g_ascii_strcasecmp(a, b) == 0;
}

/* True if A may join the requester's side: not the desk, an agent or
 * upstream (they write by their role). */
static bool
may_join(const struct md_conf *conf, const char *a)
{
	return !md_conf_is_desk(conf, a) &&
	       !md_addr_in(conf->agent_addresses, a) &&
	       !md_addr_domain_in(conf->agent_domains, a) &&
	       !md_addr_domain_in(conf->upstream_domains, a);
}

/* Who is on the thread (spec 6): the requester's side, who get the
 * desk's answers; agents and upstream may write by their role.  A person
 * writing in brings the colleagues they copied, up to
 * limits.max_participants on the ticket (the rest stay in the message's
 * To and Cc).  One hash set: linear in the addresses, whatever their
 * number.  Fills IN->joining with the addresses new to the ticket. */
static void
collect_participants(struct md_ctx *ctx, struct inbound *in)
{
	const struct md_conf *conf = ctx->conf;
	const GPtrArray *lists[] = { in->msg->to, in->msg->cc };
	GHashTable *seen;
	guint room, left_out = 0;

	in->joining = g_ptr_array_new_with_free_func(g_free);
	/* The agent who forwarded it writes by their role; the person it
	 * is for is the requester, and only they join. */
	if (in->on_behalf) {
		g_ptr_array_add(in->joining, g_strdup(in->ticket.requester));
		return;
	}
	if (in->role != MD_ROLE_REQUESTER && in->role != MD_ROLE_PARTICIPANT &&
	    in->role != MD_ROLE_STRANGER)
		return;
	seen = g_hash_table_new(ci_hash, ci_equal);
	for (guint i = 0; i < in->participants->len; i++)
		g_hash_table_add(seen, g_ptr_array_index(in->participants, i));
	if (in->ticket.requester != NULL)
		g_hash_table_add(seen, in->ticket.requester);
	if (in->msg->from != NULL && !md_addr_in(in->participants,
						 in->msg->from))
		g_ptr_array_add(in->joining, g_strdup(in->msg->from));
	if (in->msg->from != NULL)
		g_hash_table_add(seen, in->msg->from);
	room = in->participants->len + in->joining->len <
	       (guint)conf->max_participants
		? conf->max_participants - in->participants->len -
		  in->joining->len : 0;
	for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
		for (guint i = 0; i < lists[l]->len; i++) {
			char *a = g_ptr_array_index(lists[l], i);

			if (!g_hash_table_add(seen, a) || !may_join(conf, a))
				continue;
			if (room == 0) {
				left_out++;
				continue;
			}
			g_ptr_array_add(in->joining, g_strdup(a));
			room--;
		}
	g_hash_table_unref(seen);
	if (left_out > 0)
		md_log_warn("%s: %u addresses not made participants "
			    "(limits.max_participants = %d)", in->source,
			    left_out, conf->max_participants);
	/* The lifecycle relays to all of them, old and new. */
	for (guint i = 0; i < in->joining->len; i++) {
		const char *a = g_ptr_array_index(in->joining, i);

		if (g_strcmp0(a, in->ticket.requester) != 0)
			g_ptr_array_add(in->participants, g_strdup(a));
	}
}

static bool
record_participants(struct md_ctx *ctx, struct inbound *in, GError **error)
{
	for (guint i = 0; i < in->joining->len; i++) {
		const char *a = g_ptr_array_index(in->joining, i);
		enum md_role role = g_strcmp0(a, in->ticket.requester) == 0
			? MD_ROLE_REQUESTER : MD_ROLE_PARTICIPANT;

		if (!md_store_participant_add(ctx->db, in->ticket.id, a, role,
					      error))
			return false;
	}
	return true;
}

static bool
store_message(struct md_ctx *ctx, struct inbound *in, GError **error)
{
	struct md_store_message m = {
		.ticket = in->ticket.id, .raw = in->raw_id,
		.direction = "in", .role = in->role,
		.message_id = in->msg->message_id,
		.in_reply_to = in->msg->in_reply_to,
		.body_hash = in->hash, .sender = in->msg->from,
		.to = in->msg->to, .cc = in->msg->cc,
		.subject = in->msg->subject, .date = in->msg->date,
		.received = md_clock_now(&ctx->clock), .source = in->source,
		.text = in->msg->text,
	};
	char *attachments = attachments_json(in->msg);
	bool ok;

	m.attachments = attachments;
	ok = md_store_message_insert(ctx->db, &m, NULL, error);
	g_free(attachments);
	return ok;
}

/* A bounce marks the address it reports as bouncing (spec section 5):
 * a DSN's Final-Recipient, Exim's X-Failed-Recipients, else the address
 * the bounce's prose names, one of the ticket's if it names several. */
static bool
record_bounce(struct md_ctx *ctx, struct inbound *in, GError **error)
{
	const char *addr = in->msg->bounced_recipient != NULL
		? in->msg->bounced_recipient : in->msg->x_failed_recipients;
	gint64 now = md_clock_now(&ctx->clock);
	GPtrArray *ours = NULL;
	char *what, *read = NULL;
	bool ok;

	if (in->verdict.kind != MD_LOOP_BOUNCE)
		return true;
	if (addr == NULL && !in->new_ticket) {
		ours = g_ptr_array_new();
		g_ptr_array_extend(ours, in->participants, NULL, NULL);
		if (in->ticket.requester != NULL)
			g_ptr_array_add(ours, in->ticket.requester);
		addr = read = md_bounce_failed_recipient(in->msg->text, ours,
							 ctx->rules.desk_addrs);
		g_ptr_array_unref(ours);
	}
	if (addr == NULL)
		return true;
	what = g_strdup_printf("delivery to %s failed: address marked "
			       "bouncing", addr);
	ok = md_store_address_bouncing(ctx->db, addr, now, error) &&
	     md_store_event(ctx->db, in->ticket.id, now, what, error);
	g_free(what);
	g_free(read);
	return ok;
}

/* The rows of the inbound message, written by md_ticket_apply once the
 * ticket has its id and before the mails it causes. */
static bool
message_rows(struct md_ctx *ctx, const struct md_ticket *t, void *data,
	     GError **error)
{
	struct inbound *in = data;

	(void)t;
	if (!record_participants(ctx, in, error) ||
	    !store_message(ctx, in, error) || !record_bounce(ctx, in, error))
		return false;
	/* Fault injection for the tests (as SQLite does): a mail with this
	 * subject fails as bad data after its rows were written. */
	if (ctx->poison_subject != NULL &&
	    strcmp(in->msg->subject, ctx->poison_subject) == 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_DATA,
			    "injected fault (MAILDESK_TEST_POISON_SUBJECT)");
		return false;
	}
	return true;
}

/* A machine's mail, not a person's auto-reply (issue 8): lists,
 * newsletters, reports, bounces, challenges.  A person-like sender's
 * out-of-office still opens a ticket as a person's mail would. */
static bool
is_machine(const struct inbound *in)
{
	return in->verdict.kind == MD_LOOP_BULK ||
	       in->verdict.kind == MD_LOOP_BOUNCE;
}

/* Step 5: the ticket changes as the lifecycle decides, with the message
 * and the mails it causes, all in this transaction. */
static bool
apply(struct md_ctx *ctx, struct inbound *in, struct md_batch_stats *stats,
      GError **error)
{
	const struct md_conf *conf = ctx->conf;
	char *foreign = md_tag_find_foreign(in->msg->subject, conf->desk_name);
	GPtrArray *queued = g_ptr_array_new_with_free_func(g_free);
	struct md_event ev = {
		.type = MD_EVENT_MAIL,
		.role = in->role, .new_ticket = in->new_ticket,
		.automated = in->verdict.kind != MD_LOOP_NONE,
		.from_desk = md_loop_from_desk(in->msg, &in->verdict),
		.unverified = in->unverified && in->role == MD_ROLE_UPSTREAM,
		.from = in->msg->from, .to = in->msg->to, .cc = in->msg->cc,
		.participants = in->participants, .foreign_tag = foreign,
		.body = in->msg->new_text,
		.machine = in->new_ticket && is_machine(in) &&
			   strcmp(conf->autoreply_automated, "close") == 0,
	};
	struct md_change change = {
		.ev = &ev, .trigger = in->msg, .who = in->msg->from,
		.rows = message_rows, .rows_data = in,
	};
	bool ok = md_ticket_apply(ctx, &in->ticket, &change, queued, error);

	if (ok) {
		stats->tickets_created += in->new_ticket;
		stats->queued += queued->len;
	}
	if (queued->len > 0) {
		g_ptr_array_add(queued, NULL);
		in->mails = g_strjoinv(", ", (char **)queued->pdata);
	}
	g_ptr_array_unref(queued);
	g_free(foreign);
	return ok;
}

static bool
quarantine(struct md_ctx *ctx, struct inbound *in, const char *reason,
	   struct md_batch_stats *stats, GError **error)
{
	const char *mid = in->msg != NULL ? in->msg->message_id : NULL;
	char *what = g_strdup_printf("quarantined: %s", reason);

	mail_line(in, 'W', what);
	g_free(what);
	stats->quarantined++;
	return md_store_raw_insert(ctx->db, in->raw, in->len, &in->raw_id,
				   error) &&
	       md_store_quarantine(ctx->db, in->raw_id,
				   md_clock_now(&ctx->clock), in->source,
				   reason, mid, in->hash, error);
}

/* Spec 6, "Writing is not acting": an agent's (upstream's) address
 * without other proof is an agent's (upstream's) if its mail names the
 * signed Message-ID of a notification (an escalation to upstream): only
 * they received it.  IN->reply_proof is then that mail's ticket. */
static bool
reply_proof(struct md_ctx *ctx, struct inbound *in, GError **error)
{
	const struct md_msg *m = in->msg;
	gint64 ticket;

	const char *kind = "notify", *rcpt = NULL;

	in->reply_proof = 0;
	if (md_classify_agent_proven(ctx->conf, m->from, m->auth_results))
		return true;
	if (!md_classify_agent_address(ctx->conf, m->from)) {
		if (!md_classify_upstream_address(ctx->conf, m->from))
			return true;
		kind = "escalation";
		rcpt = ctx->conf->upstream_address;
	}
	for (guint i = 0; i <= m->references->len; i++) {
		const char *id = i < m->references->len
			? g_ptr_array_index(m->references, i) : m->in_reply_to;

		if (id == NULL || !md_mid_verify(ctx->secret, id, &ticket))
			continue;
		if (!md_store_sent_mail(ctx->db, id, kind, rcpt, &ticket,
					error))
			return false;
		if (ticket != 0) {
			in->reply_proof = ticket;
			return true;
		}
	}
	return true;
}

/* Steps 1-5 for the message in IN.  A DATA error means "quarantine it". */
static bool
steps(struct md_ctx *ctx, struct inbound *in, struct md_batch_stats *stats,
      GError **error)
{
	const struct md_conf *conf = ctx->conf;

	/* Step 1: the raw bytes.  They are committed with everything that
	 * is decided about them, in the same transaction, so "first" means
	 * nothing is decided that is not stored along with them. */
	if (!md_store_raw_insert(ctx->db, in->raw, in->len, &in->raw_id, error))
		return false;
	/* Step 3: who wrote it. */
	in->verdict = md_loop_check(in->msg, conf, ctx->secret);
	if (!reply_proof(ctx, in, error))
		return false;
	in->role = md_classify_sender(conf, in->msg->from,
				      in->msg->auth_results, &in->verdict,
				      in->reply_proof != 0);
	if (in->role != MD_ROLE_AGENT && in->role != MD_ROLE_UPSTREAM)
		in->reply_proof = 0;
	in->unverified = in->role == MD_ROLE_UPSTREAM &&
			 in->reply_proof == 0 &&
			 !md_classify_agent_proven(conf, in->msg->from,
						   in->msg->auth_results);
	/* Step 4: which ticket. */
	if (!thread(ctx, in, error))
		return false;
	/* autoreply.automated = "quarantine": a machine opens no ticket. */
	if (in->new_ticket && is_machine(in) &&
	    strcmp(conf->autoreply_automated, "quarantine") == 0) {
		md_log_info("%s: message %s quarantined: automated (%s)",
			    in->source, in->msg->message_id != NULL
			    ? in->msg->message_id : "(no Message-ID)",
			    in->verdict.reason);
		stats->quarantined++;
		return md_store_quarantine(ctx->db, in->raw_id,
					   md_clock_now(&ctx->clock),
					   in->source, "automated",
					   in->msg->message_id, in->hash,
					   error);
	}
	collect_participants(ctx, in);
	/* Step 5. */
	if (!apply(ctx, in, stats, error))
		return false;
	stats->stored++;
	stored_line(in);
	return true;
}

/* Keeps IN aside with REASON, unless the same bytes already are. */
static bool
set_aside(struct md_ctx *ctx, struct inbound *in, const char *reason,
	  struct md_batch_stats *stats, GError **error)
{
	const char *mid = in->msg != NULL ? in->msg->message_id : NULL;
	bool dup = false;

	if (in->hash == NULL)
		in->hash = md_msg_body_hash(in->raw, in->len);
	if (!md_store_is_duplicate(ctx->db, mid, in->hash, &dup, error))
		return false;
	if (dup)
		mail_line(in, 'I', "duplicate of a mail set aside: recorded "
			  "once");
	stats->duplicates += dup;
	return dup || quarantine(ctx, in, reason, stats, error);
}

/* Steps 1-5 for ITEM; ASIDE, if not NULL, is the reason to quarantine it
 * found by an earlier try of this batch.  Fails with MD_ERROR_DATA when
 * the mail itself turns out to be at fault after parsing. */
static bool
one(struct md_ctx *ctx, const char *source, struct md_source_item *item,
    const char *aside, GPtrArray *lines, struct md_batch_stats *stats,
    GError **error)
{
	char *origin = g_strdup_printf("%s:%s", source, item->key);
	struct inbound in = { .source = origin, .lines = lines };
	GError *local = NULL;
	bool dup = false, ok = false;

	in.raw = g_bytes_get_data(item->raw, &in.len);
	if (!md_msg_parse(in.raw, in.len, &in.msg, &local)) {
		ok = set_aside(ctx, &in, local->message, stats, error);
		goto out;
	}
	in.hash = g_strdup(in.msg->body_hash);
	/* Parsed all the same: its Message-ID keeps two different large
	 * mails with the same attachment apart in the quarantine.  A source
	 * may have read only the head of a huge one (item->size says). */
	if (MAX(item->size, (gint64)in.len) > ctx->conf->max_message_size) {
		char *reason = item->size > (gint64)in.len
			? g_strdup_printf("too large: %" G_GINT64_FORMAT
					  " bytes, limit %" G_GINT64_FORMAT
					  "; its first %zu bytes kept",
					  item->size,
					  ctx->conf->max_message_size, in.len)
			: g_strdup_printf("too large: %zu bytes, limit "
					  "%" G_GINT64_FORMAT, in.len,
					  ctx->conf->max_message_size);

		ok = set_aside(ctx, &in, reason, stats, error);
		g_free(reason);
		goto out;
	}
	if (aside != NULL) {
		ok = set_aside(ctx, &in, aside, stats, error);
		goto out;
	}
	/* Step 2: the same mail twice (alias copy, re-fetch after a crash)
	 * has the same Message-ID and body; transit headers differ. */
	if (!md_store_is_duplicate(ctx->db, in.msg->message_id, in.hash, &dup,
				   error))
		goto out;
	if (dup) {
		mail_line(&in, 'I', "duplicate: recorded once");
		stats->duplicates++;
		ok = true;
		goto out;
	}
	ok = steps(ctx, &in, stats, error);
out:
	g_clear_error(&local);
	inbound_clear(&in);
	g_free(origin);
	return ok;
}

/* One try of the batch in one transaction.  On a message at fault
 * (MD_ERROR_DATA), *BAD_R is its index and nothing is committed. */
static bool
try_batch(struct md_ctx *ctx, const char *source_name, GPtrArray *batch,
	  GPtrArray *aside, struct md_batch_stats *stats, guint *bad_r,
	  guint *taken_r, GError **error)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	bool ok = false;

	if (!md_db_begin(ctx->db, error))
		goto out;
	*taken_r = batch->len;
	for (guint i = 0; i < batch->len; i++) {
		/* SIGTERM: the messages in hand are committed, the rest
		 * stays in the source for the next start. */
		if (i > 0 && ctx->progress != NULL)
			ctx->progress(ctx->progress_done + i,
				      ctx->progress_data);
		if (i > 0 && ctx->stop != NULL && g_atomic_int_get(ctx->stop)) {
			*taken_r = i;
			break;
		}
		if (!one(ctx, source_name, g_ptr_array_index(batch, i),
			 g_ptr_array_index(aside, i), lines, stats, error)) {
			md_db_rollback(ctx->db);
			*bad_r = i;
			goto out;
		}
	}
	ok = md_db_commit(ctx->db, error);
	/* Only what was committed is logged: a try rolled back said
	 * nothing. */
	for (guint i = 0; ok && i < lines->len; i++) {
		const char *l = g_ptr_array_index(lines, i);

		if (l[0] == 'W')
			md_log_warn("%s", l + 1);
		else
			md_log_mail("%s", l + 1);
	}
out:
	g_ptr_array_unref(lines);
	return ok;
}

/* No SAVEPOINT per message: SQLite would copy every page a message
 * touches into a statement journal (13 pages a message, the biggest cost
 * of an ingest) to be able to undo one message.  A mail found at fault
 * after parsing is rare; then the batch is rolled back and tried again
 * with that mail put aside. */
bool
md_pipeline_batch(struct md_ctx *ctx, const char *source_name,
		  GPtrArray *batch, struct md_batch_stats *stats,
		  GError **error)
{
	GPtrArray *aside = g_ptr_array_new_with_free_func(g_free);
	struct md_batch_stats tried;
	GError *local = NULL;
	guint bad = 0, taken = 0;
	bool ok;

	g_ptr_array_set_size(aside, batch->len);
	for (;;) {
		tried = *stats;
		ok = try_batch(ctx, source_name, batch, aside, &tried, &bad,
			       &taken, &local);
		if (ok || local == NULL || local->domain != MD_ERROR ||
		    local->code != MD_ERROR_DATA ||
		    g_ptr_array_index(aside, bad) != NULL)
			break;
		g_ptr_array_index(aside, bad) = g_strdup(local->message);
		g_clear_error(&local);
	}
	if (ok)
		*stats = tried;
	else
		g_propagate_error(error, local);
	/* Stopped early: what was not taken is not acknowledged. */
	if (ok && taken < batch->len)
		g_ptr_array_remove_range(batch, taken, batch->len - taken);
	g_ptr_array_unref(aside);
	return ok;
}

static void
record_health(struct md_ctx *ctx, const char *name, guint received,
	      const GError *failure)
{
	gint64 now = md_clock_now(&ctx->clock);
	GError *error = NULL;
	bool ok;

	if (!md_db_begin(ctx->db, &error))
		goto out;
	ok = failure != NULL
		? md_store_source_error(ctx->db, name, now, failure->message,
					&error)
		: md_store_source_ok(ctx->db, name, now, received, &error);
	if (!ok || !md_db_commit(ctx->db, &error))
		md_db_rollback(ctx->db);
out:
	/* Health is for the admin's eyes; failing to record it must not
	 * stop the mail. */
	if (error != NULL)
		md_log_warn("%s: cannot record source health: %s", name,
			    error->message);
	g_clear_error(&error);
}

bool
md_pipeline_drain(struct md_ctx *ctx, struct md_source *src,
		  guint batch_size, const volatile gint *stop,
		  md_progress_fn progress, gpointer progress_data,
		  struct md_batch_stats *stats, GError **error)
{
	const char *name = src->conf != NULL ? src->conf->name : "ingest";
	GPtrArray *batch = NULL;
	GError *local = NULL;
	guint done = 0;

	src->max_read = MD_SOURCE_KEEP_FACTOR * ctx->conf->max_message_size;
	ctx->stop = stop;
	ctx->progress = progress;
	ctx->progress_data = progress_data;
	for (;;) {
		g_clear_pointer(&batch, g_ptr_array_unref);
		batch = g_ptr_array_new_with_free_func(md_source_item_free);
		if (!md_source_fetch(src, batch_size, batch, &local) ||
		    batch->len == 0)
			break;
		ctx->progress_done = done;
		if (!md_pipeline_batch(ctx, name, batch, stats, &local))
			break;
		/* Step 6: acknowledge only what is committed. */
		if (!md_source_ack(src, batch, &local))
			break;
		done += batch->len;
		if (progress != NULL)
			progress(done, progress_data);
		if (stop != NULL && g_atomic_int_get(stop))
			break;
	}
	g_clear_pointer(&batch, g_ptr_array_unref);
	ctx->stop = NULL;
	ctx->progress = NULL;
	record_health(ctx, name, done, local);
	if (local != NULL) {
		g_propagate_error(error, local);
		return false;
	}
	return true;
}
