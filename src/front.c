/* front.c: the program installed as maildesk.  It runs every command by
 * executing the command-line tool, maildesk-cli (beside it in a build
 * tree, else in PKGLIBEXECDIR), with the same arguments and standard
 * input; and it takes one path itself, the hot one: `maildesk deliver`
 * while maildeskd runs (spool.h).  There the work is one file written
 * and two fsyncs, and most of a deliver's time was the loader mapping
 * the tool's 23 libraries (GLib, GMime, GPGME, SQLite...): this program
 * links only libc and libconfig.
 *
 * It spools only when it is sure: `[-c FILE] [-v] deliver` and nothing
 * else, a configuration file libconfig reads, a daemon holding the lock
 * on the state directory, the spool's tmp/ writable, the mail within
 * limits.max_message_size.  Anything else goes to the tool, which says
 * what is wrong or takes the long way (stores the mail itself) as it
 * always did: before the mail is read, with standard input untouched;
 * after, with the spooled copy (unlinked) as its standard input.  The
 * tool validates the configuration; this program reads two keys of it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "durable.h"
#include "spool-names.h"

#define CLI_NAME "maildesk-cli"
#define DEFAULT_CONF SYSCONFDIR "/maildesk/maildesk.conf"
/* conf.c's defaults for the two keys read here. */
#define DEFAULT_STATE_DIR "var"
#define DEFAULT_MAX_SIZE 26214400LL

struct deliver {
	const char *conf;	/* the configuration file */
	bool verbose;
	char state[PATH_MAX];	/* its desk.state_dir */
	long long max_size;	/* its limits.max_message_size */
};

/* BUF = A/B; false if it does not fit. */
static bool
join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s/%s", a, b);

	return n > 0 && (size_t)n < size;
}

static void
say(const char *fmt, ...)
{
	va_list ap;

	fputs("maildesk: deliver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Runs the tool in this process's place; returns only if it cannot. */
static int
run_cli(char **argv, bool deliver)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (n > 0) {
		path[n] = '\0';
		slash = strrchr(path, '/');
		if (slash != NULL &&
		    (size_t)(slash + 1 - path) + sizeof(CLI_NAME) <=
		    sizeof(path)) {
			memcpy(slash + 1, CLI_NAME, sizeof(CLI_NAME));
			if (access(path, X_OK) == 0)
				execv(path, argv);
		}
	}
	execv(PKGLIBEXECDIR "/" CLI_NAME, argv);
	fprintf(stderr, "maildesk: cannot run %s: %s%s\n",
		PKGLIBEXECDIR "/" CLI_NAME, strerror(errno),
		deliver ? " (mail deferred: the MTA will retry)" : "");
	/* A deliver's failures are all 75: the MTA keeps the mail. */
	return deliver ? EX_TEMPFAIL : EX_UNAVAILABLE;
}

/* Whether the command is deliver, for the exit code if the tool cannot
 * run (a wrong guess only changes that code). */
static bool
names_deliver(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "deliver") == 0)
			return true;
	return false;
}

/* True for `maildesk [-c FILE] [-v] deliver` (global options anywhere,
 * as the tool takes them); D->conf is FILE or the default if it exists. */
static bool
deliver_form(int argc, char **argv, struct deliver *d)
{
	bool deliver = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) &&
		    i + 1 < argc)
			d->conf = argv[++i];
		else if (strncmp(a, "--config=", 9) == 0)
			d->conf = a + 9;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			d->verbose = true;
		else if (strcmp(a, "deliver") == 0 && !deliver)
			deliver = true;
		else
			return false;	/* --now, --help, another command */
	}
	if (d->conf == NULL && access(DEFAULT_CONF, F_OK) == 0)
		d->conf = DEFAULT_CONF;
	/* No file: the tool's built-in example, which is not worth a
	 * short way. */
	return deliver && d->conf != NULL && *d->conf != '\0';
}

/* desk.state_dir (relative to the file's directory, as conf.c resolves
 * it) and limits.max_message_size, or false for the tool to judge. */
static bool
read_conf(struct deliver *d)
{
	config_t cfg;
	config_setting_t *s;
	const char *state = DEFAULT_STATE_DIR, *dir;
	char copy[PATH_MAX];
	bool ok = false;

	if ((size_t)snprintf(copy, sizeof(copy), "%s", d->conf) >= sizeof(copy))
		return false;
	dir = dirname(copy);
	config_init(&cfg);
	config_set_include_dir(&cfg, dir);
	if (!config_read_file(&cfg, d->conf))
		goto out;
	if ((s = config_lookup(&cfg, "desk.state_dir")) != NULL &&
	    (state = config_setting_get_string(s)) == NULL)
		goto out;
	d->max_size = DEFAULT_MAX_SIZE;
	if ((s = config_lookup(&cfg, "limits.max_message_size")) != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_INT &&
		    config_setting_type(s) != CONFIG_TYPE_INT64)
			goto out;
		d->max_size = config_setting_get_int64(s);
	}
	if (state[0] == '/')
		ok = (size_t)snprintf(d->state, sizeof(d->state), "%s",
				      state) < sizeof(d->state);
	else
		ok = join(d->state, sizeof(d->state), dir, state);
	ok = ok && d->max_size > 0;
