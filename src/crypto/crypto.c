/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mesh security functions built on the primitives: MshPRTv1.1 §3.9 (s1, s2, k1-k5, nonces,
 * derived keys, obfuscation), §3.10 (beacon authentication) and §5.4.2 (provisioning).
 * Each function writes its result only through its out-parameters and wipes the
 * intermediate keys (the T values of k1-k5, the PECB block) before it returns.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <string.h>

/* The fixed salts, s1("smk2"), s1("smk3"), s1("smk4"), s1("nkik"), s1("nkbk"), s1("nkpk")
 * (§3.9.6.3); precomputed so that no derivation pays an extra CMAC. The unit tests recompute
 * each with s1 and compare. */
static const uint8_t salt_smk2[16] = { 0x4f, 0x90, 0x48, 0x0c, 0x18, 0x71, 0xbf, 0xbf,
                                       0xfd, 0x16, 0x97, 0x1f, 0x4d, 0x8d, 0x10, 0xb1 };
static const uint8_t salt_smk3[16] = { 0x00, 0x36, 0x44, 0x35, 0x03, 0xf1, 0x95, 0xcc,
                                       0x8a, 0x71, 0x6e, 0x13, 0x62, 0x91, 0xc3, 0x02 };
static const uint8_t salt_smk4[16] = { 0x0e, 0x9a, 0xc1, 0xb7, 0xce, 0xfa, 0x66, 0x87,
                                       0x4c, 0x97, 0xee, 0x54, 0xac, 0x5f, 0x49, 0xbe };
static const uint8_t salt_nkik[16] = { 0xf8, 0x79, 0x5a, 0x1a, 0xab, 0xf1, 0x82, 0xe4,
                                       0xf1, 0x63, 0xd8, 0x6e, 0x24, 0x5e, 0x19, 0xf4 };
static const uint8_t salt_nkbk[16] = { 0x2c, 0x24, 0x61, 0x9a, 0xb7, 0x93, 0xc1, 0x23,
                                       0x3f, 0x6e, 0x22, 0x67, 0x38, 0x39, 0x3d, 0xec };
static const uint8_t salt_nkpk[16] = { 0x2c, 0x8b, 0x71, 0xfb, 0x5d, 0x95, 0xe8, 0x6c,
                                       0xfb, 0x75, 0x3b, 0xfe, 0xe3, 0xab, 0x93, 0x4f };

static const uint8_t zero_key[32];

/* P values of the NetKey derivations, §3.9.6.3: "id64"||0x01, "id6"||0x01, "id128"||0x01. */
static const uint8_t p_id64[] = { 'i', 'd', '6', '4', 0x01 };
static const uint8_t p_id6[] = { 'i', 'd', '6', 0x01 };
static const uint8_t p_id128[] = { 'i', 'd', '1', '2', '8', 0x01 };

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- §3.9.2 ---------------------------------------------------------------------------- */

int meshrpr_crypto_s1(const uint8_t *m, size_t len, uint8_t out[16])
{
    return meshrpr_crypto_aes_cmac(zero_key, m, len, out);
}

int meshrpr_crypto_s2(const uint8_t *m, size_t len, uint8_t out[32])
{
    return meshrpr_crypto_hmac_sha256(zero_key, 32, m, len, out);
}

int meshrpr_crypto_k1(const uint8_t *n, size_t n_len, const uint8_t salt[16], const uint8_t *p,
                      size_t p_len, uint8_t out[16])
{
    uint8_t t[16];
    int err = meshrpr_crypto_aes_cmac(salt, n, n_len, t);

    if (err == 0) {
        err = meshrpr_crypto_aes_cmac(t, p, p_len, out);
    }
    meshrpr_crypto_wipe(t, sizeof(t));
    return err;
}

int meshrpr_crypto_k2(const uint8_t n[16], const uint8_t *p, size_t p_len, uint8_t *nid,
                      uint8_t encryption_key[16], uint8_t privacy_key[16])
{
    uint8_t t[16];
    uint8_t tn[3][16];
    int err;

    /* §3.9.2.8: P is 1 or more octets; the spec's uses are at most 9 (friendship). */
    if (p_len == 0 || p_len > 16) {
        return -EINVAL;
    }
    err = meshrpr_crypto_aes_cmac(salt_smk2, n, 16, t);
    /* T1 = CMAC_T(T0 || P || 0x01) with T0 empty; Tn = CMAC_T(Tn-1 || P || n). */
    for (uint8_t i = 0; err == 0 && i < 3; i++) {
        const uint8_t counter = (uint8_t)(i + 1);
        const struct meshrpr_crypto_sg sg[] = {
            { i > 0 ? tn[i - 1] : NULL, i > 0 ? 16 : 0 },
            { p, p_len },
            { &counter, 1 },
        };
        err = meshrpr_crypto_aes_cmac_sg(t, sg, 3, tn[i]);
    }
    if (err == 0) {
        *nid = tn[0][15] & 0x7f;
        memcpy(encryption_key, tn[1], 16);
        memcpy(privacy_key, tn[2], 16);
    }
    meshrpr_crypto_wipe(t, sizeof(t));
    meshrpr_crypto_wipe(tn, sizeof(tn));
    return err;
}

