/* test-conf.c: the configuration loader (spec section 7): the shipped
 * example and the spec's, defaults, path resolution, secrets, and one
 * case per kind of error with its "FILE:LINE: " prefix. */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "error.h"

/* Scratch directory for files with modes: the source tree is read-only
 * under distcheck. */
static char *tmpdir;

#define MINIMAL "desk = { address = \"support@desk.example\"; };\n"

static char *
data_path(const char *name)
{
	const char *srcdir = g_getenv("MD_SRCDIR");

	return g_build_filename(srcdir != NULL ? srcdir : ".", "tests", "data",
				"conf", name, NULL);
}

static char *
tmp_path(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static void
write_file(const char *name, const char *text, int mode)
{
	char *path = tmp_path(name);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	g_assert_cmpint(g_chmod(path, mode), ==, 0);
	g_free(path);
}

/* Loads TEXT as "t.conf" in tmpdir; expects failure. */
static char *
load_fail(const char *text)
{
	struct md_conf *conf = NULL;
	GError *error = NULL;
	char *msg;

	g_assert_false(md_conf_load_string(text, "t.conf", tmpdir, &conf,
					   &error));
	g_assert_null(conf);
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	msg = g_strdup(error->message);
	g_error_free(error);
	return msg;
}

static struct md_conf *
load_ok(const char *text)
{
	struct md_conf *conf = NULL;
	GError *error = NULL;

	md_conf_load_string(text, "t.conf", tmpdir, &conf, &error);
	g_assert_no_error(error);
	g_assert_nonnull(conf);
	return conf;
}

static const char *
str_at(const GPtrArray *a, guint i)
{
	g_assert_cmpuint(i, <, a->len);
	return g_ptr_array_index(a, i);
}

/* Valid files --------------------------------------------------------- */

static void
test_example(gconstpointer data)
{
	char *path = g_build_filename(g_getenv("MD_SRCDIR") != NULL ?
				      g_getenv("MD_SRCDIR") : ".", "conf",
				      "maildesk.conf", NULL);
	char *dir = g_canonicalize_filename(g_getenv("MD_SRCDIR") != NULL ?
					    g_getenv("MD_SRCDIR") : ".",
					    NULL);
	char *expect;
	const struct md_inbound_conf *in;
	struct md_conf *conf = NULL;
	GError *error = NULL;

	(void)data;
	g_assert_true(md_conf_load(path, &conf, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(conf->file, ==, path);
	g_assert_cmpstr(conf->desk_name, ==, "Helpdesk");
	g_assert_cmpstr(conf->desk_address, ==, "support@desk.example");
	g_assert_cmpstr(conf->desk_domain, ==, "desk.example");
	g_assert_cmpuint(conf->desk_aliases->len, ==, 1);
	g_assert_cmpstr(str_at(conf->desk_aliases, 0), ==,
			"helpdesk@desk.example");
	g_assert_cmpstr(conf->from_name, ==, "Service Desk");
	g_assert_cmpstr(conf->timezone, ==, "Europe/Paris");
	g_assert_nonnull(conf->tz);
	g_assert_cmpstr(conf->language, ==, "fr");
	expect = g_build_filename(dir, "conf", "var", NULL);
	g_assert_cmpstr(conf->state_dir, ==, expect);
	g_free(expect);
	g_assert_null(conf->templates_dir);
	g_assert_cmpstr(str_at(conf->agent_addresses, 0), ==,
			"alice@desk.example");
	g_assert_cmpstr(str_at(conf->agent_domains, 0), ==, "desk.example");
	g_assert_cmpstr(conf->agents_notify, ==, "agents@desk.example");
	g_assert_cmpstr(conf->trusted_authserv_id, ==, "mx.desk.example");
	g_assert_cmpstr(conf->agents_trust, ==, "authenticated");
	g_assert_cmpstr(conf->upstream_address, ==,
			"support@upstream.example");
	g_assert_cmpstr(str_at(conf->upstream_domains, 0), ==,
			"upstream.example");
	g_assert_cmpstr(str_at(conf->supervisors, 0), ==,
			"chief@desk.example");

	g_assert_cmpuint(conf->inbound->len, ==, 1);
	in = g_ptr_array_index(conf->inbound, 0);
	g_assert_cmpint(in->type, ==, MD_INBOUND_MAILDIR);
	g_assert_cmpint(in->after, ==, MD_AFTER_MOVE);
	expect = g_build_filename(dir, "conf", "var", "inbox", NULL);
	g_assert_cmpstr(in->path, ==, expect);
	g_assert_true(g_str_has_prefix(in->name, "maildir:"));
	g_assert_cmpstr(in->name + strlen("maildir:"), ==, expect);
	g_free(expect);

	g_assert_cmpint(conf->outbound.type, ==, MD_OUTBOUND_MAILDIR);
	expect = g_build_filename(dir, "conf", "var", "outbox", NULL);
	g_assert_cmpstr(conf->outbound.path, ==, expect);
	g_free(expect);

	g_assert_cmpint(conf->autoreply_per_sender_per_day, ==, 5);
	g_assert_cmpuint(conf->workdays, ==, 0x1f);
	g_assert_cmpstr(conf->holidays, ==, "FR");
	g_assert_cmpstr(str_at(conf->extra_holidays, 0), ==, "2026-12-24");
	g_assert_cmpuint(conf->remind_after->len, ==, 2);
	g_assert_cmpint(g_array_index(conf->remind_after, int, 0), ==, 2);
	g_assert_cmpint(g_array_index(conf->remind_after, int, 1), ==, 4);
	g_assert_cmpint(conf->close_after, ==, 5);
	g_assert_cmpint(conf->reopen_within, ==, 30);
	g_assert_cmpstr(conf->digest_at, ==, "08:30");
	g_assert_cmpint(conf->stale_after, ==, 8);
	g_assert_cmpint(conf->max_message_size, ==, 26214400);
	md_conf_free(conf);
	g_free(dir);
	g_free(path);
}

/* Copies the data file NAME into tmpdir, where its secrets are. */
static struct md_conf *
load_spec(const char *name)
{
	char *src = data_path(name), *dst = tmp_path(name), *text = NULL;
	struct md_conf *conf = NULL;
	GError *error = NULL;

	g_assert_true(g_file_get_contents(src, &text, NULL, NULL));
	write_file(name, text, 0644);
	md_conf_load(dst, &conf, &error);
	g_assert_no_error(error);
	g_assert_nonnull(conf);
	g_free(text);
	g_free(dst);
	g_free(src);
	return conf;
}

static void
test_spec_smtp(gconstpointer data)
{
	struct md_conf *conf = load_spec("spec-smtp.conf");
	const struct md_inbound_conf *in;
	char *expect;

	(void)data;
	g_assert_cmpuint(conf->inbound->len, ==, 2);
	in = g_ptr_array_index(conf->inbound, 1);
	/* Read only by md_conf_load_secrets, for the programs that log in. */
	g_assert_null(in->password);
	g_assert_null(conf->outbound.password);
	g_assert_true(g_str_has_suffix(in->password_file, "/imap.secret"));
	g_assert_true(md_conf_load_secrets(conf, MD_SECRETS_ALL, NULL));
	g_assert_cmpint(in->type, ==, MD_INBOUND_IMAP);
	g_assert_cmpstr(in->name, ==, "imaps://imap.desk.example/INBOX");
	g_assert_cmpstr(in->url, ==, "imaps://imap.desk.example/INBOX");
	g_assert_cmpstr(in->user, ==, "support");
	/* One trailing newline is stripped, the inner spaces kept. */
	g_assert_cmpstr(in->password, ==, "imap pass");
	g_assert_cmpstr(in->auth, ==, "login");
	g_assert_true(in->idle);
	g_assert_cmpint(in->after, ==, MD_AFTER_MOVE);
	g_assert_cmpstr(in->done_folder, ==, "Processed");
	g_assert_cmpint(in->poll_interval, ==, 60);
	g_assert_true(in->starttls);
	g_assert_null(in->tls_ca_file);
	g_assert_true(in->tls_verify);
	g_assert_cmpint(in->batch_size, ==, 200);
	g_assert_cmpint(in->timeout, ==, 60);
	expect = tmp_path("var/inbox");
	g_assert_cmpstr(((const struct md_inbound_conf *)
			 g_ptr_array_index(conf->inbound, 0))->path, ==,
			expect);
	g_free(expect);

	g_assert_cmpint(conf->outbound.type, ==, MD_OUTBOUND_SMTP);
	g_assert_cmpstr(conf->outbound.url, ==, "smtp://127.0.0.1:587");
	g_assert_true(conf->outbound.starttls);
	g_assert_cmpstr(conf->outbound.user, ==, "support");
	g_assert_cmpstr(conf->outbound.password, ==, "smtp-secret");
	g_assert_null(conf->outbound.tls_ca_file);
	g_assert_true(conf->outbound.tls_verify);
	g_assert_cmpint(conf->outbound.timeout, ==, 60);
	g_assert_null(conf->outbound.path);
	md_conf_free(conf);
}

static void
test_spec_sendmail(gconstpointer data)
{
	struct md_conf *conf = load_spec("spec-sendmail.conf");

	(void)data;
	g_assert_cmpint(conf->outbound.type, ==, MD_OUTBOUND_SENDMAIL);
	g_assert_cmpstr(conf->outbound.path, ==, "/usr/sbin/sendmail");
	g_assert_null(conf->outbound.password);
	md_conf_free(conf);
}

static void
test_sendmail_paths(gconstpointer data)
{
	struct md_conf *conf;
	char *expect = tmp_path("bin/sendmail");

	(void)data;
	conf = load_ok(MINIMAL "outbound = { type = \"sendmail\"; };");
	g_assert_cmpstr(conf->outbound.path, ==, "/usr/sbin/sendmail");
	md_conf_free(conf);
	/* A bare name is for PATH; one with a slash is a path. */
	conf = load_ok(MINIMAL "outbound = { type = \"sendmail\"; "
		       "path = \"msmtp\"; };");
	g_assert_cmpstr(conf->outbound.path, ==, "msmtp");
	md_conf_free(conf);
	conf = load_ok(MINIMAL "outbound = { type = \"sendmail\"; "
		       "path = \"./bin/sendmail\"; };");
	g_assert_cmpstr(conf->outbound.path, ==, expect);
	md_conf_free(conf);
	g_free(expect);
}

static void
test_defaults(gconstpointer data)
{
	struct md_conf *conf = load_ok("desk = { address = "
				       "\"Support@Desk.Example\"; };");
	char *expect;

	(void)data;
	g_assert_cmpstr(conf->file, ==, "t.conf");
	g_assert_cmpstr(conf->desk_address, ==, "support@desk.example");
	g_assert_cmpstr(conf->desk_name, ==, "Helpdesk");
	g_assert_cmpstr(conf->from_name, ==, "Service Desk");
	g_assert_cmpstr(conf->timezone, ==, "UTC");
	g_assert_nonnull(conf->tz);
	g_assert_cmpstr(conf->language, ==, "en");
	expect = tmp_path("var");
	g_assert_cmpstr(conf->state_dir, ==, expect);
	g_free(expect);
	g_assert_null(conf->templates_dir);
	g_assert_cmpuint(conf->desk_aliases->len, ==, 0);
	g_assert_cmpuint(conf->agent_addresses->len, ==, 0);
	g_assert_cmpuint(conf->agent_domains->len, ==, 0);
	g_assert_null(conf->agents_notify);
	g_assert_null(conf->trusted_authserv_id);
	g_assert_cmpstr(conf->agents_trust, ==, "authenticated");
	g_assert_null(conf->upstream_address);
	g_assert_cmpuint(conf->upstream_domains->len, ==, 0);
	g_assert_cmpuint(conf->supervisors->len, ==, 0);
	g_assert_cmpuint(conf->inbound->len, ==, 0);
	g_assert_cmpint(conf->outbound.type, ==, MD_OUTBOUND_MAILDIR);
	expect = tmp_path("var/outbox");
	g_assert_cmpstr(conf->outbound.path, ==, expect);
	g_free(expect);
	g_assert_cmpint(conf->outbound.timeout, ==, 60);
	g_assert_cmpint(conf->autoreply_per_sender_per_day, ==, 5);
	g_assert_cmpuint(conf->workdays, ==, 0x1f);
	g_assert_cmpstr(conf->holidays, ==, "FR");
	g_assert_cmpuint(conf->extra_holidays->len, ==, 0);
	g_assert_cmpuint(conf->remind_after->len, ==, 2);
	g_assert_cmpint(g_array_index(conf->remind_after, int, 1), ==, 4);
	g_assert_cmpint(conf->close_after, ==, 5);
	g_assert_cmpint(conf->reopen_within, ==, 30);
	g_assert_cmpstr(conf->digest_at, ==, "08:30");
	g_assert_cmpint(conf->stale_after, ==, 8);
	g_assert_cmpint(conf->max_message_size, ==, 26214400);
	md_conf_free(conf);
}

static void
test_imap_defaults(gconstpointer data)
{
	struct md_conf *conf;
	const struct md_inbound_conf *in;

	(void)data;
	conf = load_ok(MINIMAL "inbound = ( { type = \"imap\"; url = "
		       "\"imap://h:143\"; user = \"u\"; after = \"seen\"; "
		       "tls_ca_file = \"ca.pem\"; auth = \"PLAIN\"; } );");
	in = g_ptr_array_index(conf->inbound, 0);
	g_assert_cmpstr(in->name, ==, "imap://h:143");
	g_assert_null(in->password);
	g_assert_cmpint(in->after, ==, MD_AFTER_SEEN);
	g_assert_cmpstr(in->auth, ==, "plain");
	g_assert_true(in->idle);
	g_assert_cmpstr(in->done_folder, ==, "Done");
	g_assert_true(in->starttls);
	g_assert_true(g_path_is_absolute(in->tls_ca_file));
	g_assert_true(g_str_has_suffix(in->tls_ca_file, "/ca.pem"));
	g_assert_cmpint(in->poll_interval, ==, 60);
	md_conf_free(conf);
}

static void
test_values(gconstpointer data)
{
	struct md_conf *conf;

	(void)data;
	/* int64 for int and int for int64; "" as unset; day order free;
	 * an empty inbound list. */
	conf = load_ok(MINIMAL
		       "agents = { notify = \"\"; trusted_authserv_id = "
		       "\"mx.desk.example\";\n"
		       "domains = [ \"Desk.Example\" ]; };\n"
		       "upstream = { address = \"\"; };\n"
		       "inbound = ();\n"
		       "autoreply = { per_sender_per_day = 3L; };\n"
		       "lifecycle = { workdays = [ \"sun\", \"sat\" ]; "
		       "holidays = \"none\"; remind_after = []; };\n"
		       "limits = { max_message_size = 1048576; };\n");
	g_assert_null(conf->agents_notify);
	g_assert_null(conf->upstream_address);
	g_assert_cmpstr(conf->trusted_authserv_id, ==, "mx.desk.example");
	g_assert_cmpstr(str_at(conf->agent_domains, 0), ==, "desk.example");
	g_assert_cmpuint(conf->inbound->len, ==, 0);
	g_assert_cmpint(conf->autoreply_per_sender_per_day, ==, 3);
	g_assert_cmpuint(conf->workdays, ==, 0x60);
	g_assert_cmpstr(conf->holidays, ==, "none");
	g_assert_cmpuint(conf->remind_after->len, ==, 0);
	g_assert_cmpint(conf->max_message_size, ==, 1048576);
	md_conf_free(conf);

	conf = load_ok(MINIMAL
		       "limits = { max_message_size = 8589934592L; };");
	g_assert_cmpint(conf->max_message_size, ==, G_GINT64_CONSTANT(1) << 33);
	md_conf_free(conf);
}

static void
test_load_string_basedir(gconstpointer data)
{
	struct md_conf *conf = NULL;
	GError *error = NULL;

	(void)data;
	g_assert_true(md_conf_load_string(MINIMAL "desk = {};", "x", "/srv/md",
					  &conf, &error) == false);
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	g_clear_error(&error);

	g_assert_true(md_conf_load_string(
		"desk = { address = \"a@b.c\"; state_dir = \"../state\"; "
		"templates = \"/\"; };\n"
		"inbound = ( { type = \"maildir\"; path = \"in\"; "
		"after = \"delete\"; } );",
		"(embedded)", "/srv/md/etc", &conf, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(conf->file, ==, "(embedded)");
	g_assert_cmpstr(conf->state_dir, ==, "/srv/md/state");
	g_assert_cmpstr(conf->templates_dir, ==, "/");
	g_assert_cmpstr(((const struct md_inbound_conf *)
			 g_ptr_array_index(conf->inbound, 0))->name, ==,
			"maildir:/srv/md/etc/in");
	g_assert_cmpint(((const struct md_inbound_conf *)
			 g_ptr_array_index(conf->inbound, 0))->after, ==,
			MD_AFTER_DELETE);
	g_assert_cmpstr(conf->outbound.path, ==, "/srv/md/etc/var/outbox");
	md_conf_free(conf);
	md_conf_free(NULL);
}

static void
test_is_desk(gconstpointer data)
{
	struct md_conf *conf = load_ok(
		"desk = { address = \"Support@Desk.example\"; "
		"aliases = [ \"HelpDesk@desk.example\", \"x@y.z\" ]; };");

	(void)data;
	g_assert_true(md_conf_is_desk(conf, "support@desk.example"));
	g_assert_true(md_conf_is_desk(conf, "SUPPORT@desk.EXAMPLE"));
	g_assert_true(md_conf_is_desk(conf, "helpdesk@desk.example"));
	g_assert_true(md_conf_is_desk(conf, "X@Y.Z"));
	g_assert_false(md_conf_is_desk(conf, "alice@desk.example"));
	g_assert_false(md_conf_is_desk(conf, "support@desk.example.org"));
	g_assert_false(md_conf_is_desk(conf, ""));
	md_conf_free(conf);
}

/* Errors from files --------------------------------------------------- */

struct file_case {
	const char *name;
	const char *file;
	const char *expect[5];	/* substrings after "PATH:" */
	guint nlines;		/* 0: do not count */
};

static const struct file_case file_cases[] = {
	{ "syntax", "syntax.conf", { "syntax.conf:4: syntax error" }, 1 },
	{ "unknown-nested", "unknown-nested.conf",
	  { "unknown-nested.conf:7: unknown key 'lifecycle.remind_afer'; "
	    "did you mean 'lifecycle.remind_after'?" }, 1 },
	{ "multiple", "errors.conf",
	  { "errors.conf:3: desk.address: \"support\" is not an address",
	    "errors.conf:4: desk.timezone: unknown time zone "
	    "\"Europe/Pariss\"",
	    "errors.conf:5: desk.language: \"de\" is not one of \"fr\", "
	    "\"en\"",
	    "errors.conf:7: lifecycle.remind_after: must be in ascending",
	    "errors.conf:9: unknown key 'colour'" }, 6 },
	{ "missing-file", "no-such.conf",
	  { "no-such.conf: cannot read: No such file or directory" }, 1 },
};

static void
test_file_error(gconstpointer data)
{
	const struct file_case *c = data;
	char *path = data_path(c->file);
	struct md_conf *conf = NULL;
	GError *error = NULL;
	gchar **lines;

	g_assert_false(md_conf_load(path, &conf, &error));
	g_assert_null(conf);
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	g_assert_true(g_str_has_prefix(error->message, path));
	for (guint i = 0; i < G_N_ELEMENTS(c->expect) && c->expect[i]; i++)
		if (strstr(error->message, c->expect[i]) == NULL)
			g_error("\"%s\" not in:\n%s", c->expect[i],
				error->message);
	lines = g_strsplit(error->message, "\n", -1);
	/* Each error on its own line, each naming the file. */
	for (gchar **l = lines; *l != NULL; l++)
		g_assert_true(g_str_has_prefix(*l, path));
	if (c->nlines > 0)
		g_assert_cmpuint(g_strv_length(lines), ==, c->nlines);
	g_strfreev(lines);
	g_error_free(error);
	g_free(path);
}

/* Errors from strings ------------------------------------------------- */

struct text_case {
	const char *name;
	const char *text;
	const char *expect;	/* substring of the message */
};

static const struct text_case text_cases[] = {
	{ "unknown-top", MINIMAL "\ndesks = 1;",
	  "t.conf:3: unknown key 'desks'; did you mean 'desk'?" },
	{ "unknown-nohint", MINIMAL "frobnicate = true;",
	  "t.conf:2: unknown key 'frobnicate'" },
	{ "wrong-type", "desk = {\n address = \"a@b.c\";\n name = 3; };",
	  "t.conf:3: desk.name: expected a string" },
	{ "wrong-type-int", MINIMAL "lifecycle = { close_after = \"5\"; };",
	  "t.conf:2: lifecycle.close_after: expected an integer" },
	{ "wrong-type-bool", MINIMAL "inbound = ( { type = \"imap\"; "
	  "url = \"imaps://h/\"; user = \"u\"; idle = 1; } );",
	  "t.conf:2: inbound[0].idle: expected a boolean" },
	{ "wrong-type-group", "desk = \"support@desk.example\";",
	  "t.conf:1: desk: expected a group" },
	{ "wrong-type-list", MINIMAL "supervisors = \"chief@desk.example\";",
	  "t.conf:2: supervisors: expected an array of strings" },
	{ "missing-address", "desk = { name = \"x\"; };",
	  "t.conf:1: missing required key 'desk.address'" },
	{ "missing-desk", "limits = { max_message_size = 10; };",
	  "t.conf: missing required key 'desk.address'" },
	{ "bad-timezone", "desk = { address = \"a@b.c\"; "
	  "timezone = \"Mars/Olympus\"; };",
	  "t.conf:1: desk.timezone: unknown time zone \"Mars/Olympus\"" },
	{ "bad-language", "desk = { address = \"a@b.c\"; language = \"de\"; };",
	  "desk.language: \"de\" is not one of \"fr\", \"en\"" },
	{ "bad-address", "desk = { address = \"a@b.c\"; "
	  "aliases = [ \"ok@b.c\", \"nope\" ]; };",
	  "t.conf:1: desk.aliases[1]: \"nope\" is not an address" },
	{ "bad-after-maildir", MINIMAL "inbound = (\n { type = \"maildir\"; "
	  "path = \"in\";\n after = \"seen\"; } );",
	  "t.conf:4: inbound[0].after: \"seen\" is not valid for type "
	  "\"maildir\"" },
	{ "bad-after-imap", MINIMAL "inbound = ( { type = \"imap\"; "
	  "url = \"imaps://h/\"; user = \"u\"; after = \"delete\"; } );",
	  "inbound[0].after: \"delete\" is not valid for type \"imap\"" },
	{ "bad-after-value", MINIMAL "inbound = ( { type = \"maildir\"; "
	  "path = \"in\"; after = \"keep\"; } );",
	  "inbound[0].after: \"keep\" is not one of" },
	{ "imap-no-user", MINIMAL "inbound = ( { type = \"maildir\"; "
	  "path = \"in\"; },\n { type = \"imap\"; url = \"imaps://h/\"; } );",
	  "t.conf:3: missing required key 'inbound[1].user' (for type "
	  "\"imap\")" },
	{ "imap-bad-url", MINIMAL "inbound = ( { type = \"imap\"; "
	  "url = \"http://h/\"; user = \"u\"; } );",
	  "inbound[0].url: \"http://h/\" must start with imap:// or imaps://" },
	{ "imap-url-credentials", MINIMAL "inbound = ( { type = \"imap\"; "
	  "url = \"imaps://u:p@h/\"; user = \"u\"; } );",
	  "inbound[0].url: must not contain credentials" },
	{ "inbound-no-type", MINIMAL "inbound = ( { path = \"in\"; } );",
	  "t.conf:2: missing required key 'inbound[0].type'" },
	{ "inbound-not-for-type", MINIMAL "inbound = ( { type = \"maildir\"; "
	  "path = \"in\";\n url = \"imap://h/\"; } );",
	  "t.conf:3: inbound[0].url: not valid for type \"maildir\"" },
	{ "poll-interval-zero", MINIMAL "inbound = ( { type = \"maildir\"; "
	  "path = \"in\"; poll_interval = 0; } );",
	  "inbound[0].poll_interval: 0 is out of range (at least 1)" },
	{ "smtp-no-url", MINIMAL "outbound = { type = \"smtp\"; };",
	  "t.conf:2: missing required key 'outbound.url' (for type "
	  "\"smtp\")" },
	{ "smtp-bad-url", MINIMAL "outbound = { type = \"smtp\"; "
	  "url = \"imap://h\"; };",
	  "outbound.url: \"imap://h\" must start with smtp:// or smtps://" },
	{ "outbound-bad-type", MINIMAL "outbound = { type = \"lmtp\"; };",
	  "outbound.type: \"lmtp\" is not one of \"maildir\", \"smtp\", "
	  "\"sendmail\"" },
	{ "bad-auth", MINIMAL "inbound = ( { type = \"imap\"; url = "
	  "\"imaps://h/\"; user = \"u\"; auth = \"cram-md5\"; } );",
	  "inbound[0].auth: \"cram-md5\" is not one of \"login\", \"plain\"" },
	{ "secret-no-user", MINIMAL "outbound = { type = \"smtp\"; url = "
	  "\"smtp://h\"; password_file = \"smtp.secret\"; };",
	  "outbound.password_file: set but no user is" },
	{ "remind-not-ascending", MINIMAL "lifecycle = {\n remind_after = "
	  "[ 2, 2 ]; };",
	  "t.conf:3: lifecycle.remind_after: must be in ascending order" },
	{ "remind-zero", MINIMAL "lifecycle = { remind_after = [ 0, 2 ]; };",
	  "lifecycle.remind_after[0]: 0 is out of range (at least 1)" },
	{ "bad-workday", MINIMAL "lifecycle = { workdays = [ \"mon\", "
	  "\"monday\" ]; };",
	  "lifecycle.workdays[1]: expected a day name" },
	{ "no-workday", MINIMAL "lifecycle = { workdays = []; };",
	  "lifecycle.workdays: at least one working day is needed" },
	{ "bad-holidays", MINIMAL "lifecycle = { holidays = \"DE\"; };",
	  "lifecycle.holidays: \"DE\" is not one of \"FR\", \"BE\", \"FR-AM\", \"none\"" },
	{ "bad-extra-holiday", MINIMAL "lifecycle = { extra_holidays = "
	  "[ \"2026-02-30\" ]; };",
	  "lifecycle.extra_holidays[0]: \"2026-02-30\" is not a date" },
	{ "bad-digest-at", MINIMAL "escalation = { digest_at = \"24:00\"; };",
	  "escalation.digest_at: \"24:00\" is not a time HH:MM" },
	{ "bad-size", MINIMAL "limits = { max_message_size = -1; };",
	  "limits.max_message_size: -1 is out of range" },
	{ "int-too-big", MINIMAL "lifecycle = { close_after = 8589934592L; };",
	  "lifecycle.close_after: 8589934592 is out of range" },
	{ "float", MINIMAL "lifecycle = { close_after = 5.0; };",
	  "lifecycle.close_after: expected an integer" },
	{ "empty-name", "desk = { address = \"a@b.c\"; name = \"\"; };",
	  "desk.name: must not be empty" },
	{ "header-injection", "desk = { address = \"a@b.c\"; "
	  "from_name = \"x\\nBcc: y@z\"; };",
	  "desk.from_name: must not contain control characters" },
	{ "templates-missing", "desk = { address = \"a@b.c\"; "
	  "templates = \"no-such-dir\"; };",
	  "no-such-dir is not a directory" },
	{ "syntax-string", "desk = { address = \"a@b.c\" }\n\nfoo",
	  "t.conf:3: syntax error" },
	/* auth = "oauth2" (issue 11) */
	{ "oauth-no-group", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; } );",
	  "missing required group 'inbound[0].oauth2' (for auth \"oauth2\")" },
	{ "oauth-group-unused", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "oauth2 = { client_id = \"c\"; }; } );",
	  "inbound[0].oauth2: set but auth is not \"oauth2\"" },
	{ "oauth-no-client", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"google\"; token_file = \"t\"; }; } );",
	  "missing required key 'inbound[0].oauth2.client_id'" },
	{ "oauth-no-token-file", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"google\"; client_id = \"c\"; }; } );",
	  "missing required key 'inbound[0].oauth2.token_file'" },
	{ "oauth-ms-tenant", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"microsoft\"; client_id = \"c\"; token_file = \"t\"; "
	  "}; } );", "'tenant' is required for provider \"microsoft\"" },
	{ "oauth-bad-tenant", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"microsoft\"; tenant = \"a/b\"; client_id = \"c\"; "
	  "token_file = \"t\"; }; } );", "is not a tenant id or domain" },
	{ "oauth-generic-url", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "client_id = \"c\"; token_file = \"t\"; }; } );",
	  "'token_url' is required for provider \"generic\"" },
	{ "oauth-http", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "client_id = \"c\"; token_file = \"t\"; "
	  "token_url = \"http://idp.example/token\"; }; } );",
	  "use https:// (http:// is only for a server on this machine)" },
	{ "oauth-app-secret", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"microsoft\"; tenant = \"contoso.com\"; "
	  "grant = \"client_credentials\"; client_id = \"c\"; "
	  "token_file = \"t\"; }; } );",
	  "grant \"client_credentials\" needs 'client_secret_file'" },
	{ "oauth-google-app", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"google\"; grant = \"client_credentials\"; "
	  "client_id = \"c\"; token_file = \"t\"; "
	  "client_secret_file = \"smtp.secret\"; }; } );",
	  "Google has no app-only access" },
	{ "oauth-bad-provider", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"yahoo\"; }; } );",
	  "\"yahoo\" is not one of \"microsoft\", \"google\", \"generic\"" },
	{ "oauth-and-password", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; "
	  "password_file = \"imap.secret\"; oauth2 = { provider = \"google\"; "
	  "client_id = \"c\"; token_file = \"t\"; }; } );",
	  "inbound[0].password_file: not used with auth = \"oauth2\"" },
	{ "oauth-unknown-key", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"google\"; client_id = \"c\"; token_file = \"t\"; "
	  "tennant = \"x\"; }; } );",
	  "unknown key 'inbound[0].oauth2.tennant'; did you mean "
	  "'inbound[0].oauth2.tenant'?" },
	{ "oauth-smtp-auth", MINIMAL "outbound = { type = \"smtp\"; "
	  "url = \"smtp://h:587\"; auth = \"oauth2\"; oauth2 = { "
	  "provider = \"google\"; client_id = \"c\"; token_file = \"t\"; "
	  "}; };", "missing required key 'outbound.user' (for auth" },
	{ "oauth-smtp-bad-auth", MINIMAL "outbound = { type = \"smtp\"; "
	  "url = \"smtp://h:587\"; auth = \"plain\"; };",
	  "outbound.auth: \"plain\" is not one of \"password\", \"oauth2\"" },
	{ "oauth-maildir", MINIMAL "inbound = ( { type = \"maildir\"; "
	  "path = \"m\"; oauth2 = { }; } );",
	  "inbound[0].oauth2: not valid for type \"maildir\"" },
	{ "duplicate", MINIMAL "desk = { };",
	  "t.conf:2: syntax error: duplicate setting name" },
};

/* Secret files: the configuration loads, md_conf_load_secrets refuses. */
struct secret_case {
	const char *name;
	const char *text;
	const char *expect;	/* substring of the message */
	uid_t owner;		/* chown to this first, if not 0 (as root) */
};

static const struct secret_case secret_cases[] = {
	{ "secret-mode", MINIMAL "inbound = ( { type = \"imap\"; url = "
	  "\"imaps://h/\"; user = \"u\";\n password_file = \"open.secret\"; "
	  "} );",
	  "open.secret is accessible by group or others (mode 0644); run "
	  "chmod 600 ", 0 },
	{ "secret-missing", MINIMAL "outbound = { type = \"smtp\"; url = "
	  "\"smtp://h\"; user = \"u\";\n password_file = \"none.secret\"; };",
	  "t.conf: outbound.password_file: cannot open ", 0 },
	{ "secret-not-file", MINIMAL "outbound = { type = \"smtp\"; url = "
	  "\"smtp://h\"; user = \"u\"; password_file = \".\"; };",
	  "is not a regular file", 0 },
	{ "secret-empty", MINIMAL "outbound = { type = \"smtp\"; url = "
	  "\"smtp://h\"; user = \"u\"; password_file = \"empty.secret\"; };",
	  "empty.secret is empty", 0 },
	{ "secret-other-owner", MINIMAL "outbound = { type = \"smtp\"; "
	  "url = \"smtp://h\"; user = \"u\"; "
	  "password_file = \"nobody.secret\"; };",
	  "nobody.secret must be owned by the user running maildesk (uid 0) "
	  "or by root", 65534 },
	{ "oauth-secret-mode", MINIMAL "inbound = ( { type = \"imap\"; url = \"imaps://h/\"; user = \"u@h\"; " "auth = \"oauth2\"; oauth2 = { "
	  "provider = \"google\"; client_id = \"c\"; token_file = \"t\"; "
	  "client_secret_file = \"open.secret\"; }; } );",
	  "t.conf: inbound[0].oauth2.client_secret_file: ", 0 },
	{ "secret-several", MINIMAL "inbound = ( { type = \"imap\"; url = "
	  "\"imaps://h/\"; user = \"u\";\n password_file = \"open.secret\"; "
	  "} );\noutbound = { type = \"smtp\"; url = \"smtp://h\"; "
	  "user = \"u\"; password_file = \"empty.secret\"; };",
	  "t.conf: inbound[0].password_file: ", 0 },
};

static void
test_secret_error(gconstpointer data)
{
	const struct secret_case *c = data;
	struct md_conf *conf;
	GError *error = NULL;

	if (c->owner != 0) {
		char *path = tmp_path("nobody.secret");

		write_file("nobody.secret", "x\n", 0600);
		if (geteuid() != 0 || chown(path, c->owner, c->owner) < 0) {
			g_free(path);
			g_test_skip("needs root to give a file away");
			return;
		}
		g_free(path);
	}
	conf = load_ok(c->text);
	g_assert_false(md_conf_load_secrets(conf, MD_SECRETS_ALL, &error));
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	if (strstr(error->message, c->expect) == NULL)
		g_error("\"%s\" not in:\n%s", c->expect, error->message);
	/* Only the side asked for is read. */
	g_clear_error(&error);
	if (strcmp(c->name, "secret-several") == 0) {
		g_assert_false(md_conf_load_secrets(conf, MD_SECRETS_OUTBOUND,
						    &error));
		g_assert_nonnull(strstr(error->message, "empty.secret"));
		g_assert_null(strstr(error->message, "open.secret"));
		g_clear_error(&error);
	}
	md_conf_free(conf);
}

static void
test_text_error(gconstpointer data)
{
	const struct text_case *c = data;
	char *msg = load_fail(c->text);

	if (strstr(msg, c->expect) == NULL)
		g_error("\"%s\" not in:\n%s", c->expect, msg);
	/* A hint only where one is expected: a wild guess misleads. */
	if (strstr(c->expect, "did you mean") == NULL &&
	    strstr(msg, "did you mean") != NULL)
		g_error("unexpected hint in:\n%s", msg);
	g_free(msg);
}


/* The presets fill the endpoints and scopes; set keys win. */
static void
test_oauth_presets(gconstpointer data)
{
	struct md_conf *conf;
	const struct md_inbound_conf *in;
	(void)data;

	conf = load_ok(MINIMAL "inbound = ( { type = \"imap\"; "
		"url = \"imaps://outlook.office365.com/\"; "
		"user = \"desk@contoso.com\"; auth = \"oauth2\"; oauth2 = { "
		"provider = \"microsoft\"; tenant = \"contoso.com\"; "
		"client_id = \"c1\"; token_file = \"tok\"; }; },"
		"{ type = \"imap\"; url = \"imaps://imap.gmail.com/\"; "
		"user = \"desk@gmail.com\"; auth = \"oauth2\"; oauth2 = { "
		"provider = \"google\"; client_id = \"c2\"; "
		"client_secret_file = \"smtp.secret\"; token_file = \"/t2\"; "
		"scope = \"https://mail.google.com/ email\"; }; } );\n"
		"outbound = { type = \"smtp\"; url = \"smtp://h:587\"; "
		"user = \"desk@contoso.com\"; auth = \"oauth2\"; oauth2 = { "
		"provider = \"microsoft\"; tenant = \"contoso.com\"; "
		"grant = \"client_credentials\"; client_id = \"c3\"; "
		"client_secret_file = \"smtp.secret\"; "
		"token_file = \"tok3\"; }; };");
	in = g_ptr_array_index(conf->inbound, 0);
	g_assert_true(in->oauth);
	g_assert_null(in->password);
	g_assert_cmpstr(in->oauth2.token_url, ==, "https://login."
		"microsoftonline.com/contoso.com/oauth2/v2.0/token");
	g_assert_cmpstr(in->oauth2.device_url, ==, "https://login."
		"microsoftonline.com/contoso.com/oauth2/v2.0/devicecode");
	g_assert_cmpstr(in->oauth2.scope, ==, "https://outlook.office.com/"
		"IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send "
		"offline_access");
	g_assert_cmpstr(in->oauth2.grant, ==, "refresh_token");
	g_assert_null(in->oauth2.client_secret);
	g_assert_true(g_str_has_suffix(in->oauth2.token_file, "/tok"));
	g_assert_true(g_path_is_absolute(in->oauth2.token_file));
	in = g_ptr_array_index(conf->inbound, 1);
	g_assert_cmpstr(in->oauth2.token_url, ==,
			"https://oauth2.googleapis.com/token");
	g_assert_cmpstr(in->oauth2.scope, ==, "https://mail.google.com/ email");
	g_assert_null(in->oauth2.client_secret);
	g_assert_true(md_conf_load_secrets(conf, MD_SECRETS_ALL, NULL));
	g_assert_cmpstr(in->oauth2.client_secret, ==, "smtp-secret");
	g_assert_cmpstr(in->oauth2.token_file, ==, "/t2");
	g_assert_true(conf->outbound.oauth);
	g_assert_cmpstr(conf->outbound.oauth2.grant, ==, "client_credentials");
	g_assert_cmpstr(conf->outbound.oauth2.scope, ==,
			"https://outlook.office365.com/.default");
	md_conf_free(conf);
}

/* IMAP's "login" and "plain" stay; "password" is another name. */
static void
test_auth_names(gconstpointer data)
{
	struct md_conf *conf;
	const struct md_inbound_conf *in;
	(void)data;

	conf = load_ok(MINIMAL "inbound = ( { type = \"imap\"; "
		"url = \"imaps://h/\"; user = \"u\"; auth = \"password\"; "
		"password_file = \"imap.secret\"; } );\n"
		"outbound = { type = \"smtp\"; url = \"smtp://h:587\"; "
		"user = \"u\"; password_file = \"smtp.secret\"; };");
	in = g_ptr_array_index(conf->inbound, 0);
	g_assert_cmpstr(in->auth, ==, "password");
	g_assert_false(in->oauth);
	g_assert_cmpstr(conf->outbound.auth, ==, "password");
	g_assert_false(conf->outbound.oauth);
	md_conf_free(conf);
}

/* Setup --------------------------------------------------------------- */

static void
rm_rf(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		char *sub = g_build_filename(path, name, NULL);

		if (g_file_test(sub, G_FILE_TEST_IS_DIR))
			rm_rf(sub);
		else
			g_unlink(sub);
		g_free(sub);
	}
	if (dir != NULL)
		g_dir_close(dir);
	g_rmdir(path);
}

int
main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test-conf-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	write_file("imap.secret", "imap pass\n", 0600);
	write_file("smtp.secret", "smtp-secret", 0600);
	write_file("open.secret", "secret\n", 0644);
	write_file("empty.secret", "\n", 0600);

	g_test_add_data_func("/conf/example", NULL, test_example);
	g_test_add_data_func("/conf/spec-smtp", NULL, test_spec_smtp);
	g_test_add_data_func("/conf/spec-sendmail", NULL, test_spec_sendmail);
	g_test_add_data_func("/conf/sendmail-paths", NULL,
			     test_sendmail_paths);
	g_test_add_data_func("/conf/defaults", NULL, test_defaults);
	g_test_add_data_func("/conf/imap-defaults", NULL, test_imap_defaults);
	g_test_add_data_func("/conf/values", NULL, test_values);
	g_test_add_data_func("/conf/load-string-basedir", NULL,
			     test_load_string_basedir);
	g_test_add_data_func("/conf/is-desk", NULL, test_is_desk);
	g_test_add_data_func("/conf/oauth-presets", NULL, test_oauth_presets);
	g_test_add_data_func("/conf/auth-names", NULL, test_auth_names);
	for (gsize i = 0; i < G_N_ELEMENTS(file_cases); i++) {
		char *name = g_strconcat("/conf/error/", file_cases[i].name,
					 NULL);

		g_test_add_data_func(name, &file_cases[i], test_file_error);
		g_free(name);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(text_cases); i++) {
		char *name = g_strconcat("/conf/error/", text_cases[i].name,
					 NULL);

		g_test_add_data_func(name, &text_cases[i], test_text_error);
		g_free(name);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(secret_cases); i++) {
		char *name = g_strconcat("/conf/secret/", secret_cases[i].name,
					 NULL);

		g_test_add_data_func(name, &secret_cases[i],
				     test_secret_error);
		g_free(name);
	}
	rc = g_test_run();
	rm_rf(tmpdir);
	g_free(tmpdir);
	return rc;
}
