/* source-open.c: a source from its configuration, of any type.
 *
 * Apart from source.c so that a program that never opens an IMAP source
 * (the maildesk command line) does not pull source-imap.o, nor libetpan
 * with it, out of the library: deliver starts faster. */
#include "config.h"

#include "conf.h"
#include "error.h"
#include "source.h"

bool
md_source_open(const struct md_inbound_conf *conf, struct md_source **src_r,
	       GError **error)
{
	switch (conf->type) {
	case MD_INBOUND_MAILDIR:
		return md_source_maildir_open(conf, src_r, error);
	case MD_INBOUND_IMAP:
		return md_source_imap_open(conf, src_r, error);
	}
	g_set_error(error, MD_ERROR, MD_ERROR_INTERNAL,
		    "%s: unknown source type", conf->name);
	return false;
}
