/* oauth.h: access tokens for SASL XOAUTH2 (Microsoft 365, Gmail; issue 11).
 *
 * One token manager per account (the oauth2 group of an IMAP source or of
 * the SMTP transport).  Its state lives in token_file, not in memory, so
 * that the daemon, `maildesk send` and `maildesk oauth login` share it: a
 * lock file beside it ("TOKEN_FILE.lock", flock) serialises refreshes,
 * and every write is atomic and durable (temporary file, fsync, rename,
 * fsync of the directory).  A rotated refresh token is written before the
 * new access token is handed out, so a crash at any point leaves a
 * refresh token that works.
 *
 * Only this module talks to the token endpoint (libcurl).  Tokens and
 * secrets never appear in its errors; the callers log errors as they are.
 *
 * Errors: MD_ERROR_TEMP (endpoint down, slow, 5xx, garbage: retry later;
 * the manager itself refuses to call the endpoint again before a capped
 * backoff), MD_ERROR_CONFIG (no token yet, invalid_grant, a client the
 * provider refuses: a person must act; the message says what to run).
 */
#ifndef MD_OAUTH_H
#define MD_OAUTH_H

#include <glib.h>
#include <stdbool.h>

struct md_clock;
struct md_oauth_conf;

/* What token_file holds.  Strings are owned (md_oauth_token_clear). */
struct md_oauth_token {
	char *refresh_token;	/* NULL for client_credentials */
	char *access_token;	/* NULL if none yet */
	gint64 expires_at;	/* unix s; 0 if no access token */
	gint64 refresh_at;	/* unix s: 80 % of its lifetime */
	gint64 last_refresh;	/* unix s of the last token obtained, 0 */
	char *last_error;	/* of the last failed refresh, or NULL */
	gint64 last_error_at;
	/* invalid_grant was answered: only `maildesk oauth login` (which
	 * writes a new file) clears it; no request is made meanwhile. */
	bool needs_login;
};

void md_oauth_token_clear(struct md_oauth_token *t);

/* Pure parts (unit-tested) ------------------------------------------- */

/* What a token (or device authorization) endpoint answered. */
enum md_oauth_answer {
	MD_OAUTH_OK,
	MD_OAUTH_PENDING,	/* RFC 8628 authorization_pending */
	MD_OAUTH_SLOW_DOWN,	/* RFC 8628 slow_down: interval + 5 s */
	MD_OAUTH_EXPIRED,	/* RFC 8628 expired_token: start again */
	MD_OAUTH_DENIED,	/* access_denied: the person said no */
	MD_OAUTH_INVALID_GRANT,	/* refresh token revoked or expired */
	MD_OAUTH_REFUSED,	/* any other error: the client's setup */
	MD_OAUTH_TEMP,		/* 5xx, no JSON: try again later */
};

/* When a token that lives EXPIRES_IN s from NOW is refreshed: at 80 % of
 * its lifetime (at least 1 s from NOW when EXPIRES_IN > 0). */
gint64 md_oauth_refresh_at(gint64 now, gint64 expires_in);

/* True if T has an access token not yet due for refresh at NOW. */
bool md_oauth_token_fresh(const struct md_oauth_token *t, gint64 now);

/* Seconds to wait after FAILURES consecutive failures of the endpoint:
 * 5, 10, 20 ... capped at 300. */
guint md_oauth_backoff(guint failures);

/* Classifies the reply of a token endpoint (HTTP STATUS, BODY of LEN
 * bytes) received at NOW.  On MD_OAUTH_OK, T gets the new access token,
 * its times, and the new refresh token if one came (rotation), and its
 * error is cleared.  Otherwise *DETAIL_R (g_free) is the provider's
 * error code and description, made printable, for messages. */
enum md_oauth_answer md_oauth_parse_reply(long status, const char *body,
					  gsize len, gint64 now,
					  struct md_oauth_token *t,
					  char **detail_r);

/* The token file's text for T, and back.  Parse: MD_ERROR_CONFIG. */
char *md_oauth_token_format(const struct md_oauth_token *t);
bool md_oauth_token_parse(const char *text, gsize len,
			  struct md_oauth_token *t, GError **error);

