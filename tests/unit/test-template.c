/* test-template.c: loading templates and rendering {{placeholders}}.
 *
 * Rendering is a table; loading uses the built-in French and English
 * copies and, for the override rules, a directory made under the system
 * temporary directory (never the source tree).
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "error.h"
#include "template.h"

/* ---- md_template_render ---- */

struct render_case {
	const char *name;
	const char *text;
	const char *expected;
};

/* Variables of every render case: ticket=42, subject, tag, empty="". */
static const struct render_case render_cases[] = {
	{ "one", "Ticket {{ticket}}.", "Ticket 42." },
	{ "several", "{{tag}} {{subject}}",
	  "[Helpdesk #42] Probl\xc3\xa8me d'acc\xc3\xa8s" },
	{ "repeated", "{{ticket}}/{{ticket}}", "42/42" },
	{ "adjacent", "{{ticket}}{{ticket}}", "4242" },
	{ "unknown-is-empty", "a{{nosuch}}b", "ab" },
	{ "empty-value", "a{{empty}}b", "ab" },
	{ "inner-spaces", "n\xc2\xb0 {{ ticket }}", "n\xc2\xb0 42" },
	{ "no-placeholder", "Bonjour,\n\nCordialement",
	  "Bonjour,\n\nCordialement" },
	{ "empty-text", "", "" },
	{ "empty-name", "a{{}}b", "ab" },
	{ "single-braces", "{ticket} {{ticket}}", "{ticket} 42" },
	{ "unclosed", "Ticket {{ticket", "Ticket {{ticket" },
	{ "unclosed-after-one", "{{ticket}} and {{subject",
	  "42 and {{subject" },
	{ "value-not-reexpanded", "<{{braces}}>", "<{{ticket}}>" },
	{ "utf8-around",
	  "\xc2\xab {{ticket}} \xc2\xbb \xe2\x80\x94 \xf0\x9f\x96\xa8",
	  "\xc2\xab 42 \xc2\xbb \xe2\x80\x94 \xf0\x9f\x96\xa8" },
	{ "at-start-and-end", "{{ticket}} x {{ticket}}", "42 x 42" },
	{ "case-sensitive", "{{Ticket}}", "" },
};

static GHashTable *
vars_new(void)
{
	GHashTable *v = g_hash_table_new(g_str_hash, g_str_equal);

	g_hash_table_insert(v, "ticket", "42");
	g_hash_table_insert(v, "subject", "Probl\xc3\xa8me d'acc\xc3\xa8s");
	g_hash_table_insert(v, "tag", "[Helpdesk #42]");
	g_hash_table_insert(v, "empty", "");
	g_hash_table_insert(v, "braces", "{{ticket}}");
	return v;
}

static void
test_render(gconstpointer data)
{
	const struct render_case *c = data;
	GHashTable *vars = vars_new();
	char *got = md_template_render(c->text, vars);

	g_assert_cmpstr(got, ==, c->expected);
	g_free(got);
	g_hash_table_unref(vars);
}

/* ---- built-in templates ---- */

struct builtin_case {
	const char *name;
	const char *lang;
	const char *kind;
	const char *contains;	/* a phrase of that language */
};

static const struct builtin_case builtin_cases[] = {
	{ "fr-ack", "fr", "ack", "{{ticket}}" },
	{ "fr-notify", "fr", "notify", "{{ticket}}" },
	{ "fr-relay", "fr", "relay", "{{text}}" },
	{ "fr-escalation", "fr", "escalation", "{{note}}" },
	{ "en-ack", "en", "ack", "{{ticket}}" },
	{ "en-notify", "en", "notify", "{{ticket}}" },
	{ "en-relay", "en", "relay", "{{text}}" },
	{ "en-escalation", "en", "escalation", "{{note}}" },
};

static void
test_builtin(gconstpointer data)
{
	const struct builtin_case *c = data;
	struct md_templates *t = md_templates_new(NULL, c->lang);
	GError *error = NULL;
	const char *text = md_templates_get(t, c->kind, &error);

	g_assert_no_error(error);
	g_assert_nonnull(text);
	g_assert_true(g_utf8_validate(text, -1, NULL));
	g_assert_nonnull(strstr(text, c->contains));
	/* loaded once: the same borrowed text the second time */
	g_assert_true(md_templates_get(t, c->kind, NULL) == text);
	md_templates_free(t);
}

static void
test_fr_ack_rendered(void)
{
	struct md_templates *t = md_templates_new(NULL, "fr");
	GHashTable *vars = vars_new();
	GError *error = NULL;
	const char *text = md_templates_get(t, "ack", &error);
	char *out;

	g_assert_no_error(error);
	g_assert_nonnull(strstr(text, "{{ticket}}"));
	g_assert_nonnull(strstr(text, "Bonjour"));
	g_hash_table_insert(vars, "from_name", "Service Desk");
	out = md_template_render(text, vars);
	g_assert_null(strstr(out, "{{"));
	g_assert_null(strstr(out, "}}"));
	g_assert_nonnull(strstr(out, "42"));
	g_assert_nonnull(strstr(out, "[Helpdesk #42]"));
	g_assert_nonnull(strstr(out, "Probl\xc3\xa8me d'acc\xc3\xa8s"));
	g_free(out);
	g_hash_table_unref(vars);
	md_templates_free(t);
}

