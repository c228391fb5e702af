/* SPDX-License-Identifier: Apache-2.0 */
/* The bounded byte buffer of include/meshrpr/net_buf.h. Every access to the storage goes
 * through four primitives (grow at the tail, shrink at the tail, grow at the head, shrink at
 * the head) that check the bounds first, so the safety rule (nothing outside the storage, a
 * refused operation changes nothing but the error flag) is enforced in one place; the integer
 * encoders and decoders are thin layers over them. */
#include <meshrpr/net_buf.h>

#include <string.h>

/* True when data and len lie inside the storage. Checked before every operation because
 * Zephyr-style code assigns the fields directly (buf->len = ...), and a NET_BUF_SIMPLE() that
 * was never initialised has no storage pointer; both must fail safely rather than reach past
 * the storage. The comparison is on integers because the pointers of a corrupted buffer need
 * not point into the same object. */
static bool buf_consistent(const struct net_buf_simple *buf)
{
    if (buf->__buf == NULL || buf->data == NULL) {
        return false;
    }
    uintptr_t start = (uintptr_t)buf->__buf;
    uintptr_t cur = (uintptr_t)buf->data;
    if (cur < start || cur - start > buf->size) {
        return false;
    }
    return buf->len <= buf->size - (cur - start);
}

/* Headroom of a buffer already known to be consistent. */
static size_t headroom_of(const struct net_buf_simple *buf)
{
    return (size_t)(buf->data - buf->__buf);
}

static void *fail(struct net_buf_simple *buf)
{
    buf->error = true;
    return NULL;
}

/* The four bounds-checked primitives. Each returns NULL and sets the error flag, changing
 * nothing else, when the operation would leave the storage. */

/* Grow at the tail; returns the first new byte. */
static uint8_t *grow_tail(struct net_buf_simple *buf, size_t len)
{
    if (!buf_consistent(buf) || len > net_buf_simple_tailroom(buf)) {
        return fail(buf);
    }
    uint8_t *tail = buf->data + buf->len;
    buf->len = (uint16_t)(buf->len + len);
    return tail;
}

/* Shrink at the tail; returns the first removed byte. */
static uint8_t *shrink_tail(struct net_buf_simple *buf, size_t len)
{
    if (!buf_consistent(buf) || len > buf->len) {
        return fail(buf);
    }
    buf->len = (uint16_t)(buf->len - len);
    return buf->data + buf->len;
}

/* Grow at the head; returns the new data pointer. */
static uint8_t *grow_head(struct net_buf_simple *buf, size_t len)
{
    if (!buf_consistent(buf) || len > headroom_of(buf)) {
        return fail(buf);
    }
    buf->data -= len;
    buf->len = (uint16_t)(buf->len + len);
    return buf->data;
}

/* Shrink at the head; returns the first removed byte. */
static uint8_t *shrink_head(struct net_buf_simple *buf, size_t len)
{
    if (!buf_consistent(buf) || len > buf->len) {
        return fail(buf);
    }
    uint8_t *old = buf->data;
    buf->data += len;
    buf->len = (uint16_t)(buf->len - len);
    return old;
}

/* Integer codecs over n (1..8) bytes, for the add/push/pull/remove families. */

static void put_le(uint8_t *dst, uint64_t val, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = (uint8_t)(val >> (8 * i));
    }
}

static void put_be(uint8_t *dst, uint64_t val, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[n - 1 - i] = (uint8_t)(val >> (8 * i));
    }
}

static uint64_t get_le(const uint8_t *src, size_t n)
{
    uint64_t val = 0;
    for (size_t i = n; i > 0; i--) {
        val = val << 8 | src[i - 1];
    }
    return val;
}

static uint64_t get_be(const uint8_t *src, size_t n)
{
    uint64_t val = 0;
    for (size_t i = 0; i < n; i++) {
        val = val << 8 | src[i];
    }
    return val;
}

/* --- Set-up and queries --------------------------------------------------------------------- */

void net_buf_simple_init(struct net_buf_simple *buf, size_t reserve_head)
{
    /* NET_BUF_SIMPLE() places the storage right behind the struct and cannot point at it
     * from inside its own initialiser; Zephyr resolves it here the same way. */
    if (buf->__buf == NULL) {
        buf->__buf = (uint8_t *)buf + sizeof(*buf);
    }
    buf->len = 0;
    buf->error = false;
    if (reserve_head > buf->size) {
        buf->data = buf->__buf;
        buf->error = true;
        return;
    }
    buf->data = buf->__buf + reserve_head;
}

