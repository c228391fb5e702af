/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network layer (MshPRTv1.1 §3.4): the Network PDU codec (AES-CCM encryption with the
 * NetMIC, then obfuscation of the header, §3.9.7.2/§3.9.7.3), SEQ allocation with persisted
 * reservation blocks, IV Index selection from the IVI bit, the network message cache,
 * relaying with the Relay Retransmit state, transmission with the Network Transmit state,
 * and the deferred loopback of PDUs addressed to this node's own elements.
 */
#include "net/net.h"

#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "net"
#include "core/log.h"

#include "crypto/crypto.h"
#include "net/keys.h"
#include "net/lower_transport.h"
#include "node/node_services.h"

#include <meshrpr/util.h>

/* Mesh Message AD type (Bluetooth Assigned Numbers, MshPRTv1.1 §3.3.1). */
#define AD_TYPE_MESH_MESSAGE 0x2a

/* Header (IVI|NID, CTL|TTL, SEQ, SRC) and DST: everything before the TransportPDU. */
#define NET_HDR_LEN     9
#define NET_MIC_LEN_ACC 4 /* 32-bit NetMIC, CTL = 0 (§3.4.4) */
#define NET_MIC_LEN_CTL 8 /* 64-bit NetMIC, CTL = 1 */
#define NET_ACC_MAX_LEN 16
#define NET_CTL_MAX_LEN 12
#define NET_TTL_MAX     0x7f
#define NET_SEQ_MAX     0xffffffu
#define NET_SEQ_SPACE   0x1000000u

/* Defaults like Zephyr's and NimBLE's (mesh-stack-facts §1.2, §2.2): 3 transmissions 20 ms
 * apart, i.e. Count 2 and Interval Steps 1 in the encoding of §4.2.20. */
#define NET_DEFAULT_TTL      7
#define NET_DEFAULT_TRANSMIT ((1u << 3) | 2u)

/* Relay state values (§4.2.9). */
#define RELAY_DISABLED      0
#define RELAY_ENABLED       1
#define RELAY_NOT_SUPPORTED 2

/* Storage layout. "net/seq": version, IV Index (4, LE), IV Update flag (1), SEQ limit (4, LE);
 * "net/seq_hw" holds the same high-water mark, written right after it, so one torn or lost
 * record never leaves the node without a SEQ it can prove unused (a restart from the copy
 * skips one more store block, as the other may have been a block ahead).
 * "net/cfg": version, Default TTL, Network Transmit, Relay, Relay Retransmit, Secure Network
 * Beacon state. Readers accept longer values and ignore what they do not know. */
#define NET_STORE_VERSION 1
#define NET_SEQ_BLOB_LEN  10
#define NET_CFG_BLOB_LEN  6

/* ---- Pure codec ------------------------------------------------------------------------- */

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static size_t net_mic_len(bool ctl)
{
    return ctl ? NET_MIC_LEN_CTL : NET_MIC_LEN_ACC;
}

/* SRC must be unicast, DST must be assigned, and control messages never go to a virtual
 * address (§3.4.2, §3.4.3). */
static bool net_addrs_valid(bool ctl, uint16_t src, uint16_t dst)
{
    return BT_MESH_ADDR_IS_UNICAST(src) && dst != BT_MESH_ADDR_UNASSIGNED &&
           !(ctl && BT_MESH_ADDR_IS_VIRTUAL(dst));
}

