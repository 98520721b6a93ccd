/* digest.h: the supervisors' digest (spec 6).
 *
 * On working days at escalation.digest_at, one mail per supervisor: the
 * tickets escalated since the last digest, every ticket still waiting on
 * upstream with its age in working days, and the open tickets without an
 * answer of the desk for more than escalation.stale_after working hours,
 * oldest first; text with an HTML table alternative.  The instant of the
 * last digest is kept in the database, in the transaction that queues
 * the mails: a digest is sent once, and a missed one goes out when the
 * daemon comes back the same day.
 */
#ifndef MD_DIGEST_H
#define MD_DIGEST_H

#include <glib.h>
#include <stdbool.h>

struct md_ctx;

/* Queues today's digest if its time has come and it is not sent yet;
 * *QUEUED_R += the mails queued. */
bool md_digest_tick(struct md_ctx *ctx, guint *queued_r, GError **error);

/* The digest as of now, whatever the hour: *TEXT_R (g_free) is its
 * subject and text.  Unless DRY_RUN, it is also queued to the
 * supervisors (even when empty) and recorded as the last digest. */
bool md_digest_now(struct md_ctx *ctx, bool dry_run, char **text_r,
		   guint *queued_r, GError **error);

#endif
