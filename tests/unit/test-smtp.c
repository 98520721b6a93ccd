/* test-smtp.c: the smtp and sendmail transports against real programs.
 *
 * SMTP cases start tests/integration/smtp-sink.py (aiosmtpd: STARTTLS,
 * SMTPS, AUTH, per-recipient refusals, exact bytes and envelope per mail)
 * or smtp-scripted.sh (replies to MAIL and to the final dot, a server
 * that drops the connection) on 127.0.0.1, one per case; TLS cases use a
 * self-signed certificate made with openssl.  Sendmail cases run a shell
 * script that records its argv and input and exits as told.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "conf.h"
#include "error.h"
#include "transport.h"

/* Dot-stuffing is libcurl's job, the leading dot checks it round trip. */
#define MAIL_TEXT \
	"From: \"Service Desk\" <desk@desk.example>\r\n" \
	"To: alice@example.org\r\n" \
	"Subject: [Helpdesk #1] test\r\n" \
	"\r\n" \
	"Hello.\r\n" \
	".a line with a leading dot\r\n" \
	"\r\n" \
	"Bye.\r\n"
#define MAIL_TEXT_LF \
	"From: \"Service Desk\" <desk@desk.example>\n" \
	"To: alice@example.org\n" \
	"Subject: [Helpdesk #1] test\n" \
	"\n" \
	"Hello.\n" \
	".a line with a leading dot\n" \
	"\n" \
	"Bye.\n"
#define FROM "desk@desk.example"
#define PASSWORD "s3cret-pass"

static const char *srcdir;

struct server {
	const char *script;	/* under tests/integration/; NULL: none */
	bool tls;		/* make a certificate, pass --cert/--key */
	bool smtps;
	bool auth;		/* --user desk --password PASSWORD */
	const char *args[8];	/* more arguments, NULL-terminated */
};

struct fx {
	char *tmp;
	char *dir;		/* the server's output */
	char *cert;
	GSubprocess *server;
	int port;
	int listen_fd;		/* a socket that never answers, or -1 */
	char *url;
	struct md_outbound_conf conf;
	struct md_transport *t;
	GPtrArray *refused;
	GError *error;
};

static void
make_cert(struct fx *fx, char **key_r)
{
	char *key = g_build_filename(fx->tmp, "key.pem", NULL);
	const char *argv[] = {
		"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
		"-out", fx->cert, "-days", "2", "-subj", "/CN=localhost",
		"-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", NULL
	};
	GError *error = NULL;
	int status;

	g_spawn_sync(NULL, (char **)argv, NULL,
		     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
		     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
		     &status, &error);
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	*key_r = key;
}

/* A failed assertion aborts before teardown: the server must not
 * outlive us (and hold our stderr open for make check's reader). */
