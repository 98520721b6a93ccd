/* oauth.c: the token manager (oauth.h): RFC 6749 refresh_token and
 * client_credentials grants, RFC 8628 device flow, and the token file.
 *
 * The endpoint's answers are JSON (json-glib).  The state that must
 * survive a crash is token_file; the manager keeps in memory only its
 * backoff after endpoint failures, so two managers on one file (an IMAP
 * source and the SMTP transport of the same mailbox, or the daemon and
 * `maildesk send`) agree by re-reading it under the lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "clock.h"
#include "conf.h"
#include "error.h"
#include "log.h"
#include "oauth.h"

#define GROUP		"oauth2"
#define BODY_MAX	(64 * 1024)	/* an answer is a few KiB */
#define FILE_MAX	(64 * 1024)
#define DETAIL_MAX	200
#define BACKOFF_FIRST	5
#define BACKOFF_CAP	300
#define HTTP_TIMEOUT	30
#define DEVICE_GRANT	"urn:ietf:params:oauth:grant-type:device_code"

struct md_oauth {
	const struct md_oauth_conf *conf;
	const struct md_clock *clock;
	char *name;
	char *lock_path;
	guint failures;		/* consecutive endpoint failures */
	gint64 next_try;	/* unix s: no request before */
};

void
md_oauth_token_clear(struct md_oauth_token *t)
{
	/* Do not leave tokens in freed memory. */
	if (t->refresh_token != NULL)
		explicit_bzero(t->refresh_token, strlen(t->refresh_token));
	if (t->access_token != NULL)
		explicit_bzero(t->access_token, strlen(t->access_token));
	g_clear_pointer(&t->refresh_token, g_free);
	g_clear_pointer(&t->access_token, g_free);
	g_clear_pointer(&t->last_error, g_free);
	memset(t, 0, sizeof(*t));
}

void
md_oauth_device_clear(struct md_oauth_device *dev)
{
	g_free(dev->device_code);
	g_free(dev->user_code);
	g_free(dev->verification_uri);
	g_free(dev->message);
	memset(dev, 0, sizeof(*dev));
}

/* Pure parts ---------------------------------------------------------- */

gint64
md_oauth_refresh_at(gint64 now, gint64 expires_in)
{
	if (expires_in <= 0)
		return now;
	return now + MAX(expires_in * 8 / 10, 1);
}

bool
md_oauth_token_fresh(const struct md_oauth_token *t, gint64 now)
{
	return t->access_token != NULL && now < t->refresh_at &&
		now < t->expires_at;
}

guint
md_oauth_backoff(guint failures)
{
	guint d = BACKOFF_FIRST;

	for (guint i = 1; i < failures && d < BACKOFF_CAP; i++)
		d *= 2;
	return MIN(d, BACKOFF_CAP);
}

char *
md_oauth_redact(const char *token)
{
	if (token == NULL)
		return g_strdup("(none)");
	return g_strdup_printf("%.4s...", token);
}

