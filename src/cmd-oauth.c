/* cmd-oauth.c: maildesk oauth login NAME [--code], maildesk oauth status
 * [NAME] [--json] (issue 11).  login runs the device flow (RFC 8628), or
 * the authorization code flow with a pasted address where the provider
 * has no device flow for mail (Google) or with --code.
 *
 * An account is an IMAP source or the SMTP transport with auth = "oauth2";
 * NAME is its user (the mailbox address), or a source's url, or
 * "outbound" for the transport.  A source and the transport of one
 * mailbox usually share a token_file: one login serves both.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "cmd.h"
#include "conf.h"
#include "error.h"
#include "json.h"
#include "oauth.h"

struct account {
	const char *kind;	/* "imap" or "smtp" */
	const char *where;	/* the url */
	const char *user;
	const struct md_oauth_conf *oauth;
};

static GArray *
accounts(const struct md_conf *conf)
{
	GArray *list = g_array_new(FALSE, FALSE, sizeof(struct account));

	for (guint i = 0; conf->inbound != NULL && i < conf->inbound->len;
	     i++) {
		const struct md_inbound_conf *in = conf->inbound->pdata[i];

		if (in->type == MD_INBOUND_IMAP && in->oauth)
			g_array_append_vals(list, &(struct account){
				"imap", in->url, in->user, &in->oauth2 }, 1);
	}
	if (conf->outbound.type == MD_OUTBOUND_SMTP && conf->outbound.oauth)
		g_array_append_vals(list, &(struct account){ "smtp",
			conf->outbound.url, conf->outbound.user,
			&conf->outbound.oauth2 }, 1);
	return list;
}

static bool
matches(const struct account *a, const char *name)
{
	return name == NULL || g_ascii_strcasecmp(name, a->user) == 0 ||
		strcmp(name, a->where) == 0 ||
		(strcmp(name, "outbound") == 0 && strcmp(a->kind, "smtp") == 0);
}

static void
list_names(GArray *list)
{
	fprintf(stderr, "maildesk: accounts with auth = \"oauth2\":");
	for (guint i = 0; i < list->len; i++) {
		const struct account *a = &g_array_index(list, struct account,
							 i);

		fprintf(stderr, " %s (%s)", a->user, a->kind);
	}
	fprintf(stderr, list->len ? "\n" : " none\n");
}

/* login --------------------------------------------------------------- */

static int
device_login(struct md_oauth *o, const struct account *a,
	     const struct md_clock *clock, GTimeZone *tz)
{
	struct md_oauth_device dev = { 0 };
	enum md_oauth_answer answer;
	GError *error = NULL;
	char *until = NULL;
	int rc = EX_OK;

	if (!md_oauth_device_start(o, &dev, &error))
		goto out;
	until = md_clock_format_rfc3339(dev.expires_at, tz);
	printf("To let maildesk read and send as %s, open\n\n    %s\n\n"
	       "in any browser, sign in as %s and enter the code\n\n"
	       "    %s\n\n(valid until %s).  Waiting...\n", a->user,
	       dev.verification_uri, a->user, dev.user_code, until);
	fflush(stdout);
	for (;;) {
		/* RFC 8628 3.5: wait interval seconds between polls. */
		g_usleep((gulong)dev.interval * G_USEC_PER_SEC);
		if (md_clock_now(clock) >= dev.expires_at) {
			g_set_error(&error, MD_ERROR, MD_ERROR_TEMP,
				    "oauth2 %s: the code expired before it "
				    "was entered; run the login again",
				    a->user);
			goto out;
		}
		if (!md_oauth_device_poll(o, &dev, &answer, &error))
			goto out;
		if (answer == MD_OAUTH_OK)
			break;
	}
	printf("%s: signed in; the tokens are in %s.\nIf maildeskd runs, "
	       "make it try again: systemctl reload maildeskd (SIGHUP).\n",
	       a->user, a->oauth->token_file);
out:
	if (error != NULL)
		rc = md_cli_fail(error);
	g_free(until);
	md_oauth_device_clear(&dev);
	return rc;
}

/* The authorization code flow (Google): the person opens a URL, the
 * browser ends on an address that cannot load, the person pastes it. */
