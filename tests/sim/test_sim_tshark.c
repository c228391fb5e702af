/* SPDX-License-Identifier: Apache-2.0 */
/* Wireshark's opinion of the simulator's pcap trace. A small world sends an Unprovisioned
 * Device beacon, PB-ADV link control PDUs and Mesh Messages; tshark must decode them as mesh
 * beacon, PB-ADV and mesh network PDUs without a single expert-info item (no "Incorrect CRC",
 * no malformed packet). A second world has a device advertising with ADV_IND, ADV_SCAN_IND and
 * several AD structures in ADV_NONCONN_IND, one active and one passive scanner: tshark must
 * show each PDU type, every SCAN_REQ from the active scanner and every SCAN_RSP, again without
 * an expert item. So that a tshark that silently checks nothing cannot pass, the first trace
 * with one CRC bit flipped must draw "Incorrect CRC". Registered only when CMake finds tshark
 * (TSHARK_PATH). */
#define _POSIX_C_SOURCE 200809L /* popen */

#include "test_sim_dummy.h"
#include "test_util.h"

#include <meshrpr/util.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#ifndef TSHARK_PATH
#define TSHARK_PATH "tshark"
#endif

#define TRACE      "test_sim_tshark.pcap"
#define BAD_TRACE  "test_sim_tshark_badcrc.pcap"
#define SCAN_TRACE "test_sim_tshark_scan.pcap"
#define MAX_OUT    (4u << 20)
#define MAX_FILE   (64u << 10)

struct world {
    struct meshrpr_sim sim;
    struct dummy_node nodes[3];
};

/* Well-formed mesh PDUs (Mesh Protocol 1.0 forms, which Wireshark 4.0 knows without RFU
 * complaints). */
/* Unprovisioned Device beacon: type 0, UUID, OOB information 0x0000. */
#define UNPROV_BEACON "00 70cf7c9732a345b691494810d2e9cbf4 0000"
/* PB-ADV: link ID 0x00000001, transaction 0, then a Provisioning Bearer Control PDU
 * (GPCF 0b11) with opcode Link Open (0) and the UUID, Link ACK (1), Link Close (2) with
 * reason Success. */
#define LINK_OPEN  "00000001 00 03 70cf7c9732a345b691494810d2e9cbf4"
#define LINK_ACK   "00000001 00 07"
#define LINK_CLOSE "00000001 00 0b 00"
/* A Network PDU as seen without keys: IVI/NID, obfuscated header, encrypted payload and
 * NetMIC. */
#define NET_PDU "68 eca487516765 b5e5bfdacbaf6cb7fb6bff871f035444ce83a670df"

static void send_hex(struct dummy_node *node, uint8_t ad_type, const char *hex, uint8_t count)
{
    uint8_t data[MESHRPR_SIM_MAX_AD_DATA];
    size_t len = test_hex(hex, data, sizeof(data));
    assert_int_equal(dummy_node_send(node, ad_type, data, len, count, 20), 0);
}

/* Run the world and write its trace; return the number of transmissions. */
static uint64_t make_trace(void)
{
    struct world *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    meshrpr_sim_init(&w->sim, 7);
    dummy_node_add(&w->sim, &w->nodes[0], "device");
    dummy_node_add(&w->sim, &w->nodes[1], "prov");
    dummy_node_add(&w->sim, &w->nodes[2], "relay");
    assert_int_equal(meshrpr_sim_pcap_open(&w->sim, TRACE), 0);

    send_hex(&w->nodes[0], 0x2b, UNPROV_BEACON, 3);
    assert_int_equal(meshrpr_sim_run_until(&w->sim, 100), 0);
    send_hex(&w->nodes[1], 0x29, LINK_OPEN, 2);
    assert_int_equal(meshrpr_sim_run_until(&w->sim, 200), 0);
    send_hex(&w->nodes[0], 0x29, LINK_ACK, 2);
    send_hex(&w->nodes[2], 0x2a, NET_PDU, 3);
    assert_int_equal(meshrpr_sim_run_until(&w->sim, 300), 0);
    send_hex(&w->nodes[1], 0x29, LINK_CLOSE, 3);
    assert_int_equal(meshrpr_sim_run_until(&w->sim, 1000), 0);
    assert_int_equal(meshrpr_sim_pcap_close(&w->sim), 0);

    uint64_t tx = 0;
    for (int i = 0; i < 3; i++) {
        tx += meshrpr_sim_node_stats(&w->sim, i)->tx;
    }
    free(w);
    return tx;
}

