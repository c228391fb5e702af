/* SPDX-License-Identifier: Apache-2.0 */
/* The Remote Provisioning Client's simulated mesh (see rpr_world.h). */
#include "rpr_world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/util.h>

#include "models/rpr_msg.h"
#include "node/node_internal.h"
#include "prov/pb_adv.h"
#include "prov/prov_pdu.h"

/* The world whose provisioner and devices run the context-free bt_mesh_prov callbacks. Test
 * code only: the library itself has no such pointer. */
static struct rpr_world *rw_current;

static const uint8_t world_net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                           0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };

/* ---- Simulator glue ----------------------------------------------------------------------- */

static uint64_t ops_next_deadline_ms(void *p)
{
    struct rw_node *rn = p;
    uint64_t d = meshrpr_node_next_deadline_ms(&rn->node);

    if (rn->adv_interval_ms != 0 && rn->adv_next_ms < d) {
        d = rn->adv_next_ms;
    }
    return d;
}

static void ops_process(void *p)
{
    struct rw_node *rn = p;
    uint64_t now = meshrpr_sim_now_ms(&rn->w->sim);

    if (rn->adv_interval_ms != 0 && now >= rn->adv_next_ms) {
        (void)meshrpr_sim_adv_send_raw(&rn->w->sim, rn->sim_id, rn->adv_type, rn->adv, rn->adv_len,
                                       NULL);
        rn->adv_next_ms = now + rn->adv_interval_ms;
    }
    meshrpr_node_process(&rn->node);
}

static void ops_adv_report(void *p, const struct meshrpr_adv_report *report)
{
    struct rw_node *rn = p;

    meshrpr_node_scan_recv(&rn->node, report);
}

static void ops_adv_sent(void *p, uint32_t tx_id)
{
    struct rw_node *rn = p;

    meshrpr_node_adv_sent(&rn->node, tx_id);
}

static const struct meshrpr_sim_node_ops node_ops = {
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
    .adv_sent = ops_adv_sent,
};

uint64_t rw_now_ms(const struct rpr_world *w)
{
    return meshrpr_sim_now_ms(&w->sim);
}

/* ---- The provisioner's callbacks ---------------------------------------------------------- */

static struct rw_node *cli_owner(struct bt_mesh_rpr_cli *cli)
{
    return MESHRPR_CONTAINER_OF(cli, struct rw_node, rpr_cli);
}

static void on_scan_report(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                           struct bt_mesh_rpr_unprov *unprov, struct net_buf_simple *adv_data)
{
    struct rpr_world *w = cli_owner(cli)->w;

    if (w->scan_count < RW_MAX_SCAN_REC) {
        struct rw_scan_rec *r = &w->scans[w->scan_count++];
        memset(r, 0, sizeof(*r));
        r->cli = cli_owner(cli)->addr;
        r->srv = srv->addr;
        r->ext = adv_data != NULL;
        r->unprov = *unprov;
        r->t_ms = rw_now_ms(w);
        if (adv_data != NULL) {
            r->adv_len = adv_data->len < RW_REC_DATA ? adv_data->len : RW_REC_DATA;
            memcpy(r->adv, adv_data->data, r->adv_len);
        }
    }
    if (w->on_scan != NULL) {
        w->on_scan(w, srv, unprov);
    }
}

static void on_ext_scan_failed(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                               const uint8_t uuid[16], enum bt_mesh_rpr_status status)
{
    struct rpr_world *w = cli_owner(cli)->w;

    if (w->scan_count < RW_MAX_SCAN_REC) {
        struct rw_scan_rec *r = &w->scans[w->scan_count++];
        memset(r, 0, sizeof(*r));
        r->cli = cli_owner(cli)->addr;
        r->srv = srv->addr;
        r->ext = true;
        r->failed = true;
        r->status = (uint8_t)status;
        memcpy(r->unprov.uuid, uuid, 16);
        r->t_ms = rw_now_ms(w);
    }
}

static void on_link_changed(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                            const struct bt_mesh_rpr_link *link, int reason)
{
    struct rpr_world *w = cli_owner(cli)->w;

    if (w->link_count < RW_MAX_LINK_REC) {
        struct rw_link_rec *r = &w->links[w->link_count++];
        r->cli = cli_owner(cli)->addr;
        r->srv = srv->addr;
        r->link = *link;
        r->reason = reason;
        r->t_ms = rw_now_ms(w);
    }
}

static void prov_link_open(bt_mesh_prov_bearer_t bearer)
{
    rw_current->link_open_count++;
    rw_current->last_link_bearer = (uint8_t)bearer;
}

static void prov_link_close(bt_mesh_prov_bearer_t bearer)
{
    rw_current->link_close_count++;
    rw_current->last_link_bearer = (uint8_t)bearer;
}

static void prov_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    struct rpr_world *w = rw_current;

    if (w->added_count < RW_MAX_ADDED) {
        struct rw_added *a = &w->added[w->added_count++];
        a->net_idx = net_idx;
        memcpy(a->uuid, uuid, 16);
        a->addr = addr;
        a->elems = num_elem;
        a->t_ms = rw_now_ms(w);
    }
}

static void prov_capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    struct rpr_world *w = rw_current;

    w->caps_count++;
    w->caps_t_ms = rw_now_ms(w);
    if (w->auth_input && (cap->input_actions & BT_MESH_ENTER_NUMBER)) {
        (void)meshrpr_prov_auth_method_set_input(&rw_prov(w)->node, BT_MESH_ENTER_NUMBER, 4);
    } else {
        (void)meshrpr_prov_auth_method_set_none(&rw_prov(w)->node);
    }
}

static int prov_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    (void)act;
    rw_current->oob_number = num;
    return 0;
}

/* A device of the world asked for its OOB input: it types the number the provisioner shows. */
static int dev_input(bt_mesh_input_action_t act, uint8_t size)
{
    struct rpr_world *w = rw_current;

    (void)act;
    (void)size;
    return meshrpr_prov_input_number(&w->nodes[w->input_node].node, w->oob_number);
}

static void dev_reset(void)
{
    rw_current->dev_reset_count++;
}

static void prov_reprovisioned(uint16_t addr)
{
    rw_current->reprov_count++;
    rw_current->reprov_addr = addr;
}

/* ---- Fake server -------------------------------------------------------------------------- */

static struct rw_node *model_owner(const struct bt_mesh_model *model)
{
    return model->rt->user_data;
}

