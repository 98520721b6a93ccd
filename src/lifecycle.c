/* lifecycle.c: states, events and the intents they cause. */
#include "config.h"

#include <string.h>

#include "addr.h"
#include "lifecycle.h"
#include "workday.h"

static const char *const state_names[] = {
	"open", "pending", "resolved", "escalated", "closed",
};
static const char *const role_names[] = {
	"requester", "participant", "agent", "upstream", "desk", "automated",
	"stranger",
};
static const char *const intent_names[] = {
	"ack", "notify", "relay", "escalation", "escalation", "reminder",
	"close", "notify", "notify",
};
static const char *const template_names[] = {
	"ack", "notify", "relay", "escalation", "escalated", "reminder",
	"closed", "assigned", "refused",
};

const char *
md_state_name(enum md_state state)
{
	return state_names[state];
}

bool
md_state_parse(const char *name, enum md_state *state_r)
{
	for (guint i = 0; i < G_N_ELEMENTS(state_names); i++)
		if (g_ascii_strcasecmp(name, state_names[i]) == 0) {
			*state_r = i;
			return true;
		}
	return false;
}

const char *
md_role_name(enum md_role role)
{
	return role_names[role];
}

const char *
md_intent_kind_name(enum md_intent_kind kind)
{
	return intent_names[kind];
}

const char *
md_intent_template_name(enum md_intent_kind kind)
{
	return template_names[kind];
}

static struct md_intent *
intent_new(enum md_intent_kind kind, GPtrArray *intents)
{
	struct md_intent *in = g_new0(struct md_intent, 1);

	in->kind = kind;
	in->to = g_ptr_array_new_with_free_func(g_free);
	in->cc = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(intents, in);
	return in;
}

void
md_intent_free(gpointer data)
{
	struct md_intent *in = data;

	if (in == NULL)
		return;
	g_ptr_array_unref(in->to);
	g_ptr_array_unref(in->cc);
	g_free(in->note);
	g_free(in);
}

void
md_ticket_clear(struct md_ticket *t)
{
	g_free(t->subject);
	g_free(t->requester);
	g_free(t->upstream_ref);
	g_free(t->assignee);
	memset(t, 0, sizeof(*t));
}

void
md_commands_clear(struct md_commands *cmd)
{
	g_free(cmd->escalate_note);
	g_free(cmd->assign);
	g_free(cmd->requester);
	memset(cmd, 0, sizeof(*cmd));
}

/* Reads one "#command [argument]" line; false if LINE is no command. */
static bool
command_line(const char *line, struct md_commands *cmd)
{
	static const struct {
		const char *word;
		enum md_state state;
	} states[] = {
		{ "resolve", MD_STATE_RESOLVED }, { "close", MD_STATE_CLOSED },
		{ "pending", MD_STATE_PENDING }, { "open", MD_STATE_OPEN },
	};
	gsize len = strcspn(line + 1, " \t");
	const char *arg = line + 1 + len;

	while (*arg == ' ' || *arg == '\t')
		arg++;
	for (guint i = 0; i < G_N_ELEMENTS(states); i++)
		if (len == strlen(states[i].word) &&
		    g_ascii_strncasecmp(line + 1, states[i].word, len) == 0) {
			cmd->has_state = true;
			cmd->state = states[i].state;
			return true;
		}
	if (len == 8 && g_ascii_strncasecmp(line + 1, "internal", 8) == 0) {
		cmd->internal = true;
		return true;
	}
	if (len == 8 && g_ascii_strncasecmp(line + 1, "escalate", 8) == 0) {
		cmd->escalate = true;
		g_free(cmd->escalate_note);
		cmd->escalate_note = *arg ? g_strdup(arg) : NULL;
		return true;
	}
	if (len == 6 && g_ascii_strncasecmp(line + 1, "assign", 6) == 0 &&
	    strchr(arg, '@') != NULL) {
		g_free(cmd->assign);
		cmd->assign = g_ascii_strdown(arg, -1);
		g_strstrip(cmd->assign);
		return true;
	}
	/* An address or nothing: "#requester" in a sentence stays text. */
	if (len == 9 && g_ascii_strncasecmp(line + 1, "requester", 9) == 0) {
		char *addr = md_addr_normalize(arg);

		if (addr == NULL)
			return false;
		g_free(cmd->requester);
		cmd->requester = addr;
		return true;
	}
	return false;
}

/* Reads the leading command block of BODY into CMD_R (may be NULL) and
 * returns where the text after it starts.  Commands are the first
 * non-blank lines; the first line that is not one ends them, so "#1
 * priority" in a sentence below is text. */
