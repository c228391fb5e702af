/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secure Network Beacons (MshPRTv1.1 §3.10.3): the codec against the §8.4.3 sample, and a
 * node on a fake platform sending them periodically, authenticating received ones and
 * applying their IV Index within the limits of §3.10.5 / §3.11.5.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"

#include "fake_platform.h"
#include "mem_storage.h"
#include "net/beacon.h"
#include "net/keys.h"
#include "net/net.h"

#include <meshrpr/node.h>
#include <meshrpr/util.h>

/* §8.4.3: NetKey 7dd7364cd842ad18c17c2b820c84c3d6, IV Index 0x12345678, flags 0. */
static const char sample_net_key[] = "7dd7364cd842ad18c17c2b820c84c3d6";
static const char sample_beacon[] = "01003ecaff672f673370123456788ea261582f364f6f";
#define IV 0x12345678u

static struct meshrpr_subnet sample_subnet(void)
{
    struct meshrpr_subnet sub = { .valid = true };

    test_hex(sample_net_key, sub.net_key, 16);
    test_hex("3ecaff672f673370", sub.network_id, 8);
    test_hex("5423d967da639a99cb02231a83f7d254", sub.beacon_key, 16);
    return sub;
}

/* ---- Codec ------------------------------------------------------------------------------ */

static void test_encode_sample(void **state)
{
    const struct meshrpr_subnet sub = sample_subnet();
    uint8_t out[22];

    (void)state;
    assert_int_equal(meshrpr_beacon_secure_encode(&sub, 0x00, IV, out), 0);
    assert_hex_equal(out, sizeof(out), sample_beacon);
}

static void test_decode_sample(void **state)
{
    const struct meshrpr_subnet sub = sample_subnet();
    TEST_HEX(beacon, "01003ecaff672f673370123456788ea261582f364f6f");
    uint8_t flags = 0xff;
    uint32_t iv_index = 0;

    (void)state;
    assert_int_equal(meshrpr_beacon_secure_decode(&sub, beacon, beacon_len, &flags, &iv_index), 0);
    assert_int_equal(flags, 0);
    assert_int_equal(iv_index, IV);
}

static void test_decode_rejects(void **state)
{
    const struct meshrpr_subnet sub = sample_subnet();
    struct meshrpr_subnet other = sub;
    TEST_HEX(beacon, "01003ecaff672f673370123456788ea261582f364f6f");
    uint8_t flags;
    uint32_t iv_index;

    (void)state;
    /* Same Network ID, another BeaconKey: the authentication value fails. */
    other.beacon_key[0] ^= 0x01;
    assert_int_equal(meshrpr_beacon_secure_decode(&other, beacon, beacon_len, &flags, &iv_index),
                     -EBADMSG);
    /* Flags, IV Index and the value itself are covered by the authentication value. */
    const size_t covered[] = { 1, 10, 13, 14, 21 };
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(covered); i++) {
        beacon[covered[i]] ^= 0x02;
        assert_int_equal(meshrpr_beacon_secure_decode(&sub, beacon, beacon_len, &flags, &iv_index),
                         -EBADMSG);
        beacon[covered[i]] ^= 0x02;
    }
    /* Another Network ID, another beacon type, wrong lengths. */
    beacon[2] ^= 0x01;
    assert_int_equal(meshrpr_beacon_secure_decode(&sub, beacon, beacon_len, &flags, &iv_index),
                     -EINVAL);
    beacon[2] ^= 0x01;
    beacon[0] = 0x02;
    assert_int_equal(meshrpr_beacon_secure_decode(&sub, beacon, beacon_len, &flags, &iv_index),
                     -EINVAL);
    beacon[0] = 0x01;
    for (size_t len = 0; len < beacon_len; len++) {
        assert_int_equal(meshrpr_beacon_secure_decode(&sub, beacon, len, &flags, &iv_index),
                         -EINVAL);
    }
    assert_int_equal(meshrpr_beacon_secure_decode(&sub, beacon, beacon_len + 1, &flags, &iv_index),
                     -EINVAL);
    assert_int_equal(meshrpr_beacon_secure_decode(&sub, beacon, beacon_len, &flags, &iv_index), 0);
}

