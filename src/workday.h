/* workday.h: working days, public holidays and office hours (spec 6).
 *
 * Pure: no I/O, no clock, no database.  A calendar is a time zone, the
 * weekdays worked, a built-in holiday set computed for any year (Easter by
 * the Gregorian computus) plus extra dates, and office hours.  Local days
 * and times come from GLib's GTimeZone: DST is the zone's business, a day
 * is never 24 h added.  Dates in words come from our own FR/EN tables.
 */
#ifndef MD_WORKDAY_H
#define MD_WORKDAY_H

#include <glib.h>
#include <stdbool.h>

struct md_workday;	/* opaque */

/* HOLIDAYS: "FR", "BE", "FR-AM" or "none" (FR-AM = FR plus Good Friday and
 * 26 December, Alsace-Moselle); EXTRA: "YYYY-MM-DD" strings (char *), may be
 * NULL, copied; WORKDAYS: bit 0 = Monday .. bit 6 = Sunday; office hours as
 * minutes after local midnight, 0 <= START < END <= 1440.  TZ is referenced.
 * Preconditions (the configuration checks them first, with
 * md_workday_holidays_known, md_workday_parse_date and
 * md_workday_parse_hours): at least one weekday worked, a known HOLIDAYS,
 * well-formed EXTRA dates, valid hours; otherwise a g_critical and NULL.
 * Returns md_workday_free. */
struct md_workday *md_workday_new(GTimeZone *tz, guint8 workdays,
				  const char *holidays, const GPtrArray *extra,
				  int office_start, int office_end);
void md_workday_free(struct md_workday *cal);	/* accepts NULL */

/* The calendar's zone, borrowed: valid until md_workday_free. */
GTimeZone *md_workday_get_timezone(const struct md_workday *cal);

/* Whether NAME is a built-in holiday set: "FR", "BE", "FR-AM" or "none". */
bool md_workday_holidays_known(const char *name);

/* Easter Sunday of YEAR (Gregorian computus, valid 1583-4099). */
void md_workday_easter(int year, int *month_r, int *day_r);

bool md_workday_is_holiday(const struct md_workday *cal, int year, int month,
			   int day);

/* A day of WORKDAYS that is not a holiday. */
bool md_workday_is_workday(const struct md_workday *cal, int year, int month,
			   int day);

/* Spec 6: T (unix seconds) plus N >= 0 working days.  T on a non-working
 * local day first moves to 00:00 of the next working day; then each step
 * moves to the next working day keeping the local time of day (a local time
 * that a DST change skips comes out as GLib's g_date_time_new adjusts it).
 * N = 0 on a working day returns T. */
gint64 md_workday_add(const struct md_workday *cal, gint64 t, int n);

/* The largest k >= 0 with md_workday_add(FROM, k) <= TO: a ticket's age in
 * working days. */
int md_workday_count(const struct md_workday *cal, gint64 from, gint64 to);

/* Seconds of office hours of working days within [FROM, TO); 0 if
 * TO <= FROM. */
gint64 md_workday_office_seconds(const struct md_workday *cal, gint64 from,
				 gint64 to);

/* The first instant at which office time counted from FROM reaches
 * SECS > 0 (FROM itself if SECS <= 0). */
gint64 md_workday_add_office_seconds(const struct md_workday *cal,
				     gint64 from, gint64 secs);

/* The latest instant <= T that is local time MINUTE (after midnight,
 * 0 <= MINUTE < 1440) on a working day; 0 if there is none in the 400 days
 * before T. */
gint64 md_workday_last_at(const struct md_workday *cal, gint64 t, int minute);

enum md_date_style {
	MD_DATE_LONG,		/* "mardi 10 mars 2026" / "Tuesday 10 March 2026" */
	MD_DATE_LONG_TIME,	/* "mardi 10 mars 2026 à 10 h 00" /
				 * "Tuesday 10 March 2026 at 10:00" */
	MD_DATE_SHORT_TIME,	/* "mar. 10 mars 2026 10:00" /
				 * "Tue 10 March 2026 10:00" */
};

/* T in the calendar's zone, in words, in LANG ("fr", anything else: "en"),
 * from maildesk's own day and month tables (never the C library's locale: a
 * fresh Debian has no fr_FR locale); French writes "1er" for the first day
 * of a month. Returns g_free. */
char *md_workday_format(const struct md_workday *cal, gint64 t,
			const char *lang, enum md_date_style style);

/* Parses "HH:MM-HH:MM" into minutes; false if malformed or START >= END.
 * Hours 0-23 (or 24:00 for the end), minutes two digits. */
bool md_workday_parse_hours(const char *text, int *start_r, int *end_r);

/* Parses "HH:MM" (00:00-23:59) into minutes after midnight; false if
 * malformed (escalation.digest_at). */
bool md_workday_parse_time(const char *text, int *minute_r);

/* Parses "YYYY-MM-DD" (a real date); false if malformed (extra_holidays). */
bool md_workday_parse_date(const char *text, int *year_r, int *month_r,
			   int *day_r);

#endif
