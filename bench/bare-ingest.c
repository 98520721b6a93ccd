/* bare-ingest.c: the ceiling for `maildesk ingest`.
 *
 * Reads every file of MAILDIR/new (then MAILDIR/cur), parses it with gmime,
 * decodes the subject and From, and inserts the raw message with subject,
 * from and Message-ID into a fresh SQLite database (WAL, synchronous=FULL),
 * 500 messages per transaction.  No threading, no tickets, no outbox: the
 * least work any ingest that parses and stores durably has to do.
 * Environment: BARE_BATCH=N messages per transaction (1: the floor of a
 * pipe delivery, one durable commit per mail), BARE_PAGE_SIZE=N (the
 * SQLite default, 4096, unless set).
 *
 *   cc -O2 bench/bare-ingest.c $(pkg-config --cflags --libs gmime-3.0 sqlite3) \
 *      -o bare-ingest
 *   bare-ingest MAILDIR DBFILE
 *
 * Prints one line:
 *   bare-ingest: N messages, B bytes, S s, R msg/s, M MiB peak RSS
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long BATCH = 500;

static void die_db(sqlite3 *db, const char *what)
{
	fprintf(stderr, "bare-ingest: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bare-ingest: %s: %s\n", sql, err);
		exit(1);
	}
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the sorted file names of DIR to *NAMES (full paths). */
static void list_dir(const char *dir, GPtrArray *names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	guint first = names->len;

	if (d == NULL) {
		if (errno == ENOENT)
			return;
		fprintf(stderr, "bare-ingest: %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		g_ptr_array_add(names, g_build_filename(dir, e->d_name, NULL));
	}
	closedir(d);
	qsort(names->pdata + first, names->len - first, sizeof(char *), cmp);
}

static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *buf;
	size_t off = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "bare-ingest: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf = g_malloc(st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "bare-ingest: %s: short read\n", path);
			exit(1);
		}
		off += n;
	}
	close(fd);
	*len = off;
	return buf;
}

int main(int argc, char **argv)
{
	GPtrArray *names;
	sqlite3 *db;
	sqlite3_stmt *ins;
	struct timespec t0, t1;
	struct rusage ru;
	guint64 bytes = 0;
	guint i, failed = 0;
	double secs;
	char *p;

	if (argc != 3) {
		fprintf(stderr, "usage: bare-ingest MAILDIR DBFILE\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	g_mime_init();
	if (getenv("BARE_BATCH") != NULL && atol(getenv("BARE_BATCH")) > 0)
		BATCH = atol(getenv("BARE_BATCH"));

	names = g_ptr_array_new_with_free_func(g_free);
	p = g_build_filename(argv[1], "new", NULL);
	list_dir(p, names);
	g_free(p);
	p = g_build_filename(argv[1], "cur", NULL);
	list_dir(p, names);
	g_free(p);

	/* A fresh database. */
	unlink(argv[2]);
	p = g_strconcat(argv[2], "-wal", NULL);
	unlink(p);
	g_free(p);
	p = g_strconcat(argv[2], "-shm", NULL);
	unlink(p);
	g_free(p);
	if (sqlite3_open(argv[2], &db) != SQLITE_OK)
		die_db(db, argv[2]);
	if (getenv("BARE_PAGE_SIZE") != NULL) {
		char *ps = g_strdup_printf("PRAGMA page_size=%ld",
					   atol(getenv("BARE_PAGE_SIZE")));
		exec(db, ps);
		g_free(ps);
	}
	exec(db, "PRAGMA journal_mode=WAL");
	exec(db, "PRAGMA synchronous=FULL");
	exec(db, "CREATE TABLE message (id INTEGER PRIMARY KEY, "
		 "message_id TEXT, sender TEXT, subject TEXT, raw BLOB NOT NULL)");
	exec(db, "CREATE INDEX message_mid ON message(message_id)");
	if (sqlite3_prepare_v2(db, "INSERT INTO message (message_id, sender, "
			       "subject, raw) VALUES (?, ?, ?, ?)", -1, &ins,
			       NULL) != SQLITE_OK)
		die_db(db, "prepare");

	for (i = 0; i < names->len; i++) {
		size_t len;
		char *raw = read_file(names->pdata[i], &len);
		GByteArray *ba = g_byte_array_new_take((guint8 *)raw, len);
		GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(ba);
		GMimeParser *parser;
		GMimeMessage *msg;
		char *from = NULL;

		/* The stream must not free the buffer: it is bound below. */
		g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
		parser = g_mime_parser_new_with_stream(stream);
		msg = g_mime_parser_construct_message(parser, NULL);
		g_object_unref(parser);
		g_object_unref(stream);

		if (i % BATCH == 0)
			exec(db, "BEGIN");
		if (msg != NULL) {
			InternetAddressList *l = g_mime_message_get_from(msg);
			if (l != NULL)
				from = internet_address_list_to_string(l, NULL, FALSE);
			sqlite3_bind_text(ins, 1, g_mime_message_get_message_id(msg),
					  -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, from, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, g_mime_message_get_subject(msg),
					  -1, SQLITE_STATIC);
		} else {
			failed++;
			sqlite3_bind_null(ins, 1);
			sqlite3_bind_null(ins, 2);
			sqlite3_bind_null(ins, 3);
		}
		sqlite3_bind_blob(ins, 4, raw, (int)len, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die_db(db, "insert");
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		if (i % BATCH == BATCH - 1 || i == names->len - 1)
			exec(db, "COMMIT");

		g_free(from);
		if (msg != NULL)
			g_object_unref(msg);
		g_byte_array_free(ba, TRUE);
		bytes += len;
	}
	sqlite3_finalize(ins);
	if (sqlite3_close(db) != SQLITE_OK)
		die_db(db, "close");
	g_mime_shutdown();

	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	printf("bare-ingest: %u messages, %" G_GUINT64_FORMAT " bytes, %.3f s, "
	       "%.0f msg/s, %.1f MiB peak RSS%s\n", names->len, bytes, secs,
	       secs > 0 ? names->len / secs : 0.0, ru.ru_maxrss / 1024.0,
	       failed ? " (some unparsable)" : "");
	if (failed)
		fprintf(stderr, "bare-ingest: %u messages could not be parsed\n",
			failed);
	g_ptr_array_free(names, TRUE);
	return 0;
}
