/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Remote Provisioning Client against a fake server, in the simulator: a provisioner node
 * (Configuration Server/Client, Remote Provisioning Client, node database) one hop from a node
 * whose test model answers Remote Provisioning messages as each test scripts it, and relays a
 * PB-Remote link to a provisionee session on its own node.
 *
 * Checked: the exact messages the client sends for every call (expected octets from the field
 * layouts of MshPRTv1.1 §4.3.4 and the nRF Mesh encodings of spec-vectors.md §7); decoding of
 * Scan Report and Extended Scan Report (OOB Information little-endian, URI Hash as octets);
 * blocking and non-blocking calls, -EBUSY, -EDEADLK, -ETIMEDOUT and the settable timeout; the
 * PB-Remote bearer: PDU numbering from 1, one PDU in flight, Link Close(Success) after
 * Provisioning Complete, duplicated and reordered PDU Reports, a lost Outbound Report, the link
 * timers (10 s to open, 60 s, 120 s with Input OOB) ending in a Link Close to the server;
 * refusals; the NPPI procedure chosen from bt_mesh_reprovision_remote()'s arguments. Every test
 * ends with every node idle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/mesh.h>

#include "models/rpr_msg.h"
#include "net/replay.h"
#include "prov/prov_pdu.h"
#include "rpr_world.h"
#include "test_util.h"

#define FAKE_ADDR 0x0004

/* spec-vectors.md §7: UUID 68753A44-4D6F-1226-9C60-0050E4C00067. */
static const uint8_t vec_uuid[16] = { 0x68, 0x75, 0x3a, 0x44, 0x4d, 0x6f, 0x12, 0x26,
                                      0x9c, 0x60, 0x00, 0x50, 0xe4, 0xc0, 0x00, 0x67 };
/* The device inside the fake server. */
static const uint8_t dev_uuid[16] = { 0xde, 0x71, 0xce, 0x00, 0x01, 0x02, 0x03, 0x04,
                                      0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c };

struct fixture {
    struct rpr_world *w;
    int fake;
    struct bt_mesh_rpr_node srv;
};

static struct fixture *F;

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    f->w = rw_new(0x5eed0001);
    assert_non_null(f->w);
    f->fake = rw_add_fake(f->w, FAKE_ADDR, dev_uuid);
    assert_true(f->fake > 0);
    rw_link(f->w, 0, f->fake, 0.0);
    f->srv = rw_srv(f->w, f->fake);
    F = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    /* Every test ends with every node idle. */
    if (!rw_settle(f->w, 30000)) {
        for (int i = 0; i < f->w->count; i++) {
            print_message("node %d idle %d timers %zu\n", i,
                          meshrpr_node_is_idle(&f->w->nodes[i].node),
                          meshrpr_timer_queue_count(&f->w->nodes[i].node.timers));
        }
        fail();
    }
    rw_free(f->w);
    free(f);
    F = NULL;
    return 0;
}

static struct rw_fake *fake(void)
{
    return &F->w->nodes[F->fake].fake;
}

static struct bt_mesh_rpr_cli *cli(void)
{
    return rw_cli(F->w);
}

static const struct rw_fake_rec *last_rec(uint32_t op)
{
    size_t n = rw_fake_count(F->w, F->fake, op);

    return n == 0 ? NULL : rw_fake_find(F->w, F->fake, op, n - 1);
}

static bool added_pred(struct rpr_world *w, void *arg)
{
    return w->added_count >= (size_t)(uintptr_t)arg;
}

static bool idle_cli_pred(struct rpr_world *w, void *arg)
{
    (void)arg;
    return meshrpr_rpr_cli_link_count(rw_cli(w)) == 0 && !meshrpr_prov_is_busy(&rw_prov(w)->node);
}

static bool scans_pred(struct rpr_world *w, void *arg)
{
    return w->scan_count >= (size_t)(uintptr_t)arg;
}

/* ---- Message encodings ------------------------------------------------------------------- */

