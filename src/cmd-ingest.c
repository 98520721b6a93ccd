/* cmd-ingest.c: import a maildir or a directory of .eml files once.
 * The files are left as they are; running it again stores nothing twice
 * (the pipeline recognises duplicates), which is also how an import
 * killed half-way is resumed. */
#include "config.h"

#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "pipeline.h"
#include "source.h"

static void
progress(guint done, gpointer data)
{
	(void)data;
	fprintf(stderr, "\ringest: %u messages", done);
	fflush(stderr);
}

int
md_cmd_ingest(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_batch_stats stats = { 0 };
	struct md_source *src = NULL;
	GError *error = NULL;
	bool tty = isatty(STDERR_FILENO);
	int rc = EX_OK;

	if (argc != 2) {
		fprintf(stderr, "usage: maildesk ingest DIR\n");
		return EX_USAGE;
	}
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	if (!md_source_dir_open(argv[1], &src, &error) ||
	    !md_pipeline_drain(&ctx, src, 500, NULL, tty ? progress : NULL,
			       NULL, &stats, &error)) {
		if (tty)
			fputc('\n', stderr);
		rc = md_cli_fail(error);
		goto out;
	}
	if (tty)
		fputc('\n', stderr);
	printf("%u stored, %u duplicates, %u quarantined, %u tickets created, "
	       "%u mails queued\n", stats.stored, stats.duplicates,
	       stats.quarantined, stats.tickets_created, stats.queued);
out:
	md_source_free(src);
	md_ctx_clear(&ctx);
	return rc;
}
