/* source.c: the generic half of source.h (dispatch and items). */
#include "config.h"

#include "conf.h"
#include "error.h"
#include "source.h"

bool
md_source_fetch(struct md_source *src, guint max, GPtrArray *batch,
		GError **error)
{
	return src->ops->fetch(src, max, batch, error);
}

bool
md_source_ack(struct md_source *src, GPtrArray *items, GError **error)
{
	if (items->len == 0)
		return true;
	return src->ops->ack(src, items, error);
}

bool
md_source_wait_begin(struct md_source *src, int *fd_r, guint *timeout_r,
		     GError **error)
{
	return src->ops->wait_begin(src, fd_r, timeout_r, error);
}

bool
md_source_wait_end(struct md_source *src, GError **error)
{
	return src->ops->wait_end(src, error);
}

void
md_source_free(struct md_source *src)
{
	if (src != NULL)
		src->ops->free(src);
}

struct md_source_item *
md_source_item_new(const char *key, guint32 uid, GBytes *raw_take)
{
	struct md_source_item *item = g_new0(struct md_source_item, 1);

	item->key = g_strdup(key);
	item->uid = uid;
	item->raw = raw_take;
	item->size = g_bytes_get_size(raw_take);
	return item;
}

void
md_source_item_free(gpointer data)
{
	struct md_source_item *item = data;

	if (item == NULL)
		return;
	g_free(item->key);
	g_clear_pointer(&item->raw, g_bytes_unref);
	g_free(item);
}
