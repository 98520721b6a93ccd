/* test-thread.c: which ticket a message lands on, and what landing on it
 * does.
 *
 * /thread/ rows run md_thread_find (spec section 4, step 4) against a
 * database held in a table here, through the two look-ups of struct
 * md_thread_db.  /lifecycle/ rows run md_lifecycle_apply (spec section 6)
 * on a ticket in a given state and compare the resulting ticket and
 * intents, each rendered as one line of text so that a failure shows the
 * whole outcome.
 */
#include "config.h"

#include <string.h>

#include "error.h"
#include "lifecycle.h"
#include "mid.h"
#include "msg.h"
#include "thread.h"

static GBytes *secret;
static GBytes *other_secret;

/* ==== threading ==== */

/* The database: messages received or sent, and the tickets that exist
 * (ticket 99 was deleted; 666 makes the look-up fail). */
static const struct {
	const char *mid;
	gint64 ticket;
} stored[] = {
	{ "first@client.example", 12 },
	{ "reply@client.example", 12 },
	{ "other@client.example", 42 },
	{ "upstream.1@upstream.example", 77 },
};
static const gint64 existing[] = { 3, 12, 42, 77 };

static bool
db_by_message_id(void *data, const char *mid, gint64 *ticket_r,
		 GError **error)
{
	guint *calls = data;

	(*calls)++;
	*ticket_r = 0;
	if (strcmp(mid, "db-error@client.example") == 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "database is locked");
		return false;
	}
	for (guint i = 0; i < G_N_ELEMENTS(stored); i++)
		if (strcmp(stored[i].mid, mid) == 0)
			*ticket_r = stored[i].ticket;
	return true;
}

static bool
db_exists(void *data, gint64 id, bool *exists_r, GError **error)
{
	(void)data;
	*exists_r = false;
	if (id == 666) {
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "database is locked");
		return false;
	}
	for (guint i = 0; i < G_N_ELEMENTS(existing); i++)
		if (existing[i] == id)
			*exists_r = true;
	return true;
}

struct thread_case {
	const char *name;
	const char *subject;
	const char *desk;		/* NULL: "Helpdesk" */
	const char *in_reply_to;	/* "ours:N", "other:N": signed ids */
	const char *references;		/* space-separated, same forms */
	gint64 ticket;
	enum md_thread_rule rule;
	bool error;
};

