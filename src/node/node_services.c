/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's ground floor: what every layer needs from the node, bound to the node's own
 * platform and configuration: the clock, the timer queue, advertising transmissions and their
 * completion, randomness, storage, the provisioner's database hook, the scanner, and the
 * provisioning identity's getters (the local-address check). It knows no layer above it: the
 * composer (src/node/node.c) registers what runs when PDUs have left.
 *
 * The functions keep the meshrpr_node_ prefix (the node's services, called from every layer
 * and from the public API), so the split did not rename call sites (docs/architecture.md).
 */
#include <errno.h>
#include <string.h>

#include <meshrpr/cdb.h>
#include <meshrpr/util.h>

#define MESHRPR_LOG_MODULE "node"
#include "core/log.h"

#include "crypto/crypto.h"
#include "node/node_services.h"

/* ---- Services for the layers ------------------------------------------------------------ */

uint64_t meshrpr_node_now_ms(const struct meshrpr_node *node)
{
    return node->platform.now_ms(node->platform.ctx);
}

void meshrpr_node_timer_start(struct meshrpr_node *node, struct meshrpr_timer *timer,
                              uint32_t delay_ms)
{
    meshrpr_timer_start_at(&node->timers, timer, meshrpr_node_now_ms(node) + delay_ms);
}

void meshrpr_node_timer_cancel(struct meshrpr_node *node, struct meshrpr_timer *timer)
{
    meshrpr_timer_cancel(&node->timers, timer);
}

/* ---- Advertising PDUs and their completion (include/meshrpr/platform.h, adv_send) ----------- */

/* Largest advertising delay a host adds before each transmission (Core Spec Vol 6 Part B
 * §4.4.2.2.1 advDelay): part of the estimate of a PDU's time on air. */
#define ADV_DELAY_MAX_MS 10u

/* Serial-number order of tx_ids, which wrap (0 is never used). */
static bool adv_id_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

/* Tell the layers that PDUs have left, so they start what waits for them: through the hook
 * the composer registered (src/node/node.c), as this floor knows no layer above it. */
static void adv_notify(struct meshrpr_node *node)
{
    if (node->adv.sent_hook != NULL) {
        node->adv.sent_hook(node);
    }
}

static void adv_timer_arm(struct meshrpr_node *node)
{
    struct meshrpr_node_adv *adv = &node->adv;

    if (adv->pending_count == 0) {
        meshrpr_node_timer_cancel(node, &adv->timer);
    } else {
        meshrpr_timer_start_at(&node->timers, &adv->timer,
                               adv->pending[adv->pending_head].deadline_ms);
    }
}

/* Every PDU up to tx_id has left: forget them and arm the timer for the next one. */
static void adv_mark_sent(struct meshrpr_node *node, uint32_t tx_id)
{
    struct meshrpr_node_adv *adv = &node->adv;

    adv->sent_id = tx_id;
    while (adv->pending_count > 0 && !adv_id_after(adv->pending[adv->pending_head].tx_id, tx_id)) {
        adv->pending_head = (uint8_t)((adv->pending_head + 1u) % MESHRPR_ADV_PENDING_COUNT);
        adv->pending_count--;
    }
    adv_timer_arm(node);
}

/* The estimate (or the guard) of the oldest PDUs ran out, or a notification was deferred out
 * of adv_send. */
static void adv_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_node *node = MESHRPR_CONTAINER_OF(timer, struct meshrpr_node, adv.timer);
    struct meshrpr_node_adv *adv = &node->adv;
    const uint64_t now_ms = meshrpr_node_now_ms(node);
    uint32_t sent = adv->sent_id;

    while (adv->pending_count > 0 && adv->pending[adv->pending_head].deadline_ms <= now_ms) {
        sent = adv->pending[adv->pending_head].tx_id;
        adv->pending_head = (uint8_t)((adv->pending_head + 1u) % MESHRPR_ADV_PENDING_COUNT);
        adv->pending_count--;
    }
    adv->sent_id = sent;
    adv_timer_arm(node);
    adv_notify(node);
}

