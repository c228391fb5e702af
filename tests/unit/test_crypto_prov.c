/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provisioning key chain (MshPRTv1.1 §5.4.2) against the specification's sample data
 * for both algorithms: §8.17.1 (= Mesh Profile 1.0.1 §8.7), BTM_ECDH_P256_CMAC_AES128_AES_CCM
 * with No OOB, and §8.17.2, BTM_ECDH_P256_HMAC_SHA256_AES_CCM with 32-octet Static OOB.
 * Each chain starts from the two private keys and ends with the Provisioning Data decrypted
 * back, checking every published intermediate on the way.
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
/* NetKey || NetKey Index 0x0567 || Flags 0 || IV Index 0x01020304 || Address 0x0b0c */
#define PROV_DATA "efb2255e6422d330088e09bb015ed707056700010203040b0c"

/* One provisioning sample: the PDU parameters that differ and every expected value. */
struct prov_sample {
    enum meshrpr_prov_alg alg;
    const char *capabilities, *start;
    const char *auth_value, *random_provisioner, *random_device;
    const char *confirmation_salt, *confirmation_key;
    const char *confirmation_provisioner, *confirmation_device;
    const char *provisioning_salt_input, *provisioning_salt;
    const char *session_key, *session_nonce_full, *session_nonce, *dev_key;
    const char *encrypted_data, *data_mic;
};

static const struct prov_sample sample_cmac = {
    .alg = MESHRPR_PROV_ALG_P256_CMAC_AES128,
    .capabilities = "0100010000000000000000",
    .start = "0000000000",
    .auth_value = "00000000000000000000000000000000",
    .random_provisioner = "8b19ac31d58b124c946209b5db1021b9",
    .random_device = "55a2a2bca04cd32ff6f346bd0a0c1a3a",
    .confirmation_salt = "5faabe187337c71cc6c973369dcaa79a",
    .confirmation_key = "e31fe046c68ec339c425fc6629f0336f",
    .confirmation_provisioner = "b38a114dfdca1fe153bd2c1e0dc46ac2",
    .confirmation_device = "eeba521c196b52cc2e37aa40329f554e",
    .provisioning_salt_input = "5faabe187337c71cc6c973369dcaa79a8b19ac31d58b124c946209b5db1021b9"
                               "55a2a2bca04cd32ff6f346bd0a0c1a3a",
    .provisioning_salt = "a21c7d45f201cf9489a2fb57145015b4",
    .session_key = "c80253af86b33dfa450bbdb2a191fea3",
    .session_nonce_full = "c5e02eda7ddbe78b5f62b81d6847487e",
    .session_nonce = "da7ddbe78b5f62b81d6847487e",
    .dev_key = "0520adad5e0142aa3e325087b4ec16d8",
    .encrypted_data = "d0bd7f4a89a2ff6222af59a90a60ad58acfe3123356f5cec29",
    .data_mic = "73e0ec50783b10c7",
};

static const struct prov_sample sample_hmac = {
    .alg = MESHRPR_PROV_ALG_P256_HMAC_SHA256,
    .capabilities = "0100030001000000000000",
    .start = "0100010000",
    .auth_value = "906d73a3c7a7cb3ff730dca68a46b9c18d673f50e078202311473ebbe253669f",
    .random_provisioner = "36f968b94a13000e64b223576390db6bcc6d62f02617c369ee3f5b3e89df7e1f",
    .random_device = "5b9b1fc6a64b2de8bece53187ee989c6566db1fc7dc8580a73dafdd6211d56a5",
    .confirmation_salt = "a71141ba8cb6b40f4f52b622e1c091614c73fc308f871b78ca775e769bc3ae69",
    .confirmation_key = "210c3c448152e8d59ef742aa7d22ee5ba59a38648bda6bf05c74f3e46fc2c0bb",
    .confirmation_provisioner = "c99b54617ae646f5f32cf7e1ea6fcc49fd69066078eba9580fa6c7031833e6c8",
    .confirmation_device = "56e3722d291373d38c995d6f942c02928c96abb015c233557d7974b6e2df662b",
    .provisioning_salt_input = "a71141ba8cb6b40f4f52b622e1c091614c73fc308f871b78ca775e769bc3ae69"
                               "36f968b94a13000e64b223576390db6bcc6d62f02617c369ee3f5b3e89df7e1f"
                               "5b9b1fc6a64b2de8bece53187ee989c6566db1fc7dc8580a73dafdd6211d56a5",
    .provisioning_salt = "d1cb10ad8d51286067e348fc4b692122",
    .session_key = "df4a494da3d45405e402f1d6a6cea338",
    .session_nonce_full = "caee0611b987db2ae41fbb9e96b80446",
    .session_nonce = "11b987db2ae41fbb9e96b80446",
    .dev_key = "2770852a737cf05d8813768f22af3a2d",
    .encrypted_data = "f9df98cbb736be1f600659ac4c37821a82db31e410a03de769",
    .data_mic = "3a2a0428fbdaf321",
};

