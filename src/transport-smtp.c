/* transport-smtp.c: submission over SMTP with libcurl.
 *
 * One easy handle per transport: libcurl keeps the connection in the
 * handle's cache, so the sends of a batch share one SMTP session, and a
 * connection that failed or that the server dropped is replaced by a new
 * one at the next send.  libcurl speaks the protocol; this file chooses the
 * options, remembers what the server last said (through the debug
 * callback, which sees the protocol lines) and turns the outcome into the
 * MD_ERROR classes of transport.h.
 *
 * Several recipients: libcurl stops a transaction at the first refused RCPT
 * (nothing is sent; CURLOPT_MAIL_RCPT_ALLLOWFAILS would go on but not say
 * which recipient was dropped).  A permanent refusal (5xx) removes that
 * recipient and the mail is sent again to the others, in a new transaction;
 * a temporary one (4xx) fails the whole mail with MD_ERROR_TEMP at once.
 * Since every transaction either delivers to all its recipients or to none,
 * a TEMP failure always means nobody got the mail, so the outbox's retry of
 * the whole mail duplicates nothing; the cost is one extra transaction per
 * permanently refused recipient, which is rare.
 */
#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <glib.h>

#include "clock.h"
#include "conf.h"
#include "error.h"
#include "log.h"
#include "oauth.h"
#include "transport.h"

/* Replies are quoted in error messages: keep them to one readable line. */
#define REPLY_MAX 200

struct smtp {
	struct md_transport base;
	const struct md_outbound_conf *conf;
	CURL *curl;
	char *where;		/* the url without credentials, for messages */
	char errbuf[CURL_ERROR_SIZE];

	/* The transaction under way. */
	const char *data;
	gsize len;
	gsize off;
	char *reply;		/* the last line the server sent */
	char verb[8];		/* the last command we sent: MAIL, RCPT... */
	guint nrcpt;		/* RCPT commands sent */
	bool quitting;		/* libcurl is closing the connection */

	/* auth = "oauth2": XOAUTH2 with a token from the manager; tokens
	 * live on the provider's clock, the real one. */
	struct md_clock clock;
	struct md_oauth *oauth;
	char *token;		/* the bearer libcurl holds, or NULL */
};

enum outcome {
	SENT,
	RCPT_PERM,		/* a 5xx to one RCPT: drop it, try the rest */
	FAIL_TEMP,
	FAIL_PERM,
};

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp *s = arg;
	gsize n = MIN(size * nitems, s->len - s->off);

	memcpy(buf, s->data + s->off, n);
	s->off += n;
	return n;
}

static void
keep_reply(struct smtp *s, const char *text, size_t size)
{
	gsize i, n = MIN(size, REPLY_MAX);

	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	g_free(s->reply);
	s->reply = g_strndup(text, n);
	/* A hostile server must not put control characters in our logs. */
	for (i = 0; s->reply[i] != '\0'; i++)
		if (!g_ascii_isprint(s->reply[i]))
			s->reply[i] = '?';
}

/* Keeps the server's last reply line and the verb of our last command.
 * Only verbs are kept from outgoing lines: an AUTH exchange carries the
 * password, and it must never reach an error message.  The QUIT libcurl
 * sends when it closes a failed connection (inside curl_easy_perform) and
 * its 221 are ignored: the failure is what the caller must hear about. */
