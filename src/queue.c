/* queue.c: the outbox and quarantine as an admin sees them.  Its
 * statements are here, not in store.c: they serve only these commands. */
#include "config.h"

#include "db.h"
#include "error.h"
#include "log.h"
#include "pipeline.h"
#include "queue.h"
#include "source.h"

static char *
text(sqlite3_stmt *stmt, int i)
{
	return g_strdup((const char *)sqlite3_column_text(stmt, i));
}

void
md_outbox_entry_free(gpointer entry)
{
	struct md_outbox_entry *e = entry;

	if (e == NULL)
		return;
	g_free(e->kind);
	g_free(e->rcpts);
	g_free(e->state);
	g_free(e->last_error);
	g_free(e);
}

bool
md_queue_outbox_list(struct md_ctx *ctx, GPtrArray *rows, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(ctx->db,
		"SELECT id, ticket, kind, rcpts, state, attempts, created, "
		"next_try, last_error FROM outbox WHERE state != 'sent' "
		"ORDER BY created, id", error);
	int rc;

	if (stmt == NULL)
		return false;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct md_outbox_entry *e = g_new0(struct md_outbox_entry, 1);

		e->id = sqlite3_column_int64(stmt, 0);
		e->ticket = sqlite3_column_int64(stmt, 1);
		e->kind = text(stmt, 2);
		e->rcpts = text(stmt, 3);
		e->state = text(stmt, 4);
		e->attempts = sqlite3_column_int(stmt, 5);
		e->created = sqlite3_column_int64(stmt, 6);
		e->next_try = sqlite3_column_int64(stmt, 7);
		e->last_error = text(stmt, 8);
		g_ptr_array_add(rows, e);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(ctx->db, rc, "read outbox", error);
	return true;
}

bool
md_queue_outbox_retry(struct md_ctx *ctx, gint64 id, guint *n_r,
		      GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(ctx->db,
		"UPDATE outbox SET next_try = ?1, "
		"attempts = CASE WHEN state = 'failed' THEN 0 ELSE attempts END, "
		"state = 'queued' "
		"WHERE (?2 = 0 AND state = 'queued') OR "
		"(id = ?2 AND state != 'sent')", error);
	int rc;

	*n_r = 0;
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, md_clock_now(&ctx->clock));
	sqlite3_bind_int64(stmt, 2, id);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(ctx->db, rc, "retry outbox", error);
	*n_r = sqlite3_changes(md_db_handle(ctx->db));
	if (id != 0 && *n_r == 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_NOTFOUND, "outbox "
			    "%" G_GINT64_FORMAT ": no such mail waiting", id);
		return false;
	}
	return true;
}

bool
md_queue_oldest(struct md_ctx *ctx, gint64 now, gint64 *age_r,
		GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(ctx->db,
		"SELECT min(created) FROM outbox WHERE state = 'queued'", error);
	int rc;

	*age_r = -1;
	if (stmt == NULL)
		return false;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		*age_r = MAX(0, now - sqlite3_column_int64(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return md_db_fail(ctx->db, rc, "read outbox", error);
	return true;
}

void
md_quarantined_clear(struct md_quarantined *q)
{
	g_clear_pointer(&q->source, g_free);
	g_clear_pointer(&q->reason, g_free);
	g_clear_pointer(&q->message_id, g_free);
	g_clear_pointer(&q->raw, g_bytes_unref);
}

bool
md_queue_quarantine_get(struct md_ctx *ctx, gint64 id,
			struct md_quarantined *q_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(ctx->db,
		"SELECT q.id, q.received, q.source, q.reason, q.message_id, "
		"r.data, q.raw FROM quarantine q JOIN raw r ON r.id = q.raw "
		"WHERE q.id = ?", error);
	int rc;

	*q_r = (struct md_quarantined){ 0 };
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		q_r->id = sqlite3_column_int64(stmt, 0);
		q_r->received = sqlite3_column_int64(stmt, 1);
		q_r->source = text(stmt, 2);
		q_r->reason = text(stmt, 3);
		q_r->message_id = text(stmt, 4);
		q_r->raw = g_bytes_new(sqlite3_column_blob(stmt, 5),
				       sqlite3_column_bytes(stmt, 5));
		q_r->raw_id = sqlite3_column_int64(stmt, 6);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, MD_ERROR, MD_ERROR_NOTFOUND, "quarantine "
			    "%" G_GINT64_FORMAT ": no such entry", id);
		return false;
	}
	if (rc != SQLITE_ROW)
		return md_db_fail(ctx->db, rc, "read quarantine", error);
	return true;
}