static void test_request_encodings(void **state)
{
    struct bt_mesh_rpr_caps caps = { 0 };
    struct bt_mesh_rpr_scan_status st = { 0 };
    struct bt_mesh_rpr_link link = { .status = 0xff, .state = 0xff };
    const struct rw_fake_rec *r;
    static const uint8_t ad_name_uri[2] = { 0x09, 0x24 };
    static const uint8_t ad_name[1] = { 0x09 };

    (void)state;
    fake()->caps_max_devs = 7;
    assert_int_equal(bt_mesh_rpr_scan_caps_get(cli(), &F->srv, &caps), 0);
    r = last_rec(RPR_OP_SCAN_CAPS_GET);
    assert_non_null(r);
    assert_int_equal(r->len, 0);
    assert_int_equal(r->src, RW_PROV_ADDR);
    assert_int_equal(caps.max_devs, 7);
    assert_true(caps.active_scan);

    assert_int_equal(bt_mesh_rpr_scan_get(cli(), &F->srv, &st), 0);
    assert_int_equal(last_rec(RPR_OP_SCAN_GET)->len, 0);
    assert_int_equal(st.status, BT_MESH_RPR_SUCCESS);
    assert_int_equal(st.scan, BT_MESH_RPR_SCAN_IDLE);

    /* spec-vectors.md §7: Scan Start, ScannedItemsLimit 2, Timeout 11 s: 020B. */
    assert_int_equal(bt_mesh_rpr_scan_start(cli(), &F->srv, NULL, 11, 2, &st), 0);
    r = last_rec(RPR_OP_SCAN_START);
    assert_hex_equal(r->data, r->len, "020b");
    assert_int_equal(r->len, 2);
    assert_int_equal(st.scan, BT_MESH_RPR_SCAN_MULTI);
    assert_int_equal(st.max_devs, 2);
    assert_int_equal(st.timeout, 11);

    /* With a UUID, limit 5, 10 s. */
    assert_int_equal(bt_mesh_rpr_scan_start(cli(), &F->srv, vec_uuid, 10, 5, &st), 0);
    r = last_rec(RPR_OP_SCAN_START);
    assert_int_equal(r->len, 18);
    assert_hex_equal(r->data, r->len, "050a68753a444d6f12269c600050e4c00067");
    assert_int_equal(st.scan, BT_MESH_RPR_SCAN_SINGLE);

    assert_int_equal(bt_mesh_rpr_scan_stop(cli(), &F->srv, &st), 0);
    assert_int_equal(last_rec(RPR_OP_SCAN_STOP)->len, 0);

    /* Extended Scan Start {Complete Local Name, URI} for a device, 5 s: 02 09 24 UUID 05. */
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 5, ad_name_uri, 2), 0);
    rw_run(F->w, 1000);
    /* ... and of the server itself: 01 09 (no UUID, no timeout). */
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, NULL, 0, ad_name, 1), 0);
    rw_run(F->w, 500);
    r = rw_fake_find(F->w, F->fake, RPR_OP_EXTENDED_SCAN_START, 0);
    assert_non_null(r);
    assert_hex_equal(r->data, r->len, "02092468753a444d6f12269c600050e4c0006705");
    r = rw_fake_find(F->w, F->fake, RPR_OP_EXTENDED_SCAN_START, 1);
    assert_non_null(r);
    assert_hex_equal(r->data, r->len, "0109");

    assert_int_equal(bt_mesh_rpr_link_get(cli(), &F->srv, &link), 0);
    assert_int_equal(last_rec(RPR_OP_LINK_GET)->len, 0);
    assert_int_equal(link.status, BT_MESH_RPR_SUCCESS);
    assert_int_equal(link.state, BT_MESH_RPR_LINK_IDLE);

    /* Link Close carries reason Fail (0x02), as in Zephyr. */
    assert_int_equal(bt_mesh_rpr_link_close(cli(), &F->srv, &link), 0);
    r = last_rec(RPR_OP_LINK_CLOSE);
    assert_hex_equal(r->data, r->len, "02");
}

static void test_argument_checks(void **state)
{
    struct bt_mesh_rpr_scan_status st;
    static const uint8_t ok[1] = { 0x09 };
    static const uint8_t shortened[1] = { 0x08 };
    static const uint8_t incomplete16[1] = { 0x02 };
    static const uint8_t dup[2] = { 0x09, 0x09 };
    uint8_t many[17];
    struct bt_mesh_rpr_node group = { .addr = 0xc000, .net_idx = 0, .ttl = BT_MESH_TTL_DEFAULT };

    (void)state;
    memset(many, 0x09, sizeof(many));
    for (size_t i = 0; i < sizeof(many); i++) {
        many[i] = (uint8_t)(0x20 + i);
    }
    /* §4.3.4.4: Timeout 0 is prohibited. */
    assert_int_equal(bt_mesh_rpr_scan_start(cli(), &F->srv, NULL, 0, 0, &st), -EINVAL);
    /* Extended Scan: timeout 1..21 with a UUID, 1..16 AD types, none prohibited or repeated. */
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 0, ok, 1), -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 22, ok, 1), -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 21, ok, 0), -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 21, many, 17), -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 21, many, 16), 0);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 5, shortened, 1),
                     -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 5, incomplete16, 1),
                     -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, vec_uuid, 5, dup, 2), -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(cli(), &F->srv, NULL, 0, NULL, 1), -EINVAL);
    /* Servers are unicast; NULL arguments. */
    assert_int_equal(bt_mesh_rpr_scan_get(cli(), &group, &st), -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_get(NULL, &F->srv, &st), -EINVAL);
    assert_int_equal(bt_mesh_rpr_scan_get(cli(), NULL, &st), -EINVAL);
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, NULL, 0, 0), -EINVAL);
    assert_int_equal(bt_mesh_provision_remote(cli(), &group, dev_uuid, 0, 0), -EINVAL);
    /* Unknown NetKey. */
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, 0x123, 0), -EINVAL);
    /* A client that is not on a node. */
    {
        struct bt_mesh_rpr_cli loose = { 0 };
        assert_int_equal(bt_mesh_rpr_scan_get(&loose, &F->srv, &st), -EINVAL);
        assert_int_equal(bt_mesh_provision_remote(&loose, &F->srv, dev_uuid, 0, 0), -EINVAL);
    }
    rw_run(F->w, 200);
}

