/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote Provisioning Server scenarios (MshPRTv1.1 §4.4.5) in the simulator: a client test
 * model sends raw Remote Provisioning messages and checks what the server answers and reports;
 * devices run the real device role (beacons, PB-ADV, provisionee), scripted devices misbehave
 * on purpose. Covers every message's statuses, scanning (single, multi with a limit, stop,
 * timeout, a second client), extended scanning (a device's name and URI, the server itself,
 * refusals), links (open, close, get, a whole provisioning relayed, PDU number resync, the
 * device's answer overtaking its Transaction Ack, a device ignoring Link Open, a device that
 * stops acknowledging, a device closing, a silent client, an unreachable client), NPPI
 * refusals and the local provisionee's relay, node reset and subnet deletion. Every test ends
 * with every node idle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "models/rpr_msg.h"
#include "models/rpr_srv.h"
#include "net/keys.h"
#include "prov/pb_adv.h"
#include "prov/unprov_beacon.h"
#include "rpr_harness.h"

#include <meshrpr/node.h>
#include <meshrpr/rpr.h>

#define S BT_MESH_RPR_SUCCESS

static struct rh *H;

static int setup(void **state)
{
    (void)state;
    H = rh_new(0x5eed, 2, 1);
    return H == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    rh_free(H);
    H = NULL;
    return 0;
}

/* Quiet the devices, let every transfer finish, and check every node is idle. */
static void end_idle(void)
{
    rh_devs_quiet(H);
    rh_run(H, 70000);
    assert_true(rh_all_idle(H));
    assert_true(meshrpr_rpr_srv_is_idle(meshrpr_rpr_srv_get(&H->srv[0].node)));
}

static void send0(int c, uint32_t op)
{
    assert_int_equal(rh_send(H, c, 0, op, NULL, 0, false), 0);
}

/* Send, waiting while an earlier segmented message to the server is in flight. */
static void sendx(int c, uint32_t op, const uint8_t *p, size_t len, bool rel)
{
    int err;

    for (int i = 0; (err = rh_send(H, c, 0, op, p, len, rel)) == -EBUSY && i < 1000; i++) {
        rh_run(H, 10);
    }
    assert_int_equal(err, 0);
}

static void sendp(int c, uint32_t op, const uint8_t *p, size_t len)
{
    sendx(c, op, p, len, false);
}

static const struct rh_rec *wait_one(int c, uint32_t op, size_t n)
{
    assert_true(rh_wait(H, c, op, n, 5000));
    return rh_find(H, c, op, n - 1);
}

static void assert_scan_status(const struct rh_rec *r, uint8_t status, uint8_t state,
                               uint8_t max_devs, uint8_t timeout_s)
{
    assert_non_null(r);
    assert_int_equal(r->len, 4);
    assert_int_equal(r->data[0], status);
    assert_int_equal(r->data[1], state);
    assert_int_equal(r->data[2], max_devs);
    assert_int_equal(r->data[3], timeout_s);
}

static void assert_link(const struct rh_rec *r, uint8_t status, uint8_t state)
{
    assert_non_null(r);
    assert_true(r->len >= 2);
    assert_int_equal(r->data[0], status);
    assert_int_equal(r->data[1], state);
}

/* ---- Scanning ------------------------------------------------------------------------------- */

static void test_scan_caps(void **state)
{
    (void)state;
    send0(0, RPR_OP_SCAN_CAPS_GET);
    const struct rh_rec *r = wait_one(0, RPR_OP_SCAN_CAPS_STATUS, 1);
    assert_int_equal(r->len, 2);
    /* MaxScannedItems = the table size (default 4); the simulator can scan actively. */
    assert_int_equal(r->data[0], MESHRPR_RPR_SRV_SCANNED_ITEMS);
    assert_int_equal(r->data[1], 1);
    assert_int_equal(r->src, RH_SRV_ADDR(0));
    /* A Scan Capabilities Get with parameters is malformed: no answer. */
    sendp(0, RPR_OP_SCAN_CAPS_GET, (const uint8_t[]){ 0 }, 1);
    rh_run(H, 2000);
    assert_int_equal(rh_count(H, 0, RPR_OP_SCAN_CAPS_STATUS), 1);
    end_idle();
}

/* Each device's UUID seed. */
static const uint8_t dev_seed[5] = { 0x10, 0x20, 0x30, 0x40, 0x50 };

static int dev_by_uuid(const uint8_t *uuid)
{
    for (int d = 0; d < H->dev_count; d++) {
        if (memcmp(H->dev[d].uuid, uuid, 16) == 0) {
            return d;
        }
    }
    return -1;
}

static void test_scan_multi_limit(void **state)
{
    (void)state;
    for (int d = 0; d < 5; d++) {
        assert_true(rh_dev_add(H, dev_seed[d], (uint16_t)(0x1234 + d), NULL) >= 0);
    }
    /* Scan Start: ScannedItemsLimit 3, Timeout 10 s (the documentation's example). */
    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ 3, 10 }, 2);
    assert_scan_status(wait_one(0, RPR_OP_SCAN_STATUS, 1), S, BT_MESH_RPR_SCAN_MULTI, 3, 10);
    rh_run(H, 4000);
    send0(0, RPR_OP_SCAN_GET);
    assert_scan_status(wait_one(0, RPR_OP_SCAN_STATUS, 2), S, BT_MESH_RPR_SCAN_MULTI, 3, 6);
    rh_run(H, 8000);
    /* Five devices beacon every 5 s for 10 s, but only three are reported, once each. */
    assert_int_equal(rh_count(H, 0, RPR_OP_SCAN_REPORT), 3);
    for (size_t i = 0; i < 3; i++) {
        const struct rh_rec *r = rh_find(H, 0, RPR_OP_SCAN_REPORT, i);
        int d = dev_by_uuid(&r->data[1]);
        assert_int_equal(r->len, 19);
        assert_true(d >= 0);
        for (size_t j = 0; j < i; j++) {
            assert_memory_not_equal(&rh_find(H, 0, RPR_OP_SCAN_REPORT, j)->data[1], &r->data[1],
                                    16);
        }
        /* RSSI as heard; OOB Information little-endian (rpr_msg.h). */
        assert_int_equal((int8_t)r->data[0],
                         meshrpr_sim_rssi(&H->sim, H->dev[d].sim_id, rh_srv_sim(H, 0)));
        assert_int_equal(r->data[17], (uint8_t)(0x34 + d));
        assert_int_equal(r->data[18], 0x12);
    }
    /* The scan timed out. */
    send0(0, RPR_OP_SCAN_GET);
    assert_scan_status(wait_one(0, RPR_OP_SCAN_STATUS, 3), S, BT_MESH_RPR_SCAN_IDLE, 0, 0);
    end_idle();
}

