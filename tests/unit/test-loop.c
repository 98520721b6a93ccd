/* test-loop.c: the automated-mail rules of spec section 5.
 *
 * Each row starts from a mail a person wrote (From jean@client.example,
 * nothing automated about it) and changes one or two facts of the parsed
 * struct md_msg, as md_msg_parse would have set them (addresses and
 * X-Loop values lowercased, Return-Path "" for <>).  Every rule has its
 * positive rows and the near misses that must stay MD_LOOP_NONE.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "loop.h"
#include "mid.h"
#include "msg.h"

#define DESK "support@desk.example"
#define ALIAS "helpdesk@desk.example"

static GBytes *secret;
static GBytes *other_secret;

enum mid_kind {
	MID_THEIRS,		/* "abc@client.example" */
	MID_OURS,		/* md_mid_new with the desk's secret */
	MID_OTHER_SECRET,	/* our shape, another installation's secret */
	MID_FORGED,		/* our shape, made-up MAC */
};

struct loop_case {
	const char *name;
	const char *from;		/* NULL: jean@client.example */
	const char *return_path;	/* NULL: as From; "-": absent */
	const char *auto_submitted;
	const char *precedence;
	const char *xars;		/* X-Auto-Response-Suppress */
	bool list_id;
	bool list_unsubscribe;
	bool report;			/* multipart/report */
	const char *x_loop;		/* one X-Loop value */
	const char *x_failed;		/* X-Failed-Recipients */
	enum mid_kind mid;
	bool irt_ours;			/* In-Reply-To one of our ids */
	enum md_loop_kind expected;
	const char *subject;		/* NULL: "Imprimante" */
	bool x_autoreply;		/* X-Autoreply present */
	const char *x_mailer;
	const char *report_type;	/* with .report; NULL: delivery-status */
};

#define NONE MD_LOOP_NONE
#define SELF MD_LOOP_SELF
#define BOUNCE MD_LOOP_BOUNCE
#define AUTO MD_LOOP_AUTOREPLY
#define BULK MD_LOOP_BULK

