/* store.h: every SQL statement of maildesk, one function each.
 *
 * Functions run inside whatever transaction the caller opened (the
 * pipeline's batch, the outbox's row) and never commit themselves, except
 * md_store_secret which makes its own.  Errors come from md_db_fail: busy,
 * locked, full, I/O are MD_ERROR_TEMP.  "Not found" is not an error.
 */
#ifndef MD_STORE_H
#define MD_STORE_H

#include <glib.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "lifecycle.h"

struct md_db;

/* Loads the installation secret, creating it at first use. */
bool md_store_secret(struct md_db *db, GBytes **secret_r, GError **error);

/* Raw bytes. */
bool md_store_raw_insert(struct md_db *db, const void *data, gsize len,
			 gint64 *id_r, GError **error);
bool md_store_raw_get(struct md_db *db, gint64 id, GBytes **raw_r,
		      GError **error);

/* True in *DUP_R if an inbound message or quarantined mail with this
 * Message-ID (NULL matches NULL) and body hash is stored. */
bool md_store_is_duplicate(struct md_db *db, const char *mid,
			   const char *hash, bool *dup_r, GError **error);

bool md_store_quarantine(struct md_db *db, gint64 raw, gint64 now,
			 const char *source, const char *reason,
			 const char *mid, const char *hash, GError **error);

/* The columns of a ticket, in the order md_store_ticket_from_row reads
 * them from column FIRST on (for the read-only queries of query.c). */
#define MD_STORE_TICKET_COLUMNS "id, status, subject, requester, created, " \
	"updated, escalated, upstream_ref, due, linked, assignee, closed_at, " \
	"answered, since, reminders, escalated_at"
void md_store_ticket_from_row(sqlite3_stmt *stmt, int first,
			      struct md_ticket *t);

/* Tickets.  md_store_ticket_get fills T (cleared first) and sets *FOUND_R. */
bool md_store_ticket_get(struct md_db *db, gint64 id, struct md_ticket *t,
			 bool *found_r, GError **error);
bool md_store_ticket_exists(struct md_db *db, gint64 id, bool *exists_r,
			    GError **error);
/* Inserts T and sets t->id. */
bool md_store_ticket_insert(struct md_db *db, struct md_ticket *t,
			    GError **error);
/* Writes what a change may change: subject, requester, created and
 * linked stay as inserted. */
bool md_store_ticket_update(struct md_db *db, const struct md_ticket *t,
			    GError **error);
/* The ticket of the message MID (in or out), 0 if none. */
bool md_store_ticket_by_message_id(struct md_db *db, const char *mid,
				   gint64 *ticket_r, GError **error);

/* *TICKET_R = the newest ticket whose remembered upstream reference is
 * REF ("[Upstream #999]" as upstream writes it), or 0. */
bool md_store_ticket_by_upstream_ref(struct md_db *db, const char *ref,
				     gint64 *ticket_r, GError **error);
/* The ticket of MID if it is a mail the desk sent of KIND (to RCPT, if
 * not NULL), else 0: a notification only the agents received, an
 * escalation only upstream received. */
bool md_store_sent_mail(struct md_db *db, const char *mid, const char *kind,
			const char *rcpt, gint64 *ticket_r, GError **error);

bool md_store_participant_add(struct md_db *db, gint64 ticket,
			      const char *addr, enum md_role role,
			      GError **error);
/* Appends the ticket's participants (g_free'd char *) to LIST. */
bool md_store_participants(struct md_db *db, gint64 ticket, GPtrArray *list,
			   GError **error);

struct md_store_message {
	gint64 ticket;
	gint64 raw;
	const char *direction;		/* "in" or "out" */
	enum md_role role;
	const char *kind;		/* outgoing kind, or NULL */
	const char *message_id;
	const char *in_reply_to;
	const char *body_hash;
	const char *sender;
	const GPtrArray *to;
	const GPtrArray *cc;
	const char *subject;
	gint64 date;
	gint64 received;
	const char *source;
	const char *text;
	const char *attachments;	/* JSON array */
};
bool md_store_message_insert(struct md_db *db,
			     const struct md_store_message *m, gint64 *id_r,
			     GError **error);

/* *COUNT_R = the attachments listed on TICKET's messages (what show N
 * numbers 1, 2 ...). */
bool md_store_ticket_attachment_count(struct md_db *db, gint64 ticket,
				      gint64 *count_r, GError **error);

/* Appends the raw bytes (GBytes *) of the ticket's thread, in arrival
 * order, to LIST: what the requester's side and upstream wrote and the
 * desk's relays to them, and the mail that opened the ticket whoever
 * wrote it (an agent's forward, maildesk open); never an agent's answer
 * (it quotes our notification) nor what went to agents.  Only messages
 * whose row id is above AFTER (0: all). */
