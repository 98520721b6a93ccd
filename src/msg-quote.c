/* msg-quote.c: telling the new text of a reply from the quoted history
 * (part of the msg module; interface in msg.h). */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "msg.h"
#include "msg-text.h"

/* ---- quoted history ---- */

struct line {
	const char *p;
	gsize len;
};

static GArray *
split_lines(const char *text)
{
	GArray *lines = g_array_new(FALSE, FALSE, sizeof(struct line));
	const char *p = text;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		struct line l = { p, eol != NULL ? (gsize)(eol - p)
						 : strlen(p) };

		p = eol != NULL ? eol + 1 : p + l.len;
		if (l.len > 0 && l.p[l.len - 1] == '\r')
			l.len--;
		g_array_append_val(lines, l);
	}
	return lines;
}

static bool
is_blank(const struct line *l)
{
	for (gsize i = 0; i < l->len; i++)
		if (!g_ascii_isspace(l->p[i]))
			return false;
	return true;
}

static bool
is_quote(const struct line *l)
{
	gsize i = 0;

	while (i < l->len && (l->p[i] == ' ' || l->p[i] == '\t'))
		i++;
	return i < l->len && l->p[i] == '>';
}

/* "-- " is RFC 3676 4.3's signature separator; "--" is what it becomes
 * after a client strips trailing spaces. */
static bool
is_signature(const struct line *l)
{
	return (l->len == 3 && memcmp(l->p, "-- ", 3) == 0)
	       || (l->len == 2 && memcmp(l->p, "--", 2) == 0);
}

static bool
starts_with(const struct line *l, const char *prefix)
{
	gsize n = strlen(prefix);

	return l->len >= n && memcmp(l->p, prefix, n) == 0;
}

/* An attribution line, joined if wrapped: "On <date>, <who> wrote:",
 * "Le <date>, <who> a écrit :", "Am <date> schrieb <who>:" and kin.  The
 * verb must close the line (or follow the date for verb-second languages)
 * and a digit (date, address) must appear, so that prose such as "Le
 * rapport 2026 décrit ceci :" stays. */
static bool
is_attribution_text(char *s)
{
	static const struct {
		const char *prefix, *suffix, *infix;
	} pat[] = {
		{ "On ", "wrote", NULL },
		{ "Le ", " a \xc3\xa9" "crit", NULL },
		{ "Am ", NULL, " schrieb " },
		{ "El ", "escribi\xc3\xb3", NULL },
		{ "Il ", "ha scritto", NULL }, { "Op ", NULL, " schreef " },
		{ "Em ", "escreveu", NULL }, { "Den ", NULL, " skrev " },
	};
	char *w = s;
	gsize n;

	/* Outlook and Gmail FR put a no-break space before ':' */
	for (const char *r = s; *r != '\0'; r++, w++) {
		if ((guchar)r[0] == 0xc2 && (guchar)r[1] == 0xa0) {
			*w = ' ';
			r++;
		} else {
			*w = *r;
		}
	}
	*w = '\0';
	n = strlen(g_strchomp(s));
	if (n == 0 || s[n - 1] != ':' || strpbrk(s, "0123456789") == NULL)
		return false;
	s[--n] = '\0';
	n = strlen(g_strchomp(s));
	for (guint k = 0; k < G_N_ELEMENTS(pat); k++) {
		gsize sl = pat[k].suffix != NULL ? strlen(pat[k].suffix) : 0;

		if (!g_str_has_prefix(s, pat[k].prefix))
			continue;
		if (pat[k].suffix != NULL && n >= sl
		    && strcmp(s + n - sl, pat[k].suffix) == 0)
			return true;
		if (pat[k].infix != NULL && strstr(s, pat[k].infix) != NULL)
			return true;
	}
	return false;
}

/* Number of lines (1, or 2 when Gmail wrapped it) of an attribution at
 * LINES[I]; 0 if there is none. */
static int
attribution(const struct line *lines, guint i, guint n)
{
	const struct line *a = &lines[i], *b = i + 1 < n ? &lines[i + 1] : NULL;
	char *s;
	bool hit;

	if (a->len < 3 || a->len > 400 || !g_ascii_isupper(a->p[0])
	    || memchr(a->p, ' ', MIN(a->len, 4)) == NULL)
		return 0;
	s = g_strndup(a->p, a->len);
	hit = is_attribution_text(s);
	g_free(s);
	if (hit)
		return 1;
	if (b == NULL || is_blank(b) || is_quote(b) || b->len > 400)
		return 0;
	s = g_strdup_printf("%.*s %.*s", (int)a->len, a->p, (int)b->len, b->p);
	hit = is_attribution_text(s);
	g_free(s);
	return hit ? 2 : 0;
}

/* L starts with one of LABELS, after a '*' that HTML-to-text bold left. */
static bool
has_label(const struct line *l, const char *const *labels)
{
	struct line t = *l;

	if (t.len > 0 && t.p[0] == '*') {
		t.p++;
		t.len--;
	}
	for (guint k = 0; labels[k] != NULL; k++)
		if (starts_with(&t, labels[k]))
			return true;
	return false;
}

