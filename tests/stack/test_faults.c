/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fault matrix (issue #11): a remote provisioning and each NPPI procedure (Device Key,
 * Node Address and Node Composition Refresh), interrupted at every STEP ms of its run by one
 * fault, on the deterministic simulator with real nodes and in-memory storage:
 *  - a restart of the device (provisioning only; for NPPI the device is the server), of the
 *    Remote Provisioning Server, or of the provisioner (client), each from what it stored
 *    (the provisioner's node database from what its cdb_store hook saved, round-tripped
 *    through the Mesh CDB JSON, so a pending entry must survive the file format);
 *  - a radio cut: every link down for CUT_MS.
 * A restarted provisioner starts again at once, as an application would (it settles what is
 * pending, then asks for the procedure again); the server may still hold the link of before
 * the restart, and the retry must finish within 30 s all the same (MshPRTv1.1 §4.4.5).
 * After the fault the world runs until every side has given up or finished; the provisioner
 * then acts as an application would after a restart: it settles pending database entries with
 * meshrpr_cfg_cli_reconcile(). Each run must end with
 *  - the device reachable (a Config Beacon Get answered) at the address and under the device
 *    key the database holds, or cleanly unprovisioned (no entry, or a pending one the device
 *    never took) and then provisioned on a second try: never orphaned (provisioned with a
 *    key the database does not hold) and never unreachable;
 *  - no (IV Index, SEQ, source) transmitted twice, counted from the radio: every mesh PDU
 *    any node sends is decoded with the network's keys as it leaves the radio, independent of
 *    the nodes' own bookkeeping.
 *
 * test_faults after-failed: after the device's Provisioning Failed the provisioner's side sends
 * nothing more but the Link Close (MshPRTv1.1 §5.4.4), on PB-ADV and through a server.
 *
 * Usage: test_faults <procedure> [step_ms]  with procedure one of provision, devkey, addr,
 * comp; CTest runs each as its own test (step 25 ms in Release; coarser under ASan, see
 * tests/CMakeLists.txt). It prints the counts per fault kind and fails on any bad outcome.
 * FAULTS_LOG=<step index> with FAULTS_KIND=<0 device, 1 server, 2 client, 3 radio> runs only
 * that case and prints its log.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/cdb.h>
#include <meshrpr/cfg_cli.h>
#include <meshrpr/mesh.h>

#include "access/access.h"
#include "mem_storage.h"
#include "net/keys.h"
#include "net/net.h"
#include "net/replay.h"
#include "node/node_internal.h"
#include "prov/pb_adv.h"
#include "prov/prov_pdu.h"
#include "rpr_world.h"
#include "test_util.h"

#define AD_MESH_MESSAGE 0x2a
#define CUT_MS          20000u
#define SRV_ADDR        0x0006
#define NEW_ADDR        0x0010
#define SEQ_SLOTS       8192u

enum procedure { P_PROVISION, P_DEVKEY, P_ADDR, P_COMP, P_COUNT };
enum fault { F_DEVICE, F_SERVER, F_CLIENT, F_RADIO, F_COUNT };

static const char *const proc_names[P_COUNT] = { "provision", "devkey", "addr", "comp" };
static const char *const fault_names[F_COUNT] = { "device restart", "server restart",
                                                  "client restart", "radio cut" };

/* One mesh PDU seen on the radio, by (IV Index, SEQ, source). */
struct seq_slot {
    bool used;
    uint32_t iv_index;
    uint32_t seq;
    uint16_t src;
};

struct fw {
    struct rpr_world *w;
    enum procedure proc;
    int s; /* the server (for NPPI also the refreshed node) */
    int d; /* the device (provisioning) */
    struct mem_storage st[3];
    /* What the provisioner's cdb_store hook saved: the database a restart loads. */
    char *disk;
    size_t disk_len;
    unsigned cdb_stores;
    struct meshrpr_net_cred cred;
    struct seq_slot *seqs;
    unsigned pdus;
    unsigned seq_repeats;
    unsigned undecodable;
    /* Retries right after a client restart: how many, and the longest (ms). */
    unsigned retries;
    uint64_t retry_max_ms;
    /* A second composition for the Node Composition Refresh: the primary element plus one. */
    struct bt_mesh_comp comp_b;
    struct bt_mesh_elem comp_b_elems[2];
    struct bt_mesh_model extra_model;
    struct bt_mesh_model_rt_ctx extra_rt;
};

