/* fuzz-msg.c: libFuzzer target for the message parser (md_msg_parse)
 * and what the pipeline reads of its result. */
#include "config.h"

#include <stdint.h>

#include <gmime/gmime.h>

#include "classify.h"
#include "compose.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct md_msg *msg = NULL;
	char *copy;

	if (!ready) {
		g_mime_init();
		ready = true;
	}
	/* md_msg_parse reads the bytes in place and never past LEN. */
	copy = g_memdup2(data, size);
	if (md_msg_parse(copy, size, &msg, NULL)) {
		char *cut = md_compose_cut(msg->subject, 200);

		md_classify_authenticated(msg->auth_results, "mx.desk.example",
					  msg->from);
		g_free(cut);
	}
	md_msg_free(msg);
	g_free(copy);
	return 0;
}
