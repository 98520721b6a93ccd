/* spool-names.h: where maildesk deliver spools while maildeskd runs
 * (spool.h), in the state directory; shared by the daemon (spool.c) and
 * the front that writes the spool (front.c). */
#ifndef MD_SPOOL_NAMES_H
#define MD_SPOOL_NAMES_H

/* The maildir the front writes into and the daemon reads. */
#define MD_SPOOL_DIR "spool"
/* The daemon holds a read lock on it while it runs. */
#define MD_SPOOL_LOCK "maildeskd.lock"

#endif
