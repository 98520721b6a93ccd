/* source-imap.c: the IMAP source (spec section 3), on libetpan.
 *
 * Connects lazily in fetch and again there after any failure: a libetpan
 * error drops the session and returns MD_ERROR_TEMP; the daemon backs off
 * and calls fetch again.  What waiting will not fix (isync's FAIL_FINAL: a
 * refused login, a refused certificate, a missing mailbox, no STARTTLS)
 * returns MD_ERROR_CONFIG with the server's words, and the daemon parks
 * the source until its configuration is reloaded.  Nothing is lost or duplicated because a message
 * leaves the mailbox (or gets \Seen) only in ack, after the pipeline's
 * commit; a message stored but not acknowledged when the connection broke
 * is read again on the next pass and the pipeline recognises it.
 *
 * Every connection starts with a fresh look at the whole mailbox (UID
 * cursor back to 1), so mail that arrived while the daemon was down, or
 * while the connection was broken, is taken.  libetpan 1.9 (Debian's GnuTLS
 * build) never checks the server certificate: verify_peer does it with
 * GnuTLS before any credential is sent.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "clock.h"
#include "conf.h"
#include "error.h"
#include "log.h"
#include "oauth.h"
#include "source.h"

/* RFC 2177: clients must re-IDLE at least every 29 minutes. */
#define IDLE_MAX_SECONDS (25 * 60)
/* Servers log out quiet clients after 30 minutes (RFC 3501 5.4): past
 * this, fetch sends NOOP first and reconnects quietly if it fails. */
#define QUIET_MAX_USEC (G_USEC_PER_SEC * 10 * 60)

struct imap_source {
	struct md_source base;
	char *host;
	guint16 port;
	bool tls;		/* imaps:// */
	char *mailbox;		/* percent-decoded */
	char *name;		/* scheme://host:port/mailbox: messages */

	mailimap *imap;		/* NULL when not connected */
	bool has_move, has_uidplus, has_idle;
	bool idle_ready;	/* mailstream_setup_idle done */
	bool idling;
	gint64 last_used;	/* monotonic usec of the last command */
	guint32 uidvalidity;	/* of the previous session, 0 if none */
	guint32 next_uid;	/* fetch cursor: UIDs below are handed out */
	GHashTable *handed;	/* UIDs fetched in this session, not acked */
	guint32 exists_before;	/* sel_exists before the last command */
	bool announced;		/* EXISTS seen since the last search */

	/* auth = "oauth2".  Tokens expire on the provider's clock, not on
	 * --now: the clock is the real one. */
	struct md_clock clock;
	struct md_oauth *oauth;	/* NULL for password logins */
};

static const char *
code_text(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return "connection lost or timed out";
	case MAILIMAP_ERROR_PARSE:
		return "unparsable reply";
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return "connection refused";
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
		return "server refuses the connection";
	case MAILIMAP_ERROR_LOGIN:
	case MAILIMAP_ERROR_SASL:
		return "login refused";
	case MAILIMAP_ERROR_SSL:
	case MAILIMAP_ERROR_STARTTLS:
		return "TLS handshake failed";
	case MAILIMAP_ERROR_MEMORY:
		return "out of memory";
	default:
		return "command refused";
	}
}

/* Drops the session without a word to the server: after a failure the
 * stream may be anywhere in a reply. */
static void
drop(struct imap_source *s)
{
	g_clear_pointer(&s->imap, mailimap_free);
	s->idle_ready = false;
	s->idling = false;
	g_hash_table_remove_all(s->handed);
}

/* The class of libetpan's R for WHAT, given the server's words TEXT: a
 * NO to LOGIN or SELECT is final, unless the server says it is busy
 * (RFC 5530's UNAVAILABLE, INUSE, LIMIT; libetpan drops the bracketed
 * code from the text, Dovecot's words stay: "Temporary authentication
 * failure"). */
static enum md_error_code
classify(const char *what, int r, const char *text)
{
	char *low = text != NULL ? g_ascii_strdown(text, -1) : NULL;
	bool busy = low != NULL && (strstr(low, "unavailable") ||
				    strstr(low, "temporar") ||
				    strstr(low, "in use") ||
				    strstr(low, "try again"));

	g_free(low);

	if (busy)
		return MD_ERROR_TEMP;
	if (r == MAILIMAP_ERROR_LOGIN || r == MAILIMAP_ERROR_SASL)
		return MD_ERROR_CONFIG;
	if (r == MAILIMAP_ERROR_SELECT && strcmp(what, "SELECT") == 0)
		return MD_ERROR_CONFIG;
	return MD_ERROR_TEMP;
}