int meshrpr_crypto_k3(const uint8_t n[16], uint8_t out[8])
{
    uint8_t r[16];
    int err = meshrpr_crypto_k1(n, 16, salt_smk3, p_id64, sizeof(p_id64), r);

    if (err == 0) {
        memcpy(out, r + 8, 8); /* mod 2^64: the 8 least significant octets */
    }
    meshrpr_crypto_wipe(r, sizeof(r));
    return err;
}

int meshrpr_crypto_k4(const uint8_t n[16], uint8_t *aid)
{
    uint8_t r[16];
    int err = meshrpr_crypto_k1(n, 16, salt_smk4, p_id6, sizeof(p_id6), r);

    if (err == 0) {
        *aid = r[15] & 0x3f; /* mod 2^6 */
    }
    meshrpr_crypto_wipe(r, sizeof(r));
    return err;
}

int meshrpr_crypto_k5(const uint8_t *n, size_t n_len, const uint8_t salt[32], const uint8_t *p,
                      size_t p_len, uint8_t out[32])
{
    uint8_t t[32];
    int err = meshrpr_crypto_hmac_sha256(salt, 32, n, n_len, t);

    if (err == 0) {
        err = meshrpr_crypto_hmac_sha256(t, sizeof(t), p, p_len, out);
    }
    meshrpr_crypto_wipe(t, sizeof(t));
    return err;
}

/* ---- §3.9.6.3 -------------------------------------------------------------------------- */

int meshrpr_crypto_network_id(const uint8_t net_key[16], uint8_t network_id[8])
{
    return meshrpr_crypto_k3(net_key, network_id);
}

int meshrpr_crypto_identity_key(const uint8_t net_key[16], uint8_t identity_key[16])
{
    return meshrpr_crypto_k1(net_key, 16, salt_nkik, p_id128, sizeof(p_id128), identity_key);
}

int meshrpr_crypto_beacon_key(const uint8_t net_key[16], uint8_t beacon_key[16])
{
    return meshrpr_crypto_k1(net_key, 16, salt_nkbk, p_id128, sizeof(p_id128), beacon_key);
}

int meshrpr_crypto_private_beacon_key(const uint8_t net_key[16], uint8_t private_beacon_key[16])
{
    return meshrpr_crypto_k1(net_key, 16, salt_nkpk, p_id128, sizeof(p_id128), private_beacon_key);
}

/* ---- §3.9.5 ---------------------------------------------------------------------------- */

/* The layout shared by the four nonce types: type, one octet, SEQ, SRC, two octets, IV. */
static void nonce_fill(uint8_t nonce[13], uint8_t type, uint8_t second, uint32_t seq, uint16_t src,
                       uint16_t dst, uint32_t iv_index)
{
    nonce[0] = type;
    nonce[1] = second;
    put_be24(&nonce[2], seq);
    put_be16(&nonce[5], src);
    put_be16(&nonce[7], dst);
    put_be32(&nonce[9], iv_index);
}

void meshrpr_crypto_network_nonce(uint8_t nonce[13], uint8_t ctl_ttl, uint32_t seq, uint16_t src,
                                  uint32_t iv_index)
{
    nonce_fill(nonce, 0x00, ctl_ttl, seq, src, 0x0000, iv_index);
}

void meshrpr_crypto_application_nonce(uint8_t nonce[13], bool aszmic, uint32_t seq, uint16_t src,
                                      uint16_t dst, uint32_t iv_index)
{
    nonce_fill(nonce, 0x01, aszmic ? 0x80 : 0x00, seq, src, dst, iv_index);
}

void meshrpr_crypto_device_nonce(uint8_t nonce[13], bool aszmic, uint32_t seq, uint16_t src,
                                 uint16_t dst, uint32_t iv_index)
{
    nonce_fill(nonce, 0x02, aszmic ? 0x80 : 0x00, seq, src, dst, iv_index);
}

