/* loop.h: RFC 3834 and the desk's own rules on automated mail (pure).
 *
 * Decides whether a message was written by a machine (out-of-office,
 * bounce, list, noreply, our own mail come back) and so must never get an
 * automatic answer (spec section 5).
 */
#ifndef MD_LOOP_H
#define MD_LOOP_H

#include <glib.h>
#include <stdbool.h>

struct md_msg;
struct md_conf;

enum md_loop_kind {
	MD_LOOP_NONE,		/* a person wrote it */
	MD_LOOP_SELF,		/* the desk itself: From or X-Loop or our id */
	MD_LOOP_BOUNCE,		/* delivery report, null return path */
	MD_LOOP_AUTOREPLY,	/* out-of-office and other auto-replies */
	MD_LOOP_BULK,		/* lists, bulk, noreply senders */
};

struct md_loop_verdict {
	enum md_loop_kind kind;
	const char *reason;	/* static text, "" for MD_LOOP_NONE */
};

/* True if MSG, written by a machine (VERDICT not NONE), comes from a
 * desk: ours or another ticketing system (Auto-Submitted, X-Loop, RT,
 * OTRS, Zammad headers).  Such mail never opens a notification: two desks
 * answering each other's automatic mail would never stop. */
bool md_loop_from_desk(const struct md_msg *msg,
		       const struct md_loop_verdict *verdict);

/* Classifies MSG.  SECRET recognises our own Message-IDs. */
struct md_loop_verdict md_loop_check(const struct md_msg *msg,
				     const struct md_conf *conf,
				     GBytes *secret);

#endif
