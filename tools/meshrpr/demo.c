/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The demo (see demo.h). What an installer does in a new building, in virtual time:
 *  1. ask every Remote Provisioning Server for its scanning capabilities and start a scan on
 *     each (they run side by side); rescan for devices a lossy radio made them miss;
 *  2. read one device's name and URI with an Extended Scan;
 *  3. provision every device through the server that heard it best, several links at once
 *     (one per server, up to the client's link count), with the Static OOB values from the
 *     boxes and the user typing the Output OOB values devices display. The provisioning
 *     callbacks do not say which device they are about, so two Static OOB (or two Output OOB)
 *     devices never run at the same time;
 *  4. run each NPPI procedure once, when this build has NPPI (probed, never assumed);
 *  5. check every node in the database answers Composition Data Get secured with the device
 *     key the database holds for it.
 * Progress lines carry virtual time only, so the output of a seed never changes.
 */
#include "demo.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DEMO_SCAN_S           10u
#define DEMO_TRIES            3u
#define DEMO_REQUEST_TRIES    3u
#define DEMO_PROVISION_MAX_MS 150000u
#define DEMO_EXT_SCAN_S       10u
/* Rounds of meshrpr_cfg_cli_reconcile() (each asks every identity twice) for a database entry
 * a fault left pending, a second apart, before the demo calls its outcome unknown. */
#define DEMO_RECONCILE_TRIES 3u

struct demo_dev {
    size_t wi; /* world node index */
    uint16_t server;
    /* The route to the server (building_path()): links whose routes overlap wait. */
    uint64_t path;
    uint64_t retry_at_ms;
    int8_t rssi;
    int hops;
    bool found;
    bool active;
    bool done;
    bool ok;
    unsigned tries;
    uint16_t addr;
    uint8_t elements;
    uint64_t start_ms;
    uint64_t took_ms;
    const char *auth;
    char why[160];
    struct b_target *t;
};

struct demo_nppi {
    unsigned procedure;
    size_t wi;
    bool ran;
    bool ok;
    uint16_t before;
    uint16_t after;
    bool new_key;
    unsigned models_before;
    unsigned models_after;
    uint64_t took_ms;
    char why[160];
};

struct demo_check {
    const char *name;
    uint16_t addr;
    int err;
    unsigned elements;
    unsigned models;
};

struct demo {
    struct cmd_ctx *c;
    struct world *w;
    struct building *b;
    size_t dev_count;
    struct demo_dev devs[WORLD_MAX_DEVICES];
    bool nppi_available;
    char nppi_why[160];
    struct demo_nppi nppi[3];
    size_t nppi_count;
    unsigned checks_ok;
    unsigned checks;
    struct demo_check check[MESHRPR_CDB_NODE_COUNT];
    bool ext_ok;
    bool ok;
    /* Links allowed at once: halved when an attempt fails, one more after each success. */
    size_t max_links;
};

static void progress(struct building *b, const char *text)
{
    struct demo *d = b->progress_ctx;
    char t[24];

    tool_time_str(t, building_now_ms(b));
    /* Text mode: on stdout with the rest; JSON mode: on stderr, stdout is the JSON. */
    fprintf(d->c->out.json ? stderr : stdout, "[%10s s] %s\n", t, text);
}

/* A server as the documentation writes it: address, NetKey, the default TTL. */
static struct bt_mesh_rpr_node server_node(struct demo *d, uint16_t addr)
{
    struct bt_mesh_rpr_node srv = {
        .addr = addr,
        .net_idx = WORLD_NET_IDX,
        .ttl = BT_MESH_TTL_DEFAULT,
    };

    (void)d;
    return srv;
}

static const char *dev_name(const struct demo *d, const uint8_t uuid[16])
{
    const struct world_node *n = world_node_by_uuid(d->w, uuid);

    return n != NULL ? n->name : "?";
}

static struct demo_dev *dev_by_uuid(struct demo *d, const uint8_t uuid[16])
{
    for (size_t i = 0; i < d->dev_count; i++) {
        if (memcmp(d->w->nodes[d->devs[i].wi].uuid, uuid, 16) == 0) {
            return &d->devs[i];
        }
    }
    return NULL;
}

static const char *oob_kind(const struct world_node *n)
{
    return n->static_oob_len > 0 ? "static" : n->output_actions != 0 ? "output" : "none";
}

static const char *oob_label(const struct world_node *n)
{
    return n->static_oob_len > 0 ? "Static OOB" : n->output_actions != 0 ? "Output OOB" : "no OOB";
}

/* The authentication a provisioning used ("none", "static", "output"), in words. */
static const char *auth_words(const char *auth)
{
    return strcmp(auth, "static") == 0   ? "Static OOB"
           : strcmp(auth, "output") == 0 ? "Output OOB"
                                         : "no OOB";
}

/* ---- Pending database entries ----------------------------------------------------------- */

/*
 * The Provisioning Complete or the NPPI confirmation of uuid was lost to the radio, so its
 * database entry is pending (enum meshrpr_cdb_pending): the node may or may not have taken the
 * new identity. Ask the node under each identity (meshrpr_cfg_cli_reconcile()) before the demo
 * decides what happened or tries again, since a retry through the wrong identity fails for
 * good (a provisioned device answers no new provisioning; a refreshed node no longer answers
 * its old address). @return 0 when the entry says what the node has (nothing pending, or
 * settled now), -ETIMEDOUT when no identity answered, -ENOENT when there is no entry.
 */
static int settle_pending(struct demo *d, const uint8_t uuid[16])
{
    struct building *b = d->b;
    struct meshrpr_cdb_node *entry = meshrpr_cdb_node_by_uuid(&d->w->cdb, uuid);
    int err = -ETIMEDOUT;

    if (entry == NULL) {
        return -ENOENT;
    }
    if (entry->pending == MESHRPR_CDB_PENDING_NONE) {
        return 0;
    }
    building_progress(b, "%s: its answer was lost; asking the node under %s", dev_name(d, uuid),
                      entry->pending == MESHRPR_CDB_PENDING_PROVISION ? "the identity it was sent"
                                                                      : "its new and old identity");
    for (unsigned k = 0; k < DEMO_RECONCILE_TRIES && err == -ETIMEDOUT; k++) {
        if (k > 0) {
            (void)building_run_for(b, 1000);
        }
        err = meshrpr_cfg_cli_reconcile(building_cfg_cli(b), &d->w->cdb, entry);
    }
    if (err == 0) {
        building_progress(b, "%s answers as 0x%04x", dev_name(d, uuid), (unsigned)entry->addr);
    } else {
        building_progress(b, "%s: no answer under any identity (%s)", dev_name(d, uuid),
                          tool_errno_text(err));
    }
    return err;
}

/* Whether the device of dev, whose attempt failed, holds the identity its (now settled)
 * database entry says: then it is provisioned though its Complete was lost. */
static bool provisioned_after_all(struct demo *d, struct demo_dev *dev)
{
    const uint8_t *uuid = d->w->nodes[dev->wi].uuid;
    const struct meshrpr_cdb_node *entry = meshrpr_cdb_node_by_uuid(&d->w->cdb, uuid);
    bool was_pending = entry != NULL && entry->pending != MESHRPR_CDB_PENDING_NONE;

    if (entry == NULL || settle_pending(d, uuid) != 0) {
        return false;
    }
    /* Settled: the node answered with the entry's address and device key (or it was never
     * pending, so the library committed it). */
    dev->ok = true;
    dev->done = true;
    dev->addr = entry->addr;
    dev->elements = entry->num_elem;
    dev->auth = dev->t != NULL && dev->t->auth != NULL ? dev->t->auth : "none";
    dev->why[0] = '\0';
    building_progress(d->b, "%s provisioned as 0x%04x after all (%s)", d->w->nodes[dev->wi].name,
                      (unsigned)entry->addr,
                      was_pending ? "it answers with the device key sent"
                                  : "the database holds it");
    return true;
}

/* ---- 1. Scanning -------------------------------------------------------------------------- */

/* Record the Scan Reports from first_event on: the server that heard each device best. */
static void take_reports(struct demo *d, size_t first_event)
{
    struct building *b = d->b;

    for (size_t i = first_event; i < b->scan_count; i++) {
        const struct b_scan_event *e = &b->scans[i];
        struct demo_dev *dev = e->ext ? NULL : dev_by_uuid(d, e->unprov.uuid);
        if (dev == NULL || dev->done) {
            continue;
        }
        if (!dev->found || e->unprov.rssi > dev->rssi) {
            dev->found = true;
            dev->server = e->server;
            dev->rssi = e->unprov.rssi;
        }
    }
}

static void scan_round(struct demo *d)
{
    struct building *b = d->b;
    uint64_t since = building_now_ms(b);
    size_t first_event = b->scan_count;
    char addr[7];

    for (size_t i = 1; i < d->w->node_count; i++) {
        struct bt_mesh_rpr_node srv;
        struct bt_mesh_rpr_scan_status st;
        struct bt_mesh_rpr_caps caps;
        int err = -ETIMEDOUT;

        if (d->w->nodes[i].role != WORLD_SERVER) {
            continue;
        }
        srv = server_node(d, meshrpr_node_addr(building_node(b, i)));
        tool_addr_str(addr, srv.addr);
        for (unsigned k = 0; k < DEMO_REQUEST_TRIES && err == -ETIMEDOUT; k++) {
            err = bt_mesh_rpr_scan_caps_get(building_rpr_cli(b), &srv, &caps);
        }
        if (err == 0) {
            building_progress(b, "%s (%s, %d hop%s): scans up to %u devices, active scan %s", addr,
                              d->w->nodes[i].name, building_hops(b, i),
                              building_hops(b, i) == 1 ? "" : "s", (unsigned)caps.max_devs,
                              caps.active_scan ? "yes" : "no");
        } else {
            building_progress(b, "%s: Scan Capabilities Get failed (%s)", addr,
                              tool_errno_text(err));
        }
        err = -ETIMEDOUT;
        for (unsigned k = 0; k < DEMO_REQUEST_TRIES && err == -ETIMEDOUT; k++) {
            err = bt_mesh_rpr_scan_start(building_rpr_cli(b), &srv, NULL, DEMO_SCAN_S,
                                         BT_MESH_RPR_SCAN_MAX_DEVS_ANY, &st);
        }
        if (err != 0 || st.status != BT_MESH_RPR_SUCCESS) {
            building_progress(b, "%s: Scan Start failed (%d, %s)", addr, err,
                              err == 0 ? out_rpr_status(st.status) : "no answer");
        }
    }
    building_progress(b, "scanning through every server for %u s...", DEMO_SCAN_S);
    (void)building_run_for(b, since + DEMO_SCAN_S * 1000 + 3000 - building_now_ms(b));
    take_reports(d, first_event);
    for (size_t i = 1; i < d->w->node_count; i++) {
        uint16_t srv;
        char list[256] = "";
        unsigned n = 0;

        if (d->w->nodes[i].role != WORLD_SERVER) {
            continue;
        }
        srv = meshrpr_node_addr(building_node(b, i));
        for (size_t k = first_event; k < b->scan_count; k++) {
            const struct b_scan_event *e = &b->scans[k];
            if (e->server == srv && !e->ext) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof(list) - used, "%s%s (%d dBm)", n > 0 ? ", " : "",
                         dev_name(d, e->unprov.uuid), e->unprov.rssi);
                n++;
            }
        }
        building_progress(b, "%s found %u device%s%s%s", d->w->nodes[i].name, n, n == 1 ? "" : "s",
                          n > 0 ? ": " : "", list);
    }
}

