/* maildeskd.c: the daemon; a thin shell over the library (style 2.5).
 *
 * One GMainLoop drives three things: each inbound source (drain at start,
 * then wait on its fd and/or timeout, drain again; capped exponential
 * backoff after a failure, parked after a configuration failure until
 * SIGHUP), the outbox sender (after a drain that queued
 * mail and when the next row is due) and the once-a-minute timer sweep.
 * Signals arrive as loop events (g_unix_signal_add): SIGTERM/SIGINT stop
 * after the message in hand, SIGHUP reloads the configuration.  Drains run
 * synchronously inside loop callbacks: libetpan blocks, and its timeouts
 * bound how long.  Foreground only: systemd (Type=notify) supervises us.
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gmime/gmime.h>

#include "attention.h"
#include "clock.h"
#include "conf.h"
#include "ctx.h"
#include "db.h"
#include "error.h"
#include "log.h"
#include "outbox.h"
#include "pipeline.h"
#include "queue.h"
#include "retention.h"
#include "source.h"
#include "spool.h"
#include "tick.h"
#include "transport.h"

#define BACKOFF_MAX	300	/* s between retries of a failing source */
#define OUTBOX_MAX_WAIT	30	/* look at the outbox at least this often */
#define FLUSH_CHUNK	50	/* mails per flush call; stop is seen between */
#define SWEEP_EVERY	60
/* Delivers drop their mail into the spool one file at a time: drained at
 * each file, every mail was a transaction of its own, as costly as the
 * deliver that no longer commits it.  After a wake-up the daemon lets the
 * spool fill this long, then stores what came in one batch. */
#define SPOOL_SETTLE_MS	100

struct daemon;

/* One inbound source and where it stands in drain -> wait -> drain. */
struct src_state {
	struct daemon *d;
	const struct md_inbound_conf *conf;	/* borrowed from d->ctx.conf */
	struct md_source *src;	/* NULL until opened */
	guint fd_tag;		/* G_IO_IN watch during a wait */
	guint timer_tag;	/* wait timeout or retry timer */
	guint backoff;		/* last retry delay in s; 0 after a success */
	bool waiting;		/* between wait_begin and wait_end */
	bool first_wait;
	guint settle_ms;	/* after a wake-up, wait this long to drain */
};

struct daemon {
	const char *conf_path;	/* -c, or NULL: default file or built-in */
	struct md_clock clock;
	struct md_ctx ctx;
	GPtrArray *sources;	/* struct src_state *, owned */
	/* maildesk deliver's spool (spool.h): its source, and the lock
	 * that tells delivers we read it (-1: not held, as in --once) */
	struct md_inbound_conf *spool_in;
	int spool_lock;
	struct md_transport *transport;	/* kept open between flushes */
	GMainLoop *loop;
	GMainContext *sigctx;
	GSource *sig_sources[2];	/* SIGTERM, SIGINT on sigctx */
	guint sig_tags[3];	/* SIGTERM, SIGINT, SIGHUP on the loop */
	guint outbox_tag;
	guint sweep_tag;
	gint stop;		/* read by drain and flush between messages */
	bool once;
	int rc;			/* exit code; --once: of the first failure */
};

static void source_start(struct src_state *s);

/* sd_notify(3) without libsystemd (not installed here; Redis does the
 * same when it is absent): one datagram to $NOTIFY_SOCKET, whose '@'
 * prefix means the Linux abstract namespace. */
static void
notify(const char *state)
{
	const char *path = g_getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	size_t n;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sa.sun_path)) {
		md_log_warn("NOTIFY_SOCKET %s: name too long", path);
		return;
	}
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + n;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, state, strlen(state), MSG_NOSIGNAL,
			     (struct sockaddr *)&sa, len) < 0)
		md_log_warn_errno("NOTIFY_SOCKET %s: cannot send %s", path,
				  state);
	if (fd >= 0)
		close(fd);
}

