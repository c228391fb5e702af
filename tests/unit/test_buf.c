/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the bounded byte buffer (include/meshrpr/net_buf.h): the Zephyr-compatible
 * macros and functions, every integer encoding against known byte patterns, and the safety
 * rule. For the latter the storage sits between guard bytes, and every refused operation is
 * checked to leave the guards, the storage and the buffer fields exactly as they were, apart
 * from the error flag. */
#include "test_util.h"

#include <meshrpr/net_buf.h>
#include <meshrpr/util.h>

#include <stdlib.h>
#include <string.h>

#define GUARD      0xa5
#define STORE_SIZE 16

/* Storage with guard bytes on both sides, to catch any access past either end. */
struct guarded {
    uint8_t pre[8];
    uint8_t mem[STORE_SIZE];
    uint8_t post[8];
};

/* Fill storage with a recognisable non-zero pattern (0x10, 0x11, ...) between intact guards
 * and point buf at it with the given headroom and length. */
static void guarded_setup(struct guarded *g, struct net_buf_simple *buf, size_t headroom,
                          size_t len)
{
    memset(g, GUARD, sizeof(*g));
    for (size_t i = 0; i < STORE_SIZE; i++) {
        g->mem[i] = (uint8_t)(0x10 + i);
    }
    net_buf_simple_init_with_data(buf, g->mem, STORE_SIZE);
    net_buf_simple_init(buf, headroom);
    assert_non_null(net_buf_simple_add(buf, len));
    assert_false(net_buf_simple_has_error(buf));
}

static void assert_guards_intact(const struct guarded *g)
{
    for (size_t i = 0; i < sizeof(g->pre); i++) {
        assert_int_equal(g->pre[i], GUARD);
        assert_int_equal(g->post[i], GUARD);
    }
}

/* --- Definition macros and initialisation --------------------------------------------------- */

static void test_define_macro(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 10);

    assert_ptr_equal(buf.data, net_buf_data_buf);
    assert_ptr_equal(buf.__buf, net_buf_data_buf);
    assert_int_equal(buf.size, 10);
    assert_int_equal(buf.len, 0);
    assert_false(buf.error);
    assert_int_equal(net_buf_simple_tailroom(&buf), 10);
    assert_int_equal(net_buf_simple_headroom(&buf), 0);
}

static void test_define_static_macro(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE_STATIC(sbuf, 7);

    net_buf_simple_reset(&sbuf); /* static: may hold what an earlier run left */
    assert_ptr_equal(sbuf.__buf, net_buf_data_sbuf);
    assert_int_equal(sbuf.size, 7);
    assert_int_equal(net_buf_simple_tailroom(&sbuf), 7);
    net_buf_simple_add_be16(&sbuf, 0x1234);
    assert_hex_equal(sbuf.data, sbuf.len, "1234");
}

static void test_compound_literal_macro(void **state)
{
    (void)state;
    struct net_buf_simple *buf = NET_BUF_SIMPLE(12);

    /* Not initialised yet: no storage pointer, so everything is refused safely. */
    assert_null(net_buf_simple_add(buf, 1));
    assert_true(net_buf_simple_has_error(buf));
    assert_int_equal(net_buf_simple_tailroom(buf), 0);
    assert_null(net_buf_simple_tail(buf));

    net_buf_simple_init(buf, 2);
    assert_false(net_buf_simple_has_error(buf));
    assert_ptr_equal(buf->__buf, (uint8_t *)buf + sizeof(*buf));
    assert_ptr_equal(buf->data, buf->__buf + 2);
    assert_int_equal(net_buf_simple_headroom(buf), 2);
    assert_int_equal(net_buf_simple_tailroom(buf), 10);
    net_buf_simple_add_le32(buf, 0x04030201);
    net_buf_simple_push_u8(buf, 0xff);
    assert_hex_equal(buf->data, buf->len, "ff01020304");
}

static void test_init(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 8);

    net_buf_simple_add(&buf, 3);
    net_buf_simple_init(&buf, 5);
    assert_int_equal(buf.len, 0);
    assert_int_equal(net_buf_simple_headroom(&buf), 5);
    assert_int_equal(net_buf_simple_tailroom(&buf), 3);
    assert_false(net_buf_simple_has_error(&buf));

    /* All of it as headroom is fine; more is refused and leaves a clean empty buffer. */
    net_buf_simple_init(&buf, 8);
    assert_false(net_buf_simple_has_error(&buf));
    assert_int_equal(net_buf_simple_tailroom(&buf), 0);
    net_buf_simple_init(&buf, 9);
    assert_true(net_buf_simple_has_error(&buf));
    assert_int_equal(buf.len, 0);
    assert_ptr_equal(buf.data, buf.__buf);

    /* init starts a new life: the error is gone. */
    net_buf_simple_init(&buf, 0);
    assert_false(net_buf_simple_has_error(&buf));
}

