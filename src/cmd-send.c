/* cmd-send.c: flush the outbox once (for cron or a systemd timer when the
 * daemon does not run).  Exit 75 when mail was deferred, so a wrapper can
 * tell "all out" from "try again". */
#include "config.h"

#include <stdio.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "outbox.h"
#include "transport.h"

int
md_cmd_send(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_outbox_stats stats = { 0 };
	struct md_transport *t = NULL;
	GError *error = NULL;
	int rc = EX_OK;
	(void)argv;

	if (argc != 1) {
		return md_cli_usage(argv[0], "no argument expected");
	}
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	/* Run from a timer where only deliver feeds the desk: it folds the
	 * WAL back into the database, as the daemon does. */
	md_db_checkpoint_on_close(ctx.db);
	if (!md_conf_load_secrets(ctx.conf, MD_SECRETS_OUTBOUND, &error) ||
	    !md_transport_open(&ctx.conf->outbound, &t, &error) ||
	    !md_outbox_flush(&ctx, t, 0, NULL, &stats, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	printf("%u sent, %u deferred, %u failed\n", stats.sent, stats.deferred,
	       stats.failed);
	if (stats.config > 0)
		rc = EX_CONFIG;
	else if (stats.deferred > 0)
		rc = EX_TEMPFAIL;
out:
	md_transport_free(t);
	md_ctx_clear(&ctx);
	return rc;
}