static const struct thread_case thread_cases[] = {
	{ "new/nothing", "Imprimante", NULL, NULL, NULL, 0, MD_THREAD_NEW,
	  false },
	{ "new/unknown-references", "Re: Imprimante", NULL, "a@x.example",
	  "b@x.example a@x.example", 0, MD_THREAD_NEW, false },
	{ "tag/existing", "Re: [Helpdesk #12] Imprimante", NULL, NULL, NULL,
	  12, MD_THREAD_TAG, false },
	{ "tag/case-and-spacing", "RE: [ helpdesk  #3 ] x", NULL, NULL, NULL,
	  3, MD_THREAD_TAG, false },
	{ "tag/anywhere", "Imprimante (suite de [Helpdesk #42])", NULL, NULL,
	  NULL, 42, MD_THREAD_TAG, false },
	{ "tag/unknown-ticket", "[Helpdesk #500] x", NULL, NULL, NULL, 0,
	  MD_THREAD_NEW, false },
	{ "tag/unknown-then-in-reply-to", "[Helpdesk #500] x", NULL,
	  "other@client.example", NULL, 42, MD_THREAD_IN_REPLY_TO, false },
	{ "tag/deleted-ticket", "[Helpdesk #99] x", NULL, NULL, NULL, 0,
	  MD_THREAD_NEW, false },
	{ "tag/beats-in-reply-to", "Re: [Helpdesk #12] x", NULL,
	  "other@client.example", NULL, 12, MD_THREAD_TAG, false },
	{ "tag/beats-references", "Re: [Helpdesk #3] x", NULL, NULL,
	  "first@client.example other@client.example", 3, MD_THREAD_TAG,
	  false },
	{ "tag/zero", "[Helpdesk #0] x", NULL, NULL, NULL, 0, MD_THREAD_NEW,
	  false },
	{ "tag/foreign-only", "RE: [Upstream #999] x", NULL, NULL, NULL, 0,
	  MD_THREAD_NEW, false },
	{ "tag/foreign-then-ours", "RE: [Upstream #999] [Helpdesk #3] x",
	  NULL, NULL, NULL, 3, MD_THREAD_TAG, false },
	{ "tag/other-desk-name", "[Helpdesk #12] x", "Support DSI", NULL, NULL,
	  0, MD_THREAD_NEW, false },
	{ "tag/own-desk-name", "TR: [support dsi #12] x", "Support DSI", NULL,
	  NULL, 12, MD_THREAD_TAG, false },
	{ "in-reply-to/stored", "Re: Imprimante", NULL, "first@client.example",
	  NULL, 12, MD_THREAD_IN_REPLY_TO, false },
	{ "in-reply-to/beats-references", "Re: x", NULL,
	  "other@client.example", "first@client.example", 42,
	  MD_THREAD_IN_REPLY_TO, false },
	{ "in-reply-to/unknown-then-references", "Re: x", NULL,
	  "unknown@client.example", "first@client.example", 12,
	  MD_THREAD_REFERENCES, false },
	{ "references/newest-wins", "Re: x", NULL, NULL,
	  "first@client.example other@client.example", 42,
	  MD_THREAD_REFERENCES, false },
	{ "references/skip-unknown-newest", "Re: x", NULL, NULL,
	  "first@client.example unknown@client.example", 12,
	  MD_THREAD_REFERENCES, false },
	{ "references/upstream-id", "Re: x", NULL, NULL,
	  "upstream.1@upstream.example", 77, MD_THREAD_REFERENCES, false },
	{ "signed/in-reply-to", "Re: x", NULL, "ours:42", NULL, 42,
	  MD_THREAD_IN_REPLY_TO, false },
	{ "signed/references", "Re: x", NULL, NULL, "a@x.example ours:77", 77,
	  MD_THREAD_REFERENCES, false },
	{ "signed/deleted-ticket", "Re: x", NULL, "ours:99", NULL, 0,
	  MD_THREAD_NEW, false },
	{ "signed/other-secret", "Re: x", NULL, "other:42", NULL, 0,
	  MD_THREAD_NEW, false },
	{ "signed/forged", "Re: x", NULL,
	  "md.42.1000100001.0123456789abcdef0123@desk.example", NULL, 0,
	  MD_THREAD_NEW, false },
	{ "error/by-message-id", "Re: x", NULL, "db-error@client.example",
	  NULL, 0, MD_THREAD_NEW, true },
	{ "error/exists", "Re: [Helpdesk #666] x", NULL, NULL, NULL, 0,
	  MD_THREAD_NEW, true },
};

/* "ours:N" and "other:N" become ids signed with either secret. */
static char *
expand_mid(const char *spec)
{
	if (g_str_has_prefix(spec, "ours:"))
		return md_mid_new(secret, "desk.example",
				  g_ascii_strtoll(spec + 5, NULL, 10), 1);
	if (g_str_has_prefix(spec, "other:"))
		return md_mid_new(other_secret, "desk.example",
				  g_ascii_strtoll(spec + 6, NULL, 10), 1);
	return g_strdup(spec);
}

static struct md_msg *
thread_msg(const struct thread_case *c)
{
	struct md_msg *m = g_new0(struct md_msg, 1);

	m->message_id = g_strdup("new.1@client.example");
	m->in_reply_to = c->in_reply_to ? expand_mid(c->in_reply_to) : NULL;
	m->references = g_ptr_array_new_with_free_func(g_free);
	if (c->references != NULL) {
		char **v = g_strsplit(c->references, " ", -1);

		for (int i = 0; v[i] != NULL; i++)
			g_ptr_array_add(m->references, expand_mid(v[i]));
		g_strfreev(v);
	}
	m->subject = g_strdup(c->subject);
	m->from = g_strdup("req@client.example");
	m->to = g_ptr_array_new_with_free_func(g_free);
	m->cc = g_ptr_array_new_with_free_func(g_free);
	m->reply_to = g_ptr_array_new_with_free_func(g_free);
	m->text = g_strdup("");
	m->new_text = g_strdup("");
	m->attachments = g_ptr_array_new();
	m->x_loop = g_ptr_array_new_with_free_func(g_free);
	m->auth_results = g_ptr_array_new_with_free_func(g_free);
	return m;
}

