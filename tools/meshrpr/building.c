/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The simulated building (see building.h): compositions built at run time, the glue between
 * the simulator and the nodes, the provisioner's and the devices' callbacks, and the simulated
 * user who types Output OOB values.
 */
#include "building.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Generic OnOff Server and Generic Level Server: plain models that make compositions differ. */
#define MODEL_ID_GEN_ONOFF_SRV 0x1000
#define MODEL_ID_GEN_LEVEL_SRV 0x1002

/* Unprovisioned devices advertise their name (scannable) this often. */
#define DEVICE_ADV_INTERVAL_MS 3000u
/* How long the user takes to read a device's display and type the value in. */
#define USER_TYPING_MS 1500u

#define AD_TYPE_NAME_COMPLETE 0x09
#define AD_TYPE_URI           0x24

/* Models of the primary element at most (page 128 of a device: 4). */
#define ELEM0_MODELS 4

struct bnode {
    struct building *b;
    size_t index;
    struct world_node *wn;
    int sim_id;
    bool ready;
    struct meshrpr_node node;
    struct meshrpr_node_config cfg;
    struct bt_mesh_prov prov;
    char uri_ad[WORLD_URI_SIZE];

    /* Composition Data page 0 and page 128, each with its own models and model state. */
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem[2];
    struct bt_mesh_model m0[ELEM0_MODELS];
    struct bt_mesh_model_rt_ctx rt0[ELEM0_MODELS];
    struct bt_mesh_model m1[1];
    struct bt_mesh_model_rt_ctx rt1[1];
    struct bt_mesh_comp comp_next;
    struct bt_mesh_elem elem_next[2];
    struct bt_mesh_model n0[ELEM0_MODELS];
    struct bt_mesh_model_rt_ctx nrt0[ELEM0_MODELS];
    struct bt_mesh_model n1[1];
    struct bt_mesh_model_rt_ctx nrt1[1];
    struct meshrpr_cfg_srv cfg_srv;
    struct meshrpr_cfg_srv cfg_srv_next;
    struct meshrpr_rpr_srv rpr_srv;
    struct meshrpr_rpr_srv rpr_srv_next;
    struct bt_mesh_cfg_cli cfg_cli;
    struct bt_mesh_rpr_cli rpr_cli;

    /* Device: the Output OOB value on its display, since shown_ms. */
    bool shown;
    uint64_t shown_ms;
    uint32_t shown_number;
    char shown_string[MESHRPR_PROV_IO_OOB_SIZE_MAX + 1];
    bool shown_is_string;
    /* Device: scannable advertising while unprovisioned. */
    uint8_t adv[MESHRPR_SIM_MAX_ADV_DATA];
    uint8_t adv_len;
    uint64_t adv_next_ms;
};

/* The building whose nodes run the context-free struct bt_mesh_prov callbacks (see
 * building.h): the tool runs one at a time, and a feature probe swaps it for its own. */
static struct building *current;

/* ---- Simulator glue ------------------------------------------------------------------------ */

static bool device_advertises(const struct bnode *bn)
{
    return bn->adv_len > 0 && !meshrpr_node_is_provisioned(&bn->node);
}

static uint64_t ops_next_deadline_ms(void *p)
{
    struct bnode *bn = p;
    uint64_t d;

    if (!bn->ready) {
        return UINT64_MAX;
    }
    d = meshrpr_node_next_deadline_ms(&bn->node);
    if (device_advertises(bn) && bn->adv_next_ms < d) {
        d = bn->adv_next_ms;
    }
    return d;
}

static void ops_process(void *p)
{
    struct bnode *bn = p;
    struct building *b = bn->b;
    struct bnode *prev = b->cur;
    uint64_t now = meshrpr_sim_now_ms(b->sim);

    if (!bn->ready) {
        return;
    }
    if (device_advertises(bn) && now >= bn->adv_next_ms) {
        (void)meshrpr_sim_adv_send_raw(b->sim, bn->sim_id, MESHRPR_ADV_SCAN_IND, bn->adv,
                                       bn->adv_len, NULL);
        bn->adv_next_ms = now + DEVICE_ADV_INTERVAL_MS;
    }
    b->cur = bn;
    meshrpr_node_process(&bn->node);
    b->cur = prev;
}

static void ops_adv_report(void *p, const struct meshrpr_adv_report *report)
{
    struct bnode *bn = p;
    struct building *b = bn->b;
    struct bnode *prev = b->cur;

    if (!bn->ready) {
        return;
    }
    b->cur = bn;
    meshrpr_node_scan_recv(&bn->node, report);
    b->cur = prev;
}

static void ops_adv_sent(void *p, uint32_t tx_id)
{
    struct bnode *bn = p;
    struct building *b = bn->b;
    struct bnode *prev = b->cur;

    if (!bn->ready) {
        return;
    }
    b->cur = bn;
    meshrpr_node_adv_sent(&bn->node, tx_id);
    b->cur = prev;
}

static const struct meshrpr_sim_node_ops node_ops = {
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
    .adv_sent = ops_adv_sent,
};

/* ---- The user ------------------------------------------------------------------------------ */

/* The device whose display the user reads: one being provisioned that shows a value of the
 * current attempt. A value shown before the attempt started belongs to an attempt that failed
 * (the device generates a new one each time, MshPRTv1.1 §5.4.2.4): the user waits for the new
 * one rather than type the old. */