void meshrpr_crypto_proxy_nonce(uint8_t nonce[13], uint32_t seq, uint16_t src, uint32_t iv_index)
{
    nonce_fill(nonce, 0x03, 0x00, seq, src, 0x0000, iv_index);
}

/* ---- §3.9.7.3 -------------------------------------------------------------------------- */

int meshrpr_crypto_net_obfuscate(const uint8_t privacy_key[16], uint32_t iv_index, uint8_t *pdu,
                                 size_t len)
{
    uint8_t privacy_plain[16] = { 0 };
    uint8_t pecb[16];
    int err;

    if (len < MESHRPR_CRYPTO_NET_PDU_MIN_LEN) {
        return -EINVAL;
    }
    /* PrivacyPlaintext = 0x0000000000 || IV Index || PrivacyRandom (PDU octets 7..13). */
    put_be32(&privacy_plain[5], iv_index);
    memcpy(&privacy_plain[9], &pdu[7], 7);
    err = meshrpr_crypto_aes_ecb(privacy_key, privacy_plain, pecb);
    if (err == 0) {
        for (size_t i = 0; i < 6; i++) {
            pdu[1 + i] ^= pecb[i];
        }
    }
    meshrpr_crypto_wipe(pecb, sizeof(pecb));
    return err;
}

/* ---- §3.10 ----------------------------------------------------------------------------- */

int meshrpr_crypto_secure_beacon_auth(const uint8_t beacon_key[16], uint8_t flags,
                                      const uint8_t network_id[8], uint32_t iv_index,
                                      uint8_t auth[8])
{
    uint8_t msg[13];
    uint8_t mac[16];
    int err;

    msg[0] = flags;
    memcpy(&msg[1], network_id, 8);
    put_be32(&msg[9], iv_index);
    err = meshrpr_crypto_aes_cmac(beacon_key, msg, sizeof(msg), mac);
    if (err == 0) {
        memcpy(auth, mac, 8);
    }
    return err;
}

int meshrpr_crypto_private_beacon_encode(const uint8_t private_beacon_key[16],
                                         const uint8_t random[13], uint8_t flags, uint32_t iv_index,
                                         uint8_t obfuscated[5], uint8_t auth_tag[8])
{
    uint8_t data[5];

    data[0] = flags;
    put_be32(&data[1], iv_index);
    return meshrpr_crypto_ccm_encrypt(private_beacon_key, random, data, sizeof(data), NULL, 0,
                                      obfuscated, auth_tag, 8);
}

