/* clock.c: the one clock, real or fixed by --now. */
#include "config.h"

#include <string.h>

#include "clock.h"
#include "error.h"

void
md_clock_init_real(struct md_clock *clock)
{
	clock->fixed = false;
	clock->fixed_us = 0;
}

bool
md_clock_parse_rfc3339(const char *text, gint64 *secs_r, GError **error)
{
	GDateTime *dt;

	/* GLib accepts ISO 8601; RFC 3339 needs the date, the time and an
	 * offset, so an instant without a zone is refused rather than read
	 * in whatever TZ the process happens to have. */
	dt = g_date_time_new_from_iso8601(text, NULL);
	if (dt == NULL || strlen(text) < 20) {
		g_clear_pointer(&dt, g_date_time_unref);
		g_set_error(error, MD_ERROR, MD_ERROR_USAGE,
			    "'%s' is not an RFC 3339 instant "
			    "(e.g. 2026-11-23T09:30:00+01:00)", text);
		return false;
	}
	*secs_r = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return true;
}

bool
md_clock_init_fixed(struct md_clock *clock, const char *text, GError **error)
{
	gint64 secs;

	if (!md_clock_parse_rfc3339(text, &secs, error))
		return false;
	clock->fixed = true;
	clock->fixed_us = secs * G_USEC_PER_SEC;
	return true;
}

gint64
md_clock_now_us(const struct md_clock *clock)
{
	return clock->fixed ? clock->fixed_us : g_get_real_time();
}

gint64
md_clock_now(const struct md_clock *clock)
{
	return md_clock_now_us(clock) / G_USEC_PER_SEC;
}

char *
md_clock_format_rfc3339(gint64 secs, GTimeZone *tz)
{
	GTimeZone *utc_tz = NULL;
	GDateTime *utc, *local;
	char *text;

	if (tz == NULL)
		tz = utc_tz = g_time_zone_new_utc();
	utc = g_date_time_new_from_unix_utc(secs);
	local = g_date_time_to_timezone(utc, tz);
	text = g_date_time_format(local, "%FT%T%:z");
	g_date_time_unref(local);
	g_date_time_unref(utc);
	g_clear_pointer(&utc_tz, g_time_zone_unref);
	return text;
}
