/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mesh beacons (MshPRTv1.1 §3.10) on the Mesh Beacon AD type: the Secure Network Beacon
 * codec, its periodic transmission for every subnet, and reception, which authenticates a
 * beacon against every subnet and applies the IV Index it carries (§3.10.5, §3.11.5).
 *
 * Schedule: the first round of beacons goes out after a random delay of 0..10 s drawn from
 * the node's random source when the node starts with keys (so a simulated network does not
 * beacon in lockstep and runs repeat exactly), then one beacon per subnet every 10 s. The
 * observation-based interval of §3.10.3.1 is not implemented: 10 s is its lower bound.
 */
#include "net/beacon.h"

#include <meshrpr/prov.h>

#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "beacon"
#include "core/log.h"

#include "crypto/crypto.h"
#include "net/keys.h"
#include "net/net.h"
#include "node/node_services.h"

#include <meshrpr/util.h>

/* Mesh Beacon AD type (Bluetooth Assigned Numbers, MshPRTv1.1 §3.3.1). */
#define AD_TYPE_MESH_BEACON 0x2b

/* Beacon Type octet (§3.10). */
#define BEACON_TYPE_UNPROVISIONED 0x00
#define BEACON_TYPE_SECURE        0x01
#define BEACON_TYPE_PRIVATE       0x02

#define SECURE_BEACON_LEN  22
#define BEACON_INTERVAL_MS 10000u

/* §3.10.5: an IV Index more than 42 above the current one is never accepted. */
#define IV_INDEX_MAX_STEP 42u

/* Beacons are sent once, like Zephyr's (one transmission; the advertiser adds its delay). */
static const struct meshrpr_adv_params beacon_adv_params = { .count = 1, .interval_ms = 20 };

/* ---- Pure codec ------------------------------------------------------------------------- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int meshrpr_beacon_secure_encode(const struct meshrpr_subnet *sub, uint8_t flags, uint32_t iv_index,
                                 uint8_t out[22])
{
    if (sub == NULL || out == NULL) {
        return -EINVAL;
    }
    /* §3.10.3: Type | Flags | Network ID (8) | IV Index (4, BE) | Authentication Value (8). */
    out[0] = BEACON_TYPE_SECURE;
    out[1] = flags;
    memcpy(&out[2], sub->network_id, 8);
    put_be32(&out[10], iv_index);
    return meshrpr_crypto_secure_beacon_auth(sub->beacon_key, flags, sub->network_id, iv_index,
                                             &out[14]);
}

int meshrpr_beacon_secure_decode(const struct meshrpr_subnet *sub, const uint8_t *data, size_t len,
                                 uint8_t *flags, uint32_t *iv_index)
{
    uint8_t auth[8];
    uint8_t diff = 0;
    int err;

    if (sub == NULL || data == NULL || len != SECURE_BEACON_LEN || data[0] != BEACON_TYPE_SECURE ||
        memcmp(&data[2], sub->network_id, 8) != 0) {
        return -EINVAL;
    }
    const uint32_t iv = get_be32(&data[10]);
    err = meshrpr_crypto_secure_beacon_auth(sub->beacon_key, data[1], sub->network_id, iv, auth);
    if (err != 0) {
        return err;
    }
    /* Compare every octet so the time taken does not tell how much of a forgery matched. */
    for (size_t i = 0; i < sizeof(auth); i++) {
        diff |= (uint8_t)(auth[i] ^ data[14 + i]);
    }
    if (diff != 0) {
        return -EBADMSG;
    }
    if (flags != NULL) {
        *flags = data[1];
    }
    if (iv_index != NULL) {
        *iv_index = iv;
    }
    return 0;
}

/* ---- Sending ---------------------------------------------------------------------------- */

static uint8_t beacon_flags(const struct meshrpr_node *node)
{
    /* Key Refresh is not implemented, so its flag is always 0 (phase 0 everywhere). */
    return node->net.iv_update ? BT_MESH_FLAG_IV_UPDATE : 0;
}

int meshrpr_beacon_send(struct meshrpr_node *node, uint16_t net_idx)
{
    const struct meshrpr_subnet *sub = meshrpr_keys_subnet_get(node, net_idx);
    uint8_t beacon[SECURE_BEACON_LEN];
    int err;

    if (sub == NULL) {
        return -ENOENT;
    }
    if (node->platform.adv_send == NULL) {
        return -ENOTSUP;
    }
    /* The beacon carries the current IV Index, not the one used to transmit (§3.10.3). */
    err = meshrpr_beacon_secure_encode(sub, beacon_flags(node), node->net.iv_index, beacon);
    if (err == 0) {
        err = meshrpr_node_adv_send(node, AD_TYPE_MESH_BEACON, beacon, sizeof(beacon),
                                    &beacon_adv_params);
    }
    if (err == 0) {
        node->beacon.tx_count++;
    }
    return err;
}

static void beacon_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_node *node = MESHRPR_CONTAINER_OF(timer, struct meshrpr_node, beacon.timer);

    if (!node->provisioned || node->beacon.enabled != 1) {
        return;
    }
    for (size_t i = 0; i < MESHRPR_SUBNET_COUNT; i++) {
        const struct meshrpr_subnet *sub = &node->keys.subnets[i];
        if (sub->valid) {
            int err = meshrpr_beacon_send(node, sub->net_idx);
            if (err != 0) {
                MESHRPR_LOG_DBG(&node->platform, "beacon for net_idx 0x%03x not sent (%d)",
                                sub->net_idx, err);
            }
        }
    }
    meshrpr_node_timer_start(node, &node->beacon.timer, node->beacon.interval_ms);
}

