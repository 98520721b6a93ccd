/* maildesk.c: the command-line tool; one dispatch table, one cmd-<name>.c
 * per subcommand (git's builtin/).  Global options may stand anywhere:
 * spec 2 says every subcommand takes --now, and admins type -c last. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <gmime/gmime.h>

#include "cmd.h"
#include "conf.h"
#include "ctx.h"
#include "error.h"
#include "log.h"

/* USAGE: one line per form, after "maildesk "; the first is the one the
 * list of commands shows. */
static const struct {
	const char *name;
	int (*fn)(struct md_cli *cli, int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "deliver", md_cmd_deliver, "deliver < MESSAGE" },
	{ "ingest", md_cmd_ingest, "ingest [--no-mail] DIR" },
	{ "send", md_cmd_send, "send" },
	{ "list", md_cmd_list,
	  "list [--status S[,S...]] [--requester ADDR] [--assignee ADDR]\n"
	  "       [--since DATE] [--before DATE] [--escalated] [--linked N]\n"
	  "       [--due] [--limit N | --all] [--after-id N] [--json]\n"
	  "list --quarantine [--json]\n"
	  "DATE is YYYY-MM-DD (midnight in the desk's time zone) or RFC 3339." },
	{ "show", md_cmd_show, "show N [--json]" },
	{ "attachment", md_cmd_attachment, "attachment N [K] [-o FILE]\n"
	  "K: the attachment's number in show N; without K, the list." },
	{ "stats", md_cmd_stats, "stats [--json]" },
	{ "search", md_cmd_search,
	  "search QUERY... [--json] [--status S[,S...]] [--limit N]\n"
	  "QUERY: words (all must match), \"a phrase\", a prefix*, OR, NOT." },
	{ "check-config", md_cmd_check_config, "check-config" },
	{ "resolve", md_cmd_ticket, "resolve N" },
	{ "close", md_cmd_ticket, "close N" },
	{ "reopen", md_cmd_ticket, "reopen N" },
	{ "open", md_cmd_open, "open --requester ADDR --subject SUBJECT "
	  "[--cc ADDR]... < REQUEST\n"
	  "Prints the new ticket's number." },
	{ "reply", md_cmd_agent, "reply N < ANSWER" },
	{ "escalate", md_cmd_agent, "escalate N [--note TEXT]" },
	{ "assign", md_cmd_ticket, "assign N ADDRESS" },
	{ "tick", md_cmd_tick, "tick" },
	{ "digest", md_cmd_digest, "digest [--dry-run]" },
	{ "outbox", md_cmd_outbox, "outbox [--json]\noutbox retry [ID]" },
	{ "quarantine", md_cmd_quarantine,
	  "quarantine show ID\nquarantine export ID > MAIL.eml\n"
	  "quarantine release ID" },
	{ "backup", md_cmd_backup, "backup FILE" },
	{ "purge", md_cmd_purge, "purge --closed-before DATE [--dry-run]\n"
	  "DATE is YYYY-MM-DD (midnight in the desk's time zone) or RFC 3339." },
	{ "oauth", md_cmd_oauth, "oauth login [NAME] [--code] | oauth status "
	  "[NAME] [--json]" },
	{ "help", NULL, "help [COMMAND]" },
};

static int
find_command(const char *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(name, commands[i].name) == 0)
			return i;
	return -1;
}

/* Prints the usage of command I on OUT: "usage: maildesk FORM" for its
 * first form, the others and the notes indented below. */
static void
command_usage(FILE *out, int i)
{
	char **lines = g_strsplit(commands[i].usage, "\n", -1);

	for (char **l = lines; *l != NULL; l++) {
		if (l == lines)
			fprintf(out, "usage: maildesk %s\n", *l);
		else if (g_str_has_prefix(*l, commands[i].name))
			fprintf(out, "       maildesk %s\n", *l);
		else
			fprintf(out, "%s\n", *l);
	}
	g_strfreev(lines);
}

static int
usage(FILE *out, int code)
{
	fprintf(out, "usage: maildesk [-c CONFIG] [--now TIME] [-v] "
		"COMMAND [ARGS]\n\ncommands:\n");
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		const char *nl = strchr(commands[i].usage, '\n');
		int len = nl != NULL ? (int)(nl - commands[i].usage)
				     : (int)strlen(commands[i].usage);

		fprintf(out, "  maildesk %.*s\n", len, commands[i].usage);
	}
	fprintf(out, "\nmaildesk help COMMAND (or COMMAND --help) shows one "
		"command's usage.\n"
		"Options take their value as --opt VALUE or --opt=VALUE.\n"
		"CONFIG defaults to %s, else the built-in example.\n"
		"TIME is RFC 3339, e.g. 2026-11-23T09:30:00+01:00.\n",
		MD_CONF_DEFAULT_PATH);
	return code;
}

char *
md_cli_read_text(const char *what, GError **error)
{
	GString *text = g_string_new(NULL);
	char buf[8192];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_set_error(error, MD_ERROR, MD_ERROR_IO,
				    "cannot read standard input: %s",
				    g_strerror(errno));
			g_string_free(text, TRUE);
			return NULL;
		}
		g_string_append_len(text, buf, n);
	}
	if (text->len == 0 || !g_utf8_validate(text->str, text->len, NULL)) {
		g_set_error(error, MD_ERROR, MD_ERROR_USAGE,
			    "the %s on standard input is %s", what,
			    text->len == 0 ? "empty" : "not UTF-8");
		g_string_free(text, TRUE);
		return NULL;
	}
	return g_string_free(text, FALSE);
}