static const char *const from_labels[] = {
	"From:", "De :", "De:", "De\xc2\xa0:", "Von:", "Da:", "Van:", NULL,
};

/* Outlook's reply header: From then, within four lines, Sent (or the
 * Date of new Outlook and Outlook for Mac). */
static bool
outlook_header(const struct line *lines, guint i, guint n)
{
	static const char *const sent[] = {
		"Sent:", "Envoy\xc3\xa9 :", "Envoy\xc3\xa9:",
		"Envoy\xc3\xa9\xc2\xa0:", "Date:", "Gesendet:", "Enviado:",
		"Inviato:", "Verzonden:", NULL,
	};

	if (!has_label(&lines[i], from_labels))
		return false;
	for (guint j = i + 1; j < n && j <= i + 4; j++)
		if (has_label(&lines[j], sent))
			return true;
	return false;
}

static bool
contains_ci(const struct line *l, const char *word)
{
	gsize n = strlen(word);

	for (gsize i = 0; i + n <= l->len; i++)
		if (g_ascii_strncasecmp(l->p + i, word, n) == 0)
			return true;
	return false;
}

/* "-----Original Message-----" and its translations; a line of
 * underscores (Outlook's HTML rule) only when a From line follows. */
static bool
outlook_separator(const struct line *lines, guint i, guint n)
{
	static const char *const words[] = {
		"Original Message", "Message d'origine",
		"Message d\xe2\x80\x99origine", "Message original",
		"Urspr\xc3\xbcngliche Nachricht", "Mensaje original",
		"Messaggio originale", "Oorspronkelijk bericht", NULL,
	};
	const struct line *l = &lines[i];
	gsize u = 0;

	if (starts_with(l, "--")) {
		for (guint k = 0; words[k] != NULL; k++)
			if (contains_ci(l, words[k]))
				return true;
		return false;
	}
	while (u < l->len && l->p[u] == '_')
		u++;
	if (u < 10 || u != l->len)
		return false;
	for (guint j = i + 1; j < n && j <= i + 3; j++)
		if (has_label(&lines[j], from_labels))
			return true;
	return false;
}

/* Gmail's and Thunderbird's forward banners: what follows them is the
 * forwarded mail, which a desk must keep. */
static bool
after_forward_banner(const struct line *lines, guint i)
{
	while (i > 0 && is_blank(&lines[i - 1]))
		i--;
	return i > 0 && (contains_ci(&lines[i - 1], "Forwarded message")
			 || contains_ci(&lines[i - 1], "Message transf"));
}

/* Emits the lines of TEXT kept by KEEP[] (all up to CUT), collapsing
 * blank runs and trimming blank lines at both ends. */
static char *
join_kept(GArray *lines, const guint8 *drop, guint cut)
{
	GString *out = g_string_new(NULL);
	bool last_blank = true;

	for (guint i = 0; i < cut; i++) {
		const struct line *l = &g_array_index(lines, struct line, i);
		bool blank = is_blank(l);

		if (drop[i] || (blank && last_blank))
			continue;
		g_string_append_len(out, l->p, (gssize)l->len);
		g_string_append_c(out, '\n');
		last_blank = blank;
	}
	return g_strchomp(g_string_free(out, FALSE));
}

char *
md_msg_strip_quotes(const char *text)
{
	GArray *lines = split_lines(text);
	const struct line *l = (const struct line *)(void *)lines->data;
	guint n = lines->len, cut = n;
	guint8 *drop = g_new0(guint8, n + 1);
	char *out;

	for (guint i = 0; i < n; i++) {
		int k;

		if (is_quote(&l[i])) {
			drop[i] = 1;
			continue;
		}
		if (is_signature(&l[i]) || outlook_separator(l, i, n)
		    || (outlook_header(l, i, n)
			&& !after_forward_banner(l, i))) {
			cut = i;
			break;
		}
		if ((k = attribution(l, i, n)) == 0)
			continue;
		guint j = i + (guint)k;

		while (j < n && is_blank(&l[j]))
			j++;
		/* A quote follows: drop the attribution, keep reading (the
		 * answer may come below).  None: HTML rendered the history
		 * without '>', so everything below is history. */
		if (j < n && is_quote(&l[j])) {
			drop[i] = 1;
			drop[i + (guint)k - 1] = 1;
			i += (guint)k - 1;
			continue;
		}
		cut = i;
		break;
	}
	out = join_kept(lines, drop, cut);
	if (*out == '\0') {
		/* Only history: show it rather than nothing (a forward with a
		 * one-word note, a reply that quotes without answering). */
		g_free(out);
		for (guint i = 0; i < n; i++)
			drop[i] = is_quote(&l[i]);
		out = join_kept(lines, drop, n);
	}
	if (*out == '\0') {
		g_free(out);
		out = g_strstrip(g_strdup(text));
	}
	g_free(drop);
	g_array_unref(lines);
	return out;
}