static void test_init_with_data(void **state)
{
    (void)state;
    uint8_t bytes[] = { 0xde, 0xad, 0xbe, 0xef };
    struct net_buf_simple buf = { .error = true };

    net_buf_simple_init_with_data(&buf, bytes, sizeof(bytes));
    assert_false(net_buf_simple_has_error(&buf));
    assert_ptr_equal(buf.data, bytes);
    assert_ptr_equal(buf.__buf, bytes);
    assert_int_equal(buf.len, 4);
    assert_int_equal(buf.size, 4);
    assert_int_equal(net_buf_simple_tailroom(&buf), 0);
    assert_int_equal(net_buf_simple_pull_be32(&buf), 0xdeadbeef);

    /* Larger than a uint16_t: clamped (never beyond the storage) and flagged. */
    uint8_t *big = calloc(70000, 1);
    assert_non_null(big);
    net_buf_simple_init_with_data(&buf, big, 70000);
    assert_true(net_buf_simple_has_error(&buf));
    assert_int_equal(buf.size, UINT16_MAX);
    assert_int_equal(buf.len, UINT16_MAX);
    free(big);
}

static void test_reset(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 8);

    net_buf_simple_reserve(&buf, 2);
    net_buf_simple_add(&buf, 4);
    assert_null(net_buf_simple_add(&buf, 3));
    assert_true(net_buf_simple_has_error(&buf));

    net_buf_simple_reset(&buf);
    assert_false(net_buf_simple_has_error(&buf));
    assert_int_equal(buf.len, 0);
    assert_int_equal(net_buf_simple_headroom(&buf), 0);
    assert_int_equal(net_buf_simple_tailroom(&buf), 8);
}

static void test_reserve(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 8);

    net_buf_simple_reserve(&buf, 3);
    assert_int_equal(net_buf_simple_headroom(&buf), 3);
    net_buf_simple_reserve(&buf, 1); /* relative to the current start, as in Zephyr */
    assert_int_equal(net_buf_simple_headroom(&buf), 4);
    net_buf_simple_reserve(&buf, 4); /* exactly the rest */
    assert_int_equal(net_buf_simple_headroom(&buf), 8);
    assert_false(net_buf_simple_has_error(&buf));

    net_buf_simple_reserve(&buf, 1); /* beyond the storage */
    assert_true(net_buf_simple_has_error(&buf));
    assert_int_equal(net_buf_simple_headroom(&buf), 8);

    /* A non-empty buffer cannot be reserved: it would drop the data. */
    net_buf_simple_reset(&buf);
    net_buf_simple_add_u8(&buf, 1);
    net_buf_simple_reserve(&buf, 1);
    assert_true(net_buf_simple_has_error(&buf));
    assert_int_equal(net_buf_simple_headroom(&buf), 0);
    assert_int_equal(buf.len, 1);
}

/* --- Queries -------------------------------------------------------------------------------- */

static void test_queries(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 20);

    net_buf_simple_init(&buf, 4);
    net_buf_simple_add(&buf, 6);
    assert_int_equal(net_buf_simple_headroom(&buf), 4);
    assert_int_equal(net_buf_simple_tailroom(&buf), 10);
    assert_int_equal(net_buf_simple_max_len(&buf), 16);
    assert_ptr_equal(net_buf_simple_tail(&buf), net_buf_data_buf + 10);

    net_buf_simple_pull(&buf, 2);
    assert_int_equal(net_buf_simple_headroom(&buf), 6);
    assert_int_equal(net_buf_simple_tailroom(&buf), 10);
    assert_int_equal(net_buf_simple_max_len(&buf), 14);
    assert_ptr_equal(net_buf_simple_tail(&buf), net_buf_data_buf + 10);

    net_buf_simple_push(&buf, 6);
    assert_int_equal(net_buf_simple_headroom(&buf), 0);
    assert_int_equal(net_buf_simple_max_len(&buf), 20);
    assert_int_equal(buf.len, 10);
    assert_false(net_buf_simple_has_error(&buf));
}