/* Fails the current operation WHAT after libetpan returned R: drops the
 * session and sets an error naming the URL and quoting the server, never
 * the password; TEMP or CONFIG by classify.  The libetpan code goes to
 * the debug log; the daemon logs the error once. */
static bool
fail(struct imap_source *s, const char *what, int r, GError **error)
{
	char *text = s->imap != NULL && s->imap->imap_response != NULL
		? g_strdup(s->imap->imap_response) : NULL;
	enum md_error_code code = classify(what, r, text);

	md_log_debug("%s: %s: libetpan error %d", s->name, what, r);
	drop(s);
	if (text != NULL)
		g_strstrip(text);
	g_set_error(error, MD_ERROR, code, "%s: %s during %s%s%s%s", s->name,
		    r == MAILIMAP_ERROR_SELECT && code == MD_ERROR_CONFIG
		    ? "mailbox refused" : code_text(r), what,
		    text != NULL && text[0] ? " (server: \"" : "",
		    text != NULL ? text : "", text != NULL && text[0] ? "\")"
		    : "");
	g_free(text);
	return false;
}

static void
exists_begin(struct imap_source *s)
{
	s->imap->imap_selection_info->sel_has_exists = 0;
	s->exists_before = s->imap->imap_selection_info->sel_exists;
}

/* A message that lands while another command runs is announced in that
 * command's reply and not again in the next IDLE (test-servers.md): note
 * it, so that wait_begin asks for one more look instead of idling.  A
 * repeated EXISTS with an unchanged count is no news. */
static void
exists_end(struct imap_source *s)
{
	struct mailimap_selection_info *sel;

	s->last_used = g_get_monotonic_time();
	if (s->imap == NULL)
		return;
	sel = s->imap->imap_selection_info;
	if (sel->sel_has_exists && sel->sel_exists != s->exists_before)
		s->announced = true;
}

static bool
parse_url(struct imap_source *s, const char *url, GError **error)
{
	const char *rest, *slash, *colon;
	char *authority = NULL;
	const char *path;
	guint64 port;
	bool ok = false;

	if (g_str_has_prefix(url, "imaps://")) {
		s->tls = true;
		s->port = 993;
		rest = url + strlen("imaps://");
	} else if (g_str_has_prefix(url, "imap://")) {
		s->port = 143;
		rest = url + strlen("imap://");
	} else {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: not an imap:// or imaps:// URL", url);
		goto out;
	}
	slash = strchr(rest, '/');
	authority = slash ? g_strndup(rest, slash - rest) : g_strdup(rest);
	path = slash && slash[1] != '\0' ? slash + 1 : "INBOX";
	/* The password must stay out of logs: it lives in password_file. */
	if (strchr(authority, '@') != NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "inbound url: put the user in 'user' and the "
			    "password in 'password_file', not in the URL");
		goto out;
	}
	if (authority[0] == '[') {
		char *end = strchr(authority, ']');

		if (end == NULL)
			goto bad;
		s->host = g_strndup(authority + 1, end - authority - 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			goto bad;
	} else {
		colon = strrchr(authority, ':');
		s->host = colon ? g_strndup(authority, colon - authority)
				: g_strdup(authority);
	}
	if (s->host[0] == '\0')
		goto bad;
	if (colon != NULL) {
		if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535,
						&port, NULL))
			goto bad;
		s->port = port;
	}
	s->mailbox = g_uri_unescape_string(path, NULL);
	if (s->mailbox == NULL || s->mailbox[0] == '\0')
		goto bad;
	s->name = g_strdup_printf("%s://%s%s%s:%u/%s",
				  s->tls ? "imaps" : "imap",
				  authority[0] == '[' ? "[" : "", s->host,
				  authority[0] == '[' ? "]" : "",
				  (unsigned)s->port, path);
	ok = true;
	goto out;
bad:
	g_set_error(error, MD_ERROR, MD_ERROR_CONFIG, "%s: malformed URL",
		    url);
out:
	g_free(authority);
	return ok;
}