void net_buf_simple_init_with_data(struct net_buf_simple *buf, void *data, size_t size)
{
    buf->error = false;
    if (size > UINT16_MAX) {
        /* Smaller than the real storage, so still safe; the flag tells the caller. */
        size = UINT16_MAX;
        buf->error = true;
    }
    buf->__buf = data;
    buf->data = data;
    buf->size = (uint16_t)size;
    buf->len = (uint16_t)size;
}

void net_buf_simple_reset(struct net_buf_simple *buf)
{
    buf->len = 0;
    buf->data = buf->__buf;
    buf->error = false;
}

void net_buf_simple_reserve(struct net_buf_simple *buf, size_t reserve)
{
    /* Only an empty buffer: moving data over valid bytes would silently drop them. */
    if (!buf_consistent(buf) || buf->len != 0 || reserve > net_buf_simple_tailroom(buf)) {
        buf->error = true;
        return;
    }
    buf->data += reserve;
}

size_t net_buf_simple_headroom(const struct net_buf_simple *buf)
{
    return buf_consistent(buf) ? headroom_of(buf) : 0;
}

size_t net_buf_simple_tailroom(const struct net_buf_simple *buf)
{
    return buf_consistent(buf) ? buf->size - headroom_of(buf) - buf->len : 0;
}

uint16_t net_buf_simple_max_len(const struct net_buf_simple *buf)
{
    return buf_consistent(buf) ? (uint16_t)(buf->size - headroom_of(buf)) : 0;
}

uint8_t *net_buf_simple_tail(const struct net_buf_simple *buf)
{
    return buf_consistent(buf) ? buf->data + buf->len : NULL;
}

void net_buf_simple_clone(const struct net_buf_simple *original, struct net_buf_simple *clone)
{
    *clone = *original;
}

void net_buf_simple_save(const struct net_buf_simple *buf, struct net_buf_simple_state *state)
{
    state->offset = (uint16_t)net_buf_simple_headroom(buf);
    state->len = buf_consistent(buf) ? buf->len : 0;
}

void net_buf_simple_restore(struct net_buf_simple *buf, const struct net_buf_simple_state *state)
{
    /* A state saved from a different (larger) buffer must not move data out of this one. */
    if (buf->__buf == NULL || state->offset > buf->size || state->len > buf->size - state->offset) {
        buf->error = true;
        return;
    }
    buf->data = buf->__buf + state->offset;
    buf->len = state->len;
}

bool net_buf_simple_has_error(const struct net_buf_simple *buf)
{
    return buf->error;
}

/* --- Tail: add and remove ------------------------------------------------------------------- */

void *net_buf_simple_add(struct net_buf_simple *buf, size_t len)
{
    return grow_tail(buf, len);
}

void *net_buf_simple_add_mem(struct net_buf_simple *buf, const void *mem, size_t len)
{
    uint8_t *dst = grow_tail(buf, len);
    /* memcpy with a NULL source is undefined even for zero bytes. */
    if (dst != NULL && len > 0) {
        memcpy(dst, mem, len);
    }
    return dst;
}

uint8_t *net_buf_simple_add_u8(struct net_buf_simple *buf, uint8_t val)
{
    uint8_t *dst = grow_tail(buf, 1);
    if (dst != NULL) {
        *dst = val;
    }
    return dst;
}

static void add_le(struct net_buf_simple *buf, uint64_t val, size_t n)
{
    uint8_t *dst = grow_tail(buf, n);
    if (dst != NULL) {
        put_le(dst, val, n);
    }
}

static void add_be(struct net_buf_simple *buf, uint64_t val, size_t n)
{
    uint8_t *dst = grow_tail(buf, n);
    if (dst != NULL) {
        put_be(dst, val, n);
    }
}

void net_buf_simple_add_le16(struct net_buf_simple *buf, uint16_t val)
{
    add_le(buf, val, 2);
}

void net_buf_simple_add_be16(struct net_buf_simple *buf, uint16_t val)
{
    add_be(buf, val, 2);
}

void net_buf_simple_add_le24(struct net_buf_simple *buf, uint32_t val)
{
    add_le(buf, val, 3);
}

void net_buf_simple_add_be24(struct net_buf_simple *buf, uint32_t val)
{
    add_be(buf, val, 3);
}

void net_buf_simple_add_le32(struct net_buf_simple *buf, uint32_t val)
{
    add_le(buf, val, 4);
}

