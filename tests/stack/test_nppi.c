/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Re-provisioning through the Node Provisioning Protocol Interface (MshPRTv1.1 §3.11.8,
 * issue #6) in the simulator with real nodes: a provisioner (Configuration Client, Remote
 * Provisioning Client, node database) refreshes a node that hosts a Configuration Server and a
 * Remote Provisioning Server offered for NPPI.
 *
 * Covered ("Done means"): the documentation's example (0x0006 moves to 0x0009, and 0x0006 then
 * answers nothing with either key); three Device Key, three Node Composition and three Node
 * Address Refreshes in a row, each checked through the database, a Configuration Client
 * request secured with the new key and, for compositions, page 0 against the former page 128;
 * refusals (no pending composition change, wrong IV Index, wrong NetKey, an overlapping new
 * range) that leave the node and the database as they were; a refresh interrupted after the
 * Provisioning Data (the radio cut when the device has taken the data, when the client has the
 * device's Provisioning Complete, and when that Complete is acknowledged but the client's Link
 * Close is not through), then retried; a node restarted from file storage after each procedure
 * (a Device Key Candidate not used yet is still promoted on first use, a later firmware's
 * pending composition is not taken for a refreshed one), and a node reset with a candidate
 * pending that never takes it again; and a provisioner that refreshes itself (all three
 * procedures) through its own server. Every test ends with every node, server and session idle.
 *
 * Test-only seams: meshrpr_prov_test_iv_index_once() (tests/support/prov_test_hooks.h) makes the
 * provisioner send one wrong IV Index; the wrong NetKey is written into the provisioner's subnet
 * table (struct meshrpr_subnet.net_key: the derived network credentials stay, so traffic flows) and
 * put back afterwards. A node's pending composition (page 128) is set white-box in its
 * node->cfg.comp_next, or through the configuration a restart gives it. Node internals
 * (candidate key, NPPI state, the client's and server's link state) are read white-box.
 * NPPI_LOG=1 in the environment prints the nodes' log lines.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <meshrpr/mesh.h>
#include <meshrpr/storage.h>

#include "models/rpr_srv.h"
#include "net/keys.h"
#include "node/node_internal.h"
#include "prov/prov.h"
#include "prov_test_hooks.h"
#include "rpr_world.h"
#include "test_util.h"

#define TARGET_ADDR 0x0006

static struct rpr_world *W;

/* ---- World ------------------------------------------------------------------------------- */

static void log_line(void *arg, uint64_t time_us, const char *node_name,
                     enum meshrpr_log_level level, const char *module, const char *text)
{
    (void)arg;
    printf("%8.3f %-6s %d %-8s %s\n", (double)time_us / 1e6, node_name != NULL ? node_name : "-",
           (int)level, module, text);
}

static void world_log(void)
{
    const char *env = getenv("NPPI_LOG");

    if (env != NULL && env[0] == '1') {
        meshrpr_sim_set_log(&W->sim, MESHRPR_LOG_LEVEL_DBG, log_line, NULL);
    }
}

/* A provisioner and one NPPI server at TARGET_ADDR in its range; returns the server's index. */
static int nppi_world(uint64_t seed, const struct meshrpr_storage *storage)
{
    int t;

    W = rw_new(seed);
    assert_non_null(W);
    world_log();
    t = rw_add_nppi_server(W, TARGET_ADDR, storage);
    assert_true(t > 0);
    rw_link(W, 0, t, 0.0);
    return t;
}

/* Every node idle, and the Remote Provisioning Servers and provisioning sessions too. */
static void settle_and_free(void)
{
    assert_true(rw_settle(W, 60000));
    for (int i = 0; i < W->count; i++) {
        struct rw_node *rn = &W->nodes[i];
        if (rn->kind == RW_SERVER || (i == 0 && W->prov_has_srv)) {
            assert_true(meshrpr_rpr_srv_is_idle(&rn->rpr_srv));
        }
        assert_false(meshrpr_prov_is_busy(&rn->node));
        assert_false(rn->node.nppi.pending);
    }
    rw_free(W);
    W = NULL;
}

static bool added_pred(struct rpr_world *w, void *arg)
{
    return w->added_count >= (size_t)(uintptr_t)arg;
}

static bool links_free_pred(struct rpr_world *w, void *arg)
{
    (void)arg;
    return meshrpr_rpr_cli_link_count(rw_cli(w)) == 0 && !meshrpr_prov_is_busy(&rw_prov(w)->node);
}

static struct meshrpr_cdb_node *db(uint16_t addr)
{
    struct meshrpr_cdb_node *n = meshrpr_cdb_node_get(&W->cdb, addr);

    return (n != NULL && n->addr == addr) ? n : NULL;
}

/* ---- Configuration Client requests ------------------------------------------------------ */

struct page {
    uint8_t page;
    size_t len;
    uint8_t data[BT_MESH_RX_SDU_MAX];
};

/* Composition Data Get, secured with the device key the database has for addr. */
static int comp_get(uint16_t addr, uint8_t page, struct page *out)
{
    NET_BUF_SIMPLE_DEFINE(buf, BT_MESH_RX_SDU_MAX);
    uint8_t rsp_page = 0xff;
    int err;

    err = meshrpr_cfg_cli_comp_data_get(&rw_prov(W)->cfg_cli, RW_NET_IDX, addr, page, &rsp_page,
                                        &buf);
    if (out != NULL) {
        /* Defined even on failure, so a caller's later comparison never reads garbage. */
        out->page = 0xff;
        out->len = 0;
    }
    if (err == 0 && out != NULL) {
        out->page = rsp_page;
        out->len = buf.len;
        memcpy(out->data, buf.data, buf.len);
    }
    return err;
}

