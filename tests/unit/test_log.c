/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the core logging (src/core/log.h): compile-time level filtering, the module
 * tag, formatting and truncation of lines, tolerance of a missing log hook, and the hex
 * renderer used for PDU dumps. This file sets its own level to INF, so DBG calls must vanish
 * (without evaluating their arguments) while the rest reach the fake platform. */
#include "fake_platform.h"
#include "test_util.h"

#define MESHRPR_LOG_MODULE "tst"
#define MESHRPR_LOG_LEVEL  MESHRPR_LOG_LEVEL_INF
#include "core/log.h"

#include <meshrpr/util.h>

#include <string.h>

/* The per-file level can lower the build-wide ceiling but never raise it. */
_Static_assert(!MESHRPR_LOG_ENABLED(MESHRPR_LOG_LEVEL_DBG), "DBG must be compiled out here");

static void test_levels_filtered(void **state)
{
    (void)state;
    struct fake_platform fp;
    int evaluated = 0;

    fake_platform_init(&fp, 1);

    MESHRPR_LOG_ERR(&fp.platform, "error %d", 1);
    assert_int_equal(fp.log_count, 1);
    assert_int_equal(fp.last_log_level, MESHRPR_LOG_LEVEL_ERR);
    assert_string_equal(fp.last_log_text, "error 1");

    /* The build-wide ceiling (-DMESHRPR_LOG_LEVEL_MAX) may drop more than this file does. */
    unsigned expected = fp.log_count;
    MESHRPR_LOG_WRN(&fp.platform, "warning %s", "two");
    if (MESHRPR_LOG_ENABLED(MESHRPR_LOG_LEVEL_WRN)) {
        expected++;
        assert_int_equal(fp.last_log_level, MESHRPR_LOG_LEVEL_WRN);
        assert_string_equal(fp.last_log_text, "warning two");
    }
    assert_int_equal(fp.log_count, expected);

    MESHRPR_LOG_INF(&fp.platform, "info %u", 3u);
    if (MESHRPR_LOG_ENABLED(MESHRPR_LOG_LEVEL_INF)) {
        expected++;
        assert_int_equal(fp.last_log_level, MESHRPR_LOG_LEVEL_INF);
        assert_string_equal(fp.last_log_text, "info 3");
    }
    assert_int_equal(fp.log_count, expected);

    /* Above this file's level: not emitted, and its arguments are not even evaluated. */
    MESHRPR_LOG_DBG(&fp.platform, "debug %d", ++evaluated);
    assert_int_equal(fp.log_count, expected);
    assert_int_equal(evaluated, 0);
}

static void test_format_without_arguments(void **state)
{
    (void)state;
    struct fake_platform fp;

    fake_platform_init(&fp, 1);
    MESHRPR_LOG_ERR(&fp.platform, "plain text, 100%% literal");
    assert_string_equal(fp.last_log_text, "plain text, 100% literal");
}

static void test_module_tag(void **state)
{
    (void)state;
    struct fake_platform fp;

    fake_platform_init(&fp, 1);
    MESHRPR_LOG_ERR(&fp.platform, "x");
    assert_string_equal(fp.last_log_module, "tst");

    /* The function passes any tag through, and tolerates none. */
    meshrpr_log(&fp.platform, MESHRPR_LOG_LEVEL_DBG, "rpr_cli", "scan %s", "started");
    assert_int_equal(fp.last_log_level, MESHRPR_LOG_LEVEL_DBG);
    assert_string_equal(fp.last_log_module, "rpr_cli");
    assert_string_equal(fp.last_log_text, "scan started");
    meshrpr_log(&fp.platform, MESHRPR_LOG_LEVEL_WRN, NULL, "untagged");
    assert_string_equal(fp.last_log_module, "");
    assert_string_equal(fp.last_log_text, "untagged");
}

static void test_level_none_not_passed(void **state)
{
    (void)state;
    struct fake_platform fp;

    fake_platform_init(&fp, 1);
    meshrpr_log(&fp.platform, MESHRPR_LOG_LEVEL_NONE, "tst", "never");
    assert_int_equal(fp.log_count, 0);
}

