/* db.c: SQLite open, schema migrations, transactions, statement cache. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "error.h"

struct md_db {
	sqlite3 *handle;
	char *path;
	const char *explain;	/* test hook: file for query plans, or NULL */
	GHashTable *stmts;	/* const char *sql -> sqlite3_stmt * */
	int wal_truncate;	/* md_db_wal_truncate's pages */
	int busy_ms;		/* md_db_open's busy_timeout */
};

/* Counter NAME (an SQL string expression's inside) follows the rows of
 * TABLE: +1 on insert, -1 on delete, moved when COLUMN changes. */
#define COUNT_TRIGGERS(table, column, new_name, old_name) \
	"CREATE TRIGGER " table "_count_ins AFTER INSERT ON " table " BEGIN" \
	"  INSERT INTO counters VALUES ('" new_name "', 1)" \
	"  ON CONFLICT (name) DO UPDATE SET value = value + 1; END;" \
	"CREATE TRIGGER " table "_count_del AFTER DELETE ON " table " BEGIN" \
	"  UPDATE counters SET value = value - 1" \
	"  WHERE name = '" old_name "'; END;" \
	"CREATE TRIGGER " table "_count_upd AFTER UPDATE OF " column \
	"  ON " table " WHEN OLD." column " IS NOT NEW." column " BEGIN" \
	"  UPDATE counters SET value = value - 1" \
	"  WHERE name = '" old_name "';" \
	"  INSERT INTO counters VALUES ('" new_name "', 1)" \
	"  ON CONFLICT (name) DO UPDATE SET value = value + 1; END;"

/* Each entry moves the schema from version i to i+1 (PRAGMA user_version).
 * Append, never edit: databases in the field have run the earlier ones. */