/* A provider's words for a message: printable, one line, bounded. */
static char *
printable(const char *s)
{
	char *out = g_strndup(s, DETAIL_MAX);

	for (char *c = out; *c != '\0'; c++)
		if ((guchar)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return out;
}

static const char *
member_str(JsonObject *obj, const char *name)
{
	JsonNode *n = json_object_get_member(obj, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

/* An integer member; some providers send "3599" as a string. */
static gint64
member_int(JsonObject *obj, const char *name, gint64 def)
{
	JsonNode *n = json_object_get_member(obj, name);
	guint64 v;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return def;
	if (json_node_get_value_type(n) == G_TYPE_INT64)
		return json_node_get_int(n);
	if (json_node_get_value_type(n) == G_TYPE_STRING &&
	    g_ascii_string_to_unsigned(json_node_get_string(n), 10, 0,
				       G_MAXINT32, &v, NULL))
		return v;
	return def;
}

/* The JSON object of BODY, or NULL (PARSER is the caller's). */
static JsonObject *
parse_object(JsonParser *parser, const char *body, gsize len)
{
	JsonNode *root;

	if (body == NULL || len == 0 || len > BODY_MAX ||
	    !json_parser_load_from_data(parser, body, len, NULL))
		return NULL;
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
		return NULL;
	return json_node_get_object(root);
}

static enum md_oauth_answer
error_answer(const char *code)
{
	static const struct {
		const char *code;
		enum md_oauth_answer answer;
	} table[] = {
		{ "authorization_pending", MD_OAUTH_PENDING },
		{ "slow_down", MD_OAUTH_SLOW_DOWN },
		{ "expired_token", MD_OAUTH_EXPIRED },
		{ "access_denied", MD_OAUTH_DENIED },
		{ "invalid_grant", MD_OAUTH_INVALID_GRANT },
		/* RFC 6749 5.2 allows it for a busy server; Microsoft
		 * sends "temporarily_unavailable" as well. */
		{ "temporarily_unavailable", MD_OAUTH_TEMP },
		{ "server_error", MD_OAUTH_TEMP },
	};

	for (guint i = 0; i < G_N_ELEMENTS(table); i++)
		if (strcmp(code, table[i].code) == 0)
			return table[i].answer;
	return MD_OAUTH_REFUSED;
}

static enum md_oauth_answer
take_tokens(JsonObject *obj, gint64 now, struct md_oauth_token *t,
	    char **detail_r)
{
	const char *access = member_str(obj, "access_token");
	const char *refresh = member_str(obj, "refresh_token");
	const char *type = member_str(obj, "token_type");
	gint64 expires_in = member_int(obj, "expires_in", 3600);

	if (access == NULL || access[0] == '\0' ||
	    (type != NULL && g_ascii_strcasecmp(type, "Bearer") != 0)) {
		*detail_r = g_strdup("the answer has no bearer access_token");
		return MD_OAUTH_TEMP;
	}
	g_free(t->access_token);
	t->access_token = g_strdup(access);
	/* No refresh_token in the answer: the old one stays (RFC 6749
	 * 6); a new one replaces it (rotation). */
	if (refresh != NULL && refresh[0] != '\0') {
		g_free(t->refresh_token);
		t->refresh_token = g_strdup(refresh);
	}
	t->expires_at = now + MAX(expires_in, 0);
	t->refresh_at = md_oauth_refresh_at(now, expires_in);
	t->last_refresh = now;
	g_clear_pointer(&t->last_error, g_free);
	t->last_error_at = 0;
	t->needs_login = false;
	return MD_OAUTH_OK;
}

enum md_oauth_answer
md_oauth_parse_reply(long status, const char *body, gsize len, gint64 now,
		     struct md_oauth_token *t, char **detail_r)
{
	JsonParser *parser = json_parser_new();
	JsonObject *obj = parse_object(parser, body, len);
	enum md_oauth_answer a;
	const char *code, *desc;

	*detail_r = NULL;
	code = obj != NULL ? member_str(obj, "error") : NULL;
	if (status == 200 && obj != NULL && code == NULL) {
		a = take_tokens(obj, now, t, detail_r);
	} else if (code != NULL && status >= 400 && status < 500) {
		a = error_answer(code);
		desc = member_str(obj, "error_description");
		*detail_r = desc != NULL ?
			g_strdup_printf("%s: %s", code, desc) :
			g_strdup(code);
	} else {
		a = MD_OAUTH_TEMP;
		*detail_r = g_strdup_printf("HTTP %ld%s", status, obj == NULL
					    ? ", no JSON object" : "");
	}
	if (*detail_r != NULL) {
		char *p = printable(*detail_r);

		g_free(*detail_r);
		*detail_r = p;
	}
	g_object_unref(parser);
	return a;
}

bool
md_oauth_device_parse(long status, const char *body, gsize len, gint64 now,
		      struct md_oauth_device *dev, GError **error)
{
	JsonParser *parser = json_parser_new();
	JsonObject *obj = parse_object(parser, body, len);
	const char *dc, *uc, *uri;
	bool ok = false;

	dc = obj ? member_str(obj, "device_code") : NULL;
	uc = obj ? member_str(obj, "user_code") : NULL;
	/* Google spells it verification_url. */
	uri = obj ? member_str(obj, "verification_uri") : NULL;
	if (uri == NULL && obj != NULL)
		uri = member_str(obj, "verification_url");
	if (status != 200 || dc == NULL || uc == NULL || uri == NULL) {
		const char *code = obj ? member_str(obj, "error") : NULL;
		const char *desc = obj ? member_str(obj,
			"error_description") : NULL;
		char *p = printable(desc ? desc : code ? code : "no device "
				    "code in the answer");

		g_set_error(error, MD_ERROR, status >= 500 || obj == NULL ?
			    MD_ERROR_TEMP : MD_ERROR_CONFIG,
			    "device authorization refused (HTTP %ld): %s",
			    status, p);
		g_free(p);
		goto out;
	}
	md_oauth_device_clear(dev);
	dev->device_code = g_strdup(dc);
	dev->user_code = printable(uc);
	dev->verification_uri = printable(uri);
	if (member_str(obj, "message") != NULL)
		dev->message = printable(member_str(obj, "message"));
	dev->expires_at = now + member_int(obj, "expires_in", 900);
	/* RFC 8628 3.2: 5 s when absent. */
	dev->interval = CLAMP(member_int(obj, "interval", 5), 1, 60);
	ok = true;
out:
	g_object_unref(parser);
	return ok;
}

/* The token file: a GKeyFile, one group. */
char *
md_oauth_token_format(const struct md_oauth_token *t)
{
	GKeyFile *kf = g_key_file_new();
	char *text;

	if (t->refresh_token != NULL)
		g_key_file_set_string(kf, GROUP, "refresh_token",
				      t->refresh_token);
	if (t->access_token != NULL) {
		g_key_file_set_string(kf, GROUP, "access_token",
				      t->access_token);
		g_key_file_set_int64(kf, GROUP, "expires_at", t->expires_at);
		g_key_file_set_int64(kf, GROUP, "refresh_at", t->refresh_at);
	}
	if (t->last_refresh > 0)
		g_key_file_set_int64(kf, GROUP, "last_refresh",
				     t->last_refresh);
	if (t->last_error != NULL) {
		g_key_file_set_string(kf, GROUP, "last_error", t->last_error);
		g_key_file_set_int64(kf, GROUP, "last_error_at",
				     t->last_error_at);
	}
	if (t->needs_login)
		g_key_file_set_boolean(kf, GROUP, "needs_login", TRUE);
	text = g_key_file_to_data(kf, NULL, NULL);
	g_key_file_free(kf);
	return text;
}

static char *
kf_string(GKeyFile *kf, const char *key)
{
	char *v = g_key_file_get_string(kf, GROUP, key, NULL);

	if (v != NULL && v[0] == '\0')
		g_clear_pointer(&v, g_free);
	return v;
}

bool
md_oauth_token_parse(const char *text, gsize len, struct md_oauth_token *t,
		     GError **error)
{
	GKeyFile *kf = g_key_file_new();
	GError *e = NULL;
	bool ok = false;

	md_oauth_token_clear(t);
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &e) ||
	    !g_key_file_has_group(kf, GROUP)) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "not a maildesk token file%s%s", e ? ": " : "",
			    e ? e->message : "");
		goto out;
	}
	t->refresh_token = kf_string(kf, "refresh_token");
	t->access_token = kf_string(kf, "access_token");
	t->expires_at = g_key_file_get_int64(kf, GROUP, "expires_at", NULL);
	t->refresh_at = g_key_file_get_int64(kf, GROUP, "refresh_at", NULL);
	t->last_refresh = g_key_file_get_int64(kf, GROUP, "last_refresh",
					       NULL);
	t->last_error = kf_string(kf, "last_error");
	t->last_error_at = g_key_file_get_int64(kf, GROUP, "last_error_at",
						NULL);
	t->needs_login = g_key_file_get_boolean(kf, GROUP, "needs_login",
						NULL);
	ok = true;
