/* attention.c: one mail to the supervisors when a source is parked
 * (attention.h). */
#include "config.h"

#include <string.h>

#include "attention.h"
#include "clock.h"
#include "compose.h"
#include "conf.h"
#include "ctx.h"
#include "db.h"
#include "outbox.h"
#include "store.h"
#include "template.h"

static char *
meta_key(const char *source)
{
	return g_strconcat("attention:", source, NULL);
}

static bool
queue(struct md_ctx *ctx, const char *source, const char *problem,
      guint *queued_r, GError **error)
{
	const struct md_conf *conf = ctx->conf;
	const char *tmpl = md_templates_get(ctx->templates, "attention",
					    error);
	GHashTable *vars;
	char *subject, *text;
	bool ok = true;

	if (tmpl == NULL)
		return false;
	vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
	g_hash_table_insert(vars, "source", g_strdup(source));
	g_hash_table_insert(vars, "problem", g_strdup(problem));
	g_hash_table_insert(vars, "desk_name", g_strdup(conf->desk_name));
	g_hash_table_insert(vars, "from_name", g_strdup(conf->from_name));
	text = md_template_render(tmpl, vars);
	subject = g_strdup_printf(strcmp(conf->language, "fr") == 0 ?
				  "[%s] Intervention nécessaire : %s" :
				  "[%s] Needs attention: %s",
				  conf->desk_name, source);
	for (guint i = 0; ok && conf->supervisors != NULL &&
	     i < conf->supervisors->len; i++) {
		GPtrArray *to = g_ptr_array_new();
		struct md_outmail m = {
			.from_name = conf->from_name,
			.from_addr = conf->desk_address, .to = to,
			.subject = subject, .date = md_clock_now(&ctx->clock),
			.tz = conf->tz, .text = text,
			.auto_submitted = "auto-generated",
			.loop = conf->desk_address,
		};

		g_ptr_array_add(to, g_ptr_array_index(conf->supervisors, i));
		ok = md_outbox_queue_mail(ctx, "attention", &m, error);
		g_ptr_array_unref(to);
		if (ok)
			(*queued_r)++;
	}
	g_hash_table_unref(vars);
	g_free(subject);
	g_free(text);
	return ok;
}

bool
md_attention_raise(struct md_ctx *ctx, const char *source,
		   const char *problem, guint *queued_r, GError **error)
{
	char *key = meta_key(source);
	gint64 since = 0;
	bool ok = false;

	*queued_r = 0;
	if (!md_db_begin(ctx->db, error))
		goto out;
	if (!md_store_meta_get_int(ctx->db, key, &since, error))
		goto fail;
	if (since == 0 &&
	    (!queue(ctx, source, problem, queued_r, error) ||
	     !md_store_meta_set_int(ctx->db, key, md_clock_now(&ctx->clock),
				    error)))
		goto fail;
	ok = md_db_commit(ctx->db, error);
	if (ok)
		goto out;
fail:
	md_db_rollback(ctx->db);
	*queued_r = 0;
out:
	g_free(key);
	return ok;
}

bool
md_attention_clear(struct md_ctx *ctx, const char *source, GError **error)
{
	char *key = meta_key(source);
	gint64 since = 0;
	bool ok;

	ok = md_store_meta_get_int(ctx->db, key, &since, error);
	if (ok && since != 0)
		ok = md_store_meta_set_int(ctx->db, key, 0, error);
	g_free(key);
	return ok;
}