static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB);"
	/* The raw bytes of every mail, in and out: the source of truth. */
	"CREATE TABLE raw (id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  status TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  requester TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  escalated INTEGER NOT NULL DEFAULT 0,"
	"  upstream_ref TEXT,"
	"  due INTEGER,"
	"  linked INTEGER REFERENCES tickets(id),"
	"  assignee TEXT,"
	"  closed_at INTEGER,"
	"  answered INTEGER NOT NULL DEFAULT 0,"
	"  reminders INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX tickets_due ON tickets(due) WHERE due IS NOT NULL;"
	"CREATE INDEX tickets_status ON tickets(status);"
	"CREATE TABLE participants ("
	"  ticket INTEGER NOT NULL REFERENCES tickets(id),"
	"  address TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  UNIQUE (ticket, address));"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket INTEGER NOT NULL REFERENCES tickets(id),"
	"  raw INTEGER NOT NULL REFERENCES raw(id),"
	"  direction TEXT NOT NULL,"
	"  role TEXT NOT NULL,"
	"  kind TEXT,"
	"  message_id TEXT,"
	"  in_reply_to TEXT,"
	"  body_hash TEXT,"
	"  sender TEXT,"
	"  to_addrs TEXT,"
	"  cc_addrs TEXT,"
	"  subject TEXT,"
	"  date INTEGER,"
	"  received INTEGER NOT NULL,"
	"  source TEXT,"
	"  text TEXT,"
	"  attachments TEXT);"
	"CREATE INDEX messages_ticket ON messages(ticket);"
	"CREATE INDEX messages_mid ON messages(message_id);"
	"CREATE TABLE quarantine ("
	"  id INTEGER PRIMARY KEY,"
	"  raw INTEGER NOT NULL REFERENCES raw(id),"
	"  received INTEGER NOT NULL,"
	"  source TEXT,"
	"  reason TEXT NOT NULL,"
	"  message_id TEXT,"
	"  body_hash TEXT);"
	"CREATE INDEX quarantine_dedup ON quarantine(body_hash);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  message INTEGER NOT NULL REFERENCES messages(id),"
	"  ticket INTEGER NOT NULL REFERENCES tickets(id),"
	"  mail_from TEXT NOT NULL,"
	"  rcpts TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  sent INTEGER,"
	"  last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(next_try) WHERE state = 'queued';"
	"CREATE TABLE autoreplies ("
	"  address TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL,"
	"  PRIMARY KEY (address, day)) WITHOUT ROWID;"
	"CREATE TABLE addresses ("
	"  address TEXT PRIMARY KEY, bouncing INTEGER NOT NULL DEFAULT 0,"
	"  bounced_at INTEGER) WITHOUT ROWID;"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY, ticket INTEGER NOT NULL REFERENCES tickets(id),"
	"  at INTEGER NOT NULL, what TEXT NOT NULL);"
	"CREATE INDEX events_ticket ON events(ticket);"
	"CREATE TABLE sources ("
	"  name TEXT PRIMARY KEY, last_ok INTEGER, last_error TEXT,"
	"  last_error_at INTEGER, backlog INTEGER NOT NULL DEFAULT 0,"
	"  received INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;",
	/* 2: reads that do not grow with the desk (issue 9).  The message
	 * count of a ticket and the counters of stats are kept by triggers,
	 * in the transaction that writes the rows they count, whoever
	 * writes them; each filter of list has its index. */
	"ALTER TABLE tickets ADD COLUMN messages INTEGER NOT NULL DEFAULT 0;"
	"UPDATE tickets SET messages = (SELECT count(*) FROM messages m"
	"  WHERE m.ticket = tickets.id);"
	"CREATE TABLE counters (name TEXT PRIMARY KEY,"
	"  value INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO counters SELECT 'tickets.' || status, count(*)"
	"  FROM tickets GROUP BY status;"
	"INSERT INTO counters SELECT 'outbox.' || state, count(*)"
	"  FROM outbox GROUP BY state;"
	"INSERT INTO counters SELECT 'messages.' || direction, count(*)"
	"  FROM messages GROUP BY direction;"
	"INSERT INTO counters SELECT 'quarantine', count(*) FROM quarantine;"
	COUNT_TRIGGERS("tickets", "status", "tickets.' || NEW.status || '",
		       "tickets.' || OLD.status || '")
	COUNT_TRIGGERS("outbox", "state", "outbox.' || NEW.state || '",
		       "outbox.' || OLD.state || '")
	COUNT_TRIGGERS("messages", "direction",
		       "messages.' || NEW.direction || '",
		       "messages.' || OLD.direction || '")
	COUNT_TRIGGERS("quarantine", "reason", "quarantine", "quarantine")
	"CREATE TRIGGER messages_per_ticket AFTER INSERT ON messages BEGIN"
	"  UPDATE tickets SET messages = messages + 1 WHERE id = NEW.ticket;"
	"END;"
	"CREATE TRIGGER messages_per_ticket_del AFTER DELETE ON messages BEGIN"
	"  UPDATE tickets SET messages = messages - 1 WHERE id = OLD.ticket;"
	"END;"
	"CREATE INDEX tickets_requester ON tickets(requester);"
	"CREATE INDEX tickets_assignee ON tickets(assignee)"
	"  WHERE assignee IS NOT NULL;"
	"CREATE INDEX tickets_created ON tickets(created);"
	"CREATE INDEX tickets_escalated ON tickets(escalated)"
	"  WHERE escalated != 0;"
	"CREATE INDEX tickets_linked ON tickets(linked)"
	"  WHERE linked IS NOT NULL;",
	/* 3: the timers (spec 6).  A wait's start and the last escalation
	 * on the ticket; the outbox also carries mail that belongs to no
	 * ticket (the supervisors' digest), so its raw bytes are named
	 * directly and message and ticket may be NULL.  Tickets already
	 * waiting are due at once: the first tick computes their timers. */
	"ALTER TABLE tickets ADD COLUMN since INTEGER;"
	"ALTER TABLE tickets ADD COLUMN escalated_at INTEGER;"
	"UPDATE tickets SET since = updated, due = updated "
	"  WHERE status IN ('pending', 'resolved');"
	"UPDATE tickets SET since = updated WHERE since IS NULL;"
	"UPDATE tickets SET escalated_at = updated "
	"  WHERE status = 'escalated';"
	"CREATE INDEX tickets_escalated_at ON tickets(escalated_at) "
	"  WHERE escalated_at IS NOT NULL;"
	"CREATE TABLE outbox_v2 ("
	"  id INTEGER PRIMARY KEY,"
	"  message INTEGER REFERENCES messages(id),"
	"  ticket INTEGER REFERENCES tickets(id),"
	"  raw INTEGER NOT NULL REFERENCES raw(id),"
	"  kind TEXT,"
	"  mail_from TEXT NOT NULL,"
	"  rcpts TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued',"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  sent INTEGER,"
	"  last_error TEXT);"
	"INSERT INTO outbox_v2 SELECT o.id, o.message, o.ticket, m.raw, "
	"  m.kind, o.mail_from, o.rcpts, o.state, o.attempts, o.next_try, "
	"  o.created, o.sent, o.last_error "
	"  FROM outbox o JOIN messages m ON m.id = o.message;"
	"DROP TABLE outbox;"
	"ALTER TABLE outbox_v2 RENAME TO outbox;"
	"CREATE INDEX outbox_due ON outbox(next_try) WHERE state = 'queued';"
	/* The foreign key's child index: without it every message insert
	 * plans a scan of the outbox. */
	"CREATE INDEX outbox_message ON outbox(message);"
	/* Its counters' triggers went with the old table. */
	COUNT_TRIGGERS("outbox", "state", "outbox.' || NEW.state || '",
		       "outbox.' || OLD.state || '"),
	/* 4: a source that waiting will not fix (refused login or
	 * certificate, missing mailbox) is parked by maildeskd until its
	 * configuration is reloaded; stats says "needs attention" until a
	 * fetch succeeds and clears it (issue 10). */
	"ALTER TABLE sources ADD COLUMN parked INTEGER;",
	/* 5: upstream's own reference threads its later mails (spec 6,
	 * issue 8). */
	"CREATE INDEX tickets_upstream_ref ON tickets(upstream_ref) "
	"  WHERE upstream_ref IS NOT NULL;",
	/* 6: full-text search over what people wrote (inbound mail): an
	 * external-content FTS5 index, so the text is stored once, in
	 * messages; the view gives it the columns it indexes.  Written by
	 * triggers in the transaction that stores the message.  Existing
	 * messages are indexed by index_pending() after the migrations. */
	"CREATE VIEW messages_search AS SELECT id, subject, sender,"
	"  coalesce(to_addrs, '') || ' ' || coalesce(cc_addrs, '') AS rcpts,"
	"  text, (SELECT group_concat(json_extract(a.value, '$.name'), ' ')"
	"    FROM json_each(attachments) a) AS files"
	"  FROM messages WHERE direction = 'in';"
	"CREATE VIRTUAL TABLE messages_fts USING fts5(subject, sender, rcpts,"
	"  text, files, content = 'messages_search', content_rowid = 'id',"
	"  tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE TRIGGER messages_fts_ins AFTER INSERT ON messages"
	"  WHEN NEW.direction = 'in' BEGIN"
	"  INSERT INTO messages_fts (rowid, subject, sender, rcpts, text, files)"
	"  SELECT id, subject, sender, rcpts, text, files FROM messages_search"
	"  WHERE id = NEW.id; END;"
	/* Before the delete: the index needs the values it indexed. */
	"CREATE TRIGGER messages_fts_del BEFORE DELETE ON messages"
	"  WHEN OLD.direction = 'in' BEGIN"
	"  INSERT INTO messages_fts (messages_fts, rowid, subject, sender,"
	"  rcpts, text, files) SELECT 'delete', id, subject, sender, rcpts,"
	"  text, files FROM messages_search WHERE id = OLD.id; END;"
	"INSERT INTO meta (key, value) SELECT 'search_pending', max(id)"
	"  FROM messages HAVING max(id) IS NOT NULL;",
	/* 7: the daily allowance keyed by day first (issue 9, item 4): a
	 * day's counts sit together at the right edge of the b-tree.  Keyed
	 * by address, each sender's row was a random leaf of the whole
	 * history's table, dirtied on every batch of a large desk (53 pages
	 * of 16 KB a batch at 126,000 messages, against 4 when empty). */
	"CREATE TABLE autoreplies_v2 ("
	"  address TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL,"
	"  PRIMARY KEY (day, address)) WITHOUT ROWID;"
	"INSERT INTO autoreplies_v2 SELECT address, day, count FROM autoreplies;"
	"DROP TABLE autoreplies;"
	"ALTER TABLE autoreplies_v2 RENAME TO autoreplies;",
	/* 8: plain list (the newest tickets not closed) in index order:
	 * through tickets_status, SQLite sorted every ticket not closed in
	 * a temporary b-tree before printing the first (issue 9).  Keys
	 * grow with the id, so an insert touches the rightmost leaf. */
	"CREATE INDEX tickets_open ON tickets(id) WHERE status != 'closed';",
	/* 9: stats' oldest queued mail in one look-up: through outbox_due
	 * (keyed by next_try) it read every queued row, as many as the
	 * desk's acknowledgements when nothing sends (a deliver-only desk
	 * of 100,000 mails: stats 3x slower than on an empty one). */
	"CREATE INDEX outbox_queued ON outbox(created) WHERE state = 'queued';",
};

