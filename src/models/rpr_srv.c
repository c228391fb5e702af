/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote Provisioning Server model (MshPRTv1.1 §4.4.5): scanning for unprovisioned devices
 * (§4.4.5.5.1), extended scanning (§4.4.5.5.1.7), and a provisioning link relayed between a
 * Remote Provisioning Client and a device over PB-ADV, or to the node's own provisionee for
 * NPPI (§4.4.5.5.2). Requests are answered with unsegmented status messages to the requester;
 * reports (Scan Report, Extended Scan Report, Link Report, PDU Outbound Report, PDU Report) go
 * acknowledged and segmented (§4.4.5.5.1.7, send_rel), through a small queue that sends at
 * most one message at a time to each destination, in order, since the lower transport allows
 * one segmented transfer per destination (§3.5.3.3).
 *
 * Behaviours chosen where Zephyr's server goes wrong (zephyr-rpr.md §4.7):
 *  - The device's next Provisioning PDU acknowledges our last one (PB-ADV completes the send),
 *    so a device answer that overtakes its Transaction Ack still produces the PDU Outbound
 *    Report before the PDU Report, and the link goes back to Link Active (issue #71422).
 *  - Every way a link ends goes through one place that sends the Link Report and returns the
 *    state to Idle: the device closing (Link Closed by Device), PB-ADV timeouts (Link Open
 *    Failed, Link Closed by Server, Cannot Send PDU), a PDU Report that cannot be delivered
 *    (Cannot Deliver PDU Report, the PB-ADV link is closed), the client's Link Close, the
 *    client's subnet being deleted, and node reset.
 * Subnet deletion has no notification hook yet, so the server notices it lazily: every
 * handler, timer and scan report first checks that its clients' subnets still exist.
 */
#include <meshrpr/rpr_srv.h>

#include <errno.h>
#include <string.h>

#include <meshrpr/node.h>
#include <meshrpr/prov.h>
#include <meshrpr/util.h>

#define MESHRPR_LOG_MODULE "rpr_srv"
#include "core/log.h"

#include "access/composition.h"
#include "models/rpr_msg.h"
#include "models/rpr_srv.h"
#include "net/keys.h"
#include "node/node_services.h"
#include "prov/pb_adv.h"
#include "prov/prov.h"
#include "prov/unprov_beacon.h"

/* Flags of a scanned item. */
#define RPR_DEV_USED     0x01
#define RPR_DEV_FOUND    0x02
#define RPR_DEV_REPORTED 0x04
#define RPR_DEV_HASH     0x08

/* States of a queued message. */
enum { TX_FREE = 0, TX_QUEUED, TX_SENDING };

/* Random delay before a newly found device is reported, as Zephyr does (zephyr-rpr.md §5.7). */
#define REPORT_DELAY_MIN_MS 20
#define REPORT_DELAY_MAX_MS 499
/* A send refused for lack of a SAR context (or another transfer to the same client) is tried
 * again this often, at most this many times. */
#define TX_RETRY_MS  50
#define TX_RETRY_MAX 100
/* A Scan Report whose transfer failed goes out again, at most this many times, after a random
 * pause (servers reporting at once to one client spread out). */
#define SCAN_REPORT_TRIES        3
#define SCAN_REPORT_RETRY_MIN_MS 200
#define SCAN_REPORT_RETRY_MAX_MS 1500

/* AD types (Bluetooth Assigned Numbers). */
#define AD_NAME_SHORT    0x08
#define AD_NAME_COMPLETE 0x09
#define AD_MESH_BEACON   0x2b

/* Offset of the URI Hash in an Unprovisioned Device beacon: Beacon Type, UUID, OOB. */
#define BEACON_HASH_OFFSET 19

/* A link on which no Provisioning PDU went either way for this long is closed (Link Closed by
 * Server, reason Timeout). The client and the device each run the provisioning protocol timer
 * (§5.4.4: 60 s, 120 s with Input/Output OOB, restarted by every PDU) and end a stalled
 * exchange first; this guard only frees the server when both are gone, e.g. a device that
 * vanished while its client did too, which PB-ADV alone never notices once the link is idle. */
#define LINK_IDLE_TIMEOUT_MS (MESHRPR_PROV_TIMEOUT_OOB_MS + 10000u)

/* PB-ADV Link Close reason sent to the device when the server ends a link itself. */
#define CLOSE_FAIL MESHRPR_PROV_LINK_FAIL

static void tx_timer_expired(struct meshrpr_timer *timer);
static void scan_report_next(struct meshrpr_rpr_srv *srv);
static void link_report(struct meshrpr_rpr_srv *srv);
static void link_server_close(struct meshrpr_rpr_srv *srv, uint8_t status, uint8_t reason);

/* ---- Helpers ------------------------------------------------------------------------------ */

static struct meshrpr_rpr_srv *model_srv(const struct bt_mesh_model *model)
{
    return model->rt != NULL ? model->rt->user_data : NULL;
}

/* The server of a request it may act on: the node's own device key on a provisioned node
 * (§4.4.5.1: the server is secured with the device key only). */
static struct meshrpr_rpr_srv *req_srv(const struct bt_mesh_model *model,
                                       const struct bt_mesh_msg_ctx *ctx)
{
    struct meshrpr_rpr_srv *srv = model_srv(model);

    if (srv == NULL || srv->node == NULL || !srv->node->provisioned ||
        ctx->app_idx != BT_MESH_KEY_DEV_LOCAL || !BT_MESH_ADDR_IS_UNICAST(ctx->addr)) {
        return NULL;
    }
    return srv;
}

static struct meshrpr_rpr_srv_peer peer_of(const struct bt_mesh_msg_ctx *ctx)
{
    return (struct meshrpr_rpr_srv_peer){ .addr = ctx->addr, .net_idx = ctx->net_idx };
}

static bool peer_equal(const struct meshrpr_rpr_srv_peer *a, const struct meshrpr_rpr_srv_peer *b)
{
    return a->addr == b->addr && a->net_idx == b->net_idx;
}

static bool subnet_gone(struct meshrpr_rpr_srv *srv, const struct meshrpr_rpr_srv_peer *peer)
{
    return meshrpr_keys_subnet_get(srv->node, peer->net_idx) == NULL;
}

static uint8_t link_state(const struct meshrpr_rpr_srv *srv)
{
    return srv->link_state;
}

/* A status message back to the requester (unsegmented, §3.7.3.1 response). */
static void rsp_send(struct meshrpr_rpr_srv *srv, const struct bt_mesh_msg_ctx *ctx,
                     struct net_buf_simple *msg)
{
    struct bt_mesh_msg_ctx rsp = *ctx;
    int err;

    rsp.app_idx = BT_MESH_KEY_DEV_LOCAL;
    rsp.send_rel = false;
    rsp.rnd_delay = true;
    rsp.uuid = NULL;
    err = bt_mesh_model_send(srv->model, &rsp, msg, NULL, NULL);
    if (err != 0) {
        MESHRPR_LOG_WRN(&srv->node->platform, "status to 0x%04x not sent (%d)", ctx->addr, err);
    }
}

/* ---- Reliable message queue ---------------------------------------------------------------- */

/* A free queue slot holding a message with opcode op for peer, or NULL when the queue is full.
 * The caller appends the parameters to *buf and then calls tx_commit(). */
static struct meshrpr_rpr_srv_tx *tx_new(struct meshrpr_rpr_srv *srv,
                                         const struct meshrpr_rpr_srv_peer *peer, uint16_t op,
                                         struct net_buf_simple *buf)
{
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        struct meshrpr_rpr_srv_tx *t = &srv->tx[i];
        if (t->state == TX_FREE) {
            t->srv = srv;
            t->dst = peer->addr;
            t->net_idx = peer->net_idx;
            t->opcode = op;
            t->retries = 0;
            t->report_tries = 0;
            t->not_before_ms = 0;
            t->nppi_pdu = false;
            t->gen = srv->link_gen;
            t->len = 0;
            net_buf_simple_init_with_data(buf, t->data, sizeof(t->data));
            net_buf_simple_reset(buf);
            bt_mesh_model_msg_init(buf, op);
            return t;
        }
    }
    MESHRPR_LOG_WRN(&srv->node->platform, "queue full: message 0x%04x to 0x%04x dropped", op,
                    peer->addr);
    return NULL;
}

static void tx_commit(struct meshrpr_rpr_srv *srv, struct meshrpr_rpr_srv_tx *t,
                      const struct net_buf_simple *buf)
{
    t->len = buf->len;
    t->seq = srv->tx_seq++;
    t->state = TX_QUEUED;
    /* Sent from the node's event loop, never from inside a caller (a handler, a bearer
     * callback, a send completion). */
    meshrpr_node_timer_start(srv->node, &srv->tx_timer, 0);
}

