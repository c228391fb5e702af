/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The crypto primitives against published vectors that do not come from the mesh
 * specification (FIPS-197, RFC 4493, RFC 4231, RFC 3610), the P-256 keys and ECDHSecret of
 * the mesh provisioning sample data (MshPRTv1.1 §8.17, which equal Bluetooth Core "P-256
 * data set 2"), and the negative cases: invalid public keys, tampered MICs, bad lengths.
 */
#include <errno.h>
#include <string.h>

#include "fake_platform.h"
#include "test_util.h"

#include "crypto/crypto.h"

#define PROV_PRIV "06a516693c9aa31a6084545d0c5db641b48572b97203ddffb7ac73f7d0457663"
#define PROV_PUB                                                                                   \
    "2c31a47b5779809ef44cb5eaaf5c3e43d5f8faad4a8794cb987e9b03745c78dd"                             \
    "919512183898dfbecd52e2408e43871fd021109117bd3ed4eaf8437743715d4f"
#define DEV_PRIV "529aa0670d72cd6497502ed473502b037e8803b5c60829a5a3caa219505530ba"
#define DEV_PUB                                                                                    \
    "f465e43ff23d3f1b9dc7dfc04da8758184dbc966204796eccf0d6cf5e16500cc"                             \
    "0201d048bcbbd899eeefc424164e33c201c2b010ca6b4d43a8a155cad8ecb279"
#define ECDH_SECRET "ab85843a2f6d883f62e5684b38e307335fe6e1945ecd19604105c6f23221eb69"
/* The P-256 field prime p. */
#define P256_P "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"

static void aes_ecb_fips197(void **state)
{
    (void)state;
    TEST_HEX(key, "000102030405060708090a0b0c0d0e0f");
    TEST_HEX(pt, "00112233445566778899aabbccddeeff");
    uint8_t ct[16];

    assert_int_equal(meshrpr_crypto_aes_ecb(key, pt, ct), 0);
    assert_hex_equal(ct, 16, "69c4e0d86a7b0430d8cdb78070b4c55a");
}

static void aes_cmac_rfc4493(void **state)
{
    (void)state;
    TEST_HEX(key, "2b7e151628aed2a6abf7158809cf4f3c");
    TEST_HEX(m40, "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                  "30c81c46a35ce411");
    uint8_t mac[16];

    assert_int_equal(meshrpr_crypto_aes_cmac(key, NULL, 0, mac), 0);
    assert_hex_equal(mac, 16, "bb1d6929e95937287fa37d129b756746");
    assert_int_equal(meshrpr_crypto_aes_cmac(key, m40, 16, mac), 0);
    assert_hex_equal(mac, 16, "070a16b46b4d4144f79bdd9dd04a287c");
    assert_int_equal(meshrpr_crypto_aes_cmac(key, m40, m40_len, mac), 0);
    assert_hex_equal(mac, 16, "dfa66747de9ae63030ca32611497c827");

    /* The scatter form over uneven pieces gives the same MAC as the contiguous form. */
    const struct meshrpr_crypto_sg sg[] = {
        { m40, 3 }, { NULL, 0 }, { m40 + 3, 20 }, { m40 + 23, m40_len - 23 }
    };
    assert_int_equal(meshrpr_crypto_aes_cmac_sg(key, sg, 4, mac), 0);
    assert_hex_equal(mac, 16, "dfa66747de9ae63030ca32611497c827");
}

static void hmac_sha256_rfc4231(void **state)
{
    (void)state;
    const char *data = "what do ya want for nothing?";
    uint8_t mac[32];

    assert_int_equal(meshrpr_crypto_hmac_sha256((const uint8_t *)"Jefe", 4, (const uint8_t *)data,
                                                strlen(data), mac),
                     0);
    assert_hex_equal(mac, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* RFC 3610 Packet Vector #1: 13-octet nonce, 8 octets of additional data, 8-octet MIC. */
static void ccm_rfc3610_vector1(void **state)
{
    (void)state;
    TEST_HEX(key, "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
    TEST_HEX(nonce, "00000003020100a0a1a2a3a4a5");
    TEST_HEX(aad, "0001020304050607");
    TEST_HEX(pt, "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e");
    uint8_t ct[32];
    uint8_t mic[8];
    uint8_t back[32];

    assert_int_equal(meshrpr_crypto_ccm_encrypt(key, nonce, pt, pt_len, aad, aad_len, ct, mic, 8),
                     0);
    assert_hex_equal(ct, pt_len, "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384");
    assert_hex_equal(mic, 8, "17e8d12cfdf926e0");
    assert_int_equal(meshrpr_crypto_ccm_decrypt(key, nonce, ct, pt_len, aad, aad_len, mic, 8, back),
                     0);
    assert_memory_equal(back, pt, pt_len);

    /* The additional data is authenticated: changing it fails the MIC. */
    aad[0] ^= 0x01;
    assert_int_equal(meshrpr_crypto_ccm_decrypt(key, nonce, ct, pt_len, aad, aad_len, mic, 8, back),
                     -EBADMSG);
}

/* MshPRTv1.1 §8.3.6 (Message #16): device-key access message, 32-bit TransMIC. */
static void ccm_mic32_message16(void **state)
{
    (void)state;
    TEST_HEX(dev_key, "9d6dd0e96eb25dc19a40ed9914f8f03f");
    TEST_HEX(access, "800300563412");
    uint8_t nonce[13];
    uint8_t out[16];
    uint8_t back[16];

    meshrpr_crypto_device_nonce(nonce, false, 0x000006, 0x1201, 0x0003, 0x12345678);
    assert_hex_equal(nonce, 13, "02000000061201000312345678");
    assert_int_equal(meshrpr_crypto_ccm_encrypt(dev_key, nonce, access, access_len, NULL, 0, out,
                                                out + access_len, 4),
                     0);
    assert_hex_equal(out, access_len + 4, "89511bf1d1a81c11dcef");
    assert_int_equal(meshrpr_crypto_ccm_decrypt(dev_key, nonce, out, access_len, NULL, 0,
                                                out + access_len, 4, back),
                     0);
    assert_memory_equal(back, access, access_len);
}

/* Message #22: application key, virtual destination, Label UUID as additional data. */
static void ccm_aad_label_uuid_message22(void **state)
{
    (void)state;
    TEST_HEX(app_key, "63964771734fbd76e3b40519d1d94a48");
    TEST_HEX(label, "0073e7e4d8b9440faf8415df4c56c0e1");
    TEST_HEX(access, "d50a0048656c6c6f");
    uint8_t nonce[13];
    uint8_t out[16];

    meshrpr_crypto_application_nonce(nonce, false, 0x07080b, 0x1234, 0xb529, 0x12345677);
    assert_hex_equal(nonce, 13, "010007080b1234b52912345677");
    assert_int_equal(meshrpr_crypto_ccm_encrypt(app_key, nonce, access, access_len, label,
                                                label_len, out, out + access_len, 4),
                     0);
    assert_hex_equal(out, access_len + 4, "3871b904d431526316ca48a0");
}

/* Message #24: ASZMIC = 1, 64-bit TransMIC, Label UUID as additional data; in place. */
static void ccm_mic64_in_place_message24(void **state)
{
    (void)state;
    TEST_HEX(app_key, "63964771734fbd76e3b40519d1d94a48");
    TEST_HEX(label, "f4a002c7fb1e4ca0a469a021de0db875");
    TEST_HEX(buf, "ea0a00576f726c64 0000000000000000");
    uint8_t nonce[13];

    meshrpr_crypto_application_nonce(nonce, true, 0x07080d, 0x1234, 0x9736, 0x12345677);
    assert_hex_equal(nonce, 13, "018007080d1234973612345677");
    assert_int_equal(
        meshrpr_crypto_ccm_encrypt(app_key, nonce, buf, 8, label, label_len, buf, buf + 8, 8), 0);
    assert_hex_equal(buf, buf_len, "c3c51d8e476b28e3aa5001f31c01cea6");
    assert_int_equal(
        meshrpr_crypto_ccm_decrypt(app_key, nonce, buf, 8, label, label_len, buf + 8, 8, buf), 0);
    assert_hex_equal(buf, 8, "ea0a00576f726c64");
}

static void ccm_tampered_mic_fails_and_wipes(void **state)
{
    (void)state;
    TEST_HEX(key, "9d6dd0e96eb25dc19a40ed9914f8f03f");
    TEST_HEX(nonce, "02000000061201000312345678");
    TEST_HEX(ct, "89511bf1d1a81c11dcef");
    uint8_t out[6];

    for (size_t i = 0; i < ct_len; i++) {
        uint8_t bad[16];
        memcpy(bad, ct, ct_len);
        bad[i] ^= 0x40; /* flip one bit in ciphertext (i < 6) or MIC (i >= 6) */
        memset(out, 0xaa, sizeof(out));
        assert_int_equal(meshrpr_crypto_ccm_decrypt(key, nonce, bad, 6, NULL, 0, bad + 6, 4, out),
                         -EBADMSG);
        for (size_t j = 0; j < sizeof(out); j++) {
            assert_int_equal(out[j], 0); /* no unauthenticated plaintext is left behind */
        }
    }
}

static void ccm_rejects_bad_mic_length(void **state)
{
    (void)state;
    uint8_t key[16] = { 0 };
    uint8_t nonce[13] = { 0 };
    uint8_t data[4] = { 0 };
    uint8_t mic[16];

    assert_int_equal(meshrpr_crypto_ccm_encrypt(key, nonce, data, 4, NULL, 0, data, mic, 2),
                     -EINVAL);
    assert_int_equal(meshrpr_crypto_ccm_encrypt(key, nonce, data, 4, NULL, 0, data, mic, 5),
                     -EINVAL);
    assert_int_equal(meshrpr_crypto_ccm_decrypt(key, nonce, data, 4, NULL, 0, mic, 18, data),
                     -EINVAL);
}

static void p256_public_keys_of_sample_data(void **state)
{
    (void)state;
    TEST_HEX(prov_priv, PROV_PRIV);
    TEST_HEX(dev_priv, DEV_PRIV);
    uint8_t pub[64];

    assert_int_equal(meshrpr_crypto_p256_public_key(prov_priv, pub), 0);
    assert_hex_equal(pub, 64, PROV_PUB);
    assert_int_equal(meshrpr_crypto_p256_public_key(dev_priv, pub), 0);
    assert_hex_equal(pub, 64, DEV_PUB);
}

static void ecdh_sample_data_both_directions(void **state)
{
    (void)state;
    TEST_HEX(prov_priv, PROV_PRIV);
    TEST_HEX(prov_pub, PROV_PUB);
    TEST_HEX(dev_priv, DEV_PRIV);
    TEST_HEX(dev_pub, DEV_PUB);
    struct fake_platform fp;
    uint8_t secret[32];

    fake_platform_init(&fp, 1);
    assert_int_equal(meshrpr_crypto_ecdh(&fp.platform, prov_priv, dev_pub, secret), 0);
    assert_hex_equal(secret, 32, ECDH_SECRET);
    /* Without a platform the backend multiplies unblinded; the result is the same. */
    assert_int_equal(meshrpr_crypto_ecdh(NULL, dev_priv, prov_pub, secret), 0);
    assert_hex_equal(secret, 32, ECDH_SECRET);
}

static void ecdh_rejects_invalid_public_keys(void **state)
{
    (void)state;
    TEST_HEX(prov_priv, PROV_PRIV);
    TEST_HEX(dev_pub, DEV_PUB);
    TEST_HEX(prime, P256_P);
    uint8_t bad[64];
    uint8_t secret[32];

    assert_int_equal(meshrpr_crypto_p256_check_public_key(dev_pub), 0);

    /* Off the curve: one bit of Y flipped. */
    memcpy(bad, dev_pub, 64);
    bad[63] ^= 0x01;
    assert_int_equal(meshrpr_crypto_p256_check_public_key(bad), -EINVAL);
    memset(secret, 0x55, sizeof(secret));
    assert_int_equal(meshrpr_crypto_ecdh(NULL, prov_priv, bad, secret), -EINVAL);
    for (size_t i = 0; i < sizeof(secret); i++) {
        assert_int_equal(secret[i], 0);
    }

    /* The point (0, 0), which some peers send, and the all-ones point. */
    memset(bad, 0, sizeof(bad));
    assert_int_equal(meshrpr_crypto_ecdh(NULL, prov_priv, bad, secret), -EINVAL);
    memset(bad, 0xff, sizeof(bad));
    assert_int_equal(meshrpr_crypto_ecdh(NULL, prov_priv, bad, secret), -EINVAL);

    /* X = p: a coordinate outside the field, even though X = p ≡ 0 would reduce. */
    memcpy(bad, prime, 32);
    memcpy(bad + 32, dev_pub + 32, 32);
    assert_int_equal(meshrpr_crypto_p256_check_public_key(bad), -EINVAL);
}

static void ecdh_rejects_invalid_private_key(void **state)
{
    (void)state;
    TEST_HEX(dev_pub, DEV_PUB);
    uint8_t zero[32] = { 0 };
    uint8_t secret[32];
    uint8_t pub[64];

    assert_int_equal(meshrpr_crypto_ecdh(NULL, zero, dev_pub, secret), -EINVAL);
    assert_int_equal(meshrpr_crypto_p256_public_key(zero, pub), -EINVAL);
}

static void p256_keygen_uses_platform_random(void **state)
{
    (void)state;
    struct fake_platform a;
    struct fake_platform b;
    uint8_t priv_a[32], pub_a[64], priv_b[32], pub_b[64], check[64];
    uint8_t secret_ab[32], secret_ba[32];

    fake_platform_init(&a, 42);
    fake_platform_init(&b, 42);
    assert_int_equal(meshrpr_crypto_p256_keygen(&a.platform, priv_a, pub_a), 0);
    assert_int_equal(meshrpr_crypto_p256_keygen(&b.platform, priv_b, pub_b), 0);
    /* Same seed, same key: every random octet came from the platform hook. */
    assert_memory_equal(priv_a, priv_b, 32);
    assert_memory_equal(pub_a, pub_b, 64);
    assert_int_equal(meshrpr_crypto_p256_check_public_key(pub_a), 0);
    assert_int_equal(meshrpr_crypto_p256_public_key(priv_a, check), 0);
    assert_memory_equal(check, pub_a, 64);

    /* The next key from the same source differs, and the pair agrees on a secret. */
    assert_int_equal(meshrpr_crypto_p256_keygen(&b.platform, priv_b, pub_b), 0);
    assert_memory_not_equal(priv_a, priv_b, 32);
    assert_int_equal(meshrpr_crypto_ecdh(&a.platform, priv_a, pub_b, secret_ab), 0);
    assert_int_equal(meshrpr_crypto_ecdh(&b.platform, priv_b, pub_a, secret_ba), 0);
    assert_memory_equal(secret_ab, secret_ba, 32);
}

static void p256_keygen_reports_random_failure(void **state)
{
    (void)state;
    struct fake_platform fp;
    uint8_t priv[32], pub[64];

    fake_platform_init(&fp, 7);
    fp.random_result = -EAGAIN;
    assert_int_equal(meshrpr_crypto_p256_keygen(&fp.platform, priv, pub), -EAGAIN);
    assert_int_equal(meshrpr_crypto_p256_keygen(NULL, priv, pub), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(aes_ecb_fips197),
        cmocka_unit_test(aes_cmac_rfc4493),
        cmocka_unit_test(hmac_sha256_rfc4231),
        cmocka_unit_test(ccm_rfc3610_vector1),
        cmocka_unit_test(ccm_mic32_message16),
        cmocka_unit_test(ccm_aad_label_uuid_message22),
        cmocka_unit_test(ccm_mic64_in_place_message24),
        cmocka_unit_test(ccm_tampered_mic_fails_and_wipes),
        cmocka_unit_test(ccm_rejects_bad_mic_length),
        cmocka_unit_test(p256_public_keys_of_sample_data),
        cmocka_unit_test(ecdh_sample_data_both_directions),
        cmocka_unit_test(ecdh_rejects_invalid_public_keys),
        cmocka_unit_test(ecdh_rejects_invalid_private_key),
        cmocka_unit_test(p256_keygen_uses_platform_random),
        cmocka_unit_test(p256_keygen_reports_random_failure),
    };
    return cmocka_run_group_tests_name("crypto_primitives", tests, NULL, NULL);
}