static const struct loop_case cases[] = {
	{ .name = "person", .expected = NONE },
	{ .name = "person-replying-to-us", .irt_ours = true, .expected = NONE },

	/* Auto-Submitted other than "no" (RFC 3834 section 5) */
	{ .name = "auto-submitted/auto-replied",
	  .auto_submitted = "auto-replied", .expected = AUTO },
	{ .name = "auto-submitted/auto-generated",
	  .auto_submitted = "auto-generated", .expected = AUTO },
	{ .name = "auto-submitted/auto-notified",
	  .auto_submitted = "auto-notified", .expected = AUTO },
	{ .name = "auto-submitted/uppercase", .auto_submitted = "Auto-Replied",
	  .expected = AUTO },
	{ .name = "auto-submitted/with-parameter",
	  .auto_submitted = "auto-replied; owner-email=\"x@client.example\"",
	  .expected = AUTO },
	{ .name = "auto-submitted/unknown-value",
	  .auto_submitted = "auto-something", .expected = AUTO },
	{ .name = "auto-submitted/no", .auto_submitted = "no",
	  .expected = NONE },
	{ .name = "auto-submitted/No", .auto_submitted = "No",
	  .expected = NONE },
	{ .name = "auto-submitted/no-comment",
	  .auto_submitted = "no (written by a person)", .expected = NONE },
	{ .name = "auto-submitted/no-parameter",
	  .auto_submitted = "no; x=y", .expected = NONE },
	{ .name = "auto-submitted/nope", .auto_submitted = "nope",
	  .expected = AUTO },
	{ .name = "auto-submitted/no-but-bulk", .auto_submitted = "no",
	  .precedence = "bulk", .expected = BULK },

	/* Precedence: bulk|junk|list */
	{ .name = "precedence/bulk", .precedence = "bulk", .expected = BULK },
	{ .name = "precedence/junk", .precedence = "junk", .expected = BULK },
	{ .name = "precedence/list", .precedence = "list", .expected = BULK },
	{ .name = "precedence/uppercase", .precedence = "BULK",
	  .expected = BULK },
	{ .name = "precedence/first-class", .precedence = "first-class",
	  .expected = NONE },
	{ .name = "precedence/normal", .precedence = "normal",
	  .expected = NONE },
	{ .name = "precedence/urgent", .precedence = "urgent",
	  .expected = NONE },
	{ .name = "precedence/bulky", .precedence = "bulky", .expected = NONE },

	/* List-Id, List-Unsubscribe */
	{ .name = "list/list-id", .list_id = true, .expected = BULK },
	{ .name = "list/list-unsubscribe", .list_unsubscribe = true,
	  .expected = BULK },

	/* X-Auto-Response-Suppress covering auto-replies */
	{ .name = "xars/all", .xars = "All", .expected = AUTO },
	{ .name = "xars/oof", .xars = "OOF", .expected = AUTO },
	{ .name = "xars/autoreply", .xars = "AutoReply", .expected = AUTO },
	{ .name = "xars/dr-oof", .xars = "DR, OOF", .expected = AUTO },
	{ .name = "xars/rn-nrn-autoreply", .xars = "RN, NRN, AutoReply",
	  .expected = AUTO },
	{ .name = "xars/dr-only", .xars = "DR", .expected = NONE },
	{ .name = "xars/dr-rn-nrn", .xars = "DR, RN, NRN", .expected = NONE },
	{ .name = "xars/none", .xars = "None", .expected = NONE },

	/* delivery reports */
	{ .name = "bounce/multipart-report", .report = true,
	  .expected = BOUNCE },
	{ .name = "bounce/null-return-path", .return_path = "",
	  .expected = BOUNCE },
	{ .name = "bounce/mailer-daemon-return-path",
	  .return_path = "mailer-daemon@mx.client.example",
	  .expected = BOUNCE },
	{ .name = "bounce/mailer-daemon-no-domain",
	  .return_path = "mailer-daemon", .expected = BOUNCE },
	{ .name = "bounce/from-mailer-daemon-null-path",
	  .from = "mailer-daemon@mx.client.example", .return_path = "",
	  .expected = BOUNCE },
	{ .name = "bounce/x-failed-recipients",
	  .x_failed = "jean@client.example", .expected = BOUNCE },
	{ .name = "bounce/no-return-path-header", .return_path = "-",
	  .expected = NONE },
	{ .name = "bounce/report-beats-auto-submitted", .report = true,
	  .auto_submitted = "auto-replied", .expected = BOUNCE },

	/* noreply-style senders */
	{ .name = "noreply/noreply", .from = "noreply@saas.example",
	  .expected = BULK },
	{ .name = "noreply/no-reply", .from = "no-reply@saas.example",
	  .expected = BULK },
	{ .name = "noreply/donotreply", .from = "donotreply@saas.example",
	  .expected = BULK },
	{ .name = "noreply/do-not-reply", .from = "do-not-reply@saas.example",
	  .expected = BULK },
	{ .name = "noreply/nepasrepondre",
	  .from = "ne-pas-repondre@impots.example",
	  .expected = BULK },
	{ .name = "noreply/bounces-verp",
	  .from = "bounces+123-jean=client@list.example",
	  .expected = BULK },
	{ .name = "noreply/noreply-dot", .from = "noreply.alerts@saas.example",
	  .expected = BULK },
	{ .name = "noreply/word-prefix", .from = "noreplyjean@client.example",
	  .expected = NONE },
	{ .name = "noreply/norbert", .from = "norbert@client.example",
	  .expected = NONE },
	{ .name = "noreply/reply", .from = "reply@client.example",
	  .expected = NONE },
	{ .name = "noreply/domain-only", .from = "jean@noreply.example",
	  .expected = NONE },

	/* issue 8: auto-replies without Auto-Submitted */
#define SUBJ(n, s, k) { .name = "subject/" n, .subject = s, .expected = k }
	SUBJ("auto-reply", "Auto reply: Imprimante", AUTO),
	SUBJ("autoreply", "Autoreply: Imprimante", AUTO),
	SUBJ("automatic-reply", "Automatic reply: [Helpdesk #3] Imprimante",
	     AUTO),
	SUBJ("automatic-reply-upper", "AUTOMATIC REPLY: Imprimante", AUTO),
	SUBJ("lotus-auto", "AUTO: Jean Dupont is out of the office "
	     "(returning 02/12/2026)", AUTO),
	SUBJ("reponse-automatique", "Réponse automatique : Imprimante", AUTO),
	SUBJ("reponse-automatique-sans-accent",
	     "Reponse automatique: Imprimante", AUTO),
	SUBJ("absence-colon", "Absence : Imprimante", AUTO),
	SUBJ("absence-du-bureau", "Absence du bureau jusqu'au 4 janvier",
	     AUTO),
	SUBJ("abwesenheit", "Abwesenheitsnotiz: Drucker", AUTO),
	SUBJ("out-of-office", "Out of Office: Printer", AUTO),
	SUBJ("leading-space", "  Out of office", AUTO),
	SUBJ("near/absence-de-reseau", "Absence de réseau à la mairie",
	     NONE),
	SUBJ("near/automobile", "Automobile mal garée", NONE),
	SUBJ("near/re-auto-reply-in-body", "Re: la réponse automatique "
	     "ne marche pas", NONE),
	SUBJ("near/office", "Office 365 ne démarre plus", NONE),
	{ .name = "header/x-autoreply", .x_autoreply = true,
	  .expected = AUTO },
	{ .name = "header/x-mailer-vacation",
	  .x_mailer = "vacation/1.2.7.1", .expected = AUTO },
	{ .name = "header/x-mailer-gnarwl", .x_mailer = "gnarwl 3.6",
	  .expected = AUTO },
	{ .name = "header/x-mailer-person",
	  .x_mailer = "Microsoft Outlook 16.0", .expected = NONE },

	/* issue 8: senders that are machines by name */
#define FROM(n, a, k) { .name = "sender/" n, .from = a, .expected = k }
	FROM("no.reply", "no.reply@bank.example", BULK),
	FROM("NoReply-mixed", "No_Reply@bank.example", BULK),
	FROM("do.not.reply", "do.not.reply@bank.example", BULK),
	FROM("donotreply-detail", "donotreply+alerts@bank.example", BULK),
	FROM("post_master", "post_master@client.example", BULK),
	FROM("postmaster", "postmaster@client.example", BULK),
	FROM("list-request", "users-request@lists.example", BULK),
	FROM("list-owner", "users-owner@lists.example", BULK),
	FROM("list-admin", "users-admin@lists.example", BULK),
	FROM("owner-list", "owner-users@lists.example", BULK),
	FROM("mailman-bounces", "users-bounces@lists.example", BULK),
	FROM("bounce-verp", "bounce-123-jean=client.example@news.example",
	     BULK),
	FROM("mailman-bounces-verp",
	     "users-bounces+jean=client.example@lists.example", BULK),
	FROM("near/owner-alone", "owner@client.example", NONE),
	FROM("near/request-word", "request.form@client.example", NONE),
	FROM("near/administration", "administration@mairie.example", NONE),
	FROM("near/noreen", "noreen@client.example", NONE),

	/* issue 8: abuse, feedback-loop and DMARC reports */
	{ .name = "report/arf", .report = true,
	  .report_type = "feedback-report", .expected = BULK },
	SUBJ("complaint", "complaint about message from 192.0.2.7", BULK),
	SUBJ("dmarc-aggregate", "Report Domain: desk.example Submitter: "
	     "mail.example Report-ID: <2026.12.01.abc>", BULK),
	SUBJ("near/report-domain-alone", "Report domain: expired", NONE),

	/* issue 8: challenge-response */
	SUBJ("challenge-human", "Please confirm you are human", BULK),
	SUBJ("challenge-verification", "Sender verification required: "
	     "Imprimante", BULK),
	SUBJ("challenge-fr", "Votre message est en attente de validation",
	     BULK),
	SUBJ("near/confirm", "Please confirm my appointment", NONE),

	/* the desk itself */
	{ .name = "self/from-desk", .from = DESK, .expected = SELF },
	{ .name = "self/from-alias", .from = ALIAS, .expected = SELF },
	{ .name = "self/from-desk-mixed-case", .from = "Support@Desk.Example",
	  .expected = SELF },
	{ .name = "self/agent-same-domain", .from = "alice@desk.example",
	  .expected = NONE },
	{ .name = "self/x-loop-desk", .x_loop = DESK, .expected = SELF },
	{ .name = "self/x-loop-alias", .x_loop = ALIAS, .expected = SELF },
	{ .name = "self/x-loop-other", .x_loop = "list@lists.example",
	  .expected = NONE },
	{ .name = "self/our-message-id", .mid = MID_OURS, .expected = SELF },
	{ .name = "self/other-secret-id", .mid = MID_OTHER_SECRET,
	  .expected = NONE },
	{ .name = "self/forged-id", .mid = MID_FORGED, .expected = NONE },
	{ .name = "self/beats-auto-submitted", .x_loop = DESK,
	  .auto_submitted = "auto-replied", .expected = SELF },
};