static void fake_record(struct rw_node *rn, uint32_t op, const struct bt_mesh_msg_ctx *ctx,
                        const struct net_buf_simple *buf)
{
    struct rw_fake *f = &rn->fake;

    if (f->rec_count < RW_MAX_FAKE_REC) {
        struct rw_fake_rec *r = &f->recs[f->rec_count++];
        r->op = op;
        r->src = ctx->addr;
        r->t_ms = rw_now_ms(rn->w);
        r->len = (uint16_t)(buf->len < RW_REC_DATA ? buf->len : RW_REC_DATA);
        memcpy(r->data, buf->data, r->len);
    }
}

/* An unsegmented answer to the requester. */
static void fake_reply(struct rw_node *rn, const struct bt_mesh_msg_ctx *ctx, uint32_t op,
                       const uint8_t *params, size_t len)
{
    struct bt_mesh_msg_ctx reply = *ctx;
    NET_BUF_SIMPLE_DEFINE(msg, BT_MESH_TX_SDU_MAX);

    reply.send_rel = false;
    reply.send_ttl = BT_MESH_TTL_DEFAULT;
    bt_mesh_model_msg_init(&msg, op);
    net_buf_simple_add_mem(&msg, params, len);
    (void)bt_mesh_model_send(&rn->models[1], &reply, &msg, NULL, NULL);
}

static void fake_tx_kick(struct rw_node *rn);

static void fake_dev_complete(struct rw_node *rn)
{
    struct rw_fake *f = &rn->fake;
    meshrpr_prov_send_complete_t complete = f->dcomplete;

    f->dcomplete = NULL;
    if (complete != NULL && f->dlink_up) {
        complete(0, f->dcb_data);
    }
}

static void fake_tx_end(int err, void *cb_data)
{
    struct rw_node *rn = cb_data;
    struct rw_fake *f = &rn->fake;

    (void)err;
    for (size_t i = 0; i < RW_FAKE_TXQ; i++) {
        struct rw_fake_tx *t = &f->txq[i];
        if (t->used && t->sending) {
            bool completes = t->completes_pdu;
            t->used = false;
            t->sending = false;
            if (completes) {
                fake_dev_complete(rn);
            }
            break;
        }
    }
    fake_tx_kick(rn);
}

static const struct bt_mesh_send_cb fake_tx_cb = { .end = fake_tx_end };

/* Send the oldest queued reliable message, one at a time (one segmented transfer per
 * destination). */
static void fake_tx_kick(struct rw_node *rn)
{
    struct rw_fake *f = &rn->fake;
    struct rw_fake_tx *first = NULL;
    struct bt_mesh_msg_ctx ctx = BT_MESH_MSG_CTX_INIT(f->cli_net_idx, BT_MESH_KEY_DEV_LOCAL,
                                                      f->cli_addr, BT_MESH_TTL_DEFAULT);
    NET_BUF_SIMPLE_DEFINE(msg, BT_MESH_TX_SDU_MAX);
    int err;

    for (size_t i = 0; i < RW_FAKE_TXQ; i++) {
        struct rw_fake_tx *t = &f->txq[i];
        if (t->used && t->sending) {
            return;
        }
        if (t->used && (first == NULL || t->seq < first->seq)) {
            first = t;
        }
    }
    if (first == NULL) {
        return;
    }
    ctx.send_rel = true;
    net_buf_simple_add_mem(&msg, first->data, first->len);
    err = bt_mesh_model_send(&rn->models[1], &ctx, &msg, &fake_tx_cb, rn);
    if (err == 0) {
        first->sending = true;
    } else {
        meshrpr_node_timer_start(&rn->node, &f->tx_timer, 50);
    }
}

static void fake_tx_timer(struct meshrpr_timer *timer)
{
    struct rw_fake *f = MESHRPR_CONTAINER_OF(timer, struct rw_fake, tx_timer);
    struct rw_node *rn = MESHRPR_CONTAINER_OF(f, struct rw_node, fake);

    fake_tx_kick(rn);
}

static void fake_queue(struct rw_node *rn, uint32_t op, const uint8_t *params, size_t len,
                       bool completes_pdu)
{
    struct rw_fake *f = &rn->fake;

    if (f->silenced) {
        return;
    }
    for (size_t i = 0; i < RW_FAKE_TXQ; i++) {
        struct rw_fake_tx *t = &f->txq[i];
        if (!t->used) {
            struct net_buf_simple buf;
            net_buf_simple_init_with_data(&buf, t->data, sizeof(t->data));
            net_buf_simple_reset(&buf);
            bt_mesh_model_msg_init(&buf, op);
            net_buf_simple_add_mem(&buf, params, len);
            t->used = true;
            t->sending = false;
            t->completes_pdu = completes_pdu;
            t->seq = f->tx_seq++;
            t->len = (uint16_t)buf.len;
            fake_tx_kick(rn);
            return;
        }
    }
}

static void fake_link_report(struct rw_node *rn, uint8_t status, uint8_t state, int reason)
{
    uint8_t p[3] = { status, state, (uint8_t)reason };

    fake_queue(rn, RPR_OP_LINK_REPORT, p, reason < 0 ? 2 : 3, false);
}

static void fake_outbound_report(struct rw_node *rn, uint8_t number)
{
    fake_queue(rn, RPR_OP_PDU_OUTBOUND_REPORT, &number, 1, false);
}

/* The device session's bearer: its PDUs become PDU Reports. */
static struct rw_node *dlink_owner(struct meshrpr_prov_link *link)
{
    return ((struct rw_fake_link *)(void *)link)->rn;
}

static int fake_dev_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                         meshrpr_prov_send_complete_t complete, void *cb_data)
{
    struct rw_node *rn = dlink_owner(link);
    struct rw_fake *f = &rn->fake;
    uint8_t p[1 + 66];

    if (!f->dlink_up || len > 66) {
        return -ENOTCONN;
    }
    f->dcomplete = complete;
    f->dcb_data = cb_data;
    p[0] = ++f->rx_pdu;
    memcpy(&p[1], pdu, len);
    if (f->swap_at != 0 && p[0] == f->swap_at) {
        /* Hold this report until the device's next PDU has been reported. */
        f->held_report = true;
        f->held_len = (uint8_t)(1 + len);
        memcpy(f->held, p, 1 + len);
        f->dcomplete_pending = true;
        meshrpr_node_timer_start(&rn->node, &f->dev_timer, 0);
        return 0;
    }
    fake_queue(rn, RPR_OP_PDU_REPORT, p, 1 + len, true);
    if (f->held_report) {
        f->held_report = false;
        fake_queue(rn, RPR_OP_PDU_REPORT, f->held, f->held_len, false);
    }
    if (f->dup_pdu_reports) {
        fake_queue(rn, RPR_OP_PDU_REPORT, p, 1 + len, false);
    }
    return 0;
}

