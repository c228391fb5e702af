/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the simulator's pcap trace (sim/pcap.c) and of its determinism: the link-layer
 * CRC-24 and packet layout against known-good records of every PDU type the simulator sends
 * (ADV_NONCONN_IND, ADV_IND, ADV_SCAN_IND, SCAN_REQ, SCAN_RSP; all accepted by Wireshark) and
 * an independent CRC-24 written from the specification's LFSR, the file's global header and
 * record layout byte by byte, a scan exchange in the file with its T_IFS timing, one record
 * per repeat with valid CRCs and ordered virtual timestamps, and a busy scenario (loss,
 * collisions, relaying, random payloads, and in a second version raw scannable PDUs, active
 * scanners and scan responses) that gives byte-identical traces and delivery logs for one
 * seed and different ones for another. */
#include "test_sim_dummy.h"
#include "test_util.h"

#include <meshrpr/util.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An Unprovisioned Device beacon (UUID 70cf7c97-32a3-45b6-9149-4810d2e9cbf4, OOB 0x0000, no
 * URI hash) sent as ADV_NONCONN_IND from the random AdvA 11:22:33:44:55:66, as a
 * LINKTYPE_BLUETOOTH_LE_LL record: access address, header 42 1b, AdvA least significant octet
 * first, the AD structure, and the CRC-24 (init 0x555555) that Wireshark accepts. */
#define WORKED_RECORD                                                                              \
    "d6be898e 421b 665544332211 14 2b 00 70cf7c9732a345b691494810d2e9cbf4 0000 977d4c"
#define WORKED_BEACON  "00 70cf7c9732a345b691494810d2e9cbf4 0000"
#define WORKED_ADDR    "112233445566"
#define WORKED_CRC     0x4c7d97u /* octets 97 7d 4c, least significant first */
#define WORKED_PDU_OFF 4         /* header and payload follow the access address */

/* Classic pcap global header: magic a1b2c3d4 little-endian, version 2.4, zone 0, sigfigs 0,
 * snaplen 65535, link type 251. */
#define PCAP_GLOBAL_HEADER "d4c3b2a1 0200 0400 00000000 00000000 ffff0000 fb000000"

/* The same AdvA sending Flags, the 16-bit UUID Mesh Provisioning and the name "abcd" as
 * ADV_IND (header 40 13) and ADV_SCAN_IND (46 13); node C2:00:00:00:00:02 asking it for a scan
 * response (SCAN_REQ, header c3 0c: ScanA then AdvA, both random); and the SCAN_RSP (44 10)
 * with the name "mesh-dev". Wireshark 4.0 decodes all four without an expert item. */
#define ADV_DATA        "020106 03032718 050961626364"
#define SCAN_RSP_DATA   "0909 6d6573682d646576"
#define ADV_IND_RECORD  "d6be898e 4013 665544332211" ADV_DATA "b62bc6"
#define SCAN_IND_RECORD "d6be898e 4613 665544332211" ADV_DATA "87bb3e"
#define SCAN_REQ_RECORD "d6be898e c30c 0200000000c2 665544332211 90d6bc"
#define SCAN_RSP_RECORD "d6be898e 4410 665544332211" SCAN_RSP_DATA "bf0ed7"

#define MAX_FILE (1u << 20)
#define MAX_LOG  (2u << 20)

/* The CRC-24 written directly from Core Spec Vol 6 Part B §3.1.1, independently of
 * meshrpr_sim_crc24(): a 24-bit LFSR preset with 0x555555 (position 0 in the least significant
 * bit), polynomial x^24 + x^10 + x^9 + x^6 + x^4 + x^3 + x + 1, the PDU entering least
 * significant bit first and the register sent from position 23 down to 0. Returns the three
 * octets as sent, the first in the least significant position. */
static uint32_t ref_crc24(const uint8_t *pdu, size_t len)
{
    uint32_t reg = 0x555555u;
    for (size_t k = 0; k < len; k++) {
        for (unsigned i = 0; i < 8; i++) {
            uint32_t feedback = ((reg >> 23) ^ (pdu[k] >> i)) & 1u;
            reg = (reg << 1) & 0xffffffu;
            if (feedback) {
                reg ^= 0x00065bu;
            }
        }
    }
    uint32_t sent = 0;
    for (unsigned i = 0; i < 24; i++) {
        if (reg & (1u << i)) {
            sent |= 1u << (23 - i);
        }
    }
    return sent;
}

