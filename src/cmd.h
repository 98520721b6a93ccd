/* cmd.h: the subcommands of maildesk (one cmd-<name>.c each, git-style).
 *
 * maildesk.c parses the global options (-c, --now, -v) into a struct
 * md_cli and calls the command with the remaining arguments (argv[0] is
 * the command name).  A command returns a sysexits.h code and prints its
 * own errors through md_cli_fail.
 */
#ifndef MD_CMD_H
#define MD_CMD_H

#include <glib.h>
#include <stdbool.h>

#include "ctx.h"

struct md_cli {
	const char *conf_path;	/* -c, or NULL: default file, else embedded */
	const char *now;	/* --now, or NULL */
	bool verbose;
};

/* Loads the configuration as md_cli_open does, without the database. */
bool md_cli_load_conf(const struct md_cli *cli, struct md_conf **conf_r,
		      GError **error);
/* Loads the configuration, sets the clock and opens the database. */
bool md_cli_open(const struct md_cli *cli, struct md_ctx *ctx, GError **error);
/* Prints "maildesk: MESSAGE" on stderr, frees ERROR, returns its exit
 * code. */
int md_cli_fail(GError *error);
/* A usage error: prints "maildesk CMD: WHY" (unless WHY is NULL) and the
 * usage of CMD on stderr; returns EX_USAGE (64). */
int md_cli_usage(const char *cmd, const char *why, ...)
	__attribute__((format(printf, 2, 3)));
/* Standard input whole, as UTF-8 text (g_free); an empty or non-UTF-8
 * input is a usage error naming WHAT ("the answer on standard input is
 * empty"). */
char *md_cli_read_text(const char *what, GError **error);
/* YYYY-MM-DD at midnight in TZ, or an RFC 3339 instant. */
bool md_cli_parse_date(const char *text, GTimeZone *tz, gint64 *secs_r);

struct md_ticket_row;
/* Appends the fields of spec 7b's ticket object (without braces) to OUT,
 * the message count under COUNT_KEY ("messages" in list, "message_count"
 * in show); dates in TZ. */
void md_cmd_json_ticket(GString *out, bool *first,
			const struct md_ticket_row *row, const char *count_key,
			GTimeZone *tz);

/* An attachment as a message row's JSON lists it. */
struct md_cmd_attachment {
	char *name, *type;	/* "" if absent */
	gint64 size;
};
/* Appends struct md_cmd_attachment * (md_cmd_attachment_free) for each
 * element of JSON, a message row's attachments; nothing if it is not a
 * JSON array.  show N and attachment N number them in this order. */
void md_cmd_attachments_parse(const char *json, GPtrArray *out);
void md_cmd_attachment_free(gpointer attachment);

int md_cmd_deliver(struct md_cli *cli, int argc, char **argv);
int md_cmd_ingest(struct md_cli *cli, int argc, char **argv);
int md_cmd_list(struct md_cli *cli, int argc, char **argv);
int md_cmd_show(struct md_cli *cli, int argc, char **argv);
/* attachment N [K] [-o FILE]: list a ticket's attachments, write one. */
int md_cmd_attachment(struct md_cli *cli, int argc, char **argv);
int md_cmd_stats(struct md_cli *cli, int argc, char **argv);
int md_cmd_search(struct md_cli *cli, int argc, char **argv);
int md_cmd_send(struct md_cli *cli, int argc, char **argv);
int md_cmd_check_config(struct md_cli *cli, int argc, char **argv);
int md_cmd_backup(struct md_cli *cli, int argc, char **argv);
int md_cmd_purge(struct md_cli *cli, int argc, char **argv);
int md_cmd_outbox(struct md_cli *cli, int argc, char **argv);
int md_cmd_quarantine(struct md_cli *cli, int argc, char **argv);
/* resolve, close, reopen, assign: ticket changes. */
int md_cmd_ticket(struct md_cli *cli, int argc, char **argv);
/* reply, escalate: what an agent does by mail. */
int md_cmd_agent(struct md_cli *cli, int argc, char **argv);
/* open: a ticket opened on someone's behalf (a phone call). */
int md_cmd_open(struct md_cli *cli, int argc, char **argv);
/* tick: the timers once; digest: the supervisors' digest now. */
int md_cmd_tick(struct md_cli *cli, int argc, char **argv);
int md_cmd_digest(struct md_cli *cli, int argc, char **argv);
/* oauth login [NAME], oauth status [NAME] [--json]: OAuth2 accounts. */
int md_cmd_oauth(struct md_cli *cli, int argc, char **argv);

#endif