/* Fields set by hand past the storage (as Zephyr-style code may do) are refused, not used. */
static void test_inconsistent_fields(void **state)
{
    (void)state;
    struct guarded g;
    struct net_buf_simple buf;

    guarded_setup(&g, &buf, 0, STORE_SIZE);
    buf.len = STORE_SIZE + 4;
    assert_int_equal(net_buf_simple_tailroom(&buf), 0);
    assert_int_equal(net_buf_simple_headroom(&buf), 0);
    assert_int_equal(net_buf_simple_max_len(&buf), 0);
    assert_null(net_buf_simple_tail(&buf));
    assert_int_equal(net_buf_simple_remove_le32(&buf), 0);
    assert_null(net_buf_simple_pull_mem(&buf, STORE_SIZE + 2));
    assert_null(net_buf_simple_add(&buf, 0));
    assert_true(net_buf_simple_has_error(&buf));
    assert_int_equal(buf.len, STORE_SIZE + 4);

    guarded_setup(&g, &buf, 0, 0);
    buf.data = g.mem + STORE_SIZE + 1; /* data beyond the end of the storage */
    assert_null(net_buf_simple_push(&buf, 2));
    assert_int_equal(net_buf_simple_pull_u8(&buf), 0);
    assert_true(net_buf_simple_has_error(&buf));

    guarded_setup(&g, &buf, 0, 0);
    buf.data = g.pre + 4; /* data before the storage */
    net_buf_simple_add_u8(&buf, 0);
    net_buf_simple_reserve(&buf, 0);
    assert_true(net_buf_simple_has_error(&buf));
    assert_guards_intact(&g);
}

/* --- Integer encodings ---------------------------------------------------------------------- */

#define ALL_ENCODED                                                                                \
    "01"                                                                                           \
    "0203" /* le16 */                                                                              \
    "0405" /* be16 */                                                                              \
    "060708"                                                                                       \
    "090a0b"                                                                                       \
    "0c0d0e0f"                                                                                     \
    "10111213"                                                                                     \
    "1415161718"                                                                                   \
    "191a1b1c1d"                                                                                   \
    "1e1f20212223"                                                                                 \
    "242526272829"                                                                                 \
    "2a2b2c2d2e2f3031"                                                                             \
    "3233343536373839"

static void test_add_encodings(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 64);

    assert_ptr_equal(net_buf_simple_add_u8(&buf, 0x01), net_buf_data_buf);
    net_buf_simple_add_le16(&buf, 0x0302);
    net_buf_simple_add_be16(&buf, 0x0405);
    net_buf_simple_add_le24(&buf, 0x080706);
    net_buf_simple_add_be24(&buf, 0x090a0b);
    net_buf_simple_add_le32(&buf, 0x0f0e0d0c);
    net_buf_simple_add_be32(&buf, 0x10111213);
    net_buf_simple_add_le40(&buf, 0x1817161514);
    net_buf_simple_add_be40(&buf, 0x191a1b1c1d);
    net_buf_simple_add_le48(&buf, 0x232221201f1e);
    net_buf_simple_add_be48(&buf, 0x242526272829);
    net_buf_simple_add_le64(&buf, 0x31302f2e2d2c2b2a);
    net_buf_simple_add_be64(&buf, 0x3233343536373839);
    assert_false(net_buf_simple_has_error(&buf));
    assert_hex_equal(buf.data, buf.len, ALL_ENCODED);
}

static void test_add_ignores_high_bits(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 32);

    net_buf_simple_add_le24(&buf, 0xff112233);
    net_buf_simple_add_be24(&buf, 0xff112233);
    net_buf_simple_add_le40(&buf, 0xffffff1122334455);
    net_buf_simple_add_be48(&buf, 0xffff112233445566);
    assert_hex_equal(buf.data, buf.len, "332211 112233 5544332211 112233445566");
}

static void test_pull_encodings(void **state)
{
    (void)state;
    TEST_HEX(bytes, ALL_ENCODED);
    struct net_buf_simple buf;

    net_buf_simple_init_with_data(&buf, bytes, bytes_len);
    assert_int_equal(net_buf_simple_pull_u8(&buf), 0x01);
    assert_int_equal(net_buf_simple_pull_le16(&buf), 0x0302);
    assert_int_equal(net_buf_simple_pull_be16(&buf), 0x0405);
    assert_int_equal(net_buf_simple_pull_le24(&buf), 0x080706);
    assert_int_equal(net_buf_simple_pull_be24(&buf), 0x090a0b);
    assert_int_equal(net_buf_simple_pull_le32(&buf), 0x0f0e0d0c);
    assert_int_equal(net_buf_simple_pull_be32(&buf), 0x10111213);
    assert_int_equal(net_buf_simple_pull_le40(&buf), 0x1817161514);
    assert_int_equal(net_buf_simple_pull_be40(&buf), 0x191a1b1c1d);
    assert_int_equal(net_buf_simple_pull_le48(&buf), 0x232221201f1e);
    assert_int_equal(net_buf_simple_pull_be48(&buf), 0x242526272829);
    assert_int_equal(net_buf_simple_pull_le64(&buf), 0x31302f2e2d2c2b2a);
    assert_int_equal(net_buf_simple_pull_be64(&buf), 0x3233343536373839);
    assert_int_equal(buf.len, 0);
    assert_int_equal(net_buf_simple_headroom(&buf), bytes_len);
    assert_false(net_buf_simple_has_error(&buf));
}