/* The CRC octets at the end of a record of len octets (access address included). */
static uint32_t record_crc(const uint8_t *record, size_t len)
{
    const uint8_t *crc = record + len - 3;
    return (uint32_t)crc[0] | (uint32_t)crc[1] << 8 | (uint32_t)crc[2] << 16;
}

static void test_crc24_worked_record(void **state)
{
    (void)state;
    TEST_HEX(record, WORKED_RECORD);
    const size_t pdu_len = record_len - WORKED_PDU_OFF - 3;

    assert_int_equal(meshrpr_sim_crc24(MESHRPR_SIM_CRC_INIT_ADV, record + WORKED_PDU_OFF, pdu_len),
                     WORKED_CRC);
    /* Run over the PDU and its CRC, the register ends at zero. */
    assert_int_equal(
        meshrpr_sim_crc24(MESHRPR_SIM_CRC_INIT_ADV, record + WORKED_PDU_OFF, pdu_len + 3), 0);
    /* The independent LFSR agrees. */
    assert_int_equal(ref_crc24(record + WORKED_PDU_OFF, pdu_len), WORKED_CRC);
    /* Any flipped bit changes it. */
    record[10] ^= 0x01;
    assert_int_not_equal(
        meshrpr_sim_crc24(MESHRPR_SIM_CRC_INIT_ADV, record + WORKED_PDU_OFF, pdu_len), WORKED_CRC);
}

static void test_crc24_new_pdu_types(void **state)
{
    (void)state;
    const char *const records[] = { ADV_IND_RECORD, SCAN_IND_RECORD, SCAN_REQ_RECORD,
                                    SCAN_RSP_RECORD };
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(records); i++) {
        uint8_t record[MESHRPR_SIM_LL_PACKET_MAX];
        size_t len = test_hex(records[i], record, sizeof(record));
        const size_t pdu_len = len - WORKED_PDU_OFF - 3;
        assert_int_equal(ref_crc24(record + WORKED_PDU_OFF, pdu_len), record_crc(record, len));
        assert_int_equal(
            meshrpr_sim_crc24(MESHRPR_SIM_CRC_INIT_ADV, record + WORKED_PDU_OFF, pdu_len),
            record_crc(record, len));
    }
}

static void test_ll_new_pdu_types_worked_records(void **state)
{
    (void)state;
    TEST_HEX(addr, WORKED_ADDR);
    TEST_HEX(scanner, "c20000000002");
    TEST_HEX(adv, ADV_DATA);
    TEST_HEX(rsp, SCAN_RSP_DATA);
    uint8_t out[MESHRPR_SIM_LL_PACKET_MAX];
    size_t len;

    len = meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_ADV_IND, addr, adv, adv_len, out, sizeof(out));
    assert_hex_equal(out, len, ADV_IND_RECORD);
    len =
        meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_ADV_SCAN_IND, addr, adv, adv_len, out, sizeof(out));
    assert_hex_equal(out, len, SCAN_IND_RECORD);
    len = meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_SCAN_RSP, addr, rsp, rsp_len, out, sizeof(out));
    assert_hex_equal(out, len, SCAN_RSP_RECORD);
    len = meshrpr_sim_ll_scan_req(scanner, addr, out, sizeof(out));
    assert_int_equal(len, MESHRPR_SIM_LL_SCAN_REQ_LEN);
    assert_hex_equal(out, len, SCAN_REQ_RECORD);

    /* The single-AD form is the ADV_NONCONN_IND form of its AD structure. */
    TEST_HEX(beacon_ad, "14 2b" WORKED_BEACON);
    len = meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_ADV_NONCONN_IND, addr, beacon_ad, beacon_ad_len,
                                 out, sizeof(out));
    assert_hex_equal(out, len, WORKED_RECORD);

    /* Refused: other PDU types, 32 octets, NULL data with a length, too small a buffer. */
    uint8_t big[MESHRPR_SIM_MAX_ADV_DATA + 1] = { 0 };
    assert_int_equal(
        meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_SCAN_REQ, addr, adv, adv_len, out, sizeof(out)), 0);
    assert_int_equal(meshrpr_sim_ll_adv_pdu(0x1, addr, adv, adv_len, out, sizeof(out)), 0);
    assert_int_equal(meshrpr_sim_ll_adv_pdu(0x7, addr, adv, adv_len, out, sizeof(out)), 0);
    assert_int_equal(
        meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_ADV_IND, addr, big, sizeof(big), out, sizeof(out)),
        0);
    assert_int_equal(
        meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_ADV_IND, addr, NULL, 1, out, sizeof(out)), 0);
    assert_int_equal(meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_ADV_IND, addr, adv, adv_len, out,
                                            4 + 2 + 6 + adv_len + 2),
                     0);
    assert_int_equal(meshrpr_sim_ll_adv_pdu(MESHRPR_SIM_PDU_ADV_IND, addr, big, sizeof(big) - 1,
                                            out, sizeof(out)),
                     MESHRPR_SIM_LL_PACKET_MAX);
    assert_int_equal(meshrpr_sim_ll_scan_req(scanner, addr, out, MESHRPR_SIM_LL_SCAN_REQ_LEN - 1),
                     0);
}

