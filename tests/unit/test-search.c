/* test-search.c: what a person types into maildesk search, as FTS5 query
 * syntax: words stay words whatever their punctuation (an address, "e-mail",
 * a file name), "phrases" stay phrases, a trailing * is a prefix, and
 * AND/OR/NOT stay operators. */
#include "config.h"

#include "query.h"

struct syntax_case {
	const char *name;
	const char *typed;
	const char *fts5;
};

static const struct syntax_case syntax_cases[] = {
	{ "one-word", "imprimante", "\"imprimante\"" },
	{ "two-words", "mot passe", "\"mot\" \"passe\"" },
	{ "spaces", "  mot \t passe  ", "\"mot\" \"passe\"" },
	{ "accents-kept", "déjà", "\"déjà\"" },
	{ "prefix", "imprim*", "\"imprim\"*" },
	{ "star-alone", "*", "\"*\"" },
	{ "phrase", "\"mot de passe\"", "\"mot de passe\"" },
	{ "phrase-prefix", "\"mot de pas\"*", "\"mot de pas\"*" },
	{ "phrase-unclosed", "\"mot de", "\"mot de\"" },
	{ "address", "zoe@example.org", "\"zoe@example.org\"" },
	{ "hyphen", "e-mail", "\"e-mail\"" },
	{ "filename", "Capture_erreur.pdf", "\"Capture_erreur.pdf\"" },
	{ "colon-not-column", "subject:x", "\"subject:x\"" },
	{ "quote-inside-word", "l\"an", "\"l\" \"an\"" },
	{ "parentheses", "(a OR b)", "\"(a\" OR \"b)\"" },
	{ "or", "scanner OR imprimante", "\"scanner\" OR \"imprimante\"" },
	{ "not", "scanner NOT couleur", "\"scanner\" NOT \"couleur\"" },
	{ "and", "a AND b", "\"a\" AND \"b\"" },
	{ "lowercase-or-is-a-word", "a or b", "\"a\" \"or\" \"b\"" },
	{ "empty", "", "" },
};

static void
test_syntax(gconstpointer data)
{
	const struct syntax_case *c = data;
	char *got = md_query_search_syntax(c->typed);

	g_assert_cmpstr(got, ==, c->fts5);
	g_free(got);
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
	g_test_init(&argc, &argv, NULL);
	ADD_TABLE("/search/syntax/", syntax_cases, test_syntax);
	return g_test_run();
}
