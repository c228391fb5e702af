/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mesh security functions against the specification's sample data: §8.1 (s1, k1-k4 and
 * the Mesh 1.1 s2/k5), §8.2 (key derivatives), §8.3 (network encryption and obfuscation),
 * §8.4 (Secure Network Beacon and Mesh Private Beacons) and §8.6.2 (Node Identity hash).
 * Every expected value is a published sample, never our own output.
 */
#include <errno.h>
#include <string.h>

#include "test_util.h"

#include "crypto/crypto.h"

/* §8.1.1 */
static void s1_test(void **state)
{
    (void)state;
    uint8_t out[16];

    assert_int_equal(meshrpr_crypto_s1((const uint8_t *)"test", 4, out), 0);
    assert_hex_equal(out, 16, "b73cefbd641ef2ea598c2b6efb62f79c");
}

/* The salt constants of §3.9.6.3 (crypto.c keeps them precomputed). */
static void s1_salt_constants(void **state)
{
    (void)state;
    static const struct {
        const char *m;
        const char *salt;
    } salts[] = {
        { "smk2", "4f90480c1871bfbffd16971f4d8d10b1" },
        { "smk3", "0036443503f195cc8a716e136291c302" },
        { "smk4", "0e9ac1b7cefa66874c97ee54ac5f49be" },
        { "nkik", "f8795a1aabf182e4f163d86e245e19f4" },
        { "nkbk", "2c24619ab793c1233f6e226738393dec" },
        { "nkpk", "2c8b71fb5d95e86cfb753bfee3ab934f" },
    };
    uint8_t out[16];

    for (size_t i = 0; i < sizeof(salts) / sizeof(salts[0]); i++) {
        assert_int_equal(meshrpr_crypto_s1((const uint8_t *)salts[i].m, 4, out), 0);
        assert_hex_equal(out, 16, salts[i].salt);
    }
}

/* §8.1.2, with the intermediate T. */
static void k1_sample(void **state)
{
    (void)state;
    TEST_HEX(n, "3216d1509884b533248541792b877f98");
    TEST_HEX(salt, "2ba14ffa0df84a2831938d57d276cab4");
    TEST_HEX(p, "5a09d60797eeb4478aada59db3352a0d");
    uint8_t t[16];
    uint8_t out[16];

    assert_int_equal(meshrpr_crypto_aes_cmac(salt, n, n_len, t), 0);
    assert_hex_equal(t, 16, "c764bea25cf9738b08956ea3c712d5af");
    assert_int_equal(meshrpr_crypto_k1(n, n_len, salt, p, p_len, out), 0);
    assert_hex_equal(out, 16, "f6ed15a8934afbe7d83e8dcb57fcf5d7");
}

/* §8.1.3 and §8.1.4 */
static void k2_flooding_and_friendship(void **state)
{
    (void)state;
    TEST_HEX(n, "f7a2a44f8e8a8029064f173ddc1e2b00");
    TEST_HEX(p_friend, "010203040506070809");
    const uint8_t p_flood = 0x00;
    uint8_t nid;
    uint8_t enc[16];
    uint8_t priv[16];

    assert_int_equal(meshrpr_crypto_k2(n, &p_flood, 1, &nid, enc, priv), 0);
    assert_int_equal(nid, 0x7f);
    assert_hex_equal(enc, 16, "9f589181a0f50de73c8070c7a6d27f46");
    assert_hex_equal(priv, 16, "4c715bd4a64b938f99b453351653124f");

    assert_int_equal(meshrpr_crypto_k2(n, p_friend, p_friend_len, &nid, enc, priv), 0);
    assert_int_equal(nid, 0x73);
    assert_hex_equal(enc, 16, "11efec0642774992510fb5929646df49");
    assert_hex_equal(priv, 16, "d4d7cc0dfa772d836a8df9df5510d7a7");

    assert_int_equal(meshrpr_crypto_k2(n, p_friend, 0, &nid, enc, priv), -EINVAL);
}