static struct fw F;

/* Outcome counts of one fault kind. */
struct counts {
    unsigned runs;
    unsigned completed;   /* the procedure's result stands (device provisioned / refreshed) */
    unsigned unchanged;   /* the node kept what it had (or the device stayed unprovisioned) */
    unsigned reconciled;  /* a pending entry had to be settled by asking the node */
    unsigned orphaned;    /* provisioned with a key the database does not hold */
    unsigned unreachable; /* the database's entry does not answer */
    unsigned retry_failed;
};

static const struct bt_mesh_model_op no_ops[] = { BT_MESH_MODEL_OP_END };

/* ---- Radio trace: SEQ uniqueness ---------------------------------------------------------- */

static void observe(void *arg, const struct meshrpr_sim_radio_event *ev)
{
    struct fw *f = arg;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];
    struct meshrpr_net_pdu pdu;
    uint32_t h;

    /* Each adv_send once (its repeats are the same PDU), mesh messages only. */
    if (ev->to != -1 || ev->repeat != 0 || ev->ad_type != AD_MESH_MESSAGE || ev->len < 1) {
        return;
    }
    /* The world runs at IV Index 0: IVI 1 would be a PDU of IV Index 1. */
    if (meshrpr_net_decode(&f->cred, 0, ev->data, ev->len, scratch, &pdu) != 0 || pdu.ivi != 0) {
        f->undecodable++;
        return;
    }
    /* Originated PDUs only: a relay sends the same (IV Index, SEQ, source) on purpose. */
    for (int i = 0; i < f->w->count; i++) {
        if (f->w->nodes[i].sim_id == ev->from &&
            !meshrpr_node_is_local_addr(&f->w->nodes[i].node, pdu.src)) {
            return;
        }
    }
    f->pdus++;
    h = (pdu.seq * 2654435761u) ^ ((uint32_t)pdu.src * 40503u);
    for (uint32_t i = 0; i < SEQ_SLOTS; i++) {
        struct seq_slot *slot = &f->seqs[(h + i) % SEQ_SLOTS];
        if (!slot->used) {
            *slot =
                (struct seq_slot){ .used = true, .iv_index = 0, .seq = pdu.seq, .src = pdu.src };
            return;
        }
        if (slot->iv_index == 0 && slot->seq == pdu.seq && slot->src == pdu.src) {
            printf("  REPEAT: IV Index 0, SEQ 0x%06x, source 0x%04x sent again (by %s)\n",
                   (unsigned)pdu.seq, pdu.src, meshrpr_sim_node_name(&f->w->sim, ev->from));
            f->seq_repeats++;
            return;
        }
    }
    fail_msg("SEQ table full");
}

/* ---- The provisioner's database on "disk" -------------------------------------------------- */

static int cdb_store(void *ctx, const struct meshrpr_cdb *cdb)
{
    struct fw *f = ctx;
    char *text;
    size_t len;
    int err = meshrpr_cdb_json_print(cdb, &text, &len);

    if (err != 0) {
        return err;
    }
    free(f->disk);
    f->disk = text;
    f->disk_len = len;
    f->cdb_stores++;
    return 0;
}

/* The database as a restarted provisioner loads it. */
static void cdb_load(struct fw *f)
{
    char msg[160] = "";

    assert_non_null(f->disk);
    if (meshrpr_cdb_json_parse(&f->w->cdb, f->disk, f->disk_len, msg, sizeof(msg)) != 0) {
        fail_msg("saved database does not load: %s", msg);
    }
}

/* ---- World -------------------------------------------------------------------------------- */

static void log_line(void *arg, uint64_t time_us, const char *node_name,
                     enum meshrpr_log_level level, const char *module, const char *text)
{
    (void)arg;
    printf("%9.3f %-6s %d %-8s %s\n", (double)time_us / 1e6, node_name != NULL ? node_name : "-",
           (int)level, module, text);
}

