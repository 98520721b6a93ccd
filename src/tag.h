/* tag.h: the subject tag of a desk, "[Helpdesk #123]" (pure).
 *
 * Found anywhere in a decoded subject whatever the prefixes, the case, the
 * spacing (including non-breaking and full-width forms Outlook and IMEs
 * produce).  A tag of another desk is not ours.
 */
#ifndef MD_TAG_H
#define MD_TAG_H

#include <glib.h>
#include <stdbool.h>

/* The number of the first tag of desk NAME in SUBJECT (decoded UTF-8),
 * or 0 if there is none. */
gint64 md_tag_find(const char *subject, const char *name);

/* The first tag in SUBJECT that is not desk NAME's, as written
 * ("[Upstream #999]"), or NULL.  Returns g_free. */
char *md_tag_find_foreign(const char *subject, const char *name);

/* SUBJECT without reply/forward prefixes and without desk NAME's tags,
 * for the subject of a new ticket.  Returns g_free. */
char *md_tag_clean_subject(const char *subject, const char *name);

/* "[NAME #ID] SUBJECT" (SUBJECT already clean). Returns g_free. */
char *md_tag_subject(const char *name, gint64 id, const char *subject);

#endif
