/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provisioning PDU codec (MshPRTv1.1 §5.4.1): every PDU type decoded from and encoded to the
 * on-air octets of the §8.17.1 (CMAC, No OOB) and §8.17.2 (HMAC, Static OOB) samples, and the
 * malformed inputs a receiver must refuse, each with its Provisioning Failed error code.
 */
#include <errno.h>
#include <string.h>

#include "test_util.h"

#include "prov/prov_pdu.h"

/* §8.17.1 on-air PDUs (spec-vectors.md §2). */
#define PUB_PROV                                                                                   \
    "2c31a47b5779809ef44cb5eaaf5c3e43d5f8faad4a8794cb987e9b03745c78dd"                             \
    "919512183898dfbecd52e2408e43871fd021109117bd3ed4eaf8437743715d4f"
#define PUB_DEV                                                                                    \
    "f465e43ff23d3f1b9dc7dfc04da8758184dbc966204796eccf0d6cf5e16500cc"                             \
    "0201d048bcbbd899eeefc424164e33c201c2b010ca6b4d43a8a155cad8ecb279"
#define INVITE        "0000"
#define CAPS          "01010001000000000000000000"
#define CAPS_CMAC     "010100010000000000000000"
#define START         "020000000000"
#define CONF_PROV     "05b38a114dfdca1fe153bd2c1e0dc46ac2"
#define RAND_DEV      "0655a2a2bca04cd32ff6f346bd0a0c1a3a"
#define DATA          "07d0bd7f4a89a2ff6222af59a90a60ad58acfe3123356f5cec2973e0ec50783b10c7"
#define HMAC_CONF_DEV "0556e3722d291373d38c995d6f942c02928c96abb015c233557d7974b6e2df662b"

static int decode_hex(const char *hex, size_t value_len, struct meshrpr_prov_pdu *pdu,
                      uint8_t *code)
{
    /* Decoded PDUs point into this buffer, so it outlives the call (until the next one). */
    static uint8_t buf[128];
    size_t len = test_hex(hex, buf, sizeof(buf));

    return meshrpr_prov_pdu_decode(buf, len, value_len, pdu, code);
}

static void assert_roundtrip(const char *hex, size_t value_len)
{
    struct meshrpr_prov_pdu pdu;
    uint8_t code = 0xaa;
    NET_BUF_SIMPLE_DEFINE(buf, 80);

    assert_int_equal(decode_hex(hex, value_len, &pdu, &code), 0);
    assert_int_equal(code, 0);
    assert_int_equal(meshrpr_prov_pdu_encode(&pdu, &buf), 0);
    assert_hex_equal(buf.data, buf.len, hex);
}

static void assert_refused(const char *hex, size_t value_len, uint8_t expected_code,
                           uint8_t expected_type)
{
    struct meshrpr_prov_pdu pdu;
    uint8_t code = 0xaa;

    assert_int_equal(decode_hex(hex, value_len, &pdu, &code), -EINVAL);
    assert_int_equal(code, expected_code);
    assert_int_equal(pdu.type, expected_type);
}

/* ---- Valid PDUs ------------------------------------------------------------------------- */

static void test_sample_cmac_pdus(void **state)
{
    (void)state;
    assert_roundtrip(INVITE, 0);
    assert_roundtrip(CAPS_CMAC, 0);
    assert_roundtrip(START, 0);
    assert_roundtrip("03" PUB_PROV, 0);
    assert_roundtrip("03" PUB_DEV, 0);
    assert_roundtrip(CONF_PROV, 16);
    assert_roundtrip("05eeba521c196b52cc2e37aa40329f554e", 16);
    assert_roundtrip("068b19ac31d58b124c946209b5db1021b9", 16);
    assert_roundtrip(RAND_DEV, 16);
    assert_roundtrip(DATA, 16);
    assert_roundtrip("08", 16);
    assert_roundtrip("04", 0);
    assert_roundtrip("0904", 0);
}

static void test_sample_hmac_pdus(void **state)
{
    (void)state;
    /* §8.17.2: Capabilities with CMAC|HMAC and static OOB; Start HMAC + Static OOB. */
    assert_roundtrip("010100030001000000000000", 0);
    assert_roundtrip("020100010000", 0);
    assert_roundtrip("05c99b54617ae646f5f32cf7e1ea6fcc49fd69066078eba9580fa6c7031833e6c8", 32);
    assert_roundtrip(HMAC_CONF_DEV, 32);
    assert_roundtrip("0636f968b94a13000e64b223576390db6bcc6d62f02617c369ee3f5b3e89df7e1f", 32);
    assert_roundtrip("065b9b1fc6a64b2de8bece53187ee989c6566db1fc7dc8580a73dafdd6211d56a5", 32);
    assert_roundtrip("07f9df98cbb736be1f600659ac4c37821a82db31e410a03de7693a2a0428fbdaf321", 32);
}