int
md_cli_usage(const char *cmd, const char *why, ...)
{
	int i = find_command(cmd);

	if (why != NULL) {
		va_list ap;
		char *text;

		va_start(ap, why);
		text = g_strdup_vprintf(why, ap);
		va_end(ap);
		fprintf(stderr, "maildesk %s: %s\n", cmd, text);
		g_free(text);
	}
	if (i >= 0)
		command_usage(stderr, i);
	return EX_USAGE;
}

/* "maildesk help [COMMAND]": the usage on stdout, exit 0. */
static int
help(int argc, char **argv)
{
	int i;

	if (argc < 2)
		return usage(stdout, EX_OK);
	if (argc > 2)
		return md_cli_usage("help", "one command at a time");
	i = find_command(argv[1]);
	if (i < 0) {
		fprintf(stderr, "maildesk help: '%s' is not a command\n",
			argv[1]);
		return usage(stderr, EX_USAGE);
	}
	command_usage(stdout, i);
	return EX_OK;
}

/* Takes the global options out of ARGV wherever they stand. */
static bool
global_options(struct md_cli *cli, int *argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0 ||
		     strcmp(a, "--now") == 0) && i + 1 < *argc) {
			if (a[2] == 'n')
				cli->now = argv[++i];
			else
				cli->conf_path = argv[++i];
		} else if (strncmp(a, "--now=", 6) == 0) {
			cli->now = a + 6;
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli->conf_path = a + 9;
		} else if (strcmp(a, "-v") == 0 ||
			   strcmp(a, "--verbose") == 0) {
			cli->verbose = true;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0 ||
			   strcmp(a, "--now") == 0) {
			fprintf(stderr, "maildesk: %s needs a value\n", a);
			return false;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	return true;
}

/* The command's arguments with every "--opt=value" split in two, so that
 * each command parses one form (getopt_long does the same); "--" ends the
 * options.  Returns a new vector (g_strfreev), whose first is the command
 * name. */
static char **
split_options(int argc, char **argv, int *argc_r)
{
	GPtrArray *out = g_ptr_array_new();
	bool options = true;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');

		if (strcmp(a, "--") == 0)
			options = false;
		if (options && i > 0 && a[0] == '-' && a[1] == '-' &&
		    eq != NULL && eq > a + 2) {
			g_ptr_array_add(out, g_strndup(a, eq - a));
			g_ptr_array_add(out, g_strdup(eq + 1));
		} else {
			g_ptr_array_add(out, g_strdup(a));
		}
	}
	*argc_r = out->len;
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

static bool
wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	struct md_cli cli = { 0 };
	char **args = NULL;
	int rc = EX_USAGE, n, i;

	setlocale(LC_ALL, "");
	if (!global_options(&cli, &argc, argv) || argc < 2)
		return usage(stderr, EX_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return usage(stdout, EX_OK);
	if (strcmp(argv[1], "--version") == 0) {
		printf("maildesk %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	i = find_command(argv[1]);
	if (i < 0) {
		fprintf(stderr, "maildesk: '%s' is not a command\n", argv[1]);
		return usage(stderr, EX_USAGE);
	}
	args = split_options(argc - 1, argv + 1, &n);
	if (commands[i].fn == NULL) {
		rc = help(n, args);
		goto out;
	}
	if (wants_help(n, args)) {
		command_usage(stdout, i);
		rc = EX_OK;
		goto out;
	}
	md_log_init("maildesk", MD_LOG_STDERR, cli.verbose);
	g_mime_init();
	rc = commands[i].fn(&cli, n, args);
	g_mime_shutdown();
out:
	g_strfreev(args);
	return rc;
}

bool
md_cli_load_conf(const struct md_cli *cli, struct md_conf **conf_r,
		 GError **error)
{
	return md_conf_find(cli->conf_path, conf_r, error);
}

bool
md_cli_open(const struct md_cli *cli, struct md_ctx *ctx, GError **error)
{
	struct md_conf *conf = NULL;
	struct md_clock clock;

	md_clock_init_real(&clock);
	if (cli->now != NULL && !md_clock_init_fixed(&clock, cli->now, error))
		return false;
	if (!md_cli_load_conf(cli, &conf, error))
		return false;
	if (!md_ctx_open(ctx, conf, &clock, error)) {
		md_ctx_clear(ctx);
		return false;
	}
	return true;
}

bool
md_cli_parse_date(const char *text, GTimeZone *tz, gint64 *secs_r)
{
	int y, m, d;
	char end;
	GDateTime *dt;

	if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3) {
		if ((dt = g_date_time_new(tz, y, m, d, 0, 0, 0)) == NULL)
			return false;
		*secs_r = g_date_time_to_unix(dt);
		g_date_time_unref(dt);
		return true;
	}
	return md_clock_parse_rfc3339(text, secs_r, NULL);
}

int
md_cli_fail(GError *error)
{
	int code = md_error_exit(error);

	fprintf(stderr, "maildesk: %s\n", error->message);
	g_error_free(error);
	return code;
}