static void test_remove_encodings(void **state)
{
    (void)state;
    TEST_HEX(bytes, ALL_ENCODED);
    struct net_buf_simple buf;

    /* The same bytes read backwards from the tail. */
    net_buf_simple_init_with_data(&buf, bytes, bytes_len);
    assert_int_equal(net_buf_simple_remove_be64(&buf), 0x3233343536373839);
    assert_int_equal(net_buf_simple_remove_le64(&buf), 0x31302f2e2d2c2b2a);
    assert_int_equal(net_buf_simple_remove_be48(&buf), 0x242526272829);
    assert_int_equal(net_buf_simple_remove_le48(&buf), 0x232221201f1e);
    assert_int_equal(net_buf_simple_remove_be40(&buf), 0x191a1b1c1d);
    assert_int_equal(net_buf_simple_remove_le40(&buf), 0x1817161514);
    assert_int_equal(net_buf_simple_remove_be32(&buf), 0x10111213);
    assert_int_equal(net_buf_simple_remove_le32(&buf), 0x0f0e0d0c);
    assert_int_equal(net_buf_simple_remove_be24(&buf), 0x090a0b);
    assert_int_equal(net_buf_simple_remove_le24(&buf), 0x080706);
    assert_int_equal(net_buf_simple_remove_be16(&buf), 0x0405);
    assert_int_equal(net_buf_simple_remove_le16(&buf), 0x0302);
    assert_int_equal(net_buf_simple_remove_u8(&buf), 0x01);
    assert_int_equal(buf.len, 0);
    assert_int_equal(net_buf_simple_headroom(&buf), 0);
    assert_false(net_buf_simple_has_error(&buf));
}

static void test_push_encodings(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 64);
    const size_t total = sizeof(ALL_ENCODED) / 2; /* 57 octets */

    /* Built back to front in the headroom, the same bytes as test_add_encodings. */
    net_buf_simple_init(&buf, total);
    net_buf_simple_push_be64(&buf, 0x3233343536373839);
    net_buf_simple_push_le64(&buf, 0x31302f2e2d2c2b2a);
    net_buf_simple_push_be48(&buf, 0x242526272829);
    net_buf_simple_push_le48(&buf, 0x232221201f1e);
    net_buf_simple_push_be40(&buf, 0x191a1b1c1d);
    net_buf_simple_push_le40(&buf, 0x1817161514);
    net_buf_simple_push_be32(&buf, 0x10111213);
    net_buf_simple_push_le32(&buf, 0x0f0e0d0c);
    net_buf_simple_push_be24(&buf, 0x090a0b);
    net_buf_simple_push_le24(&buf, 0x080706);
    net_buf_simple_push_be16(&buf, 0x0405);
    net_buf_simple_push_le16(&buf, 0x0302);
    net_buf_simple_push_u8(&buf, 0x01);
    assert_false(net_buf_simple_has_error(&buf));
    assert_int_equal(net_buf_simple_headroom(&buf), 0);
    assert_hex_equal(buf.data, buf.len, ALL_ENCODED);
}

/* --- Memory and pointer operations ---------------------------------------------------------- */

static void test_add_and_remove_mem(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 8);
    const uint8_t abc[] = { 0xa, 0xb, 0xc };

    uint8_t *p = net_buf_simple_add(&buf, 2);
    assert_ptr_equal(p, net_buf_data_buf);
    p[0] = 0x11;
    p[1] = 0x22;
    assert_ptr_equal(net_buf_simple_add_mem(&buf, abc, sizeof(abc)), net_buf_data_buf + 2);
    assert_hex_equal(buf.data, buf.len, "1122 0a0b0c");

    uint8_t *removed = net_buf_simple_remove_mem(&buf, 3);
    assert_ptr_equal(removed, net_buf_data_buf + 2);
    assert_hex_equal(removed, 3, "0a0b0c");
    assert_int_equal(buf.len, 2);

    /* Zero-length operations succeed, even on a full buffer, and need no source. */
    net_buf_simple_add(&buf, net_buf_simple_tailroom(&buf));
    assert_ptr_equal(net_buf_simple_add(&buf, 0), net_buf_data_buf + 8);
    assert_ptr_equal(net_buf_simple_add_mem(&buf, NULL, 0), net_buf_data_buf + 8);
    assert_ptr_equal(net_buf_simple_remove_mem(&buf, 0), net_buf_data_buf + 8);
    assert_false(net_buf_simple_has_error(&buf));
}

