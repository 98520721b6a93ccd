/* test-classify.c: who wrote it, and the RFC 8601 check that lets an
 * agent's address act as an agent when agents.trusted_authserv_id is set. */
#include "config.h"

#include <glib.h>

#include "classify.h"
#include "conf.h"

struct auth_case {
	const char *name;
	const char *from;
	const char *results[3];	/* Authentication-Results values */
	bool expected;
};

#define ID "mx.desk.example"

static const struct auth_case auth_cases[] = {
	{ "dkim-pass", "alice@desk.example",
	  { ID "; dkim=pass header.d=desk.example header.s=s1", NULL }, true },
	{ "spf-pass", "alice@desk.example",
	  { ID "; spf=pass smtp.mailfrom=alice@desk.example", NULL }, true },
	{ "spf-pass-domain-only", "alice@desk.example",
	  { ID "; spf=pass smtp.mailfrom=desk.example", NULL }, true },
	{ "dkim-header-i", "alice@desk.example",
	  { ID "; dkim=pass header.i=@desk.example", NULL }, true },
	{ "dkim-parent-domain", "alice@paris.desk.example",
	  { ID "; dkim=pass header.d=desk.example", NULL }, true },
	{ "version-number", "alice@desk.example",
	  { ID " 1; dkim=pass header.d=desk.example", NULL }, true },
	{ "several-clauses", "alice@desk.example",
	  { ID "; spf=fail smtp.mailfrom=desk.example; dkim=pass "
	    "(2048-bit key) header.d=desk.example", NULL }, true },
	{ "case-insensitive", "alice@desk.example",
	  { "MX.Desk.Example; DKIM=Pass header.d=Desk.Example", NULL }, true },
	{ "gmail-style", "alice@desk.example",
	  { ID ";\r\n  dkim=pass header.i=@desk.example header.s=s1 "
	    "header.b=\"Ab+/9x=\";\r\n  spf=pass (" ID ": domain of "
	    "alice@desk.example designates 192.0.2.1 as permitted sender) "
	    "smtp.mailfrom=alice@desk.example", NULL }, true },
	{ "quoted-mailfrom", "alice@desk.example",
	  { ID "; spf=pass smtp.mailfrom=\"alice@desk.example\"", NULL },
	  true },
	/* RFC 8601 section 5: only the topmost field is the trusted MX's. */
	{ "topmost-other-server", "alice@desk.example",
	  { "other.example; dkim=fail", ID "; spf=pass smtp.mailfrom="
	    "desk.example", NULL }, false },
	/* Issue 7's three forgeries. */
	{ "forged-below-ours", "alice@desk.example",
	  { ID "; dkim=none; spf=none", ID "; dkim=pass header.d="
	    "desk.example", NULL }, false },
	{ "comment-as-property", "alice@desk.example",
	  { ID "; dkim=pass (header.d=desk.example) header.d=evil.example",
	    NULL }, false },
	{ "quoted-local-part", "alice@desk.example",
	  { ID "; spf=pass smtp.mailfrom=\"a@desk.example x\"@evil.example",
	    NULL }, false },
	{ "unreadable", "alice@desk.example",
	  { ID "; dkim=pass (header.d=desk.example", NULL }, false },
	{ "none", "alice@desk.example", { NULL }, false },
	{ "forged-other-server", "alice@desk.example",
	  { "mx.evil.example; dkim=pass header.d=desk.example", NULL }, false },
	{ "id-prefix-only", "alice@desk.example",
	  { ID ".evil.example; dkim=pass header.d=desk.example", NULL }, false },
	{ "dkim-fail", "alice@desk.example",
	  { ID "; dkim=fail header.d=desk.example", NULL }, false },
	{ "dkim-other-domain", "alice@desk.example",
	  { ID "; dkim=pass header.d=evil.example", NULL }, false },
	{ "dkim-lookalike-domain", "alice@desk.example",
	  { ID "; dkim=pass header.d=k.example", NULL }, false },
	{ "dkim-suffix-not-label", "alice@desk.example",
	  { ID "; dkim=pass header.d=sk.example", NULL }, false },
	{ "spf-softfail", "alice@desk.example",
	  { ID "; spf=softfail smtp.mailfrom=desk.example", NULL }, false },
	{ "spf-helo-only", "alice@desk.example",
	  { ID "; spf=pass smtp.helo=desk.example", NULL }, false },
	{ "dkim-passed-not-pass", "alice@desk.example",
	  { ID "; dkim=passed header.d=desk.example", NULL }, false },
	{ "no-resinfo", "alice@desk.example", { ID "; none", NULL }, false },
	{ "no-from", NULL,
	  { ID "; dkim=pass header.d=desk.example", NULL }, false },
};

static GPtrArray *
strv(const char *const *v)
{
	GPtrArray *a = g_ptr_array_new();

	for (int i = 0; v[i] != NULL; i++)
		g_ptr_array_add(a, (gpointer)v[i]);
	return a;
}

static void
test_auth(gconstpointer data)
{
	const struct auth_case *c = data;
	GPtrArray *results = strv(c->results);

	g_assert_cmpint(md_classify_authenticated(results, ID, c->from), ==,
			c->expected);
	g_ptr_array_unref(results);
}

struct role_case {
	const char *name;
	const char *from;
	const char *authserv_id;	/* NULL: not configured */
	const char *result;		/* one Authentication-Results, or NULL */
	enum md_loop_kind loop;
	enum md_role expected;
	const char *trust;		/* agents.trust; NULL: default */
	bool replied;			/* names a notification's id */
};