/* The same with a given key: a temporary database entry at addr holds it (or, when the
 * database has a node at addr, its key is swapped for the request). */
static int comp_get_with_key(uint16_t addr, const uint8_t key[16])
{
    static const uint8_t temp_uuid[16] = { 0x7e, 0x57 };
    struct meshrpr_cdb_node *n = db(addr);
    uint8_t saved[16];
    int err;

    if (n != NULL) {
        memcpy(saved, n->dev_key, 16);
        memcpy(n->dev_key, key, 16);
        err = comp_get(addr, 0, NULL);
        memcpy(n->dev_key, saved, 16);
        return err;
    }
    n = meshrpr_cdb_node_alloc(&W->cdb, temp_uuid, addr, 1, RW_NET_IDX);
    assert_non_null(n);
    memcpy(n->dev_key, key, 16);
    err = comp_get(addr, 0, NULL);
    meshrpr_cdb_node_del(&W->cdb, n);
    return err;
}

static void assert_pages_equal(const struct page *a, const struct page *b)
{
    assert_int_equal(a->len, b->len);
    assert_memory_equal(a->data, b->data, a->len);
}

static bool pages_equal(const struct page *a, const struct page *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* ---- Refreshing -------------------------------------------------------------------------- */

struct before {
    struct meshrpr_cdb_node entry;
    size_t added;
    unsigned reprov;
};

static void snapshot(uint16_t addr, struct before *b)
{
    struct meshrpr_cdb_node *n = db(addr);

    assert_non_null(n);
    b->entry = *n;
    b->added = W->added_count;
    b->reprov = W->reprov_count;
}

/* bt_mesh_reprovision_remote() through the node at addr (its own server), then wait for the
 * link to end. @return bt_mesh_reprovision_remote()'s result. */
static int reprovision(uint16_t addr, uint16_t new_addr, bool comp_change)
{
    struct bt_mesh_rpr_node srv = { .addr = addr,
                                    .net_idx = RW_NET_IDX,
                                    .ttl = BT_MESH_TTL_DEFAULT };
    int err = bt_mesh_reprovision_remote(rw_cli(W), &srv, new_addr, comp_change);

    assert_true(rw_run_until(W, links_free_pred, NULL, 150000));
    assert_true(rw_settle(W, 150000));
    return err;
}

/* A refresh that succeeded: node_added and reprovisioned fired with the new address, the
 * database has the new key (and address and element count), the node the same. */
static void check_refreshed(int t, const struct before *b, uint16_t new_addr, uint8_t elems)
{
    struct rw_node *rn = &W->nodes[t];
    struct meshrpr_cdb_node *n = db(new_addr);
    const uint8_t *node_key;

    assert_int_equal(W->added_count, b->added + 1);
    assert_int_equal(W->added[W->added_count - 1].addr, new_addr);
    assert_int_equal(W->added[W->added_count - 1].elems, elems);
    assert_memory_equal(W->added[W->added_count - 1].uuid, b->entry.uuid, 16);
    assert_int_equal(W->reprov_count, b->reprov + 1);
    assert_int_equal(W->reprov_addr, new_addr);
    assert_non_null(n);
    assert_memory_equal(n->uuid, b->entry.uuid, 16);
    assert_int_equal(n->num_elem, elems);
    assert_memory_not_equal(n->dev_key, b->entry.dev_key, 16);
    if (new_addr != b->entry.addr) {
        assert_null(db(b->entry.addr));
    }
    assert_int_equal(meshrpr_node_addr(&rn->node), new_addr);
    assert_int_equal(meshrpr_node_elem_count(&rn->node), elems);
    /* The key the node will use: its candidate until the first use, or the key itself. */
    node_key = rn->node.has_dev_key_candidate ? rn->node.dev_key_candidate : rn->node.dev_key;
    assert_memory_equal(node_key, n->dev_key, 16);
}

/* The node answers a Configuration Client request with the database's (new) key, and after
 * that use the key is the node's device key: the old one opens nothing any more. (The
 * provisioner's requests to itself use its own device key once no candidate is pending, so
 * the old key cannot be tried there.) */
static void check_new_key_in_use(int t, uint16_t addr, const uint8_t old_key[16])
{
    struct rw_node *rn = &W->nodes[t];

    assert_int_equal(comp_get(addr, 0, NULL), 0);
    assert_false(rn->node.has_dev_key_candidate);
    assert_memory_equal(rn->node.dev_key, db(addr)->dev_key, 16);
    if (t != 0) {
        assert_int_equal(comp_get_with_key(addr, old_key), -ETIMEDOUT);
    }
}

/* A refusal left everything as it was: no callbacks, the database entry untouched, the node on
 * its old address and key (a request with the old key is answered), no candidate. */
static void check_unchanged(int t, const struct before *b)
{
    struct rw_node *rn = &W->nodes[t];
    struct meshrpr_cdb_node *n = db(b->entry.addr);

    assert_int_equal(W->added_count, b->added);
    assert_int_equal(W->reprov_count, b->reprov);
    assert_non_null(n);
    assert_memory_equal(n->uuid, b->entry.uuid, 16);
    assert_int_equal(n->num_elem, b->entry.num_elem);
    assert_memory_equal(n->dev_key, b->entry.dev_key, 16);
    assert_int_equal(meshrpr_cdb_node_count(&W->cdb), 2);
    assert_int_equal(meshrpr_node_addr(&rn->node), b->entry.addr);
    assert_memory_equal(rn->node.dev_key, b->entry.dev_key, 16);
    assert_false(rn->node.has_dev_key_candidate);
    assert_false(rn->node.nppi.pending);
    assert_int_equal(comp_get(b->entry.addr, 0, NULL), 0);
}

/* ---- Compositions ------------------------------------------------------------------------ */

/* Compositions the target goes through, all reusing its Configuration Server and Remote
 * Provisioning Server model objects (its primary element):
 *   A: the primary element (what the world built);
 *   B: A plus an element with a Generic OnOff Server;
 *   C: B plus an element with a Generic Level Server;
 *   D: one element, the primary one with a third model (Generic Power OnOff Server). */
static const struct bt_mesh_model_op no_ops[] = { BT_MESH_MODEL_OP_END };
static struct bt_mesh_model_rt_ctx extra_rt[2];
static struct bt_mesh_model extra_models[2];

struct comps {
    struct bt_mesh_comp a, b, c, d;
    struct bt_mesh_elem b_elems[2];
    struct bt_mesh_elem c_elems[3];
    struct bt_mesh_elem d_elems[1];
};

static struct comps C;

static void comps_build(int t)
{
    struct rw_node *rn = &W->nodes[t];

    memset(&C, 0, sizeof(C));
    memset(extra_rt, 0, sizeof(extra_rt));
    memset(extra_models, 0, sizeof(extra_models));
    extra_models[0] = (struct bt_mesh_model){ .id = 0x1000, .op = no_ops, .rt = &extra_rt[0] };
    extra_models[1] = (struct bt_mesh_model){ .id = 0x1002, .op = no_ops, .rt = &extra_rt[1] };
    /* The third model of the primary element, used by D only. */
    memset(&rn->models[2], 0, sizeof(rn->models[2]));
    memset(&rn->rt[2], 0, sizeof(rn->rt[2]));
    rn->models[2].id = 0x1006;
    rn->models[2].op = no_ops;
    rn->models[2].rt = &rn->rt[2];

    C.a = rn->comp;
    C.b = rn->comp;
    C.b_elems[0] = rn->elem;
    C.b_elems[1] =
        (struct bt_mesh_elem){ .loc = 0x0002, .model_count = 1, .models = &extra_models[0] };
    C.b.elem = C.b_elems;
    C.b.elem_count = 2;
    C.c = rn->comp;
    C.c_elems[0] = rn->elem;
    C.c_elems[1] = C.b_elems[1];
    C.c_elems[2] =
        (struct bt_mesh_elem){ .loc = 0x0003, .model_count = 1, .models = &extra_models[1] };
    C.c.elem = C.c_elems;
    C.c.elem_count = 3;
    C.d = rn->comp;
    C.d_elems[0] = rn->elem;
    C.d_elems[0].model_count = 3;
    C.d.elem = C.d_elems;
    C.d.elem_count = 1;
}

/* ---- 1. The documentation's example ------------------------------------------------------ */

static void test_doc_example(void **state)
{
    struct before b;
    uint8_t old_key[16];
    uint8_t new_key[16];
    int t;

    (void)state;
    t = nppi_world(0x6e000001, NULL);
    assert_int_equal(comp_get(TARGET_ADDR, 0, NULL), 0);
    snapshot(TARGET_ADDR, &b);
    memcpy(old_key, b.entry.dev_key, 16);

    /* As in the documentation: */
    struct bt_mesh_rpr_node srv = {
        .addr = 0x0006,
        .net_idx = 0,
        .ttl = BT_MESH_TTL_DEFAULT,
    };

    assert_int_equal(bt_mesh_reprovision_remote(rw_cli(W), &srv, 0x0009, false), 0);
    assert_true(rw_run_until(W, added_pred, (void *)(uintptr_t)(b.added + 1), 30000));
    assert_true(rw_run_until(W, links_free_pred, NULL, 30000));
    assert_true(rw_settle(W, 60000));

    check_refreshed(t, &b, 0x0009, 1);
    /* An address refresh makes the new key the device key at once. */
    assert_false(W->nodes[t].node.has_dev_key_candidate);
    memcpy(new_key, db(0x0009)->dev_key, 16);
    assert_memory_equal(W->nodes[t].node.dev_key, new_key, 16);

    /* 0x0009 answers with the new key; 0x0006 answers nothing, with either key. */
    assert_int_equal(comp_get(0x0009, 0, NULL), 0);
    assert_int_equal(comp_get_with_key(0x0006, old_key), -ETIMEDOUT);
    assert_int_equal(comp_get_with_key(0x0006, new_key), -ETIMEDOUT);
    /* Nor does 0x0009 with the old key. */
    assert_int_equal(comp_get_with_key(0x0009, old_key), -ETIMEDOUT);
    assert_int_equal(comp_get(0x0009, 0, NULL), 0);
    settle_and_free();
}

/* ---- 2. Three of each in a row ----------------------------------------------------------- */

static void devkey_refresh(int t, uint16_t addr)
{
    struct rw_node *rn = &W->nodes[t];
    struct before b;

    snapshot(addr, &b);
    assert_int_equal(reprovision(addr, addr, false), 0);
    check_refreshed(t, &b, addr, b.entry.num_elem);
    /* Until its first use, the new key is a candidate and the old one still works. */
    assert_true(rn->node.has_dev_key_candidate);
    assert_memory_equal(rn->node.dev_key, b.entry.dev_key, 16);
    assert_int_equal(comp_get_with_key(addr, b.entry.dev_key), 0);
    assert_true(rn->node.has_dev_key_candidate);
    check_new_key_in_use(t, addr, b.entry.dev_key);
}

/* Node Composition Refresh to next (set as the node's pending page 128). */
static void comp_refresh(int t, uint16_t addr, const struct bt_mesh_comp *next)
{
    struct rw_node *rn = &W->nodes[t];
    struct page p0_before, p128_before, p0_after, p128_after;
    struct before b;

    rn->node.cfg.comp_next = next;
    assert_int_equal(comp_get(addr, 0, &p0_before), 0);
    assert_int_equal(comp_get(addr, 128, &p128_before), 0);
    assert_int_equal(p0_before.page, 0);
    assert_int_equal(p128_before.page, 128);
    assert_false(pages_equal(&p0_before, &p128_before));
    snapshot(addr, &b);

    assert_int_equal(reprovision(addr, addr, true), 0);
    check_refreshed(t, &b, addr, (uint8_t)next->elem_count);
    assert_ptr_equal(rn->node.cfg.comp, next);
    check_new_key_in_use(t, addr, b.entry.dev_key);
    /* Page 0 is the former page 128, and no change is pending any more. */
    assert_int_equal(comp_get(addr, 0, &p0_after), 0);
    assert_int_equal(comp_get(addr, 128, &p128_after), 0);
    assert_pages_equal(&p0_after, &p128_before);
    assert_pages_equal(&p128_after, &p0_after);
}

static void addr_refresh(int t, uint16_t addr, uint16_t new_addr)
{
    struct rw_node *rn = &W->nodes[t];
    uint32_t seq_before = meshrpr_node_seq(&rn->node);
    struct before b;

    snapshot(addr, &b);
    assert_int_equal(reprovision(addr, new_addr, false), 0);
    check_refreshed(t, &b, new_addr, b.entry.num_elem);
    assert_false(rn->node.has_dev_key_candidate);
    /* A new term: SEQ from 0 (nothing was sent since), and every element moved. */
    assert_true(seq_before > 0);
    assert_int_equal(meshrpr_node_seq(&rn->node), 0);
    for (uint16_t e = 0; e < b.entry.num_elem; e++) {
        assert_true(meshrpr_node_is_local_addr(&rn->node, (uint16_t)(new_addr + e)));
        assert_false(meshrpr_node_is_local_addr(&rn->node, (uint16_t)(addr + e)));
    }
    assert_int_equal(comp_get(new_addr, 0, NULL), 0);
    assert_int_equal(comp_get_with_key(new_addr, b.entry.dev_key), -ETIMEDOUT);
    assert_int_equal(comp_get_with_key(addr, b.entry.dev_key), -ETIMEDOUT);
    assert_int_equal(comp_get_with_key(addr, db(new_addr)->dev_key), -ETIMEDOUT);
}

static void test_three_of_each(void **state)
{
    int t;

    (void)state;
    t = nppi_world(0x6e000002, NULL);
    comps_build(t);
    for (int i = 0; i < 3; i++) {
        devkey_refresh(t, TARGET_ADDR);
    }
    comp_refresh(t, TARGET_ADDR, &C.b);
    comp_refresh(t, TARGET_ADDR, &C.c);
    comp_refresh(t, TARGET_ADDR, &C.d);
    addr_refresh(t, 0x0006, 0x0007);
    addr_refresh(t, 0x0007, 0x0008);
    addr_refresh(t, 0x0008, 0x0009);
    /* Still a Remote Provisioning Server offering NPPI: one more of each kind works. */
    devkey_refresh(t, 0x0009);
    settle_and_free();
}

/* ---- 3. Refusals ------------------------------------------------------------------------- */

static void test_refuse_no_composition_change(void **state)
{
    struct bt_mesh_rpr_node srv = { .addr = TARGET_ADDR, .ttl = BT_MESH_TTL_DEFAULT };
    struct before b;
    size_t links;
    int t;

    (void)state;
    t = nppi_world(0x6e000003, NULL);
    snapshot(TARGET_ADDR, &b);
    /* No page 128 at all (page 128 is page 0). */
    assert_null(W->nodes[t].node.cfg.comp_next);
    links = W->link_count;
    /* The server refuses the Link Open (Link Cannot Open): the call says so at once. */
    assert_int_equal(bt_mesh_reprovision_remote(rw_cli(W), &srv, TARGET_ADDR, true), -ECONNREFUSED);
    assert_int_equal(meshrpr_rpr_cli_link_count(rw_cli(W)), 0);
    assert_true(W->link_count > links);
    assert_int_equal(W->links[W->link_count - 1].link.status, BT_MESH_RPR_ERR_LINK_CANNOT_OPEN);
    assert_int_equal(W->links[W->link_count - 1].link.state, BT_MESH_RPR_LINK_IDLE);
    assert_true(rw_settle(W, 60000));
    check_unchanged(t, &b);

    /* A page 128 equal to page 0 (the same composition given as the next one) is no change
     * either. */
    W->nodes[t].node.cfg.comp_next = W->nodes[t].node.cfg.comp;
    assert_int_equal(bt_mesh_reprovision_remote(rw_cli(W), &srv, TARGET_ADDR, true), -ECONNREFUSED);
    assert_true(rw_settle(W, 60000));
    check_unchanged(t, &b);
    W->nodes[t].node.cfg.comp_next = NULL;
    /* The node still takes a Device Key Refresh. */
    devkey_refresh(t, TARGET_ADDR);
    settle_and_free();
}

/* The provisioner's and the device's results of a refresh refused with Invalid Data. */
static void check_invalid_data(int t)
{
    struct meshrpr_prov_result r;

    assert_int_equal(meshrpr_prov_last_result(&rw_prov(W)->node, &r), 0);
    assert_true(r.provisioner);
    assert_int_equal(r.status, MESHRPR_PROV_STATUS_PEER_FAILED);
    assert_int_equal(r.error_code, MESHRPR_PROV_ERR_INVALID_DATA);
    assert_int_equal(meshrpr_prov_last_result(&W->nodes[t].node, &r), 0);
    assert_false(r.provisioner);
    assert_int_equal(r.status, MESHRPR_PROV_STATUS_REFUSED);
    assert_int_equal(r.error_code, MESHRPR_PROV_ERR_INVALID_DATA);
}

static void test_refuse_wrong_iv_index(void **state)
{
    struct before b;
    int t;

    (void)state;
    t = nppi_world(0x6e000004, NULL);
    comps_build(t);
    snapshot(TARGET_ADDR, &b);
    for (int proc = 0; proc < 3; proc++) {
        /* Each procedure checks the IV Index. */
        if (proc == 2) {
            W->nodes[t].node.cfg.comp_next = &C.b;
        }
        meshrpr_prov_test_iv_index_once(&rw_prov(W)->node,
                                        meshrpr_node_iv_index(&rw_prov(W)->node) + 1);
        assert_int_equal(reprovision(TARGET_ADDR, proc == 1 ? 0x0010 : TARGET_ADDR, proc == 2), 0);
        check_invalid_data(t);
        check_unchanged(t, &b);
    }
    assert_ptr_equal(W->nodes[t].node.cfg.comp, &W->nodes[t].comp);
    W->nodes[t].node.cfg.comp_next = NULL;
    devkey_refresh(t, TARGET_ADDR);
    settle_and_free();
}

static void test_refuse_wrong_net_key(void **state)
{
    struct meshrpr_subnet *sub;
    uint8_t saved[16];
    struct before b;
    int t;

    (void)state;
    t = nppi_world(0x6e000005, NULL);
    snapshot(TARGET_ADDR, &b);
    sub = meshrpr_keys_subnet_get(&rw_prov(W)->node, RW_NET_IDX);
    assert_non_null(sub);
    memcpy(saved, sub->net_key, 16);
    sub->net_key[5] ^= 0x5a;
    assert_int_equal(reprovision(TARGET_ADDR, TARGET_ADDR, false), 0);
    check_invalid_data(t);
    check_unchanged(t, &b);
    assert_int_equal(reprovision(TARGET_ADDR, 0x0010, false), 0);
    check_invalid_data(t);
    check_unchanged(t, &b);
    memcpy(sub->net_key, saved, 16);
    addr_refresh(t, TARGET_ADDR, 0x0010);
    settle_and_free();
}

static void test_refuse_overlapping_range(void **state)
{
    struct before b;
    int t;

    (void)state;
    t = nppi_world(0x6e000006, NULL);
    comps_build(t);
    /* Three elements: 0x0006..0x0008. */
    comp_refresh(t, TARGET_ADDR, &C.c);
    snapshot(TARGET_ADDR, &b);
    assert_int_equal(b.entry.num_elem, 3);
    for (uint16_t a = 0x0004; a <= 0x0008; a++) {
        if (a == TARGET_ADDR) {
            continue;
        }
        /* The database lets the node's own range through; the node refuses it. */
        assert_int_equal(reprovision(TARGET_ADDR, a, false), 0);
        check_invalid_data(t);
        check_unchanged(t, &b);
    }
    /* Right after the old range is fine. */
    addr_refresh(t, TARGET_ADDR, 0x0009);
    settle_and_free();
}

/* ---- 4. Interrupted ---------------------------------------------------------------------- */

static int INTR_T;

/* The device accepted the Provisioning Data (its Provisioning Complete is on its way). */
static bool device_took_data(struct rpr_world *w, void *arg)
{
    (void)arg;
    return w->nodes[INTR_T].node.nppi.pending;
}

/* The client has the device's Provisioning Complete (its Link Close is on its way). */
static bool client_has_complete(struct rpr_world *w, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < MESHRPR_RPR_CLI_LINK_COUNT; i++) {
        if (rw_cli(w)->priv.links[i].state != 0 && rw_cli(w)->priv.links[i].nppi_done) {
            return true;
        }
    }
    return false;
}

