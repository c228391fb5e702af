/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the simulator's scanner side (sim/radio.c): adv_report delivery with the sender's
 * address, address type, PDU type, RSSI and whole AdvData; raw advertising with several AD
 * structures and which of them reach a node that only has adv_recv; active and passive
 * scanning with scan responses (only to the active scanner that asked, only for scannable
 * PDUs, at T_IFS + SCAN_REQ + T_IFS + SCAN_RSP after the PDU, one per advertising event, one
 * loss draw on the advertiser's link); and the argument checks of the new calls. Expected
 * times, RSSIs and octets are written out from the Core Specification's packet layouts, not
 * taken from the simulator. */
#include "test_sim_dummy.h"
#include "test_util.h"

#include <meshrpr/util.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NODES      5
#define MAX_EVENTS 16384

/* Airtimes at 1 Mbit/s, 8 µs per octet: preamble 1 + access address 4 + header 2 + AdvA 6 +
 * data + CRC 3 = 16 + data octets. */
#define AIR_US(data_len) ((16u + (data_len)) * 8u)
/* T_IFS (Core Spec Vol 6 Part B §4.1.1) and a SCAN_REQ: 16 octets + ScanA 6 = 22 octets. */
#define TIFS_US     150u
#define SCAN_REQ_US 176u

struct event {
    enum meshrpr_sim_radio_kind kind;
    uint64_t time_us;
    uint32_t tx_id;
    int from;
    int to;
    int8_t rssi;
    uint8_t ad_type;
    size_t len;
    uint8_t pdu_type;
    uint8_t adv_type;
    size_t adv_len;
    uint8_t adv_data[MESHRPR_SIM_MAX_ADV_DATA];
};

struct fixture {
    struct meshrpr_sim sim;
    struct dummy_node nodes[NODES];
    struct event events[MAX_EVENTS];
    size_t event_count;
};

static void observe(void *arg, const struct meshrpr_sim_radio_event *ev)
{
    struct fixture *fx = arg;
    assert_true(fx->event_count < MAX_EVENTS);
    struct event *e = &fx->events[fx->event_count++];
    *e = (struct event){
        .kind = ev->kind,
        .time_us = ev->time_us,
        .tx_id = ev->tx_id,
        .from = ev->from,
        .to = ev->to,
        .rssi = ev->rssi,
        .ad_type = ev->ad_type,
        .len = ev->len,
        .pdu_type = ev->pdu_type,
        .adv_type = ev->adv_type,
        .adv_len = ev->adv_len,
    };
    assert_non_null(ev->data);
    assert_true(ev->adv_len <= sizeof(e->adv_data));
    memcpy(e->adv_data, ev->adv_data, ev->adv_len);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    meshrpr_sim_init(&fx->sim, 77);
    meshrpr_sim_set_observer(&fx->sim, observe, fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void place(struct fixture *fx, int id, double x_m)
{
    assert_int_equal(meshrpr_sim_node_set_position(&fx->sim, id, x_m, 0.0), 0);
}

static void settle(struct fixture *fx)
{
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);
}

static void set_active(struct fixture *fx, int id, bool active)
{
    const struct meshrpr_platform *p = fx->nodes[id].platform;
    assert_non_null(p->scan_active_set);
    assert_int_equal(p->scan_active_set(p->ctx, active), 0);
    assert_int_equal(meshrpr_sim_node_scan_active(&fx->sim, id), active);
}

/* Count observer events of kind (from, to; -2 matches any). */
static size_t count_events(const struct fixture *fx, enum meshrpr_sim_radio_kind kind, int from,
                           int to)
{
    size_t n = 0;
    for (size_t i = 0; i < fx->event_count; i++) {
        const struct event *e = &fx->events[i];
        if (e->kind == kind && (from == -2 || e->from == from) && (to == -2 || e->to == to)) {
            n++;
        }
    }
    return n;
}

/* The last TX event of node from. */
static const struct event *last_tx(const struct fixture *fx, int from)
{
    for (size_t i = fx->event_count; i-- > 0;) {
        if (fx->events[i].kind == MESHRPR_SIM_RADIO_TX && fx->events[i].from == from) {
            return &fx->events[i];
        }
    }
    fail();
    return NULL;
}

/* An Unprovisioned Device beacon (UUID 70cf7c97-32a3-45b6-9149-4810d2e9cbf4, OOB 0). */
#define BEACON "00 70cf7c9732a345b691494810d2e9cbf4 0000"

static void test_adv_report_carries_sender_and_data(void **state)
{
    struct fixture *fx = *state;
    TEST_HEX(beacon, BEACON);
    TEST_HEX(addr, "c01122334455");

    dummy_node_add(&fx->sim, &fx->nodes[0], "dev");
    dummy_node_add_reporter(&fx->sim, &fx->nodes[1], "near");
    dummy_node_add(&fx->sim, &fx->nodes[2], "legacy");
    dummy_node_add_reporter(&fx->sim, &fx->nodes[3], "far");
    place(fx, 1, 10.0);
    place(fx, 2, 10.0);
    place(fx, 3, 100.0);
    assert_int_equal(meshrpr_sim_node_set_adv_addr(&fx->sim, 0, addr), 0);

    /* Through the platform hook: one AD structure in an ADV_NONCONN_IND. */
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2b, beacon, beacon_len, 1, 0), 0);
    settle(fx);

    const struct event *tx = last_tx(fx, 0);
    const struct dummy_node *near = &fx->nodes[1];
    assert_int_equal(near->report_count, 1);
    assert_int_equal(near->rx_count, 0); /* adv_report replaces adv_recv */
    const struct dummy_report *r = &near->reports[0];
    assert_hex_equal(r->addr, 6, "554433 2211c0"); /* HCI order: least significant first */
    assert_int_equal(r->addr_type, 1);
    assert_int_equal(r->adv_type, 0x03); /* HCI ADV_NONCONN_IND */
    assert_int_equal(r->rssi, -65);      /* -40 dBm at 1 m, -25 dB per decade, 10 m */
    assert_hex_equal(r->data, r->len, "14 2b" BEACON);
    assert_int_equal(r->time_us, tx->time_us + AIR_US(2 + 19));
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 1)->rx, 1);

    assert_int_equal(fx->nodes[3].report_count, 1);
    assert_int_equal(fx->nodes[3].reports[0].rssi, -90); /* 100 m */

    /* A node without adv_report gets the AD structure through adv_recv, as before. */
    const struct dummy_node *legacy = &fx->nodes[2];
    assert_int_equal(legacy->rx_count, 1);
    assert_int_equal(legacy->rx[0].ad_type, 0x2b);
    assert_int_equal(legacy->rx[0].rssi, -65);
    assert_hex_equal(legacy->rx[0].data, legacy->rx[0].len, BEACON);

    /* The observer sees the link-layer and HCI types, the first AD structure and the whole
     * AdvData. */
    assert_int_equal(tx->pdu_type, 0x2);
    assert_int_equal(tx->adv_type, 0x03);
    assert_int_equal(tx->ad_type, 0x2b);
    assert_int_equal(tx->len, 19);
    assert_hex_equal(tx->adv_data, tx->adv_len, "14 2b" BEACON);
}