/* g_timeout_add_seconds rounds to whole seconds of a shared clock, which
 * would turn "now" into "within a second". */
static guint
add_timer(guint secs, GSourceFunc fn, gpointer data)
{
	if (secs == 0)
		return g_timeout_add(0, fn, data);
	return g_timeout_add_seconds(secs, fn, data);
}

/* Dispatches SIGTERM/SIGINT that arrived during a drain or flush: the loop
 * cannot, as it is busy running us, so the sources on SIGCTX set the stop
 * flag that the library reads between messages. */
static void
check_signals(struct daemon *d)
{
	while (g_main_context_iteration(d->sigctx, FALSE))
		;
}

static void
on_progress(guint done, gpointer data)
{
	(void)done;
	check_signals(data);
}

/* Outbox sender ------------------------------------------------------- */

static gboolean on_outbox(gpointer data);

static void
schedule_flush(struct daemon *d, guint secs)
{
	if (d->stop)
		return;
	if (d->outbox_tag != 0)
		g_source_remove(d->outbox_tag);
	d->outbox_tag = add_timer(secs, on_outbox, d);
}

/* The next look at the outbox: when its next row is due, at least every
 * OUTBOX_MAX_WAIT s (mail queued by `maildesk` on the same database). */
static guint
next_flush_delay(struct daemon *d)
{
	gint64 due = -1, now = md_clock_now(&d->ctx.clock);
	GError *error = NULL;

	if (!md_outbox_next_due(&d->ctx, &due, &error)) {
		md_log_warn("outbox: %s", error->message);
		g_error_free(error);
		return OUTBOX_MAX_WAIT;
	}
	if (due < 0 || due - now >= OUTBOX_MAX_WAIT)
		return OUTBOX_MAX_WAIT;
	/* Due now yet not sent (stopped, or more than a chunk): soon, but
	 * never a busy loop. */
	return due <= now ? 1 : (guint)(due - now);
}

/* Sends what is due, FLUSH_CHUNK mails at a time.  The transport stays
 * open so that SMTP reuses its connection; after a temporary failure it
 * is dropped, as the connection may be what failed. */
static bool
flush(struct daemon *d, GError **error)
{
	struct md_outbox_stats stats = { 0 };
	guint before, total = 0;

	do {
		if (d->transport == NULL &&
		    !md_transport_open(&d->ctx.conf->outbound, &d->transport,
				       error))
			return false;
		before = total;
		if (!md_outbox_flush(&d->ctx, d->transport, FLUSH_CHUNK,
				     &d->stop, &stats, error)) {
			g_clear_pointer(&d->transport, md_transport_free);
			return false;
		}
		if (stats.deferred > 0)
			g_clear_pointer(&d->transport, md_transport_free);
		total = stats.sent + stats.deferred + stats.failed;
		check_signals(d);
	} while (!d->stop && stats.deferred == 0 &&
		 total - before == FLUSH_CHUNK);
	if (total > 0)
		md_log_info("outbox: %u sent, %u deferred, %u failed",
			    stats.sent, stats.deferred, stats.failed);
	return true;
}

static gboolean
on_outbox(gpointer data)
{
	struct daemon *d = data;
	GError *error = NULL;

	d->outbox_tag = 0;
	if (!flush(d, &error)) {
		md_log_warn("outbox: %s; retrying in %d s", error->message,
			    OUTBOX_MAX_WAIT);
		g_error_free(error);
		schedule_flush(d, OUTBOX_MAX_WAIT);
	} else {
		schedule_flush(d, next_flush_delay(d));
	}
	return G_SOURCE_REMOVE;
}

/* Timer sweep --------------------------------------------------------- */

/* retention.closed_after_days: the purge of `maildesk purge`, at start and
 * then hourly (its query reads every closed ticket). */
