/* SPDX-License-Identifier: Apache-2.0 */
/* Private logging for the meshrpr core: printf-style lines tagged with the logging module and
 * handed to the node's platform log hook (include/meshrpr/platform.h).
 *
 * Usage in a .c file:
 *
 *     #define MESHRPR_LOG_MODULE "net"
 *     #define MESHRPR_LOG_LEVEL MESHRPR_LOG_LEVEL_INF   (optional, per file)
 *     #include "core/log.h"
 *     ...
 *     MESHRPR_LOG_WRN(platform, "dropped PDU from 0x%04x", src);
 *
 * Two compile-time levels decide which calls exist at all: MESHRPR_LOG_LEVEL_MAX caps the
 * whole build (-DMESHRPR_LOG_LEVEL_MAX=2 keeps only errors and warnings, to save flash and
 * time) and MESHRPR_LOG_LEVEL, defined before the include, lowers it for one file. A call above
 * either level becomes `if (0)`: the optimiser drops it, but its arguments are still compiled
 * and format-checked, so a disabled log line cannot rot. Both macros are plain C expressions
 * (the numbers of enum meshrpr_log_level or its constants), never used in #if. */
#ifndef MESHRPR_CORE_LOG_H
#define MESHRPR_CORE_LOG_H

#include <meshrpr/platform.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef MESHRPR_LOG_MODULE
#error "define MESHRPR_LOG_MODULE (the module's short tag, a string) before including core/log.h"
#endif

/* Build-wide ceiling: no log call above it is compiled in. */
#ifndef MESHRPR_LOG_LEVEL_MAX
#define MESHRPR_LOG_LEVEL_MAX MESHRPR_LOG_LEVEL_DBG
#endif

/* This file's level; defaults to the ceiling and cannot raise it. */
#ifndef MESHRPR_LOG_LEVEL
#define MESHRPR_LOG_LEVEL MESHRPR_LOG_LEVEL_MAX
#endif

/* Size of the formatting buffer, terminating NUL included: longer lines are cut and end in
 * "...". One advertising PDU in hex (2 * 31 octets) plus a prefix fits. */
#define MESHRPR_LOG_LINE_SIZE 160

/* Size of a buffer that holds len octets rendered by meshrpr_log_hex() without truncation. */
#define MESHRPR_LOG_HEX_SIZE(len) (2 * (len) + 1)

/* True if calls at level are compiled into this file. */
#define MESHRPR_LOG_ENABLED(level)                                                                 \
    ((int)(level) <= (int)(MESHRPR_LOG_LEVEL) && (int)(level) <= (int)(MESHRPR_LOG_LEVEL_MAX))

/* Whether the host wants lines at level now: it has a log hook, and its log_level hook (if
 * any) allows the level. Asked before the arguments are evaluated and formatted, so a quiet
 * host pays one call per disabled line, not a vsnprintf (or a hex dump of a PDU). */
static inline bool meshrpr_log_wanted(const struct meshrpr_platform *platform,
                                      enum meshrpr_log_level level)
{
    return platform != NULL && platform->log != NULL && level != MESHRPR_LOG_LEVEL_NONE &&
           (platform->log_level == NULL || (int)level <= (int)platform->log_level(platform->ctx));
}

/* Log at level through platform (a const struct meshrpr_platform *, may be NULL). The rest of
 * the arguments are a printf format and its arguments, evaluated only when the line is
 * wanted. */
#define MESHRPR_LOG_AT(platform, level, ...)                                                       \
    do {                                                                                           \
        if (MESHRPR_LOG_ENABLED(level)) {                                                          \
            const struct meshrpr_platform *meshrpr_log_platform_ = (platform);                     \
            if (meshrpr_log_wanted(meshrpr_log_platform_, (level))) {                              \
                meshrpr_log(meshrpr_log_platform_, (level), MESHRPR_LOG_MODULE, __VA_ARGS__);      \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* The format is part of __VA_ARGS__ so that a call with a format and no arguments is valid
 * ISO C11 (a named fmt parameter would require at least one more argument). */
#define MESHRPR_LOG_ERR(platform, ...) MESHRPR_LOG_AT(platform, MESHRPR_LOG_LEVEL_ERR, __VA_ARGS__)
#define MESHRPR_LOG_WRN(platform, ...) MESHRPR_LOG_AT(platform, MESHRPR_LOG_LEVEL_WRN, __VA_ARGS__)
#define MESHRPR_LOG_INF(platform, ...) MESHRPR_LOG_AT(platform, MESHRPR_LOG_LEVEL_INF, __VA_ARGS__)
#define MESHRPR_LOG_DBG(platform, ...) MESHRPR_LOG_AT(platform, MESHRPR_LOG_LEVEL_DBG, __VA_ARGS__)

/*
 * Format a line into a MESHRPR_LOG_LINE_SIZE stack buffer and pass it to platform->log with
 * level and module. Does nothing unless meshrpr_log_wanted(platform, level). A line that does not
 * fit is cut and ends in "..."; a format error logs "<log format error>" instead. Normally called
 * through the macros above, which apply the compile-time levels; this function applies none.
 */
void meshrpr_log(const struct meshrpr_platform *platform, enum meshrpr_log_level level,
                 const char *module, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Render len octets at data as lowercase hex without separators into out, a buffer of
 * out_size bytes, always NUL-terminated when out_size > 0. If the hex does not fit, as many
 * whole octets as fit are written followed by "..." (or as much of "..." as fits).
 * MESHRPR_LOG_HEX_SIZE(len) bytes are always enough. Returns out, to be used directly as a
 * "%s" argument.
 */
char *meshrpr_log_hex(char *out, size_t out_size, const uint8_t *data, size_t len);

#endif /* MESHRPR_CORE_LOG_H */
