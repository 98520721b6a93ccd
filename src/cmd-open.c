/* cmd-open.c: open --requester ADDR --subject S [--cc ADDR]... < BODY.
 *
 * A ticket opened at the desk on someone's behalf (a phone call, a visit):
 * the request is written down as a mail from the desk to the requester,
 * stored as the ticket's first message (role desk, source "cli"), and the
 * ticket goes through the same lifecycle as one opened by mail: the
 * requester is acknowledged, the agents are notified, in one transaction.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "addr.h"
#include "cmd.h"
#include "compose.h"
#include "conf.h"
#include "db.h"
#include "error.h"
#include "lifecycle.h"
#include "mid.h"
#include "msg.h"
#include "store.h"
#include "tag.h"
#include "ticket.h"

#define SUBJECT_MAX 200

/* What the command line says. */
struct request {
	char *requester;
	char *subject;
	GPtrArray *cc;		/* char * */
	char *text;
};

/* The request written down, and the mail it makes. */
struct opening {
	const struct request *req;
	GBytes *raw;
	struct md_msg *msg;
};

/* The raw mail and its parse: the first message of the ticket, what an
 * escalation forwards and what the notification quotes. */
static bool
write_down(struct md_ctx *ctx, struct opening *o, GError **error)
{
	const struct md_conf *conf = ctx->conf;
	GPtrArray *to = g_ptr_array_new();
	char *mid = md_mid_new(ctx->secret, conf->desk_domain, 0,
			       md_clock_now_us(&ctx->clock));
	gsize len;
	const char *data;
	bool ok;

	g_ptr_array_add(to, o->req->requester);
	struct md_outmail m = {
		.from_name = conf->from_name, .from_addr = conf->desk_address,
		.to = to, .cc = o->req->cc, .subject = o->req->subject,
		.message_id = mid, .date = md_clock_now(&ctx->clock),
		.tz = conf->tz, .text = o->req->text,
	};
	o->raw = md_compose(&m);
	data = g_bytes_get_data(o->raw, &len);
	ok = md_msg_parse(data, len, &o->msg, error);
	g_ptr_array_unref(to);
	g_free(mid);
	return ok;
}

/* The rows of the opening, once the ticket has its id (md_ticket_apply):
 * the raw mail, its message row, the requester and the CCs. */
static bool
rows(struct md_ctx *ctx, const struct md_ticket *t, void *data,
     GError **error)
{
	struct opening *o = data;
	const struct md_msg *msg = o->msg;
	gint64 now = md_clock_now(&ctx->clock);
	gsize len;
	const char *raw = g_bytes_get_data(o->raw, &len);
	char *hash = md_msg_body_hash(raw, len);
	struct md_store_message m = {
		.ticket = t->id, .direction = "in", .role = MD_ROLE_DESK,
		.message_id = msg->message_id, .body_hash = hash,
		.sender = msg->from, .to = msg->to, .cc = msg->cc,
		.subject = msg->subject, .date = now, .received = now,
		.source = "cli", .text = msg->text, .attachments = "[]",
	};
	bool ok = md_store_raw_insert(ctx->db, raw, len, &m.raw, error) &&
		  md_store_message_insert(ctx->db, &m, NULL, error) &&
		  md_store_participant_add(ctx->db, t->id, t->requester,
					   MD_ROLE_REQUESTER, error);

	for (guint i = 0; ok && i < o->req->cc->len; i++)
		ok = md_store_participant_add(ctx->db, t->id,
					      g_ptr_array_index(o->req->cc, i),
					      MD_ROLE_PARTICIPANT, error);
	g_free(hash);
	return ok;
}

