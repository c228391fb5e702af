/* SPDX-License-Identifier: Apache-2.0 */
/* Formatting side of src/core/log.h: turns a log call into one bounded line for the
 * platform's log hook, and renders PDUs as hex for those lines. Lines are formatted on the
 * stack so logging never allocates and needs no shared state between nodes. */
#define MESHRPR_LOG_MODULE "log"
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void meshrpr_log(const struct meshrpr_platform *platform, enum meshrpr_log_level level,
                 const char *module, const char *fmt, ...)
{
    if (!meshrpr_log_wanted(platform, level)) {
        return;
    }

    char text[MESHRPR_LOG_LINE_SIZE];
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, args);
    va_end(args);

    if (n < 0) {
        snprintf(text, sizeof(text), "<log format error>");
    } else if ((size_t)n >= sizeof(text)) {
        /* Mark the cut so that a reader does not take a truncated PDU dump for the whole. */
        static const char ellipsis[] = "...";
        memcpy(text + sizeof(text) - sizeof(ellipsis), ellipsis, sizeof(ellipsis));
    }
    platform->log(platform->ctx, level, module != NULL ? module : "", text);
}

char *meshrpr_log_hex(char *out, size_t out_size, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";

    if (out_size == 0) {
        return out;
    }
    size_t room = out_size - 1; /* characters, leaving space for the NUL */
    size_t octets = len;
    bool cut = false;
    if (len > room / 2) {
        cut = true;
        octets = room >= 3 ? (room - 3) / 2 : 0;
    }

    char *p = out;
    for (size_t i = 0; i < octets; i++) {
        *p++ = digits[data[i] >> 4];
        *p++ = digits[data[i] & 0x0f];
    }
    if (cut) {
        for (size_t i = 0; i < 3 && (size_t)(p - out) < room; i++) {
            *p++ = '.';
        }
    }
    *p = '\0';
    return out;
}