/* tshark's full decode of path (stdout and stderr), NUL-terminated, in a malloc'd buffer. */
static char *tshark_decode(const char *path)
{
    char cmd[512];
    int n = snprintf(cmd, sizeof(cmd), "'%s' -r '%s' -V 2>&1", TSHARK_PATH, path);
    assert_true(n > 0 && (size_t)n < sizeof(cmd));

    FILE *pipe = popen(cmd, "r");
    assert_non_null(pipe);
    char *out = malloc(MAX_OUT);
    assert_non_null(out);
    size_t len = fread(out, 1, MAX_OUT - 1, pipe);
    out[len] = '\0';
    int status = pclose(pipe);
    if (status != 0) {
        print_error("%s\n", out);
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return out;
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* Fail, showing the context, if text contains needle. */
static void assert_absent(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    if (p != NULL) {
        const char *from = p - text > 600 ? p - 600 : text;
        print_error("tshark reported \"%s\":\n%.900s\n", needle, from);
        fail();
    }
}

static void test_trace_decodes_cleanly(void **state)
{
    (void)state;
    const uint64_t tx = make_trace();
    assert_int_equal(tx, 3 + 2 + 2 + 3 + 3);

    char *out = tshark_decode(TRACE);
    char frame[32];
    snprintf(frame, sizeof(frame), "Frame %u:", (unsigned)tx);
    assert_non_null(strstr(out, frame)); /* every record read */
    assert_int_equal(count(out, "PDU Type: 0x2 ADV_NONCONN_IND"), tx);
    assert_int_equal(count(out, "Type: Mesh Beacon (0x2b)"), 3);
    assert_int_equal(count(out, "Unprovisioned Device Beacon"), 3);
    assert_int_equal(count(out, "Type: PB-ADV (0x29)"), 7);
    assert_int_equal(count(out, "Bearer Opcode: Link Open (0)"), 2);
    assert_int_equal(count(out, "Bearer Opcode: Link ACK (1)"), 2);
    assert_int_equal(count(out, "Bearer Opcode: Link Close (2)"), 3);
    assert_int_equal(count(out, "Type: Mesh Message (0x2a)"), 3);
    assert_int_equal(count(out, "Network PDU"), 3);

    /* Any expert item (bad CRC, malformed, RFU value...) fails. */
    assert_absent(out, "Expert Info");
    assert_absent(out, "Malformed");
    assert_absent(out, "Incorrect CRC");
    assert_absent(out, "damaged");
    assert_absent(out, "corrupt");
    free(out);
}

/* The device's AdvData: Flags, 16-bit UUID Mesh Provisioning, Complete Local Name "abcd". */
#define DEV_ADV "020106 03032718 050961626364"
/* Its scan response: Complete Local Name "mesh-dev" and a URI ("https:" is scheme 0x17). */
#define DEV_SCAN_RSP "0909 6d6573682d646576 0f24 172f2f6578616d706c652e636f6d"
/* An Unprovisioned Device beacon and a name in one ADV_NONCONN_IND. */
#define BEACON_AND_NAME "14 2b" UNPROV_BEACON "050961626364"

struct scan_counts {
    uint64_t tx;
    uint64_t scan_req;
    uint64_t scan_rsp;
};

static void send_raw_hex(struct dummy_node *node, uint8_t adv_type, const char *hex, uint8_t count)
{
    uint8_t data[MESHRPR_SIM_MAX_ADV_DATA];
    size_t len = test_hex(hex, data, sizeof(data));
    assert_int_equal(dummy_node_send_raw(node, adv_type, data, len, count, 20), 0);
}

static struct scan_counts make_scan_trace(void)
{
    struct world *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    uint8_t rsp[MESHRPR_SIM_MAX_ADV_DATA];
    size_t rsp_len = test_hex(DEV_SCAN_RSP, rsp, sizeof(rsp));

    meshrpr_sim_init(&w->sim, 8);
    dummy_node_add(&w->sim, &w->nodes[0], "device");
    dummy_node_add_reporter(&w->sim, &w->nodes[1], "active");
    dummy_node_add_reporter(&w->sim, &w->nodes[2], "passive");
    assert_int_equal(meshrpr_sim_node_set_scan_rsp(&w->sim, 0, rsp, rsp_len), 0);
    assert_int_equal(w->nodes[1].platform->scan_active_set(w->nodes[1].platform->ctx, true), 0);
    assert_int_equal(meshrpr_sim_pcap_open(&w->sim, SCAN_TRACE), 0);

    send_raw_hex(&w->nodes[0], MESHRPR_ADV_IND, DEV_ADV, 2);
    assert_int_equal(meshrpr_sim_run_until(&w->sim, 100), 0);
    send_raw_hex(&w->nodes[0], MESHRPR_ADV_SCAN_IND, DEV_ADV, 3);
    assert_int_equal(meshrpr_sim_run_until(&w->sim, 200), 0);
    send_raw_hex(&w->nodes[0], MESHRPR_ADV_NONCONN_IND, BEACON_AND_NAME, 2);
    assert_int_equal(meshrpr_sim_run_until(&w->sim, 1000), 0);
    assert_int_equal(meshrpr_sim_pcap_close(&w->sim), 0);

    /* Both scanners heard all 7 PDUs; only the active one got the 5 scan responses. */
    assert_int_equal(w->nodes[1].report_count, 7 + 5);
    assert_int_equal(w->nodes[2].report_count, 7);
    struct scan_counts counts = { 0 };
    for (int i = 0; i < 3; i++) {
        const struct meshrpr_sim_node_stats *st = meshrpr_sim_node_stats(&w->sim, i);
        counts.tx += st->tx;
        counts.scan_req += st->scan_req_tx;
        counts.scan_rsp += st->scan_rsp_tx;
    }
    free(w);
    return counts;
}

static void test_scan_trace_decodes_cleanly(void **state)
{
    (void)state;
    const struct scan_counts counts = make_scan_trace();
    assert_int_equal(counts.tx, 7);
    assert_int_equal(counts.scan_req, 5);
    assert_int_equal(counts.scan_rsp, 5);

    char *out = tshark_decode(SCAN_TRACE);
    assert_non_null(strstr(out, "Frame 17:"));
    assert_null(strstr(out, "Frame 18:"));
    assert_int_equal(count(out, "PDU Type: 0x0 ADV_IND"), 2);
    assert_int_equal(count(out, "PDU Type: 0x6 ADV_SCAN_IND"), 3);
    assert_int_equal(count(out, "PDU Type: 0x2 ADV_NONCONN_IND"), 2);
    assert_int_equal(count(out, "PDU Type: 0x3 SCAN_REQ"), 5);
    assert_int_equal(count(out, "PDU Type: 0x4 SCAN_RSP"), 5);
    /* The active scanner is node 1, the device node 0. */
    assert_int_equal(count(out, "Scanning Address: c2:00:00:00:00:02"), 5);
    assert_int_equal(count(out, "Advertising Address: c2:00:00:00:00:01"), 2 + 3 + 2 + 5 + 5);
    assert_int_equal(count(out, "Device Name: abcd\n"), 2 * (2 + 3 + 2)); /* tree and value */
    assert_int_equal(count(out, "Device Name: mesh-dev\n"), 2 * 5);
    assert_int_equal(count(out, "Type: URI (0x24)"), 5);
    assert_int_equal(count(out, "Unprovisioned Device Beacon"), 2);

    assert_absent(out, "Expert Info");
    assert_absent(out, "Malformed");
    assert_absent(out, "Incorrect CRC");
    assert_absent(out, "damaged");
    assert_absent(out, "corrupt");
    free(out);
}

static void test_checker_catches_a_bad_crc(void **state)
{
    (void)state;
    (void)make_trace();

    FILE *f = fopen(TRACE, "rb");
    assert_non_null(f);
    uint8_t *file = malloc(MAX_FILE);
    assert_non_null(file);
    size_t len = fread(file, 1, MAX_FILE, f);
    assert_int_equal(fclose(f), 0);
    assert_true(len > 24 + 16);

    /* Flip one bit of the first record's last CRC octet. */
    const size_t incl = file[24 + 8] | (size_t)file[24 + 9] << 8;
    file[24 + 16 + incl - 1] ^= 0x10;
    f = fopen(BAD_TRACE, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(file, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(file);

    char *out = tshark_decode(BAD_TRACE);
    assert_int_equal(count(out, "Incorrect CRC"), 2); /* the item and its expert info */
    assert_non_null(strstr(out, "Expert Info"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_decodes_cleanly),
        cmocka_unit_test(test_scan_trace_decodes_cleanly),
        cmocka_unit_test(test_checker_catches_a_bad_crc),
    };

    return cmocka_run_group_tests_name("sim_tshark", tests, NULL, NULL);
}
