/* cmd-backup.c: maildesk backup FILE, a consistent copy of the live
 * database (the daemon may run). */
#include "config.h"

#include <stdio.h>
#include <sysexits.h>

#include "backup.h"
#include "cmd.h"
#include "conf.h"
#include "db.h"
#include "log.h"

int
md_cmd_backup(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	GError *error = NULL;
	int pages = 0, rc = EX_OK;

	if (argc != 2)
		return md_cli_usage(argv[0], "expected one file name");
	if (!md_cli_open(cli, &ctx, &error) ||
	    !md_backup_copy(ctx.db, argv[1], &pages, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	md_log_info("backup of %s written to %s (%d pages)",
		    md_db_path(ctx.db), argv[1], pages);
out:
	md_ctx_clear(&ctx);
	return rc;
}
