/* mid.h: the desk's own Message-IDs, signed (pure).
 *
 * "md.<ticket>.<nonce>.<mac>@<desk domain>", where mac is a truncated
 * HMAC-SHA256 over "<ticket>.<nonce>" with the installation secret.  A
 * reference to such an id can be trusted without a database look-up, and
 * a mail that arrives carrying one as its own Message-ID is our mail come
 * back: a loop.
 */
#ifndef MD_MID_H
#define MD_MID_H

#include <glib.h>
#include <stdbool.h>

/* A new Message-ID (without angle brackets) for TICKET; NONCE_SEED makes
 * it unique (callers pass the clock's microseconds).  Returns g_free. */
char *md_mid_new(GBytes *secret, const char *domain, gint64 ticket,
		 gint64 nonce_seed);

/* True if MID is one of ours with a valid signature; *TICKET_R is then
 * its ticket. */
bool md_mid_verify(GBytes *secret, const char *mid, gint64 *ticket_r);

#endif
