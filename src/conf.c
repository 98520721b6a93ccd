/* conf.c: the configuration file (spec section 7), read with libconfig and
 * checked against one static table of keys (Redis's config.c idea).
 *
 * Each key says its type, where its value goes (an offset in the struct of
 * its group), its default and its validator; the walker stores values and
 * defaults, then finds the keys of the file that the table does not know.
 * Every error is collected as one "FILE:LINE: ..." line so that
 * `maildesk check-config` shows them all at once, as a compiler would.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "conf.h"
#include "conf-check.h"
#include "embedded.h"
#include "error.h"
#include "log.h"


struct parse {
	const char *file;	/* name used in messages */
	const char *basedir;	/* absolute: relative paths start here */
	GString *errors;	/* "FILE:LINE: ...\n" per error */
};

enum ktype {
	K_STR,		/* string; F_ENUM: index in choices, as an int */
	K_INT,		/* int */
	K_INT64,	/* gint64; a plain integer is accepted too */
	K_BOOL,		/* bool */
	K_STRS,		/* array of strings into a GPtrArray */
	K_INTS,		/* array of integers into a GArray of int */
	K_DAYS,		/* array of day names into a guint8 mask */
	K_GROUP,	/* { ... }: sub-table, sub-struct at off */
	K_GROUPS,	/* ( { ... }, ... ): GPtrArray of sub-structs */
};

#define F_REQUIRED	0x01
#define F_PATH		0x02	/* resolved against basedir */
#define F_ADDR		0x04	/* addr-spec: needs '@', lowercased */
#define F_DOMAIN	0x08	/* lowercased, no '@' */
#define F_EMPTY_NULL	0x10	/* "" means unset: NULL */
#define F_ENUM		0x40	/* store the index in choices */

#define TY(t)		(1u << (t))

struct group;

/* A validator returns NULL, or the reason VALUE is refused (g_free). */
typedef char *(*check_fn)(const void *value, void *base);

struct key {
	const char *name;
	enum ktype type;
	size_t off;			/* of the field in the group's struct */
	unsigned flags;
	const char *def;		/* K_STR; K_INTS: "2,4" */
	gint64 idef;			/* K_INT, K_INT64, K_BOOL, K_DAYS */
	gint64 min;			/* K_INT, K_INT64, K_INTS elements */
	const char *const *choices;	/* K_STR: allowed values */
	check_fn check;			/* K_STR, K_STRS elements, K_INTS */
	const struct group *sub;	/* K_GROUP, K_GROUPS */
	unsigned types;			/* typed groups: TY() mask, 0: all */
};

struct group {
	const struct key *keys;
	/* keys[0] is an F_ENUM "type" that says which keys apply. */
	bool typed;
	size_t size;			/* K_GROUPS: of one element */
	GDestroyNotify free;		/* K_GROUPS: frees one element */
	/* Cross-key checks and derived fields, once the keys are read;
	 * GS is NULL when the group is absent, TYPE -1 if unknown. */
	void (*finish)(struct parse *p, const config_setting_t *gs,
		       const char *gpath, void *base, int type);
};

static void walk_group(struct parse *p, const struct group *g,
		       const config_setting_t *gs, const char *gpath,
		       void *base);
static void free_group(const struct group *g, void *base);

/* Errors ---------------------------------------------------------------- */

static void G_GNUC_PRINTF(3, 4)
fail(struct parse *p, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = p->file;
	unsigned line = 0;
	va_list ap;

	if (s != NULL) {
		line = config_setting_source_line(s);
		if (config_setting_source_file(s) != NULL)
			file = config_setting_source_file(s);
	}
	if (line > 0)
		g_string_append_printf(p->errors, "%s:%u: ", file, line);
	else
		g_string_append_printf(p->errors, "%s: ", file);
	va_start(ap, fmt);
	g_string_append_vprintf(p->errors, fmt, ap);
	va_end(ap);
	g_string_append_c(p->errors, '\n');
}

static char *
join_path(const char *gpath, const char *name)
{
	if (*gpath == '\0')
		return g_strdup(name);
	return g_strconcat(gpath, ".", name, NULL);
}

/* Levenshtein distance, for the "did you mean" hint; names are short. */
static unsigned
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned *row = g_new(unsigned, lb + 1);
	unsigned result;

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			best = MIN(best, up + 1);
			best = MIN(best, row[j - 1] + 1);
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	g_free(row);
	return result;
}

static const struct key *
find_key(const struct group *g, const char *name)
{
	for (const struct key *k = g->keys; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static void
check_unknown(struct parse *p, const struct group *g,
	      const config_setting_t *gs, const char *gpath)
{
	int n = config_setting_length(gs);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(gs, i);
		const char *name = config_setting_name(s);
		const struct key *best = NULL;
		unsigned best_d = 3;
		char *path;

		if (find_key(g, name) != NULL)
			continue;
		for (const struct key *k = g->keys; k->name != NULL; k++) {
			unsigned d = distance(name, k->name);

			/* A typo is short next to the name it spoils. */
			if (d < best_d && d < strlen(k->name)) {
				best = k;
				best_d = d;
			}
		}
		path = join_path(gpath, name);
		if (best != NULL) {
			char *hint = join_path(gpath, best->name);

			fail(p, s, "unknown key '%s'; did you mean '%s'?",
			     path, hint);
			g_free(hint);
		} else {
			fail(p, s, "unknown key '%s'", path);
		}
		g_free(path);
	}
}

/* Values ---------------------------------------------------------------- */

static int
choice_index(const struct key *k, const char *v)
{
	for (int i = 0; k->choices[i] != NULL; i++)
		if (g_ascii_strcasecmp(k->choices[i], v) == 0)
			return i;
	return -1;
}

static char *
choices_text(const struct key *k)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; k->choices[i] != NULL; i++)
		g_string_append_printf(s, "%s\"%s\"", i > 0 ? ", " : "",
				       k->choices[i]);
	return g_string_free(s, FALSE);
}

