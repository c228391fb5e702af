/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Unprovisioned Device beacon (MshPRTv1.1 §3.10.2): its octets and URI Hash against values
 * computed outside this project (provisioning-facts.md §5 and §7), the parser, its schedule on
 * a fake clock, and that it pauses while a PB-ADV link is open and stops once provisioned.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "test_util.h"

#include "prov/pb_adv.h"
#include "prov/unprov_beacon.h"

#include <meshrpr/node.h>
#include <meshrpr/util.h>

#define SAMPLE_UUID "70cf7c9732a345b691494810d2e9cbf4"
/* URI AD data: scheme 0x17 ("https:") then "//www.example.com/mesh/products/light-switch-v3";
 * its hash d97478b3 was computed with an independent AES-CMAC (provisioning-facts.md §5). */
#define SAMPLE_URI      "\x17//www.example.com/mesh/products/light-switch-v3"
#define SAMPLE_URI_HASH "d97478b3"

#define LOG_MAX 512

struct rec {
    uint8_t type;
    uint8_t data[31];
    size_t len;
    struct meshrpr_adv_params params;
    uint64_t t_ms;
};

struct tnode {
    struct fake_platform fp;
    struct meshrpr_node node;
    struct bt_mesh_elem elem;
    struct bt_mesh_comp comp;
    struct meshrpr_node_config cfg;
    struct rec log[LOG_MAX];
    size_t log_count;
    unsigned closed;
};

static int rec_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                        const struct meshrpr_adv_params *params)
{
    struct tnode *t = MESHRPR_CONTAINER_OF(ctx, struct tnode, fp);
    struct rec *r;

    assert_true(t->log_count < LOG_MAX);
    assert_true(len <= sizeof(r->data));
    r = &t->log[t->log_count++];
    r->type = ad_type;
    memcpy(r->data, data, len);
    r->len = len;
    r->params = *params;
    r->t_ms = t->fp.now_ms;
    return 0;
}

static struct tnode *tnode_new(void)
{
    struct tnode *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    fake_platform_init(&t->fp, 3);
    t->fp.platform.adv_send = rec_adv_send;
    t->fp.now_ms = 1000;
    t->elem = (struct bt_mesh_elem)BT_MESH_ELEM(0, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE);
    t->comp = (struct bt_mesh_comp){ .cid = 0xffff, .elem_count = 1, .elem = &t->elem };
    t->cfg = (struct meshrpr_node_config){ .platform = &t->fp.platform, .comp = &t->comp };
    assert_int_equal(meshrpr_node_init(&t->node, &t->cfg), 0);
    return t;
}

static void tnode_free(struct tnode *t)
{
    assert_true(meshrpr_pb_adv_is_idle(&t->node));
    assert_true(meshrpr_node_is_idle(&t->node));
    meshrpr_node_deinit(&t->node);
    free(t);
}

static void run_until(struct tnode *t, uint64_t t_end)
{
    for (;;) {
        uint64_t d = meshrpr_node_next_deadline_ms(&t->node);
        if (d > t_end) {
            break;
        }
        t->fp.now_ms = d > t->fp.now_ms ? d : t->fp.now_ms;
        meshrpr_node_process(&t->node);
    }
    t->fp.now_ms = t_end;
}

static void run_for(struct tnode *t, uint64_t ms)
{
    run_until(t, t->fp.now_ms + ms);
}

static unsigned count_type(const struct tnode *t, uint8_t type, uint64_t from_ms)
{
    unsigned n = 0;

    for (size_t i = 0; i < t->log_count; i++) {
        if (t->log[i].type == type && t->log[i].t_ms >= from_ms) {
            n++;
        }
    }
    return n;
}

static const struct rec *last_of_type(const struct tnode *t, uint8_t type)
{
    for (size_t i = t->log_count; i > 0; i--) {
        if (t->log[i - 1].type == type) {
            return &t->log[i - 1];
        }
    }
    return NULL;
}

