/* forward.h: who wrote the original an agent forwards inline (pure).
 *
 * An agent who forwards a citizen's mail to the desk opens the ticket
 * for that citizen (issue 8).  A forward as an attachment names its
 * author in msg.c's forwarded_from; an inline one only in the text, in
 * the block the mail client wrote above the original.
 */
#ifndef MD_FORWARD_H
#define MD_FORWARD_H

#include <glib.h>

/* The address on the From line ("From:", "De :", "Von:") of the first
 * forwarded original written inline in TEXT, lowercased (g_free), or
 * NULL.  Such an original starts after Gmail's "---------- Forwarded
 * message ---------", Thunderbird's "-------- Forwarded Message --------"
 * or "-------- Message transféré --------", Outlook's "-----Original
 * Message-----" or "-----Message d'origine-----", Apple Mail's "Begin
 * forwarded message:" or "Début du message réexpédié :", or is Outlook's
 * header block itself ("From: … Sent: …", "De : … Envoyé : …"); lines
 * quoted with ">" count as well. */
char *md_forward_original_from(const char *text);

#endif
