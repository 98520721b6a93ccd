/* source.h: where inbound mail comes from.
 *
 * Every source hands the pipeline the same thing (spec section 3): the raw
 * bytes of one message and a way to acknowledge it once it is safely
 * stored.  source-maildir.c watches new/ of a maildir; source-imap.c reads
 * an IMAP mailbox with libetpan.  (maildesk deliver and ingest feed the
 * pipeline directly.)  The daemon waits for new mail with wait_begin (an
 * fd to watch, e.g. IMAP IDLE, and/or a timeout) and wait_end.
 *
 * Failures are classed by what the daemon does next (isync's FAIL_TEMP /
 * FAIL_FINAL): MD_ERROR_TEMP, retry with backoff (network, server busy or
 * gone, a lost session: the mail stays where it is and comes again);
 * MD_ERROR_CONFIG, waiting will not fix it (a refused login, a refused
 * certificate, a missing mailbox, a server without STARTTLS): the daemon
 * parks the source until SIGHUP and stats says "needs attention";
 * MD_ERROR_IO, a maildir that cannot be read (retried with backoff).  The
 * message starts with the source's name and quotes the server's words,
 * never a password.  Each function below lists the codes it returns.
 */
#ifndef MD_SOURCE_H
#define MD_SOURCE_H

#include <glib.h>
#include <stdbool.h>

struct md_inbound_conf;
struct md_clock;
struct md_source;

struct md_source_item {
	char *key;		/* maildir file name, or the UID as text */
	guint32 uid;		/* IMAP UID, 0 for other sources */
	GBytes *raw;		/* the message, or its head (see size) */
	gint64 size;		/* the whole message's size: more than raw's
				 * when the source kept only its head */
};

/* Mail up to this many times limits.max_message_size is read whole (and
 * quarantined, being over the limit); beyond, only that much of its head
 * is read, so that one huge file costs bounded memory. */
#define MD_SOURCE_KEEP_FACTOR 4

struct md_source_ops {
	const char *name;
	/* Appends up to MAX waiting messages to BATCH (of struct
	 * md_source_item *, freed with md_source_item_free); appending none
	 * means nothing waits.  Connects (or reconnects) as needed. */
	bool (*fetch)(struct md_source *src, guint max, GPtrArray *batch,
		      GError **error);
	/* Acknowledges ITEMS, all stored and committed: moves, flags or
	 * deletes them as configured. */
	bool (*ack)(struct md_source *src, GPtrArray *items, GError **error);
	/* Starts waiting for new mail: *FD_R is an fd that becomes readable
	 * when something happened (or -1), *TIMEOUT_R the seconds after which
	 * to look anyway. */
	bool (*wait_begin)(struct md_source *src, int *fd_r,
			   guint *timeout_r, GError **error);
	/* Ends the wait (IMAP: DONE and read what arrived). */
	bool (*wait_end)(struct md_source *src, GError **error);
	void (*free)(struct md_source *src);
};

/* Implementations embed this first. */
struct md_source {
	const struct md_source_ops *ops;
	const struct md_inbound_conf *conf;	/* borrowed */
	gint64 max_read;	/* bytes read of one message at most; 0: all.
				 * Set by md_pipeline_drain. */
};

/* Opens the source CONF describes; CONF must outlive it.  Does not
 * connect: the first fetch does.  Errors: MD_ERROR_CONFIG (a malformed
 * URL, credentials in it, no user or password_file), MD_ERROR_USAGE (a
 * maildir path that is not a maildir, for ingest), MD_ERROR_IO. */
bool md_source_open(const struct md_inbound_conf *conf,
		    struct md_source **src_r, GError **error);
/* Errors: IMAP: MD_ERROR_TEMP (connect, TLS handshake, lost session,
 * [UNAVAILABLE] and other busy answers), MD_ERROR_CONFIG (LOGIN or
 * AUTHENTICATE refused, certificate not verified, no STARTTLS, SELECT
 * refused: no such mailbox); maildir: MD_ERROR_IO. */
bool md_source_fetch(struct md_source *src, guint max, GPtrArray *batch,
		     GError **error);
/* Errors: IMAP: MD_ERROR_TEMP (any failure: the items are offered again
 * and recognised as duplicates); maildir: MD_ERROR_IO. */
bool md_source_ack(struct md_source *src, GPtrArray *items, GError **error);
/* Errors: IMAP: MD_ERROR_TEMP (IDLE or NOOP failed); maildir:
 * MD_ERROR_IO (inotify). */
bool md_source_wait_begin(struct md_source *src, int *fd_r, guint *timeout_r,
			  GError **error);
/* Errors: IMAP: MD_ERROR_TEMP; maildir: none. */
bool md_source_wait_end(struct md_source *src, GError **error);
/* Accepts NULL. */
void md_source_free(struct md_source *src);

/* KEY is copied, RAW is taken; size is RAW's. */
struct md_source_item *md_source_item_new(const char *key, guint32 uid,
					  GBytes *raw_take);
void md_source_item_free(gpointer item);

bool md_source_maildir_open(const struct md_inbound_conf *conf,
			    struct md_source **src_r, GError **error);
/* A read-only source over PATH for maildesk ingest: a maildir (new/ and
 * cur/) or a directory of message files, in file-name order; ack does
 * nothing, so the files are left as they are. */
bool md_source_dir_open(const char *path, struct md_source **src_r,
			GError **error);
bool md_source_imap_open(const struct md_inbound_conf *conf,
			 struct md_source **src_r, GError **error);

#endif
