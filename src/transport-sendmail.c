/* transport-sendmail.c: hands the mail to the local MTA's sendmail(1).
 *
 * Runs `PATH -i -f FROM -- RCPT...` with no shell between (an address is
 * data, never a command line), writes the mail on its standard input with
 * local line ends and judges by the exit status, as an MTA reports in
 * sysexits.h codes.  Its output is read at the same time (a chatty program
 * must not fill the pipe and block us) and the first line quoted in the
 * error.  The whole exchange is bounded by conf->timeout.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sysexits.h>

#include <gio/gio.h>
#include <glib.h>

#include "conf.h"
#include "error.h"
#include "transport.h"

/* Enough of the program's output for the first line of a diagnostic. */
#define OUTPUT_MAX 4096

struct sendmail {
	struct md_transport base;
	const struct md_outbound_conf *conf;
};

/* One run of the program, driven from a private main context. */
struct run {
	GSubprocess *proc;
	GCancellable *cancel;
	int pending;		/* write, read and wait still under way */
	bool timed_out;
	GError *write_error;
	GError *wait_error;
	char output[OUTPUT_MAX];
	gsize output_len;
	char discard[512];
	bool discarding;
	GInputStream *out;
};

static void
write_done(GObject *stream, GAsyncResult *res, gpointer arg)
{
	struct run *r = arg;
	GError *error = NULL;

	/* A program that exits without reading all its input (to refuse a
	 * recipient, say) closes the pipe: judge() looks at its exit status
	 * before at this error. */
	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(stream), res,
					      NULL, &error))
		r->write_error = g_steal_pointer(&error);
	g_output_stream_close(G_OUTPUT_STREAM(stream), NULL, NULL);
	r->pending--;
}

static void read_more(struct run *r);

static void
read_done(GObject *stream, GAsyncResult *res, gpointer arg)
{
	struct run *r = arg;
	gssize n;

	n = g_input_stream_read_finish(G_INPUT_STREAM(stream), res, NULL);
	if (n <= 0) {
		r->pending--;
		return;
	}
	if (!r->discarding)
		r->output_len += n;
	read_more(r);
}

/* Keeps the first OUTPUT_MAX bytes; reads and drops the rest until end of
 * file, so that the program never blocks on a full pipe. */
static void
read_more(struct run *r)
{
	gsize room = sizeof(r->output) - 1 - r->output_len;

	r->discarding = room == 0;
	if (r->discarding)
		g_input_stream_read_async(r->out, r->discard,
					  sizeof(r->discard),
					  G_PRIORITY_DEFAULT, r->cancel,
					  read_done, r);
	else
		g_input_stream_read_async(r->out, r->output + r->output_len,
					  room, G_PRIORITY_DEFAULT, r->cancel,
					  read_done, r);
}

static void
wait_done(GObject *proc, GAsyncResult *res, gpointer arg)
{
	struct run *r = arg;

	g_subprocess_wait_finish(G_SUBPROCESS(proc), res, &r->wait_error);
	r->pending--;
}

static gboolean
timed_out(gpointer arg)
{
	struct run *r = arg;

	r->timed_out = true;
	g_subprocess_force_exit(r->proc);
	/* A grandchild may hold the pipes open: stop waiting for them. */
	g_cancellable_cancel(r->cancel);
	return G_SOURCE_REMOVE;
}

/* Sendmail reads local text: CRLF becomes LF (a lone CR stays data). */
static GString *
to_lf(const char *data, gsize len)
{
	GString *buf = g_string_sized_new(len);
	gsize i;

	for (i = 0; i < len; i++) {
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			continue;
		g_string_append_c(buf, data[i]);
	}
	return buf;
}