static bool
cert_error(struct imap_source *s, const char *reason, GError **error)
{
	drop(s);
	g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
		    "%s: certificate verification failed: %s", s->name,
		    reason);
	return false;
}

/* Verifies the server's chain against the system trust store plus
 * tls_ca_file and the host name of the URL (an IP address works too). */
static bool
verify_peer(struct imap_source *s, GError **error)
{
	const struct md_inbound_conf *conf = s->base.conf;
	carray *chain = NULL;
	gnutls_x509_crt_t *crts = NULL;
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_typed_vdata_st vdata;
	gnutls_datum_t text = { NULL, 0 };
	unsigned int n = 0, count, status = 0;
	char *reason = NULL;
	int r;

	chain = mailstream_get_certificate_chain(s->imap->imap_stream);
	count = chain ? carray_count(chain) : 0;
	if (count == 0) {
		reason = g_strdup("the server sent no certificate");
		goto out;
	}
	crts = g_new0(gnutls_x509_crt_t, count);
	for (n = 0; n < count; n++) {
		MMAPString *der = carray_get(chain, n);
		gnutls_datum_t d = { (unsigned char *)der->str, der->len };

		gnutls_x509_crt_init(&crts[n]);
		r = gnutls_x509_crt_import(crts[n], &d, GNUTLS_X509_FMT_DER);
		if (r < 0) {
			reason = g_strdup(gnutls_strerror(r));
			n++;
			goto out;
		}
	}
	gnutls_x509_trust_list_init(&tl, 0);
	r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (r < 0)
		md_log_debug("%s: no system trust store: %s", s->name,
			     gnutls_strerror(r));
	if (conf->tls_ca_file != NULL) {
		r = gnutls_x509_trust_list_add_trust_file(tl,
			conf->tls_ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0) {
			reason = g_strdup_printf("%s: %s", conf->tls_ca_file,
				r < 0 ? gnutls_strerror(r) : "no certificate");
			goto out;
		}
	}
	vdata.type = GNUTLS_DT_DNS_HOSTNAME;
	vdata.data = (unsigned char *)s->host;
	vdata.size = strlen(s->host);
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, count, &vdata, 1, 0,
					       &status, NULL);
	if (r < 0) {
		reason = g_strdup(gnutls_strerror(r));
	} else if (status != 0) {
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &text, 0) == 0)
			reason = g_strstrip(g_strdup((char *)text.data));
		else
			reason = g_strdup_printf("status %#x", status);
	}
out:
	gnutls_free(text.data);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	while (n > 0)
		gnutls_x509_crt_deinit(crts[--n]);
	g_free(crts);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	if (reason == NULL)
		return true;
	if (!conf->tls_verify) {
		md_log_warn("%s: tls_verify = false: accepting a certificate "
			    "that fails verification (%s); the connection "
			    "is NOT protected against interception",
			    s->name, reason);
		g_free(reason);
		return true;
	}
	cert_error(s, reason, error);
	g_free(reason);
	return false;
}

static bool
has_starttls(struct imap_source *s, GError **error)
{
	struct mailimap_capability_data *cap = NULL;
	int r;

	/* The greeting usually carries the list; ask only if it did not. */
	if (s->imap->imap_connection_info == NULL ||
	    s->imap->imap_connection_info->imap_capability == NULL) {
		r = mailimap_capability(s->imap, &cap);
		if (r != MAILIMAP_NO_ERROR)
			return fail(s, "CAPABILITY", r, error);
		mailimap_capability_data_free(cap);
	}
	if (mailimap_has_extension(s->imap, "STARTTLS"))
		return true;
	drop(s);
	g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
		    "%s: the server does not offer STARTTLS; refusing to "
		    "send the password in clear (set starttls = false to "
		    "allow it)", s->name);
	return false;
}

static bool
open_stream(struct imap_source *s, GError **error)
{
	const struct md_inbound_conf *conf = s->base.conf;
	int r;

	s->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(s->imap, conf->timeout);
	if (s->tls)
		r = mailimap_ssl_connect(s->imap, s->host, s->port);
	else
		r = mailimap_socket_connect(s->imap, s->host, s->port);
	/* Success is NO_ERROR_AUTHENTICATED or _NON_AUTHENTICATED, not 0. */
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return fail(s, "connect", r, error);
	if (!s->tls && conf->starttls) {
		if (!has_starttls(s, error))
			return false;
		r = mailimap_socket_starttls(s->imap);
		if (r != MAILIMAP_NO_ERROR)
			return fail(s, "STARTTLS", r, error);
	}
	if (s->tls || conf->starttls)
		return verify_peer(s, error);
	return true;
}

