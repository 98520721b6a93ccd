/* backup.h: a consistent copy of the live database (SQLite's online
 * backup API), taken while maildeskd and maildesk deliver write to it.
 */
#ifndef MD_BACKUP_H
#define MD_BACKUP_H

#include <glib.h>
#include <stdbool.h>

struct md_db;

/* Copies DB into FILE: written as FILE.tmp (mode 0600: it holds every
 * mail), checked with PRAGMA quick_check, fsynced and renamed over FILE,
 * so that FILE is always a whole backup.  The copy is one read
 * transaction: writers go on (WAL), and it is the database as of its
 * start.  *PAGES_R gets its size in pages.  MD_ERROR_IO for the file,
 * MD_ERROR_TEMP if the database is busy. */
bool md_backup_copy(struct md_db *db, const char *file, int *pages_r,
		    GError **error);

#endif
