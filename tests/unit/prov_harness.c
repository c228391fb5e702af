/* SPDX-License-Identifier: Apache-2.0 */
/* The in-memory provisioning bearer and node set-up of prov_harness.h. */
#include "prov_harness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

enum { H_EV_OPENED = 1, H_EV_PDU, H_EV_TX_DONE, H_EV_CLOSED };

static void push(struct harness *h, const struct h_ev *ev)
{
    if (h->ev_count >= H_MAX_EV) {
        abort(); /* a test bug: nothing should queue this much */
    }
    h->ev[h->ev_count++] = *ev;
}

static int fake_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                     meshrpr_prov_send_complete_t complete, void *cb_data)
{
    struct h_link *l = (struct h_link *)(void *)link;
    struct harness *h = l->h;
    struct h_ev ev = { .pair = (uint8_t)l->pair, .to = (uint8_t)!l->side };
    size_t n;

    if (l->closed || h->closing[l->pair]) {
        return -ENOTCONN;
    }
    if (l->pending) {
        return -EBUSY;
    }
    if (len == 0 || len > H_PDU_MAX) {
        return -EINVAL;
    }
    n = h->sent_n[l->pair][l->side];
    if (n < H_MAX_SENT) {
        memcpy(h->sent[l->pair][l->side][n], pdu, len);
        h->sent_len[l->pair][l->side][n] = len;
        h->sent_n[l->pair][l->side]++;
    }
    l->pending = true;
    l->complete = complete;
    l->cb_data = cb_data;
    memcpy(ev.pdu, pdu, len);
    n = len;
    ev.kind = H_EV_PDU;
    if (h->silent[l->pair][l->side] ||
        (h->tamper != NULL && !h->tamper(h, l->pair, l->side, ev.pdu, &n))) {
        /* Lost in the air; the bearer still reports the send done (as PB-ADV would not, but
         * the protocol timer is what these tests look at). */
        ev.kind = H_EV_TX_DONE;
        ev.to = (uint8_t)l->side;
    }
    ev.len = (uint8_t)n;
    push(h, &ev);
    return 0;
}

static void fake_close(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct h_link *l = (struct h_link *)(void *)link;
    struct harness *h = l->h;
    size_t kept = 0;

    l->close_calls++;
    if (h->closing[l->pair]) {
        return;
    }
    l->close_reason = (uint8_t)reason;
    h->closing[l->pair] = true;
    /* The link is gone: whatever was in flight on it is lost. */
    for (size_t i = 0; i < h->ev_count; i++) {
        if (h->ev[i].pair != l->pair) {
            h->ev[kept++] = h->ev[i];
        }
    }
    h->ev_count = kept;
    for (int side = 0; side < 2; side++) {
        struct h_ev ev = { .kind = H_EV_CLOSED,
                           .pair = (uint8_t)l->pair,
                           .to = (uint8_t)side,
                           .reason = (uint8_t)reason };
        h->link[l->pair][side].pending = false;
        push(h, &ev);
    }
}

static const struct meshrpr_prov_bearer_ops fake_ops = {
    .type = BT_MESH_PROV_ADV,
    .send = fake_send,
    .close = fake_close,
};

static void node_setup(struct harness *h, int i, uint8_t elems, uint64_t seed)
{
    fake_platform_init(&h->fp[i], seed);
    h->fp[i].now_ms = h->now_ms;
    for (uint8_t e = 0; e < elems; e++) {
        h->elem[i][e] =
            (struct bt_mesh_elem)BT_MESH_ELEM(e, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE);
    }
    h->comp[i] = (struct bt_mesh_comp){ .cid = 0xffff, .elem_count = elems, .elem = h->elem[i] };
    h->cfg[i] = (struct meshrpr_node_config){
        .platform = &h->fp[i].platform,
        .comp = &h->comp[i],
        .prov = &h->prov[i],
        .cdb = i == 0 ? &h->cdb : NULL,
        .name = i == 0 ? "prov" : "dev",
    };
    if (meshrpr_node_init(&h->node[i], &h->cfg[i]) != 0) {
        abort();
    }
}

void h_init(struct harness *h, int dev_count, uint8_t dev_elems)
{
    uint8_t net_key[16];
    uint8_t dev_key[16] = { 0x9d, 0x6d, 0xd0, 0xe9 };
    static const uint8_t mesh_uuid[16] = { 0x3f, 0x25, 0x04, 0xe0 };

    memset(h, 0, sizeof(*h));
    h->now_ms = 1000;
    h->dev_count = dev_count;
    meshrpr_cdb_init(&h->cdb, mesh_uuid, "test");
    for (int i = 0; i <= dev_count; i++) {
        test_hex("70cf7c9732a345b691494810d2e9cbf4", h->uuid[i], 16);
        h->uuid[i][15] = (uint8_t)(h->uuid[i][15] + i - 1);
        if (i > 0) {
            h->prov[i].uuid = h->uuid[i];
        }
        node_setup(h, i, i == 0 ? 1 : dev_elems, 100 + (uint64_t)i);
    }
    test_hex(H_SAMPLE_NET_KEY, net_key, 16);
    if (meshrpr_node_provision(&h->node[0], net_key, H_SAMPLE_NET_IDX, 0, H_SAMPLE_IV_INDEX,
                               H_PROV_ADDR, dev_key) != 0) {
        abort();
    }
    for (int p = 0; p < H_MAX_DEV; p++) {
        for (int side = 0; side < 2; side++) {
            h->link[p][side].link.ops = &fake_ops;
            h->link[p][side].h = h;
            h->link[p][side].pair = p;
            h->link[p][side].side = side;
        }
    }
}

