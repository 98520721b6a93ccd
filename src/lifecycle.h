/* lifecycle.h: the ticket state machine of spec section 6 (pure).
 *
 * (ticket, event, now, rules) -> (changed ticket, intents, next due).  An
 * intent is an outgoing mail to be composed and queued ("acknowledge to
 * X"); the lifecycle knows no SQL, no gmime and no clock of its own.  Only
 * ticket.c calls md_lifecycle_apply: every change to a ticket goes there.
 */
#ifndef MD_LIFECYCLE_H
#define MD_LIFECYCLE_H

#include <glib.h>
#include <stdbool.h>

struct md_workday;

enum md_state {
	MD_STATE_OPEN,		/* the desk must act */
	MD_STATE_PENDING,	/* waiting for the requester */
	MD_STATE_RESOLVED,	/* waiting for the requester to object */
	MD_STATE_ESCALATED,	/* waiting for upstream */
	MD_STATE_CLOSED,
};

enum md_role {
	MD_ROLE_REQUESTER,
	MD_ROLE_PARTICIPANT,
	MD_ROLE_AGENT,
	MD_ROLE_UPSTREAM,
	MD_ROLE_DESK,
	MD_ROLE_AUTOMATED,
	MD_ROLE_STRANGER,	/* not on the thread: never written to a row */
};

enum md_intent_kind {
	MD_INTENT_ACK,		/* to the requester, automatic */
	MD_INTENT_NOTIFY,	/* to agents.notify */
	MD_INTENT_RELAY,	/* the desk's answer to requester and CCs */
	MD_INTENT_ESCALATION,	/* the thread to upstream */
	MD_INTENT_ESCALATED,	/* the requester's side told of it */
	MD_INTENT_REMINDER,	/* to the requester, automatic: we wait */
	MD_INTENT_CLOSED,	/* to the requester, automatic: closed */
	MD_INTENT_ASSIGNED,	/* to the new assignee: the ticket is theirs
				 * (a notification, kind "notify") */
	MD_INTENT_REFUSED,	/* to the agent whose commands were refused
				 * (#escalate on a closed ticket): why, and
				 * what to do (a notification, kind
				 * "notify") */
};

struct md_ticket {
	gint64 id;		/* 0 until stored */
	enum md_state state;
	char *subject;
	char *requester;
	gint64 created;
	gint64 updated;
	bool escalated;
	char *upstream_ref;	/* "[Upstream #999]" or NULL */
	gint64 due;		/* next timer instant, 0 if none */
	gint64 linked;		/* ticket this one continues, 0 if none */
	char *assignee;
	gint64 closed_at;
	bool answered;		/* the desk has answered at least once */
	gint64 since;		/* start of the current wait: when the state
				 * was entered, or the desk's last answer */
	int reminders;		/* reminders sent in the current wait */
	gint64 escalated_at;	/* last escalation, 0 if never */
};

/* What happens to a ticket.  MAIL is a message on it (the fields below
 * ROLE); the others come from the command line or the timers. */
enum md_event_type {
	MD_EVENT_MAIL,
	MD_EVENT_SET_STATE,	/* resolve, close, reopen N: STATE */
	MD_EVENT_ASSIGN,	/* assign N ADDR: ASSIGNEE */
	MD_EVENT_TIMER,		/* the due instant has come */
};

struct md_event {
	enum md_event_type type;
	enum md_state state;		/* SET_STATE */
	const char *assignee;		/* ASSIGN */
	enum md_role role;
	bool new_ticket;
	bool automated;		/* md_loop_check said so */
	bool machine;		/* a new ticket of a machine's mail, filed
				 * closed, nobody told (autoreply.automated
				 * = "close") */
	bool from_desk;		/* md_loop_from_desk: notifies no one */
	bool unverified;	/* upstream's address, not proven: for the
				 * agents only (spec 6) */
	const char *from;
	const GPtrArray *to;	/* direct recipients of the mail */
	const GPtrArray *cc;
	const GPtrArray *participants;	/* the ticket's, requester excluded */
	const char *foreign_tag;	/* upstream's reference, or NULL */
	const char *body;	/* new text, commands are read from it */
};

/* What the lifecycle needs of the configuration, borrowed. */
struct md_rules {
	const char *notify;		/* agents.notify, or NULL */
	const GPtrArray *desk_addrs;	/* ours: never written to */
	const char *upstream;		/* upstream.address, or NULL */
	bool upstream_relay_agents;	/* upstream.relay = "agents": its
					 * answers go to the agents only */
	const struct md_workday *cal;	/* working days */
	const GArray *remind_after;	/* int, working days, ascending */
	int close_after;		/* working days */
};

struct md_intent {
	enum md_intent_kind kind;
	GPtrArray *to;		/* char *, owned */
	GPtrArray *cc;		/* char *, owned */
	bool internal;		/* #internal note */
	char *note;		/* #escalate note, or NULL */
	bool followup;		/* ESCALATION: a further one, in the thread
				 * upstream already has */
	int number;		/* REMINDER: 1 for the first */
	gint64 at;		/* REMINDER: when the ticket will close */
};

const char *md_state_name(enum md_state state);
bool md_state_parse(const char *name, enum md_state *state_r);
const char *md_role_name(enum md_role role);
/* The kind of the mail as spec 7b names it ("escalation" for both the
 * forward and the notice), and the template it is written from. */
const char *md_intent_kind_name(enum md_intent_kind kind);
const char *md_intent_template_name(enum md_intent_kind kind);

/* Applies EV to T at NOW (changing its state, updated, escalated,
 * upstream_ref, assignee, since, reminders, due) and appends the outgoing
 * mails it causes to INTENTS (struct md_intent *, md_intent_free). */
void md_lifecycle_apply(struct md_ticket *t, const struct md_event *ev,
			gint64 now, const struct md_rules *rules,
			GPtrArray *intents);

/* What T waits for next (pure): the instant of its next reminder or of
 * its close, 0 if no timer runs (open, escalated, closed).  *WHAT_R, if
 * not NULL, is the reminder's number (1, 2 ...) or 0 for the close. */
gint64 md_lifecycle_due(const struct md_ticket *t, const struct md_rules *rules,
			int *what_r);

/* Agent commands in the first lines of BODY (spec section 6).  Returns
 * the number found; *STATE_R and the rest are set for those present. */
struct md_commands {
	bool has_state;
	enum md_state state;
	bool internal;
	bool escalate;
	char *escalate_note;	/* owned */
	char *assign;		/* owned */
	/* #requester ADDR: whom an agent's forward opens the ticket for
	 * (read by the pipeline on a new ticket only), owned */
	char *requester;
};
void md_lifecycle_commands(const char *body, struct md_commands *cmd_r);
/* BODY without its leading command block and the blank lines around it:
 * the words an agent's mail relays.  "" when it holds nothing else (or
 * only a signature).  Returns g_free. */
char *md_lifecycle_words(const char *body);
void md_commands_clear(struct md_commands *cmd);

void md_intent_free(gpointer intent);
void md_ticket_clear(struct md_ticket *t);

#endif
