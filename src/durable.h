/* durable.h: files that survive a crash.  A mail is durable once its
 * bytes are all written and synced, and the directory entry that names
 * it is synced too (the maildir outbox, deliver's spool, backups).
 * Both return false with errno set.  Plain C, no GLib: the maildesk
 * front (front.c) links only libc and libconfig. */
#ifndef MD_DURABLE_H
#define MD_DURABLE_H

#include <stdbool.h>
#include <stddef.h>

/* write(2) until LEN bytes of DATA are written (short writes, EINTR). */
bool md_write_all(int fd, const void *data, size_t len);
/* fsync of PATH, a file or a directory (after a rename into it). */
bool md_sync_path(const char *path);

#endif