/* The device's Provisioning Complete is through (the client's node acknowledged its PDU
 * Report) but the server has not had the client's Link Close yet. */
static bool complete_acked(struct rpr_world *w, void *arg)
{
    const struct meshrpr_rpr_srv *srv = &w->nodes[INTR_T].rpr_srv;

    return client_has_complete(w, arg) && srv->link_nppi && srv->nppi_complete == NULL &&
           w->nodes[INTR_T].node.prov.device.txq_count == 0;
}

static void interrupted(uint64_t seed, bool (*cut_when)(struct rpr_world *w, void *arg))
{
    struct bt_mesh_rpr_node srv = { .addr = TARGET_ADDR, .ttl = BT_MESH_TTL_DEFAULT };
    struct before b;
    int t;

    t = nppi_world(seed, NULL);
    INTR_T = t;
    snapshot(TARGET_ADDR, &b);
    for (int proc = 0; proc < 2; proc++) {
        uint16_t new_addr = proc == 0 ? TARGET_ADDR : 0x0010;

        assert_int_equal(bt_mesh_reprovision_remote(rw_cli(W), &srv, new_addr, false), 0);
        assert_true(rw_run_until(W, cut_when, NULL, 30000));
        /* The radio between the provisioner and the node goes down, until both sides have
         * given up on the link. */
        rw_link(W, 0, t, 1.0);
        assert_true(rw_run_until(W, links_free_pred, NULL, 150000));
        rw_run(W, 150000);
        assert_true(rw_idle(W));
        rw_link(W, 0, t, 0.0);
        /* Cut after the client had Complete, its entry stays pending (the node may have had
         * the Link Close): asking the node settles it on the identity it kept. */
        {
            struct meshrpr_cdb_node *n = meshrpr_cdb_node_by_uuid(&W->cdb, b.entry.uuid);
            assert_non_null(n);
            assert_int_equal(n->pending != MESHRPR_CDB_PENDING_NONE, cut_when != device_took_data);
            assert_int_equal(meshrpr_cfg_cli_reconcile(&rw_prov(W)->cfg_cli, &W->cdb, n), 0);
            assert_int_equal(n->pending, MESHRPR_CDB_PENDING_NONE);
        }
        check_unchanged(t, &b);
    }
    /* The provisioner tries again, and succeeds. */
    devkey_refresh(t, TARGET_ADDR);
    addr_refresh(t, TARGET_ADDR, 0x0010);
    settle_and_free();
}

