/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only LD_PRELOAD shim that lets Debian's unmodified bluetooth-meshd 5.66 run as an
 * interoperability peer over its `--io unit:PATH` socket on a machine without Bluetooth and
 * without the kernel's AF_ALG crypto sockets. It is never part of the library.
 *
 * 1. Crypto. meshd calls ell's AES-ECB (l_cipher_*), AES-CMAC (l_checksum_*) and AES-CCM
 *    (l_aead_cipher_*), which ell implements on AF_ALG; without AF_ALG meshd stops with
 *    "Mesh Crypto functions unavailable". This file defines those symbols on Mbed TLS (the
 *    project's crypto library); an unversioned definition in a preloaded object satisfies
 *    meshd's @ELL_0.10 references. Only what meshd 5.66 uses is implemented: AES-128 for
 *    l_cipher, CMAC-AES-128 for l_checksum, CCM for l_aead_cipher. MESHD_SHIM_NO_CRYPTO=1
 *    forwards to the real ell (for kernels that have AF_ALG).
 *
 * 2. The unit socket (mesh/mesh-io-unit.c), active when MESHD_SHIM_UNIT (the path meshd binds)
 *    and MESHD_SHIM_PEER (the test's socket) are set:
 *    - meshd binds its datagram socket but never connects it, so its send() fails with
 *      ENOTCONN. bind() on MESHD_SHIM_UNIT remembers the fd; send() on it becomes sendto() to
 *      MESHD_SHIM_PEER.
 *    - meshd's receive path passes the mesh layer `buf + 1` with the full datagram length
 *      (one octet too many) and drops datagrams of 9 octets or less. recv() on the fd reads
 *      the datagram, returns [n][datagram] with n = its length, zero-padded to a returned size
 *      of 10 for short ones, so meshd sees exactly the datagram. Both directions therefore carry
 *      `<AD type><AD data>` (the AD structure without its length octet), at most 30 octets.
 *      MESHD_SHIM_RAW_RX=1 keeps the stock receive behaviour.
 *    MESHD_SHIM_LOG=1 logs every datagram in hex on stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <mbedtls/aes.h>
#include <mbedtls/ccm.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>

/* The ell enum values meshd passes (ell/cipher.h: L_CIPHER_AES is the first enumerator;
 * ell/cipher.h: L_AEAD_CIPHER_AES_CCM is the first of enum l_aead_cipher_type). */
#define ELL_CIPHER_AES          0
#define ELL_AEAD_CIPHER_AES_CCM 0

/* Exported with ell's names and prototypes; declared here to keep -Wmissing-prototypes. */
struct l_cipher;
struct l_checksum;
struct l_aead_cipher;
struct l_cipher *l_cipher_new(int type, const void *key, size_t key_length);
bool l_cipher_encrypt(struct l_cipher *cipher, const void *in, void *out, size_t len);
void l_cipher_free(struct l_cipher *cipher);
struct l_checksum *l_checksum_new_cmac_aes(const void *key, size_t key_len);
bool l_checksum_update(struct l_checksum *checksum, const void *data, size_t len);
ssize_t l_checksum_get_digest(struct l_checksum *checksum, void *digest, size_t len);
void l_checksum_free(struct l_checksum *checksum);
struct l_aead_cipher *l_aead_cipher_new(int type, const void *key, size_t key_length,
                                        size_t tag_length);
bool l_aead_cipher_encrypt(struct l_aead_cipher *cipher, const void *in, size_t in_len,
                           const void *ad, size_t ad_len, const void *nonce, size_t nonce_len,
                           void *out, size_t out_len);
bool l_aead_cipher_decrypt(struct l_aead_cipher *cipher, const void *in, size_t in_len,
                           const void *ad, size_t ad_len, const void *nonce, size_t nonce_len,
                           void *out, size_t out_len);
void l_aead_cipher_free(struct l_aead_cipher *cipher);

/* Marks our objects so a forwarded (real ell) object is never freed by us and vice versa. */
#define SHIM_MAGIC 0x6d736864u

struct l_cipher {
    uint32_t magic;
    mbedtls_aes_context aes;
};

struct l_checksum {
    uint32_t magic;
    mbedtls_cipher_context_t cmac;
};

struct l_aead_cipher {
    uint32_t magic;
    size_t tag_len;
    mbedtls_ccm_context ccm;
};

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

static void *real_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (p == NULL) {
        fprintf(stderr, "[shim] %s not found in the next object: %s\n", name, dlerror());
        abort();
    }
    return p;
}

/* POSIX: dlsym results are converted to function pointers through the object pointer. */
#define REAL(fp, name) (*(void **)&(fp) = real_sym(name))

static bool forward_crypto(void)
{
    return env_set("MESHD_SHIM_NO_CRYPTO");
}

/* ---- l_cipher: AES-128 ECB ---------------------------------------------------------------- */

struct l_cipher *l_cipher_new(int type, const void *key, size_t key_length)
{
    if (forward_crypto()) {
        struct l_cipher *(*f)(int, const void *, size_t);
        REAL(f, "l_cipher_new");
        return f(type, key, key_length);
    }
    if (type != ELL_CIPHER_AES || key == NULL || key_length != 16) {
        fprintf(stderr, "[shim] l_cipher_new: only AES-128 is implemented (type %d, %zu)\n", type,
                key_length);
        return NULL;
    }
    struct l_cipher *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->magic = SHIM_MAGIC;
    mbedtls_aes_init(&c->aes);
    if (mbedtls_aes_setkey_enc(&c->aes, key, 128) != 0) {
        mbedtls_aes_free(&c->aes);
        free(c);
        return NULL;
    }
    return c;
}

bool l_cipher_encrypt(struct l_cipher *cipher, const void *in, void *out, size_t len)
{
    if (forward_crypto()) {
        bool (*f)(struct l_cipher *, const void *, void *, size_t);
        REAL(f, "l_cipher_encrypt");
        return f(cipher, in, out, len);
    }
    if (cipher == NULL || cipher->magic != SHIM_MAGIC || len % 16 != 0) {
        return false;
    }
    const uint8_t *src = in;
    uint8_t *dst = out;
    for (size_t off = 0; off < len; off += 16) {
        if (mbedtls_aes_crypt_ecb(&cipher->aes, MBEDTLS_AES_ENCRYPT, src + off, dst + off) != 0) {
            return false;
        }
    }
    return true;
}

void l_cipher_free(struct l_cipher *cipher)
{
    if (forward_crypto()) {
        void (*f)(struct l_cipher *);
        REAL(f, "l_cipher_free");
        f(cipher);
        return;
    }
    if (cipher == NULL || cipher->magic != SHIM_MAGIC) {
        return;
    }
    mbedtls_aes_free(&cipher->aes);
    free(cipher);
}

/* ---- l_checksum: AES-CMAC (RFC 4493) ------------------------------------------------------ */

struct l_checksum *l_checksum_new_cmac_aes(const void *key, size_t key_len)
{
    if (forward_crypto()) {
        struct l_checksum *(*f)(const void *, size_t);
        REAL(f, "l_checksum_new_cmac_aes");
        return f(key, key_len);
    }
    if (key == NULL || key_len != 16) {
        return NULL;
    }
    struct l_checksum *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->magic = SHIM_MAGIC;
    mbedtls_cipher_init(&c->cmac);
    if (mbedtls_cipher_setup(&c->cmac, mbedtls_cipher_info_from_type(MBEDTLS_CIPHER_AES_128_ECB)) !=
            0 ||
        mbedtls_cipher_cmac_starts(&c->cmac, key, 128) != 0) {
        mbedtls_cipher_free(&c->cmac);
        free(c);
        return NULL;
    }
    return c;
}

bool l_checksum_update(struct l_checksum *checksum, const void *data, size_t len)
{
    if (forward_crypto()) {
        bool (*f)(struct l_checksum *, const void *, size_t);
        REAL(f, "l_checksum_update");
        return f(checksum, data, len);
    }
    if (checksum == NULL || checksum->magic != SHIM_MAGIC) {
        return false;
    }
    return len == 0 || mbedtls_cipher_cmac_update(&checksum->cmac, data, len) == 0;
}

/* As in ell, reading the digest starts a new message with the same key: meshd's k2 computes
 * three CMACs in a row on one checksum object. */
ssize_t l_checksum_get_digest(struct l_checksum *checksum, void *digest, size_t len)
{
    if (forward_crypto()) {
        ssize_t (*f)(struct l_checksum *, void *, size_t);
        REAL(f, "l_checksum_get_digest");
        return f(checksum, digest, len);
    }
    uint8_t mac[16];

    if (checksum == NULL || checksum->magic != SHIM_MAGIC || digest == NULL) {
        return -EINVAL;
    }
    if (mbedtls_cipher_cmac_finish(&checksum->cmac, mac) != 0 ||
        mbedtls_cipher_cmac_reset(&checksum->cmac) != 0) {
        return -EIO;
    }
    if (len > sizeof(mac)) {
        len = sizeof(mac);
    }
    memcpy(digest, mac, len);
    return (ssize_t)len;
}

void l_checksum_free(struct l_checksum *checksum)
{
    if (forward_crypto()) {
        void (*f)(struct l_checksum *);
        REAL(f, "l_checksum_free");
        f(checksum);
        return;
    }
    if (checksum == NULL || checksum->magic != SHIM_MAGIC) {
        return;
    }
    mbedtls_cipher_free(&checksum->cmac);
    free(checksum);
}

/* ---- l_aead_cipher: AES-CCM --------------------------------------------------------------- */

struct l_aead_cipher *l_aead_cipher_new(int type, const void *key, size_t key_length,
                                        size_t tag_length)
{
    if (forward_crypto()) {
        struct l_aead_cipher *(*f)(int, const void *, size_t, size_t);
        REAL(f, "l_aead_cipher_new");
        return f(type, key, key_length, tag_length);
    }
    if (type != ELL_AEAD_CIPHER_AES_CCM || key == NULL || key_length != 16 || tag_length < 4 ||
        tag_length > 16 || tag_length % 2 != 0) {
        fprintf(stderr, "[shim] l_aead_cipher_new: only AES-128-CCM is implemented\n");
        return NULL;
    }
    struct l_aead_cipher *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->magic = SHIM_MAGIC;
    c->tag_len = tag_length;
    mbedtls_ccm_init(&c->ccm);
    if (mbedtls_ccm_setkey(&c->ccm, MBEDTLS_CIPHER_ID_AES, key, 128) != 0) {
        mbedtls_ccm_free(&c->ccm);
        free(c);
        return NULL;
    }
    return c;
}

/* ell's layout: out = ciphertext || tag, out_len = in_len + tag length. */
bool l_aead_cipher_encrypt(struct l_aead_cipher *cipher, const void *in, size_t in_len,
                           const void *ad, size_t ad_len, const void *nonce, size_t nonce_len,
                           void *out, size_t out_len)
{
    if (forward_crypto()) {
        bool (*f)(struct l_aead_cipher *, const void *, size_t, const void *, size_t, const void *,
                  size_t, void *, size_t);
        REAL(f, "l_aead_cipher_encrypt");
        return f(cipher, in, in_len, ad, ad_len, nonce, nonce_len, out, out_len);
    }
    if (cipher == NULL || cipher->magic != SHIM_MAGIC || out_len != in_len + cipher->tag_len) {
        return false;
    }
    uint8_t *dst = out;
    return mbedtls_ccm_encrypt_and_tag(&cipher->ccm, in_len, nonce, nonce_len, ad, ad_len, in, dst,
                                       dst + in_len, cipher->tag_len) == 0;
}

/* in = ciphertext || tag, out_len = in_len - tag length; false when the tag does not match. */
bool l_aead_cipher_decrypt(struct l_aead_cipher *cipher, const void *in, size_t in_len,
                           const void *ad, size_t ad_len, const void *nonce, size_t nonce_len,
                           void *out, size_t out_len)
{
    if (forward_crypto()) {
        bool (*f)(struct l_aead_cipher *, const void *, size_t, const void *, size_t, const void *,
                  size_t, void *, size_t);
        REAL(f, "l_aead_cipher_decrypt");
        return f(cipher, in, in_len, ad, ad_len, nonce, nonce_len, out, out_len);
    }
    if (cipher == NULL || cipher->magic != SHIM_MAGIC || in_len < cipher->tag_len ||
        out_len != in_len - cipher->tag_len) {
        return false;
    }
    const uint8_t *src = in;
    return mbedtls_ccm_auth_decrypt(&cipher->ccm, out_len, nonce, nonce_len, ad, ad_len, src, out,
                                    src + out_len, cipher->tag_len) == 0;
}

void l_aead_cipher_free(struct l_aead_cipher *cipher)
{
    if (forward_crypto()) {
        void (*f)(struct l_aead_cipher *);
        REAL(f, "l_aead_cipher_free");
        f(cipher);
        return;
    }
    if (cipher == NULL || cipher->magic != SHIM_MAGIC) {
        return;
    }
    mbedtls_ccm_free(&cipher->ccm);
    free(cipher);
}

/* ---- The unit socket ---------------------------------------------------------------------- */

/* The fd meshd bound to MESHD_SHIM_UNIT; meshd is single-threaded. */
static int unit_fd = -1;

static void log_datagram(const char *dir, const uint8_t *p, size_t n)
{
    if (!env_set("MESHD_SHIM_LOG")) {
        return;
    }
    char line[2 * 64 + 1];
    size_t shown = n < 64 ? n : 64;
    for (size_t i = 0; i < shown; i++) {
        snprintf(line + 2 * i, 3, "%02x", p[i]);
    }
    line[2 * shown] = '\0';
    fprintf(stderr, "[shim] %s %s\n", dir, line);
}

/* glibc declares bind() with a transparent union under _GNU_SOURCE; keep its prototype. */
int bind(int fd, __CONST_SOCKADDR_ARG addr_arg, socklen_t len)
{
    const struct sockaddr *addr = addr_arg.__sockaddr__;
    int (*real_bind)(int, __CONST_SOCKADDR_ARG, socklen_t);
    REAL(real_bind, "bind");
    const char *unit = getenv("MESHD_SHIM_UNIT");
    int ret = real_bind(fd, addr_arg, len);

    if (ret == 0 && unit != NULL && getenv("MESHD_SHIM_PEER") != NULL && addr != NULL &&
        addr->sa_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
        size_t path_len = len - offsetof(struct sockaddr_un, sun_path);
        if (strnlen(un->sun_path, path_len) == strlen(unit) &&
            memcmp(un->sun_path, unit, strlen(unit)) == 0) {
            unit_fd = fd;
        }
    }
    return ret;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    ssize_t (*real_send)(int, const void *, size_t, int);
    REAL(real_send, "send");
    const char *peer = getenv("MESHD_SHIM_PEER");

    if (fd != unit_fd || unit_fd < 0 || peer == NULL) {
        return real_send(fd, buf, len, flags);
    }
    struct sockaddr_un to = { .sun_family = AF_UNIX };
    if (strlen(peer) >= sizeof(to.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(to.sun_path, peer, strlen(peer));
    log_datagram("tx", buf, len);
    ssize_t n = sendto(fd, buf, len, flags, (const struct sockaddr *)&to, sizeof(to));
    if (n < 0) {
        int err = errno;
        fprintf(stderr, "[shim] sendto peer %s failed: %s\n", peer, strerror(err));
        errno = err;
    }
    return n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    ssize_t (*real_recv)(int, void *, size_t, int);
    REAL(real_recv, "recv");

    if (fd != unit_fd || unit_fd < 0) {
        return real_recv(fd, buf, len, flags);
    }
    uint8_t dgram[64];
    ssize_t n = real_recv(fd, dgram, sizeof(dgram), flags);
    if (n <= 0) {
        return n;
    }
    log_datagram("rx", dgram, (size_t)n);
    if (env_set("MESHD_SHIM_RAW_RX")) {
        size_t copy = (size_t)n < len ? (size_t)n : len;
        memcpy(buf, dgram, copy);
        return (ssize_t)copy;
    }
    /* meshd reads [non-zero][AD type][AD data] and passes data = buf + 1 with the returned
     * size as the length: put the datagram at buf + 1 and return its own length, at least 10
     * (meshd drops 9 or less; the padding only affects short PB-ADV control PDUs, whose length
     * meshd does not use). An oversized datagram is dropped: 0 matches none of meshd's cases. */
    size_t out = (size_t)n < 10 ? 10 : (size_t)n;
    if (out + 1 > len) {
        fprintf(stderr, "[shim] dropped a %zd-octet datagram (meshd reads %zu)\n", n, len);
        return 0;
    }
    uint8_t *dst = buf;
    memset(dst, 0, out + 1);
    dst[0] = (uint8_t)n;
    memcpy(dst + 1, dgram, (size_t)n);
    return (ssize_t)out;
}