int meshrpr_net_encode(const struct meshrpr_net_cred *cred, uint32_t iv_index, bool ctl,
                       uint8_t ttl, uint32_t seq, uint16_t src, uint16_t dst,
                       const uint8_t *transport_pdu, size_t len, uint8_t *out, size_t *out_len)
{
    const size_t mic_len = net_mic_len(ctl);
    uint8_t nonce[13];
    int err;

    if (cred == NULL || out == NULL || out_len == NULL || transport_pdu == NULL || len == 0 ||
        len > (ctl ? NET_CTL_MAX_LEN : NET_ACC_MAX_LEN) || ttl > NET_TTL_MAX || seq > NET_SEQ_MAX ||
        !net_addrs_valid(ctl, src, dst)) {
        return -EINVAL;
    }
    const uint8_t ctl_ttl = (uint8_t)((ctl ? 0x80 : 0x00) | ttl);

    out[0] = (uint8_t)((iv_index & 1) << 7 | (cred->nid & 0x7f));
    out[1] = ctl_ttl;
    put_be24(&out[2], seq);
    put_be16(&out[5], src);
    put_be16(&out[7], dst);
    memmove(&out[NET_HDR_LEN], transport_pdu, len);

    /* §3.9.7.2: DST || TransportPDU encrypted with the network nonce and no additional data;
     * then §3.9.7.3: the header obfuscated with PECB taken from the ciphertext. */
    meshrpr_crypto_network_nonce(nonce, ctl_ttl, seq, src, iv_index);
    err = meshrpr_crypto_ccm_encrypt(cred->encryption_key, nonce, &out[7], 2 + len, NULL, 0,
                                     &out[7], &out[NET_HDR_LEN + len], mic_len);
    if (err == 0) {
        err = meshrpr_crypto_net_obfuscate(cred->privacy_key, iv_index, out,
                                           NET_HDR_LEN + len + mic_len);
    }
    if (err != 0) {
        return err;
    }
    *out_len = NET_HDR_LEN + len + mic_len;
    return 0;
}

/* First half of meshrpr_net_decode(): checks, then the header de-obfuscated into scratch
 * (§3.9.7.3), which gives CTL, TTL, SEQ and SRC before any decryption. */
static int net_deobfuscate(const struct meshrpr_net_cred *cred, uint32_t iv_index,
                           const uint8_t *pdu, size_t len, uint8_t *scratch)
{
    int err;

    /* The shortest PDU has a 1-octet TransportPDU and a 32-bit NetMIC; CTL is still hidden
     * here, so the control minimum is checked after de-obfuscation. */
    if (cred == NULL || pdu == NULL || scratch == NULL || len < NET_HDR_LEN + 1 + NET_MIC_LEN_ACC ||
        len > MESHRPR_NET_PDU_MAX_LEN) {
        return -EINVAL;
    }
    if ((pdu[0] & 0x7f) != cred->nid || (pdu[0] >> 7) != (iv_index & 1)) {
        return -EINVAL;
    }
    memcpy(scratch, pdu, len);
    err = meshrpr_crypto_net_obfuscate(cred->privacy_key, iv_index, scratch, len);
    if (err != 0) {
        return err;
    }
    const bool ctl = (scratch[1] & 0x80) != 0;
    const size_t mic_len = net_mic_len(ctl);
    if (len < NET_HDR_LEN + 1 + mic_len || (ctl && len - NET_HDR_LEN - mic_len > NET_CTL_MAX_LEN)) {
        return -EINVAL;
    }
    return 0;
}

/* Second half: the NetMIC checked and the rest decrypted into scratch (§3.9.7.2). */
static int net_decrypt(const struct meshrpr_net_cred *cred, uint32_t iv_index, const uint8_t *pdu,
                       size_t len, uint8_t *scratch, struct meshrpr_net_pdu *out)
{
    uint8_t nonce[13];
    int err;
    const bool ctl = (scratch[1] & 0x80) != 0;
    const size_t mic_len = net_mic_len(ctl);
    const size_t transport_len = len - NET_HDR_LEN - mic_len;
    const uint32_t seq = get_be24(&scratch[2]);
    const uint16_t src = get_be16(&scratch[5]);

    meshrpr_crypto_network_nonce(nonce, scratch[1], seq, src, iv_index);
    /* Octets 7 on were never obfuscated: decrypt them from the caller's buffer into scratch. */
    err = meshrpr_crypto_ccm_decrypt(cred->encryption_key, nonce, &pdu[7], 2 + transport_len, NULL,
                                     0, &pdu[NET_HDR_LEN + transport_len], mic_len, &scratch[7]);
    if (err != 0) {
        return err;
    }
    const uint16_t dst = get_be16(&scratch[7]);
    if (!net_addrs_valid(ctl, src, dst)) {
        return -EINVAL;
    }
    out->ivi = (uint8_t)(pdu[0] >> 7);
    out->nid = (uint8_t)(pdu[0] & 0x7f);
    out->ctl = ctl;
    out->ttl = (uint8_t)(scratch[1] & 0x7f);
    out->seq = seq;
    out->src = src;
    out->dst = dst;
    out->transport_pdu = &scratch[NET_HDR_LEN];
    out->transport_len = transport_len;
    return 0;
}