static bool client_link_open(struct rpr_world *w, void *arg)
{
    (void)arg;
    for (size_t i = 0; i < MESHRPR_RPR_CLI_LINK_COUNT; i++) {
        if (rw_cli(w)->priv.links[i].state != 0 &&
            rw_cli(w)->priv.links[i].srv_state == (uint8_t)BT_MESH_RPR_LINK_ACTIVE) {
            return true;
        }
    }
    return false;
}

/* Issue #11: the server cannot deliver the provisionee's PDU Report (nothing from the node
 * reaches the provisioner any more) and closes the link (§4.4.5.5.2.6): the node's own result
 * says the link was closed, not that it timed out. */
static void test_undeliverable_report_result(void **state)
{
    struct bt_mesh_rpr_node srv = { .addr = TARGET_ADDR, .ttl = BT_MESH_TTL_DEFAULT };
    struct meshrpr_prov_result r;
    struct before b;
    int t;

    (void)state;
    t = nppi_world(0x6e00000e, NULL);
    snapshot(TARGET_ADDR, &b);
    assert_int_equal(bt_mesh_reprovision_remote(rw_cli(W), &srv, TARGET_ADDR, false), 0);
    assert_true(rw_run_until(W, client_link_open, NULL, 10000));
    assert_int_equal(
        meshrpr_sim_link_set_oneway(&W->sim, W->nodes[t].sim_id, W->nodes[0].sim_id, 1.0), 0);
    assert_true(rw_run_until(W, links_free_pred, NULL, 150000));
    rw_run(W, 70000);
    assert_true(meshrpr_rpr_srv_is_idle(&W->nodes[t].rpr_srv));
    assert_int_equal(W->nodes[t].rpr_srv.link_status,
                     BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_DELIVER_PDU_REPORT);
    assert_int_equal(meshrpr_prov_last_result(&W->nodes[t].node, &r), 0);
    assert_false(r.provisioner);
    assert_int_equal(r.status, MESHRPR_PROV_STATUS_LINK_CLOSED);
    rw_link(W, 0, t, 0.0);
    check_unchanged(t, &b);
    settle_and_free();
}