static void test_ll_packet_worked_record(void **state)
{
    (void)state;
    TEST_HEX(beacon, WORKED_BEACON);
    TEST_HEX(addr, WORKED_ADDR);
    uint8_t out[MESHRPR_SIM_LL_PACKET_MAX];

    size_t len = meshrpr_sim_ll_packet(addr, 0x2b, beacon, beacon_len, out, sizeof(out));
    assert_int_equal(len, 36);
    assert_hex_equal(out, len, WORKED_RECORD);

    /* Too long for legacy advertising, or for the buffer: nothing built. */
    uint8_t big[MESHRPR_SIM_MAX_AD_DATA + 1] = { 0 };
    assert_int_equal(meshrpr_sim_ll_packet(addr, 0x2a, big, sizeof(big), out, sizeof(out)), 0);
    assert_int_equal(meshrpr_sim_ll_packet(addr, 0x2b, beacon, beacon_len, out, 35), 0);
    assert_int_equal(
        meshrpr_sim_ll_packet(addr, 0x2a, big, MESHRPR_SIM_MAX_AD_DATA, out, sizeof(out)),
        MESHRPR_SIM_LL_PACKET_MAX);
}

/* Read a whole file into a malloc'd buffer. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(MAX_FILE);
    assert_non_null(buf);
    *len = fread(buf, 1, MAX_FILE, f);
    assert_true(*len < MAX_FILE);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void remember_tx_time(void *arg, const struct meshrpr_sim_radio_event *event)
{
    if (event->kind == MESHRPR_SIM_RADIO_TX) {
        *(uint64_t *)arg = event->time_us;
    }
}

static void test_pcap_file_worked_record(void **state)
{
    (void)state;
    const char *path = "test_sim_pcap_worked.pcap";
    struct meshrpr_sim *sim = malloc(sizeof(*sim));
    struct dummy_node *nodes = calloc(2, sizeof(*nodes));
    TEST_HEX(beacon, WORKED_BEACON);
    TEST_HEX(addr, WORKED_ADDR);
    uint64_t tx_time_us = UINT64_MAX;

    assert_non_null(sim);
    assert_non_null(nodes);
    meshrpr_sim_init(sim, 99);
    dummy_node_add(sim, &nodes[0], "beacon");
    dummy_node_add(sim, &nodes[1], "scanner");
    assert_int_equal(meshrpr_sim_node_set_adv_addr(sim, 0, addr), 0);
    meshrpr_sim_set_observer(sim, remember_tx_time, &tx_time_us);

    assert_int_equal(meshrpr_sim_pcap_open(sim, path), 0);
    assert_int_equal(meshrpr_sim_pcap_open(sim, path), -EBUSY);
    assert_int_equal(meshrpr_sim_run_until(sim, 1500), 0); /* stamp a non-zero second */
    assert_int_equal(dummy_node_send(&nodes[0], 0x2b, beacon, beacon_len, 1, 0), 0);
    assert_int_equal(meshrpr_sim_run_until(sim, 2000), 0);
    assert_int_equal(meshrpr_sim_pcap_close(sim), 0);
    assert_int_equal(meshrpr_sim_pcap_close(sim), 0); /* closing twice is harmless */
    assert_int_equal(nodes[1].rx_count, 1);

    size_t len;
    uint8_t *file = read_file(path, &len);
    assert_int_equal(len, 24 + 16 + 36);
    assert_hex_equal(file, 24, PCAP_GLOBAL_HEADER);
    /* Record header: the virtual start time of the transmission, then 36 captured octets of
     * 36 on air. */
    assert_in_range(tx_time_us, 1500000, 1500000 + MESHRPR_SIM_ADV_DELAY_MAX_US);
    assert_int_equal(get_le32(file + 24), tx_time_us / 1000000);
    assert_int_equal(get_le32(file + 28), tx_time_us % 1000000);
    assert_hex_equal(file + 32, 8, "24000000 24000000");
    assert_hex_equal(file + 40, 36, WORKED_RECORD);

    free(file);
    free(nodes);
    free(sim);
}

