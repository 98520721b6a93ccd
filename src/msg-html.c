/* msg-html.c: a plain-text rendering of HTML-only mail (part of the msg
 * module; interface in msg.h). */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "msg.h"
#include "msg-text.h"

/* ---- HTML to text ---- */

struct render {
	GString *out;
	bool content;		/* the current line has text */
	bool touched;		/* ... or held a no-break space */
	bool space;		/* a blank is pending before the next text */
	int blanks;		/* blank lines just emitted */
	int quote;		/* blockquote depth: "> " per level */
	int pre;		/* inside <pre> */
	gssize link;		/* out->len at <a>, or -1 */
	char *href;
};

static void
r_break(struct render *r, bool hard)
{
	if (r->content) {
		g_string_append_c(r->out, '\n');
		r->blanks = 0;
	} else if ((hard || r->touched) && r->out->len > 0 && r->blanks < 1) {
		g_string_append_c(r->out, '\n');
		r->blanks++;
	}
	r->content = r->touched = r->space = false;
}

static void
r_text(struct render *r, const char *s, gsize n)
{
	if (!r->content) {
		for (int i = 0; i < r->quote; i++)
			g_string_append(r->out, "> ");
	} else if (r->space) {
		g_string_append_c(r->out, ' ');
	}
	g_string_append_len(r->out, s, (gssize)n);
	r->content = true;
	r->space = false;
}

static void
r_space(struct render *r)
{
	r->space = true;
}

static const struct {
	const char *name;
	gunichar c;
} entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", 0xa0 }, { "eacute", 0xe9 },
	{ "egrave", 0xe8 }, { "ecirc", 0xea }, { "euml", 0xeb },
	{ "agrave", 0xe0 }, { "aacute", 0xe1 }, { "acirc", 0xe2 },
	{ "auml", 0xe4 }, { "atilde", 0xe3 }, { "aring", 0xe5 },
	{ "aelig", 0xe6 }, { "ccedil", 0xe7 }, { "igrave", 0xec },
	{ "iacute", 0xed }, { "icirc", 0xee }, { "iuml", 0xef },
	{ "ntilde", 0xf1 }, { "ograve", 0xf2 }, { "oacute", 0xf3 },
	{ "ocirc", 0xf4 }, { "otilde", 0xf5 }, { "ouml", 0xf6 },
	{ "oslash", 0xf8 }, { "ugrave", 0xf9 }, { "uacute", 0xfa },
	{ "ucirc", 0xfb }, { "uuml", 0xfc }, { "yacute", 0xfd },
	{ "yuml", 0xff }, { "szlig", 0xdf }, { "Agrave", 0xc0 },
	{ "Aacute", 0xc1 }, { "Acirc", 0xc2 }, { "Auml", 0xc4 },
	{ "Ccedil", 0xc7 }, { "Egrave", 0xc8 }, { "Eacute", 0xc9 },
	{ "Ecirc", 0xca }, { "Euml", 0xcb }, { "Icirc", 0xce },
	{ "Iuml", 0xcf }, { "Ocirc", 0xd4 }, { "Ouml", 0xd6 },
	{ "Ugrave", 0xd9 }, { "Ucirc", 0xdb }, { "Uuml", 0xdc },
	{ "Ntilde", 0xd1 }, { "oelig", 0x153 }, { "OElig", 0x152 },
	{ "euro", 0x20ac }, { "pound", 0xa3 }, { "yen", 0xa5 },
	{ "cent", 0xa2 }, { "copy", 0xa9 }, { "reg", 0xae },
	{ "trade", 0x2122 }, { "deg", 0xb0 }, { "laquo", 0xab },
	{ "raquo", 0xbb }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
	{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "sbquo", 0x201a },
	{ "bdquo", 0x201e }, { "hellip", 0x2026 }, { "ndash", 0x2013 },
	{ "mdash", 0x2014 }, { "bull", 0x2022 }, { "middot", 0xb7 },
	{ "times", 0xd7 }, { "divide", 0xf7 }, { "sect", 0xa7 },
	{ "para", 0xb6 }, { "plusmn", 0xb1 }, { "micro", 0xb5 },
	{ "frac12", 0xbd }, { "frac14", 0xbc }, { "frac34", 0xbe },
	{ "sup2", 0xb2 }, { "sup3", 0xb3 }, { "iexcl", 0xa1 },
	{ "iquest", 0xbf }, { "ordf", 0xaa }, { "ordm", 0xba },
	{ "shy", 0xad }, { "ensp", 0x2002 }, { "emsp", 0x2003 },
	{ "thinsp", 0x2009 }, { "zwnj", 0x200c }, { "zwj", 0x200d },
};

/* Decodes the entity at S ('&'), sets *C and returns its length, or 0
 * when S is a literal '&'.  Numeric references in 0x80-0x9f mean
 * Windows-1252, as browsers read them (HTML5 13.2.5.80). */
