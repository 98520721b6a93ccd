/* loop.c: the automated-mail rules of spec section 5, in the order that
 * gives the most precise reason. */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "conf.h"
#include "loop.h"
#include "mid.h"
#include "msg.h"

static struct md_loop_verdict
verdict(enum md_loop_kind kind, const char *reason)
{
	struct md_loop_verdict v = { kind, reason };

	return v;
}

/* RFC 3834 section 5: "no" (any case, parameters allowed) is the only
 * value that means a person wrote it. */
static bool
auto_submitted(const char *value)
{
	gsize len;

	if (value == NULL)
		return false;
	while (g_ascii_isspace(*value))
		value++;
	len = strcspn(value, "; \t\r\n(");
	return !(len == 2 && g_ascii_strncasecmp(value, "no", 2) == 0);
}

static bool
word_in(const char *value, const char *const *words)
{
	char **parts;
	bool found = false;

	if (value == NULL)
		return false;
	parts = g_strsplit_set(value, ",; \t", -1);
	for (int i = 0; parts[i] != NULL && !found; i++)
		for (int j = 0; words[j] != NULL && !found; j++)
			found = g_ascii_strcasecmp(parts[i], words[j]) == 0;
	g_strfreev(parts);
	return found;
}

static bool
is_mailer_daemon(const char *addr)
{
	return addr != NULL &&
	       g_ascii_strncasecmp(addr, "mailer-daemon", 13) == 0 &&
	       (addr[13] == '@' || addr[13] == '\0');
}

static bool
self_loop(const struct md_msg *msg, const struct md_conf *conf,
	  GBytes *secret)
{
	gint64 ticket;

	if (msg->from != NULL && md_conf_is_desk(conf, msg->from))
		return true;
	for (guint i = 0; i < msg->x_loop->len; i++)
		if (md_conf_is_desk(conf, g_ptr_array_index(msg->x_loop, i)))
			return true;
	return secret != NULL && md_mid_verify(secret, msg->message_id,
					       &ticket);
}

/* TEXT begins with one of PREFIXES (ASCII case folded; the prefixes are
 * written in lower case, UTF-8 compared bytewise after folding ASCII). */
