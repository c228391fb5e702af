/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Node Provisioning Protocol Interface on the node being refreshed (MshPRTv1.1 §3.11.8).
 *
 * The node's Remote Provisioning Server hands a Link Open(NPPI procedure) to this file, which
 * runs the ordinary provisionee on it with three hooks: the Provisioning Data must carry the
 * current NetKey and IV Index, and the address the procedure allows (§5.4.2.5: otherwise
 * Provisioning Failed, Invalid Data); accepted data only waits; and the refresh takes effect
 * only when the link closes with Success after Provisioning Complete, so a refresh interrupted
 * after the data leaves the node on its old identity. Then:
 * - Node Address Refresh: the new device key and address at once, SEQ from 0, every element
 *   moved (§3.11.8.3);
 * - Device Key Refresh and Node Composition Refresh: the new key as a Device Key Candidate
 *   that becomes the device key on its first successful use, the old key working until then
 *   (§3.6.4.2); a composition refresh also makes page 128 the node's composition.
 * The outcome is stored, so it survives a restart.
 */
#include "prov/nppi.h"

#include <errno.h>
#include <string.h>

#include <meshrpr/prov.h>
#include <meshrpr/rpr.h>

#define MESHRPR_LOG_MODULE "nppi"
#include "core/log.h"

#include "access/composition.h"
#include "crypto/crypto.h"
#include "net/keys.h"
#include "node/node_services.h"
#include "prov/prov.h"

#define NPPI_STORE_VERSION 2

/* "node/nppi": version, flags (bit 0 candidate, bit 1 composition refreshed), candidate, and
 * the refreshed composition's fingerprint. */
#define NPPI_F_CANDIDATE    0x01
#define NPPI_F_COMP_REFRESH 0x02
#define NPPI_BLOB_LEN       (2 + 16 + 16)

/* A fingerprint of a composition's structure (page 0 without CRPL and Features): s1 of its
 * encoding. It tells after a restart whether the composition the configuration gives is the one
 * a Node Composition Refresh made current. */
static int comp_fingerprint(const struct bt_mesh_comp *comp, uint8_t fp[16])
{
    uint8_t raw[MESHRPR_COMP_HEADER_LEN + MESHRPR_ELEM_COUNT * 4 + MESHRPR_MODEL_COUNT * 4];
    struct net_buf_simple buf;

    net_buf_simple_init_with_data(&buf, raw, sizeof(raw));
    net_buf_simple_reset(&buf);
    if (comp == NULL || meshrpr_composition_encode(comp, 0, 0, &buf) != 0) {
        return -EINVAL;
    }
    return meshrpr_crypto_s1(buf.data, buf.len, fp);
}

static int nppi_store(struct meshrpr_node *node)
{
    uint8_t blob[NPPI_BLOB_LEN] = { NPPI_STORE_VERSION };
    int err;

    blob[1] = (uint8_t)((node->has_dev_key_candidate ? NPPI_F_CANDIDATE : 0) |
                        (node->comp_refreshed ? NPPI_F_COMP_REFRESH : 0));
    memcpy(&blob[2], node->dev_key_candidate, 16);
    /* The refreshed composition is the current one for as long as the record is kept. */
    if (node->comp_refreshed && comp_fingerprint(node->cfg.comp, &blob[18]) != 0) {
        blob[1] &= (uint8_t)~NPPI_F_COMP_REFRESH;
    }
    err = meshrpr_node_store(node, "node/nppi", blob, sizeof(blob));
    meshrpr_crypto_wipe(blob, sizeof(blob));
    return err;
}

void meshrpr_nppi_restore(struct meshrpr_node *node)
{
    uint8_t blob[NPPI_BLOB_LEN];
    uint8_t fp[16];

    if (meshrpr_node_load(node, "node/nppi", blob, sizeof(blob)) != (int)sizeof(blob) ||
        blob[0] != NPPI_STORE_VERSION) {
        return;
    }
    node->has_dev_key_candidate = (blob[1] & NPPI_F_CANDIDATE) != 0;
    if (node->has_dev_key_candidate) {
        memcpy(node->dev_key_candidate, &blob[2], 16);
    }
    if (blob[1] & NPPI_F_COMP_REFRESH) {
        /* The configuration still offers the refreshed composition as page 128 (the firmware
         * that brought it): it is page 0 now. A configuration whose page 0 is already that
         * composition needs nothing; one with other compositions (a later firmware) makes the
         * record stale, and page 128 is then a change still pending. */
        if (comp_fingerprint(node->cfg.comp_next, fp) == 0 && memcmp(fp, &blob[18], 16) == 0) {
            node->cfg.comp = node->cfg.comp_next;
            node->cfg.comp_next = NULL;
            node->comp_refreshed = true;
        } else if (comp_fingerprint(node->cfg.comp, fp) == 0 && memcmp(fp, &blob[18], 16) == 0) {
            node->comp_refreshed = true;
        }
    }
    meshrpr_crypto_wipe(blob, sizeof(blob));
}

