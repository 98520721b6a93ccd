/* classify.h: who wrote a message (pure, spec section 4 step 3). */
#ifndef MD_CLASSIFY_H
#define MD_CLASSIFY_H

#include <stdbool.h>

#include "lifecycle.h"
#include "loop.h"

struct md_conf;

/* The role of FROM before the ticket is known: DESK for our own mail,
 * AUTOMATED for machines (checked before agents, so that an agent's
 * out-of-office is never taken for an answer), AGENT, UPSTREAM, else
 * REQUESTER.  When agents.trusted_authserv_id is set, an agent's address
 * is an AGENT only if AUTH_RESULTS authenticate it (spec 6); otherwise it
 * is treated as anyone else's. */
enum md_role md_classify_sender(const struct md_conf *conf, const char *from,
				const GPtrArray *auth_results,
				const struct md_loop_verdict *verdict);

/* RFC 8601: true if the topmost of AUTH_RESULTS (Authentication-Results
 * values, in header order) was written by AUTHSERV_ID and shows dkim=pass
 * for FROM's domain (header.d or header.i) or spf=pass for it
 * (smtp.mailfrom).  Fields further down, whatever server they name, are
 * not the trusted MX's: anyone can write one. */
bool md_classify_authenticated(const GPtrArray *auth_results,
			       const char *authserv_id, const char *from);

/* Refines a REQUESTER role on a known ticket: REQUESTER if FROM is its
 * requester, PARTICIPANT if on the thread, else STRANGER. */
enum md_role md_classify_on_ticket(enum md_role role, const char *from,
				   const char *requester, bool participant);

#endif
