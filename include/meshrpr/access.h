/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Access layer API with Zephyr's names (MshPRTv1.1 §3.7, §3.8): addresses, key indexes,
 * message contexts, opcodes, models, elements and composition, and sending model messages.
 *
 * Differences from Zephyr, all needed to run many nodes in one process:
 * - a composition (its elements and models) belongs to exactly one node; meshrpr_node_init()
 *   links each model's runtime context to that node;
 * - model handlers may return a negative errno, which only gets logged.
 */
#ifndef MESHRPR_ACCESS_H
#define MESHRPR_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/net_buf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct meshrpr_node;

/* ---- Addresses, §3.4.2 ------------------------------------------------------------------ */
#define BT_MESH_ADDR_UNASSIGNED           0x0000
#define BT_MESH_ADDR_ALL_NODES            0xffff
#define BT_MESH_ADDR_RELAYS               0xfffe
#define BT_MESH_ADDR_FRIENDS              0xfffd
#define BT_MESH_ADDR_PROXIES              0xfffc
#define BT_MESH_ADDR_DFW_NODES            0xfffb
#define BT_MESH_ADDR_IS_UNICAST(addr)     ((addr) != 0 && (addr) < 0x8000)
#define BT_MESH_ADDR_IS_GROUP(addr)       ((addr) >= 0xc000 && (addr) <= 0xffff)
#define BT_MESH_ADDR_IS_FIXED_GROUP(addr) ((addr) >= 0xff00 && (addr) <= 0xffff)
#define BT_MESH_ADDR_IS_VIRTUAL(addr)     ((addr) >= 0x8000 && (addr) < 0xc000)
#define BT_MESH_ADDR_IS_RFU(addr)         ((addr) >= 0xff00 && (addr) <= 0xfffa)

/* ---- Key indexes ------------------------------------------------------------------------ */
#define BT_MESH_NET_PRIMARY 0x000
#define BT_MESH_KEY_UNUSED  0xffff
#define BT_MESH_KEY_ANY     0xffff
/** Use the local node's device key (a server answering with its own key). */
#define BT_MESH_KEY_DEV       0xfffe
#define BT_MESH_KEY_DEV_LOCAL BT_MESH_KEY_DEV
/** Use the destination node's device key, which the node looks up through
 *  meshrpr_node_config.dev_key_get (a provisioner's database). */
#define BT_MESH_KEY_DEV_REMOTE 0xfffd
/** Models that accept either device key. */
#define BT_MESH_KEY_DEV_ANY     0xfffc
#define BT_MESH_IS_DEV_KEY(key) ((key) == BT_MESH_KEY_DEV_LOCAL || (key) == BT_MESH_KEY_DEV_REMOTE)

/* ---- TTL, §3.4.4.3 ---------------------------------------------------------------------- */
/** Use the node's Default TTL. */
#define BT_MESH_TTL_DEFAULT 0xff
#define BT_MESH_TTL_MAX     0x7f

/* ---- Opcodes, §3.7.3.1 ------------------------------------------------------------------ */
#define BT_MESH_MODEL_OP_1(b0)      (b0)
#define BT_MESH_MODEL_OP_2(b0, b1)  (((b0) << 8) | (b1))
#define BT_MESH_MODEL_OP_3(b0, cid) ((((b0) << 16) | 0xc00000) | (cid))
/** Octets an opcode takes on the air. */
#define BT_MESH_MODEL_OP_LEN(op) ((op) <= 0xff ? 1 : (op) <= 0xffff ? 2 : 3)

/** The largest access message: opcode and parameters (§3.7.3, 32-bit TransMIC). */
#define BT_MESH_RX_SDU_MAX 380
#define BT_MESH_TX_SDU_MAX 380
#define BT_MESH_MIC_SHORT  4
#define BT_MESH_MIC_LONG   8

/** Storage for a model message with an opcode and payload_len parameter octets, plus room
 *  for the transport MIC (as in Zephyr). */
#define BT_MESH_MODEL_BUF_LEN(op, payload_len)                                                     \
    (BT_MESH_MODEL_OP_LEN(op) + (payload_len) + BT_MESH_MIC_SHORT)
#define BT_MESH_MODEL_BUF_DEFINE(buf, op, payload_len)                                             \
    NET_BUF_SIMPLE_DEFINE(buf, BT_MESH_MODEL_BUF_LEN(op, (payload_len)))

/* ---- Message context, §3.7.3 ------------------------------------------------------------ */
struct bt_mesh_msg_ctx {
    /** NetKey Index of the subnet the message travels on. */
    uint16_t net_idx;
    /** AppKey Index, or BT_MESH_KEY_DEV_LOCAL / BT_MESH_KEY_DEV_REMOTE. */
    uint16_t app_idx;
    /** Remote address: destination when sending, source when receiving. */
    uint16_t addr;
    /** Destination address of a received message. */
    uint16_t recv_dst;
    /** RSSI of a received message (of its last segment). */
    int8_t recv_rssi;
    /** TTL of a received message. */
    uint8_t recv_ttl;
    /** Force segmented (acknowledged at the lower transport) sending. */
    bool send_rel;
    /** Send with a random 20..50 ms delay (responses, §3.7.3.1). */
    bool rnd_delay;
    /** TTL to send with, or BT_MESH_TTL_DEFAULT. */
    uint8_t send_ttl;
    /** Label UUID when addr is virtual, else NULL. */
    const uint8_t *uuid;
};