int meshrpr_crypto_private_beacon_decode(const uint8_t private_beacon_key[16],
                                         const uint8_t random[13], const uint8_t obfuscated[5],
                                         const uint8_t auth_tag[8], uint8_t *flags,
                                         uint32_t *iv_index)
{
    uint8_t data[5];
    int err = meshrpr_crypto_ccm_decrypt(private_beacon_key, random, obfuscated, sizeof(data), NULL,
                                         0, auth_tag, 8, data);

    if (err == 0) {
        *flags = data[0];
        *iv_index =
            (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
    }
    return err;
}

/* ---- §5.4.2 ---------------------------------------------------------------------------- */

size_t meshrpr_crypto_prov_value_len(enum meshrpr_prov_alg alg)
{
    switch (alg) {
    case MESHRPR_PROV_ALG_P256_CMAC_AES128:
        return 16;
    case MESHRPR_PROV_ALG_P256_HMAC_SHA256:
        return 32;
    }
    return 0;
}

int meshrpr_crypto_prov_confirmation_salt(enum meshrpr_prov_alg alg, const uint8_t inputs[145],
                                          uint8_t *salt)
{
    switch (alg) {
    case MESHRPR_PROV_ALG_P256_CMAC_AES128:
        return meshrpr_crypto_s1(inputs, MESHRPR_PROV_CONFIRMATION_INPUTS_LEN, salt);
    case MESHRPR_PROV_ALG_P256_HMAC_SHA256:
        return meshrpr_crypto_s2(inputs, MESHRPR_PROV_CONFIRMATION_INPUTS_LEN, salt);
    }
    return -EINVAL;
}

int meshrpr_crypto_prov_confirmation_key(enum meshrpr_prov_alg alg, const uint8_t ecdh[32],
                                         const uint8_t *confirmation_salt,
                                         const uint8_t *auth_value, uint8_t *key)
{
    static const uint8_t prck[] = { 'p', 'r', 'c', 'k' };
    static const uint8_t prck256[] = { 'p', 'r', 'c', 'k', '2', '5', '6' };
    uint8_t n[MESHRPR_CRYPTO_ECDH_SECRET_LEN + MESHRPR_PROV_MAX_AUTH_LEN];
    int err;

    switch (alg) {
    case MESHRPR_PROV_ALG_P256_CMAC_AES128:
        return meshrpr_crypto_k1(ecdh, 32, confirmation_salt, prck, sizeof(prck), key);
    case MESHRPR_PROV_ALG_P256_HMAC_SHA256:
        /* §5.4.2.4.2: N = ECDHSecret || AuthValue, so the AuthValue enters here. */
        memcpy(n, ecdh, 32);
        memcpy(n + 32, auth_value, 32);
        err = meshrpr_crypto_k5(n, sizeof(n), confirmation_salt, prck256, sizeof(prck256), key);
        meshrpr_crypto_wipe(n, sizeof(n));
        return err;
    }
    return -EINVAL;
}

int meshrpr_crypto_prov_confirmation(enum meshrpr_prov_alg alg, const uint8_t *confirmation_key,
                                     const uint8_t *random, const uint8_t *auth_value,
                                     uint8_t *confirmation)
{
    const struct meshrpr_crypto_sg cmac_input[] = { { random, 16 }, { auth_value, 16 } };

    switch (alg) {
    case MESHRPR_PROV_ALG_P256_CMAC_AES128:
        return meshrpr_crypto_aes_cmac_sg(confirmation_key, cmac_input, 2, confirmation);
    case MESHRPR_PROV_ALG_P256_HMAC_SHA256:
        return meshrpr_crypto_hmac_sha256(confirmation_key, 32, random, 32, confirmation);
    }
    return -EINVAL;
}

int meshrpr_crypto_prov_salt(enum meshrpr_prov_alg alg, const uint8_t *confirmation_salt,
                             const uint8_t *random_provisioner, const uint8_t *random_device,
                             uint8_t provisioning_salt[16])
{
    const size_t len = meshrpr_crypto_prov_value_len(alg);
    const struct meshrpr_crypto_sg input[] = {
        { confirmation_salt, len },
        { random_provisioner, len },
        { random_device, len },
    };

    if (len == 0) {
        return -EINVAL;
    }
    /* s1 over the concatenation, i.e. AES-CMAC with the zero key, in both algorithms. */
    return meshrpr_crypto_aes_cmac_sg(zero_key, input, 3, provisioning_salt);
}

int meshrpr_crypto_prov_session_key(const uint8_t ecdh[32], const uint8_t provisioning_salt[16],
                                    uint8_t session_key[16])
{
    static const uint8_t prsk[] = { 'p', 'r', 's', 'k' };

    return meshrpr_crypto_k1(ecdh, 32, provisioning_salt, prsk, sizeof(prsk), session_key);
}

int meshrpr_crypto_prov_session_nonce(const uint8_t ecdh[32], const uint8_t provisioning_salt[16],
                                      uint8_t session_nonce[13])
{
    static const uint8_t prsn[] = { 'p', 'r', 's', 'n' };
    uint8_t full[16];
    int err = meshrpr_crypto_k1(ecdh, 32, provisioning_salt, prsn, sizeof(prsn), full);

    if (err == 0) {
        memcpy(session_nonce, full + 3, 13); /* the 13 least significant octets */
    }
    meshrpr_crypto_wipe(full, sizeof(full));
    return err;
}

int meshrpr_crypto_prov_dev_key(const uint8_t ecdh[32], const uint8_t provisioning_salt[16],
                                uint8_t dev_key[16])
{
    static const uint8_t prdk[] = { 'p', 'r', 'd', 'k' };

    return meshrpr_crypto_k1(ecdh, 32, provisioning_salt, prdk, sizeof(prdk), dev_key);
}

int meshrpr_crypto_prov_data_encrypt(const uint8_t session_key[16], const uint8_t session_nonce[13],
                                     const uint8_t data[25], uint8_t encrypted[25], uint8_t mic[8])
{
    return meshrpr_crypto_ccm_encrypt(session_key, session_nonce, data, MESHRPR_PROV_DATA_LEN, NULL,
                                      0, encrypted, mic, MESHRPR_PROV_DATA_MIC_LEN);
}

int meshrpr_crypto_prov_data_decrypt(const uint8_t session_key[16], const uint8_t session_nonce[13],
                                     const uint8_t encrypted[25], const uint8_t mic[8],
                                     uint8_t data[25])
{
    return meshrpr_crypto_ccm_decrypt(session_key, session_nonce, encrypted, MESHRPR_PROV_DATA_LEN,
                                      NULL, 0, mic, MESHRPR_PROV_DATA_MIC_LEN, data);
}