static bool
starts_with_any(const char *text, const char *const *prefixes)
{
	while (text != NULL && g_ascii_isspace(*text))
		text++;
	for (int i = 0; text != NULL && prefixes[i] != NULL; i++)
		if (g_ascii_strncasecmp(text, prefixes[i],
					strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* TEXT contains one of WORDS (ASCII case folded). */
static bool
contains_any(const char *text, const char *const *words)
{
	char *low;
	bool found = false;

	if (text == NULL)
		return false;
	low = g_ascii_strdown(text, -1);
	for (int i = 0; words[i] != NULL && !found; i++)
		found = strstr(low, words[i]) != NULL;
	g_free(low);
	return found;
}

/* Auto-replies that say so only in their subject or their program's
 * name (no Auto-Submitted): Exchange, Lotus Notes, Gmail, vacation(1). */
static const char *
autoreply_without_header(const struct md_msg *msg)
{
	static const char *const subjects[] = {
		"auto reply:", "autoreply:", "auto-reply:", "auto response:",
		"autoresponse:", "automatic reply:", "automatische antwort:",
		"auto:", "réponse automatique", "reponse automatique",
		"absence :", "absence:", "absence du bureau", "abwesenheit",
		"out of office", "out of the office", "respuesta automática",
		"risposta automatica", "automatisch antwoord", NULL,
	};
	static const char *const mailers[] = {
		"vacation", "gnarwl", "autorespond", "auto-respond",
		"autoreply", "out of office", NULL,
	};

	if (msg->has_x_autoreply)
		return "X-Autoreply";
	if (starts_with_any(msg->subject, subjects))
		return "auto-reply subject";
	if (contains_any(msg->x_mailer, mailers))
		return "vacation program";
	return NULL;
}

/* The local part of ADDR folded: lower case, without "+detail" and
 * without the separators people put in "do-not_reply". */
static char *
folded_local(const char *addr, char **raw_r)
{
	const char *at = strrchr(addr, '@');
	char *local = g_ascii_strdown(addr, at != NULL ? at - addr : -1);
	GString *f = g_string_new(NULL);

	for (const char *p = local; *p != '\0' && *p != '+'; p++)
		if (*p != '-' && *p != '_' && *p != '.')
			g_string_append_c(f, *p);
	*raw_r = local;
	return g_string_free(f, FALSE);
}

/* Senders that are machines by name (spec 5, issue 8): noreply in any
 * spelling, postmaster, list managers, VERP bounce addresses. */
static const char *
machine_sender(const char *addr)
{
	static const char *const names[] = {
		"noreply", "donotreply", "dontreply", "nereplypas",
		"nepasrepondre", "postmaster", "mailerdaemon", "listserv",
		"majordomo", "mailman", NULL,
	};
	static const char *const suffixes[] = {
		"-request", "-owner", "-admin", "-bounces", "-bounce", NULL,
	};
	char *raw, *folded = folded_local(addr, &raw);
	const char *what = NULL;

	for (int i = 0; names[i] != NULL && what == NULL; i++)
		if (strcmp(folded, names[i]) == 0)
			what = "noreply sender";
	for (int i = 0; suffixes[i] != NULL && what == NULL; i++) {
		gsize n = strlen(raw), s = strlen(suffixes[i]);
		const char *plus = strchr(raw, '+');

		if (plus != NULL)
			n = plus - raw;
		if (n > s && strncmp(raw + n - s, suffixes[i], s) == 0)
			what = "list manager";
	}
	if (what == NULL && g_str_has_prefix(raw, "owner-") && raw[6] != '\0')
		what = "list manager";
	g_free(raw);
	g_free(folded);
	return what;
}

/* Abuse and feedback-loop reports (RFC 5965 and the older plain ones),
 * DMARC aggregate reports (RFC 7489 section 7.2.1.1). */
static const char *
report_without_dsn(const struct md_msg *msg)
{
	static const char *const complaints[] = {
		"complaint about message from", "abuse report", NULL,
	};

	if (msg->is_report && msg->report_type != NULL &&
	    g_ascii_strcasecmp(msg->report_type, "feedback-report") == 0)
		return "abuse report (ARF)";
	if (starts_with_any(msg->subject, complaints))
		return "abuse report";
	if (starts_with_any(msg->subject,
			    (const char *const[]){ "report domain:", NULL }) &&
	    contains_any(msg->subject,
			 (const char *const[]){ "submitter:", NULL }))
		return "DMARC aggregate report";
	return NULL;
}

/* Challenge-response systems ask the sender to prove a person wrote:
 * answering would confirm to a machine, and it never ends. */
static const char *
challenge(const struct md_msg *msg)
{
	static const char *const phrases[] = {
		"confirm you are human", "confirm that you are human",
		"verify you are human", "verify that you are human",
		"prove you are human", "are you human",
		"please confirm your message", "sender verification",
		"confirmez que vous êtes humain",
		"confirmez que vous n'êtes pas un robot",
		"en attente de validation", "spam arrest", "boxtrapper",
		NULL,
	};

	if (contains_any(msg->subject, phrases))
		return "challenge-response";
	return NULL;
}

bool
md_loop_from_desk(const struct md_msg *msg,
		  const struct md_loop_verdict *verdict)
{
	return verdict->kind != MD_LOOP_NONE &&
	       (auto_submitted(msg->auto_submitted) || msg->x_loop->len > 0 ||
		msg->ticketing);
}

struct md_loop_verdict
md_loop_check(const struct md_msg *msg, const struct md_conf *conf,
	      GBytes *secret)
{
	static const char *const bulk[] = { "bulk", "junk", "list", NULL };
	/* Exchange's values that cover auto-replies: All, AutoReply, OOF. */
	static const char *const suppress[] = { "all", "autoreply", "oof",
						NULL };

	const char *why;

	if (self_loop(msg, conf, secret))
		return verdict(MD_LOOP_SELF, "sent by the desk itself");
	if ((why = report_without_dsn(msg)) != NULL)
		return verdict(MD_LOOP_BULK, why);
	if (msg->is_report)
		return verdict(MD_LOOP_BOUNCE, "delivery or disposition report");
	if (msg->return_path != NULL && msg->return_path[0] == '\0')
		return verdict(MD_LOOP_BOUNCE, "null return path");
	if (msg->x_failed_recipients != NULL)
		return verdict(MD_LOOP_BOUNCE, "X-Failed-Recipients");
	if (auto_submitted(msg->auto_submitted))
		return verdict(MD_LOOP_AUTOREPLY, "Auto-Submitted");
	if (word_in(msg->x_auto_response_suppress, suppress))
		return verdict(MD_LOOP_AUTOREPLY, "X-Auto-Response-Suppress");
	if (word_in(msg->precedence, bulk))
		return verdict(MD_LOOP_BULK, "Precedence");
	if (msg->has_list_id || msg->has_list_unsubscribe)
		return verdict(MD_LOOP_BULK, "mailing list");
	/* Before the noreply rule, which would call it bulk: a bounce marks
	 * the address bouncing, bulk does not. */
	if (is_mailer_daemon(msg->return_path) || is_mailer_daemon(msg->from))
		return verdict(MD_LOOP_BOUNCE, "MAILER-DAEMON sender");
	if (msg->from == NULL)
		return verdict(MD_LOOP_BULK, "no sender address");
	if (md_addr_is_noreply(msg->from))
		return verdict(MD_LOOP_BULK, "noreply sender");
	if ((why = machine_sender(msg->from)) != NULL)
		return verdict(MD_LOOP_BULK, why);
	if ((why = challenge(msg)) != NULL)
		return verdict(MD_LOOP_BULK, why);
	if ((why = autoreply_without_header(msg)) != NULL)
		return verdict(MD_LOOP_AUTOREPLY, why);
	return verdict(MD_LOOP_NONE, "");
}
