/* curl-lazy.c: the few libcurl functions maildesk calls, loaded with
 * dlopen the first time one is called.  libcurl and the twenty libraries
 * it brings (Kerberos, LDAP, SSH, HTTP/2...) cost every process about
 * 5 ms to load and relocate, a quarter of a `maildesk deliver`, which
 * never sends anything; only SMTP and OAuth need them.  These
 * definitions satisfy the references of transport-smtp.c and oauth.c, so
 * the linker (--as-needed) leaves libcurl out of the binaries. */
#include "config.h"

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>

/* The runtime names of libcurl 4's ABI: the GnuTLS build Debian's
 * libcurl4-gnutls-dev links against, then the others. */
static const char *const sonames[] = {
	"libcurl-gnutls.so.4", "libcurl.so.4", "libcurl-nss.so.4",
};

static struct {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} fn;

/* True once every function is found.  The library stays loaded for the
 * life of the process. */
static bool
load(void)
{
	static gsize done;
	static bool ok;

	if (g_once_init_enter(&done)) {
		void *lib = NULL;

		for (guint i = 0; lib == NULL && i < G_N_ELEMENTS(sonames); i++)
			lib = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (lib != NULL) {
			*(void **)&fn.global_init = dlsym(lib, "curl_global_init");
			*(void **)&fn.global_cleanup = dlsym(lib, "curl_global_cleanup");
			*(void **)&fn.easy_init = dlsym(lib, "curl_easy_init");
			*(void **)&fn.easy_cleanup = dlsym(lib, "curl_easy_cleanup");
			*(void **)&fn.easy_setopt = dlsym(lib, "curl_easy_setopt");
			*(void **)&fn.easy_getinfo = dlsym(lib, "curl_easy_getinfo");
			*(void **)&fn.easy_perform = dlsym(lib, "curl_easy_perform");
			*(void **)&fn.easy_strerror = dlsym(lib, "curl_easy_strerror");
			*(void **)&fn.easy_escape = dlsym(lib, "curl_easy_escape");
			*(void **)&fn.free = dlsym(lib, "curl_free");
			*(void **)&fn.slist_append = dlsym(lib, "curl_slist_append");
			*(void **)&fn.slist_free_all = dlsym(lib, "curl_slist_free_all");
			ok = fn.global_init && fn.global_cleanup && fn.easy_init &&
			     fn.easy_cleanup && fn.easy_setopt &&
			     fn.easy_getinfo && fn.easy_perform &&
			     fn.easy_strerror && fn.easy_escape && fn.free &&
			     fn.slist_append && fn.slist_free_all;
		}
		g_once_init_leave(&done, 1);
	}
	return ok;
}

CURLcode
curl_global_init(long flags)
{
	return load() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

void
curl_global_cleanup(void)
{
	if (load())
		fn.global_cleanup();
}

/* NULL when libcurl cannot be loaded: the callers' "cannot initialise
 * libcurl". */
CURL *
curl_easy_init(void)
{
	return load() ? fn.easy_init() : NULL;
}

/* The functions below take what curl_easy_init returned: libcurl is
 * loaded (or they are given NULL, which libcurl accepts too). */
void
curl_easy_cleanup(CURL *curl)
{
	if (load())
		fn.easy_cleanup(curl);
}

/* One argument whose type the option's number range tells (curl.h:
 * CURLOPTTYPE_*). */
CURLcode
curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	va_list ap;
	CURLcode rc;

	if (!load())
		return CURLE_FAILED_INIT;
	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.easy_setopt(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_OFF_T)
		/* Objects and functions alike: pointers on every platform
		 * libcurl runs on. */
		rc = fn.easy_setopt(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_BLOB)
		rc = fn.easy_setopt(curl, option, va_arg(ap, curl_off_t));
	else
		rc = fn.easy_setopt(curl, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO_* takes a pointer to the result. */
CURLcode
curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	va_list ap;
	CURLcode rc;

	if (!load())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	rc = fn.easy_getinfo(curl, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode
curl_easy_perform(CURL *curl)
{
	return load() ? fn.easy_perform(curl) : CURLE_FAILED_INIT;
}

const char *
curl_easy_strerror(CURLcode code)
{
	return load() ? fn.easy_strerror(code)
		      : "libcurl cannot be loaded (libcurl-gnutls.so.4)";
}

char *
curl_easy_escape(CURL *curl, const char *string, int length)
{
	return load() ? fn.easy_escape(curl, string, length) : NULL;
}

void
curl_free(void *p)
{
	if (load())
		fn.free(p);
}

struct curl_slist *
curl_slist_append(struct curl_slist *list, const char *string)
{
	return load() ? fn.slist_append(list, string) : NULL;
}

void
curl_slist_free_all(struct curl_slist *list)
{
	if (load())
		fn.slist_free_all(list);
}