/* Devices the scans missed (a server's table holds MaxScannedItems devices, and a lossy radio
 * can hide a beacon): the installer has their UUIDs from the boxes, so the servers look for
 * them one by one with single-device scans (MshPRTv1.1 §4.4.5.5.1.1), a different device
 * through each server at the same time, until every server has looked for every one. */
static void scan_missing(struct demo *d)
{
    struct building *b = d->b;
    uint64_t tried[WORLD_MAX_DEVICES] = { 0 }; /* servers (world node bits) that looked */

    for (;;) {
        bool busy[WORLD_MAX_DEVICES] = { false };
        uint64_t since = building_now_ms(b);
        size_t first_event = b->scan_count;
        unsigned started = 0;
        size_t missing = 0;

        for (size_t j = 0; j < d->dev_count; j++) {
            missing += !d->devs[j].found;
        }
        if (missing == 0) {
            return;
        }
        for (size_t i = 1; i < d->w->node_count; i++) {
            struct bt_mesh_rpr_node srv;
            struct bt_mesh_rpr_scan_status st;
            size_t j;
            int err = -ETIMEDOUT;

            if (d->w->nodes[i].role != WORLD_SERVER) {
                continue;
            }
            for (j = 0; j < d->dev_count; j++) {
                if (!d->devs[j].found && !busy[j] && !(tried[j] & (1ull << i))) {
                    break;
                }
            }
            if (j == d->dev_count) {
                continue;
            }
            tried[j] |= 1ull << i;
            busy[j] = true;
            srv = server_node(d, meshrpr_node_addr(building_node(b, i)));
            for (unsigned k = 0; k < DEMO_REQUEST_TRIES && err == -ETIMEDOUT; k++) {
                err = bt_mesh_rpr_scan_start(building_rpr_cli(b), &srv,
                                             d->w->nodes[d->devs[j].wi].uuid, DEMO_SCAN_S,
                                             BT_MESH_RPR_SCAN_MAX_DEVS_ANY, &st);
            }
            started += err == 0 && st.status == BT_MESH_RPR_SUCCESS;
        }
        if (started == 0) {
            return; /* every server looked for every missing device */
        }
        building_progress(b,
                          "%zu device%s not heard yet: looking for %s by UUID through %u "
                          "server%s",
                          missing, missing == 1 ? "" : "s", missing == 1 ? "it" : "them", started,
                          started == 1 ? "" : "s");
        (void)building_run_for(b, since + DEMO_SCAN_S * 1000 + 3000 - building_now_ms(b));
        take_reports(d, first_event);
        for (size_t j = 0; j < d->dev_count; j++) {
            const struct demo_dev *dev = &d->devs[j];
            if (busy[j] && dev->found) {
                building_progress(b, "0x%04x found %s (%d dBm)", (unsigned)dev->server,
                                  d->w->nodes[dev->wi].name, dev->rssi);
            }
        }
    }
}

