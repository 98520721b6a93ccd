/* store.c: the SQL of maildesk (prepared statements only). */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "db.h"
#include "error.h"
#include "store.h"

#define STEP(db, stmt, what, error) \
	(sqlite3_step(stmt) == SQLITE_DONE || \
	 md_db_fail(db, sqlite3_errcode(md_db_handle(db)), what, error))

static void
bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, i);
}

static void
bind_opt_int(sqlite3_stmt *stmt, int i, gint64 v)
{
	if (v != 0)
		sqlite3_bind_int64(stmt, i, v);
	else
		sqlite3_bind_null(stmt, i);
}

/* Steps STMT (bound) once: *VALUE_R = its first column, left as the
 * caller set it when there is no row ("not found" is not an error). */
static bool
first_int(struct md_db *db, sqlite3_stmt *stmt, gint64 *value_r,
	  const char *what, GError **error)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		*value_r = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(db, rc, what, error);
	return true;
}

static char *
col_text(sqlite3_stmt *stmt, int i)
{
	return g_strdup((const char *)sqlite3_column_text(stmt, i));
}

/* ", "-joined list for the to/cc columns. */
static char *
join(const GPtrArray *list)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; list != NULL && i < list->len; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "",
				       (char *)g_ptr_array_index(list, i));
	return g_string_free(s, FALSE);
}

/* *SECRET_R = the stored secret, or NULL. */
static bool
read_secret(struct md_db *db, GBytes **secret_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, "SELECT value FROM meta "
					"WHERE key = 'secret'", error);
	int rc;

	*secret_r = NULL;
	if (stmt == NULL)
		return false;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*secret_r = g_bytes_new(sqlite3_column_blob(stmt, 0),
					sqlite3_column_bytes(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read secret", error);
	return true;
}

bool
md_store_secret(struct md_db *db, GBytes **secret_r, GError **error)
{
	sqlite3_stmt *stmt;
	guint32 buf[8];

	/* Read first, outside any transaction: once the secret exists (every
	 * run but the first) no write lock is taken. */
	if (!read_secret(db, secret_r, error))
		return false;
	if (*secret_r != NULL)
		return true;
	if (!md_db_begin(db, error))
		return false;
	/* Another process may have created it since. */
	if (!read_secret(db, secret_r, error))
		goto fail;
	if (*secret_r != NULL)
		return md_db_commit(db, error);
	/* GLib's g_random is not for keys: read the kernel's pool. */
	if (getentropy(buf, sizeof(buf)) != 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_IO,
			    "cannot get random bytes for the secret");
		goto fail;
	}
	stmt = md_db_stmt(db, "INSERT INTO meta (key, value) "
			  "VALUES ('secret', ?)", error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_blob(stmt, 1, buf, sizeof(buf), SQLITE_TRANSIENT);
	if (!STEP(db, stmt, "store secret", error))
		goto fail;
	*secret_r = g_bytes_new(buf, sizeof(buf));
	return md_db_commit(db, error);
fail:
	md_db_rollback(db);
	return false;
}

bool
md_store_raw_insert(struct md_db *db, const void *data, gsize len,
		    gint64 *id_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, "INSERT INTO raw (data) VALUES (?)",
					error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_blob64(stmt, 1, len ? data : "", len, SQLITE_STATIC);
	if (!STEP(db, stmt, "store raw message", error))
		return false;
	*id_r = sqlite3_last_insert_rowid(md_db_handle(db));
	return true;
}

bool
md_store_raw_get(struct md_db *db, gint64 id, GBytes **raw_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, "SELECT data FROM raw WHERE id = ?",
					error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read raw message", error);
	*raw_r = rc == SQLITE_ROW
		? g_bytes_new(sqlite3_column_blob(stmt, 0),
			      sqlite3_column_bytes(stmt, 0))
		: NULL;
	sqlite3_reset(stmt);
	return true;
}

bool
md_store_is_duplicate(struct md_db *db, const char *mid, const char *hash,
		      bool *dup_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT 1 FROM messages WHERE message_id IS ?1 AND "
		"body_hash = ?2 AND direction = 'in' UNION ALL "
		"SELECT 1 FROM quarantine WHERE body_hash = ?2 AND "
		"message_id IS ?1 LIMIT 1", error);
	int rc;

	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, mid);
	bind_text(stmt, 2, hash);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(db, rc, "look for duplicate", error);
	*dup_r = rc == SQLITE_ROW;
	return true;
}