static void test_scan_any_limit_and_uri_hash(void **state)
{
    (void)state;
    uint8_t hash[4];
    const char *uri = "\x17//example.com/dev";

    assert_true(rh_dev_add(H, 0x10, 0x0002, uri) >= 0);
    assert_true(rh_dev_add(H, 0x20, 0x0000, NULL) >= 0);
    /* ScannedItemsLimit 0: as many as the server holds. */
    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ 0, 7 }, 2);
    assert_scan_status(wait_one(0, RPR_OP_SCAN_STATUS, 1), S, BT_MESH_RPR_SCAN_MULTI,
                       MESHRPR_RPR_SRV_SCANNED_ITEMS, 7);
    rh_run(H, 8000);
    assert_int_equal(rh_count(H, 0, RPR_OP_SCAN_REPORT), 2);
    assert_int_equal(meshrpr_unprov_beacon_uri_hash((const uint8_t *)uri, strlen(uri), hash), 0);
    for (size_t i = 0; i < 2; i++) {
        const struct rh_rec *r = rh_find(H, 0, RPR_OP_SCAN_REPORT, i);
        if (dev_by_uuid(&r->data[1]) == 0) {
            /* The URI Hash as the beacon's octets. */
            assert_int_equal(r->len, 23);
            assert_memory_equal(&r->data[19], hash, 4);
        } else {
            assert_int_equal(r->len, 19);
        }
    }
    end_idle();
}

static void test_scan_single(void **state)
{
    (void)state;
    uint8_t p[18] = { 0, 5 };

    for (int d = 0; d < 3; d++) {
        assert_true(rh_dev_add(H, dev_seed[d], 0, NULL) >= 0);
    }
    memcpy(&p[2], H->dev[2].uuid, 16);
    sendp(0, RPR_OP_SCAN_START, p, sizeof(p));
    /* A single-device scan reports the limit as 1... or as given: the state says SINGLE. */
    const struct rh_rec *st = wait_one(0, RPR_OP_SCAN_STATUS, 1);
    assert_int_equal(st->data[0], S);
    assert_int_equal(st->data[1], BT_MESH_RPR_SCAN_SINGLE);
    rh_run(H, 12000);
    assert_int_equal(rh_count(H, 0, RPR_OP_SCAN_REPORT), 1);
    assert_memory_equal(&rh_find(H, 0, RPR_OP_SCAN_REPORT, 0)->data[1], H->dev[2].uuid, 16);
    end_idle();
}

static void test_scan_refusals_and_stop(void **state)
{
    (void)state;
    assert_true(rh_dev_add(H, 0x10, 0, NULL) >= 0);
    /* More than MaxScannedItems: Scanning Cannot Start. */
    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ MESHRPR_RPR_SRV_SCANNED_ITEMS + 1, 10 }, 2);
    assert_scan_status(wait_one(0, RPR_OP_SCAN_STATUS, 1), BT_MESH_RPR_ERR_SCANNING_CANNOT_START,
                       BT_MESH_RPR_SCAN_IDLE, 0, 0);
    /* Timeout 0 is prohibited, and a wrong length is malformed: no answer. */
    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ 1, 0 }, 2);
    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ 1, 5, 7 }, 3);
    rh_run(H, 1000);
    assert_int_equal(rh_count(H, 0, RPR_OP_SCAN_STATUS), 1);
    /* Client 0 scans; client 1 is refused with Invalid State. */
    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ 2, 30 }, 2);
    assert_scan_status(wait_one(0, RPR_OP_SCAN_STATUS, 2), S, BT_MESH_RPR_SCAN_MULTI, 2, 30);
    sendp(1, RPR_OP_SCAN_START, (const uint8_t[]){ 2, 30 }, 2);
    assert_scan_status(wait_one(1, RPR_OP_SCAN_STATUS, 1), BT_MESH_RPR_ERR_INVALID_STATE,
                       BT_MESH_RPR_SCAN_MULTI, 2, 30);
    /* The same client restarts its scan. */
    rh_run(H, 2000);
    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ 3, 20 }, 2);
    assert_scan_status(wait_one(0, RPR_OP_SCAN_STATUS, 3), S, BT_MESH_RPR_SCAN_MULTI, 3, 20);
    /* Scan Stop. */
    send0(0, RPR_OP_SCAN_STOP);
    assert_scan_status(wait_one(0, RPR_OP_SCAN_STATUS, 4), S, BT_MESH_RPR_SCAN_IDLE, 0, 0);
    /* Now client 1 may scan. */
    sendp(1, RPR_OP_SCAN_START, (const uint8_t[]){ 1, 2 }, 2);
    assert_scan_status(wait_one(1, RPR_OP_SCAN_STATUS, 2), S, BT_MESH_RPR_SCAN_MULTI, 1, 2);
    rh_run(H, 3000);
    send0(1, RPR_OP_SCAN_GET);
    assert_scan_status(wait_one(1, RPR_OP_SCAN_STATUS, 3), S, BT_MESH_RPR_SCAN_IDLE, 0, 0);
    end_idle();
}

