/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Persistent storage interface: a small key-value store, one value per key.
 *
 * Each layer persists its own state under its own keys ("net/seq", "net/keys"...), so a node
 * restarted from storage continues where it stopped. meshrpr ships a file implementation
 * (meshrpr_storage_file_*, one file per key, written atomically); an embedded port maps the
 * same three calls onto its flash file system.
 */
#ifndef MESHRPR_STORAGE_H
#define MESHRPR_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest key, terminator included. */
#define MESHRPR_STORAGE_KEY_MAX 32

struct meshrpr_storage {
    void *ctx;
    /**
     * Read the value of key into data (at most size octets).
     * @return the value's length (which may exceed size: then only size octets were read),
     *         -ENOENT when the key has no value, or another negative errno.
     */
    int (*read)(void *ctx, const char *key, void *data, size_t size);
    /** Store len octets under key, replacing any old value atomically. @return 0 or -errno. */
    int (*write)(void *ctx, const char *key, const void *data, size_t len);
    /** Remove key; removing an absent key succeeds. @return 0 or -errno. */
    int (*erase)(void *ctx, const char *key);
};

/** File storage: one file per key in a directory (keys' '/' become '_'). */
struct meshrpr_storage_file {
    struct meshrpr_storage storage; /**< pass &file.storage to the node */
    char dir[256];
};

/**
 * Set up file storage in dir, creating the directory if needed.
 * @return 0, -ENAMETOOLONG, or the negative errno of mkdir.
 */
int meshrpr_storage_file_init(struct meshrpr_storage_file *file, const char *dir);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_STORAGE_H */
