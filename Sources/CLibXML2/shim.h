// Debian's libxml2 headers include ICU's, whose types clash with the ICU module that
// Foundation ships ("'UErrorCode' has different definitions in different modules").
// The toolchain never asks libxml2 for ICU-backed encodings, so hide them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
