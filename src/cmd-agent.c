/* cmd-agent.c: reply N and escalate N from the command line.
 *
 * What an agent does by mail, for agents and scripts at the desk's
 * machine: `reply N` takes the answer on standard input and relays it to
 * the requester's side (commands such as #resolve at its top work as in a
 * mail); `escalate N [--note TEXT]` forwards the thread to upstream.  Both
 * run the same lifecycle and outbox as the pipeline, in one transaction.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "error.h"
#include "lifecycle.h"
#include "msg.h"
#include "store.h"
#include "tag.h"
#include "ticket.h"

/* The agent's answer as a parsed message from the desk, so that the relay
 * is composed exactly as for an answer that came by mail. */
static bool
answer_msg(const struct md_ctx *ctx, const struct md_ticket *t,
	   const char *text, struct md_msg **msg_r, GError **error)
{
	char *subject = md_tag_subject(ctx->conf->desk_name, t->id, t->subject);
	char *raw = g_strdup_printf("From: <%s>\nSubject: %s\nMIME-Version: "
				    "1.0\nContent-Type: text/plain; "
				    "charset=utf-8\n\n%s",
				    ctx->conf->desk_address, subject, text);
	bool ok = md_msg_parse(raw, strlen(raw), msg_r, error);

	g_free(raw);
	g_free(subject);
	return ok;
}

static bool
act(struct md_ctx *ctx, gint64 id, bool escalate, const char *text,
    GError **error)
{
	GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *none = g_ptr_array_new();
	GPtrArray *queued = g_ptr_array_new_with_free_func(g_free);
	struct md_ticket t = { 0 };
	struct md_msg *answer = NULL;
	char *body = NULL;
	bool ok = false;

	if (!md_db_begin(ctx->db, error))
		goto out;
	if (!md_ticket_load(ctx, id, &t, error))
		goto out;
	/* A closed ticket is reopened first, on purpose (issue 8). */
	if (escalate && t.state == MD_STATE_CLOSED) {
		g_set_error(error, MD_ERROR, MD_ERROR_USAGE,
			    "ticket %" G_GINT64_FORMAT " is closed: reopen it "
			    "first (maildesk reopen %" G_GINT64_FORMAT ")",
			    id, id);
		goto out;
	}
	if (!md_store_participants(ctx->db, id, parts, error))
		goto out;
	/* An escalation is internal: upstream gets the thread, the
	 * requester's side no relay of a note meant for upstream. */
	body = escalate ? g_strdup_printf("#internal\n#escalate %s",
					  text != NULL ? text : "")
			: g_strdup(text);
	if (!escalate && !answer_msg(ctx, &t, text, &answer, error))
		goto out;
	struct md_event ev = {
		.type = MD_EVENT_MAIL, .role = MD_ROLE_AGENT,
		.from = ctx->conf->desk_address, .to = none, .cc = none,
		.participants = parts, .body = body,
	};
	struct md_change change = {
		.ev = &ev, .trigger = answer, .who = "command line",
	};
	if (!md_ticket_apply(ctx, &t, &change, queued, error))
		goto out;
	for (guint i = 0; i < queued->len; i++)
		printf("ticket %" G_GINT64_FORMAT ": %s\n", id,
		       (char *)g_ptr_array_index(queued, i));
	ok = md_db_commit(ctx->db, error);
out:
	if (!ok)
		md_db_rollback(ctx->db);
	md_msg_free(answer);
	md_ticket_clear(&t);
	g_free(body);
	g_ptr_array_unref(queued);
	g_ptr_array_unref(none);
	g_ptr_array_unref(parts);
	return ok;
}

int
md_cmd_agent(struct md_cli *cli, int argc, char **argv)
{
	bool escalate = strcmp(argv[0], "escalate") == 0;
	struct md_ctx ctx = { 0 };
	const char *note = NULL;
	char *text = NULL;
	GError *error = NULL;
	gint64 id = 0;
	bool exists = false;
	int rc = EX_OK;

	for (int i = 1; i < argc; i++) {
		if (escalate && strcmp(argv[i], "--note") == 0 && i + 1 < argc)
			note = argv[++i];
		else if (id == 0)
			id = g_ascii_strtoll(argv[i], NULL, 10);
		else
			id = -1;
	}
	if (id <= 0) {
		return md_cli_usage(argv[0], "expected one ticket number");
	}
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	if (escalate && ctx.conf->upstream_address == NULL) {
		g_set_error(&error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: upstream.address is not set: nowhere to "
			    "escalate to", ctx.conf->file);
		goto fail;
	}
	/* Named first, before waiting on standard input. */
	if (!md_store_ticket_exists(ctx.db, id, &exists, &error))
		goto fail;
	if (!exists) {
		g_set_error(&error, MD_ERROR, MD_ERROR_NOTFOUND,
			    "ticket %" G_GINT64_FORMAT ": no such ticket", id);
		goto fail;
	}
	if (!escalate && (text = md_cli_read_text("answer", &error)) == NULL)
		goto fail;
	if (act(&ctx, id, escalate, escalate ? note : text, &error))
		goto out;
fail:
	rc = md_cli_fail(g_steal_pointer(&error));
out:
	g_free(text);
	md_ctx_clear(&ctx);
	return rc;
}