static void fake_dev_close(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct rw_node *rn = dlink_owner(link);
    struct rw_fake *f = &rn->fake;

    if (!f->dlink_up || f->dclose_pending) {
        return;
    }
    /* The device gave up (its protocol timer): the server reports the link closed. */
    f->link_state = BT_MESH_RPR_LINK_IDLE;
    f->dclose_pending = true;
    f->dclose_reason = (uint8_t)reason;
    fake_link_report(rn, BT_MESH_RPR_ERR_LINK_CLOSED_BY_DEVICE, BT_MESH_RPR_LINK_IDLE, reason);
    meshrpr_node_timer_start(&rn->node, &f->dev_timer, 0);
}

static const struct meshrpr_prov_bearer_ops fake_dev_ops = {
    .type = BT_MESH_PROV_REMOTE,
    .send = fake_dev_send,
    .close = fake_dev_close,
};

static void fake_dev_timer(struct meshrpr_timer *timer)
{
    struct rw_fake *f = MESHRPR_CONTAINER_OF(timer, struct rw_fake, dev_timer);
    struct rw_node *rn = MESHRPR_CONTAINER_OF(f, struct rw_node, fake);

    if (f->dcomplete_pending) {
        f->dcomplete_pending = false;
        fake_dev_complete(rn);
    }
    if (f->dclose_pending) {
        f->dclose_pending = false;
        f->dlink_up = false;
        f->dcomplete = NULL;
        if (f->dlink.link.cb != NULL && f->dlink.link.cb->link_closed != NULL) {
            f->dlink.link.cb->link_closed(&f->dlink.link,
                                          (enum meshrpr_prov_link_status)f->dclose_reason);
        }
    }
}

/* The device accepts whatever it is given without becoming it: the fake server's node keeps
 * its own identity. */
static int fake_dev_apply(struct meshrpr_prov_session *session,
                          const struct meshrpr_prov_data *data, const uint8_t dev_key[16])
{
    (void)session;
    (void)data;
    (void)dev_key;
    return 0;
}

static const struct meshrpr_prov_hooks fake_dev_hooks = { .data_apply = fake_dev_apply };

static void fake_open_timer(struct meshrpr_timer *timer)
{
    struct rw_fake *f = MESHRPR_CONTAINER_OF(timer, struct rw_fake, open_timer);
    struct rw_node *rn = MESHRPR_CONTAINER_OF(f, struct rw_node, fake);

    if (f->link_state != BT_MESH_RPR_LINK_OPENING) {
        return;
    }
    if (f->ignore_open) {
        f->link_state = BT_MESH_RPR_LINK_IDLE;
        fake_link_report(rn, BT_MESH_RPR_ERR_LINK_OPEN_FAILED, BT_MESH_RPR_LINK_IDLE, -1);
        return;
    }
    f->link_state = BT_MESH_RPR_LINK_ACTIVE;
    fake_link_report(rn, BT_MESH_RPR_SUCCESS, BT_MESH_RPR_LINK_ACTIVE, -1);
    /* From here on the server is gone (its node still acknowledges segments). */
    f->silenced = f->silent_after_open;
    memset(&f->dlink, 0, sizeof(f->dlink));
    f->dlink.link.ops = &fake_dev_ops;
    f->dlink.rn = rn;
    f->dlink_up = true;
    f->held_report = false;
    if (meshrpr_prov_device_start_ext(&rn->node, &f->dlink.link, &fake_dev_hooks, rn) != 0) {
        f->dlink_up = false;
    }
}

static void fake_status_link(struct rw_node *rn, const struct bt_mesh_msg_ctx *ctx, uint8_t status)
{
    uint8_t p[2] = { status, rn->fake.link_state };

    fake_reply(rn, ctx, RPR_OP_LINK_STATUS, p, 2);
}

