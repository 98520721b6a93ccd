/* test-mid.c: the desk's signed Message-IDs.
 *
 * "md.<ticket>.<nonce>.<mac>@<domain>": a round trip verifies and gives
 * the ticket back; any change to the ticket, nonce or MAC, another secret
 * or another shape does not verify.
 */
#include "config.h"

#include <string.h>

#include "mid.h"

#define DOMAIN "desk.example"

static GBytes *secret;
static GBytes *other_secret;

/* ---- round trips ---- */

struct trip_case {
	const char *name;
	gint64 ticket;
	gint64 seed;
};

static const struct trip_case trip_cases[] = {
	{ "ticket-1", 1, 0 },
	{ "ticket-42", 42, G_GINT64_CONSTANT(1794474900000000) },
	{ "ticket-large", G_GINT64_CONSTANT(1099511627776), 1 },
	{ "ticket-max-18-digits", G_GINT64_CONSTANT(999999999999999999), 7 },
	{ "negative-seed", 5, -1 },
};

static void
test_trip(gconstpointer data)
{
	const struct trip_case *c = data;
	char *mid = md_mid_new(secret, DOMAIN, c->ticket, c->seed);
	char *prefix = g_strdup_printf("md.%" G_GINT64_FORMAT ".", c->ticket);
	const char *at, *mac;
	gint64 ticket = 0;

	g_assert_true(g_str_has_prefix(mid, prefix));
	g_assert_true(g_str_has_suffix(mid, "@" DOMAIN));
	g_assert_null(strchr(mid, '<'));
	g_assert_null(strchr(mid, ' '));
	/* the MAC: the last dot-atom before '@', lowercase hex */
	at = strchr(mid, '@');
	mac = g_strrstr_len(mid, at - mid, ".") + 1;
	g_assert_cmpint(at - mac, ==, 20);
	for (const char *p = mac; p < at; p++)
		g_assert_true(g_ascii_isxdigit(*p) && !g_ascii_isupper(*p));
	g_assert_true(md_mid_verify(secret, mid, &ticket));
	g_assert_cmpint(ticket, ==, c->ticket);
	g_free(prefix);
	g_free(mid);
}

/* ---- altered ids ---- */

enum alter {
	FLIP_MAC_LAST,		/* last hex digit of the MAC changed */
	FLIP_MAC_FIRST,
	OTHER_TICKET,		/* ticket 42 -> 43, MAC kept */
	FLIP_NONCE,
	OTHER_SECRET,		/* verified with another secret */
	UPPER_MAC,		/* MAC in uppercase hex: still ours */
	SHORT_MAC,		/* one hex digit dropped */
	LONG_MAC,		/* one hex digit added */
	BRACKETS,		/* "<md...>": ids are stored without them */
	EXTRA_DOT,		/* a dot inserted in the nonce */
	NO_AT,
	LEADING_ZERO,		/* ticket "042": another payload */
};

struct alter_case {
	const char *name;
	enum alter alter;
	bool ok;
};

static const struct alter_case alter_cases[] = {
	{ "tampered-mac-last", FLIP_MAC_LAST, false },
	{ "tampered-mac-first", FLIP_MAC_FIRST, false },
	{ "tampered-ticket", OTHER_TICKET, false },
	{ "tampered-nonce", FLIP_NONCE, false },
	{ "other-secret", OTHER_SECRET, false },
	{ "uppercase-hex", UPPER_MAC, true },
	{ "short-mac", SHORT_MAC, false },
	{ "long-mac", LONG_MAC, false },
	{ "angle-brackets", BRACKETS, false },
	{ "extra-dot", EXTRA_DOT, false },
	{ "no-at", NO_AT, false },
	{ "leading-zero-ticket", LEADING_ZERO, false },
};

static char
flip(char c)
{
	return c == '0' ? '1' : '0';
}

