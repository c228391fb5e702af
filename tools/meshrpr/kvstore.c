/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The in-memory key-value storage of a simulated node (see kvstore.h). Values are kept in
 * insertion order and written to JSON sorted by key, so a world file does not depend on the
 * order in which the stack happened to write its records.
 */
#include "kvstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct kv_entry *kv_find(const struct kv_store *kv, const char *key)
{
    for (size_t i = 0; i < kv->count; i++) {
        if (strcmp(kv->entries[i].key, key) == 0) {
            return &kv->entries[i];
        }
    }
    return NULL;
}

static int kv_read(void *ctx, const char *key, void *data, size_t size)
{
    const struct kv_store *kv = ctx;
    const struct kv_entry *e = key != NULL ? kv_find(kv, key) : NULL;

    if (e == NULL) {
        return -ENOENT;
    }
    if (data != NULL && size > 0) {
        memcpy(data, e->data, e->len < size ? e->len : size);
    }
    return (int)e->len;
}

static int kv_write(void *ctx, const char *key, const void *data, size_t len)
{
    return kv_set(ctx, key, data, len);
}

static int kv_erase(void *ctx, const char *key)
{
    struct kv_store *kv = ctx;
    struct kv_entry *e = key != NULL ? kv_find(kv, key) : NULL;

    if (e != NULL) {
        size_t i = (size_t)(e - kv->entries);
        free(e->data);
        memmove(&kv->entries[i], &kv->entries[i + 1], (kv->count - i - 1) * sizeof(*e));
        kv->count--;
    }
    return 0;
}

void kv_init(struct kv_store *kv)
{
    memset(kv, 0, sizeof(*kv));
    kv->storage.ctx = kv;
    kv->storage.read = kv_read;
    kv->storage.write = kv_write;
    kv->storage.erase = kv_erase;
}

void kv_free(struct kv_store *kv)
{
    for (size_t i = 0; i < kv->count; i++) {
        free(kv->entries[i].data);
    }
    free(kv->entries);
    kv->entries = NULL;
    kv->count = 0;
    kv->cap = 0;
}

int kv_set(struct kv_store *kv, const char *key, const void *data, size_t len)
{
    struct kv_entry *e;
    uint8_t *copy;

    if (key == NULL || key[0] == '\0' || strlen(key) >= MESHRPR_STORAGE_KEY_MAX ||
        len > KV_VALUE_MAX || (data == NULL && len > 0)) {
        return -EINVAL;
    }
    copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        return -ENOMEM;
    }
    if (len > 0) {
        memcpy(copy, data, len);
    }
    e = kv_find(kv, key);
    if (e == NULL) {
        if (kv->count == kv->cap) {
            size_t cap = kv->cap == 0 ? 8 : kv->cap * 2;
            struct kv_entry *grown = realloc(kv->entries, cap * sizeof(*grown));
            if (grown == NULL) {
                free(copy);
                return -ENOMEM;
            }
            kv->entries = grown;
            kv->cap = cap;
        }
        e = &kv->entries[kv->count++];
        memset(e, 0, sizeof(*e));
        strcpy(e->key, key);
    } else {
        free(e->data);
    }
    e->data = copy;
    e->len = len;
    return 0;
}

static int key_cmp(const void *a, const void *b)
{
    const struct kv_entry *const *x = a;
    const struct kv_entry *const *y = b;

    return strcmp((*x)->key, (*y)->key);
}

cJSON *kv_to_json(const struct kv_store *kv)
{
    cJSON *obj = cJSON_CreateObject();
    const struct kv_entry **order = calloc(kv->count > 0 ? kv->count : 1, sizeof(*order));
    char *hex = malloc(2 * KV_VALUE_MAX + 1);

    if (obj == NULL || order == NULL || hex == NULL) {
        goto fail;
    }
    for (size_t i = 0; i < kv->count; i++) {
        order[i] = &kv->entries[i];
    }
    qsort(order, kv->count, sizeof(*order), key_cmp);
    for (size_t i = 0; i < kv->count; i++) {
        tool_hex(hex, order[i]->data, order[i]->len);
        if (cJSON_AddStringToObject(obj, order[i]->key, hex) == NULL) {
            goto fail;
        }
    }
    free(order);
    free(hex);
    return obj;
fail:
    cJSON_Delete(obj);
    free(order);
    free(hex);
    return NULL;
}

int kv_from_json(struct kv_store *kv, const cJSON *obj, char *err, size_t err_size)
{
    uint8_t *buf;
    const cJSON *item;

    kv_free(kv);
    if (!cJSON_IsObject(obj)) {
        tool_msg(err, err_size, "not an object");
        return -EINVAL;
    }
    buf = malloc(KV_VALUE_MAX);
    if (buf == NULL) {
        return -ENOMEM;
    }
    cJSON_ArrayForEach(item, obj)
    {
        size_t len;
        int rc;

        if (!cJSON_IsString(item) || item->string == NULL ||
            tool_unhex(item->valuestring, buf, KV_VALUE_MAX, &len) != 0) {
            tool_msg(err, err_size, "\"%s\": not a hex string of at most %d octets",
                     item->string != NULL ? item->string : "", KV_VALUE_MAX);
            free(buf);
            kv_free(kv);
            return -EINVAL;
        }
        rc = kv_set(kv, item->string, buf, len);
        if (rc != 0) {
            tool_msg(err, err_size, "\"%s\": bad key", item->string);
            free(buf);
            kv_free(kv);
            return rc;
        }
    }
    free(buf);
    return 0;
}