int meshrpr_node_adv_send(struct meshrpr_node *node, uint8_t ad_type, const uint8_t *data,
                          size_t len, const struct meshrpr_adv_params *params)
{
    struct meshrpr_node_adv *adv = &node->adv;
    struct meshrpr_adv_params p = *params;
    int err;

    if (node->platform.adv_send == NULL) {
        return -ENOTSUP;
    }
    const uint32_t prev_id = adv->last_id;
    p.tx_id = prev_id + 1u != 0 ? prev_id + 1u : 1u;
    /* Known before the call: a host may report it from inside. */
    adv->last_id = p.tx_id;
    adv->in_send = true;
    err = node->platform.adv_send(node->platform.ctx, ad_type, data, len, &p);
    adv->in_send = false;
    if (err != 0) {
        adv->last_id = prev_id;
        if (adv_id_after(adv->sent_id, prev_id)) {
            adv->sent_id = prev_id; /* a report of the refused PDU means nothing */
        }
        return err;
    }
    if (!adv_id_after(p.tx_id, adv->sent_id)) {
        return 0; /* reported from inside adv_send already */
    }
    /* The host's queue is first in first out: this PDU starts when the previous one ends. */
    const uint64_t now_ms = meshrpr_node_now_ms(node);
    const uint64_t start_ms = adv->est_end_ms > now_ms ? adv->est_end_ms : now_ms;
    adv->est_end_ms = start_ms + (uint64_t)p.count * (p.interval_ms + ADV_DELAY_MAX_MS);
    if (adv->pending_count == MESHRPR_ADV_PENDING_COUNT) {
        /* Forget the oldest: this later PDU's deadline covers it. */
        adv->pending_head = (uint8_t)((adv->pending_head + 1u) % MESHRPR_ADV_PENDING_COUNT);
        adv->pending_count--;
    }
    const uint8_t slot =
        (uint8_t)((adv->pending_head + adv->pending_count) % MESHRPR_ADV_PENDING_COUNT);
    adv->pending[slot].tx_id = p.tx_id;
    adv->pending[slot].deadline_ms =
        adv->est_end_ms + (adv->host_reports ? MESHRPR_ADV_SENT_GUARD_MS : 0);
    adv->pending_count++;
    if (adv->pending_count == 1) {
        adv_timer_arm(node);
    }
    return 0;
}

uint32_t meshrpr_node_adv_last(const struct meshrpr_node *node)
{
    return node->adv.last_id;
}

bool meshrpr_node_adv_is_sent(const struct meshrpr_node *node, uint32_t tx_id)
{
    return tx_id == 0 || !adv_id_after(tx_id, node->adv.sent_id);
}

int meshrpr_node_random(struct meshrpr_node *node, void *out, size_t len)
{
    int err = node->platform.random(node->platform.ctx, out, len);

    if (err != 0) {
        MESHRPR_LOG_ERR(&node->platform, "random source failed (%d)", err);
        return -EIO;
    }
    return 0;
}

uint32_t meshrpr_node_random_range(struct meshrpr_node *node, uint32_t min, uint32_t max)
{
    uint32_t r = 0;

    if (max <= min) {
        return min;
    }
    /* A failing source leaves r = 0: the delay degrades to its minimum, never to garbage. */
    (void)meshrpr_node_random(node, &r, sizeof(r));
    return min + r % (max - min + 1);
}

int meshrpr_node_store(struct meshrpr_node *node, const char *key, const void *data, size_t len)
{
    const struct meshrpr_storage *st = node->cfg.storage;
    int err;

    if (st == NULL) {
        return 0;
    }
    err = st->write(st->ctx, key, data, len);
    if (err != 0) {
        MESHRPR_LOG_ERR(&node->platform, "storing %s failed (%d)", key, err);
    }
    return err;
}

int meshrpr_node_load(struct meshrpr_node *node, const char *key, void *data, size_t size)
{
    const struct meshrpr_storage *st = node->cfg.storage;

    if (st == NULL) {
        return -ENOENT;
    }
    return st->read(st->ctx, key, data, size);
}

int meshrpr_node_erase(struct meshrpr_node *node, const char *key)
{
    const struct meshrpr_storage *st = node->cfg.storage;

    if (st == NULL) {
        return 0;
    }
    return st->erase(st->ctx, key);
}

bool meshrpr_node_is_local_addr(const struct meshrpr_node *node, uint16_t addr)
{
    return node->provisioned && BT_MESH_ADDR_IS_UNICAST(addr) && addr >= node->addr &&
           addr < node->addr + node->cfg.comp->elem_count;
}