static bool tx_pending(const struct meshrpr_rpr_srv *srv, uint16_t op)
{
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        if (srv->tx[i].state != TX_FREE && srv->tx[i].opcode == op) {
            return true;
        }
    }
    return false;
}

/* Forget queued (not yet sending) messages with opcode op (0: any) to peer (NULL: anyone). */
static void tx_drop(struct meshrpr_rpr_srv *srv, uint16_t op,
                    const struct meshrpr_rpr_srv_peer *peer)
{
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        struct meshrpr_rpr_srv_tx *t = &srv->tx[i];
        if (t->state == TX_QUEUED && (op == 0 || t->opcode == op) &&
            (peer == NULL || (t->dst == peer->addr && t->net_idx == peer->net_idx))) {
            t->state = TX_FREE;
        }
    }
}

/* A message is done: sent and acknowledged (err 0), or given up. */
static void tx_finish(struct meshrpr_rpr_srv *srv, struct meshrpr_rpr_srv_tx *t, int err)
{
    const uint16_t op = t->opcode;
    const bool nppi_pdu = t->nppi_pdu;
    const bool same_link = t->gen == srv->link_gen;

    if (op == RPR_OP_SCAN_REPORT && err != 0 && t->report_tries < SCAN_REPORT_TRIES &&
        srv->scan_state != BT_MESH_RPR_SCAN_IDLE && t->dst == srv->scan_cli.addr) {
        /* The client may have had no receive context free (several servers reporting to
         * it at once): a device is reported once per scan (§4.4.5.5.1.5), so that report
         * must not be lost. Again after a random pause, behind what is queued. */
        t->report_tries++;
        t->retries = 0;
        t->seq = srv->tx_seq++;
        t->state = TX_QUEUED;
        MESHRPR_LOG_WRN(&srv->node->platform, "Scan Report to 0x%04x not delivered (%d): again",
                        t->dst, err);
        t->not_before_ms = meshrpr_node_now_ms(srv->node) +
                           meshrpr_node_random_range(srv->node, SCAN_REPORT_RETRY_MIN_MS,
                                                     SCAN_REPORT_RETRY_MAX_MS);
        meshrpr_node_timer_start(srv->node, &srv->tx_timer, 0);
        return;
    }
    t->state = TX_FREE;
    if (err != 0) {
        MESHRPR_LOG_WRN(&srv->node->platform, "message 0x%04x to 0x%04x not delivered (%d)", op,
                        t->dst, err);
    }
    switch (op) {
    case RPR_OP_SCAN_REPORT:
        scan_report_next(srv);
        break;
    case RPR_OP_LINK_REPORT:
        /* The Link Report that ended an NPPI link: now the provisionee hears the close. */
        if (nppi_pdu && srv->nppi_close_pending) {
            meshrpr_node_timer_start(srv->node, &srv->nppi_timer, 0);
        }
        break;
    case RPR_OP_PDU_REPORT: {
        /* §4.4.5.5.2.6: a PDU Report the client cannot get ends the link. Closed first, so
         * that a local (NPPI) provisionee learns the link was closed, not that its own send
         * timed out (issue #11). */
        const bool undeliverable = err != 0 && same_link &&
                                   srv->link_state != BT_MESH_RPR_LINK_IDLE &&
                                   srv->link_state != BT_MESH_RPR_LINK_CLOSING;
        if (undeliverable) {
            link_server_close(srv, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_DELIVER_PDU_REPORT,
                              CLOSE_FAIL);
        }
        if (nppi_pdu && same_link && srv->nppi_complete != NULL) {
            meshrpr_prov_send_complete_t complete = srv->nppi_complete;
            srv->nppi_complete = NULL;
            complete(undeliverable ? -ECONNABORTED : err, srv->nppi_cb_data);
        }
        break;
    }
    default:
        break;
    }
}

static void tx_end(int err, void *cb_data)
{
    struct meshrpr_rpr_srv_tx *t = cb_data;

    if (t->state != TX_SENDING) {
        return; /* the server was reset meanwhile */
    }
    tx_finish(t->srv, t, err);
    if (t->srv->node->provisioned) {
        meshrpr_node_timer_start(t->srv->node, &t->srv->tx_timer, 0);
    }
}

static const struct bt_mesh_send_cb tx_cb = { .end = tx_end };

static bool dst_busy(const struct meshrpr_rpr_srv *srv, uint16_t dst)
{
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        if (srv->tx[i].state == TX_SENDING && srv->tx[i].dst == dst) {
            return true;
        }
    }
    return false;
}

/* The queued message that comes first, skipping destinations in blocked. */
static struct meshrpr_rpr_srv_tx *tx_first(struct meshrpr_rpr_srv *srv, const uint16_t *blocked,
                                           size_t blocked_count)
{
    struct meshrpr_rpr_srv_tx *first = NULL;

    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        struct meshrpr_rpr_srv_tx *t = &srv->tx[i];
        bool skip = t->state != TX_QUEUED || dst_busy(srv, t->dst) ||
                    t->not_before_ms > meshrpr_node_now_ms(srv->node);
        for (size_t b = 0; b < blocked_count && !skip; b++) {
            skip = blocked[b] == t->dst;
        }
        if (!skip && (first == NULL || (int32_t)(t->seq - first->seq) < 0)) {
            first = t;
        }
    }
    return first;
}

static void tx_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_rpr_srv *srv = MESHRPR_CONTAINER_OF(timer, struct meshrpr_rpr_srv, tx_timer);
    uint16_t blocked[MESHRPR_RPR_SRV_TX_COUNT];
    size_t blocked_count = 0;
    bool retry = false;
    struct meshrpr_rpr_srv_tx *t;

    /* Each pass either starts, blocks or finishes one queued message, so this ends. */
    while ((t = tx_first(srv, blocked, blocked_count)) != NULL) {
        struct bt_mesh_msg_ctx ctx =
            BT_MESH_MSG_CTX_INIT(t->net_idx, BT_MESH_KEY_DEV_LOCAL, t->dst, BT_MESH_TTL_DEFAULT);
        struct net_buf_simple msg;
        int err;

        ctx.send_rel = true;
        net_buf_simple_init_with_data(&msg, t->data, t->len);
        t->state = TX_SENDING;
        err = bt_mesh_model_send(srv->model, &ctx, &msg, &tx_cb, t);
        if (err == 0) {
            continue;
        }
        t->state = TX_QUEUED;
        if ((err == -EBUSY || err == -ENOBUFS) && t->retries < TX_RETRY_MAX) {
            /* Another transfer holds the destination or every SAR context: try later, and
             * keep this destination's later messages behind this one. */
            t->retries++;
            blocked[blocked_count++] = t->dst;
            retry = true;
            continue;
        }
        tx_finish(srv, t, err);
    }
    if (retry && !meshrpr_timer_is_armed(&srv->tx_timer)) {
        meshrpr_node_timer_start(srv->node, &srv->tx_timer, TX_RETRY_MS);
    }
    /* A Scan Report waiting for its pause to end. */
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        const struct meshrpr_rpr_srv_tx *w = &srv->tx[i];
        uint64_t now = meshrpr_node_now_ms(srv->node);
        if (w->state == TX_QUEUED && w->not_before_ms > now &&
            (!meshrpr_timer_is_armed(&srv->tx_timer) ||
             srv->tx_timer.deadline_ms > w->not_before_ms)) {
            meshrpr_node_timer_start(srv->node, &srv->tx_timer, (uint32_t)(w->not_before_ms - now));
        }
    }
}

/* ---- Regular scan (§4.4.5.5.1.2 - §4.4.5.5.1.6) -------------------------------------------- */

static uint8_t scan_remaining_s(const struct meshrpr_rpr_srv *srv)
{
    uint64_t now = meshrpr_node_now_ms(srv->node);
    uint64_t left_s;

    if (srv->scan_state == BT_MESH_RPR_SCAN_IDLE || srv->scan_end_ms <= now) {
        return 0;
    }
    left_s = (srv->scan_end_ms - now + 999) / 1000;
    return left_s > UINT8_MAX ? UINT8_MAX : (uint8_t)left_s;
}

static void scan_status_send(struct meshrpr_rpr_srv *srv, const struct bt_mesh_msg_ctx *ctx,
                             uint8_t status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_SCAN_STATUS, 4);
    const struct rpr_scan_status m = {
        .status = status,
        .state = srv->scan_state,
        .max_devs = srv->scan_state == BT_MESH_RPR_SCAN_IDLE ? 0 : srv->scan_max_devs,
        .timeout_s = scan_remaining_s(srv),
    };

    bt_mesh_model_msg_init(&msg, RPR_OP_SCAN_STATUS);
    meshrpr_rpr_msg_scan_status_encode(&msg, &m);
    rsp_send(srv, ctx, &msg);
}