/* ---- Extended scanning ---------------------------------------------------------------------- */

static const uint8_t name_ad[] = { 0x06, 0x09, 'l', 'a', 'm', 'p', '1' };

static int ext_device(const char *uri)
{
    static const uint8_t adv[] = { 0x02, 0x01, 0x06, 0x03, 0x03, 0x27, 0x18 };
    int d = rh_dev_add(H, 0x70, BT_MESH_PROV_OOB_URI, uri);

    assert_true(d >= 0);
    rh_dev_set_adv(H, d, MESHRPR_ADV_SCAN_IND, adv, sizeof(adv), name_ad, sizeof(name_ad), 300);
    return d;
}

static void test_ext_scan_name_and_uri(void **state)
{
    (void)state;
    const char *uri = "\x17//example.com/lamp";
    int d = ext_device(uri);
    uint8_t p[1 + 2 + 16 + 1] = { 2, 0x09, 0x24 };

    memcpy(&p[3], H->dev[d].uuid, 16);
    p[19] = 10;
    sendp(0, RPR_OP_EXTENDED_SCAN_START, p, sizeof(p));
    assert_true(rh_wait(H, 0, RPR_OP_EXTENDED_SCAN_REPORT, 1, 12000));
    const struct rh_rec *r = rh_find(H, 0, RPR_OP_EXTENDED_SCAN_REPORT, 0);
    /* Complete before the timeout: both types collected. */
    assert_true(r->t_ms < 10000);
    assert_int_equal(r->data[0], S);
    assert_memory_equal(&r->data[1], H->dev[d].uuid, 16);
    assert_int_equal(r->data[17], BT_MESH_PROV_OOB_URI);
    assert_int_equal(r->data[18], 0x00);
    /* The AD structures: the name from the scan response and the URI (in either order). */
    {
        const size_t uri_len = strlen(uri);
        const uint8_t *ad = &r->data[19];
        const size_t ad_len = r->len - 19u;
        bool got_name = false, got_uri = false;
        for (size_t pos = 0; pos < ad_len; pos += 1u + ad[pos]) {
            if (ad[pos + 1] == 0x09) {
                assert_memory_equal(&ad[pos], name_ad, sizeof(name_ad));
                got_name = true;
            } else if (ad[pos + 1] == 0x24) {
                assert_int_equal(ad[pos], uri_len + 1);
                assert_memory_equal(&ad[pos + 2], uri, uri_len);
                got_uri = true;
            }
        }
        assert_true(got_name && got_uri);
        assert_int_equal(ad_len, sizeof(name_ad) + 2 + uri_len);
    }
    /* Active scanning is off again. */
    assert_false(meshrpr_sim_node_scan_active(&H->sim, rh_srv_sim(H, 0)));
    end_idle();
}

static void test_ext_scan_uri_only_and_not_found(void **state)
{
    (void)state;
    const char *uri = "\x17//u.example";
    int d = ext_device(uri);
    uint8_t p[1 + 1 + 16 + 1] = { 1, 0x24 };

    memcpy(&p[2], H->dev[d].uuid, 16);
    p[18] = 21;
    sendp(0, RPR_OP_EXTENDED_SCAN_START, p, sizeof(p));
    assert_true(rh_wait(H, 0, RPR_OP_EXTENDED_SCAN_REPORT, 1, 22000));
    const struct rh_rec *r = rh_find(H, 0, RPR_OP_EXTENDED_SCAN_REPORT, 0);
    /* A URI-only filter completes as soon as the URI matches the beacon's hash. */
    assert_true(r->t_ms < 6000);
    assert_int_equal(r->len, 19 + 2 + strlen(uri));
    assert_int_equal(r->data[20], 0x24);
    /* An unknown UUID: after the timeout, only Status and UUID (§4.4.5.5.1.7). */
    p[2] ^= 0xff;
    p[18] = 2;
    sendp(0, RPR_OP_EXTENDED_SCAN_START, p, sizeof(p));
    assert_true(rh_wait(H, 0, RPR_OP_EXTENDED_SCAN_REPORT, 2, 4000));
    r = rh_find(H, 0, RPR_OP_EXTENDED_SCAN_REPORT, 1);
    assert_int_equal(r->len, 17);
    assert_int_equal(r->data[0], S);
    assert_memory_equal(&r->data[1], &p[2], 16);
    end_idle();
}

static void test_ext_scan_self(void **state)
{
    (void)state;
    const struct rh_srv *srv = &H->srv[0];

    sendp(0, RPR_OP_EXTENDED_SCAN_START, (const uint8_t[]){ 3, 0x24, 0x09, 0x16 }, 4);
    const struct rh_rec *r = wait_one(0, RPR_OP_EXTENDED_SCAN_REPORT, 1);
    const size_t uri_len = strlen(srv->prov.uri);
    assert_int_equal(r->data[0], S);
    assert_memory_equal(&r->data[1], srv->uuid, 16);
    assert_int_equal(r->data[17], (uint8_t)srv->prov.oob_info);
    assert_int_equal(r->data[18], (uint8_t)(srv->prov.oob_info >> 8));
    /* URI from the provisioning data, the node's name; no Service Data to give. */
    assert_int_equal(r->len, 19 + (2 + uri_len) + (2 + strlen("server")));
    assert_int_equal(r->data[19], uri_len + 1);
    assert_int_equal(r->data[20], 0x24);
    assert_memory_equal(&r->data[21], srv->prov.uri, uri_len);
    assert_int_equal(r->data[21 + uri_len + 1], 0x09);
    assert_memory_equal(&r->data[21 + uri_len + 2], "server", 6);
    end_idle();
}

