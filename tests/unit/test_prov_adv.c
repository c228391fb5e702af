/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Provisioning over the real PB-ADV bearer (MshPRTv1.1 §5.3, §5.4): a provisioner node calling
 * meshrpr_provision_adv() and a device node offered with meshrpr_prov_enable(), their
 * advertisements carried by a small in-test radio (a delay per transmission, optional
 * deterministic loss). Covers the sample keys end to end (the §8.17.1 DevKey), OOB methods,
 * 30 % packet loss, and a device that falls silent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "fake_platform.h"
#include "net/keys.h"
#include "prov/pb_adv.h"
#include "prov/prov.h"
#include "prov_test_hooks.h"

#include <meshrpr/cdb.h>
#include <meshrpr/node.h>
#include <meshrpr/prov.h>

#define AIR_MAX 512

struct air_pkt {
    uint64_t at_ms;
    int to;
    uint8_t ad_type;
    uint8_t len;
    uint8_t data[31];
};

struct world {
    struct fake_platform fp[2];
    struct meshrpr_node node[2]; /* 0: provisioner, 1: device */
    struct bt_mesh_elem elem[2][2];
    struct bt_mesh_comp comp[2];
    struct bt_mesh_prov prov[2];
    struct meshrpr_cdb cdb;
    uint8_t dev_uuid[16];
    struct air_pkt air[AIR_MAX];
    size_t air_count;
    uint64_t now_ms;
    unsigned loss_pct;
    uint64_t loss_rng;
    bool device_silent;
    unsigned sent_total;
};

static struct world *W;
static struct {
    int node_added;
    uint16_t added_addr;
    uint32_t dev_num;
    int prov_input;
    int link_close[2];
} R;

static unsigned rng_pct(struct world *w)
{
    uint64_t z = (w->loss_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (unsigned)((z ^ (z >> 31)) % 100);
}

static int air_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                    const struct meshrpr_adv_params *params)
{
    struct world *w = W;
    int from = ctx == &w->fp[0] ? 0 : 1;
    uint8_t count = params != NULL && params->count > 0 ? params->count : 1;

    if (len > 31) {
        return -EMSGSIZE;
    }
    w->sent_total++;
    if (from == 1 && w->device_silent) {
        return 0;
    }
    /* Each transmission is lost or heard on its own; copies arrive as duplicates. */
    for (uint8_t i = 0; i < count; i++) {
        struct air_pkt *p;
        if (w->loss_pct > 0 && rng_pct(w) < w->loss_pct) {
            continue;
        }
        if (w->air_count >= AIR_MAX) {
            return -ENOBUFS;
        }
        p = &w->air[w->air_count++];
        p->at_ms = w->now_ms + 2 + (uint64_t)i * (params != NULL ? params->interval_ms : 20);
        p->to = !from;
        p->ad_type = ad_type;
        p->len = (uint8_t)len;
        memcpy(p->data, data, len);
    }
    return 0;
}

static void deliver_due(struct world *w)
{
    for (size_t i = 0; i < w->air_count;) {
        if (w->air[i].at_ms <= w->now_ms) {
            struct air_pkt p = w->air[i];
            w->air[i] = w->air[--w->air_count];
            if (p.ad_type == MESHRPR_PB_ADV_AD_TYPE) {
                meshrpr_pb_adv_recv(&w->node[p.to], p.data, p.len);
            } else {
                meshrpr_node_adv_recv(&w->node[p.to], p.ad_type, p.data, p.len, -50);
            }
            i = 0; /* delivery may have queued or removed packets */
        } else {
            i++;
        }
    }
}

static void run_for(struct world *w, uint64_t ms)
{
    const uint64_t end = w->now_ms + ms;

    for (;;) {
        uint64_t next = UINT64_MAX;
        for (int i = 0; i < 2; i++) {
            uint64_t d = meshrpr_node_next_deadline_ms(&w->node[i]);
            next = d < next ? d : next;
        }
        for (size_t i = 0; i < w->air_count; i++) {
            next = w->air[i].at_ms < next ? w->air[i].at_ms : next;
        }
        if (next > end) {
            break;
        }
        w->now_ms = next > w->now_ms ? next : w->now_ms;
        w->fp[0].now_ms = w->fp[1].now_ms = w->now_ms;
        deliver_due(w);
        for (int i = 0; i < 2; i++) {
            meshrpr_node_process(&w->node[i]);
        }
    }
    w->now_ms = end;
    w->fp[0].now_ms = w->fp[1].now_ms = end;
}

/* Run until the provisioner has no session left (or limit_ms passes). */
static void run_until_done(struct world *w, uint64_t limit_ms)
{
    for (uint64_t t = 0; t < limit_ms && meshrpr_prov_is_busy(&w->node[0]); t += 100) {
        run_for(w, 100);
    }
    /* Link Close repeats, the device's side of the close, the closed link's linger */
    run_for(w, 1000 + MESHRPR_PB_ADV_LINGER_MS);
}

