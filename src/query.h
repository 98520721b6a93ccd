/* query.h: the read-only queries of the command line (list, show, stats).
 *
 * The pipeline's statements are in store.c; these only read.  Rows are
 * owned by the arrays they are appended to.
 */
#ifndef MD_QUERY_H
#define MD_QUERY_H

#include <glib.h>
#include <stdbool.h>

#include "lifecycle.h"

struct md_db;

struct md_ticket_row {
	struct md_ticket t;
	gint64 messages;
};

struct md_message_row {
	char *message_id, *in_reply_to, *direction, *role, *kind;
	char *from, *to, *cc, *subject, *attachments, *text;
	gint64 date, received;
	/* Outgoing mail: the outbox's state ("queued", "sent", "failed";
	 * NULL for none), its last error (the server's answer) and when it
	 * was sent (0: not yet). */
	char *delivery, *delivery_error;
	gint64 sent;
	int attempts;
	gint64 raw;		/* the stored mail (md_store_raw_get), 0 if
				 * purged */
};

/* A line of a ticket's history (the events table). */
struct md_history_row {
	gint64 at;
	char *what;
};

struct md_quarantine_row {
	gint64 id, received, size;
	char *source, *reason, *message_id;
};

struct md_stat {
	char *name;
	gint64 count;
};

struct md_source_row {
	char *name, *last_error;
	gint64 last_ok, last_error_at, received;
};

/* What list shows; each filter is served by an index. */
struct md_ticket_filter {
	const char *const *statuses;	/* NULL-terminated; NULL: any */
	const char *requester;		/* NULL: any */
	const char *assignee;		/* NULL: any */
	gint64 since, before;		/* created in [since, before); 0: open */
	bool escalated;			/* only escalated tickets */
	gint64 linked;			/* only tickets continuing this one */
	gint64 below_id;		/* only ids below this (paging); 0 */
	gint64 limit;			/* at most this many; 0: all */
	bool due;			/* only tickets with a timer, the
					 * next due first */
};
/* Called for each row, newest first; ROW is valid during the call only.
 * Returning false (with ERROR set) stops the listing. */
typedef bool (*md_ticket_row_fn)(const struct md_ticket_row *row,
				 gpointer data, GError **error);
/* Streams the tickets that FILTER selects to FN (constant memory: one row
 * at a time, in the order of an index). */
bool md_query_ticket_each(struct md_db *db,
			  const struct md_ticket_filter *filter,
			  md_ticket_row_fn fn, gpointer data, GError **error);
/* *SUM_R = the sum of the stats counters NAMES (NULL-terminated), such as
 * "tickets.open"; a counter never set counts 0. */
bool md_query_counter_sum(struct md_db *db, const char *const *names,
			  gint64 *sum_r, GError **error);
bool md_query_ticket(struct md_db *db, gint64 id, struct md_ticket_row *row,
		     bool *found_r, GError **error);
/* Appends struct md_message_row * in arrival order. */
bool md_query_messages(struct md_db *db, gint64 ticket, GPtrArray *rows,
		       GError **error);
/* Appends struct md_history_row * in order. */
bool md_query_history(struct md_db *db, gint64 ticket, GPtrArray *rows,
		      GError **error);
bool md_query_participants(struct md_db *db, gint64 ticket, GPtrArray *rows,
			   GError **error);
bool md_query_quarantine(struct md_db *db, GPtrArray *rows, GError **error);
/* Counts (struct md_stat *): "tickets.<status>", "outbox.<state>",
 * "quarantine", "messages.in", "messages.out". */
bool md_query_stats(struct md_db *db, GPtrArray *rows, GError **error);
bool md_query_sources(struct md_db *db, GPtrArray *rows, GError **error);

/* One message found by md_query_search_each. */
struct md_search_hit {
	gint64 ticket, message, date;
	const char *status, *subject, *from, *snippet;	/* borrowed */
	double score;			/* bm25: lower is better */
};
typedef bool (*md_search_hit_fn)(const struct md_search_hit *hit,
				 gpointer data, GError **error);
/* Streams to FN, best first, at most LIMIT (0: all) inbound messages that
 * match the FTS5 query MATCH (see md_query_search_syntax), of tickets in
 * STATUSES (NULL-terminated; NULL: any).  When more than WINDOW (> 0)
 * messages match, only the WINDOW newest matches are ranked and
 * *BOUNDED_R is set: ranking every match of a common word costs time in
 * proportion to the desk's age.  A malformed query is MD_ERROR_USAGE. */
bool md_query_search_each(struct md_db *db, const char *match,
			  const char *const *statuses, gint64 limit,
			  gint64 window, bool *bounded_r,
			  md_search_hit_fn fn, gpointer data, GError **error);
/* The FTS5 query for what a person typed: words match as words (an
 * address or "e-mail" is not FTS5 syntax), "quoted phrases" as phrases,
 * a trailing * makes a prefix, AND/OR/NOT stay operators.  g_free. */
char *md_query_search_syntax(const char *text);

void md_ticket_row_free(gpointer row);
void md_message_row_free(gpointer row);
void md_history_row_free(gpointer row);
void md_quarantine_row_free(gpointer row);
void md_stat_free(gpointer row);
void md_source_row_free(gpointer row);

#endif