bool
md_store_quarantine(struct md_db *db, gint64 raw, gint64 now,
		    const char *source, const char *reason, const char *mid,
		    const char *hash, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO quarantine (raw, received, source, reason, "
		"message_id, body_hash) VALUES (?, ?, ?, ?, ?, ?)", error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, raw);
	sqlite3_bind_int64(stmt, 2, now);
	bind_text(stmt, 3, source);
	bind_text(stmt, 4, reason);
	bind_text(stmt, 5, mid);
	bind_text(stmt, 6, hash);
	return STEP(db, stmt, "quarantine", error);
}

void
md_store_ticket_from_row(sqlite3_stmt *stmt, int first, struct md_ticket *t)
{
	int i = first;

	t->id = sqlite3_column_int64(stmt, i++);
	if (!md_state_parse((const char *)sqlite3_column_text(stmt, i++),
			    &t->state))
		t->state = MD_STATE_OPEN;
	t->subject = col_text(stmt, i++);
	t->requester = col_text(stmt, i++);
	t->created = sqlite3_column_int64(stmt, i++);
	t->updated = sqlite3_column_int64(stmt, i++);
	t->escalated = sqlite3_column_int(stmt, i++) != 0;
	t->upstream_ref = col_text(stmt, i++);
	t->due = sqlite3_column_int64(stmt, i++);
	t->linked = sqlite3_column_int64(stmt, i++);
	t->assignee = col_text(stmt, i++);
	t->closed_at = sqlite3_column_int64(stmt, i++);
	t->answered = sqlite3_column_int(stmt, i++) != 0;
	t->since = sqlite3_column_int64(stmt, i++);
	t->reminders = sqlite3_column_int(stmt, i++);
	t->escalated_at = sqlite3_column_int64(stmt, i);
}

bool
md_store_ticket_get(struct md_db *db, gint64 id, struct md_ticket *t,
		    bool *found_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, "SELECT " MD_STORE_TICKET_COLUMNS
					" FROM tickets WHERE id = ?", error);
	int rc;

	md_ticket_clear(t);
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		md_store_ticket_from_row(stmt, 0, t);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read ticket", error);
	*found_r = rc == SQLITE_ROW;
	return true;
}

bool
md_store_ticket_exists(struct md_db *db, gint64 id, bool *exists_r,
		       GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT 1 FROM tickets WHERE id = ?", error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(db, rc, "look up ticket", error);
	*exists_r = rc == SQLITE_ROW;
	return true;
}

static void
bind_ticket(sqlite3_stmt *stmt, const struct md_ticket *t)
{
	bind_text(stmt, 1, md_state_name(t->state));
	bind_text(stmt, 2, t->subject);
	bind_text(stmt, 3, t->requester);
	sqlite3_bind_int64(stmt, 4, t->created);
	sqlite3_bind_int64(stmt, 5, t->updated);
	sqlite3_bind_int(stmt, 6, t->escalated);
	bind_text(stmt, 7, t->upstream_ref);
	bind_opt_int(stmt, 8, t->due);
	bind_opt_int(stmt, 9, t->linked);
	bind_text(stmt, 10, t->assignee);
	bind_opt_int(stmt, 11, t->closed_at);
	sqlite3_bind_int(stmt, 12, t->answered);
	bind_opt_int(stmt, 13, t->since);
	sqlite3_bind_int(stmt, 14, t->reminders);
	bind_opt_int(stmt, 15, t->escalated_at);
}