static void
test_thread(gconstpointer data)
{
	const struct thread_case *c = data;
	struct md_msg *m = thread_msg(c);
	guint calls = 0;
	struct md_thread_db db = { db_by_message_id, db_exists, &calls };
	gint64 ticket = -1;
	enum md_thread_rule rule = MD_THREAD_TAG;
	GError *error = NULL;
	bool ok;

	ok = md_thread_find(m, c->desk ? c->desk : "Helpdesk", secret, &db,
			    &ticket, &rule, &error);
	if (c->error) {
		g_assert_false(ok);
		g_assert_error(error, MD_ERROR, MD_ERROR_TEMP);
		g_error_free(error);
	} else {
		g_assert_no_error(error);
		g_assert_true(ok);
		g_assert_cmpint(ticket, ==, c->ticket);
		g_assert_cmpstr(md_thread_rule_name(rule), ==,
				md_thread_rule_name(c->rule));
	}
	md_msg_free(m);
}

static void
test_rule_names(void)
{
	g_assert_cmpstr(md_thread_rule_name(MD_THREAD_NEW), ==, "new");
	g_assert_cmpstr(md_thread_rule_name(MD_THREAD_TAG), ==, "tag");
	g_assert_cmpstr(md_thread_rule_name(MD_THREAD_IN_REPLY_TO), ==,
			"in-reply-to");
	g_assert_cmpstr(md_thread_rule_name(MD_THREAD_REFERENCES), ==,
			"references");
}

/* ==== lifecycle ==== */

#define REQ "req@client.example"
#define BOB "bob@client.example"
#define CAROL "carol@client.example"
#define AGENT "alice@desk.example"
#define DESK "support@desk.example"
#define ALIAS "helpdesk@desk.example"
#define UPSTREAM "support@upstream.example"
#define NOTIFY "agents@desk.example"
#define NOW G_GINT64_CONSTANT(1794474900)

#define OPEN MD_STATE_OPEN
#define PENDING MD_STATE_PENDING
#define RESOLVED MD_STATE_RESOLVED
#define ESCALATED MD_STATE_ESCALATED
#define CLOSED MD_STATE_CLOSED

struct lc_case {
	const char *name;
	enum md_state state;		/* before; ignored for a new ticket */
	enum md_role role;
	bool new_ticket;
	bool automated;
	const char *to;			/* comma-separated; NULL: the desk */
	const char *cc;
	const char *participants;
	const char *body;
	const char *foreign_tag;
	const char *upstream_ref;	/* the ticket's, before */
	const char *notify;		/* NULL: NOTIFY; "-": none */
	/* after: "state" then " answered", " escalated", " ref=…",
	 * " assignee=…" for those set */
	const char *ticket;
	/* "kind to=a,b cc=c note=…" per intent, joined by "; " */
	const char *intents;
};