/* A token for debug logs: its first 4 characters, then "...". */
char *md_oauth_redact(const char *token);

/* The token file ------------------------------------------------------ */

/* Reads PATH into T; *EXISTS_R false (T empty) if there is no such file.
 * A file that group or others may read is refused (MD_ERROR_CONFIG). */
bool md_oauth_token_load(const char *path, struct md_oauth_token *t,
			 bool *exists_r, GError **error);
/* Writes T to PATH, mode 0600, atomically and durably; MD_ERROR_IO. */
bool md_oauth_token_save(const char *path, const struct md_oauth_token *t,
			 GError **error);

/* The manager --------------------------------------------------------- */

struct md_oauth;

/* CONF and CLOCK are borrowed and must outlive the manager.  NAME is what
 * an admin types after `maildesk oauth login` (copied). */
struct md_oauth *md_oauth_new(const struct md_oauth_conf *conf,
			      const char *name, const struct md_clock *clock);
/* Accepts NULL. */
void md_oauth_free(struct md_oauth *o);

/* *TOKEN_R (g_free) is an access token to use now: the stored one while
 * fresh, else a new one from the endpoint (stored first).  REFUSED, if
 * not NULL, is a token the server has just refused (the server's
 * "expired" answer): a new one is fetched unless the file already holds
 * another.  Callers ask again at most once after a refusal, never in a
 * loop. */
bool md_oauth_access_token(struct md_oauth *o, const char *refused,
			   char **token_r, GError **error);

/* RFC 8628, for `maildesk oauth login`.  Strings owned. */
struct md_oauth_device {
	char *device_code;
	char *user_code;
	char *verification_uri;
	char *message;		/* the provider's instructions, or NULL */
	gint64 expires_at;	/* unix s */
	guint interval;		/* s between polls */
};

void md_oauth_device_clear(struct md_oauth_device *dev);
/* Parses the device authorization answer (pure; at NOW). */
bool md_oauth_device_parse(long status, const char *body, gsize len,
			   gint64 now, struct md_oauth_device *dev,
			   GError **error);
/* Asks the device authorization endpoint for a code. */
bool md_oauth_device_start(struct md_oauth *o, struct md_oauth_device *dev,
			   GError **error);
/* Polls the token endpoint once.  MD_OAUTH_OK: the tokens are stored in
 * token_file (needs_login cleared).  PENDING and SLOW_DOWN (DEV's
 * interval raised by 5 s) mean poll again after dev->interval; the others
 * end the login with *ERROR set. */
bool md_oauth_device_poll(struct md_oauth *o, struct md_oauth_device *dev,
			  enum md_oauth_answer *answer_r, GError **error);

/* RFC 6749 4.1 with PKCE (RFC 7636, S256), for providers whose device
 * flow refuses the mail scope (Google): a person opens URL, consents,
 * and the browser goes to REDIRECT_URI (a loopback address nothing
 * needs to listen on), whose address, pasted back, carries the code.
 * Strings owned. */
struct md_oauth_code {
	char *verifier;		/* PKCE code_verifier */
	char *state;
	char *redirect_uri;
	char *url;		/* to open in a browser */
};

void md_oauth_code_clear(struct md_oauth_code *c);
/* The PKCE challenge of VERIFIER: base64url(SHA-256), no padding
 * (pure; g_free). */
char *md_oauth_pkce_challenge(const char *verifier);
/* The code in PASTED, the address the browser was sent to (or its query
 * alone), if its state is STATE (pure; *CODE_R g_free).  MD_ERROR_USAGE
 * for a wrong paste, MD_ERROR_CONFIG when the provider said error=. */
bool md_oauth_code_from_redirect(const char *pasted, const char *state,
				 char **code_r, GError **error);
/* Builds the authorization URL (needs auth_url). */
bool md_oauth_code_start(struct md_oauth *o, struct md_oauth_code *c,
			 GError **error);
/* Exchanges the code found in PASTED for tokens and stores them. */
bool md_oauth_code_finish(struct md_oauth *o, const struct md_oauth_code *c,
			  const char *pasted, GError **error);

#endif
