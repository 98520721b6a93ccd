/* test-oauth.c: the pure parts of the token manager (issue 11): token
 * endpoint answers, refresh times, backoff, the token file's text and its
 * durable write, device authorization answers. */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "oauth.h"

#define NOW 1800000000

static char *tmpdir;

/* md_oauth_parse_reply ------------------------------------------------ */

struct reply_case {
	const char *name;
	long status;
	const char *body;
	enum md_oauth_answer answer;
	const char *access;	/* OK: expected access token */
	const char *refresh;	/* OK: expected refresh token after */
	gint64 refresh_at;	/* OK: expected, relative to NOW */
	const char *detail;	/* else: substring of the detail */
};

static const struct reply_case reply_cases[] = {
	{ "ok-rotated", 200, "{\"access_token\":\"A1\",\"token_type\":"
	  "\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"R2\"}",
	  MD_OAUTH_OK, "A1", "R2", 2880, NULL },
	{ "ok-no-rotation", 200, "{\"access_token\":\"A1\",\"token_type\":"
	  "\"bearer\",\"expires_in\":100}", MD_OAUTH_OK, "A1", "R1", 80,
	  NULL },
	{ "ok-string-expiry", 200, "{\"access_token\":\"A1\",\"token_type\":"
	  "\"Bearer\",\"expires_in\":\"3599\",\"refresh_token\":\"R2\"}",
	  MD_OAUTH_OK, "A1", "R2", 2879, NULL },
	{ "ok-no-expiry", 200, "{\"access_token\":\"A1\"}", MD_OAUTH_OK, "A1",
	  "R1", 2880, NULL },
	{ "ok-short", 200, "{\"access_token\":\"A1\",\"expires_in\":1}",
	  MD_OAUTH_OK, "A1", "R1", 1, NULL },
	{ "ok-extra-members", 200, "{\"access_token\":\"A1\",\"scope\":"
	  "\"a b\",\"ext_expires_in\":7200,\"id_token\":{\"x\":1},"
	  "\"expires_in\":10}", MD_OAUTH_OK, "A1", "R1", 8, NULL },
	{ "not-bearer", 200, "{\"access_token\":\"A1\",\"token_type\":"
	  "\"mac\"}", MD_OAUTH_TEMP, NULL, NULL, 0, "no bearer" },
	{ "no-access", 200, "{\"token_type\":\"Bearer\"}", MD_OAUTH_TEMP,
	  NULL, NULL, 0, "no bearer" },
	{ "invalid-grant", 400, "{\"error\":\"invalid_grant\","
	  "\"error_description\":\"AADSTS50173: The provided grant has "
	  "expired\"}", MD_OAUTH_INVALID_GRANT, NULL, NULL, 0,
	  "invalid_grant: AADSTS50173" },
	{ "invalid-client", 401, "{\"error\":\"invalid_client\"}",
	  MD_OAUTH_REFUSED, NULL, NULL, 0, "invalid_client" },
	{ "invalid-scope", 400, "{\"error\":\"invalid_scope\"}",
	  MD_OAUTH_REFUSED, NULL, NULL, 0, "invalid_scope" },
	{ "pending", 400, "{\"error\":\"authorization_pending\"}",
	  MD_OAUTH_PENDING, NULL, NULL, 0, "authorization_pending" },
	{ "slow-down", 400, "{\"error\":\"slow_down\"}", MD_OAUTH_SLOW_DOWN,
	  NULL, NULL, 0, "slow_down" },
	{ "expired-token", 400, "{\"error\":\"expired_token\"}",
	  MD_OAUTH_EXPIRED, NULL, NULL, 0, "expired_token" },
	{ "denied", 400, "{\"error\":\"access_denied\"}", MD_OAUTH_DENIED,
	  NULL, NULL, 0, "access_denied" },
	{ "busy", 400, "{\"error\":\"temporarily_unavailable\"}",
	  MD_OAUTH_TEMP, NULL, NULL, 0, "temporarily_unavailable" },
	{ "server-error", 500, "{\"error\":\"server_error\"}", MD_OAUTH_TEMP,
	  NULL, NULL, 0, "HTTP 500" },
	{ "bad-gateway-html", 502, "<html>Bad Gateway</html>", MD_OAUTH_TEMP,
	  NULL, NULL, 0, "HTTP 502, no JSON object" },
	{ "empty", 200, "", MD_OAUTH_TEMP, NULL, NULL, 0, "no JSON" },
	{ "array", 200, "[1,2]", MD_OAUTH_TEMP, NULL, NULL, 0, "no JSON" },
	{ "truncated", 200, "{\"access_token\":\"A", MD_OAUTH_TEMP, NULL,
	  NULL, 0, "no JSON" },
	{ "error-on-200", 200, "{\"error\":\"invalid_grant\"}",
	  MD_OAUTH_TEMP, NULL, NULL, 0, "HTTP 200" },
	{ "control-chars", 400, "{\"error\":\"invalid_grant\","
	  "\"error_description\":\"a\\r\\nb\"}", MD_OAUTH_INVALID_GRANT, NULL,
	  NULL, 0, "invalid_grant: a  b" },
};