/* AUTHENTICATE XOAUTH2 (Microsoft 365, Gmail) with a token from the
 * manager.  A refused token (expired early, revoked) gets one new token
 * and one more try on a new connection, never more. */
static bool
oauth_login(struct imap_source *s, GError **error)
{
	const struct md_inbound_conf *conf = s->base.conf;
	struct mailimap_capability_data *cap = NULL;
	char *token = NULL, *refused = NULL;
	bool ok = false;
	int r = MAILIMAP_ERROR_LOGIN;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt > 0) {
			md_log_info("%s: XOAUTH2 token refused; trying once "
				    "more with a new one", s->name);
			drop(s);
			if (!open_stream(s, error))
				goto out;
		}
		/* The list from before STARTTLS is not to be trusted
		 * (RFC 3501 6.2.1): ask now. */
		r = mailimap_capability(s->imap, &cap);
		if (r != MAILIMAP_NO_ERROR) {
			fail(s, "CAPABILITY", r, error);
			goto out;
		}
		mailimap_capability_data_free(cap);
		if (!mailimap_has_xoauth2(s->imap)) {
			drop(s);
			g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
				    "%s: the server does not offer "
				    "AUTH=XOAUTH2; needs attention: check the "
				    "url (Microsoft 365: outlook.office365.com,"
				    " Gmail: imap.gmail.com) or use auth = "
				    "\"password\"", s->name);
			goto out;
		}
		if (!md_oauth_access_token(s->oauth, refused, &token, error)) {
			drop(s);
			goto out;
		}
		r = mailimap_oauth2_authenticate(s->imap, conf->user, token);
		if (r == MAILIMAP_NO_ERROR) {
			ok = true;
			goto out;
		}
		if (r != MAILIMAP_ERROR_LOGIN)
			break;
		g_free(refused);
		refused = g_steal_pointer(&token);
	}
	/* A new token refused too: the mailbox or the application lacks a
	 * permission (final, parked), unless the server says it is busy. */
	fail(s, "AUTHENTICATE XOAUTH2", r, error);
	if (r == MAILIMAP_ERROR_LOGIN && error != NULL && *error != NULL &&
	    (*error)->code == MD_ERROR_CONFIG) {
		char *m = g_strdup_printf("%s, even with a new token: check "
					  "that IMAP is enabled for %s and "
					  "that the application has its "
					  "permission", (*error)->message,
					  conf->user);

		g_free((*error)->message);
		(*error)->message = m;
	}
out:
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	if (refused != NULL)
		explicit_bzero(refused, strlen(refused));
	g_free(token);
	g_free(refused);
	return ok;
}

static bool
login(struct imap_source *s, GError **error)
{
	const struct md_inbound_conf *conf = s->base.conf;
	struct mailimap_capability_data *cap = NULL;
	int r;

	if (s->imap->imap_state == MAILIMAP_STATE_NON_AUTHENTICATED &&
	    s->oauth != NULL) {
		if (!oauth_login(s, error))
			return false;
	} else if (s->imap->imap_state == MAILIMAP_STATE_NON_AUTHENTICATED) {
		if (conf->auth != NULL && g_ascii_strcasecmp(conf->auth,
							     "plain") == 0)
			r = mailimap_authenticate(s->imap, "PLAIN", s->host,
				NULL, NULL, conf->user, conf->user,
				conf->password, NULL);
		else
			r = mailimap_login(s->imap, conf->user,
					   conf->password);
		if (r != MAILIMAP_NO_ERROR)
			return fail(s, conf->auth && g_ascii_strcasecmp(
				conf->auth, "plain") == 0 ?
				"AUTHENTICATE PLAIN" : "LOGIN", r, error);
	}
	/* The pre-login list lacks MOVE on Dovecot and may lack more
	 * elsewhere: ask again now that we are in. */
	r = mailimap_capability(s->imap, &cap);
	if (r != MAILIMAP_NO_ERROR)
		return fail(s, "CAPABILITY", r, error);
	mailimap_capability_data_free(cap);
	s->has_move = mailimap_has_extension(s->imap, "MOVE");
	s->has_uidplus = mailimap_has_uidplus(s->imap);
	s->has_idle = mailimap_has_idle(s->imap);
	return true;
}