/* §8.1.5 and §8.1.6 */
static void k3_k4_samples(void **state)
{
    (void)state;
    TEST_HEX(n3, "f7a2a44f8e8a8029064f173ddc1e2b00");
    TEST_HEX(n4, "3216d1509884b533248541792b877f98");
    uint8_t out[8];
    uint8_t aid;

    assert_int_equal(meshrpr_crypto_k3(n3, out), 0);
    assert_hex_equal(out, 8, "ff046958233db014");
    assert_int_equal(meshrpr_crypto_k4(n4, &aid), 0);
    assert_int_equal(aid, 0x38);
}

#define CONFIRMATION_INPUTS_HMAC                                                                   \
    "00"                                                                                           \
    "0100030001000000000000"                                                                       \
    "0100010000"                                                                                   \
    "2c31a47b5779809ef44cb5eaaf5c3e43d5f8faad4a8794cb987e9b03745c78dd"                             \
    "919512183898dfbecd52e2408e43871fd021109117bd3ed4eaf8437743715d4f"                             \
    "f465e43ff23d3f1b9dc7dfc04da8758184dbc966204796eccf0d6cf5e16500cc"                             \
    "0201d048bcbbd899eeefc424164e33c201c2b010ca6b4d43a8a155cad8ecb279"

/* Mesh 1.1 s2 and k5, from the §8.17.2 sample (with k5's intermediate T). */
static void s2_k5_samples(void **state)
{
    (void)state;
    TEST_HEX(inputs, CONFIRMATION_INPUTS_HMAC);
    TEST_HEX(n, "ab85843a2f6d883f62e5684b38e307335fe6e1945ecd19604105c6f23221eb69"
                "906d73a3c7a7cb3ff730dca68a46b9c18d673f50e078202311473ebbe253669f");
    TEST_HEX(p, "7072636b323536");
    uint8_t salt[32];
    uint8_t t[32];
    uint8_t out[32];

    assert_int_equal(inputs_len, 145);
    assert_int_equal(meshrpr_crypto_s2(inputs, inputs_len, salt), 0);
    assert_hex_equal(salt, 32, "a71141ba8cb6b40f4f52b622e1c091614c73fc308f871b78ca775e769bc3ae69");
    assert_int_equal(meshrpr_crypto_hmac_sha256(salt, 32, n, n_len, t), 0);
    assert_hex_equal(t, 32, "bb73fb226a7a26c196f3f649bf8d208eca77ae956fc31a5ab51a47267ad41815");
    assert_int_equal(meshrpr_crypto_k5(n, n_len, salt, p, p_len, out), 0);
    assert_hex_equal(out, 32, "210c3c448152e8d59ef742aa7d22ee5ba59a38648bda6bf05c74f3e46fc2c0bb");
}

/* §8.2.1 - §8.2.6 and the Mesh 1.1 directed and private beacon keys, NetKey 7dd7...c3d6. */
static void key_derivatives_of_sample_netkey(void **state)
{
    (void)state;
    TEST_HEX(net_key, "7dd7364cd842ad18c17c2b820c84c3d6");
    TEST_HEX(app_key, "63964771734fbd76e3b40519d1d94a48");
    TEST_HEX(p_friend, "01120123450000072f");
    const uint8_t p_flood = 0x00;
    const uint8_t p_directed = 0x02;
    uint8_t nid, aid;
    uint8_t enc[16], priv[16], key[16], network_id[8];

    assert_int_equal(meshrpr_crypto_k4(app_key, &aid), 0);
    assert_int_equal(aid, 0x26);

    assert_int_equal(meshrpr_crypto_k2(net_key, &p_flood, 1, &nid, enc, priv), 0);
    assert_int_equal(nid, 0x68);
    assert_hex_equal(enc, 16, "0953fa93e7caac9638f58820220a398e");
    assert_hex_equal(priv, 16, "8b84eedec100067d670971dd2aa700cf");

    assert_int_equal(meshrpr_crypto_k2(net_key, p_friend, p_friend_len, &nid, enc, priv), 0);
    assert_int_equal(nid, 0x5e);
    assert_hex_equal(enc, 16, "be635105434859f484fc798e043ce40e");
    assert_hex_equal(priv, 16, "5d396d4b54d3cbafe943e051fe9a4eb8");

    assert_int_equal(meshrpr_crypto_k2(net_key, &p_directed, 1, &nid, enc, priv), 0);
    assert_int_equal(nid, 0x0d);
    assert_hex_equal(enc, 16, "b47a02c6cc9b4ac4cb9b88e765c9ade4");
    assert_hex_equal(priv, 16, "9bf7ab5a5ad415fbd77e07bb808f4865");

    assert_int_equal(meshrpr_crypto_network_id(net_key, network_id), 0);
    assert_hex_equal(network_id, 8, "3ecaff672f673370");
    assert_int_equal(meshrpr_crypto_identity_key(net_key, key), 0);
    assert_hex_equal(key, 16, "84396c435ac48560b5965385253e210c");
    assert_int_equal(meshrpr_crypto_beacon_key(net_key, key), 0);
    assert_hex_equal(key, 16, "5423d967da639a99cb02231a83f7d254");
}

