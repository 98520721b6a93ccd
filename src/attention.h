/* attention.h: telling the supervisors, once, that an inbound source needs
 * a person (issue 11: an OAuth2 grant revoked parks its source).
 *
 * One mail per episode, not one per attempt: the meta table remembers
 * that a source was reported, until it works again.  The mail goes
 * through the outbox like every other (template "attention").
 */
#ifndef MD_ATTENTION_H
#define MD_ATTENTION_H

#include <stdbool.h>

#include <glib.h>

struct md_ctx;

/* Queues, unless SOURCE (its name, e.g. its URL) was reported already,
 * one mail to each supervisor saying PROBLEM (the error the daemon
 * logged; it names what to run).  *QUEUED_R: how many were queued. */
bool md_attention_raise(struct md_ctx *ctx, const char *source,
			const char *problem, guint *queued_r,
			GError **error);

/* SOURCE works again: a later failure is reported anew.  Writes only
 * when SOURCE had been reported. */
bool md_attention_clear(struct md_ctx *ctx, const char *source,
			GError **error);

#endif
