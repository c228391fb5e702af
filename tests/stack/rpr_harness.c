/* SPDX-License-Identifier: Apache-2.0 */
/* The Remote Provisioning Server test harness (see rpr_harness.h). */
#include "rpr_harness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/cfg_srv.h>
#include <meshrpr/util.h>

#include "models/rpr_msg.h"
#include "prov/pb_adv.h"

/* Compositions with per-instance state come from compound literals, which must be at file
 * scope to outlive the call. */
static struct bt_mesh_model srv_models[RH_MAX_SRV][2] = {
    { BT_MESH_MODEL_CFG_SRV, BT_MESH_MODEL_RPR_SRV },
    { BT_MESH_MODEL_CFG_SRV, BT_MESH_MODEL_RPR_SRV },
};
static struct bt_mesh_model dev_models[RH_MAX_DEV][1] = {
    { BT_MESH_MODEL_CFG_SRV }, { BT_MESH_MODEL_CFG_SRV }, { BT_MESH_MODEL_CFG_SRV },
    { BT_MESH_MODEL_CFG_SRV }, { BT_MESH_MODEL_CFG_SRV }, { BT_MESH_MODEL_CFG_SRV },
};

/* ---- Node glue -------------------------------------------------------------------------- */

static uint64_t ops_next_deadline_ms(void *n)
{
    return meshrpr_node_next_deadline_ms(n);
}

static void ops_process(void *n)
{
    meshrpr_node_process(n);
}

static void ops_adv_report(void *n, const struct meshrpr_adv_report *report)
{
    meshrpr_node_scan_recv(n, report);
}

static void ops_adv_sent(void *n, uint32_t tx_id)
{
    meshrpr_node_adv_sent(n, tx_id);
}

static const struct meshrpr_sim_node_ops node_ops = {
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
    .adv_sent = ops_adv_sent,
};

static void srv_dev_key(int s, uint8_t key[16])
{
    for (int k = 0; k < 16; k++) {
        key[k] = (uint8_t)(0x50 + s * 16 + k);
    }
}

/* The clients' database of device keys: the servers'. */
static int dev_key_get(void *ctx, uint16_t addr, uint8_t dev_key[16])
{
    struct rh *h = ctx;

    for (int s = 0; s < h->srv_count; s++) {
        if (meshrpr_node_addr(&h->srv[s].node) == addr) {
            memcpy(dev_key, h->srv[s].dev_key, 16);
            return 0;
        }
    }
    return -ENOENT;
}

/* ---- Client test model -------------------------------------------------------------------- */

static void bearer_on_msg(struct rh_cli *cli, uint32_t op, const uint8_t *data, size_t len);

static int cli_recv(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                    struct net_buf_simple *buf, uint32_t op)
{
    struct rh_cli *cli = model->rt->user_data;

    if (cli->rec_count < RH_REC_MAX) {
        struct rh_rec *r = &cli->recs[cli->rec_count++];
        r->op = op;
        r->src = ctx->addr;
        r->net_idx = ctx->net_idx;
        r->t_ms = meshrpr_sim_now_ms(&cli->h->sim);
        r->len = buf->len > RH_REC_DATA ? RH_REC_DATA : buf->len;
        memcpy(r->data, buf->data, r->len);
    }
    if (cli->bearer != NULL && ctx->addr == RH_SRV_ADDR(cli->bearer->s)) {
        bearer_on_msg(cli, op, buf->data, buf->len);
    }
    return 0;
}

#define CLI_HANDLER(name, opcode)                                                                  \
    static int name(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,                \
                    struct net_buf_simple *buf)                                                    \
    {                                                                                              \
        return cli_recv(model, ctx, buf, opcode);                                                  \
    }
CLI_HANDLER(cli_scan_caps_status, RPR_OP_SCAN_CAPS_STATUS)
CLI_HANDLER(cli_scan_status, RPR_OP_SCAN_STATUS)
CLI_HANDLER(cli_scan_report, RPR_OP_SCAN_REPORT)
CLI_HANDLER(cli_ext_scan_report, RPR_OP_EXTENDED_SCAN_REPORT)
CLI_HANDLER(cli_link_status, RPR_OP_LINK_STATUS)
CLI_HANDLER(cli_link_report, RPR_OP_LINK_REPORT)
CLI_HANDLER(cli_outbound_report, RPR_OP_PDU_OUTBOUND_REPORT)
CLI_HANDLER(cli_pdu_report, RPR_OP_PDU_REPORT)

