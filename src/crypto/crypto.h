/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The crypto layer: a small synchronous interface for everything the mesh needs.
 *
 * Two parts. The primitives (AES-128, AES-CMAC, AES-CCM, HMAC-SHA256, P-256) are a thin
 * backend over Mbed TLS in crypto_mbedtls.c; nothing here is hand-written cryptography. The
 * mesh functions built from them (MshPRTv1.1 §3.9.2: s1, s2, k1..k5; §3.9.5: nonces; §3.9.6:
 * derived keys; §3.9.7: obfuscation; §3.10: beacons; §5.4.2: provisioning) live in crypto.c.
 *
 * Conventions: every multi-octet value is in the specification's byte order (big-endian, as
 * sent in PDUs); functions return 0 or a negative errno; no key or secret ever sits in static
 * storage, and intermediate secrets are wiped before return. All functions are reentrant.
 */
#ifndef MESHRPR_CRYPTO_H
#define MESHRPR_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/platform.h>

#define MESHRPR_CRYPTO_KEY_LEN         16 /* AES-128 keys, NetKey, AppKey, DevKey */
#define MESHRPR_CRYPTO_NONCE_LEN       13 /* CCM nonce for every mesh nonce type */
#define MESHRPR_CRYPTO_SHA256_LEN      32
#define MESHRPR_CRYPTO_P256_PRIV_LEN   32
#define MESHRPR_CRYPTO_P256_PUB_LEN    64 /* X || Y, as in the Provisioning Public Key PDU */
#define MESHRPR_CRYPTO_ECDH_SECRET_LEN 32 /* x-coordinate of the shared point */

/* One piece of a message that is authenticated as the concatenation of all pieces. */
struct meshrpr_crypto_sg {
    const void *data;
    size_t len;
};

/* Overwrite a buffer with zeros in a way the compiler cannot elide. */
void meshrpr_crypto_wipe(void *buf, size_t len);

/* ---- Primitives (crypto_mbedtls.c) ---------------------------------------------------- */

/* AES-128 in ECB mode on one block, the "e" function of MshPRTv1.1 §3.9.1. */
int meshrpr_crypto_aes_ecb(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);

/* AES-CMAC (RFC 4493) over msg. */
int meshrpr_crypto_aes_cmac(const uint8_t key[16], const uint8_t *msg, size_t len, uint8_t mac[16]);

/* AES-CMAC over the concatenation of sg_count pieces, without copying them together. */
int meshrpr_crypto_aes_cmac_sg(const uint8_t key[16], const struct meshrpr_crypto_sg *sg,
                               size_t sg_count, uint8_t mac[16]);

/*
 * AES-CCM (RFC 3610) with a 13-octet nonce (L = 2). Encrypts len octets of in into out
 * (which may equal in) and writes a mic_len-octet MIC to mic. aad may be NULL when aad_len
 * is 0. mic_len must be even and within 4..16 (the mesh uses 4 and 8).
 * @return 0, or -EINVAL for a bad length.
 */
int meshrpr_crypto_ccm_encrypt(const uint8_t key[16], const uint8_t nonce[13], const uint8_t *in,
                               size_t len, const uint8_t *aad, size_t aad_len, uint8_t *out,
                               uint8_t *mic, size_t mic_len);

/*
 * AES-CCM decryption and MIC check. On a MIC mismatch out is wiped and -EBADMSG returned, so
 * a caller can never act on unauthenticated plaintext.
 */
int meshrpr_crypto_ccm_decrypt(const uint8_t key[16], const uint8_t nonce[13], const uint8_t *in,
                               size_t len, const uint8_t *aad, size_t aad_len, const uint8_t *mic,
                               size_t mic_len, uint8_t *out);

/* HMAC-SHA256 (RFC 2104 / FIPS 180-4). */
int meshrpr_crypto_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                               uint8_t mac[32]);

/*
 * Generate a fresh P-256 key pair, drawing every random octet from the platform's random
 * hook (never from a generator inside the backend), so simulated runs repeat exactly.
 * @return 0, or the random hook's error, or -EIO.
 */
int meshrpr_crypto_p256_keygen(const struct meshrpr_platform *platform, uint8_t priv[32],
                               uint8_t pub[64]);

/* Compute the public key X || Y of a private key. @return 0, or -EINVAL for an invalid key. */
int meshrpr_crypto_p256_public_key(const uint8_t priv[32], uint8_t pub[64]);

/*
 * Check that X || Y is a valid P-256 public key: both coordinates below the field prime and
 * the point on the curve (MshPRTv1.1 §5.4.3.1; the 2021 invalid-curve advisories).
 * @return 0 when valid, -EINVAL otherwise.
 */
int meshrpr_crypto_p256_check_public_key(const uint8_t pub[64]);

/*
 * ECDH on P-256: the x-coordinate of priv * peer_pub. The peer key is validated first.
 * platform may be NULL; when given, its random hook feeds the backend's side-channel
 * blinding.
 * @return 0, -EINVAL for an invalid peer public key or private key, or -EIO.
 */