static void
retention(struct daemon *d)
{
	static gint64 last;
	struct md_purge_stats stats;
	int days = d->ctx.conf->retention_closed_after_days;
	gint64 now = md_clock_now(&d->ctx.clock);
	GError *error = NULL;

	if (days <= 0 || (last != 0 && now - last < 3600))
		return;
	if (!md_retention_purge(&d->ctx, now - (gint64)days * 86400, false,
				&stats, &error)) {
		md_log_warn("retention: %s; again at the next sweep",
			    error->message);
		g_error_free(error);
		return;
	}
	last = now;
	if (stats.tickets > 0)
		md_log_info("retention: purged %u tickets closed more than %d "
			    "days ago (%u messages, %u mails)", stats.tickets,
			    days, stats.messages, stats.mails);
}

/* Reminders, closes and digests (spec 6): the same code as `maildesk
 * tick`, every SWEEP_EVERY seconds and once at start, so that a daemon
 * that was down catches up at once.  What it queues goes out now. */
static void
sweep(struct daemon *d)
{
	struct md_tick_stats stats = { 0 };
	GError *error = NULL;

	if (d->stop)
		return;
	retention(d);
	if (!md_tick_run(&d->ctx, &stats, &error)) {
		/* A locked database is the next sweep's work. */
		md_log_warn("timers: %s; again in %d s", error->message,
			    SWEEP_EVERY);
		g_error_free(error);
		return;
	}
	if (stats.reminders + stats.closed + stats.digests > 0 && !d->once)
		schedule_flush(d, 0);
}

static gboolean
on_sweep(gpointer data)
{
	sweep(data);
	return G_SOURCE_CONTINUE;
}

/* Inbound sources ----------------------------------------------------- */

static void
clear_wait(struct src_state *s)
{
	if (s->fd_tag != 0)
		g_source_remove(s->fd_tag);
	if (s->timer_tag != 0)
		g_source_remove(s->timer_tag);
	s->fd_tag = s->timer_tag = 0;
}

static gboolean
on_retry(gpointer data)
{
	struct src_state *s = data;

	s->timer_tag = 0;
	source_start(s);
	return G_SOURCE_REMOVE;
}

/* The supervisors hear of a parked source once (attention.h). */
static void
tell_supervisors(struct src_state *s, const char *problem)
{
	GError *error = NULL;
	guint queued = 0;

	if (!md_attention_raise(&s->d->ctx, s->conf->name, problem, &queued,
				&error)) {
		md_log_warn("%s: cannot tell the supervisors: %s",
			    s->conf->name, error->message);
		g_error_free(error);
	} else if (queued > 0) {
		md_log_info("%s: %u supervisor(s) told", s->conf->name,
			    queued);
		schedule_flush(s->d, 0);
	}
}

/* A failure that waiting will not fix (a refused login or certificate, a
 * missing mailbox: isync's FAIL_FINAL): one line, the source parked until
 * SIGHUP reloads the configuration (other sources go on), and stats says
 * it needs attention.  ERROR is taken. */
static void
park(struct src_state *s, const char *name, const char *sep, GError *error)
{
	GError *local = NULL;

	md_log_error("%s%s%s; source parked: fix the configuration, then "
		     "reload (systemctl reload maildeskd)", name, sep,
		     error->message);
	if (!md_queue_source_park(&s->d->ctx, s->conf->name, error->message,
				  &local)) {
		md_log_warn("%s: %s", s->conf->name, local->message);
		g_error_free(local);
	}
	/* The daemon's supervisors hear of it once; --once is a check
	 * run by hand, whose operator sees the line above. */
	if (!s->d->once)
		tell_supervisors(s, error->message);
	if (s->d->once && s->d->rc == EX_OK)
		s->d->rc = md_error_exit(error);
	g_error_free(error);
	clear_wait(s);
	s->waiting = false;
}

/* Logs ERROR (taken) once and retries after 1, 2, 4 ... BACKOFF_MAX s:
 * a broken source never takes the daemon (nor the other sources) down.
 * The source reconnects by itself on the next fetch. */