bool
md_db_fail(struct md_db *db, int rc, const char *what, GError **error)
{
	int code = rc & 0xff;
	enum md_error_code md;

	switch (code) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_NOMEM:
	case SQLITE_READONLY:
	case SQLITE_PROTOCOL:
		md = MD_ERROR_TEMP;
		break;
	default:
		md = MD_ERROR_INTERNAL;
	}
	g_set_error(error, MD_ERROR, md, "database %s: %s: %s",
		    db->path, what,
		    db->handle != NULL ? sqlite3_errmsg(db->handle)
				       : sqlite3_errstr(rc));
	return false;
}

bool
md_db_exec(struct md_db *db, const char *sql, GError **error)
{
	int rc = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);
	char *what;
	bool ok;

	if (rc == SQLITE_OK)
		return true;
	/* "exec: database is locked" left the admin to guess which of a
	 * command's statements waited: name it (its first 40 bytes). */
	what = g_strdup_printf("exec \"%.40s\"", sql);
	ok = md_db_fail(db, rc, what, error);
	g_free(what);
	return ok;
}

/* Test hook (MAILDESK_TEST_EXPLAIN=FILE): appends the plan of SQL to the
 * file, so that a test asserts on the plans of the statements the
 * commands really run ("no whole scan of messages"). */