bool
md_store_ticket_insert(struct md_db *db, struct md_ticket *t, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO tickets (status, subject, requester, created, "
		"updated, escalated, upstream_ref, due, linked, assignee, "
		"closed_at, answered, since, reminders, escalated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);

	if (stmt == NULL)
		return false;
	bind_ticket(stmt, t);
	if (!STEP(db, stmt, "create ticket", error))
		return false;
	t->id = sqlite3_last_insert_rowid(md_db_handle(db));
	return true;
}

bool
md_store_ticket_update(struct md_db *db, const struct md_ticket *t,
		       GError **error)
{
	/* Not the columns fixed at creation (subject, requester, created,
	 * linked): SQLite rewrites the entries of every index on a column
	 * named in SET, changed or not, and on a large desk that doubled
	 * the cost of a tick. */
	sqlite3_stmt *stmt = md_db_stmt(db,
		"UPDATE tickets SET status = ?1, updated = ?5, escalated = ?6, "
		"upstream_ref = ?7, due = ?8, assignee = ?10, closed_at = ?11, "
		"answered = ?12, since = ?13, reminders = ?14, "
		"escalated_at = ?15 WHERE id = ?16", error);

	if (stmt == NULL)
		return false;
	bind_ticket(stmt, t);
	sqlite3_bind_int64(stmt, 16, t->id);
	return STEP(db, stmt, "update ticket", error);
}

bool
md_store_ticket_by_message_id(struct md_db *db, const char *mid,
			      gint64 *ticket_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT ticket FROM messages WHERE message_id = ? "
		"ORDER BY id LIMIT 1", error);

	*ticket_r = 0;
	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, mid);
	return first_int(db, stmt, ticket_r, "look up Message-ID", error);
}

bool
md_store_ticket_by_upstream_ref(struct md_db *db, const char *ref,
				gint64 *ticket_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT id FROM tickets WHERE upstream_ref = ? "
		"ORDER BY id DESC LIMIT 1", error);

	*ticket_r = 0;
	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, ref);
	return first_int(db, stmt, ticket_r, "look up an upstream reference",
			 error);
}

bool
md_store_sent_mail(struct md_db *db, const char *mid, const char *kind,
		   const char *rcpt, gint64 *ticket_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT ticket FROM messages WHERE message_id = ?1 AND "
		"direction = 'out' AND kind = ?2 AND (?3 IS NULL OR "
		"instr(lower(to_addrs), lower(?3)) > 0) LIMIT 1", error);

	*ticket_r = 0;
	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, mid);
	bind_text(stmt, 2, kind);
	bind_text(stmt, 3, rcpt);
	return first_int(db, stmt, ticket_r, "look up Message-ID", error);
}

bool
md_store_participant_add(struct md_db *db, gint64 ticket, const char *addr,
			 enum md_role role, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT OR IGNORE INTO participants (ticket, address, role) "
		"VALUES (?, ?, ?)", error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	bind_text(stmt, 2, addr);
	bind_text(stmt, 3, md_role_name(role));
	return STEP(db, stmt, "add participant", error);
}

