/* json.c: minimal JSON output (RFC 8259 string escaping). */
#include "config.h"

#include "json.h"

void
md_json_string(GString *out, const char *s)
{
	if (s == NULL) {
		g_string_append(out, "null");
		return;
	}
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\r': g_string_append(out, "\\r"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default:
			if (*p < 0x20)
				g_string_append_printf(out, "\\u%04x", *p);
			else
				g_string_append_c(out, (char)*p);
		}
	}
	g_string_append_c(out, '"');
}

void
md_json_key(GString *out, bool *first, const char *key)
{
	if (!*first)
		g_string_append_c(out, ',');
	*first = false;
	md_json_string(out, key);
	g_string_append_c(out, ':');
}

void
md_json_kv_str(GString *out, bool *first, const char *key, const char *s)
{
	md_json_key(out, first, key);
	md_json_string(out, s);
}

void
md_json_kv_int(GString *out, bool *first, const char *key, gint64 v)
{
	md_json_key(out, first, key);
	g_string_append_printf(out, "%" G_GINT64_FORMAT, v);
}

void
md_json_kv_bool(GString *out, bool *first, const char *key, bool v)
{
	md_json_key(out, first, key);
	g_string_append(out, v ? "true" : "false");
}