/* 31 octets: Flags, a Mesh Message, a Complete Local Name, a Mesh Beacon, a PB-ADV PDU and
 * Manufacturer Specific Data. */
#define MIXED_ADV "020106 032aaabb 05096e6f6465 062b0102030405 03291122 06ff5900deadbe"

static void test_raw_advertising_with_several_ad_structures(void **state)
{
    struct fixture *fx = *state;
    TEST_HEX(mixed, MIXED_ADV);
    assert_int_equal(mixed_len, 31);

    dummy_node_add(&fx->sim, &fx->nodes[0], "dev");
    dummy_node_add_reporter(&fx->sim, &fx->nodes[1], "reporter");
    dummy_node_add(&fx->sim, &fx->nodes[2], "legacy");

    assert_int_equal(
        dummy_node_send_raw(&fx->nodes[0], MESHRPR_ADV_NONCONN_IND, mixed, mixed_len, 1, 0), 0);
    settle(fx);

    /* The whole AdvData, in a 376 µs PDU. */
    const struct dummy_report *r = &fx->nodes[1].reports[0];
    assert_int_equal(fx->nodes[1].report_count, 1);
    assert_int_equal(r->adv_type, 0x03);
    assert_hex_equal(r->data, r->len, MIXED_ADV);
    assert_int_equal(r->time_us - last_tx(fx, 0)->time_us, 376);

    /* adv_recv gets the three mesh AD structures, in order, and nothing else. */
    const struct dummy_node *legacy = &fx->nodes[2];
    assert_int_equal(legacy->rx_count, 3);
    assert_int_equal(legacy->rx[0].ad_type, 0x2a);
    assert_hex_equal(legacy->rx[0].data, legacy->rx[0].len, "aabb");
    assert_int_equal(legacy->rx[1].ad_type, 0x2b);
    assert_hex_equal(legacy->rx[1].data, legacy->rx[1].len, "0102030405");
    assert_int_equal(legacy->rx[2].ad_type, 0x29);
    assert_hex_equal(legacy->rx[2].data, legacy->rx[2].len, "1122");
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 2)->rx, 1); /* one PDU */

    /* Connectable and scannable PDUs carry the same data; a mesh bearer ignores them. */
    assert_int_equal(dummy_node_send_raw(&fx->nodes[0], MESHRPR_ADV_IND, mixed, mixed_len, 1, 0),
                     0);
    assert_int_equal(
        dummy_node_send_raw(&fx->nodes[0], MESHRPR_ADV_SCAN_IND, mixed, mixed_len, 1, 0), 0);
    settle(fx);
    assert_int_equal(fx->nodes[1].report_count, 3);
    assert_int_equal(fx->nodes[1].reports[1].adv_type, 0x00);
    assert_int_equal(fx->nodes[1].reports[2].adv_type, 0x02);
    assert_hex_equal(fx->nodes[1].reports[2].data, fx->nodes[1].reports[2].len, MIXED_ADV);
    assert_int_equal(legacy->rx_count, 3);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 2)->rx, 3);

    /* A length running past the end, or a zero length (early end of the data), stops the
     * walk; the reporter still gets every octet. */
    TEST_HEX(overrun, "032aaabb 092b01");
    TEST_HEX(early_end, "032aaabb 00 032b0102");
    assert_int_equal(
        dummy_node_send_raw(&fx->nodes[0], MESHRPR_ADV_NONCONN_IND, overrun, overrun_len, 1, 0), 0);
    assert_int_equal(
        dummy_node_send_raw(&fx->nodes[0], MESHRPR_ADV_NONCONN_IND, early_end, early_end_len, 1, 0),
        0);
    /* Empty AdvData is legal. */
    assert_int_equal(dummy_node_send_raw(&fx->nodes[0], MESHRPR_ADV_NONCONN_IND, NULL, 0, 1, 0), 0);
    settle(fx);
    assert_int_equal(legacy->rx_count, 5);
    assert_hex_equal(legacy->rx[3].data, legacy->rx[3].len, "aabb");
    assert_hex_equal(legacy->rx[4].data, legacy->rx[4].len, "aabb");
    assert_int_equal(fx->nodes[1].report_count, 6);
    assert_hex_equal(fx->nodes[1].reports[3].data, fx->nodes[1].reports[3].len, "032aaabb092b01");
    assert_hex_equal(fx->nodes[1].reports[4].data, fx->nodes[1].reports[4].len,
                     "032aaabb00032b0102");
    assert_int_equal(fx->nodes[1].reports[5].len, 0);
    /* The observer reports no first AD structure for the malformed and empty data. */
    assert_int_equal(last_tx(fx, 0)->len, 0);
    assert_int_equal(last_tx(fx, 0)->ad_type, 0);
}

