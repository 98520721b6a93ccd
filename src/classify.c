/* classify.c: requester, agent, upstream, desk or machine. */
#include "config.h"

#include <string.h>

#include "addr.h"
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

/* In one "method=result prop=value ..." clause, the value of PROP, which
 * may be an address (its domain is taken); length in *LEN_R. */
static const char *
prop_domain(const char *clause, const char *prop, gsize *len_r)
{
	const char *p = strstr(clause, prop), *at, *end;

	if (p == NULL)
		return NULL;
	p += strlen(prop);
	end = p + strcspn(p, " \t;()");
	at = memchr(p, '@', end - p);
	if (at != NULL)
		p = at + 1;
	*len_r = end - p;
	return p;
}

/* One resinfo clause: "dkim=pass header.d=x", "spf=pass smtp.mailfrom=y"
 * (not smtp.helo: a HELO name is no proof of the sender's domain). */
static bool
clause_passes(const char *clause, const char *sender_domain)
{
	static const struct {
		const char *method;
		const char *props[3];
	} methods[] = {
		{ "dkim=pass", { "header.d=", "header.i=", NULL } },
		{ "spf=pass", { "smtp.mailfrom=", NULL } },
	};

	while (g_ascii_isspace(*clause))
		clause++;
	for (guint m = 0; m < G_N_ELEMENTS(methods); m++) {
		gsize mlen = strlen(methods[m].method);

		if (g_ascii_strncasecmp(clause, methods[m].method, mlen) != 0 ||
		    !(g_ascii_isspace(clause[mlen]) || clause[mlen] == '\0'))
			continue;
		for (guint i = 0; methods[m].props[i] != NULL; i++) {
			gsize len;
			const char *d = prop_domain(clause,
						    methods[m].props[i], &len);

			if (d != NULL && aligned(d, len, sender_domain))
				return true;
		}
	}
	return false;
}

bool
md_classify_authenticated(const GPtrArray *auth_results,
			  const char *authserv_id, const char *from)
{
	const char *sender_domain = from != NULL ? md_addr_domain(from) : "";
	gsize idlen = strlen(authserv_id);

	for (guint i = 0; auth_results != NULL && i < auth_results->len; i++) {
		const char *v = g_ptr_array_index(auth_results, i);
		char **clauses;
		bool ok = false;

		while (g_ascii_isspace(*v))
			v++;
		/* "authserv-id [version] ; resinfo ; resinfo ..." */
		if (g_ascii_strncasecmp(v, authserv_id, idlen) != 0 ||
		    !(g_ascii_isspace(v[idlen]) || v[idlen] == ';'))
			continue;
		clauses = g_strsplit(v + idlen, ";", -1);
		for (int c = 1; clauses[0] != NULL && clauses[c] != NULL && !ok;
		     c++)
			ok = clause_passes(clauses[c], sender_domain);
		g_strfreev(clauses);
		if (ok)
			return true;
	}
	return false;
}

enum md_role
md_classify_sender(const struct md_conf *conf, const char *from,
		   const GPtrArray *auth_results,
		   const struct md_loop_verdict *verdict)
{
	if (verdict->kind == MD_LOOP_SELF)
		return MD_ROLE_DESK;
	if (verdict->kind != MD_LOOP_NONE || from == NULL)
		return MD_ROLE_AUTOMATED;
	if ((md_addr_in(conf->agent_addresses, from) ||
	     md_addr_domain_in(conf->agent_domains, from)) &&
	    (conf->trusted_authserv_id == NULL ||
	     md_classify_authenticated(auth_results,
				       conf->trusted_authserv_id, from)))
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