/* Runs one statement on entry ID (?1) in its own transaction. */
static bool
on_entry(struct md_ctx *ctx, const char *sql, gint64 id, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	if (!md_db_begin(ctx->db, error))
		return false;
	stmt = md_db_stmt(ctx->db, sql, error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		md_db_fail(ctx->db, rc, "quarantine", error);
		goto fail;
	}
	return md_db_commit(ctx->db, error);
fail:
	md_db_rollback(ctx->db);
	return false;
}

bool
md_queue_quarantine_release(struct md_ctx *ctx, gint64 id, bool *again_r,
			    GError **error)
{
	struct md_quarantined q;
	struct md_batch_stats stats = { 0 };
	GPtrArray *batch;
	gint64 raw_id;
	char *key;
	bool ok;

	*again_r = false;
	if (!md_queue_quarantine_get(ctx, id, &q, error))
		return false;
	/* The entry's body hash would make the pipeline take the mail for a
	 * duplicate of itself.  Cleared first, in its own transaction (the
	 * pipeline runs its own): after a crash the entry is still there. */
	if (!on_entry(ctx, "UPDATE quarantine SET body_hash = NULL "
		      "WHERE id = ?1", id, error)) {
		md_quarantined_clear(&q);
		return false;
	}
	key = g_strdup_printf("%" G_GINT64_FORMAT, id);
	batch = g_ptr_array_new_with_free_func(md_source_item_free);
	g_ptr_array_add(batch, md_source_item_new(key, 0,
						  g_bytes_ref(q.raw)));
	ok = md_pipeline_batch(ctx, "release", batch, &stats, error);
	raw_id = q.raw_id;
	g_ptr_array_unref(batch);
	g_free(key);
	md_quarantined_clear(&q);
	if (!ok)
		return false;
	*again_r = stats.quarantined > 0;
	return on_entry(ctx, "DELETE FROM quarantine WHERE id = ?1", id,
			error) &&
	       on_entry(ctx, "DELETE FROM raw WHERE id = ?1 AND NOT EXISTS "
			"(SELECT 1 FROM quarantine WHERE raw = ?1)",
			raw_id, error);
}

bool
md_queue_source_park(struct md_ctx *ctx, const char *name,
		     const char *message, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	if (!md_db_begin(ctx->db, error))
		return false;
	stmt = md_db_stmt(ctx->db,
		"INSERT INTO sources (name, last_error, last_error_at, parked) "
		"VALUES (?1, ?2, ?3, ?3) ON CONFLICT (name) DO UPDATE SET "
		"last_error = ?2, last_error_at = ?3, parked = ?3", error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, message, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, md_clock_now(&ctx->clock));
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		md_db_fail(ctx->db, rc, "park source", error);
		goto fail;
	}
	return md_db_commit(ctx->db, error);
fail:
	md_db_rollback(ctx->db);
	return false;
}

bool
md_queue_source_parked(struct md_ctx *ctx, const char *name,
		       gint64 *parked_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(ctx->db,
		"SELECT parked FROM sources WHERE name = ? AND parked IS NOT "
		"NULL", error);
	int rc;

	*parked_r = 0;
	if (stmt == NULL)
		return false;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*parked_r = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(ctx->db, rc, "read sources", error);
	return true;
}