static int fake_handler(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                        struct net_buf_simple *buf, uint32_t op)
{
    struct rw_node *rn = model_owner(model);
    struct rw_fake *f = &rn->fake;
    uint8_t p[4];

    fake_record(rn, op, ctx, buf);
    if (f->mute || f->silenced) {
        return 0;
    }
    switch (op) {
    case RPR_OP_SCAN_CAPS_GET:
        p[0] = f->caps_max_devs;
        p[1] = f->caps_active ? 1 : 0;
        fake_reply(rn, ctx, RPR_OP_SCAN_CAPS_STATUS, p, 2);
        break;
    case RPR_OP_SCAN_GET:
        if (f->report_on_get) {
            uint8_t r[19] = { 0xc4 };
            memcpy(&r[1], rn->uuid, 16);
            f->cli_addr = ctx->addr;
            f->cli_net_idx = ctx->net_idx;
            fake_queue(rn, RPR_OP_SCAN_REPORT, r, sizeof(r), false);
            break;
        }
        /* fall through */
    case RPR_OP_SCAN_STOP:
        p[0] = f->scan_status;
        p[1] = BT_MESH_RPR_SCAN_IDLE;
        p[2] = 0;
        p[3] = 0;
        fake_reply(rn, ctx, RPR_OP_SCAN_STATUS, p, 4);
        break;
    case RPR_OP_SCAN_START:
        p[0] = f->scan_status;
        p[1] = buf->len == 18 ? BT_MESH_RPR_SCAN_SINGLE : BT_MESH_RPR_SCAN_MULTI;
        p[2] = buf->len >= 1 && buf->data[0] != 0 ? buf->data[0] : f->caps_max_devs;
        p[3] = buf->len >= 2 ? buf->data[1] : 0;
        fake_reply(rn, ctx, RPR_OP_SCAN_STATUS, p, 4);
        break;
    case RPR_OP_LINK_GET:
        fake_status_link(rn, ctx, BT_MESH_RPR_SUCCESS);
        break;
    case RPR_OP_LINK_OPEN:
        if (f->link_state != BT_MESH_RPR_LINK_IDLE) {
            fake_status_link(rn, ctx,
                             ctx->addr == f->cli_addr ? BT_MESH_RPR_SUCCESS
                                                      : BT_MESH_RPR_ERR_LINK_CANNOT_OPEN);
            break;
        }
        if (f->open_status != BT_MESH_RPR_SUCCESS) {
            fake_status_link(rn, ctx, f->open_status);
            break;
        }
        f->cli_addr = ctx->addr;
        f->cli_net_idx = ctx->net_idx;
        f->tx_pdu = 0;
        f->rx_pdu = 0;
        f->link_state = BT_MESH_RPR_LINK_OPENING;
        fake_status_link(rn, ctx, BT_MESH_RPR_SUCCESS);
        meshrpr_node_timer_start(&rn->node, &f->open_timer, f->ignore_open ? 10000 : 100);
        break;
    case RPR_OP_LINK_CLOSE:
        if (f->link_state == BT_MESH_RPR_LINK_IDLE) {
            fake_status_link(rn, ctx, BT_MESH_RPR_SUCCESS);
            break;
        }
        f->link_state = BT_MESH_RPR_LINK_CLOSING;
        fake_status_link(rn, ctx, BT_MESH_RPR_SUCCESS);
        f->link_state = BT_MESH_RPR_LINK_IDLE;
        meshrpr_node_timer_cancel(&rn->node, &f->open_timer);
        if (f->dlink_up && !f->dclose_pending) {
            f->dclose_pending = true;
            f->dclose_reason = buf->len == 1 && buf->data[0] == 0 ? MESHRPR_PROV_LINK_SUCCESS
                                                                  : MESHRPR_PROV_LINK_FAIL;
            meshrpr_node_timer_start(&rn->node, &f->dev_timer, 0);
        }
        if (!f->no_link_report_close) {
            fake_link_report(rn, BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT, BT_MESH_RPR_LINK_IDLE, -1);
        }
        break;
    case RPR_OP_PDU_SEND: {
        uint8_t n;

        f->pdu_send_count++;
        if (f->link_state != BT_MESH_RPR_LINK_ACTIVE || buf->len < 2 || f->silent_after_open) {
            break;
        }
        n = buf->data[0];
        if (f->silent_from != 0 && n >= f->silent_from) {
            break;
        }
        if (n != (uint8_t)(f->tx_pdu + 1)) {
            if (f->tx_pdu != 0) {
                fake_outbound_report(rn, f->tx_pdu);
            }
            break;
        }
        f->tx_pdu = n;
        if (f->skip_outbound == n) {
            f->skip_outbound = 0;
        } else {
            fake_outbound_report(rn, n);
        }
        if (f->device_out_of_order && buf->data[1] == MESHRPR_PROV_INVITE) {
            uint8_t q[1 + 65] = { 0 };
            q[0] = ++f->rx_pdu;
            q[1] = MESHRPR_PROV_PUB_KEY;
            memset(&q[2], 0x11, 64);
            fake_queue(rn, RPR_OP_PDU_REPORT, q, sizeof(q), false);
            break;
        }
        if (f->dlink_up && f->dlink.link.cb != NULL && f->dlink.link.cb->recv != NULL) {
            f->dlink.link.cb->recv(&f->dlink.link, &buf->data[1], buf->len - 1);
        }
        break;
    }
    default:
        break;
    }
    return 0;
}

#define FAKE_HANDLER(name, opcode)                                                                 \
    static int name(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,                \
                    struct net_buf_simple *buf)                                                    \
    {                                                                                              \
        return fake_handler(model, ctx, buf, opcode);                                              \
    }
FAKE_HANDLER(fake_scan_caps_get, RPR_OP_SCAN_CAPS_GET)
FAKE_HANDLER(fake_scan_get, RPR_OP_SCAN_GET)
FAKE_HANDLER(fake_scan_start, RPR_OP_SCAN_START)
FAKE_HANDLER(fake_scan_stop, RPR_OP_SCAN_STOP)
FAKE_HANDLER(fake_ext_scan_start, RPR_OP_EXTENDED_SCAN_START)
FAKE_HANDLER(fake_link_get, RPR_OP_LINK_GET)
FAKE_HANDLER(fake_link_open, RPR_OP_LINK_OPEN)
FAKE_HANDLER(fake_link_close, RPR_OP_LINK_CLOSE)
FAKE_HANDLER(fake_pdu_send, RPR_OP_PDU_SEND)

static const struct bt_mesh_model_op fake_ops[] = {
    { RPR_OP_SCAN_CAPS_GET, BT_MESH_LEN_MIN(0), fake_scan_caps_get },
    { RPR_OP_SCAN_GET, BT_MESH_LEN_MIN(0), fake_scan_get },
    { RPR_OP_SCAN_START, BT_MESH_LEN_MIN(0), fake_scan_start },
    { RPR_OP_SCAN_STOP, BT_MESH_LEN_MIN(0), fake_scan_stop },
    { RPR_OP_EXTENDED_SCAN_START, BT_MESH_LEN_MIN(0), fake_ext_scan_start },
    { RPR_OP_LINK_GET, BT_MESH_LEN_MIN(0), fake_link_get },
    { RPR_OP_LINK_OPEN, BT_MESH_LEN_MIN(0), fake_link_open },
    { RPR_OP_LINK_CLOSE, BT_MESH_LEN_MIN(0), fake_link_close },
    { RPR_OP_PDU_SEND, BT_MESH_LEN_MIN(0), fake_pdu_send },
    BT_MESH_MODEL_OP_END,
};

static int fake_init(const struct bt_mesh_model *model)
{
    struct rw_node *rn = model_owner(model);

    meshrpr_timer_init(&rn->fake.open_timer, fake_open_timer);
    meshrpr_timer_init(&rn->fake.dev_timer, fake_dev_timer);
    meshrpr_timer_init(&rn->fake.tx_timer, fake_tx_timer);
    return meshrpr_model_key_bind(model, BT_MESH_KEY_DEV_ANY);
}

static const struct bt_mesh_model_cb fake_cb = { .init = fake_init };

const struct rw_fake_rec *rw_fake_find(const struct rpr_world *w, int i, uint32_t op, size_t nth)
{
    const struct rw_fake *f = &w->nodes[i].fake;

    for (size_t k = 0; k < f->rec_count; k++) {
        if (f->recs[k].op == op && nth-- == 0) {
            return &f->recs[k];
        }
    }
    return NULL;
}

