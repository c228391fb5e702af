/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated building: a world's nodes running as real meshrpr nodes on the deterministic
 * simulator, the provisioner's callbacks recorded as events, and the "user" who reads a
 * device's Output OOB value and types it into the provisioner.
 *
 * Node kinds (compositions built at run time, each node with its own model state):
 *  - the provisioner: Configuration Server and Client and the Remote Provisioning Client, with
 *    the world's node database;
 *  - servers: Configuration Server and Remote Provisioning Server, relaying;
 *  - devices: Configuration Server, Remote Provisioning Server (for NPPI) and a Generic OnOff
 *    Server, optionally on two elements, and a page 128 with a Generic Level Server more.
 *    Unprovisioned, they send Unprovisioned Device beacons (with URI hash when they have a URI)
 *    and a scannable advertisement with their name, the URI in the scan response.
 *
 * Every node's persistent state lives in its world node's key-value store, so saving the world
 * saves the network. The simulator is seeded from the world seed and generation, and its clock
 * starts at the world's time.
 *
 * The documented struct bt_mesh_prov callbacks carry no context. The tool runs one building at
 * a time, and they find it through one pointer (building.c); device callbacks know their
 * device from the node the simulator is running at that moment.
 */
#ifndef MESHRPR_TOOL_BUILDING_H
#define MESHRPR_TOOL_BUILDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/mesh.h>

#include "world.h"
#include <meshrpr/sim.h>

/* Events kept per kind (oldest dropped beyond). */
#define BUILDING_MAX_EVENTS 256
/* Devices being provisioned at once (PB-Remote links of the client). */
#define BUILDING_MAX_TARGETS MESHRPR_RPR_CLI_LINK_COUNT

/* A scan_report or ext_scan_failed callback. */
struct b_scan_event {
    uint64_t time_ms;
    uint16_t server;
    bool ext;
    bool failed; /* ext_scan_failed: status says why, or success when not found in time */
    uint8_t status;
    struct bt_mesh_rpr_unprov unprov;
    uint8_t ad_len;
    uint8_t ad[WORLD_AD_MAX];
};

/* A link_changed callback. */
struct b_link_event {
    uint64_t time_ms;
    uint16_t server;
    struct bt_mesh_rpr_link link;
    int reason;
};

/* The end of a provisioning session of the provisioner: node_added (success) or link_close
 * with meshrpr_prov_last_result(). */
struct b_prov_event {
    uint64_t time_ms;
    bool added;
    uint8_t uuid[16];
    uint16_t addr;
    uint8_t elements;
    /* link_close: the result. */
    struct meshrpr_prov_result result;
};

/* A device being provisioned, and how the provisioner authenticated it. */
struct b_target {
    bool used;
    uint8_t uuid[16];
    /* The installer's Static OOB value for it (len 0: none known). */
    uint8_t static_val[16];
    uint8_t static_len;
    /* Set by the callbacks: "static", "output", or NULL (no OOB). */
    const char *auth;
    uint32_t typed; /* the Output OOB number the user typed */
    /* When this attempt started: the user reads only values shown since. */
    uint64_t since_ms;
};

struct bnode;

struct building {
    struct world *w;
    struct meshrpr_sim *sim;
    struct bnode *nodes[WORLD_MAX_NODES];
    size_t count;
    int user_sim_id;
    /* The node the simulator is running (device callbacks). */
    struct bnode *cur;

    /* The user: a pending Output OOB entry, due at user_due_ms. */
    bool prov_wants_input;
    uint8_t prov_input_act;
    uint64_t user_due_ms;

    struct b_target targets[BUILDING_MAX_TARGETS];

    struct b_scan_event scans[BUILDING_MAX_EVENTS];
    size_t scan_count;
    struct b_link_event links[BUILDING_MAX_EVENTS];
    size_t link_count;
    struct b_prov_event provs[BUILDING_MAX_EVENTS];
    size_t prov_count;
    unsigned dev_reprovisioned;

    /* Progress lines (the demo): NULL for none. */
    void (*progress)(struct building *b, const char *text);
    void *progress_ctx;
};

struct building_opts {
    /* Log lines of the stack to stderr at this level (MESHRPR_LOG_LEVEL_NONE: off). */
    enum meshrpr_log_level log_level;
    /* Radio capture, or NULL. */
    const char *pcap_path;
};

/*
 * Bring a world to life: the simulator at the world's time, every node initialised from its
 * storage (devices offered on PB-ADV while unprovisioned, and on the remote bearer for NPPI),
 * the capture opened. @return the building, or NULL with err set.
 */
struct building *building_start(struct world *w, const struct building_opts *opts, char *err,
                                size_t err_size);

/* Make b the building the context-free callbacks act on (after another one, such as a feature
 * probe's, ran in between). */