static void
test_en_differs(void)
{
	struct md_templates *fr = md_templates_new(NULL, "fr");
	struct md_templates *en = md_templates_new(NULL, "en");

	g_assert_cmpstr(md_templates_get(fr, "ack", NULL), !=,
			md_templates_get(en, "ack", NULL));
	g_assert_nonnull(strstr(md_templates_get(en, "ack", NULL), "Hello"));
	md_templates_free(fr);
	md_templates_free(en);
}

static void
test_unknown_kind(void)
{
	struct md_templates *t = md_templates_new(NULL, "fr");
	GError *error = NULL;

	g_assert_null(md_templates_get(t, "nosuch", &error));
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	g_assert_nonnull(strstr(error->message, "nosuch"));
	g_error_free(error);
	md_templates_free(t);
}

static void
test_unknown_lang(void)
{
	struct md_templates *t = md_templates_new(NULL, "de");
	GError *error = NULL;

	g_assert_null(md_templates_get(t, "ack", &error));
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	g_error_free(error);
	md_templates_free(t);
}

/* ---- a templates directory ---- */

static char *
make_dir(void)
{
	GError *error = NULL;
	char *dir = g_dir_make_tmp("md-template-XXXXXX", &error);
	char *fr;

	g_assert_no_error(error);
	fr = g_build_filename(dir, "fr", NULL);
	g_assert_cmpint(g_mkdir(fr, 0700), ==, 0);
	g_free(fr);
	return dir;
}

static void
put(const char *dir, const char *name, const char *text, gssize len)
{
	char *path = g_build_filename(dir, name, NULL);
	GError *error = NULL;

	g_file_set_contents(path, text, len, &error);
	g_assert_no_error(error);
	g_free(path);
}

static void
rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (d == NULL) {
		g_unlink(path);
		return;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(path, name, NULL);

		rm_rf(p);
		g_free(p);
	}
	g_dir_close(d);
	g_rmdir(path);
}

static void
test_dir_override(void)
{
	char *dir = make_dir();
	struct md_templates *t;
	GError *error = NULL;

	put(dir, "fr/ack.txt", "Local {{ticket}}\n", -1);
	t = md_templates_new(dir, "fr");
	g_assert_cmpstr(md_templates_get(t, "ack", &error), ==,
			"Local {{ticket}}\n");
	g_assert_no_error(error);
	/* loaded once: a later edit is not seen until a new set */
	put(dir, "fr/ack.txt", "Changed\n", -1);
	g_assert_cmpstr(md_templates_get(t, "ack", NULL), ==,
			"Local {{ticket}}\n");
	md_templates_free(t);
	rm_rf(dir);
	g_free(dir);
}

static void
test_dir_fallback(void)
{
	char *dir = make_dir();
	struct md_templates *t = md_templates_new(dir, "fr");
	GError *error = NULL;
	const char *text = md_templates_get(t, "notify", &error);

	/* no fr/notify.txt in DIR: the built-in copy */
	g_assert_no_error(error);
	g_assert_nonnull(text);
	g_assert_nonnull(strstr(text, "{{ticket}}"));
	md_templates_free(t);
	rm_rf(dir);
	g_free(dir);
}

static void
test_dir_unreadable(void)
{
	char *dir = make_dir();
	char *path = g_build_filename(dir, "fr", "ack.txt", NULL);
	struct md_templates *t;
	GError *error = NULL;

	/* a directory where the file should be: present but unreadable
	 * (file modes do not stop root) */
	g_assert_cmpint(g_mkdir(path, 0700), ==, 0);
	t = md_templates_new(dir, "fr");
	g_assert_null(md_templates_get(t, "ack", &error));
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	g_assert_nonnull(strstr(error->message, path));
	g_error_free(error);
	md_templates_free(t);
	rm_rf(dir);
	g_free(path);
	g_free(dir);
}

static void
test_dir_not_utf8(void)
{
	char *dir = make_dir();
	struct md_templates *t;
	GError *error = NULL;

	put(dir, "fr/ack.txt", "Re\xe7u {{ticket}}\n", -1);	/* Latin-1 */
	t = md_templates_new(dir, "fr");
	g_assert_null(md_templates_get(t, "ack", &error));
	g_assert_error(error, MD_ERROR, MD_ERROR_CONFIG);
	g_assert_nonnull(strstr(error->message, "UTF-8"));
	g_error_free(error);
	md_templates_free(t);
	rm_rf(dir);
	g_free(dir);
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
	if (g_getenv("MD_TEST_NONFATAL") != NULL)	/* list every failure */
		g_test_set_nonfatal_assertions();
	ADD_TABLE("/template/render/", render_cases, test_render);
	ADD_TABLE("/template/builtin/", builtin_cases, test_builtin);
	g_test_add_func("/template/builtin/fr-ack-rendered",
			test_fr_ack_rendered);
	g_test_add_func("/template/builtin/en-differs", test_en_differs);
	g_test_add_func("/template/builtin/unknown-kind", test_unknown_kind);
	g_test_add_func("/template/builtin/unknown-lang", test_unknown_lang);
	g_test_add_func("/template/dir/override", test_dir_override);
	g_test_add_func("/template/dir/fallback", test_dir_fallback);
	g_test_add_func("/template/dir/unreadable", test_dir_unreadable);
	g_test_add_func("/template/dir/not-utf8", test_dir_not_utf8);
	return g_test_run();
}
