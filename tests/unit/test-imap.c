/* test-imap.c: the IMAP source against a real Dovecot on 127.0.0.1.
 *
 * One Dovecot for the whole program (stopping one takes a second), started
 * and stopped with tests/integration/dovecot.sh; each case works in its
 * own mailbox or as its own user.  Needs root (Dovecot's mail_uid) and
 * MD_SRCDIR, as under make check.
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "conf.h"
#include "error.h"
#include "source.h"

/* libetpan 1.9.4 leaks its parsed greeting when the server greets with
 * "* BYE" (/imap/fake/bye); ASan builds read this hook. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:mailimap_greeting_new\n";
}

static struct {
	char *lib;		/* dovecot.sh */
	char *tmp;		/* $T */
	char *cert;
	int imap_port, imaps_port;
} dv;

/* Runs "sh -c '. dovecot.sh; SCRIPT' sh ARGS..." with the instance's
 * variables in the environment; returns its stdout, NULL on failure. */
static char *
sh(const char *script, const char *arg1, const char *arg2)
{
	char *full = g_strdup_printf(". '%s' && %s", dv.lib, script);
	const char *argv[] = { "/bin/sh", "-c", full, "sh", arg1, arg2, NULL };
	char *out = NULL;
	int status = 0;
	GError *error = NULL;

	if (arg1 == NULL)
		argv[4] = NULL;
	else if (arg2 == NULL)
		argv[5] = NULL;
	/* Dovecot gets /dev/null and a file, never our pipe (a pipe it
	 * inherits would keep this read from ending). */
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL,
			  NULL, &out, NULL, &status, &error)) {
		g_printerr("# %s: %s\n", script, error->message);
		g_clear_error(&error);
		g_clear_pointer(&out, g_free);
	} else if (!g_spawn_check_wait_status(status, NULL)) {
		g_printerr("# %s: failed\n", script);
		g_clear_pointer(&out, g_free);
	}
	g_free(full);
	return out;
}