static void test_interrupted_before_complete(void **state)
{
    (void)state;
    interrupted(0x6e000007, device_took_data);
}

static void test_interrupted_after_complete(void **state)
{
    (void)state;
    interrupted(0x6e000008, client_has_complete);
}

/* ---- 5. Restarts ------------------------------------------------------------------------- */

struct store {
    char dir[64];
    struct meshrpr_storage_file file;
};

/* The storage of the test that runs (removed by the teardown, also when the test failed). */
static struct store ST;

static void store_init(struct store *s)
{
    snprintf(s->dir, sizeof(s->dir), "/tmp/meshrpr-nppi-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    assert_int_equal(meshrpr_storage_file_init(&s->file, s->dir), 0);
}

static int store_teardown(void **state)
{
    DIR *d;
    struct dirent *e;
    char path[400];

    (void)state;
    if (W != NULL) {
        rw_free(W);
        W = NULL;
    }
    if (ST.dir[0] == '\0' || (d = opendir(ST.dir)) == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof(path), "%s/%s", ST.dir, e->d_name);
            (void)unlink(path);
        }
    }
    closedir(d);
    (void)rmdir(ST.dir);
    memset(&ST, 0, sizeof(ST));
    return 0;
}

static void restart(int t)
{
    assert_int_equal(rw_restart(W, t), 0);
    assert_true(meshrpr_node_is_provisioned(&W->nodes[t].node));
}

