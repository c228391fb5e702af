/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Small general-purpose macros for meshrpr users and meshrpr itself.
 *
 * The library's objects (timers, buffers) are intrusive: the user embeds them in a struct of
 * their own and gets back from the embedded member to the containing struct with
 * MESHRPR_CONTAINER_OF(), so the library never allocates and never needs a user-data pointer.
 */
#ifndef MESHRPR_UTIL_H
#define MESHRPR_UTIL_H

#include <stddef.h>

/**
 * Pointer to the struct of type @p type that contains the member @p member at @p ptr.
 *
 * The detour through void * keeps -Wcast-align quiet: the object at the computed address
 * really is a @p type, so its alignment is right.
 */
#define MESHRPR_CONTAINER_OF(ptr, type, member)                                                    \
    ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/** Number of elements of the array @p array (an array, not a pointer). */
#define MESHRPR_ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

#endif /* MESHRPR_UTIL_H */
