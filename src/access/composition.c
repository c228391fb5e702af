/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Composition Data (MshPRTv1.1 §4.2.2): pages 0 and 128 encoded from the node's composition
 * (the caller-owned struct bt_mesh_comp), whole elements only when the message is too short,
 * and the comparison of page 128 with page 0 that decides whether a Node Composition Refresh
 * would change anything.
 */
#include "access/composition.h"

#include <errno.h>
#include <string.h>

#include "node/node_services.h"

/* Features bits 0..3 are defined; 4..15 are RFU (§4.2.2). */
#define COMP_FEATURES_DEFINED                                                                      \
    (BT_MESH_FEAT_RELAY | BT_MESH_FEAT_PROXY | BT_MESH_FEAT_FRIEND | BT_MESH_FEAT_LOW_POWER)

/* Relay state value meaning "Relay feature not supported" (§4.2.9). */
#define RELAY_NOT_SUPPORTED 0x02

uint8_t meshrpr_composition_page_select(uint8_t page)
{
    return page >= MESHRPR_COMP_PAGE_128 ? MESHRPR_COMP_PAGE_128 : MESHRPR_COMP_PAGE_0;
}

uint16_t meshrpr_composition_features(const struct meshrpr_node *node)
{
    uint16_t features = node->cfg.features & COMP_FEATURES_DEFINED;

    if (node->net.relay == RELAY_NOT_SUPPORTED) {
        features &= (uint16_t)~BT_MESH_FEAT_RELAY;
    }
    return features;
}

/* Octets one element takes: Loc, NumS, NumV, then 2 per SIG and 4 per vendor model. */
static size_t elem_len(const struct bt_mesh_elem *elem)
{
    return 4 + (size_t)elem->model_count * 2 + (size_t)elem->vnd_model_count * 4;
}

int meshrpr_composition_encode(const struct bt_mesh_comp *comp, uint16_t crpl, uint16_t features,
                               struct net_buf_simple *buf)
{
    if (comp == NULL || (comp->elem_count > 0 && comp->elem == NULL)) {
        return -EINVAL;
    }
    if (net_buf_simple_tailroom(buf) < MESHRPR_COMP_HEADER_LEN) {
        return -ENOBUFS;
    }
    net_buf_simple_add_le16(buf, comp->cid);
    net_buf_simple_add_le16(buf, comp->pid);
    net_buf_simple_add_le16(buf, comp->vid);
    net_buf_simple_add_le16(buf, crpl);
    net_buf_simple_add_le16(buf, features);

    for (size_t e = 0; e < comp->elem_count; e++) {
        const struct bt_mesh_elem *elem = &comp->elem[e];

        /* An element is reported whole or not at all, and so are the ones after it: the
         * receiver numbers elements by their position (§4.2.2). */
        if (net_buf_simple_tailroom(buf) < elem_len(elem)) {
            break;
        }
        net_buf_simple_add_le16(buf, elem->loc);
        net_buf_simple_add_u8(buf, elem->model_count);
        net_buf_simple_add_u8(buf, elem->vnd_model_count);
        for (size_t i = 0; i < elem->model_count; i++) {
            net_buf_simple_add_le16(buf, elem->models[i].id);
        }
        for (size_t i = 0; i < elem->vnd_model_count; i++) {
            net_buf_simple_add_le16(buf, elem->vnd_models[i].vnd.company);
            net_buf_simple_add_le16(buf, elem->vnd_models[i].vnd.id);
        }
    }
    return 0;
}

static const struct bt_mesh_comp *page_comp(const struct meshrpr_node *node, uint8_t page)
{
    /* After meshrpr_node_comp_change_prepare() and a start with a new composition, the new
     * one is page 128 (the stored backup is page 0). */
    if (page == MESHRPR_COMP_PAGE_128 && node->comp_prev) {
        return node->cfg.comp;
    }
    if (page == MESHRPR_COMP_PAGE_128 && node->cfg.comp_next != NULL) {
        return node->cfg.comp_next;
    }
    return node->cfg.comp;
}

int meshrpr_composition_page_encode(const struct meshrpr_node *node, uint8_t page,
                                    struct net_buf_simple *buf)
{
    uint8_t selected = meshrpr_composition_page_select(page);
    int err;

    if (selected == MESHRPR_COMP_PAGE_0 && node->comp_prev) {
        /* The page 0 of the previous composition, as stored: it stays what the network
         * knows of the node until a Node Composition Refresh (§4.2.2.1, page 128). */
        uint8_t prev[MESHRPR_COMP_PAGE_MAX];
        int len = meshrpr_node_load((struct meshrpr_node *)node, MESHRPR_COMP_PREV_KEY, prev,
                                    sizeof(prev));

        if (len >= MESHRPR_COMP_HEADER_LEN && len <= (int)sizeof(prev) &&
            (size_t)len <= net_buf_simple_tailroom(buf)) {
            net_buf_simple_add_mem(buf, prev, (size_t)len);
            return selected;
        }
        /* Unreadable now: report the composition the node runs rather than nothing. */
    }
    err = meshrpr_composition_encode(page_comp(node, selected), node->rpl.size,
                                     meshrpr_composition_features(node), buf);
    return err != 0 ? err : selected;
}

static bool elem_differs(const struct bt_mesh_elem *a, const struct bt_mesh_elem *b)
{
    if (a->loc != b->loc || a->model_count != b->model_count ||
        a->vnd_model_count != b->vnd_model_count) {
        return true;
    }
    for (size_t i = 0; i < a->model_count; i++) {
        if (a->models[i].id != b->models[i].id) {
            return true;
        }
    }
    for (size_t i = 0; i < a->vnd_model_count; i++) {
        if (a->vnd_models[i].vnd.company != b->vnd_models[i].vnd.company ||
            a->vnd_models[i].vnd.id != b->vnd_models[i].vnd.id) {
            return true;
        }
    }
    return false;
}

bool meshrpr_composition_differs(const struct bt_mesh_comp *a, const struct bt_mesh_comp *b)
{
    if (a == b) {
        return false;
    }
    if (a == NULL || b == NULL) {
        return true;
    }
    if (a->cid != b->cid || a->pid != b->pid || a->vid != b->vid ||
        a->elem_count != b->elem_count) {
        return true;
    }
    for (size_t e = 0; e < a->elem_count; e++) {
        if (elem_differs(&a->elem[e], &b->elem[e])) {
            return true;
        }
    }
    return false;
}

bool meshrpr_composition_page128_differs(const struct meshrpr_node *node)
{
    if (node->comp_prev) {
        return true;
    }
    return meshrpr_composition_differs(node->cfg.comp, page_comp(node, MESHRPR_COMP_PAGE_128));
}
