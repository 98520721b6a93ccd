/* ctx.h: what every operation needs, carried explicitly (no globals below
 * the front ends): the configuration, the one clock, the database and the
 * installation secret that signs our Message-IDs. */
#ifndef MD_CTX_H
#define MD_CTX_H

#include <glib.h>
#include <stdbool.h>

#include "clock.h"
#include "lifecycle.h"

struct md_conf;
struct md_db;
struct md_templates;
struct md_workday;

struct md_ctx {
	struct md_conf *conf;	/* owned */
	struct md_clock clock;
	struct md_db *db;	/* owned */
	GBytes *secret;		/* owned; HMAC key for Message-IDs */
	struct md_templates *templates;	/* owned */
	GPtrArray *desk_addrs;	/* the desk address and aliases (borrowed
				 * from conf), never written to */
	struct md_workday *cal;	/* owned; working days in desk.timezone */
	struct md_rules rules;	/* for the lifecycle, borrowed from the
				 * above */
	/* Test hook (fault injection): a mail with this subject fails as
	 * bad data after its rows were written; NULL normally. */
	const char *poison_subject;
	/* ingest --no-mail: tickets change as they would, nothing is
	 * queued (old mail imported without writing to anyone). */
	bool no_mail;
	/* Set by md_pipeline_drain for its run: PROGRESS is called between
	 * two messages of a batch (the daemon dispatches its signals
	 * there), then STOP is read: non-zero (SIGTERM) ends the batch. */
	const volatile gint *stop;
	void (*progress)(guint done, gpointer data);
	gpointer progress_data;
	guint progress_done;	/* messages taken before this batch */
};

/* Takes CONF, copies CLOCK, opens (creating, migrating) the database in
 * conf->state_dir and loads or creates the secret. */
bool md_ctx_open(struct md_ctx *ctx, struct md_conf *conf_take,
		 const struct md_clock *clock, GError **error);

/* Releases everything; safe on a zeroed or cleared ctx. */
void md_ctx_clear(struct md_ctx *ctx);

#endif
