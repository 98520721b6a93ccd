/* template.c: loading and rendering the templates. */
#include "config.h"

#include <string.h>

#include "embedded.h"
#include "error.h"
#include "template.h"

struct md_templates {
	char *dir;
	char *lang;
	GHashTable *cache;	/* kind -> text */
};

struct md_templates *
md_templates_new(const char *dir, const char *lang)
{
	struct md_templates *t = g_new0(struct md_templates, 1);

	t->dir = g_strdup(dir);
	t->lang = g_strdup(lang);
	t->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					 g_free);
	return t;
}

void
md_templates_free(struct md_templates *t)
{
	if (t == NULL)
		return;
	g_hash_table_destroy(t->cache);
	g_free(t->dir);
	g_free(t->lang);
	g_free(t);
}

static char *
embedded(const char *name)
{
	for (int i = 0; md_embedded_templates[i].name != NULL; i++)
		if (strcmp(md_embedded_templates[i].name, name) == 0)
			return g_strdup(md_embedded_templates[i].text);
	return NULL;
}

const char *
md_templates_get(struct md_templates *t, const char *kind, GError **error)
{
	char *name, *text = NULL, *path;
	const char *cached = g_hash_table_lookup(t->cache, kind);

	if (cached != NULL)
		return cached;
	name = g_strdup_printf("%s/%s.txt", t->lang, kind);
	if (t->dir != NULL) {
		path = g_build_filename(t->dir, name, NULL);
		/* A missing file falls back to the built-in text; an
		 * unreadable one is an error the admin must see. */
		if (g_file_test(path, G_FILE_TEST_EXISTS) &&
		    !g_file_get_contents(path, &text, NULL, NULL))
			g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
				    "template %s: cannot read it", path);
		g_free(path);
		if (text == NULL && error != NULL && *error != NULL)
			goto out;
	}
	if (text == NULL)
		text = embedded(name);
	if (text == NULL || !g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "template %s: %s", name,
			    text == NULL ? "no such template"
					 : "not valid UTF-8");
		g_clear_pointer(&text, g_free);
		goto out;
	}
	g_hash_table_insert(t->cache, g_strdup(kind), text);
out:
	g_free(name);
	return text;
}

char *
md_template_render(const char *text, GHashTable *vars)
{
	GString *out = g_string_sized_new(strlen(text) + 256);
	const char *p = text, *open;

	while ((open = strstr(p, "{{")) != NULL) {
		const char *close = strstr(open + 2, "}}");
		char *name;
		const char *value;

		if (close == NULL)
			break;
		g_string_append_len(out, p, open - p);
		name = g_strndup(open + 2, close - open - 2);
		g_strstrip(name);
		value = g_hash_table_lookup(vars, name);
		if (value != NULL)
			g_string_append(out, value);
		g_free(name);
		p = close + 2;
	}
	g_string_append(out, p);
	return g_string_free(out, FALSE);
}

/* The placeholders outbox.c fills in; with those the built-in templates
 * use, the names a template may contain. */
static const char *const placeholders[] = {
	"ticket", "tag", "subject", "requester", "state", "desk_name",
	"desk_address", "from_name", "note", "sender", "sender_address",
	"text", "full_text", "attachments", "reopen_within", "reminder",
	"close_date", NULL
};

/* Adds the {{names}} of TEXT to SET (char *, owned by SET). */
static void
collect(const char *text, GHashTable *set)
{
	const char *p = text, *open, *close;

	while ((open = strstr(p, "{{")) != NULL &&
	       (close = strstr(open + 2, "}}")) != NULL) {
		char *name = g_strndup(open + 2, close - open - 2);

		g_hash_table_add(set, g_strstrip(name));
		p = close + 2;
	}
}

/* Checks one file of DIR against KNOWN. */
static void
check_file(const char *path, GHashTable *known, GPtrArray *problems)
{
	GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal,
						 g_free, NULL);
	GHashTableIter it;
	gpointer name;
	char *text = NULL;
	GError *error = NULL;

	if (!g_file_get_contents(path, &text, NULL, &error)) {
		g_ptr_array_add(problems, g_strdup(error->message));
		g_error_free(error);
		goto out;
	}
	if (!g_utf8_validate(text, -1, NULL)) {
		g_ptr_array_add(problems, g_strdup_printf("%s: not valid UTF-8",
							  path));
		goto out;
	}
	collect(text, used);
	g_hash_table_iter_init(&it, used);
	while (g_hash_table_iter_next(&it, &name, NULL))
		if (!g_hash_table_contains(known, name))
			g_ptr_array_add(problems, g_strdup_printf(
				"%s: unknown placeholder {{%s}} (it would "
				"render as nothing)", path, (char *)name));
out:
	g_hash_table_destroy(used);
	g_free(text);
}

void
md_templates_check(const char *dir, GPtrArray *problems, GPtrArray *warnings)
{
	GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal,
						  g_free, NULL);

	for (int i = 0; placeholders[i] != NULL; i++)
		g_hash_table_add(known, g_strdup(placeholders[i]));
	for (int i = 0; md_embedded_templates[i].name != NULL; i++)
		collect(md_embedded_templates[i].text, known);
	for (int i = 0; md_embedded_templates[i].name != NULL; i++) {
		char *path = g_build_filename(dir,
					      md_embedded_templates[i].name,
					      NULL);

		if (g_file_test(path, G_FILE_TEST_EXISTS))
			check_file(path, known, problems);
		else
			g_ptr_array_add(warnings, g_strdup_printf(
				"%s: missing, the built-in template is used",
				path));
		g_free(path);
	}
	g_hash_table_destroy(known);
}