static const struct role_case role_cases[] = {
	/* Writing is not acting (spec 6): From alone proves nothing. */
	{ "agent-unproven", "alice@desk.example", NULL, NULL, MD_LOOP_NONE,
	  MD_ROLE_REQUESTER, NULL, false },
	{ "agent-domain-unproven", "bob@desk.example", NULL, NULL,
	  MD_LOOP_NONE, MD_ROLE_REQUESTER, NULL, false },
	{ "agent-trust-from", "alice@desk.example", NULL, NULL, MD_LOOP_NONE,
	  MD_ROLE_AGENT, "from", false },
	{ "agent-domain-trust-from", "bob@desk.example", NULL, NULL,
	  MD_LOOP_NONE, MD_ROLE_AGENT, "from", false },
	{ "agent-subdomain-not-listed", "bob@paris.desk.example", NULL, NULL,
	  MD_LOOP_NONE, MD_ROLE_REQUESTER, "from", false },
	{ "agent-replied-to-notification", "alice@desk.example", NULL, NULL,
	  MD_LOOP_NONE, MD_ROLE_AGENT, NULL, true },
	{ "agent-domain-replied", "bob@desk.example", ID, NULL, MD_LOOP_NONE,
	  MD_ROLE_AGENT, "authenticated", true },
	{ "stranger-replied", "eve@evil.example", NULL, NULL, MD_LOOP_NONE,
	  MD_ROLE_REQUESTER, NULL, true },
	{ "agent-subdomain-authenticated", "bob@paris.desk.example", ID,
	  ID "; dkim=pass header.d=desk.example", MD_LOOP_NONE,
	  MD_ROLE_REQUESTER, NULL, false },
	{ "agent-domain-authenticated", "bob@desk.example", ID,
	  ID "; dkim=pass header.d=desk.example", MD_LOOP_NONE,
	  MD_ROLE_AGENT, NULL, false },
	{ "agent-authenticated", "alice@desk.example", ID,
	  ID "; dkim=pass header.d=desk.example", MD_LOOP_NONE,
	  MD_ROLE_AGENT, NULL, false },
	{ "agent-not-authenticated", "alice@desk.example", ID, NULL,
	  MD_LOOP_NONE, MD_ROLE_REQUESTER, NULL, false },
	{ "agent-forged-results", "alice@desk.example", ID,
	  "mx.evil.example; dkim=pass header.d=desk.example", MD_LOOP_NONE,
	  MD_ROLE_REQUESTER, NULL, false },
	{ "agent-out-of-office", "alice@desk.example", NULL, NULL,
	  MD_LOOP_AUTOREPLY, MD_ROLE_AUTOMATED, "from", false },
	{ "desk-itself", "support@desk.example", NULL, NULL, MD_LOOP_SELF,
	  MD_ROLE_DESK, NULL, false },
	{ "upstream", "support@upstream.example", ID, NULL, MD_LOOP_NONE,
	  MD_ROLE_UPSTREAM, NULL, false },
	{ "upstream-domain", "jim@upstream.example", NULL, NULL, MD_LOOP_NONE,
	  MD_ROLE_UPSTREAM, NULL, false },
	{ "requester", "jean@mairie-exemple.fr", ID, NULL, MD_LOOP_NONE,
	  MD_ROLE_REQUESTER, NULL, false },
	{ "no-sender", NULL, NULL, NULL, MD_LOOP_NONE, MD_ROLE_AUTOMATED, NULL, false },
	{ "bounce", "mailer-daemon@mx.example.org", NULL, NULL,
	  MD_LOOP_BOUNCE, MD_ROLE_AUTOMATED, NULL, false },
};

static void
test_role(gconstpointer data)
{
	const struct role_case *c = data;
	GPtrArray *agents = g_ptr_array_new(), *agent_domains =
		g_ptr_array_new(), *up_domains = g_ptr_array_new();
	GPtrArray *results = g_ptr_array_new();
	struct md_conf conf = {
		.agent_addresses = agents, .agent_domains = agent_domains,
		.upstream_address = "support@upstream.example",
		.upstream_domains = up_domains,
		.trusted_authserv_id = (char *)c->authserv_id,
		.agents_trust = (char *)c->trust,
	};
	struct md_loop_verdict v = { c->loop, "" };

	g_ptr_array_add(agents, "alice@desk.example");
	g_ptr_array_add(agent_domains, "desk.example");
	g_ptr_array_add(up_domains, "upstream.example");
	if (c->result != NULL)
		g_ptr_array_add(results, (gpointer)c->result);
	g_assert_cmpint(md_classify_sender(&conf, c->from, results, &v,
					   c->replied), ==, c->expected);
	g_ptr_array_unref(results);
	g_ptr_array_unref(up_domains);
	g_ptr_array_unref(agent_domains);
	g_ptr_array_unref(agents);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(auth_cases); i++) {
		char *path = g_strconcat("/classify/authenticated/",
					 auth_cases[i].name, NULL);

		g_test_add_data_func(path, &auth_cases[i], test_auth);
		g_free(path);
	}
	for (guint i = 0; i < G_N_ELEMENTS(role_cases); i++) {
		char *path = g_strconcat("/classify/role/", role_cases[i].name,
					 NULL);

		g_test_add_data_func(path, &role_cases[i], test_role);
		g_free(path);
	}
	return g_test_run();
}