/* Rows that fail against src/loop.c today (reported; registered only
 * fixed since; kept as regression cases): the noreply-sender rule runs before the
 * MAILER-DAEMON return-path rule, so a bounce whose From is also
 * MAILER-DAEMON (the usual shape) is called bulk, not a bounce, and the
 * requester's address is never marked as bouncing. */
static const struct loop_case known_bugs[] = {
	{ .name = "bounce/mailer-daemon-both",
	  .from = "mailer-daemon@mx.client.example",
	  .return_path = "mailer-daemon@mx.client.example",
	  .expected = BOUNCE },
};

static char *
message_id(enum mid_kind kind)
{
	switch (kind) {
	case MID_THEIRS:
		return g_strdup("20261112.abc@client.example");
	case MID_OURS:
		return md_mid_new(secret, "desk.example", 42, 1);
	case MID_OTHER_SECRET:
		return md_mid_new(other_secret, "desk.example", 42, 1);
	case MID_FORGED:
		return g_strdup("md.42.1000100001.0123456789abcdef0123"
				"@desk.example");
	}
	g_assert_not_reached();
}

static struct md_msg *
msg_new(const struct loop_case *c)
{
	struct md_msg *m = g_new0(struct md_msg, 1);

	m->message_id = message_id(c->mid);
	m->in_reply_to = c->irt_ours ? md_mid_new(secret, "desk.example", 42, 2)
				     : NULL;
	m->references = g_ptr_array_new_with_free_func(g_free);
	if (m->in_reply_to != NULL)
		g_ptr_array_add(m->references, g_strdup(m->in_reply_to));
	m->subject = g_strdup(c->subject != NULL ? c->subject : "Imprimante");
	m->has_x_autoreply = c->x_autoreply;
	m->x_mailer = g_strdup(c->x_mailer);
	m->from = g_strdup(c->from != NULL ? c->from : "jean@client.example");
	m->from_name = g_strdup("Jean");
	m->to = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(m->to, g_strdup(DESK));
	m->cc = g_ptr_array_new_with_free_func(g_free);
	m->reply_to = g_ptr_array_new_with_free_func(g_free);
	if (c->return_path == NULL)
		m->return_path = g_strdup(m->from);
	else if (strcmp(c->return_path, "-") != 0)
		m->return_path = g_strdup(c->return_path);
	m->text = g_strdup("Bonjour");
	m->new_text = g_strdup("Bonjour");
	m->attachments = g_ptr_array_new();
	m->auto_submitted = g_strdup(c->auto_submitted);
	m->precedence = g_strdup(c->precedence);
	m->x_auto_response_suppress = g_strdup(c->xars);
	m->has_list_id = c->list_id;
	m->has_list_unsubscribe = c->list_unsubscribe;
	m->is_report = c->report;
	m->report_type = !c->report ? NULL : g_strdup(c->report_type != NULL
						      ? c->report_type
						      : "delivery-status");
	m->x_loop = g_ptr_array_new_with_free_func(g_free);
	if (c->x_loop != NULL)
		g_ptr_array_add(m->x_loop, g_strdup(c->x_loop));
	m->auth_results = g_ptr_array_new_with_free_func(g_free);
	m->x_failed_recipients = g_strdup(c->x_failed);
	return m;
}

