/* spool.h: maildesk deliver's short path while maildeskd runs, the
 * daemon's side.
 *
 * Alone, each deliver opens the database and commits its mail in a
 * transaction of its own: some 25 b-tree pages of 16 KB and two fsyncs
 * a mail.  While the daemon runs on the same state directory, deliver
 * (the maildesk front, front.c, which writes it) instead drops the mail
 * into the maildir STATE_DIR/spool (tmp/, fsync, rename into new/, fsync
 * of new/: the MTA may forget it once we exit 0)
 * and the daemon, which watches it like any maildir source, stores it in
 * batches and deletes the file once committed.  Whether the daemon runs
 * is a lock it holds on STATE_DIR/maildeskd.lock, tested by deliver
 * without taking it: two delivers never mistake each other for it.
 *
 * A mail spooled just as the daemon stops waits in spool/new/ until it
 * starts again (its start-up drain takes it), never lost.
 */
#ifndef MD_SPOOL_H
#define MD_SPOOL_H

#include <glib.h>
#include <stdbool.h>

struct md_conf;
struct md_inbound_conf;

/* The daemon: creates the spool maildir and takes a shared lock on
 * STATE_DIR/maildeskd.lock, held until md_spool_release (several daemons
 * on one state directory may hold it).  *FD_R is the lock's fd.
 * Errors: MD_ERROR_IO. */
bool md_spool_hold(const struct md_conf *conf, int *fd_r, GError **error);
/* Accepts -1. */
void md_spool_release(int fd);
/* The inbound source the daemon reads the spool with (a maildir whose
 * files are deleted once stored); free with md_spool_source_free. */
struct md_inbound_conf *md_spool_source_new(const struct md_conf *conf);
void md_spool_source_free(struct md_inbound_conf *in);

#endif