/* ---- Reports ----------------------------------------------------------------------------- */

static void test_scan_report_decoding(void **state)
{
    TEST_HEX(with_hash, "ce68753a444d6f12269c600050e4c0006740a001020304");
    TEST_HEX(no_hash, "ce68753a444d6f12269c600050e4c0006740a0");
    TEST_HEX(bad_len, "ce68753a444d6f12269c600050e4c0006740a00102");
    const struct rw_scan_rec *r;
    static const uint8_t hash[4] = { 0x01, 0x02, 0x03, 0x04 };

    (void)state;
    /* §4.3.4.7: RSSI, UUID, OOB Information (little-endian), optional URI Hash (octets). */
    assert_int_equal(
        rw_fake_send(F->w, F->fake, RPR_OP_SCAN_REPORT, with_hash, with_hash_len, true), 0);
    assert_true(rw_run_until(F->w, scans_pred, (void *)1, 3000));
    assert_int_equal(rw_fake_send(F->w, F->fake, RPR_OP_SCAN_REPORT, bad_len, bad_len_len, true),
                     0);
    rw_run(F->w, 1500);
    assert_int_equal(rw_fake_send(F->w, F->fake, RPR_OP_SCAN_REPORT, no_hash, no_hash_len, true),
                     0);
    assert_true(rw_run_until(F->w, scans_pred, (void *)2, 3000));
    rw_run(F->w, 500);
    assert_int_equal(F->w->scan_count, 2); /* the 21-octet report was dropped */

    r = &F->w->scans[0];
    assert_int_equal(r->srv, FAKE_ADDR);
    assert_false(r->ext);
    assert_memory_equal(r->unprov.uuid, vec_uuid, 16);
    assert_int_equal(r->unprov.rssi, -50);
    assert_int_equal(r->unprov.oob, 0xa040);
    assert_int_equal(r->unprov.flags, BT_MESH_RPR_UNPROV_HASH);
    assert_memory_equal(&r->unprov.hash, hash, 4);
    r = &F->w->scans[1];
    assert_int_equal(r->unprov.flags, 0);
    assert_int_equal(r->unprov.oob, 0xa040);
}

static void test_ext_scan_report_decoding(void **state)
{
    /* spec-vectors.md §7 (with the OOB Information little-endian): found, AD "test". */
    TEST_HEX(found, "0068753a444d6f12269c600050e4c0006740a0050974657374");
    TEST_HEX(found_empty, "0068753a444d6f12269c600050e4c0006740a0");
    TEST_HEX(failed, "0168753a444d6f12269c600050e4c00067");
    TEST_HEX(not_found, "0068753a444d6f12269c600050e4c00067");
    const struct rw_scan_rec *r;

    (void)state;
    assert_int_equal(
        rw_fake_send(F->w, F->fake, RPR_OP_EXTENDED_SCAN_REPORT, found, found_len, true), 0);
    assert_true(rw_run_until(F->w, scans_pred, (void *)1, 3000));
    assert_int_equal(rw_fake_send(F->w, F->fake, RPR_OP_EXTENDED_SCAN_REPORT, found_empty,
                                  found_empty_len, true),
                     0);
    assert_true(rw_run_until(F->w, scans_pred, (void *)2, 3000));
    assert_int_equal(
        rw_fake_send(F->w, F->fake, RPR_OP_EXTENDED_SCAN_REPORT, failed, failed_len, true), 0);
    assert_true(rw_run_until(F->w, scans_pred, (void *)3, 3000));
    assert_int_equal(
        rw_fake_send(F->w, F->fake, RPR_OP_EXTENDED_SCAN_REPORT, not_found, not_found_len, true),
        0);
    assert_true(rw_run_until(F->w, scans_pred, (void *)4, 3000));

    r = &F->w->scans[0];
    assert_true(r->ext);
    assert_false(r->failed);
    assert_memory_equal(r->unprov.uuid, vec_uuid, 16);
    assert_int_equal(r->unprov.oob, 0xa040);
    assert_hex_equal(r->adv, r->adv_len, "050974657374");
    /* Found, but nothing collected: an empty buffer, not NULL. */
    r = &F->w->scans[1];
    assert_true(r->ext);
    assert_false(r->failed);
    assert_int_equal(r->adv_len, 0);
    /* Refused (Scanning Cannot Start): reported through ext_scan_failed. */
    r = &F->w->scans[2];
    assert_true(r->failed);
    assert_int_equal(r->status, BT_MESH_RPR_ERR_SCANNING_CANNOT_START);
    /* Not found (no OOB Information): ext_scan_failed with Success. */
    r = &F->w->scans[3];
    assert_true(r->failed);
    assert_int_equal(r->status, BT_MESH_RPR_SUCCESS);
    assert_memory_equal(r->unprov.uuid, vec_uuid, 16);
}