static void scan_all(struct demo *d)
{
    scan_round(d);
    scan_missing(d);
}

/* ---- 2. Extended scan ---------------------------------------------------------------------- */

static bool ext_done(struct building *b, void *arg)
{
    const size_t *first = arg;

    for (size_t i = *first; i < b->scan_count; i++) {
        if (b->scans[i].ext) {
            return true;
        }
    }
    return false;
}

static void ext_scan(struct demo *d)
{
    static const uint8_t types[] = { 0x09, 0x24 }; /* Complete Local Name, URI */
    struct building *b = d->b;
    struct demo_dev *dev = NULL;

    for (size_t i = 0; i < d->dev_count; i++) {
        if (d->devs[i].found && d->w->nodes[d->devs[i].wi].uri[0] != '\0') {
            dev = &d->devs[i];
            break;
        }
    }
    if (dev == NULL) {
        d->ext_ok = true; /* nothing to read */
        return;
    }
    for (unsigned k = 0; k < DEMO_REQUEST_TRIES && !d->ext_ok; k++) {
        struct bt_mesh_rpr_node srv = server_node(d, dev->server);
        size_t first = b->scan_count;
        const uint8_t *uuid = d->w->nodes[dev->wi].uuid;
        char text[256];
        int err;

        err = bt_mesh_rpr_scan_start_ext(building_rpr_cli(b), &srv, uuid, DEMO_EXT_SCAN_S, types,
                                         sizeof(types));
        if (err != 0) {
            building_progress(b, "Extended Scan Start failed (%s)", tool_errno_text(err));
            (void)building_run_for(b, 1000);
            continue;
        }
        (void)building_run_until(b, ext_done, &first,
                                 building_now_ms(b) + DEMO_EXT_SCAN_S * 1000 + 3000);
        for (size_t i = first; i < b->scan_count; i++) {
            const struct b_scan_event *e = &b->scans[i];
            if (!e->ext) {
                continue;
            }
            if (e->failed) {
                building_progress(b, "extended scan of %s: %s", d->w->nodes[dev->wi].name,
                                  e->status == 0 ? "not found in time" : out_rpr_status(e->status));
                break;
            }
            (void)out_ad(e->ad, e->ad_len, text, sizeof(text), NULL);
            building_progress(b, "extended scan of %s through 0x%04x: %s",
                              d->w->nodes[dev->wi].name, (unsigned)dev->server, text);
            d->ext_ok = true;
            break;
        }
    }
}

/* ---- 3. Remote provisioning ------------------------------------------------------------------ */

static bool any_active_done(struct building *b, void *arg)
{
    struct demo *d = arg;

    for (size_t i = 0; i < d->dev_count; i++) {
        const struct demo_dev *dev = &d->devs[i];
        if (dev->active &&
            building_prov_ended(b, d->w->nodes[dev->wi].uuid, dev->server, dev->start_ms, NULL)) {
            return true;
        }
    }
    return false;
}