static int
debug_cb(CURL *curl, curl_infotype type, char *text, size_t size, void *arg)
{
	static const char *const verbs[] = {
		"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA",
		"RSET", NULL
	};
	struct smtp *s = arg;
	gsize i, n;

	(void)curl;
	if (type == CURLINFO_HEADER_IN && !s->quitting) {
		keep_reply(s, text, size);
		return 0;
	}
	if (type != CURLINFO_HEADER_OUT)
		return 0;
	if (size >= 4 && g_ascii_strncasecmp(text, "QUIT", 4) == 0) {
		s->quitting = true;
		return 0;
	}
	for (i = 0; verbs[i] != NULL; i++) {
		n = strlen(verbs[i]);
		/* The verb must end the word: a base64 AUTH line might
		 * start with the same letters. */
		if (size <= n || g_ascii_strncasecmp(text, verbs[i], n) != 0 ||
		    (text[n] != ' ' && text[n] != '\r'))
			continue;
		g_strlcpy(s->verb, verbs[i], sizeof(s->verb));
		/* A QUIT to an expired cached connection may come first. */
		s->quitting = false;
		if (strcmp(verbs[i], "MAIL") == 0)
			s->nrcpt = 0;
		else if (strcmp(verbs[i], "RCPT") == 0)
			s->nrcpt++;
		break;
	}
	return 0;
}

/* The url for messages: "smtp://user:secret@host" must not be logged. */
static char *
strip_userinfo(const char *url)
{
	const char *host = strstr(url, "://");
	const char *at, *slash;

	if (host == NULL)
		return g_strdup(url);
	host += 3;
	at = strchr(host, '@');
	slash = strchr(host, '/');
	if (at == NULL || (slash != NULL && slash < at))
		return g_strdup(url);
	return g_strdup_printf("%.*s%s", (int)(host - url), url, at + 1);
}

/* The last reply, else libcurl's own message. */
static const char *
reply_text(const struct smtp *s, CURLcode rc)
{
	if (s->reply != NULL && s->reply[0] != '\0')
		return s->reply;
	return s->errbuf[0] != '\0' ? s->errbuf : curl_easy_strerror(rc);
}

/* A reply to MAIL, RCPT or DATA (or to the final dot, which libcurl sends
 * without a debug line, so the verb is still DATA) decides by its code:
 * 5xx permanent, 4xx temporary.  530 is the exception: "must issue
 * STARTTLS" or "authentication required" (RFC 3207, 4954) is our
 * configuration, not the mail.  Any other failure (connection, TLS,
 * AUTH, timeout, greeting) is temporary: a server back up or a fixed
 * configuration lets the mail through. */
static enum outcome
classify(struct smtp *s, CURLcode rc, long code, const char *mail_from,
	 const GPtrArray *rcpts, guint *refused_r, GError **error)
{
	const char *reply = reply_text(s, rc);
	const char *why = s->errbuf[0] != '\0' ? s->errbuf :
		curl_easy_strerror(rc);
	bool replied = code >= 400 && code < 600;
	bool perm = code >= 500 && code < 600 && code != 530;
	int ecode = perm ? MD_ERROR_DATA : MD_ERROR_TEMP;

	if (replied && strcmp(s->verb, "RCPT") == 0 && s->nrcpt >= 1 &&
	    s->nrcpt <= rcpts->len) {
		*refused_r = s->nrcpt - 1;
		g_set_error(error, MD_ERROR, ecode, "%s: RCPT TO <%s> %s: %s",
			    s->where, (char *)rcpts->pdata[s->nrcpt - 1],
			    perm ? "refused" : "deferred", reply);
		return perm ? RCPT_PERM : FAIL_TEMP;
	}
	if (replied && strcmp(s->verb, "MAIL") == 0) {
		g_set_error(error, MD_ERROR, ecode,
			    "%s: MAIL FROM <%s> refused: %s", s->where,
			    mail_from, reply);
		return perm ? FAIL_PERM : FAIL_TEMP;
	}
	if (replied && strcmp(s->verb, "DATA") == 0) {
		g_set_error(error, MD_ERROR, ecode, "%s: message refused: %s",
			    s->where, reply);
		return perm ? FAIL_PERM : FAIL_TEMP;
	}
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "%s: cannot connect: %s", s->where, why);
		break;
	/* What waiting will not fix is CONFIG: the outbox keeps the mail
	 * queued all the same, and send exits 78 (issue 10). */
	case CURLE_LOGIN_DENIED:
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: authentication failed: %s", s->where, reply);
		break;
	case CURLE_USE_SSL_FAILED:
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: no TLS: %s", s->where, why);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG, "%s: TLS: %s",
			    s->where, why);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP, "%s: TLS: %s",
			    s->where, why);
		break;
	default:
		if (s->reply != NULL && strcmp(why, s->reply) != 0)
			g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
				    "%s: %s (last reply: %s)", s->where, why,
				    s->reply);
		else
			g_set_error(error, MD_ERROR, MD_ERROR_TEMP, "%s: %s",
				    s->where, why);
		break;
	}
	return FAIL_TEMP;
}