int meshrpr_net_decode(const struct meshrpr_net_cred *cred, uint32_t iv_index, const uint8_t *pdu,
                       size_t len, uint8_t *scratch, struct meshrpr_net_pdu *out)
{
    int err;

    if (out == NULL) {
        return -EINVAL;
    }
    err = net_deobfuscate(cred, iv_index, pdu, len, scratch);
    return err != 0 ? err : net_decrypt(cred, iv_index, pdu, len, scratch, out);
}

/* ---- SEQ, IV Index, TTL ----------------------------------------------------------------- */

int meshrpr_net_seq_alloc(struct meshrpr_node *node, uint32_t *seq)
{
    struct meshrpr_net *net = &node->net;

    if (net->seq > NET_SEQ_MAX) {
        /* §3.9.3: a SEQ is never reused under one IV Index; only an IV Update helps now. */
        return -ENOSPC;
    }
    if (net->seq_unknown) {
        /* §3.9.3 again: no SEQ is provably unused under this IV Index. */
        return -EAGAIN;
    }
    if (net->seq >= net->seq_limit) {
        /* Persist the end of a new block before using its first value, so a node restarted
         * from storage continues above every SEQ it may have sent. A failed write is logged
         * by the node and not fatal: refusing to send would take the node off the mesh. */
        uint32_t limit = net->seq + MESHRPR_SEQ_STORE_RATE;
        net->seq_limit = limit > NET_SEQ_SPACE ? NET_SEQ_SPACE : limit;
        (void)meshrpr_net_store(node);
    }
    *seq = net->seq++;
    return 0;
}

void meshrpr_net_iv_moved(struct meshrpr_node *node)
{
    struct meshrpr_net *net = &node->net;

    if (!net->seq_unknown) {
        return;
    }
    if (!net->iv_learned) {
        /* The first IV Index heard is the current one, under which the lost SEQs were used. */
        net->iv_learned = true;
        return;
    }
    net->seq_unknown = false;
    MESHRPR_LOG_INF(&node->platform, "IV Index moved on: transmitting again from SEQ 0");
}

uint32_t meshrpr_net_tx_iv_index(const struct meshrpr_node *node)
{
    /* §3.11.5, Table 3.84: during an IV Update the previous IV Index is used to transmit. */
    return node->net.iv_index - (node->net.iv_update ? 1u : 0u);
}

uint8_t meshrpr_net_resolve_ttl(const struct meshrpr_node *node, uint8_t ttl)
{
    return ttl == BT_MESH_TTL_DEFAULT ? node->net.default_ttl : ttl;
}

/* ---- Network message cache, §3.4.6.5 ---------------------------------------------------- */

/* The key ignores TTL and NetMIC, so a relayed copy of a PDU hits its original's entry. */
static bool cache_has(const struct meshrpr_net *net, uint16_t src, uint32_t ivi_seq)
{
    for (size_t i = 0; i < net->cache_size; i++) {
        if (net->cache[i].src == src && net->cache[i].ivi_seq == ivi_seq) {
            return true;
        }
    }
    return false;
}

/* Entries are added only after authentication; the oldest is replaced when full. */
static void cache_add(struct meshrpr_net *net, uint16_t src, uint32_t ivi_seq)
{
    net->cache[net->cache_next].src = src;
    net->cache[net->cache_next].ivi_seq = ivi_seq;
    net->cache_next = (uint16_t)((net->cache_next + 1u) % net->cache_size);
}