static void
explain(struct md_db *db, const char *sql)
{
	char *eqp = g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);
	sqlite3_stmt *stmt = NULL;
	FILE *out = fopen(db->explain, "a");

	if (out != NULL && sqlite3_prepare_v2(db->handle, eqp, -1, &stmt,
					      NULL) == SQLITE_OK) {
		fprintf(out, "%s\n", sql);
		while (sqlite3_step(stmt) == SQLITE_ROW)
			fprintf(out, "  plan: %s\n",
				sqlite3_column_text(stmt, 3));
	}
	sqlite3_finalize(stmt);
	if (out != NULL)
		fclose(out);
	g_free(eqp);
}

sqlite3_stmt *
md_db_prepare(struct md_db *db, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(db->handle, sql, -1, &stmt, NULL);

	if (rc != SQLITE_OK) {
		md_db_fail(db, rc, "prepare", error);
		return NULL;
	}
	if (db->explain != NULL)
		explain(db, sql);
	return stmt;
}

sqlite3_stmt *
md_db_stmt(struct md_db *db, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(db->stmts, sql);
	int rc;

	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	rc = sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT,
				&stmt, NULL);
	if (rc != SQLITE_OK) {
		md_db_fail(db, rc, "prepare", error);
		return NULL;
	}
	if (db->explain != NULL)
		explain(db, sql);
	g_hash_table_insert(db->stmts, (gpointer)sql, stmt);
	return stmt;
}

