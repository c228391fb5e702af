/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the simulator's pcap trace (sim/pcap.c) and of its determinism: the link-layer
 * CRC-24 and packet layout against a known-good record, the file's global header and record
 * layout byte by byte, one record per repeat with valid CRCs and ordered virtual timestamps,
 * and a busy scenario (loss, collisions, relaying, random payloads) that gives byte-identical
 * traces and delivery logs for one seed and different ones for another. */
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

#define MAX_FILE (1u << 20)
#define MAX_LOG  (1u << 20)

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
    /* Any flipped bit changes it. */
    record[10] ^= 0x01;
    assert_int_not_equal(
        meshrpr_sim_crc24(MESHRPR_SIM_CRC_INIT_ADV, record + WORKED_PDU_OFF, pdu_len), WORKED_CRC);
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
    log_line(sc, "%llu k%d #%u %d>%d r%u/%u t%02x n%zu %d:", (unsigned long long)ev->time_us,
             (int)ev->kind, (unsigned)ev->tx_id, ev->from, ev->to, ev->repeat, ev->count,
             ev->ad_type, ev->len, ev->rssi);
    for (size_t i = 0; i < ev->len; i++) {
        log_line(sc, "%02x", ev->data[i]);
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
    (void)dummy_node_send(node, 0x2a, rnd + 2, len, 1 + rnd[1] % 3, 20);
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

/* Run the scenario with seed, tracing to path; the caller frees the returned scenario. */
static struct scenario *run_scenario(uint64_t seed, const char *path)
{
    struct scenario *sc = calloc(1, sizeof(*sc));
    assert_non_null(sc);
    sc->log = malloc(MAX_LOG);
    assert_non_null(sc->log);

    meshrpr_sim_init(&sc->sim, seed);
    assert_int_equal(meshrpr_sim_set_range(&sc->sim, 25.0), 0);
    assert_int_equal(meshrpr_sim_set_default_loss(&sc->sim, 0.2), 0);
    meshrpr_sim_set_collisions(&sc->sim, true);
    meshrpr_sim_set_observer(&sc->sim, scenario_observe, sc);
    for (int i = 0; i < SCENARIO_NODES; i++) {
        dummy_node_add(&sc->sim, &sc->nodes[i], NULL);
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
    }
    return sc;
}

/* Check every record of a trace: ordered timestamps, a well-formed ADV_NONCONN_IND and a CRC
 * that checks. @return The number of records. */
static size_t check_trace(const uint8_t *file, size_t len)
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
        assert_hex_equal(pkt, 4, "d6be898e");
        assert_int_equal(pkt[4], 0x42);
        assert_int_equal(pkt[5], incl - 4 - 2 - 3);
        assert_int_equal(pkt[12], pkt[5] - 6 - 1); /* AD length */
        assert_int_equal(pkt[11] & 0xc0, 0xc0);    /* static random AdvA */
        assert_int_equal(meshrpr_sim_crc24(MESHRPR_SIM_CRC_INIT_ADV, pkt + 4, incl - 4), 0);
        pos += incl;
        records++;
    }
    return records;
}

static void test_same_seed_same_run(void **state)
{
    (void)state;
    struct scenario *a = run_scenario(12345, "test_sim_pcap_a.pcap");
    struct scenario *b = run_scenario(12345, "test_sim_pcap_b.pcap");
    struct scenario *c = run_scenario(54321, "test_sim_pcap_c.pcap");
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
    assert_int_equal(check_trace(file_a, len_a), tx);

    /* Same seed: byte-identical trace and delivery log. */
    assert_int_equal(len_a, len_b);
    assert_memory_equal(file_a, file_b, len_a);
    assert_int_equal(a->log_len, b->log_len);
    assert_memory_equal(a->log, b->log, a->log_len);

    /* Another seed: another run. */
    check_trace(file_c, len_c);
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
    assert_int_equal(check_trace(file, len), 3);
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
        cmocka_unit_test(test_pcap_open_errors),
        cmocka_unit_test(test_same_seed_same_run),
        cmocka_unit_test(test_one_record_per_repeat),
    };

    return cmocka_run_group_tests_name("sim_pcap", tests, NULL, NULL);
}
