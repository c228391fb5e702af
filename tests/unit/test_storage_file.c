/* SPDX-License-Identifier: Apache-2.0 */
/* The POSIX file storage: values round-trip, missing keys say -ENOENT, writes replace values
 * atomically (no temporary file is left behind), and bad keys are refused. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include <meshrpr/storage.h>

struct fixture {
    char dir[64];
    struct meshrpr_storage_file file;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/meshrpr-storage-XXXXXX");
    if (mkdtemp(f->dir) == NULL || meshrpr_storage_file_init(&f->file, f->dir) != 0) {
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[96];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    free(f);
    return rc;
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            n++;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static void round_trip_and_replace(void **state)
{
    struct fixture *f = *state;
    const struct meshrpr_storage *st = &f->file.storage;
    uint8_t out[16];

    assert_int_equal(st->read(st->ctx, "net/seq", out, sizeof(out)), -ENOENT);
    assert_int_equal(st->write(st->ctx, "net/seq", "\x01\x02\x03", 3), 0);
    assert_int_equal(st->read(st->ctx, "net/seq", out, sizeof(out)), 3);
    assert_memory_equal(out, "\x01\x02\x03", 3);
    assert_int_equal(st->write(st->ctx, "net/seq", "\x09", 1), 0);
    assert_int_equal(st->read(st->ctx, "net/seq", out, sizeof(out)), 1);
    assert_int_equal(out[0], 0x09);
    /* One file for the key, no temporary file left. */
    assert_int_equal(dir_entries(f->dir), 1);
    /* An empty value is a value. */
    assert_int_equal(st->write(st->ctx, "empty", "", 0), 0);
    assert_int_equal(st->read(st->ctx, "empty", out, sizeof(out)), 0);
}

static void short_buffer_reports_full_length(void **state)
{
    struct fixture *f = *state;
    const struct meshrpr_storage *st = &f->file.storage;
    uint8_t out[2];

    assert_int_equal(st->write(st->ctx, "k", "abcdef", 6), 0);
    assert_int_equal(st->read(st->ctx, "k", out, sizeof(out)), 6);
    assert_memory_equal(out, "ab", 2);
}

static void erase_and_bad_keys(void **state)
{
    struct fixture *f = *state;
    const struct meshrpr_storage *st = &f->file.storage;
    uint8_t out[4];
    char long_key[MESHRPR_STORAGE_KEY_MAX + 4];

    assert_int_equal(st->write(st->ctx, "a/b", "x", 1), 0);
    assert_int_equal(st->erase(st->ctx, "a/b"), 0);
    assert_int_equal(st->read(st->ctx, "a/b", out, sizeof(out)), -ENOENT);
    assert_int_equal(st->erase(st->ctx, "a/b"), 0); /* absent: still fine */
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    assert_int_equal(st->write(st->ctx, long_key, "x", 1), -EINVAL);
    assert_int_equal(st->write(st->ctx, "", "x", 1), -EINVAL);
    assert_int_equal(dir_entries(f->dir), 0);
}

static void init_rejects_bad_directories(void **state)
{
    (void)state;
    struct meshrpr_storage_file file;
    char long_dir[300];

    memset(long_dir, 'd', sizeof(long_dir) - 1);
    long_dir[sizeof(long_dir) - 1] = '\0';
    assert_int_equal(meshrpr_storage_file_init(&file, long_dir), -ENAMETOOLONG);
    assert_int_equal(meshrpr_storage_file_init(&file, "/proc/meshrpr-no/such"), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip_and_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(short_buffer_reports_full_length, setup, teardown),
        cmocka_unit_test_setup_teardown(erase_and_bad_keys, setup, teardown),
        cmocka_unit_test(init_rejects_bad_directories),
    };
    return cmocka_run_group_tests_name("storage_file", tests, NULL, NULL);
}