static const struct bt_mesh_model_op cli_ops[] = {
    { RPR_OP_SCAN_CAPS_STATUS, BT_MESH_LEN_MIN(0), cli_scan_caps_status },
    { RPR_OP_SCAN_STATUS, BT_MESH_LEN_MIN(0), cli_scan_status },
    { RPR_OP_SCAN_REPORT, BT_MESH_LEN_MIN(0), cli_scan_report },
    { RPR_OP_EXTENDED_SCAN_REPORT, BT_MESH_LEN_MIN(0), cli_ext_scan_report },
    { RPR_OP_LINK_STATUS, BT_MESH_LEN_MIN(0), cli_link_status },
    { RPR_OP_LINK_REPORT, BT_MESH_LEN_MIN(0), cli_link_report },
    { RPR_OP_PDU_OUTBOUND_REPORT, BT_MESH_LEN_MIN(0), cli_outbound_report },
    { RPR_OP_PDU_REPORT, BT_MESH_LEN_MIN(0), cli_pdu_report },
    BT_MESH_MODEL_OP_END,
};

static int cli_model_init(const struct bt_mesh_model *model)
{
    return meshrpr_model_key_bind(model, BT_MESH_KEY_DEV_ANY);
}

static const struct bt_mesh_model_cb cli_model_cb = { .init = cli_model_init };

/* ---- Scripted PB-ADV device ---------------------------------------------------------------- */

static const struct meshrpr_adv_params fake_params = { .count = 2, .interval_ms = 20 };

static void fake_tx(struct rh_fake *f, uint8_t tn, const uint8_t *gp, size_t gp_len)
{
    uint8_t buf[MESHRPR_PB_ADV_PDU_OVERHEAD + MESHRPR_PB_ADV_GP_MTU];

    buf[0] = (uint8_t)(f->link_id >> 24);
    buf[1] = (uint8_t)(f->link_id >> 16);
    buf[2] = (uint8_t)(f->link_id >> 8);
    buf[3] = (uint8_t)f->link_id;
    buf[4] = tn;
    memcpy(&buf[5], gp, gp_len);
    (void)meshrpr_sim_adv_send(&f->h->sim, f->sim_id, MESHRPR_PB_ADV_AD_TYPE, buf, 5 + gp_len,
                               &fake_params);
}

static void fake_pdu_send(struct rh_fake *f, const uint8_t *pdu, size_t len)
{
    uint8_t seg[MESHRPR_PB_ADV_GP_MTU];
    const uint8_t seg_n = meshrpr_pb_adv_seg_n(len);
    const uint8_t tn = f->next_tn;

    f->next_tn = (uint8_t)(((f->next_tn + 1) & 0x7f) | 0x80);
    for (uint8_t i = 0; i <= seg_n; i++) {
        int n = meshrpr_pb_adv_segment(pdu, len, i, seg);
        if (n > 0) {
            fake_tx(f, tn, seg, (size_t)n);
        }
    }
}

