/* durable.h: files that survive a crash.  A mail is durable once its
 * bytes are all written and synced, and the directory entry that names
 * it is synced too (the maildir outbox, deliver's spool, backups).
 * Both return false with errno set. */
#ifndef MD_DURABLE_H
#define MD_DURABLE_H

#include <glib.h>
#include <stdbool.h>

/* write(2) until LEN bytes of DATA are written (short writes, EINTR). */
bool md_write_all(int fd, const void *data, gsize len);
/* fsync of PATH, a file or a directory (after a rename into it). */
bool md_sync_path(const char *path);

#endif