/* ---- Blocking semantics ------------------------------------------------------------------ */

static void test_non_blocking_and_timeout(void **state)
{
    struct bt_mesh_rpr_scan_status st;
    uint64_t t0;

    (void)state;
    /* A NULL status pointer: sent, returned at once (no virtual time passes). */
    t0 = rw_now_ms(F->w);
    assert_int_equal(bt_mesh_rpr_scan_start(cli(), &F->srv, NULL, 5, 0, NULL), 0);
    assert_int_equal(rw_now_ms(F->w), t0);
    rw_run(F->w, 500);
    assert_int_equal(rw_fake_count(F->w, F->fake, RPR_OP_SCAN_START), 1);

    /* No answer: -ETIMEDOUT after the default 2 s. */
    assert_int_equal(meshrpr_rpr_cli_timeout_get(cli()), 2000);
    fake()->mute = true;
    t0 = rw_now_ms(F->w);
    assert_int_equal(bt_mesh_rpr_scan_get(cli(), &F->srv, &st), -ETIMEDOUT);
    assert_in_range(rw_now_ms(F->w) - t0, 2000, 2002);

    /* A shorter timeout, per client. */
    meshrpr_rpr_cli_timeout_set(cli(), 500);
    assert_int_equal(meshrpr_rpr_cli_timeout_get(cli()), 500);
    t0 = rw_now_ms(F->w);
    assert_int_equal(bt_mesh_rpr_link_get(cli(), &F->srv, &(struct bt_mesh_rpr_link){ 0 }),
                     -ETIMEDOUT);
    assert_in_range(rw_now_ms(F->w) - t0, 500, 502);
    meshrpr_rpr_cli_timeout_set(cli(), -5);
    assert_int_equal(meshrpr_rpr_cli_timeout_get(cli()), 0);
    meshrpr_rpr_cli_timeout_set(cli(), MESHRPR_RPR_CLI_TIMEOUT_DEFAULT_MS);
    fake()->mute = false;
}

/* Calls made from inside the scan_report callback, while the test waits in scan_get. */
static int nested_scan_get;
static int nested_link_get;
static int nested_async;
static int nested_calls;

static void nested_on_scan(struct rpr_world *w, const struct bt_mesh_rpr_node *srv,
                           const struct bt_mesh_rpr_unprov *unprov)
{
    struct bt_mesh_rpr_scan_status st;
    struct bt_mesh_rpr_link link;

    (void)unprov;
    nested_calls++;
    nested_scan_get = bt_mesh_rpr_scan_get(rw_cli(w), srv, &st);
    nested_link_get = bt_mesh_rpr_link_get(rw_cli(w), srv, &link);
    nested_async = bt_mesh_rpr_link_get(rw_cli(w), srv, NULL);
}

static void test_busy_and_deadlock(void **state)
{
    struct bt_mesh_rpr_scan_status st;

    (void)state;
    /* The fake answers Scan Get with a Scan Report only: while the test's scan_get waits, the
     * callback's own scan_get finds the scan context busy, a link request cannot block from
     * inside the loop, and a non-blocking request goes out. */
    fake()->report_on_get = true;
    F->w->on_scan = nested_on_scan;
    assert_int_equal(bt_mesh_rpr_scan_get(cli(), &F->srv, &st), -ETIMEDOUT);
    assert_int_equal(nested_calls, 1);
    assert_int_equal(nested_scan_get, -EBUSY);
    assert_int_equal(nested_link_get, -EDEADLK);
    assert_int_equal(nested_async, 0);
    rw_run(F->w, 500);
    /* Only the non-blocking call went out; the refused ones sent nothing. */
    assert_int_equal(rw_fake_count(F->w, F->fake, RPR_OP_LINK_GET), 1);
    assert_int_equal(rw_fake_count(F->w, F->fake, RPR_OP_SCAN_GET), 1);
    F->w->on_scan = NULL;
}

/* ---- PB-Remote: provisioning through the fake --------------------------------------------- */