/* Give node i storage and write what it has (it was provisioned before it had storage). */
static void node_storage(struct fw *f, int i, struct mem_storage *m)
{
    struct rw_node *rn = &f->w->nodes[i];

    mem_storage_init(m);
    rn->cfg.storage = &m->storage;
    rn->node.cfg.storage = &m->storage;
    if (meshrpr_node_is_provisioned(&rn->node)) {
        assert_int_equal(meshrpr_node_identity_store(&rn->node), 0);
        assert_int_equal(meshrpr_keys_store(&rn->node), 0);
        assert_int_equal(meshrpr_net_store(&rn->node), 0);
        assert_int_equal(meshrpr_access_store(&rn->node), 0);
        assert_int_equal(meshrpr_replay_store(&rn->node), 0);
    }
}

static void world_new(struct fw *f, enum procedure proc, uint64_t seed, bool log)
{
    static const uint8_t dev_uuid[16] = { 0xfa, 0x17, 0x75, 0x01, 0x02, 0x03, 0x04, 0x05,
                                          0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d };
    struct rw_node *p;
    const struct meshrpr_subnet *sub;

    free(f->disk);
    f->disk = NULL;
    f->proc = proc;
    f->w = rw_new(seed);
    assert_non_null(f->w);
    if (log) {
        meshrpr_sim_set_log(&f->w->sim, MESHRPR_LOG_LEVEL_DBG, log_line, NULL);
    }
    p = rw_prov(f->w);
    node_storage(f, 0, &f->st[0]);
    p->cfg.cdb_store = cdb_store;
    p->cfg.cdb_store_ctx = f;
    p->node.cfg.cdb_store = cdb_store;
    p->node.cfg.cdb_store_ctx = f;
    /* The server offers NPPI (it is also the refreshed node) and has storage from the start. */
    mem_storage_init(&f->st[1]);
    f->s = rw_add_nppi_server(f->w, SRV_ADDR, &f->st[1].storage);
    assert_true(f->s > 0);
    rw_link(f->w, 0, f->s, 0.0);
    f->d = -1;
    if (proc == P_PROVISION) {
        f->d = rw_add_device(f->w, dev_uuid, 0, NULL);
        assert_true(f->d > 0);
        node_storage(f, f->d, &f->st[2]);
        rw_link(f->w, f->s, f->d, 0.0);
        /* The device is reached through the server once provisioned. */
        rw_relay(f->w, f->s, true);
    }
    if (proc == P_COMP) {
        struct rw_node *rn = &f->w->nodes[f->s];
        f->extra_rt = (struct bt_mesh_model_rt_ctx){ 0 };
        f->extra_model = (struct bt_mesh_model){ .id = 0x1000, .op = no_ops, .rt = &f->extra_rt };
        f->comp_b = rn->comp;
        f->comp_b_elems[0] = rn->elem;
        f->comp_b_elems[1] =
            (struct bt_mesh_elem){ .loc = 0x0002, .model_count = 1, .models = &f->extra_model };
        f->comp_b.elem = f->comp_b_elems;
        f->comp_b.elem_count = 2;
        rn->cfg.comp_next = &f->comp_b;
        rn->node.cfg.comp_next = &f->comp_b;
    }
    assert_int_equal(cdb_store(f, &f->w->cdb), 0);
    sub = meshrpr_keys_subnet_get(&p->node, RW_NET_IDX);
    assert_non_null(sub);
    f->cred = sub->cred;
    memset(f->seqs, 0, SEQ_SLOTS * sizeof(*f->seqs));
    f->pdus = 0;
    f->seq_repeats = 0;
    f->undecodable = 0;
    meshrpr_sim_set_observer(&f->w->sim, observe, f);
}

static void world_free(struct fw *f)
{
    rw_free(f->w);
    f->w = NULL;
}

static const uint8_t *dev_uuid_of(struct fw *f)
{
    return f->proc == P_PROVISION ? f->w->nodes[f->d].uuid : f->w->nodes[f->s].uuid;
}

static int target(struct fw *f)
{
    return f->proc == P_PROVISION ? f->d : f->s;
}

