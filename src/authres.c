/* authres.c: RFC 8601 section 2.2, by hand (no Debian library parses it).
 *
 *   authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
 *                     ( no-result / 1*resinfo ) [CFWS]
 *   resinfo    = [CFWS] ";" methodspec [ CFWS reasonspec ]
 *                [ CFWS 1*propspec ]
 *   methodspec = [CFWS] method [CFWS] "=" [CFWS] result
 *   method     = Keyword [ [CFWS] "/" [CFWS] method-version ]
 *   reasonspec = "reason" [CFWS] "=" [CFWS] value
 *   propspec   = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *   pvalue     = [CFWS] ( value / [ [ local-part ] "@" ] domain-name )
 *                [CFWS]
 *
 * value is RFC 2045's token or quoted-string.  Microsoft's "action=none"
 * (a property without ptype) is read and kept with ptype "".
 */
#include "config.h"

#include <string.h>

#include "authres.h"

/* Nested comments deeper than this are refused rather than followed. */
#define MAX_COMMENT_DEPTH 32

struct scan {
	const char *p;
};

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 5322 CFWS: white space and comments, which nest and may hold
 * quoted-pairs.  False on an unterminated comment. */
static bool
skip_cfws(struct scan *s)
{
	int depth = 0;

	for (; *s->p != '\0'; s->p++) {
		if (depth == 0 && is_ws(*s->p))
			continue;
		if (*s->p == '(') {
			if (++depth > MAX_COMMENT_DEPTH)
				return false;
		} else if (depth == 0) {
			return true;
		} else if (*s->p == ')') {
			depth--;
		} else if (*s->p == '\\' && s->p[1] != '\0') {
			s->p++;
		}
	}
	return depth == 0;
}

/* RFC 5321 Keyword (Ldh-str; '_' as seen in the field), lowercased. */
static char *
keyword(struct scan *s)
{
	const char *start = s->p;

	while (g_ascii_isalnum(*s->p) || *s->p == '-' || *s->p == '_')
		s->p++;
	return s->p > start ? g_ascii_strdown(start, s->p - start) : NULL;
}

/* A quoted-string at S, appended to OUT without its quotes (KEEP false)
 * or as written (KEEP true).  False if unterminated. */
static bool
quoted(struct scan *s, GString *out, bool keep)
{
	const char *start = s->p++;

	for (; *s->p != '"'; s->p++) {
		if (*s->p == '\0')
			return false;
		if (*s->p == '\\' && s->p[1] != '\0')
			s->p++;
		if (!keep)
			g_string_append_c(out, *s->p);
	}
	s->p++;
	if (keep)
		g_string_append_len(out, start, s->p - start);
	return true;
}

/* RFC 2045 value: a token or a quoted-string (unquoted). */
static char *
value(struct scan *s)
{
	GString *out = g_string_new(NULL);

	if (*s->p == '"') {
		if (!quoted(s, out, false))
			goto fail;
		return g_string_free(out, FALSE);
	}
	while (*s->p > ' ' && *s->p < 0x7f &&
	       strchr("()<>@,;:\\\"/[]?=", *s->p) == NULL)
		g_string_append_c(out, *s->p++);
	if (out->len > 0)
		return g_string_free(out, FALSE);
fail:
	g_string_free(out, TRUE);
	return NULL;
}

/* pvalue: a value, or an address whose local part may be quoted.  It
 * ends at white space, a comment or ';': text past it is never part of
 * it.  A local part's quotes are kept, so that an '@' inside them is not
 * taken for the address's. */
static char *
pvalue(struct scan *s)
{
	GString *out = g_string_new(NULL);
	bool whole_quoted = *s->p == '"';

	while (*s->p != '\0' && !is_ws(*s->p) && *s->p != '(' &&
	       *s->p != ';') {
		if (*s->p == '"') {
			if (!quoted(s, out, true)) {
				g_string_free(out, TRUE);
				return NULL;
			}
		} else {
			g_string_append_c(out, *s->p++);
		}
	}
	/* A pvalue that is one quoted-string is a value: unquote it. */
	if (whole_quoted && out->len >= 2 && out->str[out->len - 1] == '"') {
		struct scan q = { out->str };
		GString *inner = g_string_new(NULL);

		if (quoted(&q, inner, false) && *q.p == '\0') {
			g_string_free(out, TRUE);
			return g_string_free(inner, FALSE);
		}
		g_string_free(inner, TRUE);
	}
	if (out->len > 0)
		return g_string_free(out, FALSE);
	g_string_free(out, TRUE);
	return NULL;
}

static void
prop_free(gpointer p)
{
	struct md_authres_prop *prop = p;

	g_free(prop->ptype);
	g_free(prop->property);
	g_free(prop->value);
	g_free(prop);
}