/* ---- A node ----------------------------------------------------------------------------- */

struct tnode {
    struct fake_platform fp;
    struct meshrpr_node node;
    struct bt_mesh_elem elem;
    struct bt_mesh_comp comp;
    struct meshrpr_node_config cfg;
    struct mem_storage mem;
};

static void tnode_boot(struct tnode *t)
{
    t->elem = (struct bt_mesh_elem)BT_MESH_ELEM(0, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE);
    t->comp = (struct bt_mesh_comp){ .cid = 0xffff, .elem_count = 1, .elem = &t->elem };
    assert_int_equal(meshrpr_node_init(&t->node, &t->cfg), 0);
}

static void tnode_init(struct tnode *t, uint64_t seed)
{
    memset(t, 0, sizeof(*t));
    fake_platform_init(&t->fp, seed);
    mem_storage_init(&t->mem);
    t->cfg = (struct meshrpr_node_config){ .platform = &t->fp.platform,
                                           .comp = &t->comp,
                                           .storage = &t->mem.storage,
                                           .features = BT_MESH_FEAT_RELAY };
    tnode_boot(t);
}

static void tnode_provision(struct tnode *t, uint32_t iv_index)
{
    uint8_t net_key[16];
    const uint8_t dev_key[16] = { 0x0d };

    test_hex(sample_net_key, net_key, sizeof(net_key));
    assert_int_equal(meshrpr_node_provision(&t->node, net_key, 0, 0, iv_index, 0x0100, dev_key), 0);
}

static void tnode_end(struct tnode *t)
{
    assert_true(meshrpr_node_is_idle(&t->node));
    meshrpr_node_deinit(&t->node);
}

/* Run the node's timers up to now_ms. */
static void advance_to(struct tnode *t, uint64_t now_ms)
{
    while (meshrpr_node_next_deadline_ms(&t->node) <= now_ms) {
        t->fp.now_ms = meshrpr_node_next_deadline_ms(&t->node);
        meshrpr_node_process(&t->node);
    }
    t->fp.now_ms = now_ms;
}

static void feed(struct tnode *t, const uint8_t *beacon, size_t len)
{
    meshrpr_node_adv_recv(&t->node, 0x2b, beacon, len, -30);
}

/* A beacon under the node's own NetKey with the given flags and IV Index. */
static void feed_iv(struct tnode *t, uint16_t net_idx, uint8_t flags, uint32_t iv_index)
{
    uint8_t beacon[22];

    assert_int_equal(meshrpr_beacon_secure_encode(meshrpr_keys_subnet_get(&t->node, net_idx), flags,
                                                  iv_index, beacon),
                     0);
    feed(t, beacon, sizeof(beacon));
}

/* The keys layer derives Network ID and BeaconKey from the NetKey: a provisioned node with
 * the sample NetKey and IV Index sends the sample beacon, first within 10 s of starting and
 * then every 10 s. */
