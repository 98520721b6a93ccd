/* spool.c: see spool.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "durable.h"
#include "error.h"
#include "log.h"
#include "spool.h"

#define LOCK_NAME "maildeskd.lock"
#define SPOOL_NAME "spool"

static char *
lock_path(const struct md_conf *conf)
{
	return g_build_filename(conf->state_dir, LOCK_NAME, NULL);
}

static char *
spool_path(const struct md_conf *conf)
{
	return g_build_filename(conf->state_dir, SPOOL_NAME, NULL);
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

bool
md_spool_daemon_runs(const struct md_conf *conf)
{
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char *path = lock_path(conf);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool runs;

	g_free(path);
	if (fd < 0)
		return false;
	/* Any failure says "no daemon": the long way stores the mail too. */
	runs = fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK;
	close(fd);
	return runs;
}

/* Root (an admin's deliver by hand) writes a file the daemon, running as
 * the owner of the spool, could not read (0640, group root): it would
 * fail on it at every drain.  The file goes to the spool's owner. */
static void
give_to_daemon(int fd, const char *spool)
{
	struct stat st;

	if (geteuid() == 0 && stat(spool, &st) == 0 && st.st_uid != 0 &&
	    fchown(fd, st.st_uid, st.st_gid) != 0)
		md_log_warn_errno("%s: cannot give the spooled mail to its "
				  "owner", spool);
}

/* A maildir name: seconds first, so that file-name order (the order the
 * source takes them in) is arrival order. */
static char *
unique_name(void)
{
	gint64 now = g_get_real_time();

	return g_strdup_printf("%" G_GINT64_FORMAT ".M%06dP%dR%08x.%s",
			       now / G_USEC_PER_SEC,
			       (int)(now % G_USEC_PER_SEC), (int)getpid(),
			       g_random_int(), g_get_host_name());
}

bool
md_spool_put(const struct md_conf *conf, GBytes *raw, GError **error)
{
	char *spool = spool_path(conf), *name = unique_name();
	char *tmp = g_build_filename(spool, "tmp", name, NULL);
	char *new_dir = g_build_filename(spool, "new", NULL);
	char *dest = g_build_filename(new_dir, name, NULL);
	gsize len;
	const guint8 *data = g_bytes_get_data(raw, &len);
	bool ok = false;
	int fd;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		io_fail(tmp, "cannot create", MD_ERROR_TEMP, error);
		goto out;
	}
	give_to_daemon(fd, spool);
	/* Data durable before the name is visible (maildir's rule), and
	 * the name durable before the MTA forgets the mail. */
	if (!md_write_all(fd, data, len) || fsync(fd) != 0) {
		io_fail(tmp, "cannot write", MD_ERROR_TEMP, error);
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, dest) != 0) {
		io_fail(tmp, "cannot move into new/", MD_ERROR_TEMP, error);
		unlink(tmp);
		goto out;
	}
	if (!md_sync_path(new_dir)) {
		/* Visible but perhaps not durable: the daemon may have
		 * taken it already, so it stays; the MTA's retry would at
		 * worst be a duplicate, which the desk recognises. */
		io_fail(new_dir, "cannot sync", MD_ERROR_TEMP, error);
		goto out;
	}
	ok = true;
out:
	g_free(spool);
	g_free(name);
	g_free(tmp);
	g_free(new_dir);
	g_free(dest);
	return ok;
}