void building_activate(struct building *b);

/*
 * Install the infrastructure of a new world: provision the provisioner and the servers
 * locally with the keys and addresses of the database (they came from the factory set up), and
 * turn relaying on. @return 0 or a negative errno.
 */
int building_install(struct building *b, char *err, size_t err_size);

/* Let transfers finish (at most max_ms: until every node is idle), then write the clock back
 * to the world (the nodes' storage is written as they go). */
void building_settle(struct building *b, uint64_t max_ms);

/* Close the capture (@return -EIO if it failed), stop every node and free the building. */
int building_stop(struct building *b);

/* The provisioner node, its clients. */
struct meshrpr_node *building_prov_node(struct building *b);
struct bt_mesh_rpr_cli *building_rpr_cli(struct building *b);
struct bt_mesh_cfg_cli *building_cfg_cli(struct building *b);

/* The meshrpr node of world node i. */
struct meshrpr_node *building_node(struct building *b, size_t i);

/* The world node whose current primary address is addr, or -1. */
int building_node_by_addr(struct building *b, uint16_t addr);

/* Radio hops from the provisioner to world node i through relaying nodes (-1: unreachable). */
int building_hops(struct building *b, size_t i);

/* The nodes on the radio route from the provisioner to world node i (i itself included, the
 * provisioner not), as a bit mask of world node indexes; 0 when unreachable. Two links whose
 * servers' routes share a node compete for that relay's airtime. */
uint64_t building_path(struct building *b, size_t i);

uint64_t building_now_ms(const struct building *b);

/* Run the world for ms of virtual time. @return 0 or the simulator's error. */
int building_run_for(struct building *b, uint64_t ms);

/* Run until pred(b, arg) holds (checked after every event) or deadline_ms passes.
 * @return 0 when it held, -ETIMEDOUT, or the simulator's error. */
int building_run_until(struct building *b, bool (*pred)(struct building *b, void *arg), void *arg,
                       uint64_t deadline_ms);

/* Register a device being provisioned (the installer's Static OOB value from the world's
 * labels, or static_val when given). @return the target or NULL when all are in use. */
struct b_target *building_target_add(struct building *b, const uint8_t uuid[16],
                                     const uint8_t *static_val, size_t static_len);
struct b_target *building_target_get(struct building *b, const uint8_t uuid[16]);
void building_target_del(struct building *b, struct b_target *t);

/* How a provisioning (or an NPPI procedure) ended. */
struct b_outcome {
    bool ok;
    uint64_t time_ms; /* when it ended */
    uint16_t addr;
    uint8_t elements;
    char why[128]; /* on failure, in words */
};

/*
 * Whether the provisioning of uuid through server, started at since_ms, has ended: node_added
 * (success), a session that failed (link_close with meshrpr_prov_last_result()), or the server's
 * PB-Remote link gone idle without either (the link never opened: the client reports only
 * link_changed then). out (may be NULL) gets the outcome.
 */
bool building_prov_ended(const struct building *b, const uint8_t uuid[16], uint16_t server,
                         uint64_t since_ms, struct b_outcome *out);

/* Run until building_prov_ended() or max_ms after since_ms, then fill out. @return true when
 * it ended, false when it did not in time (out->why says so). */
bool building_prov_wait(struct building *b, const uint8_t uuid[16], uint16_t server,
                        uint64_t since_ms, uint64_t max_ms, struct b_outcome *out);

/* Virtual time given to the callbacks after a link went idle, so a session's own report (which
 * may follow link_changed) wins over "the link ended". */
#define BUILDING_PROV_GRACE_MS 200u

/* The provisioning event for uuid at or after time_ms (added or failed), or NULL. */
const struct b_prov_event *building_prov_event(const struct building *b, const uint8_t uuid[16],
                                               uint64_t since_ms);

/* Emit a progress line (when the building has a progress hook). */
void building_progress(struct building *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Whether every node is idle (meshrpr_node_is_idle), the unprovisioned devices' beacons
 * aside. */
bool building_idle(struct building *b);

/*
 * Ask the node at addr for Composition Data page 0 with the Configuration Client, secured with
 * the device key the database holds for it (tries times, for lossy links). elements and models
 * (may be NULL) get what the page lists. @return 0, or the request's error (-ETIMEDOUT: no
 * answer, so the node does not use that device key), -EINVAL for a malformed page.
 */
int building_comp_get(struct building *b, uint16_t addr, unsigned tries, unsigned *elements,
                      unsigned *models);

/* Parse Composition Data page 0/128: elements and models (SIG and vendor) in it.
 * @return 0, or -EINVAL when malformed. */
int building_comp_count(const uint8_t *data, size_t len, unsigned *elements, unsigned *models);

#endif /* MESHRPR_TOOL_BUILDING_H */