static void
take_vars(const char *out)
{
	char **lines = g_strsplit(out, "\n", -1);

	for (char **l = lines; *l != NULL; l++) {
		char *eq = strchr(*l, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		if (strcmp(*l, "T") == 0 || strcmp(*l, "IMAP_PORT") == 0 ||
		    strcmp(*l, "IMAPS_PORT") == 0 ||
		    strcmp(*l, "DOVECOT_CONF") == 0 ||
		    strcmp(*l, "DOVECOT_PID") == 0)
			g_setenv(*l, eq + 1, true);
	}
	g_strfreev(lines);
}

static void
save_pid(void)
{
	char *file = g_build_filename(dv.tmp, "test-pid", NULL);

	g_assert_true(g_file_set_contents(file, g_getenv("DOVECOT_PID"), -1,
					  NULL));
	g_free(file);
}

static void
dovecot_start(void)
{
	char *out = sh("dovecot_start && echo T=$T && echo IMAP_PORT=$IMAP_PORT"
		       " && echo IMAPS_PORT=$IMAPS_PORT && echo "
		       "DOVECOT_CONF=$DOVECOT_CONF && echo "
		       "DOVECOT_PID=$DOVECOT_PID", NULL, NULL);

	g_assert_nonnull(out);
	take_vars(out);
	g_free(out);
	dv.tmp = g_strdup(g_getenv("T"));
	dv.cert = g_build_filename(dv.tmp, "cert.pem", NULL);
	dv.imap_port = atoi(g_getenv("IMAP_PORT"));
	dv.imaps_port = atoi(g_getenv("IMAPS_PORT"));
	save_pid();
}

/* Stops Dovecot when this process ends, even by a failed assertion
 * (abort): a child that waits for the pipe to close.  Returns the fd whose
 * closing stops the server. */
static int
start_reaper(void)
{
	int fds[2];
	pid_t pid;
	char c;

	g_assert_cmpint(pipe(fds), ==, 0);
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		char *script = g_strdup_printf(". '%s' && DOVECOT_PID="
			"$(cat \"$T/test-pid\") && dovecot_stop", dv.lib);

		close(fds[1]);
		while (read(fds[0], &c, 1) > 0)
			;
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return fds[1];
}

/* A real outage: every process of the instance gone, then back on the
 * same ports. */
static void
dovecot_restart(void)
{
	char *out = sh("dovecot_restart && echo DOVECOT_PID=$DOVECOT_PID",
		       NULL, NULL);

	g_assert_nonnull(out);
	take_vars(out);
	g_free(out);
	save_pid();
}

static void
mailbox_create(const char *user, const char *mailbox)
{
	char *out = sh("doveadm -c \"$DOVECOT_CONF\" mailbox create -u \"$1\" "
		       "\"$2\"", user, mailbox);

	g_assert_nonnull(out);
	g_free(out);
}

/* Saves TEXT into USER's MAILBOX; doveadm save wakes IDLE clients as
 * delivery does. */
static void
save(const char *user, const char *mailbox, const char *text, gsize len)
{
	char *file = g_build_filename(dv.tmp, "msg.eml", NULL);
	char *script = g_strdup_printf("doveadm -c \"$DOVECOT_CONF\" save "
				       "-u \"$1\" -m \"$2\" < '%s'", file);
	char *out;

	g_assert_true(g_file_set_contents(file, text, len, NULL));
	out = sh(script, user, mailbox);
	g_assert_nonnull(out);
	g_free(out);
	g_free(script);
	g_free(file);
}

static int
count(const char *user, const char *mailbox)
{
	char *out = sh("doveadm -c \"$DOVECOT_CONF\" mailbox status -u \"$1\" "
		       "messages \"$2\"", user, mailbox);
	const char *v;
	int n;

	/* "MAILBOX messages=N" */
	g_assert_nonnull(out);
	v = strstr(out, "messages=");
	g_assert_nonnull(v);
	n = atoi(v + strlen("messages="));
	g_free(out);
	return n;
}

static char *
flags(const char *user, const char *mailbox)
{
	return sh("doveadm -c \"$DOVECOT_CONF\" fetch -u \"$1\" flags "
		  "mailbox \"$2\"", user, mailbox);
}

static struct md_inbound_conf *
conf_new(const char *scheme, const char *mailbox)
{
	struct md_inbound_conf *c = g_new0(struct md_inbound_conf, 1);
	bool tls = strcmp(scheme, "imaps") == 0;

	c->type = MD_INBOUND_IMAP;
	c->url = g_strdup_printf("%s://127.0.0.1:%d/%s", scheme,
				 tls ? dv.imaps_port : dv.imap_port, mailbox);
	c->name = g_strdup(c->url);
	c->after = MD_AFTER_MOVE;
	c->user = g_strdup("desk");
	c->password = g_strdup("deskpass");
	c->auth = g_strdup("login");
	c->idle = true;
	c->done_folder = g_strdup("Done");
	c->poll_interval = 60;
	c->starttls = true;
	c->tls_ca_file = g_strdup(dv.cert);
	c->tls_verify = true;
	c->batch_size = 200;
	c->timeout = 10;
	return c;
}

static void
conf_free(struct md_inbound_conf *c)
{
	g_free(c->url);
	g_free(c->name);
	g_free(c->user);
	g_free(c->password);
	g_free(c->auth);
	g_free(c->done_folder);
	g_free(c->tls_ca_file);
	g_free(c);
}

static struct md_source *
open_source(const struct md_inbound_conf *c)
{
	struct md_source *src = NULL;
	GError *error = NULL;

	g_assert_true(md_source_imap_open(c, &src, &error));
	g_assert_no_error(error);
	return src;
}

static GPtrArray *
batch_new(void)
{
	return g_ptr_array_new_with_free_func(md_source_item_free);
}

static char *
message(const char *tag, int i, gsize body_len)
{
	GString *m = g_string_new(NULL);

	g_string_append_printf(m, "From: Alice <alice@example.org>\r\n"
			       "To: desk@example.org\r\n"
			       "Subject: %s %d\r\n"
			       "Message-ID: <%s-%d@example.org>\r\n\r\n",
			       tag, i, tag, i);
	while (m->len < body_len)
		g_string_append(m, "Lorem ipsum dolor sit amet, 0123456789 "
				"consectetur adipiscing elit.\r\n");
	g_string_append_printf(m, "end of %s %d\r\n", tag, i);
	return g_string_free(m, false);
}

static void
assert_item(const struct md_source_item *item, const char *text)
{
	gsize len;
	const char *raw = g_bytes_get_data(item->raw, &len);
	char key[16];

	g_snprintf(key, sizeof key, "%u", item->uid);
	g_assert_cmpstr(item->key, ==, key);
	g_assert_cmpuint(len, ==, strlen(text));
	g_assert_true(memcmp(raw, text, len) == 0);
}

static guint
fetch_n(struct md_source *src, guint max, GPtrArray *batch)
{
	GError *error = NULL;
	guint before = batch->len;

	g_assert_true(src->ops->fetch(src, max, batch, &error));
	g_assert_no_error(error);
	return batch->len - before;
}

/* Seven waiting messages, batches of three: 3, 3, 1, 0, in UID order and
 * byte for byte (one of them large); ack moves them all to Done. */
static void
test_batches_move(void)
{
	struct md_inbound_conf *c = conf_new("imap", "t-batch");
	struct md_source *src;
	GPtrArray *batch = batch_new();
	char *texts[7];
	GError *error = NULL;
	int before = count("desk", "Done");

	mailbox_create("desk", "t-batch");
	for (int i = 0; i < 7; i++) {
		texts[i] = message("batch", i, i == 4 ? 300000 : 100);
		save("desk", "t-batch", texts[i], strlen(texts[i]));
	}
	c->batch_size = 3;
	src = open_source(c);
	g_assert_cmpuint(fetch_n(src, 3, batch), ==, 3);
	g_assert_cmpuint(fetch_n(src, 3, batch), ==, 3);
	g_assert_cmpuint(fetch_n(src, 3, batch), ==, 1);
	g_assert_cmpuint(fetch_n(src, 3, batch), ==, 0);
	for (int i = 0; i < 7; i++) {
		assert_item(batch->pdata[i], texts[i]);
		if (i > 0)
			g_assert_cmpuint(((struct md_source_item *)
					  batch->pdata[i])->uid, >,
					 ((struct md_source_item *)
					  batch->pdata[i - 1])->uid);
	}
	g_assert_true(src->ops->ack(src, batch, &error));
	g_assert_no_error(error);
	g_assert_cmpint(count("desk", "t-batch"), ==, 0);
	g_assert_cmpint(count("desk", "Done"), ==, before + 7);
	md_source_free(src);
	for (int i = 0; i < 7; i++)
		g_free(texts[i]);
	g_ptr_array_unref(batch);
	conf_free(c);
}

/* A folder no one created: the source creates it at connect. */
static void
test_done_created(void)
{
	struct md_inbound_conf *c = conf_new("imap", "t-create");
	struct md_source *src;
	GPtrArray *batch = batch_new();
	char *text = message("create", 1, 10);
	GError *error = NULL;

	mailbox_create("desk", "t-create");
	save("desk", "t-create", text, strlen(text));
	g_free(c->done_folder);
	c->done_folder = g_strdup("Processed/Desk");
	src = open_source(c);
	g_assert_cmpuint(fetch_n(src, 10, batch), ==, 1);
	assert_item(batch->pdata[0], text);
	g_assert_true(src->ops->ack(src, batch, &error));
	g_assert_no_error(error);
	g_assert_cmpint(count("desk", "t-create"), ==, 0);
	g_assert_cmpint(count("desk", "Processed/Desk"), ==, 1);
	md_source_free(src);
	g_ptr_array_unref(batch);
	g_free(text);
	conf_free(c);
}

/* after = seen: flagged and left in place, and not taken again. */
static void
test_seen(void)
{
	struct md_inbound_conf *c = conf_new("imap", "t-seen");
	struct md_source *src;
	GPtrArray *batch = batch_new();
	GError *error = NULL;
	char *text, *fl;

	mailbox_create("desk", "t-seen");
	for (int i = 0; i < 2; i++) {
		text = message("seen", i, 10);
		save("desk", "t-seen", text, strlen(text));
		g_free(text);
	}
	c->after = MD_AFTER_SEEN;
	src = open_source(c);
	g_assert_cmpuint(fetch_n(src, 10, batch), ==, 2);
	g_assert_true(src->ops->ack(src, batch, &error));
	g_assert_no_error(error);
	md_source_free(src);
	g_assert_cmpint(count("desk", "t-seen"), ==, 2);
	fl = flags("desk", "t-seen");
	g_assert_nonnull(fl);
	/* doveadm separates records with a form feed */
	g_assert_cmpstr(fl, ==, "flags: \\Seen\n\f\nflags: \\Seen\n");
	g_free(fl);
	/* A new connection looks at the whole mailbox: nothing unseen. */
	g_ptr_array_set_size(batch, 0);
	src = open_source(c);
	g_assert_cmpuint(fetch_n(src, 10, batch), ==, 0);
	md_source_free(src);
	g_ptr_array_unref(batch);
	conf_free(c);
}

struct tls_case {
	const char *name;
	const char *scheme;
	const char *auth;
	const char *user, *password;
	bool ca, verify;
	const char *error;	/* substring, NULL for success */
	const char *mailbox;	/* NULL: INBOX */
};

static const struct tls_case tls_cases[] = {
	{ "starttls", "imap", "login", "desk", "deskpass", true, true, NULL,
	  NULL },
	{ "imaps-ca", "imaps", "login", "desk", "deskpass", true, true, NULL,
	  NULL },
	{ "imaps-no-ca", "imaps", "login", "desk", "deskpass", false, true,
	  ": certificate verification failed: ", NULL },
	{ "starttls-no-ca", "imap", "login", "desk", "deskpass", false, true,
	  ": certificate verification failed: ", NULL },
	{ "imaps-no-verify", "imaps", "login", "desk", "deskpass", false,
	  false, NULL, NULL },
	{ "plain", "imaps", "plain", "alice", "alicepass", true, true, NULL,
	  NULL },
	/* Refusals last: after one, Dovecot delays logins from the IP. */
	{ "refused/login", "imap", "login", "desk", "wrong", true, true,
	  "login refused during LOGIN", NULL },
	{ "refused/plain", "imap", "plain", "alice", "wrong", true, true,
	  "login refused during AUTHENTICATE PLAIN", NULL },
	/* With the server's words, for stats' "needs attention". */
	{ "refused/words", "imap", "login", "desk", "wrong", true, true,
	  "login refused during LOGIN (server: \"Authentication failed.\")",
	  NULL },
	{ "no-mailbox", "imap", "login", "desk", "deskpass", true, true,
	  "mailbox refused during SELECT (server: \"", "NoSuchBox" },
};

/* Connects (by a fetch on an empty mailbox) and checks the outcome. */
static void
test_connect(gconstpointer data)
{
	const struct tls_case *tc = data;
	struct md_inbound_conf *c = conf_new(tc->scheme, tc->mailbox != NULL ?
					     tc->mailbox : "INBOX");
	struct md_source *src;
	GPtrArray *batch = batch_new();
	GError *error = NULL;
	bool ok;

	g_free(c->user);
	g_free(c->password);
	g_free(c->auth);
	c->user = g_strdup(tc->user);
	c->password = g_strdup(tc->password);
	c->auth = g_strdup(tc->auth);
	c->tls_verify = tc->verify;
	if (!tc->ca)
		g_clear_pointer(&c->tls_ca_file, g_free);
	c->after = MD_AFTER_SEEN;
	src = open_source(c);
	ok = src->ops->fetch(src, 10, batch, &error);
	if (tc->error == NULL) {
		g_assert_no_error(error);
		g_assert_true(ok);
	} else {
		/* Waiting will not fix these: the daemon parks the
		 * source (isync's FAIL_FINAL). */
		g_assert_false(ok);
		g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
		if (strstr(error->message, tc->error) == NULL)
			g_error("\"%s\" not in \"%s\"", tc->error,
				error->message);
		g_assert_true(g_str_has_prefix(error->message, c->url));
		g_assert_null(strstr(error->message, tc->password));
		g_clear_error(&error);
	}
	md_source_free(src);
	g_ptr_array_unref(batch);
	conf_free(c);
}

/* IDLE: the fd wakes within 5 s of a delivery, and fetch finds it. */
static void
test_idle(void)
{
	struct md_inbound_conf *c = conf_new("imap", "t-idle");
	struct md_source *src;
	GPtrArray *batch = batch_new();
	GError *error = NULL;
	char *text = message("idle", 1, 10);
	struct pollfd pfd = { .events = POLLIN };
	int fd = -1;
	guint timeout = 0;

	mailbox_create("desk", "t-idle");
	c->poll_interval = 3600;
	src = open_source(c);
	g_assert_cmpuint(fetch_n(src, 10, batch), ==, 0);
	g_assert_true(src->ops->wait_begin(src, &fd, &timeout, &error));
	g_assert_no_error(error);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpuint(timeout, ==, 25 * 60);
	save("desk", "t-idle", text, strlen(text));
	pfd.fd = fd;
	g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
	g_assert_true(src->ops->wait_end(src, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(fetch_n(src, 10, batch), ==, 1);
	assert_item(batch->pdata[0], text);
	/* Without IDLE: no fd, the poll interval. */
	c->idle = false;
	g_assert_true(src->ops->wait_begin(src, &fd, &timeout, &error));
	g_assert_cmpint(fd, ==, -1);
	g_assert_cmpuint(timeout, ==, 3600);
	g_assert_true(src->ops->wait_end(src, &error));
	md_source_free(src);
	g_ptr_array_unref(batch);
	g_free(text);
	conf_free(c);
}

/* The server goes away between fetch and ack: ack fails TEMP, and once
 * it is back the same message comes again (the pipeline dedups it). */
static void
test_restart(void)
{
	struct md_inbound_conf *c = conf_new("imap", "t-restart");
	struct md_source *src;
	GPtrArray *batch = batch_new();
	GPtrArray *again = batch_new();
	GError *error = NULL;
	char *text = message("restart", 1, 10);

	mailbox_create("desk", "t-restart");
	save("desk", "t-restart", text, strlen(text));
	src = open_source(c);
	g_assert_cmpuint(fetch_n(src, 10, batch), ==, 1);
	dovecot_restart();
	g_assert_false(src->ops->ack(src, batch, &error));
	g_assert_error(error, MD_ERROR, MD_ERROR_TEMP);
	g_assert_true(g_str_has_prefix(error->message, c->url));
	g_clear_error(&error);
	/* ack again before any reconnection: still TEMP, not a crash */
	g_assert_false(src->ops->ack(src, batch, &error));
	g_assert_error(error, MD_ERROR, MD_ERROR_TEMP);
	g_clear_error(&error);
	g_assert_cmpuint(fetch_n(src, 10, again), ==, 1);
	assert_item(again->pdata[0], text);
	g_assert_cmpstr(((struct md_source_item *)again->pdata[0])->key, ==,
			((struct md_source_item *)batch->pdata[0])->key);
	g_assert_true(src->ops->ack(src, again, &error));
	g_assert_no_error(error);
	g_assert_cmpint(count("desk", "t-restart"), ==, 0);
	md_source_free(src);
	g_ptr_array_unref(batch);
	g_ptr_array_unref(again);
	g_free(text);
	conf_free(c);
}

/* The mailbox path is percent-decoded. */
static void
test_url_decode(void)
{
	struct md_inbound_conf *c = conf_new("imap", "t%20pct");
	struct md_source *src;
	GPtrArray *batch = batch_new();
	char *text = message("pct", 1, 10);

	mailbox_create("desk", "t pct");
	save("desk", "t pct", text, strlen(text));
	c->after = MD_AFTER_SEEN;
	src = open_source(c);
	g_assert_cmpuint(fetch_n(src, 10, batch), ==, 1);
	assert_item(batch->pdata[0], text);
	md_source_free(src);
	g_ptr_array_unref(batch);
	g_free(text);
	conf_free(c);
}

static const char *const bad_urls[] = {
	"http://127.0.0.1/INBOX",
	"imap://desk:secret@127.0.0.1/INBOX",
	"imap://127.0.0.1:99999/INBOX",
	"imap://127.0.0.1:x/INBOX",
	"imaps:///INBOX",
	"imap://[::1/INBOX",
};

static void
test_bad_url(gconstpointer data)
{
	struct md_inbound_conf *c = conf_new("imap", "INBOX");
	struct md_source *src = NULL;
	GError *error = NULL;

	g_free(c->url);
	c->url = g_strdup(data);
	g_assert_false(md_source_imap_open(c, &src, &error));
	g_assert_null(src);
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	g_assert_null(strstr(error->message, "secret"));
	g_clear_error(&error);
	conf_free(c);
}

/* A fake server on 127.0.0.1 that greets with GREETING (or nothing) and
 * then says no more; the client must give up within conf->timeout. */
struct fake {
	const char *name;
	const char *greeting;	/* NULL: silent */
	const char *error;
};

static const struct fake fakes[] = {
	{ "silent", NULL, "connection lost or timed out during connect" },
	{ "garbage", "HTTP/1.1 400 Bad Request\r\n\r\n",
	  "during connect" },
	{ "hangs-after-greeting", "* OK ready\r\n",
	  "timed out during CAPABILITY" },
	{ "bye", "* BYE go away\r\n", "during connect" },
};

static gpointer
fake_serve(gpointer data)
{
	GSocket *listener = data;
	GSocket *conn = g_socket_accept(listener, NULL, NULL);
	const char *greeting = g_object_get_data(G_OBJECT(listener), "g");
	char buf[512];

	if (conn != NULL && greeting != NULL)
		g_socket_send(conn, greeting, strlen(greeting), NULL, NULL);
	/* Read until the client hangs up, answering nothing. */
	while (conn != NULL && g_socket_receive(conn, buf, sizeof buf, NULL,
						NULL) > 0)
		;
	g_clear_object(&conn);
	return NULL;
}

static void
test_fake(gconstpointer data)
{
	const struct fake *f = data;
	GSocket *listener;
	GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	GSocketAddress *addr = g_inet_socket_address_new(lo, 0);
	GSocketAddress *bound;
	struct md_inbound_conf *c = conf_new("imap", "INBOX");
	struct md_source *src;
	GPtrArray *batch = batch_new();
	GError *error = NULL;
	GThread *thread;
	gint64 start;

	listener = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
				G_SOCKET_PROTOCOL_TCP, NULL);
	g_assert_true(g_socket_bind(listener, addr, true, NULL));
	g_assert_true(g_socket_listen(listener, NULL));
	bound = g_socket_get_local_address(listener, NULL);
	g_object_set_data(G_OBJECT(listener), "g", (gpointer)f->greeting);
	thread = g_thread_new("fake", fake_serve, listener);
	g_free(c->url);
	c->url = g_strdup_printf("imap://127.0.0.1:%u/INBOX",
				 g_inet_socket_address_get_port(
					 G_INET_SOCKET_ADDRESS(bound)));
	c->timeout = 1;
	src = open_source(c);
	start = g_get_monotonic_time();
	g_assert_false(src->ops->fetch(src, 10, batch, &error));
	g_assert_cmpint(g_get_monotonic_time() - start, <,
			5 * G_USEC_PER_SEC);
	g_assert_error(error, MD_ERROR, MD_ERROR_TEMP);
	g_assert_true(g_str_has_prefix(error->message, c->url));
	if (strstr(error->message, f->error) == NULL)
		g_test_message("got: %s", error->message);
	g_assert_nonnull(strstr(error->message, f->error));
	g_clear_error(&error);
	md_source_free(src);
	g_thread_join(thread);
	g_object_unref(listener);
	g_object_unref(bound);
	g_object_unref(addr);
	g_object_unref(lo);
	g_ptr_array_unref(batch);
	conf_free(c);
}

int
main(int argc, char **argv)
{
	const char *srcdir = g_getenv("MD_SRCDIR");
	int rc, reaper;

	g_test_init(&argc, &argv, NULL);
	/* As maildeskd must: a write to a dropped connection is an error
	 * code, not a death. */
	signal(SIGPIPE, SIG_IGN);
	if (srcdir == NULL || getuid() != 0 ||
	    !g_file_test("/usr/sbin/dovecot", G_FILE_TEST_IS_EXECUTABLE)) {
		g_test_skip("needs root, Dovecot and MD_SRCDIR");
		return g_test_run();
	}
	dv.lib = g_build_filename(srcdir, "tests", "integration",
				  "dovecot.sh", NULL);
	dovecot_start();
	reaper = start_reaper();
	g_test_add_func("/imap/batches-move", test_batches_move);
	g_test_add_func("/imap/done-created", test_done_created);
	g_test_add_func("/imap/seen", test_seen);
	g_test_add_func("/imap/url-decode", test_url_decode);
	for (gsize i = 0; i < G_N_ELEMENTS(tls_cases); i++) {
		char *path = g_strconcat("/imap/connect/", tls_cases[i].name,
					 NULL);

		g_test_add_data_func(path, &tls_cases[i], test_connect);
		g_free(path);
	}
	g_test_add_func("/imap/idle", test_idle);
	for (gsize i = 0; i < G_N_ELEMENTS(bad_urls); i++) {
		char *path = g_strdup_printf("/imap/bad-url/%zu", i);

		g_test_add_data_func(path, bad_urls[i], test_bad_url);
		g_free(path);
	}
	g_test_add_func("/imap/restart", test_restart);
	for (gsize i = 0; i < G_N_ELEMENTS(fakes); i++) {
		char *path = g_strconcat("/imap/fake/", fakes[i].name, NULL);

		g_test_add_data_func(path, &fakes[i], test_fake);
		g_free(path);
	}
	rc = g_test_run();
	close(reaper);
	while (wait(NULL) > 0)
		;
	g_free(dv.lib);
	g_free(dv.tmp);
	g_free(dv.cert);
	return rc;
}