/* Writes BODY to the program and waits for it, at most TIMEOUT seconds. */
static void
drive(struct run *r, GString *body, int timeout)
{
	GMainContext *ctx = g_main_context_new();
	GSource *timer = NULL;
	sigset_t pipe_set, old_set;
	siginfo_t info;
	struct timespec zero = { 0, 0 };

	/* Writing to a pipe the program closed raises SIGPIPE, which would
	 * kill the daemon: block it in this thread, and swallow the one
	 * raised before unblocking, so the write just fails with EPIPE. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);

	g_main_context_push_thread_default(ctx);
	r->cancel = g_cancellable_new();
	r->out = g_subprocess_get_stdout_pipe(r->proc);
	r->pending = 3;
	g_output_stream_write_all_async(g_subprocess_get_stdin_pipe(r->proc),
					body->str, body->len,
					G_PRIORITY_DEFAULT, r->cancel,
					write_done, r);
	read_more(r);
	g_subprocess_wait_async(r->proc, r->cancel, wait_done, r);
	if (timeout > 0) {
		timer = g_timeout_source_new_seconds(timeout);
		g_source_set_callback(timer, timed_out, r, NULL);
		g_source_attach(timer, ctx);
	}
	while (r->pending > 0)
		g_main_context_iteration(ctx, TRUE);
	if (timer != NULL) {
		g_source_destroy(timer);
		g_source_unref(timer);
	}
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
	g_clear_object(&r->cancel);

	while (sigtimedwait(&pipe_set, &info, &zero) == SIGPIPE)
		continue;
	if (!sigismember(&old_set, SIGPIPE))
		pthread_sigmask(SIG_SETMASK, &old_set, NULL);
}

/* sysexits.h: 64-68 say the input is wrong (usage, data, no input, no such
 * user, no such host): that mail will never pass.  69-78 say the system
 * is (unavailable, software, OS, files, I/O, temporary, protocol,
 * permission, configuration): Postfix's sendmail exits 69 when it cannot
 * run postdrop, 75 when the queue is not writable; a fixed installation
 * lets the mail through.  Other codes have no agreed meaning: permanent,
 * as they are not announced as temporary. */
static int
exit_class(int status)
{
	if (status >= EX_UNAVAILABLE && status <= EX_CONFIG)
		return MD_ERROR_TEMP;
	return MD_ERROR_DATA;
}

/* The first line of the program's output, for the message. */
static char *
first_line(struct run *r)
{
	const char *text;
	char *line;
	gsize i, n;

	r->output[r->output_len] = '\0';
	text = r->output + strspn(r->output, " \t\r\n");
	n = strcspn(text, "\r\n");
	line = g_strstrip(g_strndup(text, n));
	for (i = 0; line[i] != '\0'; i++)
		if ((guchar)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	return line;
}

static bool
judge(const struct sendmail *sm, struct run *r, GError **error)
{
	const char *path = sm->conf->path;
	char *said = first_line(r);
	const char *sep = said[0] != '\0' ? ": " : "";
	int status;
	bool ok = false;

	if (r->timed_out) {
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "%s: no answer after %d s, killed%s%s", path,
			    sm->conf->timeout, sep, said);
	} else if (r->wait_error != NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP, "%s: %s", path,
			    r->wait_error->message);
	} else if (g_subprocess_get_if_signaled(r->proc)) {
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "%s: killed by signal %d%s%s", path,
			    g_subprocess_get_term_sig(r->proc), sep, said);
	} else if ((status = g_subprocess_get_exit_status(r->proc)) != 0) {
		g_set_error(error, MD_ERROR, exit_class(status),
			    "%s: exit status %d%s%s", path, status, sep,
			    said);
	} else if (r->write_error != NULL) {
		/* It said yes without having read the whole mail: perhaps
		 * queued a truncated one, but do not count it as sent. */
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "%s: cannot write the mail: %s", path,
			    r->write_error->message);
	} else {
		ok = true;
	}
	g_free(said);
	return ok;
}

static bool
sendmail_send(struct md_transport *t, const char *mail_from,
	      const GPtrArray *rcpts, const char *data, gsize len,
	      GPtrArray *refused, GError **error)
{
	struct sendmail *sm = (struct sendmail *)t;
	struct run r = { 0 };
	GPtrArray *argv = NULL;
	GString *body = NULL;
	GError *spawn_error = NULL;
	guint i;
	bool ok = false;

	(void)refused;	/* sendmail accepts or refuses the mail as a whole */
	if (rcpts->len == 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_DATA,
			    "%s: no recipient", sm->conf->path);
		return false;
	}
	argv = g_ptr_array_new();
	g_ptr_array_add(argv, sm->conf->path);
	/* -i: a line with a single dot is data, not the end of the mail. */
	g_ptr_array_add(argv, "-i");
	g_ptr_array_add(argv, "-f");
	/* The null sender: Sendmail, Exim and Postfix all read "<>" so
	 * (Postfix takes "" as well, Sendmail's documentation only "<>"). */
	g_ptr_array_add(argv, mail_from[0] != '\0' ? (char *)mail_from : "<>");
	/* An address starting with '-' must not be taken for an option. */
	g_ptr_array_add(argv, "--");
	for (i = 0; i < rcpts->len; i++)
		g_ptr_array_add(argv, rcpts->pdata[i]);
	g_ptr_array_add(argv, NULL);

	r.proc = g_subprocess_newv((const char *const *)argv->pdata,
				   G_SUBPROCESS_FLAGS_STDIN_PIPE |
				   G_SUBPROCESS_FLAGS_STDOUT_PIPE |
				   G_SUBPROCESS_FLAGS_STDERR_MERGE,
				   &spawn_error);
	if (r.proc == NULL) {
		/* A missing or broken installation: fixable, so retried. */
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "%s: cannot run: %s", sm->conf->path,
			    spawn_error->message);
		goto out;
	}
	body = to_lf(data, len);
	drive(&r, body, sm->conf->timeout);
	ok = judge(sm, &r, error);
out:
	g_clear_error(&spawn_error);
	g_clear_error(&r.write_error);
	g_clear_error(&r.wait_error);
	g_clear_object(&r.proc);
	if (body != NULL)
		g_string_free(body, TRUE);
	g_ptr_array_unref(argv);
	return ok;
}

static void
sendmail_free(struct md_transport *t)
{
	g_free(t);
}

static const struct md_transport_ops sendmail_ops = {
	.name = "sendmail",
	.send = sendmail_send,
	.free = sendmail_free,
};

bool
md_transport_sendmail_open(const struct md_outbound_conf *conf,
			   struct md_transport **t_r, GError **error)
{
	struct sendmail *sm;

	if (conf->path == NULL || conf->path[0] == '\0') {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "outbound sendmail: no path to the program");
		return false;
	}
	sm = g_new0(struct sendmail, 1);
	sm->base.ops = &sendmail_ops;
	sm->conf = conf;
	*t_r = &sm->base;
	return true;
}
