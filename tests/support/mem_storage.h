/* SPDX-License-Identifier: Apache-2.0 */
/* A small in-memory key-value store behind struct meshrpr_storage, so component tests can
 * restart a node from what it stored without touching the file system. */
#ifndef MESHRPR_MEM_STORAGE_H
#define MESHRPR_MEM_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/storage.h>

#define MEM_STORAGE_SLOTS     16
#define MEM_STORAGE_VALUE_MAX 512

struct mem_storage {
    struct meshrpr_storage storage; /* pass &m->storage to the node */
    struct {
        bool used;
        char key[MESHRPR_STORAGE_KEY_MAX];
        uint8_t data[MEM_STORAGE_VALUE_MAX];
        size_t len;
    } slots[MEM_STORAGE_SLOTS];
};

/* Empty the store and point its hooks at it. */
void mem_storage_init(struct mem_storage *m);

#endif /* MESHRPR_MEM_STORAGE_H */