static const char *
commands_scan(const char *body, struct md_commands *cmd_r)
{
	struct md_commands scratch;
	struct md_commands *cmd = cmd_r != NULL ? cmd_r : &scratch;
	const char *p = body != NULL ? body : "";

	memset(cmd, 0, sizeof(*cmd));
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		gsize len = eol != NULL ? (gsize)(eol - p) : strlen(p);
		char *line = g_strstrip(g_strndup(p, len));
		bool command = line[0] == '\0' ||
			       (line[0] == '#' && command_line(line, cmd));

		g_free(line);
		if (!command)
			break;
		p += len + (eol != NULL);
	}
	if (cmd_r == NULL)
		md_commands_clear(&scratch);
	return p;
}

void
md_lifecycle_commands(const char *body, struct md_commands *cmd_r)
{
	commands_scan(body, cmd_r);
}

char *
md_lifecycle_words(const char *body)
{
	GString *out = g_string_new(commands_scan(body, NULL));

	/* A signature alone ("-- " and what follows) is no words. */
	if (g_str_has_prefix(out->str, "-- \n") ||
	    g_str_has_prefix(out->str, "-- \r\n") ||
	    g_str_has_prefix(out->str, "--\n") ||
	    g_str_has_prefix(out->str, "--\r\n") ||
	    strcmp(out->str, "-- ") == 0 || strcmp(out->str, "--") == 0)
		g_string_truncate(out, 0);
	while (out->len > 0 && g_ascii_isspace(out->str[out->len - 1]))
		g_string_truncate(out, out->len - 1);
	return g_string_free(out, FALSE);
}

static void
add_unique(GPtrArray *list, const char *addr)
{
	if (addr != NULL && addr[0] != '\0' && !md_addr_in(list, addr))
		g_ptr_array_add(list, g_strdup(addr));
}

/* The desk's answer goes to the requester and the participants, except
 * those the agent already wrote to directly (reply-all) and ourselves. */
static void
relay_to(const struct md_ticket *t, const struct md_event *ev,
	 const GPtrArray *desk_addrs, struct md_intent *in)
{
	const GPtrArray *parts = ev->participants;

	if (!md_addr_in((GPtrArray *)ev->to, t->requester) &&
	    !md_addr_in((GPtrArray *)ev->cc, t->requester))
		add_unique(in->to, t->requester);
	for (guint i = 0; parts != NULL && i < parts->len; i++) {
		const char *a = g_ptr_array_index(parts, i);

		if (md_addr_in((GPtrArray *)ev->to, a) ||
		    md_addr_in((GPtrArray *)ev->cc, a) ||
		    md_addr_in((GPtrArray *)desk_addrs, a) ||
		    g_ascii_strcasecmp(a, t->requester) == 0)
			continue;
		add_unique(in->to->len == 0 ? in->to : in->cc, a);
	}
}

/* A relay to the requester's side, unless all of them already had the
 * mail directly (reply-all): then there is nothing to send. */
static void
relay(const struct md_ticket *t, const struct md_event *ev,
      const GPtrArray *desk_addrs, GPtrArray *intents)
{
	struct md_intent *in = intent_new(MD_INTENT_RELAY, intents);

	relay_to(t, ev, desk_addrs, in);
	if (in->to->len == 0)
		md_intent_free(g_ptr_array_steal_index(intents,
						       intents->len - 1));
}

/* The new assignee is told, unless they assigned it to themselves. */
static void
assigned(struct md_ticket *t, char *addr_take, const char *by,
	 const struct md_rules *rules, GPtrArray *intents)
{
	if (addr_take != NULL && g_strcmp0(addr_take, t->assignee) != 0 &&
	    (by == NULL || g_ascii_strcasecmp(addr_take, by) != 0) &&
	    !md_addr_in((GPtrArray *)rules->desk_addrs, addr_take))
		add_unique(intent_new(MD_INTENT_ASSIGNED, intents)->to,
			   addr_take);
	g_free(t->assignee);
	t->assignee = addr_take;
}

static void
notify(const char *addr, GPtrArray *intents)
{
	if (addr != NULL && addr[0] != '\0')
		add_unique(intent_new(MD_INTENT_NOTIFY, intents)->to, addr);
}

/* Returns true if the desk answered the requester's side (the clock of a
 * pending ticket then runs from this answer). */
