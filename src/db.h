/* db.h: the SQLite database: open, WAL, migrations, transactions, and a
 * cache of prepared statements.
 *
 * Every SQL statement of maildesk lives in store.c; this module only runs
 * them.  SQLite errors become GErrors whose code tells the caller what to
 * do: busy, locked, full or I/O errors are MD_ERROR_TEMP (the MTA or the
 * source retries), anything else MD_ERROR_INTERNAL.
 */
#ifndef MD_DB_H
#define MD_DB_H

#include <glib.h>
#include <sqlite3.h>
#include <stdbool.h>

struct md_db;

/* Opens (creating) PATH in WAL mode with synchronous=FULL and migrates the
 * schema forward.  A schema newer than this program is refused.  A current
 * schema is checked by a read: no write lock is taken.  A database locked
 * by another writer is waited for BUSY_MS milliseconds, then reported as
 * MD_ERROR_TEMP (deliver exits 75: the MTA retries). */
bool md_db_open(const char *path, int busy_ms, struct md_db **db_r,
		GError **error);
/* The last connection to close checkpoints the WAL into the database
 * and removes it only after this call (the daemon, maildesk send); other
 * commands leave that to wal_autocheckpoint, so that a deliver writes its
 * pages once. */
void md_db_checkpoint_on_close(struct md_db *db);
/* For a short-lived writer (deliver): after a commit that leaves the WAL
 * at BYTES of pages or more, copies it into the database and truncates it,
 * instead of wal_autocheckpoint's checkpoint (see db.c).  A process that
 * opens a database no other process holds open finds the WAL's index
 * gone: it reads the whole WAL to rebuild it, and counts none of its
 * pages as copied, so the WAL never restarts; truncating it bounds both. */
void md_db_wal_truncate(struct md_db *db, gint64 bytes);
/* Finalizes the cached statements and closes; accepts NULL. */
void md_db_close(struct md_db *db);

/* The prepared statement for SQL (a string literal: it is the cache key
 * and is not copied), reset and with its bindings cleared.  Owned by DB. */
sqlite3_stmt *md_db_stmt(struct md_db *db, const char *sql, GError **error);

/* A statement for SQL built at run time (not cached): the caller
 * finalizes it. */
sqlite3_stmt *md_db_prepare(struct md_db *db, const char *sql,
			    GError **error);

/* Runs SQL (no results) through sqlite3_exec. */
bool md_db_exec(struct md_db *db, const char *sql, GError **error);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
bool md_db_begin(struct md_db *db, GError **error);
bool md_db_commit(struct md_db *db, GError **error);
void md_db_rollback(struct md_db *db);

/* Sets ERROR from the handle's state after RC failed during WHAT;
 * always returns false. */
bool md_db_fail(struct md_db *db, int rc, const char *what, GError **error);

sqlite3 *md_db_handle(struct md_db *db);
const char *md_db_path(struct md_db *db);

#endif