static void test_uri_hash(void **state)
{
    uint8_t hash[4];
    (void)state;

    assert_int_equal(
        meshrpr_unprov_beacon_uri_hash((const uint8_t *)SAMPLE_URI, strlen(SAMPLE_URI), hash), 0);
    assert_hex_equal(hash, 4, SAMPLE_URI_HASH);
}

static void test_encode_parse(void **state)
{
    uint8_t uuid[16], out[23], parsed_uuid[16];
    uint16_t oob;
    uint32_t hash;
    bool has_hash;
    (void)state;

    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    /* The payload of the tshark-checked record in provisioning-facts.md §7. */
    assert_int_equal(meshrpr_unprov_beacon_encode(uuid, 0x0000, NULL, out), 19);
    assert_hex_equal(out, 19, "00" SAMPLE_UUID "0000");
    /* OOB Information is big-endian; the URI Hash follows. */
    TEST_HEX(hash_octets, SAMPLE_URI_HASH);
    assert_int_equal(meshrpr_unprov_beacon_encode(uuid, 0x4082, hash_octets, out), 23);
    assert_hex_equal(out, 23, "00" SAMPLE_UUID "4082" SAMPLE_URI_HASH);

    assert_int_equal(meshrpr_unprov_beacon_parse(out, 23, parsed_uuid, &oob, &hash, &has_hash), 0);
    assert_memory_equal(parsed_uuid, uuid, 16);
    assert_int_equal(oob, 0x4082);
    assert_true(has_hash);
    assert_int_equal(hash, 0xd97478b3);
    assert_int_equal(meshrpr_unprov_beacon_parse(out, 19, parsed_uuid, &oob, &hash, &has_hash), 0);
    assert_false(has_hash);
    assert_int_equal(hash, 0);
    assert_int_equal(meshrpr_unprov_beacon_parse(out, 19, NULL, NULL, NULL, NULL), 0);

    /* Only 19 or 23 octets, and only Beacon Type 0x00. */
    for (size_t len = 0; len <= 24; len++) {
        if (len != 19 && len != 23) {
            assert_int_equal(meshrpr_unprov_beacon_parse(out, len, NULL, NULL, NULL, NULL),
                             -EINVAL);
        }
    }
    out[0] = 0x01;
    assert_int_equal(meshrpr_unprov_beacon_parse(out, 23, NULL, NULL, NULL, NULL), -EINVAL);
    assert_int_equal(meshrpr_unprov_beacon_parse(NULL, 23, NULL, NULL, NULL, NULL), -EINVAL);
}

static void test_schedule(void **state)
{
    struct tnode *t = tnode_new();
    uint8_t uuid[16];
    (void)state;

    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    assert_false(meshrpr_unprov_beacon_is_running(&t->node));
    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, uuid, 0x0000, NULL), 0);
    assert_true(meshrpr_unprov_beacon_is_running(&t->node));

    /* The first within 100 ms, then every 5 s; three transmissions 20 ms apart each. */
    run_for(t, 100);
    assert_int_equal(t->log_count, 1);
    const uint64_t first = t->log[0].t_ms;
    assert_true(first >= 1000 && first <= 1100);
    run_for(t, 25000);
    assert_int_equal(t->log_count, 6);
    for (size_t i = 0; i < t->log_count; i++) {
        assert_int_equal(t->log[i].type, 0x2b);
        assert_hex_equal(t->log[i].data, t->log[i].len, "00" SAMPLE_UUID "0000");
        assert_int_equal(t->log[i].t_ms, first + 5000 * i);
        assert_int_equal(t->log[i].params.count, 3);
        assert_int_equal(t->log[i].params.interval_ms, 20);
    }

    /* Another interval applies from the next beacon on. */
    meshrpr_unprov_beacon_interval_set(&t->node, 1000);
    run_until(t, t->log[5].t_ms + 5000 + 3000);
    assert_int_equal(t->log_count, 10);
    assert_int_equal(t->log[7].t_ms - t->log[6].t_ms, 1000);

    /* Stopped: nothing more, and the node is idle. */
    meshrpr_unprov_beacon_stop(&t->node);
    assert_false(meshrpr_unprov_beacon_is_running(&t->node));
    run_for(t, 20000);
    assert_int_equal(t->log_count, 10);
    tnode_free(t);
}