static void test_decoded_fields(void **state)
{
    struct meshrpr_prov_pdu pdu;
    uint8_t code;

    (void)state;
    assert_int_equal(decode_hex("0005", 0, &pdu, &code), 0);
    assert_int_equal(pdu.type, MESHRPR_PROV_INVITE);
    assert_int_equal(pdu.attention_s, 5);

    assert_int_equal(decode_hex("01 02 0003 01 03 08 001f 04 000f", 0, &pdu, &code), 0);
    assert_int_equal(pdu.caps.elem_count, 2);
    assert_int_equal(pdu.caps.algorithms, 0x0003);
    assert_int_equal(pdu.caps.pub_key_type, 1);
    assert_int_equal(pdu.caps.oob_type, 3);
    assert_int_equal(pdu.caps.output_size, 8);
    assert_int_equal(pdu.caps.output_actions, 0x001f);
    assert_int_equal(pdu.caps.input_size, 4);
    assert_int_equal(pdu.caps.input_actions, 0x000f);

    assert_int_equal(decode_hex("02 01 01 02 04 08", 0, &pdu, &code), 0);
    assert_int_equal(pdu.start.algorithm, 1);
    assert_int_equal(pdu.start.pub_key, 1);
    assert_int_equal(pdu.start.auth_method, MESHRPR_PROV_AUTH_OUTPUT);
    assert_int_equal(pdu.start.auth_action, MESHRPR_PROV_OUTPUT_ALPHANUMERIC);
    assert_int_equal(pdu.start.auth_size, 8);

    assert_int_equal(decode_hex(DATA, 16, &pdu, &code), 0);
    assert_hex_equal(pdu.data.encrypted, 25, "d0bd7f4a89a2ff6222af59a90a60ad58acfe3123356f5cec29");
    assert_hex_equal(pdu.data.mic, 8, "73e0ec50783b10c7");

    assert_int_equal(decode_hex("090a", 0, &pdu, &code), 0); /* RFU codes pass the codec */
    assert_int_equal(pdu.error_code, 0x0a);

    /* Before the algorithm is known both value lengths decode. */
    assert_int_equal(decode_hex(CONF_PROV, 0, &pdu, &code), 0);
    assert_int_equal(pdu.value.len, 16);
    assert_int_equal(decode_hex(HMAC_CONF_DEV, 0, &pdu, &code), 0);
    assert_int_equal(pdu.value.len, 32);
}

static void test_record_pdus(void **state)
{
    struct meshrpr_prov_pdu pdu;
    uint8_t code;
    NET_BUF_SIMPLE_DEFINE(buf, 80);

    (void)state;
    assert_int_equal(decode_hex("0a 0001 0010 0014", 0, &pdu, &code), 0);
    assert_int_equal(pdu.record_request.record_id, 1);
    assert_int_equal(pdu.record_request.offset, 0x10);
    assert_int_equal(pdu.record_request.max_size, 0x14);

    assert_int_equal(decode_hex("0b 00 0011 0000 0003 414243", 0, &pdu, &code), 0);
    assert_int_equal(pdu.record_response.status, 0);
    assert_int_equal(pdu.record_response.record_id, 0x11);
    assert_int_equal(pdu.record_response.total_len, 3);
    assert_int_equal(pdu.record_response.data_len, 3);
    assert_memory_equal(pdu.record_response.data, "ABC", 3);
    assert_int_equal(decode_hex("0b 01 0011 0000 0000", 0, &pdu, &code), 0);
    assert_int_equal(pdu.record_response.data_len, 0);

    assert_int_equal(decode_hex("0c", 0, &pdu, &code), 0);
    assert_int_equal(pdu.type, MESHRPR_PROV_RECORDS_GET);

    assert_int_equal(decode_hex("0d 0000 0000 0001", 0, &pdu, &code), 0);
    assert_int_equal(pdu.records_list.count, 2);
    assert_int_equal(decode_hex("0d 0000", 0, &pdu, &code), 0);
    assert_int_equal(pdu.records_list.count, 0);

    /* meshrpr never sends record PDUs. */
    assert_int_equal(decode_hex("0a 0001 0010 0014", 0, &pdu, &code), 0);
    assert_int_equal(meshrpr_prov_pdu_encode(&pdu, &buf), -EINVAL);
}

/* ---- Refused PDUs ------------------------------------------------------------------------- */

static void test_invalid_pdu(void **state)
{
    struct meshrpr_prov_pdu pdu;
    uint8_t code = 0;

    (void)state;
    assert_int_equal(meshrpr_prov_pdu_decode(NULL, 0, 0, &pdu, &code), -EINVAL);
    assert_int_equal(code, MESHRPR_PROV_ERR_INVALID_PDU);
    /* RFU types and non-zero padding bits (§5.4.1): Invalid PDU, whatever follows. */
    assert_refused("0e", 0, MESHRPR_PROV_ERR_INVALID_PDU, 0xff);
    assert_refused("3f00", 0, MESHRPR_PROV_ERR_INVALID_PDU, 0xff);
    assert_refused("4000", 0, MESHRPR_PROV_ERR_INVALID_PDU, 0xff); /* Invite with padding 01 */
    assert_refused("c8", 0, MESHRPR_PROV_ERR_INVALID_PDU, 0xff);   /* Complete with padding */
    assert_refused("ff", 0, MESHRPR_PROV_ERR_INVALID_PDU, 0xff);
}