static void test_raw_advertising_errors(void **state)
{
    struct fixture *fx = *state;
    uint8_t big[MESHRPR_SIM_MAX_ADV_DATA + 1] = { 0 };

    dummy_node_add(&fx->sim, &fx->nodes[0], "dev");
    struct dummy_node *dev = &fx->nodes[0];
    assert_int_equal(dummy_node_send_raw(dev, MESHRPR_ADV_IND, big, sizeof(big), 1, 0), -EMSGSIZE);
    assert_int_equal(dummy_node_send_raw(dev, MESHRPR_ADV_DIRECT_IND, big, 3, 1, 0), -EINVAL);
    assert_int_equal(dummy_node_send_raw(dev, MESHRPR_ADV_SCAN_RSP, big, 3, 1, 0), -EINVAL);
    assert_int_equal(dummy_node_send_raw(dev, 0x07, big, 3, 1, 0), -EINVAL);
    assert_int_equal(dummy_node_send_raw(dev, MESHRPR_ADV_IND, NULL, 3, 1, 0), -EINVAL);
    assert_int_equal(dummy_node_send_raw(dev, MESHRPR_ADV_IND, big, 3, 0, 0), -EINVAL);
    assert_int_equal(meshrpr_sim_adv_send_raw(&fx->sim, 1, MESHRPR_ADV_IND, big, 3, NULL), -EINVAL);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 0)->tx_refused, 6);
    /* 31 octets fit; NULL params mean one transmission. */
    assert_int_equal(
        meshrpr_sim_adv_send_raw(&fx->sim, 0, MESHRPR_ADV_IND, big, sizeof(big) - 1, NULL), 0);
    settle(fx);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 0)->tx, 1);

    /* Scan response data and scanner mode. */
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&fx->sim, 0, big, sizeof(big)), -EMSGSIZE);
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&fx->sim, 0, NULL, 1), -EINVAL);
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&fx->sim, 1, big, 1), -EINVAL);
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&fx->sim, 0, NULL, 0), 0);
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&fx->sim, 0, big, sizeof(big) - 1), 0);
    assert_int_equal(meshrpr_sim_node_set_scan_active(&fx->sim, 1, true), -EINVAL);
    assert_int_equal(meshrpr_sim_node_set_scan_active(&fx->sim, -1, true), -EINVAL);
    assert_false(meshrpr_sim_node_scan_active(&fx->sim, 1));
    assert_false(meshrpr_sim_node_scan_active(&fx->sim, 0)); /* passive by default */
    assert_int_equal(meshrpr_sim_node_set_scan_active(&fx->sim, 0, true), 0);
    assert_true(meshrpr_sim_node_scan_active(&fx->sim, 0));
}