/* Turns V, the string of key K (from setting S, or a default when S is
 * NULL), into the stored form in *OUT_R, or returns the reason it is
 * refused.  *OUT_R stays NULL for an F_EMPTY_NULL "". */
static char *
convert_str(struct parse *p, const struct key *k, const char *v,
	    void *base, char **out_r)
{
	char *reason = NULL;
	char *out = NULL;

	*out_r = NULL;
	if (*v == '\0') {
		if (k->flags & F_EMPTY_NULL)
			return NULL;
		return g_strdup("must not be empty");
	}
	if (!g_utf8_validate(v, -1, NULL))
		return g_strdup("is not valid UTF-8");
	if (k->choices != NULL) {
		int i = choice_index(k, v);

		if (i < 0) {
			char *list = choices_text(k);

			reason = g_strdup_printf("\"%s\" is not one of %s",
						 v, list);
			g_free(list);
			return reason;
		}
		/* Stored as spelled in the table, whatever the case. */
		v = k->choices[i];
	}
	if (k->flags & F_ADDR) {
		const char *at = strrchr(v, '@');

		if (at == NULL || at == v || at[1] == '\0' ||
		    strpbrk(v, " \t\r\n<>,;\"") != NULL)
			return g_strdup_printf("\"%s\" is not an address "
					       "such as user@example.org", v);
		out = g_utf8_strdown(v, -1);
	} else if (k->flags & F_DOMAIN) {
		if (strpbrk(v, "@ \t\r\n") != NULL)
			return g_strdup_printf("\"%s\" is not a domain "
					       "name", v);
		out = g_utf8_strdown(v, -1);
	} else if (k->flags & F_PATH) {
		out = g_canonicalize_filename(v, p->basedir);
	} else {
		out = g_strdup(v);
	}
	if (reason == NULL && k->check != NULL)
		reason = k->check(out, base);
	if (reason != NULL)
		g_clear_pointer(&out, g_free);
	*out_r = out;
	return reason;
}

/* Reads an integer of key K from S into *V_R, checking range. */
static bool
get_int(struct parse *p, const struct key *k, const config_setting_t *s,
	const char *path, gint64 *v_r)
{
	int type = config_setting_type(s);
	gint64 max = k->type == K_INT64 ? G_MAXINT64 : G_MAXINT;

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
		fail(p, s, "%s: expected an integer", path);
		return false;
	}
	*v_r = config_setting_get_int64(s);
	if (*v_r < k->min || *v_r > max) {
		fail(p, s, "%s: %" G_GINT64_FORMAT " is out of range (at "
		     "least %" G_GINT64_FORMAT ")", path, *v_r, k->min);
		return false;
	}
	return true;
}

static bool
store_str(struct parse *p, const struct key *k, const config_setting_t *s,
	  const char *path, void *base)
{
	void *field = (char *)base + k->off;
	char *reason, *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail(p, s, "%s: expected a string", path);
		return false;
	}
	reason = convert_str(p, k, config_setting_get_string(s), base, &v);
	if (reason != NULL) {
		fail(p, s, "%s: %s", path, reason);
		g_free(reason);
		return false;
	}
	if (k->flags & F_ENUM) {
		*(int *)field = choice_index(k, v);
		g_free(v);
	} else {
		g_free(*(char **)field);
		*(char **)field = v;
	}
	return true;
}

/* Both "[ ... ]" and "( ... )" are lists to a user. */
static bool
is_list(const config_setting_t *s)
{
	return config_setting_is_array(s) || config_setting_is_list(s);
}

static bool
store_strs(struct parse *p, const struct key *k, const config_setting_t *s,
	   const char *path, void *base)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	int n = config_setting_length(s);
	bool ok = true;

	if (!is_list(s)) {
		fail(p, s, "%s: expected an array of strings [ \"...\" ]",
		     path);
		ok = false;
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		char *reason = NULL, *v = NULL;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			reason = g_strdup("expected a string");
		else
			reason = convert_str(p, k,
					     config_setting_get_string(e),
					     base, &v);
		if (reason != NULL) {
			fail(p, e, "%s[%d]: %s", path, i, reason);
			g_free(reason);
			ok = false;
		} else if (v != NULL) {
			g_ptr_array_add(a, v);
		}
	}
	g_clear_pointer((GPtrArray **)((char *)base + k->off),
			g_ptr_array_unref);
	*(GPtrArray **)((char *)base + k->off) = a;
	return ok;
}

static bool
store_ints(struct parse *p, const struct key *k, const config_setting_t *s,
	   const char *path, void *base)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(int));
	int n = config_setting_length(s);
	char *reason;
	bool ok = true;

	if (!is_list(s)) {
		fail(p, s, "%s: expected an array of integers [ 1, 2 ]", path);
		ok = false;
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		char *epath = g_strdup_printf("%s[%d]", path, i);
		gint64 v;

		if (get_int(p, k, e, epath, &v))
			g_array_append_vals(a, &(int){ v }, 1);
		else
			ok = false;
		g_free(epath);
	}
	if (ok && k->check != NULL &&
	    (reason = k->check(a, base)) != NULL) {
		fail(p, s, "%s: %s", path, reason);
		g_free(reason);
		ok = false;
	}
	g_clear_pointer((GArray **)((char *)base + k->off), g_array_unref);
	*(GArray **)((char *)base + k->off) = a;
	return ok;
}

