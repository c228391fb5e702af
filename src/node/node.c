/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's composer: wires the layers together inside one caller-owned struct on top of the
 * ground floor (node_services.c: time, timers, randomness, storage), and is the entry point
 * for what the host's scanner hears. Each layer persists its own state; the node only keeps the
 * provisioning identity (primary address and device key) under "node/prov".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <meshrpr/prov.h>
#include <meshrpr/util.h>

#define MESHRPR_LOG_MODULE "node"
#include "core/log.h"

#include "access/access.h"
#include "access/composition.h"
#include "crypto/crypto.h"
#include "models/rpr_srv.h"
#include "net/beacon.h"
#include "net/keys.h"
#include "net/lower_transport.h"
#include "net/net.h"
#include "net/replay.h"
#include "node/node_internal.h"
#include "prov/nppi.h"
#include "prov/pb_adv.h"
#include "prov/prov.h"
#include "prov/unprov_beacon.h"

/* AD types of the mesh bearers (Bluetooth Assigned Numbers, MshPRTv1.1 §3.3.1). */
#define AD_TYPE_PB_ADV       0x29
#define AD_TYPE_MESH_MESSAGE 0x2a
#define AD_TYPE_MESH_BEACON  0x2b

/* Beacon Type of an Unprovisioned Device beacon (MshPRTv1.1 §3.10.2). */
#define BEACON_TYPE_UNPROVISIONED 0x00

#define PROV_STORE_VERSION MESHRPR_NODE_PROV_STORE_VERSION

/* Advertising PDUs have left (node_services.c): the layers that wait for them go on. */
static void node_adv_sent(struct meshrpr_node *node)
{
    meshrpr_lower_transport_adv_sent(node);
    meshrpr_pb_adv_adv_sent(node);
}

/* ---- Provisioning identity -------------------------------------------------------------- */

/* ---- NPPI's node-wide switch (src/prov/nppi.c calls these through its hooks) ----------- */

static int node_nppi_offer(struct meshrpr_node *node, const struct meshrpr_rpr_srv_nppi *handler)
{
    return meshrpr_rpr_srv_nppi_set(node, handler, NULL);
}

/* A refresh the client closed with Success takes effect (MshPRTv1.1 §3.11.8, §5.4.2.5). */
static void node_nppi_refresh_apply(struct meshrpr_node *node, uint8_t procedure, uint16_t addr,
                                    const uint8_t dev_key[16])
{
    switch (procedure) {
    case BT_MESH_RPR_NODE_REFRESH_ADDR:
        /* The new key and address at once; a new address starts its SEQ from 0 and nothing
         * in flight from the old one can finish. */
        meshrpr_lower_transport_reset(node);
        memcpy(node->dev_key, dev_key, 16);
        meshrpr_crypto_wipe(node->dev_key_candidate, 16);
        node->has_dev_key_candidate = false;
        node->addr = addr;
        meshrpr_net_seq_reset(node); /* a new source address: nothing was sent from it */
        (void)meshrpr_net_store(node);
        (void)meshrpr_node_identity_store(node);
        break;
    default:
        if (procedure == BT_MESH_RPR_NODE_REFRESH_COMPOSITION) {
            meshrpr_node_composition_switch(node);
            meshrpr_node_comp_prev_drop(node);
            node->comp_refreshed = true;
            /* A page 128 with a Remote Provisioning Server of its own (a new model object)
             * offers NPPI as the old one did. */
            if (meshrpr_prov_enabled_bearers(node) & BT_MESH_PROV_REMOTE) {
                (void)meshrpr_nppi_enable(node, true);
            }
        }
        /* The key is a candidate until its first use (Device Key and Composition Refresh). */
        memcpy(node->dev_key_candidate, dev_key, 16);
        node->has_dev_key_candidate = true;
        break;
    }
}

/* @return 1 provisioned, 0 not (no record), -EBADMSG for a record that cannot be read: a
 * node that loaded it silently would be unprovisioned with its keys still stored, or
 * provisioned at a wrong address. */