size_t rw_fake_count(const struct rpr_world *w, int i, uint32_t op)
{
    const struct rw_fake *f = &w->nodes[i].fake;
    size_t n = 0;

    for (size_t k = 0; k < f->rec_count; k++) {
        n += f->recs[k].op == op ? 1 : 0;
    }
    return n;
}

int rw_fake_send(struct rpr_world *w, int i, uint32_t op, const uint8_t *params, size_t len,
                 bool rel)
{
    struct rw_node *rn = &w->nodes[i];
    struct bt_mesh_msg_ctx ctx =
        BT_MESH_MSG_CTX_INIT(RW_NET_IDX, BT_MESH_KEY_DEV_LOCAL, RW_PROV_ADDR, BT_MESH_TTL_DEFAULT);
    NET_BUF_SIMPLE_DEFINE(msg, BT_MESH_TX_SDU_MAX);

    if (rel) {
        /* Through the queue: one segmented transfer to the provisioner at a time. */
        if (rn->fake.link_state == BT_MESH_RPR_LINK_IDLE) {
            rn->fake.cli_addr = RW_PROV_ADDR;
            rn->fake.cli_net_idx = RW_NET_IDX;
        }
        fake_queue(rn, op, params, len, false);
        return 0;
    }
    bt_mesh_model_msg_init(&msg, op);
    net_buf_simple_add_mem(&msg, params, len);
    return bt_mesh_model_send(&rn->models[1], &ctx, &msg, NULL, NULL);
}

/* ---- Scripted PB-ADV device ------------------------------------------------------------- */

#define SCRIPT_TN         0x80 /* the device's first Transaction Number (§5.3.1) */
#define SCRIPT_RETRANSMIT 500

static const struct meshrpr_adv_params script_params = { .count = 3, .interval_ms = 20 };

static void script_send(struct rw_script *sc, uint8_t tn, const uint8_t *gp, size_t gp_len)
{
    uint8_t buf[MESHRPR_PB_ADV_PDU_OVERHEAD + MESHRPR_PB_ADV_GP_MTU];

    buf[0] = (uint8_t)(sc->link_id >> 24);
    buf[1] = (uint8_t)(sc->link_id >> 16);
    buf[2] = (uint8_t)(sc->link_id >> 8);
    buf[3] = (uint8_t)sc->link_id;
    buf[4] = tn;
    memcpy(&buf[MESHRPR_PB_ADV_PDU_OVERHEAD], gp, gp_len);
    (void)meshrpr_sim_adv_send(&sc->w->sim, sc->sim_id, MESHRPR_PB_ADV_AD_TYPE, buf,
                               MESHRPR_PB_ADV_PDU_OVERHEAD + gp_len, &script_params);
}

static void script_send_answer(struct rw_script *sc)
{
    uint8_t out[MESHRPR_PB_ADV_GP_MTU];
    const uint8_t seg_n = meshrpr_pb_adv_seg_n(sc->answer_len);

    for (uint8_t seg = 0; seg <= seg_n; seg++) {
        int len = meshrpr_pb_adv_segment(sc->answer, sc->answer_len, seg, out);
        if (len > 0) {
            script_send(sc, SCRIPT_TN, out, (size_t)len);
        }
    }
    sc->tx_next_ms = meshrpr_sim_now_ms(&sc->w->sim) + SCRIPT_RETRANSMIT;
}

static void script_adv_recv(void *p, uint8_t ad_type, const uint8_t *data, size_t len, int8_t rssi)
{
    struct rw_script *sc = p;
    struct meshrpr_pb_adv_gp gp;
    uint32_t link_id;
    uint8_t tn;

    (void)rssi;
    if (ad_type != MESHRPR_PB_ADV_AD_TYPE || len <= MESHRPR_PB_ADV_PDU_OVERHEAD ||
        meshrpr_pb_adv_gp_decode(&data[5], len - 5, &gp) != 0) {
        return;
    }
    link_id = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
    tn = data[4];
    if (gp.gpcf == MESHRPR_PB_ADV_GPCF_CTL) {
        if (gp.opcode == MESHRPR_PB_ADV_LINK_OPEN && memcmp(gp.uuid, sc->uuid, 16) == 0) {
            sc->link_open_rx++;
            if (sc->ignore_open || (sc->open && link_id != sc->link_id)) {
                return;
            }
            if (!sc->open) {
                sc->open = true;
                sc->link_id = link_id;
                sc->rx_any = false;
            }
            const uint8_t ack = (MESHRPR_PB_ADV_LINK_ACK << 2) | MESHRPR_PB_ADV_GPCF_CTL;
            script_send(sc, 0, &ack, 1);
        } else if (gp.opcode == MESHRPR_PB_ADV_LINK_CLOSE && sc->open && link_id == sc->link_id) {
            sc->link_close_rx++;
            sc->open = false;
            sc->tx_busy = false;
        }
        return;
    }
    if (!sc->open || link_id != sc->link_id) {
        return;
    }
    if (gp.gpcf == MESHRPR_PB_ADV_GPCF_ACK) {
        if (tn == SCRIPT_TN) {
            sc->tx_busy = false;
        }
        return;
    }
    if (gp.gpcf == MESHRPR_PB_ADV_GPCF_START) {
        /* Single-segment PDUs only (the Invite): acknowledge, answer the first one. */
        const uint8_t ack = MESHRPR_PB_ADV_GPCF_ACK;
        script_send(sc, tn, &ack, 1);
        if (sc->rx_any && tn == sc->rx_last) {
            return;
        }
        sc->rx_any = true;
        sc->rx_last = tn;
        sc->pdus_rx++;
        if (sc->pdus_rx == 1 && sc->answer_len > 0) {
            sc->tx_busy = true;
            script_send_answer(sc);
        }
    }
}

static uint64_t script_next_deadline(void *p)
{
    const struct rw_script *sc = p;

    return sc->open && sc->tx_busy ? sc->tx_next_ms : UINT64_MAX;
}

static void script_process(void *p)
{
    struct rw_script *sc = p;

    if (sc->open && sc->tx_busy && meshrpr_sim_now_ms(&sc->w->sim) >= sc->tx_next_ms) {
        script_send_answer(sc);
    }
}

static const struct meshrpr_sim_node_ops script_ops = {
    .adv_recv = script_adv_recv,
    .next_deadline_ms = script_next_deadline,
    .process = script_process,
};