static void
source_fail(struct src_state *s, GError *error)
{
	/* Errors name their object first; the source's errors usually
	 * start with its URL already. */
	const char *name = g_str_has_prefix(error->message, s->conf->name)
		? "" : s->conf->name;
	const char *sep = name[0] != '\0' ? ": " : "";

	if (error->domain == MD_ERROR && error->code == MD_ERROR_CONFIG) {
		park(s, name, sep, error);
		return;
	}
	s->backoff = s->backoff == 0 ? 1 : MIN(s->backoff * 2, BACKOFF_MAX);
	if (s->d->once) {
		md_log_warn("%s%s%s", name, sep, error->message);
		if (s->d->rc == EX_OK)
			s->d->rc = md_error_exit(error);
	} else {
		md_log_warn("%s%s%s; retrying in %u s", name, sep,
			    error->message, s->backoff);
	}
	g_error_free(error);
	clear_wait(s);
	s->waiting = false;
	if (!s->d->stop && !s->d->once)
		s->timer_tag = add_timer(s->backoff, on_retry, s);
}

static gboolean on_wake_fd(int fd, GIOCondition cond, gpointer data);
static gboolean on_wake_timer(gpointer data);

static void
source_wait(struct src_state *s)
{
	GError *error = NULL;
	guint timeout = 0;
	int fd = -1;

	if (!md_source_wait_begin(s->src, &fd, &timeout, &error)) {
		source_fail(s, error);
		return;
	}
	s->waiting = true;
	if (fd >= 0)
		s->fd_tag = g_unix_fd_add(fd, G_IO_IN, on_wake_fd, s);
	/* The maildir's watch exists from the first wait_begin on: mail
	 * dropped between the start-up drain and it would otherwise wait
	 * for the timeout.  So the first wait ends at once. */
	if (s->first_wait)
		timeout = 0;
	else if (timeout == 0)
		timeout = 1;
	s->first_wait = false;
	s->timer_tag = add_timer(timeout, on_wake_timer, s);
}

static void
source_drain(struct src_state *s)
{
	struct daemon *d = s->d;
	struct md_batch_stats stats = { 0 };
	GError *error = NULL;
	guint batch = s->conf->batch_size > 0 ? s->conf->batch_size : 200;

	if (!md_pipeline_drain(&d->ctx, s->src, batch, &d->stop, on_progress,
			       d, &stats, &error)) {
		source_fail(s, error);
		goto out;
	}
	s->backoff = 0;
	if (!md_attention_clear(&d->ctx, s->conf->name, &error)) {
		md_log_warn("%s: %s", s->conf->name, error->message);
		g_clear_error(&error);
	}
	if (stats.stored + stats.duplicates + stats.quarantined > 0)
		md_log_info("%s: %u stored (%u new tickets), %u duplicates, "
			    "%u quarantined", s->conf->name, stats.stored,
			    stats.tickets_created, stats.duplicates,
			    stats.quarantined);
	if (!d->stop && !d->once)
		source_wait(s);
out:
	/* Even a failed drain may have committed batches before failing. */
	if (stats.queued > 0 && !d->once)
		schedule_flush(d, 0);
}

static void
source_wake(struct src_state *s)
{
	GError *error = NULL;

	clear_wait(s);
	s->waiting = false;
	if (!md_source_wait_end(s->src, &error)) {
		source_fail(s, error);
		return;
	}
	source_drain(s);
}

static gboolean
on_wake_fd(int fd, GIOCondition cond, gpointer data)
{
	struct src_state *s = data;
	(void)fd;
	(void)cond;

	s->fd_tag = 0;
	if (s->settle_ms > 0) {
		if (s->timer_tag != 0)
			g_source_remove(s->timer_tag);
		s->timer_tag = g_timeout_add(s->settle_ms, on_wake_timer, s);
		return G_SOURCE_REMOVE;
	}
	source_wake(s);
	return G_SOURCE_REMOVE;
}