static const struct lc_case lc_cases[] = {
	/* a new ticket */
	{ .name = "new/requester", .role = MD_ROLE_REQUESTER,
	  .new_ticket = true,
	  .ticket = "open", .intents = "ack to=" REQ "; notify to=" NOTIFY },
	{ .name = "new/cc-not-acknowledged", .role = MD_ROLE_REQUESTER,
	  .new_ticket = true, .cc = BOB,
	  .ticket = "open", .intents = "ack to=" REQ "; notify to=" NOTIFY },
	{ .name = "new/automated-no-ack", .role = MD_ROLE_REQUESTER,
	  .new_ticket = true, .automated = true,
	  .ticket = "open", .intents = "notify to=" NOTIFY },
	{ .name = "new/no-notify-address", .role = MD_ROLE_REQUESTER,
	  .new_ticket = true, .notify = "-",
	  .ticket = "open", .intents = "ack to=" REQ },
	{ .name = "new/empty-notify-address", .role = MD_ROLE_REQUESTER,
	  .new_ticket = true, .notify = "",
	  .ticket = "open", .intents = "ack to=" REQ },
	{ .name = "new/from-desk", .role = MD_ROLE_DESK, .new_ticket = true,
	  .ticket = "open", .intents = "" },

	/* the requester or a participant writes */
	{ .name = "requester/on-open", .state = OPEN,
	  .role = MD_ROLE_REQUESTER,
	  .ticket = "open", .intents = "notify to=" NOTIFY },
	{ .name = "requester/on-pending", .state = PENDING,
	  .role = MD_ROLE_REQUESTER,
	  .ticket = "open", .intents = "notify to=" NOTIFY },
	{ .name = "requester/on-resolved", .state = RESOLVED,
	  .role = MD_ROLE_REQUESTER,
	  .ticket = "open", .intents = "notify to=" NOTIFY },
	{ .name = "requester/on-closed", .state = CLOSED,
	  .role = MD_ROLE_REQUESTER,
	  .ticket = "open", .intents = "notify to=" NOTIFY },
	{ .name = "participant/on-pending", .state = PENDING,
	  .role = MD_ROLE_PARTICIPANT,
	  .ticket = "open", .intents = "notify to=" NOTIFY },
	{ .name = "requester/commands-ignored", .state = PENDING,
	  .role = MD_ROLE_REQUESTER, .body = "#close\nMerci !",
	  .ticket = "open", .intents = "notify to=" NOTIFY },
	{ .name = "requester/out-of-office-on-pending", .state = PENDING,
	  .role = MD_ROLE_REQUESTER, .automated = true,
	  .ticket = "pending", .intents = "" },
	{ .name = "requester/out-of-office-on-resolved", .state = RESOLVED,
	  .role = MD_ROLE_REQUESTER, .automated = true,
	  .ticket = "resolved", .intents = "" },
	{ .name = "requester/out-of-office-on-closed", .state = CLOSED,
	  .role = MD_ROLE_REQUESTER, .automated = true,
	  .ticket = "closed", .intents = "" },
	{ .name = "automated/on-pending", .state = PENDING,
	  .role = MD_ROLE_AUTOMATED, .automated = true,
	  .ticket = "pending", .intents = "" },
	{ .name = "desk/on-open", .state = OPEN, .role = MD_ROLE_DESK,
	  .ticket = "open", .intents = "" },

	/* an agent answers */
	{ .name = "agent/reply", .state = OPEN, .role = MD_ROLE_AGENT,
	  .body = "Bonjour,\nC'est r\xc3\xa9par\xc3\xa9.",
	  .ticket = "pending answered", .intents = "relay to=" REQ },
	{ .name = "agent/reply-all", .state = OPEN, .role = MD_ROLE_AGENT,
	  .to = REQ "," DESK, .body = "Bonjour",
	  .ticket = "pending answered", .intents = "" },
	{ .name = "agent/reply-all-requester-in-cc", .state = OPEN,
	  .role = MD_ROLE_AGENT, .to = DESK, .cc = REQ, .body = "Bonjour",
	  .ticket = "pending answered", .intents = "" },
	{ .name = "agent/recipient-case", .state = OPEN,
	  .role = MD_ROLE_AGENT, .to = "Req@Client.Example", .body = "x",
	  .ticket = "pending answered", .intents = "" },
	{ .name = "agent/relay-to-participants", .state = OPEN,
	  .role = MD_ROLE_AGENT, .participants = BOB "," CAROL, .body = "x",
	  .ticket = "pending answered",
	  .intents = "relay to=" REQ " cc=" BOB "," CAROL },
	{ .name = "agent/reply-all-partial", .state = OPEN,
	  .role = MD_ROLE_AGENT, .to = REQ, .cc = BOB,
	  .participants = BOB "," CAROL, .body = "x",
	  .ticket = "pending answered", .intents = "relay to=" CAROL },
	{ .name = "agent/desk-alias-not-relayed", .state = OPEN,
	  .role = MD_ROLE_AGENT, .participants = ALIAS "," BOB, .body = "x",
	  .ticket = "pending answered",
	  .intents = "relay to=" REQ " cc=" BOB },
	{ .name = "agent/on-escalated-stays", .state = ESCALATED,
	  .role = MD_ROLE_AGENT, .body = "Nous attendons l'\xc3\xa9" "diteur.",
	  .ticket = "escalated answered escalated",
	  .intents = "relay to=" REQ },
	{ .name = "agent/resolve", .state = OPEN, .role = MD_ROLE_AGENT,
	  .body = "#resolve\nC'est r\xc3\xa9gl\xc3\xa9.",
	  .ticket = "resolved answered", .intents = "relay to=" REQ },
	{ .name = "agent/close", .state = OPEN, .role = MD_ROLE_AGENT,
	  .body = "#close\nBonne journ\xc3\xa9" "e",
	  .ticket = "closed answered", .intents = "relay to=" REQ },
	{ .name = "agent/pending", .state = RESOLVED, .role = MD_ROLE_AGENT,
	  .body = "#pending\nPouvez-vous tester ?",
	  .ticket = "pending answered", .intents = "relay to=" REQ },
	{ .name = "agent/open", .state = OPEN, .role = MD_ROLE_AGENT,
	  .body = "#open\nJe regarde.",
	  .ticket = "open answered", .intents = "relay to=" REQ },
	{ .name = "agent/internal", .state = OPEN, .role = MD_ROLE_AGENT,
	  .body = "#internal\nC'est le switch du 2e.",
	  .ticket = "open", .intents = "" },
	{ .name = "agent/internal-on-pending", .state = PENDING,
	  .role = MD_ROLE_AGENT, .body = "#internal\nnote",
	  .ticket = "pending", .intents = "" },
	{ .name = "agent/escalate-note", .state = OPEN, .role = MD_ROLE_AGENT,
	  .body = "#escalate Merci de regarder le portail\nBonjour,",
	  .ticket = "escalated answered escalated",
	  .intents = "relay to=" REQ "; escalation to=" UPSTREAM
		     " note=Merci de regarder le portail" },
	{ .name = "agent/escalate-no-note", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "#escalate\nBonjour,",
	  .ticket = "escalated answered escalated",
	  .intents = "relay to=" REQ "; escalation to=" UPSTREAM },
	{ .name = "agent/escalate-internal", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "#internal\n#escalate voir PJ",
	  .ticket = "escalated escalated",
	  .intents = "escalation to=" UPSTREAM " note=voir PJ; "
		     "escalation to=" REQ },
	{ .name = "agent/assign", .state = OPEN, .role = MD_ROLE_AGENT,
	  .body = "#assign bob@desk.example\nBob s'en occupe.",
	  .ticket = "pending answered assignee=bob@desk.example",
	  .intents = "relay to=" REQ },
	{ .name = "agent/assign-lowercased", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "#assign  Bob@Desk.Example  \nx",
	  .ticket = "pending answered assignee=bob@desk.example",
	  .intents = "relay to=" REQ },
	{ .name = "agent/assign-without-address", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "#assign bob\n#resolve",
	  .ticket = "pending answered", .intents = "relay to=" REQ },
	{ .name = "agent/several-commands", .state = OPEN,
	  .role = MD_ROLE_AGENT,
	  .body = "#assign bob@desk.example\n#resolve\nMerci",
	  .ticket = "resolved answered assignee=bob@desk.example",
	  .intents = "relay to=" REQ },
	{ .name = "agent/blank-lines-first", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "\n  \n#resolve\nMerci",
	  .ticket = "resolved answered", .intents = "relay to=" REQ },
	{ .name = "agent/uppercase-command", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "#RESOLVE",
	  .ticket = "resolved answered", .intents = "relay to=" REQ },
	{ .name = "agent/crlf-body", .state = OPEN, .role = MD_ROLE_AGENT,
	  .body = "#resolve\r\nMerci\r\n",
	  .ticket = "resolved answered", .intents = "relay to=" REQ },
	{ .name = "agent/command-after-text-ignored", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "Bonjour,\n#resolve\n",
	  .ticket = "pending answered", .intents = "relay to=" REQ },
	{ .name = "agent/quoted-command-ignored", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "> #close\nVoir ci-dessus",
	  .ticket = "pending answered", .intents = "relay to=" REQ },
	{ .name = "agent/hash-in-sentence", .state = OPEN,
	  .role = MD_ROLE_AGENT, .body = "#1 des priorit\xc3\xa9s.\n#close",
	  .ticket = "pending answered", .intents = "relay to=" REQ },

	/* upstream answers */
	{ .name = "upstream/on-escalated", .state = ESCALATED,
	  .role = MD_ROLE_UPSTREAM, .foreign_tag = "[Upstream #999]",
	  .body = "Corrig\xc3\xa9 en 4.2.",
	  .ticket = "open escalated ref=[Upstream #999]",
	  .intents = "relay to=" REQ "; notify to=" NOTIFY },
	{ .name = "upstream/ref-kept", .state = ESCALATED,
	  .role = MD_ROLE_UPSTREAM, .upstream_ref = "[Upstream #999]",
	  .body = "x",
	  .ticket = "open escalated ref=[Upstream #999]",
	  .intents = "relay to=" REQ "; notify to=" NOTIFY },
	{ .name = "upstream/ref-updated", .state = ESCALATED,
	  .role = MD_ROLE_UPSTREAM, .upstream_ref = "[Upstream #1]",
	  .foreign_tag = "[Upstream #2]", .body = "x",
	  .ticket = "open escalated ref=[Upstream #2]",
	  .intents = "relay to=" REQ "; notify to=" NOTIFY },
	{ .name = "upstream/relay-participants", .state = ESCALATED,
	  .role = MD_ROLE_UPSTREAM, .participants = BOB, .body = "x",
	  .ticket = "open escalated",
	  .intents = "relay to=" REQ " cc=" BOB "; notify to=" NOTIFY },
};