/* Whether dev may start now: a link free, no link in progress whose route shares a node with
 * dev's (every relay of a route carries a whole provisioning's segmented traffic, and two of
 * them through one relay's advertiser congest it), and no other device with the same kind of
 * OOB in progress (see the file description). */
static bool may_start(const struct demo *d, const struct demo_dev *dev, size_t active)
{
    const char *kind = oob_kind(&d->w->nodes[dev->wi]);

    if (active >= d->max_links || building_now_ms(d->b) < dev->retry_at_ms) {
        return false;
    }
    for (size_t i = 0; i < d->dev_count; i++) {
        const struct demo_dev *o = &d->devs[i];
        if (!o->active) {
            continue;
        }
        if ((o->path & dev->path) != 0) {
            return false;
        }
        if (strcmp(kind, "none") != 0 && strcmp(kind, oob_kind(&d->w->nodes[o->wi])) == 0) {
            return false;
        }
    }
    return true;
}

static void attempt_failed(struct demo *d, struct demo_dev *dev, const char *why)
{
    const char *name = d->w->nodes[dev->wi].name;

    snprintf(dev->why, sizeof(dev->why), "%s", why);
    dev->retry_at_ms = building_now_ms(d->b) + 2000;
    /* Most failures under load are congestion (every relay floods every message, three times,
     * through one advertiser): back off. */
    if (d->max_links > 1) {
        d->max_links /= 2;
        building_progress(d->b, "the network is congested: at most %zu link%s at once now",
                          d->max_links, d->max_links == 1 ? "" : "s");
    }
    if (dev->tries >= DEMO_TRIES) {
        dev->done = true;
        building_progress(d->b, "%s: %s; giving up after %u tries", name, why, dev->tries);
    } else {
        building_progress(d->b, "%s: %s; will try again", name, why);
    }
}

static void start_links(struct demo *d)
{
    struct building *b = d->b;
    size_t active = 0;

    for (size_t i = 0; i < d->dev_count; i++) {
        active += d->devs[i].active;
    }
    for (size_t i = 0; i < d->dev_count; i++) {
        struct demo_dev *dev = &d->devs[i];
        const struct world_node *wn = &d->w->nodes[dev->wi];
        struct bt_mesh_rpr_node srv;
        char why[160];
        int err;

        if (dev->done || dev->active || !dev->found) {
            continue;
        }
        if (dev->path == 0) {
            int si = building_node_by_addr(b, dev->server);
            dev->path = si > 0 ? building_path(b, (size_t)si) : ~0ull;
        }
        if (!may_start(d, dev, active)) {
            continue;
        }
        if (dev->tries > 0 && provisioned_after_all(d, dev)) {
            continue; /* an earlier attempt's device answered after all: not again */
        }
        srv = server_node(d, dev->server);
        dev->t = building_target_add(b, wn->uuid, NULL, 0);
        if (dev->t == NULL) {
            return;
        }

        dev->tries++;
        dev->start_ms = building_now_ms(b);
        err = bt_mesh_provision_remote(building_rpr_cli(b), &srv, wn->uuid, WORLD_NET_IDX, 0);
        if (err == -ENOMEM || err == -EBUSY) {
            /* The client still winds a finished link down: not an attempt, try in a moment. */
            building_target_del(b, dev->t);
            dev->t = NULL;
            dev->tries--;
            dev->retry_at_ms = building_now_ms(b) + 1000;
            continue;
        }
        if (err != 0) {
            building_target_del(b, dev->t);
            dev->t = NULL;
            snprintf(why, sizeof(why), "the link did not open (%s)",
                     err == -ETIMEDOUT      ? "no answer"
                     : err == -ECONNREFUSED ? "refused"
                                            : strerror(-err));
            attempt_failed(d, dev, why);
            continue;
        }
        building_progress(b, "provisioning %s (%s) through 0x%04x%s", wn->name, oob_label(wn),
                          (unsigned)dev->server, dev->tries > 1 ? ", again" : "");
        dev->active = true;
        active++;
    }
}

static void finish_links(struct demo *d)
{
    struct building *b = d->b;

    for (size_t i = 0; i < d->dev_count; i++) {
        struct demo_dev *dev = &d->devs[i];
        const struct world_node *wn = &d->w->nodes[dev->wi];
        struct b_outcome o;
        bool ended;

        if (!dev->active) {
            continue;
        }
        ended = building_prov_ended(b, wn->uuid, dev->server, dev->start_ms, &o);
        if (!ended && building_now_ms(b) - dev->start_ms < DEMO_PROVISION_MAX_MS) {
            continue;
        }
        dev->active = false;
        dev->took_ms = (ended ? o.time_ms : building_now_ms(b)) - dev->start_ms;
        if (ended && o.ok) {
            char t[24];
            dev->ok = true;
            dev->done = true;
            if (d->max_links < MESHRPR_RPR_CLI_LINK_COUNT) {
                d->max_links++;
            }
            dev->addr = o.addr;
            dev->elements = o.elements;
            dev->auth = dev->t->auth != NULL ? dev->t->auth : "none";
            tool_time_str(t, dev->took_ms);
            building_progress(b, "%s provisioned as 0x%04x (%u element%s, %s) in %s s", wn->name,
                              (unsigned)o.addr, (unsigned)o.elements, o.elements == 1 ? "" : "s",
                              auth_words(dev->auth), t);
        } else if (provisioned_after_all(d, dev)) {
            if (d->max_links < MESHRPR_RPR_CLI_LINK_COUNT) {
                d->max_links++;
            }
        } else if (ended) {
            char why[160];
            snprintf(why, sizeof(why), "provisioning failed: %s", o.why);
            attempt_failed(d, dev, why);
        } else {
            attempt_failed(d, dev, "provisioning did not finish in time");
        }
        building_target_del(b, dev->t);
        dev->t = NULL;
    }
}

