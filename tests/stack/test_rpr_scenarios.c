/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote provisioning end to end in the simulator, with the real Remote Provisioning Server
 * (src/models/rpr_srv.c) and real unprovisioned devices (device role, PB-ADV): a provisioner
 * (Configuration Server and Client, Remote Provisioning Client, node database) reaches devices
 * it cannot hear through servers, over explicit radio links.
 *
 * Covered (issue #5, "Done means"): Zephyr's documentation examples as written (a 10-second
 * multi-device scan through server 0x0004 reporting at most three devices, a device provisioned
 * at 0x0006 through it); single-UUID and limited multi-device scans, Scan Stop, scan timeout,
 * Extended Scan of a device's name and URI and of the server itself, a second client refused
 * while the first scans; provisioning through a server three hops away, with 20 % loss on every
 * link, four devices at once through four servers, a scan while a provisioning runs, the same
 * device provisioned, reset and provisioned again three times; failures ending cleanly within
 * their timeouts: a device that ignores Link Open (10 s), a server that goes silent after the
 * link opens (the client closes after 60 s and tells the server), a device that answers out of
 * order, and a network that delivers every PDU twice. Every test ends with every node idle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/mesh.h>

#include "models/rpr_msg.h"
#include "prov/pb_adv.h"
#include "prov/prov_pdu.h"
#include "prov/unprov_beacon.h"
#include "rpr_world.h"
#include "test_util.h"

static struct rpr_world *W;

static void settle_and_free(void)
{
    assert_true(rw_settle(W, 60000));
    rw_free(W);
    W = NULL;
}

static void uuid_of(uint8_t uuid[16], uint8_t seed)
{
    for (int k = 0; k < 16; k++) {
        uuid[k] = (uint8_t)(seed + k * 13);
    }
}

static bool added_pred(struct rpr_world *w, void *arg)
{
    return w->added_count >= (size_t)(uintptr_t)arg;
}

static bool scans_pred(struct rpr_world *w, void *arg)
{
    return w->scan_count >= (size_t)(uintptr_t)arg;
}

static bool links_free_pred(struct rpr_world *w, void *arg)
{
    (void)arg;
    return meshrpr_rpr_cli_link_count(rw_cli(w)) == 0 && !meshrpr_prov_is_busy(&rw_prov(w)->node);
}

static size_t scans_of(const uint8_t uuid[16])
{
    size_t n = 0;

    for (size_t i = 0; i < W->scan_count; i++) {
        n += memcmp(W->scans[i].unprov.uuid, uuid, 16) == 0 ? 1 : 0;
    }
    return n;
}

/* Read page 0 of a node's Composition Data with its device key from the database: the node is
 * in the network and the database has its key. */
static void check_configurable(uint16_t addr)
{
    NET_BUF_SIMPLE_DEFINE(comp, 64);
    uint8_t page = 0xff;

    /* The devices are out of the provisioner's range: the servers relay from now on. */
    for (int i = 0; i < W->count; i++) {
        if (W->nodes[i].kind == RW_SERVER) {
            rw_relay(W, i, true);
        }
    }

    assert_int_equal(
        meshrpr_cfg_cli_comp_data_get(&rw_prov(W)->cfg_cli, RW_NET_IDX, addr, 0, &page, &comp), 0);
    assert_int_equal(page, 0);
    assert_true(comp.len >= 10);
}

/* ---- The documentation's examples, as written --------------------------------------------- */

/* Zephyr's rpr_cli.rst, "Scanning": the callback body is left empty there; here it counts. */
static int doc_reports;
static uint8_t doc_uuids[8][16];

static void rpr_scan_report(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                            struct bt_mesh_rpr_unprov *unprov, struct net_buf_simple *adv_data)
{
    (void)cli;
    (void)srv;
    (void)adv_data;
    if (doc_reports < 8) {
        memcpy(doc_uuids[doc_reports], unprov->uuid, 16);
    }
    doc_reports++;
}

struct bt_mesh_rpr_cli rpr_cli = {
    .scan_report = rpr_scan_report,
};

/* "Provisioning" declares the client again, as its own snippet does. */
struct bt_mesh_rpr_cli rpr_cli;

static int doc_world(uint8_t device_count, const uint8_t first_uuid[16])
{
    int s;

    memset(&rpr_cli.priv, 0, sizeof(rpr_cli.priv));
    rpr_cli.mod = NULL;
    W = rw_new_with_cli(0xd0c0001, &rpr_cli);
    assert_non_null(W);
    s = rw_add_server(W, 0x0004);
    assert_true(s > 0);
    rw_link(W, 0, s, 0.0);
    for (uint8_t i = 0; i < device_count; i++) {
        uint8_t uuid[16];
        int d;
        if (i == 0 && first_uuid != NULL) {
            memcpy(uuid, first_uuid, 16);
        } else {
            uuid_of(uuid, (uint8_t)(0x40 + i));
        }
        d = rw_add_device(W, uuid, 0, NULL);
        assert_true(d > 0);
        /* Near the server, out of the provisioner's range. */
        rw_link(W, s, d, 0.0);
    }
    return s;
}