/* Stop scanning. flush: still report the devices already found (the scan timed out);
 * otherwise (Scan Stop, reset) nothing more is reported. */
static void scan_end(struct meshrpr_rpr_srv *srv, bool flush)
{
    if (srv->scan_state == BT_MESH_RPR_SCAN_IDLE) {
        return;
    }
    MESHRPR_LOG_INF(&srv->node->platform, "scan ended (%s)", flush ? "timeout" : "stopped");
    srv->scan_state = BT_MESH_RPR_SCAN_IDLE;
    meshrpr_node_timer_cancel(srv->node, &srv->scan_timer);
    meshrpr_node_timer_cancel(srv->node, &srv->report_timer);
    if (flush) {
        srv->report_go = true;
        scan_report_next(srv);
        return;
    }
    srv->report_go = false;
    for (size_t i = 0; i < MESHRPR_RPR_SRV_SCANNED_ITEMS; i++) {
        srv->devs[i].flags |= RPR_DEV_REPORTED;
    }
    tx_drop(srv, RPR_OP_SCAN_REPORT, NULL);
}

static void scan_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_rpr_srv *srv = MESHRPR_CONTAINER_OF(timer, struct meshrpr_rpr_srv, scan_timer);

    scan_end(srv, true);
}

/* Send the Scan Report of the next found device, one at a time (§4.4.5.5.1.5: at most one
 * report per device per scan). */
static void scan_report_next(struct meshrpr_rpr_srv *srv)
{
    if (!srv->report_go || tx_pending(srv, RPR_OP_SCAN_REPORT)) {
        return;
    }
    for (size_t i = 0; i < MESHRPR_RPR_SRV_SCANNED_ITEMS; i++) {
        struct meshrpr_rpr_srv_dev *dev = &srv->devs[i];
        struct rpr_scan_report m;
        struct net_buf_simple buf;
        struct meshrpr_rpr_srv_tx *t;

        if ((dev->flags & (RPR_DEV_USED | RPR_DEV_FOUND | RPR_DEV_REPORTED)) !=
            (RPR_DEV_USED | RPR_DEV_FOUND)) {
            continue;
        }
        t = tx_new(srv, &srv->scan_cli, RPR_OP_SCAN_REPORT, &buf);
        if (t == NULL) {
            return; /* retried when a queued message finishes */
        }
        dev->flags |= RPR_DEV_REPORTED;
        m.rssi = dev->rssi;
        memcpy(m.uuid, dev->uuid, 16);
        /* The beacon's OOB Information is big-endian; the report carries it little-endian
         * (rpr_msg.h), and the URI Hash as the beacon's octets. */
        m.oob = dev->oob;
        m.has_hash = (dev->flags & RPR_DEV_HASH) != 0;
        memcpy(m.hash, dev->hash, 4);
        meshrpr_rpr_msg_scan_report_encode(&buf, &m);
        tx_commit(srv, t, &buf);
        return;
    }
    /* Nothing left: the next device found waits for a new random delay. */
    srv->report_go = false;
}

static void report_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_rpr_srv *srv = MESHRPR_CONTAINER_OF(timer, struct meshrpr_rpr_srv, report_timer);

    srv->report_go = true;
    scan_report_next(srv);
}

static void scan_beacon(struct meshrpr_rpr_srv *srv, const uint8_t uuid[16], uint16_t oob,
                        const uint8_t *hash, int8_t rssi)
{
    struct meshrpr_rpr_srv_dev *dev = NULL;
    size_t used = 0;

    for (size_t i = 0; i < MESHRPR_RPR_SRV_SCANNED_ITEMS; i++) {
        struct meshrpr_rpr_srv_dev *d = &srv->devs[i];
        if (!(d->flags & RPR_DEV_USED)) {
            continue;
        }
        used++;
        if (memcmp(d->uuid, uuid, 16) == 0) {
            dev = d;
        }
    }
    if (dev == NULL) {
        /* A new device takes a free row in a multi-device scan, up to ScannedItemsLimit;
         * beyond it devices are ignored (§4.4.5.5.1.3). */
        if (srv->scan_state != BT_MESH_RPR_SCAN_MULTI || used >= srv->scan_max_devs) {
            return;
        }
        for (size_t i = 0; i < MESHRPR_RPR_SRV_SCANNED_ITEMS && dev == NULL; i++) {
            if (!(srv->devs[i].flags & RPR_DEV_USED)) {
                dev = &srv->devs[i];
            }
        }
        if (dev == NULL) {
            return;
        }
        memset(dev, 0, sizeof(*dev));
        memcpy(dev->uuid, uuid, 16);
        dev->flags = RPR_DEV_USED;
    }
    if (dev->flags & RPR_DEV_REPORTED) {
        return;
    }
    dev->rssi = rssi;
    dev->oob = oob;
    if (hash != NULL) {
        memcpy(dev->hash, hash, 4);
        dev->flags |= RPR_DEV_HASH;
    } else {
        dev->flags &= (uint8_t)~RPR_DEV_HASH;
    }
    if (!(dev->flags & RPR_DEV_FOUND)) {
        dev->flags |= RPR_DEV_FOUND;
        MESHRPR_LOG_DBG(&srv->node->platform, "found device %02x%02x..., RSSI %d", uuid[0], uuid[1],
                        rssi);
    }
    if (srv->report_go) {
        scan_report_next(srv);
    } else if (!meshrpr_timer_is_armed(&srv->report_timer)) {
        meshrpr_node_timer_start(
            srv->node, &srv->report_timer,
            meshrpr_node_random_range(srv->node, REPORT_DELAY_MIN_MS, REPORT_DELAY_MAX_MS));
    }
}

static void scan_begin(struct meshrpr_rpr_srv *srv, const struct meshrpr_rpr_srv_peer *cli,
                       const struct rpr_scan_start *m)
{
    /* A restart by the same client forgets the previous scan's devices and reports. */
    meshrpr_node_timer_cancel(srv->node, &srv->report_timer);
    tx_drop(srv, RPR_OP_SCAN_REPORT, NULL);
    memset(srv->devs, 0, sizeof(srv->devs));
    srv->report_go = false;
    srv->scan_cli = *cli;
    srv->scan_max_devs = m->max_devs != 0 ? m->max_devs : MESHRPR_RPR_SRV_SCANNED_ITEMS;
    if (m->has_uuid) {
        srv->scan_state = BT_MESH_RPR_SCAN_SINGLE;
        memcpy(srv->devs[0].uuid, m->uuid, 16);
        srv->devs[0].flags = RPR_DEV_USED;
    } else {
        srv->scan_state = BT_MESH_RPR_SCAN_MULTI;
    }
    srv->scan_end_ms = meshrpr_node_now_ms(srv->node) + (uint64_t)m->timeout_s * 1000u;
    meshrpr_node_timer_start(srv->node, &srv->scan_timer, (uint32_t)m->timeout_s * 1000u);
    MESHRPR_LOG_INF(&srv->node->platform, "%s scan for 0x%04x: %u s, limit %u",
                    m->has_uuid ? "single" : "multi", cli->addr, m->timeout_s, srv->scan_max_devs);
}

/* ---- Extended scan (§4.4.5.5.1.7) ----------------------------------------------------------- */

static void ext_report_send(struct meshrpr_rpr_srv *srv, const struct meshrpr_rpr_srv_peer *cli,
                            const struct rpr_ext_scan_report *m)
{
    struct net_buf_simple buf;
    struct meshrpr_rpr_srv_tx *t = tx_new(srv, cli, RPR_OP_EXTENDED_SCAN_REPORT, &buf);

    if (t == NULL) {
        return;
    }
    meshrpr_rpr_msg_ext_scan_report_encode(&buf, m);
    if (buf.error) {
        t->state = TX_FREE;
        return;
    }
    tx_commit(srv, t, &buf);
}

static void ext_status_report(struct meshrpr_rpr_srv *srv, const struct meshrpr_rpr_srv_peer *cli,
                              const uint8_t uuid[16], uint8_t status)
{
    struct rpr_ext_scan_report m = { .status = status };

    memcpy(m.uuid, uuid, 16);
    ext_report_send(srv, cli, &m);
}

static void ext_stop_scanning(struct meshrpr_rpr_srv *srv)
{
    srv->ext_active = false;
    meshrpr_node_timer_cancel(srv->node, &srv->ext_timer);
    if (srv->ext_active_set) {
        srv->ext_active_set = false;
        (void)meshrpr_node_scan_active_set(srv->node, false);
    }
}

