/* SPDX-License-Identifier: Apache-2.0 */
#include "mem_storage.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int mem_find(struct mem_storage *m, const char *key)
{
    for (int i = 0; i < MEM_STORAGE_SLOTS; i++) {
        if (m->slots[i].used && strcmp(m->slots[i].key, key) == 0) {
            return i;
        }
    }
    return -1;
}

static int mem_read(void *ctx, const char *key, void *data, size_t size)
{
    struct mem_storage *m = ctx;
    int i = mem_find(m, key);

    if (i < 0) {
        return -ENOENT;
    }
    memcpy(data, m->slots[i].data, m->slots[i].len < size ? m->slots[i].len : size);
    return (int)m->slots[i].len;
}

static int mem_write(void *ctx, const char *key, const void *data, size_t len)
{
    struct mem_storage *m = ctx;
    int i = mem_find(m, key);

    for (int k = 0; i < 0 && k < MEM_STORAGE_SLOTS; k++) {
        if (!m->slots[k].used) {
            i = k;
        }
    }
    if (i < 0 || len > MEM_STORAGE_VALUE_MAX) {
        return -ENOSPC;
    }
    m->slots[i].used = true;
    snprintf(m->slots[i].key, sizeof(m->slots[i].key), "%s", key);
    memcpy(m->slots[i].data, data, len);
    m->slots[i].len = len;
    return 0;
}

static int mem_erase(void *ctx, const char *key)
{
    struct mem_storage *m = ctx;
    int i = mem_find(m, key);

    if (i >= 0) {
        m->slots[i].used = false;
    }
    return 0;
}

void mem_storage_init(struct mem_storage *m)
{
    memset(m, 0, sizeof(*m));
    m->storage.ctx = m;
    m->storage.read = mem_read;
    m->storage.write = mem_write;
    m->storage.erase = mem_erase;
}