static void test_restart_keeps_identity(void **state)
{
    struct rw_node *rn;
    struct before b;
    struct page p128_before, p0, p128;
    int t;

    (void)state;
    store_init(&ST);
    t = nppi_world(0x6e000009, &ST.file.storage);
    rn = &W->nodes[t];
    comps_build(t);

    /* Device Key Refresh, restart before the new key is used: the candidate survives and is
     * promoted on its first use; then it is the device key across restarts. */
    snapshot(TARGET_ADDR, &b);
    assert_int_equal(reprovision(TARGET_ADDR, TARGET_ADDR, false), 0);
    check_refreshed(t, &b, TARGET_ADDR, 1);
    restart(t);
    assert_true(rn->node.has_dev_key_candidate);
    assert_memory_equal(rn->node.dev_key_candidate, db(TARGET_ADDR)->dev_key, 16);
    assert_memory_equal(rn->node.dev_key, b.entry.dev_key, 16);
    check_new_key_in_use(t, TARGET_ADDR, b.entry.dev_key);
    restart(t);
    assert_false(rn->node.has_dev_key_candidate);
    assert_memory_equal(rn->node.dev_key, db(TARGET_ADDR)->dev_key, 16);
    assert_int_equal(comp_get(TARGET_ADDR, 0, NULL), 0);

    /* Node Composition Refresh A -> B, with the configuration the firmware gives (page 0 A,
     * page 128 B): after a restart the node is on B, with its candidate. */
    rn->cfg.comp = &C.a;
    rn->cfg.comp_next = &C.b;
    restart(t);
    assert_int_equal(comp_get(TARGET_ADDR, 128, &p128_before), 0);
    snapshot(TARGET_ADDR, &b);
    assert_int_equal(reprovision(TARGET_ADDR, TARGET_ADDR, true), 0);
    check_refreshed(t, &b, TARGET_ADDR, 2);
    restart(t);
    assert_ptr_equal(rn->node.cfg.comp, &C.b);
    assert_int_equal(meshrpr_node_elem_count(&rn->node), 2);
    assert_true(rn->node.has_dev_key_candidate);
    check_new_key_in_use(t, TARGET_ADDR, b.entry.dev_key);
    assert_int_equal(comp_get(TARGET_ADDR, 0, &p0), 0);
    assert_pages_equal(&p0, &p128_before);

    /* A later firmware brings C as page 128 (page 0 B): C is pending, not taken. */
    rn->cfg.comp = &C.b;
    rn->cfg.comp_next = &C.c;
    restart(t);
    assert_ptr_equal(rn->node.cfg.comp, &C.b);
    assert_int_equal(comp_get(TARGET_ADDR, 0, &p0), 0);
    assert_pages_equal(&p0, &p128_before);
    assert_int_equal(comp_get(TARGET_ADDR, 128, &p128_before), 0);
    assert_false(pages_equal(&p0, &p128_before));
    snapshot(TARGET_ADDR, &b);
    assert_int_equal(reprovision(TARGET_ADDR, TARGET_ADDR, true), 0);
    check_refreshed(t, &b, TARGET_ADDR, 3);
    restart(t);
    assert_ptr_equal(rn->node.cfg.comp, &C.c);
    assert_int_equal(comp_get(TARGET_ADDR, 0, &p0), 0);
    assert_pages_equal(&p0, &p128_before);
    assert_int_equal(comp_get(TARGET_ADDR, 128, &p128), 0);
    assert_pages_equal(&p128, &p0);
    check_new_key_in_use(t, TARGET_ADDR, b.entry.dev_key);

    /* Node Address Refresh: the new address and key at once, and after a restart. */
    rn->cfg.comp = &C.c;
    rn->cfg.comp_next = NULL;
    snapshot(TARGET_ADDR, &b);
    assert_int_equal(reprovision(TARGET_ADDR, 0x0020, false), 0);
    check_refreshed(t, &b, 0x0020, 3);
    restart(t);
    assert_int_equal(meshrpr_node_addr(&rn->node), 0x0020);
    assert_false(rn->node.has_dev_key_candidate);
    assert_memory_equal(rn->node.dev_key, db(0x0020)->dev_key, 16);
    assert_int_equal(comp_get(0x0020, 0, &p0), 0);
    assert_pages_equal(&p0, &p128);
    assert_int_equal(comp_get_with_key(TARGET_ADDR, b.entry.dev_key), -ETIMEDOUT);
    /* One more Device Key Refresh on the restarted node. */
    devkey_refresh(t, 0x0020);
    restart(t);
    assert_memory_equal(rn->node.dev_key, db(0x0020)->dev_key, 16);
    assert_int_equal(comp_get(0x0020, 0, NULL), 0);
    settle_and_free();
}

