/* lifecycle.h: the ticket state machine of spec section 6 (pure).
 *
 * (ticket, event, now) -> (changed ticket, intents).  An intent is an
 * outgoing mail to be composed and queued ("acknowledge to X"); the
 * lifecycle knows no SQL, no gmime and no clock of its own.
 */
#ifndef MD_LIFECYCLE_H
#define MD_LIFECYCLE_H

#include <glib.h>
#include <stdbool.h>

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
};

struct md_event {
	enum md_role role;
	bool new_ticket;
	bool automated;		/* md_loop_check said so */
	const char *from;
	const GPtrArray *to;	/* direct recipients of the mail */
	const GPtrArray *cc;
	const GPtrArray *participants;	/* the ticket's, requester excluded */
	const char *foreign_tag;	/* upstream's reference, or NULL */
	const char *upstream;	/* upstream.address, or NULL */
	const char *body;	/* new text, commands are read from it */
};

struct md_intent {
	enum md_intent_kind kind;
	GPtrArray *to;		/* char *, owned */
	GPtrArray *cc;		/* char *, owned */
	bool internal;		/* #internal note */
	char *note;		/* #escalate note, or NULL */
};

const char *md_state_name(enum md_state state);
bool md_state_parse(const char *name, enum md_state *state_r);
const char *md_role_name(enum md_role role);
/* The kind of the mail as spec 7b names it ("escalation" for both the
 * forward and the notice), and the template it is written from. */
const char *md_intent_kind_name(enum md_intent_kind kind);
const char *md_intent_template_name(enum md_intent_kind kind);

/* Applies EV to T (changing its state, updated, escalated, upstream_ref,
 * assignee) and appends the outgoing mails it causes to INTENTS (struct
 * md_intent *, freed by md_intent_free).  NOTIFY is the agents' address or
 * NULL; DESK_ADDRS are ours (never written to). */
void md_lifecycle_apply(struct md_ticket *t, const struct md_event *ev,
			gint64 now, const char *notify,
			const GPtrArray *desk_addrs, GPtrArray *intents);

/* Agent commands in the first lines of BODY (spec section 6).  Returns
 * the number found; *STATE_R and the rest are set for those present. */
struct md_commands {
	bool has_state;
	enum md_state state;
	bool internal;
	bool escalate;
	char *escalate_note;	/* owned */
	char *assign;		/* owned */
};
void md_lifecycle_commands(const char *body, struct md_commands *cmd_r);
void md_commands_clear(struct md_commands *cmd);

void md_intent_free(gpointer intent);
void md_ticket_clear(struct md_ticket *t);

#endif