static void test_truncation(void **state)
{
    (void)state;
    struct fake_platform fp;
    char long_text[300];
    char expected[MESHRPR_LOG_LINE_SIZE];

    fake_platform_init(&fp, 1);
    for (size_t i = 0; i < sizeof(long_text) - 1; i++) {
        long_text[i] = (char)('a' + i % 26);
    }
    long_text[sizeof(long_text) - 1] = '\0';

    /* Too long: cut to the buffer, with "..." replacing the last characters. */
    MESHRPR_LOG_ERR(&fp.platform, "%s", long_text);
    memcpy(expected, long_text, sizeof(expected) - 4);
    memcpy(expected + sizeof(expected) - 4, "...", 4);
    assert_int_equal(strlen(fp.last_log_text), MESHRPR_LOG_LINE_SIZE - 1);
    assert_string_equal(fp.last_log_text, expected);

    /* Exactly the longest line that fits: passed whole, no marker. */
    long_text[MESHRPR_LOG_LINE_SIZE - 1] = '\0';
    MESHRPR_LOG_ERR(&fp.platform, "%s", long_text);
    assert_string_equal(fp.last_log_text, long_text);

    /* One character more: cut. */
    long_text[MESHRPR_LOG_LINE_SIZE - 1] = 'x';
    long_text[MESHRPR_LOG_LINE_SIZE] = '\0';
    MESHRPR_LOG_ERR(&fp.platform, "%s", long_text);
    assert_int_equal(strlen(fp.last_log_text), MESHRPR_LOG_LINE_SIZE - 1);
    assert_memory_equal(fp.last_log_text, long_text, MESHRPR_LOG_LINE_SIZE - 4);
    assert_string_equal(fp.last_log_text + MESHRPR_LOG_LINE_SIZE - 4, "...");
}

static void test_null_hooks_are_safe(void **state)
{
    (void)state;
    struct fake_platform fp;
    const struct meshrpr_platform *none = NULL;

    MESHRPR_LOG_ERR(none, "no platform %d", 1);
    meshrpr_log(NULL, MESHRPR_LOG_LEVEL_ERR, "tst", "no platform");

    fake_platform_init(&fp, 1);
    fp.platform.log = NULL;
    MESHRPR_LOG_ERR(&fp.platform, "no hook %d", 2);
    assert_int_equal(fp.log_count, 0);
}

static void test_log_hex(void **state)
{
    (void)state;
    const uint8_t data[] = { 0x00, 0x01, 0xab, 0xcd, 0xef };
    char out[MESHRPR_LOG_HEX_SIZE(sizeof(data)) + 4];

    assert_ptr_equal(meshrpr_log_hex(out, sizeof(out), data, sizeof(data)), out);
    assert_string_equal(out, "0001abcdef");

    /* Exactly large enough. */
    assert_string_equal(meshrpr_log_hex(out, MESHRPR_LOG_HEX_SIZE(sizeof(data)), data, 5),
                        "0001abcdef");

    /* Empty input, with or without data. */
    assert_string_equal(meshrpr_log_hex(out, sizeof(out), NULL, 0), "");
    assert_string_equal(meshrpr_log_hex(out, sizeof(out), data, 0), "");

    /* Hex in a PDU log line. */
    struct fake_platform fp;
    fake_platform_init(&fp, 1);
    MESHRPR_LOG_ERR(&fp.platform, "pdu %s", meshrpr_log_hex(out, sizeof(out), data, 2));
    assert_string_equal(fp.last_log_text, "pdu 0001");
}

static void test_log_hex_truncation(void **state)
{
    (void)state;
    const uint8_t data[] = { 0x00, 0x01, 0xab, 0xcd, 0xef };
    struct {
        char out[12];
        char guard[4];
    } g;

    /* Whole octets only, then as much of "..." as fits, never past out_size. */
    static const struct {
        size_t out_size;
        const char *expected;
    } cases[] = {
        { 10, "0001ab..." }, /* one short of the full 11 */
        { 9, "0001..." },    { 8, "0001..." }, { 7, "00..." }, { 6, "00..." }, { 5, "..." },
        { 4, "..." },        { 3, ".." },      { 2, "." },     { 1, "" },
    };

    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(cases); i++) {
        memset(&g, '#', sizeof(g));
        assert_ptr_equal(meshrpr_log_hex(g.out, cases[i].out_size, data, sizeof(data)), g.out);
        assert_string_equal(g.out, cases[i].expected);
        for (size_t j = cases[i].out_size; j < sizeof(g); j++) {
            assert_int_equal(((const char *)&g)[j], '#');
        }
    }

    /* No room at all: nothing is written, not even a NUL. */
    assert_null(meshrpr_log_hex(NULL, 0, data, sizeof(data)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_filtered), cmocka_unit_test(test_format_without_arguments),
        cmocka_unit_test(test_module_tag),      cmocka_unit_test(test_level_none_not_passed),
        cmocka_unit_test(test_truncation),      cmocka_unit_test(test_null_hooks_are_safe),
        cmocka_unit_test(test_log_hex),         cmocka_unit_test(test_log_hex_truncation),
    };

    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
