/* cmd-check-config.c: load the configuration and report every error with
 * its line (conf.c collects them all), then what only shows when the desk
 * runs: the password files, the CA files, the templates, and an agents'
 * domain that takes in the whole desk. */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <sysexits.h>

#include <gnutls/x509.h>

#include "cmd.h"
#include "classify.h"
#include "conf.h"
#include "template.h"

/* The three GnuTLS functions the CA check needs, loaded here: linked,
 * libgnutls and its five libraries cost every maildesk process about
 * 1 ms at start (a tenth of a deliver), and only check-config uses it.
 * (maildeskd links it, for its IMAP source.) */
struct x509_fns {
	int (*import)(gnutls_x509_crt_t **, unsigned int *,
		      const gnutls_datum_t *, gnutls_x509_crt_fmt_t,
		      unsigned int);
	void (*deinit)(gnutls_x509_crt_t);
	gnutls_free_function *free;	/* a variable of GnuTLS */
};

static bool
x509_load(struct x509_fns *f)
{
	void *lib = dlopen("libgnutls.so.30", RTLD_NOW | RTLD_LOCAL);

	/* Kept loaded for the life of the process, as ld.so would. */
	if (lib == NULL)
		return false;
	*(void **)&f->import = dlsym(lib, "gnutls_x509_crt_list_import2");
	*(void **)&f->deinit = dlsym(lib, "gnutls_x509_crt_deinit");
	f->free = dlsym(lib, "gnutls_free");
	return f->import != NULL && f->deinit != NULL && f->free != NULL &&
	       *f->free != NULL;
}

/* Appends to PROBLEMS what is wrong with the CA file PATH of WHAT: it must
 * hold at least one certificate, PEM or DER, as libcurl will read it. */
static void
check_ca_file(const char *what, const char *path, GPtrArray *problems)
{
	struct x509_fns x509 = { 0 };
	gnutls_x509_crt_t *certs = NULL;
	unsigned int n = 0;
	gnutls_datum_t data;
	char *text = NULL;
	gsize len = 0;
	GError *error = NULL;

	if (path == NULL)
		return;
	if (!g_file_get_contents(path, &text, &len, &error)) {
		g_ptr_array_add(problems, g_strdup_printf("%s.tls_ca_file: %s",
							  what,
							  error->message));
		g_error_free(error);
		return;
	}
	if (!x509_load(&x509)) {
		g_ptr_array_add(problems, g_strdup_printf(
			"%s.tls_ca_file: %s cannot be checked: libgnutls.so.30 "
			"cannot be loaded: %s", what, path, dlerror()));
		g_free(text);
		return;
	}
	data.data = (unsigned char *)text;
	data.size = len;
	if (x509.import(&certs, &n, &data, GNUTLS_X509_FMT_PEM, 0) < 0 &&
	    x509.import(&certs, &n, &data, GNUTLS_X509_FMT_DER, 0) < 0)
		n = 0;
	if (n == 0)
		g_ptr_array_add(problems, g_strdup_printf(
			"%s.tls_ca_file: %s holds no certificate", what,
			path));
	for (unsigned int i = 0; i < n; i++)
		x509.deinit(certs[i]);
	if (certs != NULL)
		(*x509.free)(certs);
	g_free(text);
}

static void
check_more(struct md_conf *conf, GPtrArray *problems, GPtrArray *warnings)
{
	GError *error = NULL;
	char *what;

	if (!md_conf_load_secrets(conf, MD_SECRETS_ALL, &error)) {
		g_ptr_array_add(problems, g_strdup(error->message));
		g_error_free(error);
	}
	for (guint i = 0; conf->inbound != NULL && i < conf->inbound->len;
	     i++) {
		const struct md_inbound_conf *in =
			g_ptr_array_index(conf->inbound, i);

		what = g_strdup_printf("%s: inbound[%u]", conf->file, i);
		check_ca_file(what, in->tls_ca_file, problems);
		g_free(what);
	}
	what = g_strdup_printf("%s: outbound", conf->file);
	check_ca_file(what, conf->outbound.tls_ca_file, problems);
	g_free(what);
	if (conf->templates_dir != NULL)
		md_templates_check(conf->templates_dir, problems, warnings);
	if (md_classify_trusts_from(conf))
		g_ptr_array_add(warnings, g_strdup(
			"agents.trust = \"from\": anyone who writes From: an "
			"agent's address can close, escalate and answer any "
			"ticket; set agents.trusted_authserv_id instead"));
	for (guint i = 0; conf->agent_domains != NULL &&
	     i < conf->agent_domains->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(conf->agent_domains,
							 i),
				       conf->desk_domain) == 0)
			g_ptr_array_add(warnings, g_strdup_printf(
				"agents.domains includes the desk's own "
				"domain: every employee of %s is an agent",
				conf->desk_domain));
}

int
md_cmd_check_config(struct md_cli *cli, int argc, char **argv)
{
	struct md_conf *conf = NULL;
	GPtrArray *problems = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	GError *error = NULL;
	int rc = EX_OK;

	if (argc != 1) {
		rc = md_cli_usage(argv[0], "no argument expected");
		goto out;
	}
	if (!md_cli_load_conf(cli, &conf, &error)) {
		rc = md_cli_fail(error);
		goto out;
	}
	check_more(conf, problems, warnings);
	for (guint i = 0; i < warnings->len; i++)
		fprintf(stderr, "%s: warning: %s\n", conf->file,
			(char *)g_ptr_array_index(warnings, i));
	for (guint i = 0; i < problems->len; i++)
		fprintf(stderr, "%s\n", (char *)g_ptr_array_index(problems, i));
	if (problems->len > 0)
		rc = EX_CONFIG;
	else
		printf("%s: OK\n", conf->file);
out:
	md_conf_free(conf);
	g_ptr_array_unref(problems);
	g_ptr_array_unref(warnings);
	return rc;
}