static void test_ext_scan_refusals(void **state)
{
    (void)state;
    uint8_t p[1 + 1 + 16 + 1] = { 1, 0x09 };
    int d = ext_device(NULL);

    memcpy(&p[2], H->dev[d].uuid, 16);
    p[18] = 5;
    /* Prohibited types (Shortened Local Name, incomplete UUID lists), duplicates, a count of
     * 0 or 17, a timeout of 0 or 22: not understood, no answer. */
    sendp(0, RPR_OP_EXTENDED_SCAN_START, (const uint8_t[]){ 1, 0x08 }, 2);
    sendp(0, RPR_OP_EXTENDED_SCAN_START, (const uint8_t[]){ 1, 0x02 }, 2);
    sendp(0, RPR_OP_EXTENDED_SCAN_START, (const uint8_t[]){ 2, 0x09, 0x09 }, 3);
    sendp(0, RPR_OP_EXTENDED_SCAN_START, (const uint8_t[]){ 0 }, 1);
    {
        uint8_t bad[1 + 1 + 16 + 1];
        memcpy(bad, p, sizeof(bad));
        bad[18] = 0;
        sendp(0, RPR_OP_EXTENDED_SCAN_START, bad, sizeof(bad));
        bad[18] = 22;
        sendp(0, RPR_OP_EXTENDED_SCAN_START, bad, sizeof(bad));
    }
    rh_run(H, 2000);
    assert_int_equal(rh_count(H, 0, RPR_OP_EXTENDED_SCAN_REPORT), 0);
    /* One extended scan at a time: another client gets Limited Resources. */
    sendp(0, RPR_OP_EXTENDED_SCAN_START, p, sizeof(p));
    rh_run(H, 200);
    sendp(1, RPR_OP_EXTENDED_SCAN_START, p, sizeof(p));
    const struct rh_rec *r = wait_one(1, RPR_OP_EXTENDED_SCAN_REPORT, 1);
    assert_int_equal(r->len, 17);
    assert_int_equal(r->data[0], BT_MESH_RPR_ERR_LIMITED_RESOURCES);
    assert_true(rh_wait(H, 0, RPR_OP_EXTENDED_SCAN_REPORT, 1, 6000));
    assert_int_equal(rh_find(H, 0, RPR_OP_EXTENDED_SCAN_REPORT, 0)->data[0], S);
    /* While a link is open: Limited Resources too. */
    sendp(0, RPR_OP_LINK_OPEN, H->dev[d].uuid, 16);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 1), S, BT_MESH_RPR_LINK_OPENING);
    sendp(1, RPR_OP_EXTENDED_SCAN_START, p, sizeof(p));
    assert_int_equal(wait_one(1, RPR_OP_EXTENDED_SCAN_REPORT, 2)->data[0],
                     BT_MESH_RPR_ERR_LIMITED_RESOURCES);
    sendp(0, RPR_OP_LINK_CLOSE, (const uint8_t[]){ 0x02 }, 1);
    assert_true(rh_wait(H, 0, RPR_OP_LINK_REPORT, 2, 5000));
    end_idle();
}

/* ---- Links ---------------------------------------------------------------------------------- */

static void test_link_open_get_close(void **state)
{
    (void)state;
    int d;

    d = rh_dev_add(H, 0x10, 0, NULL);
    send0(0, RPR_OP_LINK_GET);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 1), S, BT_MESH_RPR_LINK_IDLE);
    /* Prohibited Link Open timeouts, a wrong length, an NPPI procedure above 2: no answer. */
    {
        uint8_t p[17];
        memcpy(p, H->dev[d].uuid, 16);
        p[16] = 0;
        sendp(0, RPR_OP_LINK_OPEN, p, 17);
        p[16] = 61;
        sendp(0, RPR_OP_LINK_OPEN, p, 17);
        sendp(0, RPR_OP_LINK_OPEN, p, 15);
        sendp(0, RPR_OP_LINK_OPEN, (const uint8_t[]){ 3 }, 1);
        sendp(0, RPR_OP_LINK_CLOSE, (const uint8_t[]){ 0x01 }, 1);
        rh_run(H, 1000);
        assert_int_equal(rh_count(H, 0, RPR_OP_LINK_STATUS), 1);
    }
    sendp(0, RPR_OP_LINK_OPEN, H->dev[d].uuid, 16);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 2), S, BT_MESH_RPR_LINK_OPENING);
    const struct rh_rec *rep = wait_one(0, RPR_OP_LINK_REPORT, 1);
    assert_int_equal(rep->len, 2);
    assert_link(rep, S, BT_MESH_RPR_LINK_ACTIVE);
    /* The same client asking again: Success; another client: Link Cannot Open; another UUID
     * from the same client: Link Cannot Open. */
    sendp(0, RPR_OP_LINK_OPEN, H->dev[d].uuid, 16);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 3), S, BT_MESH_RPR_LINK_ACTIVE);
    sendp(1, RPR_OP_LINK_OPEN, H->dev[d].uuid, 16);
    assert_link(wait_one(1, RPR_OP_LINK_STATUS, 1), BT_MESH_RPR_ERR_LINK_CANNOT_OPEN,
                BT_MESH_RPR_LINK_ACTIVE);
    {
        uint8_t other[16];
        memcpy(other, H->dev[d].uuid, 16);
        other[0] ^= 1;
        sendp(0, RPR_OP_LINK_OPEN, other, 16);
        assert_link(wait_one(0, RPR_OP_LINK_STATUS, 4), BT_MESH_RPR_ERR_LINK_CANNOT_OPEN,
                    BT_MESH_RPR_LINK_ACTIVE);
    }
    /* Another client's Link Close: Invalid State. */
    sendp(1, RPR_OP_LINK_CLOSE, (const uint8_t[]){ 0x00 }, 1);
    assert_link(wait_one(1, RPR_OP_LINK_STATUS, 2), BT_MESH_RPR_ERR_INVALID_STATE,
                BT_MESH_RPR_LINK_ACTIVE);
    send0(1, RPR_OP_LINK_GET);
    assert_link(wait_one(1, RPR_OP_LINK_STATUS, 3), S, BT_MESH_RPR_LINK_ACTIVE);
    /* Link Close: Closing, then the Link Report: Link Closed by Client, Idle. A slow PB-ADV
     * Link Close (eight transmissions 100 ms apart) keeps the server closing long enough for
     * the Link Open below to arrive meanwhile. */
    {
        struct meshrpr_pb_adv_timing t;
        meshrpr_pb_adv_timing_get(&H->srv[0].node, &t);
        t.close_count = 8;
        t.tx_interval_ms = 100;
        assert_int_equal(meshrpr_pb_adv_timing_set(&H->srv[0].node, &t), 0);
    }
    sendp(0, RPR_OP_LINK_CLOSE, (const uint8_t[]){ 0x02 }, 1);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 5), S, BT_MESH_RPR_LINK_CLOSING);
    /* A Link Open while closing: Invalid State. */
    sendp(0, RPR_OP_LINK_OPEN, H->dev[d].uuid, 16);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 6), BT_MESH_RPR_ERR_INVALID_STATE,
                BT_MESH_RPR_LINK_CLOSING);
    rep = wait_one(0, RPR_OP_LINK_REPORT, 2);
    assert_int_equal(rep->len, 2);
    assert_link(rep, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT, BT_MESH_RPR_LINK_IDLE);
    assert_true(rh_index(H, 0, RPR_OP_LINK_STATUS, 6) < rh_index(H, 0, RPR_OP_LINK_REPORT, 1));
    /* Idle: Link Close is a success. */
    sendp(0, RPR_OP_LINK_CLOSE, (const uint8_t[]){ 0x00 }, 1);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 7), S, BT_MESH_RPR_LINK_IDLE);
    end_idle();
}

