/* retention.c: the purge of closed tickets' personal data.  Its statements
 * are kept here rather than in store.c: they run only together, in this
 * order (the foreign keys want outbox, then messages, then raw). */
#include "config.h"

#include "db.h"
#include "log.h"
#include "retention.h"
#include "store.h"

/* An int64 from a one-row, one-column statement with ?1 = ID. */
static bool
count(struct md_db *db, const char *sql, gint64 id, guint *n_r,
      GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, sql, error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return md_db_fail(db, rc, "purge count", error);
	*n_r = sqlite3_column_int(stmt, 0);
	return true;
}

static bool
run(struct md_db *db, const char *sql, gint64 id, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, sql, error);
	int rc;

	if (stmt == NULL)
		return false;
	if (id != 0)
		sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "purge", error);
	return true;
}

/* Removes ticket ID's messages, mails and participants. */
static bool
purge_one(struct md_db *db, gint64 id, GError **error)
{
	return run(db, "DELETE FROM purge_raw", 0, error) &&
	       run(db, "INSERT OR IGNORE INTO purge_raw "
		   "SELECT raw FROM messages WHERE ticket = ?1 "
		   "UNION SELECT raw FROM outbox WHERE ticket = ?1", id,
		   error) &&
	       run(db, "DELETE FROM outbox WHERE ticket = ?1", id, error) &&
	       run(db, "DELETE FROM messages WHERE ticket = ?1", id, error) &&
	       run(db, "DELETE FROM participants WHERE ticket = ?1", id,
		   error) &&
	       /* A quarantined copy is the quarantine's to keep. */
	       run(db, "DELETE FROM raw WHERE id IN (SELECT id FROM purge_raw "
		   "EXCEPT SELECT raw FROM quarantine)", 0, error) &&
	       run(db, "UPDATE tickets SET subject = '(purged)', "
		   "requester = '', upstream_ref = NULL WHERE id = ?1", id,
		   error);
}

/* The tickets to purge, oldest first: closed before ?1, not yet purged,
 * and with nothing left to send. */
static GArray *
candidates(struct md_db *db, gint64 closed_before, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT id FROM tickets WHERE status = 'closed' "
		"AND closed_at < ?1 AND (messages > 0 OR requester != '') "
		"AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.ticket = "
		"tickets.id AND o.state = 'queued') ORDER BY id", error);
	GArray *ids;
	int rc;

	if (stmt == NULL)
		return NULL;
	ids = g_array_new(FALSE, FALSE, sizeof(gint64));
	sqlite3_bind_int64(stmt, 1, closed_before);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(stmt, 0);

		g_array_append_val(ids, id);
	}
	if (rc != SQLITE_DONE) {
		md_db_fail(db, rc, "purge select", error);
		g_array_unref(ids);
		return NULL;
	}
	return ids;
}

bool
md_retention_purge(struct md_ctx *ctx, gint64 closed_before, bool dry_run,
		   struct md_purge_stats *stats_r, GError **error)
{
	struct md_db *db = ctx->db;
	gint64 now = md_clock_now(&ctx->clock);
	GArray *ids = NULL;
	bool ok = false;

	*stats_r = (struct md_purge_stats){ 0 };
	if (!md_db_exec(db, "PRAGMA secure_delete = ON;"
			"CREATE TEMP TABLE IF NOT EXISTS purge_raw "
			"(id INTEGER PRIMARY KEY)", error) ||
	    !md_db_begin(db, error))
		return false;
	ids = candidates(db, closed_before, error);
	if (ids == NULL)
		goto out;
	for (guint i = 0; i < ids->len; i++) {
		gint64 id = g_array_index(ids, gint64, i);
		guint msgs = 0, mails = 0;
		char *what;

		if (!count(db, "SELECT count(*) FROM messages WHERE "
			   "ticket = ?1", id, &msgs, error) ||
		    !count(db, "SELECT count(*) FROM (SELECT raw FROM messages "
			   "WHERE ticket = ?1 UNION SELECT raw FROM outbox "
			   "WHERE ticket = ?1 EXCEPT SELECT raw FROM "
			   "quarantine)", id, &mails, error))
			goto out;
		what = g_strdup_printf("purged (retention): %u messages, %u "
				       "mails", msgs, mails);
		if (!dry_run && (!purge_one(db, id, error) ||
				 !md_store_event(db, id, now, what, error))) {
			g_free(what);
			goto out;
		}
		md_log_info("ticket=%" G_GINT64_FORMAT " %s%s", id, what,
			    dry_run ? " (dry run: nothing removed)" : "");
		g_free(what);
		stats_r->tickets++;
		stats_r->messages += msgs;
		stats_r->mails += mails;
	}
	ok = true;
out:
	if (ok && !dry_run)
		ok = md_db_commit(db, error);
	if (!ok || dry_run)
		md_db_rollback(db);
	if (ids != NULL)
		g_array_unref(ids);
	return ok;
}
