/* bounce.h: the failed recipient of a bounce that is no DSN (pure).
 *
 * A DSN names it in Final-Recipient, Exim in X-Failed-Recipients (msg.c
 * reads both); other MTAs only write it in prose.  This module reads the
 * phrasings of the common ones, so that a non-standard bounce threaded
 * to a ticket still marks the address that failed (spec section 5).
 */
#ifndef MD_BOUNCE_H
#define MD_BOUNCE_H

#include <glib.h>

/* The address the bounce text TEXT reports as failed, lowercased
 * (g_free), or NULL when no known phrasing names one: Postfix's and
 * qmail's "<addr>:" paragraph, sendmail's "addr... User unknown",
 * Exchange's "Delivery has failed to these recipients or groups:", "Your
 * message to addr couldn't be delivered", Gmail's "wasn't delivered to
 * addr", the French "n'a pas pu être remis à addr" and kin.  Of the
 * addresses so named, the first in PREFER (the ticket's requester and
 * participants; char *, may be NULL) wins, else the first not in IGNORE
 * (the desk's own addresses; may be NULL).  Nothing is borrowed. */
char *md_bounce_failed_recipient(const char *text, const GPtrArray *prefer,
				 const GPtrArray *ignore);

#endif