int meshrpr_node_cdb_store(struct meshrpr_node *node)
{
    int err;

    if (node->cfg.cdb == NULL) {
        return 0;
    }
    /* The database changed: its timestamp says when (MshCDB), by the host's wall clock. */
    if (node->platform.utc_time_ms != NULL) {
        uint64_t unix_ms;
        if (node->platform.utc_time_ms(node->platform.ctx, &unix_ms) == 0) {
            (void)meshrpr_cdb_timestamp_set(node->cfg.cdb, unix_ms / 1000u);
        }
    }
    if (node->cfg.cdb_store == NULL) {
        return 0;
    }
    err = node->cfg.cdb_store(node->cfg.cdb_store_ctx, node->cfg.cdb);
    if (err != 0) {
        MESHRPR_LOG_ERR(&node->platform, "saving the node database failed (%d)", err);
    }
    return err;
}

bool meshrpr_node_is_provisioned(const struct meshrpr_node *node)
{
    return node->provisioned;
}

uint16_t meshrpr_node_addr(const struct meshrpr_node *node)
{
    return node->provisioned ? node->addr : BT_MESH_ADDR_UNASSIGNED;
}

int meshrpr_node_dev_key_get(const struct meshrpr_node *node, uint8_t dev_key[16])
{
    if (node == NULL || dev_key == NULL) {
        return -EINVAL;
    }
    if (!node->provisioned) {
        return -ENOENT;
    }
    memcpy(dev_key, node->dev_key, 16);
    return 0;
}

size_t meshrpr_node_elem_count(const struct meshrpr_node *node)
{
    /* The access layer's element count is set from the same composition (access.c, and the
     * composer's Node Composition Refresh switches both together). */
    return node->cfg.comp->elem_count;
}

void meshrpr_node_scan_observer_set(struct meshrpr_node *node,
                                    void (*fn)(struct meshrpr_node *node,
                                               const struct meshrpr_adv_report *report, void *ctx),
                                    void *ctx)
{
    node->scan_observer = fn;
    node->scan_observer_ctx = ctx;
}

int meshrpr_node_scan_active_set(struct meshrpr_node *node, bool active)
{
    if (node->platform.scan_active_set == NULL) {
        return -ENOTSUP;
    }
    return node->platform.scan_active_set(node->platform.ctx, active);
}

void meshrpr_node_adv_sent(struct meshrpr_node *node, uint32_t tx_id)
{
    struct meshrpr_node_adv *adv;

    if (node == NULL) {
        return;
    }
    adv = &node->adv;
    /* Only a PDU handed out and not yet known to be sent: a stale or foreign handle must not
     * move the counter (it would make the layers think later PDUs had left). */
    if (tx_id == 0 || !adv_id_after(tx_id, adv->sent_id) || adv_id_after(tx_id, adv->last_id)) {
        return;
    }
    adv->host_reports = true;
    adv_mark_sent(node, tx_id);
    if (adv->in_send) {
        /* A layer is in the middle of a send: tell it from the timer, right after. */
        meshrpr_node_timer_start(node, &adv->timer, 0);
        return;
    }
    adv_notify(node);
}

uint64_t meshrpr_node_next_deadline_ms(const struct meshrpr_node *node)
{
    return meshrpr_timer_queue_next_deadline(&node->timers);
}

void meshrpr_node_process(struct meshrpr_node *node)
{
    (void)meshrpr_timer_queue_process(&node->timers, meshrpr_node_now_ms(node));
}

void meshrpr_node_services_init(struct meshrpr_node *node,
                                void (*adv_sent_hook)(struct meshrpr_node *node))
{
    meshrpr_timer_queue_init(&node->timers);
    meshrpr_timer_init(&node->adv.timer, adv_timer_expired);
    node->adv.sent_hook = adv_sent_hook;
}

int meshrpr_node_identity_store(struct meshrpr_node *node)
{
    uint8_t blob[1 + 2 + 16];

    blob[0] = MESHRPR_NODE_PROV_STORE_VERSION;
    blob[1] = (uint8_t)node->addr;
    blob[2] = (uint8_t)(node->addr >> 8);
    memcpy(&blob[3], node->dev_key, 16);
    int err = meshrpr_node_store(node, "node/prov", blob, sizeof(blob));
    meshrpr_crypto_wipe(blob, sizeof(blob));
    return err;
}
