/* test-thread.c: which ticket a message lands on.
 *
 * /thread/ rows run md_thread_find (spec section 4, step 4) against a
 * database held in a table here, through the two look-ups of struct
 * md_thread_db (the lifecycle's rows are in test-lifecycle.c).
 */
#include "config.h"

#include <string.h>

#include "error.h"
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
	ret = g_test_run();
	g_bytes_unref(secret);
	g_bytes_unref(other_secret);
	return ret;
}