static struct bnode *user_display(struct building *b)
{
    for (size_t i = 0; i < b->count; i++) {
        struct bnode *bn = b->nodes[i];
        const struct b_target *t = bn->shown ? building_target_get(b, bn->wn->uuid) : NULL;
        if (t != NULL && bn->shown_ms >= t->since_ms) {
            return bn;
        }
    }
    return NULL;
}

static void user_schedule(struct building *b)
{
    if (b->prov_wants_input && user_display(b) != NULL && b->user_due_ms == UINT64_MAX) {
        b->user_due_ms = meshrpr_sim_now_ms(b->sim) + USER_TYPING_MS;
        /* Called from other nodes' callbacks: the simulator must ask the user again. */
        (void)meshrpr_sim_node_wake(b->sim, b->user_sim_id);
    }
}

static uint64_t user_next_deadline_ms(void *p)
{
    struct building *b = p;

    return b->user_due_ms;
}

/* The user types what the device shows into the provisioner (Output OOB, MshPRTv1.1
 * §5.4.2.4): from the event loop, never from inside another node's callback. */
static void user_process(void *p)
{
    struct building *b = p;
    struct bnode *dev = user_display(b);
    struct meshrpr_node *prov = building_prov_node(b);
    struct b_target *t;
    int err;

    b->user_due_ms = UINT64_MAX;
    if (!b->prov_wants_input || dev == NULL) {
        return;
    }
    b->prov_wants_input = false;
    t = building_target_get(b, dev->wn->uuid);
    if (dev->shown_is_string) {
        err = meshrpr_prov_input_string(prov, dev->shown_string);
    } else {
        err = meshrpr_prov_input_number(prov, dev->shown_number);
    }
    if (err != 0) {
        /* No session waits for input (the one that asked ended): the value stays on the
         * display for the session that asks next, if it is the same attempt's. */
        return;
    }
    dev->shown = false;
    if (t != NULL) {
        t->auth = "output";
        t->typed = dev->shown_number;
    }
    if (dev->shown_is_string) {
        building_progress(b, "the user reads \"%s\" on %s and types it into the provisioner",
                          dev->shown_string, dev->wn->name);
    } else {
        building_progress(b, "the user reads %u on %s and types it into the provisioner",
                          (unsigned)dev->shown_number, dev->wn->name);
    }
}

static const struct meshrpr_sim_node_ops user_ops = {
    .next_deadline_ms = user_next_deadline_ms,
    .process = user_process,
};

/* ---- Provisioner callbacks ----------------------------------------------------------------- */

static struct bnode *cli_owner(struct bt_mesh_rpr_cli *cli)
{
    return MESHRPR_CONTAINER_OF(cli, struct bnode, rpr_cli);
}

static void on_scan_report(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                           struct bt_mesh_rpr_unprov *unprov, struct net_buf_simple *adv_data)
{
    struct building *b = cli_owner(cli)->b;
    struct b_scan_event *e;

    if (b->scan_count == BUILDING_MAX_EVENTS) {
        memmove(&b->scans[0], &b->scans[1], sizeof(b->scans) - sizeof(b->scans[0]));
        b->scan_count--;
    }
    e = &b->scans[b->scan_count++];
    memset(e, 0, sizeof(*e));
    e->time_ms = building_now_ms(b);
    e->server = srv->addr;
    e->unprov = *unprov;
    if (adv_data != NULL) {
        e->ext = true;
        e->ad_len = (uint8_t)(adv_data->len < WORLD_AD_MAX ? adv_data->len : WORLD_AD_MAX);
        memcpy(e->ad, adv_data->data, e->ad_len);
    }
}

static void on_ext_scan_failed(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                               const uint8_t uuid[16], enum bt_mesh_rpr_status status)
{
    struct building *b = cli_owner(cli)->b;
    struct b_scan_event *e;

    if (b->scan_count == BUILDING_MAX_EVENTS) {
        memmove(&b->scans[0], &b->scans[1], sizeof(b->scans) - sizeof(b->scans[0]));
        b->scan_count--;
    }
    e = &b->scans[b->scan_count++];
    memset(e, 0, sizeof(*e));
    e->time_ms = building_now_ms(b);
    e->server = srv->addr;
    e->ext = true;
    e->failed = true;
    e->status = (uint8_t)status;
    memcpy(e->unprov.uuid, uuid, 16);
}

static void on_link_changed(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                            const struct bt_mesh_rpr_link *link, int reason)
{
    struct building *b = cli_owner(cli)->b;
    struct b_link_event *e;

    if (b->link_count == BUILDING_MAX_EVENTS) {
        memmove(&b->links[0], &b->links[1], sizeof(b->links) - sizeof(b->links[0]));
        b->link_count--;
    }
    e = &b->links[b->link_count++];
    e->time_ms = building_now_ms(b);
    e->server = srv->addr;
    e->link = *link;
    e->reason = reason;
}

static struct b_prov_event *prov_event_new(struct building *b)
{
    struct b_prov_event *e;

    if (b->prov_count == BUILDING_MAX_EVENTS) {
        memmove(&b->provs[0], &b->provs[1], sizeof(b->provs) - sizeof(b->provs[0]));
        b->prov_count--;
    }
    e = &b->provs[b->prov_count++];
    memset(e, 0, sizeof(*e));
    e->time_ms = building_now_ms(b);
    return e;
}

/* The session of uuid ended: a request for input it made is void (prov_input() does not say
 * which session asks; the demo runs one Output OOB device at a time). */