static int
code_login(struct md_oauth *o, const struct account *a)
{
	struct md_oauth_code c = { 0 };
	GError *error = NULL;
	char line[8192];
	int rc = EX_OK;

	if (!md_oauth_code_start(o, &c, &error))
		goto out;
	printf("To let maildesk read and send as %s, open this address in "
	       "any browser,\nsign in as %s and allow access:\n\n%s\n\n"
	       "The browser then goes to an address starting with %s that "
	       "does not load:\ncopy that whole address from the address "
	       "bar and paste it here.\n> ", a->user, a->user, c.url,
	       c.redirect_uri);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL) {
		g_set_error(&error, MD_ERROR, MD_ERROR_USAGE,
			    "oauth2 %s: nothing pasted", a->user);
		goto out;
	}
	if (!md_oauth_code_finish(o, &c, line, &error))
		goto out;
	printf("%s: signed in; the tokens are in %s.\nIf maildeskd runs, "
	       "make it try again: systemctl reload maildeskd (SIGHUP).\n",
	       a->user, a->oauth->token_file);
out:
	explicit_bzero(line, sizeof(line));
	if (error != NULL)
		rc = md_cli_fail(error);
	md_oauth_code_clear(&c);
	return rc;
}

/* client_credentials: nobody signs in; check that a token comes. */
static int
app_login(struct md_oauth *o, const struct account *a,
	  const struct md_clock *clock, GTimeZone *tz)
{
	struct md_oauth_token t = { 0 };
	GError *error = NULL;
	char *token = NULL, *until;
	bool exists;

	(void)clock;
	if (!md_oauth_access_token(o, NULL, &token, &error) ||
	    !md_oauth_token_load(a->oauth->token_file, &t, &exists, &error))
		return md_cli_fail(error);
	until = md_clock_format_rfc3339(t.expires_at, tz);
	printf("%s: grant client_credentials works; access token valid "
	       "until %s\n", a->user, until);
	g_free(until);
	g_free(token);
	md_oauth_token_clear(&t);
	return EX_OK;
}

static int
login(const struct md_conf *conf, GArray *list, const char *name,
      bool code)
{
	struct md_clock clock;
	const struct account *a = NULL;
	struct md_oauth *o;
	int rc;

	for (guint i = 0; i < list->len; i++) {
		const struct account *b = &g_array_index(list, struct account,
							 i);

		if (!matches(b, name))
			continue;
		/* The same token file twice is one login. */
		if (a != NULL && strcmp(a->oauth->token_file,
					b->oauth->token_file) != 0) {
			fprintf(stderr, "maildesk: oauth login: '%s' names "
				"more than one account; name one:\n",
				name ? name : "(no name)");
			list_names(list);
			return EX_USAGE;
		}
		if (a == NULL)
			a = b;
	}
	if (a == NULL) {
		fprintf(stderr, "maildesk: oauth login: no account '%s'\n",
			name ? name : "");
		list_names(list);
		return EX_USAGE;
	}
	md_clock_init_real(&clock);
	o = md_oauth_new(a->oauth, a->user, &clock);
	if (strcmp(a->oauth->grant, "client_credentials") == 0)
		rc = app_login(o, a, &clock, conf->tz);
	else if (code || (a->oauth->device_url == NULL &&
			  a->oauth->auth_url != NULL))
		rc = code_login(o, a);
	else
		rc = device_login(o, a, &clock, conf->tz);
	md_oauth_free(o);
	return rc;
}

/* status -------------------------------------------------------------- */

static char *
when(gint64 t, GTimeZone *tz)
{
	return t > 0 ? md_clock_format_rfc3339(t, tz) : NULL;
}

static void
status_text(const struct account *a, const struct md_oauth_token *t,
	    const char *problem, GTimeZone *tz)
{
	char *exp = when(t->expires_at, tz), *last = when(t->last_refresh, tz);
	char *err_at = when(t->last_error_at, tz);

	printf("%s %s (%s): grant %s, token_file %s\n", a->kind, a->where,
	       a->user, a->oauth->grant, a->oauth->token_file);
	if (problem != NULL) {
		printf("  %s\n", problem);
		goto out;
	}
	printf("  access token: %s%s\n", exp ? "expires " : "none",
	       exp ? exp : "");
	printf("  last refresh: %s\n", last ? last : "never");
	if (t->last_error != NULL)
		printf("  last error %s: %s\n", err_at, t->last_error);
	if (t->needs_login)
		printf("  needs attention: run maildesk oauth login %s\n",
		       a->user);
out:
	g_free(exp);
	g_free(last);
	g_free(err_at);
}