static bool
pragma_int64(struct md_db *db, const char *sql, gint64 *value_r,
	     GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db->handle, sql, -1, &stmt, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*value_r = sqlite3_column_int64(stmt, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_OK)
		return md_db_fail(db, rc, sql, error);
	return true;
}

static bool
pragma_int(struct md_db *db, const char *sql, int *value_r, GError **error)
{
	gint64 v = 0;

	if (!pragma_int64(db, sql, &v, error))
		return false;
	*value_r = (int)v;
	return true;
}

/* Indexes for search the messages stored before the search index
 * existed (meta 'search_pending' holds the last of them), in slices, with
 * a progress bar when a person watches: a large desk takes minutes.  Runs
 * inside the migration's transaction. */
static bool
index_pending(struct md_db *db, GError **error)
{
	const gint64 slice = 5000;
	gint64 last = 0;
	bool tty = isatty(STDERR_FILENO);

	if (!pragma_int64(db, "SELECT coalesce((SELECT value FROM meta "
			  "WHERE key = 'search_pending'), 0)", &last, error))
		return false;
	for (gint64 from = 0; from < last; from += slice) {
		char *sql = g_strdup_printf(
			"INSERT INTO messages_fts (rowid, subject, sender, "
			"rcpts, text, files) SELECT id, subject, sender, rcpts,"
			" text, files FROM messages_search WHERE id > %"
			G_GINT64_FORMAT " AND id <= %" G_GINT64_FORMAT,
			from, MIN(from + slice, last));
		bool ok = md_db_exec(db, sql, error);

		g_free(sql);
		if (!ok)
			return false;
		if (tty)
			fprintf(stderr, "\rindexing messages for search: "
				"%3d %%", (int)(100 * MIN(from + slice, last) /
						last));
	}
	if (tty && last > 0)
		fprintf(stderr, "\n");
	return md_db_exec(db, "DELETE FROM meta WHERE key = 'search_pending'",
			  error);
}

static bool
migrate(struct md_db *db, GError **error)
{
	int version = 0;
	const int latest = G_N_ELEMENTS(migrations);

	/* The usual case, a current schema, is seen by a read alone: a
	 * reader in WAL mode never waits for a writer, so show or deliver do
	 * not queue behind an ingest's batch just to learn that there is
	 * nothing to migrate. */
	if (!pragma_int(db, "PRAGMA user_version", &version, error))
		return false;
	if (version == latest)
		return true;
	if (!md_db_begin(db, error))
		return false;
	if (!pragma_int(db, "PRAGMA user_version", &version, error))
		goto fail;
	if (version > latest) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "database %s: schema version %d is newer than "
			    "this maildesk (%d): upgrade maildesk",
			    db->path, version, latest);
		goto fail;
	}
	for (; version < latest; version++) {
		char *bump;
		bool ok;

		if (!md_db_exec(db, migrations[version], error))
			goto fail;
		bump = g_strdup_printf("PRAGMA user_version = %d", version + 1);
		ok = md_db_exec(db, bump, error);
		g_free(bump);
		if (!ok)
			goto fail;
	}
	if (!index_pending(db, error))
		goto fail;
	return md_db_commit(db, error);
fail:
	md_db_rollback(db);
	return false;
}