static void test_push_and_pull_mem(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 8);
    const uint8_t hdr[] = { 0xa1, 0xa2 };

    net_buf_simple_init(&buf, 4);
    net_buf_simple_add_u8(&buf, 0x33);
    uint8_t *p = net_buf_simple_push(&buf, 1);
    assert_ptr_equal(p, net_buf_data_buf + 3);
    *p = 0x22;
    assert_ptr_equal(net_buf_simple_push_mem(&buf, hdr, sizeof(hdr)), net_buf_data_buf + 1);
    assert_hex_equal(buf.data, buf.len, "a1a2 22 33");
    assert_ptr_equal(net_buf_simple_push_mem(&buf, NULL, 0), net_buf_data_buf + 1);

    /* pull returns the new start (Zephyr), pull_mem the pulled bytes. */
    assert_ptr_equal(net_buf_simple_pull(&buf, 1), net_buf_data_buf + 2);
    uint8_t *pulled = net_buf_simple_pull_mem(&buf, 2);
    assert_ptr_equal(pulled, net_buf_data_buf + 2);
    assert_hex_equal(pulled, 2, "a222");
    assert_hex_equal(buf.data, buf.len, "33");
    assert_ptr_equal(net_buf_simple_pull(&buf, 1), net_buf_data_buf + 5);
    assert_int_equal(buf.len, 0);
    assert_ptr_equal(net_buf_simple_pull(&buf, 0), net_buf_data_buf + 5);
    assert_false(net_buf_simple_has_error(&buf));
}

static void test_pull_to(void **state)
{
    (void)state;
    TEST_HEX(bytes, "0102030405");
    struct net_buf_simple buf;
    uint8_t dst[4];

    net_buf_simple_init_with_data(&buf, bytes, bytes_len);
    net_buf_simple_pull_to(&buf, dst, 3);
    assert_hex_equal(dst, 3, "010203");
    assert_hex_equal(buf.data, buf.len, "0405");
    net_buf_simple_pull_to(&buf, NULL, 0);
    assert_false(net_buf_simple_has_error(&buf));

    /* Underflow: dst is zero-filled (not left stale), the buffer is untouched. */
    memset(dst, 0x5a, sizeof(dst));
    net_buf_simple_pull_to(&buf, dst, 3);
    assert_hex_equal(dst, 4, "0000005a");
    assert_true(net_buf_simple_has_error(&buf));
    assert_hex_equal(buf.data, buf.len, "0405");
}

/* --- Clone, save and restore ---------------------------------------------------------------- */

static void test_clone(void **state)
{
    (void)state;
    TEST_HEX(bytes, "a0a1a2a3");
    struct net_buf_simple orig;
    struct net_buf_simple clone;

    net_buf_simple_init_with_data(&orig, bytes, bytes_len);
    net_buf_simple_pull_u8(&orig);
    net_buf_simple_clone(&orig, &clone);
    assert_ptr_equal(clone.data, orig.data);
    assert_ptr_equal(clone.__buf, orig.__buf);
    assert_int_equal(clone.len, 3);
    assert_int_equal(clone.size, 4);

    /* Parsing the clone leaves the original's position alone; the storage is shared. */
    assert_int_equal(net_buf_simple_pull_be16(&clone), 0xa1a2);
    assert_int_equal(orig.len, 3);
    clone.data[0] = 0xff;
    assert_int_equal(orig.data[2], 0xff);

    /* The error flag travels with the copy, and an error in the clone stays there. */
    net_buf_simple_pull_le32(&clone);
    assert_true(net_buf_simple_has_error(&clone));
    assert_false(net_buf_simple_has_error(&orig));
    net_buf_simple_clone(&clone, &orig);
    assert_true(net_buf_simple_has_error(&orig));
}

static void test_save_restore(void **state)
{
    (void)state;
    TEST_HEX(bytes, "0102030405060708");
    struct net_buf_simple buf;
    struct net_buf_simple_state saved;

    net_buf_simple_init_with_data(&buf, bytes, bytes_len);
    net_buf_simple_pull(&buf, 2);
    net_buf_simple_remove_u8(&buf);
    net_buf_simple_save(&buf, &saved);
    assert_int_equal(saved.offset, 2);
    assert_int_equal(saved.len, 5);

    net_buf_simple_pull_le24(&buf);
    net_buf_simple_push_u8(&buf, 0xee);
    net_buf_simple_restore(&buf, &saved);
    assert_hex_equal(buf.data, buf.len, "0304ee0607");
    assert_false(net_buf_simple_has_error(&buf));

    /* A state that does not fit this buffer is refused. */
    struct net_buf_simple_state bad = { .offset = 6, .len = 3 };
    net_buf_simple_restore(&buf, &bad);
    assert_true(net_buf_simple_has_error(&buf));
    assert_hex_equal(buf.data, buf.len, "0304ee0607");
    bad = (struct net_buf_simple_state){ .offset = 9, .len = 0 };
    net_buf_simple_restore(&buf, &bad);
    assert_hex_equal(buf.data, buf.len, "0304ee0607");

    /* restore does not clear the error. */
    net_buf_simple_restore(&buf, &saved);
    assert_true(net_buf_simple_has_error(&buf));
}