out:
	g_clear_error(&e);
	g_key_file_free(kf);
	return ok;
}

/* The token file ------------------------------------------------------ */

bool
md_oauth_token_load(const char *path, struct md_oauth_token *t,
		    bool *exists_r, GError **error)
{
	char buf[FILE_MAX + 1];
	struct stat st;
	GError *e = NULL;
	gsize len = 0;
	ssize_t n;
	bool ok = false;
	int fd;

	md_oauth_token_clear(t);
	*exists_r = false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return true;
	if (fd < 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: cannot open: %s", path, g_strerror(errno));
		return false;
	}
	*exists_r = true;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: readable by others (mode %04o): it holds "
			    "tokens; chmod 600 it", path,
			    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(buf) &&
	       (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, MD_ERROR, MD_ERROR_IO,
				    "%s: cannot read: %s", path,
				    g_strerror(errno));
			goto out;
		}
		len += n;
	}
	if (len > FILE_MAX) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: too large for a token file", path);
		goto out;
	}
	if (!md_oauth_token_parse(buf, len, t, &e)) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG, "%s: %s", path,
			    e->message);
		g_error_free(e);
		goto out;
	}
	ok = true;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return ok;
}

static bool
io_fail(const char *path, const char *what, GError **error)
{
	g_set_error(error, MD_ERROR, MD_ERROR_IO, "%s: cannot %s: %s", path,
		    what, g_strerror(errno));
	return false;
}