/* Creates done_folder unless LIST shows it. */
static bool
ensure_done_folder(struct imap_source *s, GError **error)
{
	const char *done = s->base.conf->done_folder;
	clist *list = NULL;
	bool found;
	int r;

	r = mailimap_list(s->imap, "", done, &list);
	if (r != MAILIMAP_NO_ERROR)
		return fail(s, "LIST", r, error);
	found = list != NULL && clist_count(list) > 0;
	if (list != NULL)
		mailimap_list_result_free(list);
	if (found)
		return true;
	r = mailimap_create(s->imap, done);
	/* A NO here (created meanwhile, or not allowed) shows up again
	 * at the first MOVE, with the folder's name. */
	if (r != MAILIMAP_NO_ERROR && r != MAILIMAP_ERROR_CREATE)
		return fail(s, "CREATE", r, error);
	if (r == MAILIMAP_NO_ERROR)
		md_log_info("%s: created folder %s", s->name, done);
	return true;
}

static bool
connect_session(struct imap_source *s, GError **error)
{
	guint32 validity;
	int r;

	if (!open_stream(s, error) || !login(s, error))
		return false;
	if (s->base.conf->after == MD_AFTER_MOVE &&
	    !ensure_done_folder(s, error))
		return false;
	r = mailimap_select(s->imap, s->mailbox);
	if (r != MAILIMAP_NO_ERROR)
		return fail(s, "SELECT", r, error);
	validity = s->imap->imap_selection_info->sel_uidvalidity;
	if (s->uidvalidity != 0 && validity != s->uidvalidity)
		md_log_info("%s: UIDVALIDITY changed (%u to %u): reading the "
			    "mailbox again", s->name, s->uidvalidity,
			    validity);
	s->uidvalidity = validity;
	s->next_uid = 1;
	s->announced = false;
	s->last_used = g_get_monotonic_time();
	/* One line a connection: the admin sees reconnections. */
	md_log_info("%s: connected%s%s%s", s->name,
		    s->has_move ? ", MOVE" : "",
		    s->has_uidplus ? ", UIDPLUS" : "",
		    s->has_idle && s->base.conf->idle ? ", waiting with IDLE"
		    : ", polling");
	return true;
}

/* Makes sure a usable session exists: after a long quiet time the server
 * may have logged us out, which is no failure worth a backoff. */
static bool
end_idle(struct imap_source *s, GError **error)
{
	int r;

	if (s->imap == NULL || !s->idling)
		return true;
	s->idling = false;
	r = mailimap_idle_done(s->imap);
	s->last_used = g_get_monotonic_time();
	if (r != MAILIMAP_NO_ERROR)
		return fail(s, "IDLE", r, error);
	return true;
}

static bool
ensure_session(struct imap_source *s, GError **error)
{
	int r;

	if (!end_idle(s, error))
		return false;
	if (s->imap != NULL &&
	    g_get_monotonic_time() - s->last_used > QUIET_MAX_USEC) {
		r = mailimap_noop(s->imap);
		if (r != MAILIMAP_NO_ERROR) {
			md_log_debug("%s: NOOP after a quiet time: %d",
				     s->name, r);
			drop(s);
		}
	}
	if (s->imap != NULL)
		return true;
	return connect_session(s, error);
}

static struct mailimap_search_key *
flag_key(int type)
{
	return mailimap_search_key_new(type, NULL, NULL, NULL, NULL, NULL,
				       NULL, NULL, NULL, NULL, NULL, NULL,
				       NULL, NULL, NULL, 0, NULL, NULL, NULL,
				       NULL, NULL, NULL, 0, NULL, NULL, NULL);
}