static int start(struct fw *f)
{
    struct bt_mesh_rpr_node srv = rw_srv(f->w, f->s);
    struct meshrpr_cdb_node *e;

    switch (f->proc) {
    case P_PROVISION:
        return bt_mesh_provision_remote(rw_cli(f->w), &srv, dev_uuid_of(f), RW_NET_IDX, 0);
    default:
        e = meshrpr_cdb_node_by_uuid(&f->w->cdb, dev_uuid_of(f));
        assert_non_null(e);
        srv.addr = e->addr;
        return bt_mesh_reprovision_remote(
            rw_cli(f->w), &srv, f->proc == P_ADDR ? NEW_ADDR : e->addr, f->proc == P_COMP);
    }
}

static bool done_pred(struct rpr_world *w, void *arg)
{
    (void)arg;
    return meshrpr_rpr_cli_link_count(rw_cli(w)) == 0 && !meshrpr_prov_is_busy(&rw_prov(w)->node);
}

/* Everyone has finished or given up: the provisioner's links, and the server's and the
 * device's own timers (link and provisioning timeouts, 60 s). */
static void run_out(struct fw *f)
{
    (void)rw_run_until(f->w, done_pred, NULL, 200000);
    rw_run(f->w, 70000);
    assert_true(rw_settle(f->w, 120000));
}

/* ---- Faults ------------------------------------------------------------------------------- */

static void restart(struct fw *f, int i)
{
    struct rw_node *rn = &f->w->nodes[i];

    assert_int_equal(rw_restart(f->w, i), 0);
    if (rn->kind == RW_DEVICE && !meshrpr_node_is_provisioned(&rn->node)) {
        assert_int_equal(meshrpr_prov_enable(&rn->node, BT_MESH_PROV_ADV), 0);
    }
}

/* A restarted provisioner starts again at once, as an application would: it settles what
 * is pending, then asks for the procedure again. The server may still hold the link of
 * before the restart: the retry must not stall on it (MshPRTv1.1 §4.4.5). */
static void retry_at_once(struct fw *f)
{
    struct meshrpr_cdb_node *e = meshrpr_cdb_node_by_uuid(&f->w->cdb, dev_uuid_of(f));
    uint64_t t0;
    uint64_t took;

    if (e != NULL && e->pending != MESHRPR_CDB_PENDING_NONE) {
        (void)meshrpr_cfg_cli_reconcile(&rw_prov(f->w)->cfg_cli, &f->w->cdb, e);
    }
    if (f->proc == P_PROVISION && e != NULL && e->pending == MESHRPR_CDB_PENDING_NONE) {
        return; /* provisioned before the restart */
    }
    if (f->proc != P_PROVISION && (e == NULL || e->pending != MESHRPR_CDB_PENDING_NONE)) {
        return;
    }
    t0 = rw_now_ms(f->w);
    if (start(f) != 0) {
        return;
    }
    (void)rw_run_until(f->w, done_pred, NULL, 200000);
    took = rw_now_ms(f->w) - t0;
    if (took >= 30000) {
        printf("  SLOW RETRY: %llu ms\n", (unsigned long long)took);
    }
    f->retries++;
    if (took > f->retry_max_ms) {
        f->retry_max_ms = took;
    }
}

static void apply_fault(struct fw *f, enum fault fault)
{
    switch (fault) {
    case F_DEVICE:
        restart(f, target(f));
        break;
    case F_SERVER:
        restart(f, f->s);
        break;
    case F_CLIENT:
        /* RAM is gone: the database is what was saved, the node what it stored. */
        cdb_load(f);
        restart(f, 0);
        retry_at_once(f);
        break;
    default:
        for (int a = 0; a < f->w->count; a++) {
            for (int b = a + 1; b < f->w->count; b++) {
                if (meshrpr_sim_link_exists(&f->w->sim, f->w->nodes[a].sim_id,
                                            f->w->nodes[b].sim_id)) {
                    rw_link(f->w, a, b, 1.0);
                }
            }
        }
        rw_run(f->w, CUT_MS);
        for (int a = 0; a < f->w->count; a++) {
            for (int b = a + 1; b < f->w->count; b++) {
                if (meshrpr_sim_link_exists(&f->w->sim, f->w->nodes[a].sim_id,
                                            f->w->nodes[b].sim_id)) {
                    rw_link(f->w, a, b, 0.0);
                }
            }
        }
        break;
    }
}

