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

struct md_loop_verdict
md_loop_check(const struct md_msg *msg, const struct md_conf *conf,
	      GBytes *secret)
{
	static const char *const bulk[] = { "bulk", "junk", "list", NULL };
	/* Exchange's values that cover auto-replies: All, AutoReply, OOF. */
	static const char *const suppress[] = { "all", "autoreply", "oof",
						NULL };

	if (self_loop(msg, conf, secret))
		return verdict(MD_LOOP_SELF, "sent by the desk itself");
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
	return verdict(MD_LOOP_NONE, "");
}
