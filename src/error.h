/* error.h: the one error domain of maildesk.
 *
 * Codes say what the caller does next (isync's classes): retry later, put
 * the message aside, fix the configuration.  md_error_exit maps them to
 * sysexits.h for the command-line front ends and the MTA.
 */
#ifndef MD_ERROR_H
#define MD_ERROR_H

#include <glib.h>
#include <stdbool.h>

#define MD_ERROR md_error_quark()

enum md_error_code {
	MD_ERROR_TEMP,		/* retry later: locked db, network, full disk */
	MD_ERROR_DATA,		/* bad input or permanent refusal: quarantine */
	MD_ERROR_CONFIG,	/* configuration error */
	MD_ERROR_IO,		/* a file cannot be read or written */
	MD_ERROR_INTERNAL,	/* a bug or an impossible state */
	MD_ERROR_USAGE,		/* bad command line */
	MD_ERROR_NOTFOUND,	/* a named object (ticket N) does not exist */
};

GQuark md_error_quark(void);

/* The sysexits.h code for ERROR (EX_SOFTWARE for foreign domains). */
int md_error_exit(const GError *error);

#endif