/* ---- Checks -------------------------------------------------------------------------------- */

static bool answers(struct fw *f, const struct meshrpr_cdb_node *e)
{
    uint8_t status = 0;

    for (int attempt = 0; attempt < 3; attempt++) {
        if (meshrpr_cfg_cli_beacon_get(&rw_prov(f->w)->cfg_cli, e->net_idx, e->addr, &status) ==
            0) {
            return true;
        }
    }
    return false;
}

/* Whether the node holds key as its device key or as its Device Key Candidate. */
static bool node_has_key(const struct meshrpr_node *node, const uint8_t key[16])
{
    return memcmp(node->dev_key, key, 16) == 0 ||
           (node->has_dev_key_candidate && memcmp(node->dev_key_candidate, key, 16) == 0);
}

/* The application after the fault: what did we get? */
static void settle_check(struct fw *f, struct counts *c, const uint8_t old_key[16])
{
    struct meshrpr_node *node = &f->w->nodes[target(f)].node;
    struct meshrpr_cdb_node *e;
    bool pending;

    /* What survives is what was saved: the in-memory database must not know more. */
    cdb_load(f);
    e = meshrpr_cdb_node_by_uuid(&f->w->cdb, dev_uuid_of(f));
    pending = e != NULL && e->pending != MESHRPR_CDB_PENDING_NONE;
    if (pending) {
        int err = meshrpr_cfg_cli_reconcile(&rw_prov(f->w)->cfg_cli, &f->w->cdb, e);
        c->reconciled++;
        if (err != 0 && !(err == -ETIMEDOUT && e->pending == MESHRPR_CDB_PENDING_PROVISION &&
                          !meshrpr_node_is_provisioned(node))) {
            printf("  UNREACHABLE: pending entry 0x%04x not settled (%d)\n", e->addr, err);
            c->unreachable++;
            return;
        }
    }
    if (e != NULL && e->pending == MESHRPR_CDB_PENDING_NONE) {
        if (!meshrpr_node_is_provisioned(node) || meshrpr_node_addr(node) != e->addr ||
            !node_has_key(node, e->dev_key)) {
            printf("  %s: database 0x%04x, node %s 0x%04x\n",
                   meshrpr_node_is_provisioned(node) ? "UNREACHABLE" : "GHOST ENTRY", e->addr,
                   meshrpr_node_is_provisioned(node) ? "at" : "unprovisioned",
                   meshrpr_node_addr(node));
            c->unreachable++;
            return;
        }
        if (!answers(f, e)) {
            printf("  UNREACHABLE: 0x%04x does not answer under the database's key\n", e->addr);
            c->unreachable++;
            return;
        }
        if (f->proc == P_PROVISION || memcmp(e->dev_key, old_key, 16) != 0) {
            c->completed++;
        } else {
            c->unchanged++;
        }
        return;
    }
    /* No entry, or one the device never took: it must be unprovisioned. */
    if (meshrpr_node_is_provisioned(node)) {
        printf("  ORPHANED: the device is provisioned as 0x%04x, the database %s\n",
               meshrpr_node_addr(node), e == NULL ? "has no entry" : "has it pending");
        c->orphaned++;
        return;
    }
    c->unchanged++;
    /* Cleanly unprovisioned: a second try provisions it. */
    assert_int_equal(meshrpr_prov_enable(node, BT_MESH_PROV_ADV), 0);
    if (start(f) != 0) {
        c->retry_failed++;
        return;
    }
    run_out(f);
    e = meshrpr_cdb_node_by_uuid(&f->w->cdb, dev_uuid_of(f));
    if (e == NULL || e->pending != MESHRPR_CDB_PENDING_NONE || !meshrpr_node_is_provisioned(node) ||
        meshrpr_node_addr(node) != e->addr || !answers(f, e)) {
        printf("  RETRY FAILED\n");
        c->retry_failed++;
    }
}

/* ---- The matrix ------------------------------------------------------------------------------ */

