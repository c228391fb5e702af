/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote Provisioning Client model (MshPRTv1.1 §4.4.6) and the client end of the PB-Remote
 * provisioning bearer (§5.2.3). Scan and link requests wait for their Status through the
 * request/response helper, which drives the host's event loop; reports reach the application's
 * callbacks. Each PB-Remote link carries one provisioner session (src/prov/) through one server:
 * Link Open, one Provisioning PDU in flight in a PDU Send until its PDU Outbound Report, PDU
 * Reports delivered in order with duplicates dropped, Link Close when the session ends. The
 * link timer (10 s to open, then 60 s or 120 s restarted by every message from the server) ends
 * a link whose server falls silent, and the client then tells the server with a Link Close.
 * Re-provisioning (NPPI, §3.11.8) opens the link with a procedure instead of a UUID and updates
 * the node database on success: once the server confirmed the Link Close that ends the exchange
 * with Success, which is when the node takes the refresh.
 */
#include <meshrpr/rpr_cli.h>

#include <errno.h>
#include <string.h>

#include <meshrpr/cdb.h>
#include <meshrpr/node.h>
#include <meshrpr/util.h>

#define MESHRPR_LOG_MODULE "rpr_cli"
#include "core/log.h"

#include "access/access.h"
#include "access/msg_ack.h"
#include "crypto/crypto.h"
#include "models/rpr_msg.h"
#include "net/replay.h"
#include "node/node_services.h"
#include "prov/prov.h"

/* Local state of a link. */
enum link_state {
    LINK_FREE = 0,
    LINK_OPENING, /* Link Open sent; waiting for the server to report the link active */
    LINK_OPEN,    /* the session runs */
    LINK_CLOSING, /* Link Close sent; waiting for the server to report the link idle */
    LINK_RELEASE, /* ended; released from the aux timer, outside the session's calls */
};

/* srv_state before anything was reported to the application. */
#define LINK_STATE_NONE 0xff

/* Link Close reasons (§4.3.4.10): Success and Fail only. */
#define LINK_CLOSE_REASON_SUCCESS 0x00
#define LINK_CLOSE_REASON_FAIL    0x02

/* §4.4.6.2: the client's link timer. Opening: the Link Open timeout (10 s unless Link Open
 * carries another); open: the provisioning protocol timeout, 60 s, or 120 s when the user
 * carries an Input/Output OOB value across (§5.4.4), restarted by every message from the
 * server. */
#define LINK_OPEN_TIMEOUT_DEFAULT_S RPR_LINK_OPEN_TIMEOUT_DEFAULT
#define LINK_TIMEOUT_MS             MESHRPR_PROV_TIMEOUT_MS
#define LINK_TIMEOUT_OOB_MS         MESHRPR_PROV_TIMEOUT_OOB_MS
/* Closing: Link Close is sent up to three times, 2 s apart, until the server answers; then the
 * client waits that long once more for the Link Report before forgetting the link. */
#define CLOSE_INTERVAL_MS 2000u
#define CLOSE_TX_MAX      3
/* Opening: Link Open is repeated every 2 s (at most four times) until the link opens, in case
 * it, the server's Link Status or its Link Report was lost; the server answers a repeat from
 * the same client for the same device as the first one (§4.4.5.5.2.2). */
#define OPEN_REPEAT_MS  2000u
#define OPEN_REPEAT_MAX 4
/* §4.4.5.5.2.2: a Link Open for the link the server already has (same client, same device or
 * procedure) is answered with its state. A new link reports Active with a Link Report (PB-ADV:
 * after Link Status Opening; NPPI: at once); a link the server kept from before this client's
 * restart sends none, and its PDU numbers are not ours. So "Success, Active" in a Link Status
 * without Opening seen and without a Link Report within STALE_WAIT_MS is taken for such a stale
 * link: closed, then opened again (once). */
#define STALE_WAIT_MS 2000u
/* Outbound: a PDU Send is sent again when its segmented transfer fails or when no PDU Outbound
 * Report follows it within OUTBOUND_WAIT_MS; a server that already relayed it answers the
 * repeat with the Outbound Report again (§4.4.5.5.2.4). At most TX_RESEND_MAX repeats: after
 * that only the link timer is left. */
#define OUTBOUND_WAIT_MS 5000u
#define TX_RETRY_MS      250u
#define TX_RESEND_MAX    2

/* A bt_mesh_provision_remote() waiting for the server's answer to its Link Open. */
struct meshrpr_rpr_cli_open_wait {
    bool done;
    int result;
};

static const struct meshrpr_prov_bearer_ops pb_remote_ops;
static void link_timer_expired(struct meshrpr_timer *timer);
static void link_aux_expired(struct meshrpr_timer *timer);

/* ---- Helpers ---------------------------------------------------------------------------- */

static struct meshrpr_node *cli_node(const struct bt_mesh_rpr_cli *cli)
{
    return cli->mod != NULL ? cli->priv.node : NULL;
}

/* The client's link table: the built-in one, or the application's. */
static size_t cli_link_count(const struct bt_mesh_rpr_cli *cli)
{
    return cli->priv.link_tab != NULL ? cli->priv.link_tab_count : MESHRPR_RPR_CLI_LINK_COUNT;
}

static struct meshrpr_rpr_cli_link *cli_link_at(struct bt_mesh_rpr_cli *cli, size_t i)
{
    return cli->priv.link_tab != NULL ? &cli->priv.link_tab[i] : &cli->priv.links[i];
}

static const struct meshrpr_rpr_cli_link *cli_link_at_const(const struct bt_mesh_rpr_cli *cli,
                                                            size_t i)
{
    return cli->priv.link_tab != NULL ? &cli->priv.link_tab[i] : &cli->priv.links[i];
}

static struct bt_mesh_rpr_cli *model_cli(const struct bt_mesh_model *model)
{
    return model->rt->user_data;
}

static struct meshrpr_rpr_cli_link *link_of(struct meshrpr_prov_link *link)
{
    return MESHRPR_CONTAINER_OF(link, struct meshrpr_rpr_cli_link, link);
}

static struct bt_mesh_msg_ctx srv_ctx(const struct bt_mesh_rpr_node *srv, bool send_rel)
{
    struct bt_mesh_msg_ctx ctx =
        BT_MESH_MSG_CTX_INIT(srv->net_idx, BT_MESH_KEY_DEV_REMOTE, srv->addr, srv->ttl);

    ctx.send_rel = send_rel;
    return ctx;
}

static bool always_done(void *arg)
{
    (void)arg;
    return true;
}

/* Whether a blocking call may drive the event loop now: -EDEADLK from inside it, -ENOTSUP
 * without the hook. A loop that is not running returns at once, as the predicate holds. */
static int loop_available(struct meshrpr_node *node)
{
    int err;

    if (node->platform.run_until == NULL) {
        return -ENOTSUP;
    }
    err =
        node->platform.run_until(node->platform.ctx, always_done, NULL, meshrpr_node_now_ms(node));
    return err == -EDEADLK ? -EDEADLK : 0;
}

/*
 * Send a request to srv; when rsp is set, block until the message rsp_op from srv has been
 * handled (its handler fills rsp) or the client's timeout passes.
 */
static int request(struct bt_mesh_rpr_cli *cli, struct meshrpr_msg_ack_ctx *ack,
                   const struct bt_mesh_rpr_node *srv, struct net_buf_simple *msg, uint32_t rsp_op,
                   void *rsp)
{
    struct meshrpr_node *node;
    struct bt_mesh_msg_ctx ctx;
    int err;

    if (cli == NULL || srv == NULL || !BT_MESH_ADDR_IS_UNICAST(srv->addr)) {
        return -EINVAL;
    }
    node = cli_node(cli);
    if (node == NULL) {
        return -EINVAL;
    }
    ctx = srv_ctx(srv, false);
    if (rsp == NULL) {
        return bt_mesh_model_send(cli->mod, &ctx, msg, NULL, NULL);
    }
    if (ack->busy) {
        return -EBUSY;
    }
    err = loop_available(node);
    if (err != 0) {
        return err;
    }
    err = meshrpr_msg_ack_ctx_prepare(ack, node, rsp_op, srv->addr, rsp,
                                      (uint32_t)cli->priv.timeout_ms);
    if (err != 0) {
        return err;
    }
    err = bt_mesh_model_send(cli->mod, &ctx, msg, NULL, NULL);
    if (err != 0) {
        meshrpr_msg_ack_ctx_clear(ack);
        return err;
    }
    return meshrpr_msg_ack_ctx_wait(ack);
}

/* ---- Links: lookup and notification --------------------------------------------------- */

static bool link_in_use(const struct meshrpr_rpr_cli_link *l)
{
    return l->state != LINK_FREE;
}

/* The link through the server at addr (any subnet): one link per server. */
static struct meshrpr_rpr_cli_link *link_by_addr(struct bt_mesh_rpr_cli *cli, uint16_t addr)
{
    for (size_t i = 0; i < cli_link_count(cli); i++) {
        struct meshrpr_rpr_cli_link *l = cli_link_at(cli, i);
        if (link_in_use(l) && l->srv.addr == addr) {
            return l;
        }
    }
    return NULL;
}