/* A node reset with a Device Key Candidate not used yet, then provisioned anew, never takes
 * that candidate again (not even after a restart). */
static void test_reset_drops_candidate(void **state)
{
    static const uint8_t new_key[16] = { 0x4e, 0x45, 0x57 };
    uint8_t candidate[16];
    struct rw_node *rn;
    struct before b;
    int t;

    (void)state;
    store_init(&ST);
    t = nppi_world(0x6e00000c, &ST.file.storage);
    rn = &W->nodes[t];
    snapshot(TARGET_ADDR, &b);
    assert_int_equal(reprovision(TARGET_ADDR, TARGET_ADDR, false), 0);
    check_refreshed(t, &b, TARGET_ADDR, 1);
    assert_true(rn->node.has_dev_key_candidate);
    memcpy(candidate, rn->node.dev_key_candidate, 16);

    meshrpr_node_reset(&rn->node);
    assert_false(rn->node.has_dev_key_candidate);
    assert_int_equal(rw_restart(W, t), 0);
    assert_false(meshrpr_node_is_provisioned(&rn->node));
    assert_false(rn->node.has_dev_key_candidate);
    /* Provisioned anew at another address (the provisioner's lower transport still holds the
     * old term's last SeqAuth from 0x0006, which meshrpr_replay_forget() does not clear). */
    assert_int_equal(
        meshrpr_node_provision(&rn->node, W->net_key, RW_NET_IDX, 0, 0, 0x0010, new_key), 0);
    db(TARGET_ADDR)->addr = 0x0010;
    memcpy(db(0x0010)->dev_key, new_key, 16);
    assert_int_equal(comp_get(0x0010, 0, NULL), 0);
    assert_int_equal(comp_get_with_key(0x0010, candidate), -ETIMEDOUT);
    assert_int_equal(comp_get_with_key(0x0010, b.entry.dev_key), -ETIMEDOUT);
    restart(t);
    assert_false(rn->node.has_dev_key_candidate);
    assert_int_equal(comp_get_with_key(0x0010, candidate), -ETIMEDOUT);
    assert_memory_equal(rn->node.dev_key, new_key, 16);
    assert_int_equal(comp_get(0x0010, 0, NULL), 0);
    settle_and_free();
}