/* --- The safety rule ------------------------------------------------------------------------ */

/* An operation under test: returns 1 if its result signalled failure (NULL or 0), 0 if it
 * signalled success, -1 if it returns nothing. */
typedef int (*buf_op_fn)(struct net_buf_simple *buf);

struct buf_op {
    const char *name;
    buf_op_fn fn;
    size_t need; /* bytes of room (writers) or of data (readers) it needs */
};

#define PTR_RESULT(expr)    ((expr) == NULL ? 1 : 0)
#define SCALAR_RESULT(expr) ((expr) == 0 ? 1 : 0)

#define VOID_OP(name, call)                                                                        \
    static int op_##name(struct net_buf_simple *buf)                                               \
    {                                                                                              \
        call;                                                                                      \
        return -1;                                                                                 \
    }
#define PTR_OP(name, call)                                                                         \
    static int op_##name(struct net_buf_simple *buf)                                               \
    {                                                                                              \
        return PTR_RESULT(call);                                                                   \
    }
#define SCALAR_OP(name, call)                                                                      \
    static int op_##name(struct net_buf_simple *buf)                                               \
    {                                                                                              \
        return SCALAR_RESULT(call);                                                                \
    }

static const uint8_t five_bytes[5] = { 0xc1, 0xc2, 0xc3, 0xc4, 0xc5 };

PTR_OP(add, net_buf_simple_add(buf, 5))
PTR_OP(add_mem, net_buf_simple_add_mem(buf, five_bytes, 5))
PTR_OP(add_u8, net_buf_simple_add_u8(buf, 0xc1))
VOID_OP(add_le16, net_buf_simple_add_le16(buf, 0xc1c2))
VOID_OP(add_be16, net_buf_simple_add_be16(buf, 0xc1c2))
VOID_OP(add_le24, net_buf_simple_add_le24(buf, 0xc1c2c3))
VOID_OP(add_be24, net_buf_simple_add_be24(buf, 0xc1c2c3))
VOID_OP(add_le32, net_buf_simple_add_le32(buf, 0xc1c2c3c4))
VOID_OP(add_be32, net_buf_simple_add_be32(buf, 0xc1c2c3c4))
VOID_OP(add_le40, net_buf_simple_add_le40(buf, 0xc1c2c3c4c5))
VOID_OP(add_be40, net_buf_simple_add_be40(buf, 0xc1c2c3c4c5))
VOID_OP(add_le48, net_buf_simple_add_le48(buf, 0xc1c2c3c4c5c6))
VOID_OP(add_be48, net_buf_simple_add_be48(buf, 0xc1c2c3c4c5c6))
VOID_OP(add_le64, net_buf_simple_add_le64(buf, 0xc1c2c3c4c5c6c7c8))
VOID_OP(add_be64, net_buf_simple_add_be64(buf, 0xc1c2c3c4c5c6c7c8))
VOID_OP(reserve, net_buf_simple_reserve(buf, 5))

PTR_OP(push, net_buf_simple_push(buf, 5))
PTR_OP(push_mem, net_buf_simple_push_mem(buf, five_bytes, 5))
VOID_OP(push_u8, net_buf_simple_push_u8(buf, 0xc1))
VOID_OP(push_le16, net_buf_simple_push_le16(buf, 0xc1c2))
VOID_OP(push_be16, net_buf_simple_push_be16(buf, 0xc1c2))
VOID_OP(push_le24, net_buf_simple_push_le24(buf, 0xc1c2c3))
VOID_OP(push_be24, net_buf_simple_push_be24(buf, 0xc1c2c3))
VOID_OP(push_le32, net_buf_simple_push_le32(buf, 0xc1c2c3c4))
VOID_OP(push_be32, net_buf_simple_push_be32(buf, 0xc1c2c3c4))
VOID_OP(push_le40, net_buf_simple_push_le40(buf, 0xc1c2c3c4c5))
VOID_OP(push_be40, net_buf_simple_push_be40(buf, 0xc1c2c3c4c5))
VOID_OP(push_le48, net_buf_simple_push_le48(buf, 0xc1c2c3c4c5c6))
VOID_OP(push_be48, net_buf_simple_push_be48(buf, 0xc1c2c3c4c5c6))
VOID_OP(push_le64, net_buf_simple_push_le64(buf, 0xc1c2c3c4c5c6c7c8))
VOID_OP(push_be64, net_buf_simple_push_be64(buf, 0xc1c2c3c4c5c6c7c8))

