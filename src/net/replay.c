/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Replay protection list (MshPRTv1.1 §3.9.8): for every source heard, the highest
 * IVISeq = IV Index (32 bits) || SEQ (24 bits) accepted from it, compared as one 56-bit
 * number. A message is a replay unless its IVISeq is strictly greater. The list is written
 * through to storage on every change, because the specification requires it to survive a
 * power loss and a deferred write would keep a timer armed after every message.
 */
#include "net/replay.h"

#include "net/lower_transport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "rpl"
#include "core/log.h"

#include "node/node_services.h"

/* Storage layout: the list is kept in pages of RPL_PAGE_ENTRIES entries, page 0 under "rpl"
 * and page p under "rpl/<p>", each a version octet then per entry SRC (2, LE), IV Index
 * (4, LE), SEQ (3, LE). A change rewrites only its entry's page, so a list sized for a large
 * network costs no more per message than the built-in one. */
#define RPL_STORE_VERSION 1
#define RPL_ENTRY_LEN     9
#define RPL_PAGE_ENTRIES  32
#define RPL_BLOB_LEN      (1 + RPL_PAGE_ENTRIES * RPL_ENTRY_LEN)

static uint64_t ivi_seq(uint32_t iv_index, uint32_t seq)
{
    return (uint64_t)iv_index << 24 | (seq & 0xffffffu);
}

void meshrpr_replay_init(struct meshrpr_node *node)
{
    const struct meshrpr_node_capacity *cap = node->cfg.capacity;
    struct meshrpr_rpl *rpl = &node->rpl;

    rpl->entries = rpl->storage;
    rpl->size = MESHRPR_RPL_SIZE;
    if (cap != NULL && cap->rpl != NULL && cap->rpl_size > 0) {
        rpl->entries = cap->rpl;
        rpl->size = (uint16_t)cap->rpl_size;
    }
    memset(rpl->entries, 0, rpl->size * sizeof(rpl->entries[0]));
}

/* Index of the entry for src (src 0: a free entry), or the list's size. */
static size_t rpl_find(const struct meshrpr_rpl *rpl, uint16_t src)
{
    size_t i = 0;

    while (i < rpl->size && rpl->entries[i].src != src) {
        i++;
    }
    return i;
}

static void rpl_key(char key[16], size_t page)
{
    if (page == 0) {
        memcpy(key, "rpl", 4);
    } else {
        (void)snprintf(key, 16, "rpl/%u", (unsigned)page);
    }
}

static int rpl_store_page(struct meshrpr_node *node, size_t page)
{
    uint8_t blob[RPL_BLOB_LEN];
    size_t len = 1;
    char key[16];

    if (node->cfg.storage == NULL) {
        return 0; /* skip building the blob when nothing would be written */
    }
    blob[0] = RPL_STORE_VERSION;
    for (size_t i = page * RPL_PAGE_ENTRIES;
         i < node->rpl.size && i < (page + 1) * RPL_PAGE_ENTRIES; i++) {
        const struct meshrpr_rpl_entry *e = &node->rpl.entries[i];
        if (e->src == BT_MESH_ADDR_UNASSIGNED) {
            continue;
        }
        blob[len++] = (uint8_t)e->src;
        blob[len++] = (uint8_t)(e->src >> 8);
        for (int b = 0; b < 32; b += 8) {
            blob[len++] = (uint8_t)(e->iv_index >> b);
        }
        for (int b = 0; b < 24; b += 8) {
            blob[len++] = (uint8_t)(e->seq >> b);
        }
    }
    rpl_key(key, page);
    return meshrpr_node_store(node, key, blob, len);
}

static size_t rpl_page_count(const struct meshrpr_rpl *rpl)
{
    return (rpl->size + RPL_PAGE_ENTRIES - 1u) / RPL_PAGE_ENTRIES;
}

bool meshrpr_replay_check(const struct meshrpr_node *node, uint16_t src, uint32_t iv_index,
                          uint32_t seq)
{
    size_t i;

    if (src == BT_MESH_ADDR_UNASSIGNED) {
        return true; /* no valid message has this source; never let it through */
    }
    i = rpl_find(&node->rpl, src);
    if (i == node->rpl.size) {
        /* §3.9.8: a source the list has no room to record is discarded like a replay, before
         * delivery, since it could not be protected afterwards. */
        return rpl_find(&node->rpl, BT_MESH_ADDR_UNASSIGNED) == node->rpl.size;
    }
    return ivi_seq(iv_index, seq) <=
           ivi_seq(node->rpl.entries[i].iv_index, node->rpl.entries[i].seq);
}