static bool
agent_writes(struct md_ticket *t, const struct md_event *ev, gint64 now,
	     const struct md_rules *rules, GPtrArray *intents)
{
	const GPtrArray *desk_addrs = rules->desk_addrs;
	struct md_commands cmd;
	bool answer = false;

	enum md_state before = t->state;
	char *words = md_lifecycle_words(ev->body);
	/* Only words are relayed: a mail of commands alone (and a
	 * signature or quoted text) changes the ticket and nothing else. */
	bool quiet;

	md_lifecycle_commands(ev->body, &cmd);
	quiet = cmd.internal || words[0] == '\0';
	g_free(words);
	/* #escalate on a closed ticket is refused as `maildesk escalate`
	 * refuses it (issue 8): the whole mail changes nothing, nothing is
	 * relayed or sent upstream, and the agent is told why.  "#open" (or
	 * another state) in the same mail reopens it first, on purpose. */
	if (cmd.escalate && t->state == MD_STATE_CLOSED &&
	    (!cmd.has_state || cmd.state == MD_STATE_CLOSED)) {
		struct md_intent *in = intent_new(MD_INTENT_REFUSED, intents);

		if (ev->from != NULL &&
		    !md_addr_in((GPtrArray *)desk_addrs, ev->from))
			add_unique(in->to, ev->from);
		if (in->to->len == 0)
			md_intent_free(g_ptr_array_steal_index(
				intents, intents->len - 1));
		md_commands_clear(&cmd);
		return false;
	}
	if (!quiet) {
		relay(t, ev, desk_addrs, intents);
		t->answered = answer = true;
		if (t->state == MD_STATE_OPEN || t->state == MD_STATE_CLOSED)
			t->state = MD_STATE_PENDING;
	}
	if (cmd.has_state)
		t->state = cmd.state;
	if (cmd.escalate && rules->upstream != NULL) {
		struct md_intent *in = intent_new(MD_INTENT_ESCALATION,
						  intents);

		add_unique(in->to, rules->upstream);
		in->note = g_steal_pointer(&cmd.escalate_note);
		/* Escalated before: upstream gets a follow-up in its
		 * thread (what is new since), not the whole thread again. */
		in->followup = t->escalated;
		t->state = MD_STATE_ESCALATED;
		t->escalated = true;
		t->escalated_at = now;
		/* Spec 6: the requester is told, once.  A relayed answer
		 * already does it in the agent's words; otherwise, a
		 * notice, unless the ticket was already escalated. */
		if (quiet && before != MD_STATE_ESCALATED) {
			struct md_intent *notice =
				intent_new(MD_INTENT_ESCALATED, intents);

			relay_to(t, ev, desk_addrs, notice);
			if (notice->to->len == 0)
				md_intent_free(g_ptr_array_steal_index(
					intents, intents->len - 1));
		}
	}
	if (cmd.assign != NULL)
		assigned(t, g_steal_pointer(&cmd.assign), ev->from, rules,
			 intents);
	md_commands_clear(&cmd);
	return answer;
}

/* A proven agent who opens a ticket (a forward with #requester, a
 * phone call) sets it in the same mail: a state, #assign, #escalate.
 * Nothing is relayed (the words are the request) and the requester,
 * acknowledged at this moment, is not told of the escalation again. */
static void
agent_opens(struct md_ticket *t, const struct md_event *ev, gint64 now,
	    const struct md_rules *rules, GPtrArray *intents)
{
	struct md_commands cmd;

	md_lifecycle_commands(ev->body, &cmd);
	if (cmd.has_state)
		t->state = cmd.state;
	if (cmd.escalate && rules->upstream != NULL) {
		struct md_intent *in = intent_new(MD_INTENT_ESCALATION,
						  intents);

		add_unique(in->to, rules->upstream);
		in->note = g_steal_pointer(&cmd.escalate_note);
		t->state = MD_STATE_ESCALATED;
		t->escalated = true;
		t->escalated_at = now;
	}
	if (cmd.assign != NULL)
		assigned(t, g_steal_pointer(&cmd.assign), ev->from, rules,
			 intents);
	md_commands_clear(&cmd);
}

static bool
waits_on_requester(const struct md_ticket *t)
{
	return t->state == MD_STATE_PENDING || t->state == MD_STATE_RESOLVED;
}

gint64
md_lifecycle_due(const struct md_ticket *t, const struct md_rules *rules,
		 int *what_r)
{
	const GArray *remind = rules->remind_after;

	if (what_r != NULL)
		*what_r = 0;
	if (!waits_on_requester(t) || t->since == 0 || rules->cal == NULL)
		return 0;
	for (guint i = t->reminders; remind != NULL && i < remind->len; i++) {
		int days = g_array_index(remind, int, i);

		/* A reminder on or after the close day would announce a
		 * close that has already happened. */
		if (days >= rules->close_after)
			break;
		if (what_r != NULL)
			*what_r = i + 1;
		return md_workday_add(rules->cal, t->since, days);
	}
	return md_workday_add(rules->cal, t->since, rules->close_after);
}

/* The due instant has come.  A desk that was down catches up without
 * flooding: only the latest milestone passed counts, and the close wins
 * over every reminder before it. */