PTR_OP(pull, net_buf_simple_pull(buf, 5))
PTR_OP(pull_mem, net_buf_simple_pull_mem(buf, 5))
SCALAR_OP(pull_u8, net_buf_simple_pull_u8(buf))
SCALAR_OP(pull_le16, net_buf_simple_pull_le16(buf))
SCALAR_OP(pull_be16, net_buf_simple_pull_be16(buf))
SCALAR_OP(pull_le24, net_buf_simple_pull_le24(buf))
SCALAR_OP(pull_be24, net_buf_simple_pull_be24(buf))
SCALAR_OP(pull_le32, net_buf_simple_pull_le32(buf))
SCALAR_OP(pull_be32, net_buf_simple_pull_be32(buf))
SCALAR_OP(pull_le40, net_buf_simple_pull_le40(buf))
SCALAR_OP(pull_be40, net_buf_simple_pull_be40(buf))
SCALAR_OP(pull_le48, net_buf_simple_pull_le48(buf))
SCALAR_OP(pull_be48, net_buf_simple_pull_be48(buf))
SCALAR_OP(pull_le64, net_buf_simple_pull_le64(buf))
SCALAR_OP(pull_be64, net_buf_simple_pull_be64(buf))

PTR_OP(remove_mem, net_buf_simple_remove_mem(buf, 5))
SCALAR_OP(remove_u8, net_buf_simple_remove_u8(buf))
SCALAR_OP(remove_le16, net_buf_simple_remove_le16(buf))
SCALAR_OP(remove_be16, net_buf_simple_remove_be16(buf))
SCALAR_OP(remove_le24, net_buf_simple_remove_le24(buf))
SCALAR_OP(remove_be24, net_buf_simple_remove_be24(buf))
SCALAR_OP(remove_le32, net_buf_simple_remove_le32(buf))
SCALAR_OP(remove_be32, net_buf_simple_remove_be32(buf))
SCALAR_OP(remove_le40, net_buf_simple_remove_le40(buf))
SCALAR_OP(remove_be40, net_buf_simple_remove_be40(buf))
SCALAR_OP(remove_le48, net_buf_simple_remove_le48(buf))
SCALAR_OP(remove_be48, net_buf_simple_remove_be48(buf))
SCALAR_OP(remove_le64, net_buf_simple_remove_le64(buf))
SCALAR_OP(remove_be64, net_buf_simple_remove_be64(buf))

static int op_pull_to(struct net_buf_simple *buf)
{
    uint8_t dst[5];
    net_buf_simple_pull_to(buf, dst, sizeof(dst));
    return -1;
}

#define OP(name, need)                                                                             \
    {                                                                                              \
#name, op_##name, need                                                                     \
    }

static const struct buf_op tail_writers[] = {
    OP(add, 5),      OP(add_mem, 5),  OP(add_u8, 1),   OP(add_le16, 2), OP(add_be16, 2),
    OP(add_le24, 3), OP(add_be24, 3), OP(add_le32, 4), OP(add_be32, 4), OP(add_le40, 5),
    OP(add_be40, 5), OP(add_le48, 6), OP(add_be48, 6), OP(add_le64, 8), OP(add_be64, 8),
};

static const struct buf_op head_writers[] = {
    OP(push, 5),      OP(push_mem, 5),  OP(push_u8, 1),   OP(push_le16, 2), OP(push_be16, 2),
    OP(push_le24, 3), OP(push_be24, 3), OP(push_le32, 4), OP(push_be32, 4), OP(push_le40, 5),
    OP(push_be40, 5), OP(push_le48, 6), OP(push_be48, 6), OP(push_le64, 8), OP(push_be64, 8),
};

static const struct buf_op readers[] = {
    OP(pull, 5),        OP(pull_mem, 5),    OP(pull_to, 5),     OP(pull_u8, 1),
    OP(pull_le16, 2),   OP(pull_be16, 2),   OP(pull_le24, 3),   OP(pull_be24, 3),
    OP(pull_le32, 4),   OP(pull_be32, 4),   OP(pull_le40, 5),   OP(pull_be40, 5),
    OP(pull_le48, 6),   OP(pull_be48, 6),   OP(pull_le64, 8),   OP(pull_be64, 8),
    OP(remove_mem, 5),  OP(remove_u8, 1),   OP(remove_le16, 2), OP(remove_be16, 2),
    OP(remove_le24, 3), OP(remove_be24, 3), OP(remove_le32, 4), OP(remove_be32, 4),
    OP(remove_le40, 5), OP(remove_be40, 5), OP(remove_le48, 6), OP(remove_be48, 6),
    OP(remove_le64, 8), OP(remove_be64, 8),
};

/* Run op on a buffer positioned as given with one byte too few, and check that it was refused
 * without any effect but the error flag; then with exactly enough, and check that it worked
 * without touching the guards. */
