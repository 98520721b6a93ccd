/* query.c: read-only SQL for the command line. */
#include "config.h"

#include <string.h>

#include "db.h"
#include "error.h"
#include "query.h"
#include "store.h"

static char *
col_text(sqlite3_stmt *stmt, int i)
{
	return g_strdup((const char *)sqlite3_column_text(stmt, i));
}

/* The message count first: MD_STORE_TICKET_COLUMNS may grow. */
#define TICKET_SELECT "SELECT messages, " MD_STORE_TICKET_COLUMNS \
	" FROM tickets "

static void
ticket_row_read(sqlite3_stmt *stmt, struct md_ticket_row *row)
{
	row->messages = sqlite3_column_int64(stmt, 0);
	md_store_ticket_from_row(stmt, 1, &row->t);
}

static struct md_ticket_row *
ticket_row(sqlite3_stmt *stmt)
{
	struct md_ticket_row *row = g_new0(struct md_ticket_row, 1);

	ticket_row_read(stmt, row);
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

/* Several statuses, none of them closed (plain list's default): the
 * status index would give each status's tickets in turn and SQLite would
 * sort them all before the first row, a cost that grows with the open
 * tickets; tickets_open holds the tickets not closed in id order. */
static bool
statuses_not_closed(const char *const *statuses)
{
	if (statuses == NULL || statuses[0] == NULL || statuses[1] == NULL)
		return false;
	for (int i = 0; statuses[i] != NULL; i++)
		if (strcmp(statuses[i], "closed") == 0)
			return false;
	return true;
}

/* The index that serves FILTER best, named so that the plan does not
 * depend on statistics the database may not have: the most selective
 * filter first; none for a listing of everything (the table in rowid
 * order). */
static const char *
ticket_index(const struct md_ticket_filter *f)
{
	if (f->due)
		return "tickets_due";
	if (f->linked != 0)
		return "tickets_linked";
	if (f->requester != NULL)
		return "tickets_requester";
	if (f->assignee != NULL)
		return "tickets_assignee";
	if (f->escalated)
		return "tickets_escalated";
	if (statuses_not_closed(f->statuses))
		return "tickets_open";
	if (f->statuses != NULL && f->statuses[0] != NULL)
		return "tickets_status";
	if (f->since != 0 || f->before != 0)
		return "tickets_created";
	return NULL;
}

/* SQL for FILTER: only fixed fragments and parameters (?1 requester, ?2
 * assignee, ?3 since, ?4 before, ?5 linked, ?6 below id, ?7 limit, ?10
 * on the statuses). */
static char *
ticket_sql(const struct md_ticket_filter *f)
{
	GString *sql = g_string_new(TICKET_SELECT);
	const char *index = ticket_index(f);

	if (index != NULL)
		g_string_append_printf(sql, "INDEXED BY %s ", index);
	g_string_append(sql, "WHERE 1");
	/* The partial index's own condition, so that SQLite may use it. */
	if (index != NULL && strcmp(index, "tickets_open") == 0)
		g_string_append(sql, " AND status != 'closed'");
	if (f->due)
		g_string_append(sql, " AND due IS NOT NULL");
	if (f->linked != 0)
		g_string_append(sql, " AND linked = ?5");
	if (f->requester != NULL)
		g_string_append(sql, " AND requester = ?1");
	if (f->assignee != NULL)
		g_string_append(sql, " AND assignee = ?2");
	if (f->escalated)
		g_string_append(sql, " AND escalated != 0");
	if (f->since != 0)
		g_string_append(sql, " AND created >= ?3");
	if (f->before != 0)
		g_string_append(sql, " AND created < ?4");
	if (f->below_id != 0)
		g_string_append(sql, " AND id < ?6");
	for (int i = 0; f->statuses != NULL && f->statuses[i] != NULL; i++)
		g_string_append_printf(sql, "%s?%d", i ? ", " :
				       " AND status IN (", 10 + i);
	if (f->statuses != NULL && f->statuses[0] != NULL)
		g_string_append_c(sql, ')');
	g_string_append(sql, f->due ? " ORDER BY due, id" : " ORDER BY id DESC");
	if (f->limit > 0)
		g_string_append(sql, " LIMIT ?7");
	return g_string_free(sql, FALSE);
}

static void
ticket_bind(sqlite3_stmt *stmt, const struct md_ticket_filter *f)
{
	if (f->requester != NULL)
		sqlite3_bind_text(stmt, 1, f->requester, -1, SQLITE_STATIC);
	if (f->assignee != NULL)
		sqlite3_bind_text(stmt, 2, f->assignee, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, f->since);
	sqlite3_bind_int64(stmt, 4, f->before);
	sqlite3_bind_int64(stmt, 5, f->linked);
	sqlite3_bind_int64(stmt, 6, f->below_id);
	sqlite3_bind_int64(stmt, 7, f->limit);
	for (int i = 0; f->statuses != NULL && f->statuses[i] != NULL; i++)
		sqlite3_bind_text(stmt, 10 + i, f->statuses[i], -1,
				  SQLITE_STATIC);
}

bool
md_query_ticket_each(struct md_db *db, const struct md_ticket_filter *filter,
		     md_ticket_row_fn fn, gpointer data, GError **error)
{
	char *sql = ticket_sql(filter);
	sqlite3_stmt *stmt = md_db_prepare(db, sql, error);
	struct md_ticket_row row;
	bool ok = false;
	int rc;

	if (stmt == NULL)
		goto out;
	ticket_bind(stmt, filter);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		ticket_row_read(stmt, &row);
		ok = fn(&row, data, error);
		md_ticket_clear(&row.t);
		if (!ok)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		md_db_fail(db, rc, "list tickets", error);
		goto out;
	}
	ok = true;
out:
	sqlite3_finalize(stmt);
	g_free(sql);
	return ok;
}