static void run_chain(const struct prov_sample *s)
{
    TEST_HEX(prov_priv, PROV_PRIV);
    TEST_HEX(prov_pub, PROV_PUB);
    TEST_HEX(dev_priv, DEV_PRIV);
    TEST_HEX(dev_pub, DEV_PUB);
    TEST_HEX(prov_data, PROV_DATA);
    const size_t vlen = meshrpr_crypto_prov_value_len(s->alg);
    uint8_t inputs[MESHRPR_PROV_CONFIRMATION_INPUTS_LEN];
    uint8_t auth[32], rand_prov[32], rand_dev[32];
    uint8_t ecdh_prov[32], ecdh_dev[32];
    uint8_t conf_salt[32], conf_key[32], conf[32];
    uint8_t prov_salt[16], key[16], nonce[13], full[16];
    uint8_t encrypted[25], mic[8], decrypted[25];
    size_t pos = 0;
    struct fake_platform fp;

    fake_platform_init(&fp, 3);
    assert_int_equal(test_hex(s->auth_value, auth, sizeof(auth)), vlen);
    assert_int_equal(test_hex(s->random_provisioner, rand_prov, sizeof(rand_prov)), vlen);
    assert_int_equal(test_hex(s->random_device, rand_dev, sizeof(rand_dev)), vlen);

    /* ECDHSecret, computed by each side from its own private key and the peer's public key. */
    assert_int_equal(meshrpr_crypto_ecdh(&fp.platform, prov_priv, dev_pub, ecdh_prov), 0);
    assert_int_equal(meshrpr_crypto_ecdh(&fp.platform, dev_priv, prov_pub, ecdh_dev), 0);
    assert_hex_equal(ecdh_prov, 32, ECDH_SECRET);
    assert_hex_equal(ecdh_dev, 32, ECDH_SECRET);

    /* ConfirmationInputs = Invite || Capabilities || Start || ProvPubKey || DevPubKey. */
    inputs[pos++] = 0x00; /* Attention Duration */
    pos += test_hex(s->capabilities, inputs + pos, 11);
    pos += test_hex(s->start, inputs + pos, 5);
    memcpy(inputs + pos, prov_pub, 64);
    memcpy(inputs + pos + 64, dev_pub, 64);
    pos += 128;
    assert_int_equal(pos, MESHRPR_PROV_CONFIRMATION_INPUTS_LEN);

    assert_int_equal(meshrpr_crypto_prov_confirmation_salt(s->alg, inputs, conf_salt), 0);
    assert_hex_equal(conf_salt, vlen, s->confirmation_salt);
    assert_int_equal(
        meshrpr_crypto_prov_confirmation_key(s->alg, ecdh_prov, conf_salt, auth, conf_key), 0);
    assert_hex_equal(conf_key, vlen, s->confirmation_key);
    assert_int_equal(meshrpr_crypto_prov_confirmation(s->alg, conf_key, rand_prov, auth, conf), 0);
    assert_hex_equal(conf, vlen, s->confirmation_provisioner);
    assert_int_equal(meshrpr_crypto_prov_confirmation(s->alg, conf_key, rand_dev, auth, conf), 0);
    assert_hex_equal(conf, vlen, s->confirmation_device);

    /* ProvisioningSalt: the published input is the concatenation, and s1 of it the salt. */
    uint8_t salt_input[96];
    size_t salt_input_len = test_hex(s->provisioning_salt_input, salt_input, sizeof(salt_input));
    assert_int_equal(salt_input_len, 3 * vlen);
    assert_memory_equal(salt_input, conf_salt, vlen);
    assert_memory_equal(salt_input + vlen, rand_prov, vlen);
    assert_memory_equal(salt_input + 2 * vlen, rand_dev, vlen);
    assert_int_equal(meshrpr_crypto_s1(salt_input, salt_input_len, prov_salt), 0);
    assert_hex_equal(prov_salt, 16, s->provisioning_salt);
    memset(prov_salt, 0, sizeof(prov_salt));
    assert_int_equal(meshrpr_crypto_prov_salt(s->alg, conf_salt, rand_prov, rand_dev, prov_salt),
                     0);
    assert_hex_equal(prov_salt, 16, s->provisioning_salt);

    assert_int_equal(meshrpr_crypto_prov_session_key(ecdh_prov, prov_salt, key), 0);
    assert_hex_equal(key, 16, s->session_key);
    assert_int_equal(meshrpr_crypto_k1(ecdh_prov, 32, prov_salt, (const uint8_t *)"prsn", 4, full),
                     0);
    assert_hex_equal(full, 16, s->session_nonce_full);
    assert_int_equal(meshrpr_crypto_prov_session_nonce(ecdh_prov, prov_salt, nonce), 0);
    assert_hex_equal(nonce, 13, s->session_nonce);

    assert_int_equal(meshrpr_crypto_prov_data_encrypt(key, nonce, prov_data, encrypted, mic), 0);
    assert_hex_equal(encrypted, 25, s->encrypted_data);
    assert_hex_equal(mic, 8, s->data_mic);
    assert_int_equal(meshrpr_crypto_prov_data_decrypt(key, nonce, encrypted, mic, decrypted), 0);
    assert_memory_equal(decrypted, prov_data, 25);

    /* A corrupted Provisioning Data PDU fails its MIC (the device answers Decryption Failed). */
    mic[0] ^= 0x01;
    assert_int_equal(meshrpr_crypto_prov_data_decrypt(key, nonce, encrypted, mic, decrypted),
                     -EBADMSG);

    uint8_t dev_key[16];
    assert_int_equal(meshrpr_crypto_prov_dev_key(ecdh_prov, prov_salt, dev_key), 0);
    assert_hex_equal(dev_key, 16, s->dev_key);
}

