#ifndef CSYSTEM_RANDOM_H
#define CSYSTEM_RANDOM_H

#include <stddef.h>

/// Fills `buffer` with `length` bytes from the kernel's CSPRNG (getrandom(2)), retrying
/// short reads and interruptions. Returns 0, or -1 with errno set. Swift's Glibc module
/// does not expose getrandom, and swift-crypto's random keys ask for 8 bytes per call.
int mfa_system_random(void *buffer, size_t length);

#endif