void meshrpr_beacon_init(struct meshrpr_node *node)
{
    memset(&node->beacon, 0, sizeof(node->beacon));
    node->beacon.enabled = 1; /* §4.2.10; enabled by default like Zephyr */
    node->beacon.interval_ms = BEACON_INTERVAL_MS;
    meshrpr_timer_init(&node->beacon.timer, beacon_expired);
}

void meshrpr_beacon_start(struct meshrpr_node *node)
{
    if (!node->provisioned || node->beacon.enabled != 1 ||
        meshrpr_timer_is_armed(&node->beacon.timer)) {
        return;
    }
    meshrpr_node_timer_start(node, &node->beacon.timer,
                             meshrpr_node_random_range(node, 0, node->beacon.interval_ms));
}

void meshrpr_beacon_stop(struct meshrpr_node *node)
{
    meshrpr_node_timer_cancel(node, &node->beacon.timer);
}

void meshrpr_beacon_set(struct meshrpr_node *node, uint8_t enabled)
{
    if (enabled > 1) {
        return; /* prohibited value (§4.2.10); the Config Server ignores such a Set */
    }
    if (node->beacon.enabled != enabled) {
        node->beacon.enabled = enabled;
        (void)meshrpr_net_store(node); /* stored with the network configuration states */
    }
    if (enabled) {
        meshrpr_beacon_start(node);
    } else {
        meshrpr_beacon_stop(node);
    }
}

/* ---- Receiving -------------------------------------------------------------------------- */

/*
 * Apply the IV Index and IV Update flag of an authenticated Secure Network Beacon
 * (§3.10.5, §3.11.5, mesh-stack-facts §2.6), kept simple:
 * - a lower IV Index, or one more than 42 above the current one, is ignored;
 * - the same IV Index ends an IV Update in progress when the flag is 0, and changes nothing
 *   otherwise;
 * - a higher IV Index (IV Index Recovery, or the start of an IV Update) is taken with the
 *   beacon's flag, unless it comes from a secondary subnet while the node is a member of the
 *   primary subnet (§3.10.5).
 * SEQ restarts at 0 whenever the IV Index used to transmit rises (§3.11.5: "+1 with the flag
 * set" keeps it, since the old IV Index is still used to transmit). The 96 h and 192 h
 * minimum durations are not enforced, as in IV Update test mode.
 */
static void iv_index_apply(struct meshrpr_node *node, const struct meshrpr_subnet *sub,
                           uint8_t flags, uint32_t iv_index)
{
    struct meshrpr_net *net = &node->net;
    const bool iv_update = (flags & BT_MESH_FLAG_IV_UPDATE) != 0;
    const uint32_t old_tx = meshrpr_net_tx_iv_index(node);

    if (net->seq_unknown && !net->iv_learned && !(iv_update && iv_index == 0)) {
        /* A node that lost its SEQ record lost the IV Index with it: the network's, whatever
         * it is, is the one to learn (net.c keeps the node silent until it moves on). */
        net->iv_index = iv_index;
        net->iv_update = iv_update;
        net->iv_learned = true;
        (void)meshrpr_net_store(node);
        MESHRPR_LOG_INF(&node->platform, "IV Index 0x%08x%s learned from beacon",
                        (unsigned)iv_index, iv_update ? " (IV Update)" : "");
        return;
    }
    if (iv_index < net->iv_index ||
        (uint64_t)iv_index > (uint64_t)net->iv_index + IV_INDEX_MAX_STEP ||
        (iv_update && iv_index == 0)) {
        return;
    }
    if (iv_index == net->iv_index) {
        if (!net->iv_update || iv_update) {
            return;
        }
    } else if (sub->net_idx != 0 && meshrpr_keys_subnet_get(node, 0) != NULL) {
        return;
    }
    net->iv_index = iv_index;
    net->iv_update = iv_update;
    if (meshrpr_net_tx_iv_index(node) != old_tx) {
        net->seq = 0;
        net->seq_limit = 0;
        meshrpr_net_iv_moved(node);
    }
    (void)meshrpr_net_store(node);
    MESHRPR_LOG_INF(&node->platform, "IV Index 0x%08x%s from beacon on net_idx 0x%03x",
                    (unsigned)iv_index, iv_update ? " (IV Update)" : "", sub->net_idx);
}

static void secure_beacon_recv(struct meshrpr_node *node, const uint8_t *data, size_t len)
{
    uint8_t flags;
    uint32_t iv_index;

    if (!node->provisioned) {
        return;
    }
    /* §3.10.3: try every NetKey; the Network ID selects the candidates. */
    for (size_t i = 0; i < MESHRPR_SUBNET_COUNT; i++) {
        const struct meshrpr_subnet *sub = &node->keys.subnets[i];
        if (sub->valid && meshrpr_beacon_secure_decode(sub, data, len, &flags, &iv_index) == 0) {
            node->beacon.rx_count++;
            iv_index_apply(node, sub, flags, iv_index);
            return;
        }
    }
}

/* Secure Network Beacons (§3.10.3). Unprovisioned Device beacons (§3.10.2) are the
 * provisioning bearers' (meshrpr_unprov_beacon_recv), where the composer sends them. */
void meshrpr_beacon_recv(struct meshrpr_node *node, const uint8_t *data, size_t len)
{
    if (data == NULL || len < 1) {
        return;
    }
    switch (data[0]) {
    case BEACON_TYPE_UNPROVISIONED:
        /* The composer hands these to the provisioning bearers' layer (unprov_beacon.c). */
        break;
    case BEACON_TYPE_SECURE:
        secure_beacon_recv(node, data, len);
        break;
    case BEACON_TYPE_PRIVATE:
        /* Mesh Private Beacons (§3.10.4) are not supported: the Private Beacon state is
         * always Disable, and received ones are ignored. */
        break;
    default:
        break; /* RFU beacon types */
    }
}