static void test_wrong_lengths(void **state)
{
    (void)state;
    /* Every fixed-size PDU one octet short and one octet long: Invalid Format (§5.4.4). */
    assert_refused("00", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_INVITE);
    assert_refused("000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_INVITE);
    assert_refused("0101000100000000000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT,
                   MESHRPR_PROV_CAPABILITIES);
    assert_refused(CAPS, 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_CAPABILITIES);
    assert_refused("0200000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("02000000000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("03" PUB_PROV "00", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_PUB_KEY);
    assert_refused("03", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_PUB_KEY);
    assert_refused("0400", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_INPUT_COMPLETE);
    assert_refused(DATA "00", 16, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_DATA);
    assert_refused("07d0bd", 16, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_DATA);
    assert_refused("0800", 16, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_COMPLETE);
    assert_refused("09", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_FAILED);
    assert_refused("090400", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_FAILED);
    assert_refused("0c00", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_RECORDS_GET);
    assert_refused("0a000100100014ff", 0, MESHRPR_PROV_ERR_INVALID_FORMAT,
                   MESHRPR_PROV_RECORD_REQUEST);
    assert_refused("0b000011000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT,
                   MESHRPR_PROV_RECORD_RESPONSE);
    assert_refused("0d00", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_RECORDS_LIST);
    assert_refused("0d000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_RECORDS_LIST);

    /* Confirmation and Random follow the negotiated algorithm (§5.4.1.6-7). */
    assert_refused(CONF_PROV, 32, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_CONFIRM);
    assert_refused(HMAC_CONF_DEV, 16, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_CONFIRM);
    assert_refused(RAND_DEV "00", 16, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_RANDOM);
    assert_refused(RAND_DEV "00", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_RANDOM);
    assert_refused("06", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_RANDOM);
    /* A nonsense negotiated length is refused too. */
    assert_refused(RAND_DEV, 17, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_RANDOM);
}

static void test_prohibited_values(void **state)
{
    (void)state;
    /* Capabilities: Number of Elements 0 is Prohibited (§5.4.1.2). */
    assert_refused("010000010000000000000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT,
                   MESHRPR_PROV_CAPABILITIES);
    /* Start (§5.4.1.3): RFU algorithm and public key values, prohibited methods, actions and
     * sizes that contradict the method. */
    assert_refused("020200000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("02ff00000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020002000000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000040000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000ff0000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000000100", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000000001", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000010001", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000010100", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000020000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000020009", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000020501", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000030000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000030401", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    assert_refused("020000030309", 0, MESHRPR_PROV_ERR_INVALID_FORMAT, MESHRPR_PROV_START);
    /* Record Request: Fragment Maximum Size 0 is Prohibited. */
    assert_refused("0a000100100000", 0, MESHRPR_PROV_ERR_INVALID_FORMAT,
                   MESHRPR_PROV_RECORD_REQUEST);

    /* The edges that are allowed. */
    assert_roundtrip("020000020408", 0);
    assert_roundtrip("020000020001", 0);
    assert_roundtrip("020000030308", 0);
    assert_roundtrip("020101010000", 0);
}

static void test_encode_errors(void **state)
{
    struct meshrpr_prov_pdu pdu = { .type = MESHRPR_PROV_CONFIRM };
    NET_BUF_SIMPLE_DEFINE(small, 16);
    NET_BUF_SIMPLE_DEFINE(buf, 80);

    (void)state;
    pdu.value.len = 20;
    assert_int_equal(meshrpr_prov_pdu_encode(&pdu, &buf), -EINVAL);
    pdu.value.len = 16;
    assert_int_equal(meshrpr_prov_pdu_encode(&pdu, &small), -ENOBUFS);
    assert_int_equal(small.len, 0);
    pdu.type = 0x0e;
    assert_int_equal(meshrpr_prov_pdu_encode(&pdu, &buf), -EINVAL);
    assert_int_equal(buf.len, 0);
}

static void test_action_bit(void **state)
{
    (void)state;
    assert_int_equal(meshrpr_prov_action_bit(0), -1);
    assert_int_equal(meshrpr_prov_action_bit(BT_MESH_BLINK), 0);
    assert_int_equal(meshrpr_prov_action_bit(BT_MESH_DISPLAY_STRING), 4);
    assert_int_equal(meshrpr_prov_action_bit(BT_MESH_ENTER_STRING), 3);
    assert_int_equal(meshrpr_prov_action_bit(0x8000), 15);
    assert_int_equal(meshrpr_prov_action_bit(0x0003), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_cmac_pdus),  cmocka_unit_test(test_sample_hmac_pdus),
        cmocka_unit_test(test_decoded_fields),    cmocka_unit_test(test_record_pdus),
        cmocka_unit_test(test_invalid_pdu),       cmocka_unit_test(test_wrong_lengths),
        cmocka_unit_test(test_prohibited_values), cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_action_bit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
