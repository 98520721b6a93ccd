/* transport-maildir.c: outgoing mail written into a maildir (the default:
 * the desk runs and can be looked at with no mail server at all).
 *
 * Delivery as mdeliver does it, data durable before it is visible, but
 * per batch rather than per mail (a fsync per file was most of the time
 * of an IMAP ingest): send writes tmp/NAME; flush syncs the file system
 * once, renames every file of the batch into new/, and syncs new/.  The
 * envelope, which a maildir has no place for, goes in Return-Path and
 * X-Envelope-To header lines put on top, as an MDA's Delivered-To would.
 *
 * Idempotent: a file's name is a digest of the envelope and the bytes,
 * which the outbox stored when it queued the mail, so a round sent again
 * after a crash (between the rename and the commit that marks it sent)
 * replaces its files instead of adding copies.  (SMTP and sendmail stay
 * at-least-once: a server cannot be asked to forget a mail.)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "durable.h"
#include "error.h"
#include "transport.h"

struct maildir_transport {
	struct md_transport base;
	char *path;
	GPtrArray *pending;	/* names written to tmp/, not yet in new/ */
};

/* The file name of one outbox mail: the same mail, the same name.  Two
 * queued mails never have the same bytes (each has its Message-ID). */
static char *
file_name(const char *mail_from, const GPtrArray *rcpts, const char *data,
	  gsize len)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	char *name;

	g_checksum_update(sum, (const guchar *)mail_from,
			  strlen(mail_from) + 1);
	for (guint i = 0; i < rcpts->len; i++) {
		const char *r = g_ptr_array_index(rcpts, i);

		g_checksum_update(sum, (const guchar *)r, strlen(r) + 1);
	}
	g_checksum_update(sum, (const guchar *)data, len);
	name = g_strdup_printf("%.40s.maildesk", g_checksum_get_string(sum));
	g_checksum_free(sum);
	return name;
}

/* The mail with envelope lines on top and LF line ends, as maildir
 * readers expect. */
static GString *
local_copy(const char *mail_from, const GPtrArray *rcpts, const char *data,
	   gsize len)
{
	GString *out = g_string_sized_new(len + 256);

	g_string_append_printf(out, "Return-Path: <%s>\n", mail_from);
	g_string_append(out, "X-Envelope-To: ");
	for (guint i = 0; i < rcpts->len; i++)
		g_string_append_printf(out, "%s%s", i ? ", " : "",
				       (char *)g_ptr_array_index(rcpts, i));
	g_string_append_c(out, '\n');
	for (gsize i = 0; i < len; i++)
		if (!(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
			g_string_append_c(out, data[i]);
	return out;
}

static bool
maildir_send(struct md_transport *t, const char *mail_from,
	     const GPtrArray *rcpts, const char *data, gsize len,
	     GPtrArray *refused, GError **error)
{
	struct maildir_transport *mt = (struct maildir_transport *)t;
	GString *copy = local_copy(mail_from, rcpts, data, len);
	char *name, *tmp;
	int fd;
	bool ok = false;
	(void)refused;

	name = file_name(mail_from, rcpts, data, len);
	tmp = g_build_filename(mt->path, "tmp", name, NULL);
	/* Not O_EXCL: what a crashed round left in tmp/ is overwritten. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		goto fail;
	if (!md_write_all(fd, copy->str, copy->len)) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	if (close(fd) != 0) {
		unlink(tmp);
		goto fail;
	}
	g_ptr_array_add(mt->pending, g_steal_pointer(&name));
	ok = true;
	goto out;
fail:
	/* A full or read-only disk is expected to come back. */
	g_set_error(error, MD_ERROR, MD_ERROR_TEMP, "%s: cannot write: %s",
		    tmp, g_strerror(errno));
out:
	g_string_free(copy, TRUE);
	g_free(name);
	g_free(tmp);
	return ok;
}

static bool
maildir_flush(struct md_transport *t, GError **error)
{
	struct maildir_transport *mt = (struct maildir_transport *)t;
	char *tmp_dir = g_build_filename(mt->path, "tmp", NULL);
	char *new_dir = g_build_filename(mt->path, "new", NULL);
	int fd = open(tmp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok;

	if (mt->pending->len == 0) {
		ok = true;
		goto out;
	}
	/* One syncfs writes the data of the whole batch. */
	ok = fd >= 0 && syncfs(fd) == 0;
	for (guint i = 0; ok && i < mt->pending->len; i++) {
		const char *name = g_ptr_array_index(mt->pending, i);
		char *from = g_build_filename(tmp_dir, name, NULL);
		char *to = g_build_filename(new_dir, name, NULL);

		ok = rename(from, to) == 0;
		g_free(from);
		g_free(to);
	}
	ok = ok && md_sync_path(new_dir);
	if (!ok)
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "%s: cannot deliver: %s", mt->path,
			    g_strerror(errno));
	/* On failure what is left in tmp/ is never shown: the round is
	 * sent again, and maildir readers clean tmp/ of old files. */
	g_ptr_array_set_size(mt->pending, 0);
out:
	if (fd >= 0)
		close(fd);
	g_free(tmp_dir);
	g_free(new_dir);
	return ok;
}

static void
maildir_free(struct md_transport *t)
{
	struct maildir_transport *mt = (struct maildir_transport *)t;

	g_ptr_array_unref(mt->pending);
	g_free(mt->path);
	g_free(mt);
}

static const struct md_transport_ops maildir_ops = {
	.name = "maildir",
	.send = maildir_send,
	.flush = maildir_flush,
	.free = maildir_free,
};

/* Files in tmp/ older than a day were left by a crash (maildir's rule:
 * a reader may remove them after 36 hours).  Their age is the file
 * system's, so the real clock, not the desk's (--now), measures it. */
static void
clean_tmp(const char *path)
{
	char *dir = g_build_filename(path, "tmp", NULL);
	DIR *d = opendir(dir);
	time_t limit = time(NULL) - 24 * 3600;
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		struct stat st;

		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime >= limit)
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d != NULL)
		closedir(d);
	g_free(dir);
}

bool
md_transport_maildir_open(const struct md_outbound_conf *conf,
			  struct md_transport **t_r, GError **error)
{
	struct maildir_transport *mt;

	for (guint i = 0; i < 3; i++) {
		static const char *const sub[] = { "tmp", "new", "cur" };
		char *d = g_build_filename(conf->path, sub[i], NULL);
		int rc = g_mkdir_with_parents(d, 0750);

		g_free(d);
		if (rc != 0) {
			g_set_error(error, MD_ERROR, MD_ERROR_IO,
				    "%s: cannot create maildir: %s",
				    conf->path, g_strerror(errno));
			return false;
		}
	}
	clean_tmp(conf->path);
	mt = g_new0(struct maildir_transport, 1);
	mt->base.ops = &maildir_ops;
	mt->path = g_strdup(conf->path);
	mt->pending = g_ptr_array_new_with_free_func(g_free);
	*t_r = &mt->base;
	return true;
}
