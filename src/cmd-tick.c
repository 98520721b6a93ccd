/* cmd-tick.c: `tick` runs the timers once (reminders, closes, the
 * digest), as the daemon's sweep does every minute; `digest` prints or
 * sends the supervisors' digest now. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "digest.h"
#include "tick.h"

int
md_cmd_tick(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_tick_stats stats = { 0 };
	GError *error = NULL;
	int rc = EX_OK;

	if (argc != 1)
		return md_cli_usage(argv[0], "no argument expected");
	if (!md_cli_open(cli, &ctx, &error) ||
	    !md_tick_run(&ctx, &stats, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	printf("%u due tickets: %u reminders, %u closed; %u digests\n",
	       stats.tickets, stats.reminders, stats.closed, stats.digests);
out:
	md_ctx_clear(&ctx);
	return rc;
}

int
md_cmd_digest(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	GError *error = NULL;
	char *text = NULL;
	guint queued = 0;
	bool dry_run = argc == 2 && strcmp(argv[1], "--dry-run") == 0;
	int rc = EX_OK;

	if (argc != 1 && !dry_run)
		return md_cli_usage(argv[0], "unknown argument '%s'", argv[1]);
	if (!md_cli_open(cli, &ctx, &error) ||
	    !md_digest_now(&ctx, dry_run, &text, &queued, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	fputs(text, stdout);
	if (!dry_run)
		printf("digest queued for %u supervisors\n", queued);
out:
	g_free(text);
	md_ctx_clear(&ctx);
	return rc;
}