static gsize
entity(const char *s, gunichar *c)
{
	const char *p = s + 1, *semi;
	char name[12];
	gsize n;

	if (*p == '#') {
		gulong v;
		char *end;

		if (p[1] == 'x' || p[1] == 'X')
			v = strtoul(p + 2, &end, 16);
		else
			v = strtoul(p + 1, &end, 10);
		if (end == p + 1 || end == p + 2 || !g_ascii_isxdigit(end[-1]))
			return 0;
		if (v >= 0x80 && v < 0xa0)
			*c = md_msg_cp1252_char((guchar)v);
		else if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
			*c = 0xfffd;
		else
			*c = (gunichar)v;
		return (gsize)(end - s) + (*end == ';');
	}
	for (semi = p; g_ascii_isalnum(*semi) && semi - p < 10; semi++)
		;
	n = (gsize)(semi - p);
	if (n == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	for (guint i = 0; i < G_N_ELEMENTS(entities); i++) {
		if (strcmp(entities[i].name, name) != 0)
			continue;
		/* the ';' may be missing in sloppy HTML ("&nbsp ") */
		*c = entities[i].c;
		return n + 1 + (*semi == ';');
	}
	return 0;
}

static void
r_char(struct render *r, gunichar c)
{
	char buf[6];

	if (c == 0xa0 || c == 0x2002 || c == 0x2003 || c == 0x2009) {
		r_space(r);
		r->touched = true;
	} else if (c == 0xad || c == 0x200c || c == 0x200d) {
		return;
	} else {
		r_text(r, buf, (gsize)g_unichar_to_utf8(c, buf));
	}
}

/* Text between tags: whitespace collapsed (kept inside <pre>). */
static void
r_run(struct render *r, const char *s, gsize n)
{
	gsize i = 0;

	while (i < n) {
		gsize j = i;
		gunichar c;
		gsize k;

		if (s[i] == '&' && (k = entity(s + i, &c)) > 0) {
			r_char(r, c);
			i += k;
			continue;
		}
		if (g_ascii_isspace(s[i])) {
			if (r->pre && s[i] == '\n')
				r_break(r, true);
			else if (r->pre && s[i] != '\r')
				r_text(r, " ", 1);
			else
				r_space(r);
			i++;
			continue;
		}
		if ((guchar)s[i] == 0xc2 && i + 1 < n
		    && (guchar)s[i + 1] == 0xa0) {
			r_char(r, 0xa0);
			i += 2;
			continue;
		}
		j = i + 1;
		while (j < n && s[j] != '&' && !g_ascii_isspace(s[j])
		       && (guchar)s[j] != 0xc2)
			j++;
		r_text(r, s + i, j - i);
		i = j;
	}
}

/* The value of attribute NAME in the tag body T..END, decoded. */
static char *
tag_attr(const char *t, const char *end, const char *name)
{
	gsize n = strlen(name);

	for (const char *p = t; p + n < end; p++) {
		const char *v;
		char q;
		GString *val;

		if (g_ascii_strncasecmp(p, name, n) != 0
		    || !g_ascii_isspace(p[-1]))
			continue;
		v = p + n;
		while (v < end && g_ascii_isspace(*v))
			v++;
		if (v >= end || *v != '=')
			continue;
		v++;
		while (v < end && g_ascii_isspace(*v))
			v++;
		q = (v < end && (*v == '"' || *v == '\'')) ? *v++ : 0;
		val = g_string_new(NULL);
		for (; v < end && (q ? *v != q : !g_ascii_isspace(*v)); v++) {
			gunichar c;
			gsize k;

			if (*v == '&' && (k = entity(v, &c)) > 0) {
				g_string_append_unichar(val, c);
				v += k - 1;
			} else {
				g_string_append_c(val, *v);
			}
		}
		return g_strstrip(g_string_free(val, FALSE));
	}
	return NULL;
}

/* </a>: the URL after the link text when it says something else. */
static void
r_link_end(struct render *r)
{
	const char *text;
	const char *href = r->href;

	if (r->link < 0 || href == NULL)
		goto out;
	text = r->out->str + r->link;
	while (*text == ' ' || *text == '\n' || *text == '>')
		text++;
	if (*text == '\0' || strstr(text, href) != NULL)
		goto out;
	if (g_ascii_strncasecmp(href, "http://", 7) != 0
	    && g_ascii_strncasecmp(href, "https://", 8) != 0)
		goto out;
	if (strcmp(strstr(href, "//") + 2, text) == 0)
		goto out;
	r_space(r);
	r_text(r, "<", 1);
	r->content = true;
	g_string_append(r->out, href);
	g_string_append_c(r->out, '>');
out:
	r->link = -1;
	g_clear_pointer(&r->href, g_free);
}

/* Skips the content of S..END up to the closing tag CLOSE (or the
 * first of ALT, for a <head> left open before <body>). */
static const char *
skip_to_close(const char *s, const char *end, const char *close,
	      const char *alt)
{
	gsize n = strlen(close), m = alt != NULL ? strlen(alt) : 0;

	for (const char *p = s; p < end; p++) {
		if (*p != '<')
			continue;
		if ((gsize)(end - p) >= n
		    && !g_ascii_strncasecmp(p, close, n)) {
			const char *gt = memchr(p, '>', (gsize)(end - p));

			return gt != NULL ? gt + 1 : end;
		}
		if (alt != NULL && (gsize)(end - p) >= m
		    && !g_ascii_strncasecmp(p, alt, m))
			return p;
	}
	return end;
}

static bool
tag_is(const char *name, const char *const *set)
{
	for (guint i = 0; set[i] != NULL; i++)
		if (!strcmp(name, set[i]))
			return true;
	return false;
}

/* Acts on tag NAME (lowercase); BODY..END are its attributes.  Returns
 * where parsing resumes (after the content of script and the like). */
static const char *
r_tag(struct render *r, const char *name, bool close, const char *body,
      const char *end, const char *next, const char *doc_end)
{
	static const char *const blocks[] = {
		"p", "div", "tr", "table", "ul", "ol", "dl", "dt", "dd",
		"h1", "h2", "h3", "h4", "h5", "h6", "pre", "center",
		"section", "article", "header", "footer", "hr", "address",
		"form", "li", "blockquote", "caption", "tbody", "thead", NULL,
	};
	static const char *const hidden[] = {
		"script", "style", "title", "xml", "template", NULL,
	};

	if (!close && !strcmp(name, "head"))
		return skip_to_close(next, doc_end, "</head", "<body");
	if (!close && tag_is(name, hidden)) {
		char closing[16];

		g_snprintf(closing, sizeof(closing), "</%s", name);
		return skip_to_close(next, doc_end, closing, NULL);
	}
	if (!strcmp(name, "br")) {
		r_break(r, true);
	} else if (tag_is(name, blocks)) {
		r_break(r, false);
		if (!strcmp(name, "blockquote"))
			r->quote = MAX(0, r->quote + (close ? -1 : 1));
		else if (!strcmp(name, "pre"))
			r->pre = MAX(0, r->pre + (close ? -1 : 1));
		else if (!close && !strcmp(name, "li"))
			r_text(r, "- ", 2);
	} else if (!strcmp(name, "td") || !strcmp(name, "th")) {
		r_space(r);
	} else if (!strcmp(name, "a")) {
		if (close) {
			r_link_end(r);
		} else {
			g_free(r->href);
			r->href = tag_attr(body, end, "href");
			r->link = (gssize)r->out->len;
		}
	}
	return next;
}

/* S points at '<': the end of the markup, or NULL when it is text. */
static const char *
markup_end(const char *s, const char *end)
{
	const char *p;
	char q = 0;

	if (s + 4 <= end && !strncmp(s, "<!--", 4)) {
		/* Comments include Outlook's <!--[if mso]>...<![endif]--> */
		for (p = s + 4; p + 3 <= end; p++)
			if (!strncmp(p, "-->", 3))
				return p + 3;
		return end;
	}
	if (s + 1 >= end || !(g_ascii_isalpha(s[1]) || s[1] == '/'
			       || s[1] == '!' || s[1] == '?'))
		return NULL;
	for (p = s + 1; p < end; p++) {
		if (q != 0) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			/* quotes only delimit attribute values */
			if (p[-1] == '=' || g_ascii_isspace(p[-1]))
				q = *p;
		} else if (*p == '>') {
			return p + 1;
		}
	}
	/* An unbalanced quote must not swallow the rest of the mail. */
	p = memchr(s, '>', (gsize)(end - s));
	return p != NULL ? p + 1 : end;
}