/* Rows that fail against src/lifecycle.c today (reported; registered
 * only fixed since; kept as regression cases, so that a fix can be checked):
 * - a requester's nudge takes an escalated ticket out of "escalated",
 *   although spec section 6 moves only pending/resolved/closed to open
 *   and the digest lists tickets "still waiting on upstream";
 * - an agent moving a closed ticket out of "closed" leaves closed_at set,
 *   so a later close keeps the first date and the reopen window of
 *   pipeline.c is measured from it;
 * - upstream's answer with the requester already in Cc yields a relay
 *   intent with no recipient. */
static const struct lc_case lc_known_bugs[] = {
	{ .name = "requester/on-escalated-stays", .state = ESCALATED,
	  .role = MD_ROLE_REQUESTER, .body = "Des nouvelles ?",
	  .ticket = "escalated escalated", .intents = "notify to=" NOTIFY },
	{ .name = "agent/open-on-closed", .state = CLOSED,
	  .role = MD_ROLE_AGENT, .body = "#open\nOn reprend.",
	  .ticket = "open answered", .intents = "relay to=" REQ },
	{ .name = "agent/reply-on-closed", .state = CLOSED,
	  .role = MD_ROLE_AGENT, .body = "Encore une chose.",
	  .ticket = "pending answered", .intents = "relay to=" REQ },
	{ .name = "upstream/requester-already-in-cc", .state = ESCALATED,
	  .role = MD_ROLE_UPSTREAM, .cc = REQ, .body = "x",
	  .ticket = "open escalated", .intents = "notify to=" NOTIFY },
};

