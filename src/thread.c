/* thread.c: tag, then In-Reply-To, then References. */
#include "config.h"

#include "mid.h"
#include "msg.h"
#include "tag.h"
#include "thread.h"

const char *
md_thread_rule_name(enum md_thread_rule rule)
{
	static const char *const names[] = {
		"new", "tag", "in-reply-to", "references",
	};

	return names[rule];
}

/* The ticket MID names, from its signature or from the database. */
static bool
by_reference(const char *mid, GBytes *secret, const struct md_thread_db *db,
	     gint64 *ticket_r, GError **error)
{
	bool exists = false;

	*ticket_r = 0;
	if (mid == NULL)
		return true;
	if (md_mid_verify(secret, mid, ticket_r)) {
		if (!db->exists(db->data, *ticket_r, &exists, error))
			return false;
		if (exists)
			return true;
		*ticket_r = 0;	/* signed by us, but the ticket is gone */
	}
	return db->by_message_id(db->data, mid, ticket_r, error);
}

bool
md_thread_find(const struct md_msg *msg, const char *desk_name,
	       GBytes *secret, const struct md_thread_db *db,
	       gint64 *ticket_r, enum md_thread_rule *rule_r, GError **error)
{
	gint64 id = md_tag_find(msg->subject, desk_name);
	bool exists = false;

	*ticket_r = 0;
	*rule_r = MD_THREAD_NEW;
	if (id > 0) {
		if (!db->exists(db->data, id, &exists, error))
			return false;
		if (exists) {
			*ticket_r = id;
			*rule_r = MD_THREAD_TAG;
			return true;
		}
	}
	if (!by_reference(msg->in_reply_to, secret, db, &id, error))
		return false;
	if (id > 0) {
		*ticket_r = id;
		*rule_r = MD_THREAD_IN_REPLY_TO;
		return true;
	}
	/* Newest reference first: it is the message being answered. */
	for (guint i = msg->references->len; i-- > 0;) {
		if (!by_reference(g_ptr_array_index(msg->references, i),
				  secret, db, &id, error))
			return false;
		if (id > 0) {
			*ticket_r = id;
			*rule_r = MD_THREAD_REFERENCES;
			return true;
		}
	}
	return true;
}
