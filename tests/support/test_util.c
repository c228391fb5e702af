/* SPDX-License-Identifier: Apache-2.0 */
#include "test_util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

size_t test_hex(const char *hex, uint8_t *out, size_t max)
{
    size_t n = 0;
    int high = -1;

    for (const char *p = hex; *p != '\0'; p++) {
        if (*p == ' ') {
            continue;
        }
        int d = hex_digit(*p);
        if (d < 0) {
            fail_msg("bad hex digit '%c' in \"%s\"", *p, hex);
        }
        if (high < 0) {
            high = d;
            continue;
        }
        if (n >= max) {
            fail_msg("hex string longer than %zu octets: \"%s\"", max, hex);
        }
        out[n++] = (uint8_t)(high << 4 | d);
        high = -1;
    }
    if (high >= 0) {
        fail_msg("odd number of hex digits in \"%s\"", hex);
    }
    return n;
}

static void print_hex(const char *label, const uint8_t *data, size_t len)
{
    printf("%s", label);
    for (size_t i = 0; i < len; i++) {
        printf("%02x", data[i]);
    }
    printf("\n");
}

void test_assert_hex(const uint8_t *actual, size_t len, const char *expected, const char *file,
                     int line)
{
    uint8_t want[512];
    size_t want_len = test_hex(expected, want, sizeof(want));

    if (want_len == len && memcmp(actual, want, len) == 0) {
        return;
    }
    print_hex("expected: ", want, want_len);
    print_hex("actual:   ", actual, len);
    _fail(file, line);
}