static GPtrArray *
list(const char *csv)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	if (csv != NULL && csv[0] != '\0') {
		char **v = g_strsplit(csv, ",", -1);

		for (int i = 0; v[i] != NULL; i++)
			g_ptr_array_add(a, g_strdup(v[i]));
		g_strfreev(v);
	}
	return a;
}

static void
append_list(GString *s, const char *label, const GPtrArray *a)
{
	g_string_append_printf(s, " %s=", label);
	for (guint i = 0; i < a->len; i++)
		g_string_append_printf(s, "%s%s", i ? "," : "",
				       (const char *)a->pdata[i]);
}

static char *
render_intents(const GPtrArray *intents)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < intents->len; i++) {
		const struct md_intent *in = intents->pdata[i];

		g_string_append_printf(s, "%s%s", i ? "; " : "",
				       md_intent_kind_name(in->kind));
		append_list(s, "to", in->to);
		if (in->cc->len > 0)
			append_list(s, "cc", in->cc);
		if (in->note != NULL)
			g_string_append_printf(s, " note=%s", in->note);
		if (in->internal)
			g_string_append(s, " internal");
	}
	return g_string_free(s, FALSE);
}

static char *
render_ticket(const struct md_ticket *t)
{
	GString *s = g_string_new(md_state_name(t->state));

	if (t->answered)
		g_string_append(s, " answered");
	if (t->escalated)
		g_string_append(s, " escalated");
	if (t->upstream_ref != NULL)
		g_string_append_printf(s, " ref=%s", t->upstream_ref);
	if (t->assignee != NULL)
		g_string_append_printf(s, " assignee=%s", t->assignee);
	return g_string_free(s, FALSE);
}

