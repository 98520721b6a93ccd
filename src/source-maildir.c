/* source-maildir.c: messages from a maildir's new/, or (ingest) from any
 * directory of message files, read-only.
 *
 * Files are taken in file-name order, which for maildir names is arrival
 * order.  A batch stops at a byte budget as well as a count, so that
 * memory stays flat whatever the sizes of the mails.  The live source
 * watches new/ with inotify, falling back to polling.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "error.h"
#include "log.h"
#include "source.h"

#define BATCH_BYTES (16 * 1024 * 1024)

struct maildir {
	struct md_source base;
	char *path;
	bool readonly;
	GPtrArray *names;	/* relative paths still to take */
	guint next;
	bool listed;		/* names holds the current listing */
	int inotify;
};

static int
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True if ENT in DIR is a regular file: d_type says so without a stat
 * per file (a maildir can hold thousands), except on file systems that
 * leave it unknown. */
static bool
is_regular(const char *dir, const struct dirent *ent)
{
	struct stat st;
	char *full;
	bool regular;

	if (ent->d_type != DT_UNKNOWN)
		return ent->d_type == DT_REG;
	full = g_build_filename(dir, ent->d_name, NULL);
	regular = stat(full, &st) == 0 && S_ISREG(st.st_mode);
	g_free(full);
	return regular;
}

/* Appends the regular files of PATH/SUB (SUB may be "") to NAMES. */
static bool
list_dir(const char *path, const char *sub, GPtrArray *names,
	 GError **error)
{
	char *dir = g_build_filename(path, sub, NULL);
	DIR *d = opendir(dir);
	struct dirent *ent;

	if (d == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_IO,
			    "%s: cannot read directory: %s", dir,
			    g_strerror(errno));
		g_free(dir);
		return false;
	}
	while ((ent = readdir(d)) != NULL)
		if (ent->d_name[0] != '.' && is_regular(dir, ent))
			g_ptr_array_add(names, g_build_filename(sub,
								ent->d_name,
								NULL));
	closedir(d);
	g_free(dir);
	return true;
}

static bool
relist(struct maildir *md, GError **error)
{
	char *new_dir = g_build_filename(md->path, "new", NULL);
	bool is_maildir = g_file_test(new_dir, G_FILE_TEST_IS_DIR);
	bool ok;

	g_free(new_dir);
	g_ptr_array_set_size(md->names, 0);
	md->next = 0;
	if (is_maildir) {
		ok = list_dir(md->path, "new", md->names, error);
		if (ok && md->readonly) {
			char *cur = g_build_filename(md->path, "cur", NULL);

			if (g_file_test(cur, G_FILE_TEST_IS_DIR))
				ok = list_dir(md->path, "cur", md->names,
					      error);
			g_free(cur);
		}
	} else if (md->readonly) {
		ok = list_dir(md->path, "", md->names, error);
	} else {
		g_set_error(error, MD_ERROR, MD_ERROR_IO,
			    "%s: not a maildir (no new/ directory)", md->path);
		ok = false;
	}
	/* Maildir names start with the delivery time: name order is
	 * arrival order, and ticket numbers follow it. */
	g_ptr_array_sort(md->names, compare_names);
	md->listed = true;
	return ok;
}

/* FULL's contents, at most MAX bytes of them (0: all); *SIZE_R is the
 * file's size.  False with errno set. */
static bool
read_capped(const char *full, gint64 max, GBytes **raw_r, gint64 *size_r)
{
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	struct stat st;
	gsize want, got = 0;
	char *data = NULL;
	ssize_t n;
	int saved;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) != 0)
		goto fail;
	want = max > 0 && st.st_size > max ? (gsize)max : (gsize)st.st_size;
	data = g_malloc(want + 1);
	while (got < want && (n = read(fd, data + got, want - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		got += n;
	}
	close(fd);
	*raw_r = g_bytes_new_take(data, got);
	*size_r = MAX((gint64)st.st_size, (gint64)got);
	return true;
fail:
	saved = errno;
	g_free(data);
	close(fd);
	errno = saved;
	return false;
}

static bool
maildir_fetch(struct md_source *src, guint max, GPtrArray *batch,
	      GError **error)
{
	struct maildir *md = (struct maildir *)src;
	gsize bytes = 0;

	if (!md->listed && !relist(md, error))
		return false;
	while (md->next < md->names->len && batch->len < max &&
	       bytes < BATCH_BYTES) {
		const char *name = g_ptr_array_index(md->names, md->next++);
		char *full = g_build_filename(md->path, name, NULL);
		struct md_source_item *item;
		GBytes *raw;
		gint64 size;

		if (!read_capped(full, src->max_read, &raw, &size)) {
			/* Gone since the listing (another reader took it):
			 * not an error; anything else is. */
			if (errno == ENOENT) {
				g_free(full);
				continue;
			}
			g_set_error(error, MD_ERROR, MD_ERROR_IO, "%s: %s",
				    full, g_strerror(errno));
			g_free(full);
			return false;
		}
		g_free(full);
		bytes += g_bytes_get_size(raw);
		item = md_source_item_new(name, 0, raw);
		item->size = size;
		g_ptr_array_add(batch, item);
	}
	/* Exhausted: the next fetch after a wait lists again. */
	if (batch->len == 0)
		md->listed = md->readonly;
	return true;
}

/* new/NAME -> cur/NAME:2,S (RFC-less maildir convention, see
 * https://cr.yp.to/proto/maildir.html): seen, and out of new/. */
static bool
move_seen(struct maildir *md, const char *name, GError **error)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	char *from = g_build_filename(md->path, name, NULL);
	char *to_name = strstr(base, ":2,") != NULL
		? (strchr(strstr(base, ":2,"), 'S') ? g_strdup(base)
		   : g_strconcat(base, "S", NULL))
		: g_strconcat(base, ":2,S", NULL);
	char *to = g_build_filename(md->path, "cur", to_name, NULL);
	bool ok = rename(from, to) == 0 || errno == ENOENT;

	if (!ok)
		g_set_error(error, MD_ERROR, MD_ERROR_IO,
			    "%s: cannot move to cur/: %s", from,
			    g_strerror(errno));
	g_free(from);
	g_free(to);
	g_free(to_name);
	return ok;
}