/* One SMTP transaction to RCPTS (char *, borrowed).  On RCPT_PERM,
 * *REFUSED_R is the index of the refused recipient. */
static enum outcome
attempt(struct smtp *s, const char *mail_from, const GPtrArray *rcpts,
	guint *refused_r, GError **error)
{
	struct curl_slist *list = NULL, *next;
	char *from = NULL, *to;
	CURLcode rc;
	long code = 0;
	enum outcome o = FAIL_TEMP;
	guint i;

	for (i = 0; i < rcpts->len; i++) {
		to = g_strdup_printf("<%s>", (char *)rcpts->pdata[i]);
		next = curl_slist_append(list, to);
		g_free(to);
		if (next == NULL) {
			g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
				    "%s: out of memory", s->where);
			goto out;
		}
		list = next;
	}
	/* "<>" is the null sender (RFC 5321 4.5.5); libcurl keeps it. */
	from = g_strdup_printf("<%s>", mail_from);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, list);
	/* Lets libcurl send SIZE=, so an oversized mail fails at MAIL. */
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE,
			 (curl_off_t)s->len);
	s->off = 0;
	s->errbuf[0] = '\0';
	g_clear_pointer(&s->reply, g_free);
	s->verb[0] = '\0';
	s->nrcpt = 0;
	s->quitting = false;
	rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	o = rc == CURLE_OK ? SENT :
		classify(s, rc, code, mail_from, rcpts, refused_r, error);
out:
	/* libcurl keeps a pointer to the list, not a copy. */
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(list);
	g_free(from);
	return o;
}

static void
forget_token(struct smtp *s)
{
	if (s->token != NULL)
		explicit_bzero(s->token, strlen(s->token));
	g_clear_pointer(&s->token, g_free);
}

/* Gives libcurl a token to use (the same while it is fresh).  REFUSED:
 * the server refused the last one.  A failure keeps the manager's class:
 * TEMP (endpoint down) or CONFIG (a login is needed; the message says
 * which); the outbox keeps the mail queued either way. */
static bool
set_token(struct smtp *s, bool refused, GError **error)
{
	GError *e = NULL;
	char *token = NULL;

	if (!md_oauth_access_token(s->oauth, refused ? s->token : NULL,
				   &token, &e)) {
		g_set_error(error, MD_ERROR, e->domain == MD_ERROR ? e->code :
			    MD_ERROR_TEMP, "%s: %s", s->where, e->message);
		g_error_free(e);
		return false;
	}
	forget_token(s);
	s->token = token;
	curl_easy_setopt(s->curl, CURLOPT_XOAUTH2_BEARER, s->token);
	return true;
}

/* One transaction; with XOAUTH2, a refused token gets one new token and
 * one more try, never more. */
static enum outcome
attempt_auth(struct smtp *s, const char *mail_from, const GPtrArray *rcpts,
	     guint *refused_r, GError **error)
{
	GError *e = NULL;
	enum outcome o;

	if (s->oauth != NULL && !set_token(s, false, error))
		return FAIL_TEMP;
	o = attempt(s, mail_from, rcpts, refused_r, &e);
	if (s->oauth != NULL && o == FAIL_TEMP &&
	    strcmp(s->verb, "AUTH") == 0) {
		md_log_info("%s: XOAUTH2 token refused (%s); trying once more "
			    "with a new one", s->where, e->message);
		g_clear_error(&e);
		if (!set_token(s, true, error))
			return FAIL_TEMP;
		o = attempt(s, mail_from, rcpts, refused_r, &e);
	}
	if (e != NULL)
		g_propagate_error(error, e);
	return o;
}