static bool
store_days(struct parse *p, const struct key *k, const config_setting_t *s,
	   const char *path, void *base)
{
	static const char *const days[] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	};
	guint8 mask = 0;
	bool ok = true;
	int n;

	if (!is_list(s)) {
		fail(p, s, "%s: expected an array of day names "
		     "[ \"mon\", ... ]", path);
		return false;
	}
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);
		int d = 0;

		while (v != NULL && d < 7 && g_ascii_strcasecmp(v, days[d]))
			d++;
		if (v == NULL || d == 7) {
			fail(p, e, "%s[%d]: expected a day name: \"mon\", "
			     "\"tue\", \"wed\", \"thu\", \"fri\", \"sat\" or "
			     "\"sun\"", path, i);
			ok = false;
		} else {
			mask |= 1u << d;
		}
	}
	/* Working-day arithmetic would never end without one. */
	if (ok && mask == 0) {
		fail(p, s, "%s: at least one working day is needed", path);
		ok = false;
	}
	if (ok)
		*(guint8 *)((char *)base + k->off) = mask;
	return ok;
}

static bool
store_groups(struct parse *p, const struct key *k, const config_setting_t *s,
	     const char *path, void *base)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(k->sub->free);
	int n = config_setting_length(s);
	bool ok = true;

	/* "( )" and "[ ]" are both how libconfig writes an empty list. */
	if (!config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && n == 0)) {
		fail(p, s, "%s: expected a list of groups ( { ... }, ... )",
		     path);
		ok = false;
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		char *epath = g_strdup_printf("%s[%d]", path, i);
		void *elem;

		if (!config_setting_is_group(e)) {
			fail(p, e, "%s: expected a group { ... }", epath);
			ok = false;
		} else {
			elem = g_malloc0(k->sub->size);
			g_ptr_array_add(a, elem);
			walk_group(p, k->sub, e, epath, elem);
		}
		g_free(epath);
	}
	g_clear_pointer((GPtrArray **)((char *)base + k->off),
			g_ptr_array_unref);
	*(GPtrArray **)((char *)base + k->off) = a;
	return ok;
}

static bool
store(struct parse *p, const struct key *k, const config_setting_t *s,
      const char *path, void *base)
{
	void *field = (char *)base + k->off;
	gint64 v;

	switch (k->type) {
	case K_STR:
		return store_str(p, k, s, path, base);
	case K_INT:
	case K_INT64:
		if (!get_int(p, k, s, path, &v))
			return false;
		if (k->type == K_INT)
			*(int *)field = v;
		else
			*(gint64 *)field = v;
		return true;
	case K_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			fail(p, s, "%s: expected a boolean (true or false)",
			     path);
			return false;
		}
		*(bool *)field = config_setting_get_bool(s);
		return true;
	case K_STRS:
		return store_strs(p, k, s, path, base);
	case K_INTS:
		return store_ints(p, k, s, path, base);
	case K_DAYS:
		return store_days(p, k, s, path, base);
	case K_GROUP:
		if (!config_setting_is_group(s)) {
			fail(p, s, "%s: expected a group { ... }", path);
			return false;
		}
		walk_group(p, k->sub, s, path, field);
		return true;
	case K_GROUPS:
		return store_groups(p, k, s, path, base);
	}
	g_assert_not_reached();
}

/* Defaults come from the table and go through the same conversions as
 * values read (paths resolved, time zone loaded). */
static bool
set_default(struct parse *p, const struct key *k, const char *path,
	    void *base)
{
	void *field = (char *)base + k->off;
	char *reason = NULL, *v = NULL;
	gchar **ints;

	switch (k->type) {
	case K_STR:
		if (k->def == NULL)
			return true;
		reason = convert_str(p, k, k->def, base, &v);
		/* A default the table gets wrong is a bug, not the user's. */
		g_assert(reason == NULL);
		if (k->flags & F_ENUM) {
			*(int *)field = choice_index(k, v);
			g_free(v);
		} else {
			*(char **)field = v;
		}
		return true;
	case K_INT:
		*(int *)field = k->idef;
		return true;
	case K_INT64:
		*(gint64 *)field = k->idef;
		return true;
	case K_BOOL:
		*(bool *)field = k->idef;
		return true;
	case K_DAYS:
		*(guint8 *)field = k->idef;
		return true;
	case K_STRS:
		*(GPtrArray **)field = g_ptr_array_new_with_free_func(g_free);
		return true;
	case K_INTS:
		*(GArray **)field = g_array_new(FALSE, FALSE, sizeof(int));
		ints = g_strsplit(k->def != NULL ? k->def : "", ",", -1);
		for (gchar **i = ints; *i != NULL; i++)
			g_array_append_vals(*(GArray **)field,
					    &(int){ atoi(*i) }, 1);
		g_strfreev(ints);
		return true;
	case K_GROUP:
		walk_group(p, k->sub, NULL, path, field);
		return true;
	case K_GROUPS:
		*(GPtrArray **)field =
			g_ptr_array_new_with_free_func(k->sub->free);
		return true;
	}
	g_assert_not_reached();
}

/* Walks the keys of table G over the group setting GS (NULL if absent)
 * named GPATH, storing into BASE. */