/* Root writing a file the daemon (its own user) must read and replace:
 * the new file keeps the owner of the old one, or of the directory. */
static void
keep_owner(int fd, const char *path, const char *dir)
{
	struct stat st;

	if (geteuid() != 0)
		return;
	if (stat(path, &st) != 0 && stat(dir, &st) != 0)
		return;
	if (fchown(fd, st.st_uid, st.st_gid) != 0)
		md_log_warn_errno("%s: cannot keep its owner", path);
}

bool
md_oauth_token_save(const char *path, const struct md_oauth_token *t,
		    GError **error)
{
	char *dir = g_path_get_dirname(path);
	char *tmp = g_strconcat(path, ".XXXXXX", NULL);
	char *text = md_oauth_token_format(t);
	gsize len = strlen(text), off = 0;
	bool ok = false;
	int fd, dfd = -1;

	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		io_fail(tmp, "create", error);
		g_clear_pointer(&tmp, g_free);
		goto out;
	}
	keep_owner(fd, path, dir);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			io_fail(tmp, "write", error);
			goto out;
		}
		off += n;
	}
	/* Durable before visible, visible before the tokens are used. */
	if (fsync(fd) != 0) {
		io_fail(tmp, "fsync", error);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		io_fail(tmp, "close", error);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		io_fail(path, "rename into place", error);
		goto out;
	}
	g_clear_pointer(&tmp, g_free);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		io_fail(dir, "fsync the directory", error);
		goto out;
	}
	ok = true;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp != NULL)
		g_unlink(tmp);
	explicit_bzero(text, len);
	g_free(text);
	g_free(tmp);
	g_free(dir);
	return ok;
}

/* The endpoint -------------------------------------------------------- */

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	GString *body = arg;

	if (body->len + size * n > BODY_MAX)
		return 0;
	g_string_append_len(body, data, size * n);
	return size * n;
}

/* Appends NAME=VALUE, form-encoded, to FORM. */
static void
form_add(GString *form, CURL *curl, const char *name, const char *value)
{
	char *v;

	if (value == NULL)
		return;
	v = curl_easy_escape(curl, value, 0);
	g_string_append_printf(form, "%s%s=%s", form->len ? "&" : "", name,
			       v);
	explicit_bzero(v, strlen(v));
	curl_free(v);
}

/* POSTs FORM to URL; *STATUS_R and BODY get the answer.  Only transport
 * failures are errors (MD_ERROR_TEMP, naming URL); the status is the
 * caller's. */
static bool
post(const char *url, GString *form, long *status_r,
     GString *body, GError **error)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *curl = curl_easy_init();
	CURLcode rc;

	*status_r = 0;
	if (curl == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_INTERNAL,
			    "cannot initialise libcurl");
		return false;
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)HTTP_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)HTTP_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form->str);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)form->len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "maildesk/" PACKAGE_VERSION);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status_r);
	curl_easy_cleanup(curl);
	if (rc != CURLE_OK) {
		/* libcurl's message names the host, never the form. */
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP, "%s: %s", url,
			    errbuf[0] != '\0' ? errbuf :
			    curl_easy_strerror(rc));
		return false;
	}
	return true;
}

/* The grant's form (client credentials included, scope when set). */
static GString *
grant_form(struct md_oauth *o, const char *grant, const char *name,
	   const char *value)
{
	GString *form = g_string_new(NULL);
	CURL *curl = curl_easy_init();

	form_add(form, curl, "grant_type", grant);
	form_add(form, curl, name, value);
	form_add(form, curl, "client_id", o->conf->client_id);
	form_add(form, curl, "client_secret", o->conf->client_secret);
	form_add(form, curl, "scope", o->conf->scope);
	curl_easy_cleanup(curl);
	return form;
}