static void test_doc_scan_example(void **state)
{
    (void)state;
    doc_reports = 0;
    doc_world(5, NULL);
    rw_run(W, 6000); /* the devices beacon every few seconds */

    /* As written in the documentation: */
    const struct bt_mesh_rpr_node srv = {
        .addr = 0x0004,
        .net_idx = 0,
        .ttl = BT_MESH_TTL_DEFAULT,
    };

    struct bt_mesh_rpr_scan_status status;
    uint8_t *uuid = NULL;
    uint8_t timeout = 10;
    uint8_t max_devs = 3;

    bt_mesh_rpr_scan_start(&rpr_cli, &srv, uuid, timeout, max_devs, &status);

    assert_int_equal(status.status, BT_MESH_RPR_SUCCESS);
    assert_int_equal(status.scan, BT_MESH_RPR_SCAN_MULTI);
    assert_int_equal(status.max_devs, 3);
    assert_int_equal(status.timeout, 10);
    rw_run(W, 12000);
    /* Five devices in range, a ten-second multi-device scan, at most three reported, each
     * once. */
    assert_int_equal(doc_reports, 3);
    assert_memory_not_equal(doc_uuids[0], doc_uuids[1], 16);
    assert_memory_not_equal(doc_uuids[1], doc_uuids[2], 16);
    assert_memory_not_equal(doc_uuids[0], doc_uuids[2], 16);
    assert_int_equal(bt_mesh_rpr_scan_get(&rpr_cli, &srv, &status), 0);
    assert_int_equal(status.scan, BT_MESH_RPR_SCAN_IDLE);
    settle_and_free();
}

static void test_doc_provision_example(void **state)
{
    static const uint8_t dev[16] = { 0xaa };

    (void)state;
    doc_world(1, dev);
    rw_run(W, 1000);

    /* As written in the documentation (the client is rpr_cli above): */
    const struct bt_mesh_rpr_node srv = {
        .addr = 0x0004,
        .net_idx = 0,
        .ttl = BT_MESH_TTL_DEFAULT,
    };

    uint8_t uuid[16] = { 0xaa };
    uint16_t addr = 0x0006;
    uint16_t net_idx = 0;

    bt_mesh_provision_remote(&rpr_cli, &srv, uuid, net_idx, addr);

    /* The same struct bt_mesh_prov callbacks as ordinary provisioning. */
    assert_true(rw_run_until(W, added_pred, (void *)1, 30000));
    assert_int_equal(W->added[0].addr, 0x0006);
    assert_memory_equal(W->added[0].uuid, dev, 16);
    assert_true(rw_run_until(W, links_free_pred, NULL, 10000));
    assert_int_equal(W->link_open_count, 1);
    assert_int_equal(W->link_close_count, 1);
    assert_int_equal(W->last_link_bearer, BT_MESH_PROV_REMOTE);
    assert_true(meshrpr_node_is_provisioned(&W->nodes[2].node));
    assert_int_equal(meshrpr_node_addr(&W->nodes[2].node), 0x0006);
    check_configurable(0x0006);
    settle_and_free();
}

/* Zephyr's rpr_cli.rst, "Re-provisioning": the node at 0x0006 (hosting a Remote Provisioning
 * Server, offered for NPPI) moves to 0x0009 with a Node Address Refresh. */
static void test_doc_reprovision_example(void **state)
{
    struct rw_node *target;
    uint8_t key_before[16];
    int t;

    (void)state;
    memset(&rpr_cli.priv, 0, sizeof(rpr_cli.priv));
    rpr_cli.mod = NULL;
    W = rw_new_with_cli(0xd0c0003, &rpr_cli);
    t = rw_add_server(W, 0x0006);
    rw_link(W, 0, t, 0.0);
    target = &W->nodes[t];
    target->prov.uuid = target->uuid;
    target->cfg.prov = &target->prov;
    target->node.cfg.prov = &target->prov;
    assert_int_equal(meshrpr_prov_enable(&target->node, BT_MESH_PROV_REMOTE), 0);
    memcpy(key_before, meshrpr_cdb_node_get(&W->cdb, 0x0006)->dev_key, 16);
    check_configurable(0x0006);

    /* As written in the documentation (the client is rpr_cli above): */
    struct bt_mesh_rpr_node srv = {
        .addr = 0x0006,
        .net_idx = 0,
        .ttl = BT_MESH_TTL_DEFAULT,
    };

    bool composition_changed = false;
    uint16_t new_addr = 0x0009;

    bt_mesh_reprovision_remote(&rpr_cli, &srv, new_addr, composition_changed);

    assert_true(rw_run_until(W, added_pred, (void *)1, 30000));
    assert_true(rw_run_until(W, links_free_pred, NULL, 30000));
    assert_int_equal(W->added[0].addr, 0x0009);
    rw_run(W, 2000);
    /* The node moved; the database followed with the new device key. */
    assert_int_equal(meshrpr_node_addr(&target->node), 0x0009);
    assert_null(meshrpr_cdb_node_get(&W->cdb, 0x0006));
    assert_non_null(meshrpr_cdb_node_get(&W->cdb, 0x0009));
    assert_memory_not_equal(meshrpr_cdb_node_get(&W->cdb, 0x0009)->dev_key, key_before, 16);
    check_configurable(0x0009);
    assert_int_equal(meshrpr_prov_disable(&target->node, BT_MESH_PROV_REMOTE), 0);
    settle_and_free();
}

/* ---- Scanning ------------------------------------------------------------------------------ */