struct tx_times {
    uint64_t adv_us[4];
    size_t count;
};

static void remember_adv_times(void *arg, const struct meshrpr_sim_radio_event *event)
{
    struct tx_times *t = arg;
    if (event->kind == MESHRPR_SIM_RADIO_TX && event->pdu_type != MESHRPR_SIM_PDU_SCAN_RSP) {
        assert_true(t->count < MESHRPR_ARRAY_SIZE(t->adv_us));
        t->adv_us[t->count++] = event->time_us;
    }
}

static void test_pcap_file_scan_exchange(void **state)
{
    (void)state;
    const char *path = "test_sim_pcap_scan.pcap";
    struct meshrpr_sim *sim = malloc(sizeof(*sim));
    struct dummy_node *nodes = calloc(2, sizeof(*nodes));
    TEST_HEX(addr, WORKED_ADDR);
    TEST_HEX(adv, ADV_DATA);
    TEST_HEX(rsp, SCAN_RSP_DATA);
    struct tx_times times = { 0 };

    assert_non_null(sim);
    assert_non_null(nodes);
    meshrpr_sim_init(sim, 99);
    dummy_node_add(sim, &nodes[0], "device");
    dummy_node_add_reporter(sim, &nodes[1], "scanner"); /* AdvA C2:00:00:00:00:02 */
    assert_int_equal(meshrpr_sim_node_set_adv_addr(sim, 0, addr), 0);
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(sim, 0, rsp, rsp_len), 0);
    assert_int_equal(nodes[1].platform->scan_active_set(nodes[1].platform->ctx, true), 0);
    meshrpr_sim_set_observer(sim, remember_adv_times, &times);

    assert_int_equal(meshrpr_sim_pcap_open(sim, path), 0);
    assert_int_equal(dummy_node_send_raw(&nodes[0], MESHRPR_ADV_IND, adv, adv_len, 1, 0), 0);
    assert_int_equal(meshrpr_sim_run_until(sim, 100), 0);
    assert_int_equal(dummy_node_send_raw(&nodes[0], MESHRPR_ADV_SCAN_IND, adv, adv_len, 1, 0), 0);
    assert_int_equal(meshrpr_sim_run_until(sim, 200), 0);
    assert_int_equal(meshrpr_sim_pcap_close(sim), 0);
    assert_int_equal(nodes[1].report_count, 4);
    assert_int_equal(times.count, 2);

    size_t len;
    uint8_t *file = read_file(path, &len);
    /* Two advertising PDUs of 28 octets, two SCAN_REQs of 21, two SCAN_RSPs of 25. */
    assert_int_equal(len, 24 + 2 * (16 + 28) + 2 * (16 + 21) + 2 * (16 + 25));
    const char *const expect[] = { ADV_IND_RECORD,  SCAN_REQ_RECORD, SCAN_RSP_RECORD,
                                   SCAN_IND_RECORD, SCAN_REQ_RECORD, SCAN_RSP_RECORD };
    size_t pos = 24;
    uint64_t adv_start_us = 0, req_start_us = 0;
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(expect); i++) {
        const uint64_t ts_us = get_le32(file + pos) * 1000000ull + get_le32(file + pos + 4);
        const uint32_t incl = get_le32(file + pos + 8);
        assert_int_equal(get_le32(file + pos + 12), incl);
        assert_hex_equal(file + pos + 16, incl, expect[i]);
        switch (i % 3) {
        case 0: /* the advertising PDU, at its start */
            adv_start_us = ts_us;
            assert_int_equal(ts_us, times.adv_us[i / 3]);
            break;
        case 1: /* T_IFS after the 29-octet (232 µs) advertising PDU on air */
            req_start_us = ts_us;
            assert_int_equal(ts_us, adv_start_us + 232 + 150);
            break;
        default: /* T_IFS after the 22-octet (176 µs) SCAN_REQ */
            assert_int_equal(ts_us, req_start_us + 176 + 150);
            break;
        }
        pos += 16 + incl;
    }
    free(file);
    free(nodes);
    free(sim);
}

