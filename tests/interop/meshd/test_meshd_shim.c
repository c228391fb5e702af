/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Known-answer tests of the meshd shim's crypto, through the very shared object that is
 * preloaded into bluetooth-meshd (dlopen'ed from argv[1]) and with ell's prototypes: FIPS-197
 * AES-128, RFC 4493 AES-CMAC (including reuse of one checksum object after get_digest, as
 * meshd's k2 does), the Mesh s1("test") sample, and the Mesh sample-data network message #1
 * AES-CCM (MshPRTv1.1 §8.3.1) in both directions, with a forged tag refused.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "test_util.h"

typedef void *(*cipher_new_fn)(int, const void *, size_t);
typedef bool (*cipher_encrypt_fn)(void *, const void *, void *, size_t);
typedef void (*free_fn)(void *);
typedef void *(*cmac_new_fn)(const void *, size_t);
typedef bool (*cmac_update_fn)(void *, const void *, size_t);
typedef ssize_t (*cmac_digest_fn)(void *, void *, size_t);
typedef void *(*aead_new_fn)(int, const void *, size_t, size_t);
typedef bool (*aead_fn)(void *, const void *, size_t, const void *, size_t, const void *, size_t,
                        void *, size_t);

struct shim {
    void *dl;
    cipher_new_fn cipher_new;
    cipher_encrypt_fn cipher_encrypt;
    free_fn cipher_free;
    cmac_new_fn cmac_new;
    cmac_update_fn cmac_update;
    cmac_digest_fn cmac_digest;
    free_fn cmac_free;
    aead_new_fn aead_new;
    aead_fn aead_encrypt;
    aead_fn aead_decrypt;
    free_fn aead_free;
};

static const char *shim_path;

static void *sym(void *dl, const char *name)
{
    void *p = dlsym(dl, name);
    if (p == NULL) {
        fail_msg("%s missing from %s: %s", name, shim_path, dlerror());
    }
    return p;
}

static int setup(void **state)
{
    static struct shim s;
    s.dl = dlopen(shim_path, RTLD_NOW | RTLD_LOCAL);
    if (s.dl == NULL) {
        fprintf(stderr, "dlopen %s: %s\n", shim_path, dlerror());
        return -1;
    }
    /* POSIX dlsym returns object pointers; converting them to function pointers is the
     * documented way to use it. */
    *(void **)&s.cipher_new = sym(s.dl, "l_cipher_new");
    *(void **)&s.cipher_encrypt = sym(s.dl, "l_cipher_encrypt");
    *(void **)&s.cipher_free = sym(s.dl, "l_cipher_free");
    *(void **)&s.cmac_new = sym(s.dl, "l_checksum_new_cmac_aes");
    *(void **)&s.cmac_update = sym(s.dl, "l_checksum_update");
    *(void **)&s.cmac_digest = sym(s.dl, "l_checksum_get_digest");
    *(void **)&s.cmac_free = sym(s.dl, "l_checksum_free");
    *(void **)&s.aead_new = sym(s.dl, "l_aead_cipher_new");
    *(void **)&s.aead_encrypt = sym(s.dl, "l_aead_cipher_encrypt");
    *(void **)&s.aead_decrypt = sym(s.dl, "l_aead_cipher_decrypt");
    *(void **)&s.aead_free = sym(s.dl, "l_aead_cipher_free");
    *state = &s;
    return 0;
}

static int teardown(void **state)
{
    struct shim *s = *state;
    dlclose(s->dl);
    return 0;
}

static void test_aes_fips197(void **state)
{
    struct shim *s = *state;
    uint8_t key[16], pt[16], ct[16], expect[16];
    test_hex("000102030405060708090a0b0c0d0e0f", key, sizeof(key));
    test_hex("00112233445566778899aabbccddeeff", pt, sizeof(pt));
    test_hex("69c4e0d86a7b0430d8cdb78070b4c55a", expect, sizeof(expect));

    void *c = s->cipher_new(0 /* L_CIPHER_AES */, key, sizeof(key));
    assert_non_null(c);
    assert_true(s->cipher_encrypt(c, pt, ct, sizeof(pt)));
    assert_memory_equal(ct, expect, 16);
    assert_false(s->cipher_encrypt(c, pt, ct, 15));
    s->cipher_free(c);
    /* Other ciphers are refused rather than silently computed as ECB. */
    assert_null(s->cipher_new(1, key, sizeof(key)));
}

static void check_cmac(struct shim *s, void *c, const char *msg_hex, const char *mac_hex)
{
    uint8_t msg[64], mac[16], expect[16];
    size_t len = test_hex(msg_hex, msg, sizeof(msg));
    test_hex(mac_hex, expect, sizeof(expect));
    /* Fed in two pieces: update must accumulate. */
    assert_true(s->cmac_update(c, msg, len / 2));
    assert_true(s->cmac_update(c, msg + len / 2, len - len / 2));
    assert_int_equal(s->cmac_digest(c, mac, sizeof(mac)), 16);
    assert_memory_equal(mac, expect, 16);
}

static void test_cmac_rfc4493(void **state)
{
    struct shim *s = *state;
    uint8_t key[16];
    test_hex("2b7e151628aed2a6abf7158809cf4f3c", key, sizeof(key));
    static const char m64[] = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                              "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

    void *c = s->cmac_new(key, sizeof(key));
    assert_non_null(c);
    /* One object for all four examples: get_digest starts a new message with the same key. */
    check_cmac(s, c, "", "bb1d6929e95937287fa37d129b756746");
    check_cmac(s, c, "6bc1bee22e409f96e93d7e117393172a", "070a16b46b4d4144f79bdd9dd04a287c");
    char m40[81];
    memcpy(m40, m64, 80);
    m40[80] = '\0';
    check_cmac(s, c, m40, "dfa66747de9ae63030ca32611497c827");
    check_cmac(s, c, m64, "51f0bebf7e3b9d92fc49741779363cfe");
    s->cmac_free(c);
}

static void test_mesh_s1(void **state)
{
    /* MshPRTv1.1 §8.1.1: s1("test") = AES-CMAC with the zero key. */
    struct shim *s = *state;
    uint8_t zero[16] = { 0 }, mac[16], expect[16];
    test_hex("b73cefbd641ef2ea598c2b6efb62f79c", expect, sizeof(expect));
    void *c = s->cmac_new(zero, sizeof(zero));
    assert_non_null(c);
    assert_true(s->cmac_update(c, "test", 4));
    assert_int_equal(s->cmac_digest(c, mac, sizeof(mac)), 16);
    assert_memory_equal(mac, expect, 16);
    s->cmac_free(c);
}

static void test_ccm_mesh_message1(void **state)
{
    /* MshPRTv1.1 §8.3.1: EncryptionKey, network nonce, DST || TransportPDU encrypted with a
     * 64-bit NetMIC. */
    struct shim *s = *state;
    uint8_t key[16], nonce[13], pt[13], expect[21], out[21], back[13];
    test_hex("0953fa93e7caac9638f58820220a398e", key, sizeof(key));
    test_hex("00800000011201000012345678", nonce, sizeof(nonce));
    test_hex("fffd034b50057e400000010000", pt, sizeof(pt));
    test_hex("b5e5bfdacbaf6cb7fb6bff871f035444ce83a670df", expect, sizeof(expect));

    void *c = s->aead_new(0 /* L_AEAD_CIPHER_AES_CCM */, key, sizeof(key), 8);
    assert_non_null(c);
    assert_true(
        s->aead_encrypt(c, pt, sizeof(pt), NULL, 0, nonce, sizeof(nonce), out, sizeof(out)));
    assert_memory_equal(out, expect, sizeof(expect));
    assert_true(s->aead_decrypt(c, expect, sizeof(expect), NULL, 0, nonce, sizeof(nonce), back,
                                sizeof(back)));
    assert_memory_equal(back, pt, sizeof(pt));
    /* A forged NetMIC is refused. */
    expect[20] ^= 0x01;
    assert_false(s->aead_decrypt(c, expect, sizeof(expect), NULL, 0, nonce, sizeof(nonce), back,
                                 sizeof(back)));
    /* Wrong output sizes are refused. */
    assert_false(s->aead_encrypt(c, pt, sizeof(pt), NULL, 0, nonce, sizeof(nonce), out, 20));
    s->aead_free(c);
    /* GCM (type 1) is not implemented and says so. */
    assert_null(s->aead_new(1, key, sizeof(key), 8));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH/meshd_shim.so\n", argv[0]);
        return 2;
    }
    shim_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aes_fips197),
        cmocka_unit_test(test_cmac_rfc4493),
        cmocka_unit_test(test_mesh_s1),
        cmocka_unit_test(test_ccm_mesh_message1),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
