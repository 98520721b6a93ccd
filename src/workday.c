/* workday.c: working days, public holidays and office hours (spec 6).
 *
 * Days are walked as GDates (pure calendar arithmetic, no zone); an
 * instant is made only from a local date and a time of day, by
 * g_date_time_new in the desk's zone, so a DST night is 23 or 25 hours
 * long as the zone says.  Holidays are computed per year into one bit per
 * day of each month, kept in a small cache on the caller's stack: a walk
 * over weeks of holidays costs one computus per year crossed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "workday.h"

/* A built-in holiday set: fixed dates (month * 100 + day) and days counted
 * from Easter Sunday. */
struct holiday_set {
	const char *name;
	guint16 fixed[12];	/* 0-terminated */
	int easter[5];		/* 0-terminated: Easter Sunday is no holiday */
};

/* Code du travail L3133-1 (FR), loi du 4 janvier 1974 (BE); Alsace-Moselle
 * keeps Good Friday and St Stephen's Day (code local, art. L3134-13). */
static const struct holiday_set holiday_sets[] = {
	{ "FR", { 101, 501, 508, 714, 815, 1101, 1111, 1225 },
	  { 1, 39, 50 } },
	{ "BE", { 101, 501, 721, 815, 1101, 1111, 1225 },
	  { 1, 39, 50 } },
	{ "FR-AM", { 101, 501, 508, 714, 815, 1101, 1111, 1225, 1226 },
	  { -2, 1, 39, 50 } },
	{ "none", { 0 }, { 0 } },
};

struct md_workday {
	GTimeZone *tz;
	guint8 workdays;
	const struct holiday_set *set;
	GArray *extra;		/* guint32 YYYYMMDD, sorted */
	int office_start;	/* minutes after local midnight */
	int office_end;
};

/* One year's holidays: bit D-1 of month[M-1] for day D of month M. */
struct year_mask {
	int year;		/* 0: empty */
	guint32 month[12];
};

static const struct holiday_set *
find_set(const char *name)
{
	for (gsize i = 0; i < G_N_ELEMENTS(holiday_sets); i++)
		if (name && strcmp(name, holiday_sets[i].name) == 0)
			return &holiday_sets[i];
	return NULL;
}

bool
md_workday_holidays_known(const char *name)
{
	return find_set(name) != NULL;
}

