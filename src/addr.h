/* addr.h: small pure helpers on addr-specs (already lowercased). */
#ifndef MD_ADDR_H
#define MD_ADDR_H

#include <glib.h>
#include <stdbool.h>

/* The part after the last '@', or "" (borrowed from ADDR). */
const char *md_addr_domain(const char *addr);

/* True for noreply-style local parts: noreply, no-reply, donotreply,
 * do-not-reply, mailer-daemon, postmaster, bounce(s)... */
bool md_addr_is_noreply(const char *addr);

/* True if ADDR is in LIST (char *). */
bool md_addr_in(const GPtrArray *list, const char *addr);

/* True if ADDR's domain equals one in DOMAINS or is a subdomain of one. */
bool md_addr_domain_in(const GPtrArray *domains, const char *addr);

/* ADDR as typed by a person ("Alice@Desk.example", "<a@b>") as a
 * lowercased addr-spec (g_free), or NULL if it is not one. */
char *md_addr_normalize(const char *addr);

/* The first addr-spec written in [P, END) (in prose, after "<", inside
 * "(…)" or "[mailto:…]"; its domain must have a dot), lowercased
 * (g_free), or NULL. */
char *md_addr_find(const char *p, const char *end);

#endif
