/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * The provisioner's node database (Zephyr's CDB): network and application keys, the
 * provisioners sharing the mesh with their allocated ranges, and the provisioned nodes with
 * their UUID, primary address, element count, NetKey index and device key. A caller-owned
 * struct, so several provisioners can run in one process.
 *
 * The tables are fixed-size (MESHRPR_CDB_*_COUNT) and the table functions (libmeshrpr) never
 * allocate and never touch the OS. Saving and loading (libmeshrpr_posix, cJSON) use the
 * Bluetooth SIG Mesh Configuration Database JSON format, the one nRF Mesh and BlueZ's
 * mesh-cfgclient read and write; a save is atomic (temporary file, flush, fsync, rename).
 *
 * The tables hold keys (with Key Refresh phase and old key), the provisioners with their
 * unicast, group and scene ranges, the network exclusions (which allocation honours), and per
 * node its UUID, address, element count, first NetKey index, device key, security,
 * configComplete and excluded flags and, when known, its Composition Data page 0.
 *
 * Nothing of a file is lost: a save (or print) writes the tables over the file the database
 * was loaded from (json_path), or over the file it replaces when that holds the same mesh,
 * and keeps everything else that file holds as it was: names of the mesh's keys, nodes and
 * elements, a node's other NetKeys and its AppKeys, features, TTL and transmit states,
 * heartbeat settings, model bindings, subscriptions and publication, groups, scenes and
 * members unknown to this library; entries are matched by NetKey/AppKey index and by UUID.
 * A value the tables hold that the file already says (in any accepted spelling) keeps the
 * file's spelling, so loading and saving an unchanged database writes the same content.
 * Without such a file the tables alone are written (default key names "NetKey 0", elements
 * with location 0000 and no models unless the composition is known).
 *
 * Written by the rules of the format: minSecurity is "secure" only while every node holding
 * the key (any of its NetKeys) is secure, and never turns from "insecure" to "secure";
 * partial is true when a node still in the mesh has no known device key; the top-level
 * timestamp (and a key's) changes only when the content (the key) does, to cdb->timestamp.
 */
#ifndef MESHRPR_CDB_H
#define MESHRPR_CDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/config.h> /* MESHRPR_USER_CONFIG_FILE may set the counts below */

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MESHRPR_CDB_NODE_COUNT
#define MESHRPR_CDB_NODE_COUNT 64
#endif
#ifndef MESHRPR_CDB_SUBNET_COUNT
#define MESHRPR_CDB_SUBNET_COUNT 4
#endif
#ifndef MESHRPR_CDB_APP_KEY_COUNT
#define MESHRPR_CDB_APP_KEY_COUNT 8
#endif
#ifndef MESHRPR_CDB_PROVISIONER_COUNT
#define MESHRPR_CDB_PROVISIONER_COUNT 4
#endif
/** Ranges of each kind (unicast, group, scene) one provisioner may hold. */
#ifndef MESHRPR_CDB_RANGE_COUNT
#define MESHRPR_CDB_RANGE_COUNT 4
#endif

/** Address ranges held out of allocation by networkExclusions (see meshrpr_cdb_exclusion_add()). */
#ifndef MESHRPR_CDB_EXCLUSION_COUNT
#define MESHRPR_CDB_EXCLUSION_COUNT 16
#endif
/** Octets for the nodes' Composition Data page 0, all nodes together (a node with one element
 *  and five models takes 24). */
#ifndef MESHRPR_CDB_COMP_POOL_SIZE
#define MESHRPR_CDB_COMP_POOL_SIZE 2048
#endif
/** Longest path of the file a database was loaded from (libmeshrpr_posix), NUL included. */
#ifndef MESHRPR_CDB_PATH_SIZE
#define MESHRPR_CDB_PATH_SIZE 256
#endif

#define MESHRPR_CDB_NAME_SIZE      64
#define MESHRPR_CDB_TIMESTAMP_SIZE 40

struct meshrpr_cdb_node {
    bool valid;
    uint8_t uuid[16];
    uint16_t addr; /* primary element address */
    uint16_t net_idx;
    uint8_t num_elem;
    /* All zeros = unknown (an export may leave the key out): dev_key_get says -ENOENT. */
    uint8_t dev_key[16];
    bool configured; /* "configComplete" */
    bool secure;     /* provisioned with an OOB public key ("security": "secure") */
    bool excluded;   /* removed from the mesh; its addresses stay reserved */
    /* A change the node may or may not have taken (the answer was lost to a fault): see
     * enum meshrpr_cdb_pending. Written before the change crosses the air, so a provisioner
     * restarted from its saved database knows what to reconcile. */
    uint8_t pending;
    uint16_t pending_addr;       /* MESHRPR_CDB_PENDING_REFRESH: the new primary address */
    uint8_t pending_num_elem;    /* ... the new element count */
    uint8_t pending_dev_key[16]; /* ... the new device key */
    /* The node's Composition Data page 0 (MshPRTv1.1 §4.2.2.1) as received, in the
     * database's comp_pool; comp_len 0: not known. See meshrpr_cdb_node_comp_set(). */
    uint16_t comp_off;
    uint16_t comp_len;
};

/** Addresses a removed node held (MshCDB networkExclusions): not assigned again while the IV
 *  Index is below iv_index + 2. */
struct meshrpr_cdb_exclusion {
    bool valid;
    uint32_t iv_index;
    uint16_t low;
    uint16_t high;
};

/**
 * What is pending on a node entry (struct meshrpr_cdb_node.pending).
 * - NONE: the entry is what the node has.
 * - PROVISION: the Provisioning Data (with this entry's address and device key) was sent but
 *   Provisioning Complete was not seen: the device is either provisioned as the entry says or
 *   still unprovisioned. Provisioning the same UUID again replaces the entry.
 * - REFRESH: a Node Provisioning Protocol Interface procedure was closed with Success but the
 *   server's confirmation was lost: the node is either at pending_addr with pending_dev_key,
 *   or still as the entry says (its old key also works until the new one is first used).
 * meshrpr_cfg_cli_reconcile() settles both by asking the node under each identity.
 */
enum meshrpr_cdb_pending {
    MESHRPR_CDB_PENDING_NONE = 0,
    MESHRPR_CDB_PENDING_PROVISION = 1,
    MESHRPR_CDB_PENDING_REFRESH = 2,
};

struct meshrpr_cdb_subnet {
    bool valid;
    uint16_t net_idx;
    uint8_t key[16];
    uint8_t kr_phase;
    bool has_old_key; /* during Key Refresh: the key being replaced */
    uint8_t old_key[16];
};

struct meshrpr_cdb_app_key {
    bool valid;
    uint16_t net_idx;
    uint16_t app_idx;
    uint8_t key[16];
    bool has_old_key;
    uint8_t old_key[16];
};

/** An inclusive range: unicast or group addresses, or scene numbers. */
struct meshrpr_cdb_range {
    uint16_t low;
    uint16_t high;
};

struct meshrpr_cdb_provisioner {
    bool valid;
    uint8_t uuid[16];
    char name[MESHRPR_CDB_NAME_SIZE];
    uint8_t unicast_count;
    uint8_t group_count;
    uint8_t scene_count;
    struct meshrpr_cdb_range unicast[MESHRPR_CDB_RANGE_COUNT];
    struct meshrpr_cdb_range group[MESHRPR_CDB_RANGE_COUNT];
    struct meshrpr_cdb_range scene[MESHRPR_CDB_RANGE_COUNT];
};

struct meshrpr_cdb {
    uint8_t mesh_uuid[16];
    char mesh_name[MESHRPR_CDB_NAME_SIZE];
    /* ISO 8601 time of the last change, written as "timestamp". The library never reads the
     * clock: a provisioner node sets it from its platform's utc_time_ms hook when it changes
     * the database (the POSIX host's is the host clock); an application that changes the
     * tables itself calls meshrpr_cdb_timestamp_now() (POSIX) or _set(). */
    char timestamp[MESHRPR_CDB_TIMESTAMP_SIZE];
    /* Not a CDB field: kept as the private top-level keys "ivIndex" (as BlueZ's
     * mesh-cfgclient does) and "ivUpdate", which other importers ignore. */
    uint32_t iv_index;
    bool iv_update;
    /* Unicast range this provisioner allocates from (inclusive). Set from the first
     * provisioner's first unicast range by a load, by the first meshrpr_cdb_provisioner_add()
     * and by meshrpr_cdb_provisioner_use(). */
    uint16_t alloc_low;
    uint16_t alloc_high;
    /* The built-in node table; see node_table. */
    struct meshrpr_cdb_node nodes[MESHRPR_CDB_NODE_COUNT];
    struct meshrpr_cdb_subnet subnets[MESHRPR_CDB_SUBNET_COUNT];
    struct meshrpr_cdb_app_key app_keys[MESHRPR_CDB_APP_KEY_COUNT];
    /* In file order; the first one is this provisioner (the one allocating). */
    struct meshrpr_cdb_provisioner provisioners[MESHRPR_CDB_PROVISIONER_COUNT];
    /* The node table in use when not NULL: the application's (meshrpr_cdb_nodes_set()),
     * replacing the built-in one. Reach nodes through meshrpr_cdb_node_at(). A copy of the
     * struct shares the table. */
    struct meshrpr_cdb_node *node_table;
    size_t node_table_size;
    /* node_table's address mixed with a constant: tells a set table from the garbage of a
     * struct never initialised (a JSON parse fills one of those whole). */
    uintptr_t node_table_check;
    /* Sorted by IV Index, then address; ranges of one IV Index neither overlap nor touch. */
    struct meshrpr_cdb_exclusion exclusions[MESHRPR_CDB_EXCLUSION_COUNT];
    /* Octets of comp_pool in use (the nodes' Composition Data, packed). */
    uint16_t comp_used;
    uint8_t comp_pool[MESHRPR_CDB_COMP_POOL_SIZE];
    /* libmeshrpr_posix: the file this database was loaded from or last saved to ("" when
     * none). A save keeps what that file holds beyond these tables (see meshrpr_cdb_save()). */
    char json_path[MESHRPR_CDB_PATH_SIZE];
};

/**
 * Start an empty database with the mesh's UUID and name (truncated to 63 bytes); the
 * allocation range is 0x0001..0x7fff and the timestamp "1970-01-01T00:00:00Z".
 */
void meshrpr_cdb_init(struct meshrpr_cdb *cdb, const uint8_t mesh_uuid[16], const char *name);

/** Add a NetKey. @return 0, -EEXIST (index used), -ENOMEM, -EINVAL. */
int meshrpr_cdb_subnet_add(struct meshrpr_cdb *cdb, uint16_t net_idx, const uint8_t key[16]);
/** The NetKey entry with that index, or NULL. The entry belongs to cdb. */
struct meshrpr_cdb_subnet *meshrpr_cdb_subnet_get(struct meshrpr_cdb *cdb, uint16_t net_idx);

/** Add an AppKey bound to a NetKey. @return 0, -EEXIST, -ENOENT (no NetKey), -ENOMEM, -EINVAL. */
int meshrpr_cdb_app_key_add(struct meshrpr_cdb *cdb, uint16_t net_idx, uint16_t app_idx,
                            const uint8_t key[16]);
/** The AppKey entry with that index, or NULL. The entry belongs to cdb. */
struct meshrpr_cdb_app_key *meshrpr_cdb_app_key_get(struct meshrpr_cdb *cdb, uint16_t app_idx);

/**
 * Add a provisioner with one unicast range (and no group or scene ranges; add those to the
 * returned entry). The first provisioner added also becomes the allocation range.
 * @return the entry, or NULL (table full, UUID already present, bad range, or a range that
 *         overlaps another provisioner's).
 */
struct meshrpr_cdb_provisioner *meshrpr_cdb_provisioner_add(struct meshrpr_cdb *cdb,
                                                            const uint8_t uuid[16],
                                                            const char *name, uint16_t low,
                                                            uint16_t high);
struct meshrpr_cdb_provisioner *meshrpr_cdb_provisioner_get(struct meshrpr_cdb *cdb,
                                                            const uint8_t uuid[16]);
/**
 * Allocate from this provisioner's first unicast range from now on: it moves to the front of
 * the table (so a saved file lists it first, and a load selects it again).
 * @return 0, -ENOENT (no such provisioner), -EINVAL (it has no unicast range).
 */
int meshrpr_cdb_provisioner_use(struct meshrpr_cdb *cdb, const uint8_t uuid[16]);

/**
 * The lowest primary address from which num_elem consecutive addresses are free (and inside
 * the allocation range). @return the address, or 0 when none is free.
 */
uint16_t meshrpr_cdb_free_addr_get(const struct meshrpr_cdb *cdb, uint8_t num_elem);

/**
 * Add a node. addr 0 picks the lowest free address. The device key starts as zeros (unknown):
 * copy it into the entry's dev_key.
 * @return the entry, or NULL (no room, address range overlapping another node, bad arguments,
 *         or the UUID already present).
 */
struct meshrpr_cdb_node *meshrpr_cdb_node_alloc(struct meshrpr_cdb *cdb, const uint8_t uuid[16],
                                                uint16_t addr, uint8_t num_elem, uint16_t net_idx);
/**
 * Set cdb->timestamp to a UTC time given in seconds since 1970-01-01T00:00:00Z, written as the
 * CDB writes it ("2026-01-15T10:00:00Z"). A provisioner node does this from its platform's
 * utc_time_ms hook whenever it changes the database (libmeshrpr reads no clock itself).
 * @return 0, -EINVAL (after 9999-12-31).
 */
int meshrpr_cdb_timestamp_set(struct meshrpr_cdb *cdb, uint64_t unix_s);

/** The node owning addr (any of its element addresses), or NULL. */
struct meshrpr_cdb_node *meshrpr_cdb_node_get(struct meshrpr_cdb *cdb, uint16_t addr);
/** The node with that UUID, or NULL. */
struct meshrpr_cdb_node *meshrpr_cdb_node_by_uuid(struct meshrpr_cdb *cdb, const uint8_t uuid[16]);
/** Remove a node (its device key is wiped). */
void meshrpr_cdb_node_del(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *node);
/**
 * Walk the nodes: the first node entry after prev (NULL: the first one), in table order, or
 * NULL after the last. Deleting prev during the walk is allowed.
 */
struct meshrpr_cdb_node *meshrpr_cdb_node_next(struct meshrpr_cdb *cdb,
                                               const struct meshrpr_cdb_node *prev);

/** Remove a NetKey and the AppKeys bound to it (their keys are wiped). Nodes keep their
 *  net_idx. Not an entry of cdb: nothing happens. */
void meshrpr_cdb_subnet_del(struct meshrpr_cdb *cdb, struct meshrpr_cdb_subnet *sub);
/** Remove an AppKey (its keys are wiped). */
void meshrpr_cdb_app_key_del(struct meshrpr_cdb *cdb, struct meshrpr_cdb_app_key *app);
/** Number of nodes in the database. */
size_t meshrpr_cdb_node_count(const struct meshrpr_cdb *cdb);

/**
 * Hold the nodes in @p table of @p size entries (the application's; it must outlive the
 * database) instead of the built-in MESHRPR_CDB_NODE_COUNT: a run-time capacity for a
 * building-sized network (about 80 octets a node: sizeof(struct meshrpr_cdb_node),
 * docs/capacities.md). The nodes already in the database move into it. NULL (and 0) goes
 * back to the built-in table.
 * @return 0; -EINVAL for a table without a size; -ENOSPC if the nodes already there do not
 *         fit (nothing changes).
 */
int meshrpr_cdb_nodes_set(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *table, size_t size);

/** @return True if @p cdb, initialised or not, holds its nodes in a table set by
 *  meshrpr_cdb_nodes_set(). */
bool meshrpr_cdb_has_node_table(const struct meshrpr_cdb *cdb);

/** @return How many nodes the database can hold (built-in or set table). */
size_t meshrpr_cdb_node_capacity(const struct meshrpr_cdb *cdb);

/** @return Entry @p i of the node table (valid or free), or NULL when @p i is not below
 *  meshrpr_cdb_node_capacity(). */
struct meshrpr_cdb_node *meshrpr_cdb_node_at(const struct meshrpr_cdb *cdb, size_t i);

/**
 * Remove a node from the mesh for good (MshCDB networkExclusions): its address range is
 * excluded under the current IV Index, then the entry is deleted.
 * @return 0, -ENOMEM (no room for the exclusion: the node stays), -EINVAL.
 */
int meshrpr_cdb_node_exclude(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *node);

/**
 * Hold unicast addresses low..high out of allocation until the database's IV Index reaches
 * iv_index + 2 (the MshCDB networkExclusions rule). Adjacent and overlapping ranges of one
 * IV Index are merged.
 * @return 0, -EINVAL (not a unicast range), -ENOMEM (MESHRPR_CDB_EXCLUSION_COUNT ranges in use).
 */
int meshrpr_cdb_exclusion_add(struct meshrpr_cdb *cdb, uint32_t iv_index, uint16_t low,
                              uint16_t high);
/** Whether addr is held by an exclusion still in force at the database's IV Index. */
bool meshrpr_cdb_addr_excluded(const struct meshrpr_cdb *cdb, uint16_t addr);

/**
 * Record a node's Composition Data page 0 (the parameters of a Config Composition Data
 * Status for page 0 after the Page octet: CID, PID, VID, CRPL, Features, elements), so a save
 * writes cid, pid, vid, crpl and the elements with their models. The Configuration Client
 * does this for every page 0 it receives from a node of its node's database.
 * @return 0, -EINVAL (shorter than the 10-octet header, or malformed), -ENOMEM (comp_pool
 *         full: the previous composition, if any, is kept).
 */
int meshrpr_cdb_node_comp_set(struct meshrpr_cdb *cdb, struct meshrpr_cdb_node *node,
                              const uint8_t *page0, size_t len);
/** The node's Composition Data page 0, or NULL (unknown); *len gets its length. */
const uint8_t *meshrpr_cdb_node_comp_get(const struct meshrpr_cdb *cdb,
                                         const struct meshrpr_cdb_node *node, size_t *len);

/**
 * Device key lookup with the signature of meshrpr_node_config.dev_key_get (ctx = the cdb):
 * addr may be any element address of the node.
 * @return 0, or -ENOENT (no such node, or its device key is unknown).
 */
int meshrpr_cdb_dev_key_get(void *cdb, uint16_t addr, uint8_t dev_key[16]);

/**
 * Check the invariants a saved file must satisfy, the same ones a load enforces: names and
 * timestamp terminated, indexes at most 0x0fff and unique, each AppKey bound to a present
 * NetKey, Key Refresh phase 0..2, nodes inside the unicast range with at least one element,
 * unique UUIDs and no overlapping element ranges, provisioner ranges well-formed.
 * @return 0, or -EINVAL with a one-line explanation in err_msg (when non-NULL).
 */
int meshrpr_cdb_check(const struct meshrpr_cdb *cdb, char *err_msg, size_t err_msg_size);

/*
 * JSON (libmeshrpr_posix).
 *
 * Error messages are one line and name the offending JSON member by its path, e.g.
 * "nodes[2].unicastAddress: not a unicast address (0001..7FFF)" or, for a syntax error,
 * "line 12, column 5: malformed JSON".
 */

/**
 * Save as Mesh Configuration Database JSON, atomically: a temporary file in the same
 * directory (mode 0600: it holds keys), flushed and fsync'd, then renamed over path. What the
 * file the database was loaded from holds beyond the tables is kept (else what the file at
 * path holds, when it is a database of the same mesh); see the top of this file. When the
 * content changed, the file's timestamp (and a changed key's) is cdb->timestamp, which a
 * provisioner node sets from its platform's wall clock (utc_time_ms) whenever it changes the
 * database; an application changing it directly sets it with meshrpr_cdb_timestamp_now().
 * @return 0, or a negative errno (-EINVAL when meshrpr_cdb_check() fails, -EIO when the host
 *         clock fails); the previous file is then untouched and no temporary file is left.
 */
int meshrpr_cdb_save(const struct meshrpr_cdb *cdb, const char *path);

/**
 * Load a Mesh Configuration Database JSON file (dashed or plain UUIDs, upper- or lower-case
 * hex, unknown members kept for the next save). The absolute path is remembered in
 * cdb->json_path (a path longer than MESHRPR_CDB_PATH_SIZE is not). On any error cdb is left
 * unchanged and, when err_msg is non-NULL, a one-line explanation is written there.
 * @return 0, -ENOENT, -EINVAL (malformed or not a mesh database), -ENOMEM (more entries than
 *         the tables hold), -EFBIG (file over 16 MiB), -EIO.
 */
int meshrpr_cdb_load(struct meshrpr_cdb *cdb, const char *path, char *err_msg, size_t err_msg_size);

/** meshrpr_cdb_load() from memory: text need not be NUL-terminated. */
int meshrpr_cdb_json_parse(struct meshrpr_cdb *cdb, const char *text, size_t len, char *err_msg,
                           size_t err_msg_size);

/**
 * The JSON meshrpr_cdb_save() writes (merged with the file at cdb->json_path, if any), in a
 * buffer from malloc() (release with free()); a changed timestamp is cdb->timestamp, so the
 * output depends on nothing but the database and that file.
 * @return 0, -EINVAL (meshrpr_cdb_check() fails), -ENOMEM.
 */
int meshrpr_cdb_json_print(const struct meshrpr_cdb *cdb, char **text, size_t *len);

/**
 * meshrpr_cdb_json_print() merged with base (base_len octets of JSON text held in memory, as
 * a file would be) instead of a file. A base that is not a valid database of this mesh is
 * ignored (the tables alone are written).
 * @return 0, -EINVAL, -ENOMEM.
 */
int meshrpr_cdb_json_merge(const struct meshrpr_cdb *cdb, const char *base, size_t base_len,
                           char **text, size_t *len);

/** Set cdb->timestamp to the host's current UTC time ("2026-01-15T10:00:00Z", time()).
 *  @return 0, -EIO. */
int meshrpr_cdb_timestamp_now(struct meshrpr_cdb *cdb);

/*
 * Zephyr's CDB calls (<zephyr/bluetooth/mesh/cdb.h>), with Zephyr's names, signatures and
 * semantics, in the meshrpr_compat library. They act on the database of the host registered
 * with meshrpr_compat_init() (include/meshrpr/main.h); without one they do nothing and return
 * NULL, 0 or -ENODEV. Zephyr's entry types are meshrpr's entries: the fields Zephyr's
 * applications read have the same names and meaning (uuid, addr, net_idx, num_elem; a
 * subnet's net_idx and kr_phase; an AppKey's net_idx and app_idx). Where Zephyr keeps the
 * Configured flag in node->flags (BT_MESH_CDB_NODE_CONFIGURED), a meshrpr entry has the bool
 * node->configured. A *_store() call, and a *_del() with store true, stores the whole
 * database through the host's cdb_store hook (Zephyr stores one entry in its settings).
 *
 * The database is valid (Zephyr's BT_MESH_CDB_VALID) while it holds a NetKey: so a database
 * loaded from a file before bt_mesh_cdb_create() is kept, and that call says -EALREADY.
 * Keys: index 0 is the key in use, index 1 the new key of a Key Refresh (Zephyr's keys[0]
 * and keys[1]); importing key 1 starts holding both (the entry's old_key is key 0 then).
 */
#define bt_mesh_cdb_node    meshrpr_cdb_node
#define bt_mesh_cdb_subnet  meshrpr_cdb_subnet
#define bt_mesh_cdb_app_key meshrpr_cdb_app_key

/** What a bt_mesh_cdb_node_func_t returns. */
enum {
    BT_MESH_CDB_ITER_STOP = 0,
    BT_MESH_CDB_ITER_CONTINUE,
};

/** Node iterator callback: BT_MESH_CDB_ITER_CONTINUE or BT_MESH_CDB_ITER_STOP. */
typedef uint8_t (*bt_mesh_cdb_node_func_t)(struct bt_mesh_cdb_node *node, void *user_data);

/**
 * Create the database: a primary subnet (NetKey index 0) with this key, IV Index 0, a new
 * random mesh UUID, the whole unicast range to allocate from.
 * @return 0, -EALREADY (the database is valid already: nothing changes), -ENODEV (no host
 *         database), -EINVAL, or the platform's random error.
 */
int bt_mesh_cdb_create(const uint8_t key[16]);
/** Remove every node, subnet and AppKey (the database is no longer valid) and store it. */
void bt_mesh_cdb_clear(void);
/** Set the IV Index and IV Update flag that new nodes are provisioned with. */
void bt_mesh_cdb_iv_update(uint32_t iv_index, bool iv_update);

/** Allocate a node (addr 0: the lowest free range). @return the entry, or NULL. */
struct bt_mesh_cdb_node *bt_mesh_cdb_node_alloc(const uint8_t uuid[16], uint16_t addr,
                                                uint8_t num_elem, uint16_t net_idx);
/** The lowest primary address with num_elem free addresses, or 0 (BT_MESH_ADDR_UNASSIGNED). */
uint16_t bt_mesh_cdb_free_addr_get(uint8_t num_elem);
/** Delete a node; with store, the database is stored. Its addresses are excluded under the
 *  current IV Index (networkExclusions, meshrpr_cdb_node_exclude()), so they are not assigned
 *  again until the IV Index has grown by 2; when all MESHRPR_CDB_EXCLUSION_COUNT exclusion
 *  ranges are in use (adjacent ranges merge) they are freed at once. */
void bt_mesh_cdb_node_del(struct bt_mesh_cdb_node *node, bool store);
/** Give a node a new primary address and element count (after a Node Address Refresh). */
void bt_mesh_cdb_node_update(struct bt_mesh_cdb_node *node, uint16_t addr, uint8_t num_elem);
/** The node with an element at addr, or NULL. */
struct bt_mesh_cdb_node *bt_mesh_cdb_node_get(uint16_t addr);
/** Store the database (after changing the entry). */
void bt_mesh_cdb_node_store(const struct bt_mesh_cdb_node *node);
/** Call func for each node until it returns BT_MESH_CDB_ITER_STOP. */
void bt_mesh_cdb_node_foreach(bt_mesh_cdb_node_func_t func, void *user_data);
/** Set a node's device key. @return 0, -EINVAL. */
int bt_mesh_cdb_node_key_import(struct bt_mesh_cdb_node *node, const uint8_t in[16]);
/** Copy out a node's device key. @return 0, -EINVAL, -ENOENT (unknown: all zeros). */
int bt_mesh_cdb_node_key_export(const struct bt_mesh_cdb_node *node, uint8_t out[16]);

/** Allocate a subnet without a key yet (import it). @return the entry, or NULL (index taken,
 *  table full, index over 0x0fff). */
struct bt_mesh_cdb_subnet *bt_mesh_cdb_subnet_alloc(uint16_t net_idx);
/** Delete a subnet and the AppKeys bound to it; with store, the database is stored. */
void bt_mesh_cdb_subnet_del(struct bt_mesh_cdb_subnet *sub, bool store);
/** The subnet with that NetKey index, or NULL. */
struct bt_mesh_cdb_subnet *bt_mesh_cdb_subnet_get(uint16_t net_idx);
/** Store the database. */
void bt_mesh_cdb_subnet_store(const struct bt_mesh_cdb_subnet *sub);
/** The Provisioning Data flags for a subnet: BT_MESH_FLAG_KEY_REFRESH in Key Refresh phase 2,
 *  BT_MESH_FLAG_IV_UPDATE during an IV Update. */
uint8_t bt_mesh_cdb_subnet_flags(const struct bt_mesh_cdb_subnet *sub);
/** Set NetKey key_idx (0 or 1) of a subnet. @return 0, -EINVAL. */
int bt_mesh_cdb_subnet_key_import(struct bt_mesh_cdb_subnet *sub, int key_idx,
                                  const uint8_t in[16]);
/** Copy out NetKey key_idx of a subnet. @return 0, -EINVAL, -ENOENT (no key 1). */
int bt_mesh_cdb_subnet_key_export(const struct bt_mesh_cdb_subnet *sub, int key_idx,
                                  uint8_t out[16]);

/** Allocate an AppKey bound to a present NetKey, without its key yet. @return the entry, or
 *  NULL (index taken, no such NetKey, table full). */
struct bt_mesh_cdb_app_key *bt_mesh_cdb_app_key_alloc(uint16_t net_idx, uint16_t app_idx);
/** Delete an AppKey; with store, the database is stored. */
void bt_mesh_cdb_app_key_del(struct bt_mesh_cdb_app_key *key, bool store);
/** The AppKey with that index, or NULL. */
struct bt_mesh_cdb_app_key *bt_mesh_cdb_app_key_get(uint16_t app_idx);
/** Store the database. */
void bt_mesh_cdb_app_key_store(const struct bt_mesh_cdb_app_key *key);
/** Set AppKey key_idx (0 or 1). @return 0, -EINVAL. */
int bt_mesh_cdb_app_key_import(struct bt_mesh_cdb_app_key *key, int key_idx, const uint8_t in[16]);
/** Copy out AppKey key_idx. @return 0, -EINVAL, -ENOENT (no key 1). */
int bt_mesh_cdb_app_key_export(const struct bt_mesh_cdb_app_key *key, int key_idx, uint8_t out[16]);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_CDB_H */