static void
form_free(GString *form)
{
	explicit_bzero(form->str, form->len);
	g_string_free(form, TRUE);
}

/* The test hook for "SIGKILL at each step of a refresh" (issue 11):
 * MAILDESK_TEST_OAUTH_KILL names the step where the process dies. */
static void
test_kill(const char *step)
{
	const char *at = g_getenv("MAILDESK_TEST_OAUTH_KILL");

	if (at != NULL && strcmp(at, step) == 0)
		raise(SIGKILL);
}

/* The manager --------------------------------------------------------- */

struct md_oauth *
md_oauth_new(const struct md_oauth_conf *conf, const char *name,
	     const struct md_clock *clock)
{
	struct md_oauth *o = g_new0(struct md_oauth, 1);

	o->conf = conf;
	o->clock = clock;
	o->name = g_strdup(name);
	o->lock_path = g_strconcat(conf->token_file, ".lock", NULL);
	return o;
}

void
md_oauth_free(struct md_oauth *o)
{
	if (o == NULL)
		return;
	g_free(o->name);
	g_free(o->lock_path);
	g_free(o);
}

/* Takes the lock of the token file: -1 and *ERROR on failure. */
static int
lock_file(struct md_oauth *o, GError **error)
{
	int fd = open(o->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		io_fail(o->lock_path, "open", error);
		return -1;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			io_fail(o->lock_path, "lock", error);
			close(fd);
			return -1;
		}
	}
	return fd;
}

static bool
app_only(const struct md_oauth *o)
{
	return strcmp(o->conf->grant, "client_credentials") == 0;
}

static bool
needs_login_error(struct md_oauth *o, const char *why, GError **error)
{
	g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
		    "oauth2 %s: %s; needs attention: run maildesk oauth "
		    "login %s", o->name, why, o->name);
	return false;
}

/* Records a failed refresh in T and the file (best effort: the refresh
 * token in it is unchanged). */
static void
note_error(struct md_oauth *o, struct md_oauth_token *t, const char *text,
	   gint64 now)
{
	GError *e = NULL;

	g_free(t->last_error);
	t->last_error = g_strdup(text);
	t->last_error_at = now;
	if (!md_oauth_token_save(o->conf->token_file, t, &e)) {
		md_log_warn("oauth2 %s: %s", o->name, e->message);
		g_error_free(e);
	}
}

/* The endpoint could not be reached or answered nonsense: wait before
 * the next request, longer each time. */
static bool
endpoint_down(struct md_oauth *o, struct md_oauth_token *t, gint64 now,
	      const char *what, GError **error)
{
	o->failures++;
	o->next_try = now + md_oauth_backoff(o->failures);
	note_error(o, t, what, now);
	g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
		    "oauth2 %s: %s; next try in %u s", o->name, what,
		    (guint)(o->next_try - now));
	return false;
}

/* One request for a new access token into T (under the lock), stored in
 * the file before anything uses it. */
