/* test-forward.c: the author of an inline forwarded original, as the
 * common mail clients write the block above it (shapes written from the
 * clients' documented output, not copied). */
#include "config.h"

#include "forward.h"

struct case_ {
	const char *name;
	const char *text;
	const char *want;
};

static const struct case_ cases[] = {
	{ "gmail",
	  "Voir ci-dessous.\n\n---------- Forwarded message ---------\n"
	  "From: Jean Dupont <Jean.Dupont@Ville.example>\n"
	  "Date: Mon, 23 Nov 2026 at 09:12\nSubject: Poubelles\n"
	  "To: <mairie@ville.example>\n\nBonjour,\n",
	  "jean.dupont@ville.example" },
	{ "gmail-fr",
	  "---------- Message transf\xc3\xa9r\xc3\xa9 ---------\n"
	  "De : Jean Dupont <jean.dupont@ville.example>\n"
	  "Date: lun. 23 nov. 2026 \xc3\xa0 09:12\n",
	  "jean.dupont@ville.example" },
	{ "thunderbird-fr",
	  "\n\n-------- Message transf\xc3\xa9r\xc3\xa9 --------\n"
	  "Sujet : \tPoubelles\nDate : \tMon, 23 Nov 2026 09:12:00 +0100\n"
	  "De : \tJean Dupont <jean.dupont@ville.example>\n"
	  "Pour : \tmairie@ville.example\n", "jean.dupont@ville.example" },
	{ "thunderbird-en",
	  "-------- Forwarded Message --------\nSubject: Bins\n"
	  "Date: Mon, 23 Nov 2026 09:12:00 +0100\n"
	  "From: jane@town.example\nTo: desk@town.example\n",
	  "jane@town.example" },
	{ "outlook-en",
	  "Please handle.\n\nFrom: Jean Dupont <jean.dupont@ville.example>\n"
	  "Sent: Monday, November 23, 2026 9:12 AM\nTo: Mairie\n"
	  "Subject: Poubelles\n", "jean.dupont@ville.example" },
	{ "outlook-fr-mailto",
	  "De : Jean Dupont [mailto:jean.dupont@ville.example]\n"
	  "Envoy\xc3\xa9 : lundi 23 novembre 2026 09:12\n\xc3\x80 : Mairie\n",
	  "jean.dupont@ville.example" },
	{ "outlook-original-message",
	  "-----Original Message-----\nFrom: jane@town.example\n"
	  "Sent: Monday\n", "jane@town.example" },
	{ "apple-mail",
	  "Begin forwarded message:\n\n> From: Jane Roe <jane@town.example>\n"
	  "> Subject: Bins\n> Date: 23 November 2026\n", "jane@town.example" },
	{ "apple-mail-fr",
	  "D\xc3\xa9" "but du message r\xc3\xa9" "exp\xc3\xa9" "di\xc3\xa9"
	  " :\n\n"
	  "De: Jean <jean@ville.example>\n", "jean@ville.example" },
	{ "quoted",
	  "> ---------- Forwarded message ---------\n"
	  "> From: jane@town.example\n", "jane@town.example" },
	/* a From line without separator nor Sent is a sentence */
	{ "from-in-text",
	  "From: the mayor's office, about the bins.\nRegards\n", NULL },
	{ "from-without-address",
	  "---------- Forwarded message ---------\nFrom: Jean Dupont\n"
	  "Date: Mon\n", NULL },
	{ "separator-too-far",
	  "-------- Forwarded Message --------\n\n\n\n\n\n\n\n\n\n"
	  "From: jane@town.example\n", NULL },
	{ "no-forward", "Bonjour,\nMerci.\n", NULL },
	{ "empty", "", NULL },
	{ "null", NULL, NULL },
	{ "crlf",
	  "---------- Forwarded message ---------\r\n"
	  "From: Jane <jane@town.example>\r\n", "jane@town.example" },
	{ "first-of-two",
	  "---------- Forwarded message ---------\nFrom: a@one.example\n\n"
	  "---------- Forwarded message ---------\nFrom: b@two.example\n",
	  "a@one.example" },
};

static void
test_case(gconstpointer data)
{
	const struct case_ *c = data;
	char *got = md_forward_original_from(c->text);

	g_assert_cmpstr(got, ==, c->want);
	g_free(got);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *path = g_strconcat("/forward/", cases[i].name, NULL);

		g_test_add_data_func(path, &cases[i], test_case);
		g_free(path);
	}
	return g_test_run();
}