/* Scan response of the device: Complete Local Name "mesh-dev" and a URI ("https:" scheme
 * 0x17, "//x"), 16 octets. */
#define SCAN_RSP "0909 6d6573682d646576 0524 172f2f78"
/* Its advertising: Flags and the 16-bit UUID Mesh Provisioning, 7 octets. */
#define DEV_ADV "020106 03032718"

/* Node 0 the device (scan response data, AdvA c0:11:22:33:44:55), 1 an active reporter at
 * 5 m, 2 a passive reporter, 3 an active node with only adv_recv. */
static void scan_world(struct fixture *fx)
{
    TEST_HEX(rsp, SCAN_RSP);
    TEST_HEX(addr, "c01122334455");

    dummy_node_add(&fx->sim, &fx->nodes[0], "dev");
    dummy_node_add_reporter(&fx->sim, &fx->nodes[1], "active");
    dummy_node_add_reporter(&fx->sim, &fx->nodes[2], "passive");
    dummy_node_add(&fx->sim, &fx->nodes[3], "legacy");
    place(fx, 1, 5.0);
    place(fx, 2, 2.0);
    place(fx, 3, 3.0);
    assert_int_equal(meshrpr_sim_node_set_adv_addr(&fx->sim, 0, addr), 0);
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&fx->sim, 0, rsp, rsp_len), 0);
    set_active(fx, 1, true);
    set_active(fx, 3, true);
}

static void send_dev_adv(struct fixture *fx, uint8_t adv_type, uint8_t count)
{
    TEST_HEX(adv, DEV_ADV);
    assert_int_equal(dummy_node_send_raw(&fx->nodes[0], adv_type, adv, adv_len, count, 0), 0);
    settle(fx);
}