static void test_node_sends_periodically(void **state)
{
    struct tnode *t = *state;

    tnode_init(t, 7);
    assert_false(meshrpr_timer_is_armed(&t->node.beacon.timer)); /* no keys yet */
    tnode_provision(t, IV);
    assert_int_equal(t->node.beacon.enabled, 1);
    assert_true(meshrpr_timer_is_armed(&t->node.beacon.timer));
    const uint64_t first = meshrpr_node_next_deadline_ms(&t->node);
    assert_true(first <= 10000);
    assert_true(meshrpr_node_is_idle(&t->node)); /* the beacon timer does not count */

    advance_to(t, first);
    assert_int_equal(t->fp.adv_count, 1);
    assert_int_equal(t->fp.last_adv_type, 0x2b);
    assert_hex_equal(t->fp.last_adv, t->fp.last_adv_len, sample_beacon);
    advance_to(t, first + 10000 - 1);
    assert_int_equal(t->fp.adv_count, 1);
    advance_to(t, first + 10000);
    assert_int_equal(t->fp.adv_count, 2);
    advance_to(t, first + 30000);
    assert_int_equal(t->fp.adv_count, 4);
    assert_int_equal(t->node.beacon.tx_count, 4);

    /* Off: no beacons and no timer; on again: beacons resume. */
    meshrpr_beacon_set(&t->node, 0);
    assert_false(meshrpr_timer_is_armed(&t->node.beacon.timer));
    advance_to(t, first + 100000);
    assert_int_equal(t->fp.adv_count, 4);
    meshrpr_beacon_set(&t->node, 2); /* prohibited: ignored */
    assert_int_equal(t->node.beacon.enabled, 0);
    meshrpr_beacon_set(&t->node, 1);
    assert_true(meshrpr_timer_is_armed(&t->node.beacon.timer));
    advance_to(t, first + 110000);
    assert_int_equal(t->fp.adv_count, 5);

    assert_int_equal(meshrpr_beacon_send(&t->node, 0x123), -ENOENT);
    assert_int_equal(meshrpr_beacon_send(&t->node, 0), 0);
    assert_int_equal(t->fp.adv_count, 6);
    tnode_end(t);
}

/* The IV Update flag goes out with the current IV Index (not the one used to transmit). */
static void test_node_beacon_flags(void **state)
{
    struct tnode *t = *state;
    uint8_t flags;
    uint32_t iv_index;

    tnode_init(t, 7);
    tnode_provision(t, IV);
    feed_iv(t, 0, BT_MESH_FLAG_IV_UPDATE, IV + 1);
    assert_int_equal(meshrpr_beacon_send(&t->node, 0), 0);
    assert_int_equal(meshrpr_beacon_secure_decode(meshrpr_keys_subnet_get(&t->node, 0),
                                                  t->fp.last_adv, t->fp.last_adv_len, &flags,
                                                  &iv_index),
                     0);
    assert_int_equal(flags, BT_MESH_FLAG_IV_UPDATE);
    assert_int_equal(iv_index, IV + 1);
    tnode_end(t);
}

static void test_beacon_state_is_stored(void **state)
{
    struct tnode *t = *state;

    tnode_init(t, 7);
    tnode_provision(t, IV);
    meshrpr_beacon_set(&t->node, 0);
    meshrpr_node_deinit(&t->node);
    tnode_boot(t);
    assert_true(meshrpr_node_is_provisioned(&t->node));
    assert_int_equal(t->node.beacon.enabled, 0);
    assert_false(meshrpr_timer_is_armed(&t->node.beacon.timer));
    meshrpr_beacon_set(&t->node, 1);
    meshrpr_node_deinit(&t->node);
    tnode_boot(t);
    assert_int_equal(t->node.beacon.enabled, 1);
    assert_true(meshrpr_timer_is_armed(&t->node.beacon.timer));
    tnode_end(t);
}

/* IV Index rules (§3.10.5, §3.11.5; mesh-stack-facts §2.6): never lower, at most +42, the
 * flag moves the node into and out of an IV Update, and SEQ restarts only when the IV Index
 * used to transmit rises. */
