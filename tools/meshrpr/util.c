/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the meshrpr tool: error messages on stderr, and strict parsing of the numbers,
 * addresses, hex strings and UUIDs that arguments and world files carry (anything that is not
 * exactly a valid value is refused, so a typo never becomes a different address).
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tool is one process with one thread: the last error is program state, not library state
 * (the library itself keeps none). */
static char last_error[320];

void tool_error(const char *fmt, ...)
{
    va_list ap;

    /* Errors come after the output that led to them, also when stdout is a pipe. */
    fflush(stdout);
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
    fprintf(stderr, "meshrpr: %s\n", last_error);
}

const char *tool_last_error(void)
{
    return last_error;
}

int tool_stdout_close(void)
{
    int err = 0;

    if (fflush(stdout) != 0 || ferror(stdout)) {
        err = errno;
    }
    if (err != 0) {
        fprintf(stderr, "meshrpr: cannot write the output: %s\n",
                err == ENOSPC ? "the disk is full" : strerror(err));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int tool_stdout_close_rc(int rc)
{
    int out_rc = tool_stdout_close();

    return rc != TOOL_EXIT_OK ? rc : out_rc;
}

const char *tool_errno_text(int err)
{
    switch (err) {
    case -ETIMEDOUT:
        return "no answer in time";
    case -EBUSY:
        return "busy: a request of this kind or a link through this server is in progress";
    case -EINVAL:
        return "the stack refused the arguments";
    case -ENOTSUP:
        return "not supported";
    case -EEXIST:
        return "the device is already in the node database";
    case -ENOMEM:
        return "every provisioning link of the client is in use";
    case -ECONNREFUSED:
        return "the server refused to open the link";
    case -ECONNABORTED:
        return "the link ended before the server answered";
    case -ENOENT:
        return "no such node in the database";
    case -EADDRNOTAVAIL:
        return "the provisioner is not provisioned";
    case -ENOBUFS:
        return "no transport buffer free";
    case -ENOSPC:
        return "no room left (database or disk full)";
    case -EALREADY:
        return "already in progress";
    case -EAGAIN:
        return "temporarily unavailable, try again";
    case -EIO:
        return "input/output error";
    case -EACCES:
    case -EPERM:
        return "permission denied";
    default:
        return err < 0 ? strerror(-err) : "unknown error";
    }
}

const char *tool_errno_name(int err)
{
    static const struct {
        int err;
        const char *name;
    } names[] = {
        { ETIMEDOUT, "ETIMEDOUT" },
        { EBUSY, "EBUSY" },
        { EINVAL, "EINVAL" },
        { ENOTSUP, "ENOTSUP" },
        { EEXIST, "EEXIST" },
        { ENOMEM, "ENOMEM" },
        { ECONNREFUSED, "ECONNREFUSED" },
        { ECONNABORTED, "ECONNABORTED" },
        { ENOENT, "ENOENT" },
        { EADDRNOTAVAIL, "EADDRNOTAVAIL" },
        { ENOBUFS, "ENOBUFS" },
        { ENOSPC, "ENOSPC" },
        { EALREADY, "EALREADY" },
        { EAGAIN, "EAGAIN" },
        { EIO, "EIO" },
        { EACCES, "EACCES" },
        { EPERM, "EPERM" },
        { ENODEV, "ENODEV" },
        { EMSGSIZE, "EMSGSIZE" },
        { ENXIO, "ENXIO" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (-err == names[i].err) {
            return names[i].name;
        }
    }
    return "EUNKNOWN";
}

int tool_random_seed(uint64_t *seed)
{
    uint8_t b[8];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n = f != NULL ? fread(b, 1, sizeof(b), f) : 0;

    if (f != NULL) {
        fclose(f);
    }
    if (n != sizeof(b)) {
        return -EIO;
    }
    *seed = 0;
    for (size_t i = 0; i < sizeof(b); i++) {
        *seed = (*seed << 8) | b[i];
    }
    /* Below 10^15: exact in JSON, and cJSON prints it as an integer (15 digits). */
    *seed %= 1000000000000000ull;
    return 0;
}

void tool_msg(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    if (buf == NULL || size == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

void tool_hex(char *out, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int tool_unhex(const char *hex, uint8_t *out, size_t max, size_t *len)
{
    size_t n;

    if (hex == NULL) {
        return -EINVAL;
    }
    n = strlen(hex);
    if (n % 2 != 0 || n / 2 > max) {
        return -EINVAL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]);
        int lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -EINVAL;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    if (len != NULL) {
        *len = n / 2;
    }
    return 0;
}

int tool_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s == '\0' || !isdigit((unsigned char)s[0])) {
        return -EINVAL;
    }
    errno = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (!isxdigit((unsigned char)s[2])) {
            return -EINVAL;
        }
        v = strtoull(s + 2, &end, 16);
    } else {
        v = strtoull(s, &end, 10);
    }
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return -EINVAL;
    }
    *out = (uint64_t)v;
    return 0;
}

int tool_parse_addr(const char *s, bool allow_zero, uint16_t *addr)
{
    uint64_t v;

    if (tool_parse_u64(s, allow_zero ? 0 : 1, 0x7fff, &v) != 0) {
        return -EINVAL;
    }
    *addr = (uint16_t)v;
    return 0;
}

int tool_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;

    if (s == NULL || *s == '\0') {
        return -EINVAL;
    }
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v) || v < min || v > max) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

int tool_parse_uuid(const char *s, uint8_t uuid[16])
{
    char digits[33];
    size_t n = 0;

    if (s == NULL) {
        return -EINVAL;
    }
    for (; *s != '\0'; s++) {
        if (*s == '-') {
            continue;
        }
        if (hex_digit(*s) < 0 || n >= 32) {
            return -EINVAL;
        }
        digits[n++] = *s;
    }
    if (n == 0 || n % 2 != 0) {
        return -EINVAL;
    }
    digits[n] = '\0';
    memset(uuid, 0, 16);
    return tool_unhex(digits, uuid, 16, NULL);
}

void tool_uuid_str(char out[33], const uint8_t uuid[16])
{
    tool_hex(out, uuid, 16);
}

void tool_addr_str(char out[7], uint16_t addr)
{
    snprintf(out, 7, "0x%04x", (unsigned)addr);
}

void tool_time_str(char out[24], uint64_t time_ms)
{
    snprintf(out, 24, "%" PRIu64 ".%03u", time_ms / 1000, (unsigned)(time_ms % 1000));
}
