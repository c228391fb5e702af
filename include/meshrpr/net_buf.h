/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * A bounded byte buffer with the shape and function names of Zephyr's net_buf_simple.
 *
 * The documented Bluetooth Mesh API hands a `struct net_buf_simple *` to model callbacks, so
 * code written against Zephyr has to compile here unchanged: the fields, macros and signatures
 * below are Zephyr's. The difference is in what happens on misuse. Zephyr asserts (and, with
 * asserts off, reads or writes past the storage); meshrpr never touches a byte outside the
 * storage. Any operation that would do so instead sets the sticky @ref net_buf_simple.error
 * flag and leaves the buffer exactly as it was: pointer-returning functions return NULL,
 * integer getters return 0 and the other functions do nothing. A parser can therefore pull a
 * whole PDU field by field and check net_buf_simple_has_error() once at the end, and a builder
 * can add a whole PDU and check once that it fitted.
 *
 * The error flag is set only by the functions here and cleared only by net_buf_simple_init(),
 * net_buf_simple_init_with_data() and net_buf_simple_reset(). Every function also refuses
 * (with the error flag) to work on a buffer whose fields are inconsistent, for example one
 * created with NET_BUF_SIMPLE() but not yet initialised, or one whose len a caller set past the
 * storage.
 *
 * Layout: `__buf` is the start of the storage and `size` its length. The valid bytes are
 * `data[0 .. len)`, with `data - __buf` bytes of headroom before them (room for push) and
 * `size - headroom - len` bytes of tailroom after them (room for add).
 *
 * Passing a NULL buffer to any function is undefined behaviour, as in Zephyr.
 */
#ifndef MESHRPR_NET_BUF_H
#define MESHRPR_NET_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A bounded byte buffer over caller-provided storage. */
struct net_buf_simple {
    /** First valid byte. */
    uint8_t *data;
    /** Number of valid bytes at @ref data. */
    uint16_t len;
    /** Size of the storage at @ref __buf. */
    uint16_t size;
    /** Start of the storage. */
    uint8_t *__buf;
    /** Sticky: set when an operation was refused because it would leave the storage
     *  (meshrpr extension, not in Zephyr). */
    bool error;
};

/** Saved parsing position, for net_buf_simple_save() and net_buf_simple_restore(). */
struct net_buf_simple_state {
    /** Headroom at the time of saving (offset of data from the storage start). */
    uint16_t offset;
    /** Length at the time of saving. */
    uint16_t len;
};

/* An empty buffer over storage of _size bytes. Positional (data, len, size, __buf, error), not
 * designated, so that the macros below also work in C++17. */
#define NET_BUF_SIMPLE_INITIALIZER_(_storage, _size)                                               \
    {                                                                                              \
        (_storage), 0, (_size), (_storage), false                                                  \
    }

/**
 * Define storage of @p _size bytes and an empty buffer @p _name over it, with no headroom.
 * Works at file scope and at block scope; at block scope both live on the stack.
 * @p _size must be at most UINT16_MAX.
 */