static void provision_all(struct demo *d)
{
    struct building *b = d->b;

    building_progress(
        b, "provisioning %zu devices, up to %d links at once, through servers on separate routes",
        d->dev_count, MESHRPR_RPR_CLI_LINK_COUNT);
    for (;;) {
        bool active = false, pending = false;

        start_links(d);
        for (size_t i = 0; i < d->dev_count; i++) {
            active |= d->devs[i].active;
            pending |= !d->devs[i].done && d->devs[i].found;
        }
        if (!pending) {
            break;
        }
        if (!active) {
            /* Every pending device just failed to open a link: give the network a moment. */
            (void)building_run_for(b, 2000);
            continue;
        }
        if (building_run_until(b, any_active_done, d, building_now_ms(b) + DEMO_PROVISION_MAX_MS) ==
            0) {
            /* A link that went idle: let the session's own report come first. */
            (void)building_run_for(b, BUILDING_PROV_GRACE_MS);
        }
        finish_links(d);
    }
    for (size_t i = 0; i < d->dev_count; i++) {
        struct demo_dev *dev = &d->devs[i];
        const struct meshrpr_cdb_node *entry =
            meshrpr_cdb_node_by_uuid(&d->w->cdb, d->w->nodes[dev->wi].uuid);
        if (!dev->found) {
            snprintf(dev->why, sizeof(dev->why), "no server heard it");
        } else if (!dev->ok && entry != NULL && entry->pending != MESHRPR_CDB_PENDING_NONE &&
                   !provisioned_after_all(d, dev)) {
            snprintf(dev->why, sizeof(dev->why),
                     "unknown: its Provisioning Data was sent, but it answers neither "
                     "provisioned nor refusing (the database keeps it pending)");
        }
    }
}

/* ---- 4. NPPI ------------------------------------------------------------------------------ */

static struct demo_dev *nppi_pick(struct demo *d, bool want_comp, const struct demo_dev *avoid1,
                                  const struct demo_dev *avoid2)
{
    struct demo_dev *fallback = NULL;

    for (size_t i = 0; i < d->dev_count; i++) {
        struct demo_dev *dev = &d->devs[i];
        if (!dev->ok || (want_comp && !d->w->nodes[dev->wi].comp_change)) {
            continue;
        }
        if (fallback == NULL) {
            fallback = dev;
        }
        if (dev != avoid1 && dev != avoid2) {
            return dev;
        }
    }
    return fallback;
}

/* Whether the refresh of n took effect: the node's settled database entry has a new device
 * key (every procedure changes it). The check then asks the node under it. */
static bool nppi_took_effect(struct demo *d, struct demo_nppi *n, const uint8_t old_key[16])
{
    struct building *b = d->b;
    const struct world_node *wn = &d->w->nodes[n->wi];
    const struct meshrpr_cdb_node *entry = meshrpr_cdb_node_by_uuid(&d->w->cdb, wn->uuid);
    unsigned elements;
    int err;

    if (entry == NULL) {
        return false;
    }
    n->after = entry->addr;
    n->new_key = memcmp(entry->dev_key, old_key, 16) != 0;
    if (!n->new_key) {
        return false;
    }
    /* The node answers with its new key at its (new) address. A check lost to the radio does
     * not undo a refresh the node took: the final check asks every node again. */
    err = building_comp_get(b, n->after, 2 * DEMO_REQUEST_TRIES, &elements, &n->models_after);
    if (err != 0) {
        n->models_after = 0;
        building_progress(b, "%s now 0x%04x with a new device key; no answer to the check yet (%s)",
                          wn->name, (unsigned)n->after, tool_errno_text(err));
        return true;
    }
    building_progress(b, "%s now 0x%04x with a new device key, %u models", wn->name,
                      (unsigned)n->after, n->models_after);
    return true;
}

static void nppi_run(struct demo *d, struct demo_nppi *n)
{
    struct building *b = d->b;
    const struct world_node *wn = &d->w->nodes[n->wi];
    const struct meshrpr_cdb_node *entry = meshrpr_cdb_node_by_uuid(&d->w->cdb, wn->uuid);
    uint8_t old_key[16];
    unsigned elements;

    n->ran = true;
    if (entry == NULL) {
        snprintf(n->why, sizeof(n->why), "not in the database");
        return;
    }
    memcpy(old_key, entry->dev_key, 16);
    n->before = entry->addr;
    (void)building_comp_get(b, n->before, DEMO_REQUEST_TRIES, &elements, &n->models_before);
    for (unsigned k = 0; k < DEMO_TRIES && !n->ok; k++) {
        struct bt_mesh_rpr_node srv;
        uint16_t cur, new_addr;
        struct b_target *t;
        uint64_t start;
        struct b_outcome o;
        int err;

        /* Before another try: the node is where the (settled) database says, which after a
         * lost confirmation may be the new identity already. */
        if (k > 0) {
            if (settle_pending(d, wn->uuid) != 0) {
                snprintf(n->why, sizeof(n->why),
                         "unknown: the node answers under neither identity (the database keeps "
                         "both)");
                break;
            }
            if (nppi_took_effect(d, n, old_key)) {
                n->ok = true;
                break;
            }
        }
        entry = meshrpr_cdb_node_by_uuid(&d->w->cdb, wn->uuid);
        if (entry == NULL) {
            snprintf(n->why, sizeof(n->why), "gone from the database");
            break;
        }
        cur = entry->addr;
        srv = server_node(d, cur);
        new_addr = n->procedure == BT_MESH_RPR_NODE_REFRESH_ADDR ? 0 : cur;
        t = building_target_add(b, wn->uuid, NULL, 0);
        start = building_now_ms(b);
        building_progress(b, "%s of %s (0x%04x)%s", out_procedure(n->procedure), wn->name,
                          (unsigned)cur, k > 0 ? ", again" : "");
        err = bt_mesh_reprovision_remote(building_rpr_cli(b), &srv, new_addr,
                                         n->procedure == BT_MESH_RPR_NODE_REFRESH_COMPOSITION);
        if (err != 0) {
            building_target_del(b, t);
            snprintf(n->why, sizeof(n->why), "the link did not open (%s)", tool_errno_text(err));
            (void)building_run_for(b, 2000);
            continue;
        }
        (void)building_prov_wait(b, wn->uuid, srv.addr, start, DEMO_PROVISION_MAX_MS, &o);
        building_target_del(b, t);
        n->took_ms = o.time_ms - start;
        if (!o.ok) {
            snprintf(n->why, sizeof(n->why), "%s", o.why);
            building_progress(b, "%s: %s", wn->name, o.why);
        }
        /* Decided on what the node has, not on what the link said. */
        if (settle_pending(d, wn->uuid) != 0) {
            snprintf(n->why, sizeof(n->why),
                     "unknown: the node answers under neither identity (the database keeps both)");
            break;
        }
        if (nppi_took_effect(d, n, old_key)) {
            n->ok = true;
            break;
        }
        if (o.ok) {
            snprintf(n->why, sizeof(n->why), "the device key did not change");
        }
        (void)building_run_for(b, 2000);
    }
    if (n->ok && n->procedure == BT_MESH_RPR_NODE_REFRESH_COMPOSITION && n->models_after != 0 &&
        n->models_before != 0 && n->models_after != n->models_before + 1) {
        n->ok = false;
        snprintf(n->why, sizeof(n->why), "page 0 did not become the new composition");
    }
    if (n->ok) {
        n->why[0] = '\0';
    }
}