static gint
cmp_uid(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

/* Appends to UIDS, ascending, the UIDs at or above the cursor still to be
 * processed: all undeleted ones for after = move, the unseen ones for
 * after = seen.  (\Deleted ones were copied to done_folder already, by us
 * when EXPUNGE failed, or deleted by someone.) */
static bool
search(struct imap_source *s, GArray *uids, GError **error)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	clistiter *cur;
	int r;

	key = mailimap_search_key_new_multiple_empty();
	mailimap_search_key_multiple_add(key, mailimap_search_key_new_uid(
		mailimap_set_new_interval(s->next_uid, 0)));
	mailimap_search_key_multiple_add(key,
		flag_key(MAILIMAP_SEARCH_KEY_UNDELETED));
	if (s->base.conf->after == MD_AFTER_SEEN)
		mailimap_search_key_multiple_add(key,
			flag_key(MAILIMAP_SEARCH_KEY_UNSEEN));
	s->announced = false;
	exists_begin(s);
	r = mailimap_uid_search(s->imap, NULL, key, &result);
	mailimap_search_key_free(key);
	exists_end(s);
	if (r != MAILIMAP_NO_ERROR)
		return fail(s, "SEARCH", r, error);
	for (cur = clist_begin(result); cur != NULL; cur = clist_next(cur)) {
		guint32 uid = *(uint32_t *)clist_content(cur);

		/* "UID n:*" matches the last message even when its UID
		 * is below n (RFC 3501 6.4.8). */
		if (uid >= s->next_uid)
			g_array_append_val(uids, uid);
	}
	mailimap_search_result_free(result);
	g_array_sort(uids, cmp_uid);
	return true;
}

/* Reads the UID and BODY[] of one FETCH reply; false if either lacks,
 * as in an unsolicited FETCH announcing a flag change. */
static bool
msg_att_parts(struct mailimap_msg_att *att, guint32 *uid_r,
	      const char **body_r, size_t *len_r)
{
	clistiter *cur;

	*uid_r = 0;
	*body_r = NULL;
	*len_r = 0;
	for (cur = clist_begin(att->att_list); cur; cur = clist_next(cur)) {
		struct mailimap_msg_att_item *item = clist_content(cur);
		struct mailimap_msg_att_static *st;

		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
			continue;
		st = item->att_data.att_static;
		if (st->att_type == MAILIMAP_MSG_ATT_UID) {
			*uid_r = st->att_data.att_uid;
		} else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION) {
			*body_r = st->att_data.att_body_section->sec_body_part;
			*len_r = st->att_data.att_body_section->sec_length;
			if (*body_r == NULL)
				*body_r = "";
		}
	}
	return *uid_r != 0 && *body_r != NULL;
}