#define NET_BUF_SIMPLE_DEFINE(_name, _size)                                                        \
    uint8_t net_buf_data_##_name[_size];                                                           \
    struct net_buf_simple _name = NET_BUF_SIMPLE_INITIALIZER_(net_buf_data_##_name, _size)

/** NET_BUF_SIMPLE_DEFINE() with static storage duration for both the storage and the buffer. */
#define NET_BUF_SIMPLE_DEFINE_STATIC(_name, _size)                                                 \
    static uint8_t net_buf_data_##_name[_size];                                                    \
    static struct net_buf_simple _name = NET_BUF_SIMPLE_INITIALIZER_(net_buf_data_##_name, _size)

/**
 * A pointer to a new buffer with @p _size bytes of storage right behind it, as a compound
 * literal (so its lifetime is the enclosing block). As in Zephyr, it must be passed to
 * net_buf_simple_init() before use; until then every operation on it fails with the error flag.
 */
#define NET_BUF_SIMPLE(_size)                                                                      \
    ((struct net_buf_simple *)(&(struct {                                                          \
        struct net_buf_simple buf;                                                                 \
        uint8_t data[_size];                                                                       \
    }){                                                                                            \
        .buf.size = (_size),                                                                       \
    }))

/**
 * Empty the buffer, leave @p reserve_head bytes of headroom and clear the error flag.
 *
 * A buffer made by NET_BUF_SIMPLE() has no storage pointer yet; it gets the storage that the
 * macro placed right behind the struct. Any other buffer must already have @ref
 * net_buf_simple.__buf and @ref net_buf_simple.size set.
 * If @p reserve_head exceeds the size, the buffer is left empty with no headroom and the error
 * flag set.
 */
void net_buf_simple_init(struct net_buf_simple *buf, size_t reserve_head);

/**
 * Make @p buf a full buffer over the @p size bytes at @p data (len = size, no headroom), and
 * clear the error flag. A @p size above UINT16_MAX is clamped to UINT16_MAX and sets the error
 * flag, so the buffer still never reaches outside @p data.
 */
void net_buf_simple_init_with_data(struct net_buf_simple *buf, void *data, size_t size);

/** Empty the buffer, remove its headroom and clear the error flag. */
void net_buf_simple_reset(struct net_buf_simple *buf);

/**
 * Move the start of an empty buffer @p reserve bytes further into the storage, adding that
 * much headroom. Sets the error flag and changes nothing if the buffer is not empty or if the
 * tailroom is smaller than @p reserve.
 */
void net_buf_simple_reserve(struct net_buf_simple *buf, size_t reserve);

/** @return Bytes available before the data for push, or 0 if the buffer is inconsistent. */
size_t net_buf_simple_headroom(const struct net_buf_simple *buf);

/** @return Bytes available after the data for add, or 0 if the buffer is inconsistent. */
size_t net_buf_simple_tailroom(const struct net_buf_simple *buf);

/**
 * @return The largest len the buffer can reach without push: size minus headroom, or 0 if the
 *         buffer is inconsistent.
 */
uint16_t net_buf_simple_max_len(const struct net_buf_simple *buf);

/**
 * @return Pointer just past the last valid byte (where add writes next), or NULL if the buffer
 *         is inconsistent.
 */
uint8_t *net_buf_simple_tail(const struct net_buf_simple *buf);

/**
 * Make @p clone a shallow copy of @p original: it shares the storage, so parsing the clone
 * (pull) leaves the original's position alone. The error flag is copied too.
 */
void net_buf_simple_clone(const struct net_buf_simple *original, struct net_buf_simple *clone);

/** Record the buffer's position (headroom and len) in @p state. */
void net_buf_simple_save(const struct net_buf_simple *buf, struct net_buf_simple_state *state);

/**
 * Return the buffer to a position recorded by net_buf_simple_save(). Sets the error flag and
 * changes nothing if @p state does not fit in this buffer's storage. Does not clear the error
 * flag.
 */
void net_buf_simple_restore(struct net_buf_simple *buf, const struct net_buf_simple_state *state);

/** @return true if any operation on the buffer was refused since it was last initialised. */
bool net_buf_simple_has_error(const struct net_buf_simple *buf);

/* --- Appending at the tail ------------------------------------------------------------------ */

/**
 * Grow the data by @p len bytes at the tail, leaving their content as it was.
 * @return Pointer to the first added byte, or NULL (error flag set, nothing changed) if the
 *         tailroom is smaller than @p len.
 */
void *net_buf_simple_add(struct net_buf_simple *buf, size_t len);

/**
 * Append a copy of the @p len bytes at @p mem (which may be NULL when @p len is 0).
 * @return Pointer to the copy in the buffer, or NULL (error flag set, nothing changed) if the
 *         tailroom is smaller than @p len.
 */
void *net_buf_simple_add_mem(struct net_buf_simple *buf, const void *mem, size_t len);

/**
 * Append one byte.
 * @return Pointer to it in the buffer, or NULL (error flag set, nothing changed) if full.
 */
uint8_t *net_buf_simple_add_u8(struct net_buf_simple *buf, uint8_t val);

/**
 * Append the low 16, 24, 32, 40, 48 or 64 bits of @p val, little-endian (le) or big-endian (be).
 * If the tailroom is too small nothing is written and the error flag is set.
 * @{
 */
void net_buf_simple_add_le16(struct net_buf_simple *buf, uint16_t val);
void net_buf_simple_add_be16(struct net_buf_simple *buf, uint16_t val);
void net_buf_simple_add_le24(struct net_buf_simple *buf, uint32_t val);
void net_buf_simple_add_be24(struct net_buf_simple *buf, uint32_t val);
void net_buf_simple_add_le32(struct net_buf_simple *buf, uint32_t val);
void net_buf_simple_add_be32(struct net_buf_simple *buf, uint32_t val);
void net_buf_simple_add_le40(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_add_be40(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_add_le48(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_add_be48(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_add_le64(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_add_be64(struct net_buf_simple *buf, uint64_t val);
/** @} */

/* --- Removing from the tail ----------------------------------------------------------------- */

/**
 * Shrink the data by @p len bytes at the tail.
 * @return Pointer to the first removed byte (still in the storage until overwritten), or NULL
 *         (error flag set, nothing changed) if len is smaller than @p len.
 */
void *net_buf_simple_remove_mem(struct net_buf_simple *buf, size_t len);

/**
 * Remove the last byte, or the last 2, 3, 4, 5, 6 or 8 bytes decoded as a little-endian (le)
 * or big-endian (be) integer.
 * @return The value, or 0 (error flag set, nothing changed) if the buffer holds fewer bytes.
 * @{
 */
uint8_t net_buf_simple_remove_u8(struct net_buf_simple *buf);
uint16_t net_buf_simple_remove_le16(struct net_buf_simple *buf);
uint16_t net_buf_simple_remove_be16(struct net_buf_simple *buf);
uint32_t net_buf_simple_remove_le24(struct net_buf_simple *buf);
uint32_t net_buf_simple_remove_be24(struct net_buf_simple *buf);
uint32_t net_buf_simple_remove_le32(struct net_buf_simple *buf);
uint32_t net_buf_simple_remove_be32(struct net_buf_simple *buf);
uint64_t net_buf_simple_remove_le40(struct net_buf_simple *buf);
uint64_t net_buf_simple_remove_be40(struct net_buf_simple *buf);
uint64_t net_buf_simple_remove_le48(struct net_buf_simple *buf);
uint64_t net_buf_simple_remove_be48(struct net_buf_simple *buf);
uint64_t net_buf_simple_remove_le64(struct net_buf_simple *buf);
uint64_t net_buf_simple_remove_be64(struct net_buf_simple *buf);
/** @} */

/* --- Prepending into the headroom ----------------------------------------------------------- */

/**
 * Grow the data by @p len bytes at the head, taken from the headroom, leaving their content as
 * it was.
 * @return The new data pointer, or NULL (error flag set, nothing changed) if the headroom is
 *         smaller than @p len.
 */
void *net_buf_simple_push(struct net_buf_simple *buf, size_t len);

/**
 * Prepend a copy of the @p len bytes at @p mem (which may be NULL when @p len is 0).
 * @return The new data pointer, or NULL (error flag set, nothing changed) if the headroom is
 *         smaller than @p len.
 */
void *net_buf_simple_push_mem(struct net_buf_simple *buf, const void *mem, size_t len);

/**
 * Prepend one byte, or the low 16, 24, 32, 40, 48 or 64 bits of @p val, little-endian (le) or
 * big-endian (be). If the headroom is too small nothing is written and the error flag is set.
 * @{
 */
void net_buf_simple_push_u8(struct net_buf_simple *buf, uint8_t val);
void net_buf_simple_push_le16(struct net_buf_simple *buf, uint16_t val);
void net_buf_simple_push_be16(struct net_buf_simple *buf, uint16_t val);
void net_buf_simple_push_le24(struct net_buf_simple *buf, uint32_t val);
void net_buf_simple_push_be24(struct net_buf_simple *buf, uint32_t val);
void net_buf_simple_push_le32(struct net_buf_simple *buf, uint32_t val);
void net_buf_simple_push_be32(struct net_buf_simple *buf, uint32_t val);
void net_buf_simple_push_le40(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_push_be40(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_push_le48(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_push_be48(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_push_le64(struct net_buf_simple *buf, uint64_t val);
void net_buf_simple_push_be64(struct net_buf_simple *buf, uint64_t val);
/** @} */

/* --- Consuming from the head ---------------------------------------------------------------- */

/**
 * Drop @p len bytes from the head (they become headroom).
 * @return The new data pointer (Zephyr semantics: the byte after the dropped ones), or NULL
 *         (error flag set, nothing changed) if len is smaller than @p len.
 */
void *net_buf_simple_pull(struct net_buf_simple *buf, size_t len);

/**
 * Drop @p len bytes from the head.
 * @return Pointer to the first dropped byte, valid until the headroom is reused by push, or
 *         NULL (error flag set, nothing changed) if len is smaller than @p len.
 */
void *net_buf_simple_pull_mem(struct net_buf_simple *buf, size_t len);

/**
 * Copy the first @p len bytes to @p dst and drop them (meshrpr extension). If len is smaller
 * than @p len, @p dst is zero-filled instead, the error flag is set and the buffer is
 * unchanged, so @p dst never holds uninitialised or stale bytes.
 */
void net_buf_simple_pull_to(struct net_buf_simple *buf, void *dst, size_t len);

/**
 * Remove the first byte, or the first 2, 3, 4, 5, 6 or 8 bytes decoded as a little-endian (le)
 * or big-endian (be) integer.
 * @return The value, or 0 (error flag set, nothing changed) if the buffer holds fewer bytes.
 * @{
 */
uint8_t net_buf_simple_pull_u8(struct net_buf_simple *buf);
uint16_t net_buf_simple_pull_le16(struct net_buf_simple *buf);
uint16_t net_buf_simple_pull_be16(struct net_buf_simple *buf);
uint32_t net_buf_simple_pull_le24(struct net_buf_simple *buf);
uint32_t net_buf_simple_pull_be24(struct net_buf_simple *buf);
uint32_t net_buf_simple_pull_le32(struct net_buf_simple *buf);
uint32_t net_buf_simple_pull_be32(struct net_buf_simple *buf);
uint64_t net_buf_simple_pull_le40(struct net_buf_simple *buf);
uint64_t net_buf_simple_pull_be40(struct net_buf_simple *buf);
uint64_t net_buf_simple_pull_le48(struct net_buf_simple *buf);
uint64_t net_buf_simple_pull_be48(struct net_buf_simple *buf);
uint64_t net_buf_simple_pull_le64(struct net_buf_simple *buf);
uint64_t net_buf_simple_pull_be64(struct net_buf_simple *buf);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_NET_BUF_H */