static bool
refresh(struct md_oauth *o, struct md_oauth_token *t, gint64 now,
	GError **error)
{
	GString *form, *body = g_string_new(NULL);
	GError *e = NULL;
	char *detail = NULL, *what, *redacted;
	enum md_oauth_answer a;
	long status;
	bool ok = false;

	if (app_only(o))
		form = grant_form(o, "client_credentials", NULL, NULL);
	else
		form = grant_form(o, "refresh_token", "refresh_token",
				  t->refresh_token);
	test_kill("before-request");
	if (!post(o->conf->token_url, form, &status, body, &e)) {
		endpoint_down(o, t, now, e->message, error);
		g_error_free(e);
		goto out;
	}
	test_kill("after-answer");
	a = md_oauth_parse_reply(status, body->str, body->len, now, t,
				 &detail);
	switch (a) {
	case MD_OAUTH_OK:
		break;
	case MD_OAUTH_INVALID_GRANT:
		/* Consent revoked, password changed, token expired: no
		 * retry can fix it; park until a person logs in again. */
		t->needs_login = !app_only(o);
		what = g_strdup_printf("the provider refused the %s (%s)",
				       app_only(o) ? "client credentials" :
				       "refresh token", detail);
		note_error(o, t, what, now);
		if (app_only(o))
			g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
				    "oauth2 %s: %s; needs attention: check "
				    "the application's permissions",
				    o->name, what);
		else
			needs_login_error(o, what, error);
		g_free(what);
		goto out;
	case MD_OAUTH_TEMP:
		what = g_strdup_printf("token endpoint: %s", detail);
		endpoint_down(o, t, now, what, error);
		g_free(what);
		goto out;
	default:
		what = g_strdup_printf("the provider refused the request "
				       "(%s)", detail);
		note_error(o, t, what, now);
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "oauth2 %s: %s; needs attention: check "
			    "client_id, client_secret_file and scope",
			    o->name, what);
		g_free(what);
		goto out;
	}
	if (!md_oauth_token_save(o->conf->token_file, t, error))
		goto out;
	test_kill("after-write");
	o->failures = 0;
	o->next_try = 0;
	redacted = md_oauth_redact(t->access_token);
	md_log_debug("oauth2 %s: new access token %s, valid %" G_GINT64_FORMAT
		     " s%s", o->name, redacted, t->expires_at - now,
		     t->refresh_token != NULL ? "" : ", no refresh token");
	g_free(redacted);
	ok = true;
out:
	g_free(detail);
	form_free(form);
	explicit_bzero(body->str, body->len);
	g_string_free(body, TRUE);
	return ok;
}

bool
md_oauth_access_token(struct md_oauth *o, const char *refused,
		      char **token_r, GError **error)
{
	struct md_oauth_token t = { 0 };
	gint64 now = md_clock_now(o->clock);
	bool exists, ok = false;
	int lock;

	*token_r = NULL;
	lock = lock_file(o, error);
	if (lock < 0)
		return false;
	if (!md_oauth_token_load(o->conf->token_file, &t, &exists, error))
		goto out;
	/* Another process may have refreshed since our token was refused:
	 * then the file's token is another one, worth a try. */
	if (md_oauth_token_fresh(&t, now) &&
	    (refused == NULL || strcmp(refused, t.access_token) != 0)) {
		*token_r = g_strdup(t.access_token);
		ok = true;
		goto out;
	}
	if (t.needs_login) {
		needs_login_error(o, "the provider refused the refresh "
				  "token", error);
		goto out;
	}
	if (!app_only(o) && t.refresh_token == NULL) {
		needs_login_error(o, exists ? "no refresh token in "
				  "token_file" : "no token yet", error);
		goto out;
	}
	if (now < o->next_try) {
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "oauth2 %s: token endpoint unavailable (%s); "
			    "next try in %" G_GINT64_FORMAT " s", o->name,
			    t.last_error ? t.last_error : "failed",
			    o->next_try - now);
		goto out;
	}
	if (!refresh(o, &t, now, error))
		goto out;
	*token_r = g_strdup(t.access_token);
	ok = true;
out:
	md_oauth_token_clear(&t);
	close(lock);
	return ok;
}

bool
md_oauth_device_start(struct md_oauth *o, struct md_oauth_device *dev,
		      GError **error)
{
	GString *form = g_string_new(NULL), *body = g_string_new(NULL);
	CURL *curl = curl_easy_init();
	long status;
	bool ok = false;

	if (o->conf->device_url == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "oauth2 %s: no device_url: the provider's device "
			    "authorization endpoint is needed for a login",
			    o->name);
		goto out;
	}
	form_add(form, curl, "client_id", o->conf->client_id);
	form_add(form, curl, "client_secret", o->conf->client_secret);
	form_add(form, curl, "scope", o->conf->scope);
	ok = post(o->conf->device_url, form, &status, body, error) &&
		md_oauth_device_parse(status, body->str, body->len,
				      md_clock_now(o->clock), dev, error);
	if (!ok)
		g_prefix_error(error, "oauth2 %s: ", o->name);
out:
	curl_easy_cleanup(curl);
	form_free(form);
	g_string_free(body, TRUE);
	return ok;
}

