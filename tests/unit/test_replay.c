/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay protection list (MshPRTv1.1 §3.9.8): IVISeq = IV Index || SEQ ordered as one 56-bit
 * number, acceptance only when strictly greater, IV Index changes, a full list, and the
 * list surviving a restart through storage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"

#include "fake_platform.h"
#include "net/replay.h"

#include <meshrpr/node.h>

/* A one-value-per-key store in memory. */
struct mem_storage {
    struct meshrpr_storage storage;
    char key[MESHRPR_STORAGE_KEY_MAX];
    uint8_t data[1024];
    int len; /* -ENOENT when empty */
    unsigned writes;
};

static int mem_read(void *ctx, const char *key, void *data, size_t size)
{
    struct mem_storage *m = ctx;

    if (m->len < 0 || strcmp(m->key, key) != 0) {
        return -ENOENT;
    }
    memcpy(data, m->data, (size_t)m->len < size ? (size_t)m->len : size);
    return m->len;
}

static int mem_write(void *ctx, const char *key, const void *data, size_t len)
{
    struct mem_storage *m = ctx;

    assert_true(len <= sizeof(m->data));
    snprintf(m->key, sizeof(m->key), "%s", key);
    memcpy(m->data, data, len);
    m->len = (int)len;
    m->writes++;
    return 0;
}

static int mem_erase(void *ctx, const char *key)
{
    struct mem_storage *m = ctx;

    (void)key;
    m->len = -ENOENT;
    return 0;
}

struct fixture {
    struct fake_platform fp;
    struct mem_storage mem;
    struct meshrpr_node node;
};

/* The replay list needs only the node's platform (for logs) and storage. */
static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));

    fake_platform_init(&f->fp, 1);
    f->mem.storage = (struct meshrpr_storage){
        .ctx = &f->mem, .read = mem_read, .write = mem_write, .erase = mem_erase
    };
    f->mem.len = -ENOENT;
    f->node.platform = f->fp.platform;
    f->node.cfg.storage = &f->mem.storage;
    meshrpr_replay_init(&f->node); /* the built-in table */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    test_free(*state);
    return 0;
}

static void test_unknown_source_is_not_a_replay(void **state)
{
    struct fixture *f = *state;

    assert_false(meshrpr_replay_check(&f->node, 0x0001, 0, 0));
    assert_false(meshrpr_replay_check(&f->node, 0x7fff, 0xffffffff, 0xffffff));
    /* No valid message comes from the unassigned address. */
    assert_true(meshrpr_replay_check(&f->node, 0x0000, 1, 1));
    assert_int_equal(meshrpr_replay_update(&f->node, 0x0000, 1, 1), -EINVAL);
    assert_int_equal(meshrpr_replay_update(&f->node, 0xc000, 1, 1), -EINVAL);
    assert_int_equal(meshrpr_replay_update(&f->node, 0x0001, 1, 0x1000000), -EINVAL);
}

static void test_seq_ordering(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(meshrpr_replay_update(&f->node, 0x0010, 5, 100), 0);
    assert_true(meshrpr_replay_check(&f->node, 0x0010, 5, 100)); /* equal: replay */
    assert_true(meshrpr_replay_check(&f->node, 0x0010, 5, 99));
    assert_true(meshrpr_replay_check(&f->node, 0x0010, 5, 0));
    assert_false(meshrpr_replay_check(&f->node, 0x0010, 5, 101));
    assert_false(meshrpr_replay_check(&f->node, 0x0010, 5, 0xffffff));
    /* Other sources are independent. */
    assert_false(meshrpr_replay_check(&f->node, 0x0011, 5, 100));

    assert_int_equal(meshrpr_replay_update(&f->node, 0x0010, 5, 101), 0);
    assert_true(meshrpr_replay_check(&f->node, 0x0010, 5, 101));
    /* An update with a lower value never lowers the entry. */
    assert_int_equal(meshrpr_replay_update(&f->node, 0x0010, 5, 50), 0);
    assert_true(meshrpr_replay_check(&f->node, 0x0010, 5, 100));
    assert_true(meshrpr_replay_check(&f->node, 0x0010, 5, 101));
}

/* Forgetting a reset node's addresses lets its restarted SEQ through, and only its own. */
static void test_forget_range(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(meshrpr_replay_update(&f->node, 0x0020, 0, 500), 0);
    assert_int_equal(meshrpr_replay_update(&f->node, 0x0021, 0, 500), 0);
    assert_int_equal(meshrpr_replay_update(&f->node, 0x0022, 0, 500), 0);
    assert_int_equal(meshrpr_replay_forget(&f->node, 0x0020, 2), 0);
    assert_false(meshrpr_replay_check(&f->node, 0x0020, 0, 1));
    assert_false(meshrpr_replay_check(&f->node, 0x0021, 0, 1));
    assert_true(meshrpr_replay_check(&f->node, 0x0022, 0, 1));
}