static void test_scan_response_reaches_only_the_active_scanner(void **state)
{
    struct fixture *fx = *state;
    scan_world(fx);

    send_dev_adv(fx, MESHRPR_ADV_SCAN_IND, 1);

    /* The active reporter: the ADV_SCAN_IND, then the SCAN_RSP 732 µs after it ended. */
    const struct dummy_node *active = &fx->nodes[1];
    assert_int_equal(active->report_count, 2);
    const struct dummy_report *adv = &active->reports[0];
    const struct dummy_report *rsp = &active->reports[1];
    assert_int_equal(adv->adv_type, 0x02);
    assert_hex_equal(adv->data, adv->len, DEV_ADV);
    assert_int_equal(rsp->adv_type, 0x04); /* HCI SCAN_RSP */
    assert_hex_equal(rsp->data, rsp->len, SCAN_RSP);
    assert_hex_equal(rsp->addr, 6, "5544332211c0");
    assert_int_equal(rsp->addr_type, 1);
    assert_int_equal(rsp->rssi, -57); /* -40 - 25 log10(5) = -57.47 */
    assert_int_equal(rsp->time_us - adv->time_us, TIFS_US + SCAN_REQ_US + TIFS_US + AIR_US(16));
    assert_int_equal(rsp->time_us - adv->time_us, 732);
    assert_int_equal(MESHRPR_SIM_SCAN_RSP_DELAY_US(16), 732);

    /* The passive one hears the advertising only. */
    assert_int_equal(fx->nodes[2].report_count, 1);
    assert_int_equal(fx->nodes[2].reports[0].adv_type, 0x02);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 2)->scan_req_tx, 0);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 2)->scan_rsp_rx, 0);

    /* The active node without adv_report scans too, but no mesh AD reaches adv_recv. */
    assert_int_equal(fx->nodes[3].rx_count, 0);
    const struct meshrpr_sim_node_stats *legacy = meshrpr_sim_node_stats(&fx->sim, 3);
    assert_int_equal(legacy->scan_req_tx, 1);
    assert_int_equal(legacy->scan_rsp_rx, 1);
    assert_int_equal(legacy->rx, 2);

    const struct meshrpr_sim_node_stats *dev = meshrpr_sim_node_stats(&fx->sim, 0);
    assert_int_equal(dev->tx, 1);
    assert_int_equal(dev->scan_rsp_tx, 2);
    assert_int_equal(dev->rx, 0);

    /* On air: ADV_SCAN_IND (23 octets, 184 µs), SCAN_REQs 150 µs after it, SCAN_RSPs 150 µs
     * after them, each received by its own scanner only. */
    assert_int_equal(fx->events[0].kind, MESHRPR_SIM_RADIO_TX);
    assert_int_equal(fx->events[0].pdu_type, 0x6);
    const uint64_t end_us = fx->events[0].time_us + AIR_US(7);
    assert_int_equal(adv->time_us, end_us);
    assert_int_equal(count_events(fx, MESHRPR_SIM_RADIO_SCAN_REQ, -2, -2), 2);
    size_t req = 0, rsp_tx = 0, rsp_rx = 0;
    for (size_t i = 0; i < fx->event_count; i++) {
        const struct event *e = &fx->events[i];
        if (e->kind == MESHRPR_SIM_RADIO_SCAN_REQ) {
            assert_true(e->from == 1 || e->from == 3);
            assert_int_equal(e->to, 0);
            assert_int_equal(e->time_us, end_us + TIFS_US);
            assert_int_equal(e->pdu_type, 0x3);
            assert_int_equal(e->adv_len, 0);
            req++;
        } else if (e->kind == MESHRPR_SIM_RADIO_TX && e->pdu_type == 0x4) {
            assert_int_equal(e->from, 0);
            assert_int_equal(e->adv_type, 0x04);
            assert_int_equal(e->time_us, end_us + TIFS_US + SCAN_REQ_US + TIFS_US);
            assert_int_equal(e->ad_type, 0x09);
            assert_int_equal(e->len, 8);
            assert_hex_equal(e->adv_data, e->adv_len, SCAN_RSP);
            rsp_tx++;
        } else if (e->kind == MESHRPR_SIM_RADIO_RX && e->pdu_type == 0x4) {
            assert_true(e->to == 1 || e->to == 3);
            assert_int_equal(e->time_us, end_us + 732);
            rsp_rx++;
        }
    }
    assert_int_equal(req, 2);
    assert_int_equal(rsp_tx, 2);
    assert_int_equal(rsp_rx, 2);
}