static void input_forget(struct building *b, const uint8_t uuid[16])
{
    const struct world_node *wn = world_node_by_uuid(b->w, uuid);

    if (wn != NULL && wn->output_actions != 0) {
        b->prov_wants_input = false;
        b->user_due_ms = UINT64_MAX;
    }
}

static void prov_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    struct b_prov_event *e = prov_event_new(current);

    input_forget(current, uuid);
    (void)net_idx;
    e->added = true;
    memcpy(e->uuid, uuid, 16);
    e->addr = addr;
    e->elements = num_elem;
}

static void prov_link_close(bt_mesh_prov_bearer_t bearer)
{
    struct building *b = current;
    struct meshrpr_prov_result r;
    struct b_prov_event *e;

    (void)bearer;
    /* Which session ended: its result (a meshrpr extension; Zephyr reports only the bearer). */
    if (meshrpr_prov_last_result(building_prov_node(b), &r) != 0 ||
        r.status == MESHRPR_PROV_STATUS_SUCCESS) {
        return; /* success is reported by node_added */
    }
    e = prov_event_new(b);
    e->result = r;
    memcpy(e->uuid, r.uuid, 16);
    e->addr = r.addr;
    input_forget(b, r.uuid);
}

/* The device's capabilities arrived: choose the authentication as an installer would, with
 * what the boxes of the devices being provisioned say. The callback does not say which
 * device it is about, so the demo never runs two Static OOB (or two Output OOB) devices at
 * once. */
static void prov_capabilities(const struct bt_mesh_dev_capabilities *cap)
{
    struct building *b = current;
    struct meshrpr_node *prov = building_prov_node(b);

    if (cap->oob_type & BT_MESH_STATIC_OOB_AVAILABLE) {
        for (size_t i = 0; i < BUILDING_MAX_TARGETS; i++) {
            struct b_target *t = &b->targets[i];
            if (t->used && t->static_len > 0 && t->auth == NULL) {
                if (meshrpr_prov_auth_method_set_static(prov, t->static_val, t->static_len) == 0) {
                    t->auth = "static";
                    return;
                }
            }
        }
    }
    if (cap->output_size > 0 && (cap->output_actions & (BT_MESH_DISPLAY_NUMBER | BT_MESH_BLINK |
                                                        BT_MESH_BEEP | BT_MESH_VIBRATE))) {
        bt_mesh_output_action_t act = BT_MESH_DISPLAY_NUMBER;

        if (!(cap->output_actions & BT_MESH_DISPLAY_NUMBER)) {
            act = (cap->output_actions & BT_MESH_BLINK)  ? BT_MESH_BLINK
                  : (cap->output_actions & BT_MESH_BEEP) ? BT_MESH_BEEP
                                                         : BT_MESH_VIBRATE;
        }
        if (meshrpr_prov_auth_method_set_output(prov, act, cap->output_size) == 0) {
            return;
        }
    }
    (void)meshrpr_prov_auth_method_set_none(prov);
}

/* Output OOB: the provisioner asks the user for what the device shows. */
static int prov_input(bt_mesh_input_action_t act, uint8_t size)
{
    struct building *b = current;

    (void)size;
    b->prov_wants_input = true;
    b->prov_input_act = (uint8_t)act;
    user_schedule(b);
    return 0;
}

/* ---- Device callbacks ---------------------------------------------------------------------- */

static int dev_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    struct building *b = current;
    struct bnode *dev = b->cur;

    (void)act;
    if (dev == NULL) {
        return -EINVAL;
    }
    dev->shown = true;
    dev->shown_ms = building_now_ms(b);
    dev->shown_is_string = false;
    dev->shown_number = num;
    building_progress(b, "%s shows %u", dev->wn->name, (unsigned)num);
    user_schedule(b);
    return 0;
}

static int dev_output_string(const char *str)
{
    struct building *b = current;
    struct bnode *dev = b->cur;

    if (dev == NULL) {
        return -EINVAL;
    }
    dev->shown = true;
    dev->shown_ms = building_now_ms(b);
    dev->shown_is_string = true;
    snprintf(dev->shown_string, sizeof(dev->shown_string), "%s", str);
    building_progress(b, "%s shows \"%s\"", dev->wn->name, dev->shown_string);
    user_schedule(b);
    return 0;
}

static void dev_input_complete(void)
{
    struct bnode *dev = current->cur;

    if (dev != NULL) {
        dev->shown = false;
    }
}

/* The device's session ended: its display goes blank (the next attempt shows a new value). */
static void dev_link_close(bt_mesh_prov_bearer_t bearer)
{
    struct bnode *dev = current->cur;

    (void)bearer;
    if (dev != NULL) {
        dev->shown = false;
    }
}

static void dev_reprovisioned(uint16_t addr)
{
    (void)addr;
    current->dev_reprovisioned++;
}

/* ---- Compositions -------------------------------------------------------------------------- */

static void model_set(struct bt_mesh_model *m, struct bt_mesh_model_rt_ctx *rt, uint16_t id,
                      const struct bt_mesh_model_op *op, const struct bt_mesh_model_cb *cb,
                      void *user_data)
{
    memset(m, 0, sizeof(*m));
    memset(rt, 0, sizeof(*rt));
    m->id = id;
    m->rt = rt;
    m->op = op;
    m->cb = cb;
    rt->user_data = user_data;
}