static gboolean
on_wake_timer(gpointer data)
{
	struct src_state *s = data;

	s->timer_tag = 0;
	source_wake(s);
	return G_SOURCE_REMOVE;
}

/* Opens the source if it is not (first start, or opening failed) and
 * drains it. */
static void
source_start(struct src_state *s)
{
	GError *error = NULL;

	if (s->src == NULL &&
	    !md_source_open(s->conf, &s->src, &error)) {
		source_fail(s, error);
		return;
	}
	source_drain(s);
}

static void
src_state_free(gpointer data)
{
	struct src_state *s = data;
	GError *error = NULL;

	clear_wait(s);
	/* An IMAP source in IDLE says DONE before it logs out. */
	if (s->waiting && !md_source_wait_end(s->src, &error)) {
		md_log_debug("%s: %s", s->conf->name, error->message);
		g_error_free(error);
	}
	md_source_free(s->src);
	g_free(s);
}

static void
sources_build(struct daemon *d)
{
	const GPtrArray *in = d->ctx.conf->inbound;
	guint n = in != NULL ? in->len : 0;

	d->sources = g_ptr_array_new_with_free_func(src_state_free);
	for (guint i = 0; i <= n; i++) {
		struct src_state *s = g_new0(struct src_state, 1);

		s->d = d;
		/* Last, the spool of maildesk deliver. */
		s->conf = i < n ? g_ptr_array_index(in, i) : d->spool_in;
		s->settle_ms = i < n ? 0 : SPOOL_SETTLE_MS;
		s->first_wait = true;
		g_ptr_array_add(d->sources, s);
	}
}

/* The live daemon tells delivers to spool; --once only takes what a
 * stopped daemon left there (a deliver during it stores the mail
 * itself, which the next --once might be too late for). */
static void
spool_start(struct daemon *d)
{
	GError *error = NULL;

	d->spool_in = md_spool_source_new(d->ctx.conf);
	if (d->once)
		return;
	if (!md_spool_hold(d->ctx.conf, &d->spool_lock, &error)) {
		/* Delivers then store the mail themselves: slower, fine. */
		md_log_warn("%s", error->message);
		g_error_free(error);
		return;
	}
	md_log_info("maildesk deliver spools into %s", d->spool_in->path);
}

/* Everything that borrows from the context, before it goes. */
static void
teardown(struct daemon *d)
{
	g_clear_pointer(&d->sources, g_ptr_array_unref);
	md_spool_release(d->spool_lock);
	d->spool_lock = -1;
	g_clear_pointer(&d->spool_in, md_spool_source_free);
	g_clear_pointer(&d->transport, md_transport_free);
	if (d->outbox_tag != 0)
		g_source_remove(d->outbox_tag);
	d->outbox_tag = 0;
}

/* Drains every source, then flushes what they queued.  In --once mode
 * that is all; else each source goes on waiting. */
static void
start_all(struct daemon *d)
{
	spool_start(d);
	sources_build(d);
	for (guint i = 0; i < d->sources->len && !d->stop; i++)
		source_start(g_ptr_array_index(d->sources, i));
	if (!d->once)
		schedule_flush(d, 0);
}

/* Signals ------------------------------------------------------------- */