static int prov_restore(struct meshrpr_node *node)
{
    uint8_t blob[1 + 2 + 16];
    int len = meshrpr_node_load(node, "node/prov", blob, sizeof(blob));
    uint16_t addr;

    if (len == -ENOENT) {
        return 0;
    }
    addr = (uint16_t)(blob[1] | blob[2] << 8);
    if (len != (int)sizeof(blob) || blob[0] != PROV_STORE_VERSION ||
        !BT_MESH_ADDR_IS_UNICAST(addr) || addr + node->access.elem_count - 1 > 0x7fff) {
        MESHRPR_LOG_ERR(&node->platform,
                        "node/prov is corrupt (%d octets): erase the node's storage to start "
                        "unprovisioned",
                        len);
        meshrpr_crypto_wipe(blob, sizeof(blob));
        return -EBADMSG;
    }
    node->addr = addr;
    memcpy(node->dev_key, &blob[3], 16);
    meshrpr_crypto_wipe(blob, sizeof(blob));
    node->provisioned = true;
    return 1;
}

/* The backup of meshrpr_node_comp_change_prepare(): page 0 reports it while the configured
 * composition differs (a new firmware); the same composition makes it moot. */
static void comp_prev_restore(struct meshrpr_node *node)
{
    NET_BUF_SIMPLE_DEFINE(now, MESHRPR_COMP_PAGE_MAX);
    uint8_t prev[MESHRPR_COMP_PAGE_MAX];
    int len = meshrpr_node_load(node, MESHRPR_COMP_PREV_KEY, prev, sizeof(prev));

    if (len <= 0 || node->cfg.comp_next != NULL) {
        return;
    }
    if (len > (int)sizeof(prev) || len < MESHRPR_COMP_HEADER_LEN) {
        MESHRPR_LOG_WRN(&node->platform, "%s is corrupt (%d octets): dropped",
                        MESHRPR_COMP_PREV_KEY, len);
        (void)meshrpr_node_erase(node, MESHRPR_COMP_PREV_KEY);
        return;
    }
    if (meshrpr_composition_encode(node->cfg.comp, MESHRPR_RPL_SIZE,
                                   meshrpr_composition_features(node), &now) == 0 &&
        now.len == (size_t)len && memcmp(now.data, prev, now.len) == 0) {
        (void)meshrpr_node_erase(node, MESHRPR_COMP_PREV_KEY);
        return;
    }
    node->comp_prev = true;
    MESHRPR_LOG_INF(&node->platform,
                    "composition changed: the previous one is page 0 until a refresh");
}

/* Start what runs only with keys: the network layer's timers and beacons. */
static void node_start_provisioned(struct meshrpr_node *node)
{
    meshrpr_net_start(node);
    meshrpr_beacon_start(node);
}

/* ---- Public API ------------------------------------------------------------------------- */

int meshrpr_node_init_checked(struct meshrpr_node *node, const struct meshrpr_node_config *config,
                              size_t node_size, size_t config_size, unsigned long signature)
{
    if (node_size != sizeof(struct meshrpr_node) ||
        config_size != sizeof(struct meshrpr_node_config) ||
        signature != MESHRPR_CONFIG_SIGNATURE) {
        /* The configuration's layout may differ too; only a matching size lets the platform
         * be read for the message. */
        if (config != NULL && config_size == sizeof(struct meshrpr_node_config) &&
            config->platform != NULL && config->platform->log != NULL) {
            char text[200];
            (void)snprintf(text, sizeof(text),
                           "application built with other capacities than the library "
                           "(struct meshrpr_node %zu octets, library %zu; config signature %lx, "
                           "library %lx): rebuild it with the library's meshrpr/config.h values",
                           node_size, sizeof(struct meshrpr_node), signature,
                           (unsigned long)MESHRPR_CONFIG_SIGNATURE);
            config->platform->log(config->platform->ctx, MESHRPR_LOG_LEVEL_ERR, "node", text);
        }
        return -ENOEXEC;
    }
    return (meshrpr_node_init)(node, config);
}

static bool capacity_valid(const struct meshrpr_node_capacity *cap)
{
    return cap == NULL || ((cap->rpl == NULL || cap->rpl_size <= 0x7fff) &&
                           (cap->msg_cache == NULL || cap->msg_cache_size == 0 ||
                            (cap->msg_cache_size >= 2 && cap->msg_cache_size <= 0xffff)) &&
                           (cap->sar_tx == NULL || cap->sar_tx_count <= 255) &&
                           (cap->sar_rx == NULL || cap->sar_rx_count <= 255) &&
                           (cap->prov_sessions == NULL || cap->prov_session_count <= 255));
}