/* The link a message from the server belongs to: same address and subnet. */
static struct meshrpr_rpr_cli_link *link_by_ctx(struct bt_mesh_rpr_cli *cli,
                                                const struct bt_mesh_msg_ctx *ctx)
{
    struct meshrpr_rpr_cli_link *l = link_by_addr(cli, ctx->addr);

    return (l != NULL && l->srv.net_idx == ctx->net_idx) ? l : NULL;
}

static struct meshrpr_rpr_cli_link *link_alloc(struct bt_mesh_rpr_cli *cli)
{
    for (size_t i = 0; i < cli_link_count(cli); i++) {
        struct meshrpr_rpr_cli_link *l = cli_link_at(cli, i);

        /* A slot whose last PDU Send is still with the lower transport waits for its
         * completion, which must not be taken for the next link's. */
        if (!link_in_use(l) && !l->sar_pending) {
            memset(l, 0, sizeof(*l));
            l->cli = cli;
            l->link.ops = &pb_remote_ops;
            meshrpr_timer_init(&l->timer, link_timer_expired);
            meshrpr_timer_init(&l->aux, link_aux_expired);
            return l;
        }
    }
    return NULL;
}

/* Tell the application about a new link state (link_changed), once per change. */
static void link_notify(struct meshrpr_rpr_cli_link *l, enum bt_mesh_rpr_link_state state,
                        enum bt_mesh_rpr_status status, int reason)
{
    struct bt_mesh_rpr_cli *cli = l->cli;
    struct bt_mesh_rpr_link info = { .status = status, .state = state };
    struct bt_mesh_rpr_node srv = l->srv;

    if (l->srv_state == (uint8_t)state && state != BT_MESH_RPR_LINK_IDLE) {
        return;
    }
    if (l->srv_state == (uint8_t)BT_MESH_RPR_LINK_IDLE && state == BT_MESH_RPR_LINK_IDLE) {
        return; /* already reported gone */
    }
    l->srv_state = (uint8_t)state;
    if (cli->link_changed != NULL) {
        cli->link_changed(cli, &srv, &info, reason);
    }
}

static void waiter_finish(struct meshrpr_rpr_cli_link *l, int result)
{
    if (l->waiter != NULL) {
        l->waiter->done = true;
        l->waiter->result = result;
        l->waiter = NULL;
    }
}

static uint32_t link_timeout_ms(const struct meshrpr_rpr_cli_link *l)
{
    return l->oob_io ? LINK_TIMEOUT_OOB_MS : LINK_TIMEOUT_MS;
}

static struct meshrpr_node *link_node(const struct meshrpr_rpr_cli_link *l)
{
    return l->cli->priv.node;
}

/* ---- Links: sending --------------------------------------------------------------------- */

static int link_open_send(struct meshrpr_rpr_cli_link *l)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_LINK_OPEN, 17);
    struct rpr_link_open open = {
        .nppi = l->nppi,
        .procedure = l->procedure,
        /* §4.3.4.9: the timeout octet is left out for the default. */
        .has_timeout = !l->nppi && l->open_timeout_s != LINK_OPEN_TIMEOUT_DEFAULT_S,
        .timeout_s = l->open_timeout_s,
    };
    struct bt_mesh_msg_ctx ctx = srv_ctx(&l->srv, false);

    memcpy(open.uuid, l->uuid, 16);
    bt_mesh_model_msg_init(&msg, RPR_OP_LINK_OPEN);
    meshrpr_rpr_msg_link_open_encode(&msg, &open);
    l->open_tx++;
    return bt_mesh_model_send(l->cli->mod, &ctx, &msg, NULL, NULL);
}

static int link_close_send(struct meshrpr_rpr_cli_link *l, uint8_t reason)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_LINK_CLOSE, 1);
    struct bt_mesh_msg_ctx ctx = srv_ctx(&l->srv, false);

    bt_mesh_model_msg_init(&msg, RPR_OP_LINK_CLOSE);
    meshrpr_rpr_msg_link_close_encode(&msg, reason);
    l->close_tx++;
    return bt_mesh_model_send(l->cli->mod, &ctx, &msg, NULL, NULL);
}

static void pdu_send_end(int err, void *cb_data);

static const struct bt_mesh_send_cb pdu_send_cb = {
    .end = pdu_send_end,
};

/* Hand the PDU in flight to the lower transport as a PDU Send (segmented and acknowledged, so
 * the transport retries lost segments). */
static int pdu_send_tx(struct meshrpr_rpr_cli_link *l)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_PDU_SEND, 1 + MESHRPR_RPR_CLI_PDU_MAX);
    struct rpr_pdu pdu = { .number = l->tx_number, .pdu = l->tx_pdu, .len = l->tx_len };
    struct bt_mesh_msg_ctx ctx = srv_ctx(&l->srv, true);
    int err;

    bt_mesh_model_msg_init(&msg, RPR_OP_PDU_SEND);
    meshrpr_rpr_msg_pdu_encode(&msg, &pdu);
    err = bt_mesh_model_send(l->cli->mod, &ctx, &msg, &pdu_send_cb, l);
    if (err == 0) {
        if (l->tx_sent) {
            l->tx_resends++;
        }
        l->tx_sent = true;
        l->sar_pending = true;
    }
    return err;
}

static bool send_err_transient(int err)
{
    /* No free SAR context, or a segmented transfer to this server still running. */
    return err == -EBUSY || err == -ENOBUFS;
}

/* ---- Links: ending ---------------------------------------------------------------------- */

/* The refreshed node's new device key (and address and element count) enter the database,
 * and node_added reports it, as Zephyr does after a re-provisioning. */
static void nppi_commit(struct meshrpr_rpr_cli_link *l)
{
    struct meshrpr_node *node = link_node(l);
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(node);
    struct meshrpr_cdb *cdb = node->cfg.cdb;
    struct meshrpr_cdb_node *target;
    uint8_t uuid[16];

    target = cdb != NULL ? meshrpr_cdb_node_get(cdb, l->nppi_addr) : NULL;
    if (target != NULL && target->addr != l->nppi_addr) {
        target = NULL;
    }
    if (!l->nppi_done) {
        if (l->nppi_marked && target != NULL) {
            /* No Link Close(Success) was sent: the node cannot have switched. */
            l->nppi_marked = false;
            target->pending = MESHRPR_CDB_PENDING_NONE;
            meshrpr_crypto_wipe(target->pending_dev_key, 16);
            (void)meshrpr_node_cdb_store(node);
        }
        return;
    }
    l->nppi_done = false;
    l->nppi_marked = false;
    if (!l->nppi_confirmed) {
        /* Our Link Close(Success) may or may not have reached the server: the node is on
         * its old identity or on the new one. The entry stays pending (written before the
         * data was sent) until meshrpr_cfg_cli_reconcile() asks the node. */
        MESHRPR_LOG_WRN(&node->platform,
                        "refresh of 0x%04x not confirmed by the server: pending in the database",
                        l->nppi_addr);
        memset(l->nppi_dev_key, 0, sizeof(l->nppi_dev_key));
        return;
    }
    if (target == NULL) {
        MESHRPR_LOG_ERR(&node->platform, "node 0x%04x refreshed but gone from the database",
                        l->nppi_addr);
        memset(l->nppi_dev_key, 0, sizeof(l->nppi_dev_key));
        return;
    }
    if (target->addr != l->nppi_new_addr) {
        /* A node with a new address starts its SEQ again (§3.11.8.3). */
        (void)meshrpr_replay_forget(node, target->addr, target->num_elem);
        (void)meshrpr_replay_forget(node, l->nppi_new_addr, l->nppi_elems);
    }
    target->addr = l->nppi_new_addr;
    target->num_elem = l->nppi_elems;
    memcpy(target->dev_key, l->nppi_dev_key, 16);
    memset(l->nppi_dev_key, 0, sizeof(l->nppi_dev_key));
    target->pending = MESHRPR_CDB_PENDING_NONE;
    meshrpr_crypto_wipe(target->pending_dev_key, 16);
    (void)meshrpr_node_cdb_store(node);
    memcpy(uuid, target->uuid, 16);
    MESHRPR_LOG_INF(&node->platform, "node 0x%04x refreshed (procedure %u): now 0x%04x",
                    l->nppi_addr, l->procedure, l->nppi_new_addr);
    if (prov != NULL && prov->node_added != NULL) {
        prov->node_added(l->nppi_net_idx, uuid, l->nppi_new_addr, l->nppi_elems);
    }
}

/* Free the slot and tell the session (last, since its callbacks may take the slot again). */
static void link_release_now(struct meshrpr_rpr_cli_link *l, enum bt_mesh_rpr_status status,
                             int reason)
{
    struct meshrpr_node *node = link_node(l);
    const struct meshrpr_prov_bearer_cb *cb = l->link.cb;
    bool tell_session = !l->session_done && cb != NULL && cb->link_closed != NULL;
    enum meshrpr_prov_link_status close_reason = (enum meshrpr_prov_link_status)l->close_reason;

    meshrpr_node_timer_cancel(node, &l->timer);
    meshrpr_node_timer_cancel(node, &l->aux);
    waiter_finish(l, -ECONNABORTED);
    nppi_commit(l);
    link_notify(l, BT_MESH_RPR_LINK_IDLE, status, reason);
    l->session_done = true;
    l->tx_busy = false;
    l->state = LINK_FREE;
    if (tell_session) {
        cb->link_closed(&l->link, close_reason);
    }
}