static void test_node_iv_index_update(void **state)
{
    struct tnode *t = *state;

    tnode_init(t, 7);
    tnode_provision(t, IV);
    t->node.net.seq = 10;

    feed_iv(t, 0, 0, IV - 1); /* lower: ignored */
    assert_int_equal(t->node.beacon.rx_count, 1);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV);
    feed_iv(t, 0, BT_MESH_FLAG_IV_UPDATE, IV - 1);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV);
    feed_iv(t, 0, BT_MESH_FLAG_IV_UPDATE, IV); /* same index in Normal: nothing to do */
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV);
    assert_false(t->node.net.iv_update);
    feed_iv(t, 0, 0, IV);
    assert_int_equal(t->node.beacon.rx_count, 4);
    assert_int_equal(meshrpr_node_seq(&t->node), 10);

    /* n+1 with the flag: IV Update in progress, still transmitting with n, SEQ kept. */
    feed_iv(t, 0, BT_MESH_FLAG_IV_UPDATE, IV + 1);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV + 1);
    assert_true(t->node.net.iv_update);
    assert_int_equal(meshrpr_net_tx_iv_index(&t->node), IV);
    assert_int_equal(meshrpr_node_seq(&t->node), 10);
    feed_iv(t, 0, BT_MESH_FLAG_IV_UPDATE, IV + 1);
    assert_int_equal(meshrpr_node_seq(&t->node), 10);

    /* Same index without the flag: back to Normal, transmitting with n+1 from SEQ 0. */
    feed_iv(t, 0, 0, IV + 1);
    assert_false(t->node.net.iv_update);
    assert_int_equal(meshrpr_net_tx_iv_index(&t->node), IV + 1);
    assert_int_equal(meshrpr_node_seq(&t->node), 0);
    t->node.net.seq = 20;

    /* IV Index Recovery: +43 is too far, +42 is taken, SEQ restarts. */
    feed_iv(t, 0, 0, IV + 1 + 43);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV + 1);
    assert_int_equal(meshrpr_node_seq(&t->node), 20);
    feed_iv(t, 0, 0, IV + 1 + 42);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV + 43);
    assert_int_equal(meshrpr_node_seq(&t->node), 0);
    assert_int_equal(t->node.beacon.rx_count, 9);

    /* The new IV Index is stored. */
    meshrpr_node_deinit(&t->node);
    tnode_boot(t);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV + 43);
    assert_false(t->node.net.iv_update);
    tnode_end(t);
}

/* A member of the primary subnet ignores a higher IV Index from a secondary subnet (§3.10.5);
 * beacons under an unknown key, unprovisioned nodes and other beacon types change nothing. */
static void test_node_ignores(void **state)
{
    struct tnode *t = *state;
    const uint8_t other_key[16] = { 0x42 };
    TEST_HEX(beacon, "01003ecaff672f673370123456788ea261582f364f6f");

    tnode_init(t, 7);
    feed(t, beacon, beacon_len); /* not provisioned */
    assert_int_equal(t->node.beacon.rx_count, 0);

    tnode_provision(t, IV - 5);
    assert_int_equal(meshrpr_node_net_key_add(&t->node, 1, other_key), 0);
    feed_iv(t, 1, 0, IV);
    assert_int_equal(t->node.beacon.rx_count, 1);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV - 5);
    feed(t, beacon, beacon_len); /* the primary subnet's: taken */
    assert_int_equal(t->node.beacon.rx_count, 2);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV);

    /* Unknown key, corrupted beacons, other types, empty and oversized data. */
    struct meshrpr_subnet stranger = sample_subnet();
    uint8_t forged[22];
    stranger.beacon_key[5] ^= 0x10;
    assert_int_equal(meshrpr_beacon_secure_encode(&stranger, 0, IV + 1, forged), 0);
    feed(t, forged, sizeof(forged));
    beacon[21] ^= 1;
    feed(t, beacon, beacon_len);
    feed(t, beacon, 0);
    feed(t, NULL, 0);
    const uint8_t unprov[] = { 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0 };
    feed(t, unprov, sizeof(unprov));
    const uint8_t private_beacon[27] = { 0x02 };
    feed(t, private_beacon, sizeof(private_beacon));
    const uint8_t rfu[] = { 0x03, 0x00 };
    feed(t, rfu, sizeof(rfu));
    assert_int_equal(t->node.beacon.rx_count, 2);
    assert_int_equal(meshrpr_node_iv_index(&t->node), IV);
    assert_int_equal(t->fp.adv_count, 0);
    tnode_end(t);
}

static int setup(void **state)
{
    *state = test_calloc(1, sizeof(struct tnode));
    return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    test_free(*state);
    return 0;
}

#define NODE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_sample),  cmocka_unit_test(test_decode_sample),
        cmocka_unit_test(test_decode_rejects), NODE_TEST(test_node_sends_periodically),
        NODE_TEST(test_node_beacon_flags),     NODE_TEST(test_beacon_state_is_stored),
        NODE_TEST(test_node_iv_index_update),  NODE_TEST(test_node_ignores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