static void
result_free(gpointer p)
{
	struct md_authres_result *r = p;

	g_free(r->method);
	g_free(r->result);
	g_free(r->reason);
	g_ptr_array_unref(r->props);
	g_free(r);
}

/* After "=", with CFWS around it: the pvalue or value. */
static bool
expect_eq(struct scan *s)
{
	if (!skip_cfws(s) || *s->p != '=')
		return false;
	s->p++;
	return skip_cfws(s);
}

/* One reasonspec or propspec, its first keyword NAME already read. */
static bool
property(struct scan *s, char *name_take, struct md_authres_result *r)
{
	struct md_authres_prop *prop = g_new0(struct md_authres_prop, 1);

	prop->ptype = name_take;
	if (!skip_cfws(s))
		goto fail;
	if (*s->p == '=' && strcmp(name_take, "reason") == 0) {
		prop_free(prop);
		g_clear_pointer(&r->reason, g_free);
		return expect_eq(s) && (r->reason = value(s)) != NULL;
	}
	if (*s->p == '.') {
		s->p++;
		if (!skip_cfws(s) || (prop->property = keyword(s)) == NULL)
			goto fail;
	} else {
		prop->property = g_steal_pointer(&prop->ptype);
		prop->ptype = g_strdup("");
	}
	if (!expect_eq(s) || (prop->value = pvalue(s)) == NULL)
		goto fail;
	g_ptr_array_add(r->props, prop);
	return true;
fail:
	prop_free(prop);
	return false;
}

/* One resinfo after its ';'. */
static struct md_authres_result *
resinfo(struct scan *s)
{
	struct md_authres_result *r = g_new0(struct md_authres_result, 1);
	char *name;

	r->props = g_ptr_array_new_with_free_func(prop_free);
	if (!skip_cfws(s) || (r->method = keyword(s)) == NULL ||
	    !skip_cfws(s))
		goto fail;
	if (*s->p == '/') {	/* method-version, dropped */
		s->p++;
		if (!skip_cfws(s) || (name = keyword(s)) == NULL)
			goto fail;
		g_free(name);
	}
	if (!expect_eq(s) || (r->result = keyword(s)) == NULL)
		goto fail;
	for (;;) {
		if (!skip_cfws(s))
			goto fail;
		if (*s->p == ';' || *s->p == '\0')
			return r;
		if ((name = keyword(s)) == NULL || !property(s, name, r))
			goto fail;
	}
fail:
	result_free(r);
	return NULL;
}

struct md_authres *
md_authres_parse(const char *text)
{
	struct md_authres *ar = g_new0(struct md_authres, 1);
	struct scan s = { text };

	ar->results = g_ptr_array_new_with_free_func(result_free);
	if (!skip_cfws(&s) || (ar->authserv_id = value(&s)) == NULL ||
	    !skip_cfws(&s))
		goto fail;
	if (g_ascii_isdigit(*s.p)) {	/* authres-version */
		while (g_ascii_isdigit(*s.p))
			s.p++;
		if (!skip_cfws(&s))
			goto fail;
	}
	while (*s.p == ';') {
		struct scan save;
		struct md_authres_result *r;
		char *none;

		s.p++;
		save = s;
		/* no-result: "; none", alone */
		if (ar->results->len == 0 && skip_cfws(&save) &&
		    (none = keyword(&save)) != NULL) {
			bool is_none = strcmp(none, "none") == 0 &&
				       skip_cfws(&save) && *save.p == '\0';

			g_free(none);
			if (is_none)
				return ar;
		}
		if ((r = resinfo(&s)) == NULL)
			goto fail;
		g_ptr_array_add(ar->results, r);
	}
	if (*s.p == '\0' && ar->results->len > 0)
		return ar;
fail:
	md_authres_free(ar);
	return NULL;
}

void
md_authres_free(struct md_authres *ar)
{
	if (ar == NULL)
		return;
	g_free(ar->authserv_id);
	g_ptr_array_unref(ar->results);
	g_free(ar);
}

const char *
md_authres_domain(const char *value)
{
	const char *domain = value;
	bool in_quotes = false;
	int ats = 0;

	for (const char *p = value; *p != '\0'; p++) {
		if (in_quotes && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			in_quotes = !in_quotes;
		else if (!in_quotes && *p == '@')
			domain = p + 1, ats++;
	}
	/* Two '@' outside quotes: no address, whichever one a server took. */
	if (ats > 1)
		return "";
	/* A domain-name is letters, digits, hyphens and dots: anything
	 * else (a quote, a space from an unquoted value) names no domain. */
	for (const char *p = domain; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			return "";
	return domain;
}
