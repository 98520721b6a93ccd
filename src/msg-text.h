/* msg-text.h: text helpers shared by msg.c, msg-quote.c and msg-html.c;
 * private to the msg module (its interface is msg.h). */
#ifndef MD_MSG_TEXT_H
#define MD_MSG_TEXT_H

#include <glib.h>

/* The character a Windows-1252 byte stands for (U+FFFD if unassigned). */
gunichar md_msg_cp1252_char(guchar c);

/* Takes S; returns it, or a valid UTF-8 copy of it. */
char *md_msg_valid_utf8(char *s_take);

#endif
