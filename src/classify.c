/* classify.c: requester, agent, upstream, desk or machine. */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "authres.h"
#include "classify.h"
#include "conf.h"

/* True if DOMAIN is SENDER_DOMAIN or a parent of it (DKIM's relaxed
 * alignment: mail from alice@paris.desk.example signed by desk.example). */
static bool
aligned(const char *domain, gsize len, const char *sender_domain)
{
	gsize slen = strlen(sender_domain);

	if (len == 0)
		return false;
	if (len == slen)
		return g_ascii_strncasecmp(domain, sender_domain, len) == 0;
	return slen > len && sender_domain[slen - len - 1] == '.' &&
	       g_ascii_strncasecmp(domain, sender_domain + slen - len,
				   len) == 0;
}

/* One resinfo: "dkim=pass" with header.d or header.i, "spf=pass" with
 * smtp.mailfrom (not smtp.helo: a HELO name is no proof of the sender's
 * domain), naming SENDER_DOMAIN or a parent of it. */
static bool
result_passes(const struct md_authres_result *r, const char *sender_domain)
{
	bool dkim = strcmp(r->method, "dkim") == 0;

	if (strcmp(r->result, "pass") != 0 ||
	    (!dkim && strcmp(r->method, "spf") != 0))
		return false;
	for (guint i = 0; i < r->props->len; i++) {
		const struct md_authres_prop *p = g_ptr_array_index(r->props,
								    i);
		const char *d;
		bool named = dkim
			? strcmp(p->ptype, "header") == 0 &&
			  (strcmp(p->property, "d") == 0 ||
			   strcmp(p->property, "i") == 0)
			: strcmp(p->ptype, "smtp") == 0 &&
			  strcmp(p->property, "mailfrom") == 0;

		if (!named)
			continue;
		d = md_authres_domain(p->value);
		if (aligned(d, strlen(d), sender_domain))
			return true;
	}
	return false;
}

/* RFC 8601 section 5: the trusted MX adds its header on top of what it
 * received (and should strip any that claim its name), so only the
 * topmost Authentication-Results is its; one further down carrying the
 * same authserv-id was written by someone else. */
bool
md_classify_authenticated(const GPtrArray *auth_results,
			  const char *authserv_id, const char *from)
{
	const char *sender_domain = from != NULL ? md_addr_domain(from) : "";
	struct md_authres *ar;
	bool ok = false;

	if (auth_results == NULL || auth_results->len == 0 || from == NULL)
		return false;
	ar = md_authres_parse(g_ptr_array_index(auth_results, 0));
	if (ar == NULL || g_ascii_strcasecmp(ar->authserv_id, authserv_id) != 0)
		goto out;
	for (guint i = 0; i < ar->results->len && !ok; i++)
		ok = result_passes(g_ptr_array_index(ar->results, i),
				   sender_domain);
out:
	md_authres_free(ar);
	return ok;
}

bool
md_classify_agent_address(const struct md_conf *conf, const char *from)
{
	const char *domain;

	if (from == NULL)
		return false;
	if (md_addr_in(conf->agent_addresses, from))
		return true;
	/* Exactly the domain: a subdomain (a customer's tenant, a mailing
	 * host) is not the agents' unless listed. */
	domain = md_addr_domain(from);
	for (guint i = 0; conf->agent_domains != NULL &&
	     i < conf->agent_domains->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(conf->agent_domains,
							 i), domain) == 0)
			return true;
	return false;
}

bool
md_classify_upstream_address(const struct md_conf *conf, const char *from)
{
	return from != NULL &&
	       ((conf->upstream_address != NULL &&
		 g_ascii_strcasecmp(conf->upstream_address, from) == 0) ||
		md_addr_domain_in(conf->upstream_domains, from));
}

bool
md_classify_trusts_from(const struct md_conf *conf)
{
	return g_strcmp0(conf->agents_trust, "from") == 0;
}

bool
md_classify_agent_proven(const struct md_conf *conf, const char *from,
			 const GPtrArray *auth_results)
{
	return md_classify_trusts_from(conf) ||
	       (conf->trusted_authserv_id != NULL &&
		md_classify_authenticated(auth_results,
					  conf->trusted_authserv_id, from));
}

enum md_role
md_classify_sender(const struct md_conf *conf, const char *from,
		   const GPtrArray *auth_results,
		   const struct md_loop_verdict *verdict,
		   bool replied_to_agents)
{
	if (verdict->kind == MD_LOOP_SELF)
		return MD_ROLE_DESK;
	if (verdict->kind != MD_LOOP_NONE || from == NULL)
		return MD_ROLE_AUTOMATED;
	if (md_classify_agent_address(conf, from) &&
	    (replied_to_agents ||
	     md_classify_agent_proven(conf, from, auth_results)))
		return MD_ROLE_AGENT;
	/* Upstream is proven as agents are, but its unproven mail has a
	 * place of its own (spec 6): the caller asks
	 * md_classify_agent_proven. */
	if (md_classify_upstream_address(conf, from))
		return MD_ROLE_UPSTREAM;
	return MD_ROLE_REQUESTER;
}

enum md_role
md_classify_on_ticket(enum md_role role, const char *from,
		      const char *requester, bool participant)
{
	if (role != MD_ROLE_REQUESTER)
		return role;
	if (requester != NULL && g_ascii_strcasecmp(from, requester) == 0)
		return MD_ROLE_REQUESTER;
	return participant ? MD_ROLE_PARTICIPANT : MD_ROLE_STRANGER;
}
