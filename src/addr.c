/* addr.c: pure helpers on lowercased addr-specs. */
#include "config.h"

#include <string.h>

#include "addr.h"

const char *
md_addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : "";
}

bool
md_addr_is_noreply(const char *addr)
{
	/* Local parts that mean "nobody reads this" (RFC 3834 section 2
	 * leaves it to heuristics; these are the ones seen in real mail). */
	static const char *const words[] = {
		"noreply", "no-reply", "no_reply", "donotreply",
		"do-not-reply", "do_not_reply", "mailer-daemon", "postmaster",
		"bounce", "bounces", "nepasrepondre", "ne-pas-repondre",
		"ne_pas_repondre", "notification", "notifications", NULL,
	};
	const char *at = strrchr(addr, '@');
	gsize len = at != NULL ? (gsize)(at - addr) : strlen(addr);

	for (guint i = 0; words[i] != NULL; i++) {
		gsize wlen = strlen(words[i]);

		/* exact, or a prefix followed by a separator: "bounces+x" */
		if (len >= wlen && g_ascii_strncasecmp(addr, words[i], wlen) == 0
		    && (len == wlen || strchr("+-_.", addr[wlen]) != NULL))
			return true;
	}
	return false;
}

bool
md_addr_in(const GPtrArray *list, const char *addr)
{
	if (list == NULL || addr == NULL)
		return false;
	for (guint i = 0; i < list->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(list, i), addr) == 0)
			return true;
	return false;
}

bool
md_addr_domain_in(const GPtrArray *domains, const char *addr)
{
	const char *domain;
	gsize dlen;

	if (domains == NULL || addr == NULL)
		return false;
	domain = md_addr_domain(addr);
	dlen = strlen(domain);
	for (guint i = 0; i < domains->len; i++) {
		const char *d = g_ptr_array_index(domains, i);
		gsize len = strlen(d);

		if (g_ascii_strcasecmp(domain, d) == 0)
			return true;
		if (dlen > len && domain[dlen - len - 1] == '.'
		    && g_ascii_strcasecmp(domain + dlen - len, d) == 0)
			return true;
	}
	return false;
}

char *
md_addr_normalize(const char *addr)
{
	char *a = g_ascii_strdown(addr, -1), *at;
	gsize len;

	g_strstrip(a);
	len = strlen(a);
	if (len >= 2 && a[0] == '<' && a[len - 1] == '>') {
		memmove(a, a + 1, len - 2);
		a[len - 2] = '\0';
	}
	at = strrchr(a, '@');
	if (at == NULL || at == a || at[1] == '\0' || strchr(a, '@') != at ||
	    strpbrk(a, " \t\r\n<>,;\"()") != NULL) {
		g_free(a);
		return NULL;
	}
	return a;
}

static bool
local_char(char c)
{
	return g_ascii_isalnum(c) ||
	       (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static bool
domain_char(char c)
{
	return g_ascii_isalnum(c) || c == '.' || c == '-';
}

char *
md_addr_find(const char *p, const char *end)
{
	for (const char *at = p; at < end; at++) {
		const char *s = at, *e = at + 1;
		char *addr, *norm;

		if (*at != '@')
			continue;
		while (s > p && local_char(s[-1]))
			s--;
		while (e < end && domain_char(*e))
			e++;
		/* "addr..." (sendmail) and a sentence's full stop */
		while (e > at + 1 && e[-1] == '.')
			e--;
		/* a quote or dot before the local part is no part of it */
		while (s < at && (*s == '\'' || *s == '.'))
			s++;
		if (s == at || e == at + 1 ||
		    memchr(at + 1, '.', e - at - 1) == NULL)
			continue;
		addr = g_strndup(s, e - s);
		norm = md_addr_normalize(addr);
		g_free(addr);
		if (norm != NULL)
			return norm;
	}
	return NULL;
}
