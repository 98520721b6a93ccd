/* cmd-check-config.c: load the configuration and report every error with
 * its line (conf.c collects them all). */
#include "config.h"

#include <stdio.h>
#include <sysexits.h>

#include "cmd.h"
#include "conf.h"

int
md_cmd_check_config(struct md_cli *cli, int argc, char **argv)
{
	struct md_conf *conf = NULL;
	GError *error = NULL;
	(void)argv;

	if (argc != 1) {
		fprintf(stderr, "usage: maildesk check-config\n");
		return EX_USAGE;
	}
	if (!md_cli_load_conf(cli, &conf, &error))
		return md_cli_fail(error);
	printf("%s: OK\n", conf->file);
	md_conf_free(conf);
	return EX_OK;
}