static void
die_with_parent(gpointer arg)
{
	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_server(struct fx *fx, const struct server *srv)
{
	GSubprocessLauncher *launcher;
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	GDataInputStream *out;
	GError *error = NULL;
	char *line, *key = NULL;
	guint i;

	if (g_str_has_suffix(srv->script, ".py"))
		g_ptr_array_add(argv, g_strdup("/usr/bin/python3"));
	else
		g_ptr_array_add(argv, g_strdup("/bin/sh"));
	g_ptr_array_add(argv, g_build_filename(srcdir, "tests", "integration",
					       srv->script, NULL));
	g_ptr_array_add(argv, g_strdup(fx->dir));
	if (srv->tls) {
		make_cert(fx, &key);
		g_ptr_array_add(argv, g_strdup("--cert"));
		g_ptr_array_add(argv, g_strdup(fx->cert));
		g_ptr_array_add(argv, g_strdup("--key"));
		g_ptr_array_add(argv, key);
	}
	if (srv->smtps)
		g_ptr_array_add(argv, g_strdup("--smtps"));
	if (srv->auth) {
		g_ptr_array_add(argv, g_strdup("--user"));
		g_ptr_array_add(argv, g_strdup("desk"));
		g_ptr_array_add(argv, g_strdup("--password"));
		g_ptr_array_add(argv, g_strdup(PASSWORD));
	}
	for (i = 0; srv->args[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(srv->args[i]));
	g_ptr_array_add(argv, NULL);
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL,
					      NULL);
	fx->server = g_subprocess_launcher_spawnv(launcher,
			(const char *const *)argv->pdata, &error);
	g_assert_no_error(error);
	g_object_unref(launcher);
	out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(fx->server));
	line = g_data_input_stream_read_line(out, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(line);
	g_assert_true(g_str_has_prefix(line, "PORT="));
	fx->port = atoi(line + 5);
	g_assert_cmpint(fx->port, >, 0);
	g_free(line);
	g_object_unref(out);
	g_ptr_array_unref(argv);
}

static void
setup(struct fx *fx, gconstpointer data)
{
	const struct server *srv = data;
	GError *error = NULL;

	fx->tmp = g_dir_make_tmp("md-test-smtp-XXXXXX", &error);
	g_assert_no_error(error);
	fx->dir = g_build_filename(fx->tmp, "server", NULL);
	g_assert_cmpint(g_mkdir(fx->dir, 0700), ==, 0);
	fx->cert = g_build_filename(fx->tmp, "cert.pem", NULL);
	fx->listen_fd = -1;
	fx->refused = g_ptr_array_new_with_free_func(g_free);
	if (srv != NULL && srv->script != NULL)
		start_server(fx, srv);
	fx->url = g_strdup_printf("%s://127.0.0.1:%d",
				  srv != NULL && srv->smtps ? "smtps" : "smtp",
				  fx->port);
	fx->conf.type = MD_OUTBOUND_SMTP;
	fx->conf.url = fx->url;
	fx->conf.starttls = srv != NULL && srv->tls && !srv->smtps;
	fx->conf.tls_verify = true;
	if (srv != NULL && srv->tls)
		fx->conf.tls_ca_file = fx->cert;
	if (srv != NULL && srv->auth) {
		fx->conf.user = "desk";
		fx->conf.password = PASSWORD;
	}
	fx->conf.timeout = 10;
}

static void
rm_rf(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;
	char *sub;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		sub = g_build_filename(path, name, NULL);
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

static void
teardown(struct fx *fx, gconstpointer data)
{
	(void)data;
	if (fx->t != NULL)
		fx->t->ops->free(fx->t);
	if (fx->server != NULL) {
		g_subprocess_send_signal(fx->server, SIGTERM);
		g_subprocess_wait(fx->server, NULL, NULL);
		g_object_unref(fx->server);
	}
	if (fx->listen_fd >= 0)
		close(fx->listen_fd);
	rm_rf(fx->tmp);
	g_free(fx->tmp);
	g_free(fx->dir);
	g_free(fx->cert);
	g_free(fx->url);
	g_ptr_array_unref(fx->refused);
	g_clear_error(&fx->error);
}

static void
open_smtp(struct fx *fx)
{
	GError *error = NULL;

	g_assert_true(md_transport_smtp_open(&fx->conf, &fx->t, &error));
	g_assert_no_error(error);
}

static void
open_sendmail(struct fx *fx)
{
	GError *error = NULL;

	fx->conf.type = MD_OUTBOUND_SENDMAIL;
	g_assert_true(md_transport_sendmail_open(&fx->conf, &fx->t, &error));
	g_assert_no_error(error);
}

/* Sends TEXT from MAIL_FROM to the NULL-terminated recipients; the error,
 * if any, stays in fx->error. */
static bool
send_text(struct fx *fx, const char *mail_from, const char *text,
	  const char *const *rcpts)
{
	GPtrArray *list = g_ptr_array_new();
	bool ok;

	for (; *rcpts != NULL; rcpts++)
		g_ptr_array_add(list, (char *)*rcpts);
	g_clear_error(&fx->error);
	ok = fx->t->ops->send(fx->t, mail_from, list, text, strlen(text),
			      fx->refused, &fx->error);
	g_assert_true(ok == (fx->error == NULL));
	if (fx->error != NULL)
		g_test_message("error: %s", fx->error->message);
	g_ptr_array_unref(list);
	return ok;
}

static bool
send_mail(struct fx *fx, const char *const *rcpts)
{
	return send_text(fx, FROM, MAIL_TEXT, rcpts);
}

static char *
server_file(struct fx *fx, const char *name)
{
	char *path = g_build_filename(fx->dir, name, NULL);
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		text = NULL;
	g_free(path);
	return text;
}

static bool
server_has(struct fx *fx, const char *name)
{
	char *path = g_build_filename(fx->dir, name, NULL);
	bool found = g_file_test(path, G_FILE_TEST_EXISTS);

	g_free(path);
	return found;
}

/* The sink writes N.json before its 250, so no waiting is needed; each
 * FRAGMENT is one exact "key": value of the JSON. */
static void
check_json(struct fx *fx, int n, const char *const *fragments)
{
	char *name = g_strdup_printf("%d.json", n);
	char *json = server_file(fx, name);

	g_assert_nonnull(json);
	for (; *fragments != NULL; fragments++)
		if (strstr(json, *fragments) == NULL)
			g_error("%s: no %s in %s", name, *fragments, json);
	g_free(json);
	g_free(name);
}

static void
check_eml(struct fx *fx, int n, const char *expected)
{
	char *name = g_strdup_printf("%d.eml", n);
	char *eml = server_file(fx, name);

	g_assert_cmpstr(eml, ==, expected);
	g_free(eml);
	g_free(name);
}

static void
check_error(struct fx *fx, int code, const char *fragment)
{
	g_assert_error(fx->error, MD_ERROR, code);
	if (strstr(fx->error->message, fragment) == NULL)
		g_error("error \"%s\" lacks \"%s\"", fx->error->message,
			fragment);
	g_assert_null(strstr(fx->error->message, PASSWORD));
}

static const char *const ALICE[] = { "alice@example.org", NULL };

/* SMTP ----------------------------------------------------------------- */

static const struct server sink = { "smtp-sink.py", .args = { NULL } };

static void
test_plain(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_true(send_mail(fx, ALICE));
	check_eml(fx, 1, MAIL_TEXT);
	check_json(fx, 1, (const char *const[]){
		"\"mail_from\": \"" FROM "\"",
		"\"rcpt_tos\": [\"alice@example.org\"]",
		"\"tls\": false", "\"auth\": null", NULL });
	g_assert_cmpuint(fx->refused->len, ==, 0);
}

static void
test_null_sender(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_true(send_text(fx, "", MAIL_TEXT, ALICE));
	check_json(fx, 1, (const char *const[]){
		"\"mail_from\": \"<>\"",	/* aiosmtpd's spelling */
		"\"rcpt_tos\": [\"alice@example.org\"]", NULL });
}

/* The local ports of our established connections to PORT, from the
 * kernel's table: the connections libcurl keeps are invisible otherwise. */
static GArray *
client_ports(int port)
{
	GArray *ports = g_array_new(FALSE, FALSE, sizeof(unsigned));
	char *text = NULL, **lines, **l;
	unsigned lport, rport, st;

	g_assert_true(g_file_get_contents("/proc/net/tcp", &text, NULL,
					  NULL));
	lines = g_strsplit(text, "\n", -1);
	for (l = lines + 1; *l != NULL; l++) {
		if (sscanf(*l, " %*u: %*x:%x %*x:%x %x", &lport, &rport,
			   &st) == 3 &&
		    (int)rport == port && st == 1)
			g_array_append_val(ports, lport);
	}
	g_strfreev(lines);
	g_free(text);
	return ports;
}

static unsigned
one_client_port(struct fx *fx)
{
	GArray *ports = client_ports(fx->port);
	unsigned port;

	g_assert_cmpuint(ports->len, ==, 1);
	port = g_array_index(ports, unsigned, 0);
	g_array_unref(ports);
	return port;
}

static void
test_reuse(struct fx *fx, gconstpointer data)
{
	unsigned port = 0;
	char *text, *expected;
	int i;

	(void)data;
	open_smtp(fx);
	for (i = 1; i <= 3; i++) {
		text = g_strdup_printf("Subject: mail %d\r\n\r\nbody %d\r\n",
				       i, i);
		g_assert_true(send_text(fx, FROM, text, ALICE));
		g_free(text);
		if (i == 1)
			port = one_client_port(fx);
		else
			g_assert_cmpuint(one_client_port(fx), ==, port);
	}
	for (i = 1; i <= 3; i++) {
		expected = g_strdup_printf("Subject: mail %d\r\n\r\n"
					   "body %d\r\n", i, i);
		check_eml(fx, i, expected);
		g_free(expected);
	}
	g_assert_false(server_has(fx, "4.eml"));
}

static void
wait_file(struct fx *fx, const char *name)
{
	int i;

	for (i = 0; i < 500 && !server_has(fx, name); i++)
		g_usleep(20000);
	g_assert_true(server_has(fx, name));
}

/* A server that closed the cached connection (idle timeout, restart)
 * must cost nothing but a new connection. */
static const struct server dropping = {
	"smtp-scripted.sh", .args = { "--drop-after-mail", NULL }
};

static void
test_dropped(struct fx *fx, gconstpointer data)
{
	char *conns;

	(void)data;
	open_smtp(fx);
	g_assert_true(send_mail(fx, ALICE));
	wait_file(fx, "closed-1");
	g_assert_true(send_mail(fx, ALICE));
	check_eml(fx, 1, MAIL_TEXT);
	check_eml(fx, 2, MAIL_TEXT);
	conns = server_file(fx, "connections");
	g_assert_cmpstr(conns, ==, "2\n");
	g_free(conns);
}

static const struct server tls_sink = {
	"smtp-sink.py", .tls = true, .args = { NULL }
};

static void
test_starttls(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_true(send_mail(fx, ALICE));
	check_eml(fx, 1, MAIL_TEXT);
	check_json(fx, 1, (const char *const[]){ "\"tls\": true", NULL });
}

static void
test_starttls_unknown_ca(struct fx *fx, gconstpointer data)
{
	(void)data;
	fx->conf.tls_ca_file = NULL;
	open_smtp(fx);
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_CONFIG, "TLS: ");
	g_assert_false(server_has(fx, "1.json"));
}

static void
test_starttls_noverify(struct fx *fx, gconstpointer data)
{
	(void)data;
	fx->conf.tls_ca_file = NULL;
	fx->conf.tls_verify = false;
	open_smtp(fx);
	g_assert_true(send_mail(fx, ALICE));
	check_json(fx, 1, (const char *const[]){ "\"tls\": true", NULL });
}

/* STARTTLS required by us, not offered by the server (64). */
static void
test_starttls_missing(struct fx *fx, gconstpointer data)
{
	(void)data;
	fx->conf.starttls = true;
	open_smtp(fx);
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_CONFIG, "STARTTLS");
	g_assert_false(server_has(fx, "1.json"));
}