static const char *
from_of(enum md_role role)
{
	switch (role) {
	case MD_ROLE_AGENT:
		return AGENT;
	case MD_ROLE_UPSTREAM:
		return UPSTREAM;
	case MD_ROLE_PARTICIPANT:
		return BOB;
	case MD_ROLE_DESK:
		return DESK;
	case MD_ROLE_AUTOMATED:
		return "mailer-daemon@mx.client.example";
	default:
		return REQ;
	}
}

static void
test_lifecycle(gconstpointer data)
{
	const struct lc_case *c = data;
	struct md_ticket t = { 0 };
	GPtrArray *to = list(c->to != NULL ? c->to : DESK);
	GPtrArray *cc = list(c->cc);
	GPtrArray *parts = list(c->participants);
	GPtrArray *desk = list(DESK "," ALIAS);
	GPtrArray *intents = g_ptr_array_new_with_free_func(md_intent_free);
	struct md_event ev = {
		.role = c->role,
		.new_ticket = c->new_ticket,
		.automated = c->automated,
		.from = from_of(c->role),
		.to = to,
		.cc = cc,
		.participants = parts,
		.foreign_tag = c->foreign_tag,
		.upstream = UPSTREAM,
		.body = c->body != NULL ? c->body : "Bonjour,\nMerci.",
	};
	const char *notify = c->notify == NULL ? NOTIFY :
			     strcmp(c->notify, "-") == 0 ? NULL : c->notify;
	char *got;

	t.id = c->new_ticket ? 0 : 12;
	t.state = c->new_ticket ? OPEN : c->state;
	t.subject = g_strdup("Imprimante");
	t.requester = g_strdup(REQ);
	t.created = NOW - 86400;
	t.updated = NOW - 3600;
	t.escalated = !c->new_ticket && c->state == ESCALATED;
	t.upstream_ref = g_strdup(c->upstream_ref);
	t.closed_at = !c->new_ticket && c->state == CLOSED ? NOW - 7200 : 0;

	md_lifecycle_apply(&t, &ev, NOW, notify, desk, intents);

	got = render_ticket(&t);
	g_assert_cmpstr(got, ==, c->ticket);
	g_free(got);
	got = render_intents(intents);
	g_assert_cmpstr(got, ==, c->intents);
	g_free(got);
	g_assert_cmpint(t.updated, ==, NOW);
	/* closed_at is set exactly while the ticket is closed */
	if (t.state == CLOSED)
		g_assert_cmpint(t.closed_at, !=, 0);
	else
		g_assert_cmpint(t.closed_at, ==, 0);
	/* nothing is ever sent to the desk itself or to nobody */
	for (guint i = 0; i < intents->len; i++) {
		const struct md_intent *in = intents->pdata[i];

		g_assert_cmpuint(in->to->len, >, 0);
		for (guint j = 0; j < in->to->len; j++)
			g_assert_false(g_ptr_array_find_with_equal_func(
				desk, in->to->pdata[j], g_str_equal, NULL));
		for (guint j = 0; j < in->cc->len; j++)
			g_assert_false(g_ptr_array_find_with_equal_func(
				desk, in->cc->pdata[j], g_str_equal, NULL));
	}

	g_ptr_array_unref(intents);
	g_ptr_array_unref(to);
	g_ptr_array_unref(cc);
	g_ptr_array_unref(parts);
	g_ptr_array_unref(desk);
	md_ticket_clear(&t);
}