static void
walk_group(struct parse *p, const struct group *g,
	   const config_setting_t *gs, const char *gpath, void *base)
{
	int type = -1;

	for (const struct key *k = g->keys; k->name != NULL; k++) {
		const config_setting_t *s = NULL;
		char *path = join_path(gpath, k->name);
		bool ok;

		if (gs != NULL)
			s = config_setting_get_member(gs, k->name);
		if (s == NULL && (k->flags & F_REQUIRED)) {
			fail(p, gs, "missing required key '%s'", path);
			ok = false;
		} else if (s == NULL) {
			ok = set_default(p, k, path, base);
		} else if (k->types != 0 && type >= 0 &&
			   !(k->types & TY(type))) {
			fail(p, s, "%s: not valid for type \"%s\"", path,
			     g->keys[0].choices[type]);
			ok = false;
		} else {
			ok = store(p, k, s, path, base);
		}
		if (g->typed && k == g->keys && ok)
			type = *(int *)((char *)base + k->off);
		g_free(path);
	}
	if (gs != NULL)
		check_unknown(p, g, gs, gpath);
	if (g->finish != NULL && (type >= 0 || !g->typed))
		g->finish(p, gs, gpath, base, type);
}

/* Tables ---------------------------------------------------------------- */

static const char *const languages[] = { "fr", "en", NULL };
static const char *const upstream_relays[] = { "requester", "agents", NULL };
static const char *const trusts[] = { "authenticated", "from", NULL };
static const char *const automated_policies[] = {
	"close", "quarantine", "open", NULL,
};
static const char *const holidays[] = { "FR", "BE", "FR-AM", "none", NULL };
/* IMAP's "login" and "plain" came first; "password" (the issue 11 name)
 * is "login", which every server takes. */
static const char *const auths[] = {
	"login", "plain", "password", "oauth2", NULL
};
static const char *const smtp_auths[] = { "password", "oauth2", NULL };
static const char *const providers[] = {
	"microsoft", "google", "generic", NULL
};
static const char *const grants[] = {
	"refresh_token", "client_credentials", NULL
};
static const char *const afters[] = {
	[MD_AFTER_MOVE] = "move",
	[MD_AFTER_SEEN] = "seen",
	[MD_AFTER_DELETE] = "delete",
	NULL,
};
static const char *const inbound_types[] = {
	[MD_INBOUND_MAILDIR] = "maildir",
	[MD_INBOUND_IMAP] = "imap",
	NULL,
};
static const char *const outbound_types[] = {
	[MD_OUTBOUND_MAILDIR] = "maildir",
	[MD_OUTBOUND_SMTP] = "smtp",
	[MD_OUTBOUND_SENDMAIL] = "sendmail",
	NULL,
};

static void
desk_finish(struct parse *p, const config_setting_t *gs, const char *gpath,
	    void *base, int type)
{
	struct md_conf *conf = base;

	(void)p, (void)gs, (void)gpath, (void)type;
	if (conf->desk_address != NULL)
		conf->desk_domain = g_strdup(strrchr(conf->desk_address, '@')
					     + 1);
}

static void oauth_finish(struct parse *p, const config_setting_t *gs,
			 const char *gpath, bool oauth,
			 struct md_oauth_conf *o, bool has_password);

/* Reports key NAME of GS as missing for TYPE; at the group's line. */
static void
missing_for(struct parse *p, const config_setting_t *gs, const char *gpath,
	    const char *name, const char *type)
{
	char *path = join_path(gpath, name);

	fail(p, gs, "missing required key '%s' (for type \"%s\")", path, type);
	g_free(path);
}

static void
inbound_finish(struct parse *p, const config_setting_t *gs,
	       const char *gpath, void *base, int type)
{
	struct md_inbound_conf *in = base;
	bool bad_after;

	if (type == MD_INBOUND_MAILDIR) {
		if (in->path == NULL)
			missing_for(p, gs, gpath, "path", "maildir");
		else
			in->name = g_strconcat("maildir:", in->path, NULL);
		bad_after = in->after == MD_AFTER_SEEN;
	} else {
		if (in->url == NULL)
			missing_for(p, gs, gpath, "url", "imap");
		else
			in->name = g_strdup(in->url);
		if (in->user == NULL)
			missing_for(p, gs, gpath, "user", "imap");
		in->oauth = in->auth != NULL &&
			strcmp(in->auth, "oauth2") == 0;
		oauth_finish(p, gs, gpath, in->oauth, &in->oauth2,
			     in->password_file != NULL);
		/* Deleting unread mail on the server is too easy to regret;
		 * "move" to done_folder keeps it. */
		bad_after = in->after == MD_AFTER_DELETE;
	}
	if (bad_after) {
		char *path = join_path(gpath, "after");

		fail(p, config_setting_get_member(gs, "after"),
		     "%s: \"%s\" is not valid for type \"%s\" (use \"%s\")",
		     path, afters[in->after], inbound_types[type],
		     type == MD_INBOUND_IMAP ? "move\" or \"seen" :
		     "move\" or \"delete");
		g_free(path);
	}
}

static void
outbound_finish(struct parse *p, const config_setting_t *gs,
		const char *gpath, void *base, int type)
{
	struct md_outbound_conf *out = base;
	char *path;

	switch ((enum md_outbound_type)type) {
	case MD_OUTBOUND_MAILDIR:
		path = g_canonicalize_filename(out->path != NULL ? out->path
					       : "var/outbox", p->basedir);
		g_free(out->path);
		out->path = path;
		break;
	case MD_OUTBOUND_SENDMAIL:
		if (out->path == NULL)
			out->path = g_strdup("/usr/sbin/sendmail");
		/* A bare name is looked up in PATH, as a shell would. */
		if (strchr(out->path, '/') != NULL) {
			path = g_canonicalize_filename(out->path, p->basedir);
			g_free(out->path);
			out->path = path;
		}
		break;
	case MD_OUTBOUND_SMTP:
		if (out->url == NULL)
			missing_for(p, gs, gpath, "url", "smtp");
		break;
	}
	out->oauth = type == MD_OUTBOUND_SMTP && out->auth != NULL &&
		strcmp(out->auth, "oauth2") == 0;
	if (type == MD_OUTBOUND_SMTP)
		oauth_finish(p, gs, gpath, out->oauth, &out->oauth2,
			     out->password_file != NULL);
	if (out->oauth && out->user == NULL)
		fail(p, gs, "missing required key '%s%suser' (for auth "
		     "\"oauth2\": the mailbox's address)", gpath,
		     *gpath != '\0' ? "." : "");
	if (out->password_file != NULL && out->user == NULL) {
		path = join_path(gpath, "password_file");
		fail(p, config_setting_get_member(gs, "password_file"),
		     "%s: set but no user is", path);
		g_free(path);
	}
}