static gboolean
on_stop(gpointer data)
{
	struct daemon *d = data;

	/* Both contexts see the signal: act once. */
	if (!g_atomic_int_get(&d->stop)) {
		g_atomic_int_set(&d->stop, 1);
		md_log_info("stopping");
		if (!d->once)
			notify("STOPPING=1");
	}
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

/* spec 7, style 2.5: a new configuration replaces the running one only if
 * it loads and its database opens; else the old one goes on. */
static gboolean
on_reload(gpointer data)
{
	struct daemon *d = data;
	struct md_conf *conf = NULL;
	struct md_ctx ctx = { 0 };
	GError *error = NULL;
	char **lines;

	if (!md_conf_find(d->conf_path, &conf, &error) ||
	    !md_conf_load_secrets(conf, MD_SECRETS_ALL, &error) ||
	    !md_ctx_open(&ctx, g_steal_pointer(&conf), &d->clock, &error)) {
		md_conf_free(conf);
		md_log_error("configuration not reloaded, the running one "
			     "stays:");
		g_strchomp(error->message);
		lines = g_strsplit(error->message, "\n", -1);
		for (char **l = lines; *l != NULL; l++)
			md_log_error("%s", *l);
		g_strfreev(lines);
		g_error_free(error);
		md_ctx_clear(&ctx);
		return G_SOURCE_CONTINUE;
	}
	teardown(d);
	md_ctx_clear(&d->ctx);
	d->ctx = ctx;
	md_db_checkpoint_on_close(d->ctx.db);
	md_log_info("configuration reloaded from %s", d->ctx.conf->file);
	start_all(d);
	return G_SOURCE_CONTINUE;
}

static void
signals_add(struct daemon *d)
{
	static const int stops[] = { SIGTERM, SIGINT };

	d->sigctx = g_main_context_new();
	for (guint i = 0; i < G_N_ELEMENTS(stops); i++) {
		d->sig_tags[i] = g_unix_signal_add(stops[i], on_stop, d);
		d->sig_sources[i] = g_unix_signal_source_new(stops[i]);
		g_source_set_callback(d->sig_sources[i], on_stop, d, NULL);
		g_source_attach(d->sig_sources[i], d->sigctx);
	}
	d->sig_tags[2] = g_unix_signal_add(SIGHUP, on_reload, d);
}

static void
signals_remove(struct daemon *d)
{
	for (guint i = 0; i < G_N_ELEMENTS(d->sig_tags); i++)
		if (d->sig_tags[i] != 0)
			g_source_remove(d->sig_tags[i]);
	for (guint i = 0; i < G_N_ELEMENTS(d->sig_sources); i++) {
		if (d->sig_sources[i] == NULL)
			continue;
		g_source_destroy(d->sig_sources[i]);
		g_source_unref(d->sig_sources[i]);
	}
	g_clear_pointer(&d->sigctx, g_main_context_unref);
}

/* Start-up ------------------------------------------------------------ */

static bool
write_pidfile(const char *path)
{
	char *text = g_strdup_printf("%ld\n", (long)getpid());
	GError *error = NULL;
	bool ok = g_file_set_contents(path, text, -1, &error);

	if (!ok) {
		fprintf(stderr, "maildeskd: pid file %s: %s\n", path,
			error->message);
		g_error_free(error);
	}
	g_free(text);
	return ok;
}

struct options {
	char *conf_path;
	char *pidfile;
	char *now;
	gboolean syslog;
	gboolean verbose;
	gboolean once;
	gboolean version;
};

/* Returns -1 to go on, else the exit code. */
static int
parse_options(struct options *o, int *argc, char ***argv)
{
	const GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->conf_path,
		  "configuration file (default " MD_CONF_DEFAULT_PATH
		  ", else the built-in example)", "FILE" },
		{ "syslog", 0, 0, G_OPTION_ARG_NONE, &o->syslog,
		  "log to syslog (facility mail) instead of stderr", NULL },
		{ "pidfile", 0, 0, G_OPTION_ARG_FILENAME, &o->pidfile,
		  "write the process id to FILE, removed at exit", "FILE" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
		  "log debug messages", NULL },
		{ "once", 0, 0, G_OPTION_ARG_NONE, &o->once,
		  "drain every source, run the timers and flush the outbox "
		  "once, then exit",
		  NULL },
		{ "now", 0, 0, G_OPTION_ARG_STRING, &o->now,
		  "fix the clock at TIME (RFC 3339)", "TIME" },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &o->version,
		  "print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *oc = g_option_context_new("- the maildesk daemon");
	GError *error = NULL;
	int rc = -1;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, argc, argv, &error)) {
		fprintf(stderr, "maildeskd: %s (try -h)\n", error->message);
		g_error_free(error);
		rc = EX_USAGE;
	} else if (*argc > 1) {
		fprintf(stderr, "maildeskd: unexpected argument '%s'\n",
			(*argv)[1]);
		rc = EX_USAGE;
	} else if (o->version) {
		printf("maildeskd %s\n", PACKAGE_VERSION);
		rc = EX_OK;
	}
	g_option_context_free(oc);
	return rc;
}