int(meshrpr_node_init)(struct meshrpr_node *node, const struct meshrpr_node_config *config)
{
    int err;

    if (node == NULL || config == NULL || meshrpr_platform_check(config->platform) != 0 ||
        config->comp == NULL || config->comp->elem == NULL || config->comp->elem_count == 0 ||
        config->comp->elem_count > MESHRPR_ELEM_COUNT || !capacity_valid(config->capacity)) {
        return -EINVAL;
    }
    if (config->comp_next != NULL &&
        (config->comp_next->elem == NULL || config->comp_next->elem_count == 0 ||
         config->comp_next->elem_count > MESHRPR_ELEM_COUNT)) {
        return -EINVAL;
    }
    memset(node, 0, sizeof(*node));
    node->platform = *config->platform;
    node->cfg = *config;
    meshrpr_node_services_init(node, node_adv_sent);
    node->hooks.provision = meshrpr_node_provision;
    node->hooks.reset = meshrpr_node_reset;
    meshrpr_nppi_hooks_set(node, &(const struct meshrpr_nppi_hooks){
                                     .offer = node_nppi_offer,
                                     .refresh_apply = node_nppi_refresh_apply,
                                 });
    meshrpr_net_hooks_set(node, &(const struct meshrpr_net_hooks){
                                    .wants_dst = meshrpr_access_wants_dst,
                                    .access_recv = meshrpr_access_recv,
                                    .dev_key_candidate_used = meshrpr_nppi_dev_key_candidate_used,
                                });
    /* A Device Key Candidate, and a Node Composition Refresh done before the restart (which
     * makes page 128 the composition while the firmware still offers it as page 128). */
    meshrpr_nppi_restore(node);

    err = meshrpr_access_init(node);
    if (err != 0) {
        return err;
    }
    meshrpr_prov_init(node);
    meshrpr_net_init(node);
    meshrpr_replay_init(node);
    meshrpr_lower_transport_init(node);
    meshrpr_beacon_init(node);
    comp_prev_restore(node);

    err = prov_restore(node);
    if (err > 0) {
        /* The identity and NetKeys must be readable (a node without them cannot talk, and
         * must not look unprovisioned while its keys are stored); the other layers tolerate
         * missing values, so a node saved by an older build still starts. A SEQ that cannot
         * be proven unused keeps the node silent (net.c). */
        err = meshrpr_keys_restore(node);
        if (err == 0) {
            (void)meshrpr_net_restore(node);
            (void)meshrpr_replay_restore(node);
            (void)meshrpr_access_restore(node);
            /* A refresh closed with Success just before the restart takes effect now. */
            err = meshrpr_nppi_resume(node);
        }
        if (err != 0) {
            memset(node->dev_key, 0, sizeof(node->dev_key));
            meshrpr_keys_clear(node);
            node->provisioned = false;
            meshrpr_node_deinit(node);
            return err;
        }
        MESHRPR_LOG_INF(&node->platform, "restored node 0x%04x, seq 0x%06x", node->addr,
                        (unsigned)node->net.seq);
        node_start_provisioned(node);
    } else if (err < 0) {
        meshrpr_node_deinit(node);
        return err;
    }
    return meshrpr_access_start(node);
}

void meshrpr_node_deinit(struct meshrpr_node *node)
{
    while (node->timers.head != NULL) {
        meshrpr_timer_cancel(&node->timers, node->timers.head);
    }
}

int meshrpr_node_provision(struct meshrpr_node *node, const uint8_t net_key[16], uint16_t net_idx,
                           uint8_t flags, uint32_t iv_index, uint16_t addr,
                           const uint8_t dev_key[16])
{
    int err;

    if (node->provisioned) {
        return -EALREADY;
    }
    if (!BT_MESH_ADDR_IS_UNICAST(addr) || addr + node->access.elem_count - 1 > 0x7fff ||
        net_idx > 0xfff) {
        return -EINVAL;
    }
    err = meshrpr_keys_subnet_add(node, net_idx, net_key);
    if (err != 0) {
        return err;
    }
    node->addr = addr;
    memcpy(node->dev_key, dev_key, 16);
    meshrpr_nppi_candidate_drop(node);
    meshrpr_net_iv_set(node, iv_index, (flags & BT_MESH_FLAG_IV_UPDATE) != 0);
    meshrpr_net_seq_reset(node);
    node->provisioned = true;

    err = meshrpr_node_identity_store(node);
    if (err == 0) {
        err = meshrpr_keys_store(node);
    }
    if (err == 0) {
        err = meshrpr_net_store(node);
    }
    MESHRPR_LOG_INF(&node->platform, "provisioned as 0x%04x, net_idx 0x%03x, IV Index 0x%08x", addr,
                    net_idx, (unsigned)iv_index);
    node_start_provisioned(node);
    return err;
}

