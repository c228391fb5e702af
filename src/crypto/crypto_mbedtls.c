/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Crypto primitives on Mbed TLS 2.28's classic API (see docs/decisions/0002-mbedtls-api.md).
 *
 * Every function keeps its Mbed TLS contexts on the stack and frees them before returning;
 * the *_free() calls of Mbed TLS zeroize key schedules and bignums, and this file wipes the
 * few intermediate buffers of its own. Randomness for key generation and for the side-channel
 * blinding of scalar multiplication comes from the platform hook, never from a generator of
 * the backend's own, so the simulator stays deterministic.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ccm.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

/* Bridges Mbed TLS's f_rng callback to the platform hook and keeps the hook's own error. */
struct rng_bridge {
    const struct meshrpr_platform *platform;
    int err;
};

static int rng_bridge_random(void *arg, unsigned char *out, size_t len)
{
    struct rng_bridge *bridge = arg;
    int err = bridge->platform->random(bridge->platform->ctx, out, len);

    if (err != 0) {
        bridge->err = err < 0 ? err : -EIO;
        return MBEDTLS_ERR_ECP_RANDOM_FAILED;
    }
    return 0;
}

/* Map an Mbed TLS error to a negative errno. Bad keys are reported by the callers. */
static int from_mbedtls(int ret)
{
    switch (ret) {
    case 0:
        return 0;
    case MBEDTLS_ERR_MPI_ALLOC_FAILED:
    case MBEDTLS_ERR_ECP_ALLOC_FAILED:
    case MBEDTLS_ERR_CIPHER_ALLOC_FAILED:
    case MBEDTLS_ERR_MD_ALLOC_FAILED:
        return -ENOMEM;
    default:
        return -EIO;
    }
}

void meshrpr_crypto_wipe(void *buf, size_t len)
{
    mbedtls_platform_zeroize(buf, len);
}

int meshrpr_crypto_aes_ecb(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
    mbedtls_aes_context ctx;
    int ret;

    mbedtls_aes_init(&ctx);
    ret = mbedtls_aes_setkey_enc(&ctx, key, 128);
    if (ret == 0) {
        ret = mbedtls_aes_crypt_ecb(&ctx, MBEDTLS_AES_ENCRYPT, in, out);
    }
    mbedtls_aes_free(&ctx);
    return from_mbedtls(ret);
}

int meshrpr_crypto_aes_cmac_sg(const uint8_t key[16], const struct meshrpr_crypto_sg *sg,
                               size_t sg_count, uint8_t mac[16])
{
    const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB);
    mbedtls_cipher_context_t ctx;
    int ret;

    mbedtls_cipher_init(&ctx);
    ret = mbedtls_cipher_setup(&ctx, info);
    if (ret == 0) {
        ret = mbedtls_cipher_cmac_starts(&ctx, key, 128);
    }
    for (size_t i = 0; ret == 0 && i < sg_count; i++) {
        if (sg[i].len > 0) {
            ret = mbedtls_cipher_cmac_update(&ctx, sg[i].data, sg[i].len);
        }
    }
    if (ret == 0) {
        ret = mbedtls_cipher_cmac_finish(&ctx, mac);
    }
    mbedtls_cipher_free(&ctx);
    return from_mbedtls(ret);
}

int meshrpr_crypto_aes_cmac(const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t mac[16])
{
    const struct meshrpr_crypto_sg sg = { msg, len };

    return meshrpr_crypto_aes_cmac_sg(key, &sg, 1, mac);
}

static bool ccm_mic_len_valid(size_t mic_len)
{
    return mic_len >= 4 && mic_len <= 16 && mic_len % 2 == 0;
}

int meshrpr_crypto_ccm_encrypt(const uint8_t key[16], const uint8_t nonce[13], const uint8_t *in,
                               size_t len, const uint8_t *aad, size_t aad_len, uint8_t *out,
                               uint8_t *mic, size_t mic_len)
{
    mbedtls_ccm_context ctx;
    int ret;

    if (!ccm_mic_len_valid(mic_len) || len > UINT16_MAX) {
        return -EINVAL;
    }
    mbedtls_ccm_init(&ctx);
    ret = mbedtls_ccm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (ret == 0) {
        ret = mbedtls_ccm_encrypt_and_tag(&ctx, len, nonce, MESHRPR_CRYPTO_NONCE_LEN, aad, aad_len,
                                          in, out, mic, mic_len);
    }
    mbedtls_ccm_free(&ctx);
    return from_mbedtls(ret);
}

int meshrpr_crypto_ccm_decrypt(const uint8_t key[16], const uint8_t nonce[13], const uint8_t *in,
                               size_t len, const uint8_t *aad, size_t aad_len, const uint8_t *mic,
                               size_t mic_len, uint8_t *out)
{
    mbedtls_ccm_context ctx;
    int ret;

    if (!ccm_mic_len_valid(mic_len) || len > UINT16_MAX) {
        return -EINVAL;
    }
    mbedtls_ccm_init(&ctx);
    ret = mbedtls_ccm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (ret == 0) {
        ret = mbedtls_ccm_auth_decrypt(&ctx, len, nonce, MESHRPR_CRYPTO_NONCE_LEN, aad, aad_len, in,
                                       out, mic, mic_len);
    }
    mbedtls_ccm_free(&ctx);
    if (ret == MBEDTLS_ERR_CCM_AUTH_FAILED) {
        meshrpr_crypto_wipe(out, len);
        return -EBADMSG;
    }
    if (ret != 0) {
        meshrpr_crypto_wipe(out, len);
    }
    return from_mbedtls(ret);
}