static const char *const kind_names[] = {
	"none", "self", "bounce", "autoreply", "bulk",
};

static void
test_loop(gconstpointer data)
{
	const struct loop_case *c = data;
	struct md_conf conf = { 0 };
	struct md_msg *m = msg_new(c);
	struct md_loop_verdict v;

	conf.desk_address = DESK;
	conf.desk_aliases = g_ptr_array_new();
	g_ptr_array_add(conf.desk_aliases, ALIAS);
	conf.desk_domain = "desk.example";
	v = md_loop_check(m, &conf, secret);
	g_assert_nonnull(v.reason);
	g_test_message("verdict %s (%s)", kind_names[v.kind], v.reason);
	g_assert_cmpstr(kind_names[v.kind], ==, kind_names[c->expected]);
	if (v.kind == MD_LOOP_NONE)
		g_assert_cmpstr(v.reason, ==, "");
	else
		g_assert_cmpstr(v.reason, !=, "");
	g_ptr_array_unref(conf.desk_aliases);
	md_msg_free(m);
}

static void
test_no_secret(void)
{
	/* without a secret, our ids cannot be recognised; the rest works */
	static const struct loop_case c = { .name = "x", .mid = MID_OURS };
	struct md_conf conf = { 0 };
	struct md_msg *m = msg_new(&c);

	conf.desk_address = DESK;
	conf.desk_aliases = g_ptr_array_new();
	g_assert_cmpint(md_loop_check(m, &conf, NULL).kind, ==, MD_LOOP_NONE);
	g_free(m->from);
	m->from = g_strdup(DESK);
	g_assert_cmpint(md_loop_check(m, &conf, NULL).kind, ==, MD_LOOP_SELF);
	g_ptr_array_unref(conf.desk_aliases);
	md_msg_free(m);
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
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_strconcat("/loop/", cases[i].name, NULL);

		g_test_add_data_func(path, &cases[i], test_loop);
		g_free(path);
	}
	g_test_add_func("/loop/self/no-secret", test_no_secret);
	for (guint i = 0; i < G_N_ELEMENTS(known_bugs); i++) {
		char *path = g_strconcat("/loop/regression/", known_bugs[i].name,
					 NULL);

		g_test_add_data_func(path, &known_bugs[i], test_loop);
		g_free(path);
	}
	ret = g_test_run();
	g_bytes_unref(secret);
	g_bytes_unref(other_secret);
	return ret;
}
