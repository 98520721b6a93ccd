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
 * REQUESTER.  Writing is not acting (spec 6): an agent's (upstream's)
 * address is an AGENT (UPSTREAM) only if proven, by
 * md_classify_agent_proven or by REPLIED_TO_AGENTS (the mail names the
 * signed Message-ID of a mail the desk sent to that role: a notification,
 * an escalation; the caller checks that it is of the ticket the mail
 * lands on); otherwise it is treated as anyone else's. */
enum md_role md_classify_sender(const struct md_conf *conf, const char *from,
				const GPtrArray *auth_results,
				const struct md_loop_verdict *verdict,
				bool replied_to_agents);

/* True if FROM is in agents.addresses or exactly in agents.domains
 * (subdomains do not count unless listed). */
bool md_classify_agent_address(const struct md_conf *conf, const char *from);

/* True if FROM is proven without looking at the ticket: the trusted
 * server's Authentication-Results pass for it, or agents.trust = "from". */
bool md_classify_agent_proven(const struct md_conf *conf, const char *from,
			      const GPtrArray *auth_results);

/* True if FROM is upstream.address or in upstream.domains. */
bool md_classify_upstream_address(const struct md_conf *conf,
				  const char *from);

/* agents.trust = "from": the From header alone makes an agent (unsafe). */
bool md_classify_trusts_from(const struct md_conf *conf);

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
