/* test-msg.c: md_msg parsing, quote stripping and HTML rendering.
 *
 * Fixtures under tests/data/msg/ are small real-world shapes (Outlook,
 * Gmail, bounces, broken MIME); edge cases that are easier to build
 * than to store (NULs, a 200 KB header) are made inline.
 */
#include "config.h"

#include <string.h>

#include <gmime/gmime.h>

#include "error.h"
#include "msg.h"

/* ---- helpers ---- */

static char *
fixture(const char *name, gsize *len_r)
{
	const char *srcdir = g_getenv("MD_SRCDIR");
	char *path, *data = NULL;
	GError *error = NULL;

	g_assert_nonnull(srcdir);
	path = g_build_filename(srcdir, "tests", "data", "msg", name, NULL);
	if (!g_file_get_contents(path, &data, len_r, &error))
		g_error("%s: %s", path, error->message);
	g_free(path);
	return data;
}

static struct md_msg *
parse_ok(const char *raw, gsize len)
{
	struct md_msg *msg = NULL;
	GError *error = NULL;

	if (!md_msg_parse(raw, len, &msg, &error))
		g_error("parse failed: %s", error->message);
	g_assert_no_error(error);
	g_assert_nonnull(msg);
	/* invariants every consumer relies on */
	g_assert_nonnull(msg->subject);
	g_assert_nonnull(msg->text);
	g_assert_nonnull(msg->new_text);
	g_assert_true(g_utf8_validate(msg->subject, -1, NULL));
	g_assert_true(g_utf8_validate(msg->text, -1, NULL));
	g_assert_true(g_utf8_validate(msg->new_text, -1, NULL));
	g_assert_null(strchr(msg->text, '\r'));
	g_assert_nonnull(msg->references);
	g_assert_nonnull(msg->to);
	g_assert_nonnull(msg->cc);
	g_assert_nonnull(msg->reply_to);
	g_assert_nonnull(msg->attachments);
	/* each attachment keeps its decoded bytes, its size their count */
	for (guint i = 0; i < msg->attachments->len; i++) {
		const struct md_attachment *a = msg->attachments->pdata[i];

		g_assert_nonnull(a->data);
		g_assert_cmpint(a->size, ==, (gint64)g_bytes_get_size(a->data));
	}
	g_assert_nonnull(msg->x_loop);
	g_assert_nonnull(msg->auth_results);
	g_assert_cmpuint(strlen(msg->body_hash), ==, 40);
	return msg;
}

static struct md_msg *
parse_str(const char *raw)
{
	return parse_ok(raw, strlen(raw));
}

static char *
join(GPtrArray *a)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < a->len; i++)
		g_string_append_printf(s, "%s%s", i > 0 ? "," : "",
				       (const char *)a->pdata[i]);
	return g_string_free(s, FALSE);
}

static void
assert_list(GPtrArray *a, const char *expected)
{
	char *got = join(a);

	g_assert_cmpstr(got, ==, expected);
	g_free(got);
}

static const struct md_attachment *
att(const struct md_msg *msg, guint i)
{
	g_assert_cmpuint(i, <, msg->attachments->len);
	return msg->attachments->pdata[i];
}

static void
assert_data_error(const char *raw, gsize len)
{
	struct md_msg *msg = NULL;
	GError *error = NULL;

	g_assert_false(md_msg_parse(raw, len, &msg, &error));
	g_assert_null(msg);
	g_assert_error(error, MD_ERROR, MD_ERROR_DATA);
	g_assert_nonnull(strstr(error->message, "no header"));
	g_error_free(error);
}

/* ---- fixtures ---- */

static void
check_split_subject(struct md_msg *m)
{
	g_assert_cmpstr(m->subject, ==, "Re: [Helpdesk #42] Imprimante");
	g_assert_cmpstr(m->from, ==, "jerome.dupont@example.fr");
	g_assert_cmpstr(m->from_name, ==, "Jérôme Dupont");
	g_assert_cmpstr(m->sender, ==, "secretariat@example.fr");
	assert_list(m->to, "support@desk.example");
	assert_list(m->cc, "alice@example.fr,bob@example.fr,carol@example.fr");
	assert_list(m->reply_to, "reply@example.fr");
	g_assert_cmpstr(m->return_path, ==, "jerome.dupont@example.fr");
	g_assert_cmpstr(m->message_id, ==,
			"20261112101500.ABC@mail.example.fr");
	g_assert_cmpstr(m->in_reply_to, ==, "ticket-42.xyz@desk.example");
	assert_list(m->references, "first@desk.example,second@example.fr,"
		    "ticket-42.xyz@desk.example");
	g_assert_cmpint(m->date, ==, 1794474900);
	g_assert_false(m->html_only);
	g_assert_nonnull(strstr(m->text, "2ème étage"));
	g_assert_nonnull(strstr(m->text, "a écrit :\n> Bonjour"));
	g_assert_cmpstr(m->new_text, ==,
			"L'imprimante du 2ème étage ne marche toujours pas.");
	g_assert_cmpuint(m->attachments->len, ==, 0);
	g_assert_null(m->auto_submitted);
	g_assert_false(m->is_report);
}