/* A provisioner, one server at 0x0010 and n devices near the server only. */
static int star_world(uint64_t seed, int n, int first_dev[1])
{
    int s;

    W = rw_new(seed);
    assert_non_null(W);
    s = rw_add_server(W, 0x0010);
    assert_true(s > 0);
    rw_link(W, 0, s, 0.0);
    for (int i = 0; i < n; i++) {
        uint8_t uuid[16];
        int d;
        uuid_of(uuid, (uint8_t)(0x10 * (i + 1)));
        d = rw_add_device(W, uuid, (uint16_t)(i == 0 ? BT_MESH_PROV_OOB_NUMBER : 0), NULL);
        assert_true(d > 0);
        rw_link(W, s, d, 0.0);
        if (i == 0 && first_dev != NULL) {
            first_dev[0] = d;
        }
    }
    return s;
}

static void test_scan_single_uuid(void **state)
{
    struct bt_mesh_rpr_scan_status st;
    struct bt_mesh_rpr_node srv;
    int d0;
    int s = star_world(0x5ca0001, 4, &d0);

    (void)state;
    srv = rw_srv(W, s);
    const uint8_t *target = W->nodes[d0 + 2].uuid;
    assert_int_equal(bt_mesh_rpr_scan_start(rw_cli(W), &srv, target, 5, 0, &st), 0);
    assert_int_equal(st.status, BT_MESH_RPR_SUCCESS);
    assert_int_equal(st.scan, BT_MESH_RPR_SCAN_SINGLE);
    rw_run(W, 7000);
    assert_int_equal(W->scan_count, 1);
    assert_memory_equal(W->scans[0].unprov.uuid, target, 16);
    assert_int_equal(W->scans[0].srv, 0x0010);
    assert_false(W->scans[0].ext);
    /* The RSSI the server measured (sim path loss: -40 dBm at 1 m). */
    assert_true(W->scans[0].unprov.rssi < 0);
    settle_and_free();
}

static void test_scan_multi_limit(void **state)
{
    struct bt_mesh_rpr_scan_status st;
    struct bt_mesh_rpr_node srv;
    int d0;
    int s = star_world(0x5ca0002, 4, &d0);

    (void)state;
    srv = rw_srv(W, s);
    /* Four devices, a limit of two: two reports, two different devices. */
    assert_int_equal(bt_mesh_rpr_scan_start(rw_cli(W), &srv, NULL, 8, 2, &st), 0);
    assert_int_equal(st.max_devs, 2);
    rw_run(W, 10000);
    assert_int_equal(W->scan_count, 2);
    assert_memory_not_equal(W->scans[0].unprov.uuid, W->scans[1].unprov.uuid, 16);
    /* The OOB Information of device 0 (Number) arrives as it was advertised. */
    for (size_t i = 0; i < W->scan_count; i++) {
        if (memcmp(W->scans[i].unprov.uuid, W->nodes[d0].uuid, 16) == 0) {
            assert_int_equal(W->scans[i].unprov.oob, BT_MESH_PROV_OOB_NUMBER);
        }
    }
    settle_and_free();
}

static void test_scan_stop_and_timeout(void **state)
{
    struct bt_mesh_rpr_scan_status st;
    struct bt_mesh_rpr_node srv;
    size_t seen;
    int s = star_world(0x5ca0003, 3, NULL);

    (void)state;
    srv = rw_srv(W, s);
    /* A long scan stopped early: no report after the stop. */
    assert_int_equal(bt_mesh_rpr_scan_start(rw_cli(W), &srv, NULL, 60, 0, &st), 0);
    assert_true(rw_run_until(W, scans_pred, (void *)1, 10000));
    assert_int_equal(bt_mesh_rpr_scan_stop(rw_cli(W), &srv, &st), 0);
    assert_int_equal(st.status, BT_MESH_RPR_SUCCESS);
    assert_int_equal(st.scan, BT_MESH_RPR_SCAN_IDLE);
    rw_run(W, 1000);
    seen = W->scan_count;
    rw_run(W, 10000);
    assert_int_equal(W->scan_count, seen);

    /* A 3-second scan ends by itself. */
    assert_int_equal(bt_mesh_rpr_scan_start(rw_cli(W), &srv, NULL, 3, 0, &st), 0);
    assert_true(st.timeout <= 3);
    assert_int_equal(bt_mesh_rpr_scan_get(rw_cli(W), &srv, &st), 0);
    assert_int_equal(st.scan, BT_MESH_RPR_SCAN_MULTI);
    rw_run(W, 3500);
    assert_int_equal(bt_mesh_rpr_scan_get(rw_cli(W), &srv, &st), 0);
    assert_int_equal(st.scan, BT_MESH_RPR_SCAN_IDLE);
    assert_int_equal(st.timeout, 0);
    settle_and_free();
}

static const uint8_t name_ad[] = { 0x07, 0x09, 'l', 'a', 'm', 'p', '-', '7' };