bool
md_store_participants(struct md_db *db, gint64 ticket, GPtrArray *list,
		      GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT address FROM participants WHERE ticket = ? "
		"ORDER BY rowid", error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(list, col_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read participants", error);
	return true;
}

bool
md_store_message_insert(struct md_db *db, const struct md_store_message *m,
			gint64 *id_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO messages (ticket, raw, direction, role, kind, "
		"message_id, in_reply_to, body_hash, sender, to_addrs, "
		"cc_addrs, subject, date, received, source, text, attachments)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		error);
	char *to = join(m->to), *cc = join(m->cc);
	bool ok;

	if (stmt == NULL) {
		ok = false;
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, m->ticket);
	sqlite3_bind_int64(stmt, 2, m->raw);
	bind_text(stmt, 3, m->direction);
	bind_text(stmt, 4, md_role_name(m->role));
	bind_text(stmt, 5, m->kind);
	bind_text(stmt, 6, m->message_id);
	bind_text(stmt, 7, m->in_reply_to);
	bind_text(stmt, 8, m->body_hash);
	bind_text(stmt, 9, m->sender);
	bind_text(stmt, 10, to);
	bind_text(stmt, 11, cc);
	bind_text(stmt, 12, m->subject);
	bind_opt_int(stmt, 13, m->date);
	sqlite3_bind_int64(stmt, 14, m->received);
	bind_text(stmt, 15, m->source);
	bind_text(stmt, 16, m->text);
	bind_text(stmt, 17, m->attachments);
	ok = STEP(db, stmt, "store message", error);
	if (ok && id_r != NULL)
		*id_r = sqlite3_last_insert_rowid(md_db_handle(db));
out:
	g_free(to);
	g_free(cc);
	return ok;
}

bool
md_store_outbox_insert(struct md_db *db, const struct md_store_outbox *o,
		       GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO outbox (message, ticket, raw, kind, mail_from, "
		"rcpts, next_try, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		error);
	char *list = join(o->rcpts);
	bool ok = false;

	if (stmt != NULL) {
		bind_opt_int(stmt, 1, o->message);
		bind_opt_int(stmt, 2, o->ticket);
		sqlite3_bind_int64(stmt, 3, o->raw);
		bind_text(stmt, 4, o->kind);
		bind_text(stmt, 5, o->mail_from);
		bind_text(stmt, 6, list);
		sqlite3_bind_int64(stmt, 7, o->now);
		sqlite3_bind_int64(stmt, 8, o->now);
		ok = STEP(db, stmt, "queue mail", error);
	}
	g_free(list);
	return ok;
}

bool
md_store_autoreply_take(struct md_db *db, const char *addr, const char *day,
			int limit, bool *allowed_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO autoreplies (address, day, count) VALUES (?, ?, 1)"
		" ON CONFLICT (address, day) DO UPDATE SET count = count + 1 "
		"WHERE count < ? RETURNING count", error);
	int rc;

	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, addr);
	bind_text(stmt, 2, day);
	sqlite3_bind_int(stmt, 3, limit);
	/* No row returned: the WHERE refused the update, limit reached. */
	rc = sqlite3_step(stmt);
	*allowed_r = rc == SQLITE_ROW && limit > 0;
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "count automatic mail", error);
	return true;
}

bool
md_store_address_bouncing(struct md_db *db, const char *addr, gint64 now,
			  GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO addresses (address, bouncing, bounced_at) "
		"VALUES (?1, 1, ?2) ON CONFLICT (address) DO UPDATE SET "
		"bouncing = 1, bounced_at = ?2", error);

	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, addr);
	sqlite3_bind_int64(stmt, 2, now);
	return STEP(db, stmt, "mark address bouncing", error);
}

bool
md_store_event(struct md_db *db, gint64 ticket, gint64 now, const char *what,
	       GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO events (ticket, at, what) VALUES (?, ?, ?)",
		error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	sqlite3_bind_int64(stmt, 2, now);
	bind_text(stmt, 3, what);
	return STEP(db, stmt, "record event", error);
}

bool
md_store_source_ok(struct md_db *db, const char *name, gint64 now,
		   guint received, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO sources (name, last_ok, received) VALUES (?1, ?2, "
		"?3) ON CONFLICT (name) DO UPDATE SET last_ok = ?2, "
		"received = received + ?3, parked = NULL", error);

	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, name);
	sqlite3_bind_int64(stmt, 2, now);
	sqlite3_bind_int(stmt, 3, received);
	return STEP(db, stmt, "record source health", error);
}

bool
md_store_source_error(struct md_db *db, const char *name, gint64 now,
		      const char *text, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO sources (name, last_error, last_error_at) "
		"VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE SET "
		"last_error = ?2, last_error_at = ?3", error);

	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, name);
	bind_text(stmt, 2, text);
	sqlite3_bind_int64(stmt, 3, now);
	return STEP(db, stmt, "record source error", error);
}

