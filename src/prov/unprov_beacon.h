/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Unprovisioned Device beacon (MshPRTv1.1 §3.10.2): sent periodically by an unprovisioned
 * device that accepts PB-ADV links, suspended while such a link is open, stopped once the
 * node is provisioned; plus the codec a scanner (the provisioner, the Remote Provisioning
 * Server) uses on received beacons.
 */
#ifndef MESHRPR_PROV_UNPROV_BEACON_H
#define MESHRPR_PROV_UNPROV_BEACON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/node.h>

/* Beacon payload after the AD type: Beacon Type, UUID, OOB Information [, URI Hash]. */
#define MESHRPR_UNPROV_BEACON_LEN         19
#define MESHRPR_UNPROV_BEACON_LEN_URI     23
#define MESHRPR_UNPROV_BEACON_INTERVAL_MS 5000u /* default, as Zephyr */
#define MESHRPR_UNPROV_BEACON_URI_MAX     29    /* URI AD data in one 31-octet AD structure */

/* AD type of the URI advertised next to the beacon (Bluetooth Assigned Numbers). */
#define MESHRPR_AD_TYPE_URI 0x24

/* ---- Codec ---------------------------------------------------------------------------------- */

/* The URI Hash: the first 4 octets of s1(URI Data), where URI Data is the URI AD structure's
 * data (a scheme code point, then the rest of the URI). @return 0 or -EIO. */
int meshrpr_unprov_beacon_uri_hash(const uint8_t *uri, size_t len, uint8_t hash[4]);

/* Build the beacon (AD data of a Mesh Beacon AD structure) into out. uri_hash may be NULL.
 * @return 19 or 23, the length. */
size_t meshrpr_unprov_beacon_encode(const uint8_t uuid[16], uint16_t oob_info,
                                    const uint8_t *uri_hash, uint8_t out[23]);

/* Parse a Mesh Beacon AD's data as an Unprovisioned Device beacon: 19 octets, or 23 with a
 * URI Hash. uri_hash receives the 4 hash octets read big-endian (as Zephyr's
 * unprovisioned_beacon callback), 0 when absent. Any output pointer may be NULL.
 * @return 0, or -EINVAL (not an Unprovisioned Device beacon, or a wrong length). */
int meshrpr_unprov_beacon_parse(const uint8_t *data, size_t len, uint8_t uuid[16],
                                uint16_t *oob_info, uint32_t *uri_hash, bool *has_uri_hash);

/* An Unprovisioned Device beacon heard: to the application's unprovisioned_beacon callback,
 * the provisioner's device discovery (§3.10.2). (The Remote Provisioning Server reads them
 * through the node's scan observer, with the advertiser's address.) */
void meshrpr_unprov_beacon_recv(struct meshrpr_node *node, const uint8_t *data, size_t len);

/* ---- Sending --------------------------------------------------------------------------------- */

/* Start beaconing as an unprovisioned device: the first beacon within 100 ms, then one every
 * interval (MESHRPR_UNPROV_BEACON_INTERVAL_MS unless set), three transmissions 20 ms apart
 * each. uri (may be NULL) is the URI AD data as a string whose first character is the scheme
 * code point (Zephyr's bt_mesh_prov.uri); its hash goes into the beacon, and when it fits one
 * AD structure (MESHRPR_UNPROV_BEACON_URI_MAX octets) it is sent as its own AD structure after
 * each beacon. Calling it again replaces the settings.
 * @return 0, -EALREADY when the node is provisioned, -EINVAL (NULL uuid), -EIO. */
int meshrpr_unprov_beacon_start(struct meshrpr_node *node, const uint8_t uuid[16],
                                uint16_t oob_info, const char *uri);
void meshrpr_unprov_beacon_stop(struct meshrpr_node *node);

/* Beacon interval; 0 restores the default. Takes effect from the next beacon. */
void meshrpr_unprov_beacon_interval_set(struct meshrpr_node *node, uint32_t interval_ms);

/* Whether beacons are scheduled (started, not suspended by a link, not provisioned). */
bool meshrpr_unprov_beacon_is_running(const struct meshrpr_node *node);

/* Called by PB-ADV when its device-side link opens (true) and when it is free again (false):
 * MshPRTv1.1 §5.4.2.1, no beacon while being provisioned. */
void meshrpr_unprov_beacon_suspend(struct meshrpr_node *node, bool suspended);

#endif /* MESHRPR_PROV_UNPROV_BEACON_H */