int meshrpr_crypto_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                               uint8_t mac[32])
{
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);

    return from_mbedtls(mbedtls_md_hmac(info, key, key_len, msg, len, mac));
}

/* The P-256 working set: the curve, a scalar and a point, set up and torn down together. */
struct p256 {
    mbedtls_ecp_group grp;
    mbedtls_mpi d;
    mbedtls_ecp_point q;
};

static int p256_init(struct p256 *k)
{
    mbedtls_ecp_group_init(&k->grp);
    mbedtls_mpi_init(&k->d);
    mbedtls_ecp_point_init(&k->q);
    return from_mbedtls(mbedtls_ecp_group_load(&k->grp, MBEDTLS_ECP_DP_SECP256R1));
}

static void p256_free(struct p256 *k)
{
    mbedtls_ecp_point_free(&k->q);
    mbedtls_mpi_free(&k->d); /* zeroizes the limbs of the private scalar */
    mbedtls_ecp_group_free(&k->grp);
}

/* Load X || Y into k->q and validate it: coordinates below p, point on the curve. */
static int p256_load_public(struct p256 *k, const uint8_t pub[64])
{
    int ret = mbedtls_mpi_read_binary(&k->q.X, pub, 32);

    if (ret == 0) {
        ret = mbedtls_mpi_read_binary(&k->q.Y, pub + 32, 32);
    }
    if (ret == 0) {
        ret = mbedtls_mpi_lset(&k->q.Z, 1);
    }
    if (ret != 0) {
        return from_mbedtls(ret);
    }
    return mbedtls_ecp_check_pubkey(&k->grp, &k->q) == 0 ? 0 : -EINVAL;
}

/* Load a private scalar into k->d and check 1 <= d < n. */
static int p256_load_private(struct p256 *k, const uint8_t priv[32])
{
    int ret = mbedtls_mpi_read_binary(&k->d, priv, 32);

    if (ret != 0) {
        return from_mbedtls(ret);
    }
    return mbedtls_ecp_check_privkey(&k->grp, &k->d) == 0 ? 0 : -EINVAL;
}

static int p256_write_public(const struct p256 *k, uint8_t pub[64])
{
    int ret = mbedtls_mpi_write_binary(&k->q.X, pub, 32);

    if (ret == 0) {
        ret = mbedtls_mpi_write_binary(&k->q.Y, pub + 32, 32);
    }
    return from_mbedtls(ret);
}

int meshrpr_crypto_p256_keygen(const struct meshrpr_platform *platform, uint8_t priv[32],
                               uint8_t pub[64])
{
    struct rng_bridge bridge = { platform, 0 };
    struct p256 k;
    int err;

    if (meshrpr_platform_check(platform) != 0) {
        return -EINVAL;
    }
    err = p256_init(&k);
    if (err == 0) {
        int ret = mbedtls_ecp_gen_keypair(&k.grp, &k.d, &k.q, rng_bridge_random, &bridge);
        err = bridge.err != 0 ? bridge.err : from_mbedtls(ret);
    }
    if (err == 0) {
        err = from_mbedtls(mbedtls_mpi_write_binary(&k.d, priv, 32));
    }
    if (err == 0) {
        err = p256_write_public(&k, pub);
    }
    if (err != 0) {
        meshrpr_crypto_wipe(priv, 32);
    }
    p256_free(&k);
    return err;
}

int meshrpr_crypto_p256_public_key(const uint8_t priv[32], uint8_t pub[64])
{
    struct p256 k;
    int err = p256_init(&k);

    if (err == 0) {
        err = p256_load_private(&k, priv);
    }
    if (err == 0) {
        err = from_mbedtls(mbedtls_ecp_mul(&k.grp, &k.q, &k.d, &k.grp.G, NULL, NULL));
    }
    if (err == 0) {
        err = p256_write_public(&k, pub);
    }
    p256_free(&k);
    return err;
}

int meshrpr_crypto_p256_check_public_key(const uint8_t pub[64])
{
    struct p256 k;
    int err = p256_init(&k);

    if (err == 0) {
        err = p256_load_public(&k, pub);
    }
    p256_free(&k);
    return err;
}

int meshrpr_crypto_ecdh(const struct meshrpr_platform *platform, const uint8_t priv[32],
                        const uint8_t peer_pub[64], uint8_t secret[32])
{
    struct rng_bridge bridge = { platform, 0 };
    bool blind = meshrpr_platform_check(platform) == 0;
    mbedtls_mpi z;
    struct p256 k;
    int err;

    mbedtls_mpi_init(&z);
    err = p256_init(&k);
    if (err == 0) {
        err = p256_load_public(&k, peer_pub);
    }
    if (err == 0) {
        err = p256_load_private(&k, priv);
    }
    if (err == 0) {
        int ret = mbedtls_ecdh_compute_shared(
            &k.grp, &z, &k.q, &k.d, blind ? rng_bridge_random : NULL, blind ? &bridge : NULL);
        err = bridge.err != 0 ? bridge.err : from_mbedtls(ret);
    }
    if (err == 0) {
        err = from_mbedtls(mbedtls_mpi_write_binary(&z, secret, 32));
    }
    if (err != 0) {
        meshrpr_crypto_wipe(secret, 32);
    }
    mbedtls_mpi_free(&z);
    p256_free(&k);
    return err;
}
