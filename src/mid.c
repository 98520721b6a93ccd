/* mid.c: signed Message-IDs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mid.h"

/* 80 bits of MAC: forging one takes 2^80 guesses, and the id stays short
 * enough for clients that truncate long References headers. */
#define MAC_HEX 20

static char *
mac(GBytes *secret, const char *payload)
{
	gsize len;
	const guchar *key = g_bytes_get_data(secret, &len);
	char *hex = g_compute_hmac_for_string(G_CHECKSUM_SHA256, key, len,
					      payload, -1);

	hex[MAC_HEX] = '\0';
	return hex;
}

char *
md_mid_new(GBytes *secret, const char *domain, gint64 ticket,
	   gint64 nonce_seed)
{
	static guint counter;
	char *payload, *sig, *mid;

	/* The counter keeps ids unique within one run with a fixed --now. */
	payload = g_strdup_printf("%" G_GINT64_FORMAT ".%" G_GINT64_MODIFIER
				  "x%04x%04x", ticket, nonce_seed,
				  ++counter & 0xffff,
				  g_random_int() & 0xffff);
	sig = mac(secret, payload);
	mid = g_strdup_printf("md.%s.%s@%s", payload, sig, domain);
	g_free(payload);
	g_free(sig);
	return mid;
}

bool
md_mid_verify(GBytes *secret, const char *mid, gint64 *ticket_r)
{
	const char *at, *dot1, *dot2;
	char *payload = NULL, *sig = NULL;
	bool ok = false;

	if (mid == NULL || strncmp(mid, "md.", 3) != 0)
		return false;
	at = strchr(mid, '@');
	dot1 = strchr(mid + 3, '.');
	if (at == NULL || dot1 == NULL || dot1 > at)
		return false;
	dot2 = memchr(dot1 + 1, '.', at - dot1 - 1);
	if (dot2 == NULL || at - dot2 - 1 != MAC_HEX)
		return false;
	payload = g_strndup(mid + 3, dot2 - mid - 3);
	sig = mac(secret, payload);
	/* Not secret-dependent timing worth guarding: the attacker learns
	 * nothing from a failed comparison of a MAC it cannot compute. */
	if (g_ascii_strncasecmp(sig, dot2 + 1, MAC_HEX) == 0) {
		*ticket_r = g_ascii_strtoll(mid + 3, NULL, 10);
		ok = *ticket_r > 0;
	}
	g_free(payload);
	g_free(sig);
	return ok;
}
