/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A node's persistent storage for the tool: a struct meshrpr_storage over an in-memory
 * key-value table, saved into the world file as a JSON object of hex strings. A node that is
 * re-initialised from it continues where it stopped, as a real node restarts from flash.
 */
#ifndef MESHRPR_TOOL_KVSTORE_H
#define MESHRPR_TOOL_KVSTORE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <meshrpr/storage.h>

/* Largest value the table accepts (the stack's largest record is far smaller). */
#define KV_VALUE_MAX 4096

struct kv_entry {
    char key[MESHRPR_STORAGE_KEY_MAX];
    uint8_t *data;
    size_t len;
};

struct kv_store {
    /* Give &kv->storage to the node; its ctx points at this struct, so it must not move. */
    struct meshrpr_storage storage;
    struct kv_entry *entries;
    size_t count;
    size_t cap;
};

/* An empty table. */
void kv_init(struct kv_store *kv);

/* Free every value (the table is empty and usable afterwards). */
void kv_free(struct kv_store *kv);

/* Store a copy of a value. @return 0, -EINVAL (bad key or too long), -ENOMEM. */
int kv_set(struct kv_store *kv, const char *key, const void *data, size_t len);

/* The table as a JSON object {key: hex}, keys sorted. @return NULL on allocation failure. */
cJSON *kv_to_json(const struct kv_store *kv);

/* Replace the table's content with a JSON object {key: hex}. On error the table is left empty
 * and err says why. @return 0 or -EINVAL / -ENOMEM. */
int kv_from_json(struct kv_store *kv, const cJSON *obj, char *err, size_t err_size);

#endif /* MESHRPR_TOOL_KVSTORE_H */