int rw_add_script(struct rpr_world *w, const uint8_t uuid[16])
{
    int i = w->script_count;
    struct rw_script *sc = &w->scripts[i];

    if (i >= RW_MAX_SCRIPT) {
        return -ENOMEM;
    }
    memset(sc, 0, sizeof(*sc));
    sc->w = w;
    memcpy(sc->uuid, uuid, 16);
    sc->sim_id = meshrpr_sim_node_add(&w->sim, i == 0 ? "script0" : "script1", &script_ops, sc);
    w->script_count++;
    return i;
}

void rw_link_script(struct rpr_world *w, int node, int script, double loss)
{
    (void)meshrpr_sim_link_set(&w->sim, w->nodes[node].sim_id, w->scripts[script].sim_id, loss);
}

/* ---- Nodes -------------------------------------------------------------------------------- */

static void model_set(struct rw_node *rn, size_t i, uint16_t id, const struct bt_mesh_model_op *op,
                      const struct bt_mesh_model_cb *cb, void *user_data)
{
    memset(&rn->models[i], 0, sizeof(rn->models[i]));
    memset(&rn->rt[i], 0, sizeof(rn->rt[i]));
    rn->models[i].id = id;
    rn->models[i].rt = &rn->rt[i];
    rn->models[i].op = op;
    rn->models[i].cb = cb;
    rn->rt[i].user_data = user_data;
}

static struct rw_node *node_new(struct rpr_world *w, enum rw_kind kind, const char *prefix,
                                uint16_t addr)
{
    int i = w->count;
    struct rw_node *rn;
    size_t models = 1;

    if (i >= RW_MAX_NODES) {
        return NULL;
    }
    rn = &w->nodes[i];
    memset(rn, 0, sizeof(*rn));
    rn->w = w;
    rn->kind = kind;
    rn->index = i;
    rn->addr = addr;
    snprintf(rn->name, sizeof(rn->name), "%s%d", prefix, i);
    rn->sim_id = meshrpr_sim_node_add(&w->sim, rn->name, &node_ops, rn);
    for (size_t k = 0; k < 16; k++) {
        rn->dev_key[k] = (uint8_t)(0x30 + i * 7 + k);
        rn->uuid[k] = (uint8_t)(0xa0 + i + k * 11);
    }

    model_set(rn, 0, BT_MESH_MODEL_ID_CFG_SRV, bt_mesh_cfg_srv_op, &bt_mesh_cfg_srv_cb,
              &rn->cfg_srv);
    switch (kind) {
    case RW_PROVISIONER:
        model_set(rn, 1, BT_MESH_MODEL_ID_CFG_CLI, bt_mesh_cfg_cli_op, &bt_mesh_cfg_cli_cb,
                  &rn->cfg_cli);
        rn->rpr_cli.scan_report = on_scan_report;
        rn->rpr_cli.ext_scan_failed = on_ext_scan_failed;
        rn->rpr_cli.link_changed = on_link_changed;
        model_set(rn, 2, BT_MESH_MODEL_ID_REMOTE_PROV_CLI, _bt_mesh_rpr_cli_op,
                  &_bt_mesh_rpr_cli_cb, (i == 0 && w->cli != NULL) ? w->cli : &rn->rpr_cli);
        models = 3;
        if (i == 0 && w->prov_has_srv) {
            model_set(rn, 3, BT_MESH_MODEL_ID_REMOTE_PROV_SRV, _bt_mesh_rpr_srv_op,
                      &_bt_mesh_rpr_srv_cb, &rn->rpr_srv);
            models = 4;
            rn->prov.uuid = rn->uuid;
            rn->prov.reprovisioned = prov_reprovisioned;
        }
        if (i != 0) {
            /* Another client: no database of its own, the world's keys. */
            rn->cfg.dev_key_get = meshrpr_cdb_dev_key_get;
            rn->cfg.dev_key_ctx = &w->cdb;
            break;
        }
        rn->prov.link_open = prov_link_open;
        rn->prov.link_close = prov_link_close;
        rn->prov.node_added = prov_node_added;
        rn->prov.capabilities = prov_capabilities;
        rn->prov.output_number = prov_output_number;
        rn->cfg.prov = &rn->prov;
        rn->cfg.cdb = &w->cdb;
        rn->cfg.dev_key_get = meshrpr_cdb_dev_key_get;
        rn->cfg.dev_key_ctx = &w->cdb;
        break;
    case RW_SERVER:
        model_set(rn, 1, BT_MESH_MODEL_ID_REMOTE_PROV_SRV, _bt_mesh_rpr_srv_op,
                  &_bt_mesh_rpr_srv_cb, &rn->rpr_srv);
        models = 2;
        break;
    case RW_FAKE_SERVER:
        model_set(rn, 1, BT_MESH_MODEL_ID_REMOTE_PROV_SRV, fake_ops, &fake_cb, rn);
        models = 2;
        rn->fake.caps_max_devs = 4;
        rn->fake.caps_active = true;
        rn->prov.uuid = rn->uuid;
        rn->cfg.prov = &rn->prov;
        break;
    case RW_DEVICE:
        rn->prov.uuid = rn->uuid;
        rn->prov.reset = dev_reset;
        rn->prov.input = dev_input;
        rn->cfg.prov = &rn->prov;
        break;
    default:
        break;
    }
    rn->elem.loc = 0x0001;
    rn->elem.model_count = (uint8_t)models;
    rn->elem.models = rn->models;
    rn->comp.cid = 0xffff;
    rn->comp.pid = (uint16_t)kind;
    rn->comp.elem_count = 1;
    rn->comp.elem = &rn->elem;
    rn->cfg.platform = meshrpr_sim_node_platform(&w->sim, rn->sim_id);
    rn->cfg.comp = &rn->comp;
    /* Relays relay; servers can, when a test turns it on (rw_relay()). */
    rn->cfg.features = (kind == RW_RELAY || kind == RW_SERVER) ? BT_MESH_FEAT_RELAY : 0;
    rn->cfg.name = rn->name;
    w->count++;
    return rn;
}

/* Provision a node locally and record it in the provisioner's database. */
static int node_join(struct rpr_world *w, struct rw_node *rn)
{
    struct meshrpr_cdb_node *entry;

    if (meshrpr_node_init(&rn->node, &rn->cfg) != 0 ||
        meshrpr_node_provision(&rn->node, w->net_key, RW_NET_IDX, 0, 0, rn->addr, rn->dev_key) !=
            0) {
        return -EINVAL;
    }
    entry = meshrpr_cdb_node_alloc(&w->cdb, rn->uuid, rn->addr, 1, RW_NET_IDX);
    if (entry == NULL) {
        return -ENOMEM;
    }
    memcpy(entry->dev_key, rn->dev_key, 16);
    entry->configured = true;
    return rn->index;
}