/* ---- Transmission ----------------------------------------------------------------------- */

/* Network Transmit and Relay Retransmit share one encoding (§4.2.20, §4.2.21). */
static struct meshrpr_adv_params transmit_params(uint8_t transmit)
{
    struct meshrpr_adv_params params = {
        .count = (uint8_t)((transmit & 0x07) + 1),
        .interval_ms = (uint16_t)(((transmit >> 3) + 1) * 10),
    };
    return params;
}

static int adv_send(struct meshrpr_node *node, const uint8_t *pdu, size_t len, uint8_t transmit)
{
    const struct meshrpr_adv_params params = transmit_params(transmit);

    if (node->platform.adv_send == NULL) {
        return -ENOTSUP;
    }
    return meshrpr_node_adv_send(node, AD_TYPE_MESH_MESSAGE, pdu, len, &params);
}

/* ---- Loopback --------------------------------------------------------------------------- */

/* Deliver what was queued before this run; PDUs queued by the deliveries themselves (a local
 * answer to a local request) wait for the next run of the timer, so a node talking to itself
 * can never recurse or spin inside one call. */
static void loopback_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_node *node =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_node, net.loopback_timer);
    struct meshrpr_net *net = &node->net;
    uint8_t pending = net->loopback_count;

    while (pending-- > 0 && net->loopback_count > 0) {
        const struct meshrpr_loopback_pdu entry = net->loopback[net->loopback_head];
        const struct meshrpr_net_rx rx = {
            .net_idx = entry.net_idx,
            .iv_index = entry.iv_index,
            .seq = entry.seq,
            .src = entry.src,
            .dst = entry.dst,
            .ttl = entry.ttl,
            .ctl = entry.ctl,
            .rssi = 0,
            .local = true,
        };

        net->loopback_head = (uint8_t)((net->loopback_head + 1) % MESHRPR_LOOPBACK_COUNT);
        net->loopback_count--;
        meshrpr_lower_transport_recv(node, &rx, entry.transport_pdu, entry.len);
    }
    if (net->loopback_count > 0) {
        meshrpr_node_timer_start(node, &net->loopback_timer, 0);
    }
}

static int loopback_push(struct meshrpr_node *node, const struct meshrpr_net_tx *tx, uint32_t seq,
                         uint32_t iv_index, const uint8_t *transport_pdu, size_t len)
{
    struct meshrpr_net *net = &node->net;
    struct meshrpr_loopback_pdu *entry;

    if (net->loopback_count >= MESHRPR_LOOPBACK_COUNT) {
        return -ENOBUFS;
    }
    entry = &net->loopback[(net->loopback_head + net->loopback_count) % MESHRPR_LOOPBACK_COUNT];
    entry->net_idx = tx->net_idx;
    entry->src = tx->src;
    entry->dst = tx->dst;
    entry->seq = seq;
    entry->iv_index = iv_index;
    entry->ttl = tx->ttl;
    entry->ctl = tx->ctl;
    entry->len = (uint8_t)len;
    memcpy(entry->transport_pdu, transport_pdu, len);
    net->loopback_count++;
    if (!meshrpr_timer_is_armed(&net->loopback_timer)) {
        meshrpr_node_timer_start(node, &net->loopback_timer, 0);
    }
    return 0;
}

/* ---- The node's network layer ----------------------------------------------------------- */

