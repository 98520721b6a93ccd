/* json.h: writing JSON (spec 7b) into a GString; GLib has no JSON writer
 * and json-glib would be a dependency for four functions. */
#ifndef MD_JSON_H
#define MD_JSON_H

#include <glib.h>
#include <stdbool.h>

/* Appends S as a JSON string literal, or null when S is NULL. */
void md_json_string(GString *out, const char *s);
/* Appends "KEY": and the value; a comma first unless *FIRST. */
void md_json_key(GString *out, bool *first, const char *key);
void md_json_kv_str(GString *out, bool *first, const char *key, const char *s);
void md_json_kv_int(GString *out, bool *first, const char *key, gint64 v);
void md_json_kv_bool(GString *out, bool *first, const char *key, bool v);

#endif
