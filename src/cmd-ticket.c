/* cmd-ticket.c: resolve, close, reopen N and assign N ADDR from the
 * command line: the change an agent would make with #resolve, #close,
 * #open or #assign, through the same lifecycle as a mail, recorded as an
 * event on the ticket. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "addr.h"
#include "cmd.h"
#include "db.h"
#include "error.h"
#include "store.h"
#include "ticket.h"

static bool
change(struct md_ctx *ctx, gint64 id, const struct md_event *ev,
       GError **error)
{
	struct md_ticket t = { 0 };
	struct md_change c = { .ev = ev, .who = "command line" };
	bool ok = false;

	if (!md_db_begin(ctx->db, error))
		goto out;
	if (!md_ticket_load(ctx, id, &t, error))
		goto out;
	if (!md_ticket_apply(ctx, &t, &c, NULL, error) ||
	    !md_db_commit(ctx->db, error))
		goto out;
	printf("ticket %" G_GINT64_FORMAT ": %s%s%s\n", id,
	       md_state_name(t.state), t.assignee != NULL ? ", assigned to "
	       : "", t.assignee != NULL ? t.assignee : "");
	ok = true;
out:
	if (!ok)
		md_db_rollback(ctx->db);
	md_ticket_clear(&t);
	return ok;
}

int
md_cmd_ticket(struct md_cli *cli, int argc, char **argv)
{
	bool assign = strcmp(argv[0], "assign") == 0;
	struct md_ctx ctx = { 0 };
	struct md_event ev = { .type = MD_EVENT_SET_STATE };
	GError *error = NULL;
	gint64 id = argc >= 2 ? g_ascii_strtoll(argv[1], NULL, 10) : 0;
	char *addr = NULL;
	int rc = EX_OK;

	if (id <= 0 || argc != (assign ? 3 : 2) ||
	    (assign && (addr = md_addr_normalize(argv[2])) == NULL)) {
		return md_cli_usage(argv[0], assign ? "expected a ticket "
				    "number and an address" : "expected one "
				    "ticket number");
	}
	if (assign) {
		ev.type = MD_EVENT_ASSIGN;
		ev.assignee = addr;
	} else {
		ev.state = strcmp(argv[0], "resolve") == 0 ? MD_STATE_RESOLVED
			 : strcmp(argv[0], "close") == 0 ? MD_STATE_CLOSED
			 : MD_STATE_OPEN;
	}
	if (!md_cli_open(cli, &ctx, &error) ||
	    !change(&ctx, id, &ev, &error))
		rc = md_cli_fail(error);
	g_free(addr);
	md_ctx_clear(&ctx);
	return rc;
}