bool md_store_ticket_raws(struct md_db *db, gint64 ticket, gint64 after,
			  GPtrArray *list, GError **error);

/* The upstream thread of TICKET: the Message-IDs of the desk's
 * escalations to UPSTREAM and of upstream's mails, in order, appended to
 * REFS (g_free'd char *); *PARENT_R the last (g_free) or NULL; *LAST_R
 * the row id of the last escalation sent to UPSTREAM, 0 if none. */
bool md_store_upstream_refs(struct md_db *db, gint64 ticket,
			    const char *upstream, char **parent_r,
			    GPtrArray *refs, gint64 *last_r, GError **error);

/* A queued mail due for sending. */
struct md_outbox_row {
	gint64 id;
	gint64 ticket;
	char *mail_from;
	GPtrArray *rcpts;	/* char * */
	GBytes *data;
	int attempts;
	gint64 created;
	char *kind;		/* "ack", "notify" ... or NULL */
};
void md_outbox_row_free(gpointer row);
/* Appends up to MAX rows due at NOW (struct md_outbox_row *) to LIST. */
bool md_store_outbox_due(struct md_db *db, gint64 now, guint max,
			 GPtrArray *list, GError **error);
/* STATE is "sent", "queued" (retry at NEXT_TRY) or "failed". */
bool md_store_outbox_result(struct md_db *db, gint64 id, const char *state,
			    int attempts, gint64 next_try, gint64 now,
			    const char *last_error, GError **error);
/* *DUE_R = the earliest next_try of queued rows, -1 if none. */
bool md_store_outbox_next(struct md_db *db, gint64 *due_r, GError **error);

/* A mail to queue: MESSAGE and TICKET are 0 for mail about no ticket
 * (a digest); RAW holds its bytes. */
struct md_store_outbox {
	gint64 message;
	gint64 ticket;
	gint64 raw;
	const char *kind;
	const char *mail_from;
	const GPtrArray *rcpts;
	gint64 now;
};
bool md_store_outbox_insert(struct md_db *db, const struct md_store_outbox *o,
			    GError **error);

/* Counts one automatic mail to ADDR on DAY unless LIMIT is reached;
 * *ALLOWED_R says whether it may be sent. */
bool md_store_autoreply_take(struct md_db *db, const char *addr,
			     const char *day, int limit, bool *allowed_r,
			     GError **error);
bool md_store_address_bouncing(struct md_db *db, const char *addr,
			       gint64 now, GError **error);
bool md_store_event(struct md_db *db, gint64 ticket, gint64 now,
		    const char *what, GError **error);

/* *BOUNCING_R: ADDR was reported bouncing. */
bool md_store_address_is_bouncing(struct md_db *db, const char *addr,
				  bool *bouncing_r, GError **error);

/* The first and last Message-IDs of the requester's side on TICKET,
 * appended to REFS (g_free'd char *); *PARENT_R the last (g_free), NULL
 * if none. */
bool md_store_thread_refs(struct md_db *db, gint64 ticket, char **parent_r,
			  GPtrArray *refs, GError **error);

/* Appends to IDS (gint64) up to MAX tickets due at NOW, earliest first. */
bool md_store_due_tickets(struct md_db *db, gint64 now, guint max,
			  GArray *ids, GError **error);

/* Integers kept in the meta table (the last digest); 0 if absent. */
bool md_store_meta_get_int(struct md_db *db, const char *key,
			   gint64 *value_r, GError **error);
bool md_store_meta_set_int(struct md_db *db, const char *key, gint64 value,
			   GError **error);

/* The text of TICKET's last message from a person (requester's side,
 * agent, upstream; g_free), NULL if none. */
bool md_store_last_words(struct md_db *db, gint64 ticket, char **text_r,
			 GError **error);

/* The digest's lists: tickets escalated after ARG; all still escalated
 * (ARG unused); open since ARG or before, oldest first.  Appends
 * g_new'd struct md_ticket * (free with md_ticket_clear and g_free). */
enum md_digest_list {
	MD_DIGEST_ESCALATED,
	MD_DIGEST_UPSTREAM,
	MD_DIGEST_OPEN,
};
bool md_store_digest_tickets(struct md_db *db, enum md_digest_list list,
			     gint64 arg, GPtrArray *tickets, GError **error);

/* Source health, for stats. */
bool md_store_source_ok(struct md_db *db, const char *name, gint64 now,
			guint received, GError **error);
bool md_store_source_error(struct md_db *db, const char *name, gint64 now,
			   const char *text, GError **error);

#endif