/* Release from the aux timer: for ends found inside the session's own calls to the bearer
 * (the bearer interface forbids calling back from there) and on node reset. */
static void link_release_deferred(struct meshrpr_rpr_cli_link *l)
{
    meshrpr_node_timer_cancel(link_node(l), &l->timer);
    l->state = LINK_RELEASE;
    meshrpr_node_timer_start(link_node(l), &l->aux, 0);
}

/* Send Link Close and wait for the server to report the link idle. */
static void link_start_closing(struct meshrpr_rpr_cli_link *l, uint8_t wire_reason)
{
    struct meshrpr_node *node = link_node(l);
    int err;

    l->state = LINK_CLOSING;
    l->close_tx = 0;
    l->close_acked = false;
    l->tx_busy = false;
    meshrpr_node_timer_cancel(node, &l->aux);
    err = link_close_send(l, wire_reason);
    if (err != 0) {
        MESHRPR_LOG_WRN(&node->platform, "Link Close to 0x%04x not sent (%d)", l->srv.addr, err);
        link_release_deferred(l);
        return;
    }
    meshrpr_node_timer_start(node, &l->timer, CLOSE_INTERVAL_MS);
}

/* The client gives up on the link (its timer expired, or a PDU cannot be sent): the session
 * learns it now, and the server through a Link Close (Zephyr leaves the server to its own
 * timers). */
static void link_give_up(struct meshrpr_rpr_cli_link *l, enum bt_mesh_rpr_status status,
                         enum meshrpr_prov_link_status session_reason)
{
    const struct meshrpr_prov_bearer_cb *cb = l->link.cb;
    bool tell_session = !l->session_done && cb != NULL && cb->link_closed != NULL;

    l->close_reason = (uint8_t)session_reason;
    l->session_done = true;
    waiter_finish(l, -ECONNABORTED);
    nppi_commit(l);
    link_notify(l, BT_MESH_RPR_LINK_IDLE, status, -1);
    link_start_closing(l, LINK_CLOSE_REASON_FAIL);
    if (tell_session) {
        cb->link_closed(&l->link, session_reason);
    }
}

/* Map how the server ended the link to the bearer's close reason for the session. */
static enum meshrpr_prov_link_status close_reason_of(uint8_t status, int reason)
{
    if (status == BT_MESH_RPR_SUCCESS) {
        return MESHRPR_PROV_LINK_SUCCESS;
    }
    if (reason == MESHRPR_PROV_LINK_TIMEOUT) {
        return MESHRPR_PROV_LINK_TIMEOUT;
    }
    return MESHRPR_PROV_LINK_FAIL;
}

/* ---- Links: the server's reports -------------------------------------------------------- */

static void link_opened(struct meshrpr_rpr_cli_link *l)
{
    struct meshrpr_node *node = link_node(l);

    l->state = LINK_OPEN;
    meshrpr_node_timer_cancel(node, &l->aux);
    meshrpr_node_timer_start(node, &l->timer, link_timeout_ms(l));
    waiter_finish(l, 0);
    MESHRPR_LOG_INF(&node->platform, "PB-Remote link through 0x%04x open", l->srv.addr);
    link_notify(l, BT_MESH_RPR_LINK_ACTIVE, BT_MESH_RPR_SUCCESS, -1);
    if (l->state == LINK_OPEN && l->link.cb != NULL && l->link.cb->link_opened != NULL) {
        l->link.cb->link_opened(&l->link);
    }
}

/* The stale link is gone: send our Link Open again (the open timeout starts again too). */
static void stale_reopen(struct meshrpr_rpr_cli_link *l)
{
    struct meshrpr_node *node = link_node(l);

    MESHRPR_LOG_INF(&node->platform, "stale link through 0x%04x closed: opening again",
                    l->srv.addr);
    l->state = LINK_OPENING;
    l->stale_closing = false;
    l->open_tx = 0;
    l->saw_opening = false;
    l->active_unconfirmed = false;
    if (link_open_send(l) != 0) {
        link_give_up(l, BT_MESH_RPR_ERR_LINK_CANNOT_OPEN, MESHRPR_PROV_LINK_FAIL);
        return;
    }
    meshrpr_node_timer_start(node, &l->timer, (uint32_t)l->open_timeout_s * 1000u);
    meshrpr_node_timer_start(node, &l->aux, OPEN_REPEAT_MS);
}

/* A Link Status (report false) or Link Report (report true) from the link's server. */
static void link_state_rx(struct meshrpr_rpr_cli_link *l, uint8_t status, uint8_t state, int reason,
                          bool report)
{
    struct meshrpr_node *node = link_node(l);

    l->srv_status = status;
    l->srv_answered = true;
    if (l->state == LINK_CLOSING && l->stale_closing) {
        /* Closing a stale link to open ours: once the server is idle, Link Open again. */
        if (state == BT_MESH_RPR_LINK_IDLE) {
            stale_reopen(l);
        } else if (!l->close_acked) {
            l->close_acked = true;
            meshrpr_node_timer_start(node, &l->timer, CLOSE_INTERVAL_MS);
        }
        return;
    }
    switch (l->state) {
    case LINK_OPENING:
        if (status != BT_MESH_RPR_SUCCESS) {
            /* A Link Status refusing the Link Open (Invalid State, Link Cannot Open, Limited
             * Resources), or a Link Report: the link could not be opened. Either way the
             * server holds no link for us. */
            MESHRPR_LOG_WRN(&node->platform, "server 0x%04x: link %s, status 0x%02x", l->srv.addr,
                            report ? "failed" : "refused", status);
            waiter_finish(l, report ? -ECONNABORTED : -ECONNREFUSED);
            l->close_reason = MESHRPR_PROV_LINK_FAIL;
            link_release_now(l, (enum bt_mesh_rpr_status)status, reason);
            return;
        }
        if (state == BT_MESH_RPR_LINK_ACTIVE &&
            (report || l->saw_opening || (l->stale_reopen && !l->nppi))) {
            link_opened(l);
        } else if (state == BT_MESH_RPR_LINK_ACTIVE) {
            /* Believed with the Link Report that a new link brings (or the second time). */
            waiter_finish(l, 0);
            if (!l->active_unconfirmed) {
                l->active_unconfirmed = true;
                meshrpr_node_timer_start(node, &l->aux, STALE_WAIT_MS);
            }
        } else if (state == BT_MESH_RPR_LINK_OPENING) {
            l->saw_opening = true;
            waiter_finish(l, 0);
            link_notify(l, BT_MESH_RPR_LINK_OPENING, BT_MESH_RPR_SUCCESS, -1);
        } else if (state == BT_MESH_RPR_LINK_IDLE) {
            l->close_reason = MESHRPR_PROV_LINK_FAIL;
            link_release_now(l, (enum bt_mesh_rpr_status)status, reason);
        }
        /* Closing or Outbound Packet Transfer: a late answer about an earlier link. */
        return;
    case LINK_OPEN:
        meshrpr_node_timer_start(node, &l->timer, link_timeout_ms(l));
        if (state == BT_MESH_RPR_LINK_IDLE) {
            /* The server ended the link (the device closed it, or the server gave up). */
            MESHRPR_LOG_WRN(&node->platform, "server 0x%04x closed the link, status 0x%02x",
                            l->srv.addr, status);
            l->close_reason = (uint8_t)close_reason_of(status, reason);
            link_release_now(l, (enum bt_mesh_rpr_status)status, reason);
        } else if (state == BT_MESH_RPR_LINK_CLOSING) {
            link_notify(l, BT_MESH_RPR_LINK_CLOSING, (enum bt_mesh_rpr_status)status, reason);
        }
        return;
    case LINK_CLOSING:
        /* The server had our Link Close in hand while in the link (§4.4.5.5.3.3: its Link
         * Status says Closing, then its Link Report says Link Closed by Client): it ends the
         * exchange with our reason, so a refresh closed with Success took effect. A Link Status
         * saying Idle answers a Link Close that came after the link had ended, for whatever
         * reason, and proves nothing. */
        if ((!report && status == BT_MESH_RPR_SUCCESS && state == BT_MESH_RPR_LINK_CLOSING) ||
            (report && status == BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT)) {
            l->nppi_confirmed = true;
        }
        if (state == BT_MESH_RPR_LINK_IDLE) {
            link_release_now(l, (enum bt_mesh_rpr_status)status, reason);
            return;
        }
        if (!l->close_acked) {
            /* The server has our Link Close: stop repeating it, wait for its Link Report. */
            l->close_acked = true;
            meshrpr_node_timer_start(node, &l->timer, CLOSE_INTERVAL_MS);
        }
        if (!l->session_done) {
            link_notify(l, BT_MESH_RPR_LINK_CLOSING, (enum bt_mesh_rpr_status)status, reason);
        }
        return;
    default:
        return;
    }
}

/* Deliver one Provisioning PDU to the session. @return whether the link is still open. */
static bool pdu_deliver(struct meshrpr_rpr_cli_link *l, const uint8_t *pdu, size_t len)
{
    if (l->link.cb != NULL && l->link.cb->recv != NULL) {
        l->link.cb->recv(&l->link, pdu, len);
    }
    return l->state == LINK_OPEN;
}

