/* cmd-attachment.c: maildesk attachment N [K] [-o FILE]: a ticket's
 * attachments, listed (K = 1, 2 ... as show N numbers them) or one of
 * them written out.
 *
 * The numbers come from what each message row lists (the JSON the
 * pipeline stored), the bytes from the stored mail parsed again: the
 * original, whatever happened to the notifications.  The attachment's own
 * name never becomes a path: the file is the one the user names with -o.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "cmd.h"
#include "error.h"
#include "json.h"
#include "msg.h"
#include "outbox.h"
#include "query.h"
#include "store.h"

/* One attachment as a message row lists it. */
struct listed {
	const struct md_message_row *m;	/* borrowed from the rows */
	guint nth;			/* its place in that message */
	char *name, *type;
	gint64 size;
};

static void
listed_free(gpointer p)
{
	struct listed *l = p;

	g_free(l->name);
	g_free(l->type);
	g_free(l);
}

static char *
member_string(JsonObject *o, const char *key)
{
	JsonNode *n = json_object_get_member(o, key);

	if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return g_strdup("");
	return g_strdup(json_node_get_string(n));
}

void
md_cmd_attachments_parse(const char *json, GPtrArray *out)
{
	JsonParser *parser = json_parser_new();
	JsonNode *root;
	JsonArray *a;

	if (json == NULL || !json_parser_load_from_data(parser, json, -1, NULL)
	    || (root = json_parser_get_root(parser)) == NULL ||
	    JSON_NODE_TYPE(root) != JSON_NODE_ARRAY)
		goto out;
	a = json_node_get_array(root);
	/* Every element counts, as SQLite's json_array_length counts them
	 * for the notifications' numbers. */
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonNode *n = json_array_get_element(a, i);
		struct md_cmd_attachment *att = g_new0(struct md_cmd_attachment,
						       1);

		if (JSON_NODE_TYPE(n) == JSON_NODE_OBJECT) {
			JsonObject *o = json_node_get_object(n);

			att->name = member_string(o, "name");
			att->type = member_string(o, "type");
			JsonNode *size = json_object_get_member(o, "size");

			if (size != NULL && JSON_NODE_TYPE(size) ==
			    JSON_NODE_VALUE && json_node_get_value_type(size)
			    == G_TYPE_INT64)
				att->size = json_node_get_int(size);
		} else {
			att->name = g_strdup("");
			att->type = g_strdup("");
		}
		g_ptr_array_add(out, att);
	}
out:
	g_object_unref(parser);
}

void
md_cmd_attachment_free(gpointer p)
{
	struct md_cmd_attachment *a = p;

	g_free(a->name);
	g_free(a->type);
	g_free(a);
}

/* Every attachment of the ticket's messages, numbered in order. */
static GPtrArray *
list_all(GPtrArray *msgs)
{
	GPtrArray *all = g_ptr_array_new_with_free_func(listed_free);

	for (guint i = 0; i < msgs->len; i++) {
		const struct md_message_row *m = g_ptr_array_index(msgs, i);
		GPtrArray *atts = g_ptr_array_new_with_free_func(
			md_cmd_attachment_free);

		md_cmd_attachments_parse(m->attachments, atts);
		for (guint j = 0; j < atts->len; j++) {
			struct md_cmd_attachment *a = g_ptr_array_index(atts,
									j);
			struct listed *l = g_new0(struct listed, 1);

			l->m = m;
			l->nth = j;
			l->name = g_steal_pointer(&a->name);
			l->type = g_steal_pointer(&a->type);
			l->size = a->size;
			g_ptr_array_add(all, l);
		}
		g_ptr_array_unref(atts);
	}
	return all;
}

static void
print_list(gint64 id, GPtrArray *all)
{
	if (all->len == 0) {
		fprintf(stderr, "maildesk attachment: ticket %" G_GINT64_FORMAT
			" has no attachments\n", id);
		return;
	}
	for (guint i = 0; i < all->len; i++) {
		const struct listed *l = g_ptr_array_index(all, i);
		char *size = md_outbox_human_size(l->size, false);

		printf("%u. %s (%s, %s) from %s\n", i + 1,
		       l->name[0] != '\0' ? l->name : "(no name)",
		       l->type[0] != '\0' ? l->type : "?", size,
		       l->m->from != NULL ? l->m->from : "?");
		g_free(size);
	}
}

/* The bytes of L, from its stored mail parsed again (*DATA_R g_bytes_unref). */
static bool
fetch(struct md_ctx *ctx, const struct listed *l, guint k, GBytes **data_r,
      GError **error)
{
	GBytes *raw = NULL;
	struct md_msg *msg = NULL;
	gsize len;
	const char *p;
	bool ok = false;

	*data_r = NULL;
	if (!md_store_raw_get(ctx->db, l->m->raw, &raw, error))
		goto out;
	if (raw == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_NOTFOUND,
			    "attachment %u: its mail is no longer stored", k);
		goto out;
	}
	p = g_bytes_get_data(raw, &len);
	if (!md_msg_parse(p, len, &msg, error))
		goto out;
	/* The row's list and the parse agree unless the parser changed
	 * since the mail came: then the number may name another file. */
	if (l->nth >= msg->attachments->len ||
	    g_strcmp0(((struct md_attachment *)g_ptr_array_index(
		    msg->attachments, l->nth))->name, l->name) != 0) {
		g_set_error(error, MD_ERROR, MD_ERROR_DATA,
			    "attachment %u: the stored mail no longer gives "
			    "\"%s\" in its place", k, l->name);
		goto out;
	}
	*data_r = g_bytes_ref(((struct md_attachment *)g_ptr_array_index(
		msg->attachments, l->nth))->data);
	ok = true;