static void elem_set(struct bt_mesh_elem *e, uint16_t loc, const struct bt_mesh_model *models,
                     size_t count)
{
    memset(e, 0, sizeof(*e));
    e->loc = loc;
    e->models = models;
    e->model_count = (uint8_t)count;
}

/* The primary element of a device or server: Configuration Server, Remote Provisioning Server
 * (a device hosts one for NPPI), then the application models. */
static size_t device_elem0(struct bt_mesh_model *m, struct bt_mesh_model_rt_ctx *rt,
                           struct meshrpr_cfg_srv *cfg_srv, struct meshrpr_rpr_srv *rpr_srv,
                           bool device, bool level)
{
    size_t n = 0;

    model_set(&m[n], &rt[n], BT_MESH_MODEL_ID_CFG_SRV, bt_mesh_cfg_srv_op, &bt_mesh_cfg_srv_cb,
              cfg_srv);
    n++;
    model_set(&m[n], &rt[n], BT_MESH_MODEL_ID_REMOTE_PROV_SRV, _bt_mesh_rpr_srv_op,
              &_bt_mesh_rpr_srv_cb, rpr_srv);
    n++;
    if (device) {
        model_set(&m[n], &rt[n], MODEL_ID_GEN_ONOFF_SRV, NULL, NULL, NULL);
        n++;
        if (level) {
            model_set(&m[n], &rt[n], MODEL_ID_GEN_LEVEL_SRV, NULL, NULL, NULL);
            n++;
        }
    }
    return n;
}

static void build_composition(struct bnode *bn)
{
    const struct world_node *wn = bn->wn;
    size_t n;

    memset(&bn->comp, 0, sizeof(bn->comp));
    bn->comp.cid = 0x05f1; /* Linux Foundation: an open-source stack's usual choice */
    bn->comp.pid = (uint16_t)(0x0100 + wn->role);
    bn->comp.vid = 0x0001;
    bn->comp.elem = bn->elem;
    switch (wn->role) {
    case WORLD_PROVISIONER:
        model_set(&bn->m0[0], &bn->rt0[0], BT_MESH_MODEL_ID_CFG_SRV, bt_mesh_cfg_srv_op,
                  &bt_mesh_cfg_srv_cb, &bn->cfg_srv);
        model_set(&bn->m0[1], &bn->rt0[1], BT_MESH_MODEL_ID_CFG_CLI, bt_mesh_cfg_cli_op,
                  &bt_mesh_cfg_cli_cb, &bn->cfg_cli);
        model_set(&bn->m0[2], &bn->rt0[2], BT_MESH_MODEL_ID_REMOTE_PROV_CLI, _bt_mesh_rpr_cli_op,
                  &_bt_mesh_rpr_cli_cb, &bn->rpr_cli);
        elem_set(&bn->elem[0], 0x0000, bn->m0, 3);
        bn->comp.elem_count = 1;
        break;
    case WORLD_SERVER:
        n = device_elem0(bn->m0, bn->rt0, &bn->cfg_srv, &bn->rpr_srv, false, false);
        elem_set(&bn->elem[0], 0x0000, bn->m0, n);
        bn->comp.elem_count = 1;
        break;
    case WORLD_DEVICE:
        n = device_elem0(bn->m0, bn->rt0, &bn->cfg_srv, &bn->rpr_srv, true, false);
        elem_set(&bn->elem[0], 0x0000, bn->m0, n);
        bn->comp.elem_count = 1;
        if (wn->elements > 1) {
            model_set(&bn->m1[0], &bn->rt1[0], MODEL_ID_GEN_ONOFF_SRV, NULL, NULL, NULL);
            elem_set(&bn->elem[1], 0x0001, bn->m1, 1);
            bn->comp.elem_count = 2;
        }
        if (wn->comp_change) {
            /* Page 128: the same elements, a Generic Level Server more (a firmware update
             * that the next Node Composition Refresh makes current). */
            bn->comp_next = bn->comp;
            bn->comp_next.vid = 0x0002;
            bn->comp_next.elem = bn->elem_next;
            n = device_elem0(bn->n0, bn->nrt0, &bn->cfg_srv_next, &bn->rpr_srv_next, true, true);
            elem_set(&bn->elem_next[0], 0x0000, bn->n0, n);
            if (wn->elements > 1) {
                model_set(&bn->n1[0], &bn->nrt1[0], MODEL_ID_GEN_ONOFF_SRV, NULL, NULL, NULL);
                elem_set(&bn->elem_next[1], 0x0001, bn->n1, 1);
            }
        }
        break;
    }
}

static void build_prov(struct bnode *bn)
{
    const struct world_node *wn = bn->wn;
    struct bt_mesh_prov *p = &bn->prov;

    memset(p, 0, sizeof(*p));
    p->uuid = wn->uuid;
    if (wn->role == WORLD_PROVISIONER) {
        p->capabilities = prov_capabilities;
        p->input = prov_input;
        p->link_close = prov_link_close;
        p->node_added = prov_node_added;
        return;
    }
    p->oob_info = (bt_mesh_prov_oob_info_t)wn->oob_info;
    if (wn->uri[0] != '\0' && world_uri_ad(wn->uri, bn->uri_ad) != NULL) {
        p->uri = bn->uri_ad;
    }
    if (wn->static_oob_len > 0) {
        p->static_val = wn->static_oob;
        p->static_val_len = wn->static_oob_len;
    }
    if (wn->output_actions != 0) {
        p->output_actions = wn->output_actions;
        p->output_size = wn->output_size;
    }
    p->output_number = dev_output_number;
    p->output_string = dev_output_string;
    p->input_complete = dev_input_complete;
    p->link_close = dev_link_close;
    p->reprovisioned = dev_reprovisioned;
}