void net_buf_simple_add_be32(struct net_buf_simple *buf, uint32_t val)
{
    add_be(buf, val, 4);
}

void net_buf_simple_add_le40(struct net_buf_simple *buf, uint64_t val)
{
    add_le(buf, val, 5);
}

void net_buf_simple_add_be40(struct net_buf_simple *buf, uint64_t val)
{
    add_be(buf, val, 5);
}

void net_buf_simple_add_le48(struct net_buf_simple *buf, uint64_t val)
{
    add_le(buf, val, 6);
}

void net_buf_simple_add_be48(struct net_buf_simple *buf, uint64_t val)
{
    add_be(buf, val, 6);
}

void net_buf_simple_add_le64(struct net_buf_simple *buf, uint64_t val)
{
    add_le(buf, val, 8);
}

void net_buf_simple_add_be64(struct net_buf_simple *buf, uint64_t val)
{
    add_be(buf, val, 8);
}

void *net_buf_simple_remove_mem(struct net_buf_simple *buf, size_t len)
{
    return shrink_tail(buf, len);
}

uint8_t net_buf_simple_remove_u8(struct net_buf_simple *buf)
{
    const uint8_t *src = shrink_tail(buf, 1);
    return src != NULL ? *src : 0;
}

static uint64_t remove_le(struct net_buf_simple *buf, size_t n)
{
    const uint8_t *src = shrink_tail(buf, n);
    return src != NULL ? get_le(src, n) : 0;
}

static uint64_t remove_be(struct net_buf_simple *buf, size_t n)
{
    const uint8_t *src = shrink_tail(buf, n);
    return src != NULL ? get_be(src, n) : 0;
}

uint16_t net_buf_simple_remove_le16(struct net_buf_simple *buf)
{
    return (uint16_t)remove_le(buf, 2);
}

uint16_t net_buf_simple_remove_be16(struct net_buf_simple *buf)
{
    return (uint16_t)remove_be(buf, 2);
}

uint32_t net_buf_simple_remove_le24(struct net_buf_simple *buf)
{
    return (uint32_t)remove_le(buf, 3);
}

uint32_t net_buf_simple_remove_be24(struct net_buf_simple *buf)
{
    return (uint32_t)remove_be(buf, 3);
}

uint32_t net_buf_simple_remove_le32(struct net_buf_simple *buf)
{
    return (uint32_t)remove_le(buf, 4);
}

uint32_t net_buf_simple_remove_be32(struct net_buf_simple *buf)
{
    return (uint32_t)remove_be(buf, 4);
}

uint64_t net_buf_simple_remove_le40(struct net_buf_simple *buf)
{
    return remove_le(buf, 5);
}

uint64_t net_buf_simple_remove_be40(struct net_buf_simple *buf)
{
    return remove_be(buf, 5);
}

uint64_t net_buf_simple_remove_le48(struct net_buf_simple *buf)
{
    return remove_le(buf, 6);
}

uint64_t net_buf_simple_remove_be48(struct net_buf_simple *buf)
{
    return remove_be(buf, 6);
}

uint64_t net_buf_simple_remove_le64(struct net_buf_simple *buf)
{
    return remove_le(buf, 8);
}

uint64_t net_buf_simple_remove_be64(struct net_buf_simple *buf)
{
    return remove_be(buf, 8);
}

/* --- Head: push and pull -------------------------------------------------------------------- */

void *net_buf_simple_push(struct net_buf_simple *buf, size_t len)
{
    return grow_head(buf, len);
}

void *net_buf_simple_push_mem(struct net_buf_simple *buf, const void *mem, size_t len)
{
    uint8_t *dst = grow_head(buf, len);
    if (dst != NULL && len > 0) {
        memcpy(dst, mem, len);
    }
    return dst;
}

void net_buf_simple_push_u8(struct net_buf_simple *buf, uint8_t val)
{
    uint8_t *dst = grow_head(buf, 1);
    if (dst != NULL) {
        *dst = val;
    }
}

static void push_le(struct net_buf_simple *buf, uint64_t val, size_t n)
{
    uint8_t *dst = grow_head(buf, n);
    if (dst != NULL) {
        put_le(dst, val, n);
    }
}

static void push_be(struct net_buf_simple *buf, uint64_t val, size_t n)
{
    uint8_t *dst = grow_head(buf, n);
    if (dst != NULL) {
        put_be(dst, val, n);
    }
}

