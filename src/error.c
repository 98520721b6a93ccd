/* error.c: the MD_ERROR domain and its mapping to sysexits.h. */
#include "config.h"

#include <sysexits.h>

#include "error.h"

G_DEFINE_QUARK(md-error-quark, md_error)

int
md_error_exit(const GError *error)
{
	if (error == NULL || error->domain != MD_ERROR)
		return EX_SOFTWARE;
	switch ((enum md_error_code)error->code) {
	case MD_ERROR_TEMP:
		return EX_TEMPFAIL;
	case MD_ERROR_DATA:
		return EX_DATAERR;
	case MD_ERROR_CONFIG:
		return EX_CONFIG;
	case MD_ERROR_IO:
		return EX_IOERR;
	case MD_ERROR_USAGE:
		return EX_USAGE;
	case MD_ERROR_NOTFOUND:
		return EX_NOINPUT;
	case MD_ERROR_INTERNAL:
		break;
	}
	return EX_SOFTWARE;
}