static void
check_latin1_b(struct md_msg *m)
{
	g_assert_cmpstr(m->subject, ==, "Problème d'accès");
	g_assert_cmpstr(m->from_name, ==, "René");
	/* iso-8859-1 label, Windows-1252 smart quotes */
	g_assert_cmpstr(m->text, ==, "Bonjour, l'accès “VPN” ne marche "
			"plus… Merci d’avance.");
	g_assert_cmpint(m->date, ==, 1770019200);
}

static void
check_raw_8bit(struct md_msg *m)
{
	g_assert_cmpstr(m->subject, ==, "Problème d'accès au serveur €");
	g_assert_cmpstr(m->from_name, ==, "Zoé");
	g_assert_cmpint(m->date, ==, 0);	/* "garbage date here" */
	g_assert_null(m->return_path);
}

static void
check_raw_utf8(struct md_msg *m)
{
	g_assert_cmpstr(m->subject, ==, "Écran bleu — encore");
	g_assert_cmpstr(m->from_name, ==, "Zoé Ça");
}

static void
check_wrong_charset(struct md_msg *m)
{
	g_assert_cmpstr(m->text, ==,
			"déclaré utf-8 mais latin-1\n\n"
			"déclaré latin-9 mais utf-8\n\n"
			"inconnu Ã\xc2\xa0 moitié\n\n"
			"Привет");
}

static void
check_outlook_html(struct md_msg *m)
{
	g_assert_true(m->html_only);
	g_assert_cmpstr(m->from, ==, "marie.martin@example.fr");
	g_assert_cmpstr(m->subject, ==, "RE: [Helpdesk #42] Poste accueil");
	g_assert_null(strstr(m->text, "MsoNormal"));
	g_assert_null(strstr(m->text, "behavior"));
	g_assert_null(strstr(m->text, "o:p"));
	g_assert_nonnull(strstr(m->text, "De : Service Desk "
				"<support@desk.example>\nEnvoyé : mercredi"));
	g_assert_nonnull(strstr(m->text, "Votre demande est enregistrée."));
	g_assert_cmpstr(m->new_text, ==,
			"Bonjour,\n\n"
			"Le poste de l’accueil ne démarre plus depuis ce "
			"matin !\n"
			"Voir la procédure <https://intranet.example.fr/doc>.\n"
			"\n"
			"Cordialement,\n"
			"Marie");
}

static void
check_gmail_alt(struct md_msg *m)
{
	g_assert_false(m->html_only);
	g_assert_cmpstr(m->from_name, ==, "John Smith");
	g_assert_cmpstr(m->message_id, ==, "CAJ+abc123=xyz@mail.gmail.com");
	g_assert_cmpstr(m->in_reply_to, ==, "ticket-7@desk.example");
	assert_list(m->references, "ticket-7@desk.example");
	g_assert_nonnull(strstr(m->text, "> please reboot."));
	g_assert_null(strstr(m->text, "<div"));
	g_assert_cmpstr(m->new_text, ==, "Still broken after the reboot.");
	g_assert_cmpint(m->date, ==, 1794607353);
}

static void
check_alt_related(struct md_msg *m)
{
	g_assert_cmpstr(m->text, ==, "See the logo.");
	g_assert_false(m->html_only);
	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->name, ==, "logo.png");
	g_assert_cmpstr(att(m, 0)->type, ==, "image/png");
	g_assert_cmpint(att(m, 0)->size, ==, 772);
}

static void
check_attachments(struct md_msg *m)
{
	g_assert_cmpuint(m->attachments->len, ==, 4);
	g_assert_cmpstr(att(m, 0)->name, ==, "facture n° 12.pdf");
	g_assert_cmpstr(att(m, 0)->type, ==, "application/pdf");
	g_assert_cmpint(att(m, 0)->size, ==, 1015);
	g_assert_cmpstr(att(m, 1)->name, ==, "rapport annuel été.docx");
	g_assert_cmpint(att(m, 1)->size, ==, 2004);
	g_assert_cmpstr(att(m, 2)->name, ==, "résumé.txt");
	g_assert_cmpstr(att(m, 2)->type, ==, "application/octet-stream");
	g_assert_cmpint(att(m, 2)->size, ==, 3);
	g_assert_cmpmem(g_bytes_get_data(att(m, 2)->data, NULL), 3, "abc", 3);
	/* base64 undone: the .docx is "PK\3\4" and 2,000 "x" */
	g_assert_cmpmem(g_bytes_get_data(att(m, 1)->data, NULL), 4,
			"PK\3\4", 4);
	for (gsize i = 4; i < 2004; i++)
		g_assert_cmpint(((const char *)g_bytes_get_data(
			att(m, 1)->data, NULL))[i], ==, 'x');
	g_assert_cmpstr(att(m, 3)->name, ==, "notes.txt");
	g_assert_cmpstr(att(m, 3)->type, ==, "text/plain");
	/* inline text parts are concatenated, attached ones are not */
	g_assert_cmpstr(m->text, ==, "Ci-joint les pièces.\n\n-- \n"
			"Liste footer");
	g_assert_null(strstr(m->text, "not body text"));
	g_assert_cmpstr(m->new_text, ==, "Ci-joint les pièces.");
}

