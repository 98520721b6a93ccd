/* source-imap.c: placeholder until the libetpan source lands. */
#include "config.h"

#include "error.h"
#include "source.h"

bool
md_source_imap_open(const struct md_inbound_conf *conf,
		    struct md_source **src_r, GError **error)
{
	(void)conf;
	(void)src_r;
	g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
		    "IMAP sources are not built yet");
	return false;
}