#define BT_MESH_MSG_CTX_INIT(net_key_idx, app_key_idx, dst, ttl)                                   \
    {                                                                                              \
        .net_idx = (net_key_idx), .app_idx = (app_key_idx), .addr = (dst), .send_ttl = (ttl),      \
    }
#define BT_MESH_MSG_CTX_INIT_APP(app_key_idx, dst)                                                 \
    BT_MESH_MSG_CTX_INIT(0, app_key_idx, dst, BT_MESH_TTL_DEFAULT)
#define BT_MESH_MSG_CTX_INIT_DEV(net_key_idx, dst)                                                 \
    BT_MESH_MSG_CTX_INIT(net_key_idx, BT_MESH_KEY_DEV_REMOTE, dst, BT_MESH_TTL_DEFAULT)

/* ---- Models ----------------------------------------------------------------------------- */
struct bt_mesh_model;

/**
 * Length rules of an op table entry: a minimum (zero or positive) or an exact length
 * (negative). Zephyr encodes "exact n" as -n, which makes "exactly 0" the same as "at least 0"
 * and lets a parameterless Get carry any parameters; meshrpr encodes it as -(n + 1), so
 * BT_MESH_LEN_EXACT(0) really means no parameters. Tables written with the macros mean the
 * same thing in both.
 */
#define BT_MESH_LEN_EXACT(len) (-(len)-1)
#define BT_MESH_LEN_MIN(len)   (len)

/** One opcode a model handles. The access layer checks the length before the handler runs. */
struct bt_mesh_model_op {
    const uint32_t opcode;
    /** BT_MESH_LEN_EXACT(n) or BT_MESH_LEN_MIN(n), counting parameter octets only. */
    const int32_t len;
    int (*const func)(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf);
};
#define BT_MESH_MODEL_OP_END                                                                       \
    {                                                                                              \
        0, 0, NULL                                                                                 \
    }

/** Model lifecycle callbacks (all optional). */
struct bt_mesh_model_cb {
    /** Called by meshrpr_node_init(); a non-zero return fails the node's init. */
    int (*const init)(const struct bt_mesh_model *model);
    /** Called once the node runs (after init and after restoring its state). */
    int (*const start)(const struct bt_mesh_model *model);
    /** Called when the node is reset (Config Node Reset). */
    void (*const reset)(const struct bt_mesh_model *model);
};

/** Runtime context of a model, filled in by meshrpr_node_init(). */
struct bt_mesh_model_rt_ctx {
    uint8_t elem_idx;
    uint8_t mod_idx;
    /** The model's state slot in the node (bindings, subscriptions). */
    uint8_t state_idx;
    bool vnd;
    /** Model data (for example a struct bt_mesh_rpr_cli). */
    void *user_data;
    /** The node the model runs on. */
    struct meshrpr_node *node;
};

struct bt_mesh_mod_id_vnd {
    uint16_t company;
    uint16_t id;
};

/* Zephyr makes these members const; meshrpr does not, so that a simulator or a tool can build
 * compositions at run time. Initialisers written for Zephyr compile unchanged. */
struct bt_mesh_model {
    union {
        uint16_t id;
        struct bt_mesh_mod_id_vnd vnd;
    };
    struct bt_mesh_model_rt_ctx *rt;
    const struct bt_mesh_model_op *op;
    const struct bt_mesh_model_cb *cb;
};

#define BT_MESH_MODEL_CB(_id, _op, _pub, _user_data, _cb)                                          \
    {                                                                                              \
        .id = (_id), .rt = &(struct bt_mesh_model_rt_ctx){ .user_data = (_user_data) },            \
        .op = (_op), .cb = (_cb),                                                                  \
    }
#define BT_MESH_MODEL(_id, _op, _pub, _user_data) BT_MESH_MODEL_CB(_id, _op, _pub, _user_data, NULL)
#define BT_MESH_MODEL_VND_CB(_company, _id, _op, _pub, _user_data, _cb)                            \
    {                                                                                              \
        .vnd = { .company = (_company), .id = (_id) },                                             \
        .rt = &(struct bt_mesh_model_rt_ctx){ .user_data = (_user_data), .vnd = true },            \
        .op = (_op), .cb = (_cb),                                                                  \
    }
#define BT_MESH_MODEL_VND(_company, _id, _op, _pub, _user_data)                                    \
    BT_MESH_MODEL_VND_CB(_company, _id, _op, _pub, _user_data, NULL)