#define OA(f)	offsetof(struct md_oauth_conf, f)

static const struct key oauth_keys[] = {
	{ "provider", K_STR, OA(provider), 0, "generic",
	  .choices = providers },
	{ "tenant", K_STR, OA(tenant), F_EMPTY_NULL,
	  .check = md_conf_check_tenant },
	{ "grant", K_STR, OA(grant), 0, "refresh_token", .choices = grants },
	{ "client_id", K_STR, OA(client_id), 0, .check = md_conf_check_text },
	{ "client_secret_file", K_STR, OA(client_secret_file),
	  .flags = F_PATH | F_EMPTY_NULL },
	{ "token_file", K_STR, OA(token_file), .flags = F_PATH },
	{ "token_url", K_STR, OA(token_url), F_EMPTY_NULL,
	  .check = md_conf_check_http_url },
	{ "device_url", K_STR, OA(device_url), F_EMPTY_NULL,
	  .check = md_conf_check_http_url },
	{ "auth_url", K_STR, OA(auth_url), F_EMPTY_NULL,
	  .check = md_conf_check_http_url },
	{ "scope", K_STR, OA(scope), F_EMPTY_NULL,
	  .check = md_conf_check_text },
	{ NULL }
};

static const struct group oauth_group = { .keys = oauth_keys };

/* auth = "oauth2" needs the oauth2 group (and no password); another auth
 * must not carry one, which would be a half-done change. */
static void
oauth_finish(struct parse *p, const config_setting_t *gs, const char *gpath,
	     bool oauth, struct md_oauth_conf *o, bool has_password)
{
	const config_setting_t *os = config_setting_get_member(gs, "oauth2");
	char *path = join_path(gpath, "oauth2");
	char *reason;

	if (!oauth) {
		if (os != NULL)
			fail(p, os, "%s: set but auth is not \"oauth2\"",
			     path);
		goto out;
	}
	if (os == NULL) {
		fail(p, gs, "missing required group '%s' (for auth "
		     "\"oauth2\")", path);
		goto out;
	}
	if (has_password)
		fail(p, config_setting_get_member(gs, "password_file"),
		     "%s.password_file: not used with auth = \"oauth2\"",
		     gpath);
	if (o->client_id == NULL)
		fail(p, os, "missing required key '%s.client_id'", path);
	if (o->token_file == NULL)
		fail(p, os, "missing required key '%s.token_file'", path);
	/* A provider or grant refused above is reported already. */
	if (o->provider != NULL && o->grant != NULL &&
	    (reason = md_conf_oauth_preset(o)) != NULL) {
		fail(p, os, "%s: %s", path, reason);
		g_free(reason);
	}
out:
	g_free(path);
}

static void
inbound_free(gpointer data);

#define IN(f)	offsetof(struct md_inbound_conf, f)
#define INMD	TY(MD_INBOUND_MAILDIR)
#define INIMAP	TY(MD_INBOUND_IMAP)

static const struct key inbound_keys[] = {
	{ "type", K_STR, IN(type), F_REQUIRED | F_ENUM,
	  .choices = inbound_types },
	{ "path", K_STR, IN(path), F_PATH, .types = INMD },
	{ "after", K_STR, IN(after), F_ENUM, "move", .choices = afters },
	{ "url", K_STR, IN(url), 0, .check = md_conf_check_imap_url,
	  .types = INIMAP },
	{ "user", K_STR, IN(user), 0, .types = INIMAP },
	{ "password_file", K_STR, IN(password_file), F_PATH,
	  .types = INIMAP },
	{ "auth", K_STR, IN(auth), 0, "login", .choices = auths,
	  .types = INIMAP },
	{ "oauth2", K_GROUP, IN(oauth2), 0, .sub = &oauth_group,
	  .types = INIMAP },
	{ "idle", K_BOOL, IN(idle), 0, .idef = true, .types = INIMAP },
	{ "done_folder", K_STR, IN(done_folder), 0, "Done",
	  .check = md_conf_check_text, .types = INIMAP },
	/* The daemon polls a maildir too (no inotify): all types. */
	{ "poll_interval", K_INT, IN(poll_interval), 0, .idef = 60,
	  .min = 1 },
	{ "starttls", K_BOOL, IN(starttls), 0, .idef = true,
	  .types = INIMAP },
	{ "tls_ca_file", K_STR, IN(tls_ca_file), F_PATH | F_EMPTY_NULL,
	  .types = INIMAP },
	{ "tls_verify", K_BOOL, IN(tls_verify), 0, .idef = true,
	  .types = INIMAP },
	{ "batch_size", K_INT, IN(batch_size), 0, .idef = 200, .min = 1 },
	{ "timeout", K_INT, IN(timeout), 0, .idef = 60, .min = 1,
	  .types = INIMAP },
	{ NULL }
};

static const struct group inbound_group = {
	.keys = inbound_keys, .typed = true,
	.size = sizeof(struct md_inbound_conf), .free = inbound_free,
	.finish = inbound_finish,
};