static void
status_json(GString *out, const struct account *a,
	    const struct md_oauth_token *t, const char *problem,
	    GTimeZone *tz)
{
	char *exp = when(t->expires_at, tz), *last = when(t->last_refresh, tz);
	char *err_at = when(t->last_error_at, tz);
	bool f = true;

	g_string_append_c(out, '{');
	md_json_kv_str(out, &f, "kind", a->kind);
	md_json_kv_str(out, &f, "url", a->where);
	md_json_kv_str(out, &f, "name", a->user);
	md_json_kv_str(out, &f, "grant", a->oauth->grant);
	md_json_kv_str(out, &f, "token_file", a->oauth->token_file);
	md_json_kv_bool(out, &f, "refresh_token", t->refresh_token != NULL);
	md_json_kv_str(out, &f, "access_expires", exp);
	md_json_kv_str(out, &f, "last_refresh", last);
	md_json_kv_str(out, &f, "last_error", problem ? problem :
		       t->last_error);
	md_json_kv_str(out, &f, "last_error_at", err_at);
	md_json_kv_bool(out, &f, "needs_login", t->needs_login ||
			(problem == NULL && t->refresh_token == NULL &&
			 strcmp(a->oauth->grant, "refresh_token") == 0));
	g_string_append_c(out, '}');
	g_free(exp);
	g_free(last);
	g_free(err_at);
}

static int
status(const struct md_conf *conf, GArray *list, const char *name,
       bool json)
{
	GString *out = g_string_new("[");
	guint shown = 0;
	int rc = EX_OK;

	for (guint i = 0; i < list->len; i++) {
		const struct account *a = &g_array_index(list, struct account,
							 i);
		struct md_oauth_token t = { 0 };
		GError *error = NULL;
		const char *problem = NULL;
		bool exists;

		if (!matches(a, name))
			continue;
		if (!md_oauth_token_load(a->oauth->token_file, &t, &exists,
					 &error))
			problem = error->message;
		else if (!exists && strcmp(a->oauth->grant,
					   "refresh_token") == 0)
			problem = "no token yet: run maildesk oauth login";
		if (json) {
			if (shown > 0)
				g_string_append_c(out, ',');
			status_json(out, a, &t, problem, conf->tz);
		} else {
			status_text(a, &t, problem, conf->tz);
		}
		shown++;
		g_clear_error(&error);
		md_oauth_token_clear(&t);
	}
	if (json)
		printf("%s]\n", out->str);
	if (name != NULL && shown == 0) {
		fprintf(stderr, "maildesk: oauth status: no account '%s'\n",
			name);
		list_names(list);
		rc = EX_USAGE;
	}
	g_string_free(out, TRUE);
	return rc;
}

int
md_cmd_oauth(struct md_cli *cli, int argc, char **argv)
{
	struct md_conf *conf = NULL;
	GError *error = NULL;
	GArray *list = NULL;
	const char *name = NULL;
	bool json = false, code = false, is_login;
	int rc = EX_USAGE;

	if (argc < 2 || (strcmp(argv[1], "login") != 0 &&
			 strcmp(argv[1], "status") != 0))
		goto usage;
	is_login = strcmp(argv[1], "login") == 0;
	for (int i = 2; i < argc; i++) {
		if (!is_login && strcmp(argv[i], "--json") == 0)
			json = true;
		else if (is_login && strcmp(argv[i], "--code") == 0)
			code = true;
		else if (argv[i][0] != '-' && name == NULL)
			name = argv[i];
		else
			goto usage;
	}
	/* The client secret is read by login only: status needs none. */
	if (!md_cli_load_conf(cli, &conf, &error) ||
	    (is_login && !md_conf_load_secrets(conf, MD_SECRETS_ALL,
					       &error))) {
		md_conf_free(conf);
		return md_cli_fail(error);
	}
	list = accounts(conf);
	rc = is_login ? login(conf, list, name, code) :
		status(conf, list, name, json);
	g_array_unref(list);
	md_conf_free(conf);
	return rc;
usage:
	fprintf(stderr, "usage: maildesk oauth login [NAME] [--code]\n"
		"       maildesk oauth status [NAME] [--json]\n");
	return EX_USAGE;
}