/* Required by the server, turned off by us: its 530 to MAIL is about our
 * configuration, not about the mail, so not permanent. */
static void
test_starttls_required(struct fx *fx, gconstpointer data)
{
	(void)data;
	fx->conf.starttls = false;
	open_smtp(fx);
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_TEMP, "MAIL FROM <" FROM "> refused: 530");
}

static const struct server smtps_sink = {
	"smtp-sink.py", .tls = true, .smtps = true, .args = { NULL }
};

static void
test_smtps(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_true(send_mail(fx, ALICE));
	check_eml(fx, 1, MAIL_TEXT);
	check_json(fx, 1, (const char *const[]){ "\"tls\": true", NULL });
}

static const struct server auth_sink = {
	"smtp-sink.py", .tls = true, .auth = true, .args = { NULL }
};

static void
test_auth(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_true(send_mail(fx, ALICE));
	check_json(fx, 1, (const char *const[]){
		"\"tls\": true", "\"auth\": \"desk\"", NULL });
}

static void
test_auth_wrong(struct fx *fx, gconstpointer data)
{
	(void)data;
	fx->conf.password = "wrong";
	open_smtp(fx);
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_CONFIG, "authentication failed: 535");
	g_assert_null(strstr(fx->error->message, "wrong"));
	g_assert_false(server_has(fx, "1.json"));
}

