/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Unprovisioned Device beacon (MshPRTv1.1 §3.10.2): Beacon Type 0x00 | Device UUID (16) |
 * OOB Information (2, big-endian) | [URI Hash (4)], on the Mesh Beacon AD type. A device sends
 * it while it supports PB-ADV, is unprovisioned and is not being provisioned (§5.4.2.1), so
 * PB-ADV suspends it while its device-side link exists and the timer stops for good once the
 * node is provisioned.
 *
 * The URI Hash is present only when the device advertises a URI (the 1.1 reading: the beacon
 * is 19 or 23 octets; Zephyr always appends four octets, zeros without a URI). The URI itself
 * goes out as its own AD structure (type 0x24) right after each beacon, as Zephyr does, so a
 * scanner (the Remote Provisioning Server's Extended Scan) can match it against the hash; a URI
 * longer than one legacy AD structure holds (29 octets of data) is only hashed.
 *
 * Schedule: the first beacon within 0..100 ms of starting or of a link ending (random, from
 * the node's source, so simulated devices do not beacon in lockstep), then one every interval
 * (5 s by default, as Zephyr), each as three transmissions 20 ms apart (Zephyr's UNPROV_XMIT).
 */
#include "prov/unprov_beacon.h"

#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "unprov_beacon"
#include "core/log.h"

#include "crypto/crypto.h"
#include "node/node_services.h"
#include "prov/pb_adv.h"

#include <meshrpr/prov.h>
#include <meshrpr/util.h>

#define AD_TYPE_MESH_BEACON       0x2b
#define BEACON_TYPE_UNPROVISIONED 0x00
#define FIRST_BEACON_MAX_DELAY_MS 100u

static const struct meshrpr_adv_params beacon_params = { .count = 3, .interval_ms = 20 };

/* ---- Codec ------------------------------------------------------------------------------------
 */

int meshrpr_unprov_beacon_uri_hash(const uint8_t *uri, size_t len, uint8_t hash[4])
{
    uint8_t s1[16];
    int err;

    if ((uri == NULL && len > 0) || hash == NULL) {
        return -EINVAL;
    }
    err = meshrpr_crypto_s1(uri, len, s1);
    if (err == 0) {
        memcpy(hash, s1, 4);
    }
    return err;
}

size_t meshrpr_unprov_beacon_encode(const uint8_t uuid[16], uint16_t oob_info,
                                    const uint8_t *uri_hash, uint8_t out[23])
{
    out[0] = BEACON_TYPE_UNPROVISIONED;
    memcpy(&out[1], uuid, 16);
    out[17] = (uint8_t)(oob_info >> 8);
    out[18] = (uint8_t)oob_info;
    if (uri_hash == NULL) {
        return MESHRPR_UNPROV_BEACON_LEN;
    }
    memcpy(&out[19], uri_hash, 4);
    return MESHRPR_UNPROV_BEACON_LEN_URI;
}

int meshrpr_unprov_beacon_parse(const uint8_t *data, size_t len, uint8_t uuid[16],
                                uint16_t *oob_info, uint32_t *uri_hash, bool *has_uri_hash)
{
    if (data == NULL ||
        (len != MESHRPR_UNPROV_BEACON_LEN && len != MESHRPR_UNPROV_BEACON_LEN_URI) ||
        data[0] != BEACON_TYPE_UNPROVISIONED) {
        return -EINVAL;
    }
    if (uuid != NULL) {
        memcpy(uuid, &data[1], 16);
    }
    if (oob_info != NULL) {
        *oob_info = (uint16_t)(data[17] << 8 | data[18]);
    }
    if (uri_hash != NULL) {
        *uri_hash = len == MESHRPR_UNPROV_BEACON_LEN_URI
                        ? (uint32_t)data[19] << 24 | (uint32_t)data[20] << 16 |
                              (uint32_t)data[21] << 8 | data[22]
                        : 0;
    }
    if (has_uri_hash != NULL) {
        *has_uri_hash = len == MESHRPR_UNPROV_BEACON_LEN_URI;
    }
    return 0;
}

/* ---- Sending ----------------------------------------------------------------------------------
 */

static uint32_t interval_ms(const struct meshrpr_unprov_beacon *b)
{
    return b->interval_ms != 0 ? b->interval_ms : MESHRPR_UNPROV_BEACON_INTERVAL_MS;
}

static void beacon_send(struct meshrpr_node *node)
{
    struct meshrpr_unprov_beacon *b = &node->pb_adv.beacon;
    uint8_t out[MESHRPR_UNPROV_BEACON_LEN_URI];
    size_t len;
    int err;

    if (node->platform.adv_send == NULL) {
        return;
    }
    len = meshrpr_unprov_beacon_encode(b->uuid, b->oob_info, b->has_uri ? b->uri_hash : NULL, out);
    err = meshrpr_node_adv_send(node, AD_TYPE_MESH_BEACON, out, len, &beacon_params);
    if (err == 0 && b->uri_len > 0) {
        err = meshrpr_node_adv_send(node, MESHRPR_AD_TYPE_URI, b->uri, b->uri_len, &beacon_params);
    }
    if (err != 0) {
        MESHRPR_LOG_WRN(&node->platform, "adv_send failed (%d)", err);
    }
}

static void beacon_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_node *node =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_node, pb_adv.beacon.timer);
    struct meshrpr_unprov_beacon *b = &node->pb_adv.beacon;

    if (!b->enabled) {
        return;
    }
    if (meshrpr_node_is_provisioned(node)) {
        /* §5.4.2.1: a provisioned node does not send it; stop for good. */
        b->enabled = false;
        return;
    }
    if (b->suspended || meshrpr_pb_adv_device_link_active(node)) {
        return; /* resumed by PB-ADV when the link is gone */
    }
    beacon_send(node);
    meshrpr_node_timer_start(node, &b->timer, interval_ms(b));
}

static void beacon_schedule_first(struct meshrpr_node *node)
{
    struct meshrpr_unprov_beacon *b = &node->pb_adv.beacon;

    meshrpr_node_timer_start(node, &b->timer,
                             meshrpr_node_random_range(node, 0, FIRST_BEACON_MAX_DELAY_MS));
}

int meshrpr_unprov_beacon_start(struct meshrpr_node *node, const uint8_t uuid[16],
                                uint16_t oob_info, const char *uri)
{
    struct meshrpr_unprov_beacon *b;
    size_t uri_len = uri != NULL ? strlen(uri) : 0;
    uint8_t hash[4] = { 0 };

    if (node == NULL || uuid == NULL) {
        return -EINVAL;
    }
    if (meshrpr_node_is_provisioned(node)) {
        return -EALREADY;
    }
    if (uri_len > 0 && meshrpr_unprov_beacon_uri_hash((const uint8_t *)uri, uri_len, hash) != 0) {
        return -EIO;
    }
    b = &node->pb_adv.beacon;
    if (!meshrpr_timer_is_armed(&b->timer)) {
        meshrpr_timer_init(&b->timer, beacon_expired);
    }
    memcpy(b->uuid, uuid, 16);
    b->oob_info = oob_info;
    b->has_uri = uri_len > 0;
    b->uri_len = 0;
    if (uri_len <= MESHRPR_UNPROV_BEACON_URI_MAX) {
        memcpy(b->uri, uri != NULL ? uri : "", uri_len);
        b->uri_len = (uint8_t)uri_len;
    } else {
        MESHRPR_LOG_WRN(&node->platform, "URI of %u octets: hashed, not advertised",
                        (unsigned)uri_len);
    }
    if (b->has_uri) {
        memcpy(b->uri_hash, hash, 4);
    }
    b->enabled = true;
    if (!b->suspended && !meshrpr_pb_adv_device_link_active(node)) {
        beacon_schedule_first(node);
    }
    return 0;
}

void meshrpr_unprov_beacon_stop(struct meshrpr_node *node)
{
    if (node == NULL) {
        return;
    }
    node->pb_adv.beacon.enabled = false;
    meshrpr_node_timer_cancel(node, &node->pb_adv.beacon.timer);
}

void meshrpr_unprov_beacon_interval_set(struct meshrpr_node *node, uint32_t interval)
{
    if (node != NULL) {
        node->pb_adv.beacon.interval_ms = interval;
    }
}

bool meshrpr_unprov_beacon_is_running(const struct meshrpr_node *node)
{
    return node->pb_adv.beacon.enabled && meshrpr_timer_is_armed(&node->pb_adv.beacon.timer);
}

void meshrpr_unprov_beacon_suspend(struct meshrpr_node *node, bool suspended)
{
    struct meshrpr_unprov_beacon *b = &node->pb_adv.beacon;

    b->suspended = suspended;
    if (suspended) {
        meshrpr_node_timer_cancel(node, &b->timer);
        return;
    }
    if (!b->enabled) {
        return;
    }
    if (meshrpr_node_is_provisioned(node)) {
        b->enabled = false; /* the link that just ended provisioned us */
        return;
    }
    beacon_schedule_first(node);
}

void meshrpr_unprov_beacon_recv(struct meshrpr_node *node, const uint8_t *data, size_t len)
{
    const struct bt_mesh_prov *prov = node->cfg.prov;
    uint8_t uuid[16];
    uint16_t oob_info;
    uint32_t uri_hash;
    bool has_uri_hash;

    if (prov == NULL || prov->unprovisioned_beacon == NULL ||
        meshrpr_unprov_beacon_parse(data, len, uuid, &oob_info, &uri_hash, &has_uri_hash) != 0) {
        return;
    }
    prov->unprovisioned_beacon(uuid, (bt_mesh_prov_oob_info_t)oob_info,
                               has_uri_hash ? &uri_hash : NULL);
}