static void
test_reply(gconstpointer data)
{
	const struct reply_case *c = data;
	struct md_oauth_token t = { 0 };
	char *detail = NULL;
	enum md_oauth_answer a;

	t.refresh_token = g_strdup("R1");
	t.last_error = g_strdup("earlier failure");
	a = md_oauth_parse_reply(c->status, c->body, strlen(c->body), NOW, &t,
				 &detail);
	g_assert_cmpint(a, ==, c->answer);
	if (a == MD_OAUTH_OK) {
		g_assert_null(detail);
		g_assert_cmpstr(t.access_token, ==, c->access);
		g_assert_cmpstr(t.refresh_token, ==, c->refresh);
		g_assert_cmpint(t.refresh_at, ==, NOW + c->refresh_at);
		g_assert_cmpint(t.last_refresh, ==, NOW);
		g_assert_null(t.last_error);
		g_assert_true(md_oauth_token_fresh(&t, NOW));
		g_assert_false(md_oauth_token_fresh(&t, t.refresh_at));
	} else {
		g_assert_nonnull(detail);
		if (strstr(detail, c->detail) == NULL)
			g_error("\"%s\" not in \"%s\"", c->detail, detail);
		/* A failed answer leaves the tokens alone. */
		g_assert_null(t.access_token);
		g_assert_cmpstr(t.refresh_token, ==, "R1");
	}
	g_free(detail);
	md_oauth_token_clear(&t);
}

/* Refresh times and backoff ------------------------------------------ */

struct int_case {
	const char *name;
	gint64 in;
	gint64 out;
};

static const struct int_case refresh_cases[] = {
	{ "hour", 3600, 2880 },
	{ "ms-3599", 3599, 2879 },
	{ "ten", 10, 8 },
	{ "two", 2, 1 },
	{ "one", 1, 1 },
	{ "zero", 0, 0 },
	{ "negative", -5, 0 },
};

static void
test_refresh_at(gconstpointer data)
{
	const struct int_case *c = data;

	g_assert_cmpint(md_oauth_refresh_at(NOW, c->in), ==, NOW + c->out);
}

static const struct int_case backoff_cases[] = {
	{ "first", 1, 5 },
	{ "second", 2, 10 },
	{ "third", 3, 20 },
	{ "sixth", 6, 160 },
	{ "capped", 7, 300 },
	{ "far", 1000, 300 },
};

static void
test_backoff(gconstpointer data)
{
	const struct int_case *c = data;

	g_assert_cmpuint(md_oauth_backoff(c->in), ==, c->out);
}

/* The token file ------------------------------------------------------ */

