/* cmd-deliver.c: one message on stdin, as an MTA pipe or procmail would
 * hand it.  Exit codes per sysexits.h: 75 makes Postfix retry later (a
 * locked or full database), 0 means stored (or quarantined: kept). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "error.h"
#include "pipeline.h"
#include "source.h"

/* Reads all of FD; stops one byte past LIMIT (the pipeline quarantines
 * oversize mail, and needs no more to know it is too large). */
static GBytes *
read_all(int fd, gint64 limit, GError **error)
{
	GByteArray *buf = g_byte_array_new();
	guint8 chunk[65536];
	ssize_t n;

	while ((gint64)buf->len <= limit &&
	       (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
				    "cannot read standard input: %s",
				    g_strerror(errno));
			g_byte_array_unref(buf);
			return NULL;
		}
		g_byte_array_append(buf, chunk, n);
	}
	/* Drain the rest so the MTA's write does not fail with EPIPE. */
	while ((gint64)buf->len > limit && read(fd, chunk, sizeof(chunk)) > 0)
		;
	return g_byte_array_free_to_bytes(buf);
}

int
md_cmd_deliver(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_batch_stats stats = { 0 };
	GPtrArray *batch = NULL;
	GError *error = NULL;
	GBytes *raw;
	int rc = EX_OK;
	(void)argv;

	if (argc != 1) {
		fprintf(stderr, "usage: maildesk deliver < MESSAGE\n");
		return EX_USAGE;
	}
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	raw = read_all(STDIN_FILENO, ctx.conf->max_message_size, &error);
	if (raw == NULL)
		goto fail;
	batch = g_ptr_array_new_with_free_func(md_source_item_free);
	g_ptr_array_add(batch, md_source_item_new("stdin", 0, raw));
	if (!md_pipeline_batch(&ctx, "deliver", batch, &stats, &error))
		goto fail;
	goto out;
fail:
	rc = md_cli_fail(g_steal_pointer(&error));
out:
	g_clear_pointer(&batch, g_ptr_array_unref);
	md_ctx_clear(&ctx);
	return rc;
}
