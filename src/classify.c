/* classify.c: requester, agent, upstream, desk or machine. */
#include "config.h"

#include "addr.h"
#include "classify.h"
#include "conf.h"

enum md_role
md_classify_sender(const struct md_conf *conf, const char *from,
		   const struct md_loop_verdict *verdict)
{
	if (verdict->kind == MD_LOOP_SELF)
		return MD_ROLE_DESK;
	if (verdict->kind != MD_LOOP_NONE || from == NULL)
		return MD_ROLE_AUTOMATED;
	if (md_addr_in(conf->agent_addresses, from) ||
	    md_addr_domain_in(conf->agent_domains, from))
		return MD_ROLE_AGENT;
	if ((conf->upstream_address != NULL &&
	     g_ascii_strcasecmp(conf->upstream_address, from) == 0) ||
	    md_addr_domain_in(conf->upstream_domains, from))
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