void meshrpr_nppi_dev_key_candidate_used(struct meshrpr_node *node)
{
    if (!node->has_dev_key_candidate) {
        return;
    }
    memcpy(node->dev_key, node->dev_key_candidate, 16);
    meshrpr_crypto_wipe(node->dev_key_candidate, 16);
    node->has_dev_key_candidate = false;
    MESHRPR_LOG_INF(&node->platform, "device key candidate in use: it is the device key now");
    (void)meshrpr_node_identity_store(node);
    (void)nppi_store(node);
}

void meshrpr_nppi_candidate_drop(struct meshrpr_node *node)
{
    if (!node->has_dev_key_candidate) {
        return;
    }
    meshrpr_crypto_wipe(node->dev_key_candidate, 16);
    node->has_dev_key_candidate = false;
    (void)nppi_store(node);
}

/* Elements the node will have after the procedure. */
static size_t elem_count_after(const struct meshrpr_node *node, uint8_t procedure)
{
    if (procedure == BT_MESH_RPR_NODE_REFRESH_COMPOSITION && node->cfg.comp_next != NULL) {
        return node->cfg.comp_next->elem_count;
    }
    return node->access.elem_count;
}

/* The Number of Elements the Capabilities report: page 128's for a Node Composition Refresh. */
static uint8_t nppi_elem_count(const struct meshrpr_prov_session *session)
{
    const struct meshrpr_node *node = meshrpr_prov_session_node(session);

    return (uint8_t)elem_count_after(node, node->nppi.procedure);
}

static uint8_t nppi_data_check(struct meshrpr_prov_session *session,
                               const struct meshrpr_prov_data *data)
{
    struct meshrpr_node *node = meshrpr_prov_session_node(session);
    const struct meshrpr_subnet *sub = meshrpr_keys_subnet_get(node, data->net_idx);
    const size_t old_count = node->access.elem_count;
    const size_t new_count = elem_count_after(node, node->nppi.procedure);

    /* §5.4.2.5: the NetKey and IV Index must be the node's current ones. */
    if (sub == NULL || memcmp(sub->net_key, data->net_key, 16) != 0 ||
        data->iv_index != node->net.iv_index) {
        MESHRPR_LOG_WRN(&node->platform, "NPPI data: not the current NetKey or IV Index");
        return MESHRPR_PROV_ERR_INVALID_DATA;
    }
    if (node->nppi.procedure != BT_MESH_RPR_NODE_REFRESH_ADDR) {
        /* Device Key and Node Composition Refresh keep the address. */
        return data->addr == node->addr ? 0 : MESHRPR_PROV_ERR_INVALID_DATA;
    }
    /* Node Address Refresh: a new unicast range that does not overlap the current one. */
    if (!BT_MESH_ADDR_IS_UNICAST(data->addr) || data->addr + new_count - 1 > 0x7fff ||
        (data->addr < node->addr + old_count && node->addr < data->addr + new_count)) {
        MESHRPR_LOG_WRN(&node->platform, "NPPI data: address 0x%04x not allowed", data->addr);
        return MESHRPR_PROV_ERR_INVALID_DATA;
    }
    return 0;
}

static int nppi_data_apply(struct meshrpr_prov_session *session,
                           const struct meshrpr_prov_data *data, const uint8_t dev_key[16])
{
    struct meshrpr_node *node = meshrpr_prov_session_node(session);

    /* Only remembered: nothing changes before the provisioner has closed the link with
     * Success (interrupted refreshes leave the node as it was). */
    node->nppi.pending = true;
    node->nppi.addr = data->addr;
    memcpy(node->nppi.dev_key, dev_key, 16);
    return 0;
}

static void refresh_apply(struct meshrpr_node *node)
{
    const struct bt_mesh_prov *prov = node->cfg.prov;
    const uint8_t procedure = node->nppi.procedure;

    /* The node-wide switch (identity, composition) is the composer's (src/node/node.c). */
    if (node->nppi_hooks.refresh_apply != NULL) {
        node->nppi_hooks.refresh_apply(node, procedure, node->nppi.addr, node->nppi.dev_key);
    }
    (void)nppi_store(node);
    MESHRPR_LOG_INF(&node->platform, "NPPI procedure %u done: address 0x%04x", procedure,
                    node->addr);
    if (prov != NULL && prov->reprovisioned != NULL) {
        prov->reprovisioned(node->addr);
    }
}

