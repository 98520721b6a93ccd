/* conf-check.h: the validators of the configuration keys and the reading
 * of secret files; private to conf.c (the module's interface is conf.h).
 *
 * A validator gets the value and the struct it is stored in, and returns
 * NULL if the value is good, else what is wrong (g_free).
 */
#ifndef MD_CONF_CHECK_H
#define MD_CONF_CHECK_H

#include <glib.h>

char *md_conf_check_text(const void *value, void *base);
char *md_conf_check_tag(const void *value, void *base);
/* Also stores the loaded zone in the struct md_conf BASE. */
char *md_conf_check_tz(const void *value, void *base);
char *md_conf_check_dir(const void *value, void *base);
char *md_conf_check_date(const void *value, void *base);
char *md_conf_check_hhmm(const void *value, void *base);
/* "HH:MM-HH:MM", the first before the second. */
char *md_conf_check_hours(const void *value, void *base);
char *md_conf_check_ascending(const void *value, void *base);
char *md_conf_check_imap_url(const void *value, void *base);
char *md_conf_check_smtp_url(const void *value, void *base);
char *md_conf_check_http_url(const void *value, void *base);
char *md_conf_check_tenant(const void *value, void *base);

struct md_oauth_conf;
/* Fills the endpoints and scope of O's provider where O leaves them
 * unset; returns NULL, or what is missing or wrong (g_free). */
char *md_conf_oauth_preset(struct md_oauth_conf *o);

/* Reads the secret in PATH into *SECRET_R (g_free; trailing newline
 * removed) if PATH is a regular file of ours or root's that group and
 * others cannot read or write; else returns what is wrong. */
char *md_conf_read_secret(const char *path, char **secret_r);

#endif