/* ---- 6. A node refreshes itself ---------------------------------------------------------- */

static void test_self_refresh(void **state)
{
    struct bt_mesh_elem elems[2];
    struct bt_mesh_comp next;
    struct page p128_before, p0;
    struct rw_node *p;
    struct before b;

    (void)state;
    W = rw_new_self_server(0x6e00000a);
    assert_non_null(W);
    world_log();
    p = rw_prov(W);
    assert_int_equal(comp_get(RW_PROV_ADDR, 0, NULL), 0);

    /* Device Key Refresh of itself, three times. */
    for (int i = 0; i < 3; i++) {
        snapshot(RW_PROV_ADDR, &b);
        assert_int_equal(reprovision(RW_PROV_ADDR, RW_PROV_ADDR, false), 0);
        check_refreshed(0, &b, RW_PROV_ADDR, 1);
        assert_true(p->node.has_dev_key_candidate);
        /* The node's own Configuration Client uses the database's key for itself. */
        check_new_key_in_use(0, RW_PROV_ADDR, b.entry.dev_key);
    }

    /* Node Composition Refresh of itself: its four models (the client among them, running
     * the link) stay, an element is added. */
    memset(extra_rt, 0, sizeof(extra_rt));
    extra_models[0] = (struct bt_mesh_model){ .id = 0x1000, .op = no_ops, .rt = &extra_rt[0] };
    next = p->comp;
    elems[0] = p->elem;
    elems[1] = (struct bt_mesh_elem){ .loc = 0x0002, .model_count = 1, .models = &extra_models[0] };
    next.elem = elems;
    next.elem_count = 2;
    p->node.cfg.comp_next = &next;
    assert_int_equal(comp_get(RW_PROV_ADDR, 128, &p128_before), 0);
    snapshot(RW_PROV_ADDR, &b);
    assert_int_equal(reprovision(RW_PROV_ADDR, RW_PROV_ADDR, true), 0);
    check_refreshed(0, &b, RW_PROV_ADDR, 2);
    check_new_key_in_use(0, RW_PROV_ADDR, b.entry.dev_key);
    assert_int_equal(comp_get(RW_PROV_ADDR, 0, &p0), 0);
    assert_pages_equal(&p0, &p128_before);

    /* Node Address Refresh of itself: 0x0001..0x0002 move to 0x0003..0x0004. */
    snapshot(RW_PROV_ADDR, &b);
    assert_int_equal(reprovision(RW_PROV_ADDR, 0x0003, false), 0);
    check_refreshed(0, &b, 0x0003, 2);
    assert_false(p->node.has_dev_key_candidate);
    assert_int_equal(comp_get(0x0003, 0, &p0), 0);
    assert_pages_equal(&p0, &p128_before);
    /* And once more a Device Key Refresh, from its new address. */
    snapshot(0x0003, &b);
    assert_int_equal(reprovision(0x0003, 0x0003, false), 0);
    check_refreshed(0, &b, 0x0003, 2);
    check_new_key_in_use(0, 0x0003, b.entry.dev_key);
    settle_and_free();
}

static void test_interrupted_before_link_close(void **state)
{
    (void)state;
    interrupted(0x6e00000b, complete_acked);
}

/* An address refresh back to an address the provisioner heard before: the node restarts its
 * SEQ there, so the provisioner must forget both the replay entry and the reassembly context
 * of the old term, or the node's segmented answers (Composition Data Status) look replayed. */
static void test_addr_refresh_back(void **state)
{
    int t;

    (void)state;
    t = nppi_world(0x6e000011, NULL);
    assert_int_equal(comp_get(TARGET_ADDR, 0, NULL), 0); /* segmented reply from 0x0006 */
    addr_refresh(t, TARGET_ADDR, 0x0009);
    addr_refresh(t, 0x0009, TARGET_ADDR);
    assert_int_equal(comp_get(TARGET_ADDR, 0, NULL), 0);
    settle_and_free();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_example),
        cmocka_unit_test(test_addr_refresh_back),
        cmocka_unit_test(test_three_of_each),
        cmocka_unit_test(test_refuse_no_composition_change),
        cmocka_unit_test(test_refuse_wrong_iv_index),
        cmocka_unit_test(test_refuse_wrong_net_key),
        cmocka_unit_test(test_refuse_overlapping_range),
        cmocka_unit_test(test_interrupted_before_complete),
        cmocka_unit_test(test_undeliverable_report_result),
        cmocka_unit_test(test_interrupted_after_complete),
        cmocka_unit_test(test_interrupted_before_link_close),
        cmocka_unit_test_teardown(test_restart_keeps_identity, store_teardown),
        cmocka_unit_test_teardown(test_reset_drops_candidate, store_teardown),
        cmocka_unit_test(test_self_refresh),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