static void test_full_provisioning_relay(void **state)
{
    (void)state;
    struct rh_bearer b;
    int d = rh_dev_add(H, 0x10, 0, NULL);

    assert_int_equal(rh_bearer_provision(H, &b, 0, 0, H->dev[d].uuid, 0x0006), 0);
    for (int i = 0; i < 600 && !b.closed; i++) {
        rh_run(H, 100);
    }
    assert_true(b.closed);
    assert_true(b.provisioned);
    assert_true(meshrpr_node_is_provisioned(&H->dev[d].node));
    assert_int_equal(meshrpr_node_addr(&H->dev[d].node), 0x0006);
    assert_memory_equal(H->dev[d].node.dev_key, b.dev_key, 16);
    /* Every PDU went through: the numbers count up from 1, reports in order. */
    assert_true(rh_count(H, 0, RPR_OP_PDU_OUTBOUND_REPORT) >= 5);
    for (size_t i = 0; i < rh_count(H, 0, RPR_OP_PDU_OUTBOUND_REPORT); i++) {
        assert_int_equal(rh_find(H, 0, RPR_OP_PDU_OUTBOUND_REPORT, i)->data[0], i + 1);
    }
    for (size_t i = 0; i < rh_count(H, 0, RPR_OP_PDU_REPORT); i++) {
        assert_int_equal(rh_find(H, 0, RPR_OP_PDU_REPORT, i)->data[0], i + 1);
    }
    /* Capabilities first, Complete (0x08) last. */
    assert_int_equal(rh_find(H, 0, RPR_OP_PDU_REPORT, 0)->data[1], 0x01);
    assert_int_equal(
        rh_find(H, 0, RPR_OP_PDU_REPORT, rh_count(H, 0, RPR_OP_PDU_REPORT) - 1)->data[1], 0x08);
    assert_link(rh_find(H, 0, RPR_OP_LINK_REPORT, 1), BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT,
                BT_MESH_RPR_LINK_IDLE);
    H->cli[0].bearer = NULL;
    end_idle();
}

static const uint8_t invite[] = { 1, 0x00, 0x00 }; /* PDU number 1, Invite, attention 0 */

static void open_link(int c, const uint8_t uuid[16], size_t reports)
{
    sendp(c, RPR_OP_LINK_OPEN, uuid, 16);
    assert_true(rh_wait(H, c, RPR_OP_LINK_REPORT, reports, 5000));
    assert_link(rh_find(H, c, RPR_OP_LINK_REPORT, reports - 1), S, BT_MESH_RPR_LINK_ACTIVE);
}

static void test_pdu_resync(void **state)
{
    (void)state;
    int d = rh_dev_add(H, 0x10, 0, NULL);

    open_link(0, H->dev[d].uuid, 1);
    /* A PDU Send numbered 2 first: out of step, and nothing was sent yet: dropped. */
    sendx(0, RPR_OP_PDU_SEND, (const uint8_t[]){ 2, 0x00, 0x00 }, 3, true);
    rh_run(H, 2000);
    assert_int_equal(rh_count(H, 0, RPR_OP_PDU_OUTBOUND_REPORT), 0);
    sendx(0, RPR_OP_PDU_SEND, invite, sizeof(invite), true);
    const struct rh_rec *o = wait_one(0, RPR_OP_PDU_OUTBOUND_REPORT, 1);
    assert_int_equal(o->len, 1);
    assert_int_equal(o->data[0], 1);
    const struct rh_rec *p = wait_one(0, RPR_OP_PDU_REPORT, 1);
    assert_int_equal(p->data[0], 1);
    assert_int_equal(p->data[1], 0x01); /* Provisioning Capabilities */
    assert_int_equal(p->len, 1 + 12);
    assert_true(rh_index(H, 0, RPR_OP_PDU_OUTBOUND_REPORT, 0) <
                rh_index(H, 0, RPR_OP_PDU_REPORT, 0));
    /* The client missed the Outbound Report and sends 1 again: the report is repeated and
     * the device does not get the Invite twice. A wild number gets the same answer. */
    sendx(0, RPR_OP_PDU_SEND, invite, sizeof(invite), true);
    assert_int_equal(wait_one(0, RPR_OP_PDU_OUTBOUND_REPORT, 2)->data[0], 1);
    sendx(0, RPR_OP_PDU_SEND, (const uint8_t[]){ 9, 0x00, 0x00 }, 3, true);
    assert_int_equal(wait_one(0, RPR_OP_PDU_OUTBOUND_REPORT, 3)->data[0], 1);
    rh_run(H, 2000);
    assert_int_equal(rh_count(H, 0, RPR_OP_PDU_REPORT), 1);
    /* Another client's PDU Send is ignored. */
    sendx(1, RPR_OP_PDU_SEND, (const uint8_t[]){ 2, 0x00, 0x00 }, 3, true);
    rh_run(H, 2000);
    assert_int_equal(rh_count(H, 1, RPR_OP_PDU_OUTBOUND_REPORT), 0);
    sendp(0, RPR_OP_LINK_CLOSE, (const uint8_t[]){ 0x02 }, 1);
    assert_true(rh_wait(H, 0, RPR_OP_LINK_REPORT, 2, 5000));
    end_idle();
}

