/* test-authres.c: RFC 8601 Authentication-Results, tokenized; the RFC's
 * own examples (section 2.2 and appendix B) and values that must not be
 * read as what they look like. */
#include "config.h"

#include <glib.h>

#include "authres.h"

struct parse_case {
	const char *name;
	const char *value;
	const char *expected;	/* dump(), or NULL: refused */
};

static const struct parse_case parse_cases[] = {
	/* RFC 8601 appendix B.2 */
	{ "rfc-b2-none", "example.org 1; none", "example.org" },
	/* B.3 */
	{ "rfc-b3-spf", "example.com; spf=pass smtp.mailfrom=example.net",
	  "example.com;spf=pass smtp.mailfrom=example.net" },
	/* B.4, both fields */
	{ "rfc-b4-auth",
	  "example.com;\r\n          auth=pass (cram-md5) "
	  "smtp.auth=sender@example.net;\r\n          spf=pass "
	  "smtp.mailfrom=example.net",
	  "example.com;auth=pass smtp.auth=sender@example.net"
	  ";spf=pass smtp.mailfrom=example.net" },
	{ "rfc-b4-iprev", "example.com; iprev=pass\r\n"
	  "          policy.iprev=192.0.2.200",
	  "example.com;iprev=pass policy.iprev=192.0.2.200" },
	/* B.5 */
	{ "rfc-b5-first", "example.com;\n          dkim=pass (good signature) "
	  "header.d=example.com", "example.com;dkim=pass header.d=example.com" },
	{ "rfc-b5-second", "example.net;\n          dkim=pass (good signature) "
	  "header.i=@mail-router.example.net;\n          dkim=fail (bad "
	  "signature) header.i=@newyork.example.com",
	  "example.net;dkim=pass header.i=@mail-router.example.net"
	  ";dkim=fail header.i=@newyork.example.com" },
	/* B.6: reason= */
	{ "rfc-b6-reason", "example.com;\n    dkim=pass reason=\"good "
	  "signature\"\n      header.i=@mail-router.example.net;\n    "
	  "dkim=fail reason=\"bad signature\"\n      "
	  "header.i=@newyork.example.com",
	  "example.com;dkim=pass reason=good signature "
	  "header.i=@mail-router.example.net;dkim=fail reason=bad signature "
	  "header.i=@newyork.example.com" },
	/* B.7: two properties */
	{ "rfc-b7", "mail-router.example.net;\n          dkim=pass (good "
	  "signature) header.d=newyork.example.com\n                "
	  "header.b=oINEO8hg;\n          dkim=fail (bad signature) "
	  "header.d=mail-router.example.net\n                header.b=EToRSuvU",
	  "mail-router.example.net;dkim=pass header.d=newyork.example.com "
	  "header.b=oINEO8hg;dkim=fail header.d=mail-router.example.net "
	  "header.b=EToRSuvU" },
	/* Section 2.2: comments wherever CFWS may stand */
	{ "rfc-2.2-comments", "foo.example.net (foobar) 1 (baz);\n"
	  "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\n"
	  "      policy (A dot can go here) . (like that) expired\n"
	  "      (this surprised me) = (as I wasn't expecting it) 1362471462",
	  "foo.example.net;dkim=fail policy.expired=1362471462" },
	/* What mail servers write */
	{ "microsoft-action", "spf=pass (sender IP is 192.0.2.1) "
	  "smtp.mailfrom=example.com; dkim=pass (signature was verified) "
	  "header.d=example.com;dmarc=pass action=none "
	  "header.from=example.com;compauth=pass reason=100", NULL },
	{ "microsoft-with-id", "mx.example.com; spf=pass (sender IP is "
	  "192.0.2.1) smtp.mailfrom=example.com; dmarc=pass action=none "
	  "header.from=example.com;compauth=pass reason=100",
	  "mx.example.com;spf=pass smtp.mailfrom=example.com;dmarc=pass "
	  "action=none header.from=example.com;compauth=pass reason=100" },
	{ "gmail", "mx.google.com;\r\n       dkim=pass header.i=@example.com "
	  "header.s=20230601 header.b=\"Ab+/9x=\";\r\n       spf=pass "
	  "(google.com: domain of a@example.com designates 192.0.2.1 as "
	  "permitted sender) smtp.mailfrom=a@example.com;\r\n       "
	  "dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com",
	  "mx.google.com;dkim=pass header.i=@example.com header.s=20230601 "
	  "header.b=Ab+/9x=;spf=pass smtp.mailfrom=a@example.com;dmarc=pass "
	  "header.from=example.com" },
	{ "quoted-authserv-id", "\"mx.example.com\"; spf=pass "
	  "smtp.mailfrom=example.com",
	  "mx.example.com;spf=pass smtp.mailfrom=example.com" },
	{ "case-folded", "MX.Example.COM; DKIM=Pass Header.D=Example.COM",
	  "MX.Example.COM;dkim=pass header.d=Example.COM" },
	{ "quoted-whole-pvalue", "x; spf=pass smtp.mailfrom=\"a@b.example\"",
	  "x;spf=pass smtp.mailfrom=a@b.example" },
	/* The three forgeries of issue 7 parse, but not as they look. */
	{ "comment-not-property", "x; dkim=pass (header.d=desk.example) "
	  "header.d=evil.example", "x;dkim=pass header.d=evil.example" },
	{ "quoted-local-part", "x; spf=pass smtp.mailfrom=\"a@desk.example x\""
	  "@evil.example",
	  "x;spf=pass smtp.mailfrom=\"a@desk.example x\"@evil.example" },
	/* Refused: a header that cannot be read proves nothing. */
	{ "empty", "", NULL },
	{ "id-only", "example.com", NULL },
	{ "unterminated-comment", "x; dkim=pass (header.d=a.example", NULL },
	{ "unterminated-quote", "x; spf=pass smtp.mailfrom=\"a@b", NULL },
	{ "no-result", "x; dkim= header.d=a.example", NULL },
	{ "no-value", "x; dkim=pass header.d=", NULL },
	{ "trailing-garbage", "x; dkim=pass header.d=a.example =", NULL },
	{ "none-then-more", "x; none; dkim=pass header.d=a.example", NULL },
	{ "deep-comment", "x; dkim=pass ((((((((((((((((((((((((((((((((((("
	  ")))))))))))))))))))))))))))))))))) header.d=a.example", NULL },
};