static gint
cmp_item(gconstpointer a, gconstpointer b)
{
	const struct md_source_item *x = *(struct md_source_item *const *)a;
	const struct md_source_item *y = *(struct md_source_item *const *)b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* UID FETCH of the N first UIDS into BATCH, in UID order. */
static bool
fetch_uids(struct imap_source *s, const GArray *uids, guint n,
	   GPtrArray *batch, GError **error)
{
	struct mailimap_set *set;
	struct mailimap_fetch_type *type;
	GHashTable *wanted = g_hash_table_new(NULL, NULL);
	GPtrArray *got = g_ptr_array_new();
	clist *list = NULL;
	clistiter *cur;
	bool ok = false;
	guint i;
	int r;

	set = mailimap_set_new_empty();
	for (i = 0; i < n; i++) {
		guint32 uid = g_array_index(uids, guint32, i);

		mailimap_set_add_single(set, uid);
		g_hash_table_add(wanted, GUINT_TO_POINTER(uid));
	}
	type = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(type,
		mailimap_fetch_att_new_uid());
	/* PEEK: \Seen is ours to set, in ack, after the commit. */
	mailimap_fetch_type_new_fetch_att_list_add(type,
		mailimap_fetch_att_new_body_peek_section(
			mailimap_section_new(NULL)));
	exists_begin(s);
	r = mailimap_uid_fetch(s->imap, set, type, &list);
	mailimap_fetch_type_free(type);
	mailimap_set_free(set);
	exists_end(s);
	if (r != MAILIMAP_NO_ERROR) {
		fail(s, "FETCH", r, error);
		goto out;
	}
	for (cur = clist_begin(list); cur != NULL; cur = clist_next(cur)) {
		guint32 uid;
		const char *body;
		size_t len;
		char key[16];

		if (!msg_att_parts(clist_content(cur), &uid, &body, &len) ||
		    !g_hash_table_remove(wanted, GUINT_TO_POINTER(uid)))
			continue;
		g_snprintf(key, sizeof key, "%u", uid);
		g_ptr_array_add(got, md_source_item_new(key, uid,
			g_bytes_new(body, len)));
		g_hash_table_add(s->handed, GUINT_TO_POINTER(uid));
	}
	/* Each body now lives twice: let libetpan's copy go at once. */
	g_clear_pointer(&list, mailimap_fetch_list_free);
	g_ptr_array_sort(got, cmp_item);
	for (i = 0; i < got->len; i++)
		g_ptr_array_add(batch, got->pdata[i]);
	g_ptr_array_set_size(got, 0);
	/* UIDs the search found and FETCH did not return were expunged
	 * meanwhile by someone else: nothing to take. */
	s->next_uid = g_array_index(uids, guint32, n - 1) + 1;
	ok = true;
out:
	if (list != NULL)
		mailimap_fetch_list_free(list);
	g_ptr_array_set_free_func(got, md_source_item_free);
	g_ptr_array_free(got, true);
	g_hash_table_destroy(wanted);
	return ok;
}

static bool
imap_fetch(struct md_source *src, guint max, GPtrArray *batch,
	   GError **error)
{
	struct imap_source *s = (struct imap_source *)src;
	GArray *uids = g_array_new(false, false, sizeof(guint32));
	bool ok = false;

	if (max == 0)
		max = src->conf->batch_size > 0 ? src->conf->batch_size : 200;
	if (!ensure_session(s, error) || !search(s, uids, error))
		goto out;
	if (uids->len == 0) {
		ok = true;
		goto out;
	}
	ok = fetch_uids(s, uids, MIN(max, uids->len), batch, error);
out:
	g_array_free(uids, true);
	return ok;
}

/* COPY, then \Deleted, then UID EXPUNGE of just these UIDs (plain EXPUNGE
 * would also remove others' \Deleted mail, so it is the last resort). */
static int
copy_delete(struct imap_source *s, struct mailimap_set *set,
	    const char **what_r)
{
	struct mailimap_flag_list *fl;
	struct mailimap_store_att_flags *sf;
	int r;

	*what_r = "COPY";
	r = mailimap_uid_copy(s->imap, set, s->base.conf->done_folder);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	*what_r = "STORE";
	fl = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	r = mailimap_uid_store(s->imap, set, sf);
	mailimap_store_att_flags_free(sf);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	*what_r = "EXPUNGE";
	if (s->has_uidplus)
		return mailimap_uid_expunge(s->imap, set);
	return mailimap_expunge(s->imap);
}

static int
flag_seen(struct imap_source *s, struct mailimap_set *set)
{
	struct mailimap_flag_list *fl;
	struct mailimap_store_att_flags *sf;
	int r;

	fl = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(fl, mailimap_flag_new_seen());
	sf = mailimap_store_att_flags_new_add_flags_silent(fl);
	r = mailimap_uid_store(s->imap, set, sf);
	mailimap_store_att_flags_free(sf);
	return r;
}

static bool
imap_ack(struct md_source *src, GPtrArray *items, GError **error)
{
	struct imap_source *s = (struct imap_source *)src;
	struct mailimap_set *set = NULL;
	const char *what;
	guint i, n = 0;
	bool ok = false;
	int r;

	if (s->imap == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_TEMP,
			    "%s: not connected; the messages are read again "
			    "at the next connection", s->name);
		return false;
	}
	if (!end_idle(s, error))
		return false;
	set = mailimap_set_new_empty();
	for (i = 0; i < items->len; i++) {
		struct md_source_item *item = items->pdata[i];

		/* Only UIDs of this session: after a reconnection a UID
		 * may name another message (UIDVALIDITY). */
		if (g_hash_table_contains(s->handed,
					  GUINT_TO_POINTER(item->uid))) {
			mailimap_set_add_single(set, item->uid);
			n++;
		} else {
			md_log_debug("%s: UID %u is from an earlier "
				     "connection: read again, not acked now",
				     s->name, item->uid);
		}
	}
	if (n == 0) {
		ok = true;
		goto out;
	}
	exists_begin(s);
	if (src->conf->after == MD_AFTER_SEEN) {
		what = "STORE";
		r = flag_seen(s, set);
	} else if (s->has_move) {
		what = "MOVE";
		r = mailimap_uid_move(s->imap, set, src->conf->done_folder);
	} else {
		r = copy_delete(s, set, &what);
	}
	exists_end(s);
	if (r != MAILIMAP_NO_ERROR) {
		fail(s, what, r, error);
		goto out;
	}
	for (i = 0; i < items->len; i++) {
		struct md_source_item *item = items->pdata[i];

		g_hash_table_remove(s->handed, GUINT_TO_POINTER(item->uid));
	}
	ok = true;
out:
	if (set != NULL)
		mailimap_set_free(set);
	return ok;
}