/* How long the procedure runs without faults (ms), from its start to its end. */
static uint64_t clean_duration(enum procedure proc)
{
    uint64_t t0;
    uint64_t t;
    struct meshrpr_cdb_node *e;

    world_new(&F, proc, 0xfa170000u + proc, false);
    t0 = rw_now_ms(F.w);
    assert_int_equal(start(&F), 0);
    assert_true(rw_run_until(F.w, done_pred, NULL, 120000));
    t = rw_now_ms(F.w) - t0;
    e = meshrpr_cdb_node_by_uuid(&F.w->cdb, dev_uuid_of(&F));
    assert_non_null(e);
    assert_int_equal(e->pending, MESHRPR_CDB_PENDING_NONE);
    assert_true(F.cdb_stores >= 2);
    assert_int_equal(F.seq_repeats, 0);
    world_free(&F);
    return t;
}

static void run_matrix(enum procedure proc, uint32_t step_ms)
{
    const uint64_t duration = clean_duration(proc);
    const long log_step = getenv("FAULTS_LOG") != NULL ? atol(getenv("FAULTS_LOG")) : -1;
    const int log_fault = getenv("FAULTS_KIND") != NULL ? atoi(getenv("FAULTS_KIND")) : 0;
    struct counts all[F_COUNT];
    unsigned bad = 0;
    unsigned repeats = 0;
    unsigned pdus = 0;

    memset(all, 0, sizeof(all));
    F.retries = 0;
    F.retry_max_ms = 0;
    printf("%s: %llu ms without faults; a fault every %u ms of it\n", proc_names[proc],
           (unsigned long long)duration, (unsigned)step_ms);
    for (int fault = 0; fault < F_COUNT; fault++) {
        struct counts *c = &all[fault];
        if (fault == F_DEVICE && proc != P_PROVISION) {
            continue; /* the refreshed node is the server */
        }
        for (uint64_t at = 0, k = 0; at <= duration; at += step_ms, k++) {
            uint8_t old_key[16];
            struct meshrpr_cdb_node *e;
            unsigned before_bad;

            if (log_step >= 0 && ((long)k != log_step || fault != log_fault)) {
                continue;
            }
            world_new(&F, proc, 0xfa171000u + proc * 0x100 + (uint64_t)fault * 0x10000 + k,
                      (long)k == log_step);
            e = meshrpr_cdb_node_by_uuid(&F.w->cdb, dev_uuid_of(&F));
            memcpy(old_key, e != NULL ? e->dev_key : (const uint8_t[16]){ 0 }, 16);
            assert_int_equal(start(&F), 0);
            rw_run(F.w, at);
            apply_fault(&F, (enum fault)fault);
            run_out(&F);
            before_bad = c->orphaned + c->unreachable + c->retry_failed;
            settle_check(&F, c, old_key);
            c->runs++;
            if (c->orphaned + c->unreachable + c->retry_failed != before_bad ||
                F.seq_repeats != 0) {
                printf("  ^ %s, %s at %llu ms (step %llu)\n", proc_names[proc], fault_names[fault],
                       (unsigned long long)at, (unsigned long long)k);
            }
            repeats += F.seq_repeats;
            pdus += F.pdus;
            assert_int_equal(F.undecodable, 0);
            world_free(&F);
        }
        printf("  %-15s %3u runs: %3u completed, %3u unchanged, %3u reconciled; %u orphaned, "
               "%u unreachable, %u retries failed\n",
               fault_names[fault], c->runs, c->completed, c->unchanged, c->reconciled, c->orphaned,
               c->unreachable, c->retry_failed);
        if (fault == F_CLIENT) {
            printf("  %-15s %3u retries at once after the restart, the longest %llu ms\n", "",
                   F.retries, (unsigned long long)F.retry_max_ms);
        }
        bad += c->orphaned + c->unreachable + c->retry_failed;
    }
    printf("  %u mesh PDUs traced, %u repeated (IV Index, SEQ, source)\n", pdus, repeats);
    free(F.disk);
    F.disk = NULL;
    assert_int_equal(bad, 0);
    assert_int_equal(repeats, 0);
    /* A retry finishes like a first try (a stale link costs a few seconds, not the server's
     * 60 s link timeout). */
    assert_true(F.retry_max_ms < 30000);
}

