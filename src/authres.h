/* authres.h: the Authentication-Results header field, tokenized as RFC
 * 8601 section 2.2 says (pure; spec 6 "Writing is not acting").
 *
 * Comments are skipped wherever CFWS may stand, values may be quoted
 * strings, and a property value ends where its token ends, so that text in
 * a comment or a quoted local part is never read as a property.
 */
#ifndef MD_AUTHRES_H
#define MD_AUTHRES_H

#include <glib.h>
#include <stdbool.h>

struct md_authres_prop {
	char *ptype;		/* "smtp", "header", "body", "policy": lower */
	char *property;		/* "mailfrom", "d", "i": lowercased */
	char *value;		/* unquoted; a quoted local part stays quoted */
};

struct md_authres_result {
	char *method;		/* "dkim", "spf" (version dropped), lower */
	char *result;		/* "pass", "fail"...: lowercased */
	char *reason;		/* reason=, unquoted, or NULL */
	GPtrArray *props;	/* struct md_authres_prop * */
};

struct md_authres {
	char *authserv_id;	/* as written, unquoted */
	GPtrArray *results;	/* struct md_authres_result *; empty: none */
};

/* Parses VALUE, the unfolded field body of one Authentication-Results.
 * Returns NULL if it does not follow the grammar (a header that cannot be
 * read proves nothing).  Owned by the caller: md_authres_free. */
struct md_authres *md_authres_parse(const char *value);

/* Accepts NULL. */
void md_authres_free(struct md_authres *ar);

/* The domain a property value names: after the last '@' outside quotes,
 * or the whole value; "" if none.  Borrowed from VALUE. */
const char *md_authres_domain(const char *value);

#endif
