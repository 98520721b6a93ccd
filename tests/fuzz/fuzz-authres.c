/* fuzz-authres.c: libFuzzer target for the Authentication-Results
 * tokenizer (RFC 8601). */
#include "config.h"

#include <stdint.h>

#include <glib.h>

#include "authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	struct md_authres *ar = md_authres_parse(text);

	for (guint i = 0; ar != NULL && i < ar->results->len; i++) {
		const struct md_authres_result *r =
			g_ptr_array_index(ar->results, i);

		for (guint j = 0; j < r->props->len; j++) {
			const struct md_authres_prop *p =
				g_ptr_array_index(r->props, j);

			(void)md_authres_domain(p->value);
		}
	}
	md_authres_free(ar);
	g_free(text);
	return 0;
}
