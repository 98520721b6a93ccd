/* cmd-purge.c: maildesk purge --closed-before DATE [--dry-run], the
 * retention purge run by hand (maildeskd runs it daily when
 * retention.closed_after_days is set). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"
#include "retention.h"

int
md_cmd_purge(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_purge_stats stats;
	const char *date = NULL;
	GError *error = NULL;
	bool dry_run = false;
	gint64 before;
	int rc = EX_OK;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			dry_run = true;
		else if (strcmp(argv[i], "--closed-before") == 0 &&
			 i + 1 < argc)
			date = argv[++i];
		else
			return md_cli_usage(argv[0], "unknown argument '%s'",
					    argv[i]);
	}
	if (date == NULL)
		return md_cli_usage(argv[0], "--closed-before DATE is "
				    "required");
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	if (!md_cli_parse_date(date, ctx.conf->tz, &before)) {
		rc = md_cli_usage(argv[0], "'%s' is not a date "
				  "(YYYY-MM-DD or RFC 3339)", date);
		goto out;
	}
	if (!md_retention_purge(&ctx, before, dry_run, &stats, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	printf("%s%u tickets, %u messages, %u mails\n",
	       dry_run ? "would purge " : "purged ", stats.tickets,
	       stats.messages, stats.mails);
out:
	md_ctx_clear(&ctx);
	return rc;
}