int meshrpr_replay_update(struct meshrpr_node *node, uint16_t src, uint32_t iv_index, uint32_t seq)
{
    struct meshrpr_rpl *rpl = &node->rpl;
    struct meshrpr_rpl_entry *entry;
    size_t i;

    if (!BT_MESH_ADDR_IS_UNICAST(src) || seq > 0xffffffu) {
        return -EINVAL;
    }
    i = rpl_find(rpl, src);
    if (i < rpl->size) {
        entry = &rpl->entries[i];
        if (ivi_seq(iv_index, seq) <= ivi_seq(entry->iv_index, entry->seq)) {
            return 0; /* never lower an entry */
        }
    } else {
        i = rpl_find(rpl, BT_MESH_ADDR_UNASSIGNED);
        if (i == rpl->size) {
            /* §3.9.8: with no room for a new source the message must be discarded. */
            MESHRPR_LOG_WRN(&node->platform, "replay list full (%u sources), 0x%04x not recorded",
                            (unsigned)rpl->size, src);
            return -ENOMEM;
        }
        entry = &rpl->entries[i];
        entry->src = src;
    }
    entry->iv_index = iv_index;
    entry->seq = seq;
    (void)rpl_store_page(node, i / RPL_PAGE_ENTRIES);
    return 0;
}

void meshrpr_replay_clear(struct meshrpr_node *node)
{
    memset(node->rpl.entries, 0, node->rpl.size * sizeof(node->rpl.entries[0]));
}

int meshrpr_replay_forget(struct meshrpr_node *node, uint16_t addr, uint16_t count)
{
    bool changed = false;

    /* The lower transport's reassembly contexts remember SeqAuths from those sources too. */
    meshrpr_lower_transport_forget(node, addr, count);
    for (size_t i = 0; i < node->rpl.size; i++) {
        struct meshrpr_rpl_entry *e = &node->rpl.entries[i];
        if (e->src != 0 && e->src >= addr && e->src - addr < count) {
            memset(e, 0, sizeof(*e));
            changed = true;
        }
    }
    return changed ? meshrpr_replay_store(node) : 0;
}

int meshrpr_replay_store(struct meshrpr_node *node)
{
    int err = 0;

    for (size_t page = 0; page < rpl_page_count(&node->rpl); page++) {
        int e = rpl_store_page(node, page);
        err = err != 0 ? err : e;
    }
    return err;
}

int meshrpr_replay_restore(struct meshrpr_node *node)
{
    meshrpr_replay_clear(node);
    for (size_t page = 0; page < rpl_page_count(&node->rpl); page++) {
        uint8_t blob[RPL_BLOB_LEN];
        char key[16];
        rpl_key(key, page);
        int len = meshrpr_node_load(node, key, blob, sizeof(blob));
        size_t slot = page * RPL_PAGE_ENTRIES;
        const size_t end =
            slot + RPL_PAGE_ENTRIES < node->rpl.size ? slot + RPL_PAGE_ENTRIES : node->rpl.size;

        if (len < 0) {
            if (len == -ENOENT) {
                continue;
            }
            return len;
        }
        if (len < 1 || blob[0] != RPL_STORE_VERSION) {
            MESHRPR_LOG_WRN(&node->platform, "ignoring stored replay list page %u", (unsigned)page);
            continue;
        }
        if (len > (int)sizeof(blob)) {
            len = (int)sizeof(blob); /* written by an older build in one blob: keep what fits */
        }
        for (size_t pos = 1; pos + RPL_ENTRY_LEN <= (size_t)len && slot < end;
             pos += RPL_ENTRY_LEN) {
            const uint8_t *p = &blob[pos];
            const uint16_t src = (uint16_t)(p[0] | p[1] << 8);
            struct meshrpr_rpl_entry *e = &node->rpl.entries[slot];

            if (!BT_MESH_ADDR_IS_UNICAST(src) || rpl_find(&node->rpl, src) != node->rpl.size) {
                continue;
            }
            e->src = src;
            e->iv_index =
                (uint32_t)p[2] | (uint32_t)p[3] << 8 | (uint32_t)p[4] << 16 | (uint32_t)p[5] << 24;
            e->seq = (uint32_t)p[6] | (uint32_t)p[7] << 8 | (uint32_t)p[8] << 16;
            slot++;
        }
    }
    return 0;
}
