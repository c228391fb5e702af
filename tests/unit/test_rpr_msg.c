/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote Provisioning message codec. The specification publishes no sample data for these
 * messages; the encodings below are the nRF Mesh iOS library's test vectors (UUID
 * 68753A44-4D6F-1226-9C60-0050E4C00067, RSSI -50, OOB 0xA040, URI hash 01020304), which lay
 * the fields out as MshPRTv1.1 §4.3.4 does. That library writes the OOB Information of the
 * Scan Reports big-endian; meshrpr writes it little-endian and reads the big-endian form only
 * when asked to (an interoperability option).
 */
#include <errno.h>
#include <string.h>

#include "test_util.h"

#include "models/rpr_msg.h"

#define UUID "68753A444D6F12269C600050E4C00067"

static struct net_buf_simple *wrap(struct net_buf_simple *buf, uint8_t *data, size_t len)
{
    net_buf_simple_init_with_data(buf, data, len);
    return buf;
}

static void scan_start_vectors(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(out, 32);
    TEST_HEX(uuid, UUID);
    struct rpr_scan_start m = { .max_devs = 2, .timeout_s = 11 };
    struct rpr_scan_start d;
    struct net_buf_simple in;

    meshrpr_rpr_msg_scan_start_encode(&out, &m);
    assert_hex_equal(out.data, out.len, "020B");
    assert_int_equal(meshrpr_rpr_msg_scan_start_decode(wrap(&in, out.data, out.len), &d), 0);
    assert_int_equal(d.max_devs, 2);
    assert_int_equal(d.timeout_s, 11);
    assert_false(d.has_uuid);

    net_buf_simple_reset(&out);
    m = (struct rpr_scan_start){ .max_devs = 5, .timeout_s = 10, .has_uuid = true };
    memcpy(m.uuid, uuid, 16);
    meshrpr_rpr_msg_scan_start_encode(&out, &m);
    assert_hex_equal(out.data, out.len, "050A" UUID);
    assert_int_equal(meshrpr_rpr_msg_scan_start_decode(wrap(&in, out.data, out.len), &d), 0);
    assert_true(d.has_uuid);
    assert_memory_equal(d.uuid, uuid, 16);

    /* Timeout 0 is prohibited; other lengths are malformed. */
    TEST_HEX(zero_timeout, "0200");
    assert_int_equal(meshrpr_rpr_msg_scan_start_decode(wrap(&in, zero_timeout, 2), &d), -EINVAL);
    TEST_HEX(three, "020B00");
    assert_int_equal(meshrpr_rpr_msg_scan_start_decode(wrap(&in, three, 3), &d), -EINVAL);
}

static void scan_report_vectors(void **state)
{
    (void)state;
    TEST_HEX(with_hash, "CE" UUID "A040"
                        "01020304");
    TEST_HEX(without_hash, "CE" UUID "A040");
    struct rpr_scan_report r;
    struct net_buf_simple in;

    /* The vector's OOB is big-endian: read with the interoperability option. */
    assert_int_equal(
        meshrpr_rpr_msg_scan_report_decode(wrap(&in, with_hash, with_hash_len), true, &r), 0);
    assert_int_equal(r.rssi, -50);
    assert_int_equal(r.oob, 0xa040);
    assert_true(r.has_hash);
    assert_hex_equal(r.hash, 4, "01020304");
    assert_int_equal(
        meshrpr_rpr_msg_scan_report_decode(wrap(&in, without_hash, without_hash_len), true, &r), 0);
    assert_false(r.has_hash);

    /* meshrpr's own encoding of the same report: OOB little-endian, hash as octets. */
    NET_BUF_SIMPLE_DEFINE(out, 32);
    meshrpr_rpr_msg_scan_report_encode(&out, &r);
    assert_hex_equal(out.data, out.len, "CE" UUID "40A0");
    assert_int_equal(meshrpr_rpr_msg_scan_report_decode(wrap(&in, out.data, out.len), false, &r),
                     0);
    assert_int_equal(r.oob, 0xa040);

    TEST_HEX(short_report, "CE" UUID "A0");
    assert_int_equal(
        meshrpr_rpr_msg_scan_report_decode(wrap(&in, short_report, short_report_len), false, &r),
        -EINVAL);
}

static void ext_scan_start_vectors(void **state)
{
    (void)state;
    NET_BUF_SIMPLE_DEFINE(out, 32);
    struct rpr_ext_scan_start m = { .ad_count = 1, .ad_types = { 0x09 } };
    struct rpr_ext_scan_start d;
    struct net_buf_simple in;

    meshrpr_rpr_msg_ext_scan_start_encode(&out, &m);
    assert_hex_equal(out.data, out.len, "0109");
    net_buf_simple_reset(&out);
    m.ad_count = 2;
    m.ad_types[1] = 0x24;
    meshrpr_rpr_msg_ext_scan_start_encode(&out, &m);
    assert_hex_equal(out.data, out.len, "020924");
    assert_int_equal(meshrpr_rpr_msg_ext_scan_start_decode(wrap(&in, out.data, out.len), &d), 0);
    assert_int_equal(d.ad_count, 2);
    assert_false(d.has_uuid);

    /* With a UUID and a timeout of 1..21 s. */
    TEST_HEX(with_uuid, "0109" UUID "15");
    assert_int_equal(meshrpr_rpr_msg_ext_scan_start_decode(wrap(&in, with_uuid, with_uuid_len), &d),
                     0);
    assert_true(d.has_uuid);
    assert_int_equal(d.timeout_s, 21);

    /* Prohibited: count 0 or 17, the shortened name, an incomplete UUID list, duplicates,
     * timeout 0 or 22, a UUID without its timeout. */
    static const char *const bad[] = {
        "00",
        "11"
        "01020304050607090a0b0c0d0e0f101112",
        "0108",
        "0102",
        "020909",
        "0109" UUID "00",
        "0109" UUID "16",
        "0109" UUID,
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t raw[64];
        size_t len = test_hex(bad[i], raw, sizeof(raw));
        assert_int_equal(meshrpr_rpr_msg_ext_scan_start_decode(wrap(&in, raw, len), &d), -EINVAL);
    }
}