out:
	md_msg_free(msg);
	if (raw != NULL)
		g_bytes_unref(raw);
	return ok;
}

/* Text a terminal can show: valid UTF-8 without NULs or other control
 * characters than line ends and tabs. */
static bool
printable(GBytes *data)
{
	gsize len;
	const char *p = g_bytes_get_data(data, &len);

	if (len > 0 && !g_utf8_validate_len(p, len, NULL))
		return false;
	for (gsize i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') ||
		    c == 0x7f)
			return false;
	}
	return true;
}

static bool
write_all(int fd, GBytes *data)
{
	gsize len, done = 0;
	const char *p = g_bytes_get_data(data, &len);

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		done += (gsize)n;
	}
	return true;
}

/* Writes DATA to FILE (a new file: an existing one is never
 * overwritten) or, FILE NULL, to standard output. */
static int
output(GBytes *data, const char *file, const struct listed *l)
{
	int fd = STDOUT_FILENO, rc = EX_OK, err;

	if (file == NULL) {
		if (isatty(STDOUT_FILENO) && !printable(data)) {
			fprintf(stderr, "maildesk attachment: \"%s\" (%s) is "
				"binary: not written to a terminal; use -o "
				"FILE or redirect the output\n", l->name,
				l->type);
			return EX_USAGE;
		}
		if (!write_all(fd, data)) {
			perror("maildesk attachment: standard output");
			return EX_IOERR;
		}
		return EX_OK;
	}
	/* 0600: an attachment is personal data; the user widens it. */
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = errno;
		fprintf(stderr, "maildesk attachment: %s: %s%s\n", file,
			g_strerror(err), err == EEXIST
			? " (an existing file is never overwritten)" : "");
		return EX_CANTCREAT;
	}
	if (!write_all(fd, data) || close(fd) != 0) {
		err = errno;
		fprintf(stderr, "maildesk attachment: %s: %s\n", file,
			g_strerror(err));
		unlink(file);
		rc = EX_IOERR;
	}
	return rc;
}

/* A positive number, all digits. */
static gint64
number(const char *s)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(s, 10, 1, G_MAXINT64, &v, NULL))
		return 0;
	return (gint64)v;
}

int
md_cmd_attachment(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_ticket_row row = { 0 };
	GPtrArray *msgs = NULL, *all = NULL;
	GBytes *data = NULL;
	GError *error = NULL;
	const char *file = NULL;
	gint64 id = 0, k = 0;
	bool found = false;
	int rc = EX_OK, args = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0) {
			if (++i >= argc || argv[i][0] == '\0')
				return md_cli_usage(argv[0], "-o needs a file "
						    "name");
			file = argv[i];
		} else if (args == 0 && (id = number(argv[i])) > 0) {
			args++;
		} else if (args == 1 && (k = number(argv[i])) > 0) {
			args++;
		} else {
			return md_cli_usage(argv[0], "'%s': expected a ticket "
					    "number, an attachment number "
					    "(1, 2 ...) and -o FILE",
					    argv[i]);
		}
	}
	if (id <= 0)
		return md_cli_usage(argv[0], "expected a ticket number");
	if (file != NULL && k == 0)
		return md_cli_usage(argv[0], "-o FILE needs an attachment "
				    "number (maildesk attachment %"
				    G_GINT64_FORMAT " lists them)", id);
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	msgs = g_ptr_array_new_with_free_func(md_message_row_free);
	if (!md_query_ticket(ctx.db, id, &row, &found, &error))
		goto fail;
	if (!found) {
		g_set_error(&error, MD_ERROR, MD_ERROR_NOTFOUND,
			    "ticket %" G_GINT64_FORMAT ": no such ticket", id);
		goto fail;
	}
	if (!md_query_messages(ctx.db, id, msgs, &error))
		goto fail;
	all = list_all(msgs);
	if (k == 0) {
		print_list(id, all);
		goto out;
	}
	if (k > all->len) {
		g_set_error(&error, MD_ERROR, MD_ERROR_NOTFOUND,
			    "ticket %" G_GINT64_FORMAT ": no attachment %"
			    G_GINT64_FORMAT " (it has %u; maildesk attachment %"
			    G_GINT64_FORMAT " lists them)", id, k, all->len,
			    id);
		goto fail;
	}
	if (!fetch(&ctx, g_ptr_array_index(all, k - 1), (guint)k, &data,
		   &error))
		goto fail;
	rc = output(data, file, g_ptr_array_index(all, k - 1));
	goto out;
fail:
	rc = md_cli_fail(error);
out:
	if (data != NULL)
		g_bytes_unref(data);
	md_ticket_clear(&row.t);
	g_clear_pointer(&all, g_ptr_array_unref);
	g_clear_pointer(&msgs, g_ptr_array_unref);
	md_ctx_clear(&ctx);
	return rc;
}