static bool
open_ticket(struct md_ctx *ctx, const struct request *req, gint64 *id_r,
	    GError **error)
{
	struct opening o = { .req = req };
	struct md_ticket t = { 0 };
	GPtrArray *to = g_ptr_array_new();
	char *clean = NULL;
	bool ok = false;

	if (!write_down(ctx, &o, error) || !md_db_begin(ctx->db, error))
		goto out;
	g_ptr_array_add(to, req->requester);
	clean = md_tag_clean_subject(req->subject, ctx->conf->desk_name);
	t.state = MD_STATE_OPEN;
	t.subject = md_compose_cut(clean, SUBJECT_MAX);
	t.requester = g_strdup(req->requester);
	t.created = md_clock_now(&ctx->clock);
	/* An agent's act, as `maildesk reply` is: the requester is
	 * acknowledged and the agents notified as for a mail. */
	struct md_event ev = {
		.type = MD_EVENT_MAIL, .role = MD_ROLE_AGENT,
		.new_ticket = true, .from = ctx->conf->desk_address,
		.to = to, .cc = req->cc, .participants = req->cc,
		.body = o.msg->new_text,
	};
	struct md_change change = {
		.ev = &ev, .trigger = o.msg, .who = "command line",
		.rows = rows, .rows_data = &o,
	};
	if (!md_ticket_apply(ctx, &t, &change, NULL, error) ||
	    !md_db_commit(ctx->db, error)) {
		md_db_rollback(ctx->db);
		goto out;
	}
	*id_r = t.id;
	ok = true;
out:
	g_free(clean);
	g_ptr_array_unref(to);
	md_ticket_clear(&t);
	md_msg_free(o.msg);
	g_clear_pointer(&o.raw, g_bytes_unref);
	return ok;
}

/* A subject typed on the command line, on one line; NULL if it says
 * nothing or is not UTF-8. */
static char *
one_line(const char *s)
{
	char *out;

	if (!g_utf8_validate(s, -1, NULL))
		return NULL;
	out = g_strdup(s);
	for (char *p = out; *p != '\0'; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	g_strstrip(out);
	if (out[0] == '\0')
		g_clear_pointer(&out, g_free);
	return out;
}

/* Parses ARGV into REQ; returns the usage complaint (static) or NULL. */
static const char *
parse(int argc, char **argv, struct request *req, const char **bad_r)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *addr;

		if (i + 1 >= argc)
			return "missing value";
		if (strcmp(a, "--subject") == 0) {
			*bad_r = NULL;
			g_free(req->subject);
			if ((req->subject = one_line(argv[++i])) == NULL)
				return "empty subject";
			continue;
		}
		if (strcmp(a, "--requester") != 0 && strcmp(a, "--cc") != 0)
			return "unknown argument";
		*bad_r = argv[++i];
		if ((addr = md_addr_normalize(argv[i])) == NULL)
			return "invalid address";
		if (a[2] == 'c' && !md_addr_in(req->cc, addr)) {
			g_ptr_array_add(req->cc, addr);
		} else if (a[2] == 'r') {
			g_free(req->requester);
			req->requester = addr;
		} else {
			g_free(addr);
		}
	}
	*bad_r = NULL;
	if (req->requester == NULL)
		return "--requester is required";
	if (req->subject == NULL)
		return "--subject is required";
	return NULL;
}

int
md_cmd_open(struct md_cli *cli, int argc, char **argv)
{
	struct request req = {
		.cc = g_ptr_array_new_with_free_func(g_free),
	};
	struct md_ctx ctx = { 0 };
	GError *error = NULL;
	const char *why, *bad = NULL;
	gint64 id = 0;
	int rc = EX_OK;

	if ((why = parse(argc, argv, &req, &bad)) != NULL) {
		rc = bad != NULL ? md_cli_usage(argv[0], "%s: %s", why, bad)
				 : md_cli_usage(argv[0], "%s", why);
		goto out;
	}
	if (!md_cli_open(cli, &ctx, &error))
		goto fail;
	/* Never a ticket for ourselves: its mails would come back. */
	if (md_conf_is_desk(ctx.conf, req.requester)) {
		rc = md_cli_usage(argv[0], "invalid address: %s is the desk's "
				  "own", req.requester);
		goto out;
	}
	for (guint i = 0; i < req.cc->len; i++)
		if (md_conf_is_desk(ctx.conf, g_ptr_array_index(req.cc, i)) ||
		    g_strcmp0(g_ptr_array_index(req.cc, i),
			      req.requester) == 0)
			g_ptr_array_remove_index(req.cc, i--);
	if ((req.text = md_cli_read_text("request", &error)) == NULL ||
	    !open_ticket(&ctx, &req, &id, &error))
		goto fail;
	printf("%" G_GINT64_FORMAT "\n", id);
	goto out;
fail:
	rc = md_cli_fail(g_steal_pointer(&error));
out:
	g_free(req.requester);
	g_free(req.subject);
	g_free(req.text);
	g_ptr_array_unref(req.cc);
	md_ctx_clear(&ctx);
	return rc;
}