static void pdu_report_rx(struct meshrpr_rpr_cli_link *l, const struct rpr_pdu *pdu)
{
    struct meshrpr_node *node = link_node(l);
    int8_t ahead = (int8_t)(uint8_t)(pdu->number - (uint8_t)(l->rx_number + 1));

    meshrpr_node_timer_start(node, &l->timer, link_timeout_ms(l));
    if (ahead < 0) {
        /* §4.4.5.5.2: InboundPDUNumber counts the device's PDUs; an old number is a repeat
         * (Zephyr never advances its copy, so its filter only rejects 0). */
        MESHRPR_LOG_DBG(&node->platform, "duplicate PDU Report %u from 0x%04x", pdu->number,
                        l->srv.addr);
        return;
    }
    if (ahead > 0) {
        /* The previous PDU Report is still on its way (each is a separate segmented message):
         * keep one PDU until the gap closes. */
        if (ahead == 1 && !l->rx_held) {
            l->rx_held = true;
            l->rx_held_len = (uint8_t)pdu->len;
            memcpy(l->rx_held_pdu, pdu->pdu, pdu->len);
        } else {
            MESHRPR_LOG_WRN(&node->platform, "PDU Report %u from 0x%04x out of order, dropped",
                            pdu->number, l->srv.addr);
        }
        return;
    }
    l->rx_number = pdu->number;
    if (!pdu_deliver(l, pdu->pdu, pdu->len)) {
        return;
    }
    if (l->rx_held) {
        uint8_t held[MESHRPR_RPR_CLI_PDU_MAX];
        uint8_t held_len = l->rx_held_len;

        memcpy(held, l->rx_held_pdu, held_len);
        l->rx_held = false;
        l->rx_number++;
        (void)pdu_deliver(l, held, held_len);
    }
}

static void outbound_report_rx(struct meshrpr_rpr_cli_link *l, uint8_t number)
{
    struct meshrpr_node *node = link_node(l);
    meshrpr_prov_send_complete_t complete;
    void *cb_data;

    meshrpr_node_timer_start(node, &l->timer, link_timeout_ms(l));
    if (!l->tx_busy || !l->tx_sent || number != l->tx_number) {
        MESHRPR_LOG_DBG(&node->platform, "PDU Outbound Report %u from 0x%04x not awaited", number,
                        l->srv.addr);
        return;
    }
    l->tx_busy = false;
    l->tx_number++;
    meshrpr_node_timer_cancel(node, &l->aux);
    complete = l->tx_complete;
    cb_data = l->tx_cb_data;
    l->tx_complete = NULL;
    if (complete != NULL) {
        complete(0, cb_data);
    }
}

/* ---- Links: timers ---------------------------------------------------------------------- */

static void link_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_rpr_cli_link *l =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_rpr_cli_link, timer);
    struct meshrpr_node *node = link_node(l);

    switch (l->state) {
    case LINK_OPENING:
        MESHRPR_LOG_WRN(&node->platform, "link through 0x%04x did not open in %u s%s", l->srv.addr,
                        l->open_timeout_s,
                        l->srv_answered ? "" : ": the server never answered the Link Open");
        if (!l->srv_answered) {
            waiter_finish(l, -ETIMEDOUT);
        }
        link_give_up(l, BT_MESH_RPR_ERR_LINK_OPEN_FAILED, MESHRPR_PROV_LINK_TIMEOUT);
        break;
    case LINK_OPEN:
        MESHRPR_LOG_WRN(&node->platform, "server 0x%04x silent for %u s: closing the link",
                        l->srv.addr, (unsigned)(link_timeout_ms(l) / 1000u));
        link_give_up(l, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT, MESHRPR_PROV_LINK_TIMEOUT);
        break;
    case LINK_CLOSING:
        if (l->stale_closing) {
            if (!l->close_acked && l->close_tx < CLOSE_TX_MAX &&
                link_close_send(l, LINK_CLOSE_REASON_FAIL) == 0) {
                meshrpr_node_timer_start(node, &l->timer, CLOSE_INTERVAL_MS);
                break;
            }
            /* The server did not let go of its stale link (it times out by itself). */
            l->stale_closing = false;
            link_give_up(l, BT_MESH_RPR_ERR_LINK_CANNOT_OPEN, MESHRPR_PROV_LINK_FAIL);
            break;
        }
        if (!l->close_acked && l->close_tx < CLOSE_TX_MAX &&
            link_close_send(l, l->close_reason == MESHRPR_PROV_LINK_SUCCESS
                                   ? LINK_CLOSE_REASON_SUCCESS
                                   : LINK_CLOSE_REASON_FAIL) == 0) {
            meshrpr_node_timer_start(node, &l->timer, CLOSE_INTERVAL_MS);
            break;
        }
        MESHRPR_LOG_WRN(&node->platform, "no Link Report from 0x%04x: link forgotten", l->srv.addr);
        link_release_now(l, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT, -1);
        break;
    default:
        break;
    }
}

static void link_aux_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_rpr_cli_link *l = MESHRPR_CONTAINER_OF(timer, struct meshrpr_rpr_cli_link, aux);
    struct meshrpr_node *node = link_node(l);
    int err;

    if (l->state == LINK_RELEASE) {
        link_release_now(l, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT, -1);
        return;
    }
    if (l->state == LINK_OPENING && l->active_unconfirmed) {
        l->active_unconfirmed = false;
        if (l->stale_reopen) {
            /* Our own new link whose Link Report was lost: take it. */
            link_opened(l);
            return;
        }
        MESHRPR_LOG_WRN(&node->platform,
                        "server 0x%04x holds a stale link for this device: closing it first",
                        l->srv.addr);
        l->stale_reopen = true;
        l->stale_closing = true;
        l->state = LINK_CLOSING;
        l->close_tx = 0;
        l->close_acked = false;
        if (link_close_send(l, LINK_CLOSE_REASON_FAIL) != 0) {
            link_give_up(l, BT_MESH_RPR_ERR_LINK_CANNOT_OPEN, MESHRPR_PROV_LINK_FAIL);
            return;
        }
        meshrpr_node_timer_start(node, &l->timer, CLOSE_INTERVAL_MS);
        return;
    }
    if (l->state == LINK_OPENING) {
        if (l->open_tx <= OPEN_REPEAT_MAX) {
            (void)link_open_send(l);
            meshrpr_node_timer_start(node, &l->aux, OPEN_REPEAT_MS);
        }
        return;
    }
    if (l->state != LINK_OPEN || !l->tx_busy || l->sar_pending) {
        return; /* a PDU Send still with the lower transport: pdu_send_end() comes back here */
    }
    /* The PDU in flight goes out (again): its first transmission waited for the lower
     * transport, or it got no Outbound Report, or its transfer failed. */
    if (l->tx_sent) {
        if (l->tx_resends >= TX_RESEND_MAX) {
            return; /* the link timer decides now */
        }
        MESHRPR_LOG_DBG(&node->platform, "PDU Send %u to 0x%04x again", l->tx_number, l->srv.addr);
    }
    err = pdu_send_tx(l);
    if (err == 0) {
        return;
    }
    if (send_err_transient(err)) {
        meshrpr_node_timer_start(node, &l->aux, TX_RETRY_MS);
        return;
    }
    MESHRPR_LOG_WRN(&node->platform, "PDU Send to 0x%04x failed (%d)", l->srv.addr, err);
    link_give_up(l, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_SEND_PDU, MESHRPR_PROV_LINK_FAIL);
}

/* The lower transport finished with a PDU Send (acknowledged, or given up). */
static void pdu_send_end(int err, void *cb_data)
{
    struct meshrpr_rpr_cli_link *l = cb_data;
    struct meshrpr_node *node;

    l->sar_pending = false;
    if (l->state != LINK_OPEN || !l->tx_busy) {
        return; /* the link ended, or the Outbound Report came first */
    }
    node = link_node(l);
    if (!l->tx_sent) {
        /* That was the previous PDU's transfer (its Outbound Report came first): the PDU that
         * waited for it goes now. */
        meshrpr_node_timer_start(node, &l->aux, 0);
        return;
    }
    if (err == 0) {
        /* The server has the PDU: wait for its Outbound Report, asking again (with the same
         * number) if it does not come. The link timer runs on: only the server's messages
         * restart it. */
        meshrpr_node_timer_start(node, &l->aux, OUTBOUND_WAIT_MS);
        return;
    }
    MESHRPR_LOG_WRN(&node->platform, "PDU Send %u to 0x%04x not acknowledged (%d)", l->tx_number,
                    l->srv.addr, err);
    if (l->tx_resends >= TX_RESEND_MAX) {
        link_give_up(l, BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_SEND_PDU, MESHRPR_PROV_LINK_FAIL);
        return;
    }
    meshrpr_node_timer_start(node, &l->aux, TX_RETRY_MS);
}

/* ---- The bearer operations -------------------------------------------------------------- */

