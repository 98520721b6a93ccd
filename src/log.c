/* log.c: md_log_* to stderr or syslog.
 *
 * Under systemd (JOURNAL_STREAM set) each line starts with "<N>" so that
 * journald keeps the priority; on a terminal lines carry the program name.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <glib.h>

#include "log.h"

static struct {
	const char *ident;
	enum md_log_target target;
	bool verbose;
	bool journal;
	bool mail_lines;
} log_state = { "maildesk", MD_LOG_STDERR, false, false, false };

/* True if stderr is the stream systemd connected to the journal: it sets
 * JOURNAL_STREAM to "DEVICE:INODE" of that stream (systemd.exec(5)); a
 * child whose stderr was redirected inherits the variable but not the
 * stream, and must not write "<N>" into someone's file. */
static bool
stderr_is_journal(void)
{
	const char *env = g_getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return env != NULL &&
	       sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
	       fstat(STDERR_FILENO, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void
md_log_init(const char *ident, enum md_log_target target, bool verbose)
{
	const char *sock = g_getenv("MD_SYSLOG_SOCKET");	/* tests */

	log_state.ident = ident;
	log_state.target = target;
	log_state.verbose = verbose;
	log_state.journal = stderr_is_journal();
	if (target != MD_LOG_SYSLOG)
		return;
	/* syslog(3) drops lines silently when nothing listens on /dev/log
	 * (a container, a chroot): an admin would see no log at all. */
	if (sock == NULL)
		sock = _PATH_LOG;
	if (access(sock, W_OK) != 0) {
		log_state.target = MD_LOG_STDERR;
		md_log_warn("--syslog: no syslog socket %s (%s); logging to "
			    "stderr", sock, g_strerror(errno));
		return;
	}
	openlog(ident, LOG_PID, LOG_MAIL);
}

static void
vlog(int prio, const char *suffix, const char *fmt, va_list ap)
{
	char *text;

	if (prio == LOG_DEBUG && !log_state.verbose)
		return;
	text = g_strdup_vprintf(fmt, ap);
	if (log_state.target == MD_LOG_SYSLOG)
		syslog(prio, "%s%s", text, suffix);
	else if (log_state.journal)
		fprintf(stderr, "<%d>%s%s\n", prio, text, suffix);
	else
		fprintf(stderr, "%s: %s%s\n", log_state.ident, text, suffix);
	g_free(text);
}

#define DEFINE_LOG(name, prio)					\
	void							\
	name(const char *fmt, ...)				\
	{							\
		va_list ap;					\
		va_start(ap, fmt);				\
		vlog(prio, "", fmt, ap);			\
		va_end(ap);					\
	}

DEFINE_LOG(md_log_error, LOG_ERR)
DEFINE_LOG(md_log_warn, LOG_WARNING)
DEFINE_LOG(md_log_info, LOG_INFO)
DEFINE_LOG(md_log_debug, LOG_DEBUG)

void
md_log_mail_lines(bool on)
{
	log_state.mail_lines = on;
}

void
md_log_mail(const char *fmt, ...)
{
	va_list ap;

	if (!log_state.mail_lines && !log_state.verbose)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

void
md_log_warn_errno(const char *fmt, ...)
{
	va_list ap;
	char *suffix;
	int saved = errno;

	suffix = g_strconcat(": ", g_strerror(saved), NULL);
	va_start(ap, fmt);
	vlog(LOG_WARNING, suffix, fmt, ap);
	va_end(ap);
	g_free(suffix);
}