/* Check the PDU Sends the fake received: OutboundPDUNumber 1, 2, ... with no gap. */
static void check_pdu_numbers(size_t expected_min)
{
    size_t n = rw_fake_count(F->w, F->fake, RPR_OP_PDU_SEND);
    uint8_t highest = 0;

    assert_true(n >= expected_min);
    for (size_t i = 0; i < n; i++) {
        const struct rw_fake_rec *r = rw_fake_find(F->w, F->fake, RPR_OP_PDU_SEND, i);
        assert_true(r->data[0] <= highest + 1);
        if (r->data[0] > highest) {
            highest = r->data[0];
        }
    }
}

static void provision_and_check(void)
{
    const struct rw_fake_rec *r;
    const struct meshrpr_cdb_node *entry;

    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0x0100), 0);
    assert_true(rw_run_until(F->w, added_pred, (void *)1, 30000));
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 10000));
    assert_int_equal(F->w->added[0].addr, 0x0100);
    assert_int_equal(F->w->added[0].elems, 1); /* the fake's node has one element */
    assert_memory_equal(F->w->added[0].uuid, dev_uuid, 16);
    entry = meshrpr_cdb_node_by_uuid(&F->w->cdb, dev_uuid);
    assert_non_null(entry);
    assert_int_equal(entry->addr, 0x0100);
    /* Link Open carries the UUID only: the 10 s default timeout is left out. */
    r = rw_fake_find(F->w, F->fake, RPR_OP_LINK_OPEN, 0);
    assert_non_null(r);
    assert_int_equal(r->len, 16);
    assert_memory_equal(r->data, dev_uuid, 16);
    /* Invite first, with Attention 0 (nobody watches a remote device). */
    r = rw_fake_find(F->w, F->fake, RPR_OP_PDU_SEND, 0);
    assert_hex_equal(r->data, r->len, "010000");
    check_pdu_numbers(6);
    /* Link Close (Success) after Provisioning Complete. */
    r = last_rec(RPR_OP_LINK_CLOSE);
    assert_non_null(r);
    assert_hex_equal(r->data, r->len, "00");
    /* The bearer the callbacks name. */
    assert_int_equal(F->w->link_open_count, 1);
    assert_int_equal(F->w->link_close_count, 1);
    assert_int_equal(F->w->last_link_bearer, BT_MESH_PROV_REMOTE);
}

static void test_provision(void **state)
{
    struct meshrpr_prov_result res;

    (void)state;
    provision_and_check();
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(F->w)->node, &res), 0);
    assert_int_equal(res.status, MESHRPR_PROV_STATUS_SUCCESS);
    assert_int_equal(res.bearer, BT_MESH_PROV_REMOTE);
    /* link_changed: Opening, Active, Closing (the server has our Link Close), Idle. */
    assert_int_equal(F->w->link_count, 4);
    assert_int_equal(F->w->links[0].link.state, BT_MESH_RPR_LINK_OPENING);
    assert_int_equal(F->w->links[1].link.state, BT_MESH_RPR_LINK_ACTIVE);
    assert_int_equal(F->w->links[2].link.state, BT_MESH_RPR_LINK_CLOSING);
    assert_int_equal(F->w->links[3].link.state, BT_MESH_RPR_LINK_IDLE);
    assert_int_equal(F->w->links[3].link.status, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT);
    /* Exactly one PDU Send per PDU: no repeats on a clean link. */
    assert_int_equal(rw_fake_count(F->w, F->fake, RPR_OP_PDU_SEND), fake()->tx_pdu);
    /* The same UUID is in the database now. */
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0), -EEXIST);
}

static void test_duplicate_pdu_reports(void **state)
{
    (void)state;
    /* Every PDU Report arrives twice: the repeats are dropped by number, so the provisioner's
     * state machine never sees an unexpected PDU (Zephyr's filter would let them through). */
    fake()->dup_pdu_reports = true;
    provision_and_check();
    assert_int_equal(rw_added_count(F->w, dev_uuid), 1);
}

static void test_reordered_pdu_reports(void **state)
{
    struct meshrpr_prov_result res;

    (void)state;
    /* Input OOB: the device sends Public Key then Input Complete back to back; the fake sends
     * their PDU Reports in the wrong order (3 before 2). The client holds 3 until 2 arrives. */
    rw_input_oob(F->w, F->fake);
    fake()->swap_at = 2;
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0x0100), 0);
    assert_true(rw_run_until(F->w, added_pred, (void *)1, 30000));
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 10000));
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(F->w)->node, &res), 0);
    assert_int_equal(res.status, MESHRPR_PROV_STATUS_SUCCESS);
}

static void test_lost_outbound_report(void **state)
{
    size_t repeats = 0;

    (void)state;
    /* No Outbound Report for PDU 2 (Start): after 5 s the client sends it again with the same
     * number, and the server's answer to the repeat releases it (§4.4.5.5.2). */
    fake()->skip_outbound = 2;
    provision_and_check();
    for (size_t i = 0; i < rw_fake_count(F->w, F->fake, RPR_OP_PDU_SEND); i++) {
        repeats += rw_fake_find(F->w, F->fake, RPR_OP_PDU_SEND, i)->data[0] == 2 ? 1 : 0;
    }
    assert_int_equal(repeats, 2);
}