/* The extended scan is complete (or timed out): one Extended Scan Report, with the OOB
 * Information and the AD structures only when the device was found (§4.4.5.5.1.7). */
static void ext_finish(struct meshrpr_rpr_srv *srv)
{
    struct rpr_ext_scan_report m = {
        .status = BT_MESH_RPR_SUCCESS,
        .has_oob = srv->ext_found,
        .oob = srv->ext_oob,
        .adv_data = srv->ext_ad,
        .adv_data_len = srv->ext_found ? srv->ext_ad_len : 0,
    };

    memcpy(m.uuid, srv->ext_uuid, 16);
    ext_stop_scanning(srv);
    MESHRPR_LOG_INF(&srv->node->platform, "extended scan done: %s, %u octets of AD",
                    srv->ext_found ? "found" : "not found", (unsigned)m.adv_data_len);
    ext_report_send(srv, &srv->ext_cli, &m);
}

static void ext_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_rpr_srv *srv = MESHRPR_CONTAINER_OF(timer, struct meshrpr_rpr_srv, ext_timer);

    ext_finish(srv);
}

/* Append one AD structure (type and data) to an AD buffer of size room. */
static bool ad_append(uint8_t *ad, uint16_t *ad_len, size_t room, uint8_t type, const uint8_t *data,
                      size_t len)
{
    if (len > 254 || *ad_len + 2u + len > room) {
        return false;
    }
    ad[(*ad_len)++] = (uint8_t)(len + 1);
    ad[(*ad_len)++] = type;
    memcpy(&ad[*ad_len], data, len);
    *ad_len = (uint16_t)(*ad_len + len);
    return true;
}

/* Index of the filter entry an AD type answers, or -1. A Shortened Local Name answers the
 * Complete Local Name filter (§4.4.5.5.1.7: the shortened name may not be asked for). */
static int ext_filter_index(const struct meshrpr_rpr_srv *srv, uint8_t type)
{
    for (uint8_t i = 0; i < srv->ext_count; i++) {
        if (srv->ext_types[i] == type ||
            (type == AD_NAME_SHORT && srv->ext_types[i] == AD_NAME_COMPLETE)) {
            return i;
        }
    }
    return -1;
}

static bool ext_has_non_uri(const struct meshrpr_rpr_srv *srv)
{
    for (uint8_t i = 0; i < srv->ext_count; i++) {
        if (srv->ext_types[i] != MESHRPR_AD_TYPE_URI) {
            return true;
        }
    }
    return false;
}

static bool uri_matches(const struct meshrpr_rpr_srv *srv, const uint8_t *uri, size_t len)
{
    uint8_t hash[4];

    return srv->ext_has_hash && meshrpr_unprov_beacon_uri_hash(uri, len, hash) == 0 &&
           memcmp(hash, srv->ext_hash, 4) == 0;
}

/* One advertising report while an extended scan runs: the target's beacon gives its address,
 * OOB Information and URI Hash; its advertising and scan responses give the AD structures. */
static void ext_observe(struct meshrpr_rpr_srv *srv, const struct meshrpr_adv_report *report)
{
    const uint32_t all = (1u << srv->ext_count) - 1u;
    bool from_dev;

    for (size_t pos = 0; pos < report->len;) {
        size_t ad_len = report->data[pos];
        uint8_t uuid[16];
        uint16_t oob;
        bool has_hash;
        if (ad_len == 0 || pos + 1 + ad_len > report->len) {
            break;
        }
        if (report->data[pos + 1] == AD_MESH_BEACON &&
            report->adv_type == MESHRPR_ADV_NONCONN_IND &&
            meshrpr_unprov_beacon_parse(&report->data[pos + 2], ad_len - 1, uuid, &oob, NULL,
                                        &has_hash) == 0 &&
            memcmp(uuid, srv->ext_uuid, 16) == 0) {
            srv->ext_found = true;
            srv->ext_oob = oob;
            srv->ext_has_hash = has_hash;
            if (has_hash) {
                memcpy(srv->ext_hash, &report->data[pos + 2 + BEACON_HASH_OFFSET], 4);
            }
            srv->ext_has_addr = true;
            memcpy(srv->ext_addr, report->addr, 6);
            srv->ext_addr_type = report->addr_type;
        }
        pos += 1 + ad_len;
    }
    from_dev = srv->ext_has_addr && memcmp(report->addr, srv->ext_addr, 6) == 0 &&
               report->addr_type == srv->ext_addr_type;
    for (size_t pos = 0; pos < report->len;) {
        size_t ad_len = report->data[pos];
        const uint8_t *data;
        uint8_t type;
        bool take;
        int idx;
        if (ad_len == 0 || pos + 1 + ad_len > report->len) {
            break;
        }
        type = report->data[pos + 1];
        data = &report->data[pos + 2];
        pos += 1 + ad_len;
        idx = ext_filter_index(srv, type);
        if (idx < 0 || (srv->ext_collected & (1u << idx))) {
            continue;
        }
        if (type == MESHRPR_AD_TYPE_URI) {
            /* The URI is the device's when its s1 matches the beacon's URI Hash, whoever
             * advertises it; without a hash, only the device's own advertising counts. */
            take = uri_matches(srv, data, ad_len - 1);
            srv->ext_uri_matched = srv->ext_uri_matched || take;
            take = take || (from_dev && !srv->ext_has_hash);
        } else {
            take = from_dev;
        }
        if (!take) {
            continue;
        }
        if (!ad_append(srv->ext_ad, &srv->ext_ad_len, sizeof(srv->ext_ad), type, data,
                       ad_len - 1)) {
            MESHRPR_LOG_WRN(&srv->node->platform, "AD type 0x%02x does not fit the report", type);
        }
        srv->ext_collected |= 1u << idx;
    }
    /* §4.4.5.5.1.7 completion: every requested type collected; or a URI-only filter whose URI
     * matched the hash; or, for other filters, the device's scan response arrived. */
    if (srv->ext_collected == all ||
        (srv->ext_count == 1 && srv->ext_types[0] == MESHRPR_AD_TYPE_URI && srv->ext_uri_matched) ||
        (from_dev && report->adv_type == MESHRPR_ADV_SCAN_RSP && ext_has_non_uri(srv))) {
        ext_finish(srv);
    }
}

/* Extended Scan Start without a UUID: the server's own information, at once (§4.4.5.5.1.7). */
static void ext_self_report(struct meshrpr_rpr_srv *srv, const struct meshrpr_rpr_srv_peer *cli,
                            const struct rpr_ext_scan_start *m)
{
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(srv->node);
    const char *name = srv->node->cfg.name;
    uint8_t ad[MESHRPR_RPR_SRV_AD_DATA_MAX];
    uint16_t ad_len = 0;
    struct rpr_ext_scan_report r = {
        .status = BT_MESH_RPR_SUCCESS,
        .has_oob = true,
        .oob = prov != NULL ? (uint16_t)prov->oob_info : 0,
        .adv_data = ad,
    };

    if (prov != NULL && prov->uuid != NULL) {
        memcpy(r.uuid, prov->uuid, 16);
    }
    for (uint8_t i = 0; i < m->ad_count; i++) {
        if (m->ad_types[i] == MESHRPR_AD_TYPE_URI && prov != NULL && prov->uri != NULL) {
            size_t len = strlen(prov->uri);
            if (len > 0 && len <= MESHRPR_UNPROV_BEACON_URI_MAX) {
                (void)ad_append(ad, &ad_len, sizeof(ad), MESHRPR_AD_TYPE_URI,
                                (const uint8_t *)prov->uri, len);
            }
        } else if (m->ad_types[i] == AD_NAME_COMPLETE && name != NULL && name[0] != '\0') {
            size_t len = strlen(name);
            size_t room = sizeof(ad) - ad_len >= 2 ? sizeof(ad) - ad_len - 2 : 0;
            /* A name that does not fit goes as a Shortened Local Name. */
            (void)ad_append(ad, &ad_len, sizeof(ad), len <= room ? AD_NAME_COMPLETE : AD_NAME_SHORT,
                            (const uint8_t *)name, len <= room ? len : room);
        }
    }
    r.adv_data_len = ad_len;
    ext_report_send(srv, cli, &r);
}

/* ---- Scan observer --------------------------------------------------------------------------- */

static void check_subnets(struct meshrpr_rpr_srv *srv);

