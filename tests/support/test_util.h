/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by the unit tests: hex decoding and byte comparisons that print both
 * sides in hex when they differ. Include after <cmocka.h>'s prerequisites. */
#ifndef MESHRPR_TEST_UTIL_H
#define MESHRPR_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Decode a hex string (spaces allowed) into out. Fails the test on a bad digit, an odd
 * digit count or more than max octets. Returns the number of octets. */
size_t test_hex(const char *hex, uint8_t *out, size_t max);

/* Fail the test unless the len octets at actual equal the hex string expected. */
void test_assert_hex(const uint8_t *actual, size_t len, const char *expected, const char *file,
                     int line);

#define assert_hex_equal(actual, len, expected)                                                    \
    test_assert_hex((actual), (len), (expected), __FILE__, __LINE__)

/* Declare a byte array named var holding the decoded hex string, and var##_len. */
#define TEST_HEX(var, hex)                                                                         \
    uint8_t var[(sizeof(hex) - 1) / 2 + 1];                                                        \
    const size_t var##_len = test_hex((hex), var, sizeof(var));                                    \
    (void)var##_len

#endif /* MESHRPR_TEST_UTIL_H */