/* ---- PB-Remote: failures ----------------------------------------------------------------- */

static const struct rw_link_rec *link_rec(enum bt_mesh_rpr_link_state state, size_t nth)
{
    for (size_t i = 0; i < F->w->link_count; i++) {
        if (F->w->links[i].link.state == state && nth-- == 0) {
            return &F->w->links[i];
        }
    }
    return NULL;
}

static void test_link_open_timeout(void **state)
{
    struct meshrpr_prov_result res;
    const struct rw_fake_rec *close;
    const struct rw_link_rec *idle;
    uint64_t t0;

    (void)state;
    /* The device never answers: the client gives up 10 s after its Link Open and tells the
     * server with a Link Close. */
    fake()->ignore_open = true;
    t0 = rw_now_ms(F->w);
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0), 0);
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 20000));
    idle = link_rec(BT_MESH_RPR_LINK_IDLE, 0);
    assert_non_null(idle);
    assert_in_range(idle->t_ms - t0, 10000, 10001);
    assert_int_equal(idle->link.status, BT_MESH_RPR_ERR_LINK_OPEN_FAILED);
    close = last_rec(RPR_OP_LINK_CLOSE);
    assert_non_null(close);
    assert_hex_equal(close->data, close->len, "02");
    assert_in_range(close->t_ms - t0, 10000, 10200);
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(F->w)->node, &res), 0);
    assert_int_equal(res.status, MESHRPR_PROV_STATUS_TIMEOUT);
    assert_int_equal(F->w->added_count, 0);
    /* The link never opened: no link_open, no link_close callback. */
    assert_int_equal(F->w->link_open_count, 0);
    assert_int_equal(F->w->link_close_count, 0);
}

/* Issue #11: the server never answers the Link Open (nothing, not even a Link Status): the
 * call says so (-ETIMEDOUT) once the Link Open timeout has passed, after repeating the Link
 * Open, and the link is given up (Link Open Failed), not left to end unseen. */
static void test_link_open_unanswered(void **state)
{
    const struct rw_link_rec *idle;
    uint64_t t0;

    (void)state;
    fake()->mute = true;
    t0 = rw_now_ms(F->w);
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0), -ETIMEDOUT);
    assert_in_range(rw_now_ms(F->w) - t0, 10000, 10001);
    assert_true(rw_fake_count(F->w, F->fake, RPR_OP_LINK_OPEN) >= 2);
    idle = link_rec(BT_MESH_RPR_LINK_IDLE, 0);
    assert_non_null(idle);
    assert_int_equal(idle->link.status, BT_MESH_RPR_ERR_LINK_OPEN_FAILED);
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 20000));
    assert_int_equal(F->w->added_count, 0);
    fake()->mute = false;
}

static void test_silent_server_60s(void **state)
{
    struct meshrpr_prov_result res;
    const struct rw_link_rec *active;
    const struct rw_link_rec *idle;
    const struct rw_fake_rec *close;

    (void)state;
    /* The server opens the link, then never answers a PDU Send (its lower transport still
     * acknowledges them): 60 s after its last message the client closes and tells it. */
    fake()->silent_after_open = true;
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0), 0);
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 90000));
    active = link_rec(BT_MESH_RPR_LINK_ACTIVE, 0);
    idle = link_rec(BT_MESH_RPR_LINK_IDLE, 0);
    assert_non_null(active);
    assert_non_null(idle);
    assert_in_range(idle->t_ms - active->t_ms, 60000, 60001);
    assert_int_equal(idle->link.status, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT);
    close = rw_fake_find(F->w, F->fake, RPR_OP_LINK_CLOSE, 0);
    assert_non_null(close);
    assert_in_range(close->t_ms - active->t_ms, 60000, 60200);
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(F->w)->node, &res), 0);
    assert_int_equal(res.status, MESHRPR_PROV_STATUS_TIMEOUT);
    /* The Invite was sent again twice while no Outbound Report came, then never again; the
     * silent server gets Link Close three times, 2 s apart. */
    assert_int_equal(rw_fake_count(F->w, F->fake, RPR_OP_PDU_SEND), 3);
    assert_int_equal(rw_fake_count(F->w, F->fake, RPR_OP_LINK_CLOSE), 3);
    assert_in_range(rw_fake_find(F->w, F->fake, RPR_OP_LINK_CLOSE, 2)->t_ms - close->t_ms, 3990,
                    4100);
    assert_int_equal(F->w->link_open_count, 1);
    assert_int_equal(F->w->link_close_count, 1);
}