static void test_ext_scan_device_name_and_uri(void **state)
{
    static const uint8_t adv[] = { 0x02, 0x01, 0x06, 0x03, 0x03, 0x27, 0x18 };
    static const uint8_t types[] = { 0x09, MESHRPR_AD_TYPE_URI };
    const char *uri = "\x17//example.com/lamp7";
    const size_t uri_len = strlen(uri);
    struct bt_mesh_rpr_node srv;
    const struct rw_scan_rec *r;
    uint8_t uuid[16];
    bool got_name = false;
    bool got_uri = false;
    int s, d;

    (void)state;
    W = rw_new(0xe7a0001);
    s = rw_add_server(W, 0x0010);
    rw_link(W, 0, s, 0.0);
    uuid_of(uuid, 0x77);
    d = rw_add_device(W, uuid, BT_MESH_PROV_OOB_URI, uri);
    rw_link(W, s, d, 0.0);
    /* The device also advertises scannably, its scan response holding its name. */
    rw_device_adv(W, d, MESHRPR_ADV_SCAN_IND, adv, sizeof(adv), name_ad, sizeof(name_ad), 300);
    srv = rw_srv(W, s);
    rw_run(W, 1000);

    assert_int_equal(bt_mesh_rpr_scan_start_ext(rw_cli(W), &srv, uuid, 10, types, 2), 0);
    assert_true(rw_run_until(W, scans_pred, (void *)1, 15000));
    r = &W->scans[0];
    assert_true(r->ext);
    assert_false(r->failed);
    assert_memory_equal(r->unprov.uuid, uuid, 16);
    assert_int_equal(r->unprov.oob, BT_MESH_PROV_OOB_URI);
    for (size_t pos = 0; pos + 1 < r->adv_len; pos += 1u + r->adv[pos]) {
        if (r->adv[pos + 1] == 0x09) {
            assert_memory_equal(&r->adv[pos], name_ad, sizeof(name_ad));
            got_name = true;
        } else if (r->adv[pos + 1] == MESHRPR_AD_TYPE_URI) {
            assert_int_equal(r->adv[pos], uri_len + 1);
            assert_memory_equal(&r->adv[pos + 2], uri, uri_len);
            got_uri = true;
        }
    }
    assert_true(got_name);
    assert_true(got_uri);

    /* A device nobody hears: not found, reported through ext_scan_failed. */
    uuid_of(uuid, 0x99);
    assert_int_equal(bt_mesh_rpr_scan_start_ext(rw_cli(W), &srv, uuid, 2, types, 2), 0);
    assert_true(rw_run_until(W, scans_pred, (void *)2, 6000));
    assert_true(W->scans[1].failed);
    assert_int_equal(W->scans[1].status, BT_MESH_RPR_SUCCESS);
    assert_memory_equal(W->scans[1].unprov.uuid, uuid, 16);
    settle_and_free();
}

static void test_ext_scan_server_itself(void **state)
{
    static const uint8_t types[] = { MESHRPR_AD_TYPE_URI, 0x09 };
    const char *uri = "\x17//example.com/srv";
    struct bt_mesh_rpr_node srv;
    const struct rw_scan_rec *r;
    struct rw_node *sn;
    int s;

    (void)state;
    W = rw_new(0xe7a0002);
    s = rw_add_server(W, 0x0010);
    rw_link(W, 0, s, 0.0);
    sn = &W->nodes[s];
    /* The server's own provisioning information: its UUID, OOB and URI. */
    sn->prov.uuid = sn->uuid;
    sn->prov.uri = uri;
    sn->prov.oob_info = BT_MESH_PROV_OOB_URI;
    sn->cfg.prov = &sn->prov;
    sn->node.cfg.prov = &sn->prov;
    srv = rw_srv(W, s);

    assert_int_equal(bt_mesh_rpr_scan_start_ext(rw_cli(W), &srv, NULL, 0, types, 2), 0);
    assert_true(rw_run_until(W, scans_pred, (void *)1, 5000));
    r = &W->scans[0];
    assert_true(r->ext);
    assert_false(r->failed);
    assert_memory_equal(r->unprov.uuid, sn->uuid, 16);
    assert_int_equal(r->unprov.oob, BT_MESH_PROV_OOB_URI);
    /* URI first, then the node's name. */
    assert_int_equal(r->adv[0], strlen(uri) + 1);
    assert_int_equal(r->adv[1], MESHRPR_AD_TYPE_URI);
    assert_memory_equal(&r->adv[2], uri, strlen(uri));
    assert_int_equal(r->adv[2 + strlen(uri) + 1], 0x09);
    assert_memory_equal(&r->adv[2 + strlen(uri) + 2], sn->name, strlen(sn->name));
    settle_and_free();
}

static void test_second_client_refused(void **state)
{
    struct bt_mesh_rpr_scan_status st;
    struct bt_mesh_rpr_node srv;
    struct bt_mesh_rpr_cli *second;
    int c2;
    int s = star_world(0x5ca0004, 2, NULL);

    (void)state;
    c2 = rw_add_client(W, 0x0020);
    assert_true(c2 > 0);
    rw_link(W, c2, s, 0.0);
    second = &W->nodes[c2].rpr_cli;
    srv = rw_srv(W, s);
    assert_int_equal(bt_mesh_rpr_scan_start(rw_cli(W), &srv, NULL, 10, 0, &st), 0);
    assert_int_equal(st.status, BT_MESH_RPR_SUCCESS);
    /* While the first client scans, the second one is refused. */
    assert_int_equal(bt_mesh_rpr_scan_start(second, &srv, NULL, 10, 0, &st), 0);
    assert_int_equal(st.status, BT_MESH_RPR_ERR_INVALID_STATE);
    /* Once the first client stops, the second may scan. */
    assert_int_equal(bt_mesh_rpr_scan_stop(rw_cli(W), &srv, &st), 0);
    assert_int_equal(bt_mesh_rpr_scan_start(second, &srv, NULL, 3, 0, &st), 0);
    assert_int_equal(st.status, BT_MESH_RPR_SUCCESS);
    rw_run(W, 4000);
    settle_and_free();
}

/* ---- Provisioning -------------------------------------------------------------------------- */