int meshrpr_node_comp_change_prepare(struct meshrpr_node *node)
{
    NET_BUF_SIMPLE_DEFINE(page, MESHRPR_COMP_PAGE_MAX);
    int err;

    if (node == NULL) {
        return -EINVAL;
    }
    if (node->cfg.storage == NULL) {
        return -ENOTSUP;
    }
    /* What page 0 says now, byte for byte as a Composition Data Status would carry it. */
    err = meshrpr_composition_page_encode(node, MESHRPR_COMP_PAGE_0, &page);
    if (err < 0) {
        return err;
    }
    return meshrpr_node_store(node, MESHRPR_COMP_PREV_KEY, page.data, page.len);
}

void meshrpr_node_comp_prev_drop(struct meshrpr_node *node)
{
    if (node->comp_prev) {
        node->comp_prev = false;
        (void)meshrpr_node_erase(node, MESHRPR_COMP_PREV_KEY);
    }
}

void meshrpr_node_reset(struct meshrpr_node *node)
{
    MESHRPR_LOG_INF(&node->platform, "node reset: leaving the network as 0x%04x", node->addr);
    meshrpr_lower_transport_reset(node);
    meshrpr_beacon_stop(node);
    meshrpr_timer_cancel(&node->timers, &node->net.loopback_timer);
    /* NetKeys take their AppKeys with them; Labels go too. */
    meshrpr_keys_clear(node);
    meshrpr_replay_clear(node);
    /* Bindings and subscriptions, and every model's own reset (clients drop requests). */
    meshrpr_access_reset(node);
    /* Network states return to their defaults: a new provisioning sets IV Index and SEQ. */
    meshrpr_net_init(node);
    node->provisioned = false;
    node->addr = BT_MESH_ADDR_UNASSIGNED;
    meshrpr_crypto_wipe(node->dev_key, sizeof(node->dev_key));
    meshrpr_nppi_candidate_drop(node);

    (void)meshrpr_node_erase(node, "node/prov");
    /* A new provisioning starts a new term: the composition it gets is page 0. */
    meshrpr_node_comp_prev_drop(node);
    (void)meshrpr_keys_store(node);
    (void)meshrpr_access_store(node);
    (void)meshrpr_replay_store(node);
    (void)meshrpr_net_store(node);
    if (node->cfg.prov != NULL && node->cfg.prov->reset != NULL) {
        node->cfg.prov->reset();
    }
}

/* A model of a composition and where it sits. */
struct comp_slot {
    const struct bt_mesh_model *model;
    uint8_t elem_idx;
    uint8_t mod_idx;
    bool vnd;
};

/* The models of comp in the access layer's slot order (src/access/access.c: element by
 * element, SIG models first). @return how many, or MESHRPR_MODEL_COUNT + 1 when they do not
 * fit. */
static size_t comp_slots(const struct bt_mesh_comp *comp, struct comp_slot out[MESHRPR_MODEL_COUNT])
{
    size_t n = 0;

    for (size_t e = 0; e < comp->elem_count; e++) {
        for (int vnd = 0; vnd < 2; vnd++) {
            size_t count = vnd ? comp->elem[e].vnd_model_count : comp->elem[e].model_count;
            for (size_t i = 0; i < count; i++) {
                if (n >= MESHRPR_MODEL_COUNT) {
                    return MESHRPR_MODEL_COUNT + 1;
                }
                out[n].model = vnd ? &comp->elem[e].vnd_models[i] : &comp->elem[e].models[i];
                out[n].elem_idx = (uint8_t)e;
                out[n].mod_idx = (uint8_t)i;
                out[n].vnd = vnd != 0;
                n++;
            }
        }
    }
    return n;
}

static bool slots_have(const struct comp_slot *slots, size_t n, const struct bt_mesh_model *model)
{
    for (size_t i = 0; i < n; i++) {
        if (slots[i].model == model) {
            return true;
        }
    }
    return false;
}