/* The refresh the client closed with Success, written ahead of the Link Status and Link
 * Report that tell the client so: once the client may have taken the new identity, a restart
 * must not bring the node back on the old one (issue #11). "node/nppi_pend": version,
 * procedure, new address (LE), new device key. Erased once the refresh took effect. */
#define NPPI_PEND_VERSION  1
#define NPPI_PEND_BLOB_LEN (2 + 2 + 16)

static void refresh_finish(struct meshrpr_node *node)
{
    refresh_apply(node);
    (void)meshrpr_node_erase(node, "node/nppi_pend");
}

static void nppi_ended(void *ctx, const struct meshrpr_prov_result *result)
{
    struct meshrpr_node *node = ctx;

    if (node->nppi.pending && result->status == MESHRPR_PROV_STATUS_SUCCESS &&
        result->link_status == 0 /* the client closed with Success */) {
        refresh_finish(node);
    } else if (node->nppi.pending) {
        MESHRPR_LOG_WRN(&node->platform, "NPPI interrupted: keeping the old identity");
        (void)meshrpr_node_erase(node, "node/nppi_pend");
    }
    meshrpr_crypto_wipe(&node->nppi, sizeof(node->nppi));
}

static void nppi_link_closing(struct meshrpr_node *node, uint8_t reason, void *ctx)
{
    uint8_t blob[NPPI_PEND_BLOB_LEN];

    (void)ctx;
    if (!node->nppi.pending || reason != 0 /* Success */) {
        return;
    }
    blob[0] = NPPI_PEND_VERSION;
    blob[1] = node->nppi.procedure;
    blob[2] = (uint8_t)node->nppi.addr;
    blob[3] = (uint8_t)(node->nppi.addr >> 8);
    memcpy(&blob[4], node->nppi.dev_key, 16);
    if (meshrpr_node_store(node, "node/nppi_pend", blob, sizeof(blob)) != 0) {
        MESHRPR_LOG_ERR(&node->platform, "NPPI: the accepted refresh could not be stored");
    }
    meshrpr_crypto_wipe(blob, sizeof(blob));
}

int meshrpr_nppi_resume(struct meshrpr_node *node)
{
    uint8_t blob[NPPI_PEND_BLOB_LEN];
    int len = meshrpr_node_load(node, "node/nppi_pend", blob, sizeof(blob));

    if (len == -ENOENT || len == 0) {
        return 0;
    }
    if (len != (int)sizeof(blob) || blob[0] != NPPI_PEND_VERSION ||
        blob[1] > BT_MESH_RPR_NODE_REFRESH_COMPOSITION || !node->provisioned) {
        MESHRPR_LOG_ERR(&node->platform, "node/nppi_pend is corrupt (%d octets)", len);
        meshrpr_crypto_wipe(blob, sizeof(blob));
        return -EBADMSG;
    }
    meshrpr_crypto_wipe(&node->nppi, sizeof(node->nppi));
    node->nppi.pending = true;
    node->nppi.procedure = blob[1];
    node->nppi.addr = (uint16_t)(blob[2] | blob[3] << 8);
    memcpy(node->nppi.dev_key, &blob[4], 16);
    meshrpr_crypto_wipe(blob, sizeof(blob));
    MESHRPR_LOG_INF(&node->platform, "NPPI procedure %u closed with Success before the restart",
                    node->nppi.procedure);
    refresh_finish(node);
    meshrpr_crypto_wipe(&node->nppi, sizeof(node->nppi));
    return 0;
}

static const struct meshrpr_prov_hooks nppi_hooks = {
    .elem_count = nppi_elem_count,
    .data_check = nppi_data_check,
    .data_apply = nppi_data_apply,
    .ended = nppi_ended,
};

static int nppi_link_open(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                          enum bt_mesh_rpr_node_refresh procedure, void *ctx)
{
    (void)ctx;
    if (!node->provisioned) {
        return -EINVAL;
    }
    meshrpr_crypto_wipe(&node->nppi, sizeof(node->nppi));
    node->nppi.procedure = (uint8_t)procedure;
    return meshrpr_prov_device_start_ext(node, link, &nppi_hooks, node);
}

static const struct meshrpr_rpr_srv_nppi nppi_handler = {
    .link_open = nppi_link_open,
    .link_closing = nppi_link_closing,
};

int meshrpr_nppi_enable(struct meshrpr_node *node, bool enable)
{
    if (node->nppi_hooks.offer == NULL) {
        return -ENOENT; /* nothing above offers NPPI */
    }
    return node->nppi_hooks.offer(node, enable ? &nppi_handler : NULL);
}

void meshrpr_nppi_hooks_set(struct meshrpr_node *node, const struct meshrpr_nppi_hooks *hooks)
{
    node->nppi_hooks = *hooks;
}