static const struct server reject_sink = {
	"smtp-sink.py", .args = {
		"--reject", "bad@example.org=550",
		"--reject", "worse@example.org=551",
		"--reject", "later@example.org=450", NULL }
};

static void
check_refused(struct fx *fx, const char *const *expected)
{
	guint i;

	for (i = 0; expected[i] != NULL; i++) {
		g_assert_cmpuint(i, <, fx->refused->len);
		g_assert_cmpstr(fx->refused->pdata[i], ==, expected[i]);
	}
	g_assert_cmpuint(fx->refused->len, ==, i);
}

static void
test_reject_one(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_true(send_mail(fx, (const char *const[]){
		"alice@example.org", "bad@example.org", NULL }));
	check_json(fx, 1, (const char *const[]){
		"\"rcpt_tos\": [\"alice@example.org\"]", NULL });
	check_eml(fx, 1, MAIL_TEXT);
	check_refused(fx, (const char *const[]){
		"bad@example.org: 550 5.0.0 test reject", NULL });
	/* The refused one first, and two good ones after it. */
	g_ptr_array_set_size(fx->refused, 0);
	g_assert_true(send_mail(fx, (const char *const[]){
		"bad@example.org", "alice@example.org", "bob@example.org",
		NULL }));
	check_json(fx, 2, (const char *const[]){
		"\"rcpt_tos\": [\"alice@example.org\", \"bob@example.org\"]",
		NULL });
	check_refused(fx, (const char *const[]){
		"bad@example.org: 550 5.0.0 test reject", NULL });
	g_assert_false(server_has(fx, "3.json"));
}