bool
md_oauth_device_poll(struct md_oauth *o, struct md_oauth_device *dev,
		     enum md_oauth_answer *answer_r, GError **error)
{
	struct md_oauth_token t = { 0 };
	GString *form, *body = g_string_new(NULL);
	gint64 now = md_clock_now(o->clock);
	char *detail = NULL;
	long status;
	bool ok = false;
	int lock = -1;

	*answer_r = MD_OAUTH_TEMP;
	form = grant_form(o, DEVICE_GRANT, "device_code", dev->device_code);
	if (!post(o->conf->token_url, form, &status, body, error)) {
		g_prefix_error(error, "oauth2 %s: ", o->name);
		goto out;
	}
	*answer_r = md_oauth_parse_reply(status, body->str, body->len, now,
					 &t, &detail);
	switch (*answer_r) {
	case MD_OAUTH_OK:
		break;
	case MD_OAUTH_SLOW_DOWN:
		dev->interval += 5;	/* RFC 8628 3.5 */
		/* fall through */
	case MD_OAUTH_PENDING:
		ok = true;
		goto out;
	case MD_OAUTH_EXPIRED:
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "oauth2 %s: the code expired before it was "
			    "entered; run the login again", o->name);
		goto out;
	case MD_OAUTH_DENIED:
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "oauth2 %s: access was denied (%s)", o->name,
			    detail);
		goto out;
	case MD_OAUTH_TEMP:
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "oauth2 %s: token endpoint: %s", o->name,
			    detail);
		goto out;
	default:
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "oauth2 %s: the provider refused the login (%s)",
			    o->name, detail);
		goto out;
	}
	if (t.refresh_token == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "oauth2 %s: no refresh token came with the "
			    "access token: is offline_access in the scope?",
			    o->name);
		goto out;
	}
	lock = lock_file(o, error);
	ok = lock >= 0 && md_oauth_token_save(o->conf->token_file, &t,
					       error);
	o->failures = 0;
	o->next_try = 0;
out:
	if (lock >= 0)
		close(lock);
	md_oauth_token_clear(&t);
	g_free(detail);
	form_free(form);
	explicit_bzero(body->str, body->len);
	g_string_free(body, TRUE);
	return ok;
}

/* Authorization code with PKCE ---------------------------------------- */

void
md_oauth_code_clear(struct md_oauth_code *c)
{
	g_free(c->verifier);
	g_free(c->state);
	g_free(c->redirect_uri);
	g_free(c->url);
	memset(c, 0, sizeof(*c));
}

/* base64url without padding (RFC 7636 appendix A). */
static char *
base64url(const guchar *data, gsize len)
{
	char *s = g_base64_encode(data, len);

	for (char *c = s; *c != '\0'; c++) {
		if (*c == '+')
			*c = '-';
		else if (*c == '/')
			*c = '_';
		else if (*c == '=')
			*c = '\0';
	}
	return s;
}

char *
md_oauth_pkce_challenge(const char *verifier)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	guint8 digest[32];
	gsize len = sizeof(digest);
	char *out;

	g_checksum_update(sum, (const guchar *)verifier, strlen(verifier));
	g_checksum_get_digest(sum, digest, &len);
	g_checksum_free(sum);
	out = base64url(digest, len);
	return out;
}

static bool
random_text(gsize bytes, char **text_r, GError **error)
{
	guchar buf[64];

	g_assert(bytes <= sizeof(buf));
	if (getrandom(buf, bytes, 0) != (ssize_t)bytes) {
		g_set_error(error, MD_ERROR, MD_ERROR_INTERNAL,
			    "no random bytes: %s", g_strerror(errno));
		return false;
	}
	*text_r = base64url(buf, bytes);
	return true;
}

bool
md_oauth_code_from_redirect(const char *pasted, const char *state,
			    char **code_r, GError **error)
{
	char *text = g_strstrip(g_strdup(pasted));
	const char *query = strchr(text, '?');
	GHashTable *params = NULL;
	const char *code, *got, *err;
	bool ok = false;

	*code_r = NULL;
	query = query != NULL ? query + 1 : text;
	params = g_uri_parse_params(query, -1, "&", G_URI_PARAMS_NONE, NULL);
	if (params == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_USAGE,
			    "not the address the browser went to");
		goto out;
	}
	code = g_hash_table_lookup(params, "code");
	got = g_hash_table_lookup(params, "state");
	err = g_hash_table_lookup(params, "error");
	if (err != NULL) {
		char *p = printable(err);

		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "the provider refused: %s", p);
		g_free(p);
	} else if (code == NULL || *code == '\0') {
		g_set_error(error, MD_ERROR, MD_ERROR_USAGE,
			    "no code= in the address pasted");
	} else if (got == NULL || strcmp(got, state) != 0) {
		/* RFC 6749 10.12: a code from another request. */
		g_set_error(error, MD_ERROR, MD_ERROR_USAGE,
			    "the address is from another login (state "
			    "differs); start again");
	} else {
		*code_r = g_strdup(code);
		ok = true;
	}
