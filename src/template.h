/* template.h: the texts of the mails the desk sends, in French and
 * English, from files under DIR/LANG/KIND.txt or, when DIR is NULL or
 * lacks the file, from the copies built into the binary.
 *
 * Placeholders are {{name}}; an unknown name renders as nothing, so a
 * template from a newer version never shows braces to a requester.
 */
#ifndef MD_TEMPLATE_H
#define MD_TEMPLATE_H

#include <glib.h>
#include <stdbool.h>

struct md_templates;

/* DIR (may be NULL) and LANG are copied. */
struct md_templates *md_templates_new(const char *dir, const char *lang);
void md_templates_free(struct md_templates *t);

/* The text of template KIND ("ack"), loaded once and cached; borrowed,
 * valid until md_templates_free.  MD_ERROR_CONFIG if there is none. */
const char *md_templates_get(struct md_templates *t, const char *kind,
			     GError **error);

/* For check-config: appends to PROBLEMS (char *, g_free) each template
 * file of DIR that cannot be read, is not UTF-8 or names a placeholder
 * no template can be given, and to WARNINGS each built-in template that
 * DIR lacks (the built-in one is used instead). */
void md_templates_check(const char *dir, GPtrArray *problems,
			GPtrArray *warnings);

/* Renders TEXT with VARS (char * -> char *).  Returns g_free. */
char *md_template_render(const char *text, GHashTable *vars);

#endif