static void
check_forward(struct md_msg *m)
{
	g_assert_cmpstr(m->text, ==, "FYI, see attached.");
	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->name, ==, "original.eml");
	g_assert_cmpstr(att(m, 0)->type, ==, "message/rfc822");
	g_assert_cmpint(att(m, 0)->size, >, 100);
	/* a forwarded mail's bytes are the mail itself */
	{
		char *inner = g_strndup(g_bytes_get_data(att(m, 0)->data,
							 NULL),
					g_bytes_get_size(att(m, 0)->data));

		g_assert_true(g_str_has_prefix(inner, "From: Bob"));
		g_assert_nonnull(strstr(inner, "\nSubject: the original"));
		g_assert_nonnull(strstr(inner, "\n\nOriginal body."));
		g_free(inner);
	}
	/* only a report's returned message names a bounced id */
	g_assert_null(m->bounced_message_id);
}

static void
check_bounce_dsn(struct md_msg *m)
{
	g_assert_true(m->is_report);
	g_assert_cmpstr(m->report_type, ==, "delivery-status");
	g_assert_cmpstr(m->return_path, ==, "");
	g_assert_cmpstr(m->from, ==, "mailer-daemon@mx.desk.example");
	g_assert_cmpstr(m->auto_submitted, ==, "auto-replied");
	g_assert_cmpstr(m->x_failed_recipients, ==, "gone@example.org");
	g_assert_cmpstr(m->bounced_recipient, ==, "gone@example.org");
	g_assert_cmpstr(m->bounced_message_id, ==,
			"t42.ack.abcdef@desk.example");
	g_assert_true(g_str_has_prefix(m->text, "This is the mail system"));
	g_assert_null(strstr(m->text, "Reporting-MTA"));
	g_assert_null(strstr(m->text, "Your request was received"));
	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->type, ==, "message/rfc822");
}

static void
check_bounce_headers(struct md_msg *m)
{
	g_assert_true(m->is_report);
	g_assert_cmpstr(m->report_type, ==, "delivery-status");
	g_assert_cmpstr(m->return_path, ==, "mailer-daemon@mx.example.org");
	g_assert_cmpstr(m->bounced_recipient, ==, "someone@example.org");
	g_assert_cmpstr(m->bounced_message_id, ==,
			"t42.remind.123@desk.example");
	g_assert_cmpstr(m->text, ==, "Delivery failed.");
	g_assert_null(m->x_failed_recipients);
}

static void
check_ooo(struct md_msg *m)
{
	g_assert_cmpstr(m->subject, ==,
			"Réponse automatique\xc2\xa0: [Helpdesk #42] Poste");
	g_assert_cmpstr(m->auto_submitted, ==, "auto-replied");
	g_assert_cmpstr(m->x_auto_response_suppress, ==, "All");
	g_assert_cmpstr(m->precedence, ==, "bulk");
	g_assert_false(m->has_list_id);
	g_assert_false(m->is_report);
}

static void
check_list(struct md_msg *m)
{
	g_assert_true(m->has_list_id);
	g_assert_true(m->has_list_unsubscribe);
	g_assert_cmpstr(m->precedence, ==, "list");
	assert_list(m->x_loop, "support@desk.example,other@example.org");
	g_assert_cmpuint(m->auth_results->len, ==, 2);
	g_assert_cmpstr(m->auth_results->pdata[0], ==,
			"mx.desk.example; dkim=pass header.d=example.org; "
			"spf=pass smtp.mailfrom=lists.example.org");
	g_assert_cmpstr(m->auth_results->pdata[1], ==,
			"mx2.desk.example; dmarc=pass");
}

static void
check_nul(struct md_msg *m)
{
	g_assert_cmpstr(m->text, ==, "beforeafter\nsecond line");
}

static void
check_crlf(struct md_msg *m)
{
	g_assert_cmpstr(m->subject, ==, "crlf folded");
	g_assert_cmpstr(m->text, ==, "line one\nline two");
	g_assert_cmpstr(m->message_id, ==, "crlf@example.com");
}

static void
check_missing_boundary(struct md_msg *m)
{
	g_assert_cmpstr(m->subject, ==, "broken");
	g_assert_nonnull(strstr(m->text, "text under the wrong boundary"));
}

static void
check_no_boundary_param(struct md_msg *m)
{
	g_assert_cmpstr(m->text, ==, "Some text with no boundary at all.");
}

static void
check_truncated(struct md_msg *m)
{
	g_assert_cmpstr(m->text, ==, "first part is fine");
	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->name, ==, "cut.pdf");
	g_assert_cmpint(att(m, 0)->size, >, 0);
}

static void
check_no_message_id(struct md_msg *m)
{
	g_assert_null(m->message_id);
	/* "Your message of ..." has no id in it */
	g_assert_null(m->in_reply_to);
	g_assert_cmpuint(m->references->len, ==, 0);
	g_assert_cmpstr(m->text, ==, "text");
}

