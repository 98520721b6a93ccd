/* maildesk.c: the command-line tool; one dispatch table, one cmd-<name>.c
 * per subcommand (git's builtin/).  Global options may stand anywhere:
 * spec 2 says every subcommand takes --now, and admins type -c last. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <gmime/gmime.h>

#include "cmd.h"
#include "conf.h"
#include "ctx.h"
#include "error.h"
#include "log.h"

static const struct {
	const char *name;
	int (*fn)(struct md_cli *cli, int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "deliver", md_cmd_deliver, "deliver < MESSAGE" },
	{ "ingest", md_cmd_ingest, "ingest DIR" },
	{ "send", md_cmd_send, "send" },
	{ "list", md_cmd_list, "list [--status S] [--quarantine] [--due] [--json]" },
	{ "show", md_cmd_show, "show N [--json]" },
	{ "stats", md_cmd_stats, "stats [--json]" },
	{ "check-config", md_cmd_check_config, "check-config" },
	{ "resolve", md_cmd_ticket, "resolve N" },
	{ "close", md_cmd_ticket, "close N" },
	{ "reopen", md_cmd_ticket, "reopen N" },
	{ "reply", md_cmd_agent, "reply N < ANSWER" },
	{ "escalate", md_cmd_agent, "escalate N [--note TEXT]" },
	{ "assign", md_cmd_ticket, "assign N ADDRESS" },
	{ "tick", md_cmd_tick, "tick" },
	{ "digest", md_cmd_digest, "digest [--dry-run]" },
};

static int
usage(FILE *out, int code)
{
	fprintf(out, "usage: maildesk [-c CONFIG] [--now TIME] [-v] "
		"COMMAND [ARGS]\n\ncommands:\n");
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  maildesk %s\n", commands[i].usage);
	fprintf(out, "\nCONFIG defaults to %s, else the built-in example.\n"
		"TIME is RFC 3339, e.g. 2026-11-23T09:30:00+01:00.\n",
		MD_CONF_DEFAULT_PATH);
	return code;
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
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--now") == 0) {
			return false;
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	return true;
}

int
main(int argc, char **argv)
{
	struct md_cli cli = { 0 };
	int rc = EX_USAGE;

	setlocale(LC_ALL, "");
	if (!global_options(&cli, &argc, argv) || argc < 2)
		return usage(stderr, EX_USAGE);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return usage(stdout, EX_OK);
	if (strcmp(argv[1], "--version") == 0) {
		printf("maildesk %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	md_log_init("maildesk", MD_LOG_STDERR, cli.verbose);
	g_mime_init();
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			rc = commands[i].fn(&cli, argc - 1, argv + 1);
			goto out;
		}
	fprintf(stderr, "maildesk: '%s' is not a command\n", argv[1]);
	usage(stderr, EX_USAGE);
out:
	g_mime_shutdown();
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

int
md_cli_fail(GError *error)
{
	int code = md_error_exit(error);

	fprintf(stderr, "maildesk: %s\n", error->message);
	g_error_free(error);
	return code;
}