static void
dump_result(GString *out, const struct md_authres_result *r)
{
	g_string_append_printf(out, ";%s=%s", r->method, r->result);
	if (r->reason != NULL)
		g_string_append_printf(out, " reason=%s", r->reason);
	for (guint i = 0; i < r->props->len; i++) {
		const struct md_authres_prop *p = g_ptr_array_index(r->props,
								    i);

		g_string_append_printf(out, " %s%s%s=%s", p->ptype,
				       *p->ptype ? "." : "", p->property,
				       p->value);
	}
}

static void
test_parse(gconstpointer data)
{
	const struct parse_case *c = data;
	struct md_authres *ar = md_authres_parse(c->value);
	GString *out;

	if (c->expected == NULL) {
		g_assert_null(ar);
		return;
	}
	g_assert_nonnull(ar);
	out = g_string_new(ar->authserv_id);
	for (guint i = 0; i < ar->results->len; i++)
		dump_result(out, g_ptr_array_index(ar->results, i));
	g_assert_cmpstr(out->str, ==, c->expected);
	g_string_free(out, TRUE);
	md_authres_free(ar);
}

struct domain_case {
	const char *name;
	const char *value;
	const char *expected;
};

static const struct domain_case domain_cases[] = {
	{ "domain", "desk.example", "desk.example" },
	{ "address", "alice@desk.example", "desk.example" },
	{ "at-domain", "@desk.example", "desk.example" },
	{ "quoted-local", "\"a@desk.example x\"@evil.example", "evil.example" },
	{ "quoted-escape", "\"a\\\"@desk.example\"@evil.example",
	  "evil.example" },
	{ "unclosed-quote", "\"a@desk.example", "" },
	{ "space", "desk.example x", "" },
	{ "two-at", "a@evil.example@desk.example", "" },
};

static void
test_domain(gconstpointer data)
{
	const struct domain_case *c = data;

	g_assert_cmpstr(md_authres_domain(c->value), ==, c->expected);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
		char *path = g_strconcat("/authres/parse/",
					 parse_cases[i].name, NULL);

		g_test_add_data_func(path, &parse_cases[i], test_parse);
		g_free(path);
	}
	for (guint i = 0; i < G_N_ELEMENTS(domain_cases); i++) {
		char *path = g_strconcat("/authres/domain/",
					 domain_cases[i].name, NULL);

		g_test_add_data_func(path, &domain_cases[i], test_domain);
		g_free(path);
	}
	return g_test_run();
}