static int pb_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                   meshrpr_prov_send_complete_t complete, void *cb_data)
{
    struct meshrpr_rpr_cli_link *l = link_of(link);
    struct meshrpr_node *node = link_node(l);
    int err;

    if (l->state != LINK_OPEN) {
        return -ENOTCONN; /* the link is closed or closing (ESHUTDOWN is not in newlib) */
    }
    if (l->tx_busy) {
        return -EBUSY;
    }
    if (pdu == NULL || len == 0 || len > MESHRPR_RPR_CLI_PDU_MAX) {
        return -EINVAL;
    }
    memcpy(l->tx_pdu, pdu, len);
    l->tx_len = (uint8_t)len;
    l->tx_busy = true;
    l->tx_sent = false;
    l->tx_resends = 0;
    l->tx_complete = complete;
    l->tx_cb_data = cb_data;
    if (pdu[0] == MESHRPR_PROV_START && len >= 4) {
        /* §5.4.4: Output or Input OOB makes the protocol timeout 120 s; this bearer's timer
         * follows the session's. */
        l->oob_io = pdu[3] == MESHRPR_PROV_AUTH_OUTPUT || pdu[3] == MESHRPR_PROV_AUTH_INPUT;
        meshrpr_node_timer_start(node, &l->timer, link_timeout_ms(l));
    }
    if (l->sar_pending) {
        /* This link's previous PDU Send (whose Outbound Report came first) is still with the
         * lower transport: this one follows when it is done (pdu_send_end()). Other links'
         * PDU Sends go on at the same time: relays queue at most MESHRPR_RELAY_QUEUE_LEN PDUs
         * and the lower transport times its segments from their transmission, so links in
         * step no longer starve each other's SAR timers. */
        return 0;
    }
    err = pdu_send_tx(l);
    if (err == 0) {
        return 0;
    }
    if (send_err_transient(err)) {
        meshrpr_node_timer_start(node, &l->aux, TX_RETRY_MS);
        return 0;
    }
    l->tx_busy = false;
    return err;
}

static void pb_close(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct meshrpr_rpr_cli_link *l = link_of(link);

    if (l->state != LINK_OPENING && l->state != LINK_OPEN) {
        return; /* already closing: link_closed follows */
    }
    l->close_reason = (uint8_t)reason;
    link_start_closing(l, reason == MESHRPR_PROV_LINK_SUCCESS ? LINK_CLOSE_REASON_SUCCESS
                                                              : LINK_CLOSE_REASON_FAIL);
}

static const struct meshrpr_prov_bearer_ops pb_remote_ops = {
    .type = BT_MESH_PROV_REMOTE,
    .send = pb_send,
    .close = pb_close,
};

/* ---- Message handlers ------------------------------------------------------------------- */

/* The client of a message, or NULL when it did not come with a device key. */
static struct bt_mesh_rpr_cli *rx_cli(const struct bt_mesh_model *model,
                                      const struct bt_mesh_msg_ctx *ctx)
{
    struct bt_mesh_rpr_cli *cli = model_cli(model);

    if (cli == NULL || cli->mod == NULL || !BT_MESH_IS_DEV_KEY(ctx->app_idx)) {
        return NULL;
    }
    return cli;
}

static struct bt_mesh_rpr_node rx_srv(const struct bt_mesh_msg_ctx *ctx)
{
    struct bt_mesh_rpr_node srv = {
        .addr = ctx->addr,
        .net_idx = ctx->net_idx,
        .ttl = BT_MESH_TTL_DEFAULT,
    };

    return srv;
}

static int handle_scan_caps_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                                   struct net_buf_simple *buf)
{
    struct bt_mesh_rpr_cli *cli = rx_cli(model, ctx);
    struct rpr_scan_caps_status m;
    void *rsp = NULL;

    if (cli == NULL || meshrpr_rpr_msg_scan_caps_status_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    if (meshrpr_msg_ack_ctx_match(&cli->priv.scan_ack, RPR_OP_SCAN_CAPS_STATUS, ctx->addr, &rsp)) {
        if (rsp != NULL) {
            struct bt_mesh_rpr_caps *caps = rsp;
            caps->max_devs = m.max_devs;
            caps->active_scan = m.active_scan;
        }
        meshrpr_msg_ack_ctx_rx(&cli->priv.scan_ack);
    }
    return 0;
}

static int handle_scan_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                              struct net_buf_simple *buf)
{
    struct bt_mesh_rpr_cli *cli = rx_cli(model, ctx);
    struct rpr_scan_status m;
    void *rsp = NULL;

    if (cli == NULL || meshrpr_rpr_msg_scan_status_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    if (meshrpr_msg_ack_ctx_match(&cli->priv.scan_ack, RPR_OP_SCAN_STATUS, ctx->addr, &rsp)) {
        if (rsp != NULL) {
            struct bt_mesh_rpr_scan_status *status = rsp;
            status->status = (enum bt_mesh_rpr_status)m.status;
            status->scan = (enum bt_mesh_rpr_scan)m.state;
            status->max_devs = m.max_devs;
            status->timeout = m.timeout_s;
        }
        meshrpr_msg_ack_ctx_rx(&cli->priv.scan_ack);
    }
    return 0;
}

static int handle_scan_report(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                              struct net_buf_simple *buf)
{
    struct bt_mesh_rpr_cli *cli = rx_cli(model, ctx);
    struct bt_mesh_rpr_unprov dev = { 0 };
    struct bt_mesh_rpr_node srv = rx_srv(ctx);
    struct rpr_scan_report m;

    /* §4.3.4.7: OOB Information little-endian, URI Hash as the beacon's octets. */
    if (cli == NULL || meshrpr_rpr_msg_scan_report_decode(buf, false, &m) != 0) {
        return -EINVAL;
    }
    memcpy(dev.uuid, m.uuid, 16);
    dev.rssi = m.rssi;
    dev.oob = (bt_mesh_prov_oob_info_t)m.oob;
    if (m.has_hash) {
        dev.flags = BT_MESH_RPR_UNPROV_HASH;
        memcpy(&dev.hash, m.hash, 4);
    }
    if (cli->scan_report != NULL) {
        cli->scan_report(cli, &srv, &dev, NULL);
    }
    return 0;
}

static int handle_ext_scan_report(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                                  struct net_buf_simple *buf)
{
    struct bt_mesh_rpr_cli *cli = rx_cli(model, ctx);
    struct bt_mesh_rpr_unprov dev = { 0 };
    struct bt_mesh_rpr_node srv = rx_srv(ctx);
    struct rpr_ext_scan_report m;
    struct net_buf_simple adv;

    if (cli == NULL || meshrpr_rpr_msg_ext_scan_report_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    if (m.status != BT_MESH_RPR_SUCCESS || !m.has_oob) {
        /* Refused or failed (status), or the device was not found: no OOB Information
         * (§4.3.4.9). Zephyr only logs these; the application hears of them here. */
        MESHRPR_LOG_INF(&cli->priv.node->platform,
                        "Extended Scan through 0x%04x: status 0x%02x, device %sfound", ctx->addr,
                        m.status, m.has_oob ? "" : "not ");
        if (cli->ext_scan_failed != NULL) {
            cli->ext_scan_failed(cli, &srv, m.uuid, (enum bt_mesh_rpr_status)m.status);
        }
        return 0;
    }
    memcpy(dev.uuid, m.uuid, 16);
    dev.oob = (bt_mesh_prov_oob_info_t)m.oob;
    net_buf_simple_init_with_data(&adv, (void *)(uintptr_t)m.adv_data, m.adv_data_len);
    if (cli->scan_report != NULL) {
        cli->scan_report(cli, &srv, &dev, &adv);
    }
    return 0;
}

static int handle_link_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                              struct net_buf_simple *buf)
{
    struct bt_mesh_rpr_cli *cli = rx_cli(model, ctx);
    struct meshrpr_rpr_cli_link *l;
    struct rpr_link_status m;
    void *rsp = NULL;

    if (cli == NULL || meshrpr_rpr_msg_link_status_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    if (meshrpr_msg_ack_ctx_match(&cli->priv.link_ack, RPR_OP_LINK_STATUS, ctx->addr, &rsp)) {
        if (rsp != NULL) {
            struct bt_mesh_rpr_link *link = rsp;
            link->status = (enum bt_mesh_rpr_status)m.status;
            link->state = (enum bt_mesh_rpr_link_state)m.state;
        }
        meshrpr_msg_ack_ctx_rx(&cli->priv.link_ack);
    }
    l = link_by_ctx(cli, ctx);
    if (l != NULL) {
        link_state_rx(l, m.status, m.state, -1, false);
    }
    return 0;
}

static int handle_link_report(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                              struct net_buf_simple *buf)
{
    struct bt_mesh_rpr_cli *cli = rx_cli(model, ctx);
    struct meshrpr_rpr_cli_link *l;
    struct rpr_link_report m;

    if (cli == NULL || meshrpr_rpr_msg_link_report_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    l = link_by_ctx(cli, ctx);
    if (l == NULL) {
        MESHRPR_LOG_DBG(&cli->priv.node->platform, "Link Report from 0x%04x: no link", ctx->addr);
        return 0;
    }
    link_state_rx(l, m.status, m.state, m.has_reason ? m.reason : -1, true);
    return 0;
}

static int handle_pdu_outbound_report(const struct bt_mesh_model *model,
                                      struct bt_mesh_msg_ctx *ctx, struct net_buf_simple *buf)
{
    struct bt_mesh_rpr_cli *cli = rx_cli(model, ctx);
    struct meshrpr_rpr_cli_link *l;
    uint8_t number;

    if (cli == NULL || meshrpr_rpr_msg_pdu_outbound_report_decode(buf, &number) != 0) {
        return -EINVAL;
    }
    l = link_by_ctx(cli, ctx);
    if (l != NULL && l->state == LINK_OPEN) {
        outbound_report_rx(l, number);
    }
    return 0;
}

static int handle_pdu_report(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                             struct net_buf_simple *buf)
{
    struct bt_mesh_rpr_cli *cli = rx_cli(model, ctx);
    struct meshrpr_rpr_cli_link *l;
    struct rpr_pdu m;

    if (cli == NULL || meshrpr_rpr_msg_pdu_decode(buf, &m) != 0) {
        return -EINVAL;
    }
    l = link_by_ctx(cli, ctx);
    if (l != NULL && l->state == LINK_OPEN) {
        pdu_report_rx(l, &m);
    }
    return 0;
}

const struct bt_mesh_model_op _bt_mesh_rpr_cli_op[] = {
    { RPR_OP_SCAN_CAPS_STATUS, BT_MESH_LEN_EXACT(2), handle_scan_caps_status },
    { RPR_OP_SCAN_STATUS, BT_MESH_LEN_EXACT(4), handle_scan_status },
    { RPR_OP_SCAN_REPORT, BT_MESH_LEN_MIN(19), handle_scan_report },
    { RPR_OP_EXTENDED_SCAN_REPORT, BT_MESH_LEN_MIN(17), handle_ext_scan_report },
    { RPR_OP_LINK_STATUS, BT_MESH_LEN_EXACT(2), handle_link_status },
    { RPR_OP_LINK_REPORT, BT_MESH_LEN_MIN(2), handle_link_report },
    { RPR_OP_PDU_OUTBOUND_REPORT, BT_MESH_LEN_EXACT(1), handle_pdu_outbound_report },
    { RPR_OP_PDU_REPORT, BT_MESH_LEN_MIN(2), handle_pdu_report },
    BT_MESH_MODEL_OP_END,
};

/* ---- Model callbacks -------------------------------------------------------------------- */

/* Answers come secured with the server's device key, or with our own when the client drives
 * the node's own server (§4.4.6: device key only). */
static int rpr_cli_bind(const struct bt_mesh_model *model)
{
    return meshrpr_model_key_bind(model, BT_MESH_KEY_DEV_ANY);
}

static int rpr_cli_init(const struct bt_mesh_model *model)
{
    struct bt_mesh_rpr_cli *cli = model_cli(model);
    struct meshrpr_rpr_cli_link *link_tab;
    uint16_t link_tab_count;
    int32_t timeout_ms;
    bool timeout_set;

    /* §4.4.6: the model lives on the primary element. */
    if (cli == NULL || model->rt->elem_idx != 0) {
        return -EINVAL;
    }
    /* Kept, like the timeout: meshrpr_rpr_cli_links_set() may come before the node's init. */
    link_tab = cli->priv.link_tab;
    link_tab_count = cli->priv.link_tab_count;
    timeout_ms = cli->priv.timeout_ms;
    timeout_set = cli->priv.timeout_set;
    memset(&cli->priv, 0, sizeof(cli->priv));
    if (link_tab != NULL) {
        memset(link_tab, 0, link_tab_count * sizeof(link_tab[0]));
    }
    cli->priv.link_tab = link_tab;
    cli->priv.link_tab_count = link_tab_count;
    cli->priv.timeout_ms = timeout_set ? timeout_ms : MESHRPR_RPR_CLI_TIMEOUT_DEFAULT_MS;
    cli->priv.timeout_set = timeout_set;
    cli->priv.node = model->rt->node;
    cli->mod = model;
    return rpr_cli_bind(model);
}

static int rpr_cli_start(const struct bt_mesh_model *model)
{
    return rpr_cli_bind(model);
}

static void rpr_cli_reset(const struct bt_mesh_model *model)
{
    struct bt_mesh_rpr_cli *cli = model_cli(model);

    if (cli == NULL || cli->mod == NULL) {
        return;
    }
    /* The node left the network: no answer or report can arrive any more. Sessions learn
     * that their links are gone from the event loop. */
    meshrpr_msg_ack_ctx_clear(&cli->priv.scan_ack);
    meshrpr_msg_ack_ctx_clear(&cli->priv.link_ack);
    for (size_t i = 0; i < cli_link_count(cli); i++) {
        struct meshrpr_rpr_cli_link *l = cli_link_at(cli, i);
        if (link_in_use(l) && l->state != LINK_RELEASE) {
            if (l->close_reason == MESHRPR_PROV_LINK_SUCCESS && l->state != LINK_CLOSING) {
                l->close_reason = MESHRPR_PROV_LINK_FAIL;
            }
            waiter_finish(l, -ECONNABORTED);
            link_release_deferred(l);
        }
    }
    (void)rpr_cli_bind(model);
}

const struct bt_mesh_model_cb _bt_mesh_rpr_cli_cb = {
    .init = rpr_cli_init,
    .start = rpr_cli_start,
    .reset = rpr_cli_reset,
};

/* ---- Scan and link requests ------------------------------------------------------------- */

int bt_mesh_rpr_scan_caps_get(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                              struct bt_mesh_rpr_caps *caps)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_SCAN_CAPS_GET, 0);

    bt_mesh_model_msg_init(&msg, RPR_OP_SCAN_CAPS_GET);
    return request(cli, cli != NULL ? &cli->priv.scan_ack : NULL, srv, &msg,
                   RPR_OP_SCAN_CAPS_STATUS, caps);
}

int bt_mesh_rpr_scan_get(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                         struct bt_mesh_rpr_scan_status *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_SCAN_GET, 0);

    bt_mesh_model_msg_init(&msg, RPR_OP_SCAN_GET);
    return request(cli, cli != NULL ? &cli->priv.scan_ack : NULL, srv, &msg, RPR_OP_SCAN_STATUS,
                   status);
}