#define OUT(f)	offsetof(struct md_outbound_conf, f)
#define OUTSMTP	TY(MD_OUTBOUND_SMTP)

static const struct key outbound_keys[] = {
	/* Absent outbound = { type = "maildir"; path = "var/outbox"; }. */
	{ "type", K_STR, OUT(type), F_ENUM, "maildir",
	  .choices = outbound_types },
	/* Resolved in outbound_finish: a bare sendmail name is not a path. */
	{ "path", K_STR, OUT(path), 0,
	  .types = TY(MD_OUTBOUND_MAILDIR) | TY(MD_OUTBOUND_SENDMAIL) },
	{ "url", K_STR, OUT(url), 0, .check = md_conf_check_smtp_url,
	  .types = OUTSMTP },
	{ "starttls", K_BOOL, OUT(starttls), 0, .idef = true,
	  .types = OUTSMTP },
	{ "user", K_STR, OUT(user), 0, .types = OUTSMTP },
	{ "password_file", K_STR, OUT(password_file), F_PATH,
	  .types = OUTSMTP },
	{ "auth", K_STR, OUT(auth), 0, "password", .choices = smtp_auths,
	  .types = OUTSMTP },
	{ "oauth2", K_GROUP, OUT(oauth2), 0, .sub = &oauth_group,
	  .types = OUTSMTP },
	{ "tls_ca_file", K_STR, OUT(tls_ca_file), F_PATH | F_EMPTY_NULL,
	  .types = OUTSMTP },
	{ "tls_verify", K_BOOL, OUT(tls_verify), 0, .idef = true,
	  .types = OUTSMTP },
	/* sendmail can hang too. */
	{ "timeout", K_INT, OUT(timeout), 0, .idef = 60, .min = 1 },
	{ NULL }
};

static const struct group outbound_group = {
	.keys = outbound_keys, .typed = true, .finish = outbound_finish,
};

#define C(f)	offsetof(struct md_conf, f)

static const struct key desk_keys[] = {
	{ "name", K_STR, C(desk_name), 0, "Helpdesk", .check = md_conf_check_tag },
	{ "address", K_STR, C(desk_address), .flags = F_REQUIRED | F_ADDR },
	{ "aliases", K_STRS, C(desk_aliases), .flags = F_ADDR },
	{ "from_name", K_STR, C(from_name), 0, "Service Desk",
	  .check = md_conf_check_text },
	{ "timezone", K_STR, C(timezone), 0, "UTC", .check = md_conf_check_tz },
	/* English by default: the spec's example says "fr" because its
	 * desk is French, but a desk that states no language is more
	 * likely understood in English. */
	{ "language", K_STR, C(language), 0, "en", .choices = languages },
	{ "state_dir", K_STR, C(state_dir), .flags = F_PATH, .def = "var" },
	{ "templates", K_STR, C(templates_dir), F_PATH | F_EMPTY_NULL,
	  .check = md_conf_check_dir },
	{ NULL }
};

static const struct key agents_keys[] = {
	{ "addresses", K_STRS, C(agent_addresses), .flags = F_ADDR },
	{ "domains", K_STRS, C(agent_domains), .flags = F_DOMAIN },
	{ "notify", K_STR, C(agents_notify), .flags = F_ADDR | F_EMPTY_NULL },
	{ "trusted_authserv_id", K_STR, C(trusted_authserv_id),
	  F_EMPTY_NULL, .check = md_conf_check_text },
	{ "trust", K_STR, C(agents_trust), 0, "authenticated",
	  .choices = trusts },
	{ NULL }
};

static const struct key upstream_keys[] = {
	{ "address", K_STR, C(upstream_address),
	  .flags = F_ADDR | F_EMPTY_NULL },
	{ "domains", K_STRS, C(upstream_domains), .flags = F_DOMAIN },
	/* Who hears upstream's answers besides the agents (spec 6). */
	{ "relay", K_STR, C(upstream_relay), 0, "requester",
	  .choices = upstream_relays },
	{ NULL }
};

static const struct key autoreply_keys[] = {
	{ "per_sender_per_day", K_INT, C(autoreply_per_sender_per_day), 0,
	  .idef = 5, .min = 0 },
	/* A machine's mail that opens a ticket (issue 8). */
	{ "automated", K_STR, C(autoreply_automated), 0, "close",
	  .choices = automated_policies },
	{ NULL }
};

static const struct key lifecycle_keys[] = {
	{ "workdays", K_DAYS, C(workdays), 0, .idef = 0x1f },
	{ "holidays", K_STR, C(holidays), 0, "FR", .choices = holidays },
	{ "extra_holidays", K_STRS, C(extra_holidays), 0,
	  .check = md_conf_check_date },
	{ "remind_after", K_INTS, C(remind_after), 0, "2,4", .min = 1,
	  .check = md_conf_check_ascending },
	{ "close_after", K_INT, C(close_after), 0, .idef = 5, .min = 1 },
	{ "reopen_within", K_INT, C(reopen_within), 0, .idef = 30,
	  .min = 0 },
	{ "office_hours", K_STR, C(office_hours), 0, "08:30-17:30",
	  .check = md_conf_check_hours },
	{ NULL }
};

static const struct key escalation_keys[] = {
	{ "digest_at", K_STR, C(digest_at), 0, "08:30", .check = md_conf_check_hhmm },
	{ "stale_after", K_INT, C(stale_after), 0, .idef = 8, .min = 1 },
	{ "digest_when_empty", K_BOOL, C(digest_when_empty), 0, .idef = false },
	{ NULL }
};

