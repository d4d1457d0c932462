#ifndef CLIBXML2_QUIET_H
#define CLIBXML2_QUIET_H

/// Makes libxml2's generic error channel (its printf-style messages such as
/// "Unimplemented block at xmlschemas.c") silent on the calling thread. Structured
/// errors, which carry line numbers, are collected separately.
void mfa_libxml2_silence_generic_errors(void);

#endif
