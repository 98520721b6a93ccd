/* conf.h: the configuration (libconfig), validated into an immutable struct.
 *
 * Every key of spec section 7 is declared once in a table in conf.c with
 * its type, default and validator; unknown keys and wrong types are errors
 * reported as "FILE:LINE: message".  Relative paths are resolved against
 * the directory of the configuration file (for the embedded configuration:
 * against the current directory).  Secrets are read from password_file
 * only by md_conf_load_secrets, by the programs that log in (maildeskd,
 * maildesk send, check-config): list, show or deliver work as root on a
 * configuration whose password files belong to the maildesk user.
 *
 * Address lists are stored lowercased.  All strings are owned by the
 * struct md_conf and valid until md_conf_free.
 */
#ifndef MD_CONF_H
#define MD_CONF_H

#include <glib.h>
#include <stdbool.h>

#define MD_CONF_DEFAULT_PATH SYSCONFDIR "/maildesk/maildesk.conf"

enum md_after {
	MD_AFTER_MOVE,		/* maildir: new/ -> cur/ with S; imap: done_folder */
	MD_AFTER_SEEN,		/* imap: flag \Seen */
	MD_AFTER_DELETE,	/* maildir: unlink */
};

enum md_inbound_type { MD_INBOUND_MAILDIR, MD_INBOUND_IMAP };

/* The oauth2 group of an IMAP source or of the SMTP transport (issue 11):
 * how to get access tokens for SASL XOAUTH2.  The provider's preset fills
 * token_url, device_url, auth_url and scope unless they are set. */
struct md_oauth_conf {
	char *provider;		/* "microsoft", "google" or "generic" */
	char *tenant;		/* microsoft: directory id or domain */
	char *grant;		/* "refresh_token" or "client_credentials" */
	char *client_id;
	char *client_secret_file;	/* absolute, or NULL (public client) */
	char *client_secret;	/* NULL until md_conf_load_secrets */
	char *token_file;	/* absolute; written by maildesk, 0600 */
	char *token_url;
	char *device_url;	/* RFC 8628 endpoint; NULL if none */
	char *auth_url;		/* RFC 6749 4.1 authorization endpoint */
	char *scope;		/* space-separated */
};

struct md_inbound_conf {
	enum md_inbound_type type;
	char *name;		/* "maildir:PATH" or the url; for logs, stats */
	enum md_after after;
	/* maildir */
	char *path;		/* absolute */
	/* imap */
	char *url;		/* imap://host[:port]/MAILBOX or imaps:// */
	char *user;
	char *password_file;	/* absolute, or NULL if none */
	char *password;		/* NULL until md_conf_load_secrets */
	/* "login" (default; "password" is the same), "plain" or "oauth2"
	 * (AUTHENTICATE XOAUTH2 with a token from oauth2) */
	char *auth;
	bool oauth;		/* auth = "oauth2" */
	struct md_oauth_conf oauth2;	/* when oauth */
	bool idle;		/* default true */
	char *done_folder;	/* default "Done" */
	int poll_interval;	/* seconds, default 60 */
	bool starttls;		/* default true (imap://) */
	char *tls_ca_file;	/* absolute or NULL */
	bool tls_verify;	/* default true */
	int batch_size;		/* default 200 */
	int timeout;		/* seconds, default 60 */
};

enum md_outbound_type {
	MD_OUTBOUND_MAILDIR,
	MD_OUTBOUND_SMTP,
	MD_OUTBOUND_SENDMAIL,
};

struct md_outbound_conf {
	enum md_outbound_type type;
	char *path;		/* maildir directory or sendmail binary */
	char *url;		/* smtp://host:port or smtps:// */
	bool starttls;		/* default true for smtp:// */
	char *user;
	char *password_file;	/* absolute, or NULL if none */
	char *password;		/* NULL until md_conf_load_secrets */
	char *auth;		/* "password" (default) or "oauth2" */
	bool oauth;		/* auth = "oauth2": XOAUTH2 with oauth2 */
	struct md_oauth_conf oauth2;	/* when oauth */
	char *tls_ca_file;
	bool tls_verify;	/* default true */
	int timeout;		/* seconds, default 60 */
};

struct md_conf {
	char *file;		/* the file read, or "(embedded)" */