/* A CR or LF in an address would end our command and start another. */
static bool
bad_address(const char *addr)
{
	for (; *addr != '\0'; addr++)
		if ((guchar)*addr < 0x20 || *addr == 0x7f)
			return true;
	return false;
}

static bool
smtp_send(struct md_transport *t, const char *mail_from,
	  const GPtrArray *rcpts, const char *data, gsize len,
	  GPtrArray *refused, GError **error)
{
	struct smtp *s = (struct smtp *)t;
	GPtrArray *todo = NULL;		/* char *, borrowed from RCPTS */
	GPtrArray *gone = NULL;		/* "addr: reply", owned */
	GError *last = NULL;
	enum outcome o = FAIL_TEMP;
	guint i, idx = 0;
	char *joined;

	todo = g_ptr_array_new();
	gone = g_ptr_array_new_with_free_func(g_free);
	if (bad_address(mail_from)) {
		g_set_error(&last, MD_ERROR, MD_ERROR_DATA,
			    "%s: invalid sender address", s->where);
		goto out;
	}
	for (i = 0; i < rcpts->len; i++) {
		if (bad_address(rcpts->pdata[i]))
			g_ptr_array_add(gone, g_strdup("(control characters):"
						       " invalid address"));
		else
			g_ptr_array_add(todo, rcpts->pdata[i]);
	}
	s->data = data;
	s->len = len;
	while (todo->len > 0) {
		g_clear_error(&last);
		o = attempt_auth(s, mail_from, todo, &idx, &last);
		if (o != RCPT_PERM)
			break;
		g_ptr_array_add(gone, g_strdup_printf("%s: %s",
						      (char *)todo->pdata[idx],
						      reply_text(s, CURLE_OK)));
		g_ptr_array_remove_index(todo, idx);
	}
	if (o == SENT || todo->len > 0 || (gone->len == 1 && last != NULL))
		goto out;
	g_clear_error(&last);
	if (gone->len == 0) {
		g_set_error(&last, MD_ERROR, MD_ERROR_DATA,
			    "%s: no recipient", s->where);
		goto out;
	}
	g_ptr_array_add(gone, NULL);
	joined = g_strjoinv("; ", (char **)gone->pdata);
	g_ptr_array_remove_index(gone, gone->len - 1);
	g_set_error(&last, MD_ERROR, MD_ERROR_DATA,
		    "%s: every recipient refused: %s", s->where, joined);
	g_free(joined);
out:
	/* After TEMP nobody got the mail: the refusals will be heard again
	 * at the retry, and the caller has no use for them now. */
	if (refused != NULL &&
	    (o == SENT || g_error_matches(last, MD_ERROR, MD_ERROR_DATA))) {
		for (i = 0; i < gone->len; i++)
			g_ptr_array_add(refused,
					g_steal_pointer(&gone->pdata[i]));
	}
	if (o != SENT)
		g_propagate_error(error, g_steal_pointer(&last));
	g_clear_error(&last);
	g_ptr_array_unref(todo);
	g_ptr_array_unref(gone);
	s->data = NULL;
	s->len = 0;
	return o == SENT;
}

static void
smtp_free(struct md_transport *t)
{
	struct smtp *s = (struct smtp *)t;

	if (s == NULL)
		return;
	/* Sends QUIT on a cached connection: debug_cb still sees S. */
	curl_easy_cleanup(s->curl);
	curl_global_cleanup();
	forget_token(s);
	md_oauth_free(s->oauth);
	g_free(s->where);
	g_free(s->reply);
	g_free(s);
}

