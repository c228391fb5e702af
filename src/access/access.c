/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Access layer (MshPRTv1.1 §3.7): opcode coding, delivery of a message to every model whose
 * element, key and subscription match, with each op table's length rule checked before the
 * handler runs, and the model state the configuration models change (AppKey bindings and
 * subscriptions), kept in the node rather than in the (caller-owned) model structs.
 */
#include "access/access.h"

#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "access"
#include "core/log.h"

#include "net/keys.h"
#include "net/upper_transport.h"
#include "node/node_services.h"

#define ACCESS_STORE_VERSION 1

/* Visit every model of the composition, SIG models first, element by element. */
#define FOR_EACH_MODEL(comp, e, i, vnd, model)                                                     \
    for (size_t e = 0; e < (comp)->elem_count; e++)                                                \
        for (int vnd = 0; vnd < 2; vnd++)                                                          \
            for (size_t i = 0;                                                                     \
                 i < (vnd ? (comp)->elem[e].vnd_model_count : (comp)->elem[e].model_count); i++)   \
                for (const struct bt_mesh_model *model = vnd ? &(comp)->elem[e].vnd_models[i]      \
                                                             : &(comp)->elem[e].models[i];         \
                     model != NULL; model = NULL)

int meshrpr_access_init(struct meshrpr_node *node)
{
    const struct bt_mesh_comp *comp = node->cfg.comp;
    uint8_t slot = 0;

    memset(&node->access, 0, sizeof(node->access));
    node->access.elem_count = (uint8_t)comp->elem_count;
    FOR_EACH_MODEL(comp, e, i, vnd, model)
    {
        if (slot >= MESHRPR_MODEL_COUNT || model->rt == NULL) {
            MESHRPR_LOG_ERR(&node->platform, "composition has too many models or no rt");
            return -EINVAL;
        }
        model->rt->elem_idx = (uint8_t)e;
        model->rt->mod_idx = (uint8_t)i;
        model->rt->state_idx = slot;
        model->rt->vnd = vnd != 0;
        model->rt->node = node;
        for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++) {
            node->access.models[slot].keys[k] = BT_MESH_KEY_UNUSED;
        }
        slot++;
    }
    node->access.model_count = slot;

    FOR_EACH_MODEL(comp, e, i, vnd, model)
    {
        if (model->cb != NULL && model->cb->init != NULL) {
            int err = model->cb->init(model);
            if (err != 0) {
                MESHRPR_LOG_ERR(&node->platform, "model init failed (%d)", err);
                return err;
            }
        }
    }
    return 0;
}

int meshrpr_access_start(struct meshrpr_node *node)
{
    FOR_EACH_MODEL(node->cfg.comp, e, i, vnd, model)
    {
        if (model->cb != NULL && model->cb->start != NULL) {
            int err = model->cb->start(model);
            if (err != 0) {
                return err;
            }
        }
    }
    return 0;
}

void meshrpr_access_reset(struct meshrpr_node *node)
{
    FOR_EACH_MODEL(node->cfg.comp, e, i, vnd, model)
    {
        struct meshrpr_model_state *st = &node->access.models[model->rt->state_idx];
        /* Device-key bindings are part of the model, not configuration: keep them. */
        for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++) {
            if (!BT_MESH_IS_DEV_KEY(st->keys[k]) && st->keys[k] != BT_MESH_KEY_DEV_ANY) {
                st->keys[k] = BT_MESH_KEY_UNUSED;
            }
        }
        memset(st->groups, 0, sizeof(st->groups));
        if (model->cb != NULL && model->cb->reset != NULL) {
            model->cb->reset(model);
        }
    }
}

int meshrpr_access_opcode_pull(struct net_buf_simple *buf, uint32_t *opcode)
{
    uint8_t b0;

    if (buf->len < 1) {
        return -EINVAL;
    }
    b0 = buf->data[0];
    switch (b0 >> 6) {
    case 0x00:
    case 0x01:
        if (b0 == 0x7f) { /* RFU, §3.7.3.1 */
            return -EINVAL;
        }
        *opcode = net_buf_simple_pull_u8(buf);
        return 0;
    case 0x02:
        if (buf->len < 2) {
            return -EINVAL;
        }
        *opcode = net_buf_simple_pull_be16(buf);
        return 0;
    default:
        if (buf->len < 3) {
            return -EINVAL;
        }
        /* Vendor: 0b11 + 6-bit opcode, then the Company ID little-endian. */
        *opcode = (uint32_t)net_buf_simple_pull_u8(buf) << 16;
        *opcode |= net_buf_simple_pull_le16(buf);
        return 0;
    }
}