/** Foundation model IDs (Bluetooth Assigned Numbers). */
#define BT_MESH_MODEL_ID_CFG_SRV         0x0000
#define BT_MESH_MODEL_ID_CFG_CLI         0x0001
#define BT_MESH_MODEL_ID_HEALTH_SRV      0x0002
#define BT_MESH_MODEL_ID_HEALTH_CLI      0x0003
#define BT_MESH_MODEL_ID_REMOTE_PROV_SRV 0x0004
#define BT_MESH_MODEL_ID_REMOTE_PROV_CLI 0x0005

/* ---- Elements and composition, §3.8, §4.2.2 --------------------------------------------- */
struct bt_mesh_elem {
    /** Location descriptor (GATT Namespace Descriptor). */
    uint16_t loc;
    uint8_t model_count;
    uint8_t vnd_model_count;
    const struct bt_mesh_model *models;
    const struct bt_mesh_model *vnd_models;
};

/* C11 has no empty arrays, so "no models" is a pointer of its own type that BT_MESH_ELEM
 * recognises with _Generic (Zephyr uses a GNU empty compound literal here). */
struct meshrpr_no_models {
    char unused;
};
#define BT_MESH_MODEL_NONE ((struct meshrpr_no_models *)0)
#define MESHRPR_MODELS_PTR(m)                                                                      \
    _Generic((m), struct meshrpr_no_models * : (const struct bt_mesh_model *)0, default : (m))
#define MESHRPR_MODELS_COUNT(m)                                                                    \
    _Generic((m), struct meshrpr_no_models * : 0, default                                          \
             : sizeof(m) / sizeof(struct bt_mesh_model))

#define BT_MESH_ELEM(_loc, _mods, _vnd_mods)                                                       \
    {                                                                                              \
        .loc = (_loc), .model_count = MESHRPR_MODELS_COUNT(_mods),                                 \
        .vnd_model_count = MESHRPR_MODELS_COUNT(_vnd_mods), .models = MESHRPR_MODELS_PTR(_mods),   \
        .vnd_models = MESHRPR_MODELS_PTR(_vnd_mods),                                               \
    }

/** Composition Data page 0 content (and, through comp_next, page 128). */
struct bt_mesh_comp {
    uint16_t cid; /**< Company identifier */
    uint16_t pid; /**< Product identifier */
    uint16_t vid; /**< Version identifier */
    size_t elem_count;
    const struct bt_mesh_elem *elem;
};

/* ---- Sending, §3.7.3 -------------------------------------------------------------------- */

/** Completion of a transmission: start when it goes on air, end when the lower transport has
 *  finished with it (err 0: sent, or acknowledged for segmented unicast; -ETIMEDOUT or
 *  -ECANCELED otherwise). */
struct bt_mesh_send_cb {
    void (*start)(uint16_t duration, int err, void *cb_data);
    void (*end)(int err, void *cb_data);
};

/** Write the opcode into an empty message buffer. */
void bt_mesh_model_msg_init(struct net_buf_simple *msg, uint32_t opcode);

/**
 * Send a model message (opcode and parameters in msg) from the model's element.
 * @return 0, -EINVAL for a bad context (unknown key, device key to a non-unicast address,
 *         message too long), -EADDRNOTAVAIL when the node is not provisioned, -ENOBUFS when
 *         no SAR context is free, -EBUSY for a second segmented transfer to the same
 *         destination, or another negative errno.
 */
int bt_mesh_model_send(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *msg, const struct bt_mesh_send_cb *cb, void *cb_data);

/** The element a model belongs to. */
const struct bt_mesh_elem *bt_mesh_model_elem(const struct bt_mesh_model *model);

/** The unicast address of a model's element (0 while unprovisioned). */
uint16_t bt_mesh_model_elem_addr(const struct bt_mesh_model *model);

/** Find a SIG model on an element, or NULL. */
const struct bt_mesh_model *bt_mesh_model_find(const struct bt_mesh_elem *elem, uint16_t id);

/**
 * Bind a model to a key, typically from its init callback: BT_MESH_KEY_DEV_LOCAL for a server
 * secured with the node's own device key, BT_MESH_KEY_DEV_ANY for a model that takes either
 * device key, or an AppKey index.
 * @return 0 (also when already bound), -EINVAL (model not on a node), -ENOMEM (no free slot).
 */
int meshrpr_model_key_bind(const struct bt_mesh_model *model, uint16_t app_idx);

/** The node a model runs on. */
struct meshrpr_node *meshrpr_model_node(const struct bt_mesh_model *model);

/**
 * Zephyr's bt_mesh_comp_change_prepare() (library meshrpr_compat): the composition will change
 * on the next start, so back up the current one; meshrpr_node_comp_change_prepare() on the
 * node registered with meshrpr_compat_init().
 * @return 0, -ENOTSUP (the node has no storage, as Zephyr without CONFIG_BT_SETTINGS),
 *         -ENODEV (no node registered), -EAGAIN (bt_mesh_init() not run, or the node is not
 *         provisioned: nothing is stored), or a storage error.
 */
int bt_mesh_comp_change_prepare(void);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_ACCESS_H */