static void nppi_all(struct demo *d)
{
    static const unsigned order[3] = { BT_MESH_RPR_NODE_REFRESH_DEVKEY,
                                       BT_MESH_RPR_NODE_REFRESH_COMPOSITION,
                                       BT_MESH_RPR_NODE_REFRESH_ADDR };
    struct demo_dev *comp, *key, *addr;

    d->nppi_available = commands_nppi_available(d->nppi_why, sizeof(d->nppi_why));
    building_activate(d->b);
    if (!d->nppi_available) {
        building_progress(d->b, "NPPI: skipped, not available yet in this build (%s)", d->nppi_why);
        return;
    }
    comp = nppi_pick(d, true, NULL, NULL);
    key = nppi_pick(d, false, comp, NULL);
    addr = nppi_pick(d, false, comp, key);
    for (size_t i = 0; i < 3; i++) {
        struct demo_nppi *n = &d->nppi[d->nppi_count];
        struct demo_dev *dev = order[i] == BT_MESH_RPR_NODE_REFRESH_DEVKEY ? key
                               : order[i] == BT_MESH_RPR_NODE_REFRESH_ADDR ? addr
                                                                           : comp;
        memset(n, 0, sizeof(*n));
        n->procedure = order[i];
        if (dev == NULL) {
            continue; /* no provisioned device (with a composition change) to refresh */
        }
        d->nppi_count++;
        n->wi = dev->wi;
        nppi_run(d, n);
    }
}

/* ---- 5. Checks and the table ----------------------------------------------------------------- */

static void check_all(struct demo *d)
{
    struct building *b = d->b;
    const struct meshrpr_cdb_node *order[MESHRPR_CDB_NODE_COUNT];
    size_t n = 0;

    for (size_t i = 0; i < MESHRPR_CDB_NODE_COUNT; i++) {
        if (d->w->cdb.nodes[i].valid) {
            size_t j = n++;
            while (j > 0 && order[j - 1]->addr > d->w->cdb.nodes[i].addr) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = &d->w->cdb.nodes[i];
        }
    }
    building_progress(b, "checking every node with Composition Data Get, secured with the "
                         "device key in the database");
    for (size_t i = 0; i < n; i++) {
        struct demo_check *k = &d->check[d->checks++];
        k->name = dev_name(d, order[i]->uuid);
        k->addr = order[i]->addr;
        k->err = building_comp_get(b, k->addr, DEMO_REQUEST_TRIES, &k->elements, &k->models);
        d->checks_ok += k->err == 0;
    }
}

static void table_checks(struct demo *d, cJSON *arr)
{
    out_text(&d->c->out, "%s", "");
    out_text(&d->c->out, "Configuration Client check (Composition Data Get, each node's current "
                         "device key)");
    out_text(&d->c->out, "  %-12s %-7s %-5s %-6s %s", "NODE", "ADDRESS", "ELEMS", "MODELS",
             "RESULT");
    for (size_t i = 0; i < d->checks; i++) {
        const struct demo_check *k = &d->check[i];
        const char *why = k->err == -ETIMEDOUT ? "no answer" : strerror(-k->err);
        cJSON *o = out_arr_obj(arr);

        out_str(o, "node", k->name);
        out_num(o, "addr", k->addr);
        out_bool(o, "ok", k->err == 0);
        if (k->err == 0) {
            out_num(o, "elements", k->elements);
            out_num(o, "models", k->models);
            out_text(&d->c->out, "  %-12s 0x%04x  %-5u %-6u ok", k->name, (unsigned)k->addr,
                     k->elements, k->models);
        } else {
            out_str(o, "error", why);
            out_text(&d->c->out, "  %-12s 0x%04x  %-5s %-6s FAILED (%s)", k->name,
                     (unsigned)k->addr, "-", "-", why);
        }
    }
}