/* ---- After Provisioning Failed: nothing more but the close (MshPRTv1.1 §5.4.4) ------------ */

/*
 * A scripted device answers the Invite with Provisioning Failed. From the moment the
 * provisioner's side of PB-ADV (the provisioner itself, or the Remote Provisioning Server
 * relaying for the client) has received that PDU, every new PB-ADV transmission it starts on
 * the link must be the Transaction Acknowledgment of the Failed PDU (§5.3.2: the bearer
 * acknowledges what it received) or a Link Close with reason Fail (§5.3.1.4.3): no further
 * Provisioning PDU, no retransmission of the Invite. Read from the radio, not from the node.
 */
struct after_failed {
    int side;       /* sim id of the provisioner's end of the PB-ADV link */
    int script;     /* sim id of the scripted device */
    bool failed_rx; /* the Failed PDU reached side, on this link: */
    uint32_t link_id;
    unsigned acks;
    unsigned closes;
    unsigned others;
    uint8_t close_reason;
};

static struct after_failed AF;

static bool pb_adv_decode(const struct meshrpr_sim_radio_event *ev, uint32_t *link_id, uint8_t *tn,
                          struct meshrpr_pb_adv_gp *gp)
{
    if (ev->ad_type != MESHRPR_PB_ADV_AD_TYPE || ev->len <= MESHRPR_PB_ADV_PDU_OVERHEAD ||
        meshrpr_pb_adv_gp_decode(&ev->data[MESHRPR_PB_ADV_PDU_OVERHEAD],
                                 ev->len - MESHRPR_PB_ADV_PDU_OVERHEAD, gp) != 0) {
        return false;
    }
    *link_id = (uint32_t)ev->data[0] << 24 | (uint32_t)ev->data[1] << 16 |
               (uint32_t)ev->data[2] << 8 | ev->data[3];
    *tn = ev->data[4];
    return true;
}

static void after_failed_observe(void *arg, const struct meshrpr_sim_radio_event *ev)
{
    struct after_failed *a = arg;
    struct meshrpr_pb_adv_gp gp;
    uint32_t link_id;
    uint8_t tn;

    if (!pb_adv_decode(ev, &link_id, &tn, &gp)) {
        return;
    }
    if (!a->failed_rx && ev->kind == MESHRPR_SIM_RADIO_RX && ev->from == a->script &&
        ev->to == a->side && gp.gpcf == MESHRPR_PB_ADV_GPCF_START && gp.data_len >= 1 &&
        gp.data[0] == MESHRPR_PROV_FAILED) {
        a->failed_rx = true;
        a->link_id = link_id;
        return;
    }
    /* New transmissions only: the remaining repeats of one started before are the same PDU. */
    if (!a->failed_rx || link_id != a->link_id || ev->kind != MESHRPR_SIM_RADIO_TX ||
        ev->from != a->side || ev->repeat != 0) {
        return;
    }
    if (gp.gpcf == MESHRPR_PB_ADV_GPCF_ACK) {
        a->acks++;
    } else if (gp.gpcf == MESHRPR_PB_ADV_GPCF_CTL && gp.opcode == MESHRPR_PB_ADV_LINK_CLOSE) {
        a->closes++;
        a->close_reason = gp.reason;
    } else {
        printf("  after Provisioning Failed: GPCF %u (opcode %u, TN 0x%02x) sent\n", gp.gpcf,
               gp.opcode, tn);
        a->others++;
    }
}

static bool script_closed_pred(struct rpr_world *w, void *arg)
{
    (void)arg;
    return w->scripts[0].link_close_rx > 0;
}