static void check_op(const struct buf_op *op, size_t headroom_short, size_t len_short,
                     size_t headroom_ok, size_t len_ok)
{
    struct guarded g;
    struct guarded before;
    struct net_buf_simple buf;
    struct net_buf_simple buf_before;

    print_message("  %s\n", op->name);
    guarded_setup(&g, &buf, headroom_short, len_short);
    before = g;
    buf_before = buf;
    int result = op->fn(&buf);
    assert_true(result != 0);
    assert_true(net_buf_simple_has_error(&buf));
    assert_memory_equal(&g, &before, sizeof(g));
    assert_ptr_equal(buf.data, buf_before.data);
    assert_ptr_equal(buf.__buf, buf_before.__buf);
    assert_int_equal(buf.len, buf_before.len);
    assert_int_equal(buf.size, buf_before.size);

    /* A refused operation is refused again: the error is sticky and nothing moved. */
    assert_true(op->fn(&buf) != 0);
    assert_memory_equal(&g, &before, sizeof(g));
    assert_int_equal(buf.len, buf_before.len);

    guarded_setup(&g, &buf, headroom_ok, len_ok);
    assert_true(op->fn(&buf) <= 0);
    assert_false(net_buf_simple_has_error(&buf));
    assert_guards_intact(&g);
}

static void test_overflow_tail(void **state)
{
    (void)state;
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(tail_writers); i++) {
        const struct buf_op *op = &tail_writers[i];
        /* Headroom 2 so that a bug counting headroom as tailroom would show. */
        check_op(op, 2, STORE_SIZE - 2 - (op->need - 1), 2, STORE_SIZE - 2 - op->need);
    }
    /* reserve needs an empty buffer: tailroom one short, then exact. */
    const struct buf_op reserve = OP(reserve, 5);
    check_op(&reserve, STORE_SIZE - 4, 0, STORE_SIZE - 5, 0);
}

static void test_overflow_head(void **state)
{
    (void)state;
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(head_writers); i++) {
        const struct buf_op *op = &head_writers[i];
        /* Tailroom left free so that a bug counting tailroom as headroom would show. */
        check_op(op, op->need - 1, 3, op->need, 3);
    }
}

static void test_underflow(void **state)
{
    (void)state;
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(readers); i++) {
        const struct buf_op *op = &readers[i];
        /* Room on both sides so that a read past either end of the data would show. */
        check_op(op, 3, op->need - 1, 3, op->need);
    }
}

static void test_empty_buffer_reads(void **state)
{
    (void)state;
    struct guarded g;
    struct net_buf_simple buf;

    guarded_setup(&g, &buf, 0, 0);
    assert_int_equal(net_buf_simple_pull_u8(&buf), 0);
    assert_int_equal(net_buf_simple_remove_u8(&buf), 0);
    assert_null(net_buf_simple_pull(&buf, 1));
    assert_null(net_buf_simple_push(&buf, 1));
    assert_null(net_buf_simple_pull_mem(&buf, SIZE_MAX));
    assert_null(net_buf_simple_add(&buf, SIZE_MAX));
    assert_true(net_buf_simple_has_error(&buf));
    assert_int_equal(buf.len, 0);
    assert_ptr_equal(buf.data, g.mem);
    assert_guards_intact(&g);
}

static void test_error_sticky(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(buf, 4);

    net_buf_simple_add_le16(&buf, 0x0201);
    assert_false(net_buf_simple_has_error(&buf));
    net_buf_simple_add_le24(&buf, 0x050403); /* does not fit */
    assert_true(net_buf_simple_has_error(&buf));

    /* Later operations still work but do not clear the flag. */
    net_buf_simple_add_u8(&buf, 0x03);
    assert_hex_equal(buf.data, buf.len, "010203");
    assert_int_equal(net_buf_simple_pull_le16(&buf), 0x0201);
    assert_true(net_buf_simple_has_error(&buf));
    assert_true(buf.error);

    net_buf_simple_reset(&buf);
    assert_false(net_buf_simple_has_error(&buf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_define_macro),
        cmocka_unit_test(test_define_static_macro),
        cmocka_unit_test(test_compound_literal_macro),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_init_with_data),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_inconsistent_fields),
        cmocka_unit_test(test_add_encodings),
        cmocka_unit_test(test_add_ignores_high_bits),
        cmocka_unit_test(test_pull_encodings),
        cmocka_unit_test(test_remove_encodings),
        cmocka_unit_test(test_push_encodings),
        cmocka_unit_test(test_add_and_remove_mem),
        cmocka_unit_test(test_push_and_pull_mem),
        cmocka_unit_test(test_pull_to),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_save_restore),
        cmocka_unit_test(test_overflow_tail),
        cmocka_unit_test(test_overflow_head),
        cmocka_unit_test(test_underflow),
        cmocka_unit_test(test_empty_buffer_reads),
        cmocka_unit_test(test_error_sticky),
    };

    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