static void scan_observe(struct meshrpr_node *node, const struct meshrpr_adv_report *report,
                         void *ctx)
{
    struct meshrpr_rpr_srv *srv = ctx;

    if (node != srv->node || report == NULL || (report->data == NULL && report->len > 0) ||
        !node->provisioned) {
        return;
    }
    if (srv->scan_state == BT_MESH_RPR_SCAN_IDLE && !srv->ext_active) {
        return;
    }
    check_subnets(srv);
    if (srv->scan_state != BT_MESH_RPR_SCAN_IDLE && report->adv_type == MESHRPR_ADV_NONCONN_IND) {
        for (size_t pos = 0; pos < report->len;) {
            size_t ad_len = report->data[pos];
            uint8_t uuid[16];
            uint16_t oob;
            bool has_hash;
            if (ad_len == 0 || pos + 1 + ad_len > report->len) {
                break;
            }
            if (report->data[pos + 1] == AD_MESH_BEACON &&
                meshrpr_unprov_beacon_parse(&report->data[pos + 2], ad_len - 1, uuid, &oob, NULL,
                                            &has_hash) == 0) {
                scan_beacon(srv, uuid, oob,
                            has_hash ? &report->data[pos + 2 + BEACON_HASH_OFFSET] : NULL,
                            report->rssi);
            }
            pos += 1 + ad_len;
        }
    }
    if (srv->ext_active) {
        ext_observe(srv, report);
    }
}

/* ---- Link (§4.4.5.5.2) ------------------------------------------------------------------------
 */

static void link_status_send(struct meshrpr_rpr_srv *srv, const struct bt_mesh_msg_ctx *ctx,
                             uint8_t status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_LINK_STATUS, 2);
    const struct rpr_link_status m = { .status = status, .state = link_state(srv) };

    bt_mesh_model_msg_init(&msg, RPR_OP_LINK_STATUS);
    meshrpr_rpr_msg_link_status_encode(&msg, &m);
    rsp_send(srv, ctx, &msg);
}

/* Link Report of the current state and status to the link's client. */
static void link_report(struct meshrpr_rpr_srv *srv)
{
    struct net_buf_simple buf;
    struct meshrpr_rpr_srv_tx *t = tx_new(srv, &srv->link_cli, RPR_OP_LINK_REPORT, &buf);
    const struct rpr_link_report m = {
        .status = srv->link_status,
        .state = srv->link_state,
        .has_reason = srv->link_has_reason,
        .reason = srv->link_reason,
    };

    if (t != NULL) {
        meshrpr_rpr_msg_link_report_encode(&buf, &m);
        tx_commit(srv, t, &buf);
    }
}

static bool outbound_report(struct meshrpr_rpr_srv *srv)
{
    struct net_buf_simple buf;
    struct meshrpr_rpr_srv_tx *t = tx_new(srv, &srv->link_cli, RPR_OP_PDU_OUTBOUND_REPORT, &buf);

    if (t == NULL) {
        return false;
    }
    meshrpr_rpr_msg_pdu_outbound_report_encode(&buf, srv->tx_pdu);
    tx_commit(srv, t, &buf);
    return true;
}

/* PDU Report of an inbound Provisioning PDU. @return the queue slot, or NULL. */
static struct meshrpr_rpr_srv_tx *pdu_report(struct meshrpr_rpr_srv *srv, const uint8_t *pdu,
                                             size_t len)
{
    struct net_buf_simple buf;
    struct meshrpr_rpr_srv_tx *t;
    struct rpr_pdu m = { .pdu = pdu, .len = len };

    if (len < 1 || len > RPR_PROV_PDU_MAX) {
        return NULL;
    }
    t = tx_new(srv, &srv->link_cli, RPR_OP_PDU_REPORT, &buf);
    if (t == NULL) {
        return NULL;
    }
    srv->rx_pdu++;
    m.number = srv->rx_pdu;
    meshrpr_rpr_msg_pdu_encode(&buf, &m);
    tx_commit(srv, t, &buf);
    return t;
}

/* The link is over: Idle, one Link Report with the final status, the client forgotten. */
static void link_end(struct meshrpr_rpr_srv *srv)
{
    MESHRPR_LOG_INF(&srv->node->platform, "link closed, status 0x%02x", srv->link_status);
    srv->link_state = BT_MESH_RPR_LINK_IDLE;
    srv->adv_link = NULL;
    meshrpr_node_timer_cancel(srv->node, &srv->link_timer);
    link_report(srv);
    srv->link_cli = (struct meshrpr_rpr_srv_peer){ 0 };
    srv->link_closing_by_server = false;
    srv->link_has_reason = false;
}

static void link_set_status(struct meshrpr_rpr_srv *srv, uint8_t status, uint8_t reason)
{
    srv->link_status = status;
    /* §4.3.4.10: the Reason field accompanies Link Closed by Server and by Device. */
    srv->link_has_reason = status == BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER ||
                           status == BT_MESH_RPR_ERR_LINK_CLOSED_BY_DEVICE;
    srv->link_reason = reason;
}

static void link_activity(struct meshrpr_rpr_srv *srv)
{
    meshrpr_node_timer_start(srv->node, &srv->link_timer, LINK_IDLE_TIMEOUT_MS);
}

static void link_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_rpr_srv *srv = MESHRPR_CONTAINER_OF(timer, struct meshrpr_rpr_srv, link_timer);

    MESHRPR_LOG_WRN(&srv->node->platform, "no Provisioning PDU for %u s",
                    (unsigned)(LINK_IDLE_TIMEOUT_MS / 1000));
    link_server_close(srv, BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER, MESHRPR_PROV_LINK_TIMEOUT);
}

/* ---- NPPI: the local provisionee's bearer ---------------------------------------------------- */

static int nppi_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                     meshrpr_prov_send_complete_t complete, void *cb_data);
static void nppi_close(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason);

static const struct meshrpr_prov_bearer_ops nppi_ops = {
    .type = BT_MESH_PROV_REMOTE,
    .send = nppi_send,
    .close = nppi_close,
};

static struct meshrpr_rpr_srv *nppi_srv(struct meshrpr_prov_link *link)
{
    return MESHRPR_CONTAINER_OF(link, struct meshrpr_rpr_srv, nppi_link);
}

/* End the NPPI link at once (§4.4.5.5.2.4: no PB-ADV close to wait for); the provisionee
 * hears link_closed from a timer, outside whatever call ended it, and only once the Link
 * Report is out (acknowledged, or given up): a refresh that takes effect then changes the
 * node's address and keys, and the Link Report (like the Link Status before it) must still go
 * out under the old ones, also to a client on this very node. */
static void nppi_end(struct meshrpr_rpr_srv *srv, uint8_t status, uint8_t reason,
                     uint8_t session_reason)
{
    const uint8_t gen = srv->link_gen;

    link_set_status(srv, status, reason);
    srv->nppi_close_pending = true;
    srv->nppi_close_reason = session_reason;
    srv->link_nppi = false;
    link_end(srv);
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        struct meshrpr_rpr_srv_tx *t = &srv->tx[i];
        if (t->state == TX_QUEUED && t->opcode == RPR_OP_LINK_REPORT && t->gen == gen) {
            t->nppi_pdu = true; /* its end hands the close to the provisionee */
            return;
        }
    }
    meshrpr_node_timer_start(srv->node, &srv->nppi_timer, 0);
}

static void nppi_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_rpr_srv *srv = MESHRPR_CONTAINER_OF(timer, struct meshrpr_rpr_srv, nppi_timer);
    const struct meshrpr_prov_bearer_cb *cb = srv->nppi_link.cb;
    meshrpr_prov_send_complete_t complete = srv->nppi_complete;

    if (!srv->nppi_close_pending) {
        return;
    }
    srv->nppi_close_pending = false;
    srv->nppi_complete = NULL;
    srv->nppi_link.cb = NULL;
    if (complete != NULL) {
        complete(-ECANCELED, srv->nppi_cb_data);
    }
    if (cb != NULL && cb->link_closed != NULL) {
        cb->link_closed(&srv->nppi_link, (enum meshrpr_prov_link_status)srv->nppi_close_reason);
    }
    srv->nppi_link.session = NULL;
}

static int nppi_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                     meshrpr_prov_send_complete_t complete, void *cb_data)
{
    struct meshrpr_rpr_srv *srv;
    struct meshrpr_rpr_srv_tx *t;

    if (link == NULL || pdu == NULL || len < 1) {
        return -EINVAL;
    }
    srv = nppi_srv(link);
    if (!srv->link_nppi || srv->link_state != BT_MESH_RPR_LINK_ACTIVE) {
        return -ENOTCONN;
    }
    if (len > RPR_PROV_PDU_MAX) {
        return -EINVAL;
    }
    if (srv->nppi_complete != NULL) {
        return -EBUSY;
    }
    t = pdu_report(srv, pdu, len);
    if (t == NULL) {
        return -ENOBUFS;
    }
    link_activity(srv);
    /* Complete once the client's node acknowledged the PDU Report. */
    t->nppi_pdu = true;
    srv->nppi_complete = complete;
    srv->nppi_cb_data = cb_data;
    return 0;
}