/* IV Index is the high part of IVISeq: a higher IV Index with a lower SEQ is newer, a lower
 * IV Index is old whatever its SEQ. */
static void test_iv_index_change(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(meshrpr_replay_update(&f->node, 0x0020, 0x12345677, 0xfffff0), 0);
    assert_false(meshrpr_replay_check(&f->node, 0x0020, 0x12345678, 0));
    assert_true(meshrpr_replay_check(&f->node, 0x0020, 0x12345676, 0xffffff));
    assert_int_equal(meshrpr_replay_update(&f->node, 0x0020, 0x12345678, 0), 0);
    assert_true(meshrpr_replay_check(&f->node, 0x0020, 0x12345678, 0));
    assert_true(meshrpr_replay_check(&f->node, 0x0020, 0x12345677, 0xffffff));
    assert_false(meshrpr_replay_check(&f->node, 0x0020, 0x12345678, 1));
    /* The top of the 56-bit space compares right too. */
    assert_int_equal(meshrpr_replay_update(&f->node, 0x0021, 0xffffffff, 0xfffffe), 0);
    assert_false(meshrpr_replay_check(&f->node, 0x0021, 0xffffffff, 0xffffff));
    assert_true(meshrpr_replay_check(&f->node, 0x0021, 0xfffffffe, 0xffffff));
}

/* §3.9.8: without room for a new source the message is discarded (-ENOMEM); the sources
 * already listed keep working. */
static void test_full_list(void **state)
{
    struct fixture *f = *state;

    for (uint16_t src = 1; src <= MESHRPR_RPL_SIZE; src++) {
        assert_int_equal(meshrpr_replay_update(&f->node, src, 1, src), 0);
    }
    assert_int_equal(meshrpr_replay_update(&f->node, MESHRPR_RPL_SIZE + 1, 1, 1), -ENOMEM);
    /* A new source is refused up front: it could not be recorded after delivery. */
    assert_true(meshrpr_replay_check(&f->node, MESHRPR_RPL_SIZE + 1, 1, 1));
    assert_int_equal(meshrpr_replay_update(&f->node, 1, 1, 1000), 0);
    assert_true(meshrpr_replay_check(&f->node, 1, 1, 1000));
    assert_true(meshrpr_replay_check(&f->node, MESHRPR_RPL_SIZE, 1, MESHRPR_RPL_SIZE));

    meshrpr_replay_clear(&f->node);
    assert_false(meshrpr_replay_check(&f->node, 1, 1, 1000));
    assert_int_equal(meshrpr_replay_update(&f->node, MESHRPR_RPL_SIZE + 1, 1, 1), 0);
}

/* Every change is written through (the list must survive a power loss), and restore brings
 * the entries back. */
static void test_store_restore(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(meshrpr_replay_update(&f->node, 0x0100, 7, 0x010203), 0);
    assert_int_equal(meshrpr_replay_update(&f->node, 0x7fff, 0xa1b2c3d4, 0xffffff), 0);
    assert_int_equal(f->mem.writes, 2);
    assert_int_equal(meshrpr_replay_update(&f->node, 0x0100, 7, 0x010203), 0);
    assert_int_equal(f->mem.writes, 2); /* nothing changed, nothing written */
    assert_string_equal(f->mem.key, "rpl");

    meshrpr_replay_clear(&f->node);
    assert_int_equal(meshrpr_replay_restore(&f->node), 0);
    assert_true(meshrpr_replay_check(&f->node, 0x0100, 7, 0x010203));
    assert_false(meshrpr_replay_check(&f->node, 0x0100, 7, 0x010204));
    assert_true(meshrpr_replay_check(&f->node, 0x7fff, 0xa1b2c3d4, 0xffffff));
    assert_false(meshrpr_replay_check(&f->node, 0x7fff, 0xa1b2c3d5, 0));

    /* A truncated value keeps the whole entries; garbage and a foreign version are ignored. */
    f->mem.len -= 4;
    assert_int_equal(meshrpr_replay_restore(&f->node), 0);
    assert_true(meshrpr_replay_check(&f->node, 0x0100, 7, 0x010203));
    assert_false(meshrpr_replay_check(&f->node, 0x7fff, 0, 0));
    f->mem.data[0] = 99;
    assert_int_equal(meshrpr_replay_restore(&f->node), 0);
    assert_false(meshrpr_replay_check(&f->node, 0x0100, 7, 0x010203));
    f->mem.len = -ENOENT;
    assert_int_equal(meshrpr_replay_restore(&f->node), 0);
    assert_false(meshrpr_replay_check(&f->node, 0x0100, 7, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_source_is_not_a_replay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seq_ordering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forget_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iv_index_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_restore, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