static void
timer(struct md_ticket *t, gint64 now, const struct md_rules *rules,
      GPtrArray *intents)
{
	const GArray *remind = rules->remind_after;
	gint64 close;
	int latest = 0;

	if (!waits_on_requester(t) || t->since == 0 || rules->cal == NULL)
		return;
	close = md_workday_add(rules->cal, t->since, rules->close_after);
	if (now >= close) {
		t->state = MD_STATE_CLOSED;
		add_unique(intent_new(MD_INTENT_CLOSED, intents)->to,
			   t->requester);
		return;
	}
	for (guint i = 0; remind != NULL && i < remind->len; i++) {
		int days = g_array_index(remind, int, i);

		if (days < rules->close_after &&
		    md_workday_add(rules->cal, t->since, days) <= now)
			latest = i + 1;
	}
	if (latest > t->reminders) {
		struct md_intent *in = intent_new(MD_INTENT_REMINDER, intents);

		add_unique(in->to, t->requester);
		in->number = latest;
		in->at = close;
		t->reminders = latest;
	}
}

static bool apply_event(struct md_ticket *t, const struct md_event *ev,
			gint64 now, const struct md_rules *rules,
			GPtrArray *intents);

void
md_lifecycle_apply(struct md_ticket *t, const struct md_event *ev,
		   gint64 now, const struct md_rules *rules,
		   GPtrArray *intents)
{
	enum md_state before = t->state;
	bool answer;

	t->updated = now;
	answer = apply_event(t, ev, now, rules, intents);
	/* The wait starts anew with each state and with each answer of the
	 * desk: reminders count from there. */
	if (t->state != before || answer || ev->new_ticket) {
		t->since = now;
		t->reminders = 0;
	}
	/* closed_at is the start of the reopen window: set on entering
	 * closed, cleared on leaving it, whatever the path. */
	if (t->state != MD_STATE_CLOSED)
		t->closed_at = 0;
	else if (before != MD_STATE_CLOSED || t->closed_at == 0)
		t->closed_at = now;
	t->due = md_lifecycle_due(t, rules, NULL);
}

/* Returns true if the desk answered the requester's side. */
static bool
apply_event(struct md_ticket *t, const struct md_event *ev, gint64 now,
	    const struct md_rules *rules, GPtrArray *intents)
{
	const char *notify_addr = rules->notify;

	switch (ev->type) {
	case MD_EVENT_MAIL:
		break;
	case MD_EVENT_SET_STATE:
		t->state = ev->state;
		return false;
	case MD_EVENT_ASSIGN:
		assigned(t, g_strdup(ev->assignee), NULL, rules, intents);
		return false;
	case MD_EVENT_TIMER:
		timer(t, now, rules, intents);
		return false;
	}
	if (ev->new_ticket && ev->machine) {
		t->state = MD_STATE_CLOSED;
		return false;
	}
	if (ev->new_ticket) {
		t->state = MD_STATE_OPEN;
		/* Never acknowledged: machines, ourselves, and upstream
		 * (its desk would acknowledge ours, and so on). */
		if (!ev->automated && ev->role != MD_ROLE_DESK &&
		    ev->role != MD_ROLE_UPSTREAM)
			add_unique(intent_new(MD_INTENT_ACK, intents)->to,
				   t->requester);
		if (ev->role != MD_ROLE_DESK && !ev->from_desk)
			notify(notify_addr, intents);
		if (ev->role == MD_ROLE_AGENT)
			agent_opens(t, ev, now, rules, intents);
		return false;
	}
	switch (ev->role) {
	case MD_ROLE_REQUESTER:
	case MD_ROLE_PARTICIPANT:
	case MD_ROLE_STRANGER:
		if (ev->automated)
			break;	/* an out-of-office is no reaction */
		/* Still waiting on upstream: a nudge does not take the
		 * ticket out of the escalation (nor out of the digest). */
		if (t->state != MD_STATE_ESCALATED)
			t->state = MD_STATE_OPEN;
		notify(notify_addr, intents);
		break;
	case MD_ROLE_AGENT:
		return agent_writes(t, ev, now, rules, intents);
	case MD_ROLE_UPSTREAM:
		/* Not proven (spec 6): shown to the agents, and nothing
		 * else: no relay, no state change, no reference. */
		if (ev->unverified) {
			notify(notify_addr, intents);
			break;
		}
		/* Only on a ticket we escalated: upstream's reference threads
		 * its later mail, so it is not anyone's to set. */
		if (ev->foreign_tag != NULL && t->escalated) {
			g_free(t->upstream_ref);
			t->upstream_ref = g_strdup(ev->foreign_tag);
		}
		if (!rules->upstream_relay_agents)
			relay(t, ev, rules->desk_addrs, intents);
		notify(notify_addr, intents);
		if (t->state == MD_STATE_ESCALATED)
			t->state = MD_STATE_OPEN;
		break;
	case MD_ROLE_AUTOMATED:
	case MD_ROLE_DESK:
		break;
	}
	return false;
}
