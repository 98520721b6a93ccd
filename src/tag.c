/* tag.c: finding and writing the subject tag.
 *
 * Both the subject and the desk name are normalised the same way before the
 * scan: every run of Unicode spaces (NBSP from Outlook FR, narrow NBSP from
 * macOS, ideographic space, folding CR LF) made one ASCII space, and the
 * full-width brackets, number sign and digits of CJK input methods made
 * ASCII.  Names and prefixes then match character by character without
 * case, so the subject keeps its own case.  A tag is
 * "[" SP? NAME SP? "#" SP? DIGITS SP? "]".
 */
#include "config.h"

#include <string.h>

#include "tag.h"

static char *
normalise(const char *text)
{
	GString *out = g_string_sized_new(strlen(text));
	bool space = false;

	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (c == (gunichar)-1 || c == (gunichar)-2)
			break;
		if (c >= 0xFF01 && c <= 0xFF5E)	/* full-width ASCII */
			c -= 0xFEE0;
		if (g_unichar_isspace(c) || g_unichar_type(c) ==
		    G_UNICODE_SPACE_SEPARATOR) {
			space = true;
			continue;
		}
		if (space && out->len > 0)
			g_string_append_c(out, ' ');
		space = false;
		g_string_append_unichar(out, c);
	}
	return g_string_free(out, FALSE);
}

/* If P starts with WORD (both normalised) ignoring case, the end of the
 * match in P, else NULL. */
static const char *
match_nocase(const char *p, const char *word)
{
	while (*word) {
		if (*p == '\0' || g_unichar_tolower(g_utf8_get_char(p)) !=
		    g_unichar_tolower(g_utf8_get_char(word)))
			return NULL;
		p = g_utf8_next_char(p);
		word = g_utf8_next_char(word);
	}
	return p;
}

/* Parses "SP? # SP? DIGITS SP? ]" at P; returns the number or 0. */
static gint64
parse_number(const char *p, const char **end_r)
{
	gint64 n = 0;
	int digits = 0;

	if (*p == ' ')
		p++;
	if (*p++ != '#')
		return 0;
	if (*p == ' ')
		p++;
	for (; g_ascii_isdigit(*p); p++) {
		if (++digits > 18)	/* would overflow: not a ticket */
			return 0;
		n = n * 10 + (*p - '0');
	}
	if (*p == ' ')
		p++;
	if (digits == 0 || *p != ']')
		return 0;
	if (end_r != NULL)
		*end_r = p + 1;
	return n;
}

/* Finds desk NNAME's tag in normalised NSUBJ from START; sets the span. */
static gint64
scan(const char *nsubj, const char *nname, const char **start_r,
     const char **end_r)
{
	for (const char *p = strchr(nsubj, '['); p; p = strchr(p + 1, '[')) {
		const char *q = p + 1;
		gint64 n;

		if (*q == ' ')
			q++;
		q = match_nocase(q, nname);
		if (q == NULL)
			continue;
		n = parse_number(q, end_r);
		if (n > 0) {
			*start_r = p;
			return n;
		}
	}
	return 0;
}

gint64
md_tag_find(const char *subject, const char *name)
{
	char *nsubj = normalise(subject), *nname = normalise(name);
	const char *start, *end;
	gint64 n = nname[0] != '\0' ? scan(nsubj, nname, &start, &end) : 0;

	g_free(nsubj);
	g_free(nname);
	return n;
}

char *
md_tag_find_foreign(const char *subject, const char *name)
{
	char *nname = normalise(name);
	char *found = NULL;

	/* Scan the original text: the foreign reference is kept as its
	 * owner wrote it, since it goes back to them in our subjects. */
	for (const char *p = strchr(subject, '['); p && !found;
	     p = strchr(p + 1, '[')) {
		const char *close = strchr(p, ']');
		const char *hash;
		char *inner, *ninner;

		if (close == NULL)
			break;
		hash = memchr(p, '#', close - p);
		if (hash == NULL)
			continue;
		/* "[[Upstream #9]]": the tag starts at the last '[' */
		for (const char *q = p + 1; q < hash; q++)
			if (*q == '[')
				p = q;
		if (hash == p + 1)
			continue;
		inner = g_strndup(p + 1, hash - p - 1);
		ninner = normalise(inner);
		g_strstrip(ninner);
		if ((match_nocase(ninner, nname) == NULL ||
		     *match_nocase(ninner, nname) != '\0')
		    && parse_number(hash, NULL) > 0)
			found = g_strndup(p, close - p + 1);
		g_free(inner);
		g_free(ninner);
	}
	g_free(nname);
	return found;
}

/* Reply and forward prefixes of the mail clients seen at service desks:
 * English, French (Outlook FR "RE :" and "TR :", "Réf. :"), German,
 * Nordic, Spanish/Italian, Polish, Chinese. Compared after case folding. */
static const char *const prefixes[] = {
	"re", "fw", "fwd", "tr", "aw", "wg", "sv", "vs", "rv", "réf.", "réf",
	"ref", "rif", "odp", "pd", "antw", "r", "回复", "答复", "转发", NULL,
};

static const char *const markers[] = {
	"[external]", "[ext]", "*external*", "[extern]", "[externe]",
	"[spam]", "[spam?]", "[suspected spam]", "[caution]", "[warning]",
	"[phishing?]", "[extérieur]", "[courriel externe]", NULL,
};

static const char *
skip_prefix(const char *s)
{
	const char *p = s;

	while (*p == ' ')
		p++;
	/* Markers that mail gateways put in front; a requester's own
	 * "[URGENT]" or "[Projet Alpha]" is part of the subject. */
	for (int i = 0; markers[i] != NULL; i++) {
		const char *q = match_nocase(p, markers[i]);

		if (q != NULL && (*q == ' ' || *q == '\0'))
			return q;
	}
	for (int i = 0; prefixes[i] != NULL; i++) {
		const char *q = match_nocase(p, prefixes[i]);

		if (q == NULL)
			continue;

		if (*q == '[') {	/* "Re[2]:" */
			while (g_ascii_isdigit(*++q))
				;
			if (*q == ']')
				q++;
		}
		if (*q == ' ')
			q++;
		if (*q == ':')	/* full-width colons were made ASCII */
			return q + 1;
	}
	return s;
}

char *
md_tag_clean_subject(const char *subject, const char *name)
{
	char *n = normalise(subject), *nname = normalise(name);
	GString *out;
	const char *p, *start, *end;

	out = g_string_new(NULL);
	p = n;
	while (nname[0] != '\0' && scan(p, nname, &start, &end) > 0) {
		g_string_append_len(out, p, start - p);
		p = end;
	}
	g_string_append(out, p);
	for (;;) {
		const char *q = skip_prefix(out->str);

		if (q == out->str)
			break;
		g_string_erase(out, 0, q - out->str);
	}
	g_strstrip(out->str);
	g_free(n);
	g_free(nname);
	return g_string_free(out, FALSE);
}

char *
md_tag_subject(const char *name, gint64 id, const char *subject)
{
	if (subject == NULL || subject[0] == '\0')
		return g_strdup_printf("[%s #%" G_GINT64_FORMAT "]", name, id);
	return g_strdup_printf("[%s #%" G_GINT64_FORMAT "] %s", name, id,
			       subject);
}
