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
 * REQUESTER. */
enum md_role md_classify_sender(const struct md_conf *conf, const char *from,
				const struct md_loop_verdict *verdict);

/* Refines a REQUESTER role on a known ticket: REQUESTER if FROM is its
 * requester, PARTICIPANT if on the thread, else STRANGER. */
enum md_role md_classify_on_ticket(enum md_role role, const char *from,
				   const char *requester, bool participant);

#endif