static void nppi_close(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct meshrpr_rpr_srv *srv;

    if (link == NULL) {
        return;
    }
    srv = nppi_srv(link);
    if (!srv->link_nppi || srv->link_state == BT_MESH_RPR_LINK_IDLE) {
        return;
    }
    /* The provisionee ended the exchange: for the client the server closed the link. */
    nppi_end(srv, BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER, (uint8_t)reason, (uint8_t)reason);
}

static uint8_t nppi_open(struct meshrpr_rpr_srv *srv, const struct meshrpr_rpr_srv_peer *cli,
                         uint8_t procedure)
{
    int err;

    /* §3.11.8.3: a Node Composition Refresh is possible only when page 128 differs. */
    if (procedure == BT_MESH_RPR_NODE_REFRESH_COMPOSITION &&
        !meshrpr_composition_page128_differs(srv->node)) {
        MESHRPR_LOG_WRN(&srv->node->platform, "NPPI: no Composition Data change pending");
        return BT_MESH_RPR_ERR_LINK_CANNOT_OPEN;
    }
    if (srv->nppi == NULL || srv->nppi->link_open == NULL || srv->nppi_close_pending) {
        MESHRPR_LOG_WRN(&srv->node->platform, "NPPI procedure %u not available", procedure);
        return BT_MESH_RPR_ERR_LINK_CANNOT_OPEN;
    }
    srv->nppi_link.ops = &nppi_ops;
    srv->nppi_link.cb = NULL;
    srv->nppi_link.session = NULL;
    srv->nppi_complete = NULL;
    err = srv->nppi->link_open(srv->node, &srv->nppi_link, (enum bt_mesh_rpr_node_refresh)procedure,
                               srv->nppi_ctx);
    if (err != 0 || srv->nppi_link.cb == NULL) {
        MESHRPR_LOG_WRN(&srv->node->platform, "NPPI procedure %u refused (%d)", procedure, err);
        srv->nppi_link.cb = NULL;
        return BT_MESH_RPR_ERR_LINK_CANNOT_OPEN;
    }
    srv->link_gen++;
    srv->link_nppi = true;
    srv->link_procedure = procedure;
    srv->link_cli = *cli;
    srv->tx_pdu = 0;
    srv->rx_pdu = 0;
    srv->link_closing_by_server = false;
    srv->link_state = BT_MESH_RPR_LINK_ACTIVE;
    link_set_status(srv, BT_MESH_RPR_SUCCESS, 0);
    MESHRPR_LOG_INF(&srv->node->platform, "NPPI link open (procedure %u) for 0x%04x", procedure,
                    cli->addr);
    /* No bearer to open: the link is active at once (§4.4.5.5.2.2). */
    link_report(srv);
    link_activity(srv);
    if (srv->nppi_link.cb->link_opened != NULL) {
        srv->nppi_link.cb->link_opened(&srv->nppi_link);
    }
    return BT_MESH_RPR_SUCCESS;
}

/* ---- PB-ADV link towards the device ------------------------------------------------------------
 */

static void adv_link_opened(struct meshrpr_prov_link *link)
{
    struct meshrpr_rpr_srv *srv = link->session;

    if (srv->adv_link != link || srv->link_state != BT_MESH_RPR_LINK_OPENING) {
        return;
    }
    MESHRPR_LOG_INF(&srv->node->platform, "link to the device open");
    srv->link_state = BT_MESH_RPR_LINK_ACTIVE;
    link_set_status(srv, BT_MESH_RPR_SUCCESS, 0);
    link_report(srv);
    link_activity(srv);
}

static void adv_recv(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len)
{
    struct meshrpr_rpr_srv *srv = link->session;

    if (srv->adv_link != link || (srv->link_state != BT_MESH_RPR_LINK_ACTIVE &&
                                  srv->link_state != BT_MESH_RPR_LINK_SENDING)) {
        return;
    }
    link_activity(srv);
    if (len > RPR_PROV_PDU_MAX) {
        /* A PDU Report cannot carry it (§4.3.4.15). */
        link_server_close(srv, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_RECEIVE_PDU, CLOSE_FAIL);
        return;
    }
    if (pdu_report(srv, pdu, len) == NULL) {
        link_server_close(srv, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_DELIVER_PDU_REPORT,
                          CLOSE_FAIL);
    }
}

/* Whether the device ended a PB-ADV link (its Link Close), rather than our own timers or
 * close. PB-ADV finishes a link it closed itself with the completion error of a send in
 * flight set (-ETIMEDOUT or -ECANCELED); a peer's Link Close leaves it 0. */
static bool adv_closed_by_peer(struct meshrpr_prov_link *link)
{
    const struct meshrpr_pb_adv_link *l =
        MESHRPR_CONTAINER_OF(link, struct meshrpr_pb_adv_link, link);

    return l->close_tx_err == 0;
}

static void adv_link_closed(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct meshrpr_rpr_srv *srv = link->session;

    if (srv->adv_link != link) {
        return;
    }
    if (!srv->link_closing_by_server) {
        /* §4.4.5.5.2: why the link ended, as the client is told. */
        if (srv->link_state == BT_MESH_RPR_LINK_OPENING) {
            link_set_status(srv, BT_MESH_RPR_ERR_LINK_OPEN_FAILED, 0);
        } else if (adv_closed_by_peer(link)) {
            link_set_status(srv, BT_MESH_RPR_ERR_LINK_CLOSED_BY_DEVICE, (uint8_t)reason);
        } else if (srv->link_state == BT_MESH_RPR_LINK_SENDING) {
            link_set_status(srv, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_SEND_PDU, 0);
        } else {
            link_set_status(srv, BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER, (uint8_t)reason);
        }
    }
    link_end(srv);
}

static const struct meshrpr_prov_bearer_cb adv_cb = {
    .link_opened = adv_link_opened,
    .recv = adv_recv,
    .link_closed = adv_link_closed,
};

/* PB-ADV finished the PDU in flight: acknowledged by the device, or by its next PDU (which
 * PB-ADV delivers right after this, so the Outbound Report goes first: issue #71422). */
static void adv_send_complete(int err, void *cb_data)
{
    struct meshrpr_rpr_srv *srv = cb_data;

    if (srv->adv_link == NULL || srv->link_state != BT_MESH_RPR_LINK_SENDING || err != 0) {
        return; /* an error comes only with the link going down: link_closed follows */
    }
    srv->tx_pdu++;
    srv->link_state = BT_MESH_RPR_LINK_ACTIVE;
    if (!outbound_report(srv)) {
        link_server_close(srv, BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER, CLOSE_FAIL);
    }
}

static uint8_t adv_open(struct meshrpr_rpr_srv *srv, const struct meshrpr_rpr_srv_peer *cli,
                        const struct rpr_link_open *m)
{
    const uint32_t timeout_s = m->has_timeout ? m->timeout_s : RPR_LINK_OPEN_TIMEOUT_DEFAULT;
    struct meshrpr_prov_link *link = NULL;
    int err;

    err = meshrpr_pb_adv_link_open(srv->node, m->uuid, timeout_s, &adv_cb, srv, &link);
    if (err != 0) {
        MESHRPR_LOG_WRN(&srv->node->platform, "PB-ADV link not opened (%d)", err);
        return BT_MESH_RPR_ERR_LINK_CANNOT_OPEN;
    }
    srv->link_gen++;
    srv->adv_link = link;
    srv->link_nppi = false;
    memcpy(srv->link_uuid, m->uuid, 16);
    srv->link_cli = *cli;
    srv->tx_pdu = 0;
    srv->rx_pdu = 0;
    srv->link_closing_by_server = false;
    srv->link_state = BT_MESH_RPR_LINK_OPENING;
    link_set_status(srv, BT_MESH_RPR_SUCCESS, 0);
    MESHRPR_LOG_INF(&srv->node->platform, "opening a link for 0x%04x (%u s)", cli->addr,
                    (unsigned)timeout_s);
    return BT_MESH_RPR_SUCCESS;
}

/* The server ends the link itself with status (and, to the device, reason). */
static void link_server_close(struct meshrpr_rpr_srv *srv, uint8_t status, uint8_t reason)
{
    if (srv->link_state == BT_MESH_RPR_LINK_IDLE || srv->link_closing_by_server) {
        return;
    }
    MESHRPR_LOG_WRN(&srv->node->platform, "closing the link: status 0x%02x", status);
    if (srv->link_nppi) {
        nppi_end(srv, status, reason, MESHRPR_PROV_LINK_FAIL);
        return;
    }
    link_set_status(srv, status, reason);
    srv->link_closing_by_server = true;
    /* PDUs still waiting for the client are moot now. */
    tx_drop(srv, RPR_OP_PDU_REPORT, &srv->link_cli);
    tx_drop(srv, RPR_OP_PDU_OUTBOUND_REPORT, &srv->link_cli);
    if (srv->adv_link != NULL) {
        srv->adv_link->ops->close(srv->adv_link, (enum meshrpr_prov_link_status)reason);
    } else {
        link_end(srv);
    }
}