static void table_devices(struct demo *d, cJSON *arr)
{
    out_text(&d->c->out, "%s", "");
    out_text(&d->c->out, "Remote provisioning (devices out of the provisioner's radio range)");
    out_text(&d->c->out, "  %-7s %-8s %-7s %-4s %-10s %-7s %-5s %-9s %-5s %s", "DEVICE", "UUID",
             "SERVER", "HOPS", "AUTH", "ADDRESS", "ELEMS", "TIME", "TRIES", "RESULT");
    for (size_t i = 0; i < d->dev_count; i++) {
        const struct demo_dev *dev = &d->devs[i];
        const struct world_node *wn = &d->w->nodes[dev->wi];
        cJSON *o = out_arr_obj(arr);
        char id[33], t[24], srv[7] = "-", addr[7] = "-";

        tool_uuid_str(id, wn->uuid);
        tool_time_str(t, dev->took_ms);
        strcat(t, " s");
        if (dev->found) {
            tool_addr_str(srv, dev->server);
        }
        if (dev->ok) {
            tool_addr_str(addr, dev->addr);
        }
        out_str(o, "device", wn->name);
        out_str(o, "uuid", id);
        out_num(o, "server", dev->server);
        out_num(o, "hops", dev->hops);
        out_str(o, "oob", oob_kind(wn));
        out_str(o, "auth", dev->ok ? dev->auth : "");
        out_num(o, "addr", dev->ok ? dev->addr : 0);
        out_num(o, "elements", dev->ok ? dev->elements : 0);
        out_num(o, "time_ms", (double)dev->took_ms);
        out_num(o, "tries", dev->tries);
        out_bool(o, "ok", dev->ok);
        if (!dev->ok) {
            out_str(o, "error", dev->why);
        }
        id[8] = '\0';
        out_text(&d->c->out, "  %-7s %-8s %-7s %-4d %-10s %-7s %-5u %-9s %-5u %s", wn->name, id,
                 srv, dev->hops, dev->ok ? auth_words(dev->auth) : "-", addr,
                 (unsigned)(dev->ok ? dev->elements : 0), t, dev->tries, dev->ok ? "ok" : dev->why);
    }
}

static void table_nppi(struct demo *d, cJSON *o)
{
    cJSON *arr;

    out_bool(o, "available", d->nppi_available);
    out_text(&d->c->out, "%s", "");
    if (!d->nppi_available) {
        out_str(o, "skipped", d->nppi_why);
        out_text(&d->c->out, "NPPI re-provisioning: skipped, not available yet in this build (%s)",
                 d->nppi_why);
        return;
    }
    arr = out_arr(o, "procedures");
    out_text(&d->c->out, "NPPI re-provisioning (each procedure once)");
    out_text(&d->c->out, "  %-25s %-7s %-7s %-7s %-9s %s", "PROCEDURE", "NODE", "BEFORE", "AFTER",
             "TIME", "RESULT");
    for (size_t i = 0; i < d->nppi_count; i++) {
        const struct demo_nppi *n = &d->nppi[i];
        cJSON *p = out_arr_obj(arr);
        char t[24], before[7], after[7] = "-";

        tool_time_str(t, n->took_ms);
        strcat(t, " s");
        tool_addr_str(before, n->before);
        if (n->ok) {
            tool_addr_str(after, n->after);
        }
        out_str(p, "procedure", out_procedure(n->procedure));
        out_str(p, "node", d->w->nodes[n->wi].name);
        out_num(p, "before", n->before);
        out_num(p, "after", n->ok ? n->after : 0);
        out_num(p, "time_ms", (double)n->took_ms);
        out_bool(p, "ok", n->ok);
        if (!n->ok) {
            out_str(p, "error", n->why);
        }
        out_text(&d->c->out, "  %-25s %-7s %-7s %-7s %-9s %s", out_procedure(n->procedure),
                 d->w->nodes[n->wi].name, before, after, t, n->ok ? "ok, new device key" : n->why);
    }
}

/* --save: the building as a world file (path with suffix), as commands with --world load it.
 * The world's generation moves on, so commands on it draw fresh randomness. */
static int save_world(struct demo *d, const char *path, const char *suffix)
{
    char *name = malloc(strlen(path) + strlen(suffix) + 1);
    char err[320];
    int rc;

    if (name == NULL) {
        tool_error("out of memory");
        return -ENOMEM;
    }
    strcpy(name, path);
    strcat(name, suffix);
    d->w->time_ms = building_now_ms(d->b);
    d->w->generation++;
    world_cdb_timestamp(d->w);
    rc = world_save(d->w, name, err, sizeof(err));
    if (rc != 0) {
        tool_error("%s", err);
    }
    free(name);
    return rc;
}

