/* embedded.h: files compiled into the binary (generated src/embedded.c). */
#ifndef MD_EMBEDDED_H
#define MD_EMBEDDED_H

struct md_embedded_file {
	const char *name;	/* "fr/ack.txt" */
	const char *text;
};

extern const char md_embedded_conf[];
/* Terminated by { NULL, NULL }. */
extern const struct md_embedded_file md_embedded_templates[];

#endif