int bt_mesh_rpr_scan_start(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                           const uint8_t uuid[16], uint8_t timeout, uint8_t max_devs,
                           struct bt_mesh_rpr_scan_status *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_SCAN_START, 18);
    struct rpr_scan_start m = {
        .max_devs = max_devs,
        .timeout_s = timeout,
        .has_uuid = uuid != NULL,
    };

    /* §4.3.4.4: a Timeout of 0 is prohibited. */
    if (timeout == 0) {
        return -EINVAL;
    }
    if (uuid != NULL) {
        memcpy(m.uuid, uuid, 16);
    }
    bt_mesh_model_msg_init(&msg, RPR_OP_SCAN_START);
    meshrpr_rpr_msg_scan_start_encode(&msg, &m);
    return request(cli, cli != NULL ? &cli->priv.scan_ack : NULL, srv, &msg, RPR_OP_SCAN_STATUS,
                   status);
}

int bt_mesh_rpr_scan_start_ext(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                               const uint8_t uuid[16], uint8_t timeout, const uint8_t *ad_types,
                               size_t ad_count)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_EXTENDED_SCAN_START, 1 + RPR_AD_TYPES_MAX + 17);
    struct rpr_ext_scan_start m = { .has_uuid = uuid != NULL, .timeout_s = timeout };
    struct bt_mesh_msg_ctx ctx;

    if (cli == NULL || cli_node(cli) == NULL || srv == NULL ||
        !BT_MESH_ADDR_IS_UNICAST(srv->addr) || ad_types == NULL || ad_count == 0 ||
        ad_count > RPR_AD_TYPES_MAX) {
        return -EINVAL;
    }
    /* §4.3.4.8: the timeout matters only with a UUID; prohibited and repeated AD types make
     * the server drop the message, so refuse them here. */
    if (uuid != NULL &&
        (timeout < BT_MESH_RPR_EXT_SCAN_TIME_MIN || timeout > BT_MESH_RPR_EXT_SCAN_TIME_MAX)) {
        return -EINVAL;
    }
    for (size_t i = 0; i < ad_count; i++) {
        if (!meshrpr_rpr_msg_ad_type_allowed(ad_types[i])) {
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (ad_types[j] == ad_types[i]) {
                return -EINVAL;
            }
        }
    }
    m.ad_count = (uint8_t)ad_count;
    memcpy(m.ad_types, ad_types, ad_count);
    if (uuid != NULL) {
        memcpy(m.uuid, uuid, 16);
    }
    bt_mesh_model_msg_init(&msg, RPR_OP_EXTENDED_SCAN_START);
    meshrpr_rpr_msg_ext_scan_start_encode(&msg, &m);
    ctx = srv_ctx(srv, false);
    return bt_mesh_model_send(cli->mod, &ctx, &msg, NULL, NULL);
}

int bt_mesh_rpr_scan_stop(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                          struct bt_mesh_rpr_scan_status *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_SCAN_STOP, 0);

    bt_mesh_model_msg_init(&msg, RPR_OP_SCAN_STOP);
    return request(cli, cli != NULL ? &cli->priv.scan_ack : NULL, srv, &msg, RPR_OP_SCAN_STATUS,
                   status);
}

int bt_mesh_rpr_link_get(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                         struct bt_mesh_rpr_link *rsp)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_LINK_GET, 0);

    bt_mesh_model_msg_init(&msg, RPR_OP_LINK_GET);
    return request(cli, cli != NULL ? &cli->priv.link_ack : NULL, srv, &msg, RPR_OP_LINK_STATUS,
                   rsp);
}

