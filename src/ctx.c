/* ctx.c: opening what every operation needs. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "classify.h"
#include "conf.h"
#include "ctx.h"
#include "db.h"
#include "error.h"
#include "log.h"
#include "store.h"
#include "template.h"
#include "workday.h"

/* The calendar and the lifecycle's view of the configuration. */
static void
rules_init(struct md_ctx *ctx)
{
	const struct md_conf *conf = ctx->conf;
	int start = 0, end = 0;

	/* Validated by conf.c. */
	(void)md_workday_parse_hours(conf->office_hours, &start, &end);
	ctx->cal = md_workday_new(conf->tz, conf->workdays, conf->holidays,
				  conf->extra_holidays, start, end);
	ctx->rules = (struct md_rules){
		.notify = conf->agents_notify,
		.desk_addrs = ctx->desk_addrs,
		.upstream = conf->upstream_address,
		.upstream_relay_agents =
			g_strcmp0(conf->upstream_relay, "agents") == 0,
		.cal = ctx->cal,
		.remind_after = conf->remind_after,
		.close_after = conf->close_after,
	};
}

bool
md_ctx_open(struct md_ctx *ctx, struct md_conf *conf_take,
	    const struct md_clock *clock, GError **error)
{
	char *path = NULL;
	gint64 busy_ms;
	bool ok = false;

	memset(ctx, 0, sizeof(*ctx));
	ctx->conf = conf_take;
	ctx->clock = *clock;
	if (g_mkdir_with_parents(ctx->conf->state_dir, 0750) != 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_IO,
			    "state directory %s: cannot create it: %s",
			    ctx->conf->state_dir, g_strerror(errno));
		goto out;
	}
	path = g_build_filename(ctx->conf->state_dir, "maildesk.db", NULL);
	busy_ms = MIN((gint64)ctx->conf->busy_timeout * 1000, G_MAXINT);
	if (!md_db_open(path, (int)busy_ms, &ctx->db, error))
		goto out;
	if (!md_store_secret(ctx->db, &ctx->secret, error))
		goto out;
	ctx->templates = md_templates_new(ctx->conf->templates_dir,
					  ctx->conf->language);
	ctx->desk_addrs = md_conf_desk_addresses(ctx->conf);
	rules_init(ctx);
	ctx->poison_subject = g_getenv("MAILDESK_TEST_POISON_SUBJECT");
	if (md_classify_trusts_from(ctx->conf))
		md_log_warn("%s: agents.trust = \"from\": anyone who writes "
			    "From: an agent's address acts as an agent; set "
			    "agents.trusted_authserv_id and remove it",
			    ctx->conf->file);
	ok = true;
out:
	g_free(path);
	return ok;
}

void
md_ctx_clear(struct md_ctx *ctx)
{
	g_clear_pointer(&ctx->desk_addrs, g_ptr_array_unref);
	g_clear_pointer(&ctx->cal, md_workday_free);
	md_templates_free(ctx->templates);
	g_clear_pointer(&ctx->secret, g_bytes_unref);
	md_db_close(ctx->db);
	md_conf_free(ctx->conf);
	memset(ctx, 0, sizeof(*ctx));
}