/* Zephyr issue #71422: the device's answer arrives and its Transaction Ack never does. */
static void test_answer_before_ack(void **state)
{
    (void)state;
    int f = rh_fake_add(H, 0x90);

    H->fake[f].no_ack = true;
    open_link(0, H->fake[f].uuid, 1);
    sendx(0, RPR_OP_PDU_SEND, invite, sizeof(invite), true);
    assert_int_equal(wait_one(0, RPR_OP_PDU_OUTBOUND_REPORT, 1)->data[0], 1);
    assert_int_equal(wait_one(0, RPR_OP_PDU_REPORT, 1)->data[1], 0x01);
    assert_true(rh_index(H, 0, RPR_OP_PDU_OUTBOUND_REPORT, 0) <
                rh_index(H, 0, RPR_OP_PDU_REPORT, 0));
    assert_int_equal(H->fake[f].pdus_rx, 1);
    /* Back in Link Active, not stuck in Outbound Packet Transfer: the next PDU goes. */
    send0(0, RPR_OP_LINK_GET);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 2), S, BT_MESH_RPR_LINK_ACTIVE);
    assert_int_equal(rh_send(H, 0, 0, RPR_OP_PDU_SEND,
                             (const uint8_t[]){ 2, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00 }, 7, true),
                     0);
    assert_int_equal(wait_one(0, RPR_OP_PDU_OUTBOUND_REPORT, 2)->data[0], 2);
    assert_int_equal(wait_one(0, RPR_OP_PDU_REPORT, 2)->data[0], 2);
    assert_int_equal(H->fake[f].pdus_rx, 2);
    sendp(0, RPR_OP_LINK_CLOSE, (const uint8_t[]){ 0x02 }, 1);
    assert_true(rh_wait(H, 0, RPR_OP_LINK_REPORT, 2, 5000));
    assert_link(rh_find(H, 0, RPR_OP_LINK_REPORT, 1), BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT,
                BT_MESH_RPR_LINK_IDLE);
    end_idle();
}

static void test_device_ignores_link_open(void **state)
{
    (void)state;
    int f = rh_fake_add(H, 0x90);
    uint64_t t0;
    uint8_t p[17];

    H->fake[f].ignore_link_open = true;
    /* The default 10 s. */
    t0 = meshrpr_sim_now_ms(&H->sim);
    sendp(0, RPR_OP_LINK_OPEN, H->fake[f].uuid, 16);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 1), S, BT_MESH_RPR_LINK_OPENING);
    assert_true(rh_wait(H, 0, RPR_OP_LINK_REPORT, 1, 15000));
    const struct rh_rec *r = rh_find(H, 0, RPR_OP_LINK_REPORT, 0);
    assert_int_equal(r->len, 2);
    assert_link(r, BT_MESH_RPR_ERR_LINK_OPEN_FAILED, BT_MESH_RPR_LINK_IDLE);
    assert_true(r->t_ms - t0 >= 10000 && r->t_ms - t0 < 11500);
    /* A 3 s LinkOpenTimeout. */
    memcpy(p, H->fake[f].uuid, 16);
    p[16] = 3;
    t0 = meshrpr_sim_now_ms(&H->sim);
    sendp(0, RPR_OP_LINK_OPEN, p, 17);
    assert_true(rh_wait(H, 0, RPR_OP_LINK_REPORT, 2, 6000));
    r = rh_find(H, 0, RPR_OP_LINK_REPORT, 1);
    assert_link(r, BT_MESH_RPR_ERR_LINK_OPEN_FAILED, BT_MESH_RPR_LINK_IDLE);
    assert_true(r->t_ms - t0 >= 3000 && r->t_ms - t0 < 4500);
    end_idle();
}

static void test_device_stops_acknowledging(void **state)
{
    (void)state;
    int f = rh_fake_add(H, 0x90);

    H->fake[f].no_ack = true;
    H->fake[f].no_reply = true;
    open_link(0, H->fake[f].uuid, 1);
    sendx(0, RPR_OP_PDU_SEND, invite, sizeof(invite), true);
    rh_run(H, 2000);
    send0(0, RPR_OP_LINK_GET);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 2), S, BT_MESH_RPR_LINK_SENDING);
    /* The PB-ADV transaction timer (30 s) gives up: Cannot Send PDU. */
    assert_true(rh_wait(H, 0, RPR_OP_LINK_REPORT, 2, 35000));
    const struct rh_rec *r = rh_find(H, 0, RPR_OP_LINK_REPORT, 1);
    assert_int_equal(r->len, 2);
    assert_link(r, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_SEND_PDU, BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(rh_count(H, 0, RPR_OP_PDU_OUTBOUND_REPORT), 0);
    end_idle();
}

