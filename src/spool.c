/* spool.c: see spool.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "conf.h"
#include "error.h"
#include "spool.h"
#include "spool-names.h"

static char *
lock_path(const struct md_conf *conf)
{
	return g_build_filename(conf->state_dir, MD_SPOOL_LOCK, NULL);
}

static char *
spool_path(const struct md_conf *conf)
{
	return g_build_filename(conf->state_dir, MD_SPOOL_DIR, NULL);
}

static bool
io_fail(const char *path, const char *what, int code, GError **error)
{
	g_set_error(error, MD_ERROR, code, "%s: %s: %s", path, what,
		    g_strerror(errno));
	return false;
}

bool
md_spool_hold(const struct md_conf *conf, int *fd_r, GError **error)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	struct flock lk = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	char *spool = spool_path(conf), *path = lock_path(conf);
	bool ok = false;
	int fd = -1;

	for (guint i = 0; i < G_N_ELEMENTS(sub); i++) {
		char *dir = g_build_filename(spool, sub[i], NULL);
		bool made = g_mkdir_with_parents(dir, 0750) == 0;

		if (!made)
			io_fail(dir, "cannot create", MD_ERROR_IO, error);
		g_free(dir);
		if (!made)
			goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		io_fail(path, "cannot open", MD_ERROR_IO, error);
		goto out;
	}
	/* A read lock: delivers test for it with a write lock they never
	 * take (F_GETLK), a second daemon shares it.  Waits for nobody:
	 * no one takes a write lock. */
	while (fcntl(fd, F_SETLKW, &lk) != 0) {
		if (errno != EINTR) {
			io_fail(path, "cannot lock", MD_ERROR_IO, error);
			goto out;
		}
	}
	*fd_r = fd;
	fd = -1;
	ok = true;
out:
	if (fd >= 0)
		close(fd);
	g_free(spool);
	g_free(path);
	return ok;
}

void
md_spool_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

struct md_inbound_conf *
md_spool_source_new(const struct md_conf *conf)
{
	struct md_inbound_conf *in = g_new0(struct md_inbound_conf, 1);

	in->type = MD_INBOUND_MAILDIR;
	in->path = spool_path(conf);
	in->name = g_strconcat("deliver:", in->path, NULL);
	/* Each mail is in the database once committed: a copy in cur/
	 * would double the disk the desk takes. */
	in->after = MD_AFTER_DELETE;
	in->batch_size = 200;
	return in;
}

void
md_spool_source_free(struct md_inbound_conf *in)
{
	if (in == NULL)
		return;
	g_free(in->path);
	g_free(in->name);
	g_free(in);
}