static void
check_signed(struct md_msg *m)
{
	g_assert_cmpstr(m->text, ==, "Signed text.");
	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->name, ==, "signature.asc");
	g_assert_cmpstr(att(m, 0)->type, ==, "application/pgp-signature");
}

static void
check_empty_plain(struct md_msg *m)
{
	g_assert_true(m->html_only);
	g_assert_cmpstr(m->text, ==, "Only the HTML says something.");
}

struct fixture_case {
	const char *file;
	void (*check)(struct md_msg *msg);
};

static const struct fixture_case fixture_cases[] = {
	{ "split-subject.eml", check_split_subject },
	{ "latin1-b.eml", check_latin1_b },
	{ "raw-8bit-subject.eml", check_raw_8bit },
	{ "raw-utf8-subject.eml", check_raw_utf8 },
	{ "wrong-charset.eml", check_wrong_charset },
	{ "outlook-html-only.eml", check_outlook_html },
	{ "gmail-alternative.eml", check_gmail_alt },
	{ "alt-related.eml", check_alt_related },
	{ "attachments.eml", check_attachments },
	{ "forward-rfc822.eml", check_forward },
	{ "bounce-dsn.eml", check_bounce_dsn },
	{ "bounce-headers.eml", check_bounce_headers },
	{ "out-of-office.eml", check_ooo },
	{ "list.eml", check_list },
	{ "nul-body.eml", check_nul },
	{ "crlf.eml", check_crlf },
	{ "missing-boundary.eml", check_missing_boundary },
	{ "no-boundary-param.eml", check_no_boundary_param },
	{ "truncated-multipart.eml", check_truncated },
	{ "no-message-id.eml", check_no_message_id },
	{ "signed.eml", check_signed },
	{ "empty-plain-alt.eml", check_empty_plain },
};

static void
test_fixture(gconstpointer data)
{
	const struct fixture_case *c = data;
	gsize len;
	char *raw = fixture(c->file, &len);
	struct md_msg *msg = parse_ok(raw, len);

	c->check(msg);
	md_msg_free(msg);
	g_free(raw);
}

static void
test_body_hash_dedup(void)
{
	gsize alen, blen;
	char *a = fixture("dup-a.eml", &alen);
	char *b = fixture("dup-b.eml", &blen);
	struct md_msg *ma = parse_ok(a, alen), *mb = parse_ok(b, blen);

	/* headers added in transit differ, the body does not */
	g_assert_cmpstr(ma->body_hash, ==, mb->body_hash);
	g_assert_cmpstr(ma->message_id, ==, mb->message_id);
	md_msg_free(ma);
	md_msg_free(mb);
	g_free(a);
	g_free(b);
}

static void
test_body_hash_rules(void)
{
	char *h1 = md_msg_body_hash("A: b\n\nbody", 10);
	char *h2 = md_msg_body_hash("A: c\r\n\r\nbody", 12);
	char *h3 = md_msg_body_hash("body", 4);
	char *h4 = md_msg_body_hash("A: b\nno empty line", 18);
	char *h5 = md_msg_body_hash("A: b\n\nx\r\n\r\nbody", 15);
	char *whole = g_compute_checksum_for_string(G_CHECKSUM_SHA1,
						    "A: b\nno empty line", -1);

	g_assert_cmpstr(h1, ==, h2);
	g_assert_cmpstr(h1, ==, h3);
	g_assert_cmpstr(h4, ==, whole);
	/* the first separator wins, not the CRLF one further down */
	g_assert_cmpstr(h5, !=, h1);
	g_assert_cmpstr(h1, ==, "02083f4579e08a612425c0c1a17ee47add783b94");
	g_free(h1);
	g_free(h2);
	g_free(h3);
	g_free(h4);
	g_free(h5);
	g_free(whole);
}