static void ext_scan_report_vectors(void **state)
{
    (void)state;
    TEST_HEX(cannot_start, "01" UUID);
    TEST_HEX(with_ad, "00" UUID "A040"
                      "050974657374");
    struct rpr_ext_scan_report r;
    struct net_buf_simple in;

    assert_int_equal(
        meshrpr_rpr_msg_ext_scan_report_decode(wrap(&in, cannot_start, cannot_start_len), &r), 0);
    assert_int_equal(r.status, 0x01);
    assert_false(r.has_oob);
    assert_int_equal(r.adv_data_len, 0);

    assert_int_equal(meshrpr_rpr_msg_ext_scan_report_decode(wrap(&in, with_ad, with_ad_len), &r),
                     0);
    assert_int_equal(r.status, 0x00);
    assert_true(r.has_oob);
    assert_hex_equal(r.adv_data, r.adv_data_len, "050974657374"); /* Complete Local Name "test" */

    /* An AD structure running past the end is malformed. */
    TEST_HEX(bad_ad, "00" UUID "A040"
                     "0609746573");
    assert_int_equal(meshrpr_rpr_msg_ext_scan_report_decode(wrap(&in, bad_ad, bad_ad_len), &r),
                     -EINVAL);
}

static void link_messages(void **state)
{
    (void)state;
    TEST_HEX(uuid, UUID);
    NET_BUF_SIMPLE_DEFINE(out, 32);
    struct rpr_link_open lo = { .has_timeout = true, .timeout_s = 0x3c };
    struct rpr_link_open d;
    struct net_buf_simple in;
    uint8_t reason;

    memcpy(lo.uuid, uuid, 16);
    meshrpr_rpr_msg_link_open_encode(&out, &lo);
    assert_hex_equal(out.data, out.len, UUID "3C");
    assert_int_equal(meshrpr_rpr_msg_link_open_decode(wrap(&in, out.data, out.len), &d), 0);
    assert_false(d.nppi);
    assert_int_equal(d.timeout_s, 60);

    TEST_HEX(nppi, "02");
    assert_int_equal(meshrpr_rpr_msg_link_open_decode(wrap(&in, nppi, 1), &d), 0);
    assert_true(d.nppi);
    assert_int_equal(d.procedure, 2);
    TEST_HEX(nppi_bad, "03");
    assert_int_equal(meshrpr_rpr_msg_link_open_decode(wrap(&in, nppi_bad, 1), &d), -EINVAL);
    TEST_HEX(timeout_bad, UUID "3D");
    assert_int_equal(meshrpr_rpr_msg_link_open_decode(wrap(&in, timeout_bad, 17), &d), -EINVAL);
    TEST_HEX(timeout_zero, UUID "00");
    assert_int_equal(meshrpr_rpr_msg_link_open_decode(wrap(&in, timeout_zero, 17), &d), -EINVAL);

    TEST_HEX(close_fail, "02");
    assert_int_equal(meshrpr_rpr_msg_link_close_decode(wrap(&in, close_fail, 1), &reason), 0);
    assert_int_equal(reason, 2);
    TEST_HEX(close_rfu, "01");
    assert_int_equal(meshrpr_rpr_msg_link_close_decode(wrap(&in, close_rfu, 1), &reason), -EINVAL);

    struct rpr_link_report rep;
    TEST_HEX(report3, "070002");
    assert_int_equal(meshrpr_rpr_msg_link_report_decode(wrap(&in, report3, 3), &rep), 0);
    assert_int_equal(rep.status, 7);
    assert_true(rep.has_reason);
    assert_int_equal(rep.reason, 2);
    TEST_HEX(report_bad_state, "0005");
    assert_int_equal(meshrpr_rpr_msg_link_report_decode(wrap(&in, report_bad_state, 2), &rep),
                     -EINVAL);
}

static void pdu_messages(void **state)
{
    (void)state;
    uint8_t big[1 + RPR_PROV_PDU_MAX + 1];
    struct rpr_pdu p;
    struct net_buf_simple in;

    memset(big, 0x03, sizeof(big));
    assert_int_equal(meshrpr_rpr_msg_pdu_decode(wrap(&in, big, 1 + RPR_PROV_PDU_MAX), &p), 0);
    assert_int_equal(p.len, RPR_PROV_PDU_MAX);
    assert_int_equal(meshrpr_rpr_msg_pdu_decode(wrap(&in, big, sizeof(big)), &p), -EINVAL);
    assert_int_equal(meshrpr_rpr_msg_pdu_decode(wrap(&in, big, 1), &p), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scan_start_vectors),     cmocka_unit_test(scan_report_vectors),
        cmocka_unit_test(ext_scan_start_vectors), cmocka_unit_test(ext_scan_report_vectors),
        cmocka_unit_test(link_messages),          cmocka_unit_test(pdu_messages),
    };
    return cmocka_run_group_tests_name("rpr_msg", tests, NULL, NULL);
}