/* ---- Subnet deletion ---------------------------------------------------------------------------
 */

static void check_subnets(struct meshrpr_rpr_srv *srv)
{
    if (srv->scan_state != BT_MESH_RPR_SCAN_IDLE && subnet_gone(srv, &srv->scan_cli)) {
        scan_end(srv, false);
    }
    if (srv->ext_active && subnet_gone(srv, &srv->ext_cli)) {
        ext_stop_scanning(srv);
    }
    /* §4.4.5.5.2: the link of a client whose subnet is gone closes at once. */
    if (srv->link_state != BT_MESH_RPR_LINK_IDLE && subnet_gone(srv, &srv->link_cli)) {
        link_server_close(srv, BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER, CLOSE_FAIL);
    }
}

/* ---- Message handlers --------------------------------------------------------------------------
 */

static int scan_caps_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                         struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_SCAN_CAPS_STATUS, 2);
    struct rpr_scan_caps_status m = { .max_devs = MESHRPR_RPR_SRV_SCANNED_ITEMS };

    (void)buf; /* BT_MESH_LEN_EXACT(0): the access layer refused any parameters */
    if (srv == NULL) {
        return -EINVAL;
    }
    check_subnets(srv);
    /* Active scanning needs the host's hook (include/meshrpr/platform.h). */
    m.active_scan = srv->node->platform.scan_active_set != NULL;
    bt_mesh_model_msg_init(&msg, RPR_OP_SCAN_CAPS_STATUS);
    meshrpr_rpr_msg_scan_caps_status_encode(&msg, &m);
    rsp_send(srv, ctx, &msg);
    return 0;
}

static int scan_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                    struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);

    (void)buf; /* BT_MESH_LEN_EXACT(0): the access layer refused any parameters */
    if (srv == NULL) {
        return -EINVAL;
    }
    check_subnets(srv);
    scan_status_send(srv, ctx, BT_MESH_RPR_SUCCESS);
    return 0;
}

static int scan_start(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);
    const struct meshrpr_rpr_srv_peer cli = peer_of(ctx);
    struct rpr_scan_start m;
    uint8_t status = BT_MESH_RPR_SUCCESS;

    if (srv == NULL || meshrpr_rpr_msg_scan_start_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    check_subnets(srv);
    if (m.max_devs > MESHRPR_RPR_SRV_SCANNED_ITEMS) {
        status = BT_MESH_RPR_ERR_SCANNING_CANNOT_START;
    } else if (srv->scan_state != BT_MESH_RPR_SCAN_IDLE && !peer_equal(&srv->scan_cli, &cli)) {
        status = BT_MESH_RPR_ERR_INVALID_STATE;
    } else {
        scan_begin(srv, &cli, &m);
    }
    scan_status_send(srv, ctx, status);
    return 0;
}

static int scan_stop(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                     struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);

    (void)buf; /* BT_MESH_LEN_EXACT(0): the access layer refused any parameters */
    if (srv == NULL) {
        return -EINVAL;
    }
    check_subnets(srv);
    scan_end(srv, false);
    scan_status_send(srv, ctx, BT_MESH_RPR_SUCCESS);
    return 0;
}

static int ext_scan_start(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);
    const struct meshrpr_rpr_srv_peer cli = peer_of(ctx);
    struct rpr_ext_scan_start m;

    /* Prohibited and duplicate AD types, a bad count or timeout: not understood, no answer. */
    if (srv == NULL || meshrpr_rpr_msg_ext_scan_start_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    check_subnets(srv);
    if (!m.has_uuid) {
        ext_self_report(srv, &cli, &m);
        return 0;
    }
    if (srv->ext_active) {
        if (!peer_equal(&srv->ext_cli, &cli) || memcmp(srv->ext_uuid, m.uuid, 16) != 0) {
            ext_status_report(srv, &cli, m.uuid, BT_MESH_RPR_ERR_LIMITED_RESOURCES);
        }
        return 0; /* the same request again: the scan goes on */
    }
    if (srv->link_state != BT_MESH_RPR_LINK_IDLE) {
        /* Active scanning and the link share the radio: one at a time, as Zephyr. */
        ext_status_report(srv, &cli, m.uuid, BT_MESH_RPR_ERR_LIMITED_RESOURCES);
        return 0;
    }
    srv->ext_active = true;
    srv->ext_cli = cli;
    memcpy(srv->ext_uuid, m.uuid, 16);
    memcpy(srv->ext_types, m.ad_types, m.ad_count);
    srv->ext_count = m.ad_count;
    srv->ext_collected = 0;
    srv->ext_found = false;
    srv->ext_has_addr = false;
    srv->ext_has_hash = false;
    srv->ext_uri_matched = false;
    srv->ext_ad_len = 0;
    /* Scan responses need active scanning; without the hook only advertising is seen. */
    srv->ext_active_set = meshrpr_node_scan_active_set(srv->node, true) == 0;
    meshrpr_node_timer_start(srv->node, &srv->ext_timer, (uint32_t)m.timeout_s * 1000u);
    MESHRPR_LOG_INF(&srv->node->platform, "extended scan for 0x%04x: %u AD types, %u s", cli.addr,
                    m.ad_count, m.timeout_s);
    return 0;
}

static int link_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                    struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);

    (void)buf; /* BT_MESH_LEN_EXACT(0): the access layer refused any parameters */
    if (srv == NULL) {
        return -EINVAL;
    }
    check_subnets(srv);
    link_status_send(srv, ctx, BT_MESH_RPR_SUCCESS);
    return 0;
}

static int link_open(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                     struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);
    const struct meshrpr_rpr_srv_peer cli = peer_of(ctx);
    struct rpr_link_open m;
    uint8_t status;

    if (srv == NULL || meshrpr_rpr_msg_link_open_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    check_subnets(srv);
    switch (srv->link_state) {
    case BT_MESH_RPR_LINK_IDLE:
        status = m.nppi ? nppi_open(srv, &cli, m.procedure) : adv_open(srv, &cli, &m);
        break;
    case BT_MESH_RPR_LINK_OPENING:
    case BT_MESH_RPR_LINK_ACTIVE:
        /* The same client asking again for the same link gets it (its Link Status may have
         * been lost); anything else is refused. */
        if (peer_equal(&srv->link_cli, &cli) && m.nppi == srv->link_nppi &&
            (m.nppi ? m.procedure == srv->link_procedure
                    : memcmp(m.uuid, srv->link_uuid, 16) == 0)) {
            status = BT_MESH_RPR_SUCCESS;
        } else {
            status = BT_MESH_RPR_ERR_LINK_CANNOT_OPEN;
        }
        break;
    default:
        status = BT_MESH_RPR_ERR_INVALID_STATE;
        break;
    }
    link_status_send(srv, ctx, status);
    return 0;
}

static int link_close(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);
    const struct meshrpr_rpr_srv_peer cli = peer_of(ctx);
    uint8_t reason;

    if (srv == NULL || meshrpr_rpr_msg_link_close_decode(buf, &reason) != 0) {
        return -EINVAL;
    }
    check_subnets(srv);
    if (srv->link_state == BT_MESH_RPR_LINK_IDLE || srv->link_state == BT_MESH_RPR_LINK_CLOSING) {
        link_status_send(srv, ctx, BT_MESH_RPR_SUCCESS);
        return 0;
    }
    if (!peer_equal(&srv->link_cli, &cli)) {
        link_status_send(srv, ctx, BT_MESH_RPR_ERR_INVALID_STATE);
        return 0;
    }
    if (srv->link_nppi) {
        /* What the close commits is stored before anything tells the client. */
        if (srv->nppi != NULL && srv->nppi->link_closing != NULL) {
            srv->nppi->link_closing(srv->node, reason, srv->nppi_ctx);
        }
        /* Link Status (Closing) first, then the Link Report (Idle). */
        srv->link_state = BT_MESH_RPR_LINK_CLOSING;
        link_status_send(srv, ctx, BT_MESH_RPR_SUCCESS);
        nppi_end(srv, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT, 0, reason);
        return 0;
    }
    if (srv->link_closing_by_server) {
        link_status_send(srv, ctx, BT_MESH_RPR_SUCCESS);
        return 0;
    }
    srv->link_state = BT_MESH_RPR_LINK_CLOSING;
    link_set_status(srv, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT, 0);
    srv->link_closing_by_server = true;
    link_status_send(srv, ctx, BT_MESH_RPR_SUCCESS);
    tx_drop(srv, RPR_OP_PDU_OUTBOUND_REPORT, &srv->link_cli);
    /* PB-ADV repeats Link Close with the client's reason; link_closed then reports Idle. */
    srv->adv_link->ops->close(srv->adv_link, (enum meshrpr_prov_link_status)reason);
    return 0;
}