static void test_scan_response_only_for_scannable_pdus(void **state)
{
    struct fixture *fx = *state;
    scan_world(fx);
    const struct meshrpr_sim_node_stats *active = meshrpr_sim_node_stats(&fx->sim, 1);

    /* Non-connectable, non-scannable: nobody asks. */
    send_dev_adv(fx, MESHRPR_ADV_NONCONN_IND, 1);
    TEST_HEX(beacon, BEACON);
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2b, beacon, beacon_len, 1, 0), 0);
    settle(fx);
    assert_int_equal(fx->nodes[1].report_count, 2);
    assert_int_equal(active->scan_req_tx, 0);
    assert_int_equal(count_events(fx, MESHRPR_SIM_RADIO_SCAN_REQ, -2, -2), 0);

    /* ADV_IND is scannable. */
    send_dev_adv(fx, MESHRPR_ADV_IND, 1);
    assert_int_equal(fx->nodes[1].report_count, 4);
    assert_int_equal(fx->nodes[1].reports[2].adv_type, 0x00);
    assert_int_equal(fx->nodes[1].reports[3].adv_type, 0x04);
    assert_int_equal(active->scan_rsp_rx, 1);

    /* Without scan response data the device answers nobody. */
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&fx->sim, 0, NULL, 0), 0);
    send_dev_adv(fx, MESHRPR_ADV_IND, 1);
    assert_int_equal(fx->nodes[1].report_count, 5);
    assert_int_equal(active->scan_req_tx, 1);

    /* The data in force when the PDU ends is what goes back. */
    TEST_HEX(name, "0409414243");
    TEST_HEX(adv, DEV_ADV);
    assert_int_equal(dummy_node_send_raw(&fx->nodes[0], MESHRPR_ADV_SCAN_IND, adv, adv_len, 1, 0),
                     0);
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&fx->sim, 0, name, name_len), 0);
    settle(fx);
    assert_int_equal(fx->nodes[1].report_count, 7);
    assert_hex_equal(fx->nodes[1].reports[6].data, fx->nodes[1].reports[6].len, "0409414243");
    assert_int_equal(fx->nodes[1].reports[6].time_us - fx->nodes[1].reports[5].time_us,
                     TIFS_US + SCAN_REQ_US + TIFS_US + AIR_US(5));

    /* Back to passive scanning through the platform hook: no more scan responses. */
    set_active(fx, 1, false);
    send_dev_adv(fx, MESHRPR_ADV_SCAN_IND, 1);
    assert_int_equal(fx->nodes[1].report_count, 8);
    assert_int_equal(fx->nodes[1].reports[7].adv_type, 0x02);
    assert_int_equal(active->scan_req_tx, 2);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 3)->scan_req_tx, 3); /* still active */
}

static void test_one_scan_response_per_advertising_event(void **state)
{
    struct fixture *fx = *state;
    scan_world(fx);
    dummy_node_add_reporter(&fx->sim, &fx->nodes[4], "active2");
    set_active(fx, 4, true);

    /* Six transmissions at interval 0: each is its own advertising event. */
    send_dev_adv(fx, MESHRPR_ADV_IND, 6);
    const int scanners[] = { 1, 4 };
    for (size_t k = 0; k < MESHRPR_ARRAY_SIZE(scanners); k++) {
        const struct dummy_node *node = &fx->nodes[scanners[k]];
        assert_int_equal(node->report_count, 12);
        for (size_t i = 0; i < 12; i += 2) {
            assert_int_equal(node->reports[i].adv_type, 0x00);
            assert_int_equal(node->reports[i + 1].adv_type, 0x04);
            assert_int_equal(node->reports[i + 1].time_us - node->reports[i].time_us, 732);
        }
        assert_int_equal(meshrpr_sim_node_stats(&fx->sim, scanners[k])->scan_req_tx, 6);
    }
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 0)->scan_rsp_tx, 6 * 3);

    /* After each scannable PDU the device keeps room for the longest exchange: T_IFS,
     * SCAN_REQ, T_IFS and a 31-octet SCAN_RSP (376 µs), before its advDelay. */
    const uint64_t window_us = TIFS_US + SCAN_REQ_US + TIFS_US + 376u;
    assert_int_equal(MESHRPR_SIM_SCAN_WINDOW_US, window_us);
    uint64_t prev_start_us = 0;
    size_t advs = 0;
    for (size_t i = 0; i < fx->event_count; i++) {
        const struct event *e = &fx->events[i];
        if (e->kind != MESHRPR_SIM_RADIO_TX || e->pdu_type != 0x0) {
            continue;
        }
        if (advs > 0) {
            assert_in_range(e->time_us - prev_start_us, AIR_US(7) + window_us,
                            AIR_US(7) + window_us + MESHRPR_SIM_ADV_DELAY_MAX_US);
        }
        prev_start_us = e->time_us;
        advs++;
    }
    assert_int_equal(advs, 6);
}