struct rpr_world *rw_new(uint64_t seed)
{
    return rw_new_with_cli(seed, NULL);
}

static struct rpr_world *world_new_ext(uint64_t seed, struct bt_mesh_rpr_cli *cli,
                                       bool prov_has_srv, size_t links)
{
    struct rpr_world *w = calloc(1, sizeof(*w));
    static const uint8_t mesh_uuid[16] = { 0x6d, 0x65, 0x73, 0x68, 0x72, 0x70, 0x72, 0x2d,
                                           0x77, 0x6f, 0x72, 0x6c, 0x64, 0x00, 0x00, 0x01 };
    struct rw_node *p;

    if (w == NULL) {
        return NULL;
    }
    rw_current = w;
    w->cli = cli;
    w->prov_has_srv = prov_has_srv;
    if (links == 0) {
        meshrpr_sim_init(&w->sim, seed);
    } else if (links > RW_MAX_LINKS ||
               meshrpr_sim_init_nodes(&w->sim, seed, w->sim_nodes, RW_MAX_NODES) != 0) {
        free(w);
        return NULL;
    }
    memcpy(w->net_key, world_net_key, 16);
    meshrpr_cdb_init(&w->cdb, mesh_uuid, "rpr world");
    if (links != 0 && meshrpr_cdb_nodes_set(&w->cdb, w->cdb_nodes, RW_BIG_CDB) != 0) {
        free(w);
        return NULL;
    }
    (void)meshrpr_cdb_subnet_add(&w->cdb, RW_NET_IDX, w->net_key);
    w->sized_links = links;
    p = node_new(w, RW_PROVISIONER, "prov", RW_PROV_ADDR);
    if (p != NULL && links != 0) {
        w->prov_cap.rpl = w->prov_rpl;
        w->prov_cap.rpl_size = RW_BIG_RPL;
        w->prov_cap.msg_cache = w->prov_msg_cache;
        w->prov_cap.msg_cache_size = RW_BIG_MSG_CACHE;
        w->prov_cap.prov_sessions = w->prov_sessions;
        w->prov_cap.prov_session_count = links;
        w->prov_cap.sar_tx = w->prov_sar_tx;
        w->prov_cap.sar_tx_count = links + 4;
        w->prov_cap.sar_rx = w->prov_sar_rx;
        w->prov_cap.sar_rx_count = links + 8;
        p->cfg.capacity = &w->prov_cap;
        if (meshrpr_rpr_cli_links_set(rw_cli(w), w->cli_links, links) != 0) {
            free(w);
            return NULL;
        }
    }
    if (p == NULL || node_join(w, p) < 0) {
        free(w);
        return NULL;
    }
    if (prov_has_srv) {
        if (meshrpr_prov_enable(&p->node, BT_MESH_PROV_REMOTE) != 0) {
            rw_free(w);
            return NULL;
        }
        p->nppi = true;
    }
    return w;
}

static struct rpr_world *world_new(uint64_t seed, struct bt_mesh_rpr_cli *cli, bool prov_has_srv)
{
    return world_new_ext(seed, cli, prov_has_srv, 0);
}

struct rpr_world *rw_new_with_cli(uint64_t seed, struct bt_mesh_rpr_cli *cli)
{
    return world_new(seed, cli, false);
}

struct rpr_world *rw_new_sized(uint64_t seed, size_t links)
{
    return world_new_ext(seed, NULL, false, links);
}

struct rpr_world *rw_new_self_server(uint64_t seed)
{
    return world_new(seed, NULL, true);
}

void rw_free(struct rpr_world *w)
{
    for (int i = 0; i < w->count; i++) {
        meshrpr_node_deinit(&w->nodes[i].node);
    }
    (void)meshrpr_sim_pcap_close(&w->sim);
    if (rw_current == w) {
        rw_current = NULL;
    }
    free(w);
}

struct rw_node *rw_prov(struct rpr_world *w)
{
    return &w->nodes[0];
}

struct bt_mesh_rpr_cli *rw_cli(struct rpr_world *w)
{
    return w->cli != NULL ? w->cli : &w->nodes[0].rpr_cli;
}

int rw_add_client(struct rpr_world *w, uint16_t addr)
{
    struct rw_node *rn = node_new(w, RW_PROVISIONER, "cli", addr);

    return rn == NULL ? -ENOMEM : node_join(w, rn);
}

int rw_add_server(struct rpr_world *w, uint16_t addr)
{
    struct rw_node *rn = node_new(w, RW_SERVER, "srv", addr);
    int i;

    if (rn == NULL) {
        return -ENOMEM;
    }
    i = node_join(w, rn);
    if (i >= 0) {
        meshrpr_node_relay_set(&rn->node, false, BT_MESH_TRANSMIT(2, 20));
    }
    return i;
}

int rw_add_nppi_server(struct rpr_world *w, uint16_t addr, const struct meshrpr_storage *storage)
{
    struct rw_node *rn = node_new(w, RW_SERVER, "srv", addr);
    int i;

    if (rn == NULL) {
        return -ENOMEM;
    }
    rn->prov.uuid = rn->uuid;
    rn->prov.reprovisioned = prov_reprovisioned;
    rn->cfg.prov = &rn->prov;
    rn->cfg.storage = storage;
    i = node_join(w, rn);
    if (i < 0) {
        return i;
    }
    meshrpr_node_relay_set(&rn->node, false, BT_MESH_TRANSMIT(2, 20));
    if (meshrpr_prov_enable(&rn->node, BT_MESH_PROV_REMOTE) != 0) {
        return -EINVAL;
    }
    rn->nppi = true;
    return i;
}

int rw_restart(struct rpr_world *w, int i)
{
    struct rw_node *rn = &w->nodes[i];
    int err;

    meshrpr_node_deinit(&rn->node);
    err = meshrpr_node_init(&rn->node, &rn->cfg);
    if (err == 0 && rn->nppi) {
        err = meshrpr_prov_enable(&rn->node, BT_MESH_PROV_REMOTE);
    }
    return err;
}

void rw_relay(struct rpr_world *w, int i, bool enabled)
{
    meshrpr_node_relay_set(&w->nodes[i].node, enabled, BT_MESH_TRANSMIT(2, 20));
}