static int pdu_send(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                    struct net_buf_simple *buf)
{
    struct meshrpr_rpr_srv *srv = req_srv(model, ctx);
    const struct meshrpr_rpr_srv_peer cli = peer_of(ctx);
    struct rpr_pdu m;
    int err;

    if (srv == NULL || meshrpr_rpr_msg_pdu_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    check_subnets(srv);
    if (srv->link_state == BT_MESH_RPR_LINK_IDLE || !peer_equal(&srv->link_cli, &cli) ||
        srv->link_closing_by_server) {
        return 0; /* not this client's link */
    }
    if (srv->link_state != BT_MESH_RPR_LINK_ACTIVE && srv->link_state != BT_MESH_RPR_LINK_SENDING) {
        return 0;
    }
    if (m.number != (uint8_t)(srv->tx_pdu + 1)) {
        /* §4.4.5.5.2.5: a number out of sequence (a retransmission after a lost Outbound
         * Report, or a client out of step): tell the client where we are. */
        if (srv->tx_pdu != 0) {
            (void)outbound_report(srv);
        }
        return 0;
    }
    if (srv->link_state == BT_MESH_RPR_LINK_SENDING) {
        return 0; /* the PDU in flight again: its Outbound Report will follow */
    }
    link_activity(srv);
    if (srv->link_nppi) {
        /* The local provisionee has it at once (§4.4.5.5.2.5). */
        srv->tx_pdu++;
        (void)outbound_report(srv);
        if (srv->nppi_link.cb != NULL && srv->nppi_link.cb->recv != NULL) {
            srv->nppi_link.cb->recv(&srv->nppi_link, m.pdu, m.len);
        }
        return 0;
    }
    srv->link_state = BT_MESH_RPR_LINK_SENDING;
    err = srv->adv_link->ops->send(srv->adv_link, m.pdu, m.len, adv_send_complete, srv);
    if (err != 0) {
        MESHRPR_LOG_WRN(&srv->node->platform, "PDU not sent to the device (%d)", err);
        link_server_close(srv, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_SEND_PDU, CLOSE_FAIL);
    }
    return 0;
}

const struct bt_mesh_model_op _bt_mesh_rpr_srv_op[] = {
    { RPR_OP_SCAN_CAPS_GET, BT_MESH_LEN_EXACT(0), scan_caps_get },
    { RPR_OP_SCAN_GET, BT_MESH_LEN_EXACT(0), scan_get },
    { RPR_OP_SCAN_START, BT_MESH_LEN_MIN(2), scan_start },
    { RPR_OP_SCAN_STOP, BT_MESH_LEN_EXACT(0), scan_stop },
    { RPR_OP_EXTENDED_SCAN_START, BT_MESH_LEN_MIN(1), ext_scan_start },
    { RPR_OP_LINK_GET, BT_MESH_LEN_EXACT(0), link_get },
    { RPR_OP_LINK_OPEN, BT_MESH_LEN_MIN(1), link_open },
    { RPR_OP_LINK_CLOSE, BT_MESH_LEN_EXACT(1), link_close },
    { RPR_OP_PDU_SEND, BT_MESH_LEN_MIN(2), pdu_send },
    BT_MESH_MODEL_OP_END,
};

/* ---- Model life cycle
 * ---------------------------------------------------------------------------- */

static int rpr_srv_init(const struct bt_mesh_model *model)
{
    struct meshrpr_rpr_srv *srv = model_srv(model);
    struct meshrpr_node *node = meshrpr_model_node(model);

    /* §4.4.5: on the primary element, one instance per node. */
    if (srv == NULL || node == NULL || model->rt->elem_idx != 0 || model->rt->vnd) {
        return -EINVAL;
    }
    memset(srv, 0, sizeof(*srv));
    srv->model = model;
    srv->node = node;
    meshrpr_timer_init(&srv->scan_timer, scan_timer_expired);
    meshrpr_timer_init(&srv->report_timer, report_timer_expired);
    meshrpr_timer_init(&srv->ext_timer, ext_timer_expired);
    meshrpr_timer_init(&srv->nppi_timer, nppi_timer_expired);
    meshrpr_timer_init(&srv->tx_timer, tx_timer_expired);
    meshrpr_timer_init(&srv->link_timer, link_timer_expired);
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        srv->tx[i].srv = srv;
    }
    meshrpr_node_scan_observer_set(node, scan_observe, srv);
    /* Device key only (§4.4.5.1). */
    return meshrpr_model_key_bind(model, BT_MESH_KEY_DEV_LOCAL);
}

/* Node reset: the node leaves the network, so everything stops and nothing is reported. */
static void rpr_srv_reset(const struct bt_mesh_model *model)
{
    struct meshrpr_rpr_srv *srv = model_srv(model);
    struct meshrpr_node *node;
    struct meshrpr_prov_link *adv_link;
    bool nppi;

    if (srv == NULL || srv->node == NULL) {
        return;
    }
    node = srv->node;
    adv_link = srv->adv_link;
    nppi = srv->link_nppi || srv->nppi_close_pending;
    scan_end(srv, false);
    ext_stop_scanning(srv);
    meshrpr_node_timer_cancel(node, &srv->tx_timer);
    meshrpr_node_timer_cancel(node, &srv->report_timer);
    meshrpr_node_timer_cancel(node, &srv->nppi_timer);
    meshrpr_node_timer_cancel(node, &srv->link_timer);
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        srv->tx[i].state = TX_FREE;
    }
    srv->link_state = BT_MESH_RPR_LINK_IDLE;
    srv->link_gen++;
    srv->adv_link = NULL;
    srv->link_nppi = false;
    srv->link_closing_by_server = false;
    srv->link_cli = (struct meshrpr_rpr_srv_peer){ 0 };
    if (adv_link != NULL) {
        /* Its link_closed will find no link of ours. */
        adv_link->ops->close(adv_link, MESHRPR_PROV_LINK_FAIL);
    }
    if (nppi) {
        const struct meshrpr_prov_bearer_cb *cb = srv->nppi_link.cb;
        meshrpr_prov_send_complete_t complete = srv->nppi_complete;
        srv->nppi_close_pending = false;
        srv->nppi_complete = NULL;
        srv->nppi_link.cb = NULL;
        if (complete != NULL) {
            complete(-ECANCELED, srv->nppi_cb_data);
        }
        if (cb != NULL && cb->link_closed != NULL) {
            cb->link_closed(&srv->nppi_link, MESHRPR_PROV_LINK_FAIL);
        }
    }
}

const struct bt_mesh_model_cb _bt_mesh_rpr_srv_cb = {
    .init = rpr_srv_init,
    .reset = rpr_srv_reset,
};

/* ---- Library API (src/models/rpr_srv.h)
 * ---------------------------------------------------------- */

struct meshrpr_rpr_srv *meshrpr_rpr_srv_get(struct meshrpr_node *node)
{
    const struct bt_mesh_model *model;

    if (node == NULL || node->cfg.comp == NULL || node->cfg.comp->elem_count == 0) {
        return NULL;
    }
    model = bt_mesh_model_find(&node->cfg.comp->elem[0], BT_MESH_MODEL_ID_REMOTE_PROV_SRV);
    if (model == NULL || model->cb != &_bt_mesh_rpr_srv_cb) {
        return NULL;
    }
    return model_srv(model);
}

int meshrpr_rpr_srv_nppi_set(struct meshrpr_node *node, const struct meshrpr_rpr_srv_nppi *nppi,
                             void *ctx)
{
    struct meshrpr_rpr_srv *srv = meshrpr_rpr_srv_get(node);

    if (srv == NULL) {
        return -ENOENT;
    }
    srv->nppi = nppi;
    srv->nppi_ctx = ctx;
    return 0;
}

bool meshrpr_rpr_srv_is_idle(const struct meshrpr_rpr_srv *srv)
{
    if (srv->scan_state != BT_MESH_RPR_SCAN_IDLE || srv->ext_active ||
        srv->link_state != BT_MESH_RPR_LINK_IDLE || srv->nppi_close_pending) {
        return false;
    }
    for (size_t i = 0; i < MESHRPR_RPR_SRV_TX_COUNT; i++) {
        if (srv->tx[i].state != TX_FREE) {
            return false;
        }
    }
    return true;
}