static void test_pcap_open_errors(void **state)
{
    (void)state;
    struct meshrpr_sim *sim = malloc(sizeof(*sim));
    assert_non_null(sim);
    meshrpr_sim_init(sim, 1);

    assert_int_equal(meshrpr_sim_pcap_open(sim, "no-such-directory/trace.pcap"), -ENOENT);
    assert_int_equal(meshrpr_sim_pcap_open(sim, NULL), -EINVAL);
    assert_int_equal(meshrpr_sim_pcap_close(sim), 0);
    free(sim);
}

/* ---- A busy scenario, run twice ---- */

#define SCENARIO_NODES 6

struct scenario;

struct chatty {
    struct meshrpr_timer timer;
    struct scenario *sc;
    int id;
};

struct scenario {
    struct meshrpr_sim sim;
    struct dummy_node nodes[SCENARIO_NODES];
    struct chatty chatty[SCENARIO_NODES];
    bool scanning; /* raw scannable PDUs, active scanners, scan responses */
    char *log;
    size_t log_len;
};

static void log_line(struct scenario *sc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void log_line(struct scenario *sc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sc->log + sc->log_len, MAX_LOG - sc->log_len, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < MAX_LOG - sc->log_len);
    sc->log_len += (size_t)n;
}

static void scenario_observe(void *arg, const struct meshrpr_sim_radio_event *ev)
{
    struct scenario *sc = arg;
    log_line(sc,
             "%llu k%d #%u %d>%d r%u/%u t%02x n%zu %d p%x a%02x:", (unsigned long long)ev->time_us,
             (int)ev->kind, (unsigned)ev->tx_id, ev->from, ev->to, ev->repeat, ev->count,
             ev->ad_type, ev->len, ev->rssi, ev->pdu_type, ev->adv_type);
    for (size_t i = 0; i < ev->adv_len; i++) {
        log_line(sc, "%02x", ev->adv_data[i]);
    }
    log_line(sc, "\n");
}

/* Every node sends a random-length random PDU at random intervals. */
static void chatty_tick(struct meshrpr_timer *timer)
{
    struct chatty *ch = MESHRPR_CONTAINER_OF(timer, struct chatty, timer);
    struct dummy_node *node = &ch->sc->nodes[ch->id];
    const struct meshrpr_platform *p = node->platform;
    uint8_t rnd[2 + MESHRPR_SIM_MAX_AD_DATA];

    assert_int_equal(p->random(p->ctx, rnd, sizeof(rnd)), 0);
    size_t len = 1 + rnd[0] % MESHRPR_SIM_MAX_AD_DATA;
    rnd[2] = 0; /* marks an original, not a relay */
    if (ch->sc->scanning && rnd[1] % 4 < 2) {
        /* Flags and a name of random length, connectable or scannable. */
        uint8_t adv[MESHRPR_SIM_MAX_ADV_DATA] = { 0x02, 0x01, 0x06 };
        const size_t name_len = 1 + rnd[0] % (MESHRPR_SIM_MAX_ADV_DATA - 5);
        adv[3] = (uint8_t)(1 + name_len);
        adv[4] = 0x09;
        memset(&adv[5], 'a' + ch->id, name_len);
        (void)dummy_node_send_raw(node, rnd[1] % 4 == 0 ? MESHRPR_ADV_IND : MESHRPR_ADV_SCAN_IND,
                                  adv, 5 + name_len, 1 + rnd[1] % 3, 20);
    } else {
        (void)dummy_node_send(node, 0x2a, rnd + 2, len, 1 + rnd[1] % 3, 20);
    }
    dummy_node_start_in(node, timer, 30 + rnd[1] % 50);
}

/* Relay originals once, as a mesh relay would. */
static void scenario_relay(struct dummy_node *node, const struct dummy_rx *rx)
{
    if (rx->data[0] == 0 && node->id % 2 == 1) {
        uint8_t out[MESHRPR_SIM_MAX_AD_DATA];
        memcpy(out, rx->data, rx->len);
        out[0] = (uint8_t)(node->id + 1);
        (void)dummy_node_send(node, 0x2a, out, rx->len, 2, 10);
    }
}

/* Run the scenario with seed, tracing to path; the caller frees the returned scenario. With
 * scanning, even nodes hear through adv_report, every node has a scan response, nodes 0 and 3
 * scan actively, and half the PDUs are raw ADV_IND or ADV_SCAN_IND. */
static struct scenario *run_scenario(uint64_t seed, const char *path, bool scanning)
{
    struct scenario *sc = calloc(1, sizeof(*sc));
    assert_non_null(sc);
    sc->log = malloc(MAX_LOG);
    assert_non_null(sc->log);
    sc->scanning = scanning;