bool
md_query_counter_sum(struct md_db *db, const char *const *names,
		     gint64 *sum_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, "SELECT value FROM counters "
					"WHERE name = ?", error);
	int rc = SQLITE_DONE;

	*sum_r = 0;
	if (stmt == NULL)
		return false;
	for (int i = 0; names[i] != NULL && rc == SQLITE_DONE; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, names[i], -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			*sum_r += sqlite3_column_int64(stmt, 0);
			rc = sqlite3_step(stmt);
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return md_db_fail(db, rc, "read counters", error);
	return true;
}

bool
md_query_ticket(struct md_db *db, gint64 id, struct md_ticket_row *row,
		bool *found_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db, TICKET_SELECT "WHERE id = ?",
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
	m->delivery = col_text(stmt, 13);
	m->delivery_error = col_text(stmt, 14);
	m->sent = sqlite3_column_int64(stmt, 15);
	m->attempts = sqlite3_column_int(stmt, 16);
	m->raw = sqlite3_column_int64(stmt, 17);
	return m;
}

static gpointer
make_history(sqlite3_stmt *stmt)
{
	struct md_history_row *h = g_new0(struct md_history_row, 1);

	h->at = sqlite3_column_int64(stmt, 0);
	h->what = col_text(stmt, 1);
	return h;
}

void
md_history_row_free(gpointer data)
{
	struct md_history_row *h = data;

	g_free(h->what);
	g_free(h);
}

bool
md_query_history(struct md_db *db, gint64 ticket, GPtrArray *rows,
		 GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT at, what FROM events WHERE ticket = ? ORDER BY id",
		error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, ticket);
	return collect(db, stmt, make_history, rows, error);
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
	g_free(m->delivery);
	g_free(m->delivery_error);
	g_free(m);
}

bool
md_query_messages(struct md_db *db, gint64 ticket, GPtrArray *rows,
		  GError **error)
{
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT m.message_id, m.in_reply_to, m.direction, m.role, "
		"m.kind, m.sender, m.to_addrs, m.cc_addrs, m.subject, m.date, "
		"m.received, m.attachments, m.text, o.state, o.last_error, "
		"o.sent, o.attempts, m.raw FROM messages m "
		"LEFT JOIN outbox o ON o.message = m.id "
		"WHERE m.ticket = ? ORDER BY m.id", error);

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
	/* Counters kept by triggers (db.c, migration 2): no table is
	 * counted here, whatever its size. */
	sqlite3_stmt *stmt = md_db_stmt(db,
		"SELECT name, value FROM counters WHERE value != 0 OR name = "
		"'quarantine' ORDER BY "
		"CASE substr(name, 1, 3) WHEN 'tic' THEN 0 WHEN 'out' THEN 1 "
		"WHEN 'mes' THEN 2 ELSE 3 END, name", error);

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

/* Appends TEXT[0..LEN) as an FTS5 string ("" doubles a quote). */
static void
fts_string(GString *out, const char *text, gsize len)
{
	g_string_append_c(out, '"');
	for (gsize i = 0; i < len; i++) {
		if (text[i] == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, text[i]);
	}
	g_string_append_c(out, '"');
}

char *
md_query_search_syntax(const char *text)
{
	GString *out = g_string_new(NULL);
	const char *p = text;

	while (*p != '\0') {
		const char *start;
		gsize len;
		bool prefix;

		if (g_ascii_isspace(*p)) {
			p++;
			continue;
		}
		if (out->len > 0)
			g_string_append_c(out, ' ');
		if (*p == '"') {
			start = ++p;
			while (*p != '\0' && *p != '"')
				p++;
			fts_string(out, start, p - start);
			if (*p == '"')
				p++;
		} else {
			start = p;
			while (*p != '\0' && !g_ascii_isspace(*p) &&
			       *p != '"')
				p++;
			len = p - start;
			if ((len == 3 && (strncmp(start, "AND", 3) == 0 ||
					  strncmp(start, "NOT", 3) == 0)) ||
			    (len == 2 && strncmp(start, "OR", 2) == 0)) {
				g_string_append_len(out, start, len);
				continue;
			}
			prefix = len > 1 && start[len - 1] == '*';
			fts_string(out, start, len - prefix);
			if (prefix)
				g_string_append_c(out, '*');
			continue;
		}
		/* "a phrase"* : a prefix on its last word. */
		if (*p == '*') {
			g_string_append_c(out, '*');
			p++;
		}
	}
	return g_string_free(out, FALSE);
}