/* AdvData: the Complete Local Name; scan response: the URI (when it fits). */
static void build_adv(struct building *b, struct bnode *bn)
{
    const struct world_node *wn = bn->wn;
    size_t name_len = strlen(wn->name);
    uint8_t rsp[MESHRPR_SIM_MAX_ADV_DATA];
    size_t uri_len = bn->prov.uri != NULL ? strlen(bn->prov.uri) : 0;

    if (wn->role != WORLD_DEVICE || name_len + 2 > sizeof(bn->adv)) {
        return;
    }
    bn->adv[0] = (uint8_t)(name_len + 1);
    bn->adv[1] = AD_TYPE_NAME_COMPLETE;
    memcpy(&bn->adv[2], wn->name, name_len);
    bn->adv_len = (uint8_t)(name_len + 2);
    /* Spread the devices' first advertisements over the interval. */
    bn->adv_next_ms = meshrpr_sim_now_ms(b->sim) + 100 + (bn->index * 277) % DEVICE_ADV_INTERVAL_MS;
    if (uri_len > 0 && uri_len + 2 <= sizeof(rsp)) {
        rsp[0] = (uint8_t)(uri_len + 1);
        rsp[1] = AD_TYPE_URI;
        memcpy(&rsp[2], bn->prov.uri, uri_len);
        (void)meshrpr_sim_node_set_scan_rsp(b->sim, bn->sim_id, rsp, uri_len + 2);
    }
}

/* ---- Life cycle ---------------------------------------------------------------------------- */

