/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulator speed (issue #12): simulated seconds per wall-clock second, and memory per node,
 * for a building of N real meshrpr nodes (default 1000) while a provisioner provisions in it.
 *
 * The nodes stand on a grid 4 m apart, 25 to a row, heard within 10 m (about a dozen
 * neighbours each; the simulator's spatial index). One in five is a provisioned relay, the
 * rest are unprovisioned devices sending Unprovisioned Device beacons (PB-ADV enabled); the
 * provisioner, in the first row, provisions the devices it can hear over PB-ADV one after
 * another (as many links at once as it has), so the air carries beacons, PB-ADV links and the
 * relays' network traffic (Secure Network beacons, the relayed Config messages of every new node's
 * provisioning). One core, the process's CPU time (clock()).
 *
 *   bench_sim [--nodes N] [--seconds S] [--seed N]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <meshrpr/mesh.h>
#include <meshrpr/sim.h>

#define ROW         25
#define SPACING_M   4.0
#define RANGE_M     10.0
#define RELAY_EVERY 5
#define NET_IDX     0x0000
#define PROV_ADDR   0x0001
#define MAX_NODES   4000

struct bnode {
    struct meshrpr_node node;
    struct meshrpr_sim *sim;
    int sim_id;
    bool relay;
    uint8_t uuid[16];
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    struct bt_mesh_model models[1];
    struct bt_mesh_model_rt_ctx rt[1];
    struct meshrpr_cfg_srv cfg_srv;
    struct meshrpr_node_config cfg;
    struct bt_mesh_prov prov;
};

static unsigned added_count;
static unsigned closed_count;

static void prov_node_added(uint16_t net_idx, uint8_t uuid[16], uint16_t addr, uint8_t num_elem)
{
    (void)net_idx;
    (void)uuid;
    (void)addr;
    (void)num_elem;
    added_count++;
}

static void prov_link_close(bt_mesh_prov_bearer_t bearer)
{
    (void)bearer;
    closed_count++;
}

static uint64_t ops_next_deadline_ms(void *p)
{
    return meshrpr_node_next_deadline_ms(&((struct bnode *)p)->node);
}

static void ops_process(void *p)
{
    meshrpr_node_process(&((struct bnode *)p)->node);
}

static void ops_adv_report(void *p, const struct meshrpr_adv_report *report)
{
    meshrpr_node_scan_recv(&((struct bnode *)p)->node, report);
}

static void ops_adv_sent(void *p, uint32_t tx_id)
{
    meshrpr_node_adv_sent(&((struct bnode *)p)->node, tx_id);
}

static const struct meshrpr_sim_node_ops ops = {
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
    .adv_sent = ops_adv_sent,
};

/* Node i's place; the provisioner (node 0) takes the place of the middle node. */
static double pos_x(int i, int n)
{
    return (double)((i == 0 ? n / 2 : i == n / 2 ? 0 : i) % ROW) * SPACING_M;
}

static double pos_y(int i, int n)
{
    return (double)((i == 0 ? n / 2 : i == n / 2 ? 0 : i) / ROW) * SPACING_M;
}

/* Whether the provisioner hears node i well (PB-ADV needs no relay). */
static bool near_provisioner(int i, int n)
{
    double dx = pos_x(i, n) - pos_x(0, n);
    double dy = pos_y(i, n) - pos_y(0, n);

    return dx * dx + dy * dy <= 0.8 * RANGE_M * 0.8 * RANGE_M;
}

static long max_rss_kb(void)
{
    struct rusage ru;

    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

int main(int argc, char **argv)
{
    static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                         0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
    static const uint8_t mesh_uuid[16] = { 0x62, 0x65, 0x6e, 0x63, 0x68, 0x2d, 0x73, 0x69,
                                           0x6d, 0,    0,    0,    0,    0,    0,    1 };
    int n = 1000;
    double seconds = 60.0;
    uint64_t seed = 1;
    struct meshrpr_sim *sim;
    struct meshrpr_sim_node *sim_nodes;
    struct bnode *nodes;
    struct meshrpr_cdb *cdb;
    struct meshrpr_cdb_node *cdb_nodes;
    long rss0;
    clock_t c0;
    double cpu_s;
    int next_dev = 1;
    unsigned relays = 0;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--nodes") == 0) {
            n = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--seconds") == 0) {
            seconds = atof(argv[i + 1]);
        } else if (strcmp(argv[i], "--seed") == 0) {
            seed = (uint64_t)strtoull(argv[i + 1], NULL, 10);
        } else {
            argc = -1;
            break;
        }
    }
    if (argc < 0 || (argc % 2) == 0 || n < 2 || n > MAX_NODES || seconds <= 0) {
        fprintf(stderr, "usage: bench_sim [--nodes 2..%d] [--seconds S] [--seed N]\n", MAX_NODES);
        return 2;
    }
    rss0 = max_rss_kb();
    sim = calloc(1, sizeof(*sim));
    sim_nodes = calloc((size_t)n, sizeof(*sim_nodes));
    nodes = calloc((size_t)n, sizeof(*nodes));
    cdb = calloc(1, sizeof(*cdb));
    cdb_nodes = calloc((size_t)n + 16, sizeof(*cdb_nodes));
    if (sim == NULL || sim_nodes == NULL || nodes == NULL || cdb == NULL || cdb_nodes == NULL ||
        meshrpr_sim_init_nodes(sim, seed, sim_nodes, (size_t)n) != 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    (void)meshrpr_sim_set_range(sim, RANGE_M);
    meshrpr_cdb_init(cdb, mesh_uuid, "bench_sim");
    if (meshrpr_cdb_nodes_set(cdb, cdb_nodes, (size_t)n + 16) != 0 ||
        meshrpr_cdb_subnet_add(cdb, NET_IDX, net_key) != 0) {
        fprintf(stderr, "node database\n");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        struct bnode *b = &nodes[i];
        char name[16];
        uint16_t addr = (uint16_t)(0x1000 + i);

        b->sim = sim;
        b->relay = i != 0 && i % RELAY_EVERY == 0;
        snprintf(name, sizeof(name), "n%d", i);
        b->sim_id = meshrpr_sim_node_add(sim, name, &ops, b);
        (void)meshrpr_sim_node_set_position(sim, b->sim_id, pos_x(i, n), pos_y(i, n));
        for (int k = 0; k < 16; k++) {
            b->uuid[k] = (uint8_t)(i * 31 + k * 7 + (k == 0 ? 1 : 0));
        }
        b->uuid[14] = (uint8_t)i;
        b->uuid[15] = (uint8_t)(i >> 8);
        b->models[0].id = BT_MESH_MODEL_ID_CFG_SRV;
        b->models[0].op = bt_mesh_cfg_srv_op;
        b->models[0].cb = &bt_mesh_cfg_srv_cb;
        b->models[0].rt = &b->rt[0];
        b->rt[0].user_data = &b->cfg_srv;
        b->elem.loc = 0x0001;
        b->elem.model_count = 1;
        b->elem.models = b->models;
        b->comp.cid = 0xffff;
        b->comp.elem_count = 1;
        b->comp.elem = &b->elem;
        b->prov.uuid = b->uuid;
        if (i == 0) {
            b->prov.node_added = prov_node_added;
            b->prov.link_close = prov_link_close;
            b->cfg.cdb = cdb;
            b->cfg.dev_key_get = meshrpr_cdb_dev_key_get;
            b->cfg.dev_key_ctx = cdb;
        }
        b->cfg.platform = meshrpr_sim_node_platform(sim, b->sim_id);
        b->cfg.comp = &b->comp;
        b->cfg.prov = &b->prov;
        b->cfg.features = b->relay ? BT_MESH_FEAT_RELAY : 0;
        if (meshrpr_node_init(&b->node, &b->cfg) != 0) {
            fprintf(stderr, "node %d: init failed\n", i);
            return 1;
        }
        if (i == 0 || b->relay) {
            uint8_t dev_key[16];
            struct meshrpr_cdb_node *c;

            for (int k = 0; k < 16; k++) {
                dev_key[k] = (uint8_t)(i + k * 3);
            }
            addr = i == 0 ? PROV_ADDR : addr;
            if (meshrpr_node_provision(&b->node, net_key, NET_IDX, 0, 0, addr, dev_key) != 0 ||
                (c = meshrpr_cdb_node_alloc(cdb, b->uuid, addr, 1, NET_IDX)) == NULL) {
                fprintf(stderr, "node %d: provisioning failed\n", i);
                return 1;
            }
            memcpy(c->dev_key, dev_key, 16);
            relays += b->relay ? 1 : 0;
        } else if (meshrpr_prov_enable(&b->node, BT_MESH_PROV_ADV) != 0) {
            fprintf(stderr, "node %d: PB-ADV not enabled\n", i);
            return 1;
        }
    }
    printf("Simulator speed (meshrpr bench_sim): %d nodes (%u relays, %d unprovisioned devices, "
           "1 provisioner), grid %.0f m, range %.0f m, %.0f simulated s\n",
           n, relays, n - 1 - (int)relays, SPACING_M, RANGE_M, seconds);
    c0 = clock();
    for (uint64_t t = 100; t <= (uint64_t)(seconds * 1000.0); t += 100) {
        if (meshrpr_sim_run_until(sim, t) != 0) {
            break;
        }
        /* The next devices within PB-ADV reach, as many links at once as the provisioner
         * has. */
        while (next_dev < n) {
            int d = next_dev;
            int err = nodes[d].relay || !near_provisioner(d, n)
                          ? 0
                          : meshrpr_provision_adv(&nodes[0].node, nodes[d].uuid, NET_IDX, 0, 0);
            if (getenv("BENCH_DEBUG") != NULL && err != 0) {
                fprintf(stderr, "%.1f s: device %d: %d\n", (double)t / 1000.0, d, err);
            }
            if (err == -ENOMEM || err == -EBUSY) {
                break; /* every link in use: again in 100 ms */
            }
            next_dev++;
        }
    }
    cpu_s = (double)(clock() - c0) / CLOCKS_PER_SEC;
    {
        const long rss = max_rss_kb();
        uint64_t tx = 0;
        for (int i = 0; i < n; i++) {
            tx += meshrpr_sim_node_stats(sim, nodes[i].sim_id)->tx;
        }
        printf("%.1f simulated s in %.2f s of CPU: %.1fx real time; %llu transmissions; %u "
               "devices provisioned, %u links closed\n",
               (double)meshrpr_sim_now_ms(sim) / 1000.0, cpu_s,
               cpu_s > 0 ? (double)meshrpr_sim_now_ms(sim) / 1000.0 / cpu_s : 0.0,
               (unsigned long long)tx, added_count, closed_count);
        printf("memory: %zu octets per node (struct meshrpr_node %zu, simulator node %zu, bench "
               "%zu), peak RSS %ld kB (%ld kB before the world)\n",
               sizeof(struct bnode) + sizeof(struct meshrpr_sim_node) +
                   sizeof(struct meshrpr_cdb_node),
               sizeof(struct meshrpr_node), sizeof(struct meshrpr_sim_node),
               sizeof(struct bnode) - sizeof(struct meshrpr_node), rss, rss0);
    }
    for (int i = 0; i < n; i++) {
        meshrpr_node_deinit(&nodes[i].node);
    }
    free(cdb_nodes);
    free(cdb);
    free(nodes);
    free(sim_nodes);
    free(sim);
    return 0;
}