int demo_run(struct cmd_ctx *c)
{
    struct world_params p = {
        .servers = WORLD_DEFAULT_SERVERS,
        .devices = WORLD_DEFAULT_DEVICES,
        .seed = 1,
        .range_m = WORLD_DEFAULT_RANGE_M,
    };
    const struct args *a = c->a;
    struct building_opts bo;
    struct demo *d;
    char err[256], t[24];
    uint64_t v, packets = 0;
    size_t provisioned = 0, nppi_ok = 0;
    int rc;

    if (a->set[OPT_SERVERS]) {
        if (tool_parse_u64(a->val[OPT_SERVERS], 1, WORLD_MAX_SERVERS, &v) != 0) {
            tool_error("bad --servers (1..%d)", WORLD_MAX_SERVERS);
            return TOOL_EXIT_USAGE;
        }
        p.servers = (unsigned)v;
    }
    if (a->set[OPT_DEVICES]) {
        if (tool_parse_u64(a->val[OPT_DEVICES], 1, world_max_devices(NULL), &v) != 0) {
            tool_error("bad --devices (1..%u)", world_max_devices(NULL));
            return TOOL_EXIT_USAGE;
        }
        p.devices = (unsigned)v;
    }
    if (world_params_check(&p, err, sizeof(err)) != 0) {
        tool_error("%s", err);
        return TOOL_EXIT_USAGE;
    }
    if (a->set[OPT_SEED] && tool_parse_u64(a->val[OPT_SEED], 0, 9007199254740991ull, &p.seed)) {
        tool_error("bad --seed (0..2^53-1)");
        return TOOL_EXIT_USAGE;
    }
    if (a->set[OPT_LOSS] && tool_parse_double(a->val[OPT_LOSS], 0, 0.5, &p.loss) != 0) {
        tool_error("bad --loss (a probability per radio link, 0..0.5; 0.1 is 10%%)");
        return TOOL_EXIT_USAGE;
    }
    rc = commands_building_opts(a, &bo);
    if (rc != TOOL_EXIT_OK) {
        return rc;
    }
    d = calloc(1, sizeof(*d));
    if (d == NULL || (d->w = world_alloc()) == NULL) {
        free(d);
        tool_error("out of memory");
        return TOOL_EXIT_FAIL;
    }
    d->c = c;
    d->max_links = MESHRPR_RPR_CLI_LINK_COUNT;
    if (world_generate(d->w, &p, err, sizeof(err)) != 0 ||
        (d->b = building_start(d->w, &bo, err, sizeof(err))) == NULL ||
        building_install(d->b, err, sizeof(err)) != 0) {
        tool_error("cannot build the simulated building: %s", err);
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    c->b = d->b;
    c->w = d->w;
    d->b->progress = progress;
    d->b->progress_ctx = d;
    out_num(c->out.root, "seed", (double)p.seed);
    out_num(c->out.root, "servers", p.servers);
    out_num(c->out.root, "devices", p.devices);
    out_num(c->out.root, "loss", p.loss);
    out_text(&c->out,
             "meshrpr demo: remote provisioning in a simulated building (seed %" PRIu64
             ", %u servers, %u devices, %g%% loss per radio link)",
             p.seed, p.servers, p.devices, p.loss * 100);
    building_progress(d->b,
                      "provisioner 0x%04x with the Remote Provisioning Client; radio range "
                      "%g m",
                      WORLD_PROV_ADDR, d->w->range_m);
    for (size_t i = 0; i < d->w->node_count; i++) {
        if (d->w->nodes[i].role == WORLD_DEVICE) {
            struct demo_dev *dev = &d->devs[d->dev_count++];
            dev->wi = i;
            dev->hops = building_hops(d->b, i);
        }
    }
    {
        unsigned n_static = 0, n_output = 0;
        for (size_t i = 0; i < d->dev_count; i++) {
            n_static += d->w->nodes[d->devs[i].wi].static_oob_len > 0;
            n_output += d->w->nodes[d->devs[i].wi].output_actions != 0;
        }
        building_progress(d->b,
                          "%zu unprovisioned devices, none within the provisioner's range: "
                          "%u with Static OOB (the installer has the values from the boxes), "
                          "%u with Output OOB (the user reads their displays)",
                          d->dev_count, n_static, n_output);
    }

    scan_all(d);
    ext_scan(d);
    provision_all(d);
    if (a->set[OPT_SAVE] && save_world(d, a->val[OPT_SAVE], ".before-nppi") != 0) {
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    nppi_all(d);

    check_all(d);

    for (size_t i = 0; i < d->dev_count; i++) {
        provisioned += d->devs[i].ok;
    }
    for (size_t i = 0; i < d->nppi_count; i++) {
        nppi_ok += d->nppi[i].ok;
    }
    for (int i = 0; i < meshrpr_sim_node_count(d->b->sim); i++) {
        packets += meshrpr_sim_node_stats(d->b->sim, i)->tx;
    }
    d->ok = provisioned == d->dev_count && d->checks_ok == d->checks && d->ext_ok &&
            (!d->nppi_available || nppi_ok == d->nppi_count);
    /* What was done is saved before it is reported: a kill after a line leaves it on disk. */
    rc = d->ok ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
    if (a->set[OPT_CDB]) {
        world_cdb_timestamp(d->w);
        if (meshrpr_cdb_save(&d->w->cdb, a->val[OPT_CDB]) != 0) {
            tool_error("cannot write the database to %s", a->val[OPT_CDB]);
            rc = TOOL_EXIT_FAIL;
        }
    }
    if (a->set[OPT_SAVE] && save_world(d, a->val[OPT_SAVE], "") != 0) {
        rc = TOOL_EXIT_FAIL;
    }
    table_devices(d, out_arr(c->out.root, "provisioning"));
    table_nppi(d, out_obj(c->out.root, "nppi"));
    table_checks(d, out_arr(c->out.root, "checks"));
    tool_time_str(t, building_now_ms(d->b));
    out_num(c->out.root, "time_ms", (double)building_now_ms(d->b));
    out_num(c->out.root, "packets", (double)packets);
    out_bool(c->out.root, "extended_scan_ok", d->ext_ok);
    out_bool(c->out.root, "ok", d->ok);
    out_text(&c->out, "%s", "");
    out_text(&c->out,
             "%zu/%zu devices provisioned remotely; NPPI %s; %u/%u nodes answer with "
             "their current device key",
             provisioned, d->dev_count,
             !d->nppi_available         ? "skipped (not available yet)"
             : nppi_ok == d->nppi_count ? "every procedure succeeded"
                                        : "FAILED",
             d->checks_ok, d->checks);
    out_text(&c->out, "%s s of virtual time, %" PRIu64 " radio packets%s%s", t, packets,
             bo.pcap_path != NULL ? ", capture in " : "", bo.pcap_path != NULL ? bo.pcap_path : "");
    out_text(&c->out, "result: %s", d->ok ? "success" : "FAILED");
    if (!d->ok) {
        tool_error("the demo did not succeed (see the tables)");
    }
out:
    if (building_stop(d->b) != 0) {
        tool_error("the capture %s could not be written", bo.pcap_path);
        rc = TOOL_EXIT_FAIL;
    }
    c->b = NULL;
    c->w = NULL;
    world_free(d->w);
    free(d);
    return rc;
}