void meshrpr_net_init(struct meshrpr_node *node)
{
    struct meshrpr_net *net = &node->net;
    const struct meshrpr_node_capacity *cap = node->cfg.capacity;

    memset(net, 0, sizeof(*net));
    net->cache = net->cache_storage;
    net->cache_size = MESHRPR_MSG_CACHE_SIZE;
    if (cap != NULL && cap->msg_cache != NULL && cap->msg_cache_size >= 2) {
        memset(cap->msg_cache, 0, cap->msg_cache_size * sizeof(cap->msg_cache[0]));
        net->cache = cap->msg_cache;
        net->cache_size = (uint16_t)cap->msg_cache_size;
    }
    net->default_ttl = NET_DEFAULT_TTL;
    net->net_transmit = NET_DEFAULT_TRANSMIT;
    net->relay =
        (node->cfg.features & BT_MESH_FEAT_RELAY) != 0 ? RELAY_ENABLED : RELAY_NOT_SUPPORTED;
    net->relay_retransmit = NET_DEFAULT_TRANSMIT;
    meshrpr_timer_init(&net->loopback_timer, loopback_expired);
}

void meshrpr_net_hooks_set(struct meshrpr_node *node, const struct meshrpr_net_hooks *hooks)
{
    node->net_hooks = *hooks;
}

void meshrpr_net_default_ttl_set(struct meshrpr_node *node, uint8_t ttl)
{
    node->net.default_ttl = ttl;
}

void meshrpr_net_relay_set(struct meshrpr_node *node, uint8_t relay, uint8_t retransmit)
{
    if (node->net.relay != RELAY_NOT_SUPPORTED) {
        node->net.relay = relay;
    }
    node->net.relay_retransmit = retransmit;
}

void meshrpr_net_transmit_set(struct meshrpr_node *node, uint8_t transmit)
{
    node->net.net_transmit = transmit;
}

void meshrpr_net_seq_reset(struct meshrpr_node *node)
{
    node->net.seq = 0;
    node->net.seq_limit = 0;
    node->net.seq_unknown = false;
}

void meshrpr_net_iv_set(struct meshrpr_node *node, uint32_t iv_index, bool iv_update)
{
    node->net.iv_index = iv_index;
    node->net.iv_update = iv_update;
}

/* Whether the access layer wants a message to dst (through the composer's hook). */
static bool net_wants_dst(const struct meshrpr_node *node, uint16_t dst)
{
    return node->net_hooks.wants_dst != NULL && node->net_hooks.wants_dst(node, dst);
}

void meshrpr_net_start(struct meshrpr_node *node)
{
    /* Nothing runs periodically at the network layer: receiving and relaying are driven by
     * the bearer, loopback by meshrpr_net_send(). */
    MESHRPR_LOG_DBG(&node->platform, "IV Index 0x%08x%s, seq 0x%06x", (unsigned)node->net.iv_index,
                    node->net.iv_update ? " (IV Update)" : "", (unsigned)node->net.seq);
}

int meshrpr_net_send(struct meshrpr_node *node, const struct meshrpr_net_tx *tx,
                     const uint8_t *transport_pdu, size_t len)
{
    const struct meshrpr_subnet *sub;
    uint8_t pdu[MESHRPR_NET_PDU_MAX_LEN];
    size_t pdu_len;
    uint32_t seq;
    uint32_t iv_index;
    int err;

    if (tx == NULL || transport_pdu == NULL || len == 0 ||
        len > (tx->ctl ? NET_CTL_MAX_LEN : NET_ACC_MAX_LEN) || tx->ttl > NET_TTL_MAX ||
        !net_addrs_valid(tx->ctl, tx->src, tx->dst) || (tx->has_seq && tx->seq > NET_SEQ_MAX)) {
        return -EINVAL;
    }
    sub = meshrpr_keys_subnet_get(node, tx->net_idx);
    if (sub == NULL) {
        return -ENOENT;
    }
    const bool to_self = meshrpr_node_is_local_addr(node, tx->dst);
    const bool to_group_here = !BT_MESH_ADDR_IS_UNICAST(tx->dst) && net_wants_dst(node, tx->dst);
    /* §3.4.5.2: the advertising bearer's output filter drops originated PDUs with TTL 1, so
     * they reach the local elements only. */
    const bool on_air = !to_self && tx->ttl != 1;

    if ((to_self || to_group_here) && node->net.loopback_count >= MESHRPR_LOOPBACK_COUNT) {
        return -ENOBUFS;
    }
    if (tx->has_seq) {
        seq = tx->seq;
        iv_index = tx->iv_index;
    } else {
        err = meshrpr_net_seq_alloc(node, &seq);
        if (err != 0) {
            return err;
        }
        iv_index = meshrpr_net_tx_iv_index(node);
    }
    if (to_self || to_group_here) {
        err = loopback_push(node, tx, seq, iv_index, transport_pdu, len);
        if (err != 0) {
            return err;
        }
    }
    if (!on_air) {
        return 0;
    }
    err = meshrpr_net_encode(&sub->cred, iv_index, tx->ctl, tx->ttl, seq, tx->src, tx->dst,
                             transport_pdu, len, pdu, &pdu_len);
    if (err == 0) {
        err = adv_send(node, pdu, pdu_len, node->net.net_transmit);
    }
    if (err != 0) {
        MESHRPR_LOG_WRN(&node->platform, "sending seq 0x%06x to 0x%04x failed (%d)", (unsigned)seq,
                        tx->dst, err);
        return err;
    }
    node->net.tx_count++;
    MESHRPR_LOG_DBG(&node->platform, "tx 0x%04x->0x%04x ttl %u seq 0x%06x ctl %d len %u", tx->src,
                    tx->dst, tx->ttl, (unsigned)seq, tx->ctl, (unsigned)len);
    return 0;
}