static void chain_cmac_no_oob(void **state)
{
    (void)state;
    run_chain(&sample_cmac);
}

static void chain_hmac_static_oob(void **state)
{
    (void)state;
    run_chain(&sample_hmac);
}

/* §8.17.1's on-air PDUs are the type octet followed by the values checked above. */
static void on_air_confirmation_and_data_pdus(void **state)
{
    (void)state;
    TEST_HEX(data_pdu, "07d0bd7f4a89a2ff6222af59a90a60ad58acfe3123356f5cec2973e0ec50783b10c7");
    TEST_HEX(session_key, "c80253af86b33dfa450bbdb2a191fea3");
    TEST_HEX(session_nonce, "da7ddbe78b5f62b81d6847487e");
    uint8_t data[25];

    assert_int_equal(data_pdu[0], 0x07);
    assert_int_equal(data_pdu_len, 1 + 25 + 8);
    assert_int_equal(meshrpr_crypto_prov_data_decrypt(session_key, session_nonce, data_pdu + 1,
                                                      data_pdu + 26, data),
                     0);
    assert_hex_equal(data, 25, PROV_DATA);
}

/* With HMAC and No OOB the AuthValue is 32 zero octets and still changes the key: a wrong
 * Static OOB value must give a different confirmation. */
static void hmac_auth_value_enters_confirmation_key(void **state)
{
    (void)state;
    TEST_HEX(ecdh, ECDH_SECRET);
    TEST_HEX(salt, "a71141ba8cb6b40f4f52b622e1c091614c73fc308f871b78ca775e769bc3ae69");
    TEST_HEX(auth, "906d73a3c7a7cb3ff730dca68a46b9c18d673f50e078202311473ebbe253669f");
    uint8_t key_right[32], key_wrong[32];

    assert_int_equal(meshrpr_crypto_prov_confirmation_key(MESHRPR_PROV_ALG_P256_HMAC_SHA256, ecdh,
                                                          salt, auth, key_right),
                     0);
    auth[31] ^= 0x01;
    assert_int_equal(meshrpr_crypto_prov_confirmation_key(MESHRPR_PROV_ALG_P256_HMAC_SHA256, ecdh,
                                                          salt, auth, key_wrong),
                     0);
    assert_memory_not_equal(key_right, key_wrong, 32);
}

static void unknown_algorithm_rejected(void **state)
{
    (void)state;
    uint8_t in[145] = { 0 };
    uint8_t out[32];
    const enum meshrpr_prov_alg bad = (enum meshrpr_prov_alg)0x02;

    assert_int_equal(meshrpr_crypto_prov_value_len(bad), 0);
    assert_int_equal(meshrpr_crypto_prov_confirmation_salt(bad, in, out), -EINVAL);
    assert_int_equal(meshrpr_crypto_prov_confirmation_key(bad, in, in, in, out), -EINVAL);
    assert_int_equal(meshrpr_crypto_prov_confirmation(bad, in, in, in, out), -EINVAL);
    assert_int_equal(meshrpr_crypto_prov_salt(bad, in, in, in, out), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chain_cmac_no_oob),
        cmocka_unit_test(chain_hmac_static_oob),
        cmocka_unit_test(on_air_confirmation_and_data_pdus),
        cmocka_unit_test(hmac_auth_value_enters_confirmation_key),
        cmocka_unit_test(unknown_algorithm_rejected),
    };
    return cmocka_run_group_tests_name("crypto_prov", tests, NULL, NULL);
}