static const struct md_transport_ops smtp_ops = {
	.name = "smtp",
	.send = smtp_send,
	.free = smtp_free,
};

/* A server that never answers must not stall the outbox: the connection,
 * each reply and the body are bounded by conf->timeout.  The body gets a
 * stall limit rather than a total, so that a large mail on a slow link
 * still goes through. */
static void
set_timeouts(CURL *curl, int timeout)
{
	if (timeout <= 0)
		return;
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)timeout);
	curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, (long)timeout);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, (long)timeout);
}

static void
set_tls(struct smtp *s, bool smtps)
{
	const struct md_outbound_conf *conf = s->conf;

	/* CURLUSESSL_ALL: a server that stops offering STARTTLS (or a man in
	 * the middle who strips it) gets an error, never the password. */
	if (smtps || conf->starttls)
		curl_easy_setopt(s->curl, CURLOPT_USE_SSL,
				 (long)CURLUSESSL_ALL);
	if (conf->tls_ca_file != NULL)
		curl_easy_setopt(s->curl, CURLOPT_CAINFO, conf->tls_ca_file);
	if (!conf->tls_verify) {
		curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, 0L);
		md_log_warn("%s: TLS CERTIFICATE VERIFICATION IS OFF "
			    "(tls_verify = false): anyone on the path can "
			    "read the mail and the password", s->where);
	}
}

bool
md_transport_smtp_open(const struct md_outbound_conf *conf,
		       struct md_transport **t_r, GError **error)
{
	struct smtp *s = NULL;
	bool ok = false;

	if (conf->url == NULL ||
	    (!g_str_has_prefix(conf->url, "smtp://") &&
	     !g_str_has_prefix(conf->url, "smtps://"))) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "outbound url: not smtp:// or smtps://");
		return false;
	}
	/* Reference counted: paired with curl_global_cleanup in smtp_free. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		g_set_error(error, MD_ERROR, MD_ERROR_INTERNAL,
			    "cannot initialise libcurl");
		return false;
	}
	s = g_new0(struct smtp, 1);
	s->base.ops = &smtp_ops;
	s->conf = conf;
	s->where = strip_userinfo(conf->url);
	s->curl = curl_easy_init();
	if (s->curl == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_INTERNAL,
			    "%s: cannot initialise libcurl", s->where);
		goto out;
	}
	curl_easy_setopt(s->curl, CURLOPT_URL, conf->url);
	curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, s);
	/* VERBOSE only feeds debug_cb, which prints nothing. */
	curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L);
	set_timeouts(s->curl, conf->timeout);
	set_tls(s, g_str_has_prefix(conf->url, "smtps://"));
	if (conf->oauth) {
		/* test-servers.md: without LOGIN_OPTIONS libcurl prefers
		 * OAUTHBEARER where both are offered; Microsoft 365 and
		 * Gmail speak XOAUTH2.  No HTTPAUTH: it would override. */
		if (!g_str_has_prefix(conf->url, "smtps://") &&
		    !conf->starttls) {
			g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
				    "%s: auth = \"oauth2\" needs smtps:// or "
				    "starttls = true", s->where);
			goto out;
		}
		md_clock_init_real(&s->clock);
		s->oauth = md_oauth_new(&conf->oauth2, conf->user, &s->clock);
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, conf->user);
		curl_easy_setopt(s->curl, CURLOPT_LOGIN_OPTIONS,
				 "AUTH=XOAUTH2");
	} else if (conf->user != NULL && conf->user[0] != '\0') {
		/* libcurl picks the mechanism among those the server
		 * offers. */
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, conf->user);
		curl_easy_setopt(s->curl, CURLOPT_PASSWORD,
				 conf->password != NULL ? conf->password : "");
	}
	ok = true;
out:
	if (!ok) {
		smtp_free(&s->base);
		return false;
	}
	*t_r = &s->base;
	return true;
}
