/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration message opcodes and parameter helpers shared by the Configuration Server and
 * Client (MshPRTv1.1 §4.3.2; opcode values from the Bluetooth Assigned Numbers, as in
 * mesh-stack-facts §6.1). Status codes are public, in <meshrpr/cfg_cli.h>. */
#ifndef MESHRPR_MODELS_CFG_MSG_H
#define MESHRPR_MODELS_CFG_MSG_H

#include <meshrpr/access.h>
#include <meshrpr/cfg_cli.h>

#define OP_APP_KEY_ADD          BT_MESH_MODEL_OP_1(0x00)
#define OP_APP_KEY_UPDATE       BT_MESH_MODEL_OP_1(0x01)
#define OP_DEV_COMP_DATA_STATUS BT_MESH_MODEL_OP_1(0x02)
#define OP_MOD_PUB_SET          BT_MESH_MODEL_OP_1(0x03)
#define OP_APP_KEY_DEL          BT_MESH_MODEL_OP_2(0x80, 0x00)
#define OP_APP_KEY_GET          BT_MESH_MODEL_OP_2(0x80, 0x01)
#define OP_APP_KEY_LIST         BT_MESH_MODEL_OP_2(0x80, 0x02)
#define OP_APP_KEY_STATUS       BT_MESH_MODEL_OP_2(0x80, 0x03)
#define OP_DEV_COMP_DATA_GET    BT_MESH_MODEL_OP_2(0x80, 0x08)
#define OP_BEACON_GET           BT_MESH_MODEL_OP_2(0x80, 0x09)
#define OP_BEACON_SET           BT_MESH_MODEL_OP_2(0x80, 0x0a)
#define OP_BEACON_STATUS        BT_MESH_MODEL_OP_2(0x80, 0x0b)
#define OP_DEFAULT_TTL_GET      BT_MESH_MODEL_OP_2(0x80, 0x0c)
#define OP_DEFAULT_TTL_SET      BT_MESH_MODEL_OP_2(0x80, 0x0d)
#define OP_DEFAULT_TTL_STATUS   BT_MESH_MODEL_OP_2(0x80, 0x0e)
#define OP_FRIEND_GET           BT_MESH_MODEL_OP_2(0x80, 0x0f)
#define OP_FRIEND_SET           BT_MESH_MODEL_OP_2(0x80, 0x10)
#define OP_FRIEND_STATUS        BT_MESH_MODEL_OP_2(0x80, 0x11)
#define OP_GATT_PROXY_GET       BT_MESH_MODEL_OP_2(0x80, 0x12)
#define OP_GATT_PROXY_SET       BT_MESH_MODEL_OP_2(0x80, 0x13)
#define OP_GATT_PROXY_STATUS    BT_MESH_MODEL_OP_2(0x80, 0x14)
#define OP_KRP_GET              BT_MESH_MODEL_OP_2(0x80, 0x15)
#define OP_KRP_SET              BT_MESH_MODEL_OP_2(0x80, 0x16)
#define OP_KRP_STATUS           BT_MESH_MODEL_OP_2(0x80, 0x17)
#define OP_MOD_PUB_GET          BT_MESH_MODEL_OP_2(0x80, 0x18)
#define OP_MOD_PUB_STATUS       BT_MESH_MODEL_OP_2(0x80, 0x19)
#define OP_MOD_PUB_VA_SET       BT_MESH_MODEL_OP_2(0x80, 0x1a)
#define OP_MOD_SUB_ADD          BT_MESH_MODEL_OP_2(0x80, 0x1b)
#define OP_MOD_SUB_DEL          BT_MESH_MODEL_OP_2(0x80, 0x1c)
#define OP_MOD_SUB_DEL_ALL      BT_MESH_MODEL_OP_2(0x80, 0x1d)
#define OP_MOD_SUB_OVERWRITE    BT_MESH_MODEL_OP_2(0x80, 0x1e)
#define OP_MOD_SUB_STATUS       BT_MESH_MODEL_OP_2(0x80, 0x1f)
#define OP_MOD_SUB_VA_ADD       BT_MESH_MODEL_OP_2(0x80, 0x20)
#define OP_MOD_SUB_VA_DEL       BT_MESH_MODEL_OP_2(0x80, 0x21)
#define OP_MOD_SUB_VA_OVERWRITE BT_MESH_MODEL_OP_2(0x80, 0x22)
#define OP_NET_TRANSMIT_GET     BT_MESH_MODEL_OP_2(0x80, 0x23)
#define OP_NET_TRANSMIT_SET     BT_MESH_MODEL_OP_2(0x80, 0x24)
#define OP_NET_TRANSMIT_STATUS  BT_MESH_MODEL_OP_2(0x80, 0x25)
#define OP_RELAY_GET            BT_MESH_MODEL_OP_2(0x80, 0x26)
#define OP_RELAY_SET            BT_MESH_MODEL_OP_2(0x80, 0x27)
#define OP_RELAY_STATUS         BT_MESH_MODEL_OP_2(0x80, 0x28)
#define OP_MOD_SUB_GET          BT_MESH_MODEL_OP_2(0x80, 0x29)
#define OP_MOD_SUB_LIST         BT_MESH_MODEL_OP_2(0x80, 0x2a)
#define OP_MOD_SUB_GET_VND      BT_MESH_MODEL_OP_2(0x80, 0x2b)
#define OP_MOD_SUB_LIST_VND     BT_MESH_MODEL_OP_2(0x80, 0x2c)
#define OP_LPN_TIMEOUT_GET      BT_MESH_MODEL_OP_2(0x80, 0x2d)
#define OP_LPN_TIMEOUT_STATUS   BT_MESH_MODEL_OP_2(0x80, 0x2e)
#define OP_MOD_APP_BIND         BT_MESH_MODEL_OP_2(0x80, 0x3d)
#define OP_MOD_APP_STATUS       BT_MESH_MODEL_OP_2(0x80, 0x3e)
#define OP_MOD_APP_UNBIND       BT_MESH_MODEL_OP_2(0x80, 0x3f)
#define OP_NET_KEY_ADD          BT_MESH_MODEL_OP_2(0x80, 0x40)
#define OP_NET_KEY_DEL          BT_MESH_MODEL_OP_2(0x80, 0x41)
#define OP_NET_KEY_GET          BT_MESH_MODEL_OP_2(0x80, 0x42)
#define OP_NET_KEY_LIST         BT_MESH_MODEL_OP_2(0x80, 0x43)
#define OP_NET_KEY_STATUS       BT_MESH_MODEL_OP_2(0x80, 0x44)
#define OP_NET_KEY_UPDATE       BT_MESH_MODEL_OP_2(0x80, 0x45)
#define OP_NODE_IDENTITY_GET    BT_MESH_MODEL_OP_2(0x80, 0x46)
#define OP_NODE_IDENTITY_SET    BT_MESH_MODEL_OP_2(0x80, 0x47)
#define OP_NODE_IDENTITY_STATUS BT_MESH_MODEL_OP_2(0x80, 0x48)
#define OP_NODE_RESET           BT_MESH_MODEL_OP_2(0x80, 0x49)
#define OP_NODE_RESET_STATUS    BT_MESH_MODEL_OP_2(0x80, 0x4a)
#define OP_SIG_MOD_APP_GET      BT_MESH_MODEL_OP_2(0x80, 0x4b)
#define OP_SIG_MOD_APP_LIST     BT_MESH_MODEL_OP_2(0x80, 0x4c)
#define OP_VND_MOD_APP_GET      BT_MESH_MODEL_OP_2(0x80, 0x4d)
#define OP_VND_MOD_APP_LIST     BT_MESH_MODEL_OP_2(0x80, 0x4e)