/*
 * A model object both compositions share is the same model instance: it keeps its runtime
 * state (running links, queued messages, the NPPI handler of a Remote Provisioning Server), its
 * bindings and its subscriptions, and is not initialised again (its init callback would wipe
 * that state under armed timers). New model objects are initialised and started; the ones
 * comp_next drops stop as in a node reset.
 */
void meshrpr_node_composition_switch(struct meshrpr_node *node)
{
    struct comp_slot old[MESHRPR_MODEL_COUNT];
    struct comp_slot next[MESHRPR_MODEL_COUNT];
    struct meshrpr_model_state old_state[MESHRPR_MODEL_COUNT];
    bool reused[MESHRPR_MODEL_COUNT];
    size_t old_count;
    size_t next_count;

    if (node->cfg.comp_next == NULL) {
        return;
    }
    old_count = comp_slots(node->cfg.comp, old);
    next_count = comp_slots(node->cfg.comp_next, next);
    for (size_t i = 0; i < next_count && next_count <= MESHRPR_MODEL_COUNT; i++) {
        if (next[i].model->rt == NULL) {
            next_count = MESHRPR_MODEL_COUNT + 1;
        }
    }
    if (old_count > MESHRPR_MODEL_COUNT || next_count > MESHRPR_MODEL_COUNT) {
        MESHRPR_LOG_ERR(&node->platform, "page 128 has too many models or one without rt");
        return;
    }
    for (size_t i = 0; i < old_count; i++) {
        const struct bt_mesh_model *model = old[i].model;
        if (!slots_have(next, next_count, model) && model->cb != NULL && model->cb->reset != NULL) {
            model->cb->reset(model);
        }
    }

    memcpy(old_state, node->access.models, sizeof(old_state));
    node->cfg.comp = node->cfg.comp_next;
    node->cfg.comp_next = NULL;
    meshrpr_access_table_reset(node, next_count);
    for (size_t i = 0; i < next_count; i++) {
        struct bt_mesh_model_rt_ctx *rt = next[i].model->rt;

        reused[i] = slots_have(old, old_count, next[i].model);
        if (reused[i]) {
            meshrpr_access_slot_set(node, i, &old_state[rt->state_idx]);
        } else {
            struct meshrpr_model_state st;

            memset(&st, 0, sizeof(st));
            for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++) {
                st.keys[k] = BT_MESH_KEY_UNUSED;
            }
            meshrpr_access_slot_set(node, i, &st);
        }
        rt->elem_idx = next[i].elem_idx;
        rt->mod_idx = next[i].mod_idx;
        rt->state_idx = (uint8_t)i;
        rt->vnd = next[i].vnd;
        rt->node = node;
    }
    for (size_t i = 0; i < next_count; i++) {
        const struct bt_mesh_model *model = next[i].model;
        if (!reused[i] && model->cb != NULL && model->cb->init != NULL &&
            model->cb->init(model) != 0) {
            MESHRPR_LOG_ERR(&node->platform, "model 0x%04x of page 128 failed to init", model->id);
        }
    }
    for (size_t i = 0; i < next_count; i++) {
        const struct bt_mesh_model *model = next[i].model;
        if (!reused[i] && model->cb != NULL && model->cb->start != NULL) {
            (void)model->cb->start(model);
        }
    }
    (void)meshrpr_access_store(node);
}

int meshrpr_node_net_key_add(struct meshrpr_node *node, uint16_t net_idx, const uint8_t key[16])
{
    int err = meshrpr_keys_subnet_add(node, net_idx, key);

    return err == 0 ? meshrpr_keys_store(node) : err;
}

int meshrpr_node_app_key_add(struct meshrpr_node *node, uint16_t net_idx, uint16_t app_idx,
                             const uint8_t key[16])
{
    int err = meshrpr_keys_app_add(node, net_idx, app_idx, key);

    return err == 0 ? meshrpr_keys_store(node) : err;
}

int meshrpr_node_model_app_bind(struct meshrpr_node *node, const struct bt_mesh_model *model,
                                uint16_t app_idx)
{
    int err;

    if (meshrpr_keys_app_get(node, app_idx) == NULL) {
        return -ENOENT;
    }
    err = meshrpr_access_bind(node, model, app_idx);
    if (err == -EALREADY) {
        return 0;
    }
    return err == 0 ? meshrpr_access_store(node) : err;
}

