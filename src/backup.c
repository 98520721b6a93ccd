/* backup.c: sqlite3_backup of the live database into a file that appears
 * whole or not at all. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "db.h"
#include "durable.h"
#include "error.h"

/* fsync PATH (a file or a directory). */
static bool
sync_path(const char *path, GError **error)
{
	if (!md_sync_path(path)) {
		g_set_error(error, MD_ERROR, MD_ERROR_IO, "%s: cannot sync: %s",
			    path, g_strerror(errno));
		return false;
	}
	return true;
}

/* A one-text-row PRAGMA on DST equals EXPECT. */
static bool
pragma_is(sqlite3 *dst, const char *sql, const char *expect)
{
	sqlite3_stmt *stmt = NULL;
	bool ok = sqlite3_prepare_v2(dst, sql, -1, &stmt, NULL) == SQLITE_OK &&
		  sqlite3_step(stmt) == SQLITE_ROW &&
		  g_strcmp0((const char *)sqlite3_column_text(stmt, 0),
			    expect) == 0;

	sqlite3_finalize(stmt);
	return ok;
}

/* Copies SRC into the new file TMP. */
static bool
copy(sqlite3 *src, const char *tmp, int *pages_r, GError **error)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;
	bool ok = false;

	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL)
		goto fail;
	/* All pages in one step: one read transaction, one snapshot. */
	rc = sqlite3_backup_step(b, -1);
	*pages_r = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		goto fail;
	/* The copy says WAL as its source does; a backup is one file. */
	if (!pragma_is(dst, "PRAGMA journal_mode = DELETE", "delete") ||
	    !pragma_is(dst, "PRAGMA quick_check", "ok")) {
		g_set_error(error, MD_ERROR, MD_ERROR_INTERNAL,
			    "%s: the copy does not pass quick_check", tmp);
		goto out;
	}
	ok = true;
	goto out;
fail:
	g_set_error(error, MD_ERROR,
		    rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? MD_ERROR_TEMP
							      : MD_ERROR_IO,
		    "%s: %s", tmp, dst != NULL ? sqlite3_errmsg(dst)
					       : sqlite3_errstr(rc));
out:
	sqlite3_close(dst);
	return ok;
}

bool
md_backup_copy(struct md_db *db, const char *file, int *pages_r,
	       GError **error)
{
	char *tmp = g_strconcat(file, ".tmp", NULL);
	char *dir = g_path_get_dirname(file);
	bool ok = false;
	int fd;

	*pages_r = 0;
	/* Created here with 0600: the copy holds every mail of the desk. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_IO, "%s: cannot create: "
			    "%s", tmp, g_strerror(errno));
		goto out;
	}
	close(fd);
	if (!copy(md_db_handle(db), tmp, pages_r, error) ||
	    !sync_path(tmp, error))
		goto out;
	if (rename(tmp, file) < 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_IO, "%s: cannot rename "
			    "to %s: %s", tmp, file, g_strerror(errno));
		goto out;
	}
	ok = sync_path(dir, error);
out:
	if (!ok)
		unlink(tmp);
	g_free(dir);
	g_free(tmp);
	return ok;
}