/* Key indexes are 12 bits; the top 4 bits of their 2-octet fields are RFU (§4.3.1.1). */
#define CFG_KEY_IDX_MASK 0x0fff

/* Values of the Relay, GATT Proxy, Friend and Node Identity states (§4.2.9, §4.2.11,
 * §4.2.13, §4.2.12). */
#define CFG_STATE_DISABLED      0x00
#define CFG_STATE_ENABLED       0x01
#define CFG_STATE_NOT_SUPPORTED 0x02

/* Two key indexes in 3 octets: idx1 in the low 12 bits, idx2 in the high 12 (§4.3.1.1). */
static inline void cfg_key_idx_pack_pair(struct net_buf_simple *buf, uint16_t idx1, uint16_t idx2)
{
    net_buf_simple_add_le24(buf, (uint32_t)(idx1 & CFG_KEY_IDX_MASK) |
                                     (uint32_t)(idx2 & CFG_KEY_IDX_MASK) << 12);
}

static inline void cfg_key_idx_unpack_pair(struct net_buf_simple *buf, uint16_t *idx1,
                                           uint16_t *idx2)
{
    uint32_t v = net_buf_simple_pull_le24(buf);

    *idx1 = (uint16_t)(v & CFG_KEY_IDX_MASK);
    *idx2 = (uint16_t)(v >> 12);
}

/* Append a list of key indexes packed two per 3 octets, an odd last one in 2 (§4.3.1.1). */
static inline void cfg_key_idx_pack_list(struct net_buf_simple *buf, const uint16_t *idx,
                                         size_t count)
{
    size_t i = 0;

    for (; i + 1 < count; i += 2) {
        cfg_key_idx_pack_pair(buf, idx[i], idx[i + 1]);
    }
    if (i < count) {
        net_buf_simple_add_le16(buf, idx[i] & CFG_KEY_IDX_MASK);
    }
}

#endif /* MESHRPR_MODELS_CFG_MSG_H */
