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
#include <syslog.h>

#include <glib.h>

#include "log.h"

static struct {
	const char *ident;
	enum md_log_target target;
	bool verbose;
	bool journal;
} log_state = { "maildesk", MD_LOG_STDERR, false, false };

void
md_log_init(const char *ident, enum md_log_target target, bool verbose)
{
	log_state.ident = ident;
	log_state.target = target;
	log_state.verbose = verbose;
	log_state.journal = g_getenv("JOURNAL_STREAM") != NULL;
	if (target == MD_LOG_SYSLOG)
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