/* §3.4.6.3: relay on the same subnet with TTL - 1, the same SEQ and the same IV Index. */
static void net_relay(struct meshrpr_node *node, const struct meshrpr_subnet *sub,
                      uint32_t iv_index, const struct meshrpr_net_pdu *rx)
{
    uint8_t pdu[MESHRPR_NET_PDU_MAX_LEN];
    size_t pdu_len;
    int err;

    /* Bounded relay queue, drop-newest: a relay PDU is not relayed while
     * MESHRPR_RELAY_QUEUE_LEN of the node's PDUs wait in the host's advertising queue. A
     * relay that hears more than it can send would otherwise queue without limit, its own
     * segment acks and reports waiting behind every relayed copy (congestion collapse).
     * Own PDUs are never dropped here, so they wait behind at most that many relays; the
     * dropped copy is one of several a flooded network carries (§3.4.6.3 allows not
     * relaying). */
    if (node->adv.last_id - node->adv.sent_id >= MESHRPR_RELAY_QUEUE_LEN) {
        node->net.relay_drop_count++;
        MESHRPR_LOG_DBG(&node->platform, "relay queue full: seq 0x%06x from 0x%04x not relayed",
                        (unsigned)rx->seq, rx->src);
        return;
    }
    err = meshrpr_net_encode(&sub->cred, iv_index, rx->ctl, (uint8_t)(rx->ttl - 1), rx->seq,
                             rx->src, rx->dst, rx->transport_pdu, rx->transport_len, pdu, &pdu_len);
    if (err == 0) {
        err = adv_send(node, pdu, pdu_len, node->net.relay_retransmit);
    }
    if (err != 0) {
        MESHRPR_LOG_WRN(&node->platform, "relaying seq 0x%06x from 0x%04x failed (%d)",
                        (unsigned)rx->seq, rx->src, err);
        return;
    }
    node->net.relay_count++;
}

