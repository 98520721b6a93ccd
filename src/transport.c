/* transport.c: the generic half of transport.h (dispatch). */
#include "config.h"

#include "conf.h"
#include "error.h"
#include "transport.h"

bool
md_transport_open(const struct md_outbound_conf *conf,
		  struct md_transport **t_r, GError **error)
{
	switch (conf->type) {
	case MD_OUTBOUND_MAILDIR:
		return md_transport_maildir_open(conf, t_r, error);
	case MD_OUTBOUND_SMTP:
		return md_transport_smtp_open(conf, t_r, error);
	case MD_OUTBOUND_SENDMAIL:
		return md_transport_sendmail_open(conf, t_r, error);
	}
	g_set_error(error, MD_ERROR, MD_ERROR_INTERNAL,
		    "unknown outbound transport");
	return false;
}

bool
md_transport_send(struct md_transport *t, const char *mail_from,
		  const GPtrArray *rcpts, const char *data, gsize len,
		  GPtrArray *refused, GError **error)
{
	return t->ops->send(t, mail_from, rcpts, data, len, refused, error);
}

bool
md_transport_flush(struct md_transport *t, GError **error)
{
	return t->ops->flush == NULL || t->ops->flush(t, error);
}

void
md_transport_free(struct md_transport *t)
{
	if (t != NULL)
		t->ops->free(t);
}
