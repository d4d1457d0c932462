#include "CLibXML2Quiet.h"

#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/xmlerror.h>

// A variadic function cannot be written in Swift, hence this file.
static void ignore_generic_error(void *context, const char *message, ...) {
    (void)context;
    (void)message;
}

void mfa_libxml2_silence_generic_errors(void) {
    xmlSetGenericErrorFunc(NULL, ignore_generic_error);
}