/* A canned answer to each Provisioning PDU type: Invite gets Capabilities. */
static size_t fake_answer(const uint8_t *pdu, size_t len, uint8_t *out)
{
    (void)len;
    switch (pdu[0]) {
    case 0x00: { /* Invite -> Capabilities: 1 element, both algorithms, no OOB */
        static const uint8_t caps[] = { 0x01, 0x01, 0x00, 0x03, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
        memcpy(out, caps, sizeof(caps));
        return sizeof(caps);
    }
    default: /* anything else -> Provisioning Failed, Unexpected PDU */
        out[0] = 0x09;
        out[1] = 0x03;
        return 2;
    }
}

static void fake_recv(void *node, uint8_t ad_type, const uint8_t *data, size_t len, int8_t rssi)
{
    struct rh_fake *f = node;
    struct meshrpr_pb_adv_gp gp;
    uint32_t link_id;
    uint8_t tn;

    (void)rssi;
    if (ad_type != MESHRPR_PB_ADV_AD_TYPE || len <= 5 ||
        meshrpr_pb_adv_gp_decode(&data[5], len - 5, &gp) != 0) {
        return;
    }
    link_id = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
    tn = data[4];
    if (gp.gpcf == MESHRPR_PB_ADV_GPCF_CTL) {
        if (gp.opcode == MESHRPR_PB_ADV_LINK_OPEN && !f->ignore_link_open &&
            memcmp(gp.uuid, f->uuid, 16) == 0 && (!f->open || f->link_id == link_id)) {
            const uint8_t ack = MESHRPR_PB_ADV_LINK_ACK << 2 | MESHRPR_PB_ADV_GPCF_CTL;
            if (!f->open) {
                f->open = true;
                f->link_id = link_id;
                f->next_tn = 0x80;
                f->rx_any = false;
            }
            fake_tx(f, 0, &ack, 1);
        } else if (gp.opcode == MESHRPR_PB_ADV_LINK_CLOSE && f->open && f->link_id == link_id) {
            f->open = false;
        }
        return;
    }
    if (!f->open || link_id != f->link_id || gp.gpcf != MESHRPR_PB_ADV_GPCF_START || gp.seg != 0 ||
        gp.data_len != gp.total_len) {
        return; /* single-segment transactions only */
    }
    if (f->rx_any && tn == f->rx_last) {
        if (!f->no_ack) {
            const uint8_t ack = MESHRPR_PB_ADV_GPCF_ACK;
            fake_tx(f, tn, &ack, 1);
        }
        return;
    }
    f->rx_any = true;
    f->rx_last = tn;
    f->pdus_rx++;
    memcpy(f->last_pdu, gp.data, gp.data_len);
    f->last_pdu_len = gp.data_len;
    if (!f->no_ack) {
        const uint8_t ack = MESHRPR_PB_ADV_GPCF_ACK;
        fake_tx(f, tn, &ack, 1);
    }
    if (!f->no_reply) {
        uint8_t answer[66];
        size_t n = fake_answer(gp.data, gp.data_len, answer);
        fake_pdu_send(f, answer, n);
    }
}

static const struct meshrpr_sim_node_ops fake_ops = { .adv_recv = fake_recv };

/* ---- World --------------------------------------------------------------------------------- */

static void setup_node(struct rh *h, struct meshrpr_node *node, int *sim_id, const char *name,
                       struct meshrpr_node_config *cfg, struct bt_mesh_comp *comp,
                       struct bt_mesh_elem *elem)
{
    *sim_id = meshrpr_sim_node_add(&h->sim, name, &node_ops, node);
    comp->cid = RH_TEST_CID;
    comp->elem = elem;
    comp->elem_count = 1;
    cfg->platform = meshrpr_sim_node_platform(&h->sim, *sim_id);
    cfg->comp = comp;
    cfg->features = BT_MESH_FEAT_RELAY;
    cfg->name = name;
}

struct rh *rh_new(uint64_t seed, int cli_count, int srv_count)
{
    static const char *const cli_names[RH_MAX_CLI] = { "client", "client2" };
    static const char *const srv_names[RH_MAX_SRV] = { "server", "server2" };
    struct rh *h = calloc(1, sizeof(*h));

    if (h == NULL || cli_count > RH_MAX_CLI || srv_count > RH_MAX_SRV) {
        free(h);
        return NULL;
    }
    meshrpr_sim_init(&h->sim, seed);
    for (int k = 0; k < 16; k++) {
        h->net_key[k] = (uint8_t)(0x10 + k);
        h->net_key_2[k] = (uint8_t)(0xa0 + k);
    }
    for (int s = 0; s < srv_count; s++) {
        struct rh_srv *srv = &h->srv[s];
        srv->elem = (struct bt_mesh_elem)BT_MESH_ELEM(0x0001, srv_models[s], BT_MESH_MODEL_NONE);
        setup_node(h, &srv->node, &srv->sim_id, srv_names[s], &srv->cfg, &srv->comp, &srv->elem);
        for (int k = 0; k < 16; k++) {
            srv->uuid[k] = (uint8_t)(0xe0 + s * 16 + k);
        }
        srv->prov.uuid = srv->uuid;
        srv->prov.uri = "\x17//srv.example";
        srv->prov.oob_info = BT_MESH_PROV_OOB_URI | BT_MESH_PROV_OOB_ON_BOX;
        srv->cfg.prov = &srv->prov;
        srv_dev_key(s, srv->dev_key);
        if (meshrpr_node_init(&srv->node, &srv->cfg) != 0 ||
            meshrpr_node_provision(&srv->node, h->net_key, RH_NET_IDX, 0, 0, RH_SRV_ADDR(s),
                                   srv->dev_key) != 0) {
            rh_free(h);
            return NULL;
        }
        h->srv_count++;
    }
    for (int c = 0; c < cli_count; c++) {
        struct rh_cli *cli = &h->cli[c];
        uint8_t key[16];
        cli->h = h;
        cli->rt.user_data = cli;
        cli->model.vnd.company = RH_TEST_CID;
        cli->model.vnd.id = 0x0005;
        cli->model.rt = &cli->rt;
        cli->model.op = cli_ops;
        cli->model.cb = &cli_model_cb;
        cli->elem.vnd_model_count = 1;
        cli->elem.vnd_models = &cli->model;
        setup_node(h, &cli->node, &cli->sim_id, cli_names[c], &cli->cfg, &cli->comp, &cli->elem);
        cli->cfg.dev_key_get = dev_key_get;
        cli->cfg.dev_key_ctx = h;
        for (int k = 0; k < 16; k++) {
            key[k] = (uint8_t)(0x30 + c * 16 + k);
        }
        if (meshrpr_node_init(&cli->node, &cli->cfg) != 0 ||
            meshrpr_node_provision(&cli->node, h->net_key, RH_NET_IDX, 0, 0, RH_CLI_ADDR(c), key) !=
                0) {
            rh_free(h);
            return NULL;
        }
        h->cli_count++;
    }
    return h;
}

void rh_free(struct rh *h)
{
    if (h == NULL) {
        return;
    }
    for (int i = 0; i < h->cli_count; i++) {
        meshrpr_node_deinit(&h->cli[i].node);
    }
    for (int i = 0; i < h->srv_count; i++) {
        meshrpr_node_deinit(&h->srv[i].node);
    }
    for (int i = 0; i < h->dev_count; i++) {
        meshrpr_node_deinit(&h->dev[i].node);
    }
    free(h);
}

int rh_dev_add(struct rh *h, uint8_t uuid_seed, uint16_t oob, const char *uri)
{
    static const char *const names[RH_MAX_DEV] = { "dev0", "dev1", "dev2", "dev3", "dev4", "dev5" };
    int d = h->dev_count;
    struct rh_dev *dev = &h->dev[d];

    if (d >= RH_MAX_DEV) {
        return -ENOMEM;
    }
    dev->elem = (struct bt_mesh_elem)BT_MESH_ELEM(0x0001, dev_models[d], BT_MESH_MODEL_NONE);
    setup_node(h, &dev->node, &dev->sim_id, names[d], &dev->cfg, &dev->comp, &dev->elem);
    for (int k = 0; k < 16; k++) {
        dev->uuid[k] = (uint8_t)(uuid_seed + k * 3);
    }
    dev->prov.uuid = dev->uuid;
    dev->prov.oob_info = (bt_mesh_prov_oob_info_t)oob;
    if (uri != NULL) {
        strncpy(dev->uri, uri, sizeof(dev->uri) - 1);
        dev->prov.uri = dev->uri;
    }
    dev->cfg.prov = &dev->prov;
    if (meshrpr_node_init(&dev->node, &dev->cfg) != 0 ||
        meshrpr_prov_enable(&dev->node, BT_MESH_PROV_ADV) != 0) {
        return -EINVAL;
    }
    h->dev_count++;
    return d;
}

void rh_dev_set_adv(struct rh *h, int d, uint8_t adv_type, const uint8_t *adv, size_t adv_len,
                    const uint8_t *rsp, size_t rsp_len, uint32_t interval_ms)
{
    struct rh_dev *dev = &h->dev[d];

    memcpy(dev->raw, adv, adv_len);
    dev->raw_len = (uint8_t)adv_len;
    dev->raw_type = adv_type;
    dev->raw_interval_ms = interval_ms;
    dev->raw_next_ms = meshrpr_sim_now_ms(&h->sim) + 50;
    (void)meshrpr_sim_node_set_scan_rsp(&h->sim, dev->sim_id, rsp, rsp_len);
}

int rh_fake_add(struct rh *h, uint8_t uuid_seed)
{
    int f = h->fake_count;
    struct rh_fake *fake = &h->fake[f];

    if (f >= RH_MAX_FAKE) {
        return -ENOMEM;
    }
    memset(fake, 0, sizeof(*fake));
    fake->h = h;
    for (int k = 0; k < 16; k++) {
        fake->uuid[k] = (uint8_t)(uuid_seed + k * 5);
    }
    fake->sim_id = meshrpr_sim_node_add(&h->sim, f == 0 ? "fake0" : "fake1", &fake_ops, fake);
    h->fake_count++;
    return f;
}

int rh_send(struct rh *h, int c, int s, uint32_t op, const uint8_t *params, size_t len, bool rel)
{
    struct rh_cli *cli = &h->cli[c];
    struct bt_mesh_msg_ctx ctx = BT_MESH_MSG_CTX_INIT(RH_NET_IDX, BT_MESH_KEY_DEV_REMOTE,
                                                      RH_SRV_ADDR(s), BT_MESH_TTL_DEFAULT);
    NET_BUF_SIMPLE_DEFINE(msg, BT_MESH_TX_SDU_MAX);

    ctx.send_rel = rel;
    bt_mesh_model_msg_init(&msg, op);
    if (len > 0) {
        net_buf_simple_add_mem(&msg, params, len);
    }
    return bt_mesh_model_send(&cli->model, &ctx, &msg, NULL, NULL);
}

/* Scannable advertising of the devices that have it. */
static void raw_adv_due(struct rh *h)
{
    const uint64_t now = meshrpr_sim_now_ms(&h->sim);

    for (int d = 0; d < h->dev_count; d++) {
        struct rh_dev *dev = &h->dev[d];
        if (dev->raw_interval_ms != 0 && now >= dev->raw_next_ms) {
            (void)meshrpr_sim_adv_send_raw(&h->sim, dev->sim_id, dev->raw_type, dev->raw,
                                           dev->raw_len, NULL);
            dev->raw_next_ms = now + dev->raw_interval_ms;
        }
    }
}

#define STEP_MS 10

void rh_run(struct rh *h, uint64_t ms)
{
    const uint64_t end = meshrpr_sim_now_ms(&h->sim) + ms;

    while (meshrpr_sim_now_ms(&h->sim) < end) {
        uint64_t next = meshrpr_sim_now_ms(&h->sim) + STEP_MS;
        raw_adv_due(h);
        (void)meshrpr_sim_run_until(&h->sim, next < end ? next : end);
    }
}

bool rh_wait(struct rh *h, int c, uint32_t op, size_t n, uint64_t max_ms)
{
    const uint64_t end = meshrpr_sim_now_ms(&h->sim) + max_ms;

    while (rh_count(h, c, op) < n) {
        if (meshrpr_sim_now_ms(&h->sim) >= end) {
            return false;
        }
        rh_run(h, STEP_MS);
    }
    return true;
}

size_t rh_count(const struct rh *h, int c, uint32_t op)
{
    size_t n = 0;

    for (size_t i = 0; i < h->cli[c].rec_count; i++) {
        n += h->cli[c].recs[i].op == op;
    }
    return n;
}

int rh_index(const struct rh *h, int c, uint32_t op, size_t nth)
{
    for (size_t i = 0; i < h->cli[c].rec_count; i++) {
        if (h->cli[c].recs[i].op == op && nth-- == 0) {
            return (int)i;
        }
    }
    return -1;
}

const struct rh_rec *rh_find(const struct rh *h, int c, uint32_t op, size_t nth)
{
    int i = rh_index(h, c, op, nth);

    return i < 0 ? NULL : &h->cli[c].recs[i];
}

void rh_clear(struct rh *h, int c)
{
    h->cli[c].rec_count = 0;
}

void rh_devs_quiet(struct rh *h)
{
    for (int d = 0; d < h->dev_count; d++) {
        (void)meshrpr_prov_disable(&h->dev[d].node, BT_MESH_PROV_ADV);
        h->dev[d].raw_interval_ms = 0;
    }
}

bool rh_all_idle(struct rh *h)
{
    for (int i = 0; i < h->cli_count; i++) {
        if (!meshrpr_node_is_idle(&h->cli[i].node)) {
            return false;
        }
    }
    for (int i = 0; i < h->srv_count; i++) {
        if (!meshrpr_node_is_idle(&h->srv[i].node)) {
            return false;
        }
    }
    for (int i = 0; i < h->dev_count; i++) {
        if (!meshrpr_node_is_idle(&h->dev[i].node)) {
            return false;
        }
    }
    return true;
}

void rh_links_all(struct rh *h)
{
    const int n = meshrpr_sim_node_count(&h->sim);

    for (int a = 0; a < n; a++) {
        for (int b = a + 1; b < n; b++) {
            (void)meshrpr_sim_link_set(&h->sim, a, b, MESHRPR_SIM_LOSS_DEFAULT);
        }
    }
}

int rh_cli_sim(const struct rh *h, int c)
{
    return h->cli[c].sim_id;
}

int rh_srv_sim(const struct rh *h, int s)
{
    return h->srv[s].sim_id;
}

/* ---- Test bearer ---------------------------------------------------------------------------- */

static int tb_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                   meshrpr_prov_send_complete_t complete, void *cb_data)
{
    struct rh_bearer *b = (struct rh_bearer *)(void *)link;
    uint8_t params[1 + 66];

    if (!b->open || len > 66) {
        return -ENOTCONN;
    }
    if (b->tx_pending) {
        return -EBUSY;
    }
    params[0] = (uint8_t)(b->tx_num + 1);
    memcpy(&params[1], pdu, len);
    b->tx_pending = true;
    b->complete = complete;
    b->cb_data = cb_data;
    return rh_send(b->h, b->c, b->s, RPR_OP_PDU_SEND, params, 1 + len, true);
}

