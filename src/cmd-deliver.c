/* cmd-deliver.c: one message on stdin, as an MTA pipe or procmail would
 * hand it, stored in a transaction of its own (while maildeskd runs, the
 * maildesk front, front.c, spools it instead and comes here only when it
 * cannot).  Exit codes per sysexits.h: 0 means stored (or quarantined:
 * kept); 65 bounces the mail, and only for what is wrong with the mail
 * itself; every failure of the desk (configuration, permissions, disk,
 * database, usage) is 75, so that the MTA keeps the mail and retries
 * while the admin repairs it.  The reason goes to stderr, which Postfix
 * logs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "cmd.h"
#include "conf.h"
#include "ctx.h"
#include "db.h"
#include "error.h"
#include "log.h"
#include "pipeline.h"
#include "source.h"

#define WAL_TRUNCATE_BYTES (4 * 1024 * 1024)

/* Reads FD to the end, keeping at most CEILING + 1 bytes; *SIZE_R is how
 * many came (the rest is read and dropped so that the MTA's write does not
 * fail with EPIPE). */
static GBytes *
read_all(int fd, gint64 ceiling, gint64 *size_r, GError **error)
{
	GByteArray *buf = g_byte_array_new();
	guint8 chunk[65536];
	gint64 room;
	ssize_t n;

	*size_r = 0;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
				    "cannot read standard input: %s",
				    g_strerror(errno));
			g_byte_array_unref(buf);
			return NULL;
		}
		*size_r += n;
		room = ceiling + 1 - (gint64)buf->len;
		n = MIN(n, MAX(room, 0));
		g_byte_array_append(buf, chunk, n);
	}
	return g_byte_array_free_to_bytes(buf);
}

/* Exit code for ERROR (consumed): EX_DATAERR for the mail's own fault,
 * EX_TEMPFAIL for everything else. */
static int
fail(GError *error)
{
	bool mail = error->domain == MD_ERROR && error->code == MD_ERROR_DATA;

	fprintf(stderr, "maildesk: %s%s\n", error->message,
		mail ? "" : " (mail deferred: the MTA will retry)");
	g_error_free(error);
	return mail ? EX_DATAERR : EX_TEMPFAIL;
}

/* The long way: the mail stored in a transaction of its own. */
static bool
store(const struct md_cli *cli, struct md_conf *conf_take, GBytes *raw_take,
      gint64 size, GError **error)
{
	struct md_ctx ctx = { 0 };
	struct md_batch_stats stats = { 0 };
	struct md_clock clock;
	struct md_source_item *item;
	GPtrArray *batch = NULL;
	bool ok = false;

	md_clock_init_real(&clock);
	if (cli->now != NULL && !md_clock_init_fixed(&clock, cli->now, error))
		goto out;
	if (!md_ctx_open(&ctx, g_steal_pointer(&conf_take), &clock, error))
		goto out;
	/* Each deliver is a process of its own: with no other process
	 * holding the database open (no daemon), each one rebuilt the
	 * WAL's index from the whole WAL, up to 128 MB read, and counted
	 * none of it as checkpointed, so the WAL grew without end and each
	 * checkpoint copied all of it again (3.6 MB written per mail).
	 * 4 MiB: a checkpoint every dozen mails or so, each reading at most
	 * that much at open. */
	md_db_wal_truncate(ctx.db, WAL_TRUNCATE_BYTES);
	batch = g_ptr_array_new_with_free_func(md_source_item_free);
	item = md_source_item_new("stdin", 0, g_steal_pointer(&raw_take));
	item->size = size;
	g_ptr_array_add(batch, item);
	if (!md_pipeline_batch(&ctx, "deliver", batch, &stats, error))
		goto out;
	if (size > MD_SOURCE_KEEP_FACTOR * ctx.conf->max_message_size) {
		/* EX_DATAERR: Postfix bounces it to its sender (a maildir
		 * or IMAP source cannot, and keeps it quarantined). */
		g_set_error(error, MD_ERROR, MD_ERROR_DATA,
			    "message of %" G_GINT64_FORMAT " bytes refused; "
			    "its first %zu bytes are kept in the quarantine",
			    size, g_bytes_get_size(item->raw));
		goto out;
	}
	ok = true;
out:
	md_conf_free(conf_take);
	if (raw_take != NULL)
		g_bytes_unref(raw_take);
	g_clear_pointer(&batch, g_ptr_array_unref);
	md_ctx_clear(&ctx);
	return ok;
}

int
md_cmd_deliver(struct md_cli *cli, int argc, char **argv)
{
	struct md_conf *conf = NULL;
	GError *error = NULL;
	gint64 size = 0;
	GBytes *raw = NULL;
	(void)argv;

	if (argc != 1) {
		/* A wrong pipe command in the MTA's configuration would
		 * otherwise bounce every mail: 75, not 64. */
		md_cli_usage(argv[0], "the message comes on standard input, "
			     "no argument expected (mail deferred: the MTA "
			     "will retry)");
		return EX_TEMPFAIL;
	}
	if (!md_cli_load_conf(cli, &conf, &error))
		return fail(error);
	raw = read_all(STDIN_FILENO,
		       MD_SOURCE_KEEP_FACTOR * conf->max_message_size, &size,
		       &error);
	if (raw == NULL)
		goto fail;
	if (!store(cli, g_steal_pointer(&conf), g_steal_pointer(&raw), size,
		   &error))
		return fail(error);
	return EX_OK;
fail:
	md_conf_free(conf);
	if (raw != NULL)
		g_bytes_unref(raw);
	return fail(error);
}