/* ---- md_lifecycle_commands on its own ---- */

static void
test_commands_none(void)
{
	struct md_commands cmd;

	md_lifecycle_commands(NULL, &cmd);
	g_assert_false(cmd.has_state);
	g_assert_false(cmd.internal);
	g_assert_false(cmd.escalate);
	g_assert_null(cmd.escalate_note);
	g_assert_null(cmd.assign);
	md_commands_clear(&cmd);
	md_lifecycle_commands("", &cmd);
	g_assert_false(cmd.has_state);
	md_commands_clear(&cmd);
}

static void
test_commands_all(void)
{
	struct md_commands cmd;

	md_lifecycle_commands("#internal\n#escalate  voir le portail  \n"
			      "#assign bob@desk.example\n#pending\ntexte\n"
			      "#close\n", &cmd);
	g_assert_true(cmd.internal);
	g_assert_true(cmd.escalate);
	g_assert_cmpstr(cmd.escalate_note, ==, "voir le portail");
	g_assert_cmpstr(cmd.assign, ==, "bob@desk.example");
	g_assert_true(cmd.has_state);
	g_assert_cmpstr(md_state_name(cmd.state), ==, "pending");
	md_commands_clear(&cmd);
	g_assert_null(cmd.assign);
}

static void
test_state_names(void)
{
	static const char *const names[] = {
		"open", "pending", "resolved", "escalated", "closed",
	};
	enum md_state s;

	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		g_assert_cmpstr(md_state_name(i), ==, names[i]);
		g_assert_true(md_state_parse(names[i], &s));
		g_assert_cmpint(s, ==, i);
	}
	g_assert_true(md_state_parse("PENDING", &s));
	g_assert_cmpint(s, ==, MD_STATE_PENDING);
	g_assert_false(md_state_parse("waiting", &s));
	g_assert_cmpstr(md_role_name(MD_ROLE_UPSTREAM), ==, "upstream");
	g_assert_cmpstr(md_intent_kind_name(MD_INTENT_ESCALATION), ==,
			"escalation");
	/* the notice to the requester is an escalation mail too (spec 7b
	 * kinds), written from its own template */
	g_assert_cmpstr(md_intent_kind_name(MD_INTENT_ESCALATED), ==,
			"escalation");
	g_assert_cmpstr(md_intent_template_name(MD_INTENT_ESCALATED), ==,
			"escalated");
}

#define ADD_TABLE(prefix, table, fn) \
	for (guint i_ = 0; i_ < G_N_ELEMENTS(table); i_++) { \
		char *p_ = g_strconcat(prefix, table[i_].name, NULL); \
		g_test_add_data_func(p_, &table[i_], fn); \
		g_free(p_); \
	}

int
main(int argc, char **argv)
{
	int ret;

	g_test_init(&argc, &argv, NULL);
	if (g_getenv("MD_TEST_NONFATAL") != NULL)	/* list every failure */
		g_test_set_nonfatal_assertions();
	secret = g_bytes_new_static("0123456789abcdef0123456789abcdef", 32);
	other_secret = g_bytes_new_static("another installation's secret!!",
					  31);
	ADD_TABLE("/thread/", thread_cases, test_thread);
	g_test_add_func("/thread/rule-names", test_rule_names);
	ADD_TABLE("/lifecycle/", lc_cases, test_lifecycle);
	ADD_TABLE("/lifecycle/regression/", lc_known_bugs,
			  test_lifecycle);
	g_test_add_func("/lifecycle/commands/none", test_commands_none);
	g_test_add_func("/lifecycle/commands/all-kinds", test_commands_all);
	g_test_add_func("/lifecycle/names", test_state_names);
	ret = g_test_run();
	g_bytes_unref(secret);
	g_bytes_unref(other_secret);
	return ret;
}