static void test_scan_exchange_links_and_loss(void **state)
{
    struct fixture *fx = *state;
    scan_world(fx);
    const struct meshrpr_sim_node_stats *st = meshrpr_sim_node_stats(&fx->sim, 1);

    /* The device can reach the scanner but not hear it: no request gets through. */
    assert_int_equal(meshrpr_sim_link_set_oneway(&fx->sim, 0, 1, 0.0), 0);
    send_dev_adv(fx, MESHRPR_ADV_IND, 3);
    assert_int_equal(fx->nodes[1].report_count, 3);
    assert_int_equal(st->scan_req_tx, 0);

    /* With a way back, even a lossy one, the exchange's one draw is on the device's link to
     * the scanner, lossless here. */
    assert_int_equal(meshrpr_sim_link_set_oneway(&fx->sim, 1, 0, 1.0), 0);
    send_dev_adv(fx, MESHRPR_ADV_IND, 3);
    assert_int_equal(fx->nodes[1].report_count, 3 + 6);
    assert_int_equal(st->scan_rsp_rx, 3);

    /* Loss 1 on the device's link: neither advertising nor responses arrive. */
    assert_int_equal(meshrpr_sim_link_set_oneway(&fx->sim, 0, 1, 1.0), 0);
    send_dev_adv(fx, MESHRPR_ADV_IND, 3);
    assert_int_equal(fx->nodes[1].report_count, 9);
    assert_int_equal(st->rx_lost_loss, 3);

    /* Loss 0.5: about half the PDUs arrive, and about half of their exchanges succeed. */
    assert_int_equal(meshrpr_sim_link_set_oneway(&fx->sim, 0, 1, 0.5), 0);
    fx->event_count = 0;
    const unsigned sends = 1000;
    for (unsigned k = 0; k < sends; k++) {
        send_dev_adv(fx, MESHRPR_ADV_IND, 1);
    }
    size_t adv_rx = 0, adv_lost = 0, req = 0, rsp_rx = 0, rsp_lost = 0;
    for (size_t i = 0; i < fx->event_count; i++) {
        const struct event *e = &fx->events[i];
        if (e->to != 1 && !(e->kind == MESHRPR_SIM_RADIO_SCAN_REQ && e->from == 1)) {
            continue;
        }
        const bool is_rsp = e->pdu_type == 0x4;
        switch (e->kind) {
        case MESHRPR_SIM_RADIO_RX:
            *(is_rsp ? &rsp_rx : &adv_rx) += 1;
            break;
        case MESHRPR_SIM_RADIO_LOST_LOSS:
            *(is_rsp ? &rsp_lost : &adv_lost) += 1;
            break;
        case MESHRPR_SIM_RADIO_SCAN_REQ:
            req++;
            break;
        default:
            fail();
        }
    }
    assert_int_equal(adv_rx + adv_lost, sends);
    assert_in_range(adv_rx, 420, 580); /* 500 expected, sigma 15.8: five sigmas */
    assert_int_equal(req, adv_rx);     /* one request per PDU received, no more */
    assert_int_equal(rsp_rx + rsp_lost, req);
    /* Binomial(adv_rx, 0.5): within five sigmas (at most 5 * sqrt(580) / 2 = 60). */
    assert_in_range(rsp_rx, adv_rx / 2 - 60, adv_rx / 2 + 60);
    assert_int_equal(st->scan_rsp_rx, 3 + rsp_rx);
    assert_int_equal(st->rx_lost_loss, 3 + adv_lost + rsp_lost);
    assert_int_equal(fx->nodes[1].report_count, 9 + adv_rx + rsp_rx);
}

int main(void)
{
#define SIM_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        SIM_TEST(test_adv_report_carries_sender_and_data),
        SIM_TEST(test_raw_advertising_with_several_ad_structures),
        SIM_TEST(test_raw_advertising_errors),
        SIM_TEST(test_scan_response_reaches_only_the_active_scanner),
        SIM_TEST(test_scan_response_only_for_scannable_pdus),
        SIM_TEST(test_one_scan_response_per_advertising_event),
        SIM_TEST(test_scan_exchange_links_and_loss),
    };

    return cmocka_run_group_tests_name("sim_scan", tests, NULL, NULL);
}