void net_buf_simple_push_le16(struct net_buf_simple *buf, uint16_t val)
{
    push_le(buf, val, 2);
}

void net_buf_simple_push_be16(struct net_buf_simple *buf, uint16_t val)
{
    push_be(buf, val, 2);
}

void net_buf_simple_push_le24(struct net_buf_simple *buf, uint32_t val)
{
    push_le(buf, val, 3);
}

void net_buf_simple_push_be24(struct net_buf_simple *buf, uint32_t val)
{
    push_be(buf, val, 3);
}

void net_buf_simple_push_le32(struct net_buf_simple *buf, uint32_t val)
{
    push_le(buf, val, 4);
}

void net_buf_simple_push_be32(struct net_buf_simple *buf, uint32_t val)
{
    push_be(buf, val, 4);
}

void net_buf_simple_push_le40(struct net_buf_simple *buf, uint64_t val)
{
    push_le(buf, val, 5);
}

void net_buf_simple_push_be40(struct net_buf_simple *buf, uint64_t val)
{
    push_be(buf, val, 5);
}

void net_buf_simple_push_le48(struct net_buf_simple *buf, uint64_t val)
{
    push_le(buf, val, 6);
}

void net_buf_simple_push_be48(struct net_buf_simple *buf, uint64_t val)
{
    push_be(buf, val, 6);
}

void net_buf_simple_push_le64(struct net_buf_simple *buf, uint64_t val)
{
    push_le(buf, val, 8);
}

void net_buf_simple_push_be64(struct net_buf_simple *buf, uint64_t val)
{
    push_be(buf, val, 8);
}

void *net_buf_simple_pull(struct net_buf_simple *buf, size_t len)
{
    return shrink_head(buf, len) != NULL ? buf->data : NULL;
}

void *net_buf_simple_pull_mem(struct net_buf_simple *buf, size_t len)
{
    return shrink_head(buf, len);
}

void net_buf_simple_pull_to(struct net_buf_simple *buf, void *dst, size_t len)
{
    const uint8_t *src = shrink_head(buf, len);
    if (len == 0) {
        return;
    }
    if (src != NULL) {
        memcpy(dst, src, len);
    } else {
        memset(dst, 0, len);
    }
}

uint8_t net_buf_simple_pull_u8(struct net_buf_simple *buf)
{
    const uint8_t *src = shrink_head(buf, 1);
    return src != NULL ? *src : 0;
}

static uint64_t pull_le(struct net_buf_simple *buf, size_t n)
{
    const uint8_t *src = shrink_head(buf, n);
    return src != NULL ? get_le(src, n) : 0;
}

static uint64_t pull_be(struct net_buf_simple *buf, size_t n)
{
    const uint8_t *src = shrink_head(buf, n);
    return src != NULL ? get_be(src, n) : 0;
}

uint16_t net_buf_simple_pull_le16(struct net_buf_simple *buf)
{
    return (uint16_t)pull_le(buf, 2);
}

uint16_t net_buf_simple_pull_be16(struct net_buf_simple *buf)
{
    return (uint16_t)pull_be(buf, 2);
}

uint32_t net_buf_simple_pull_le24(struct net_buf_simple *buf)
{
    return (uint32_t)pull_le(buf, 3);
}

uint32_t net_buf_simple_pull_be24(struct net_buf_simple *buf)
{
    return (uint32_t)pull_be(buf, 3);
}

uint32_t net_buf_simple_pull_le32(struct net_buf_simple *buf)
{
    return (uint32_t)pull_le(buf, 4);
}

uint32_t net_buf_simple_pull_be32(struct net_buf_simple *buf)
{
    return (uint32_t)pull_be(buf, 4);
}

uint64_t net_buf_simple_pull_le40(struct net_buf_simple *buf)
{
    return pull_le(buf, 5);
}

uint64_t net_buf_simple_pull_be40(struct net_buf_simple *buf)
{
    return pull_be(buf, 5);
}

uint64_t net_buf_simple_pull_le48(struct net_buf_simple *buf)
{
    return pull_le(buf, 6);
}

uint64_t net_buf_simple_pull_be48(struct net_buf_simple *buf)
{
    return pull_be(buf, 6);
}

uint64_t net_buf_simple_pull_le64(struct net_buf_simple *buf)
{
    return pull_le(buf, 8);
}

uint64_t net_buf_simple_pull_be64(struct net_buf_simple *buf)
{
    return pull_be(buf, 8);
}