	/* desk */
	char *desk_name;	/* subject tag name: [Helpdesk #123] */
	char *desk_address;	/* lowercased */
	GPtrArray *desk_aliases;	/* char *, lowercased */
	char *from_name;
	char *timezone;		/* IANA name */
	GTimeZone *tz;
	char *language;		/* "fr" or "en" */
	char *state_dir;	/* absolute */
	char *templates_dir;	/* absolute, or NULL: embedded templates */
	char *desk_domain;	/* part after @ of desk_address */

	/* agents */
	GPtrArray *agent_addresses;
	GPtrArray *agent_domains;
	char *agents_notify;	/* NULL or "" if none */
	char *trusted_authserv_id;	/* NULL if unset or "" */
	/* "authenticated" (default: Authentication-Results, or a reply to a
	 * notification) or "from" (the From header alone: unsafe). */
	char *agents_trust;

	/* upstream */
	char *upstream_address;	/* NULL if none */
	GPtrArray *upstream_domains;
	char *upstream_relay;	/* "requester" or "agents" */

	GPtrArray *supervisors;

	GPtrArray *inbound;	/* struct md_inbound_conf * */
	struct md_outbound_conf outbound;

	int autoreply_per_sender_per_day;	/* default 5 */
	char *autoreply_automated;	/* "close", "quarantine", "open" */

	/* lifecycle */
	guint8 workdays;	/* bit 0 = Monday .. bit 6 = Sunday */
	char *holidays;		/* "FR", "BE", "FR-AM" or "none" */
	GPtrArray *extra_holidays;	/* "YYYY-MM-DD" */
	GArray *remind_after;	/* int, working days */
	int close_after;
	int reopen_within;	/* calendar days */
	char *office_hours;	/* "HH:MM-HH:MM", for stale_after */

	/* escalation */
	char *digest_at;	/* "HH:MM" */
	int stale_after;	/* working hours */
	bool digest_when_empty;	/* a digest even with nothing to report */

	/* limits */
	gint64 max_message_size;	/* bytes, default 25 MiB */
	/* notify.attach_max: bytes of attachments a notification to the
	 * agents carries, in total (default 10 MiB); 0: none. */
	gint64 notify_attach_max;
	int max_participants;	/* per ticket, default 50 */
	/* seconds a command waits for another's write (default 30) */
	int busy_timeout;

	/* retention */
	int retention_closed_after_days;	/* 0 (default): keep */
};

/* Reads and validates PATH.  On error, the message starts with
 * "PATH:LINE: " and names the key; MD_ERROR_CONFIG. */
bool md_conf_load(const char *path, struct md_conf **conf_r, GError **error);

/* Parses TEXT as if read from a file named NAME in directory BASEDIR
 * (used for the embedded default configuration). */
bool md_conf_load_string(const char *text, const char *name,
			 const char *basedir, struct md_conf **conf_r,
			 GError **error);

/* The configuration both programs start with: PATH if not NULL, else
 * MD_CONF_DEFAULT_PATH if it exists, else the example built into the
 * binary with its relative paths from the current directory (so that
 * maildesk runs out of the box: the demo). */
bool md_conf_find(const char *path, struct md_conf **conf_r, GError **error);

enum md_secrets {
	MD_SECRETS_INBOUND = 1,		/* the sources' */
	MD_SECRETS_OUTBOUND = 2,	/* the transport's */
	MD_SECRETS_ALL = 3,
};

/* Reads the password_files WHICH names into their password fields (each
 * once).  A
 * password file must be a regular file, owned by the user running
 * maildesk or by root, that group and others cannot read or write;
 * MD_ERROR_CONFIG naming the file and the key otherwise. */
bool md_conf_load_secrets(struct md_conf *conf, enum md_secrets which,
			  GError **error);

/* Accepts NULL. */
void md_conf_free(struct md_conf *conf);

/* The desk address and its aliases, borrowed from CONF (the array is the
 * caller's: g_ptr_array_unref). */
GPtrArray *md_conf_desk_addresses(const struct md_conf *conf);

/* True if ADDR (lowercased addr-spec) is the desk address or an alias. */
bool md_conf_is_desk(const struct md_conf *conf, const char *addr);

#endif