static void
finalize_stmt(gpointer stmt)
{
	sqlite3_finalize(stmt);
}

/* The database holds the HMAC secret and every mail: no one but the
 * desk's user (and its group, if the admin allows it) reads it, whatever
 * the umask (SQLite creates files 0644 & ~umask, and gives the WAL and
 * shared-memory files the mode of the database).  PATH is created 0600
 * if absent; an existing one (and its -wal, -shm) is made so too. */
static mode_t
private_mode(mode_t mode)
{
	/* Readable by others: the umask chose the group bits as well, so
	 * they say nothing of the admin's intent.  Otherwise 0640 with the
	 * desk's group is the admin's choice (issue 7): only group write
	 * goes. */
	return (mode & 0007) != 0 ? (mode & 0700) : (mode & 0740);
}

static bool
private_file(const char *path, bool create, GError **error)
{
	struct stat st;
	int fd;

	/* By path, never by opening an existing file: closing any
	 * descriptor of a file drops every POSIX lock this process holds on
	 * it, and the daemon's own connection holds some (SQLite's "close()
	 * and locks" caveat). */
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			goto fail;
		if (!create)
			return true;
		fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			goto fail;
		if (fd >= 0)
			close(fd);
		return true;
	}
	/* Only its owner can fix it; an agent's show in the group reads on,
	 * and the desk's next run makes it private. */
	if ((st.st_mode & 0037) != 0 &&
	    chmod(path, private_mode(st.st_mode)) != 0 && errno != EPERM)
		goto fail;
	return true;
fail:
	g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
		    "database %s: cannot make it private: %s", path,
		    g_strerror(errno));
	return false;
}

static bool
private_files(const char *path, GError **error)
{
	static const char *const suffixes[] = { "-wal", "-shm" };

	if (!private_file(path, true, error))
		return false;
	for (guint i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		char *p = g_strconcat(path, suffixes[i], NULL);
		bool ok = private_file(p, false, error);

		g_free(p);
		if (!ok)
			return false;
	}
	return true;
}

/* Before SQLite initialises itself (the first open): a statement that
 * may fail half-way inside a transaction keeps the pages it changes in a
 * statement journal, which SQLite spills to a temporary file beyond 64 KB
 * (four 16 KB pages): 520 KB written to /var/tmp by every deliver, more
 * than its WAL frames.  In memory up to 8 MiB per statement. */
static void
configure_sqlite(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		/* SQLITE_MISUSE if SQLite was initialised already: then it
		 * keeps its default, which is only slower. */
		(void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL,
				     8 * 1024 * 1024);
		g_once_init_leave(&done, 1);
	}
}

bool
md_db_open(const char *path, int busy_ms, struct md_db **db_r,
	   GError **error)
{
	struct md_db *db = g_new0(struct md_db, 1);
	const char *limit;
	int rc;

	configure_sqlite();

	db->path = g_strdup(path);
	db->busy_ms = busy_ms;
	db->stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					  finalize_stmt);
	if (!private_files(path, error))
		goto fail;
	rc = sqlite3_open_v2(path, &db->handle,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		md_db_fail(db, rc, "cannot open", error);
		goto fail;
	}
	sqlite3_extended_result_codes(db->handle, 1);
	/* A checkpoint at exit made every deliver copy the WAL back into the
	 * database (490 KB written for a 1.6 KB mail).  Short-lived commands
	 * leave it to wal_autocheckpoint, which bounds the WAL whoever
	 * writes, and to the long-lived ones (md_db_checkpoint_on_close). */
	sqlite3_db_config(db->handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
			  NULL);
	sqlite3_busy_timeout(db->handle, busy_ms);
	/* synchronous=FULL: a batch is durable when COMMIT returns, before
	 * any source is acknowledged (spec section 8). */
	/* Mail is blobs of 2 KB to megabytes: 16 KB pages keep most in one
	 * page and shorten overflow chains.  Only takes effect on a new
	 * file, before WAL is switched on. */
	if (!md_db_exec(db, "PRAGMA page_size = 16384;"
			"PRAGMA journal_mode = WAL;"
			"PRAGMA synchronous = FULL;"
			"PRAGMA foreign_keys = ON;"
			"PRAGMA wal_autocheckpoint = 8192;", error))
		goto fail;
	/* Test hook (SQLite-style fault injection): a small max_page_count
	 * makes "database or disk is full" reproducible. */
	limit = g_getenv("MAILDESK_TEST_MAX_PAGE_COUNT");
	db->explain = g_getenv("MAILDESK_TEST_EXPLAIN");
	if (!migrate(db, error))
		goto fail;
	if (limit != NULL) {
		char *sql = g_strdup_printf("PRAGMA max_page_count = %d",
					    atoi(limit));
		bool ok = md_db_exec(db, sql, error);

		g_free(sql);
		if (!ok)
			goto fail;
	}
	*db_r = db;
	return true;