static void prov_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    (void)net_idx;
    (void)uuid;
    (void)num_elem;
    R.node_added++;
    R.added_addr = addr;
}

static int prov_input(bt_mesh_input_action_t act, uint8_t size)
{
    (void)act;
    (void)size;
    R.prov_input++;
    return 0;
}

static int dev_output_number(bt_mesh_output_action_t act, uint32_t num)
{
    (void)act;
    R.dev_num = num;
    return 0;
}

static void prov_link_close(bt_mesh_prov_bearer_t bearer)
{
    assert_int_equal(bearer, BT_MESH_PROV_ADV);
    R.link_close[0]++;
}

static void dev_link_close(bt_mesh_prov_bearer_t bearer)
{
    assert_int_equal(bearer, BT_MESH_PROV_ADV);
    R.link_close[1]++;
}

static struct world *world_new(uint64_t seed, uint8_t dev_elems)
{
    struct world *w = W;
    static const uint8_t mesh_uuid[16] = { 0x3f };
    uint8_t net_key[16];
    uint8_t dev_key[16] = { 1 };

    memset(w, 0, sizeof(*w));
    memset(&R, 0, sizeof(R));
    w->now_ms = 1000;
    w->loss_rng = seed;
    test_hex("70cf7c9732a345b691494810d2e9cbf4", w->dev_uuid, 16);
    meshrpr_cdb_init(&w->cdb, mesh_uuid, "adv");
    w->prov[0].node_added = prov_node_added;
    w->prov[0].input = prov_input;
    w->prov[0].link_close = prov_link_close;
    w->prov[1].uuid = w->dev_uuid;
    w->prov[1].output_number = dev_output_number;
    w->prov[1].link_close = dev_link_close;
    for (int i = 0; i < 2; i++) {
        struct meshrpr_node_config cfg;
        fake_platform_init(&w->fp[i], seed * 10 + (uint64_t)i);
        w->fp[i].now_ms = w->now_ms;
        w->fp[i].platform.adv_send = air_send;
        w->elem[i][0] =
            (struct bt_mesh_elem)BT_MESH_ELEM(0, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE);
        w->elem[i][1] =
            (struct bt_mesh_elem)BT_MESH_ELEM(1, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE);
        w->comp[i] = (struct bt_mesh_comp){ .cid = 0xffff,
                                            .elem_count = i == 0 ? 1 : dev_elems,
                                            .elem = w->elem[i] };
        cfg = (struct meshrpr_node_config){ .platform = &w->fp[i].platform,
                                            .comp = &w->comp[i],
                                            .prov = &w->prov[i],
                                            .cdb = i == 0 ? &w->cdb : NULL };
        assert_int_equal(meshrpr_node_init(&w->node[i], &cfg), 0);
    }
    test_hex("efb2255e6422d330088e09bb015ed707", net_key, 16);
    assert_int_equal(
        meshrpr_node_provision(&w->node[0], net_key, 0x0567, 0, 0x01020304, 0x0001, dev_key), 0);
    assert_int_equal(meshrpr_prov_enable(&w->node[1], BT_MESH_PROV_ADV), 0);
    return w;
}

static bool idle(struct world *w)
{
    return meshrpr_node_is_idle(&w->node[0]) && !meshrpr_prov_is_busy(&w->node[0]) &&
           !meshrpr_prov_is_busy(&w->node[1]) && meshrpr_pb_adv_is_idle(&w->node[0]) &&
           meshrpr_pb_adv_is_idle(&w->node[1]);
}

static void assert_provisioned(struct world *w, uint16_t addr, uint8_t elems)
{
    struct meshrpr_cdb_node *entry;

    assert_int_equal(R.node_added, 1);
    assert_int_equal(R.added_addr, addr);
    assert_true(meshrpr_node_is_provisioned(&w->node[1]));
    assert_int_equal(meshrpr_node_addr(&w->node[1]), addr);
    entry = meshrpr_cdb_node_get(&w->cdb, addr);
    assert_non_null(entry);
    assert_int_equal(entry->num_elem, elems);
    assert_memory_equal(entry->dev_key, w->node[1].dev_key, 16);
    assert_int_equal(R.link_close[0], 1);
    assert_int_equal(R.link_close[1], 1);
    assert_int_equal(meshrpr_prov_enabled(&w->node[1]), 0); /* no longer offered */
    assert_true(idle(w));
}