bool
md_store_ticket_attachment_count(struct md_db *db, gint64 ticket,
				 gint64 *count_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT coalesce(sum(CASE WHEN json_valid(attachments) THEN "
		"json_array_length(attachments) ELSE 0 END), 0) "
		"FROM messages WHERE ticket = ?",
		error);

	*count_r = 0;
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	return first_int(db, stmt, count_r, "count attachments", error);
}

bool
md_store_ticket_raws(struct md_db *db, gint64 ticket, gint64 after,
		     GPtrArray *list, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT r.data FROM messages m JOIN raw r ON r.id = m.raw "
		"WHERE m.ticket = ?1 AND m.id > ?2 AND ((m.direction = 'in' AND "
		"m.role IN ('requester', 'participant', 'upstream')) OR "
		"(m.direction = 'out' AND m.kind = 'relay') OR "
		/* the mail that opened it, whoever wrote it: an agent's
		 * forward, maildesk open */
		"m.id = (SELECT min(id) FROM messages WHERE ticket = ?1 AND "
		"direction = 'in')) ORDER BY m.id",
		error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	sqlite3_bind_int64(stmt, 2, after);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(list, g_bytes_new(sqlite3_column_blob(stmt, 0),
						  sqlite3_column_bytes(stmt, 0)));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read ticket messages", error);
	return true;
}

bool
md_store_upstream_refs(struct md_db *db, gint64 ticket, const char *upstream,
		       char **parent_r, GPtrArray *refs, gint64 *last_r,
		       GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT message_id, id, direction FROM messages "
		"WHERE ticket = ?1 AND message_id IS NOT NULL AND ("
		"(direction = 'in' AND role = 'upstream') OR "
		"(direction = 'out' AND kind = 'escalation' AND "
		"to_addrs = ?2)) ORDER BY id", error);
	int rc;

	*parent_r = NULL;
	*last_r = 0;
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	sqlite3_bind_text(stmt, 2, upstream, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		g_ptr_array_add(refs, col_text(stmt, 0));
		if (strcmp((const char *)sqlite3_column_text(stmt, 2),
			   "out") == 0)
			*last_r = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read the upstream thread", error);
	if (refs->len > 0)
		*parent_r = g_strdup(g_ptr_array_index(refs, refs->len - 1));
	return true;
}

void
md_outbox_row_free(gpointer data)
{
	struct md_outbox_row *row = data;

	if (row == NULL)
		return;
	g_free(row->mail_from);
	g_free(row->kind);
	g_ptr_array_unref(row->rcpts);
	g_bytes_unref(row->data);
	g_free(row);
}

bool
md_store_outbox_due(struct md_db *db, gint64 now, guint max, GPtrArray *list,
		    GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT o.id, o.ticket, o.mail_from, o.rcpts, o.attempts, "
		"o.created, r.data, o.kind FROM outbox o "
		"JOIN raw r ON r.id = o.raw "
		"WHERE o.state = 'queued' AND o.next_try <= ? "
		"ORDER BY o.next_try, o.id LIMIT ?", error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct md_outbox_row *row = g_new0(struct md_outbox_row, 1);
		char **rcpts = g_strsplit(
			(const char *)sqlite3_column_text(stmt, 3), ", ", -1);

		row->id = sqlite3_column_int64(stmt, 0);
		row->ticket = sqlite3_column_int64(stmt, 1);
		row->mail_from = col_text(stmt, 2);
		row->rcpts = g_ptr_array_new_with_free_func(g_free);
		for (int i = 0; rcpts[i] != NULL; i++)
			g_ptr_array_add(row->rcpts, rcpts[i]);
		g_free(rcpts);
		row->attempts = sqlite3_column_int(stmt, 4);
		row->created = sqlite3_column_int64(stmt, 5);
		row->data = g_bytes_new(sqlite3_column_blob(stmt, 6),
					sqlite3_column_bytes(stmt, 6));
		row->kind = col_text(stmt, 7);
		g_ptr_array_add(list, row);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read outbox", error);
	return true;
}

bool
md_store_outbox_result(struct md_db *db, gint64 id, const char *state,
		       int attempts, gint64 next_try, gint64 now,
		       const char *last_error, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"UPDATE outbox SET state = ?, attempts = ?, next_try = ?, "
		"sent = CASE WHEN ?1 = 'sent' THEN ? END, last_error = ? "
		"WHERE id = ?", error);

	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, state);
	sqlite3_bind_int(stmt, 2, attempts);
	sqlite3_bind_int64(stmt, 3, next_try);
	sqlite3_bind_int64(stmt, 4, now);
	bind_text(stmt, 5, last_error);
	sqlite3_bind_int64(stmt, 6, id);
	return STEP(db, stmt, "update outbox", error);
}

bool
md_store_outbox_next(struct md_db *db, gint64 *due_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT min(next_try) FROM outbox WHERE state = 'queued'",
		error);
	int rc;

	if (stmt == NULL)
		return false;
	rc = sqlite3_step(stmt);
	*due_r = rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL
		? sqlite3_column_int64(stmt, 0) : -1;
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read outbox", error);
	return true;
}