out:
	config_destroy(&cfg);
	return ok;
}

/* spool.c's test: the daemon holds a read lock; a write lock we never
 * take would conflict with it. */
static bool
daemon_runs(const struct deliver *d)
{
	struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char path[PATH_MAX];
	bool runs;
	int fd;

	if (!join(path, sizeof(path), d->state, MD_SPOOL_LOCK) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	runs = fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK;
	close(fd);
	return runs;
}

/* A maildir name: seconds first, so that file-name order (the order the
 * daemon takes them in) is arrival order. */
static void
unique_name(char *buf, size_t size)
{
	struct timespec ts;
	char host[256] = "localhost";
	unsigned int r = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p != '\0'; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned int)ts.tv_nsec;
	snprintf(buf, size, "%lld.M%06ldP%dR%08x.%s", (long long)ts.tv_sec,
		 ts.tv_nsec / 1000, (int)getpid(), r, host);
}

/* Root (an admin's deliver by hand) would write a file the daemon,
 * running as the spool's owner, cannot read: it goes to that owner. */
static void
give_to_daemon(int fd, const char *spool)
{
	struct stat st;

	if (geteuid() == 0 && stat(spool, &st) == 0 && st.st_uid != 0 &&
	    fchown(fd, st.st_uid, st.st_gid) != 0)
		say("%s: cannot give the spooled mail to its owner: %s",
		    spool, strerror(errno));
}

/* Standard input into FD; its size, or -1 (errno set, *READING says
 * which side failed). */
static long long
copy_stdin(int fd, bool *reading)
{
	char buf[65536];
	long long size = 0;
	ssize_t n;

	for (;;) {
		*reading = true;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return size;
		*reading = false;
		if (!md_write_all(fd, buf, (size_t)n))
			return -1;
		size += n;
	}
}

/* The tool takes the long way with the mail in FD (unlinked at TMP) as
 * its standard input. */
static int
hand_over(int fd, const char *tmp, char **argv)
{
	unlink(tmp);
	if (lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, STDIN_FILENO) < 0) {
		say("%s: %s (mail deferred: the MTA will retry)", tmp,
		    strerror(errno));
		return EX_TEMPFAIL;
	}
	close(fd);
	return run_cli(argv, true);
}

/* Data durable before the name is visible (maildir's rule), and the
 * name durable before the MTA forgets the mail. */
static int
spool_mail(const struct deliver *d, char **argv)
{
	char spool[PATH_MAX], name[320], tmp[PATH_MAX], dest[PATH_MAX];
	char tmp_dir[PATH_MAX], new_dir[PATH_MAX];
	long long size;
	bool reading;
	int fd;

	unique_name(name, sizeof(name));
	if (!join(spool, sizeof(spool), d->state, MD_SPOOL_DIR) ||
	    !join(tmp_dir, sizeof(tmp_dir), spool, "tmp") ||
	    !join(new_dir, sizeof(new_dir), spool, "new") ||
	    !join(tmp, sizeof(tmp), tmp_dir, name) ||
	    !join(dest, sizeof(dest), new_dir, name))
		return run_cli(argv, true);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		/* A spool removed or unwritable would defer every mail for
		 * as long as the daemon runs: the long way instead, with
		 * standard input not yet read. */
		say("%s: cannot create: %s; storing the mail itself", tmp,
		    strerror(errno));
		return run_cli(argv, true);
	}
	give_to_daemon(fd, spool);
	if ((size = copy_stdin(fd, &reading)) < 0) {
		say("%s: %s (mail deferred: the MTA will retry)",
		    reading ? "cannot read standard input" : tmp,
		    strerror(errno));
		close(fd);
		unlink(tmp);
		return EX_TEMPFAIL;
	}
	/* Over the limit: the tool quarantines it at once (or refuses it
	 * with 65 for the MTA to bounce). */
	if (size > d->max_size)
		return hand_over(fd, tmp, argv);
	if (fsync(fd) != 0 || rename(tmp, dest) != 0) {
		say("%s: cannot spool: %s; storing the mail itself", tmp,
		    strerror(errno));
		return hand_over(fd, tmp, argv);
	}
	close(fd);
	if (!md_sync_path(new_dir)) {
		/* Visible but perhaps not durable: the daemon may have taken
		 * it already, so it stays; the MTA's retry would at worst be
		 * a duplicate, which the desk recognises. */
		say("%s: cannot sync: %s (mail deferred: the MTA will retry)",
		    new_dir, strerror(errno));
		return EX_TEMPFAIL;
	}
	if (d->verbose)
		say("%lld bytes spooled for maildeskd", size);
	return EX_OK;
}

int
main(int argc, char **argv)
{
	struct deliver d = { 0 };

	if (!deliver_form(argc, argv, &d))
		return run_cli(argv, names_deliver(argc, argv));
	if (!read_conf(&d) || !daemon_runs(&d))
		return run_cli(argv, true);
	return spool_mail(&d, argv);
}