static void test_uri(void **state)
{
    struct tnode *t = tnode_new();
    uint8_t uuid[16];
    const char *short_uri = "\x17//example.com/m";
    (void)state;

    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    /* The sample URI is 48 octets: hashed into the 23-octet beacon, but too long for a
     * 31-octet legacy AD structure, so not advertised itself. */
    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, uuid, 0x0002, SAMPLE_URI), 0);
    run_for(t, 100);
    assert_int_equal(t->log_count, 1);
    assert_int_equal(t->log[0].type, 0x2b);
    assert_hex_equal(t->log[0].data, t->log[0].len, "00" SAMPLE_UUID "0002" SAMPLE_URI_HASH);

    /* A short URI: the beacon (with its hash, checked structurally only: no independent value
     * for this URI), then the URI AD structure (type 0x24) with the URI Data itself. */
    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, uuid, 0x0002, short_uri), 0);
    run_for(t, 100);
    assert_int_equal(t->log_count, 3);
    assert_int_equal(t->log[1].type, 0x2b);
    assert_int_equal(t->log[1].len, 23);
    assert_int_equal(t->log[2].type, 0x24);
    assert_int_equal(t->log[2].len, strlen(short_uri));
    assert_memory_equal(t->log[2].data, short_uri, strlen(short_uri));
    assert_int_equal(t->log[2].params.count, 3);
    uint8_t hash[4];
    assert_int_equal(
        meshrpr_unprov_beacon_uri_hash((const uint8_t *)short_uri, strlen(short_uri), hash), 0);
    assert_memory_equal(&t->log[1].data[19], hash, 4);

    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, NULL, 0, NULL), -EINVAL);
    meshrpr_unprov_beacon_stop(&t->node);
    tnode_free(t);
}

static void sess_opened(struct meshrpr_prov_link *link)
{
    (void)link;
}

static void sess_recv(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len)
{
    (void)link, (void)pdu, (void)len;
}

static void sess_closed(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct tnode *t = link->session;

    (void)reason;
    t->closed++;
}

static const struct meshrpr_prov_bearer_cb sess_cb = {
    .link_opened = sess_opened,
    .recv = sess_recv,
    .link_closed = sess_closed,
};

static void accept(struct meshrpr_node *node, struct meshrpr_prov_link *link)
{
    link->cb = &sess_cb;
    link->session = MESHRPR_CONTAINER_OF(node, struct tnode, node);
}

static void inject_hex(struct tnode *t, const char *hex)
{
    uint8_t pdu[31];
    size_t len = test_hex(hex, pdu, sizeof(pdu));

    meshrpr_pb_adv_recv(&t->node, pdu, len);
}

static void test_suspended_by_link(void **state)
{
    struct tnode *t = tnode_new();
    uint8_t uuid[16];
    (void)state;

    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    assert_int_equal(meshrpr_pb_adv_device_enable(&t->node, uuid, accept), 0);
    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, uuid, 0, NULL), 0);
    run_for(t, 6000);
    assert_int_equal(count_type(t, 0x2b, 0), 2);

    /* A provisioner opens a link: Link ACK, and no beacon while the link is open. */
    inject_hex(t, "23af5850 00 03" SAMPLE_UUID);
    assert_non_null(last_of_type(t, 0x29));
    assert_false(meshrpr_unprov_beacon_is_running(&t->node));
    const uint64_t opened = t->fp.now_ms;
    run_for(t, 30000);
    assert_int_equal(count_type(t, 0x2b, opened), 0);

    /* The provisioner closes it (provisioning failed): beacons resume within 100 ms. */
    inject_hex(t, "23af5850 00 0b02");
    assert_int_equal(t->closed, 1);
    assert_true(meshrpr_unprov_beacon_is_running(&t->node));
    const uint64_t closed = t->fp.now_ms;
    run_for(t, 100);
    assert_int_equal(count_type(t, 0x2b, closed), 1);
    assert_true(last_of_type(t, 0x2b)->t_ms <= closed + 100);

    /* Starting the beacon while a link is open waits for the link to end. */
    inject_hex(t, "01020304 00 03" SAMPLE_UUID);
    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, uuid, 0, NULL), 0);
    assert_false(meshrpr_unprov_beacon_is_running(&t->node));
    const uint64_t reopened = t->fp.now_ms;
    run_for(t, 10000);
    assert_int_equal(count_type(t, 0x2b, reopened), 0);
    inject_hex(t, "01020304 00 0b00");
    run_for(t, 100);
    assert_int_equal(count_type(t, 0x2b, reopened), 1);

    meshrpr_unprov_beacon_stop(&t->node);
    meshrpr_pb_adv_device_disable(&t->node);
    tnode_free(t);
}