static void provision_one(int s, int d, uint16_t addr)
{
    struct bt_mesh_rpr_node srv = rw_srv(W, s);
    size_t before = W->added_count;

    assert_int_equal(bt_mesh_provision_remote(rw_cli(W), &srv, W->nodes[d].uuid, RW_NET_IDX, addr),
                     0);
    assert_true(rw_run_until(W, added_pred, (void *)(uintptr_t)(before + 1), 120000));
    assert_memory_equal(W->added[before].uuid, W->nodes[d].uuid, 16);
    assert_true(rw_run_until(W, links_free_pred, NULL, 30000));
    assert_true(meshrpr_node_is_provisioned(&W->nodes[d].node));
}

static void test_provision_three_hops(void **state)
{
    int r1, r2, s, d;
    uint8_t uuid[16];

    (void)state;
    /* provisioner - relay - relay - server - device: the server is three hops away. */
    W = rw_new(0x3b0b0001);
    r1 = rw_add_relay(W, 0x0100);
    r2 = rw_add_relay(W, 0x0101);
    s = rw_add_server(W, 0x0010);
    uuid_of(uuid, 0x31);
    d = rw_add_device(W, uuid, 0, NULL);
    rw_link(W, 0, r1, 0.0);
    rw_link(W, r1, r2, 0.0);
    rw_link(W, r2, s, 0.0);
    rw_link(W, s, d, 0.0);
    provision_one(s, d, 0);
    check_configurable(W->added[0].addr);
    settle_and_free();
}

static void test_provision_lossy(void **state)
{
    int s, d;
    uint8_t uuid[16];

    (void)state;
    /* 20 % of the packets lost on every link, both ways. */
    W = rw_new(0x1055a001);
    s = rw_add_server(W, 0x0010);
    uuid_of(uuid, 0x32);
    d = rw_add_device(W, uuid, 0, NULL);
    rw_link(W, 0, s, 0.2);
    rw_link(W, s, d, 0.2);
    provision_one(s, d, 0);
    check_configurable(W->added[0].addr);
    settle_and_free();
}

static void test_four_at_once(void **state)
{
    int s[4], d[4];

    (void)state;
    /* Four servers, a device near each: four links at once through one client, with the
     * default Network Transmit (three transmissions of every network PDU). */
    W = rw_new(0x4a710001);
    for (int i = 0; i < 4; i++) {
        uint8_t uuid[16];
        s[i] = rw_add_server(W, (uint16_t)(0x0010 + i));
        uuid_of(uuid, (uint8_t)(0x50 + i));
        d[i] = rw_add_device(W, uuid, 0, NULL);
        rw_link(W, 0, s[i], 0.0);
        rw_link(W, s[i], d[i], 0.0);
    }
    for (int i = 0; i < 4; i++) {
        struct bt_mesh_rpr_node srv = rw_srv(W, s[i]);
        assert_int_equal(
            bt_mesh_provision_remote(rw_cli(W), &srv, W->nodes[d[i]].uuid, RW_NET_IDX, 0), 0);
    }
    assert_int_equal(meshrpr_rpr_cli_link_count(rw_cli(W)), 4);
    assert_true(rw_run_until(W, added_pred, (void *)4, 60000));
    assert_true(rw_run_until(W, links_free_pred, NULL, 30000));
    /* Each got its own address range. */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rw_added_count(W, W->nodes[d[i]].uuid), 1);
        assert_true(meshrpr_node_is_provisioned(&W->nodes[d[i]].node));
        for (int j = 0; j < i; j++) {
            assert_int_not_equal(meshrpr_node_addr(&W->nodes[d[i]].node),
                                 meshrpr_node_addr(&W->nodes[d[j]].node));
        }
        check_configurable(meshrpr_node_addr(&W->nodes[d[i]].node));
    }
    settle_and_free();
}

/* Issue #11: the client scans through more servers at once than it has segmented-receive
 * contexts (MESHRPR_SAR_RX_COUNT), every server hearing the same three devices, several
 * seeds. Every server reports every device exactly once: a Scan Report that found no free
 * context at the client is sent again. */
#define MANY_SERVERS (2 * MESHRPR_SAR_RX_COUNT)
#define MANY_DEVICES 3

static void test_scan_many_servers_at_once(void **state)
{
    unsigned missing = 0;

    (void)state;
    for (uint64_t seed = 0; seed < 6; seed++) {
        int s[MANY_SERVERS];
        int d[MANY_DEVICES];

        W = rw_new(0x5ca1000 + seed);
        assert_non_null(W);
        for (int j = 0; j < MANY_DEVICES; j++) {
            uint8_t uuid[16];
            uuid_of(uuid, (uint8_t)(0x40 + j));
            d[j] = rw_add_device(W, uuid, 0, NULL);
            assert_true(d[j] > 0);
        }
        for (int i = 0; i < MANY_SERVERS; i++) {
            s[i] = rw_add_server(W, (uint16_t)(0x0100 + i));
            assert_true(s[i] > 0);
            rw_link(W, 0, s[i], 0.0);
            for (int j = 0; j < MANY_DEVICES; j++) {
                rw_link(W, s[i], d[j], 0.0);
            }
        }
        for (int i = 0; i < MANY_SERVERS; i++) {
            struct bt_mesh_rpr_node srv = rw_srv(W, s[i]);
            /* Not waiting for each Scan Status: all servers start together. */
            assert_int_equal(bt_mesh_rpr_scan_start(rw_cli(W), &srv, NULL, 10, 0, NULL), 0);
        }
        rw_run(W, 20000);
        for (int i = 0; i < MANY_SERVERS; i++) {
            for (int j = 0; j < MANY_DEVICES; j++) {
                unsigned n = 0;
                for (size_t k = 0; k < W->scan_count; k++) {
                    n += W->scans[k].srv == W->nodes[s[i]].addr &&
                                 memcmp(W->scans[k].unprov.uuid, W->nodes[d[j]].uuid, 16) == 0
                             ? 1
                             : 0;
                }
                if (n != 1) {
                    printf("seed %u: server 0x%04x reported device %d %u times\n", (unsigned)seed,
                           W->nodes[s[i]].addr, j, n);
                    missing++;
                }
            }
        }
        settle_and_free();
    }
    assert_int_equal(missing, 0);
}