void meshrpr_net_recv(struct meshrpr_node *node, const uint8_t *data, size_t len, int8_t rssi)
{
    struct meshrpr_net *net = &node->net;
    const struct meshrpr_subnet *sub = NULL;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];
    struct meshrpr_net_pdu pdu;
    uint32_t iv_index;
    int err = -EINVAL;

    if (data == NULL || len < NET_HDR_LEN + 1 + NET_MIC_LEN_ACC || len > MESHRPR_NET_PDU_MAX_LEN) {
        net->drop_count++;
        return;
    }
    /* §3.9.4 / Table 3.84: the IVI bit tells the current IV Index from the previous one. */
    if ((data[0] >> 7) == (net->iv_index & 1)) {
        iv_index = net->iv_index;
    } else if (net->iv_index > 0) {
        iv_index = net->iv_index - 1;
    } else {
        net->drop_count++;
        return;
    }
    /* The NID has 7 bits only: try every subnet that shares it until one authenticates. The
     * message cache is looked up as soon as the header is de-obfuscated, before the NetMIC
     * is checked (§3.4.6.5 keys it on SRC and SEQ): every Network Transmit and relayed copy
     * of a PDU we have is dropped without a decryption. Entries are added only after
     * authentication, so a forged header can only lose a copy of a PDU already taken. With
     * the wrong one of several subnets sharing a NID the header is noise that may match by
     * chance (a local SRC is 16 bits only), so a match only skips that subnet: the PDU counts
     * as a duplicate only if no other subnet authenticates it. */
    const uint32_t ivi_bit = (uint32_t)(data[0] >> 7) << 24;
    bool dup = false;
    while ((sub = meshrpr_keys_subnet_by_nid(node, data[0] & 0x7f, sub)) != NULL) {
        err = net_deobfuscate(&sub->cred, iv_index, data, len, scratch);
        if (err != 0) {
            continue;
        }
        const uint16_t hdr_src = get_be16(&scratch[5]);
        /* Our own PDU heard back from a relay: already delivered locally, never relayed. */
        if (meshrpr_node_is_local_addr(node, hdr_src) ||
            cache_has(net, hdr_src, ivi_bit | get_be24(&scratch[2]))) {
            dup = true;
            continue;
        }
        err = net_decrypt(&sub->cred, iv_index, data, len, scratch, &pdu);
        if (err == 0) {
            break;
        }
    }
    if (sub == NULL) {
        if (dup) {
            net->dup_count++;
        } else {
            net->drop_count++;
        }
        return;
    }
    const uint32_t ivi_seq = (uint32_t)pdu.ivi << 24 | pdu.seq;
    cache_add(net, pdu.src, ivi_seq);
    net->rx_count++;
    MESHRPR_LOG_DBG(&node->platform, "rx 0x%04x->0x%04x ttl %u seq 0x%06x ctl %d len %u", pdu.src,
                    pdu.dst, pdu.ttl, (unsigned)pdu.seq, pdu.ctl, (unsigned)pdu.transport_len);

    const uint16_t net_idx = sub->net_idx;
    const bool to_self = meshrpr_node_is_local_addr(node, pdu.dst);
    if (to_self || (!BT_MESH_ADDR_IS_UNICAST(pdu.dst) && net_wants_dst(node, pdu.dst))) {
        const struct meshrpr_net_rx rx = {
            .net_idx = net_idx,
            .iv_index = iv_index,
            .seq = pdu.seq,
            .src = pdu.src,
            .dst = pdu.dst,
            .ttl = pdu.ttl,
            .ctl = pdu.ctl,
            .rssi = rssi,
            .local = false,
        };
        meshrpr_lower_transport_recv(node, &rx, pdu.transport_pdu, pdu.transport_len);
    }
    /* Relay condition of §3.4.6.3 for managed flooding. The delivery above may have run a
     * Config NetKey Delete for this very subnet, so the subnet is looked up again. */
    if (net->relay == RELAY_ENABLED && pdu.ttl >= 2 && !to_self) {
        sub = meshrpr_keys_subnet_get(node, net_idx);
        if (sub != NULL) {
            net_relay(node, sub, iv_index, &pdu);
        }
    }
}