    meshrpr_sim_init(&sc->sim, seed);
    assert_int_equal(meshrpr_sim_set_range(&sc->sim, 25.0), 0);
    assert_int_equal(meshrpr_sim_set_default_loss(&sc->sim, 0.2), 0);
    meshrpr_sim_set_collisions(&sc->sim, true);
    meshrpr_sim_set_observer(&sc->sim, scenario_observe, sc);
    for (int i = 0; i < SCENARIO_NODES; i++) {
        if (scanning && i % 2 == 0) {
            dummy_node_add_reporter(&sc->sim, &sc->nodes[i], NULL);
        } else {
            dummy_node_add(&sc->sim, &sc->nodes[i], NULL);
        }
        if (scanning) {
            const uint8_t rsp[] = { 0x07, 0x09, 'n', 'o', 'd', 'e', '-', (uint8_t)('0' + i) };
            assert_int_equal(meshrpr_sim_node_set_scan_rsp(&sc->sim, i, rsp, sizeof(rsp)), 0);
            const struct meshrpr_platform *p = sc->nodes[i].platform;
            assert_int_equal(p->scan_active_set(p->ctx, i % 3 == 0), 0);
        }
        assert_int_equal(meshrpr_sim_node_set_position(&sc->sim, i, 10.0 * i, 3.0 * (i % 2)), 0);
        sc->nodes[i].on_rx = scenario_relay;
        sc->chatty[i] = (struct chatty){ .sc = sc, .id = i };
        meshrpr_timer_init(&sc->chatty[i].timer, chatty_tick);
        dummy_node_start_in(&sc->nodes[i], &sc->chatty[i].timer, (uint64_t)i);
    }
    assert_int_equal(meshrpr_sim_pcap_open(&sc->sim, path), 0);
    assert_int_equal(meshrpr_sim_run_until(&sc->sim, 3000), 0);
    assert_int_equal(meshrpr_sim_pcap_close(&sc->sim), 0);

    /* What the nodes themselves received goes into the log too. */
    for (int i = 0; i < SCENARIO_NODES; i++) {
        const struct dummy_node *node = &sc->nodes[i];
        log_line(sc, "node %d rx %zu\n", i, node->rx_count);
        for (size_t k = 0; k < node->rx_count && k < DUMMY_MAX_RX; k++) {
            log_line(sc, "%llu %d %u\n", (unsigned long long)node->rx[k].time_us, node->rx[k].rssi,
                     node->rx[k].len);
        }
        log_line(sc, "node %d reports %zu\n", i, node->report_count);
        for (size_t k = 0; k < node->report_count && k < DUMMY_MAX_RX; k++) {
            const struct dummy_report *r = &node->reports[k];
            log_line(sc, "%llu %02x%02x t%u a%u %d %u\n", (unsigned long long)r->time_us,
                     r->addr[1], r->addr[0], r->adv_type, r->addr_type, r->rssi, r->len);
        }
    }
    return sc;
}

/* Check every record of a trace: ordered timestamps, a well-formed PDU (ADV_NONCONN_IND with
 * one AD structure, ADV_IND, ADV_SCAN_IND, SCAN_RSP or SCAN_REQ, random addresses) and a CRC
 * that checks, by the simulator's function and the independent one. Counts the records of
 * each PDU type in per_type[16] if not NULL. @return The number of records. */