static void
test_format_roundtrip(gconstpointer data)
{
	struct md_oauth_token t = { 0 }, u = { 0 };
	GError *error = NULL;
	char *text;
	(void)data;

	t.refresh_token = g_strdup("0.AX4A-rt/with+chars==");
	t.access_token = g_strdup("eyJ0eXAi.eyJhdWQi.sig");
	t.expires_at = NOW + 3600;
	t.refresh_at = NOW + 2880;
	t.last_refresh = NOW;
	t.last_error = g_strdup("token endpoint: HTTP 503; next try");
	t.last_error_at = NOW - 5;
	t.needs_login = true;
	text = md_oauth_token_format(&t);
	g_assert_true(md_oauth_token_parse(text, strlen(text), &u, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(u.refresh_token, ==, t.refresh_token);
	g_assert_cmpstr(u.access_token, ==, t.access_token);
	g_assert_cmpint(u.expires_at, ==, t.expires_at);
	g_assert_cmpint(u.refresh_at, ==, t.refresh_at);
	g_assert_cmpint(u.last_refresh, ==, t.last_refresh);
	g_assert_cmpstr(u.last_error, ==, t.last_error);
	g_assert_cmpint(u.last_error_at, ==, t.last_error_at);
	g_assert_true(u.needs_login);
	g_free(text);
	md_oauth_token_clear(&t);
	md_oauth_token_clear(&u);
}

struct parse_case {
	const char *name;
	const char *text;
	bool ok;
	const char *refresh;
};

static const struct parse_case parse_cases[] = {
	{ "refresh-only", "[oauth2]\nrefresh_token=R\n", true, "R" },
	{ "empty-group", "[oauth2]\n", true, NULL },
	{ "empty-value", "[oauth2]\nrefresh_token=\n", true, NULL },
	{ "no-group", "refresh_token=R\n", false, NULL },
	{ "other-group", "[other]\nrefresh_token=R\n", false, NULL },
	{ "garbage", "\x01\x02", false, NULL },
	{ "empty", "", false, NULL },
};

static void
test_parse(gconstpointer data)
{
	const struct parse_case *c = data;
	struct md_oauth_token t = { 0 };
	GError *error = NULL;

	g_assert_cmpint(md_oauth_token_parse(c->text, strlen(c->text), &t,
					     &error), ==, c->ok);
	if (c->ok) {
		g_assert_no_error(error);
		g_assert_cmpstr(t.refresh_token, ==, c->refresh);
		g_assert_false(t.needs_login);
	} else {
		g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
		g_error_free(error);
	}
	md_oauth_token_clear(&t);
}

static void
test_save_load(gconstpointer data)
{
	struct md_oauth_token t = { 0 }, u = { 0 };
	char *path = g_build_filename(tmpdir, "token", NULL);
	GError *error = NULL;
	struct stat st;
	bool exists = true;
	GDir *dir;
	const char *name;
	guint files = 0;
	(void)data;

	g_assert_true(md_oauth_token_load(path, &u, &exists, &error));
	g_assert_false(exists);
	t.refresh_token = g_strdup("R1");
	g_assert_true(md_oauth_token_save(path, &t, &error));
	g_assert_no_error(error);
	g_free(t.refresh_token);
	t.refresh_token = g_strdup("R2");
	g_assert_true(md_oauth_token_save(path, &t, &error));
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 07777, ==, 0600);
	g_assert_true(md_oauth_token_load(path, &u, &exists, &error));
	g_assert_true(exists);
	g_assert_cmpstr(u.refresh_token, ==, "R2");
	/* No temporary file is left behind. */
	dir = g_dir_open(tmpdir, 0, NULL);
	while ((name = g_dir_read_name(dir)) != NULL)
		files++;
	g_dir_close(dir);
	g_assert_cmpuint(files, ==, 1);
	/* Tokens readable by others are refused. */
	g_assert_cmpint(g_chmod(path, 0644), ==, 0);
	g_assert_false(md_oauth_token_load(path, &u, &exists, &error));
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	g_assert_nonnull(strstr(error->message, "chmod 600"));
	g_clear_error(&error);
	g_unlink(path);
	md_oauth_token_clear(&t);
	md_oauth_token_clear(&u);
	g_free(path);
}

/* Device authorization answers ----------------------------------------- */

struct device_case {
	const char *name;
	long status;
	const char *body;
	bool ok;
	const char *uri;
	guint interval;
	int code;		/* error code when not ok */
};

static const struct device_case device_cases[] = {
	{ "rfc8628", 200, "{\"device_code\":\"D\",\"user_code\":\"WDJB-MJHT\","
	  "\"verification_uri\":\"https://example.com/device\","
	  "\"expires_in\":1800,\"interval\":5}", true,
	  "https://example.com/device", 5, 0 },
	{ "google-url", 200, "{\"device_code\":\"D\",\"user_code\":\"U\","
	  "\"verification_url\":\"https://www.google.com/device\","
	  "\"expires_in\":1800}", true, "https://www.google.com/device", 5,
	  0 },
	{ "interval-clamped", 200, "{\"device_code\":\"D\",\"user_code\":"
	  "\"U\",\"verification_uri\":\"u\",\"interval\":0}", true, "u", 1,
	  0 },
	{ "no-user-code", 200, "{\"device_code\":\"D\","
	  "\"verification_uri\":\"u\"}", false, NULL, 0, MD_ERROR_CONFIG },
	{ "refused", 400, "{\"error\":\"invalid_scope\","
	  "\"error_description\":\"not allowed\"}", false, NULL, 0,
	  MD_ERROR_CONFIG },
	{ "down", 503, "busy", false, NULL, 0, MD_ERROR_TEMP },
};

static void
test_device(gconstpointer data)
{
	const struct device_case *c = data;
	struct md_oauth_device dev = { 0 };
	GError *error = NULL;

	g_assert_cmpint(md_oauth_device_parse(c->status, c->body,
		strlen(c->body), NOW, &dev, &error), ==, c->ok);
	if (c->ok) {
		g_assert_no_error(error);
		g_assert_cmpstr(dev.verification_uri, ==, c->uri);
		g_assert_cmpstr(dev.device_code, ==, "D");
		g_assert_cmpuint(dev.interval, ==, c->interval);
		g_assert_cmpint(dev.expires_at, >, NOW);
	} else {
		g_assert_error(error, MD_ERROR, c->code);
		g_error_free(error);
	}
	md_oauth_device_clear(&dev);
}

static void
test_redact(gconstpointer data)
{
	char *r = md_oauth_redact("eyJ0eXAiOiJKV1Qi");
	(void)data;

	g_assert_cmpstr(r, ==, "eyJ0...");
	g_free(r);
	r = md_oauth_redact(NULL);
	g_assert_cmpstr(r, ==, "(none)");
	g_free(r);
}


/* Authorization code with PKCE ----------------------------------------- */

static void
test_pkce(gconstpointer data)
{
	/* RFC 7636 appendix B. */
	char *c = md_oauth_pkce_challenge(
		"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
	(void)data;

	g_assert_cmpstr(c, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	g_free(c);
}

struct redirect_case {
	const char *name;
	const char *pasted;
	const char *code;	/* expected, or NULL */
	int error;
};

static const struct redirect_case redirect_cases[] = {
	{ "full", "http://127.0.0.1:1/?state=S1&code=4/0AX-y&scope=x",
	  "4/0AX-y", 0 },
	{ "encoded", "http://127.0.0.1:1/?code=4%2F0AX&state=S1", "4/0AX",
	  0 },
	{ "spaces", "  http://127.0.0.1:1/?code=C&state=S1\n", "C", 0 },
	{ "query-only", "code=C&state=S1", "C", 0 },
	{ "wrong-state", "http://127.0.0.1:1/?code=C&state=S2", NULL,
	  MD_ERROR_USAGE },
	{ "no-state", "http://127.0.0.1:1/?code=C", NULL, MD_ERROR_USAGE },
	{ "no-code", "http://127.0.0.1:1/?state=S1", NULL, MD_ERROR_USAGE },
	{ "denied", "http://127.0.0.1:1/?error=access_denied&state=S1", NULL,
	  MD_ERROR_CONFIG },
	{ "garbage", "hello", NULL, MD_ERROR_USAGE },
};

static void
test_redirect(gconstpointer data)
{
	const struct redirect_case *c = data;
	GError *error = NULL;
	char *code = NULL;

	g_assert_cmpint(md_oauth_code_from_redirect(c->pasted, "S1", &code,
						    &error), ==,
			c->code != NULL);
	if (c->code != NULL) {
		g_assert_no_error(error);
		g_assert_cmpstr(code, ==, c->code);
	} else {
		g_assert_error(error, MD_ERROR, c->error);
		g_assert_null(code);
		g_error_free(error);
	}
	g_free(code);
}

#define ADD_TABLE(prefix, table, fn) \
	for (gsize i = 0; i < G_N_ELEMENTS(table); i++) { \
		char *n = g_strconcat(prefix, table[i].name, NULL); \
		g_test_add_data_func(n, &table[i], fn); \
		g_free(n); \
	}

int
main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test-oauth-XXXXXX", NULL);
	ADD_TABLE("/oauth/reply/", reply_cases, test_reply);
	ADD_TABLE("/oauth/refresh-at/", refresh_cases, test_refresh_at);
	ADD_TABLE("/oauth/backoff/", backoff_cases, test_backoff);
	ADD_TABLE("/oauth/parse/", parse_cases, test_parse);
	ADD_TABLE("/oauth/device/", device_cases, test_device);
	ADD_TABLE("/oauth/redirect/", redirect_cases, test_redirect);
	g_test_add_data_func("/oauth/pkce", NULL, test_pkce);
	g_test_add_data_func("/oauth/format-roundtrip", NULL,
			     test_format_roundtrip);
	g_test_add_data_func("/oauth/save-load", NULL, test_save_load);
	g_test_add_data_func("/oauth/redact", NULL, test_redact);
	rc = g_test_run();
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return rc;
}