static void
test_reject_all(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_false(send_mail(fx, (const char *const[]){
		"bad@example.org", "worse@example.org", NULL }));
	check_error(fx, MD_ERROR_DATA, "every recipient refused: "
		    "bad@example.org: 550 5.0.0 test reject; "
		    "worse@example.org: 551 5.0.0 test reject");
	g_assert_true(g_str_has_prefix(fx->error->message, fx->url));
	check_refused(fx, (const char *const[]){
		"bad@example.org: 550 5.0.0 test reject",
		"worse@example.org: 551 5.0.0 test reject", NULL });
	g_assert_false(server_has(fx, "1.json"));
	/* One recipient: the message is the refusal itself. */
	g_assert_false(send_mail(fx, (const char *const[]){
		"bad@example.org", NULL }));
	check_error(fx, MD_ERROR_DATA, "RCPT TO <bad@example.org> refused: "
		    "550 5.0.0 test reject");
}

static void
test_reject_temp(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_false(send_mail(fx, (const char *const[]){
		"later@example.org", NULL }));
	check_error(fx, MD_ERROR_TEMP, "RCPT TO <later@example.org> "
		    "deferred: 450 4.0.0 test reject");
	/* A 4xx among good ones: nobody gets it now, all at the retry. */
	g_assert_false(send_mail(fx, (const char *const[]){
		"alice@example.org", "later@example.org", NULL }));
	check_error(fx, MD_ERROR_TEMP, "450");
	/* Even after a 5xx was dropped: the retry will drop it again. */
	g_assert_false(send_mail(fx, (const char *const[]){
		"bad@example.org", "alice@example.org", "later@example.org",
		NULL }));
	check_error(fx, MD_ERROR_TEMP, "450");
	g_assert_cmpuint(fx->refused->len, ==, 0);
	g_assert_false(server_has(fx, "1.json"));
	/* And the connection is usable afterwards. */
	g_assert_true(send_mail(fx, ALICE));
	check_eml(fx, 1, MAIL_TEXT);
}