/* ---- Persistence ------------------------------------------------------------------------ */

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int meshrpr_net_store(struct meshrpr_node *node)
{
    const struct meshrpr_net *net = &node->net;
    uint8_t seq_blob[NET_SEQ_BLOB_LEN];
    uint8_t cfg_blob[NET_CFG_BLOB_LEN];
    /* Never store a limit below what was already handed out. */
    const uint32_t limit = net->seq_limit > net->seq ? net->seq_limit : net->seq;
    int err;

    seq_blob[0] = NET_STORE_VERSION;
    put_le32(&seq_blob[1], net->iv_index);
    seq_blob[5] = net->iv_update ? 1 : 0;
    put_le32(&seq_blob[6], limit);
    cfg_blob[0] = NET_STORE_VERSION;
    cfg_blob[1] = net->default_ttl;
    cfg_blob[2] = net->net_transmit;
    cfg_blob[3] = net->relay;
    cfg_blob[4] = net->relay_retransmit;
    cfg_blob[5] = node->beacon.enabled;

    /* While no SEQ is provably unused, a stored mark would be a false proof after the next
     * restart: only the configuration is written. */
    err = net->seq_unknown ? 0 : meshrpr_node_store(node, "net/seq", seq_blob, sizeof(seq_blob));
    if (err == 0 && !net->seq_unknown) {
        err = meshrpr_node_store(node, "net/seq_hw", seq_blob, sizeof(seq_blob));
    }
    if (err == 0) {
        err = meshrpr_node_store(node, "net/cfg", cfg_blob, sizeof(cfg_blob));
    }
    return err;
}

int meshrpr_net_restore(struct meshrpr_node *node)
{
    struct meshrpr_net *net = &node->net;
    uint8_t blob[16];
    int len;

    static const char *const keys[2] = { "net/seq", "net/seq_hw" };
    bool valid[2] = { false, false };
    uint32_t iv[2] = { 0, 0 };
    uint32_t lim[2] = { 0, 0 };
    bool upd[2] = { false, false };
    int best = -1;

    for (int k = 0; k < 2; k++) {
        len = meshrpr_node_load(node, keys[k], blob, sizeof(blob));
        if (len >= NET_SEQ_BLOB_LEN && blob[0] == NET_STORE_VERSION && (blob[5] & ~1u) == 0) {
            valid[k] = true;
            iv[k] = get_le32(&blob[1]);
            upd[k] = (blob[5] & 1) != 0;
            lim[k] = get_le32(&blob[6]);
            /* The later IV Index wins, then the higher mark. */
            if (best < 0 || iv[k] > iv[best] || (iv[k] == iv[best] && lim[k] > lim[best])) {
                best = k;
            }
        } else if (len != -ENOENT) {
            MESHRPR_LOG_WRN(&node->platform, "ignoring %s (%d octets)", keys[k], len);
        }
    }
    if (best >= 0) {
        uint32_t limit = lim[best];
        if (!valid[best ^ 1] || iv[0] != iv[1] || lim[0] != lim[1]) {
            /* One copy only, or two that disagree: the lost write may have been a block
             * ahead of the one kept. */
            limit += MESHRPR_SEQ_STORE_RATE;
        }
        net->iv_index = iv[best];
        net->iv_update = upd[best];
        /* Continue at the stored limit: every SEQ below it may have been sent already. */
        net->seq = limit > NET_SEQ_SPACE ? NET_SEQ_SPACE : limit;
        net->seq_limit = net->seq;
    } else if (node->provisioned) {
        MESHRPR_LOG_ERR(&node->platform,
                        "no readable SEQ record: not transmitting until the IV Index moves on");
        net->seq_unknown = true;
        net->iv_learned = false;
    }

    len = meshrpr_node_load(node, "net/cfg", blob, sizeof(blob));
    if (len >= 5 && blob[0] == NET_STORE_VERSION) {
        /* §4.2.8: Default TTL 1 and above 0x7f are prohibited. */
        if (blob[1] != 1 && blob[1] <= NET_TTL_MAX) {
            net->default_ttl = blob[1];
        }
        net->net_transmit = blob[2];
        if (net->relay != RELAY_NOT_SUPPORTED && blob[3] <= RELAY_ENABLED) {
            net->relay = blob[3];
        }
        net->relay_retransmit = blob[4];
        if (len >= NET_CFG_BLOB_LEN && blob[5] <= 1) {
            node->beacon.enabled = blob[5];
        }
    } else if (len >= 0) {
        MESHRPR_LOG_WRN(&node->platform, "ignoring net/cfg (%d octets)", len);
    }
    return 0;
}