fail:
	md_db_close(db);
	return false;
}

/* sqlite3_wal_hook: after a commit that left the WAL at FRAMES pages or
 * more, everything back into the database and the WAL emptied, without
 * waiting for anyone (with a reader or writer about, as much as can be
 * copied now; the next commit tries again).  The copy and its fsync are
 * a PASSIVE checkpoint, which other writers do not wait for; only when
 * it copied everything does TRUNCATE, which holds the write lock, empty
 * the WAL, then with nothing left to copy.  (TRUNCATE alone held the
 * lock across the copy and two fsyncs: with the disk busy, three other
 * delivers waited past their busy_timeout and deferred their mail.) */
static int
wal_hook(void *data, sqlite3 *handle, const char *name, int frames)
{
	struct md_db *db = data;
	int log = -1, done = -2;

	if (frames < db->wal_truncate)
		return SQLITE_OK;
	sqlite3_busy_timeout(handle, 0);
	/* The mail is committed: a checkpoint that fails is retried by
	 * the next commit, and is no failure of this one. */
	if (sqlite3_wal_checkpoint_v2(handle, name, SQLITE_CHECKPOINT_PASSIVE,
				      &log, &done) == SQLITE_OK &&
	    log == done)
		(void)sqlite3_wal_checkpoint_v2(handle, name,
						SQLITE_CHECKPOINT_TRUNCATE,
						NULL, NULL);
	sqlite3_busy_timeout(handle, db->busy_ms);
	return SQLITE_OK;
}

void
md_db_wal_truncate(struct md_db *db, gint64 bytes)
{
	sqlite3_stmt *stmt = NULL;
	gint64 page = 16384;

	if (sqlite3_prepare_v2(db->handle, "PRAGMA page_size", -1, &stmt,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		page = MAX(sqlite3_column_int64(stmt, 0), 512);
	sqlite3_finalize(stmt);
	db->wal_truncate = (int)MAX(bytes / page, 1);
	sqlite3_wal_hook(db->handle, wal_hook, db);
}

void
md_db_checkpoint_on_close(struct md_db *db)
{
	sqlite3_db_config(db->handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0,
			  NULL);
}

void
md_db_close(struct md_db *db)
{
	if (db == NULL)
		return;
	g_hash_table_destroy(db->stmts);
	sqlite3_close(db->handle);
	g_free(db->path);
	g_free(db);
}

bool
md_db_begin(struct md_db *db, GError **error)
{
	return md_db_exec(db, "BEGIN IMMEDIATE", error);
}

bool
md_db_commit(struct md_db *db, GError **error)
{
	return md_db_exec(db, "COMMIT", error);
}

void
md_db_rollback(struct md_db *db)
{
	if (!sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3 *
md_db_handle(struct md_db *db)
{
	return db->handle;
}

const char *
md_db_path(struct md_db *db)
{
	return db->path;
}
