/* cmd-quarantine.c: maildesk quarantine show|export|release ID: what was
 * set aside and why, the mail itself, and running it through again. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "conf.h"
#include "error.h"
#include "queue.h"

/* The header block of RAW, at most 40 lines: enough to see what it is. */
static void
print_head(GBytes *raw)
{
	gsize len;
	const char *p = g_bytes_get_data(raw, &len), *end = p + len;
	int lines = 0;

	while (p < end && lines < 40) {
		const char *nl = memchr(p, '\n', end - p);
		gsize n = nl != NULL ? (gsize)(nl - p) : (gsize)(end - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		printf("  %.*s\n", (int)MIN(n, 200), p);
		lines++;
		p = nl != NULL ? nl + 1 : end;
	}
}

static int
show(struct md_quarantined *q, GTimeZone *tz)
{
	char *at = md_clock_format_rfc3339(q->received, tz);

	printf("quarantine %" G_GINT64_FORMAT "\nreceived:   %s\nsource:     "
	       "%s\nreason:     %s\nmessage-id: %s\nsize:       %zu bytes\n"
	       "header:\n", q->id, at, q->source ? q->source : "-", q->reason,
	       q->message_id ? q->message_id : "-", g_bytes_get_size(q->raw));
	print_head(q->raw);
	g_free(at);
	return EX_OK;
}

/* The mail as it came, byte for byte (maildesk quarantine export ID >
 * mail.eml). */
static int
export(struct md_quarantined *q)
{
	gsize len, done = 0;
	const char *p = g_bytes_get_data(q->raw, &len);

	while (done < len) {
		ssize_t n = write(STDOUT_FILENO, p + done, len - done);

		if (n < 0) {
			perror("maildesk quarantine export");
			return EX_IOERR;
		}
		done += n;
	}
	return EX_OK;
}

int
md_cmd_quarantine(struct md_cli *cli, int argc, char **argv)
{
	struct md_ctx ctx = { 0 };
	struct md_quarantined q = { 0 };
	GError *error = NULL;
	const char *verb = argc == 3 ? argv[1] : "";
	gint64 id = argc == 3 ? g_ascii_strtoll(argv[2], NULL, 10) : 0;
	bool again = false;
	int rc = EX_OK;

	if (strcmp(verb, "show") != 0 && strcmp(verb, "export") != 0 &&
	    strcmp(verb, "release") != 0)
		return md_cli_usage(argv[0], "expected show, export or "
				    "release and an entry number");
	if (id <= 0)
		return md_cli_usage(argv[0], "'%s' is not an entry number",
				    argv[2]);
	if (!md_cli_open(cli, &ctx, &error))
		return md_cli_fail(error);
	if (strcmp(verb, "release") == 0) {
		if (!md_queue_quarantine_release(&ctx, id, &again, &error))
			goto fail;
		printf("quarantine %" G_GINT64_FORMAT ": released%s\n", id,
		       again ? ", and set aside again (see maildesk list "
		       "--quarantine)" : "");
		goto out;
	}
	if (!md_queue_quarantine_get(&ctx, id, &q, &error))
		goto fail;
	rc = strcmp(verb, "show") == 0 ? show(&q, ctx.conf->tz) : export(&q);
	goto out;
fail:
	rc = md_cli_fail(error);
out:
	md_quarantined_clear(&q);
	md_ctx_clear(&ctx);
	return rc;
}