static void tb_close(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct rh_bearer *b = (struct rh_bearer *)(void *)link;
    uint8_t r = reason == MESHRPR_PROV_LINK_SUCCESS ? 0x00 : 0x02;

    b->close_reason = (uint8_t)reason;
    (void)rh_send(b->h, b->c, b->s, RPR_OP_LINK_CLOSE, &r, 1, false);
}

static const struct meshrpr_prov_bearer_ops tb_ops = {
    .type = BT_MESH_PROV_REMOTE,
    .send = tb_send,
    .close = tb_close,
};

static void bearer_on_msg(struct rh_cli *cli, uint32_t op, const uint8_t *data, size_t len)
{
    struct rh_bearer *b = cli->bearer;
    const struct meshrpr_prov_bearer_cb *cb = b->link.cb;

    if (b->closed || cb == NULL) {
        return;
    }
    switch (op) {
    case RPR_OP_LINK_REPORT:
        if (len >= 2 && data[1] == BT_MESH_RPR_LINK_ACTIVE && b->opening) {
            b->opening = false;
            b->open = true;
            cb->link_opened(&b->link);
        } else if (len >= 2 && data[1] == BT_MESH_RPR_LINK_IDLE) {
            meshrpr_prov_send_complete_t complete = b->complete;
            b->open = false;
            b->closed = true;
            if (b->tx_pending && complete != NULL) {
                b->tx_pending = false;
                complete(-ECONNRESET, b->cb_data);
            }
            cb->link_closed(&b->link, data[0] == BT_MESH_RPR_SUCCESS ||
                                              data[0] == BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT
                                          ? (enum meshrpr_prov_link_status)b->close_reason
                                          : MESHRPR_PROV_LINK_FAIL);
        }
        break;
    case RPR_OP_PDU_OUTBOUND_REPORT:
        if (len == 1 && b->tx_pending && data[0] == (uint8_t)(b->tx_num + 1)) {
            meshrpr_prov_send_complete_t complete = b->complete;
            b->tx_num++;
            b->tx_pending = false;
            b->complete = NULL;
            if (complete != NULL) {
                complete(0, b->cb_data);
            }
        }
        break;
    case RPR_OP_PDU_REPORT:
        if (len >= 2 && data[0] == (uint8_t)(b->rx_num + 1)) {
            b->rx_num++;
            cb->recv(&b->link, &data[1], len - 1);
        }
        break;
    default:
        break;
    }
}