static const uint8_t net_key[16] = { 0xef, 0xb2, 0x25, 0x5e, 0x64, 0x22, 0xd3, 0x30,
                                     0x08, 0x8e, 0x09, 0xbb, 0x01, 0x5e, 0xd7, 0x07 };
static const uint8_t dev_key[16] = { 0x05, 0x20 };

static bool other_timers_idle(struct tnode *t)
{
    /* A provisioned node keeps the network's periodic timers; only PB-ADV and the beacon
     * matter here. */
    return meshrpr_pb_adv_is_idle(&t->node) && !meshrpr_unprov_beacon_is_running(&t->node) &&
           !meshrpr_timer_is_armed(&t->node.pb_adv.beacon.timer);
}

static void test_stops_when_provisioned(void **state)
{
    struct tnode *t = tnode_new();
    uint8_t uuid[16];
    (void)state;

    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, uuid, 0, NULL), 0);
    run_for(t, 100);
    assert_int_equal(count_type(t, 0x2b, 0), 1);

    /* Provisioned (by any means): the next tick sends nothing and stops the beacon. */
    assert_int_equal(meshrpr_node_provision(&t->node, net_key, 0, 0, 0x01020304, 0x0b0c, dev_key),
                     0);
    const uint64_t provisioned = t->fp.now_ms;
    run_for(t, 20000);
    for (size_t i = 0; i < t->log_count; i++) {
        if (t->log[i].t_ms >= provisioned && t->log[i].type == 0x2b) {
            assert_int_not_equal(t->log[i].data[0], 0x00); /* only Secure Network beacons */
        }
    }
    assert_true(other_timers_idle(t));
    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, uuid, 0, NULL), -EALREADY);
    tnode_free(t);
}

static void test_not_resumed_after_provisioning_link(void **state)
{
    struct tnode *t = tnode_new();
    uint8_t uuid[16];
    (void)state;

    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    assert_int_equal(meshrpr_pb_adv_device_enable(&t->node, uuid, accept), 0);
    assert_int_equal(meshrpr_unprov_beacon_start(&t->node, uuid, 0, NULL), 0);
    inject_hex(t, "23af5850 00 03" SAMPLE_UUID);
    /* The link provisions the node (as the provisionee would on Provisioning Data), then the
     * provisioner closes it with Success: the beacon stays off. */
    assert_int_equal(meshrpr_node_provision(&t->node, net_key, 0, 0, 0x01020304, 0x0b0c, dev_key),
                     0);
    inject_hex(t, "23af5850 00 0b00");
    assert_int_equal(t->closed, 1);
    const uint64_t closed = t->fp.now_ms;
    run_for(t, 20000);
    for (size_t i = 0; i < t->log_count; i++) {
        if (t->log[i].t_ms >= closed && t->log[i].type == 0x2b) {
            assert_int_not_equal(t->log[i].data[0], 0x00);
        }
    }
    assert_true(other_timers_idle(t));
    meshrpr_pb_adv_device_disable(&t->node);
    tnode_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uri_hash),
        cmocka_unit_test(test_encode_parse),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_suspended_by_link),
        cmocka_unit_test(test_stops_when_provisioned),
        cmocka_unit_test(test_not_resumed_after_provisioning_link),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