int rw_add_relay(struct rpr_world *w, uint16_t addr)
{
    struct rw_node *rn = node_new(w, RW_RELAY, "relay", addr);
    int i;

    if (rn == NULL) {
        return -ENOMEM;
    }
    i = node_join(w, rn);
    if (i >= 0) {
        meshrpr_node_relay_set(&rn->node, true, BT_MESH_TRANSMIT(2, 20));
    }
    return i;
}

int rw_add_fake(struct rpr_world *w, uint16_t addr, const uint8_t dev_uuid[16])
{
    struct rw_node *rn = node_new(w, RW_FAKE_SERVER, "fake", addr);
    struct meshrpr_cdb_node *entry;

    if (rn == NULL) {
        return -ENOMEM;
    }
    /* The node's own UUID is the embedded device's; the database knows the node by another. */
    if (meshrpr_node_init(&rn->node, &rn->cfg) != 0 ||
        meshrpr_node_provision(&rn->node, w->net_key, RW_NET_IDX, 0, 0, rn->addr, rn->dev_key) !=
            0) {
        return -EINVAL;
    }
    memcpy(rn->uuid, dev_uuid, 16);
    {
        uint8_t db_uuid[16];
        for (size_t k = 0; k < 16; k++) {
            db_uuid[k] = (uint8_t)(0x5a + rn->index + k);
        }
        entry = meshrpr_cdb_node_alloc(&w->cdb, db_uuid, rn->addr, 1, RW_NET_IDX);
    }
    if (entry == NULL) {
        return -ENOMEM;
    }
    memcpy(entry->dev_key, rn->dev_key, 16);
    return rn->index;
}

int rw_add_device(struct rpr_world *w, const uint8_t uuid[16], uint16_t oob, const char *uri)
{
    struct rw_node *rn = node_new(w, RW_DEVICE, "dev", 0);

    if (rn == NULL) {
        return -ENOMEM;
    }
    memcpy(rn->uuid, uuid, 16);
    rn->prov.oob_info = (bt_mesh_prov_oob_info_t)oob;
    if (uri != NULL) {
        strncpy(rn->uri, uri, sizeof(rn->uri) - 1);
        rn->prov.uri = rn->uri;
    }
    if (meshrpr_node_init(&rn->node, &rn->cfg) != 0 ||
        meshrpr_prov_enable(&rn->node, BT_MESH_PROV_ADV) != 0) {
        return -EINVAL;
    }
    return rn->index;
}

void rw_device_adv(struct rpr_world *w, int d, uint8_t adv_type, const uint8_t *adv, size_t adv_len,
                   const uint8_t *rsp, size_t rsp_len, uint32_t interval_ms)
{
    struct rw_node *rn = &w->nodes[d];

    memcpy(rn->adv, adv, adv_len);
    rn->adv_len = (uint8_t)adv_len;
    rn->adv_type = adv_type;
    rn->adv_interval_ms = interval_ms;
    rn->adv_next_ms = rw_now_ms(w) + 37;
    (void)meshrpr_sim_node_set_scan_rsp(&w->sim, rn->sim_id, rsp, rsp_len);
}

void rw_input_oob(struct rpr_world *w, int i)
{
    struct rw_node *rn = &w->nodes[i];

    rn->prov.input_actions = BT_MESH_ENTER_NUMBER;
    rn->prov.input_size = 4;
    rn->prov.input = dev_input;
    w->auth_input = true;
    w->input_node = i;
}

void rw_link(struct rpr_world *w, int a, int b, double loss)
{
    (void)meshrpr_sim_link_set(&w->sim, w->nodes[a].sim_id, w->nodes[b].sim_id, loss);
}

struct bt_mesh_rpr_node rw_srv(const struct rpr_world *w, int i)
{
    struct bt_mesh_rpr_node srv = {
        .addr = w->nodes[i].addr,
        .net_idx = RW_NET_IDX,
        .ttl = BT_MESH_TTL_DEFAULT,
    };

    return srv;
}

/* ---- Running ------------------------------------------------------------------------------ */

void rw_run(struct rpr_world *w, uint64_t ms)
{
    (void)meshrpr_sim_run_until(&w->sim, rw_now_ms(w) + ms);
}

struct pred_arg {
    struct rpr_world *w;
    bool (*pred)(struct rpr_world *w, void *arg);
    void *arg;
};

static bool pred_thunk(void *p)
{
    struct pred_arg *a = p;

    return a->pred(a->w, a->arg);
}

bool rw_run_until(struct rpr_world *w, bool (*pred)(struct rpr_world *w, void *arg), void *arg,
                  uint64_t max_ms)
{
    struct pred_arg a = { .w = w, .pred = pred, .arg = arg };

    (void)meshrpr_sim_run_until_done(&w->sim, pred_thunk, &a, rw_now_ms(w) + max_ms);
    return pred(w, arg);
}

bool rw_idle(struct rpr_world *w)
{
    bool idle = true;

    for (int i = 0; i < w->count; i++) {
        struct rw_node *rn = &w->nodes[i];
        if (rn->kind == RW_DEVICE && !meshrpr_node_is_provisioned(&rn->node)) {
            (void)meshrpr_prov_disable(&rn->node, BT_MESH_PROV_ADV);
        }
        rn->adv_interval_ms = 0;
        if (!meshrpr_node_is_idle(&rn->node)) {
            idle = false;
        }
    }
    return idle && meshrpr_rpr_cli_link_count(rw_cli(w)) == 0;
}

bool rw_settle(struct rpr_world *w, uint64_t max_ms)
{
    for (uint64_t t = 0; t <= max_ms; t += 500) {
        if (rw_idle(w)) {
            return true;
        }
        rw_run(w, 500);
    }
    return rw_idle(w);
}

unsigned rw_added_count(const struct rpr_world *w, const uint8_t uuid[16])
{
    unsigned n = 0;

    for (size_t i = 0; i < w->added_count; i++) {
        n += memcmp(w->added[i].uuid, uuid, 16) == 0 ? 1 : 0;
    }
    return n;
}

uint64_t rw_packets(const struct rpr_world *w)
{
    uint64_t n = 0;

    for (int i = 0; i < w->count; i++) {
        const struct meshrpr_sim_node_stats *st =
            meshrpr_sim_node_stats(&w->sim, w->nodes[i].sim_id);
        n += st != NULL ? st->tx + st->scan_rsp_tx : 0;
    }
    return n;
}