static uint64_t seed_mix(uint64_t seed, uint64_t generation)
{
    /* splitmix64 finaliser: every invocation draws fresh randomness, deterministically. */
    uint64_t z = seed + (generation + 1) * 0x9e3779b97f4a7c15ull;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int node_start(struct building *b, struct bnode *bn, char *err, size_t err_size)
{
    const struct world_node *wn = bn->wn;
    struct bnode *prev = b->cur;
    int rc;

    build_composition(bn);
    build_prov(bn);
    memset(&bn->cfg, 0, sizeof(bn->cfg));
    bn->cfg.platform = meshrpr_sim_node_platform(b->sim, bn->sim_id);
    bn->cfg.comp = &bn->comp;
    bn->cfg.comp_next = wn->comp_change ? &bn->comp_next : NULL;
    bn->cfg.storage = &bn->wn->store.storage;
    bn->cfg.name = wn->name;
    bn->cfg.prov = &bn->prov;
    if (wn->role == WORLD_SERVER) {
        bn->cfg.features = BT_MESH_FEAT_RELAY;
    }
    if (wn->role == WORLD_PROVISIONER) {
        bn->cfg.cdb = &b->w->cdb;
        bn->cfg.dev_key_get = meshrpr_cdb_dev_key_get;
        bn->cfg.dev_key_ctx = &b->w->cdb;
        bn->rpr_cli.scan_report = on_scan_report;
        bn->rpr_cli.ext_scan_failed = on_ext_scan_failed;
        bn->rpr_cli.link_changed = on_link_changed;
    }
    b->cur = bn;
    rc = meshrpr_node_init(&bn->node, &bn->cfg);
    b->cur = prev;
    if (rc != 0) {
        tool_msg(err, err_size, "%s: the node does not start from its stored state (%s)", wn->name,
                 tool_errno_text(rc));
        return rc;
    }
    bn->ready = true;
    if (wn->role != WORLD_PROVISIONER) {
        /* Offered for provisioning while unprovisioned, and to NPPI through its own server. */
        bt_mesh_prov_bearer_t bearers = BT_MESH_PROV_REMOTE;
        if (wn->role == WORLD_DEVICE && !meshrpr_node_is_provisioned(&bn->node)) {
            bearers |= BT_MESH_PROV_ADV;
        }
        b->cur = bn;
        rc = meshrpr_prov_enable(&bn->node, bearers);
        if (rc != 0 && (bearers & BT_MESH_PROV_ADV)) {
            /* Without NPPI support the remote bearer may be refused: PB-ADV is what counts. */
            rc = meshrpr_prov_enable(&bn->node, BT_MESH_PROV_ADV);
        }
        b->cur = prev;
        if (rc != 0 && (bearers & BT_MESH_PROV_ADV)) {
            tool_msg(err, err_size, "%s: cannot offer the device for provisioning (%s)", wn->name,
                     tool_errno_text(rc));
            return rc;
        }
        build_adv(b, bn);
    }
    return 0;
}

struct building *building_start(struct world *w, const struct building_opts *opts, char *err,
                                size_t err_size)
{
    struct building *b = calloc(1, sizeof(*b));
    int rc;

    if (b == NULL || (b->sim = calloc(1, sizeof(*b->sim))) == NULL) {
        free(b);
        tool_msg(err, err_size, "out of memory");
        return NULL;
    }
    b->w = w;
    b->user_due_ms = UINT64_MAX;
    meshrpr_sim_init(b->sim, seed_mix(w->seed, w->generation));
    (void)meshrpr_sim_set_range(b->sim, w->range_m);
    (void)meshrpr_sim_set_default_loss(b->sim, w->loss);
    meshrpr_sim_set_collisions(b->sim, w->collisions);
    meshrpr_sim_set_half_duplex(b->sim, w->half_duplex);
    if (opts != NULL && opts->log_level != MESHRPR_LOG_LEVEL_NONE) {
        meshrpr_sim_set_log(b->sim, opts->log_level, NULL, NULL);
    }
    for (size_t i = 0; i < w->node_count; i++) {
        struct bnode *bn = calloc(1, sizeof(*bn));
        if (bn == NULL) {
            tool_msg(err, err_size, "out of memory");
            goto fail;
        }
        b->nodes[b->count++] = bn;
        bn->b = b;
        bn->index = i;
        bn->wn = &w->nodes[i];
        bn->sim_id = meshrpr_sim_node_add(b->sim, w->nodes[i].name, &node_ops, bn);
        if (bn->sim_id < 0) {
            tool_msg(err, err_size, "too many nodes for the simulator");
            goto fail;
        }
        (void)meshrpr_sim_node_set_position(b->sim, bn->sim_id, w->nodes[i].x_m, w->nodes[i].y_m);
    }
    /* The user stands far from every radio: not a node of the mesh. */
    b->user_sim_id = meshrpr_sim_node_add(b->sim, "user", &user_ops, b);
    if (b->user_sim_id < 0) {
        tool_msg(err, err_size, "too many nodes for the simulator");
        goto fail;
    }
    (void)meshrpr_sim_node_set_position(b->sim, b->user_sim_id, 1e9, 1e9);
    /* Time moves on from where the world stopped (no node runs yet, so nothing happens). */
    rc = meshrpr_sim_run_until(b->sim, w->time_ms);
    if (rc != 0) {
        tool_msg(err, err_size, "cannot set the virtual clock (%s)", tool_errno_text(rc));
        goto fail;
    }
    if (opts != NULL && opts->pcap_path != NULL) {
        rc = meshrpr_sim_pcap_open(b->sim, opts->pcap_path);
        if (rc != 0) {
            tool_msg(err, err_size, "cannot open the capture %s: %s", opts->pcap_path,
                     strerror(-rc));
            goto fail;
        }
    }
    current = b;
    for (size_t i = 0; i < b->count; i++) {
        if (node_start(b, b->nodes[i], err, err_size) != 0) {
            goto fail;
        }
    }
    return b;
fail:
    (void)building_stop(b);
    return NULL;
}

void building_activate(struct building *b)
{
    current = b;
}

int building_install(struct building *b, char *err, size_t err_size)
{
    const struct meshrpr_cdb_subnet *sub = meshrpr_cdb_subnet_get(&b->w->cdb, WORLD_NET_IDX);

    if (sub == NULL) {
        tool_msg(err, err_size, "the database has no primary NetKey");
        return -EINVAL;
    }
    for (size_t i = 0; i < b->count; i++) {
        struct bnode *bn = b->nodes[i];
        const struct meshrpr_cdb_node *entry;
        int rc;

        if (bn->wn->role == WORLD_DEVICE || meshrpr_node_is_provisioned(&bn->node)) {
            continue;
        }
        entry = meshrpr_cdb_node_by_uuid(&b->w->cdb, bn->wn->uuid);
        if (entry == NULL) {
            tool_msg(err, err_size, "%s is not in the node database", bn->wn->name);
            return -EINVAL;
        }
        b->cur = bn;
        rc = meshrpr_node_provision(&bn->node, sub->key, WORLD_NET_IDX, 0, b->w->cdb.iv_index,
                                    entry->addr, entry->dev_key);
        if (rc == 0 && bn->wn->role == WORLD_SERVER) {
            /* Relays 3 transmissions 20 ms apart, as Zephyr's default Relay Retransmit. */
            meshrpr_node_relay_set(&bn->node, true, BT_MESH_TRANSMIT(2, 20));
        }
        b->cur = NULL;
        if (rc != 0) {
            tool_msg(err, err_size, "cannot set up %s (%s)", bn->wn->name, tool_errno_text(rc));
            return rc;
        }
    }
    return 0;
}

bool building_idle(struct building *b)
{
    for (size_t i = 0; i < b->count; i++) {
        if (!meshrpr_node_is_idle(&b->nodes[i]->node)) {
            return false;
        }
    }
    return true;
}

static bool idle_pred(struct building *b, void *arg)
{
    (void)arg;
    return building_idle(b);
}

void building_settle(struct building *b, uint64_t max_ms)
{
    (void)building_run_until(b, idle_pred, NULL, building_now_ms(b) + max_ms);
    b->w->time_ms = building_now_ms(b);
}

int building_stop(struct building *b)
{
    int rc = 0;

    if (b == NULL) {
        return 0;
    }
    if (b->sim != NULL) {
        rc = meshrpr_sim_pcap_close(b->sim);
    }
    for (size_t i = 0; i < b->count; i++) {
        if (b->nodes[i]->ready) {
            meshrpr_node_deinit(&b->nodes[i]->node);
        }
        free(b->nodes[i]);
    }
    if (current == b) {
        current = NULL;
    }
    free(b->sim);
    free(b);
    return rc;
}

/* ---- Accessors ----------------------------------------------------------------------------- */

struct meshrpr_node *building_prov_node(struct building *b)
{
    return &b->nodes[0]->node;
}

struct bt_mesh_rpr_cli *building_rpr_cli(struct building *b)
{
    return &b->nodes[0]->rpr_cli;
}

struct bt_mesh_cfg_cli *building_cfg_cli(struct building *b)
{
    return &b->nodes[0]->cfg_cli;
}

struct meshrpr_node *building_node(struct building *b, size_t i)
{
    return i < b->count ? &b->nodes[i]->node : NULL;
}

int building_node_by_addr(struct building *b, uint16_t addr)
{
    for (size_t i = 0; i < b->count; i++) {
        const struct meshrpr_node *n = &b->nodes[i]->node;
        uint16_t first = meshrpr_node_addr(n);
        if (meshrpr_node_is_provisioned(n) && addr >= first &&
            addr < first + meshrpr_node_elem_count(n)) {
            return (int)i;
        }
    }
    return -1;
}

/* Breadth-first over the radio links from the provisioner; only relaying nodes (servers) pass
 * messages on. parent[] gets each reached node's predecessor. @return the hops to target or
 * -1. */
static int route(struct building *b, size_t target, int parent[WORLD_MAX_NODES])
{
    int dist[WORLD_MAX_NODES];
    size_t queue[WORLD_MAX_NODES];
    size_t head = 0, tail = 0;

    for (size_t i = 0; i < b->count; i++) {
        dist[i] = -1;
        parent[i] = -1;
    }
    dist[0] = 0;
    queue[tail++] = 0;
    while (head < tail) {
        size_t u = queue[head++];
        if (u == target) {
            return dist[u];
        }
        if (u != 0 && b->nodes[u]->wn->role != WORLD_SERVER) {
            continue;
        }
        for (size_t v = 0; v < b->count; v++) {
            if (dist[v] < 0 &&
                meshrpr_sim_link_exists(b->sim, b->nodes[u]->sim_id, b->nodes[v]->sim_id)) {
                dist[v] = dist[u] + 1;
                parent[v] = (int)u;
                queue[tail++] = v;
            }
        }
    }
    return -1;
}

int building_hops(struct building *b, size_t target)
{
    int parent[WORLD_MAX_NODES];

    return route(b, target, parent);
}

uint64_t building_path(struct building *b, size_t target)
{
    int parent[WORLD_MAX_NODES];
    uint64_t mask = 0;

    if (route(b, target, parent) < 0) {
        return 0;
    }
    for (int i = (int)target; i > 0; i = parent[i]) {
        mask |= 1ull << i;
    }
    return mask;
}

uint64_t building_now_ms(const struct building *b)
{
    return meshrpr_sim_now_ms(b->sim);
}

int building_run_for(struct building *b, uint64_t ms)
{
    return meshrpr_sim_run_until(b->sim, building_now_ms(b) + ms);
}

struct run_pred {
    struct building *b;
    bool (*pred)(struct building *b, void *arg);
    void *arg;
};

static bool run_pred_fn(void *arg)
{
    struct run_pred *p = arg;

    return p->pred(p->b, p->arg);
}

int building_run_until(struct building *b, bool (*pred)(struct building *b, void *arg), void *arg,
                       uint64_t deadline_ms)
{
    struct run_pred p = { .b = b, .pred = pred, .arg = arg };

    return meshrpr_sim_run_until_done(b->sim, run_pred_fn, &p, deadline_ms);
}

/* ---- Provisioning targets ------------------------------------------------------------------ */

struct b_target *building_target_add(struct building *b, const uint8_t uuid[16],
                                     const uint8_t *static_val, size_t static_len)
{
    const struct world_label *label = world_label_get(b->w, uuid);

    for (size_t i = 0; i < BUILDING_MAX_TARGETS; i++) {
        struct b_target *t = &b->targets[i];
        if (t->used) {
            continue;
        }
        memset(t, 0, sizeof(*t));
        t->used = true;
        t->since_ms = building_now_ms(b);
        memcpy(t->uuid, uuid, 16);
        if (static_val != NULL && static_len > 0 && static_len <= sizeof(t->static_val)) {
            memcpy(t->static_val, static_val, static_len);
            t->static_len = (uint8_t)static_len;
        } else if (label != NULL) {
            memcpy(t->static_val, label->value, label->len);
            t->static_len = label->len;
        }
        return t;
    }
    return NULL;
}

struct b_target *building_target_get(struct building *b, const uint8_t uuid[16])
{
    for (size_t i = 0; i < BUILDING_MAX_TARGETS; i++) {
        if (b->targets[i].used && memcmp(b->targets[i].uuid, uuid, 16) == 0) {
            return &b->targets[i];
        }
    }
    return NULL;
}

void building_target_del(struct building *b, struct b_target *t)
{
    (void)b;
    if (t != NULL) {
        memset(t, 0, sizeof(*t));
    }
}

const struct b_prov_event *building_prov_event(const struct building *b, const uint8_t uuid[16],
                                               uint64_t since_ms)
{
    for (size_t i = 0; i < b->prov_count; i++) {
        const struct b_prov_event *e = &b->provs[i];
        if (e->time_ms >= since_ms && memcmp(e->uuid, uuid, 16) == 0) {
            return e;
        }
    }
    return NULL;
}

static const char *rpr_status_words(unsigned status)
{
    static const char *const names[] = {
        "success",
        "scanning cannot start",
        "invalid state",
        "limited resources",
        "the link cannot open",
        "the link open failed (the device did not answer)",
        "the link was closed by the device",
        "the link was closed by the server",
        "the link was closed by the client",
        "the link closed: cannot receive a PDU",
        "the link closed: cannot send a PDU",
        "the link closed: cannot deliver a PDU Report",
    };

    return status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown status";
}

bool building_prov_ended(const struct building *b, const uint8_t uuid[16], uint16_t server,
                         uint64_t since_ms, struct b_outcome *out)
{
    const struct b_prov_event *e = building_prov_event(b, uuid, since_ms);
    const struct b_link_event *idle = NULL;

    if (e == NULL) {
        for (size_t i = 0; i < b->link_count; i++) {
            const struct b_link_event *l = &b->links[i];
            if (l->time_ms >= since_ms && l->server == server &&
                l->link.state == BT_MESH_RPR_LINK_IDLE) {
                idle = l;
                break;
            }
        }
        if (idle == NULL) {
            return false;
        }
    }
    if (out == NULL) {
        return true;
    }
    memset(out, 0, sizeof(*out));
    out->time_ms = e != NULL ? e->time_ms : idle->time_ms;
    if (e != NULL && e->added) {
        out->ok = true;
        out->addr = e->addr;
        out->elements = e->elements;
    } else if (e != NULL) {
        const struct meshrpr_prov_result *r = &e->result;
        static const char *const errors[] = {
            "prohibited",        "invalid PDU",         "invalid format",
            "unexpected PDU",    "confirmation failed", "out of resources",
            "decryption failed", "unexpected error",    "cannot assign addresses",
            "invalid data",
        };
        const char *code = r->error_code < sizeof(errors) / sizeof(errors[0])
                               ? errors[r->error_code]
                               : "unknown error";
        switch (r->status) {
        case MESHRPR_PROV_STATUS_PEER_FAILED:
            snprintf(out->why, sizeof(out->why), "the device sent Provisioning Failed (%s)", code);
            break;
        case MESHRPR_PROV_STATUS_REFUSED:
        case MESHRPR_PROV_STATUS_LOCAL_ERROR:
            snprintf(out->why, sizeof(out->why), "the provisioner gave up (%s)", code);
            break;
        case MESHRPR_PROV_STATUS_TIMEOUT:
            snprintf(out->why, sizeof(out->why), "timed out");
            break;
        default:
            snprintf(out->why, sizeof(out->why), "the link closed before the end");
            break;
        }
    } else {
        snprintf(out->why, sizeof(out->why), "%s", rpr_status_words(idle->link.status));
    }
    return true;
}

struct prov_wait_arg {
    const uint8_t *uuid;
    uint16_t server;
    uint64_t since_ms;
};

static bool prov_wait_pred(struct building *b, void *arg)
{
    const struct prov_wait_arg *w = arg;

    return building_prov_ended(b, w->uuid, w->server, w->since_ms, NULL);
}

bool building_prov_wait(struct building *b, const uint8_t uuid[16], uint16_t server,
                        uint64_t since_ms, uint64_t max_ms, struct b_outcome *out)
{
    struct prov_wait_arg w = { .uuid = uuid, .server = server, .since_ms = since_ms };

    if (building_run_until(b, prov_wait_pred, &w, since_ms + max_ms) == 0) {
        (void)building_run_for(b, BUILDING_PROV_GRACE_MS);
    }
    if (building_prov_ended(b, uuid, server, since_ms, out)) {
        return true;
    }
    memset(out, 0, sizeof(*out));
    out->time_ms = building_now_ms(b);
    snprintf(out->why, sizeof(out->why), "did not finish within %u s", (unsigned)(max_ms / 1000));
    return false;
}

void building_progress(struct building *b, const char *fmt, ...)
{
    char text[256];
    va_list ap;

    if (b->progress == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    b->progress(b, text);
}

int building_comp_get(struct building *b, uint16_t addr, unsigned tries, unsigned *elements,
                      unsigned *models)
{
    const struct meshrpr_cdb_node *entry = meshrpr_cdb_node_get(&b->w->cdb, addr);
    unsigned e, m;
    int err = -ETIMEDOUT;

    if (entry == NULL) {
        return -ENOENT;
    }
    for (unsigned i = 0; i < tries && err == -ETIMEDOUT; i++) {
        NET_BUF_SIMPLE_DEFINE(comp, BT_MESH_RX_SDU_MAX);
        uint8_t page = 0xff;

        err = meshrpr_cfg_cli_comp_data_get(building_cfg_cli(b), entry->net_idx, addr, 0, &page,
                                            &comp);
        if (err == 0) {
            err = page == 0 ? building_comp_count(comp.data, comp.len, &e, &m) : -EINVAL;
            if (err == 0 && elements != NULL) {
                *elements = e;
            }
            if (err == 0 && models != NULL) {
                *models = m;
            }
        }
    }
    return err;
}

int building_comp_count(const uint8_t *data, size_t len, unsigned *elements, unsigned *models)
{
    size_t pos = 10; /* CID, PID, VID, CRPL, Features (MshPRTv1.1 §4.2.2.1) */

    *elements = 0;
    *models = 0;
    if (len < pos) {
        return -EINVAL;
    }
    while (pos < len) {
        unsigned sig, vnd;
        if (len - pos < 4) {
            return -EINVAL;
        }
        sig = data[pos + 2];
        vnd = data[pos + 3];
        pos += 4;
        if (len - pos < 2 * sig + 4 * vnd) {
            return -EINVAL;
        }
        pos += 2 * sig + 4 * vnd;
        (*elements)++;
        *models += sig + vnd;
    }
    return 0;
}