static const char *
r_markup(struct render *r, const char *s, const char *next, const char *end)
{
	const char *p = s + 1;
	bool close = false;
	char name[16];
	gsize n = 0;

	/* comments, <!DOCTYPE>, <![if !supportLists]>, <?xml?>: nothing */
	if (*p == '!' || *p == '?')
		return next;
	if (*p == '/') {
		close = true;
		p++;
	}
	while (p < next && (g_ascii_isalnum(*p) || *p == ':' || *p == '-')) {
		if (n + 1 < sizeof(name))
			name[n++] = g_ascii_tolower(*p);
		p++;
	}
	name[n] = '\0';
	if (n == 0)
		return next;
	return r_tag(r, name, close, p, next, next, end);
}

char *
md_msg_html_to_text(const char *html)
{
	struct render r = { .out = g_string_new(NULL), .link = -1 };
	const char *s = html, *end = html + strlen(html);

	while (s < end) {
		const char *lt = memchr(s, '<', (gsize)(end - s));
		const char *next;

		if (lt == NULL)
			lt = end;
		r_run(&r, s, (gsize)(lt - s));
		if (lt == end)
			break;
		next = markup_end(lt, end);
		if (next == NULL) {
			r_text(&r, "<", 1);
			s = lt + 1;
			continue;
		}
		s = r_markup(&r, lt, next, end);
	}
	g_free(r.href);
	while (r.out->len > 0 && g_ascii_isspace(r.out->str[r.out->len - 1]))
		g_string_truncate(r.out, r.out->len - 1);
	return md_msg_valid_utf8(g_string_free(r.out, FALSE));
}