int h_start(struct harness *h, int pair, uint16_t addr, uint8_t attention_s)
{
    struct h_ev ev = { .kind = H_EV_OPENED, .pair = (uint8_t)pair, .to = H_PROV };
    int err;

    for (int side = 0; side < 2; side++) {
        struct h_link *l = &h->link[pair][side];
        memset(&l->link, 0, sizeof(l->link));
        l->link.ops = &fake_ops;
        l->pending = false;
        l->closed = false;
        l->close_calls = 0;
        h->sent_n[pair][side] = 0;
        h->recv_n[pair][side] = 0;
    }
    h->closing[pair] = false;
    err = meshrpr_prov_provisioner_start(&h->node[0], &h->link[pair][H_PROV].link,
                                         h->uuid[1 + pair], H_SAMPLE_NET_IDX, addr, attention_s);
    if (err != 0) {
        return err;
    }
    if (meshrpr_prov_device_start(&h->node[1 + pair], &h->link[pair][H_DEV].link) != 0) {
        abort();
    }
    push(h, &ev);
    return 0;
}

struct meshrpr_prov_session *h_session(struct harness *h, int pair, int side)
{
    return h->link[pair][side].link.session;
}

static void deliver(struct harness *h, const struct h_ev *ev)
{
    struct h_link *to = &h->link[ev->pair][ev->to];
    struct h_link *from = &h->link[ev->pair][!ev->to];

    switch (ev->kind) {
    case H_EV_OPENED:
        if (!to->closed && to->link.cb != NULL) {
            to->link.cb->link_opened(&to->link);
        }
        break;
    case H_EV_TX_DONE:
        from = to; /* completion for the sender itself */
        if (from->pending) {
            from->pending = false;
            from->complete(0, from->cb_data);
        }
        break;
    case H_EV_PDU:
        if (from->pending) {
            from->pending = false;
            from->complete(0, from->cb_data);
        }
        if (!to->closed && !h->closing[ev->pair] && to->link.cb != NULL) {
            h->recv_n[ev->pair][ev->to]++;
            to->link.cb->recv(&to->link, ev->pdu, ev->len);
        }
        break;
    case H_EV_CLOSED:
        if (!to->closed) {
            to->closed = true;
            if (to->link.cb != NULL) {
                to->link.cb->link_closed(&to->link, (enum meshrpr_prov_link_status)ev->reason);
            }
        }
        break;
    default:
        break;
    }
}

void h_pump(struct harness *h)
{
    for (int guard = 0; h->ev_count > 0 && guard < 10000; guard++) {
        struct h_ev ev = h->ev[0];
        memmove(&h->ev[0], &h->ev[1], sizeof(h->ev[0]) * (h->ev_count - 1));
        h->ev_count--;
        deliver(h, &ev);
    }
}

void h_run_for(struct harness *h, uint64_t ms)
{
    const uint64_t end = h->now_ms + ms;

    h_pump(h);
    for (;;) {
        uint64_t next = UINT64_MAX;
        for (int i = 0; i <= h->dev_count; i++) {
            uint64_t d = meshrpr_node_next_deadline_ms(&h->node[i]);
            next = d < next ? d : next;
        }
        if (next > end) {
            break;
        }
        h->now_ms = next > h->now_ms ? next : h->now_ms;
        for (int i = 0; i <= h->dev_count; i++) {
            h->fp[i].now_ms = h->now_ms;
            meshrpr_node_process(&h->node[i]);
        }
        h_pump(h);
    }
    h->now_ms = end;
    for (int i = 0; i <= h->dev_count; i++) {
        h->fp[i].now_ms = end;
    }
}

bool h_idle(struct harness *h)
{
    for (int i = 0; i <= h->dev_count; i++) {
        if (!meshrpr_node_is_idle(&h->node[i]) || meshrpr_prov_is_busy(&h->node[i])) {
            return false;
        }
    }
    return h->ev_count == 0;
}

const uint8_t *h_sent_type(struct harness *h, int pair, int side, uint8_t type, int n, size_t *len)
{
    for (size_t i = 0; i < h->sent_n[pair][side]; i++) {
        if (h->sent[pair][side][i][0] == type && n-- == 0) {
            if (len != NULL) {
                *len = h->sent_len[pair][side][i];
            }
            return h->sent[pair][side][i];
        }
    }
    return NULL;
}

int h_sent_count(struct harness *h, int pair, int side, uint8_t type)
{
    int count = 0;

    for (size_t i = 0; i < h->sent_n[pair][side]; i++) {
        count += h->sent[pair][side][i][0] == type;
    }
    return count;
}