void bt_mesh_model_msg_init(struct net_buf_simple *msg, uint32_t opcode)
{
    net_buf_simple_init(msg, 0);
    if (opcode <= 0xff) {
        net_buf_simple_add_u8(msg, (uint8_t)opcode);
    } else if (opcode <= 0xffff) {
        net_buf_simple_add_be16(msg, (uint16_t)opcode);
    } else {
        net_buf_simple_add_u8(msg, (uint8_t)(opcode >> 16));
        net_buf_simple_add_le16(msg, (uint16_t)opcode);
    }
}

struct meshrpr_node *meshrpr_model_node(const struct bt_mesh_model *model)
{
    return model->rt != NULL ? model->rt->node : NULL;
}

const struct bt_mesh_elem *bt_mesh_model_elem(const struct bt_mesh_model *model)
{
    const struct meshrpr_node *node = meshrpr_model_node(model);

    return node != NULL ? &node->cfg.comp->elem[model->rt->elem_idx] : NULL;
}

uint16_t bt_mesh_model_elem_addr(const struct bt_mesh_model *model)
{
    const struct meshrpr_node *node = meshrpr_model_node(model);

    if (node == NULL || !node->provisioned) {
        return BT_MESH_ADDR_UNASSIGNED;
    }
    return (uint16_t)(node->addr + model->rt->elem_idx);
}

const struct bt_mesh_model *bt_mesh_model_find(const struct bt_mesh_elem *elem, uint16_t id)
{
    for (size_t i = 0; i < elem->model_count; i++) {
        if (elem->models[i].id == id) {
            return &elem->models[i];
        }
    }
    return NULL;
}

int bt_mesh_model_send(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *msg, const struct bt_mesh_send_cb *cb, void *cb_data)
{
    struct meshrpr_node *node = meshrpr_model_node(model);

    if (node == NULL || ctx == NULL || msg == NULL || msg->error) {
        return -EINVAL;
    }
    if (!node->provisioned) {
        return -EADDRNOTAVAIL;
    }
    return meshrpr_upper_transport_send(node, bt_mesh_model_elem_addr(model), ctx, msg->data,
                                        msg->len, cb, cb_data);
}

struct meshrpr_model_state *meshrpr_access_model_state(struct meshrpr_node *node,
                                                       const struct bt_mesh_model *model)
{
    if (model->rt == NULL || model->rt->node != node) {
        return NULL;
    }
    return &node->access.models[model->rt->state_idx];
}

const struct bt_mesh_model *meshrpr_access_model_find(const struct meshrpr_node *node,
                                                      uint16_t elem_addr, uint32_t id, bool vnd)
{
    const struct bt_mesh_elem *elem;

    if (!meshrpr_node_is_local_addr(node, elem_addr)) {
        return NULL;
    }
    elem = &node->cfg.comp->elem[elem_addr - node->addr];
    if (!vnd) {
        return id <= 0xffff ? bt_mesh_model_find(elem, (uint16_t)id) : NULL;
    }
    for (size_t i = 0; i < elem->vnd_model_count; i++) {
        const struct bt_mesh_model *m = &elem->vnd_models[i];
        if (((uint32_t)m->vnd.company << 16 | m->vnd.id) == id) {
            return m;
        }
    }
    return NULL;
}

void *meshrpr_access_primary_model_data(const struct meshrpr_node *node, uint16_t id)
{
    const struct bt_mesh_comp *comp;

    if (node == NULL || node->cfg.comp == NULL || node->cfg.comp->elem_count == 0) {
        return NULL;
    }
    comp = node->cfg.comp;
    for (size_t i = 0; i < comp->elem[0].model_count; i++) {
        const struct bt_mesh_model *model = &comp->elem[0].models[i];
        if (model->id == id && model->rt != NULL && model->rt->user_data != NULL) {
            return model->rt->user_data;
        }
    }
    return NULL;
}

static bool model_has_key(const struct meshrpr_model_state *st, uint16_t app_idx)
{
    for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++) {
        if (st->keys[k] == app_idx ||
            (st->keys[k] == BT_MESH_KEY_DEV_ANY && BT_MESH_IS_DEV_KEY(app_idx))) {
            return true;
        }
    }
    return false;
}

static bool model_has_group(const struct meshrpr_model_state *st, uint16_t addr)
{
    for (size_t g = 0; g < MESHRPR_MODEL_GROUP_COUNT; g++) {
        if (st->groups[g] == addr) {
            return true;
        }
    }
    return false;
}

/* Whether a model on element e receives a message to dst (§3.7.3.2). */
static bool model_wants_dst(const struct meshrpr_node *node, const struct meshrpr_model_state *st,
                            size_t e, uint16_t dst)
{
    if (BT_MESH_ADDR_IS_UNICAST(dst)) {
        return dst == node->addr + e;
    }
    if (model_has_group(st, dst)) {
        return true;
    }
    /* Fixed group addresses reach the primary element without a subscription. */
    if (e != 0) {
        return false;
    }
    return dst == BT_MESH_ADDR_ALL_NODES || (dst == BT_MESH_ADDR_RELAYS && node->net.relay == 1);
}