bool
md_store_address_is_bouncing(struct md_db *db, const char *addr,
			     bool *bouncing_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT bouncing FROM addresses WHERE address = ?", error);
	gint64 value = 0;

	*bouncing_r = false;
	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, addr);
	if (!first_int(db, stmt, &value, "look up address", error))
		return false;
	*bouncing_r = value != 0;
	return true;
}

bool
md_store_thread_refs(struct md_db *db, gint64 ticket, char **parent_r,
		     GPtrArray *refs, GError **error)
{
	/* The first and the last mail of the requester's side: their
	 * client threads on its own Message-IDs (messages_ticket index). */
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT message_id FROM (SELECT message_id, id FROM ("
		"SELECT message_id, id FROM messages "
		"WHERE ticket = ?1 AND direction = 'in' AND role IN "
		"('requester', 'participant') AND message_id IS NOT NULL "
		"ORDER BY id LIMIT 1) UNION SELECT message_id, id FROM ("
		"SELECT message_id, id FROM messages WHERE ticket = ?1 AND "
		"direction = 'in' AND role IN ('requester', 'participant') "
		"AND message_id IS NOT NULL ORDER BY id DESC LIMIT 1)) "
		"ORDER BY id", error);
	int rc;

	*parent_r = NULL;
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(refs, col_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read the thread", error);
	if (refs->len > 0)
		*parent_r = g_strdup(g_ptr_array_index(refs, refs->len - 1));
	return true;
}

bool
md_store_due_tickets(struct md_db *db, gint64 now, guint max, GArray *ids,
		     GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT id FROM tickets WHERE due IS NOT NULL AND due <= ? "
		"ORDER BY due LIMIT ?", error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		gint64 id = sqlite3_column_int64(stmt, 0);

		g_array_append_val(ids, id);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read due tickets", error);
	return true;
}

bool
md_store_meta_get_int(struct md_db *db, const char *key, gint64 *value_r,
		      GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT value FROM meta WHERE key = ?", error);

	*value_r = 0;
	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, key);
	return first_int(db, stmt, value_r, "read meta", error);
}

bool
md_store_meta_set_int(struct md_db *db, const char *key, gint64 value,
		      GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"INSERT INTO meta (key, value) VALUES (?1, ?2) "
		"ON CONFLICT (key) DO UPDATE SET value = ?2", error);

	if (stmt == NULL)
		return false;
	bind_text(stmt, 1, key);
	sqlite3_bind_int64(stmt, 2, value);
	return STEP(db, stmt, "write meta", error);
}

bool
md_store_last_words(struct md_db *db, gint64 ticket, char **text_r,
		    GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT text FROM messages WHERE ticket = ? AND role IN "
		"('requester', 'participant', 'agent', 'upstream') "
		"ORDER BY id DESC LIMIT 1", error);
	int rc;

	*text_r = NULL;
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*text_r = col_text(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read last message", error);
	return true;
}

/* The digest's lists (spec 6): every query is served by an index on
 * tickets (escalated_at, status). */
static const char *const digest_sql[] = {
	[MD_DIGEST_ESCALATED] = "SELECT " MD_STORE_TICKET_COLUMNS
		" FROM tickets WHERE escalated_at > ? ORDER BY escalated_at",
	[MD_DIGEST_UPSTREAM] = "SELECT " MD_STORE_TICKET_COLUMNS
		" FROM tickets WHERE status = 'escalated' AND ? >= 0 "
		"ORDER BY escalated_at, id",
	[MD_DIGEST_OPEN] = "SELECT " MD_STORE_TICKET_COLUMNS
		" FROM tickets WHERE status = 'open' AND since <= ? "
		"ORDER BY since, id",
};

bool
md_store_digest_tickets(struct md_db *db, enum md_digest_list list,
			gint64 arg, GPtrArray *tickets, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, digest_sql[list], error);
	int rc;

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, arg);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct md_ticket *t = g_new0(struct md_ticket, 1);

		md_store_ticket_from_row(stmt, 0, t);
		g_ptr_array_add(tickets, t);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read tickets for the digest", error);
	return true;
}