int bt_mesh_rpr_link_close(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                           struct bt_mesh_rpr_link *rsp)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, RPR_OP_LINK_CLOSE, 1);
    struct meshrpr_rpr_cli_link *l;

    if (cli == NULL || cli_node(cli) == NULL || srv == NULL) {
        return -EINVAL;
    }
    if (rsp != NULL && cli->priv.link_ack.busy) {
        return -EBUSY;
    }
    /* Our own link through this server ends with the server's Link Report; the session then
     * learns it (as Zephyr, the reason is Fail). */
    l = link_by_addr(cli, srv->addr);
    if (l != NULL && (l->state == LINK_OPENING || l->state == LINK_OPEN)) {
        struct meshrpr_node *node = cli_node(cli);

        l->close_reason = MESHRPR_PROV_LINK_FAIL;
        l->state = LINK_CLOSING;
        l->close_tx = 1;
        l->close_acked = false;
        l->tx_busy = false;
        meshrpr_node_timer_cancel(node, &l->aux);
        meshrpr_node_timer_start(node, &l->timer, CLOSE_INTERVAL_MS);
    }
    bt_mesh_model_msg_init(&msg, RPR_OP_LINK_CLOSE);
    meshrpr_rpr_msg_link_close_encode(&msg, LINK_CLOSE_REASON_FAIL);
    return request(cli, &cli->priv.link_ack, srv, &msg, RPR_OP_LINK_STATUS, rsp);
}

/* ---- Remote provisioning ---------------------------------------------------------------- */

static bool open_done(void *arg)
{
    return ((const struct meshrpr_rpr_cli_open_wait *)arg)->done;
}

/* Wait for the server's answer to the Link Open when the event loop can be driven from here;
 * otherwise (called from a callback) let the link go on by itself. */
static int link_open_wait(struct meshrpr_rpr_cli_link *l)
{
    struct meshrpr_node *node = link_node(l);
    struct meshrpr_rpr_cli_open_wait wait = { .done = false, .result = 0 };
    /* Until the server answers, or the Link Open timeout (the Link Open is repeated
     * meanwhile): a server that never answers makes the call fail with -ETIMEDOUT. */
    uint64_t deadline = meshrpr_node_now_ms(node) + (uint64_t)l->open_timeout_s * 1000u + 1;

    if (node->platform.run_until == NULL) {
        return 0;
    }
    l->waiter = &wait;
    (void)node->platform.run_until(node->platform.ctx, open_done, &wait, deadline);
    if (!wait.done) {
        /* Inside the loop (-EDEADLK), or no answer yet: the link timer takes over. The slot
         * may have been taken again meanwhile, so only our own pointer is cleared. */
        if (l->waiter == &wait) {
            l->waiter = NULL;
        }
        return 0;
    }
    return wait.result;
}

/* Open a PB-Remote link through srv and start the provisioner session on it. */
static int link_start(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv, bool nppi,
                      uint8_t procedure, uint16_t nppi_addr,
                      struct meshrpr_prov_provisioner_params *params)
{
    struct meshrpr_node *node = cli_node(cli);
    struct meshrpr_rpr_cli_link *l;
    int err;

    if (link_by_addr(cli, srv->addr) != NULL) {
        return -EBUSY;
    }
    l = link_alloc(cli);
    if (l == NULL) {
        return -ENOMEM;
    }
    l->srv = *srv;
    l->nppi = nppi;
    l->procedure = procedure;
    l->nppi_addr = nppi_addr;
    memcpy(l->uuid, params->uuid, 16);
    l->open_timeout_s = LINK_OPEN_TIMEOUT_DEFAULT_S;
    l->tx_number = 1; /* §4.4.5.5.2: the server's Outbound PDU Count starts at 0 */
    l->rx_number = 0;
    l->srv_state = LINK_STATE_NONE;
    params->hooks_ctx = l;
    err = meshrpr_prov_provisioner_start_ext(node, &l->link, params);
    if (err != 0) {
        l->state = LINK_FREE;
        return err;
    }
    l->state = LINK_OPENING;
    /* Not a prohibited value any more once here: srv->ttl as given (the default TTL or 0..127). */
    err = link_open_send(l);
    if (err != 0) {
        MESHRPR_LOG_WRN(&node->platform, "Link Open to 0x%04x not sent (%d)", srv->addr, err);
        l->close_reason = MESHRPR_PROV_LINK_FAIL;
        link_release_now(l, BT_MESH_RPR_ERR_LINK_CANNOT_OPEN, -1);
        return err;
    }
    MESHRPR_LOG_INF(&node->platform, "Link Open (%s) through 0x%04x", nppi ? "NPPI" : "UUID",
                    srv->addr);
    /* §4.4.6.2: the link has to open within the Link Open timeout; not restarted by the
     * server's intermediate answers. */
    meshrpr_node_timer_start(node, &l->timer, (uint32_t)l->open_timeout_s * 1000u);
    meshrpr_node_timer_start(node, &l->aux, OPEN_REPEAT_MS);
    return link_open_wait(l);
}

/* The session of a PB-Remote link: the link, or NULL when the hooks context is not ours. */
static struct meshrpr_rpr_cli_link *session_link(struct meshrpr_prov_session *session)
{
    return meshrpr_prov_session_hooks_ctx(session);
}

static void node_added_cb(struct meshrpr_prov_session *session, uint16_t addr, uint8_t elems)
{
    struct meshrpr_node *node = meshrpr_prov_session_node(session);
    const struct bt_mesh_prov *prov = meshrpr_prov_cfg(node);

    if (prov != NULL && prov->node_added != NULL) {
        uint8_t uuid[16];
        struct meshrpr_prov_session *prev = meshrpr_prov_cb_enter(session);

        memcpy(uuid, meshrpr_prov_session_uuid(session), 16);
        prov->node_added(meshrpr_prov_session_net_idx(session), uuid, addr, elems);
        meshrpr_prov_cb_exit(node, prev);
    }
}

/* Provisioning Complete over PB-Remote: the node enters the database with its device key. */
static void provisioned(struct meshrpr_prov_session *session, const uint8_t dev_key[16])
{
    struct meshrpr_node *node = meshrpr_prov_session_node(session);
    uint16_t addr = meshrpr_prov_session_addr(session);
    uint8_t elems = meshrpr_prov_session_elem_count(session);

    /* A device provisioned again (after a reset) restarts its SEQ at 0 (§3.9.8). */
    (void)meshrpr_replay_forget(node, addr, elems);
    (void)meshrpr_provisioner_pending_commit(session, dev_key);
    node_added_cb(session, addr, elems);
}

static const struct meshrpr_prov_hooks provision_hooks = {
    .node_provisioned = provisioned,
};

int bt_mesh_provision_remote(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                             const uint8_t uuid[16], uint16_t net_idx, uint16_t addr)
{
    struct meshrpr_prov_provisioner_params params = {
        .uuid = uuid,
        .net_idx = net_idx,
        .addr = addr,
        .attention_s = 0, /* nobody is near the device to watch it */
        .hooks = &provision_hooks,
    };
    struct meshrpr_node *node;

    if (cli == NULL || srv == NULL || uuid == NULL || !BT_MESH_ADDR_IS_UNICAST(srv->addr)) {
        return -EINVAL;
    }
    node = cli_node(cli);
    if (node == NULL) {
        return -EINVAL;
    }
    /* The default hook would refuse a UUID already in the database; ours has to (a pending
     * entry is an attempt that never saw Complete: the device may be provisioned again). */
    if (node->cfg.cdb != NULL) {
        const struct meshrpr_cdb_node *c = meshrpr_cdb_node_by_uuid(node->cfg.cdb, uuid);
        if (c != NULL && c->pending != MESHRPR_CDB_PENDING_PROVISION) {
            return -EEXIST;
        }
    }
    return link_start(cli, srv, false, 0, 0, &params);
}

/* ---- Re-provisioning (NPPI) ------------------------------------------------------------ */

/* Whether [addr, addr + n) overlaps another node than the target (database, this node, other
 * provisioning sessions). */
static bool nppi_range_taken(struct meshrpr_prov_session *session, uint32_t addr, uint32_t n,
                             const struct meshrpr_cdb_node *target)
{
    struct meshrpr_node *node = meshrpr_prov_session_node(session);
    const struct meshrpr_cdb *cdb = node->cfg.cdb;
    uint32_t end = addr + n;

    for (size_t i = 0; i < meshrpr_cdb_node_capacity(cdb); i++) {
        const struct meshrpr_cdb_node *c = meshrpr_cdb_node_at(cdb, i);
        uint32_t c_end = (uint32_t)c->addr + (c->num_elem ? c->num_elem : 1);
        if (c->valid && c != target && addr < c_end && c->addr < end) {
            return true;
        }
    }
    if (meshrpr_node_is_provisioned(node) && meshrpr_node_addr(node) != target->addr) {
        uint32_t own = meshrpr_node_addr(node);
        if (addr < own + meshrpr_node_elem_count(node) && own < end) {
            return true;
        }
    }
    for (size_t i = 0; i < meshrpr_prov_session_count(node); i++) {
        const struct meshrpr_prov_session *o = meshrpr_prov_session_at_const(node, i);
        uint32_t o_end = (uint32_t)o->addr + o->elem_count;
        if (o != session && o->link != NULL && o->addr != 0 && o->elem_count != 0 && addr < o_end &&
            o->addr < end) {
            return true;
        }
    }
    return false;
}