bool meshrpr_access_wants_dst(const struct meshrpr_node *node, uint16_t dst)
{
    if (!node->provisioned || dst == BT_MESH_ADDR_UNASSIGNED) {
        return false;
    }
    if (BT_MESH_ADDR_IS_UNICAST(dst)) {
        return meshrpr_node_is_local_addr(node, dst);
    }
    FOR_EACH_MODEL(node->cfg.comp, e, i, vnd, model)
    {
        if (model_wants_dst(node, &node->access.models[model->rt->state_idx], e, dst)) {
            return true;
        }
    }
    return false;
}

static const struct bt_mesh_model_op *model_op_find(const struct bt_mesh_model *model,
                                                    uint32_t opcode)
{
    if (model->op == NULL) {
        return NULL;
    }
    for (const struct bt_mesh_model_op *op = model->op; op->func != NULL; op++) {
        if (op->opcode == opcode) {
            return op;
        }
    }
    return NULL;
}

static bool op_len_ok(const struct bt_mesh_model_op *op, size_t len)
{
    /* BT_MESH_LEN_EXACT(n) is -(n + 1). */
    return op->len < 0 ? len == (size_t)(-(op->len + 1)) : len >= (size_t)op->len;
}

int meshrpr_access_recv(struct meshrpr_node *node, struct bt_mesh_msg_ctx *ctx, const uint8_t *data,
                        size_t len)
{
    struct net_buf_simple buf;
    uint32_t opcode;
    int delivered = 0;

    if (len > BT_MESH_RX_SDU_MAX) {
        return -EINVAL;
    }
    net_buf_simple_init_with_data(&buf, (void *)data, len);
    if (meshrpr_access_opcode_pull(&buf, &opcode) != 0) {
        MESHRPR_LOG_WRN(&node->platform, "malformed opcode from 0x%04x", ctx->addr);
        return -EINVAL;
    }
    FOR_EACH_MODEL(node->cfg.comp, e, i, vnd, model)
    {
        const struct meshrpr_model_state *st = &node->access.models[model->rt->state_idx];
        const struct bt_mesh_model_op *op = model_op_find(model, opcode);

        if (op == NULL || !model_has_key(st, ctx->app_idx) ||
            !model_wants_dst(node, st, e, ctx->recv_dst)) {
            continue;
        }
        if (!op_len_ok(op, buf.len)) {
            MESHRPR_LOG_WRN(&node->platform, "op 0x%06x from 0x%04x: bad length %u",
                            (unsigned)opcode, ctx->addr, buf.len);
            continue;
        }
        /* Each model gets the parameters from the start, whatever the previous one pulled. */
        struct net_buf_simple params;
        net_buf_simple_init_with_data(&params, buf.data, buf.len);
        int err = op->func(model, ctx, &params);
        if (err != 0) {
            MESHRPR_LOG_DBG(&node->platform, "op 0x%06x handler: %d", (unsigned)opcode, err);
        }
        delivered++;
    }
    return delivered > 0 ? 0 : -ENOENT;
}

int meshrpr_access_bind(struct meshrpr_node *node, const struct bt_mesh_model *model,
                        uint16_t app_idx)
{
    struct meshrpr_model_state *st = meshrpr_access_model_state(node, model);

    if (st == NULL) {
        return -EINVAL;
    }
    if (model_has_key(st, app_idx)) {
        return -EALREADY;
    }
    for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++) {
        if (st->keys[k] == BT_MESH_KEY_UNUSED) {
            st->keys[k] = app_idx;
            return 0;
        }
    }
    return -ENOMEM;
}

int meshrpr_model_key_bind(const struct bt_mesh_model *model, uint16_t app_idx)
{
    struct meshrpr_node *node = meshrpr_model_node(model);
    int err;

    if (node == NULL) {
        return -EINVAL;
    }
    err = meshrpr_access_bind(node, model, app_idx);
    return err == -EALREADY ? 0 : err;
}

int meshrpr_access_unbind(struct meshrpr_node *node, const struct bt_mesh_model *model,
                          uint16_t app_idx)
{
    struct meshrpr_model_state *st = meshrpr_access_model_state(node, model);

    if (st == NULL) {
        return -EINVAL;
    }
    for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++) {
        if (st->keys[k] == app_idx) {
            st->keys[k] = BT_MESH_KEY_UNUSED;
            return 0;
        }
    }
    return -EALREADY;
}