static void
test_alter(gconstpointer data)
{
	const struct alter_case *c = data;
	char *mid = md_mid_new(secret, DOMAIN, 42, 123456);
	char *at = strchr(mid, '@');
	char *mac = g_strrstr_len(mid, at - mid, ".") + 1;
	char *nonce = mid + strlen("md.42.");
	GString *s = g_string_new(mid);
	GBytes *key = secret;
	gint64 ticket = 0;
	bool ok;

	switch (c->alter) {
	case FLIP_MAC_LAST:
		s->str[at - mid - 1] = flip(at[-1]);
		break;
	case FLIP_MAC_FIRST:
		s->str[mac - mid] = flip(mac[0]);
		break;
	case OTHER_TICKET:
		s->str[4] = '3';
		break;
	case FLIP_NONCE:
		s->str[nonce - mid] = flip(nonce[0]);
		break;
	case OTHER_SECRET:
		key = other_secret;
		break;
	case UPPER_MAC:
		for (gsize i = mac - mid; i < (gsize)(at - mid); i++)
			s->str[i] = g_ascii_toupper(s->str[i]);
		break;
	case SHORT_MAC:
		g_string_erase(s, at - mid - 1, 1);
		break;
	case LONG_MAC:
		g_string_insert_c(s, at - mid, 'a');
		break;
	case BRACKETS:
		g_string_prepend_c(s, '<');
		g_string_append_c(s, '>');
		break;
	case EXTRA_DOT:
		g_string_insert_c(s, nonce - mid + 1, '.');
		break;
	case NO_AT:
		g_string_truncate(s, at - mid);
		break;
	case LEADING_ZERO:
		g_string_insert_c(s, 3, '0');
		break;
	}
	ok = md_mid_verify(key, s->str, &ticket);
	if (ok != c->ok)
		g_test_message("id %s", s->str);
	g_assert_cmpint(ok, ==, c->ok);
	if (ok)
		g_assert_cmpint(ticket, ==, 42);
	g_string_free(s, TRUE);
	g_free(mid);
}

/* ---- ids that are not ours at all ---- */

struct foreign_case {
	const char *name;
	const char *mid;
};

static const struct foreign_case foreign_cases[] = {
	{ "null", NULL },
	{ "empty", "" },
	{ "gmail", "CAJ+abc123=xyz@mail.gmail.com" },
	{ "outlook", "PR3P195MB0000000000000000000000000000000@"
	  "PR3P195MB0000.EURP195.PROD.OUTLOOK.COM" },
	{ "md-only", "md.@desk.example" },
	{ "md-ticket-only", "md.42@desk.example" },
	{ "md-no-mac", "md.42.abcdef@desk.example" },
	{ "md-zero-ticket", "md.0.abcdef.0123456789abcdef0123@desk.example" },
	{ "md-forged", "md.42.17c3a1b2c3d4e5f60001abcd."
	  "0123456789abcdef0123@desk.example" },
	{ "md-non-numeric", "md.abc.def.0123456789abcdef0123@desk.example" },
	{ "uppercase-prefix", "MD.42.abc.0123456789abcdef0123@desk.example" },
};

static void
test_foreign(gconstpointer data)
{
	const struct foreign_case *c = data;
	gint64 ticket = 0;

	g_assert_false(md_mid_verify(secret, c->mid, &ticket));
}

/* ---- uniqueness ---- */

static void
test_unique_same_seed(void)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
						 g_free, NULL);

	/* a fixed --now gives the same seed to a whole run */
	for (int i = 0; i < 1000; i++) {
		char *mid = md_mid_new(secret, DOMAIN, 42, 1794474900);

		g_assert_false(g_hash_table_contains(seen, mid));
		g_hash_table_add(seen, mid);
	}
	g_hash_table_unref(seen);
}

static void
test_ticket_in_signature(void)
{
	/* the same nonce for two tickets must give two MACs */
	char *a = md_mid_new(secret, DOMAIN, 1, 5);
	char *b = md_mid_new(secret, DOMAIN, 2, 5);
	gint64 ta = 0, tb = 0;

	g_assert_cmpstr(a, !=, b);
	g_assert_true(md_mid_verify(secret, a, &ta));
	g_assert_true(md_mid_verify(secret, b, &tb));
	g_assert_cmpint(ta, ==, 1);
	g_assert_cmpint(tb, ==, 2);
	g_free(a);
	g_free(b);
}

#define ADD_TABLE(prefix, table, fn) \
	for (guint i_ = 0; i_ < G_N_ELEMENTS(table); i_++) { \
		char *p_ = g_strconcat(prefix, table[i_].name, NULL); \
		g_test_add_data_func(p_, &table[i_], fn); \
		g_free(p_); \
	}

int
main(int argc, char **argv)
{
	int ret;

	g_test_init(&argc, &argv, NULL);
	if (g_getenv("MD_TEST_NONFATAL") != NULL)	/* list every failure */
		g_test_set_nonfatal_assertions();
	secret = g_bytes_new_static("0123456789abcdef0123456789abcdef", 32);
	other_secret = g_bytes_new_static("another installation's secret!!",
					  31);
	ADD_TABLE("/mid/round-trip/", trip_cases, test_trip);
	ADD_TABLE("/mid/altered/", alter_cases, test_alter);
	ADD_TABLE("/mid/not-ours/", foreign_cases, test_foreign);
	g_test_add_func("/mid/unique/same-seed", test_unique_same_seed);
	g_test_add_func("/mid/unique/ticket-signed", test_ticket_in_signature);
	ret = g_test_run();
	g_bytes_unref(secret);
	g_bytes_unref(other_secret);
	return ret;
}