int meshrpr_crypto_ecdh(const struct meshrpr_platform *platform, const uint8_t priv[32],
                        const uint8_t peer_pub[64], uint8_t secret[32]);

/* ---- Mesh functions, MshPRTv1.1 §3.9.2 (crypto.c) -------------------------------------- */

/* s1(M) = AES-CMAC(ZERO, M). */
int meshrpr_crypto_s1(const uint8_t *m, size_t len, uint8_t out[16]);
/* s2(M) = HMAC-SHA256(ZERO(32), M), Mesh 1.1. */
int meshrpr_crypto_s2(const uint8_t *m, size_t len, uint8_t out[32]);
/* k1(N, SALT, P) = AES-CMAC(AES-CMAC(SALT, N), P). */
int meshrpr_crypto_k1(const uint8_t *n, size_t n_len, const uint8_t salt[16], const uint8_t *p,
                      size_t p_len, uint8_t out[16]);
/* k2(N, P): NID (7 bits), EncryptionKey, PrivacyKey. p_len is 1..16. */
int meshrpr_crypto_k2(const uint8_t n[16], const uint8_t *p, size_t p_len, uint8_t *nid,
                      uint8_t encryption_key[16], uint8_t privacy_key[16]);
/* k3(N): the 64-bit value (Network ID of a NetKey). */
int meshrpr_crypto_k3(const uint8_t n[16], uint8_t out[8]);
/* k4(N): the 6-bit value (AID of an AppKey). */
int meshrpr_crypto_k4(const uint8_t n[16], uint8_t *aid);
/* k5(N, SALT, P) = HMAC-SHA256(HMAC-SHA256(SALT, N), P), Mesh 1.1. */
int meshrpr_crypto_k5(const uint8_t *n, size_t n_len, const uint8_t salt[32], const uint8_t *p,
                      size_t p_len, uint8_t out[32]);

/* ---- Keys derived from a NetKey, §3.9.6.3 ---------------------------------------------- */

int meshrpr_crypto_network_id(const uint8_t net_key[16], uint8_t network_id[8]);
int meshrpr_crypto_identity_key(const uint8_t net_key[16], uint8_t identity_key[16]);
int meshrpr_crypto_beacon_key(const uint8_t net_key[16], uint8_t beacon_key[16]);
int meshrpr_crypto_private_beacon_key(const uint8_t net_key[16], uint8_t private_beacon_key[16]);

/* ---- Nonces, §3.9.5 -------------------------------------------------------------------- */

/* 0x00 | CTL<<7|TTL | SEQ | SRC | 0x0000 | IV Index. */
void meshrpr_crypto_network_nonce(uint8_t nonce[13], uint8_t ctl_ttl, uint32_t seq, uint16_t src,
                                  uint32_t iv_index);
/* 0x01 | ASZMIC<<7 | SEQ | SRC | DST | IV Index. */
void meshrpr_crypto_application_nonce(uint8_t nonce[13], bool aszmic, uint32_t seq, uint16_t src,
                                      uint16_t dst, uint32_t iv_index);
/* 0x02 | ASZMIC<<7 | SEQ | SRC | DST | IV Index. */
void meshrpr_crypto_device_nonce(uint8_t nonce[13], bool aszmic, uint32_t seq, uint16_t src,
                                 uint16_t dst, uint32_t iv_index);
/* 0x03 | 0x00 | SEQ | SRC | 0x0000 | IV Index. */
void meshrpr_crypto_proxy_nonce(uint8_t nonce[13], uint32_t seq, uint16_t src, uint32_t iv_index);

/* ---- Network PDU obfuscation, §3.9.7.3 -------------------------------------------------- */

#define MESHRPR_CRYPTO_NET_PDU_MIN_LEN 14 /* header through PrivacyRandom */

/*
 * XOR octets 1..6 of a Network PDU (CTL|TTL, SEQ, SRC) with PECB, computed from the
 * PrivacyRandom in octets 7..13. The operation is its own inverse: the same call obfuscates
 * after encryption and de-obfuscates before decryption.
 * @return 0, or -EINVAL when len < MESHRPR_CRYPTO_NET_PDU_MIN_LEN.
 */
int meshrpr_crypto_net_obfuscate(const uint8_t privacy_key[16], uint32_t iv_index, uint8_t *pdu,
                                 size_t len);

/* ---- Beacons, §3.10 -------------------------------------------------------------------- */

/* Secure Network Beacon authentication value: AES-CMAC(BeaconKey, Flags|NetID|IV)[0..7]. */
int meshrpr_crypto_secure_beacon_auth(const uint8_t beacon_key[16], uint8_t flags,
                                      const uint8_t network_id[8], uint32_t iv_index,
                                      uint8_t auth[8]);

/* Mesh Private Beacon (§3.10.4): AES-CCM with the 13-octet Random as nonce over
 * Flags || IV Index, giving the 5-octet Obfuscated Private Beacon Data and an 8-octet tag. */