void meshrpr_access_unbind_all(struct meshrpr_node *node, uint16_t app_idx)
{
    for (size_t m = 0; m < node->access.model_count; m++) {
        for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++) {
            if (node->access.models[m].keys[k] == app_idx) {
                node->access.models[m].keys[k] = BT_MESH_KEY_UNUSED;
            }
        }
    }
}

int meshrpr_access_sub_add(struct meshrpr_node *node, const struct bt_mesh_model *model,
                           uint16_t addr)
{
    struct meshrpr_model_state *st = meshrpr_access_model_state(node, model);

    if (st == NULL || BT_MESH_ADDR_IS_UNICAST(addr) || addr == BT_MESH_ADDR_UNASSIGNED ||
        addr == BT_MESH_ADDR_ALL_NODES) {
        return -EINVAL;
    }
    if (model_has_group(st, addr)) {
        return -EALREADY;
    }
    for (size_t g = 0; g < MESHRPR_MODEL_GROUP_COUNT; g++) {
        if (st->groups[g] == BT_MESH_ADDR_UNASSIGNED) {
            st->groups[g] = addr;
            return 0;
        }
    }
    return -ENOMEM;
}

int meshrpr_access_sub_del(struct meshrpr_node *node, const struct bt_mesh_model *model,
                           uint16_t addr)
{
    struct meshrpr_model_state *st = meshrpr_access_model_state(node, model);

    if (st == NULL) {
        return -EINVAL;
    }
    for (size_t g = 0; g < MESHRPR_MODEL_GROUP_COUNT; g++) {
        if (st->groups[g] == addr && addr != BT_MESH_ADDR_UNASSIGNED) {
            st->groups[g] = BT_MESH_ADDR_UNASSIGNED;
            return 0;
        }
    }
    return -EALREADY;
}

/* Stored as: version, model count, then per model its key and group slots (LE16 each). */
int meshrpr_access_store(struct meshrpr_node *node)
{
    uint8_t
        blob[2 + MESHRPR_MODEL_COUNT * (MESHRPR_MODEL_KEY_COUNT + MESHRPR_MODEL_GROUP_COUNT) * 2];
    size_t pos = 2;

    blob[0] = ACCESS_STORE_VERSION;
    blob[1] = node->access.model_count;
    for (size_t m = 0; m < node->access.model_count; m++) {
        const struct meshrpr_model_state *st = &node->access.models[m];
        for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++) {
            blob[pos++] = (uint8_t)st->keys[k];
            blob[pos++] = (uint8_t)(st->keys[k] >> 8);
        }
        for (size_t g = 0; g < MESHRPR_MODEL_GROUP_COUNT; g++) {
            blob[pos++] = (uint8_t)st->groups[g];
            blob[pos++] = (uint8_t)(st->groups[g] >> 8);
        }
    }
    return meshrpr_node_store(node, "access/models", blob, pos);
}

int meshrpr_access_restore(struct meshrpr_node *node)
{
    uint8_t
        blob[2 + MESHRPR_MODEL_COUNT * (MESHRPR_MODEL_KEY_COUNT + MESHRPR_MODEL_GROUP_COUNT) * 2];
    const size_t per_model = (MESHRPR_MODEL_KEY_COUNT + MESHRPR_MODEL_GROUP_COUNT) * 2;
    int len = meshrpr_node_load(node, "access/models", blob, sizeof(blob));

    /* A composition that changed since the state was saved invalidates it. */
    if (len < 2 || len > (int)sizeof(blob) || blob[0] != ACCESS_STORE_VERSION ||
        blob[1] != node->access.model_count || (size_t)len != 2 + blob[1] * per_model) {
        return len < 0 ? len : -EINVAL;
    }
    for (size_t m = 0, pos = 2; m < node->access.model_count; m++) {
        struct meshrpr_model_state *st = &node->access.models[m];
        for (size_t k = 0; k < MESHRPR_MODEL_KEY_COUNT; k++, pos += 2) {
            st->keys[k] = (uint16_t)(blob[pos] | blob[pos + 1] << 8);
        }
        for (size_t g = 0; g < MESHRPR_MODEL_GROUP_COUNT; g++, pos += 2) {
            st->groups[g] = (uint16_t)(blob[pos] | blob[pos + 1] << 8);
        }
    }
    return 0;
}

void meshrpr_access_table_reset(struct meshrpr_node *node, size_t model_count)
{
    memset(&node->access, 0, sizeof(node->access));
    node->access.elem_count = (uint8_t)node->cfg.comp->elem_count;
    node->access.model_count = (uint8_t)model_count;
}

void meshrpr_access_slot_set(struct meshrpr_node *node, size_t idx,
                             const struct meshrpr_model_state *state)
{
    if (idx < MESHRPR_MODEL_COUNT) {
        node->access.models[idx] = *state;
    }
}
