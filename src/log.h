/* log.h: logging to stderr (with <N> priorities under systemd) or syslog.
 *
 * The deciding layer logs an error once; library code returns GErrors.
 * Log Message-IDs and ticket numbers, never bodies or secrets.
 */
#ifndef MD_LOG_H
#define MD_LOG_H

#include <stdbool.h>

enum md_log_target { MD_LOG_STDERR, MD_LOG_SYSLOG };

/* IDENT names the program; VERBOSE enables debug messages. */
void md_log_init(const char *ident, enum md_log_target target, bool verbose);

void md_log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void md_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void md_log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void md_log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line per mail in and out, Postfix's way (greppable by Message-ID
 * and ticket=N), at LOG_INFO; shown only once md_log_mail_lines(true)
 * (maildeskd; maildesk with -v), so that deliver says nothing to the MTA
 * when all is well. */
void md_log_mail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void md_log_mail_lines(bool on);
/* As md_log_warn, with ": strerror(errno)" appended. */
void md_log_warn_errno(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