static char *
search_sql(const char *const *statuses, gint64 limit, bool bounded)
{
	GString *sql = g_string_new(
		"SELECT m.ticket, m.id, coalesce(m.date, m.received), "
		"tickets.status, tickets.subject, m.sender, "
		"snippet(messages_fts, -1, '[', ']', '...', 12), "
		"rank FROM messages_fts "
		"JOIN messages m ON m.id = messages_fts.rowid "
		"JOIN tickets ON tickets.id = m.ticket "
		"WHERE messages_fts MATCH ?1");

	/* FTS5 takes a rowid range itself: bm25 is computed for the
	 * matches in the window only. */
	if (bounded)
		g_string_append(sql, " AND messages_fts.rowid >= ?3");
	for (int i = 0; statuses != NULL && statuses[i] != NULL; i++)
		g_string_append_printf(sql, "%s?%d", i ? ", " :
				       " AND tickets.status IN (", 10 + i);
	if (statuses != NULL && statuses[0] != NULL)
		g_string_append_c(sql, ')');
	/* ORDER BY rank, not bm25(): FTS5 then sorts by itself and the
	 * snippets are made for the rows returned only, not for every
	 * match of a common word. */
	g_string_append(sql, " ORDER BY rank");
	if (limit > 0)
		g_string_append(sql, " LIMIT ?2");
	return g_string_free(sql, FALSE);
}

static bool
search_fail(struct md_db *db, int rc, GError **error)
{
	const char *msg = sqlite3_errmsg(md_db_handle(db));

	/* FTS5 reports a query it cannot parse as a plain SQLITE_ERROR. */
	if ((rc & 0xff) == SQLITE_ERROR && g_str_has_prefix(msg, "fts5")) {
		g_set_error(error, MD_ERROR, MD_ERROR_USAGE,
			    "search: cannot understand the query: %s", msg);
		return false;
	}
	return md_db_fail(db, rc, "search", error);
}

/* *FLOOR_R = the rowid of the WINDOW-th newest match of MATCH when more
 * than WINDOW messages match, else 0.  FTS5 walks a doclist in rowid
 * order without ranking it: a few thousand steps whatever the number of
 * matches. */
static bool
search_floor(struct md_db *db, const char *match, gint64 window,
	     gint64 *floor_r, GError **error)
{
	sqlite3_stmt *stmt = md_db_prepare(db,
		"SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1 "
		"ORDER BY rowid DESC LIMIT 2 OFFSET ?2", error);
	gint64 rows[2];
	int n = 0, rc;

	*floor_r = 0;
	if (stmt == NULL)
		return false;
	sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, window - 1);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		rows[n++] = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return search_fail(db, rc, error);
	/* A row after the WINDOW-th: more match than are ranked. */
	if (n == 2)
		*floor_r = rows[0];
	return true;
}

bool
md_query_search_each(struct md_db *db, const char *match,
		     const char *const *statuses, gint64 limit,
		     gint64 window, bool *bounded_r,
		     md_search_hit_fn fn, gpointer data, GError **error)
{
	char *sql = NULL;
	sqlite3_stmt *stmt = NULL;
	struct md_search_hit hit;
	gint64 floor = 0;
	bool ok = false;
	int rc;

	*bounded_r = false;
	if (window > 0 && !search_floor(db, match, window, &floor, error))
		goto out;
	*bounded_r = floor > 0;
	sql = search_sql(statuses, limit, *bounded_r);
	if ((stmt = md_db_prepare(db, sql, error)) == NULL)
		goto out;
	sqlite3_bind_text(stmt, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, limit);
	sqlite3_bind_int64(stmt, 3, floor);
	for (int i = 0; statuses != NULL && statuses[i] != NULL; i++)
		sqlite3_bind_text(stmt, 10 + i, statuses[i], -1,
				  SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		hit.ticket = sqlite3_column_int64(stmt, 0);
		hit.message = sqlite3_column_int64(stmt, 1);
		hit.date = sqlite3_column_int64(stmt, 2);
		hit.status = (const char *)sqlite3_column_text(stmt, 3);
		hit.subject = (const char *)sqlite3_column_text(stmt, 4);
		hit.from = (const char *)sqlite3_column_text(stmt, 5);
		hit.snippet = (const char *)sqlite3_column_text(stmt, 6);
		hit.score = sqlite3_column_double(stmt, 7);
		if (!fn(&hit, data, error))
			goto out;
	}
	if (rc != SQLITE_DONE) {
		search_fail(db, rc, error);
		goto out;
	}
	ok = true;
out:
	sqlite3_finalize(stmt);
	g_free(sql);
	return ok;
}