static void test_silent_server_120s_with_oob(void **state)
{
    const struct rw_link_rec *active;
    const struct rw_fake_rec *close;

    (void)state;
    /* Input OOB (Start carries Authentication Method 3): the link timer is 120 s. The server
     * relays Invite and Start, then falls silent. */
    rw_input_oob(F->w, F->fake);
    fake()->silent_from = 3;
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0), 0);
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 200000));
    active = link_rec(BT_MESH_RPR_LINK_ACTIVE, 0);
    close = last_rec(RPR_OP_LINK_CLOSE);
    assert_non_null(active);
    assert_non_null(close);
    assert_in_range(close->t_ms - active->t_ms, 119000, 121000);
    assert_int_equal(F->w->added_count, 0);
}

static void test_device_out_of_order(void **state)
{
    struct meshrpr_prov_result res;
    const struct rw_fake_rec *close;

    (void)state;
    /* The device answers the Invite with a Public Key: the provisioner refuses (Unexpected
     * PDU, §5.4.4) and closes the link with Fail. */
    fake()->device_out_of_order = true;
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0), 0);
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 10000));
    close = last_rec(RPR_OP_LINK_CLOSE);
    assert_non_null(close);
    assert_hex_equal(close->data, close->len, "02");
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(F->w)->node, &res), 0);
    assert_int_equal(res.status, MESHRPR_PROV_STATUS_REFUSED);
    assert_int_equal(res.error_code, MESHRPR_PROV_ERR_UNEXPECTED_PDU);
    assert_int_equal(F->w->added_count, 0);
}

static void test_link_open_refused(void **state)
{
    const struct rw_link_rec *idle;

    (void)state;
    fake()->open_status = BT_MESH_RPR_ERR_LINK_CANNOT_OPEN;
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0),
                     -ECONNREFUSED);
    assert_int_equal(meshrpr_rpr_cli_link_count(cli()), 0);
    assert_false(meshrpr_prov_is_busy(&rw_prov(F->w)->node));
    idle = link_rec(BT_MESH_RPR_LINK_IDLE, 0);
    assert_non_null(idle);
    assert_int_equal(idle->link.status, BT_MESH_RPR_ERR_LINK_CANNOT_OPEN);
    /* Limited Resources, Invalid State: refused too. */
    fake()->open_status = BT_MESH_RPR_ERR_INVALID_STATE;
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0),
                     -ECONNREFUSED);
}

static void test_one_link_per_server(void **state)
{
    static const uint8_t other[16] = { 0x01 };

    (void)state;
    /* The device never answers, so the first link stays open (Opening) for 10 s. */
    fake()->ignore_open = true;
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0), 0);
    assert_int_equal(meshrpr_rpr_cli_link_count(cli()), 1);
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, other, RW_NET_IDX, 0), -EBUSY);
    assert_int_equal(bt_mesh_reprovision_remote(cli(), &F->srv, FAKE_ADDR, false), -EBUSY);
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 20000));
}

/* Provisioning started from inside a callback: the call cannot wait, so it returns once the
 * Link Open is sent and the link goes on by itself. */
static int from_cb_err = 1;

static void provision_on_scan(struct rpr_world *w, const struct bt_mesh_rpr_node *srv,
                              const struct bt_mesh_rpr_unprov *unprov)
{
    from_cb_err = bt_mesh_provision_remote(rw_cli(w), srv, unprov->uuid, RW_NET_IDX, 0);
}

static void test_provision_from_callback(void **state)
{
    uint8_t report[19] = { 0xc4 };

    (void)state;
    memcpy(&report[1], dev_uuid, 16);
    F->w->on_scan = provision_on_scan;
    assert_int_equal(rw_fake_send(F->w, F->fake, RPR_OP_SCAN_REPORT, report, sizeof(report), true),
                     0);
    assert_true(rw_run_until(F->w, added_pred, (void *)1, 30000));
    assert_int_equal(from_cb_err, 0);
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 10000));
    F->w->on_scan = NULL;
}

static void test_link_close_call(void **state)
{
    struct bt_mesh_rpr_link link = { 0 };
    struct meshrpr_prov_result res;

    (void)state;
    /* The application closes the link of a provisioning in progress. */
    fake()->silent_from = 1;
    assert_int_equal(bt_mesh_provision_remote(cli(), &F->srv, dev_uuid, RW_NET_IDX, 0), 0);
    rw_run(F->w, 2000);
    assert_int_equal(F->w->link_open_count, 1);
    assert_int_equal(bt_mesh_rpr_link_close(cli(), &F->srv, &link), 0);
    assert_int_equal(link.status, BT_MESH_RPR_SUCCESS);
    assert_int_equal(link.state, BT_MESH_RPR_LINK_CLOSING);
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 10000));
    assert_int_equal(F->w->link_close_count, 1);
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(F->w)->node, &res), 0);
    assert_int_not_equal(res.status, MESHRPR_PROV_STATUS_SUCCESS);
    assert_int_equal(F->w->added_count, 0);
}

/* ---- NPPI ---------------------------------------------------------------------------------- */