static const struct server mail_550 = {
	"smtp-scripted.sh", .args = {
		"--mail", "550 5.7.1 sender not allowed", NULL }
};
static const struct server mail_451 = {
	"smtp-scripted.sh", .args = {
		"--mail", "451 4.3.0 try again later", NULL }
};
static const struct server end_554 = {
	"smtp-scripted.sh", .args = {
		"--end", "554 5.6.0 content refused", NULL }
};

static void
test_mail_refused(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_DATA, "MAIL FROM <" FROM "> refused: "
		    "550 5.7.1 sender not allowed");
}

static void
test_mail_deferred(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_TEMP, "MAIL FROM <" FROM "> refused: "
		    "451 4.3.0 try again later");
}

static void
test_data_refused(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_false(send_mail(fx, (const char *const[]){
		"alice@example.org", "bob@example.org", NULL }));
	check_error(fx, MD_ERROR_DATA, "message refused: "
		    "554 5.6.0 content refused");
	g_assert_false(server_has(fx, "1.eml"));
}

static void
test_down(struct fx *fx, gconstpointer data)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)data;
	/* A port the kernel just gave out and nobody listens on. */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sin, &len), ==, 0);
	close(fd);
	g_free(fx->url);
	fx->url = g_strdup_printf("smtp://127.0.0.1:%d", ntohs(sin.sin_port));
	fx->conf.url = fx->url;
	open_smtp(fx);
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_TEMP, "cannot connect: ");
	g_assert_true(g_str_has_prefix(fx->error->message, fx->url));
}

/* Accepts connections (the kernel does) and never says a word. */
static void
test_hung(struct fx *fx, gconstpointer data)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	gint64 start;

	(void)data;
	fx->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fx->listen_fd, (struct sockaddr *)&sin,
			     sizeof(sin)), ==, 0);
	g_assert_cmpint(listen(fx->listen_fd, 4), ==, 0);
	g_assert_cmpint(getsockname(fx->listen_fd, (struct sockaddr *)&sin,
				    &len), ==, 0);
	g_free(fx->url);
	fx->url = g_strdup_printf("smtp://127.0.0.1:%d", ntohs(sin.sin_port));
	fx->conf.url = fx->url;
	fx->conf.timeout = 1;
	open_smtp(fx);
	start = g_get_monotonic_time();
	g_assert_false(send_mail(fx, ALICE));
	g_assert_error(fx->error, MD_ERROR, MD_ERROR_TEMP);
	g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
}

/* A CR or LF in an address must not become a second SMTP command. */
static void
test_bad_address(struct fx *fx, gconstpointer data)
{
	(void)data;
	open_smtp(fx);
	g_assert_true(send_mail(fx, (const char *const[]){
		"alice@example.org",
		"x@example.org>\r\nRCPT TO:<evil@example.org", NULL }));
	check_json(fx, 1, (const char *const[]){
		"\"rcpt_tos\": [\"alice@example.org\"]", NULL });
	g_assert_cmpuint(fx->refused->len, ==, 1);
	g_assert_false(send_text(fx, "a@b\r\nRSET", MAIL_TEXT, ALICE));
	g_assert_error(fx->error, MD_ERROR, MD_ERROR_DATA);
	g_assert_false(server_has(fx, "2.json"));
}

/* Sendmail -------------------------------------------------------------- */

struct fake {
	const char *action;	/* shell lines after argv is recorded */
	int timeout;
};

/* Writes $tmp/sendmail: records its arguments one per line in $D/argv,
 * then runs ACTION ($D is the server directory). */