static void private_beacon_keys(void **state)
{
    (void)state;
    TEST_HEX(net_key_1, "f7a2a44f8e8a8029064f173ddc1e2b00");
    TEST_HEX(net_key_2, "3bbb6f1fbd53e157417f308ce7aec58f");
    uint8_t key[16];

    assert_int_equal(meshrpr_crypto_private_beacon_key(net_key_1, key), 0);
    assert_hex_equal(key, 16, "6be76842460b2d3a5850d4698409f1bb");
    assert_int_equal(meshrpr_crypto_private_beacon_key(net_key_2, key), 0);
    assert_hex_equal(key, 16, "ca478cdac626b7a8522d7272dd124f26");
}

/* §8.3.1 Message #1: encrypt, obfuscate, and back, with every intermediate value. */
static void network_message1_encrypt_obfuscate(void **state)
{
    (void)state;
    TEST_HEX(enc_key, "0953fa93e7caac9638f58820220a398e");
    TEST_HEX(privacy_key, "8b84eedec100067d670971dd2aa700cf");
    TEST_HEX(transport_pdu, "034b50057e400000010000");
    const uint32_t iv_index = 0x12345678;
    const uint8_t nid = 0x68;
    uint8_t nonce[13];
    uint8_t pdu[32];
    uint8_t pecb_plain[16] = { 0 };
    uint8_t pecb[16];
    size_t len;

    meshrpr_crypto_network_nonce(nonce, 0x80, 0x000001, 0x1201, iv_index);
    assert_hex_equal(nonce, 13, "00800000011201000012345678");

    /* Header in the clear: IVI|NID, CTL|TTL, SEQ, SRC; then DST || TransportPDU. */
    TEST_HEX(clear, "68 80 000001 1201 fffd");
    memcpy(pdu, clear, clear_len);
    memcpy(pdu + clear_len, transport_pdu, transport_pdu_len);
    len = clear_len + transport_pdu_len + 8;
    assert_int_equal(meshrpr_crypto_ccm_encrypt(enc_key, nonce, pdu + 7, 2 + transport_pdu_len,
                                                NULL, 0, pdu + 7, pdu + 7 + 2 + transport_pdu_len,
                                                8),
                     0);
    assert_hex_equal(pdu + 7, 2 + transport_pdu_len + 8,
                     "b5e5bfdacbaf6cb7fb6bff871f035444ce83a670df");

    /* PrivacyRandom and PECB as the spec lists them. */
    memcpy(pecb_plain + 5, "\x12\x34\x56\x78", 4);
    memcpy(pecb_plain + 9, pdu + 7, 7);
    assert_hex_equal(pecb_plain, 16, "000000000012345678b5e5bfdacbaf6c");
    assert_int_equal(meshrpr_crypto_aes_ecb(privacy_key, pecb_plain, pecb), 0);
    assert_hex_equal(pecb, 6, "6ca487507564");

    assert_int_equal(meshrpr_crypto_net_obfuscate(privacy_key, iv_index, pdu, len), 0);
    assert_int_equal(pdu[0], (0 << 7) | nid);
    assert_hex_equal(pdu + 1, 6, "eca487516765");
    assert_hex_equal(pdu, len, "68eca487516765b5e5bfdacbaf6cb7fb6bff871f035444ce83a670df");

    /* Receive: de-obfuscate with the same call, then decrypt and authenticate. */
    assert_int_equal(meshrpr_crypto_net_obfuscate(privacy_key, iv_index, pdu, len), 0);
    assert_hex_equal(pdu, 7, "68800000011201");
    uint8_t plain[16];
    assert_int_equal(meshrpr_crypto_ccm_decrypt(enc_key, nonce, pdu + 7, len - 7 - 8, NULL, 0,
                                                pdu + len - 8, 8, plain),
                     0);
    assert_hex_equal(plain, len - 7 - 8, "fffd034b50057e400000010000");
}