static void test_sample_keys_over_pb_adv(void **state)
{
    struct world *w = world_new(1, 1);
    uint8_t priv[32];
    uint8_t rnd[16];

    (void)state;
    w->prov[1].algorithms = BIT(BT_MESH_PROV_AUTH_CMAC_AES128_AES_CCM);
    assert_int_equal(meshrpr_provision_adv(&w->node[0], w->dev_uuid, 0x0567, 0x0b0c, 0), 0);
    /* White box: the sessions are in the nodes; inject the §8.17.1 keys and Randoms. */
    test_hex("06a516693c9aa31a6084545d0c5db641b48572b97203ddffb7ac73f7d0457663", priv, 32);
    test_hex("8b19ac31d58b124c946209b5db1021b9", rnd, 16);
    assert_int_equal(meshrpr_prov_test_inject(&w->node[0].prov.sessions[0], priv, rnd, 16), 0);
    while (w->node[1].prov.device.link == NULL) {
        run_for(w, 1);
        assert_true(w->now_ms < 10000);
    }
    test_hex("529aa0670d72cd6497502ed473502b037e8803b5c60829a5a3caa219505530ba", priv, 32);
    test_hex("55a2a2bca04cd32ff6f346bd0a0c1a3a", rnd, 16);
    assert_int_equal(meshrpr_prov_test_inject(&w->node[1].prov.device, priv, rnd, 16), 0);
    run_until_done(w, 60000);
    assert_provisioned(w, 0x0b0c, 1);
    /* The sample's DevKey on both sides. */
    assert_hex_equal(w->node[1].dev_key, 16, "0520adad5e0142aa3e325087b4ec16d8");
    assert_int_equal(meshrpr_node_iv_index(&w->node[1]), 0x01020304);
}

static void test_output_oob_over_pb_adv(void **state)
{
    struct world *w = world_new(2, 2);
    struct meshrpr_prov_result r;

    (void)state;
    w->prov[1].output_size = 6;
    w->prov[1].output_actions = BT_MESH_DISPLAY_NUMBER;
    assert_int_equal(meshrpr_prov_auth_method_set_output(&w->node[0], BT_MESH_DISPLAY_NUMBER, 6),
                     0);
    assert_int_equal(meshrpr_provision_adv(&w->node[0], w->dev_uuid, 0x0567, 0, 3), 0);
    while (R.prov_input == 0 || R.dev_num == 0) {
        run_for(w, 10);
        assert_true(w->now_ms < 20000);
    }
    run_for(w, 5000); /* the user reads the number */
    assert_int_equal(meshrpr_prov_input_number(&w->node[0], R.dev_num), 0);
    run_until_done(w, 60000);
    assert_provisioned(w, 0x0002, 2); /* lowest free range after the provisioner's 0x0001 */
    assert_int_equal(meshrpr_prov_last_result(&w->node[1], &r), 0);
    assert_int_equal(r.status, MESHRPR_PROV_STATUS_SUCCESS);
}

static void test_thirty_percent_loss(void **state)
{
    (void)state;
    for (uint64_t seed = 10; seed < 14; seed++) {
        struct world *w = world_new(seed, 2);
        w->loss_pct = 30;
        assert_int_equal(meshrpr_provision_adv(&w->node[0], w->dev_uuid, 0x0567, 0x0100, 0), 0);
        run_until_done(w, 120000);
        w->loss_pct = 0;
        run_for(w, 70000); /* a device that missed every Link Close times out on its own */
        assert_int_equal(R.node_added, 1);
        assert_true(meshrpr_node_is_provisioned(&w->node[1]));
        assert_int_equal(meshrpr_node_addr(&w->node[1]), 0x0100);
        assert_true(idle(w));
    }
}

static void test_device_goes_silent(void **state)
{
    struct world *w = world_new(3, 2);
    struct meshrpr_prov_result r;
    uint64_t t0;

    (void)state;
    assert_int_equal(meshrpr_provision_adv(&w->node[0], w->dev_uuid, 0x0567, 0, 0), 0);
    while (w->node[1].prov.device.link == NULL) {
        run_for(w, 1);
    }
    w->device_silent = true; /* the device stops answering once the link is open */
    t0 = w->now_ms;
    run_until_done(w, 120000);
    assert_int_equal(meshrpr_prov_last_result(&w->node[0], &r), 0);
    /* PB-ADV's transaction timer (30 s) or the protocol timer (60 s), whichever first. */
    assert_int_equal(r.status, MESHRPR_PROV_STATUS_TIMEOUT);
    assert_true(w->now_ms - t0 <= 61000 + 1000);
    assert_int_equal(R.node_added, 0);
    assert_int_equal(meshrpr_cdb_node_count(&w->cdb), 0);
    w->device_silent = false;
    run_for(w, 130000);
    assert_false(meshrpr_node_is_provisioned(&w->node[1]));
    assert_true(idle(w));
}

static int group_setup(void **state)
{
    (void)state;
    W = calloc(1, sizeof(*W));
    return W == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(W);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_keys_over_pb_adv),
        cmocka_unit_test(test_output_oob_over_pb_adv),
        cmocka_unit_test(test_thirty_percent_loss),
        cmocka_unit_test(test_device_goes_silent),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
