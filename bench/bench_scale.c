/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Throughput benchmark of remote provisioning (issue #12): many devices through many servers
 * at once, with the real Remote Provisioning Client and Server on the deterministic simulator
 * (tests/stack/rpr_world.c). The provisioner runs one PB-Remote link per server
 * (meshrpr_rpr_cli_links_set() and as many provisioner sessions, run-time capacities); each
 * server provisions its devices one after another, all servers at the same time. The
 * provisioner hears only the servers, each device only its server; loss applies to every link
 * in both directions.
 *
 * Printed per loss level: runs in which every device ended provisioned and in the node
 * database, attempts (bt_mesh_provision_remote() calls that started a link), the simulated time
 * from the first call to the last link's end, and that time against the ideal of the links
 * running fully in parallel: devices per server × the mean time of one provisioning alone
 * through one server at the same loss (measured here over the same seeds).
 *
 *   bench_scale                    100 devices through 10 servers, 0 % and 10 % loss, 20 seeds
 *   bench_scale --loss 0.1 --seeds 5 --check 150
 *                                  one loss level, 5 seeds, each within 150 simulated seconds
 *                                  (the CTest bench_scale_100x10_loss10)
 *   exit status 1 when a run failed (or took longer than --check).
 *   options: --servers N (1..RW_MAX_LINKS), --devices N, --seeds N, --loss P (repeatable)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <meshrpr/mesh.h>

#include "rpr_world.h"

#define RUN_MAX_MS     1800000u
#define ATTEMPT_MAX_MS 300000u
#define MAX_LOSSES     8

struct scale_cfg {
    int servers;
    int devices;
    unsigned seeds;
    double loss[MAX_LOSSES];
    int loss_count;
    double check_s; /* > 0: exit 1 unless every run succeeds within this many seconds */
    int prov_nt;    /* Network Transmit count of the provisioner (1..8) */
    int srv_nt;     /* ... and of the servers */
};

static bool links_free(struct rpr_world *w, void *arg)
{
    (void)arg;
    return meshrpr_rpr_cli_link_count(rw_cli(w)) == 0 && !meshrpr_prov_is_busy(&rw_prov(w)->node);
}

/* The device is provisioned and the database holds it under the address it took. */
static bool device_done(struct rpr_world *w, int d)
{
    const struct meshrpr_cdb_node *c;

    if (!meshrpr_node_is_provisioned(&w->nodes[d].node)) {
        return false;
    }
    c = meshrpr_cdb_node_by_uuid(&w->cdb, w->nodes[d].uuid);
    return c != NULL && c->pending == MESHRPR_CDB_PENDING_NONE &&
           c->addr == meshrpr_node_addr(&w->nodes[d].node);
}

/* One provisioning alone through one server (1 hop), retried like the farm's. @return the
 * simulated ms it took, or 0 when it failed. */
static uint64_t single_ms(const struct scale_cfg *cfg, uint64_t seed, double loss)
{
    struct rpr_world *w = rw_new_sized(0x5ca1e000 + seed, 1);
    uint8_t uuid[16];
    uint64_t t0, t = 0;
    int s, d;

    if (w == NULL) {
        exit(1);
    }
    s = rw_add_server(w, 0x0010);
    rw_link(w, 0, s, loss);
    for (int b = 0; b < 16; b++) {
        uuid[b] = (uint8_t)(0x21 + b + seed);
    }
    d = rw_add_device(w, uuid, 0, NULL);
    rw_link(w, s, d, loss);
    meshrpr_node_net_transmit_set(&rw_prov(w)->node,
                                  BT_MESH_TRANSMIT((unsigned)cfg->prov_nt - 1u, 20));
    meshrpr_node_net_transmit_set(&w->nodes[s].node,
                                  BT_MESH_TRANSMIT((unsigned)cfg->srv_nt - 1u, 20));
    rw_run(w, 1000);
    t0 = rw_now_ms(w);
    for (int tries = 0; tries < 5 && !device_done(w, d); tries++) {
        struct bt_mesh_rpr_node srv = rw_srv(w, s);
        if (bt_mesh_provision_remote(rw_cli(w), &srv, uuid, RW_NET_IDX, 0) == 0) {
            (void)rw_run_until(w, links_free, NULL, ATTEMPT_MAX_MS);
        }
        if (!device_done(w, d)) {
            rw_run(w, 5000);
        }
    }
    if (device_done(w, d)) {
        t = rw_now_ms(w) - t0;
    }
    rw_free(w);
    return t;
}

struct farm_result {
    bool ok;
    unsigned done;
    unsigned attempts;
    uint64_t t_ms;
    uint64_t packets;
    uint64_t relay_drops;
    uint64_t prov_tx; /* transmissions of the provisioner */
};

static struct farm_result farm_run(const struct scale_cfg *cfg, uint64_t seed, double loss)
{
    struct farm_result r = { 0 };
    struct rpr_world *w = rw_new_sized(0xfa100000 + seed, (size_t)cfg->servers);
    int per = (cfg->devices + cfg->servers - 1) / cfg->servers;
    int srv[RW_MAX_LINKS];
    int dev[RW_MAX_NODES];
    int next[RW_MAX_LINKS] = { 0 };
    uint64_t p0, t0;

    if (w == NULL) {
        fprintf(stderr, "no world for %d servers\n", cfg->servers);
        exit(1);
    }
    for (int i = 0; i < cfg->servers; i++) {
        srv[i] = rw_add_server(w, (uint16_t)(0x0010 + i));
        rw_link(w, 0, srv[i], loss);
    }
    /* Device k belongs to server k % servers. */
    for (int k = 0; k < cfg->devices; k++) {
        uint8_t uuid[16];
        for (int b = 0; b < 16; b++) {
            uuid[b] = (uint8_t)(0x13 * k + 0x07 * b + seed);
        }
        uuid[0] = (uint8_t)k;
        uuid[1] = (uint8_t)(k >> 8);
        dev[k] = rw_add_device(w, uuid, 0, NULL);
        if (dev[k] < 0) {
            fprintf(stderr, "no room for device %d (at most %d nodes)\n", k, RW_MAX_NODES);
            exit(1);
        }
        rw_link(w, srv[k % cfg->servers], dev[k], loss);
    }
    /* Network Transmit (§4.2.20): the provisioner's own, and the servers'. */
    meshrpr_node_net_transmit_set(&rw_prov(w)->node,
                                  BT_MESH_TRANSMIT((unsigned)cfg->prov_nt - 1u, 20));
    for (int i = 0; i < cfg->servers; i++) {
        meshrpr_node_net_transmit_set(&w->nodes[srv[i]].node,
                                      BT_MESH_TRANSMIT((unsigned)cfg->srv_nt - 1u, 20));
    }
    rw_run(w, 1000);
    p0 = rw_packets(w);
    r.prov_tx = meshrpr_sim_node_stats(&w->sim, w->nodes[0].sim_id)->tx;
    t0 = rw_now_ms(w);
    while (r.done < (unsigned)cfg->devices && rw_now_ms(w) - t0 < RUN_MAX_MS) {
        for (int i = 0; i < cfg->servers; i++) {
            struct bt_mesh_rpr_node srv_node = rw_srv(w, srv[i]);
            int k;
            int err;

            while (next[i] < per && next[i] * cfg->servers + i < cfg->devices &&
                   device_done(w, dev[next[i] * cfg->servers + i])) {
                next[i]++;
                r.done++;
            }
            k = next[i] * cfg->servers + i;
            if (next[i] >= per || k >= cfg->devices) {
                continue;
            }
            /* -EBUSY while this server's link is still in use. */
            err = bt_mesh_provision_remote(rw_cli(w), &srv_node, w->nodes[dev[k]].uuid, RW_NET_IDX,
                                           0);
            if (err == 0 || (err != -EBUSY && err != -ENOMEM)) {
                r.attempts++;
            }
        }
        rw_run(w, 100);
    }
    (void)rw_run_until(w, links_free, NULL, ATTEMPT_MAX_MS);
    r.ok = r.done == (unsigned)cfg->devices;
    r.t_ms = rw_now_ms(w) - t0;
    r.packets = rw_packets(w) - p0;
    r.prov_tx = meshrpr_sim_node_stats(&w->sim, w->nodes[0].sim_id)->tx - r.prov_tx;
    for (int i = 0; i < w->count; i++) {
        r.relay_drops += w->nodes[i].node.net.relay_drop_count;
    }
    rw_free(w);
    return r;
}

static void bench_loss(const struct scale_cfg *cfg, double loss, int *failures)
{
    int per = (cfg->devices + cfg->servers - 1) / cfg->servers;
    uint64_t single_sum = 0, t_sum = 0, t_min = UINT64_MAX, t_max = 0, p_sum = 0, drops = 0;
    uint64_t prov_tx_sum = 0;
    unsigned single_ok = 0, ok = 0, attempts = 0;
    double ideal_s;
    clock_t c0 = clock();

    for (uint64_t seed = 1; seed <= cfg->seeds; seed++) {
        uint64_t t = single_ms(cfg, seed, loss);
        if (t != 0) {
            single_sum += t;
            single_ok++;
        }
    }
    for (uint64_t seed = 1; seed <= cfg->seeds; seed++) {
        struct farm_result r = farm_run(cfg, seed, loss);

        attempts += r.attempts;
        drops += r.relay_drops;
        if (!r.ok) {
            printf("  seed %llu: %u of %d devices after %.1f s\n", (unsigned long long)seed, r.done,
                   cfg->devices, (double)r.t_ms / 1000.0);
            (*failures)++;
            continue;
        }
        if (cfg->check_s > 0 && (double)r.t_ms / 1000.0 > cfg->check_s) {
            printf("  seed %llu: %.1f s, above %.1f s\n", (unsigned long long)seed,
                   (double)r.t_ms / 1000.0, cfg->check_s);
            (*failures)++;
        }
        ok++;
        t_sum += r.t_ms;
        p_sum += r.packets;
        prov_tx_sum += r.prov_tx;
        t_min = r.t_ms < t_min ? r.t_ms : t_min;
        t_max = r.t_ms > t_max ? r.t_ms : t_max;
    }
    ideal_s = single_ok != 0 ? (double)single_sum / single_ok / 1000.0 * per : 0.0;
    printf("%d devices, %d servers, %2.0f %% loss: %u/%u runs ok, %u attempts", cfg->devices,
           cfg->servers, loss * 100.0, ok, cfg->seeds, attempts);
    if (ok != 0) {
        double mean_s = (double)t_sum / ok / 1000.0;
        printf("; time mean %.2f s, min %.2f s, max %.2f s; %.0f packets per run (%.0f by the "
               "provisioner)",
               mean_s, (double)t_min / 1000.0, (double)t_max / 1000.0, (double)p_sum / ok,
               (double)prov_tx_sum / ok);
        if (ideal_s > 0) {
            printf("; ideal %.2f s (%d x %.2f s alone), ratio %.2f", ideal_s, per, ideal_s / per,
                   mean_s / ideal_s);
        }
    }
    printf("; relay drops %llu; %.1f s of host CPU\n", (unsigned long long)drops,
           (double)(clock() - c0) / CLOCKS_PER_SEC);
    fflush(stdout);
}

static int parse_args(int argc, char **argv, struct scale_cfg *cfg)
{
    for (int i = 1; i < argc; i += 2) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;

        if (v == NULL) {
            return -EINVAL;
        }
        if (strcmp(argv[i], "--servers") == 0) {
            cfg->servers = (int)strtol(v, &end, 10);
        } else if (strcmp(argv[i], "--devices") == 0) {
            cfg->devices = (int)strtol(v, &end, 10);
        } else if (strcmp(argv[i], "--seeds") == 0) {
            cfg->seeds = (unsigned)strtoul(v, &end, 10);
        } else if (strcmp(argv[i], "--prov-nt") == 0) {
            cfg->prov_nt = (int)strtol(v, &end, 10);
        } else if (strcmp(argv[i], "--srv-nt") == 0) {
            cfg->srv_nt = (int)strtol(v, &end, 10);
        } else if (strcmp(argv[i], "--check") == 0) {
            cfg->check_s = strtod(v, &end);
        } else if (strcmp(argv[i], "--loss") == 0 && cfg->loss_count < MAX_LOSSES) {
            cfg->loss[cfg->loss_count++] = strtod(v, &end);
        } else {
            return -EINVAL;
        }
        if (end == v || *end != '\0') {
            return -EINVAL;
        }
    }
    if (cfg->servers < 1 || cfg->servers > RW_MAX_LINKS || cfg->devices < 1 ||
        1 + cfg->servers + cfg->devices > RW_MAX_NODES || cfg->seeds < 1 || cfg->prov_nt < 1 ||
        cfg->prov_nt > 8 || cfg->srv_nt < 1 || cfg->srv_nt > 8) {
        return -EINVAL;
    }
    for (int i = 0; i < cfg->loss_count; i++) {
        if (cfg->loss[i] < 0.0 || cfg->loss[i] > 0.9) {
            return -EINVAL;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct scale_cfg cfg = {
        .servers = 10, .devices = 100, .seeds = 20, .prov_nt = 1, .srv_nt = 3
    };
    int failures = 0;

    if (parse_args(argc, argv, &cfg) != 0) {
        fprintf(stderr,
                "usage: bench_scale [--servers 1..%d] [--devices N] [--seeds N] [--loss P]... "
                "[--prov-nt 1..8] [--srv-nt 1..8] [--check SECONDS]\n(at most %d nodes: 1 + "
                "servers + devices)\n",
                RW_MAX_LINKS, RW_MAX_NODES);
        return 2;
    }
    if (cfg.loss_count == 0) {
        cfg.loss[cfg.loss_count++] = 0.0;
        cfg.loss[cfg.loss_count++] = 0.1;
    }
    printf("Remote provisioning throughput in the simulator (meshrpr bench_scale)\n");
    printf("%d devices through %d servers, one PB-Remote link per server, %u seeds; Network "
           "Transmit %dx (provisioner), %dx (servers); times in simulated seconds\n",
           cfg.devices, cfg.servers, cfg.seeds, cfg.prov_nt, cfg.srv_nt);
    for (int i = 0; i < cfg.loss_count; i++) {
        bench_loss(&cfg, cfg.loss[i], &failures);
    }
    return failures != 0 ? 1 : 0;
}