static size_t check_trace(const uint8_t *file, size_t len, size_t *per_type)
{
    size_t pos = 24, records = 0;
    uint64_t prev_us = 0;

    assert_hex_equal(file, 24, PCAP_GLOBAL_HEADER);
    while (pos < len) {
        assert_true(pos + 16 <= len);
        uint64_t ts_us = get_le32(file + pos) * 1000000ull + get_le32(file + pos + 4);
        uint32_t incl = get_le32(file + pos + 8);
        assert_int_equal(get_le32(file + pos + 12), incl);
        assert_true(ts_us >= prev_us);
        prev_us = ts_us;
        pos += 16;
        assert_true(pos + incl <= len);
        const uint8_t *pkt = file + pos;
        assert_true(incl >= 4 + 2 + 6 + 3);
        assert_hex_equal(pkt, 4, "d6be898e");
        assert_int_equal(pkt[5], incl - 4 - 2 - 3);
        assert_int_equal(pkt[11] & 0xc0, 0xc0); /* static random AdvA (or ScanA) */
        const unsigned type = pkt[4] & 0x0f;
        switch (type) {
        case 0x2: /* ADV_NONCONN_IND: one AD structure, as adv_send builds it */
            assert_int_equal(pkt[4], 0x42);
            assert_int_equal(pkt[12], pkt[5] - 6 - 1);
            break;
        case 0x0: /* ADV_IND */
        case 0x4: /* SCAN_RSP */
        case 0x6: /* ADV_SCAN_IND */
            assert_int_equal(pkt[4], 0x40 | type);
            break;
        case 0x3: /* SCAN_REQ: ScanA and AdvA, both random */
            assert_int_equal(pkt[4], 0xc3);
            assert_int_equal(pkt[5], 12);
            assert_int_equal(pkt[17] & 0xc0, 0xc0);
            break;
        default:
            fail_msg("PDU type 0x%x", type);
        }
        if (per_type != NULL) {
            per_type[type]++;
        }
        assert_int_equal(ref_crc24(pkt + 4, incl - 4 - 3), record_crc(pkt, incl));
        assert_int_equal(meshrpr_sim_crc24(MESHRPR_SIM_CRC_INIT_ADV, pkt + 4, incl - 4), 0);
        pos += incl;
        records++;
    }
    return records;
}

static void test_same_seed_same_run(void **state)
{
    (void)state;
    struct scenario *a = run_scenario(12345, "test_sim_pcap_a.pcap", false);
    struct scenario *b = run_scenario(12345, "test_sim_pcap_b.pcap", false);
    struct scenario *c = run_scenario(54321, "test_sim_pcap_c.pcap", false);
    size_t len_a, len_b, len_c;
    uint8_t *file_a = read_file("test_sim_pcap_a.pcap", &len_a);
    uint8_t *file_b = read_file("test_sim_pcap_b.pcap", &len_b);
    uint8_t *file_c = read_file("test_sim_pcap_c.pcap", &len_c);

    /* The scenario is busy enough to exercise loss, collisions and relaying. */
    uint64_t tx = 0, lost_loss = 0, lost_coll = 0;
    for (int i = 0; i < SCENARIO_NODES; i++) {
        const struct meshrpr_sim_node_stats *st = meshrpr_sim_node_stats(&a->sim, i);
        tx += st->tx;
        lost_loss += st->rx_lost_loss;
        lost_coll += st->rx_lost_collision;
    }
    assert_true(tx > 500);
    assert_true(lost_loss > 0);
    assert_true(lost_coll > 0);
    assert_int_equal(check_trace(file_a, len_a, NULL), tx);

    /* Same seed: byte-identical trace and delivery log. */
    assert_int_equal(len_a, len_b);
    assert_memory_equal(file_a, file_b, len_a);
    assert_int_equal(a->log_len, b->log_len);
    assert_memory_equal(a->log, b->log, a->log_len);

    /* Another seed: another run. */
    check_trace(file_c, len_c, NULL);
    assert_true(len_a != len_c || memcmp(file_a, file_c, len_a) != 0);
    assert_true(a->log_len != c->log_len || memcmp(a->log, c->log, a->log_len) != 0);

    free(file_a);
    free(file_b);
    free(file_c);
    struct scenario *all[] = { a, b, c };
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(all); i++) {
        free(all[i]->log);
        free(all[i]);
    }
}