/* The address the node gets: its own for Device Key and Composition Refresh; the requested or
 * lowest free one for Node Address Refresh. The new range may overlap the node's old one: the
 * node itself refuses that (§3.11.8.3), and the database stays unchanged. */
static int nppi_addr_assign(struct meshrpr_prov_session *session, uint8_t elem_count,
                            uint16_t *addr_out)
{
    struct meshrpr_rpr_cli_link *l = session_link(session);
    struct meshrpr_node *node = meshrpr_prov_session_node(session);
    struct meshrpr_cdb *cdb = node->cfg.cdb;
    const struct meshrpr_cdb_node *target;
    uint32_t addr;

    target = cdb != NULL ? meshrpr_cdb_node_get(cdb, l->nppi_addr) : NULL;
    if (target == NULL || elem_count == 0) {
        return -ENOENT;
    }
    if (l->procedure != BT_MESH_RPR_NODE_REFRESH_ADDR) {
        addr = target->addr;
    } else {
        addr = meshrpr_prov_session_addr(session);
    }
    if (addr != 0) {
        if (addr + elem_count - 1 > 0x7fff || nppi_range_taken(session, addr, elem_count, target)) {
            return -EADDRINUSE;
        }
        *addr_out = (uint16_t)addr;
        return 0;
    }
    addr = cdb->alloc_low != 0 ? cdb->alloc_low : 1;
    while (addr + elem_count - 1 <= (cdb->alloc_high != 0 ? cdb->alloc_high : 0x7fff) &&
           addr + elem_count - 1 <= 0x7fff) {
        /* The node's own old range counts as taken here: a new address that overlaps it would
         * be refused. */
        uint32_t old_end = (uint32_t)target->addr + target->num_elem;
        if (!(addr < old_end && target->addr < addr + elem_count) &&
            !nppi_range_taken(session, addr, elem_count, target)) {
            *addr_out = (uint16_t)addr;
            return 0;
        }
        addr++;
    }
    return -ENOMEM;
}

/* Provisioning Complete through NPPI: remember the node's new identity. The server still
 * answers the Link Close with its old one (the node switches when the link closes, §3.11.8.3),
 * so the database changes when the link ends (nppi_commit()). */
static void nppi_provisioned(struct meshrpr_prov_session *session, const uint8_t dev_key[16])
{
    struct meshrpr_rpr_cli_link *l = session_link(session);

    l->nppi_done = true;
    l->nppi_new_addr = meshrpr_prov_session_addr(session);
    l->nppi_elems = meshrpr_prov_session_elem_count(session);
    l->nppi_net_idx = meshrpr_prov_session_net_idx(session);
    memcpy(l->nppi_dev_key, dev_key, 16);
}

/* Write-ahead: the node may take the new identity once our Link Close(Success) reaches it,
 * and the confirmation can be lost; the database knows both identities from here on. */
static int nppi_data_sending(struct meshrpr_prov_session *session, const uint8_t dev_key[16])
{
    struct meshrpr_rpr_cli_link *l = session_link(session);
    struct meshrpr_node *node = meshrpr_prov_session_node(session);
    struct meshrpr_cdb_node *target = meshrpr_cdb_node_get(node->cfg.cdb, l->nppi_addr);

    if (target == NULL || target->addr != l->nppi_addr) {
        return -ENOENT;
    }
    target->pending = MESHRPR_CDB_PENDING_REFRESH;
    target->pending_addr = meshrpr_prov_session_addr(session);
    target->pending_num_elem = meshrpr_prov_session_elem_count(session);
    memcpy(target->pending_dev_key, dev_key, 16);
    l->nppi_marked = true;
    return meshrpr_node_cdb_store(node);
}

static const struct meshrpr_prov_hooks nppi_hooks = {
    .addr_assign = nppi_addr_assign,
    .node_provisioned = nppi_provisioned,
    .data_sending = nppi_data_sending,
};

int bt_mesh_reprovision_remote(struct bt_mesh_rpr_cli *cli, struct bt_mesh_rpr_node *srv,
                               uint16_t addr, bool comp_change)
{
    struct meshrpr_prov_provisioner_params params = { .hooks = &nppi_hooks };
    const struct meshrpr_cdb_node *target;
    struct meshrpr_node *node;
    uint8_t procedure;

    if (cli == NULL || srv == NULL || !BT_MESH_ADDR_IS_UNICAST(srv->addr) ||
        (addr != 0 && !BT_MESH_ADDR_IS_UNICAST(addr))) {
        return -EINVAL;
    }
    node = cli_node(cli);
    if (node == NULL) {
        return -EINVAL;
    }
    if (node->cfg.cdb == NULL) {
        return -ENOTSUP;
    }
    target = meshrpr_cdb_node_get(node->cfg.cdb, srv->addr);
    if (target == NULL || target->addr != srv->addr) {
        return -ENOENT;
    }
    if (target->pending != MESHRPR_CDB_PENDING_NONE) {
        /* Which identity the node has is not known yet: meshrpr_cfg_cli_reconcile() first. */
        return -EAGAIN;
    }
    /* The procedure follows from the arguments, as documented for Zephyr. */
    if (addr != srv->addr) {
        procedure = BT_MESH_RPR_NODE_REFRESH_ADDR;
    } else if (comp_change) {
        procedure = BT_MESH_RPR_NODE_REFRESH_COMPOSITION;
    } else {
        procedure = BT_MESH_RPR_NODE_REFRESH_DEVKEY;
    }
    params.uuid = target->uuid;
    params.net_idx = target->net_idx;
    params.addr = procedure == BT_MESH_RPR_NODE_REFRESH_ADDR ? addr : srv->addr;
    return link_start(cli, srv, true, procedure, srv->addr, &params);
}

/* ---- Timeout and inspection ------------------------------------------------------------- */

int32_t meshrpr_rpr_cli_timeout_get(const struct bt_mesh_rpr_cli *cli)
{
    if (cli == NULL) {
        return MESHRPR_RPR_CLI_TIMEOUT_DEFAULT_MS;
    }
    return (cli->priv.timeout_set || cli->mod != NULL) ? cli->priv.timeout_ms
                                                       : MESHRPR_RPR_CLI_TIMEOUT_DEFAULT_MS;
}

void meshrpr_rpr_cli_timeout_set(struct bt_mesh_rpr_cli *cli, int32_t timeout_ms)
{
    if (cli == NULL) {
        return;
    }
    cli->priv.timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
    cli->priv.timeout_set = true;
}

struct bt_mesh_rpr_cli *meshrpr_rpr_cli_get(struct meshrpr_node *node)
{
    /* §4.4.6: the model lives on the primary element. */
    return meshrpr_access_primary_model_data(node, BT_MESH_MODEL_ID_REMOTE_PROV_CLI);
}

void meshrpr_rpr_cli_timeout_set_all(struct meshrpr_node *node, int32_t timeout_ms)
{
    const struct bt_mesh_comp *comp;

    if (node == NULL || node->cfg.comp == NULL) {
        return;
    }
    comp = node->cfg.comp;
    for (size_t e = 0; e < comp->elem_count; e++) {
        for (size_t i = 0; i < comp->elem[e].model_count; i++) {
            const struct bt_mesh_model *model = &comp->elem[e].models[i];
            if (model->id == BT_MESH_MODEL_ID_REMOTE_PROV_CLI && model->rt != NULL &&
                model->rt->user_data != NULL) {
                meshrpr_rpr_cli_timeout_set(model->rt->user_data, timeout_ms);
            }
        }
    }
}

size_t meshrpr_rpr_cli_link_count(const struct bt_mesh_rpr_cli *cli)
{
    size_t n = 0;

    if (cli == NULL) {
        return 0;
    }
    for (size_t i = 0; i < cli_link_count(cli); i++) {
        n += link_in_use(cli_link_at_const(cli, i)) ? 1 : 0;
    }
    return n;
}

size_t meshrpr_rpr_cli_link_capacity(const struct bt_mesh_rpr_cli *cli)
{
    return cli != NULL ? cli_link_count(cli) : 0;
}

int meshrpr_rpr_cli_links_set(struct bt_mesh_rpr_cli *cli, struct meshrpr_rpr_cli_link *links,
                              size_t count)
{
    if (cli == NULL || (links != NULL && (count == 0 || count > MESHRPR_RPR_CLI_LINKS_MAX))) {
        return -EINVAL;
    }
    for (size_t i = 0; i < cli_link_count(cli); i++) {
        /* A slot whose PDU Send is still with the lower transport gets its completion later. */
        if (link_in_use(cli_link_at_const(cli, i)) || cli_link_at_const(cli, i)->sar_pending) {
            return -EBUSY;
        }
    }
    if (links != NULL) {
        memset(links, 0, count * sizeof(links[0]));
    }
    cli->priv.link_tab = links;
    cli->priv.link_tab_count = links != NULL ? (uint16_t)count : 0;
    return 0;
}
