/* cmd-ticket.c: resolve, close, reopen N from the command line: the state
 * change an agent would make with #resolve, #close or #open, recorded as
 * an event on the ticket. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "db.h"
#include "error.h"
#include "store.h"

int
md_cmd_ticket(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_ticket t = { 0 };
	enum md_state state = strcmp(argv[0], "resolve") == 0
		? MD_STATE_RESOLVED : strcmp(argv[0], "close") == 0
		? MD_STATE_CLOSED : MD_STATE_OPEN;
	GError *error = NULL;
	gint64 id = argc == 2 ? g_ascii_strtoll(argv[1], NULL, 10) : 0;
	bool found = false;
	char *what = NULL;
	int rc = EX_OK;

	if (id <= 0) {
		fprintf(stderr, "usage: maildesk %s N\n", argv[0]);
		return EX_USAGE;
	}
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	if (!md_db_begin(ctx.db, &error))
		goto fail;
	if (!md_store_ticket_get(ctx.db, id, &t, &found, &error))
		goto fail;
	if (!found) {
		g_set_error(&error, MD_ERROR, MD_ERROR_NOTFOUND,
			    "ticket %" G_GINT64_FORMAT ": no such ticket", id);
		goto fail;
	}
	t.updated = md_clock_now(&ctx.clock);
	t.closed_at = state == MD_STATE_CLOSED ? t.updated : 0;
	what = g_strdup_printf("%s -> %s (command line)",
			       md_state_name(t.state), md_state_name(state));
	t.state = state;
	if (!md_store_ticket_update(ctx.db, &t, &error) ||
	    !md_store_event(ctx.db, id, t.updated, what, &error) ||
	    !md_db_commit(ctx.db, &error))
		goto fail;
	printf("ticket %" G_GINT64_FORMAT ": %s\n", id, md_state_name(state));
	goto out;
fail:
	md_db_rollback(ctx.db);
	rc = md_cli_fail(error);
out:
	g_free(what);
	md_ticket_clear(&t);
	md_ctx_clear(&ctx);
	return rc;
}