static int tb_addr_assign(struct meshrpr_prov_session *session, uint8_t elem_count, uint16_t *addr)
{
    struct rh_bearer *b = meshrpr_prov_session_hooks_ctx(session);

    (void)elem_count;
    *addr = b->addr;
    return 0;
}

static void tb_node_provisioned(struct meshrpr_prov_session *session, const uint8_t dev_key[16])
{
    struct rh_bearer *b = meshrpr_prov_session_hooks_ctx(session);

    b->provisioned = true;
    memcpy(b->dev_key, dev_key, 16);
}

static const struct meshrpr_prov_hooks tb_hooks = {
    .addr_assign = tb_addr_assign,
    .node_provisioned = tb_node_provisioned,
};

int rh_bearer_provision(struct rh *h, struct rh_bearer *b, int c, int s, const uint8_t uuid[16],
                        uint16_t addr)
{
    struct meshrpr_prov_provisioner_params params = {
        .uuid = uuid,
        .net_idx = RH_NET_IDX,
        .addr = addr,
        .hooks = &tb_hooks,
        .hooks_ctx = b,
    };
    int err;

    memset(b, 0, sizeof(*b));
    b->link.ops = &tb_ops;
    b->h = h;
    b->c = c;
    b->s = s;
    b->addr = addr;
    b->opening = true;
    err = meshrpr_prov_provisioner_start_ext(&h->cli[c].node, &b->link, &params);
    if (err != 0) {
        return err;
    }
    h->cli[c].bearer = b;
    return rh_send(h, c, s, RPR_OP_LINK_OPEN, uuid, 16, false);
}