static bool
imap_wait_begin(struct md_source *src, int *fd_r, guint *timeout_r,
		GError **error)
{
	struct imap_source *s = (struct imap_source *)src;
	const struct md_inbound_conf *conf = src->conf;
	guint poll = conf->poll_interval > 0 ? conf->poll_interval : 60;
	int r;

	*fd_r = -1;
	*timeout_r = 0;
	/* Not connected: look now; fetch connects, the daemon backs off
	 * if that fails. */
	if (s->imap == NULL)
		return true;
	/* A message the pipeline could not store (and so did not ack)
	 * stays behind the cursor: each round after a wait looks again. */
	s->next_uid = 1;
	if (s->announced)
		return true;
	if (!conf->idle || !s->has_idle) {
		*timeout_r = poll;
		return true;
	}
	/* Bytes already buffered never make the fd readable. */
	if (s->imap->imap_stream->read_buffer_len > 0)
		return true;
	if (!s->idle_ready) {
		if (mailstream_setup_idle(s->imap->imap_stream) < 0)
			return fail(s, "IDLE setup", MAILIMAP_ERROR_MEMORY,
				    error);
		s->idle_ready = true;
	}
	r = mailimap_idle(s->imap);
	if (r != MAILIMAP_NO_ERROR)
		return fail(s, "IDLE", r, error);
	s->idling = true;
	*fd_r = mailimap_idle_get_fd(s->imap);
	*timeout_r = MIN(poll, IDLE_MAX_SECONDS);
	return true;
}

static bool
imap_wait_end(struct md_source *src, GError **error)
{
	return end_idle((struct imap_source *)src, error);
}

static void
imap_free(struct md_source *src)
{
	struct imap_source *s = (struct imap_source *)src;

	if (s->imap != NULL) {
		/* Best effort: the server may be gone already. */
		if (s->idling)
			mailimap_idle_done(s->imap);
		mailimap_logout(s->imap);
	}
	drop(s);
	md_oauth_free(s->oauth);
	g_hash_table_destroy(s->handed);
	g_free(s->host);
	g_free(s->mailbox);
	g_free(s->name);
	g_free(s);
}

static const struct md_source_ops imap_ops = {
	.name = "imap",
	.fetch = imap_fetch,
	.ack = imap_ack,
	.wait_begin = imap_wait_begin,
	.wait_end = imap_wait_end,
	.free = imap_free,
};

bool
md_source_imap_open(const struct md_inbound_conf *conf,
		    struct md_source **src_r, GError **error)
{
	struct imap_source *s = g_new0(struct imap_source, 1);

	s->base.ops = &imap_ops;
	s->base.conf = conf;
	s->handed = g_hash_table_new(NULL, NULL);
	*src_r = NULL;
	if (!parse_url(s, conf->url != NULL ? conf->url : "", error))
		goto fail;
	if (conf->oauth) {
		/* A bearer token is as good as a password for an hour. */
		if (!s->tls && !conf->starttls) {
			g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
				    "%s: auth = \"oauth2\" needs imaps:// or "
				    "starttls = true", s->name);
			goto fail;
		}
		md_clock_init_real(&s->clock);
		s->oauth = md_oauth_new(&conf->oauth2, conf->user != NULL ?
					conf->user : s->name, &s->clock);
	}
	if (conf->user == NULL || (conf->password == NULL && !conf->oauth)) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: 'user' and 'password_file' are required",
			    s->name);
		goto fail;
	}
	if (conf->after == MD_AFTER_MOVE && (conf->done_folder == NULL ||
					     conf->done_folder[0] == '\0')) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: after = move needs a done_folder", s->name);
		goto fail;
	}
	if (conf->after == MD_AFTER_DELETE) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG,
			    "%s: after = delete is for maildir sources; use "
			    "move or seen", s->name);
		goto fail;
	}
	*src_r = &s->base;
	return true;
fail:
	imap_free(&s->base);
	return false;
}
