/* forward.c: the author of an inline forwarded original. */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "forward.h"

/* How far below the separator the original's From line may stand
 * (Outlook puts Sent and To before it in some versions, a blank line
 * may come first). */
#define HEADER_LINES 8

/* LINE without its quoting ("> > ") and surrounding blanks, lowercased
 * in ASCII (g_free). */
static char *
bare(const char *line, gsize len)
{
	char *s = g_strndup(line, len), *p = s;

	while (*p == '>' || *p == ' ' || *p == '\t')
		p++;
	memmove(s, p, strlen(p) + 1);
	g_strstrip(s);
	for (p = s; *p != '\0'; p++)
		*p = g_ascii_tolower(*p);
	return s;
}

/* A separator line a mail client writes above a forwarded original. */
static bool
separator(const char *l)
{
	static const char *const dashed[] = {
		"forwarded message", "message transf\xc3\xa9r\xc3\xa9",
		"original message", "message d'origine",
		"message d\xe2\x80\x99origine", "weitergeleitete nachricht",
		"urspr\xc3\xbcngliche nachricht",
	};

	if (l[0] == '-') {
		for (guint i = 0; i < G_N_ELEMENTS(dashed); i++)
			if (strstr(l, dashed[i]) != NULL)
				return true;
		return false;
	}
	return g_str_has_prefix(l, "begin forwarded message") ||
	       g_str_has_prefix(l, "d\xc3\xa9" "but du message "
				"r\xc3\xa9" "exp\xc3\xa9" "di\xc3\xa9");
}

/* The length of the field name of a From line ("from:", "de :"), or 0. */
static gsize
from_field(const char *l)
{
	static const char *const names[] = {
		"from:", "from :", "de:", "de :", "de\xc2\xa0:", "von:",
		"exp\xc3\xa9" "diteur :", "exp\xc3\xa9" "diteur:",
	};

	for (guint i = 0; i < G_N_ELEMENTS(names); i++)
		if (g_str_has_prefix(l, names[i]))
			return strlen(names[i]);
	return 0;
}

/* Outlook's block: the From line followed by the one that says when. */
static bool
sent_field(const char *l)
{
	return g_str_has_prefix(l, "sent:") || g_str_has_prefix(l, "sent :")
	       || g_str_has_prefix(l, "envoy\xc3\xa9") ||
	       g_str_has_prefix(l, "gesendet:");
}

char *
md_forward_original_from(const char *text)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	char *found = NULL;
	const char *p = text != NULL ? text : "";
	int after = -1;	/* lines since the separator, -1: none seen */

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		gsize len = eol != NULL ? (gsize)(eol - p) : strlen(p);

		g_ptr_array_add(lines, bare(p, len));
		p += len + (eol != NULL);
	}
	for (guint i = 0; i < lines->len && found == NULL; i++) {
		const char *l = g_ptr_array_index(lines, i);
		gsize n = from_field(l);

		if (separator(l)) {
			after = 0;
			continue;
		}
		if (after >= 0 && ++after > HEADER_LINES)
			after = -1;
		/* after a separator, or Outlook's From line over its Sent */
		if (n > 0 && (after >= 0 || (i + 1 < lines->len &&
		     sent_field(g_ptr_array_index(lines, i + 1)))))
			found = md_addr_find(l + n, l + strlen(l));
	}
	g_ptr_array_unref(lines);
	return found;
}