/* Issue #12: a client given more links than MESHRPR_RPR_CLI_LINK_COUNT at run time
 * (meshrpr_rpr_cli_links_set()) and as many provisioner sessions provisions that many devices
 * at once, through as many servers, every PDU Send of every link in flight together; a link
 * more than the table is refused, and the table cannot change while links are in use. */
#define WIDE_LINKS (MESHRPR_RPR_CLI_LINK_COUNT + 4)

static void test_provision_many_links_at_once(void **state)
{
    struct meshrpr_rpr_cli_link spare[2];
    int s[WIDE_LINKS + 1];
    int d[WIDE_LINKS + 1];

    (void)state;
    W = rw_new_sized(0x5ca1100, WIDE_LINKS);
    assert_non_null(W);
    assert_int_equal(meshrpr_rpr_cli_link_capacity(rw_cli(W)), WIDE_LINKS);
    for (int i = 0; i <= WIDE_LINKS; i++) {
        uint8_t uuid[16];
        s[i] = rw_add_server(W, (uint16_t)(0x0100 + i));
        assert_true(s[i] > 0);
        rw_link(W, 0, s[i], 0.0);
        uuid_of(uuid, (uint8_t)(0x60 + i));
        d[i] = rw_add_device(W, uuid, 0, NULL);
        assert_true(d[i] > 0);
        rw_link(W, s[i], d[i], 0.0);
    }
    rw_run(W, 1000);
    for (int i = 0; i < WIDE_LINKS; i++) {
        struct bt_mesh_rpr_node srv = rw_srv(W, s[i]);
        assert_int_equal(
            bt_mesh_provision_remote(rw_cli(W), &srv, W->nodes[d[i]].uuid, RW_NET_IDX, 0), 0);
    }
    assert_int_equal(meshrpr_rpr_cli_link_count(rw_cli(W)), WIDE_LINKS);
    {
        struct bt_mesh_rpr_node srv = rw_srv(W, s[WIDE_LINKS]);
        assert_int_equal(
            bt_mesh_provision_remote(rw_cli(W), &srv, W->nodes[d[WIDE_LINKS]].uuid, RW_NET_IDX, 0),
            -ENOMEM);
    }
    assert_int_equal(meshrpr_rpr_cli_links_set(rw_cli(W), spare, 2), -EBUSY);
    assert_int_equal(meshrpr_rpr_cli_links_set(rw_cli(W), NULL, 0), -EBUSY);
    assert_int_equal(meshrpr_rpr_cli_links_set(rw_cli(W), spare, 0), -EINVAL);
    assert_int_equal(meshrpr_rpr_cli_links_set(NULL, spare, 2), -EINVAL);
    /* One link's provisioning takes about 4 s alone; all of them together take little more
     * (with one PDU Send at a time across links they took about WIDE_LINKS times as long). */
    assert_true(rw_run_until(W, added_pred, (void *)(uintptr_t)WIDE_LINKS, 12000));
    for (int i = 0; i < WIDE_LINKS; i++) {
        assert_true(meshrpr_node_is_provisioned(&W->nodes[d[i]].node));
    }
    assert_true(rw_run_until(W, links_free_pred, NULL, 30000));
    /* Back to the built-in table once idle. */
    assert_int_equal(meshrpr_rpr_cli_links_set(rw_cli(W), NULL, 0), 0);
    assert_int_equal(meshrpr_rpr_cli_link_capacity(rw_cli(W)), MESHRPR_RPR_CLI_LINK_COUNT);
    settle_and_free();
}

static void test_scan_while_provisioning(void **state)
{
    struct bt_mesh_rpr_scan_status st;
    struct bt_mesh_rpr_node srv;
    int d0;
    int s = star_world(0x5ca0005, 2, &d0);

    (void)state;
    srv = rw_srv(W, s);
    /* As Zephyr's pb_remote_parallel: provisioning device 0, then a single-device scan for
     * device 1 through the same server while the link is open. */
    assert_int_equal(bt_mesh_provision_remote(rw_cli(W), &srv, W->nodes[d0].uuid, RW_NET_IDX, 0),
                     0);
    assert_int_equal(meshrpr_rpr_cli_link_count(rw_cli(W)), 1);
    assert_int_equal(bt_mesh_rpr_scan_start(rw_cli(W), &srv, W->nodes[d0 + 1].uuid, 5, 0, &st), 0);
    assert_int_equal(st.status, BT_MESH_RPR_SUCCESS);
    assert_int_equal(st.scan, BT_MESH_RPR_SCAN_SINGLE);
    assert_true(rw_run_until(W, added_pred, (void *)1, 30000));
    rw_run(W, 6000);
    assert_int_equal(scans_of(W->nodes[d0 + 1].uuid), 1);
    assert_true(rw_run_until(W, links_free_pred, NULL, 30000));
    /* Then the scanned device. */
    provision_one(s, d0 + 1, 0);
    settle_and_free();
}