/* §8.3.6 (Message #16, 32-bit NetMIC) through the network layer functions. */
static void network_message16_full_pdu(void **state)
{
    (void)state;
    TEST_HEX(enc_key, "0953fa93e7caac9638f58820220a398e");
    TEST_HEX(privacy_key, "8b84eedec100067d670971dd2aa700cf");
    TEST_HEX(pdu, "68 0b 000006 1201 0003 0089511bf1d1a81c11dcef 00000000");
    uint8_t nonce[13];

    meshrpr_crypto_network_nonce(nonce, 0x0b, 0x000006, 0x1201, 0x12345678);
    assert_hex_equal(nonce, 13, "000b0000061201000012345678");
    assert_int_equal(meshrpr_crypto_ccm_encrypt(enc_key, nonce, pdu + 7, pdu_len - 7 - 4, NULL, 0,
                                                pdu + 7, pdu + pdu_len - 4, 4),
                     0);
    assert_int_equal(meshrpr_crypto_net_obfuscate(privacy_key, 0x12345678, pdu, pdu_len), 0);
    assert_hex_equal(pdu, pdu_len, "68e80e5da5af0e6b9be7f5a642f2f98680e61c3a8b47f228");
}

/* The other obfuscation samples: §8.3.16 and §8.3.17's PECB. */
static void obfuscation_samples_8_3_16_and_17(void **state)
{
    (void)state;
    TEST_HEX(privacy_key, "8b84eedec100067d670971dd2aa700cf");
    TEST_HEX(pdu, "68 0b0000061201 6b9be7f5a642f2f98680e61c3a8b47f228");
    TEST_HEX(plain17, "0000000000123456782a80d381b91f82");
    uint8_t pecb[16];

    assert_int_equal(meshrpr_crypto_net_obfuscate(privacy_key, 0x12345678, pdu, pdu_len), 0);
    assert_hex_equal(pdu + 1, 6, "e80e5da5af0e");
    assert_int_equal(meshrpr_crypto_net_obfuscate(privacy_key, 0x12345678, pdu, pdu_len), 0);
    assert_hex_equal(pdu + 1, 6, "0b0000061201");

    assert_int_equal(meshrpr_crypto_aes_ecb(privacy_key, plain17, pecb), 0);
    assert_hex_equal(pecb, 6, "b8bd2c18096e");

    assert_int_equal(meshrpr_crypto_net_obfuscate(privacy_key, 0, pdu, 13), -EINVAL);
}

/* §8.4.3 */
static void secure_network_beacon(void **state)
{
    (void)state;
    TEST_HEX(net_key, "7dd7364cd842ad18c17c2b820c84c3d6");
    uint8_t beacon_key[16];
    uint8_t network_id[8];
    uint8_t beacon[22];

    assert_int_equal(meshrpr_crypto_beacon_key(net_key, beacon_key), 0);
    assert_int_equal(meshrpr_crypto_network_id(net_key, network_id), 0);
    beacon[0] = 0x01; /* Secure Network Beacon */
    beacon[1] = 0x00; /* Flags */
    memcpy(&beacon[2], network_id, 8);
    memcpy(&beacon[10], "\x12\x34\x56\x78", 4);
    assert_int_equal(
        meshrpr_crypto_secure_beacon_auth(beacon_key, 0x00, network_id, 0x12345678, &beacon[14]),
        0);
    assert_hex_equal(&beacon[14], 8, "8ea261582f364f6f");
    assert_hex_equal(beacon, sizeof(beacon), "01003ecaff672f673370123456788ea261582f364f6f");
}