static void
write_fake(struct fx *fx, const char *action)
{
	char *path = g_build_filename(fx->tmp, "sendmail", NULL);
	char *script;
	GError *error = NULL;

	script = g_strdup_printf("#!/bin/sh\n"
				 "D='%s'\n"
				 "for a in \"$@\"; do printf '%%s\\n' \"$a\"; "
				 "done > \"$D/argv\"\n"
				 "%s\n", fx->dir, action);
	g_file_set_contents(path, script, -1, &error);
	g_assert_no_error(error);
	g_assert_cmpint(g_chmod(path, 0755), ==, 0);
	g_free(script);
	fx->conf.path = path;	/* freed by sendmail_teardown */
}

static void
sendmail_setup(struct fx *fx, gconstpointer data)
{
	const struct fake *fake = data;

	setup(fx, NULL);
	write_fake(fx, fake->action);
	if (fake->timeout > 0)
		fx->conf.timeout = fake->timeout;
	open_sendmail(fx);
}

static void
sendmail_teardown(struct fx *fx, gconstpointer data)
{
	g_free(fx->conf.path);
	teardown(fx, data);
}

static const struct fake fake_ok = {
	"cat > \"$D/stdin\"; exit 0", 0
};

static void
test_sendmail_ok(struct fx *fx, gconstpointer data)
{
	char *argv, *input;

	(void)data;
	/* A recipient starting with '-' stays a recipient. */
	g_assert_true(send_mail(fx, (const char *const[]){
		"alice@example.org", "-oQ/tmp@example.org", NULL }));
	argv = server_file(fx, "argv");
	g_assert_cmpstr(argv, ==, "-i\n-f\n" FROM "\n--\nalice@example.org\n"
			"-oQ/tmp@example.org\n");
	input = server_file(fx, "stdin");
	g_assert_cmpstr(input, ==, MAIL_TEXT_LF);
	g_free(argv);
	g_free(input);
}

static void
test_sendmail_null_sender(struct fx *fx, gconstpointer data)
{
	char *argv;

	(void)data;
	g_assert_true(send_text(fx, "", MAIL_TEXT, ALICE));
	argv = server_file(fx, "argv");
	g_assert_cmpstr(argv, ==, "-i\n-f\n<>\n--\nalice@example.org\n");
	g_free(argv);
}

static const struct fake fake_75 = {
	"cat > /dev/null\n"
	"echo 'sendmail: fatal: queue file write error' >&2\n"
	"echo 'second line' >&2; exit 75", 0
};

static void
test_sendmail_tempfail(struct fx *fx, gconstpointer data)
{
	(void)data;
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_TEMP, "exit status 75: "
		    "sendmail: fatal: queue file write error");
	g_assert_null(strstr(fx->error->message, "second line"));
}

static const struct fake fake_67 = {
	"cat > /dev/null; echo 'alice: user unknown' >&2; exit 67", 0
};

static void
test_sendmail_nouser(struct fx *fx, gconstpointer data)
{
	(void)data;
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_DATA, "exit status 67: alice: user unknown");
	g_assert_true(g_str_has_prefix(fx->error->message, fx->conf.path));
}

/* It refuses without reading a mail larger than the pipe buffer: our
 * write fails (no SIGPIPE may kill us) and the status decides. */
static const struct fake fake_early = {
	"echo 'bad address' >&2; exit 65", 0
};

static GString *
big_mail(void)
{
	GString *big = g_string_new("Subject: big\r\n\r\n");
	int i;

	for (i = 0; i < 20000; i++)
		g_string_append(big, "0123456789012345678901234567890123456789"
				"0123456789012345678901234567890123\r\n");
	return big;
}

static void
test_sendmail_early_exit(struct fx *fx, gconstpointer data)
{
	GString *big = big_mail();

	(void)data;
	g_assert_false(send_text(fx, FROM, big->str, ALICE));
	check_error(fx, MD_ERROR_DATA, "exit status 65: bad address");
	g_string_free(big, TRUE);
}

/* Exit 0 without reading the mail is no proof that it was queued. */
static const struct fake fake_unread = { "exit 0", 0 };

