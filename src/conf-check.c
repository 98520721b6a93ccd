/* conf-check.c: the validators of the configuration keys, and secret
 * files read with their permissions checked (msmtp's check_secure). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf-check.h"
#include "workday.h"

/* A password longer than this is surely the wrong file. */
#define SECRET_MAX 4096

/* Validators ------------------------------------------------------------ */

char *
md_conf_check_text(const void *value, void *base)
{
	(void)base;
	/* These end up in header fields: a CR or LF would inject one. */
	for (const char *c = value; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return g_strdup("must not contain control characters");
	return NULL;
}

char *
md_conf_check_tag(const void *value, void *base)
{
	/* The name sits inside "[NAME #123]"; brackets would break the tag
	 * parser on the way back in. */
	if (strpbrk(value, "[]#") != NULL)
		return g_strdup("must not contain '[', ']' or '#'");
	return md_conf_check_text(value, base);
}

char *
md_conf_check_tz(const void *value, void *base)
{
	struct md_conf *conf = base;
	GTimeZone *tz = g_time_zone_new_identifier(value);

	if (tz == NULL)
		return g_strdup_printf("unknown time zone \"%s\" (expected an "
				       "IANA name such as \"Europe/Paris\")",
				       (const char *)value);
	g_clear_pointer(&conf->tz, g_time_zone_unref);
	conf->tz = tz;
	return NULL;
}

char *
md_conf_check_dir(const void *value, void *base)
{
	(void)base;
	if (!g_file_test(value, G_FILE_TEST_IS_DIR))
		return g_strdup_printf("%s is not a directory",
				       (const char *)value);
	return NULL;
}

char *
md_conf_check_date(const void *value, void *base)
{
	const char *v = value;
	unsigned y, m, d;
	int end = 0;

	(void)base;
	if (strlen(v) == 10 && v[4] == '-' && v[7] == '-' &&
	    g_ascii_isdigit(v[0]) &&
	    sscanf(v, "%4u-%2u-%2u%n", &y, &m, &d, &end) == 3 && end == 10 &&
	    g_date_valid_dmy(d, m, y))
		return NULL;
	return g_strdup_printf("\"%s\" is not a date YYYY-MM-DD", v);
}

char *
md_conf_check_hhmm(const void *value, void *base)
{
	const char *v = value;

	(void)base;
	if (strlen(v) == 5 && g_ascii_isdigit(v[0]) &&
	    g_ascii_isdigit(v[1]) && v[2] == ':' && g_ascii_isdigit(v[3]) &&
	    g_ascii_isdigit(v[4]) &&
	    (v[0] - '0') * 10 + (v[1] - '0') < 24 && v[3] < '6')
		return NULL;
	return g_strdup_printf("\"%s\" is not a time HH:MM", v);
}

char *
md_conf_check_hours(const void *value, void *base)
{
	int start, end;

	(void)base;
	if (md_workday_parse_hours(value, &start, &end))
		return NULL;
	return g_strdup_printf("\"%s\" is not office hours HH:MM-HH:MM "
			       "(e.g. \"08:30-17:30\")", (const char *)value);
}

char *
md_conf_check_ascending(const void *value, void *base)
{
	const GArray *a = value;

	(void)base;
	for (guint i = 1; i < a->len; i++)
		if (g_array_index(a, int, i) <= g_array_index(a, int, i - 1))
			return g_strdup("must be in ascending order");
	return NULL;
}

/* URL checks: SCHEMES are the accepted "scheme://" prefixes.  Credentials
 * in the URL are refused: secrets live in password_file only (spec 7). */
static char *
check_url(const char *v, const char *const *schemes)
{
	const char *host = NULL;
	size_t hostlen;

	for (const char *const *s = schemes; *s != NULL; s++)
		if (g_ascii_strncasecmp(v, *s, strlen(*s)) == 0)
			host = v + strlen(*s);
	if (host == NULL)
		return g_strdup_printf("\"%s\" must start with %s or %s",
				       v, schemes[0], schemes[1]);
	hostlen = strcspn(host, "/");
	if (hostlen == 0)
		return g_strdup_printf("\"%s\" has no host", v);
	if (memchr(host, '@', hostlen) != NULL)
		return g_strdup("must not contain credentials; use user and "
				"password_file");
	if (strpbrk(v, " \t\r\n") != NULL)
		return g_strdup_printf("\"%s\" contains white space", v);
	return NULL;
}

char *
md_conf_check_imap_url(const void *value, void *base)
{
	static const char *const schemes[] = { "imap://", "imaps://", NULL };

	(void)base;
	return check_url(value, schemes);
}

char *
md_conf_check_smtp_url(const void *value, void *base)
{
	static const char *const schemes[] = { "smtp://", "smtps://", NULL };

	(void)base;
	return check_url(value, schemes);
}

/* The OAuth2 endpoints carry the client secret and the tokens: TLS, but
 * for a server on this machine (the tests' token server). */
char *
md_conf_check_http_url(const void *value, void *base)
{
	static const char *const schemes[] = { "https://", "http://", NULL };
	static const char *const loopback[] = {
		"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
		"http://localhost/", "http://[::1]:", "http://[::1]/", NULL
	};
	const char *v = value;
	char *reason;

	(void)base;
	reason = check_url(v, schemes);
	if (reason != NULL || g_ascii_strncasecmp(v, "https://", 8) == 0)
		return reason;
	for (const char *const *l = loopback; *l != NULL; l++)
		if (g_ascii_strncasecmp(v, *l, strlen(*l)) == 0)
			return NULL;
	return g_strdup_printf("\"%s\": use https:// (http:// is only for "
			       "a server on this machine)", v);
}

/* Microsoft's "tenant" is a path segment of its endpoints: a directory
 * id (GUID), a domain, "organizations" or "common". */
char *
md_conf_check_tenant(const void *value, void *base)
{
	(void)base;
	for (const char *c = value; *c != '\0'; c++)
		if (!g_ascii_isalnum(*c) && *c != '.' && *c != '-')
			return g_strdup_printf("\"%s\" is not a tenant id or "
					       "domain", (const char *)value);
	return NULL;
}

/* Scopes (docs of each provider, 2026): Exchange Online's IMAP and SMTP
 * AUTH permissions plus offline_access for a refresh token; app-only
 * access asks for the resource's .default; Gmail has one scope for
 * IMAP and SMTP. */
#define MS_LOGIN	"https://login.microsoftonline.com/"
#define MS_SCOPE	"https://outlook.office.com/IMAP.AccessAsUser.All " \
			"https://outlook.office.com/SMTP.Send offline_access"
#define MS_APP_SCOPE	"https://outlook.office365.com/.default"

static void
preset(char **field, char *value_take)
{
	if (*field == NULL)
		*field = value_take;
	else
		g_free(value_take);
}

char *
md_conf_oauth_preset(struct md_oauth_conf *o)
{
	bool app = strcmp(o->grant, "client_credentials") == 0;

	if (strcmp(o->provider, "microsoft") == 0) {
		if (o->tenant == NULL)
			return g_strdup("'tenant' is required for provider "
					"\"microsoft\" (the directory id, or "
					"\"organizations\")");
		preset(&o->token_url, g_strconcat(MS_LOGIN, o->tenant,
			"/oauth2/v2.0/token", NULL));
		preset(&o->device_url, g_strconcat(MS_LOGIN, o->tenant,
			"/oauth2/v2.0/devicecode", NULL));
		preset(&o->auth_url, g_strconcat(MS_LOGIN, o->tenant,
			"/oauth2/v2.0/authorize", NULL));
		preset(&o->scope, g_strdup(app ? MS_APP_SCOPE : MS_SCOPE));
	} else if (strcmp(o->provider, "google") == 0) {
		if (app)
			return g_strdup("grant \"client_credentials\" is for "
					"provider \"microsoft\" or "
					"\"generic\"; Google has no app-only "
					"access to a mailbox this way");
		preset(&o->token_url,
		       g_strdup("https://oauth2.googleapis.com/token"));
		/* No device_url: Google refuses the mail scope in the
		 * device flow; its login is the authorization code one. */
		preset(&o->auth_url, g_strdup("https://accounts.google.com/"
					      "o/oauth2/v2/auth"));
		preset(&o->scope, g_strdup("https://mail.google.com/"));
	} else if (o->token_url == NULL) {
		return g_strdup("'token_url' is required for provider "
				"\"generic\"");
	}
	if (app && o->client_secret_file == NULL)
		return g_strdup("grant \"client_credentials\" needs "
				"'client_secret_file'");
	return NULL;
}

/* Reads the secret in PATH as msmtp's check_secure would accept it: a
 * regular file of ours (or root's) that group and others cannot touch.  fstat on the
 * opened file, so that what is checked is what is read. */
char *
md_conf_read_secret(const char *path, char **secret_r)
{
	char buf[SECRET_MAX + 1];
	struct stat st;
	char *reason = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	*secret_r = NULL;
	/* O_NONBLOCK: a FIFO must not hang the daemon; it is refused below. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return g_strdup_printf("cannot open %s: %s", path,
				       g_strerror(errno));
	if (fstat(fd, &st) < 0) {
		reason = g_strdup_printf("cannot stat %s: %s", path,
					 g_strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		reason = g_strdup_printf("%s is not a regular file", path);
		goto out;
	}
	/* Root's files are trusted as Postfix trusts them: whoever can write
	 * them can change maildesk itself. */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		reason = g_strdup_printf("%s must be owned by the user running "
					 "maildesk (uid %u) or by root", path,
					 (unsigned)geteuid());
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		reason = g_strdup_printf("%s is accessible by group or others "
					 "(mode %04o); run chmod 600 %s", path,
					 (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while (len < sizeof(buf) &&
	       (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			reason = g_strdup_printf("cannot read %s: %s", path,
						 g_strerror(errno));
			goto out;
		}
		len += n;
	}
	if (len > SECRET_MAX) {
		reason = g_strdup_printf("%s is too large for a password",
					 path);
		goto out;
	}
	/* echo secret > file leaves one newline, maybe CRLF from Windows. */
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0 || memchr(buf, '\0', len) != NULL) {
		reason = g_strdup_printf("%s is empty or contains a NUL byte",
					 path);
		goto out;
	}
	*secret_r = g_strndup(buf, len);
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return reason;
}