static void
test_not_mail(void)
{
	static const char junk[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe";

	assert_data_error("", 0);
	assert_data_error(junk, sizeof(junk) - 1);
	assert_data_error("hello world, no header here\n\nbody\n", 34);
	assert_data_error("\n\nbody only\n", 12);
	assert_data_error(": no name\n\nbody\n", 16);
	assert_data_error("From someone Mon Jan  1 00:00:00 2026\n", 38);
}

static void
test_mbox_from_line(void)
{
	struct md_msg *m = parse_str("From alice@example.com Mon Jan  1 "
				     "00:00:00 2026\nFrom: Alice "
				     "<alice@example.com>\nSubject: mbox\n"
				     "\nhi\n");

	g_assert_cmpstr(m->from, ==, "alice@example.com");
	g_assert_cmpstr(m->subject, ==, "mbox");
	g_assert_cmpstr(m->text, ==, "hi");
	md_msg_free(m);
}

static void
test_giant_header(void)
{
	GString *raw = g_string_new("From: a@example.com\nTo: ");
	struct md_msg *m;
	GTimer *timer = g_timer_new();

	for (int i = 0; i < 8000; i++)
		g_string_append_printf(raw, "%sUser%04d <u%04d@Example.com>",
				       i > 0 ? ",\n " : "", i, i);
	g_assert_cmpuint(raw->len, >, 200 * 1024);
	g_string_append(raw, "\nSubject: many\n\nbody\n");
	m = parse_ok(raw->str, raw->len);
	g_assert_cmpuint(m->to->len, ==, 8000);
	g_assert_cmpstr(m->to->pdata[7999], ==, "u7999@example.com");
	g_assert_cmpstr(m->subject, ==, "many");
	/* linear, not quadratic: well under a second even under valgrind */
	g_assert_cmpfloat(g_timer_elapsed(timer, NULL), <, 20.0);
	md_msg_free(m);
	g_timer_destroy(timer);
	g_string_free(raw, TRUE);
}

static void
test_long_line_and_cap(void)
{
	GString *raw = g_string_new("From: a@example.com\nSubject: big\n"
				    "Content-Type: text/plain; "
				    "charset=utf-8\n\n");
	struct md_msg *m;

	/* one 3 MB line of two-byte characters: capped on a boundary */
	for (int i = 0; i < 1500 * 1024; i++)
		g_string_append(raw, "é");
	g_string_append_c(raw, '\n');
	m = parse_ok(raw->str, raw->len);
	g_assert_cmpuint(strlen(m->text), <=, 1024 * 1024);
	g_assert_cmpuint(strlen(m->text), >, 1024 * 1024 - 4);
	md_msg_free(m);
	g_string_free(raw, TRUE);
}

static void
test_nul_in_headers(void)
{
	static const char raw[] = "From: a@example.com\nSubject: x\0y\n"
				  "Message-ID: <n@x>\n\nbo\0dy\n";
	struct md_msg *m = parse_ok(raw, sizeof(raw) - 1);

	g_assert_true(g_str_has_prefix(m->subject, "x"));
	g_assert_cmpstr(m->text, ==, "body");
	md_msg_free(m);
}

static void
test_empty_text_part(void)
{
	/* found by fuzzing: an empty body in a charset iconv must convert */
	struct md_msg *m = parse_str("From: a@example.com\nContent-Type: "
				     "text/plain; charset=koi8-r\n\n");

	g_assert_cmpstr(m->text, ==, "");
	g_assert_cmpstr(m->new_text, ==, "");
	g_assert_false(m->html_only);
	md_msg_free(m);
}

static void
test_deep_nesting(void)
{
	GString *raw = g_string_new("From: a@example.com\nSubject: deep\n");
	struct md_msg *m;

	for (int i = 0; i < 200; i++)
		g_string_append_printf(raw, "Content-Type: multipart/mixed; "
				       "boundary=\"b%d\"\n\n--b%d\n", i, i);
	g_string_append(raw, "Content-Type: text/plain\n\ndeep text\n");
	m = parse_ok(raw->str, raw->len);
	md_msg_free(m);
	g_string_free(raw, TRUE);
}

static void
test_free_null(void)
{
	md_msg_free(NULL);
}

static void
test_ids_and_paths(void)
{
	struct md_msg *m = parse_str(
		"From: \"Doe, John\" <John.Doe@EXAMPLE.com>\n"
		"To: undisclosed-recipients:;\n"
		"Cc: nobody\n"
		"Return-Path: <>\n"
		"Message-ID: bare-id@example.com\n"
		"In-Reply-To: Your message of Mon, 1 Jan 2026 <orig@x.y> "
		"(John)\n"
		"References: x@a y@b\n"
		"Date: Mon, 05 Jan 2026 10:00:00 +0100\n\nhi\n");

	g_assert_cmpstr(m->from, ==, "john.doe@example.com");
	g_assert_cmpstr(m->from_name, ==, "Doe, John");
	g_assert_cmpuint(m->to->len, ==, 0);
	/* nothing with an '@': the word is all there is */
	assert_list(m->cc, "nobody");
	g_assert_cmpstr(m->return_path, ==, "");
	g_assert_cmpstr(m->message_id, ==, "bare-id@example.com");
	g_assert_cmpstr(m->in_reply_to, ==, "orig@x.y");
	assert_list(m->references, "x@a,y@b");
	g_assert_cmpint(m->date, ==, 1767603600);
	md_msg_free(m);
}

/* ---- subjects ---- */

struct subject_case {
	const char *name;
	const char *header;	/* NULL: no Subject at all */
	const char *expected;
};

static const struct subject_case subject_cases[] = {
	{ "split-tag", "=?UTF-8?Q?Re=3A_=5BHelpdesk_=23?= "
	  "=?UTF-8?Q?42=5D_Imprimante?=", "Re: [Helpdesk #42] Imprimante" },
	{ "split-tag-folded", "=?UTF-8?Q?Re=3A_=5BHelpdesk_=23?=\n "
	  "=?UTF-8?Q?42=5D_Imprimante?=", "Re: [Helpdesk #42] Imprimante" },
	{ "q-latin1", "=?ISO-8859-1?Q?Caf=E9_cr=E8me?=", "Café crème" },
	{ "b-utf8", "=?utf-8?B?w4ljcmFuIGJsZXU=?=", "Écran bleu" },
	{ "mixed-words", "=?iso-8859-1?q?probl=E8me?= de "
	  "=?utf-8?q?r=C3=A9seau?=", "problème de réseau" },
	{ "cp1252-quotes", "RE: =?windows-1252?Q?=93test=94?=",
	  "RE: “test”" },
	{ "split-multibyte", "=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?= 10",
	  "€ 10" },
	{ "lowercase-q", "=?utf-8?q?hello_world?=", "hello world" },
	{ "unknown-charset", "=?x-nonsense?Q?caf=C3=A9?=", "café" },
	{ "raw-latin1", "Probl\xe8me r\xe9seau", "Problème réseau" },
	{ "raw-utf8", "Problème réseau", "Problème réseau" },
	{ "raw-cp1252", "\x93quoted\x94 \x80", "“quoted” €" },
	{ "folded", "a\n  b\tc", "a b c" },
	{ "trimmed", "   spaced    subject   ", "spaced subject" },
	{ "empty", "", "" },
	{ "absent", NULL, "" },
	{ "encoded-space-run", "=?UTF-8?Q?a?=   =?UTF-8?Q?b?=", "ab" },
	{ "bad-encoded-word", "=?UTF-8?Q?broken", "=?UTF-8?Q?broken" },
};

static void
test_subject(gconstpointer data)
{
	const struct subject_case *c = data;
	char *raw = c->header != NULL
		? g_strdup_printf("From: a@example.com\nSubject: %s\n\nx\n",
				  c->header)
		: g_strdup("From: a@example.com\n\nx\n");
	struct md_msg *m = parse_str(raw);

	g_assert_cmpstr(m->subject, ==, c->expected);
	md_msg_free(m);
	g_free(raw);
}

/* ---- quoted history ---- */

struct text_case {
	const char *name;
	const char *in;
	const char *out;
};

static const struct text_case quote_cases[] = {
	{ "no-quote", "Hello,\nmy printer is broken.\n",
	  "Hello,\nmy printer is broken." },
	{ "empty", "", "" },
	{ "gmail-en", "Thanks!\n\nOn Mon, Nov 9, 2026 at 10:15 AM John Doe "
	  "<john@example.com> wrote:\n\n> Hello\n> world\n", "Thanks!" },
	{ "gmail-en-wrapped", "Thanks!\n\nOn Mon, Nov 9, 2026 at 10:15 AM "
	  "Service Desk <\nsupport@desk.example> wrote:\n\n> Hi\n", "Thanks!" },
	{ "gmail-fr", "Merci.\n\nLe lun. 9 nov. 2026 à 10:15, Jean Dupont "
	  "<jean@example.fr> a écrit :\n\n> Bonjour\n", "Merci." },
	{ "gmail-fr-wrapped", "Merci.\n\nLe lun. 9 nov. 2026 à 10:15, "
	  "Service Desk <support@desk.example> a\nécrit :\n\n> Bonjour\n",
	  "Merci." },
	{ "fr-no-space", "OK\nLe 09/11/2026 10:15, Jean a écrit:\n> x\n",
	  "OK" },
	{ "fr-nbsp", "OK\nLe 9 nov. 2026 à 10:15, Jean a écrit\xc2\xa0:\n> x",
	  "OK" },
	{ "apple-fr", "C'est réparé.\n\nLe 12 nov. 2026 à 10:15, X "
	  "<x@y.fr> a écrit :\n\n> Bonjour\n> \n> Le PC ne démarre pas.\n",
	  "C'est réparé." },
	{ "apple-en", "Fixed.\n\nOn Nov 12, 2026, at 10:15, X <x@y.com> "
	  "wrote:\n\n> text\n", "Fixed." },
	{ "thunderbird-en", "Done.\n\nOn 12/11/2026 10:15, Service Desk "
	  "wrote:\n> hi\n>> older\n", "Done." },
	{ "thunderbird-fr", "Fait.\n\nLe 12/11/2026 à 10:15, Service Desk "
	  "a écrit :\n> salut\n", "Fait." },
	{ "outlook-en", "Please see below.\n\nFrom: Service Desk "
	  "<support@desk.example>\nSent: Monday, November 9, 2026 10:15 AM\n"
	  "To: John <john@example.com>\nSubject: [Helpdesk #1] Printer\n\n"
	  "Hello John\n", "Please see below." },
	{ "outlook-fr", "Bonjour,\nc'est toujours en panne.\n\nDe : Service "
	  "Desk <support@desk.example>\nEnvoyé : lundi 9 novembre 2026 "
	  "10:15\nÀ : Jean <jean@example.fr>\nObjet : [Helpdesk #1] "
	  "Imprimante\n\nBonjour Jean\n",
	  "Bonjour,\nc'est toujours en panne." },
	{ "outlook-fr-nbsp", "Vu.\nDe\xc2\xa0: X\nEnvoy\xc3\xa9\xc2\xa0: "
	  "lundi\nObjet\xc2\xa0: Y\nold\n", "Vu." },
	{ "outlook-bold-labels", "Ok.\n\n*From:* Desk <d@x.y>\n*Sent:* "
	  "Monday\n*To:* me\n\nold\n", "Ok." },
	{ "outlook-mac-date", "Sure.\n\nFrom: Desk <d@x.y>\nDate: Monday, "
	  "9 November 2026 at 10:15\nTo: me\nSubject: s\n\nold\n", "Sure." },
	{ "original-message", "Yes.\n\n-----Original Message-----\nFrom: X\n"
	  "Sent: Monday\n\nold\n", "Yes." },
	{ "message-d-origine", "Oui.\n\n-----Message d'origine-----\nDe : X\n"
	  "Envoyé : lundi\nold\n", "Oui." },
	{ "message-original", "Vu.\n\n-------- Message original --------\n"
	  "Sujet : Re: x\nDate : 12/11/2026\nDe : X\n\nold\n", "Vu." },
	{ "underscore-rule", "Noted.\n\n________________________________\n"
	  "From: X <x@y>\nSent: Monday\n\nold\n", "Noted." },
	{ "underscore-no-from", "Title\n______________________________\n"
	  "body text\n", "Title\n______________________________\nbody text" },
	{ "signature", "Hello\n\n-- \nJohn Doe\nACME\n", "Hello" },
	{ "signature-no-space", "Hello\n--\nJohn\n", "Hello" },
	{ "german", "Danke.\n\nAm 12.11.2026 um 10:15 schrieb Service Desk "
	  "<support@desk.example>:\n> Hallo\n", "Danke." },
	{ "german-wrapped", "Danke.\n\nAm Do., 12. Nov. 2026 um 10:15 Uhr "
	  "schrieb Service Desk <\nsupport@desk.example>:\n\n> Hallo\n",
	  "Danke." },
	{ "spanish", "Gracias.\n\nEl lun, 9 nov 2026 a las 10:15, X (<x@y>) "
	  "escribió:\n> hola\n", "Gracias." },
	{ "bottom-posted", "On 12/11/2026 10:15, Desk wrote:\n> Did you "
	  "reboot?\n> Please tell us.\n\nYes I did, still broken.\n",
	  "Yes I did, still broken." },
	{ "interleaved", "On 12/11/2026 10:15, Desk wrote:\n> Q1?\nA1\n\n"
	  "> Q2?\nA2\n\n-- \nJohn\n", "A1\n\nA2" },
	{ "middle-quote", "See my answers:\n\n> q1\n\nanswer\n",
	  "See my answers:\n\nanswer" },
	{ "html-rendered-history", "Thanks\n\nOn Mon, Nov 9, 2026 at 10:15 "
	  "AM X <x@y> wrote:\nHello\nold text\n", "Thanks" },
	{ "crlf", "Hi\r\n\r\nOn 1/1/2026, X wrote:\r\n> q\r\n", "Hi" },
	{ "indented-quote", "Reply\n  > quoted with indent\n", "Reply" },
	{ "only-quotes", "> just quoted\n> text\n", "> just quoted\n> text" },
	{ "only-outlook-block", "From: X <x@y>\nSent: Monday\nTo: Z\n"
	  "Subject: S\n\nBody of forwarded\n", "From: X <x@y>\nSent: Monday\n"
	  "To: Z\nSubject: S\n\nBody of forwarded" },
	{ "gmail-forward-kept", "FYI\n\n---------- Forwarded message "
	  "---------\nFrom: X <x@y>\nDate: Mon, 9 Nov 2026\nSubject: S\n"
	  "To: Z\n\nforwarded body\n", "FYI\n\n---------- Forwarded message "
	  "---------\nFrom: X <x@y>\nDate: Mon, 9 Nov 2026\nSubject: S\n"
	  "To: Z\n\nforwarded body" },
	{ "prose-on-colon", "On the server:\n- disk full\n",
	  "On the server:\n- disk full" },
	{ "prose-decrit", "Le rapport 2026 décrit ceci :\n- un\n- deux\n",
	  "Le rapport 2026 décrit ceci :\n- un\n- deux" },
	{ "prose-wrote-no-date", "On Monday John wrote:\nthe plan\n",
	  "On Monday John wrote:\nthe plan" },
	{ "trailing-blanks", "Hi\n\n\n\n", "Hi" },
	{ "quote-then-attribution-only", "On 1/1/2026, X wrote:\n> q\n",
	  "On 1/1/2026, X wrote:" },
};

static void
test_strip_quotes(gconstpointer data)
{
	const struct text_case *c = data;
	char *out = md_msg_strip_quotes(c->in);

	g_assert_cmpstr(out, ==, c->out);
	g_free(out);
}

/* ---- HTML ---- */

static const struct text_case html_cases[] = {
	{ "paragraphs", "<p>Hello</p><p>World</p>", "Hello\nWorld" },
	{ "br", "Line1<br>Line2<br/>Line3<BR />end",
	  "Line1\nLine2\nLine3\nend" },
	{ "br-run", "a<br><br><br><br>b", "a\n\nb" },
	{ "head", "<html><head><title>T</title><style>p{}</style></head>"
	  "<body>Body</body></html>", "Body" },
	{ "script-style", "<script>alert('<p>x</p>')</script>Text<style "
	  "type=\"text/css\">.x{}</style>", "Text" },
	{ "comment", "A<!-- hidden <b>x</b> -->B", "AB" },
	{ "outlook-conditional", "<!--[if gte mso 9]><xml><o:Office"
	  "DocumentSettings/></xml><![endif]--><p class=MsoNormal>Hi<o:p>"
	  "</o:p></p>", "Hi" },
	{ "downlevel-revealed", "<p><![if !supportLists]>- <![endif]>Item"
	  "</p>", "- Item" },
	{ "entities", "&lt;tag&gt; &amp; &quot;q&quot; &#39;s&#39; "
	  "caf&eacute; &agrave; &ccedil;a &ocirc; 10&euro; &#233;&#xE9; "
	  "&#x20AC; &egrave;", "<tag> & \"q\" 's' café à ça ô 10€ éé € è" },
	{ "nbsp", "a&nbsp;&nbsp;b\xc2\xa0\xc2\xa0" "c", "a b c" },
	{ "whitespace", "  a \n\t b  ", "a b" },
	{ "list", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "- one\n- two" },
	{ "headings", "<h1>Title</h1>text<h2>Sub</h2>more",
	  "Title\ntext\nSub\nmore" },
	{ "table", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td>"
	  "<td>d</td></tr></table>", "a b\nc d" },
	{ "link-differs", "<a href=\"https://x.example/p?a=1&amp;b=2\">"
	  "click</a> here", "click <https://x.example/p?a=1&b=2> here" },
	{ "link-same", "<a href='https://x.example/'>https://x.example/</a>",
	  "https://x.example/" },
	{ "link-mailto", "<a href=\"mailto:a@b.c\">a@b.c</a>", "a@b.c" },
	{ "blockquote", "Answer<blockquote>old<br>older</blockquote>after",
	  "Answer\n> old\n> older\nafter" },
	{ "pre", "<pre>a  b\n c</pre>", "a  b\n c" },
	{ "literal-lt", "1 < 2 and 3 > 2", "1 < 2 and 3 > 2" },
	{ "outlook-empty-paragraphs", "<p class=MsoNormal>a<o:p></o:p></p>\n"
	  "<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n<p class=MsoNormal>b"
	  "<o:p></o:p></p>", "a\n\nb" },
	{ "gmail-divs", "<div>a</div><div><br></div><div>b</div>", "a\n\nb" },
	{ "cp1252-numeric", "it&#146;s", "it’s" },
	{ "unknown-entity", "&foo; & bar &#;", "&foo; & bar &#;" },
	{ "unclosed-comment", "a<!-- never closed", "a" },
	{ "head-unclosed", "<head><meta charset=utf-8><body>x", "x" },
	{ "inline-tags", "<b>bold</b> <i>it</i><span>alic</span>",
	  "bold italic" },
	{ "attr-with-gt", "<p title=\"a>b\">text</p>", "text" },
	{ "unbalanced-quote", "<p class=\"x>first</p><p>second</p>",
	  "first\nsecond" },
};

static void
test_html(gconstpointer data)
{
	const struct text_case *c = data;
	char *out = md_msg_html_to_text(c->in);

	g_assert_cmpstr(out, ==, c->out);
	g_free(out);
}

int
main(int argc, char **argv)
{
	int rc;

	g_test_init(&argc, &argv, NULL);
	g_mime_init();
	for (guint i = 0; i < G_N_ELEMENTS(fixture_cases); i++) {
		char *path = g_strdup_printf("/msg/fixture/%s",
					     fixture_cases[i].file);

		g_test_add_data_func(path, &fixture_cases[i], test_fixture);
		g_free(path);
	}
	g_test_add_func("/msg/body-hash/dedup", test_body_hash_dedup);
	g_test_add_func("/msg/body-hash/rules", test_body_hash_rules);
	g_test_add_func("/msg/parse/not-mail", test_not_mail);
	g_test_add_func("/msg/parse/mbox-from-line", test_mbox_from_line);
	g_test_add_func("/msg/parse/giant-header", test_giant_header);
	g_test_add_func("/msg/parse/text-cap", test_long_line_and_cap);
	g_test_add_func("/msg/parse/nul-in-headers", test_nul_in_headers);
	g_test_add_func("/msg/parse/deep-nesting", test_deep_nesting);
	g_test_add_func("/msg/parse/empty-text-part", test_empty_text_part);
	g_test_add_func("/msg/parse/ids-and-paths", test_ids_and_paths);
	g_test_add_func("/msg/free-null", test_free_null);
	for (guint i = 0; i < G_N_ELEMENTS(subject_cases); i++) {
		char *path = g_strdup_printf("/msg/subject/%s",
					     subject_cases[i].name);

		g_test_add_data_func(path, &subject_cases[i], test_subject);
		g_free(path);
	}
	for (guint i = 0; i < G_N_ELEMENTS(quote_cases); i++) {
		char *path = g_strdup_printf("/msg/strip-quotes/%s",
					     quote_cases[i].name);

		g_test_add_data_func(path, &quote_cases[i], test_strip_quotes);
		g_free(path);
	}
	for (guint i = 0; i < G_N_ELEMENTS(html_cases); i++) {
		char *path = g_strdup_printf("/msg/html/%s",
					     html_cases[i].name);

		g_test_add_data_func(path, &html_cases[i], test_html);
		g_free(path);
	}
	rc = g_test_run();
	g_mime_shutdown();
	return rc;
}