static void test_device_closes(void **state)
{
    (void)state;
    int f = rh_fake_add(H, 0x90);
    const uint8_t close_fail[] = { MESHRPR_PB_ADV_LINK_CLOSE << 2 | MESHRPR_PB_ADV_GPCF_CTL, 0x02 };
    uint8_t buf[7];

    open_link(0, H->fake[f].uuid, 1);
    buf[0] = (uint8_t)(H->fake[f].link_id >> 24);
    buf[1] = (uint8_t)(H->fake[f].link_id >> 16);
    buf[2] = (uint8_t)(H->fake[f].link_id >> 8);
    buf[3] = (uint8_t)H->fake[f].link_id;
    buf[4] = 0;
    memcpy(&buf[5], close_fail, 2);
    assert_int_equal(
        meshrpr_sim_adv_send(&H->sim, H->fake[f].sim_id, MESHRPR_PB_ADV_AD_TYPE, buf, 7, NULL), 0);
    const struct rh_rec *r = wait_one(0, RPR_OP_LINK_REPORT, 2);
    /* Link Closed by Device, with the device's reason. */
    assert_int_equal(r->len, 3);
    assert_link(r, BT_MESH_RPR_ERR_LINK_CLOSED_BY_DEVICE, BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(r->data[2], 0x02);
    end_idle();
}

static void test_silent_client(void **state)
{
    (void)state;
    int d = rh_dev_add(H, 0x10, 0, NULL);

    open_link(0, H->dev[d].uuid, 1);
    sendx(0, RPR_OP_PDU_SEND, invite, sizeof(invite), true);
    assert_true(rh_wait(H, 0, RPR_OP_PDU_REPORT, 1, 5000));
    /* The client says nothing more: the device's provisioning protocol timer (60 s) ends the
     * link, and the client hears why. */
    assert_true(rh_wait(H, 0, RPR_OP_LINK_REPORT, 2, 65000));
    const struct rh_rec *r = rh_find(H, 0, RPR_OP_LINK_REPORT, 1);
    assert_int_equal(r->len, 3);
    assert_link(r, BT_MESH_RPR_ERR_LINK_CLOSED_BY_DEVICE, BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(r->data[2], MESHRPR_PROV_LINK_TIMEOUT);
    end_idle();
}

/* The device acknowledges the Invite and vanishes; the client says nothing either: the
 * server's own guard frees it (Link Closed by Server, Timeout). */
static void test_device_and_client_vanish(void **state)
{
    (void)state;
    int f = rh_fake_add(H, 0x90);

    H->fake[f].no_reply = true;
    open_link(0, H->fake[f].uuid, 1);
    sendx(0, RPR_OP_PDU_SEND, invite, sizeof(invite), true);
    assert_int_equal(wait_one(0, RPR_OP_PDU_OUTBOUND_REPORT, 1)->data[0], 1);
    const uint64_t t0 = meshrpr_sim_now_ms(&H->sim);
    assert_true(rh_wait(H, 0, RPR_OP_LINK_REPORT, 2, 140000));
    const struct rh_rec *r = rh_find(H, 0, RPR_OP_LINK_REPORT, 1);
    assert_int_equal(r->len, 3);
    assert_link(r, BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER, BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(r->data[2], MESHRPR_PROV_LINK_TIMEOUT);
    /* Longer than any provisioning protocol timer (120 s with Input/Output OOB). */
    assert_true(r->t_ms - t0 > 120000);
    assert_false(H->fake[f].open);
    end_idle();
}

static void test_unreachable_client(void **state)
{
    (void)state;
    int d = rh_dev_add(H, 0x10, 0, NULL);
    struct meshrpr_rpr_srv *srv = meshrpr_rpr_srv_get(&H->srv[0].node);

    rh_links_all(H);
    open_link(0, H->dev[d].uuid, 1);
    /* Nothing reaches the client any more (not even through relays), but it is still heard. */
    for (int n = 0; n < meshrpr_sim_node_count(&H->sim); n++) {
        if (n != rh_cli_sim(H, 0)) {
            assert_int_equal(meshrpr_sim_link_remove(&H->sim, n, rh_cli_sim(H, 0)), 0);
            assert_int_equal(meshrpr_sim_link_set_oneway(&H->sim, rh_cli_sim(H, 0), n, 0.0), 0);
        }
    }
    sendx(0, RPR_OP_PDU_SEND, invite, sizeof(invite), true);
    rh_run(H, 30000);
    /* The PDU Report could not be delivered: the link is closed, the server idle. */
    assert_int_equal(srv->link_state, BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(srv->link_status, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_DELIVER_PDU_REPORT);
    assert_false(meshrpr_pb_adv_device_link_active(&H->dev[d].node));
    assert_int_equal(rh_count(H, 0, RPR_OP_PDU_REPORT), 0);
    /* Reachable again: Link Get says Idle. */
    rh_devs_quiet(H);
    rh_run(H, 10000);
    rh_links_all(H);
    send0(0, RPR_OP_LINK_GET);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 2), S, BT_MESH_RPR_LINK_IDLE);
    end_idle();
}

/* ---- NPPI ------------------------------------------------------------------------------------ */

static unsigned nppi_opens;
static unsigned nppi_data_checks;

static uint8_t nppi_data_check(struct meshrpr_prov_session *session,
                               const struct meshrpr_prov_data *data)
{
    (void)session;
    (void)data;
    nppi_data_checks++;
    return 0;
}

static int nppi_data_apply(struct meshrpr_prov_session *session,
                           const struct meshrpr_prov_data *data, const uint8_t dev_key[16])
{
    (void)session;
    (void)data;
    (void)dev_key;
    return 0;
}

static const struct meshrpr_prov_hooks nppi_hooks = {
    .data_check = nppi_data_check,
    .data_apply = nppi_data_apply,
};

static int nppi_link_open(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                          enum bt_mesh_rpr_node_refresh procedure, void *ctx)
{
    (void)procedure;
    (void)ctx;
    nppi_opens++;
    if (!meshrpr_prov_device_can_start(node, BT_MESH_PROV_REMOTE)) {
        return -EBUSY;
    }
    return meshrpr_prov_device_start_ext(node, link, &nppi_hooks, NULL);
}

static const struct meshrpr_rpr_srv_nppi nppi = { .link_open = nppi_link_open };

static void test_nppi(void **state)
{
    (void)state;
    struct meshrpr_node *srv_node = &H->srv[0].node;

    nppi_opens = 0;
    /* Without a handler: Link Cannot Open. */
    sendp(0, RPR_OP_LINK_OPEN, (const uint8_t[]){ BT_MESH_RPR_NODE_REFRESH_DEVKEY }, 1);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 1), BT_MESH_RPR_ERR_LINK_CANNOT_OPEN,
                BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(meshrpr_rpr_srv_nppi_set(srv_node, &nppi, NULL), 0);
    assert_int_equal(meshrpr_prov_enable(srv_node, BT_MESH_PROV_REMOTE), 0);
    /* Node Composition Refresh with page 128 equal to page 0: refused before the handler. */
    sendp(0, RPR_OP_LINK_OPEN, (const uint8_t[]){ BT_MESH_RPR_NODE_REFRESH_COMPOSITION }, 1);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 2), BT_MESH_RPR_ERR_LINK_CANNOT_OPEN,
                BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(nppi_opens, 0);
    /* Device Key Refresh: the local provisionee answers Invite. */
    sendp(0, RPR_OP_LINK_OPEN, (const uint8_t[]){ BT_MESH_RPR_NODE_REFRESH_DEVKEY }, 1);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 3), S, BT_MESH_RPR_LINK_ACTIVE);
    assert_link(wait_one(0, RPR_OP_LINK_REPORT, 1), S, BT_MESH_RPR_LINK_ACTIVE);
    /* Same procedure again: Success; another procedure: Link Cannot Open. */
    sendp(0, RPR_OP_LINK_OPEN, (const uint8_t[]){ BT_MESH_RPR_NODE_REFRESH_DEVKEY }, 1);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 4), S, BT_MESH_RPR_LINK_ACTIVE);
    sendp(0, RPR_OP_LINK_OPEN, (const uint8_t[]){ BT_MESH_RPR_NODE_REFRESH_ADDR }, 1);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 5), BT_MESH_RPR_ERR_LINK_CANNOT_OPEN,
                BT_MESH_RPR_LINK_ACTIVE);
    sendx(0, RPR_OP_PDU_SEND, invite, sizeof(invite), true);
    assert_int_equal(wait_one(0, RPR_OP_PDU_OUTBOUND_REPORT, 1)->data[0], 1);
    const struct rh_rec *p = wait_one(0, RPR_OP_PDU_REPORT, 1);
    assert_int_equal(p->data[0], 1);
    assert_int_equal(p->data[1], 0x01);
    assert_int_equal(p->len, 1 + 12);
    sendp(0, RPR_OP_LINK_CLOSE, (const uint8_t[]){ 0x02 }, 1);
    assert_link(wait_one(0, RPR_OP_LINK_STATUS, 6), S, BT_MESH_RPR_LINK_CLOSING);
    assert_link(wait_one(0, RPR_OP_LINK_REPORT, 2), BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT,
                BT_MESH_RPR_LINK_IDLE);
    rh_run(H, 1000);
    assert_false(meshrpr_prov_is_busy(srv_node));
    (void)meshrpr_prov_disable(srv_node, BT_MESH_PROV_REMOTE);
    assert_int_equal(meshrpr_rpr_srv_nppi_set(srv_node, NULL, NULL), 0);
    end_idle();
}