static const struct key limits_keys[] = {
	{ "max_message_size", K_INT64, C(max_message_size), 0,
	  .idef = 26214400, .min = 1 },
	{ "max_participants", K_INT, C(max_participants), 0, .idef = 50,
	  .min = 1 },
	{ "busy_timeout", K_INT, C(busy_timeout), 0, .idef = 30, .min = 0 },
	{ NULL }
};

static const struct group desk_group = {
	.keys = desk_keys, .finish = desk_finish,
};
static const struct group agents_group = { .keys = agents_keys };
static const struct group upstream_group = { .keys = upstream_keys };
static const struct group autoreply_group = { .keys = autoreply_keys };
static const struct group lifecycle_group = { .keys = lifecycle_keys };
static const struct group escalation_group = { .keys = escalation_keys };
static const struct group limits_group = { .keys = limits_keys };
/* What a notification to the agents carries of the sender's files. */
static const struct key notify_keys[] = {
	{ "attach_max", K_INT64, C(notify_attach_max), 0,
	  .idef = 10485760, .min = 0 },
	{ NULL }
};
static const struct group notify_group = { .keys = notify_keys };
/* Personal data (RGPD): 0 keeps closed tickets' mail for ever. */
static const struct key retention_keys[] = {
	{ "closed_after_days", K_INT, C(retention_closed_after_days), 0,
	  .idef = 0, .min = 0 },
	{ NULL }
};
static const struct group retention_group = { .keys = retention_keys };

/* Top-level groups share the struct md_conf: their offset is 0. */
static const struct key root_keys[] = {
	{ "desk", K_GROUP, 0, 0, .sub = &desk_group },
	{ "agents", K_GROUP, 0, 0, .sub = &agents_group },
	{ "upstream", K_GROUP, 0, 0, .sub = &upstream_group },
	{ "supervisors", K_STRS, C(supervisors), .flags = F_ADDR },
	{ "inbound", K_GROUPS, C(inbound), 0, .sub = &inbound_group },
	{ "outbound", K_GROUP, C(outbound), 0, .sub = &outbound_group },
	{ "autoreply", K_GROUP, 0, 0, .sub = &autoreply_group },
	{ "lifecycle", K_GROUP, 0, 0, .sub = &lifecycle_group },
	{ "escalation", K_GROUP, 0, 0, .sub = &escalation_group },
	{ "limits", K_GROUP, 0, 0, .sub = &limits_group },
	{ "notify", K_GROUP, 0, 0, .sub = &notify_group },
	{ "retention", K_GROUP, 0, 0, .sub = &retention_group },
	{ NULL }
};

static const struct group root_group = { .keys = root_keys };

/* Freeing --------------------------------------------------------------- */

/* Frees what the table stored in BASE (not BASE itself). */
static void
free_group(const struct group *g, void *base)
{
	for (const struct key *k = g->keys; k->name != NULL; k++) {
		void *field = (char *)base + k->off;

		switch (k->type) {
		case K_STR:
			if (k->flags & F_ENUM)
				break;
			g_clear_pointer((char **)field, g_free);
			break;
		case K_STRS:
		case K_GROUPS:
			g_clear_pointer((GPtrArray **)field,
					g_ptr_array_unref);
			break;
		case K_INTS:
			g_clear_pointer((GArray **)field, g_array_unref);
			break;
		case K_GROUP:
			free_group(k->sub, field);
			break;
		case K_INT:
		case K_INT64:
		case K_BOOL:
		case K_DAYS:
			break;
		}
	}
}

/* Does not leave a password in freed memory. */
static void
clear_secret(char **secret)
{
	if (*secret != NULL)
		explicit_bzero(*secret, strlen(*secret));
	g_clear_pointer(secret, g_free);
}

static void
inbound_free(gpointer data)
{
	struct md_inbound_conf *in = data;

	free_group(&inbound_group, in);
	clear_secret(&in->password);
	clear_secret(&in->oauth2.client_secret);
	g_free(in->name);
	g_free(in);
}

void
md_conf_free(struct md_conf *conf)
{
	if (conf == NULL)
		return;
	free_group(&root_group, conf);
	clear_secret(&conf->outbound.password);
	clear_secret(&conf->outbound.oauth2.client_secret);
	g_free(conf->file);
	g_clear_pointer(&conf->tz, g_time_zone_unref);
	g_free(conf->desk_domain);
	g_free(conf);
}

/* Loading --------------------------------------------------------------- */

/* Builds *CONF_R from the parsed CFG; NAME and BASEDIR (absolute) as in
 * struct parse. */
static bool
build(config_t *cfg, const char *name, const char *basedir,
      struct md_conf **conf_r, GError **error)
{
	struct parse p = { name, basedir, g_string_new(NULL) };
	struct md_conf *conf = g_new0(struct md_conf, 1);
	bool ok = false;

	conf->file = g_strdup(name);
	walk_group(&p, &root_group, config_root_setting(cfg), "", conf);
	if (p.errors->len > 0) {
		g_string_truncate(p.errors, p.errors->len - 1);
		g_set_error_literal(error, MD_ERROR, MD_ERROR_CONFIG,
				    p.errors->str);
		goto out;
	}
	*conf_r = g_steal_pointer(&conf);
	ok = true;
out:
	md_conf_free(conf);
	g_string_free(p.errors, TRUE);
	return ok;
}

static void
syntax_error(const config_t *cfg, const char *name, GError **error)
{
	const char *file = config_error_file(cfg);
	const char *text = config_error_text(cfg);

	/* libconfig 1.5 leaks a string token dropped by a syntax error
	 * (hyperrealm/libconfig#142, fixed in 1.7.3): a few bytes, once,
	 * on a path that ends in exit or keeps the previous config. */
	if (file == NULL)
		file = name;
	/* libconfig's text is often just "syntax error". */
	g_set_error(error, MD_ERROR, MD_ERROR_CONFIG, "%s:%d: %s%s", file,
		    config_error_line(cfg),
		    g_str_has_prefix(text, "syntax error") ?
		    "" : "syntax error: ", text);
}