out:
	if (params != NULL)
		g_hash_table_unref(params);
	g_free(text);
	return ok;
}

bool
md_oauth_code_start(struct md_oauth *o, struct md_oauth_code *c,
		    GError **error)
{
	CURL *curl;
	GString *url;
	char *challenge;

	if (o->conf->auth_url == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "oauth2 %s: no auth_url: the provider's "
			    "authorization endpoint is needed for this login",
			    o->name);
		return false;
	}
	md_oauth_code_clear(c);
	if (!random_text(48, &c->verifier, error) ||
	    !random_text(16, &c->state, error))
		return false;
	/* RFC 8252 7.3: a loopback redirect; nothing has to listen there,
	 * the person pastes the address the browser shows. */
	c->redirect_uri = g_strdup("http://127.0.0.1:1/");
	challenge = md_oauth_pkce_challenge(c->verifier);
	curl = curl_easy_init();
	url = g_string_new(NULL);
	form_add(url, curl, "response_type", "code");
	form_add(url, curl, "client_id", o->conf->client_id);
	form_add(url, curl, "redirect_uri", c->redirect_uri);
	form_add(url, curl, "scope", o->conf->scope);
	form_add(url, curl, "state", c->state);
	form_add(url, curl, "code_challenge", challenge);
	form_add(url, curl, "code_challenge_method", "S256");
	/* Google: a refresh token only with offline access, and again
	 * after a revocation only with a new consent. */
	form_add(url, curl, "access_type", "offline");
	form_add(url, curl, "prompt", "consent");
	c->url = g_strdup_printf("%s%c%s", o->conf->auth_url,
				 strchr(o->conf->auth_url, '?') ? '&' : '?',
				 url->str);
	g_string_free(url, TRUE);
	curl_easy_cleanup(curl);
	g_free(challenge);
	return true;
}

bool
md_oauth_code_finish(struct md_oauth *o, const struct md_oauth_code *c,
		     const char *pasted, GError **error)
{
	struct md_oauth_token t = { 0 };
	GString *form = NULL, *body = g_string_new(NULL);
	CURL *curl = NULL;
	char *code = NULL, *detail = NULL;
	long status;
	bool ok = false;
	int lock = -1;

	if (!md_oauth_code_from_redirect(pasted, c->state, &code, error)) {
		g_prefix_error(error, "oauth2 %s: ", o->name);
		goto out;
	}
	form = grant_form(o, "authorization_code", "code", code);
	curl = curl_easy_init();
	form_add(form, curl, "redirect_uri", c->redirect_uri);
	form_add(form, curl, "code_verifier", c->verifier);
	if (!post(o->conf->token_url, form, &status, body, error)) {
		g_prefix_error(error, "oauth2 %s: ", o->name);
		goto out;
	}
	if (md_oauth_parse_reply(status, body->str, body->len,
				 md_clock_now(o->clock), &t, &detail) !=
	    MD_OAUTH_OK) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "oauth2 %s: the provider refused the code (%s)",
			    o->name, detail);
		goto out;
	}
	if (t.refresh_token == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "oauth2 %s: no refresh token came with the "
			    "access token", o->name);
		goto out;
	}
	lock = lock_file(o, error);
	ok = lock >= 0 && md_oauth_token_save(o->conf->token_file, &t,
					       error);
	o->failures = 0;
	o->next_try = 0;
out:
	if (lock >= 0)
		close(lock);
	curl_easy_cleanup(curl);
	md_oauth_token_clear(&t);
	g_free(detail);
	g_free(code);
	if (form != NULL)
		form_free(form);
	g_string_free(body, TRUE);
	return ok;
}