static bool
maildir_ack(struct md_source *src, GPtrArray *items, GError **error)
{
	struct maildir *md = (struct maildir *)src;

	if (md->readonly)
		return true;
	for (guint i = 0; i < items->len; i++) {
		const struct md_source_item *item = g_ptr_array_index(items, i);

		if (src->conf->after == MD_AFTER_DELETE) {
			char *full = g_build_filename(md->path, item->key,
						      NULL);
			int rc = unlink(full);

			if (rc != 0 && errno != ENOENT) {
				g_set_error(error, MD_ERROR, MD_ERROR_IO,
					    "%s: cannot delete: %s", full,
					    g_strerror(errno));
				g_free(full);
				return false;
			}
			g_free(full);
		} else if (!move_seen(md, item->key, error)) {
			return false;
		}
	}
	return true;
}

static bool
maildir_wait_begin(struct md_source *src, int *fd_r, guint *timeout_r,
		   GError **error)
{
	struct maildir *md = (struct maildir *)src;
	(void)error;

	md->listed = false;
	if (md->inotify < 0) {
		char *dir = g_build_filename(md->path, "new", NULL);

		md->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (md->inotify >= 0 &&
		    inotify_add_watch(md->inotify, dir,
				      IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
			md_log_warn_errno("%s: cannot watch, polling", dir);
			close(md->inotify);
			md->inotify = -1;
		}
		g_free(dir);
	}
	*fd_r = md->inotify;
	/* Inotify misses nothing while we watch; the timeout is the
	 * safety net for file systems where it does (NFS). */
	*timeout_r = md->inotify >= 0 ? 60 : 2;
	return true;
}

static bool
maildir_wait_end(struct md_source *src, GError **error)
{
	struct maildir *md = (struct maildir *)src;
	char buf[4096];
	(void)error;

	if (md->inotify >= 0)
		while (read(md->inotify, buf, sizeof(buf)) > 0)
			;
	md->listed = false;
	return true;
}

static void
maildir_free(struct md_source *src)
{
	struct maildir *md = (struct maildir *)src;

	if (md->inotify >= 0)
		close(md->inotify);
	g_ptr_array_unref(md->names);
	g_free(md->path);
	g_free(md);
}

static const struct md_source_ops maildir_ops = {
	.name = "maildir",
	.fetch = maildir_fetch,
	.ack = maildir_ack,
	.wait_begin = maildir_wait_begin,
	.wait_end = maildir_wait_end,
	.free = maildir_free,
};

static struct md_source *
maildir_new(const struct md_inbound_conf *conf, const char *path,
	    bool readonly)
{
	struct maildir *md = g_new0(struct maildir, 1);

	md->base.ops = &maildir_ops;
	md->base.conf = conf;
	md->path = g_strdup(path);
	md->readonly = readonly;
	md->names = g_ptr_array_new_with_free_func(g_free);
	md->inotify = -1;
	return &md->base;
}

bool
md_source_maildir_open(const struct md_inbound_conf *conf,
		       struct md_source **src_r, GError **error)
{
	char *cur = g_build_filename(conf->path, "cur", NULL);
	bool ok = g_mkdir_with_parents(cur, 0750) == 0;

	/* A configured maildir that does not exist yet is created, as an
	 * MDA would: the desk may start before the first mail. */
	if (ok) {
		char *sub[] = { "new", "tmp" };

		for (guint i = 0; ok && i < 2; i++) {
			char *d = g_build_filename(conf->path, sub[i], NULL);

			ok = g_mkdir_with_parents(d, 0750) == 0;
			g_free(d);
		}
	}
	if (!ok)
		g_set_error(error, MD_ERROR, MD_ERROR_IO,
			    "%s: cannot create maildir: %s", conf->path,
			    g_strerror(errno));
	g_free(cur);
	if (ok)
		*src_r = maildir_new(conf, conf->path, false);
	return ok;
}

bool
md_source_dir_open(const char *path, struct md_source **src_r,
		   GError **error)
{
	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, MD_ERROR, MD_ERROR_USAGE,
			    "%s: not a directory", path);
		return false;
	}
	*src_r = maildir_new(NULL, path, true);
	return true;
}