static bool unprovisioned_pred(struct rpr_world *w, void *arg)
{
    return !meshrpr_node_is_provisioned(&w->nodes[(int)(intptr_t)arg].node);
}

static void test_provision_reset_repeat(void **state)
{
    int d0;
    int s = star_world(0x5ca0006, 1, &d0);

    (void)state;
    for (int round = 0; round < 3; round++) {
        struct meshrpr_cdb_node *entry;
        uint16_t addr;
        bool reset = false;

        /* A new address each round: the device restarts its SEQ at 0, and every node's
         * network message cache (§3.4.6.5, keyed by SRC and SEQ) would drop its first PDUs
         * under an address it used before, so a removed node's addresses are not reused at
         * once (the Mesh Configuration Database keeps them reserved as "excluded"). */
        provision_one(s, d0, (uint16_t)(0x0100 + round));
        addr = W->added[W->added_count - 1].addr;
        assert_int_equal(addr, 0x0100 + round);
        check_configurable(addr);
        /* Config Node Reset, then the node leaves the database. */
        assert_int_equal(meshrpr_cfg_cli_node_reset(&rw_prov(W)->cfg_cli, RW_NET_IDX, addr, &reset),
                         0);
        assert_true(reset);
        assert_true(rw_run_until(W, unprovisioned_pred, (void *)(intptr_t)d0, 5000));
        entry = meshrpr_cdb_node_get(&W->cdb, addr);
        assert_non_null(entry);
        meshrpr_cdb_node_del(&W->cdb, entry);
        /* The device offers itself again, as an application does from its reset callback. */
        assert_int_equal(W->dev_reset_count, (unsigned)round + 1);
        assert_int_equal(meshrpr_prov_enable(&W->nodes[d0].node, BT_MESH_PROV_ADV), 0);
        rw_run(W, 2000);
    }
    assert_int_equal(W->added_count, 3);
    settle_and_free();
}

/* ---- Failures ending cleanly --------------------------------------------------------------- */

static const struct rw_link_rec *link_rec(enum bt_mesh_rpr_link_state state)
{
    for (size_t i = 0; i < W->link_count; i++) {
        if (W->links[i].link.state == state) {
            return &W->links[i];
        }
    }
    return NULL;
}

static void test_device_ignores_link_open(void **state)
{
    struct meshrpr_prov_result res;
    struct bt_mesh_rpr_node srv;
    const struct rw_link_rec *idle;
    uint8_t uuid[16];
    uint64_t t0;
    int s, sc;

    (void)state;
    W = rw_new(0xfa170001);
    s = rw_add_server(W, 0x0010);
    rw_link(W, 0, s, 0.0);
    uuid_of(uuid, 0x61);
    sc = rw_add_script(W, uuid);
    W->scripts[sc].ignore_open = true;
    rw_link_script(W, s, sc, 0.0);
    srv = rw_srv(W, s);

    t0 = rw_now_ms(W);
    assert_int_equal(bt_mesh_provision_remote(rw_cli(W), &srv, uuid, RW_NET_IDX, 0), 0);
    assert_true(rw_run_until(W, links_free_pred, NULL, 30000));
    idle = link_rec(BT_MESH_RPR_LINK_IDLE);
    assert_non_null(idle);
    /* The link timer: 10 s after the Link Open. */
    assert_in_range(idle->t_ms - t0, 10000, 10300);
    assert_true(W->scripts[sc].link_open_rx > 0);
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(W)->node, &res), 0);
    assert_int_not_equal(res.status, MESHRPR_PROV_STATUS_SUCCESS);
    assert_int_equal(W->added_count, 0);
    settle_and_free();
}

/* The silent server: an imposter op table takes the real server's place once the link is
 * open, as Zephyr's test does; the node still acknowledges every segment. */
static unsigned imp_link_close;
static uint64_t imp_link_close_first_ms;
static unsigned imp_pdu_send;

static int imp_close(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                     struct net_buf_simple *buf)
{
    (void)model;
    (void)ctx;
    (void)buf;
    if (imp_link_close++ == 0) {
        imp_link_close_first_ms = rw_now_ms(W);
    }
    return 0;
}

static int imp_pdu(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                   struct net_buf_simple *buf)
{
    (void)model;
    (void)ctx;
    (void)buf;
    imp_pdu_send++;
    return 0;
}

static const struct bt_mesh_model_op imposter_ops[] = {
    { RPR_OP_LINK_CLOSE, BT_MESH_LEN_MIN(0), imp_close },
    { RPR_OP_PDU_SEND, BT_MESH_LEN_MIN(0), imp_pdu },
    BT_MESH_MODEL_OP_END,
};

static bool caps_seen_pred(struct rpr_world *w, void *arg)
{
    (void)arg;
    return w->caps_count > 0;
}

