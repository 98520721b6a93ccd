/* clock.h: the one "now" of the program.
 *
 * Real time by default; set once from --now (RFC 3339) so that tests and
 * simulations replay mail and timers at any date.  Everything that depends
 * on the time asks md_clock_now; nothing calls time() or g_get_real_time().
 */
#ifndef MD_CLOCK_H
#define MD_CLOCK_H

#include <glib.h>
#include <stdbool.h>

struct md_clock {
	bool fixed;
	gint64 fixed_us;	/* unix microseconds, when fixed */
};

void md_clock_init_real(struct md_clock *clock);

/* Fixes CLOCK at the RFC 3339 instant TEXT; MD_ERROR_USAGE if malformed. */
bool md_clock_init_fixed(struct md_clock *clock, const char *text,
			 GError **error);

/* Unix time in seconds / microseconds. */
gint64 md_clock_now(const struct md_clock *clock);
gint64 md_clock_now_us(const struct md_clock *clock);

/* Parses an RFC 3339 instant into unix seconds. */
bool md_clock_parse_rfc3339(const char *text, gint64 *secs_r, GError **error);

/* Formats unix seconds as RFC 3339 in TZ (NULL: UTC). Returns g_free. */
char *md_clock_format_rfc3339(gint64 secs, GTimeZone *tz);

#endif
