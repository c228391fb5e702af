/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A simulated network as the tool keeps it between invocations: the nodes (role, position,
 * what an installer reads on the box, each node's persistent storage), the radio settings, the
 * virtual clock, the provisioner's node database (Mesh Configuration Database JSON) and what
 * the last scans found. world_generate() lays out a new building; world_load() and
 * world_save() read and write the JSON world file, the save atomically (temporary file, fsync,
 * rename, fsync of the directory), so a failed command never leaves a half-written world
 * behind, and a saved one survives a crash.
 */
#ifndef MESHRPR_TOOL_WORLD_H
#define MESHRPR_TOOL_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/cdb.h>

#include "kvstore.h"

#define WORLD_FORMAT_VERSION 1

#define WORLD_MAX_SERVERS 12
#define WORLD_MAX_DEVICES 40
/* Devices beside the provisioner (world new --near), for local PB-ADV. */
#define WORLD_MAX_NEAR  4
#define WORLD_MAX_NODES (1 + WORLD_MAX_SERVERS + WORLD_MAX_DEVICES + WORLD_MAX_NEAR)
/* Scan results kept (one per device and server). */
#define WORLD_MAX_FOUND 128
/* AD structures kept per extended scan result. */
#define WORLD_AD_MAX    64
#define WORLD_NAME_SIZE 16
#define WORLD_URI_SIZE  48

/* Defaults of a new world. */
#define WORLD_DEFAULT_SERVERS 6
#define WORLD_DEFAULT_DEVICES 6
#define WORLD_DEFAULT_RANGE_M 10.0
/* The building: four corridors (east, north, west, south) from the provisioner, servers 9 m
 * apart along them, devices in rooms 7.5 m beside their server: every device is out of the
 * provisioner's 10 m range and within its server's, and the k-th server of a corridor is k
 * hops away. Distances scale with the range. */
#define WORLD_SERVER_SPACING_M 9.0
#define WORLD_DEVICE_OFFSET_M  7.5

#define WORLD_NET_IDX   0x000
#define WORLD_PROV_ADDR 0x0001
#define WORLD_PROV_NAME "provisioner"

enum world_role {
    WORLD_PROVISIONER,
    WORLD_SERVER,
    WORLD_DEVICE,
};

struct world_node {
    char name[WORLD_NAME_SIZE];
    enum world_role role;
    double x_m;
    double y_m;
    uint8_t uuid[16];
    /* The URI the device advertises (https:// or http://), "" when none. */
    char uri[WORLD_URI_SIZE];
    /* Device: elements of Composition Data page 0 (1 or 2), and whether page 128 differs
     * (a Generic Level Server more), for a Node Composition Refresh. */
    uint8_t elements;
    bool comp_change;
    /* Device: Static OOB value (0 octets: none) and Output OOB (actions 0: none). */
    uint8_t static_oob[16];
    uint8_t static_oob_len;
    uint16_t output_actions;
    uint8_t output_size;
    /* OOB Information of the Unprovisioned Device beacon. */
    uint16_t oob_info;
    struct kv_store store;
};

/* A device a scan found (one entry per device and server, the newest report). */
struct world_found {
    uint8_t uuid[16];
    uint16_t server;
    int8_t rssi;
    uint16_t oob_info;
    bool has_uri_hash;
    uint32_t uri_hash;
    /* An Extended Scan Report: the AD structures the server collected. */
    bool ext;
    uint8_t ad_len;
    uint8_t ad[WORLD_AD_MAX];
    uint64_t time_ms;
};

/* A Static OOB value the installer has from a device's box. */
struct world_label {
    uint8_t uuid[16];
    uint8_t value[16];
    uint8_t len;
};

struct world {
    uint64_t seed;
    /* Invocations that changed the world: each one seeds the simulator's randomness afresh. */
    uint64_t generation;
    /* The virtual clock. */
    uint64_t time_ms;
    /* Radio medium. */
    double range_m;
    double loss;
    bool collisions;
    bool half_duplex;
    size_t node_count;
    struct world_node nodes[WORLD_MAX_NODES];
    /* The provisioner's node database. */
    struct meshrpr_cdb cdb;
    /* A digest of cdb as last loaded or stamped, its timestamps left out: world_cdb_timestamp()
     * stamps only a database that changed since. */
    uint64_t cdb_digest;
    size_t label_count;
    struct world_label labels[WORLD_MAX_DEVICES];
    size_t found_count;
    struct world_found found[WORLD_MAX_FOUND];
};

struct world_params {
    unsigned servers;
    unsigned devices;
    /* Devices within the provisioner's own range (0..WORLD_MAX_NEAR). */
    unsigned near;
    uint64_t seed;
    double loss;
    double range_m;
};

/*
 * Check the size of a new building: 1..12 servers, at most 4 devices per server (a server's
 * scan reports 4), and servers + devices within the provisioner's replay protection list
 * (MESHRPR_RPL_SIZE, include/meshrpr/config.h) less two entries for NPPI address refreshes:
 * when the list is full the provisioner drops messages from new sources as the specification
 * requires (MshPRTv1.1 §3.9.8), so bigger networks need a library built with a bigger list.
 * @return 0, or -EINVAL with err saying which option to change.
 */
int world_params_check(const struct world_params *p, char *err, size_t err_size);

/* The most devices a building may have, and (servers, may be NULL) with how many servers. */
unsigned world_max_devices(unsigned *servers);

/* A new world (calloc'ed, every store initialised); free it with world_free(). */
struct world *world_alloc(void);
void world_free(struct world *w);

/* Lay out a new building from the parameters (checked by the caller: 1..12 servers,
 * 0..40 devices, at most 4 devices per server): nodes, keys, database, installer labels. The
 * nodes' storage is empty; the building creates their state (building_install()). */
int world_generate(struct world *w, const struct world_params *p, char *err, size_t err_size);

/* Read a world file. On error err holds one line naming the file's problem. @return 0,
 * -ENOENT, -EINVAL (not a valid world), -ENOMEM, -EIO. */
int world_load(struct world *w, const char *path, char *err, size_t err_size);

/* Write the world atomically. @return 0 or a negative errno (the old file is untouched). */
int world_save(struct world *w, const char *path, char *err, size_t err_size);

/* Remove the temporary files (path.tmp.XXXXXX, mode 0600, holding keys) that saves killed
 * before their rename left next to the world. Only for the holder of the world's lock: nobody
 * else saves then, so every such file is stale. @return how many were removed, or a negative
 * errno when the directory cannot be read. */
int world_remove_stale_tmp(const char *path);

/* The same for the holder of the world's lock (*lock_fd from tool_lock(), lock.h): the new file
 * is locked before it replaces the old one, and *lock_fd becomes its descriptor. */
int world_save_locked(struct world *w, const char *path, int *lock_fd, char *err, size_t err_size);

/* The world as formatted JSON text (malloc'ed). @return NULL on error. */
char *world_to_text(struct world *w, char *err, size_t err_size);

/* The node with this UUID / name, or NULL. */
struct world_node *world_node_by_uuid(struct world *w, const uint8_t uuid[16]);

/* The installer's Static OOB label for a UUID, or NULL. */
const struct world_label *world_label_get(const struct world *w, const uint8_t uuid[16]);

/* Record a scan result (replacing the older one for the same device and server). */
void world_found_put(struct world *w, const struct world_found *f);

/* If the database changed since it was loaded or last stamped, set its timestamp (MshCDB: the
 * last change) from the host's UTC clock, or from SOURCE_DATE_EPOCH (seconds since 1970) when
 * that is set, so that runs can repeat byte for byte (the tool tests set it). */
void world_cdb_timestamp(struct world *w);

/* Encode a URI ("https://x") as the URI AD data (scheme code point, rest); NULL when the scheme
 * is not http or https. out: WORLD_URI_SIZE octets. */
const char *world_uri_ad(const char *uri, char *out);

#endif /* MESHRPR_TOOL_WORLD_H */