static void test_server_silent_after_open(void **state)
{
    struct bt_mesh_rpr_link link;
    struct bt_mesh_rpr_node srv;
    const struct rw_link_rec *idle;
    const struct bt_mesh_model_op *real_ops;
    uint8_t uuid[16];
    int s, d;

    (void)state;
    imp_link_close = 0;
    imp_pdu_send = 0;
    W = rw_new(0xfa170002);
    s = rw_add_server(W, 0x0010);
    uuid_of(uuid, 0x62);
    d = rw_add_device(W, uuid, 0, NULL);
    rw_link(W, 0, s, 0.0);
    rw_link(W, s, d, 0.0);
    srv = rw_srv(W, s);
    real_ops = W->nodes[s].models[1].op;

    assert_int_equal(bt_mesh_provision_remote(rw_cli(W), &srv, uuid, RW_NET_IDX, 0), 0);
    /* Once the device's Capabilities arrived, the server falls silent (and loses the device). */
    assert_true(rw_run_until(W, caps_seen_pred, NULL, 20000));
    W->nodes[s].models[1].op = imposter_ops;
    (void)meshrpr_sim_link_remove(&W->sim, W->nodes[s].sim_id, W->nodes[d].sim_id);

    assert_true(rw_run_until(W, links_free_pred, NULL, 90000));
    idle = link_rec(BT_MESH_RPR_LINK_IDLE);
    assert_non_null(idle);
    assert_int_equal(idle->link.status, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT);
    /* 60 s after the server's last message (the PDU Report of the Capabilities). */
    assert_in_range(idle->t_ms - W->caps_t_ms, 60000, 60300);
    /* The client told the server: Link Close, three times since nothing answers. */
    assert_int_equal(imp_link_close, 3);
    assert_in_range(imp_link_close_first_ms - W->caps_t_ms, 60000, 60300);
    assert_true(imp_pdu_send >= 1);
    assert_int_equal(W->link_close_count, 1);
    assert_int_equal(W->added_count, 0);

    /* The server comes back; closing its stale link leaves everything idle. */
    W->nodes[s].models[1].op = real_ops;
    rw_link(W, s, d, 0.0);
    assert_int_equal(bt_mesh_rpr_link_close(rw_cli(W), &srv, &link), 0);
    settle_and_free();
}

static void test_device_out_of_order(void **state)
{
    struct meshrpr_prov_result res;
    struct bt_mesh_rpr_node srv;
    uint8_t uuid[16];
    int s, sc;

    (void)state;
    W = rw_new(0xfa170003);
    s = rw_add_server(W, 0x0010);
    rw_link(W, 0, s, 0.0);
    uuid_of(uuid, 0x63);
    sc = rw_add_script(W, uuid);
    /* The device answers the Invite with Provisioning Complete. */
    W->scripts[sc].answer[0] = MESHRPR_PROV_COMPLETE;
    W->scripts[sc].answer_len = 1;
    rw_link_script(W, s, sc, 0.0);
    srv = rw_srv(W, s);

    assert_int_equal(bt_mesh_provision_remote(rw_cli(W), &srv, uuid, RW_NET_IDX, 0), 0);
    assert_true(rw_run_until(W, links_free_pred, NULL, 30000));
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(W)->node, &res), 0);
    assert_int_equal(res.status, MESHRPR_PROV_STATUS_REFUSED);
    assert_int_equal(res.error_code, MESHRPR_PROV_ERR_UNEXPECTED_PDU);
    /* The server closed the device's link when the client closed its own. */
    rw_run(W, 3000);
    assert_true(W->scripts[sc].link_close_rx > 0);
    assert_int_equal(W->added_count, 0);
    settle_and_free();
}

static void test_network_duplicates(void **state)
{
    const struct meshrpr_sim_node_stats *st;
    int r1, r2, s, d;
    uint8_t uuid[16];

    (void)state;
    /* Two relays between the provisioner and the server: every network PDU reaches each side
     * twice. The network cache and the lower transport drop the copies; the client sees each
     * PDU Report once (and would drop a repeated one by its number, see test_rpr_cli). */
    W = rw_new(0xd0b10001);
    r1 = rw_add_relay(W, 0x0100);
    r2 = rw_add_relay(W, 0x0101);
    s = rw_add_server(W, 0x0010);
    uuid_of(uuid, 0x64);
    d = rw_add_device(W, uuid, 0, NULL);
    rw_link(W, 0, r1, 0.0);
    rw_link(W, 0, r2, 0.0);
    rw_link(W, r1, s, 0.0);
    rw_link(W, r2, s, 0.0);
    rw_link(W, s, d, 0.0);
    provision_one(s, d, 0);
    assert_int_equal(W->added_count, 1);
    st = meshrpr_sim_node_stats(&W->sim, W->nodes[0].sim_id);
    assert_true(st->rx > st->tx);
    settle_and_free();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_scan_example),
        cmocka_unit_test(test_doc_provision_example),
        cmocka_unit_test(test_doc_reprovision_example),
        cmocka_unit_test(test_scan_single_uuid),
        cmocka_unit_test(test_scan_multi_limit),
        cmocka_unit_test(test_scan_stop_and_timeout),
        cmocka_unit_test(test_ext_scan_device_name_and_uri),
        cmocka_unit_test(test_ext_scan_server_itself),
        cmocka_unit_test(test_second_client_refused),
        cmocka_unit_test(test_provision_three_hops),
        cmocka_unit_test(test_provision_lossy),
        cmocka_unit_test(test_four_at_once),
        cmocka_unit_test(test_scan_while_provisioning),
        cmocka_unit_test(test_scan_many_servers_at_once),
        cmocka_unit_test(test_provision_many_links_at_once),
        cmocka_unit_test(test_provision_reset_repeat),
        cmocka_unit_test(test_device_ignores_link_open),
        cmocka_unit_test(test_server_silent_after_open),
        cmocka_unit_test(test_device_out_of_order),
        cmocka_unit_test(test_network_duplicates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