static void
test_sendmail_unread(struct fx *fx, gconstpointer data)
{
	GString *big = big_mail();

	(void)data;
	g_assert_false(send_text(fx, FROM, big->str, ALICE));
	check_error(fx, MD_ERROR_TEMP, "cannot write the mail: ");
	g_string_free(big, TRUE);
}

static const struct fake fake_signal = { "kill -KILL $$", 0 };

static void
test_sendmail_signal(struct fx *fx, gconstpointer data)
{
	(void)data;
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_TEMP, "killed by signal 9");
}

/* The sleep is a grandchild holding our pipes after its parent is
 * killed: the wait must not last until it ends. */
static const struct fake fake_hang = { "sleep 30", 1 };

static void
test_sendmail_timeout(struct fx *fx, gconstpointer data)
{
	gint64 start = g_get_monotonic_time();

	(void)data;
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_TEMP, "no answer after 1 s");
	g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);
}

static void
test_sendmail_missing(struct fx *fx, gconstpointer data)
{
	(void)data;
	/* The transport reads the path at each send. */
	g_free(fx->conf.path);
	fx->conf.path = g_build_filename(fx->tmp, "no-such-sendmail", NULL);
	g_assert_false(send_mail(fx, ALICE));
	check_error(fx, MD_ERROR_TEMP, "no-such-sendmail: cannot run: ");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	srcdir = g_getenv("MD_SRCDIR");
	if (srcdir == NULL) {
		fprintf(stderr, "MD_SRCDIR is not set: "
			"run through make check\n");
		return 99;
	}

#define SMTP(path, srv, fn) \
	g_test_add("/smtp/" path, struct fx, srv, setup, fn, teardown)
	SMTP("plain", &sink, test_plain);
	SMTP("null-sender", &sink, test_null_sender);
	SMTP("reuse", &sink, test_reuse);
	SMTP("dropped", &dropping, test_dropped);
	SMTP("starttls", &tls_sink, test_starttls);
	SMTP("starttls-unknown-ca", &tls_sink, test_starttls_unknown_ca);
	SMTP("starttls-noverify", &tls_sink, test_starttls_noverify);
	SMTP("starttls-missing", &sink, test_starttls_missing);
	SMTP("starttls-required", &tls_sink, test_starttls_required);
	SMTP("smtps", &smtps_sink, test_smtps);
	SMTP("auth", &auth_sink, test_auth);
	SMTP("auth-wrong", &auth_sink, test_auth_wrong);
	SMTP("reject-one", &reject_sink, test_reject_one);
	SMTP("reject-all", &reject_sink, test_reject_all);
	SMTP("reject-temp", &reject_sink, test_reject_temp);
	SMTP("mail-refused", &mail_550, test_mail_refused);
	SMTP("mail-deferred", &mail_451, test_mail_deferred);
	SMTP("data-refused", &end_554, test_data_refused);
	SMTP("down", NULL, test_down);
	SMTP("hung", NULL, test_hung);
	SMTP("bad-address", &sink, test_bad_address);
#undef SMTP
#define SENDMAIL(path, fake, fn) \
	g_test_add("/sendmail/" path, struct fx, fake, sendmail_setup, fn, \
		   sendmail_teardown)
	SENDMAIL("ok", &fake_ok, test_sendmail_ok);
	SENDMAIL("null-sender", &fake_ok, test_sendmail_null_sender);
	SENDMAIL("tempfail", &fake_75, test_sendmail_tempfail);
	SENDMAIL("nouser", &fake_67, test_sendmail_nouser);
	SENDMAIL("early-exit", &fake_early, test_sendmail_early_exit);
	SENDMAIL("unread", &fake_unread, test_sendmail_unread);
	SENDMAIL("signal", &fake_signal, test_sendmail_signal);
	SENDMAIL("timeout", &fake_hang, test_sendmail_timeout);
	SENDMAIL("missing", &fake_ok, test_sendmail_missing);
#undef SENDMAIL
	return g_test_run();
}