int meshrpr_node_model_sub_add(struct meshrpr_node *node, const struct bt_mesh_model *model,
                               uint16_t group_addr)
{
    int err = meshrpr_access_sub_add(node, model, group_addr);

    if (err == -EALREADY) {
        return 0;
    }
    return err == 0 ? meshrpr_access_store(node) : err;
}

void meshrpr_node_relay_set(struct meshrpr_node *node, bool enabled, uint8_t retransmit)
{
    /* Without the Relay feature Relay stays "not supported" (§4.2.9, net.c). */
    meshrpr_net_relay_set(node, enabled ? 1 : 0, retransmit);
    (void)meshrpr_net_store(node);
}

void meshrpr_node_net_transmit_set(struct meshrpr_node *node, uint8_t transmit)
{
    meshrpr_net_transmit_set(node, transmit);
    (void)meshrpr_net_store(node);
}

/* One mesh AD structure from non-connectable advertising. */
static void adv_dispatch(struct meshrpr_node *node, uint8_t ad_type, const uint8_t *data,
                         size_t len, int8_t rssi)
{
    switch (ad_type) {
    case AD_TYPE_MESH_MESSAGE:
        if (node->provisioned) {
            meshrpr_net_recv(node, data, len, rssi);
        }
        break;
    case AD_TYPE_MESH_BEACON:
        /* Beacon Type (§3.10): Unprovisioned Device beacons are the provisioning bearers',
         * the others the network layer's. */
        if (len >= 1 && data[0] == BEACON_TYPE_UNPROVISIONED) {
            meshrpr_unprov_beacon_recv(node, data, len);
        } else {
            meshrpr_beacon_recv(node, data, len);
        }
        break;
    case AD_TYPE_PB_ADV:
        meshrpr_pb_adv_recv(node, data, len);
        break;
    default:
        break;
    }
}

void meshrpr_node_scan_recv(struct meshrpr_node *node, const struct meshrpr_adv_report *report)
{
    if (report == NULL || (report->data == NULL && report->len > 0)) {
        return;
    }
    if (node->scan_observer != NULL) {
        node->scan_observer(node, report, node->scan_observer_ctx);
    }
    if (report->adv_type != MESHRPR_ADV_NONCONN_IND) {
        return;
    }
    /* AD structures: Length (type and data), Type, Data; a zero length ends the data. */
    for (size_t pos = 0; pos < report->len;) {
        size_t ad_len = report->data[pos];
        if (ad_len == 0 || pos + 1 + ad_len > report->len) {
            break;
        }
        adv_dispatch(node, report->data[pos + 1], &report->data[pos + 2], ad_len - 1, report->rssi);
        pos += 1 + ad_len;
    }
}

void meshrpr_node_adv_recv(struct meshrpr_node *node, uint8_t ad_type, const uint8_t *data,
                           size_t len, int8_t rssi)
{
    /* A lone AD structure: rebuild the report around it (advertiser unknown). */
    uint8_t ad[2 + 255];
    struct meshrpr_adv_report report = {
        .adv_type = MESHRPR_ADV_NONCONN_IND,
        .rssi = rssi,
        .data = ad,
        .len = len + 2,
    };

    if ((data == NULL && len > 0) || len > 254) {
        return;
    }
    ad[0] = (uint8_t)(len + 1);
    ad[1] = ad_type;
    if (len > 0) {
        memcpy(&ad[2], data, len);
    }
    meshrpr_node_scan_recv(node, &report);
}

bool meshrpr_node_is_idle(const struct meshrpr_node *node)
{
    size_t armed = meshrpr_timer_queue_count(&node->timers);

    /* Periodic beacons run for the node's whole life (unprovisioned or provisioned). */
    if (meshrpr_timer_is_armed(&node->beacon.timer)) {
        armed--;
    }
    if (meshrpr_timer_is_armed(&node->pb_adv.beacon.timer)) {
        armed--;
    }
    /* The completion estimate of PDUs already handed out: the layers waiting for them are busy
     * on their own account. */
    if (meshrpr_timer_is_armed(&node->adv.timer)) {
        armed--;
    }
    return armed == 0 && node->net.loopback_count == 0 && meshrpr_lower_transport_is_idle(node) &&
           meshrpr_pb_adv_is_idle(node);
}

uint32_t meshrpr_node_seq(const struct meshrpr_node *node)
{
    return node->net.seq;
}

uint32_t meshrpr_node_iv_index(const struct meshrpr_node *node)
{
    return node->net.iv_index;
}
