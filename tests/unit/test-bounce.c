/* test-bounce.c: the failed recipient of a bounce that is no DSN.
 *
 * Each row is a bounce text written from the MTA's documented shape (not
 * copied), the ticket's addresses, and the address expected (NULL: none
 * may be guessed).
 */
#include "config.h"

#include <string.h>

#include "bounce.h"

#define DESK "support@desk.example"
#define REQ "jean.dupont@ville.example"
#define COLL "collegue@client.example"

struct case_ {
	const char *name;
	const char *text;
	const char *prefer;	/* comma-separated, NULL: REQ,COLL */
	const char *want;
};

static const struct case_ cases[] = {
	{ "postfix",
	  "This is the mail system at host mx.desk.example.\n\n"
	  "I'm sorry to have to inform you that your message could not\n"
	  "be delivered to one or more recipients. It's attached below.\n\n"
	  "<Jean.Dupont@ville.example>: host mx.ville.example[192.0.2.7] "
	  "said: 550\n    5.1.1 User unknown (in reply to RCPT TO command)\n",
	  NULL, REQ },
	{ "qmail",
	  "Hi. This is the qmail-send program at mx.ville.example.\n"
	  "I'm afraid I wasn't able to deliver your message to the following "
	  "addresses.\nThis is a permanent error; I've given up. Sorry it "
	  "didn't work out.\n\n<collegue@client.example>:\n"
	  "Sorry, no mailbox here by that name. (#5.1.1)\n\n"
	  "--- Below this line is a copy of the message.\n\n"
	  "From: support@desk.example\nTo: collegue@client.example\n",
	  NULL, COLL },
	{ "sendmail",
	  "The original message was received at Mon, 23 Nov 2026\n"
	  "   ----- The following addresses had permanent fatal errors -----\n"
	  "<jean.dupont@ville.example>\n"
	  "   ----- Transcript of session follows -----\n"
	  "... while talking to mx.ville.example.:\n"
	  ">>> RCPT To:<jean.dupont@ville.example>\n"
	  "<<< 550 5.1.1 <jean.dupont@ville.example>... User unknown\n"
	  "550 5.1.1 jean.dupont@ville.example... User unknown\n",
	  NULL, REQ },
	{ "sendmail-bare",
	  "550 5.1.1 Collegue@Client.Example... User unknown\n", "", COLL },
	{ "exchange",
	  "Delivery has failed to these recipients or groups:\n\n"
	  "Jean Dupont (jean.dupont@ville.example)\n"
	  "The email address you entered couldn't be found.\n\n"
	  "Diagnostic information for administrators:\n"
	  "Generating server: mx.desk.example\n", NULL, REQ },
	{ "exchange-address-alone",
	  "Delivery has failed to these recipients or groups:\n\n"
	  "collegue@client.example\n", "", COLL },
	{ "office365",
	  "Your message to collegue@client.example couldn't be delivered.\n"
	  "collegue wasn't found at client.example.\n", NULL, COLL },
	{ "gmail",
	  "** Address not found **\n\nYour message wasn't delivered to "
	  "jean.dupont@ville.example because the address couldn't be "
	  "found.\n", NULL, REQ },
	{ "french-orange",
	  "Votre message n'a pas pu \xc3\xaatre remis \xc3\xa0 "
	  "jean.dupont@ville.example.\nAdresse inconnue.\n", NULL, REQ },
	{ "french-typographic-apostrophe",
	  "Ce message n\xe2\x80\x99" "a pas pu \xc3\xaatre remis \xc3\xa0 "
	  "collegue@client.example\n", NULL, COLL },
	{ "french-list",
	  "Votre message n'a pas pu \xc3\xaatre remis aux destinataires "
	  "suivants :\n\n    jean.dupont@ville.example\n", NULL, REQ },
	{ "french-exchange",
	  "La remise aux destinataires suivants a \xc3\xa9" "chou\xc3\xa9 :\n"
	  "\n     Collegue@client.example\n", NULL, COLL },
	{ "exim-list",
	  "A message that you sent could not be delivered to one or more of "
	  "its\nrecipients. This is a permanent error. The following "
	  "address(es) failed:\n\n  jean.dupont@ville.example\n"
	  "    mailbox is full\n", NULL, REQ },
	/* the participant wins over another address named first */
	{ "participant-preferred",
	  "<postmaster@ville.example>: host said: relay denied\n"
	  "<other@elsewhere.example>: host said: 550 no such user\n"
	  "<collegue@client.example>: host said: 550 no such user\n",
	  NULL, COLL },
	/* none on the ticket: the first named, never the desk */
	{ "no-participant-first-named",
	  "<support@desk.example>: loop\n"
	  "<inconnu@ville.example>: host said: 550 no such user\n",
	  NULL, "inconnu@ville.example" },
	{ "never-the-desk",
	  "Your message to support@desk.example couldn't be delivered.\n",
	  NULL, NULL },
	{ "never-mailer-daemon",
	  "<MAILER-DAEMON@mx.ville.example>: host said: 550\n", "", NULL },
	/* the quoted original names everyone: no phrasing, no guess */
	{ "quoted-original-only",
	  "This message was created automatically.\n\n"
	  "From: Service Desk <support@desk.example>\n"
	  "To: jean.dupont@ville.example\nCc: collegue@client.example\n"
	  "Subject: [Helpdesk #1] Imprimante\n", NULL, NULL },
	{ "lead-too-far",
	  "Your message to\n\n\n\n\njean.dupont@ville.example\n", NULL, NULL },
	{ "sentence-full-stop",
	  "Your message wasn't delivered to jean.dupont@ville.example.\n",
	  NULL, REQ },
	{ "not-an-address",
	  "<jean@localhost>: host said: 550\n"
	  "Your message to @ville.example couldn't be delivered.\n",
	  NULL, NULL },
	{ "empty", "", NULL, NULL },
	{ "null", NULL, NULL, NULL },
	{ "crlf",
	  "Delivery has failed to these recipients or groups:\r\n\r\n"
	  "jean.dupont@ville.example\r\n", NULL, REQ },
};

static GPtrArray *
list(const char *csv)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	char **v = g_strsplit(csv, ",", -1);

	for (int i = 0; v[i] != NULL; i++)
		if (v[i][0] != '\0')
			g_ptr_array_add(a, g_strdup(v[i]));
	g_strfreev(v);
	return a;
}

static void
test_case(gconstpointer data)
{
	const struct case_ *c = data;
	GPtrArray *prefer = list(c->prefer != NULL ? c->prefer
				 : REQ "," COLL);
	GPtrArray *ignore = list(DESK ",helpdesk@desk.example");
	char *got = md_bounce_failed_recipient(c->text, prefer, ignore);

	g_assert_cmpstr(got, ==, c->want);
	g_free(got);
	got = md_bounce_failed_recipient(c->text, NULL, NULL);
	/* without a ticket, never more than it says */
	if (c->want == NULL && c->text != NULL &&
	    strstr(c->text, DESK) == NULL)
		g_assert_null(got);
	g_free(got);
	g_ptr_array_unref(prefer);
	g_ptr_array_unref(ignore);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_strconcat("/bounce/", cases[i].name, NULL);

		g_test_add_data_func(path, &cases[i], test_case);
		g_free(path);
	}
	return g_test_run();
}
