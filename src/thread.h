/* thread.h: which ticket a message belongs to (spec section 4 step 4).
 *
 * Pure: the database is reached through the two look-ups of struct
 * md_thread_db, so the rules are unit-tested with a table in memory.
 * Rules, first match wins: our subject tag naming an existing ticket;
 * In-Reply-To, then References, naming a Message-ID we received or sent
 * (our signed ids are trusted without a look-up); otherwise new.
 */
#ifndef MD_THREAD_H
#define MD_THREAD_H

#include <glib.h>
#include <stdbool.h>

struct md_msg;

enum md_thread_rule {
	MD_THREAD_NEW,
	MD_THREAD_TAG,
	MD_THREAD_IN_REPLY_TO,
	MD_THREAD_REFERENCES,
};

struct md_thread_db {
	/* *TICKET_R = the ticket of a stored message MID, or 0. */
	bool (*by_message_id)(void *data, const char *mid, gint64 *ticket_r,
			      GError **error);
	/* *EXISTS_R = whether ticket ID exists. */
	bool (*exists)(void *data, gint64 id, bool *exists_r, GError **error);
	void *data;
};

bool md_thread_find(const struct md_msg *msg, const char *desk_name,
		    GBytes *secret, const struct md_thread_db *db,
		    gint64 *ticket_r, enum md_thread_rule *rule_r,
		    GError **error);

const char *md_thread_rule_name(enum md_thread_rule rule);

#endif