/* The exit code: the first configuration is EX_CONFIG when it fails (the
 * unit's Restart= cannot fix it); other start-up failures, and in --once
 * mode a failing source, per md_error_exit. */
static int
run(struct daemon *d, const struct options *o)
{
	struct md_conf *conf = NULL;
	GError *error = NULL;

	md_clock_init_real(&d->clock);
	if (o->now != NULL && !md_clock_init_fixed(&d->clock, o->now, &error))
		goto out;
	if (!md_conf_find(d->conf_path, &conf, &error) ||
	    !md_conf_load_secrets(conf, MD_SECRETS_ALL, &error)) {
		g_strchomp(error->message);
		fprintf(stderr, "maildeskd: %s\n", error->message);
		g_clear_error(&error);
		md_conf_free(conf);
		return EX_CONFIG;
	}
	if (!md_ctx_open(&d->ctx, conf, &d->clock, &error))
		goto out;
	/* The daemon folds the WAL back at exit (CLI commands do not). */
	md_db_checkpoint_on_close(d->ctx.db);
	signals_add(d);
	d->loop = g_main_loop_new(NULL, FALSE);
	md_log_info("starting with %s, %u inbound source(s)",
		    d->ctx.conf->file, d->ctx.conf->inbound != NULL
		    ? d->ctx.conf->inbound->len : 0);
	start_all(d);
	sweep(d);
	if (d->once) {
		flush(d, &error);
		goto out;
	}
	d->sweep_tag = g_timeout_add_seconds(SWEEP_EVERY, on_sweep, d);
	if (!d->stop) {
		notify("READY=1");
		g_main_loop_run(d->loop);
	}
	md_log_info("stopped");
out:
	if (error != NULL) {
		md_log_error("%s", error->message);
		d->rc = md_error_exit(error);
		g_error_free(error);
	}
	return d->rc;
}

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	struct daemon d = { 0 };
	bool pidfile = false;
	int rc;

	setlocale(LC_ALL, "");
	/* A server that drops the connection while libetpan or gnutls
	 * writes must cost an EPIPE and a retry, not the daemon. */
	signal(SIGPIPE, SIG_IGN);
	rc = parse_options(&o, &argc, &argv);
	if (rc >= 0)
		goto out;
	md_log_init("maildeskd", o.syslog ? MD_LOG_SYSLOG : MD_LOG_STDERR,
		    o.verbose);
	md_log_mail_lines(true);
	if (o.pidfile != NULL && !(pidfile = write_pidfile(o.pidfile))) {
		rc = EX_CANTCREAT;
		goto out;
	}
	d.conf_path = o.conf_path;
	d.once = o.once;
	d.spool_lock = -1;
	g_mime_init();
	rc = run(&d, &o);
	if (d.sweep_tag != 0)
		g_source_remove(d.sweep_tag);
	teardown(&d);
	md_ctx_clear(&d.ctx);
	signals_remove(&d);
	g_clear_pointer(&d.loop, g_main_loop_unref);
	g_mime_shutdown();
out:
	if (pidfile && unlink(o.pidfile) != 0)
		md_log_warn_errno("pid file %s: cannot remove", o.pidfile);
	g_free(o.conf_path);
	g_free(o.pidfile);
	g_free(o.now);
	return rc;
}