static void after_failed_run(bool remote)
{
    static const uint8_t failed[2] = { MESHRPR_PROV_FAILED, MESHRPR_PROV_ERR_OUT_OF_RESOURCES };
    struct rpr_world *w = rw_new(remote ? 0xfa11ed02 : 0xfa11ed01);
    struct meshrpr_prov_result res;
    uint8_t uuid[16];
    int sc, side = 0;

    assert_non_null(w);
    memset(uuid, 0x5f, sizeof(uuid));
    sc = rw_add_script(w, uuid);
    assert_int_equal(sc, 0);
    memcpy(w->scripts[sc].answer, failed, sizeof(failed));
    w->scripts[sc].answer_len = sizeof(failed);
    if (remote) {
        side = rw_add_server(w, SRV_ADDR);
        rw_link(w, 0, side, 0.0);
    }
    rw_link_script(w, side, sc, 0.0);
    memset(&AF, 0, sizeof(AF));
    AF.side = w->nodes[side].sim_id;
    AF.script = w->scripts[sc].sim_id;
    meshrpr_sim_set_observer(&w->sim, after_failed_observe, &AF);

    if (remote) {
        struct bt_mesh_rpr_node srv = rw_srv(w, side);
        assert_int_equal(bt_mesh_provision_remote(rw_cli(w), &srv, uuid, RW_NET_IDX, 0), 0);
    } else {
        assert_int_equal(meshrpr_provision_adv(&rw_prov(w)->node, uuid, RW_NET_IDX, 0x0100, 0), 0);
    }
    assert_true(rw_run_until(w, script_closed_pred, NULL, 30000));
    /* Anything the provisioner's side would still send comes within its retransmission and
     * transaction timers (§5.3.2, §5.3.3). */
    rw_run(w, 35000);
    printf("  %s: after Provisioning Failed: %u acknowledgment(s), %u Link Close(s) (reason "
           "%u), %u other PDU(s)\n",
           remote ? "PB-Remote (the server's PB-ADV side)" : "PB-ADV", AF.acks, AF.closes,
           AF.close_reason, AF.others);
    assert_true(AF.failed_rx);
    assert_int_equal(AF.others, 0);
    assert_true(AF.closes >= 1);
    assert_int_equal(AF.close_reason, 0x02 /* Fail */);
    /* The device got the Invite and nothing else. */
    assert_int_equal(w->scripts[sc].pdus_rx, 1);
    assert_int_equal(meshrpr_prov_last_result(&rw_prov(w)->node, &res), 0);
    assert_int_equal(res.status, MESHRPR_PROV_STATUS_PEER_FAILED);
    assert_int_equal(res.error_code, MESHRPR_PROV_ERR_OUT_OF_RESOURCES);
    assert_int_equal(w->added_count, 0);
    meshrpr_sim_set_observer(&w->sim, NULL, NULL);
    rw_free(w);
}

static void test_after_failed_pb_adv(void **state)
{
    (void)state;
    after_failed_run(false);
}

static void test_after_failed_pb_remote(void **state)
{
    (void)state;
    after_failed_run(true);
}

static enum procedure g_proc;
static uint32_t g_step_ms = 25;

static void test_matrix(void **state)
{
    (void)state;
    run_matrix(g_proc, g_step_ms);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
    };

    if (argc < 2) {
        fprintf(stderr, "usage: %s provision|devkey|addr|comp [step_ms] | after-failed\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "after-failed") == 0) {
        const struct CMUnitTest after_failed[] = {
            cmocka_unit_test(test_after_failed_pb_adv),
            cmocka_unit_test(test_after_failed_pb_remote),
        };
        return cmocka_run_group_tests_name("after-failed", after_failed, NULL, NULL);
    }
    for (g_proc = 0; g_proc < P_COUNT && strcmp(argv[1], proc_names[g_proc]) != 0; g_proc++) {
    }
    if (g_proc == P_COUNT) {
        fprintf(stderr, "%s: unknown procedure \"%s\"\n", argv[0], argv[1]);
        return 2;
    }
    if (argc > 2) {
        g_step_ms = (uint32_t)strtoul(argv[2], NULL, 10);
        if (g_step_ms == 0) {
            fprintf(stderr, "%s: step_ms must be a positive number of milliseconds\n", argv[0]);
            return 2;
        }
    }
    F.seqs = calloc(SEQ_SLOTS, sizeof(*F.seqs));
    if (F.seqs == NULL) {
        return 1;
    }
    int rc = cmocka_run_group_tests_name(proc_names[g_proc], tests, NULL, NULL);
    free(F.seqs);
    return rc;
}
