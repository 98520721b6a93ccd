/* query.c: read-only SQL for the command line. */
#include "config.h"

#include "db.h"
#include "query.h"
#include "store.h"

static char *
col_text(sqlite3_stmt *stmt, int i)
{
	return g_strdup((const char *)sqlite3_column_text(stmt, i));
}

#define TICKET_SELECT "SELECT " MD_STORE_TICKET_COLUMNS ", " \
	"(SELECT count(*) FROM messages m WHERE m.ticket = t.id) " \
	"FROM tickets t "
#define TICKET_MESSAGES 13	/* the column after MD_STORE_TICKET_COLUMNS */

static struct md_ticket_row *
ticket_row(sqlite3_stmt *stmt)
{
	struct md_ticket_row *row = g_new0(struct md_ticket_row, 1);

	md_store_ticket_from_row(stmt, 0, &row->t);
	row->messages = sqlite3_column_int64(stmt, TICKET_MESSAGES);
	return row;
}

void
md_ticket_row_free(gpointer data)
{
	struct md_ticket_row *row = data;

	md_ticket_clear(&row->t);
	g_free(row);
}

/* Runs STMT to the end, appending MAKE(stmt) for each row. */
static bool
collect(struct md_db *db, sqlite3_stmt *stmt, gpointer (*make)(sqlite3_stmt *),
	GPtrArray *rows, GError **error)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(rows, make(stmt));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "query", error);
	return true;
}

static gpointer
make_ticket(sqlite3_stmt *stmt)
{
	return ticket_row(stmt);
}

bool
md_query_tickets(struct md_db *db, const char *status, GPtrArray *rows,
		 GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, TICKET_SELECT
		"WHERE ?1 IS NULL OR t.status = ?1 ORDER BY t.id", error);

	if (stmt == NULL)
		return false;
	if (status != NULL)
		sqlite3_bind_text(stmt, 1, status, -1, SQLITE_STATIC);
	return collect(db, stmt, make_ticket, rows, error);
}

bool
md_query_ticket(struct md_db *db, gint64 id, struct md_ticket_row *row,
		bool *found_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, TICKET_SELECT "WHERE t.id = ?",
					error);
	GPtrArray *rows = g_ptr_array_new();
	bool ok;

	if (stmt == NULL) {
		g_ptr_array_unref(rows);
		return false;
	}
	sqlite3_bind_int64(stmt, 1, id);
	ok = collect(db, stmt, make_ticket, rows, error);
	*found_r = ok && rows->len == 1;
	if (*found_r) {
		struct md_ticket_row *r = g_ptr_array_index(rows, 0);

		*row = *r;
		g_free(r);
	}
	g_ptr_array_unref(rows);
	return ok;
}

static gpointer
make_message(sqlite3_stmt *stmt)
{
	struct md_message_row *m = g_new0(struct md_message_row, 1);

	m->message_id = col_text(stmt, 0);
	m->in_reply_to = col_text(stmt, 1);
	m->direction = col_text(stmt, 2);
	m->role = col_text(stmt, 3);
	m->kind = col_text(stmt, 4);
	m->from = col_text(stmt, 5);
	m->to = col_text(stmt, 6);
	m->cc = col_text(stmt, 7);
	m->subject = col_text(stmt, 8);
	m->date = sqlite3_column_int64(stmt, 9);
	m->received = sqlite3_column_int64(stmt, 10);
	m->attachments = col_text(stmt, 11);
	m->text = col_text(stmt, 12);
	return m;
}

void
md_message_row_free(gpointer data)
{
	struct md_message_row *m = data;

	g_free(m->message_id);
	g_free(m->in_reply_to);
	g_free(m->direction);
	g_free(m->role);
	g_free(m->kind);
	g_free(m->from);
	g_free(m->to);
	g_free(m->cc);
	g_free(m->subject);
	g_free(m->attachments);
	g_free(m->text);
	g_free(m);
}

bool
md_query_messages(struct md_db *db, gint64 ticket, GPtrArray *rows,
		  GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT message_id, in_reply_to, direction, role, kind, sender,"
		" to_addrs, cc_addrs, subject, date, received, attachments, "
		"text FROM messages WHERE ticket = ? ORDER BY id", error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	return collect(db, stmt, make_message, rows, error);
}

static gpointer
make_string(sqlite3_stmt *stmt)
{
	return col_text(stmt, 0);
}

bool
md_query_participants(struct md_db *db, gint64 ticket, GPtrArray *rows,
		      GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT address FROM participants WHERE ticket = ? "
		"ORDER BY rowid", error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	return collect(db, stmt, make_string, rows, error);
}

static gpointer
make_quarantine(sqlite3_stmt *stmt)
{
	struct md_quarantine_row *q = g_new0(struct md_quarantine_row, 1);

	q->id = sqlite3_column_int64(stmt, 0);
	q->received = sqlite3_column_int64(stmt, 1);
	q->source = col_text(stmt, 2);
	q->reason = col_text(stmt, 3);
	q->message_id = col_text(stmt, 4);
	q->size = sqlite3_column_int64(stmt, 5);
	return q;
}

void
md_quarantine_row_free(gpointer data)
{
	struct md_quarantine_row *q = data;

	g_free(q->source);
	g_free(q->reason);
	g_free(q->message_id);
	g_free(q);
}

bool
md_query_quarantine(struct md_db *db, GPtrArray *rows, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT q.id, q.received, q.source, q.reason, q.message_id, "
		"length(r.data) FROM quarantine q JOIN raw r ON r.id = q.raw "
		"ORDER BY q.id", error);

	if (stmt == NULL)
		return false;
	return collect(db, stmt, make_quarantine, rows, error);
}

static gpointer
make_stat(sqlite3_stmt *stmt)
{
	struct md_stat *s = g_new0(struct md_stat, 1);

	s->name = col_text(stmt, 0);
	s->count = sqlite3_column_int64(stmt, 1);
	return s;
}

void
md_stat_free(gpointer data)
{
	struct md_stat *s = data;

	g_free(s->name);
	g_free(s);
}

bool
md_query_stats(struct md_db *db, GPtrArray *rows, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT 'tickets.' || status, count(*) FROM tickets "
		"GROUP BY status UNION ALL "
		"SELECT 'outbox.' || state, count(*) FROM outbox "
		"GROUP BY state UNION ALL "
		"SELECT 'messages.' || direction, count(*) FROM messages "
		"GROUP BY direction UNION ALL "
		"SELECT 'quarantine', count(*) FROM quarantine", error);

	if (stmt == NULL)
		return false;
	return collect(db, stmt, make_stat, rows, error);
}

static gpointer
make_source(sqlite3_stmt *stmt)
{
	struct md_source_row *s = g_new0(struct md_source_row, 1);

	s->name = col_text(stmt, 0);
	s->last_ok = sqlite3_column_int64(stmt, 1);
	s->last_error = col_text(stmt, 2);
	s->last_error_at = sqlite3_column_int64(stmt, 3);
	s->received = sqlite3_column_int64(stmt, 4);
	return s;
}

void
md_source_row_free(gpointer data)
{
	struct md_source_row *s = data;

	g_free(s->name);
	g_free(s->last_error);
	g_free(s);
}

bool
md_query_sources(struct md_db *db, GPtrArray *rows, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT name, last_ok, last_error, last_error_at, received "
		"FROM sources ORDER BY name", error);

	if (stmt == NULL)
		return false;
	return collect(db, stmt, make_source, rows, error);
}