static int
cmp_u32(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

struct md_workday *
md_workday_new(GTimeZone *tz, guint8 workdays, const char *holidays,
	       const GPtrArray *extra, int office_start, int office_end)
{
	const struct holiday_set *set = find_set(holidays);
	struct md_workday *cal;

	g_return_val_if_fail(tz != NULL, NULL);
	g_return_val_if_fail((workdays & 0x7f) != 0, NULL);
	g_return_val_if_fail(set != NULL, NULL);
	g_return_val_if_fail(office_start >= 0 && office_start < office_end &&
			     office_end <= 1440, NULL);
	cal = g_new0(struct md_workday, 1);
	cal->tz = g_time_zone_ref(tz);
	cal->workdays = workdays & 0x7f;
	cal->set = set;
	cal->extra = g_array_new(FALSE, FALSE, sizeof(guint32));
	cal->office_start = office_start;
	cal->office_end = office_end;
	for (guint i = 0; extra && i < extra->len; i++) {
		int y, m, d;
		guint32 key;

		if (!md_workday_parse_date(g_ptr_array_index(extra, i), &y, &m,
					   &d)) {
			g_critical("extra holiday \"%s\" is not YYYY-MM-DD",
				   (const char *)g_ptr_array_index(extra, i));
			md_workday_free(cal);
			return NULL;
		}
		key = (guint32)(y * 10000 + m * 100 + d);
		g_array_append_val(cal->extra, key);
	}
	g_array_sort(cal->extra, cmp_u32);
	return cal;
}

void
md_workday_free(struct md_workday *cal)
{
	if (cal == NULL)
		return;
	g_time_zone_unref(cal->tz);
	g_array_unref(cal->extra);
	g_free(cal);
}

GTimeZone *
md_workday_get_timezone(const struct md_workday *cal)
{
	return cal->tz;
}

/* The anonymous Gregorian algorithm (Meeus, Astronomical Algorithms,
 * ch. 8; Butcher 1876), exact for every Gregorian year. */
void
md_workday_easter(int year, int *month_r, int *day_r)
{
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;

	*month_r = (h + l - 7 * m + 114) / 31;
	*day_r = (h + l - 7 * m + 114) % 31 + 1;
}

static void
mark(struct year_mask *ym, int month, int day)
{
	ym->month[month - 1] |= 1u << (day - 1);
}

static void
year_fill(const struct md_workday *cal, struct year_mask *ym, int year)
{
	const struct holiday_set *set = cal->set;
	int em, ed;
	GDate easter;

	memset(ym, 0, sizeof(*ym));
	ym->year = year;
	for (int i = 0; set->fixed[i]; i++)
		mark(ym, set->fixed[i] / 100, set->fixed[i] % 100);
	md_workday_easter(year, &em, &ed);
	for (int i = 0; set->easter[i]; i++) {
		g_date_clear(&easter, 1);
		g_date_set_dmy(&easter, (GDateDay)ed, (GDateMonth)em,
			       (GDateYear)year);
		if (set->easter[i] > 0)
			g_date_add_days(&easter, (guint)set->easter[i]);
		else
			g_date_subtract_days(&easter, (guint)-set->easter[i]);
		mark(ym, g_date_get_month(&easter), g_date_get_day(&easter));
	}
	for (guint i = 0; i < cal->extra->len; i++) {
		guint32 key = g_array_index(cal->extra, guint32, i);

		if ((int)(key / 10000) == year)
			mark(ym, (int)(key / 100 % 100), (int)(key % 100));
	}
}

static bool
holiday_in(const struct md_workday *cal, struct year_mask *ym, int year,
	   int month, int day)
{
	if (ym->year != year)
		year_fill(cal, ym, year);
	return (ym->month[month - 1] >> (day - 1)) & 1;
}

/* Not a working day: a weekday not worked, or a holiday. */
static bool
day_off(const struct md_workday *cal, struct year_mask *ym, const GDate *d)
{
	int wd = g_date_get_weekday(d);	/* 1 = Monday */

	if (!(cal->workdays & (1u << (wd - 1))))
		return true;
	return holiday_in(cal, ym, g_date_get_year(d), g_date_get_month(d),
			  g_date_get_day(d));
}

bool
md_workday_is_holiday(const struct md_workday *cal, int year, int month,
		      int day)
{
	struct year_mask ym = { 0 };

	g_return_val_if_fail(g_date_valid_dmy((GDateDay)day, (GDateMonth)month,
					      (GDateYear)year), false);
	return holiday_in(cal, &ym, year, month, day);
}

bool
md_workday_is_workday(const struct md_workday *cal, int year, int month,
		      int day)
{
	struct year_mask ym = { 0 };
	GDate d;

	g_return_val_if_fail(g_date_valid_dmy((GDateDay)day, (GDateMonth)month,
					      (GDateYear)year), false);
	g_date_clear(&d, 1);
	g_date_set_dmy(&d, (GDateDay)day, (GDateMonth)month, (GDateYear)year);
	return !day_off(cal, &ym, &d);
}

static void
next_workday(const struct md_workday *cal, struct year_mask *ym, GDate *d)
{
	do
		g_date_add_days(d, 1);
	while (day_off(cal, ym, d));
}

/* The local date of T in CAL's zone into D_R; returns the second of the
 * local day (0-86399). */
static int
local_date(const struct md_workday *cal, gint64 t, GDate *d_r)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(t);
	GDateTime *l = g_date_time_to_timezone(utc, cal->tz);
	int y, m, d, sod;

	g_date_time_get_ymd(l, &y, &m, &d);
	sod = g_date_time_get_hour(l) * 3600 + g_date_time_get_minute(l) * 60 +
	      g_date_time_get_second(l);
	g_date_clear(d_r, 1);
	g_date_set_dmy(d_r, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	g_date_time_unref(l);
	g_date_time_unref(utc);
	return sod;
}

/* The instant of second SOD (0-86400; 86400 is the next day's 00:00) of
 * local date D.  A skipped local time is adjusted by GLib. */
static gint64
instant(const struct md_workday *cal, const GDate *d, int sod)
{
	GDate day = *d;
	GDateTime *dt;
	gint64 t;

	if (sod >= 86400) {
		g_date_add_days(&day, 1);
		sod -= 86400;
	}
	dt = g_date_time_new(cal->tz, g_date_get_year(&day),
			     g_date_get_month(&day), g_date_get_day(&day),
			     sod / 3600, sod / 60 % 60, sod % 60);
	g_assert(dt != NULL);
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

/* Spec 6's first rule: a non-working day moves to 00:00 of the next
 * working day.  Returns whether it moved; D and *SOD are updated. */
static bool
normalize(const struct md_workday *cal, struct year_mask *ym, GDate *d,
	  int *sod)
{
	if (!day_off(cal, ym, d))
		return false;
	next_workday(cal, ym, d);
	*sod = 0;
	return true;
}

gint64
md_workday_add(const struct md_workday *cal, gint64 t, int n)
{
	struct year_mask ym = { 0 };
	GDate d;
	int sod = local_date(cal, t, &d);

	g_return_val_if_fail(n >= 0, t);
	if (!normalize(cal, &ym, &d, &sod) && n == 0)
		return t;
	for (int i = 0; i < n; i++)
		next_workday(cal, &ym, &d);
	return instant(cal, &d, sod);
}

int
md_workday_count(const struct md_workday *cal, gint64 from, gint64 to)
{
	struct year_mask ym = { 0 };
	GDate d, end;
	int sod = local_date(cal, from, &d);
	guint32 last;
	int k = 0;

	if (md_workday_add(cal, from, 0) > to)
		return 0;
	normalize(cal, &ym, &d, &sod);
	local_date(cal, to, &end);
	last = g_date_get_julian(&end);
	/* A candidate two local days before TO's is before TO whatever the
	 * zone does; only the last few are made into instants. */
	for (;;) {
		guint32 j;

		next_workday(cal, &ym, &d);
		j = g_date_get_julian(&d);
		if (j > last + 1)
			break;
		if (j + 1 >= last && instant(cal, &d, sod) > to)
			break;
		k++;
	}
	return k;
}

/* The office hours of local date D: [*START_R, *END_R). */
static void
office(const struct md_workday *cal, const GDate *d, gint64 *start_r,
       gint64 *end_r)
{
	*start_r = instant(cal, d, cal->office_start * 60);
	*end_r = instant(cal, d, cal->office_end * 60);
}

gint64
md_workday_office_seconds(const struct md_workday *cal, gint64 from,
			  gint64 to)
{
	struct year_mask ym = { 0 };
	GDate d, end;
	gint64 sum = 0;

	if (to <= from)
		return 0;
	local_date(cal, from, &d);
	local_date(cal, to, &end);
	for (; g_date_compare(&d, &end) <= 0; g_date_add_days(&d, 1)) {
		gint64 s, e;

		if (day_off(cal, &ym, &d))
			continue;
		office(cal, &d, &s, &e);
		s = MAX(s, from);
		e = MIN(e, to);
		if (e > s)
			sum += e - s;
	}
	return sum;
}

gint64
md_workday_add_office_seconds(const struct md_workday *cal, gint64 from,
			      gint64 secs)
{
	struct year_mask ym = { 0 };
	GDate d;

	if (secs <= 0)
		return from;
	local_date(cal, from, &d);
	/* Ends: at least one weekday is worked and office hours are not
	 * empty, and holidays are finitely many per year. */
	for (;; g_date_add_days(&d, 1)) {
		gint64 s, e;

		if (day_off(cal, &ym, &d))
			continue;
		office(cal, &d, &s, &e);
		s = MAX(s, from);
		if (e <= s)
			continue;
		if (secs <= e - s)
			return s + secs;
		secs -= e - s;
	}
}

gint64
md_workday_last_at(const struct md_workday *cal, gint64 t, int minute)
{
	struct year_mask ym = { 0 };
	GDate d;

	g_return_val_if_fail(minute >= 0 && minute < 1440, 0);
	local_date(cal, t, &d);
	for (int i = 0; i <= 400; i++, g_date_subtract_days(&d, 1)) {
		gint64 x;

		if (day_off(cal, &ym, &d))
			continue;
		x = instant(cal, &d, minute * 60);
		if (x <= t)
			return x;
	}
	return 0;
}

/* ---- dates in words ---- */

static const char *const days_fr[] = {
	"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
	"dimanche",
};
static const char *const days_fr_short[] = {
	"lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.",
};
static const char *const months_fr[] = {
	"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
	"août", "septembre", "octobre", "novembre", "décembre",
};
static const char *const days_en[] = {
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
	"Sunday",
};
static const char *const days_en_short[] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};
static const char *const months_en[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static bool
is_french(const char *lang)
{
	return lang && g_ascii_strncasecmp(lang, "fr", 2) == 0 &&
	       (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_');
}

static char *
format_fr(int wd, int y, int m, int d, int hh, int mm,
	  enum md_date_style style)
{
	/* French ordinal for the first of the month only ("1er mars"). */
	char day[8];

	g_snprintf(day, sizeof(day), d == 1 ? "1er" : "%d", d);
	switch (style) {
	case MD_DATE_LONG_TIME:
		return g_strdup_printf("%s %s %s %d à %d h %02d",
				       days_fr[wd - 1], day, months_fr[m - 1],
				       y, hh, mm);
	case MD_DATE_SHORT_TIME:
		return g_strdup_printf("%s %s %s %d %02d:%02d",
				       days_fr_short[wd - 1], day,
				       months_fr[m - 1], y, hh, mm);
	case MD_DATE_LONG:
	default:
		return g_strdup_printf("%s %s %s %d", days_fr[wd - 1], day,
				       months_fr[m - 1], y);
	}
}

static char *
format_en(int wd, int y, int m, int d, int hh, int mm,
	  enum md_date_style style)
{
	switch (style) {
	case MD_DATE_LONG_TIME:
		return g_strdup_printf("%s %d %s %d at %02d:%02d",
				       days_en[wd - 1], d, months_en[m - 1], y,
				       hh, mm);
	case MD_DATE_SHORT_TIME:
		return g_strdup_printf("%s %d %s %d %02d:%02d",
				       days_en_short[wd - 1], d,
				       months_en[m - 1], y, hh, mm);
	case MD_DATE_LONG:
	default:
		return g_strdup_printf("%s %d %s %d", days_en[wd - 1], d,
				       months_en[m - 1], y);
	}
}

char *
md_workday_format(const struct md_workday *cal, gint64 t, const char *lang,
		  enum md_date_style style)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(t);
	GDateTime *l = g_date_time_to_timezone(utc, cal->tz);
	int y, m, d, wd = g_date_time_get_day_of_week(l);
	int hh = g_date_time_get_hour(l), mm = g_date_time_get_minute(l);
	char *s;

	g_date_time_get_ymd(l, &y, &m, &d);
	if (is_french(lang))
		s = format_fr(wd, y, m, d, hh, mm, style);
	else
		s = format_en(wd, y, m, d, hh, mm, style);
	g_date_time_unref(l);
	g_date_time_unref(utc);
	return s;
}

/* ---- parsing ---- */

/* Reads exactly N digits at *P into *V; advances *P. */
static bool
digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!g_ascii_isdigit(**p))
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

/* "H:MM" or "HH:MM" at *P, 00:00-24:00; advances *P. */
static bool
clock_time(const char **p, int *minute_r)
{
	int h, m;

	if (g_ascii_isdigit((*p)[0]) && g_ascii_isdigit((*p)[1])) {
		if (!digits(p, 2, &h))
			return false;
	} else if (!digits(p, 1, &h)) {
		return false;
	}
	if (**p != ':')
		return false;
	(*p)++;
	if (!digits(p, 2, &m) || m > 59 || h > 24 || (h == 24 && m != 0))
		return false;
	*minute_r = h * 60 + m;
	return true;
}

bool
md_workday_parse_hours(const char *text, int *start_r, int *end_r)
{
	const char *p = text;
	int s, e;

	if (!text || !clock_time(&p, &s) || s >= 1440 || *p++ != '-' ||
	    !clock_time(&p, &e) || *p != '\0' || s >= e)
		return false;
	*start_r = s;
	*end_r = e;
	return true;
}

bool
md_workday_parse_time(const char *text, int *minute_r)
{
	const char *p = text;
	int m;

	if (!text || !clock_time(&p, &m) || *p != '\0' || m >= 1440)
		return false;
	*minute_r = m;
	return true;
}

bool
md_workday_parse_date(const char *text, int *year_r, int *month_r,
		      int *day_r)
{
	const char *p = text;
	int y, m, d;

	if (!text || !digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &m) ||
	    *p++ != '-' || !digits(&p, 2, &d) || *p != '\0' || y < 1 ||
	    m < 1 || m > 12 || d < 1 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return false;
	*year_r = y;
	*month_r = m;
	*day_r = d;
	return true;
}