bool
md_conf_load(const char *path, struct md_conf **conf_r, GError **error)
{
	config_t cfg;
	char *dir = g_path_get_dirname(path);
	char *basedir = g_canonicalize_filename(dir, NULL);
	FILE *fp = NULL;
	bool ok = false;

	*conf_r = NULL;
	config_init(&cfg);
	config_set_include_dir(&cfg, basedir);
	fp = fopen(path, "re");
	if (fp == NULL) {
		g_set_error(error, MD_ERROR, MD_ERROR_CONFIG, "%s: cannot "
			    "read: %s", path, g_strerror(errno));
		goto out;
	}
	if (!config_read(&cfg, fp)) {
		syntax_error(&cfg, path, error);
		goto out;
	}
	ok = build(&cfg, path, basedir, conf_r, error);
out:
	if (fp != NULL)
		fclose(fp);
	config_destroy(&cfg);
	g_free(basedir);
	g_free(dir);
	return ok;
}

bool
md_conf_load_string(const char *text, const char *name,
		    const char *basedir, struct md_conf **conf_r,
		    GError **error)
{
	config_t cfg;
	char *dir = g_canonicalize_filename(basedir != NULL ? basedir : ".",
					    NULL);
	bool ok = false;

	*conf_r = NULL;
	if (name == NULL)
		name = "(embedded)";
	config_init(&cfg);
	config_set_include_dir(&cfg, dir);
	if (!config_read_string(&cfg, text)) {
		syntax_error(&cfg, name, error);
		goto out;
	}
	ok = build(&cfg, name, dir, conf_r, error);
out:
	config_destroy(&cfg);
	g_free(dir);
	return ok;
}

bool
md_conf_is_desk(const struct md_conf *conf, const char *addr)
{
	if (addr == NULL)
		return false;
	if (g_ascii_strcasecmp(conf->desk_address, addr) == 0)
		return true;
	for (guint i = 0; i < conf->desk_aliases->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(conf->desk_aliases,
							 i), addr) == 0)
			return true;
	return false;
}

bool
md_conf_find(const char *path, struct md_conf **conf_r, GError **error)
{
	static bool told;
	char *cwd;
	bool ok;

	if (path != NULL)
		return md_conf_load(path, conf_r, error);
	if (g_file_test(MD_CONF_DEFAULT_PATH, G_FILE_TEST_EXISTS))
		return md_conf_load(MD_CONF_DEFAULT_PATH, conf_r, error);
	cwd = g_get_current_dir();
	ok = md_conf_load_string(md_embedded_conf, "(built-in)", cwd, conf_r,
				 error);
	/* A new user who runs maildesk in the wrong directory would otherwise
	 * find a var/ there without knowing why: say it, once a process. */
	if (ok && !told) {
		md_log_info("no %s: using the built-in example configuration, "
			    "state in %s", MD_CONF_DEFAULT_PATH,
			    (*conf_r)->state_dir);
		told = true;
	}
	g_free(cwd);
	return ok;
}

GPtrArray *
md_conf_desk_addresses(const struct md_conf *conf)
{
	GPtrArray *list = g_ptr_array_new();

	g_ptr_array_add(list, conf->desk_address);
	for (guint i = 0; i < conf->desk_aliases->len; i++)
		g_ptr_array_add(list, g_ptr_array_index(conf->desk_aliases, i));
	return list;
}

/* One password_file (or KEY) into *SECRET_R, unless already read; what
 * is wrong goes to ERRORS as a line. */
static void
load_secret_key(const struct md_conf *conf, const char *what, const char *key,
		const char *path, char **secret_r, GString *errors)
{
	char *reason;

	if (path == NULL || *secret_r != NULL)
		return;
	reason = md_conf_read_secret(path, secret_r);
	if (reason != NULL)
		g_string_append_printf(errors, "%s: %s.%s: %s\n",
				       conf->file, what, key, reason);
	g_free(reason);
}

static void
load_secret(const struct md_conf *conf, const char *what, const char *path,
	    char **secret_r, GString *errors)
{
	load_secret_key(conf, what, "password_file", path, secret_r, errors);
}

bool
md_conf_load_secrets(struct md_conf *conf, enum md_secrets which,
		     GError **error)
{
	GString *errors = g_string_new(NULL);

	for (guint i = 0; (which & MD_SECRETS_INBOUND) &&
	     conf->inbound != NULL && i < conf->inbound->len; i++) {
		struct md_inbound_conf *in = g_ptr_array_index(conf->inbound,
							       i);
		char *what = g_strdup_printf("inbound[%u]", i);

		load_secret(conf, what, in->password_file, &in->password,
			    errors);
		load_secret_key(conf, what, "oauth2.client_secret_file",
				in->oauth2.client_secret_file,
				&in->oauth2.client_secret, errors);
		g_free(what);
	}
	if (which & MD_SECRETS_OUTBOUND) {
		load_secret(conf, "outbound", conf->outbound.password_file,
			    &conf->outbound.password, errors);
		load_secret_key(conf, "outbound", "oauth2.client_secret_file",
				conf->outbound.oauth2.client_secret_file,
				&conf->outbound.oauth2.client_secret, errors);
	}
	if (errors->len == 0) {
		g_string_free(errors, TRUE);
		return true;
	}
	g_string_truncate(errors, errors->len - 1);
	g_set_error_literal(error, MD_ERROR, MD_ERROR_CONFIG, errors->str);
	g_string_free(errors, TRUE);
	return false;
}