/* ---- Reset and subnet deletion --------------------------------------------------------------- */

static void test_node_reset(void **state)
{
    (void)state;
    int d = rh_dev_add(H, 0x10, 0, NULL);
    struct meshrpr_rpr_srv *srv = meshrpr_rpr_srv_get(&H->srv[0].node);

    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ 0, 30 }, 2);
    open_link(0, H->dev[d].uuid, 1);
    meshrpr_node_reset(&H->srv[0].node);
    assert_int_equal(srv->scan_state, BT_MESH_RPR_SCAN_IDLE);
    assert_int_equal(srv->link_state, BT_MESH_RPR_LINK_IDLE);
    rh_devs_quiet(H);
    rh_run(H, 70000);
    assert_false(meshrpr_pb_adv_device_link_active(&H->dev[d].node));
    assert_true(rh_all_idle(H));
    assert_true(meshrpr_rpr_srv_is_idle(srv));
}

static void test_subnet_deleted(void **state)
{
    (void)state;
    int d = rh_dev_add(H, 0x10, 0, NULL);
    struct meshrpr_rpr_srv *srv = meshrpr_rpr_srv_get(&H->srv[0].node);

    sendp(0, RPR_OP_SCAN_START, (const uint8_t[]){ 0, 30 }, 2);
    open_link(0, H->dev[d].uuid, 1);
    /* The client's subnet goes (as Config NetKey Delete from another client would do). */
    assert_int_equal(meshrpr_keys_subnet_del(&H->srv[0].node, RH_NET_IDX), 0);
    rh_run(H, 6000);
    assert_int_equal(srv->scan_state, BT_MESH_RPR_SCAN_IDLE);
    assert_int_equal(srv->link_state, BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(srv->link_status, BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER);
    end_idle();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scan_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_multi_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_any_limit_and_uri_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_single, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_refusals_and_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ext_scan_name_and_uri, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ext_scan_uri_only_and_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ext_scan_self, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ext_scan_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_open_get_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_provisioning_relay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pdu_resync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_before_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_ignores_link_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_stops_acknowledging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_closes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_and_client_vanish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_client, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nppi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_node_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subnet_deleted, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