int meshrpr_crypto_private_beacon_encode(const uint8_t private_beacon_key[16],
                                         const uint8_t random[13], uint8_t flags, uint32_t iv_index,
                                         uint8_t obfuscated[5], uint8_t auth_tag[8]);
/* @return 0 with flags and IV Index, or -EBADMSG when the tag does not match. */
int meshrpr_crypto_private_beacon_decode(const uint8_t private_beacon_key[16],
                                         const uint8_t random[13], const uint8_t obfuscated[5],
                                         const uint8_t auth_tag[8], uint8_t *flags,
                                         uint32_t *iv_index);

/* ---- Provisioning, §5.4.2.4 - §5.4.2.5 --------------------------------------------------- */

/* Provisioning algorithms, numbered as in the Provisioning Start PDU (§5.4.1.3). */
enum meshrpr_prov_alg {
    MESHRPR_PROV_ALG_P256_CMAC_AES128 = 0x00, /* BTM_ECDH_P256_CMAC_AES128_AES_CCM */
    MESHRPR_PROV_ALG_P256_HMAC_SHA256 = 0x01, /* BTM_ECDH_P256_HMAC_SHA256_AES_CCM */
};

#define MESHRPR_PROV_CONFIRMATION_INPUTS_LEN 145 /* Invite|Caps|Start|ProvPubKey|DevPubKey */
#define MESHRPR_PROV_MAX_AUTH_LEN            32
#define MESHRPR_PROV_DATA_LEN                25 /* NetKey|KeyIndex|Flags|IV Index|Address */
#define MESHRPR_PROV_DATA_MIC_LEN            8

/*
 * The length of ConfirmationSalt, ConfirmationKey, the Random and Confirmation values and the
 * AuthValue for an algorithm: 16 for CMAC, 32 for HMAC. 0 for an unknown algorithm.
 */
size_t meshrpr_crypto_prov_value_len(enum meshrpr_prov_alg alg);

/* ConfirmationSalt = s1(ConfirmationInputs) (CMAC) or s2(ConfirmationInputs) (HMAC). */
int meshrpr_crypto_prov_confirmation_salt(enum meshrpr_prov_alg alg, const uint8_t inputs[145],
                                          uint8_t *salt);

/*
 * ConfirmationKey = k1(ECDHSecret, ConfirmationSalt, "prck") (CMAC) or
 * k5(ECDHSecret || AuthValue, ConfirmationSalt, "prck256") (HMAC). auth_value has the
 * algorithm's value length; CMAC does not use it here.
 */
int meshrpr_crypto_prov_confirmation_key(enum meshrpr_prov_alg alg, const uint8_t ecdh[32],
                                         const uint8_t *confirmation_salt,
                                         const uint8_t *auth_value, uint8_t *key);

/*
 * Confirmation = AES-CMAC(ConfirmationKey, Random || AuthValue) (CMAC) or
 * HMAC-SHA256(ConfirmationKey, Random) (HMAC; the AuthValue entered through the key).
 */
int meshrpr_crypto_prov_confirmation(enum meshrpr_prov_alg alg, const uint8_t *confirmation_key,
                                     const uint8_t *random, const uint8_t *auth_value,
                                     uint8_t *confirmation);

/* ProvisioningSalt = s1(ConfirmationSalt || RandomProvisioner || RandomDevice): AES-CMAC s1
 * and 16 octets in both algorithms. */
int meshrpr_crypto_prov_salt(enum meshrpr_prov_alg alg, const uint8_t *confirmation_salt,
                             const uint8_t *random_provisioner, const uint8_t *random_device,
                             uint8_t provisioning_salt[16]);

/* SessionKey, SessionNonce (13 least significant octets of k1(..., "prsn")) and DevKey. */
int meshrpr_crypto_prov_session_key(const uint8_t ecdh[32], const uint8_t provisioning_salt[16],
                                    uint8_t session_key[16]);
int meshrpr_crypto_prov_session_nonce(const uint8_t ecdh[32], const uint8_t provisioning_salt[16],
                                      uint8_t session_nonce[13]);
int meshrpr_crypto_prov_dev_key(const uint8_t ecdh[32], const uint8_t provisioning_salt[16],
                                uint8_t dev_key[16]);

/* Provisioning Data encryption (§5.4.2.5): AES-CCM with the SessionKey and SessionNonce, no
 * additional data, 64-bit MIC. */
int meshrpr_crypto_prov_data_encrypt(const uint8_t session_key[16], const uint8_t session_nonce[13],
                                     const uint8_t data[25], uint8_t encrypted[25], uint8_t mic[8]);
/* @return 0, or -EBADMSG when the MIC does not match (encrypted data then wiped from out). */
int meshrpr_crypto_prov_data_decrypt(const uint8_t session_key[16], const uint8_t session_nonce[13],
                                     const uint8_t encrypted[25], const uint8_t mic[8],
                                     uint8_t data[25]);

#endif /* MESHRPR_CRYPTO_H */
