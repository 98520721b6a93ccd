/* bounce.c: reading the failed recipient out of a bounce's prose. */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "bounce.h"

/* Phrases after which the failed address follows, on the same line or,
 * for those that announce a list, on one of the next few (Exchange puts a
 * blank line between): written from the MTAs' documented texts
 * (Exchange/Office 365, Gmail, Exim, Lotus, Orange/Free in French),
 * compared without case.  The apostrophes come in both forms. */
static const struct {
	const char *phrase;
	int lines;	/* after its own, where the address may stand */
} leads[] = {
	{ "delivery has failed to these recipients or groups", 3 },
	{ "the following recipient(s) cannot be reached", 3 },
	{ "the following recipients could not be reached", 3 },
	{ "your message to", 0 },
	{ "wasn't delivered to", 0 },
	{ "wasn\xe2\x80\x99t delivered to", 0 },
	{ "was not delivered to", 0 },
	{ "could not be delivered to", 0 },
	{ "delivery to the following recipient failed", 3 },
	{ "delivery to the following recipients failed", 3 },
	{ "the following address(es) failed", 3 },
	{ "the following addresses had permanent fatal errors", 3 },
	{ "failed to deliver to", 0 },
	{ "user unknown:", 0 },
	{ "n'a pas pu \xc3\xaatre remis \xc3\xa0", 0 },
	{ "n\xe2\x80\x99" "a pas pu \xc3\xaatre remis \xc3\xa0", 0 },
	{ "n'a pas pu \xc3\xaatre remis aux destinataires suivants", 3 },
	{ "n\xe2\x80\x99" "a pas pu \xc3\xaatre remis aux destinataires "
	  "suivants", 3 },
	{ "impossible de remettre le message aux destinataires suivants", 3 },
	{ "la remise aux destinataires suivants a \xc3\xa9" "chou\xc3\xa9", 3 },
	{ "n'a pas pu \xc3\xaatre d\xc3\xa9livr\xc3\xa9 \xc3\xa0", 0 },
	{ "adresse introuvable", 3 },
	{ "destinataire inconnu", 3 },
};

static void
add(GPtrArray *found, char *addr_take)
{
	if (addr_take == NULL)
		return;
	if (md_addr_in(found, addr_take))
		g_free(addr_take);
	else
		g_ptr_array_add(found, addr_take);
}

/* Postfix ("<a@b>: host mx[1.2.3.4] said: 550 ...") and qmail ("<a@b>:"
 * opening a paragraph): a line that starts with a bracketed address and
 * a colon.  Sendmail: "550 5.1.1 <a@b>... User unknown". */
static void
line_patterns(const char *line, const char *end, GPtrArray *found)
{
	const char *p = line, *gt;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '<' && (gt = memchr(p, '>', end - p)) != NULL &&
	    gt + 1 < end && gt[1] == ':')
		add(found, md_addr_find(p + 1, gt));
	for (const char *dots = p; dots != NULL && dots < end;) {
		const char *hit = g_strstr_len(dots, end - dots, "...");
		const char *s;

		if (hit == NULL)
			break;
		s = hit;
		if (s > p && s[-1] == '>')
			s--;
		/* the address just before the dots */
		while (s > p && s[-1] != ' ' && s[-1] != '\t' && s[-1] != '<')
			s--;
		if (memchr(s, '@', hit - s) != NULL)
			add(found, md_addr_find(s, hit));
		dots = hit + 3;
	}
}

/* Lowercases ASCII only, so that byte offsets stay those of TEXT. */
static char *
ascii_down(const char *text)
{
	char *low = g_strdup(text);

	for (char *p = low; *p != '\0'; p++)
		*p = g_ascii_tolower(*p);
	return low;
}

static void
lead_patterns(const char *text, const char *low, GPtrArray *found)
{
	for (guint i = 0; i < G_N_ELEMENTS(leads); i++) {
		const char *hit = low;

		while ((hit = strstr(hit, leads[i].phrase)) != NULL) {
			const char *p = text + (hit - low) +
					strlen(leads[i].phrase);
			const char *end = p;

			/* the rest of the line and the lines allowed */
			for (int n = 0; n <= leads[i].lines && *end != '\0';
			     n++) {
				const char *eol = strchr(end, '\n');

				end = eol != NULL ? eol + 1 : end + strlen(end);
			}
			add(found, md_addr_find(p, end));
			hit += strlen(leads[i].phrase);
		}
	}
}

char *
md_bounce_failed_recipient(const char *text, const GPtrArray *prefer,
			   const GPtrArray *ignore)
{
	GPtrArray *found = g_ptr_array_new_with_free_func(g_free);
	char *low, *best = NULL;

	if (text == NULL)
		goto out;
	low = ascii_down(text);
	/* Lines first: they are the most precise. */
	for (const char *line = text; *line != '\0';) {
		const char *eol = strchr(line, '\n');
		const char *end = eol != NULL ? eol : line + strlen(line);

		line_patterns(line, end, found);
		line = eol != NULL ? eol + 1 : end;
	}
	lead_patterns(text, low, found);
	g_free(low);
	for (guint i = 0; prefer != NULL && i < found->len && best == NULL;
	     i++)
		if (md_addr_in(prefer, g_ptr_array_index(found, i)))
			best = g_strdup(g_ptr_array_index(found, i));
	for (guint i = 0; i < found->len && best == NULL; i++) {
		const char *a = g_ptr_array_index(found, i);

		if ((ignore == NULL || !md_addr_in(ignore, a)) &&
		    !md_addr_is_noreply(a))
			best = g_strdup(a);
	}
out:
	g_ptr_array_unref(found);
	return best;
}