static void test_same_seed_same_run_with_scanning(void **state)
{
    (void)state;
    struct scenario *a = run_scenario(777, "test_sim_pcap_scan_a.pcap", true);
    struct scenario *b = run_scenario(777, "test_sim_pcap_scan_b.pcap", true);
    struct scenario *c = run_scenario(778, "test_sim_pcap_scan_c.pcap", true);
    size_t len_a, len_b, len_c;
    uint8_t *file_a = read_file("test_sim_pcap_scan_a.pcap", &len_a);
    uint8_t *file_b = read_file("test_sim_pcap_scan_b.pcap", &len_b);
    uint8_t *file_c = read_file("test_sim_pcap_scan_c.pcap", &len_c);

    /* Every feature is in use: loss, collisions, scannable PDUs, scan exchanges, reports. */
    uint64_t tx = 0, req = 0, rsp_tx = 0, rsp_rx = 0, lost_loss = 0, lost_coll = 0, reports = 0;
    for (int i = 0; i < SCENARIO_NODES; i++) {
        const struct meshrpr_sim_node_stats *st = meshrpr_sim_node_stats(&a->sim, i);
        tx += st->tx;
        req += st->scan_req_tx;
        rsp_tx += st->scan_rsp_tx;
        rsp_rx += st->scan_rsp_rx;
        lost_loss += st->rx_lost_loss;
        lost_coll += st->rx_lost_collision;
        reports += a->nodes[i].report_count;
        if (i % 3 != 0) {
            assert_int_equal(st->scan_req_tx, 0); /* passive scanners never ask */
        }
    }
    assert_true(tx > 500);
    assert_true(lost_loss > 0);
    assert_true(lost_coll > 0);
    assert_true(rsp_rx > 50);
    assert_true(rsp_rx < rsp_tx); /* some exchanges were lost */
    assert_int_equal(req, rsp_tx);
    assert_true(reports > 500);

    size_t per_type[16] = { 0 };
    assert_int_equal(check_trace(file_a, len_a, per_type), tx + req + rsp_tx);
    assert_int_equal(per_type[0x3], req);
    assert_int_equal(per_type[0x4], rsp_tx);
    assert_int_equal(per_type[0x0] + per_type[0x2] + per_type[0x6], tx);
    assert_true(per_type[0x0] > 50);
    assert_true(per_type[0x2] > 50);
    assert_true(per_type[0x6] > 50);

    /* Same seed: byte-identical trace and delivery log. */
    assert_int_equal(len_a, len_b);
    assert_memory_equal(file_a, file_b, len_a);
    assert_int_equal(a->log_len, b->log_len);
    assert_memory_equal(a->log, b->log, a->log_len);

    /* Another seed: another run. */
    check_trace(file_c, len_c, NULL);
    assert_true(len_a != len_c || memcmp(file_a, file_c, len_a) != 0);
    assert_true(a->log_len != c->log_len || memcmp(a->log, c->log, a->log_len) != 0);

    free(file_a);
    free(file_b);
    free(file_c);
    struct scenario *all[] = { a, b, c };
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(all); i++) {
        free(all[i]->log);
        free(all[i]);
    }
}

static void test_one_record_per_repeat(void **state)
{
    (void)state;
    const char *path = "test_sim_pcap_repeats.pcap";
    struct meshrpr_sim *sim = malloc(sizeof(*sim));
    struct dummy_node *node = calloc(1, sizeof(*node));
    const uint8_t data[] = { 0x01, 0x02, 0x03 };

    assert_non_null(sim);
    assert_non_null(node);
    meshrpr_sim_init(sim, 5);
    dummy_node_add(sim, node, NULL); /* alone: transmissions are traced even if unheard */
    assert_int_equal(meshrpr_sim_pcap_open(sim, path), 0);
    assert_int_equal(dummy_node_send(node, 0x29, data, sizeof(data), 3, 50), 0);
    assert_int_equal(meshrpr_sim_run_until(sim, 1000), 0);
    assert_int_equal(meshrpr_sim_pcap_close(sim), 0);

    size_t len;
    uint8_t *file = read_file(path, &len);
    assert_int_equal(check_trace(file, len, NULL), 3);
    /* Same packet thrice, AdvA C2:00:00:00:00:01 (node 0) least significant octet first. */
    const size_t rec = 16 + 4 + 2 + 6 + 2 + sizeof(data) + 3;
    for (size_t i = 0; i < 3; i++) {
        assert_hex_equal(file + 24 + i * rec + 16 + 4, 2 + 6 + 2 + sizeof(data),
                         "420b 0100000000c2 04 29 010203");
    }
    uint32_t t0 = get_le32(file + 24 + 4), t1 = get_le32(file + 24 + rec + 4);
    assert_in_range(t1 - t0, 50000, 50000 + MESHRPR_SIM_ADV_DELAY_MAX_US);
    free(file);
    free(node);
    free(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc24_worked_record),
        cmocka_unit_test(test_ll_packet_worked_record),
        cmocka_unit_test(test_pcap_file_worked_record),
        cmocka_unit_test(test_crc24_new_pdu_types),
        cmocka_unit_test(test_ll_new_pdu_types_worked_records),
        cmocka_unit_test(test_pcap_file_scan_exchange),
        cmocka_unit_test(test_pcap_open_errors),
        cmocka_unit_test(test_same_seed_same_run),
        cmocka_unit_test(test_same_seed_same_run_with_scanning),
        cmocka_unit_test(test_one_record_per_repeat),
    };

    return cmocka_run_group_tests_name("sim_pcap", tests, NULL, NULL);
}