static void test_reprovision_procedure(void **state)
{
    struct bt_mesh_rpr_node srv = F->srv;
    const struct rw_fake_rec *r;
    struct bt_mesh_rpr_node unknown = { .addr = 0x0555, .net_idx = 0, .ttl = 3 };
    uint8_t key_before[16];

    (void)state;
    memcpy(key_before, meshrpr_cdb_node_get(&F->w->cdb, FAKE_ADDR)->dev_key, 16);
    assert_int_equal(bt_mesh_reprovision_remote(cli(), &unknown, 0x0555, false), -ENOENT);
    /* The server refuses every NPPI Link Open here: the call says so. */
    fake()->open_status = BT_MESH_RPR_ERR_LINK_CANNOT_OPEN;
    /* Same address, no composition change: Device Key Refresh (0x00). */
    assert_int_equal(bt_mesh_reprovision_remote(cli(), &srv, FAKE_ADDR, false), -ECONNREFUSED);
    r = last_rec(RPR_OP_LINK_OPEN);
    assert_hex_equal(r->data, r->len, "00");
    /* Same address, composition changed: Node Composition Refresh (0x02). */
    assert_int_equal(bt_mesh_reprovision_remote(cli(), &srv, FAKE_ADDR, true), -ECONNREFUSED);
    r = last_rec(RPR_OP_LINK_OPEN);
    assert_hex_equal(r->data, r->len, "02");
    /* Another address: Node Address Refresh (0x01), whatever comp_change says. */
    assert_int_equal(bt_mesh_reprovision_remote(cli(), &srv, 0x0009, true), -ECONNREFUSED);
    r = last_rec(RPR_OP_LINK_OPEN);
    assert_hex_equal(r->data, r->len, "01");
    /* The database is untouched by the refusals. */
    assert_int_equal(meshrpr_cdb_node_get(&F->w->cdb, FAKE_ADDR)->addr, FAKE_ADDR);
    assert_memory_equal(meshrpr_cdb_node_get(&F->w->cdb, FAKE_ADDR)->dev_key, key_before, 16);
    assert_false(meshrpr_prov_is_busy(&rw_prov(F->w)->node));
}

static void test_reprovision_address(void **state)
{
    struct bt_mesh_rpr_node srv = F->srv;
    const struct meshrpr_cdb_node *entry;
    uint8_t key_before[16];

    (void)state;
    /* The documentation's example: the node at 0x0004 here moves to 0x0009. The fake's device
     * accepts the data without becoming it, which is enough for the provisioner's side. */
    memcpy(key_before, meshrpr_cdb_node_get(&F->w->cdb, FAKE_ADDR)->dev_key, 16);
    assert_int_equal(bt_mesh_reprovision_remote(cli(), &srv, 0x0009, false), 0);
    assert_true(rw_run_until(F->w, added_pred, (void *)1, 30000));
    assert_true(rw_run_until(F->w, idle_cli_pred, NULL, 10000));
    assert_int_equal(F->w->added[0].addr, 0x0009);
    entry = meshrpr_cdb_node_get(&F->w->cdb, 0x0009);
    assert_non_null(entry);
    assert_int_equal(entry->addr, 0x0009);
    assert_int_equal(entry->num_elem, 1);
    assert_memory_not_equal(entry->dev_key, key_before, 16);
    assert_null(meshrpr_cdb_node_get(&F->w->cdb, FAKE_ADDR));
    /* The Provisioning Data carried the new address. */
    assert_hex_equal(last_rec(RPR_OP_LINK_OPEN)->data, 1, "01");
}

/* ---- The contextless timeout (meshrpr_compat) -------------------------------------------- */

static void test_compat_timeout(void **state)
{
    (void)state;
    meshrpr_compat_node_set(NULL);
    assert_int_equal(bt_mesh_rpr_cli_timeout_get(), MESHRPR_RPR_CLI_TIMEOUT_DEFAULT_MS);
    meshrpr_compat_node_set(&rw_prov(F->w)->node);
    assert_int_equal(bt_mesh_rpr_cli_timeout_get(), 2000);
    bt_mesh_rpr_cli_timeout_set(700);
    assert_int_equal(meshrpr_rpr_cli_timeout_get(cli()), 700);
    assert_int_equal(bt_mesh_rpr_cli_timeout_get(), 700);
    assert_ptr_equal(meshrpr_rpr_cli_get(&rw_prov(F->w)->node), cli());
    bt_mesh_rpr_cli_timeout_set(2000);
    meshrpr_compat_node_set(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request_encodings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_argument_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_report_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ext_scan_report_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_blocking_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_and_deadlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_provision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_pdu_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reordered_pdu_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_outbound_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_open_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_open_unanswered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_server_60s, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_server_120s_with_oob, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_open_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_link_per_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_provision_from_callback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_close_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reprovision_procedure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reprovision_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compat_timeout, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