/* §8.4.6.1 and §8.4.6.2: encode from the inputs, decode the published beacon. */
static void mesh_private_beacons(void **state)
{
    (void)state;
    static const struct {
        const char *key, *random;
        uint8_t flags;
        uint32_t iv_index;
        const char *obf, *tag;
    } samples[] = {
        { "6be76842460b2d3a5850d4698409f1bb", "435f18f85cf78a3121f58478a5", 0x02, 0x1010abcd,
          "61e488e7cb", "f3174f022a514741" },
        { "ca478cdac626b7a8522d7272dd124f26", "1b998f82927535ea6f3076f422", 0x00, 0x00000000,
          "ce827408ab", "2f0ffb94cf97f881" },
    };

    for (size_t i = 0; i < 2; i++) {
        uint8_t key[16], random[13], obf[5], tag[8], flags;
        uint32_t iv_index;

        test_hex(samples[i].key, key, sizeof(key));
        test_hex(samples[i].random, random, sizeof(random));
        assert_int_equal(meshrpr_crypto_private_beacon_encode(key, random, samples[i].flags,
                                                              samples[i].iv_index, obf, tag),
                         0);
        assert_hex_equal(obf, 5, samples[i].obf);
        assert_hex_equal(tag, 8, samples[i].tag);

        assert_int_equal(
            meshrpr_crypto_private_beacon_decode(key, random, obf, tag, &flags, &iv_index), 0);
        assert_int_equal(flags, samples[i].flags);
        assert_int_equal(iv_index, samples[i].iv_index);

        tag[7] ^= 0x80;
        assert_int_equal(
            meshrpr_crypto_private_beacon_decode(key, random, obf, tag, &flags, &iv_index),
            -EBADMSG);
    }
}

/* §8.6.2: Node Identity hash = e(IdentityKey, Padding || Random || Address)[8..15]. */
static void node_identity_hash(void **state)
{
    (void)state;
    TEST_HEX(net_key, "7dd7364cd842ad18c17c2b820c84c3d6");
    TEST_HEX(input, "00000000000034ae608fbbc1f2c61201");
    uint8_t identity_key[16];
    uint8_t out[16];

    assert_int_equal(meshrpr_crypto_identity_key(net_key, identity_key), 0);
    assert_int_equal(meshrpr_crypto_aes_ecb(identity_key, input, out), 0);
    assert_hex_equal(out + 8, 8, "00861765aefcc57b");
}

static void proxy_nonce_layout(void **state)
{
    (void)state;
    uint8_t nonce[13];

    /* §3.9.5.4: 0x03, pad, SEQ, SRC, 0x0000, IV Index. */
    meshrpr_crypto_proxy_nonce(nonce, 0x000001, 0x1201, 0x12345678);
    assert_hex_equal(nonce, 13, "03000000011201000012345678");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(s1_test),
        cmocka_unit_test(s1_salt_constants),
        cmocka_unit_test(k1_sample),
        cmocka_unit_test(k2_flooding_and_friendship),
        cmocka_unit_test(k3_k4_samples),
        cmocka_unit_test(s2_k5_samples),
        cmocka_unit_test(key_derivatives_of_sample_netkey),
        cmocka_unit_test(private_beacon_keys),
        cmocka_unit_test(network_message1_encrypt_obfuscate),
        cmocka_unit_test(network_message16_full_pdu),
        cmocka_unit_test(obfuscation_samples_8_3_16_and_17),
        cmocka_unit_test(secure_network_beacon),
        cmocka_unit_test(mesh_private_beacons),
        cmocka_unit_test(node_identity_hash),
        cmocka_unit_test(proxy_nonce_layout),
    };
    return cmocka_run_group_tests_name("crypto_mesh", tests, NULL, NULL);
}
